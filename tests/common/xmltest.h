/* Helpers shared by the XML golden test programs (tests/domainxml,
 * tests/networkxml2xml, tests/storagepoolxml2xml, tests/storagevolxml2xml,
 * tests/secretxml2xml): fixture paths, golden files and their regeneration,
 * the round trip of a case, invalid cases and their listing.
 * Include it through the suite's header, which defines MV_TEST_FIXTURE_DIR, the
 * fixture directory under $MV_SOURCE_ROOT/tests. */
#pragma once

#ifndef MV_TEST_FIXTURE_DIR
#error "define MV_TEST_FIXTURE_DIR (the fixture directory under tests/) before xmltest.h"
#endif

#include <glib.h>
#include <stdbool.h>
#include <string.h>

#include "util/error.h"
#include "util/xml.h"

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

/* How a suite parses, formats, copies and frees its definition. @name is the
 * name of the case being run and @tc the case itself (for a suite's flags or
 * pool type). */
typedef struct {
    void *(*parse)(const char *xml, const char *name, GError **error);
    char *(*format)(const void *def, const void *tc);
    void *(*copy)(const void *def);
    void (*free)(void *def);
} MvXmlTestOps;

/* A case of xml2xml/: <name>.xml formats to <name>[.<variant>].expected.xml. */
typedef struct {
    const char *name;
    const char *variant;        /* or NULL */
    unsigned int format_flags;
} MvXmlCase;

/* A case of invalid/: <name>.xml fails with @code and the message in <name>.err. */
typedef struct {
    const char *name;
    MvErrorCode code;
} MvInvalidCase;

/* The round trip of case @tc: xml2xml/<name>.xml parses and formats to the
 * golden xml2xml/<name>[.<variant>].expected.xml; that output parses back to
 * itself, and a deep copy formats the same after the original is freed.
 * Returns the output (caller frees). */
static inline char *
mv_test_xml2xml_run(const MvXmlTestOps *ops, const void *tc, const char *name,
                    const char *variant)
{
    g_autofree char *file = g_strdup_printf("xml2xml/%s.xml", name);
    g_autofree char *in_path = mv_test_data_path(file);
    g_autofree char *out_file = mv_test_golden_name("xml2xml/", name, variant);
    g_autofree char *out_path = mv_test_data_path(out_file);
    g_autofree char *xml = mv_test_read(in_path);
    g_autoptr(GError) error = NULL;
    void *def, *again, *copy;
    char *out;
    g_autofree char *out2 = NULL;
    g_autofree char *out_copy = NULL;

    def = ops->parse(xml, name, &error);
    g_assert_no_error(error);
    g_assert_nonnull(def);
    out = ops->format(def, tc);
    mv_test_compare_golden(out_path, out);

    /* Fixed point: what we format parses back to the same document. */
    again = ops->parse(out, name, &error);
    g_assert_no_error(error);
    out2 = ops->format(again, tc);
    ops->free(again);
    g_assert_cmpstr(out2, ==, out);

    /* A deep copy formats identically, after the original is gone. */
    copy = ops->copy(def);
    ops->free(def);
    out_copy = ops->format(copy, tc);
    ops->free(copy);
    g_assert_cmpstr(out_copy, ==, out);
    return out;
}

/* The case of @cases whose expected file is @file, or NULL. */
static inline const MvXmlCase *
mv_test_xml_case_for_golden(const MvXmlCase *cases, size_t ncases,
                            const char *file)
{
    for (size_t i = 0; i < ncases; i++) {
        g_autofree char *name = mv_test_golden_name("", cases[i].name, cases[i].variant);

        if (strcmp(name, file) == 0)
            return &cases[i];
    }
    return NULL;
}

/* Every file in xml2xml/ belongs to one of @cases; every input and golden is
 * valid by @schema_name and each golden parses back to its own text. */
static inline void
mv_test_goldens(const MvXmlTestOps *ops, const char *schema_name, const MvXmlCase *cases,
                size_t ncases)
{
    g_autofree char *dir_path = mv_test_data_path("xml2xml");
    g_autofree char *schema = mv_xml_schema_path(schema_name);
    g_autoptr(GError) error = NULL;
    g_autoptr(GDir) dir = g_dir_open(dir_path, 0, &error);
    unsigned int goldens = 0;
    const char *file;

    g_assert_no_error(error);
    while ((file = g_dir_read_name(dir))) {
        g_autofree char *path = g_build_filename(dir_path, file, NULL);
        g_autofree char *text = mv_test_read(path);
        g_autoptr(xmlDoc) doc = NULL;
        g_autofree char *out = NULL;
        const MvXmlCase *tc;
        void *def;

        doc = mv_xml_parse_string(text, NULL, &error);
        g_assert_no_error(error);
        if (!mv_xml_validate(doc, schema, &error))
            g_error("%s is not valid by %s: %s", path, schema, error->message);
        if (!g_str_has_suffix(file, ".expected.xml")) {
            bool listed = false;

            for (size_t i = 0; i < ncases; i++) {
                g_autofree char *name = g_strdup_printf("%s.xml", cases[i].name);

                listed |= strcmp(name, file) == 0;
            }
            if (!listed)
                g_error("%s is not listed in xml2xml_cases", path);
            continue;
        }
        if (!(tc = mv_test_xml_case_for_golden(cases, ncases, file)))
            g_error("%s is not the expected output of any case in xml2xml_cases", path);
        def = ops->parse(text, tc->name, &error);
        if (!def)
            g_error("%s does not parse back: %s", path, error->message);
        out = ops->format(def, tc);
        ops->free(def);
        if (strcmp(out, text) != 0)
            g_error("%s does not parse back to the same text; got:\n%s", path, out);
        goldens++;
    }
    g_assert_cmpuint(goldens, ==, ncases);
}

/* Case @tc of invalid/ fails to parse with its code and the message of its
 * .err file. Returns the error (caller frees) for further checks. */
static inline GError *
mv_test_invalid_run(const MvXmlTestOps *ops, const MvInvalidCase *tc)
{
    g_autofree char *file = g_strdup_printf("invalid/%s.xml", tc->name);
    g_autofree char *err_file = g_strdup_printf("invalid/%s.err", tc->name);
    g_autofree char *in_path = mv_test_data_path(file);
    g_autofree char *xml = mv_test_read(in_path);
    GError *error = NULL;
    void *def = ops->parse(xml, tc->name, &error);

    g_assert_null(def);
    mv_test_compare_error(err_file, error);
    g_assert_true(error->domain == MV_ERROR);
    g_assert_cmpint(error->code, ==, tc->code);
    return error;
}

/* Every file in invalid/ belongs to one of @cases. */
static inline void
mv_test_invalid_listed(const MvInvalidCase *cases, size_t ncases)
{
    g_autofree char *dir_path = mv_test_data_path("invalid");
    g_autoptr(GDir) dir = g_dir_open(dir_path, 0, NULL);
    const char *file;

    g_assert_nonnull(dir);
    while ((file = g_dir_read_name(dir))) {
        bool listed = false;

        for (size_t i = 0; i < ncases; i++)
            listed |= g_str_has_prefix(file, cases[i].name) &&
                      file[strlen(cases[i].name)] == '.';
        if (!listed)
            g_error("invalid/%s is not listed in invalid_cases", file);
    }
}
