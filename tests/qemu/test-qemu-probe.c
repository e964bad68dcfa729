/* qemu-probe: parsers on fixture text, then the live probe of the installed QEMU
 * (memory cache, disk cache, invalidation). Without QEMU the parser tests run and
 * the live ones skip, saying why (TAP). */
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mv-config.h"
#include "qemu-probe.h"
#include "qemu-probe-priv.h"
#include "util/error.h"

#define DATA MV_TEST_DATA_DIR

/* ---- parsers ------------------------------------------------------------ */

static void
test_parse_version(void)
{
    static const struct {
        const char *text;
        unsigned int version;   /* 0: must fail */
        const char *package;
    } cases[] = {
        { "QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\n"
          "Copyright (c) 2003-2022 Fabrice Bellard and the QEMU Project developers\n",
          7002022, "Debian 1:7.2+dfsg-7+deb12u18+b3" },
        { "QEMU emulator version 8.0.50 (v8.0.0-1234-gabcdef)\n", 8000050, "v8.0.0-1234-gabcdef" },
        { "QEMU emulator version 2.5\n", 2005000, NULL },
        { "QEMU emulator version 9.1.0\r\n", 9001000, NULL },
        { "QEMU emulator version 6.2.0 ()\n", 6002000, NULL },
        { "hello\n", 0, NULL },
        { "QEMU emulator version x.y\n", 0, NULL },
        { "QEMU emulator version 7\n", 0, NULL },
        { "QEMU emulator version 1000.0.0\n", 0, NULL },
        { "", 0, NULL },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        g_autofree char *package = NULL;
        unsigned int version = 42;
        bool ok = mv_qemu_probe_parse_version(cases[i].text, &version, &package, &error);

        if (!cases[i].version) {
            g_assert_false(ok);
            g_assert_true(mv_error_matches(error, MV_ERR_INTERNAL_ERROR));
            g_assert_cmpuint(version, ==, 42);
            continue;
        }
        g_assert_no_error(error);
        g_assert_cmpuint(version, ==, cases[i].version);
        g_assert_cmpstr(package, ==, cases[i].package);
    }
}

static const MvQemuMachine *
find(const MvQemuMachine *machines, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (g_str_equal(machines[i].name, name))
            return &machines[i];
    }
    return NULL;
}

