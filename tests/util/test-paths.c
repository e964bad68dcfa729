/* Tests for util/paths.c: the --root layout. */
#include <stdlib.h>
#include <unistd.h>

#include "util/paths.h"

static void
test_system(void)
{
    g_autoptr(MvPaths) p = mv_paths_new(NULL);
    g_autofree char *rw = mv_paths_socket(p, "qemu", MV_SOCKET_RW);
    g_autofree char *conf = mv_paths_config(p, "network");
    g_autofree char *data = mv_paths_data_dir(p, "storage");

    g_assert_null(p->root);
    g_assert_cmpstr(p->run_dir, ==, "/run/modvirt");
    g_assert_cmpstr(p->etc_dir, ==, "/etc/modvirt");
    g_assert_cmpstr(p->lib_dir, ==, "/var/lib/modvirt");
    g_assert_cmpstr(p->log_dir, ==, "/var/log/modvirt");
    g_assert_cmpstr(rw, ==, "/run/modvirt/qemu.sock");
    g_assert_cmpstr(conf, ==, "/etc/modvirt/network.conf");
    g_assert_cmpstr(data, ==, "/var/lib/modvirt/storage");
}

static void
test_root(void)
{
    g_autoptr(MvPaths) p = mv_paths_new("/tmp/mvroot/");
    g_autofree char *rw = mv_paths_socket(p, "qemu", MV_SOCKET_RW);
    g_autofree char *ro = mv_paths_socket(p, "qemu", MV_SOCKET_RO);
    g_autofree char *admin = mv_paths_socket(p, "qemu", MV_SOCKET_ADMIN);
    g_autofree char *pid = mv_paths_pidfile(p, "network");
    g_autofree char *conf = mv_paths_config(p, "network");
    g_autofree char *state = mv_paths_state_dir(p, "qemu");
    g_autofree char *defs = mv_paths_definitions_dir(p, "qemu");
    g_autofree char *data = mv_paths_data_dir(p, "network");
    g_autofree char *log = mv_paths_log_file(p, "qemu");

    g_assert_cmpstr(p->root, ==, "/tmp/mvroot");
    g_assert_cmpstr(p->run_dir, ==, "/tmp/mvroot/run");
    g_assert_cmpstr(p->etc_dir, ==, "/tmp/mvroot/etc");
    g_assert_cmpstr(p->lib_dir, ==, "/tmp/mvroot/lib");
    g_assert_cmpstr(p->log_dir, ==, "/tmp/mvroot/log");
    g_assert_cmpstr(rw, ==, "/tmp/mvroot/run/qemu.sock");
    g_assert_cmpstr(ro, ==, "/tmp/mvroot/run/qemu-ro.sock");
    g_assert_cmpstr(admin, ==, "/tmp/mvroot/run/qemu-admin.sock");
    g_assert_cmpstr(pid, ==, "/tmp/mvroot/run/network.pid");
    g_assert_cmpstr(conf, ==, "/tmp/mvroot/etc/network.conf");
    g_assert_cmpstr(state, ==, "/tmp/mvroot/run/qemu");
    g_assert_cmpstr(defs, ==, "/tmp/mvroot/etc/qemu");
    g_assert_cmpstr(data, ==, "/tmp/mvroot/lib/network");
    g_assert_cmpstr(log, ==, "/tmp/mvroot/log/qemu.log");
}

static void
test_relative_root_and_ensure(void)
{
    g_autofree char *tmp = g_dir_make_tmp("mvpaths-XXXXXX", NULL);
    g_autofree char *old_cwd = g_get_current_dir();
    g_autofree char *expected = g_build_filename(tmp, "r", NULL);
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmp);
    g_autoptr(MvPaths) p = NULL;
    g_autoptr(GError) err = NULL;

    g_assert_cmpint(chdir(tmp), ==, 0);
    p = mv_paths_new("./r/../r");
    g_assert_cmpint(chdir(old_cwd), ==, 0);
    g_assert_cmpstr(p->root, ==, expected);

    g_assert_true(mv_paths_ensure(p, &err));
    g_assert_no_error(err);
    g_assert_true(g_file_test(p->run_dir, G_FILE_TEST_IS_DIR));
    g_assert_true(g_file_test(p->etc_dir, G_FILE_TEST_IS_DIR));
    g_assert_true(g_file_test(p->lib_dir, G_FILE_TEST_IS_DIR));
    g_assert_true(g_file_test(p->log_dir, G_FILE_TEST_IS_DIR));
    g_assert_true(mv_paths_ensure(p, &err));            /* idempotent */
    g_assert_cmpint(system(cmd), ==, 0);
    mv_paths_free(NULL);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/paths/system", test_system);
    g_test_add_func("/paths/root", test_root);
    g_test_add_func("/paths/relative-root-and-ensure", test_relative_root_and_ensure);
    return g_test_run();
}
