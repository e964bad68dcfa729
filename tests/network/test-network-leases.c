/* The lease file (network-leases.c) and modvirt-leasehelper, run for real as
 * dnsmasq runs it: argv + DNSMASQ_* environment. */
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "network-leasefile.h"
#include "network-leases.h"
#include "util/error.h"
#include "util/file.h"
#include "util/spawn.h"

typedef struct {
    char *dir;
    char *path;
} Fixture;

static void
fixture_setup(Fixture *f, gconstpointer data)
{
    f->dir = g_dir_make_tmp("mvleases-XXXXXX", NULL);
    f->path = g_build_filename(f->dir, "net.leases", NULL);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);

    g_assert_cmpint(system(cmd), ==, 0);
    g_free(f->dir);
    g_free(f->path);
}

/* Runs the helper with @args (space-separated) and "KEY=VALUE" @env_extra;
 * returns its stdout, asserting exit status @want. */
static char *
run_helper(Fixture *f, const char *args, const char *const *env_extra, int want)
{
    g_auto(GStrv) argv_parts = g_strsplit(args, " ", -1);
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_auto(GStrv) envp = g_get_environ();
    g_autoptr(GError) error = NULL;
    char *out = NULL;
    int status = -1;

    g_ptr_array_add(argv, (gpointer)MV_LEASEHELPER);
    for (char **p = argv_parts; *p; p++)
        g_ptr_array_add(argv, *p);
    g_ptr_array_add(argv, NULL);
    envp = g_environ_setenv(envp, "MV_LEASE_FILE", f->path, TRUE);
    for (gsize i = 0; env_extra && env_extra[i]; i++) {
        g_auto(GStrv) kv = g_strsplit(env_extra[i], "=", 2);

        envp = g_environ_setenv(envp, kv[0], kv[1], TRUE);
    }
    g_assert_true(mv_spawn_sync((const char *const *)argv->pdata, (const char *const *)envp,
                                10000, &out, NULL, &status, &error));
    g_assert_no_error(error);
    g_assert_cmpint(status, ==, want);
    return out;
}

static gint64
now_s(void)
{
    return g_get_real_time() / G_USEC_PER_SEC;
}

