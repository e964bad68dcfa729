/* dnsmasq config goldens: data/<case>.xml (network XML) → data/<case>.conf,
 * and <case>.hostsfile / <case>.addnhosts when the network has DHCP hosts or
 * DNS hosts. The files live under the fixed root /ROOT; the helper is
 * /usr/sbin/modvirt-leasehelper. MV_TEST_REGENERATE=1 rewrites the expected
 * files (review the diff). */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "network-def.h"
#include "network-dnsmasq.h"
#include "util/error.h"
#include "util/file.h"
#include "util/paths.h"
#include "util/spawn.h"

static const char *const cases[] = {
    "isolated",     "nat-dns",      "dns-disabled", "dual-stack",
    "ipv6-ra-only", "bootp-static", "static-only",
};

static char *
data_path(const char *name, const char *suffix)
{
    return g_strdup_printf("%s/data/%s.%s", MV_TEST_DIR, name, suffix);
}

/* dnsmasq itself accepts the config (its --test syntax check). */
static void
check_dnsmasq_accepts(const char *conf)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *path = NULL;
    g_autofree char *arg = NULL;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int fd = g_file_open_tmp("mvconf-XXXXXX.conf", &path, &error);
    int status = -1;

    g_assert_cmpint(fd, >=, 0);
    close(fd);
    g_assert_true(g_file_set_contents(path, conf, -1, &error));
    arg = g_strconcat("--conf-file=", path, NULL);
    {
        const char *argv[] = { "dnsmasq", "--test", arg, NULL };

        g_assert_true(mv_spawn_sync(argv, NULL, 10000, &out, &err, &status, &error));
    }
    g_unlink(path);
    if (status != 0)
        g_test_message("dnsmasq --test: %s", err);
    g_assert_cmpint(status, ==, 0);
}

/* Compares @got with the file @name.@suffix (absent = empty text). */
static void
check_golden(const char *name, const char *suffix, const char *got)
{
    g_autofree char *path = data_path(name, suffix);
    g_autofree char *want = NULL;
    g_autoptr(GError) error = NULL;

    if (g_getenv("MV_TEST_REGENERATE")) {
        if (*got)
            g_assert_true(mv_file_write_atomic(path, got, strlen(got), 0644, &error));
        else
            g_assert_true(mv_file_remove(path, &error));
        return;
    }
    if (!g_file_test(path, G_FILE_TEST_EXISTS))
        want = g_strdup("");
    else
        g_assert_true(mv_file_read_all(path, 1 << 20, &want, NULL, &error));
    if (strcmp(want, got) != 0)
        g_test_message("%s.%s differs; got:\n%s", name, suffix, got);
    g_assert_cmpstr(got, ==, want);
}

static void
test_conf(gconstpointer data)
{
    const char *name = data;
    g_autofree char *xml_path = data_path(name, "xml");
    g_autofree char *xml = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(MvNetworkDef) def = NULL;
    g_autoptr(MvPaths) paths = mv_paths_new("/ROOT");
    g_autoptr(MvNetworkDnsmasqFiles) files = NULL;
    MvNetworkDnsmasqOptions opts = { .lease_helper = "/usr/sbin/modvirt-leasehelper" };
    g_autofree char *conf = NULL;
    g_autofree char *hosts = NULL;
    g_autofree char *addn = NULL;

    g_assert_true(mv_file_read_all(xml_path, 1 << 20, &xml, NULL, &error));
    def = mv_network_def_parse(xml, 0, &error);
    g_assert_no_error(error);
    g_assert_true(mv_network_dnsmasq_needed(def));
    files = mv_network_dnsmasq_files_new(paths, def->name);
    conf = mv_network_dnsmasq_config(def, files, &opts);
    hosts = mv_network_dnsmasq_hostsfile(def);
    addn = mv_network_dnsmasq_addnhosts(def);
    check_golden(name, "conf", conf);
    check_dnsmasq_accepts(conf);
    check_golden(name, "hostsfile", hosts);
    check_golden(name, "addnhosts", addn);
}

/* Which networks get no dnsmasq at all. */
static void
test_not_needed(void)
{
    static const char *const xmls[] = {
        /* an existing host bridge: networkd runs nothing on it */
        "<network><name>b</name><forward mode='bridge'/><bridge name='br0'/></network>",
        /* no address: nothing to listen on */
        "<network><name>n</name><bridge name='mvbr9'/></network>",
        /* IPv4 without DHCP and with DNS off */
        "<network><name>d</name><bridge name='mvbr9'/><dns enable='no'/>"
        "<ip address='10.90.9.1' prefix='24'/></network>",
    };

    for (gsize i = 0; i < G_N_ELEMENTS(xmls); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(MvNetworkDef) def = mv_network_def_parse(xmls[i], 0, &error);

        g_assert_no_error(error);
        g_assert_false(mv_network_dnsmasq_needed(def));
    }
}

/* The user dnsmasq drops to: root only when "nobody" could not reach the files. */
static void
test_pick_user(void)
{
    g_autofree char *dir = g_dir_make_tmp("mvconf-XXXXXX", NULL);
    g_autoptr(MvPaths) paths = mv_paths_new(dir);
    g_autoptr(MvNetworkDnsmasqFiles) files = mv_network_dnsmasq_files_new(paths, "x");
    g_autoptr(GError) error = NULL;
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", dir);

    g_assert_true(mv_file_mkdir_p(files->dir, 0755, &error));
    g_assert_cmpint(chmod(dir, 0700), ==, 0);
    g_assert_cmpstr(mv_network_dnsmasq_pick_user(files), ==, "root");
    g_assert_cmpint(chmod(dir, 0755), ==, 0);
    g_assert_null(mv_network_dnsmasq_pick_user(files));
    g_assert_cmpint(system(cmd), ==, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *path = g_strdup_printf("/networkxml2conf/%s", cases[i]);

        g_test_add_data_func(path, cases[i], test_conf);
    }
    g_test_add_func("/networkxml2conf/not-needed", test_not_needed);
    g_test_add_func("/networkxml2conf/pick-user", test_pick_user);
    return g_test_run();
}
