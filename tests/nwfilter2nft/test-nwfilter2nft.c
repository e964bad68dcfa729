/* nwfilter goldens:
 *   cases/NAME.vars   a filter, a port and variables → cases/NAME.nft (the expected
 *                     nftables commands) or cases/NAME.err (a part of the error)
 *   xml/NAME.xml      filter or binding XML (binding-*.xml) → its canonical form,
 *                     xml/NAME.out.xml when it differs from the input; a fixed point
 *   xml-invalid/NAME.xml + NAME.err   refused, the message contains the .err text
 *   base.nft          the table's base (mv_nwfilter_nft_base())
 * The filters are the shipped ones (daemons/filter/filters/) plus filters/ here.
 * MV_REGENERATE=1 rewrites the expected files (review the diff).
 * check-kernel.sh loads every .nft into a scratch network namespace.
 *
 * A .vars file: "# filter: NAME", "# ifname: DEV", optional "# flags: conntrack
 * reject", then NAME=VALUE lines (a repeated name makes a list). */
#include <glib.h>
#include <string.h>

#include "nwfilter-compile.h"
#include "nwfilter-conf.h"

static GHashTable *filters;     /* name → MvNWFilterDef */

static char *
src(const char *rel)
{
    return g_build_filename(MV_TEST_SOURCE_ROOT, rel, NULL);
}

static bool
regenerate(void)
{
    return g_strcmp0(g_getenv("MV_REGENERATE"), "1") == 0;
}

static void
compare_or_write(const char *path, const char *actual)
{
    g_autofree char *expected = NULL;
    g_autoptr(GError) error = NULL;

    if (regenerate()) {
        g_assert_true(g_file_set_contents(path, actual, -1, &error));
        return;
    }
    if (!g_file_get_contents(path, &expected, NULL, &error))
        g_error("%s: %s (run with MV_REGENERATE=1 to create it)", path, error->message);
    if (strcmp(expected, actual) != 0)
        g_error("%s differs; got:\n%s", path, actual);
}

static const MvNWFilterDef *
lookup(const char *name, gpointer user_data)
{
    (void)user_data;
    return g_hash_table_lookup(filters, name);
}

static void
load_filters(const char *rel)
{
    g_autofree char *dir = src(rel);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    g_assert_nonnull(d);
    while ((name = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        g_autofree char *xml = NULL;
        g_autoptr(GError) error = NULL;
        MvNWFilterDef *def;

        if (!g_str_has_suffix(name, ".xml"))
            continue;
        g_assert_true(g_file_get_contents(path, &xml, NULL, NULL));
        if (!(def = mv_nwfilter_def_parse(xml, &error)))
            g_error("%s: %s", path, error->message);
        g_hash_table_insert(filters, g_strdup(def->name), def);
    }
}

static void
test_case(gconstpointer data)
{
    const char *vars_path = data;
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(MvNWFilterVars) vars = mv_nwfilter_vars_new();
    g_autofree char *filter = NULL, *ifname = g_strdup("vnet0");
    g_autofree char *base = g_strndup(vars_path, strlen(vars_path) - strlen(".vars"));
    g_autofree char *nft_path = g_strconcat(base, ".nft", NULL);
    g_autofree char *err_path = g_strconcat(base, ".err", NULL);
    g_autofree char *out = NULL;
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) chains = NULL;
    unsigned int flags = 0;

    g_assert_true(g_file_get_contents(vars_path, &text, NULL, NULL));
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        char *eq;

        if (g_str_has_prefix(*l, "# filter: ")) {
            filter = g_strstrip(g_strdup(*l + strlen("# filter: ")));
        } else if (g_str_has_prefix(*l, "# ifname: ")) {
            g_free(ifname);
            ifname = g_strstrip(g_strdup(*l + strlen("# ifname: ")));
        } else if (g_str_has_prefix(*l, "# flags: ")) {
            if (strstr(*l, "conntrack"))
                flags |= MV_NWFILTER_COMPILE_CONNTRACK;
            if (strstr(*l, "reject"))
                flags |= MV_NWFILTER_COMPILE_REJECT;
        } else if (**l && **l != '#' && (eq = strchr(*l, '='))) {
            *eq = '\0';
            mv_nwfilter_vars_add(vars, *l, eq + 1);
        }
    }
    g_assert_nonnull(filter);
    out = mv_nwfilter_compile(ifname, filter, vars, lookup, NULL, flags, &chains, &error);
    if (g_file_test(err_path, G_FILE_TEST_EXISTS) || (!out && regenerate())) {
        g_autofree char *expected = NULL;

        if (out)
            g_error("%s: compiled, but %s expects an error:\n%s", vars_path, err_path, out);
        if (regenerate() && !g_file_test(err_path, G_FILE_TEST_EXISTS)) {
            g_assert_true(g_file_set_contents(err_path, error->message, -1, NULL));
            return;
        }
        g_assert_true(g_file_get_contents(err_path, &expected, NULL, NULL));
        g_strstrip(expected);
        if (!strstr(error->message, expected))
            g_error("%s: error '%s' does not contain '%s'", vars_path, error->message,
                    expected);
        return;
    }
    if (!out)
        g_error("%s: %s", vars_path, error->message);
    compare_or_write(nft_path, out);
    /* Every chain created is listed for the removal. */
    g_assert_cmpuint(g_strv_length(chains), >=, 2);
    for (char **c = chains; *c; c++) {
        g_autofree char *line = g_strdup_printf("add chain bridge modvirt %s\n", *c);

        g_assert_nonnull(strstr(out, line));
    }
}