static void
test_parse_machines_real(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *text = NULL;
    MvQemuMachine *machines = NULL;
    size_t n = 0;
    const MvQemuMachine *m;

    g_assert_true(g_file_get_contents(DATA "/machine-help-7.2.txt", &text, NULL, NULL));
    g_assert_true(mv_qemu_probe_parse_machines(text, &machines, &n, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(n, ==, 61);        /* every line but the header */
    g_assert_cmpstr(machines[0].name, ==, "microvm");
    g_assert_null(machines[0].canonical);

    m = find(machines, n, "pc");
    g_assert_cmpstr(m->canonical, ==, "pc-i440fx-7.2");
    g_assert_false(m->is_default);
    m = find(machines, n, "q35");
    g_assert_cmpstr(m->canonical, ==, "pc-q35-7.2");
    m = find(machines, n, "pc-i440fx-7.2");
    g_assert_true(m->is_default);
    g_assert_null(m->canonical);
    m = find(machines, n, "pc-i440fx-1.4");
    g_assert_true(m->deprecated);
    m = find(machines, n, "none");
    g_assert_nonnull(m);
    g_assert_cmpint(m->max_cpus, ==, 0);
    mv_qemu_machines_free(machines, n);
}

static void
test_parse_machines_odd(void)
{
    const char *text =
        "Supported machines are:\r\n"
        "\n"
        "virt                 QEMU 8.0 ARM Virtual Machine (alias of virt-8.0) (default)\r\n"
        "virt-8.0             QEMU 8.0 ARM Virtual Machine\n"
        "   indented continuation line\n"
        "virt-8.0             a duplicate is ignored (deprecated)\n"
        "none\n"
        "weird(name)          not a machine name\n"
        "broken               (alias of \n"
        "x-remote             Experimental remote machine\n";
    g_autoptr(GError) error = NULL;
    MvQemuMachine *machines = NULL;
    size_t n = 0;

    g_assert_true(mv_qemu_probe_parse_machines(text, &machines, &n, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(n, ==, 5);
    g_assert_cmpstr(machines[0].name, ==, "virt");
    g_assert_cmpstr(machines[0].canonical, ==, "virt-8.0");
    g_assert_true(machines[0].is_default);
    g_assert_cmpstr(machines[1].name, ==, "virt-8.0");
    g_assert_false(machines[1].deprecated);
    g_assert_cmpstr(machines[2].name, ==, "none");
    g_assert_cmpstr(machines[3].name, ==, "broken");
    g_assert_null(machines[3].canonical);
    g_assert_cmpstr(machines[4].name, ==, "x-remote");
    mv_qemu_machines_free(machines, n);

    machines = NULL;
    n = 7;
    g_assert_false(mv_qemu_probe_parse_machines("Supported machines are:\n", &machines, &n,
                                                &error));
    g_assert_nonnull(error);
    g_assert_null(machines);
    g_assert_cmpuint(n, ==, 7);
}

static void
test_parse_accels(void)
{
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) accels = NULL;

    g_assert_true(mv_qemu_probe_parse_accels("Accelerators supported in QEMU binary:\ntcg\nkvm\n",
                                             &accels, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(g_strv_length(accels), ==, 2);
    g_assert_cmpstr(accels[0], ==, "tcg");
    g_assert_cmpstr(accels[1], ==, "kvm");
    g_assert_false(mv_qemu_probe_parse_accels("Accelerators supported in QEMU binary:\n",
                                              &accels, &error));
    g_assert_nonnull(error);
}

static void
test_parse_qmp(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *help = NULL;
    g_autofree char *qmp = NULL;
    MvQemuMachine *machines = NULL;
    size_t n = 0;

    g_assert_true(g_file_get_contents(DATA "/machine-help-7.2.txt", &help, NULL, NULL));
    g_assert_true(g_file_get_contents(DATA "/qmp-machines-7.2.txt", &qmp, NULL, NULL));
    g_assert_true(mv_qemu_probe_parse_machines(help, &machines, &n, NULL));
    g_assert_true(mv_qemu_probe_parse_qmp_machines(qmp, "mv-machines", machines, n, &error));
    g_assert_no_error(error);
    g_assert_cmpint(find(machines, n, "pc")->max_cpus, ==, 255);
    g_assert_cmpint(find(machines, n, "pc-i440fx-7.2")->max_cpus, ==, 255);
    g_assert_cmpint(find(machines, n, "q35")->max_cpus, ==, 288);
    g_assert_cmpint(find(machines, n, "pc-q35-2.10")->max_cpus, ==, 288);
    g_assert_cmpint(find(machines, n, "isapc")->max_cpus, ==, 1);
    g_assert_cmpint(find(machines, n, "microvm")->max_cpus, ==, 288);

    /* an error reply, a reply for another id, garbage */
    g_assert_false(mv_qemu_probe_parse_qmp_machines(
        "not json\n{\"return\": [], \"id\": \"other\"}\n"
        "{\"error\": {\"class\": \"GenericError\", \"desc\": \"nope\"}, \"id\": \"mv-machines\"}\n",
        "mv-machines", machines, n, &error));
    g_assert_nonnull(strstr(error->message, "nope"));
    g_clear_error(&error);
    g_assert_false(mv_qemu_probe_parse_qmp_machines("{\"QMP\": {}}\n", "mv-machines",
                                                    machines, n, &error));
    g_assert_nonnull(error);
    mv_qemu_machines_free(machines, n);
}

static void
test_caps_guest(void)
{
    g_autoptr(MvQemuProbe) probe = g_new0(MvQemuProbe, 1);
    g_autoptr(MvCapsGuest) guest = NULL;
    static const struct {
        const char *name, *canonical;
        bool is_default;
    } list[] = {
        { "microvm", NULL, false },
        { "pc", "pc-i440fx-7.2", false },
        { "pc-i440fx-7.2", NULL, true },
        { "pc-i440fx-7.1", NULL, false },
        { "q35", "pc-q35-7.2", false },
        { "pc-q35-7.2", NULL, false },
        { "orphan", "gone-1.0", false },
        { "none", NULL, false },
    };
    const char *expect[] = { "pc-i440fx-7.2", "pc", "microvm", "pc-i440fx-7.1", "pc-q35-7.2",
                             "q35", "orphan" };

    probe->binary = g_strdup("/usr/bin/qemu-system-x86_64");
    probe->accels = g_strsplit("tcg,kvm", ",", -1);
    probe->nmachines = G_N_ELEMENTS(list);
    probe->machines = g_new0(MvQemuMachine, probe->nmachines);
    for (size_t i = 0; i < probe->nmachines; i++) {
        probe->machines[i].name = g_strdup(list[i].name);
        probe->machines[i].canonical = g_strdup(list[i].canonical);
        probe->machines[i].is_default = list[i].is_default;
        probe->machines[i].max_cpus = 7;
    }

    guest = mv_qemu_probe_to_caps_guest(probe);
    g_assert_cmpstr(guest->arch, ==, "x86_64");
    g_assert_cmpint(guest->wordsize, ==, 64);
    g_assert_cmpstr(guest->emulator, ==, "/usr/bin/qemu-system-x86_64");
    g_assert_cmpuint(guest->nmachines, ==, G_N_ELEMENTS(expect));
    for (size_t i = 0; i < G_N_ELEMENTS(expect); i++)
        g_assert_cmpstr(guest->machines[i].name, ==, expect[i]);
    g_assert_cmpstr(guest->machines[1].canonical, ==, "pc-i440fx-7.2");
    g_assert_cmpuint(g_strv_length(guest->domain_types), ==, 1);   /* kvm not usable */
    g_assert_cmpstr(guest->domain_types[0], ==, "qemu");
    g_clear_pointer(&guest, mv_caps_guest_free);

    probe->kvm_usable = true;
    guest = mv_qemu_probe_to_caps_guest(probe);
    g_assert_cmpstr(guest->domain_types[1], ==, "kvm");
    g_assert_cmpstr(mv_qemu_probe_get_default_machine(probe)->name, ==, "pc-i440fx-7.2");
    g_assert_cmpstr(mv_qemu_probe_find_machine(probe, "q35")->canonical, ==, "pc-q35-7.2");
    g_assert_null(mv_qemu_probe_find_machine(probe, "nope"));
    mv_qemu_probe_free(NULL);
}

/* ---- live --------------------------------------------------------------- */

static char *qemu_path;     /* NULL: no QEMU here, the live tests skip */

static void
assert_same_probe(const MvQemuProbe *a, const MvQemuProbe *b)
{
    g_assert_cmpstr(a->binary, ==, b->binary);
    g_assert_cmpuint(a->version, ==, b->version);
    g_assert_cmpstr(a->package, ==, b->package);
    g_assert_true(g_strv_equal((const char *const *)a->accels, (const char *const *)b->accels));
    g_assert_cmpint(a->kvm_usable, ==, b->kvm_usable);
    g_assert_cmpuint(a->nmachines, ==, b->nmachines);
    for (size_t i = 0; i < a->nmachines; i++) {
        g_assert_cmpstr(a->machines[i].name, ==, b->machines[i].name);
        g_assert_cmpstr(a->machines[i].canonical, ==, b->machines[i].canonical);
        g_assert_cmpint(a->machines[i].max_cpus, ==, b->machines[i].max_cpus);
        g_assert_cmpint(a->machines[i].is_default, ==, b->machines[i].is_default);
        g_assert_cmpint(a->machines[i].deprecated, ==, b->machines[i].deprecated);
    }
}

static void
test_live_probe(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp("mv-qemu-probe-XXXXXX", NULL);
    g_autofree char *out = NULL;
    g_autofree char *cache = NULL;
    g_autoptr(MvQemuProbe) cold = NULL;
    g_autoptr(MvQemuProbe) warm = NULL;
    g_autoptr(MvCapsGuest) guest = NULL;
    const char *argv[] = { qemu_path, "--version", NULL };
    unsigned int version = 0;
    bool spawned = false;
    gint64 t0, t1, t2;
    const MvQemuMachine *m;

    /* the version QEMU itself prints */
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                               NULL, NULL, &error));
    g_assert_true(mv_qemu_probe_parse_version(out, &version, NULL, &error));

    t0 = g_get_monotonic_time();
    cold = mv_qemu_probe_load(NULL, dir, &spawned, &error);
    t1 = g_get_monotonic_time();
    g_assert_no_error(error);
    g_assert_true(spawned);
    g_assert_cmpstr(cold->binary, ==, qemu_path);
    g_assert_cmpuint(cold->version, ==, version);
    g_assert_true(mv_qemu_probe_has_accel(cold, "tcg"));

    m = mv_qemu_probe_find_machine(cold, "pc");
    g_assert_nonnull(m);
    g_assert_nonnull(m->canonical);
    g_assert_true(g_str_has_prefix(m->canonical, "pc-i440fx-"));
    g_assert_cmpint(m->max_cpus, ==, 255);
    m = mv_qemu_probe_find_machine(cold, "q35");
    g_assert_nonnull(m);
    g_assert_true(g_str_has_prefix(m->canonical, "pc-q35-"));
    g_assert_cmpint(m->max_cpus, ==, 288);
    g_assert_nonnull(mv_qemu_probe_find_machine(cold, m->canonical));
    g_assert_nonnull(mv_qemu_probe_get_default_machine(cold));

    /* KVM: usable exactly when /dev/kvm opens read-write and QEMU has it */
    {
        int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
        g_assert_cmpint(cold->kvm_usable, ==, fd >= 0 && mv_qemu_probe_has_accel(cold, "kvm"));
        if (fd >= 0)
            close(fd);
    }

    /* a fresh load with a valid cache file does not start QEMU */
    cache = g_build_filename(dir, "qemu-system-x86_64.cache", NULL);
    g_assert_true(g_file_test(cache, G_FILE_TEST_IS_REGULAR));
    t2 = g_get_monotonic_time();
    warm = mv_qemu_probe_load(NULL, dir, &spawned, &error);
    g_test_message("cold probe %.1f ms, cached load %.3f ms", (t1 - t0) / 1000.0,
                   (g_get_monotonic_time() - t2) / 1000.0);
    g_assert_no_error(error);
    g_assert_false(spawned);
    assert_same_probe(cold, warm);

    guest = mv_qemu_probe_to_caps_guest(warm);
    g_assert_cmpstr(guest->emulator, ==, qemu_path);
    g_assert_cmpstr(guest->domain_types[0], ==, "qemu");
    g_assert_cmpint(warm->kvm_usable, ==, guest->domain_types[1] != NULL);

    /* a damaged cache is ignored and rewritten */
    g_clear_pointer(&warm, mv_qemu_probe_free);
    g_assert_true(g_file_set_contents(cache, "[cache]\nformat=1\n", -1, NULL));
    warm = mv_qemu_probe_load(NULL, dir, &spawned, &error);
    g_assert_no_error(error);
    g_assert_true(spawned);
    assert_same_probe(cold, warm);
    g_clear_pointer(&warm, mv_qemu_probe_free);
    warm = mv_qemu_probe_load(NULL, dir, &spawned, &error);
    g_assert_false(spawned);

    /* no cache dir: always probes, never fails for it */
    g_clear_pointer(&warm, mv_qemu_probe_free);
    warm = mv_qemu_probe_load(qemu_path, NULL, &spawned, &error);
    g_assert_no_error(error);
    g_assert_true(spawned);

    g_assert_cmpint(g_remove(cache), ==, 0);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
}

/* A copy of the binary whose mtime we may change. */
static void
test_live_invalidation(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp("mv-qemu-probe-XXXXXX", NULL);
    g_autofree char *copy = g_build_filename(dir, "qemu-system-x86_64", NULL);
    g_autofree char *cache_dir = g_build_filename(dir, "cache", NULL);
    g_autofree char *cache = g_build_filename(cache_dir, "qemu-system-x86_64.cache", NULL);
    g_autofree char *data = NULL;
    g_autoptr(MvQemuProbe) probe = NULL;
    gsize len = 0;
    bool spawned = false;
    struct timespec times[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_sec = 1000000000 } };

    g_assert_true(g_file_get_contents(qemu_path, &data, &len, NULL));
    g_assert_true(g_file_set_contents_full(copy, data, len, G_FILE_SET_CONTENTS_NONE, 0755, NULL));

    probe = mv_qemu_probe_load(copy, cache_dir, &spawned, &error);   /* creates cache_dir */
    g_assert_no_error(error);
    g_assert_true(spawned);
    g_clear_pointer(&probe, mv_qemu_probe_free);
    probe = mv_qemu_probe_load(copy, cache_dir, &spawned, &error);
    g_assert_false(spawned);
    g_clear_pointer(&probe, mv_qemu_probe_free);

    g_assert_cmpint(utimensat(AT_FDCWD, copy, times, 0), ==, 0);
    probe = mv_qemu_probe_load(copy, cache_dir, &spawned, &error);
    g_assert_no_error(error);
    g_assert_true(spawned);
    g_clear_pointer(&probe, mv_qemu_probe_free);
    probe = mv_qemu_probe_load(copy, cache_dir, &spawned, &error);
    g_assert_false(spawned);

    g_assert_cmpint(g_remove(cache), ==, 0);
    g_assert_cmpint(g_rmdir(cache_dir), ==, 0);
    g_assert_cmpint(g_remove(copy), ==, 0);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
}

typedef struct {
    const char *cache_dir;
    const MvQemuProbe *result;
} GetArgs;

static gpointer
get_thread(gpointer data)
{
    GetArgs *args = data;
    args->result = mv_qemu_probe_get(NULL, args->cache_dir, NULL);
    return NULL;
}

static void
test_live_get(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp("mv-qemu-probe-XXXXXX", NULL);
    g_autofree char *cache = g_build_filename(dir, "qemu-system-x86_64.cache", NULL);
    GetArgs args[8];
    GThread *threads[8];
    const MvQemuProbe *first;
    gint64 t0;

    /* concurrent first callers all get the one probe */
    for (size_t i = 0; i < G_N_ELEMENTS(threads); i++) {
        args[i] = (GetArgs){ .cache_dir = dir };
        threads[i] = g_thread_new("probe", get_thread, &args[i]);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(threads); i++)
        g_thread_join(threads[i]);
    first = args[0].result;
    g_assert_nonnull(first);
    for (size_t i = 1; i < G_N_ELEMENTS(threads); i++)
        g_assert_true(args[i].result == first);

    t0 = g_get_monotonic_time();
    g_assert_true(mv_qemu_probe_get(NULL, dir, &error) == first);
    g_test_message("memory-cached get %.4f ms", (g_get_monotonic_time() - t0) / 1000.0);
    g_assert_true(mv_qemu_probe_get(NULL, "/nonexistent/ignored", &error) == first);

    g_assert_null(mv_qemu_probe_get("/nonexistent/qemu-system-x86_64", dir, &error));
    g_assert_true(mv_error_matches(error, MV_ERR_OPERATION_FAILED));
    g_clear_error(&error);
    g_assert_null(mv_qemu_probe_get("no-such-qemu-binary", dir, &error));
    g_assert_nonnull(strstr(error->message, "$PATH"));

    g_assert_cmpint(g_remove(cache), ==, 0);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
}

/* Registered in place of each test that needs the real QEMU: a visible skip. */
static void
test_no_qemu(void)
{
    g_test_skip(MV_QEMU_BINARY " is not installed (scripts/install-deps.sh installs it)");
}

int
main(int argc, char **argv)
{
    int rc;

    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qemu-probe/parse-version", test_parse_version);
    g_test_add_func("/qemu-probe/parse-machines-real", test_parse_machines_real);
    g_test_add_func("/qemu-probe/parse-machines-odd", test_parse_machines_odd);
    g_test_add_func("/qemu-probe/parse-accels", test_parse_accels);
    g_test_add_func("/qemu-probe/parse-qmp", test_parse_qmp);
    g_test_add_func("/qemu-probe/caps-guest", test_caps_guest);

    qemu_path = g_find_program_in_path(MV_QEMU_BINARY);
    g_test_add_func("/qemu-probe/live/probe",
                    qemu_path ? test_live_probe : test_no_qemu);
    g_test_add_func("/qemu-probe/live/invalidation",
                    qemu_path ? test_live_invalidation : test_no_qemu);
    g_test_add_func("/qemu-probe/live/get",
                    qemu_path ? test_live_get : test_no_qemu);
    rc = g_test_run();
    g_free(qemu_path);
    return rc;
}
