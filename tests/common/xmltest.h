/* Helpers shared by the XML golden test programs (tests/domainxml,
 * tests/networkxml2xml): fixture paths, golden files and their regeneration.
 * Include it through the suite's header, which defines MV_TEST_FIXTURE_DIR, the
 * fixture directory under $MV_SOURCE_ROOT/tests. */
#pragma once

#ifndef MV_TEST_FIXTURE_DIR
#error "define MV_TEST_FIXTURE_DIR (the fixture directory under tests/) before xmltest.h"
#endif

#include <glib.h>
#include <stdbool.h>
#include <string.h>

/* The fixture directory, or a path under it (caller frees). */
static inline char *
mv_test_data_path(const char *sub)
{
    const char *root = g_getenv("MV_SOURCE_ROOT");

    if (!root)
        root = MV_TEST_SOURCE_ROOT;
    return g_build_filename(root, "tests", MV_TEST_FIXTURE_DIR, sub, NULL);
}

static inline char *
mv_test_read(const char *path)
{
    g_autoptr(GError) error = NULL;
    char *data = NULL;

    if (!g_file_get_contents(path, &data, NULL, &error))
        g_error("Cannot read fixture %s: %s", path, error->message);
    return data;
}

/* Compares @actual with the golden file @path; MV_TEST_REGENERATE=1 rewrites
 * it first (review the diff). */
static inline void
mv_test_compare_golden(const char *path, const char *actual)
{
    g_autofree char *expect = NULL;

    if (g_getenv("MV_TEST_REGENERATE") && g_strcmp0(g_getenv("CI"), "true") == 0)
        g_error("MV_TEST_REGENERATE is set under CI=true: goldens are never rewritten on CI");
    if (g_getenv("MV_TEST_REGENERATE")) {
        g_assert_true(g_file_set_contents(path, actual, -1, NULL));
        g_test_message("rewrote %s", path);
    }
    if (!g_file_get_contents(path, &expect, NULL, NULL))
        g_error("Missing golden file %s: run with MV_TEST_REGENERATE=1 and review it", path);
    if (strcmp(expect, actual) != 0)
        g_test_message("%s differs; got:\n%s", path, actual);
    g_assert_cmpstr(actual, ==, expect);
}

/* The golden output file of a case: <prefix><name>[.<variant>].expected.xml
 * (caller frees). */
static inline char *
mv_test_golden_name(const char *prefix, const char *name, const char *variant)
{
    return variant ? g_strdup_printf("%s%s.%s.expected.xml", prefix, name, variant)
                   : g_strdup_printf("%s%s.expected.xml", prefix, name);
}

/* Compares the message of the parse failure @error, newline-terminated, with
 * the golden file @err_file under the fixture directory. */
static inline void
mv_test_compare_error(const char *err_file, const GError *error)
{
    g_autofree char *err_path = mv_test_data_path(err_file);
    g_autofree char *message = NULL;

    g_assert_nonnull(error);
    message = g_strdup_printf("%s\n", error->message);
    mv_test_compare_golden(err_path, message);
}

/* Points the schema lookup at the source tree unless the environment did. */
static inline void
mv_test_schema_dir_init(void)
{
    g_autofree char *root = mv_test_data_path(NULL);
    g_autofree char *dir = g_build_filename(root, "..", "..", "schemas", NULL);

    if (!g_getenv("MV_SCHEMA_DIR"))
        g_setenv("MV_SCHEMA_DIR", dir, TRUE);
}
