/* Tests for util/conf.c. */
#include <stdlib.h>
#include <string.h>

#include "util/conf.h"
#include "util/error.h"

static char *tmpdir;

/* Writes @content to a fresh file and returns its path. */
static char *
write_conf(const char *name, const char *content)
{
    char *path = g_build_filename(tmpdir, name, NULL);

    g_assert_true(g_file_set_contents(path, content, -1, NULL));
    return path;
}

static void
test_missing(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "absent.conf", NULL);
    g_autoptr(GError) err = NULL;
    g_autoptr(GKeyFile) conf = mv_conf_load(path, &err);
    g_autofree char *s = NULL;

    g_assert_no_error(err);
    g_assert_nonnull(conf);
    g_assert_cmpint(mv_conf_get_int(conf, "server", "max_clients", 120, &err), ==, 120);
    s = mv_conf_get_string(conf, "server", "listen", "none", &err);
    g_assert_cmpstr(s, ==, "none");
    g_assert_no_error(err);
}

static void
test_values(void)
{
    g_autofree char *path = write_conf("good.conf",
        "# modvirt-qemud configuration\n"
        "\n"
        "[server]\n"
        "max_clients = 40\n"
        "  negative=-3\n"
        "name = qemu daemon\n"
        "tls = yes\n"
        "audit=Off\n"
        "groups = kvm;libvirt;\n"
        "empty =\n");
    g_autoptr(GError) err = NULL;
    g_autoptr(GKeyFile) conf = mv_conf_load(path, &err);
    g_autofree char *name = NULL;
    g_autofree char *dflt = NULL;
    g_auto(GStrv) groups = NULL;
    g_auto(GStrv) none = NULL;
    g_auto(GStrv) empty = NULL;
    const char *const fallback[] = { "a", "b", NULL };

    g_assert_no_error(err);
    g_assert_cmpint(mv_conf_get_int(conf, "server", "max_clients", 1, &err), ==, 40);
    g_assert_cmpint(mv_conf_get_int(conf, "server", "negative", 1, &err), ==, -3);
    g_assert_cmpint(mv_conf_get_int(conf, "other", "max_clients", 7, &err), ==, 7);
    name = mv_conf_get_string(conf, "server", "name", NULL, &err);
    g_assert_cmpstr(name, ==, "qemu daemon");
    dflt = mv_conf_get_string(conf, "server", "missing", NULL, &err);
    g_assert_null(dflt);
    g_assert_true(mv_conf_get_bool(conf, "server", "tls", false, &err));
    g_assert_false(mv_conf_get_bool(conf, "server", "audit", true, &err));
    g_assert_true(mv_conf_get_bool(conf, "server", "missing", true, &err));
    groups = mv_conf_get_string_list(conf, "server", "groups", NULL, &err);
    g_assert_cmpuint(g_strv_length(groups), ==, 2);
    g_assert_cmpstr(groups[0], ==, "kvm");
    g_assert_cmpstr(groups[1], ==, "libvirt");
    none = mv_conf_get_string_list(conf, "server", "missing", fallback, &err);
    g_assert_cmpstrv(none, fallback);
    empty = mv_conf_get_string_list(conf, "server", "empty", fallback, &err);
    g_assert_cmpuint(g_strv_length(empty), ==, 0);
    g_assert_no_error(err);
}

static void
test_bad_values(void)
{
    g_autofree char *path = write_conf("bad-values.conf",
        "[server]\nmax_clients = lots\nhuge = 99999999999\ntls = maybe\n");
    g_autoptr(GKeyFile) conf = mv_conf_load(path, NULL);
    const char *keys[] = { "max_clients", "huge" };

    for (gsize i = 0; i < G_N_ELEMENTS(keys); i++) {
        g_autoptr(GError) err = NULL;

        g_assert_cmpint(mv_conf_get_int(conf, "server", keys[i], 5, &err), ==, 5);
        g_assert_error(err, MV_ERROR, MV_ERR_CONF_SYNTAX);
        g_assert_nonnull(strstr(err->message, keys[i]));
    }
    {
        g_autoptr(GError) err = NULL;

        g_assert_true(mv_conf_get_bool(conf, "server", "tls", true, &err));
        g_assert_error(err, MV_ERROR, MV_ERR_CONF_SYNTAX);
        g_assert_nonnull(strstr(err->message, "maybe"));
    }
}

static void
test_syntax_errors(void)
{
    const struct {
        const char *content;
        const char *where;
    } cases[] = {
        { "[server]\nmax_clients = 4\nthis is not a pair\n", ":3:" },
        { "max_clients = 4\n[server]\n", ":1:" },
        { "# comment\n[server\nx=1\n", ":2:" },
        { "[server]\n= 4\n", ":2:" },
        { "[]\n", ":1:" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *name = g_strdup_printf("bad-%zu.conf", i);
        g_autofree char *path = write_conf(name, cases[i].content);
        g_autofree char *expected = g_strconcat(path, cases[i].where, NULL);
        g_autoptr(GError) err = NULL;

        g_assert_null(mv_conf_load(path, &err));
        g_assert_error(err, MV_ERROR, MV_ERR_CONF_SYNTAX);
        g_test_message("%s", err->message);
        g_assert_true(g_str_has_prefix(err->message, expected));
    }
}

static void
test_unreadable(void)
{
    g_autoptr(GError) err = NULL;

    g_assert_null(mv_conf_load(tmpdir, &err));        /* a directory */
    g_assert_error(err, MV_ERROR, MV_ERR_SYSTEM_ERROR);
}

int
main(int argc, char **argv)
{
    g_autofree char *cmd = NULL;
    int rc;

    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("mvconf-XXXXXX", NULL);
    g_test_add_func("/conf/missing", test_missing);
    g_test_add_func("/conf/values", test_values);
    g_test_add_func("/conf/bad-values", test_bad_values);
    g_test_add_func("/conf/syntax-errors", test_syntax_errors);
    g_test_add_func("/conf/unreadable", test_unreadable);
    rc = g_test_run();
    cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        rc = 1;
    g_free(tmpdir);
    return rc;
}
