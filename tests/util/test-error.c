/* Tests for util/error.c: codes, subsystems, non-MV domains. */
#include <errno.h>
#include <gio/gio.h>

#include "util/error.h"

static void
test_set(void)
{
    g_autoptr(GError) err = NULL;

    g_assert_false(
        mv_error_set(&err, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED, "guest %s: %d", "vm1", 7));
    g_assert_error(err, MV_ERROR, MV_ERR_OPERATION_FAILED);
    g_assert_cmpstr(err->message, ==, "guest vm1: 7");
    g_assert_cmpint(mv_error_get_subsystem(err), ==, MV_FROM_QEMU);
    g_assert_cmpint(mv_error_get_code(err), ==, MV_ERR_OPERATION_FAILED);
    g_assert_true(mv_error_matches(err, MV_ERR_OPERATION_FAILED));
    g_assert_false(mv_error_matches(err, MV_ERR_INTERNAL_ERROR));

    /* A set error is never overwritten; a NULL error is fine. */
    g_assert_false(mv_error_set(&err, MV_FROM_RPC, MV_ERR_RPC, "second"));
    g_assert_cmpstr(err->message, ==, "guest vm1: 7");
    g_assert_cmpint(mv_error_get_subsystem(err), ==, MV_FROM_QEMU);
    g_assert_false(mv_error_set(NULL, MV_FROM_RPC, MV_ERR_RPC, "ignored"));
}

static void
test_errno(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *expected = g_strdup_printf("open 'x': %s", g_strerror(ENOENT));

    g_assert_false(mv_error_set_errno(&err, MV_FROM_STORAGE, ENOENT, "open '%s'", "x"));
    g_assert_error(err, MV_ERROR, MV_ERR_SYSTEM_ERROR);
    g_assert_cmpstr(err->message, ==, expected);
    g_assert_cmpint(mv_error_get_subsystem(err), ==, MV_FROM_STORAGE);
}

static void
test_copy_and_prefix(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GError) copy = NULL;

    mv_error_set(&err, MV_FROM_NETWORK, MV_ERR_NO_NETWORK, "no network 'default'");
    g_prefix_error(&err, "start: ");
    g_assert_cmpstr(err->message, ==, "start: no network 'default'");
    g_assert_cmpint(mv_error_get_subsystem(err), ==, MV_FROM_NETWORK);
    copy = g_error_copy(err);
    g_assert_error(copy, MV_ERROR, MV_ERR_NO_NETWORK);
    g_assert_cmpint(mv_error_get_subsystem(copy), ==, MV_FROM_NETWORK);

    mv_error_set_subsystem(copy, MV_FROM_REMOTE);
    g_assert_cmpint(mv_error_get_subsystem(copy), ==, MV_FROM_REMOTE);
    g_assert_cmpint(mv_error_get_subsystem(err), ==, MV_FROM_NETWORK);
}

static void
test_other_domains(void)
{
    g_autoptr(GError) io = g_error_new_literal(G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "x");
    g_autoptr(GError) file = g_error_new_literal(G_FILE_ERROR, G_FILE_ERROR_ACCES, "x");
    g_autoptr(GError) kf = g_error_new_literal(G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE, "x");

    g_assert_cmpint(mv_error_get_code(io), ==, MV_ERR_SYSTEM_ERROR);
    g_assert_cmpint(mv_error_get_code(file), ==, MV_ERR_SYSTEM_ERROR);
    g_assert_cmpint(mv_error_get_code(kf), ==, MV_ERR_INTERNAL_ERROR);
    g_assert_cmpint(mv_error_get_subsystem(kf), ==, MV_FROM_NONE);
    g_assert_false(mv_error_matches(kf, MV_ERR_INTERNAL_ERROR));
    mv_error_set_subsystem(kf, MV_FROM_QEMU);   /* no-op, must not crash */
    g_assert_cmpint(mv_error_get_subsystem(kf), ==, MV_FROM_NONE);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/error/set", test_set);
    g_test_add_func("/error/errno", test_errno);
    g_test_add_func("/error/copy-and-prefix", test_copy_and_prefix);
    g_test_add_func("/error/other-domains", test_other_domains);
    return g_test_run();
}