static bool
is_binding(const char *path)
{
    g_autofree char *name = g_path_get_basename(path);

    return g_str_has_prefix(name, "binding");
}

static char *
roundtrip(const char *path, const char *xml, GError **error)
{
    if (is_binding(path)) {
        g_autoptr(MvNWFilterBindingDef) def = mv_nwfilter_binding_def_parse(xml, error);

        return def ? mv_nwfilter_binding_def_format(def) : NULL;
    } else {
        g_autoptr(MvNWFilterDef) def = mv_nwfilter_def_parse(xml, error);

        return def ? mv_nwfilter_def_format(def) : NULL;
    }
}

static void
test_xml(gconstpointer data)
{
    const char *path = data;
    g_autofree char *xml = NULL, *out = NULL, *again = NULL;
    g_autofree char *base = g_strndup(path, strlen(path) - strlen(".xml"));
    g_autofree char *out_path = g_strconcat(base, ".out.xml", NULL);
    g_autoptr(GError) error = NULL;

    g_assert_true(g_file_get_contents(path, &xml, NULL, NULL));
    if (!(out = roundtrip(path, xml, &error)))
        g_error("%s: %s", path, error->message);
    if (g_file_test(out_path, G_FILE_TEST_EXISTS) || (regenerate() && strcmp(out, xml) != 0))
        compare_or_write(out_path, out);
    else if (strcmp(out, xml) != 0)
        g_error("%s: the canonical form differs from the input:\n%s", path, out);
    if (!(again = roundtrip(path, out, &error)))
        g_error("%s: the canonical form does not parse: %s", path, error->message);
    g_assert_cmpstr(again, ==, out);
}

static void
test_invalid(gconstpointer data)
{
    const char *path = data;
    g_autofree char *xml = NULL, *out = NULL, *expected = NULL;
    g_autofree char *base = g_strndup(path, strlen(path) - strlen(".xml"));
    g_autofree char *err_path = g_strconcat(base, ".err", NULL);
    g_autoptr(GError) error = NULL;

    g_assert_true(g_file_get_contents(path, &xml, NULL, NULL));
    if ((out = roundtrip(path, xml, &error)))
        g_error("%s: accepted, but it is invalid:\n%s", path, out);
    if (regenerate() && !g_file_test(err_path, G_FILE_TEST_EXISTS)) {
        g_assert_true(g_file_set_contents(err_path, error->message, -1, NULL));
        return;
    }
    g_assert_true(g_file_get_contents(err_path, &expected, NULL, NULL));
    g_strstrip(expected);
    if (!strstr(error->message, expected))
        g_error("%s: error '%s' does not contain '%s'", path, error->message, expected);
}

static void
test_base(void)
{
    g_autofree char *path = src("tests/nwfilter2nft/base.nft");
    g_autofree char *base = mv_nwfilter_nft_base();

    compare_or_write(path, base);
}

static void
test_loops(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MvNWFilterDef) a = mv_nwfilter_def_parse(
        "<filter name='loop-a'><filterref filter='loop-b'/></filter>", &error);
    const MvNWFilterDef *b = g_hash_table_lookup(filters, "loop-b");

    g_assert_no_error(error);
    g_assert_nonnull(b);
    /* loop-b includes loop-c, which includes loop-a: defining loop-a closes the cycle. */
    g_assert_false(mv_nwfilter_check_loops(a, lookup, NULL, &error));
    g_assert_cmpstr(error->message, ==,
                    "filter include loop: loop-a -> loop-b -> loop-c -> loop-a");
    g_clear_error(&error);
    g_assert_true(mv_nwfilter_check_loops(b, lookup, NULL, &error));
    g_assert_no_error(error);
}

static int
name_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
add_dir_tests(const char *rel, const char *suffix, const char *prefix, GTestDataFunc fn)
{
    g_autofree char *dir = src(rel);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *name;

    g_assert_nonnull(d);
    while ((name = g_dir_read_name(d))) {
        if (g_str_has_suffix(name, suffix) && !g_str_has_suffix(name, ".out.xml"))
            g_ptr_array_add(names, g_strdup(name));
    }
    g_ptr_array_sort(names, name_cmp);
    for (guint i = 0; i < names->len; i++) {
        const char *n = g_ptr_array_index(names, i);
        g_autofree char *test = g_strdup_printf("%s/%s", prefix, n);

        g_test_add_data_func_full(test, g_build_filename(dir, n, NULL), fn, g_free);
    }
}

int
main(int argc, char **argv)
{
    int rc;

    g_test_init(&argc, &argv, NULL);
    g_setenv("MV_SCHEMA_DIR", MV_TEST_SOURCE_ROOT "/schemas", FALSE);
    filters = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                    (GDestroyNotify)mv_nwfilter_def_free);
    load_filters("daemons/filter/filters");
    load_filters("tests/nwfilter2nft/filters");
    g_test_add_func("/nwfilter2nft/base", test_base);
    g_test_add_func("/nwfilter2nft/loops", test_loops);
    add_dir_tests("tests/nwfilter2nft/cases", ".vars", "/nwfilter2nft/case", test_case);
    add_dir_tests("tests/nwfilter2nft/xml", ".xml", "/nwfilter2nft/xml", test_xml);
    add_dir_tests("tests/nwfilter2nft/xml-invalid", ".xml", "/nwfilter2nft/invalid",
                  test_invalid);
    rc = g_test_run();
    g_hash_table_unref(filters);
    return rc;
}