static void
test_add_del(Fixture *f, gconstpointer data)
{
    g_autofree char *expires = g_strdup_printf("DNSMASQ_LEASE_EXPIRES=%" G_GINT64_FORMAT,
                                               now_s() + 3600);
    const char *env1[] = { expires, "DNSMASQ_CLIENT_ID=01:52:54:00:aa:00:01",
                           "DNSMASQ_INTERFACE=mvbr0", NULL };
    const char *env2[] = { expires, "DNSMASQ_INTERFACE=mvbr0", NULL };
    g_autoptr(GPtrArray) leases = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *o1 = NULL, *o2 = NULL, *o3 = NULL, *o4 = NULL;
    MvNetworkDhcpLease *l;

    /* no file yet: no leases */
    g_assert_true(mv_network_leases_read(f->path, NULL, &leases, &error));
    g_assert_cmpuint(leases->len, ==, 0);
    g_clear_pointer(&leases, g_ptr_array_unref);

    o1 = run_helper(f, "add 52:54:00:AA:00:01 10.80.0.11 vm1", env1, 0);
    o2 = run_helper(f, "add 52:54:00:aa:00:02 10.80.0.12", env2, 0);
    g_assert_true(mv_network_leases_read(f->path, NULL, &leases, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(leases->len, ==, 2);
    l = leases->pdata[0];
    g_assert_cmpint(l->family, ==, MV_NETWORK_IP_V4);
    g_assert_cmpstr(l->mac, ==, "52:54:00:aa:00:01");
    g_assert_cmpstr(l->ip, ==, "10.80.0.11");
    g_assert_cmpstr(l->hostname, ==, "vm1");
    g_assert_cmpstr(l->client_id, ==, "01:52:54:00:aa:00:01");
    g_assert_cmpstr(l->iface, ==, "mvbr0");
    g_assert_cmpint(l->expiry, ==, g_ascii_strtoll(expires + strlen("DNSMASQ_LEASE_EXPIRES="),
                                                   NULL, 10));
    l = leases->pdata[1];
    g_assert_null(l->hostname);
    g_assert_null(l->client_id);
    g_clear_pointer(&leases, g_ptr_array_unref);

    /* MAC filter, any case */
    g_assert_true(mv_network_leases_read(f->path, "52:54:00:AA:00:02", &leases, &error));
    g_assert_cmpuint(leases->len, ==, 1);
    g_assert_cmpstr(((MvNetworkDhcpLease *)leases->pdata[0])->ip, ==, "10.80.0.12");
    g_clear_pointer(&leases, g_ptr_array_unref);

    /* "old" (renewal) replaces the lease of the same IP */
    o3 = run_helper(f, "old 52:54:00:aa:00:01 10.80.0.11 vm1-renamed", env1, 0);
    o4 = run_helper(f, "del 52:54:00:aa:00:02 10.80.0.12", env2, 0);
    g_assert_true(mv_network_leases_read(f->path, NULL, &leases, &error));
    g_assert_cmpuint(leases->len, ==, 1);
    g_assert_cmpstr(((MvNetworkDhcpLease *)leases->pdata[0])->hostname, ==, "vm1-renamed");
    g_assert_cmpstr(o1, ==, "");
}

static void
test_expired_and_init(Fixture *f, gconstpointer data)
{
    g_autofree char *past = g_strdup_printf("DNSMASQ_LEASE_EXPIRES=%" G_GINT64_FORMAT,
                                            now_s() - 10);
    g_autofree char *future = g_strdup_printf("DNSMASQ_LEASE_EXPIRES=%" G_GINT64_FORMAT,
                                              now_s() + 600);
    const char *env_past[] = { past, NULL };
    const char *env_future[] = { future, "DNSMASQ_CLIENT_ID=ff:00:11", NULL };
    const char *env_never[] = { "DNSMASQ_LEASE_EXPIRES=0", NULL };
    const char *env_v6[] = { future, "DNSMASQ_IAID=4660", "DNSMASQ_MAC=52:54:00:AA:00:06",
                             "DNSMASQ_SERVER_DUID=00:01:00:01:aa:bb", NULL };
    g_autoptr(GPtrArray) leases = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *o1 = NULL, *o2 = NULL, *o3 = NULL, *o4 = NULL, *init = NULL;
    g_autofree char *want = NULL;
    MvLeaseTable table = { 0 };
    MvNetworkDhcpLease *v6;

    o1 = run_helper(f, "add 52:54:00:aa:00:03 10.80.0.13 old", env_past, 0);
    o2 = run_helper(f, "add 52:54:00:aa:00:04 10.80.0.14 live", env_future, 0);
    o3 = run_helper(f, "add 52:54:00:aa:00:05 10.80.0.15", env_never, 0);
    o4 = run_helper(f, "add 00:03:00:01:52:54:00:aa:00:06 fd00:80::16 six", env_v6, 0);

    /* the expired lease was dropped on the next write, and is never read */
    g_assert_cmpint(mv_lease_table_load(f->path, &table, NULL), ==, 0);
    g_assert_cmpuint(table.n, ==, 3);
    g_assert_cmpstr(table.server_duid, ==, "00:01:00:01:aa:bb");
    mv_lease_table_clear(&table);
    g_assert_true(mv_network_leases_read(f->path, NULL, &leases, &error));
    g_assert_cmpuint(leases->len, ==, 3);
    v6 = leases->pdata[2];
    g_assert_cmpint(v6->family, ==, MV_NETWORK_IP_V6);
    g_assert_cmpstr(v6->mac, ==, "52:54:00:aa:00:06");
    g_assert_cmpstr(v6->iaid, ==, "4660");
    g_assert_cmpstr(v6->client_id, ==, "00:03:00:01:52:54:00:aa:00:06");

    init = run_helper(f, "init", NULL, 0);
    want = g_strdup_printf("%s 52:54:00:aa:00:04 10.80.0.14 live ff:00:11\n"
                           "0 52:54:00:aa:00:05 10.80.0.15 * *\n"
                           "duid 00:01:00:01:aa:bb\n"
                           "%s 4660 fd00:80::16 six 00:03:00:01:52:54:00:aa:00:06\n",
                           future + strlen("DNSMASQ_LEASE_EXPIRES="),
                           future + strlen("DNSMASQ_LEASE_EXPIRES="));
    g_assert_cmpstr(init, ==, want);

    /* an expired lease in the file (written earlier) is not read */
    g_clear_pointer(&leases, g_ptr_array_unref);
    {
        /* write the file by hand: save() would prune it */
        g_autofree char *text = g_strdup_printf(
            "# modvirt lease file 1\n4 %" G_GINT64_FORMAT " 10.80.0.20 52:54:00:aa:00:20 - - - -\n",
            now_s() - 1);

        g_assert_true(mv_file_write_atomic(f->path, text, strlen(text), 0644, &error));
    }
    g_assert_true(mv_network_leases_read(f->path, NULL, &leases, &error));
    g_assert_cmpuint(leases->len, ==, 0);
}

static void
test_corrupt(Fixture *f, gconstpointer data)
{
    g_autoptr(GPtrArray) leases = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *out = NULL;
    g_autofree char *after = NULL;
    static const char text[] = "# modvirt lease file 1\n4 0 10.80.0.1 - - - - -\n4 soon x\n";

    g_assert_true(mv_file_write_atomic(f->path, text, strlen(text), 0644, &error));
    g_assert_false(mv_network_leases_read(f->path, NULL, &leases, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_INTERNAL_ERROR);
    g_assert_nonnull(strstr(error->message, "is corrupt at line 3"));
    g_assert_null(leases);
    /* the helper refuses to overwrite it and says so (dnsmasq logs stderr) */
    out = run_helper(f, "add 52:54:00:aa:00:01 10.80.0.11", NULL, 1);
    g_assert_true(mv_file_read_all(f->path, 4096, &after, NULL, &error));
    g_assert_cmpstr(after, ==, text);
}

/* The helper's own format, as networkd reads it: fields with whitespace or
 * "-" are stored as none; malformed lines are refused with their number. */
static void
test_format(Fixture *f, gconstpointer data)
{
    MvLeaseTable table = { 0 };
    MvLeaseRecord rec = { .family = 4, .expiry = 0 };
    g_autoptr(GPtrArray) leases = NULL;
    g_autoptr(GError) error = NULL;
    MvNetworkDhcpLease *l;
    static const char *const bad[] = {
        "5 0 10.0.0.1 - - - - -\n",           /* family */
        "4 x 10.0.0.1 - - - - -\n",           /* expiry */
        "4 0 - - - - - -\n",                  /* no IP */
        "4 0 10.0.0.1 - - - -\n",             /* a field short */
        "4 0 10.0.0.1 - - - - - extra\n",     /* one too many */
    };
    int line = 0;

    mv_lease_field_set(rec.ip, sizeof(rec.ip), "10.82.0.5");
    mv_lease_field_set(rec.mac, sizeof(rec.mac), "52:54:00:AA:00:05");
    mv_lease_field_set(rec.hostname, sizeof(rec.hostname), "two words");
    mv_lease_field_set(rec.iface, sizeof(rec.iface), "-");
    g_assert_cmpstr(rec.hostname, ==, "");
    g_assert_cmpstr(rec.iface, ==, "");
    g_assert_cmpint(mv_lease_table_set(&table, &rec), ==, 0);
    g_assert_cmpint(mv_lease_table_save(&table, f->path, now_s()), ==, 0);
    mv_lease_table_clear(&table);
    g_assert_true(mv_network_leases_read(f->path, NULL, &leases, &error));
    g_assert_cmpuint(leases->len, ==, 1);
    l = leases->pdata[0];
    g_assert_cmpstr(l->mac, ==, "52:54:00:aa:00:05");
    g_assert_null(l->hostname);
    g_assert_null(l->iface);
    g_assert_cmpint(l->expiry, ==, 0);

    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *text = g_strconcat("# modvirt lease file 1\n", bad[i], NULL);

        g_assert_cmpint(mv_lease_table_parse(text, &table, &line), ==, -1);
        g_assert_cmpint(errno, ==, EINVAL);
        g_assert_cmpint(line, ==, 2);
        mv_lease_table_clear(&table);
    }
}

/* Many helpers at once (dnsmasq runs one per event, possibly overlapping
 * with networkd's reads): the flock keeps every update. */
static void
test_concurrent(Fixture *f, gconstpointer data)
{
    enum { N = 24 };
    g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func((GDestroyNotify)mv_child_free);
    g_autoptr(GPtrArray) leases = NULL;
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) envp = g_environ_setenv(g_get_environ(), "MV_LEASE_FILE", f->path, TRUE);

    envp = g_environ_setenv(envp, "DNSMASQ_LEASE_EXPIRES", "0", TRUE);
    for (int i = 0; i < N; i++) {
        g_autofree char *mac = g_strdup_printf("52:54:00:bb:00:%02x", i);
        g_autofree char *ip = g_strdup_printf("10.81.0.%d", i + 10);
        const char *argv[] = { MV_LEASEHELPER, "add", mac, ip, NULL };
        MvChildOptions opts = { .argv = argv, .envp = (const char *const *)envp };
        MvChild *child = mv_child_spawn(&opts, &error);

        g_assert_no_error(error);
        g_ptr_array_add(children, child);
    }
    for (guint i = 0; i < children->len; i++) {
        int status = -1;

        g_assert_true(mv_child_wait(children->pdata[i], 20000, &status, &error));
        g_assert_cmpint(status, ==, 0);
    }
    g_assert_true(mv_network_leases_read(f->path, NULL, &leases, &error));
    g_assert_cmpuint(leases->len, ==, N);
}

static void
test_usage(Fixture *f, gconstpointer data)
{
    const char *argv[] = { MV_LEASEHELPER, "init", NULL };
    const char *envp[] = { "PATH=/usr/bin:/bin", NULL };
    g_autoptr(GError) error = NULL;
    g_autofree char *err = NULL;
    g_autofree char *out = NULL;
    int status = -1;

    /* without MV_LEASE_FILE: a clear refusal */
    g_assert_true(mv_spawn_sync(argv, envp, 5000, NULL, &err, &status, &error));
    g_assert_cmpint(status, ==, 1);
    g_assert_nonnull(strstr(err, "MV_LEASE_FILE is not set"));
    /* actions that are not about leases are ignored */
    out = run_helper(f, "tftp 1234 10.0.0.1 /boot/file", NULL, 0);
    g_assert_false(g_file_test(f->path, G_FILE_TEST_EXISTS));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(name, fn) g_test_add(name, Fixture, NULL, fixture_setup, fn, fixture_teardown)
    ADD("/network/leases/add-del", test_add_del);
    ADD("/network/leases/expired-and-init", test_expired_and_init);
    ADD("/network/leases/corrupt", test_corrupt);
    ADD("/network/leases/format", test_format);
    ADD("/network/leases/concurrent", test_concurrent);
    ADD("/network/leases/usage", test_usage);
    return g_test_run();
}
