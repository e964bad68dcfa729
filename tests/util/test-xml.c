/* Tests for util/xml.c: safe parsing, RelaxNG validation, helpers. */
#include <string.h>
#include <unistd.h>

#include "util/error.h"
#include "util/xml.h"

#define SCHEMA MV_TEST_DATA_DIR "/widget.rng"

/* Runs @fn with stderr redirected to a temp file and returns what it wrote. */
static char *
capture_stderr(void (*fn)(void))
{
    g_autofree char *path = NULL;
    char *out = NULL;
    int fd = g_file_open_tmp("mvxml-XXXXXX", &path, NULL);
    int saved = dup(STDERR_FILENO);

    g_assert_cmpint(fd, >=, 0);
    dup2(fd, STDERR_FILENO);
    fn();
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(fd);
    g_assert_true(g_file_get_contents(path, &out, NULL, NULL));
    unlink(path);
    return out;
}

/* Parses @xml expecting failure; returns the error message. */
static char *
parse_fails(const char *xml, const char *schema_path)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = mv_xml_parse_string_with_schema_path(xml, schema_path, &err);

    g_assert_null(doc);
    g_assert_error(err, MV_ERROR, MV_ERR_XML_ERROR);
    g_assert_cmpint(mv_error_get_subsystem(err), ==, MV_FROM_XML);
    g_test_message("%s", err->message);
    return g_strdup(err->message);
}

static void
test_parse_and_format(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = mv_xml_parse_string(
        "<?xml version='1.0'?>\n<widget name='w1'>  <parts>\n <part size='3'/>"
        "<part size='4'>x &amp; y</part></parts>\n<!-- c --></widget>", NULL, &err);
    g_autofree char *out = NULL;

    g_assert_no_error(err);
    g_assert_nonnull(doc);
    out = mv_xml_format(doc);
    g_assert_cmpstr(out, ==,
                    "<widget name=\"w1\">\n"
                    "  <parts>\n"
                    "    <part size=\"3\"/>\n"
                    "    <part size=\"4\">x &amp; y</part>\n"
                    "  </parts>\n"
                    "  <!-- c -->\n"
                    "</widget>\n");
}

static void
test_helpers(void)
{
    g_autoptr(xmlDoc) doc = mv_xml_parse_string(
        "<widget name='w&#233;'><parts><part size='1'>one</part><part size='2'>t<b>w</b>o</part>"
        "</parts></widget>", NULL, NULL);
    xmlNode *root = xmlDocGetRootElement(doc);
    xmlNode *parts = mv_xml_get_child(root, "parts");
    xmlNode *part = mv_xml_get_child(parts, "part");
    g_autofree char *name = mv_xml_get_prop(root, "name");
    g_autofree char *missing = mv_xml_get_prop(root, "nope");
    g_autofree char *content = mv_xml_get_content(part);
    g_autofree char *nested = mv_xml_get_content(part->next);

    g_assert_cmpstr(name, ==, "w\xc3\xa9");
    g_assert_null(missing);
    g_assert_cmpstr(content, ==, "one");
    g_assert_cmpstr(nested, ==, "two");
    g_assert_null(mv_xml_get_child(root, "part"));      /* children only */
    g_assert_null(mv_xml_get_child(NULL, "part"));
    g_assert_null(mv_xml_get_content(NULL));
}

static void
test_malformed(void)
{
    g_autofree char *tags = parse_fails("<widget name='a'>\n<parts>\n</widget>\n", NULL);
    g_autofree char *empty = parse_fails("", NULL);
    g_autofree char *junk = parse_fails("<a></a><b/>", NULL);

    g_assert_nonnull(strstr(tags, "line 3"));
    g_assert_nonnull(strstr(tags, "mismatch"));
    g_assert_nonnull(strstr(junk, "line 1"));
}

static void
test_no_entities(void)
{
    g_autofree char *laughs = parse_fails(
        "<?xml version='1.0'?>\n<!DOCTYPE w [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;'>]>\n"
        "<widget name='&b;'/>", NULL);
    g_autofree char *external = parse_fails(
        "<!DOCTYPE w SYSTEM 'http://127.0.0.1:9/x.dtd'><widget name='x'/>", NULL);
    g_autofree char *file = parse_fails(
        "<!DOCTYPE w [<!ENTITY f SYSTEM 'file:///etc/passwd'>]><widget name='&f;'/>", NULL);

    g_assert_nonnull(strstr(laughs, "DOCTYPE"));
    g_assert_nonnull(strstr(external, "DOCTYPE"));
    g_assert_null(strstr(file, "root:"));
}

static void
test_validate(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) good = mv_xml_parse_string_with_schema_path(
        "<widget name='w'><parts><part size='1'/><part size='2'/></parts></widget>", SCHEMA, &err);
    g_autofree char *element = parse_fails(
        "<widget name='w'><parts><part size='1'/><part size='2'><frobnicate/></part></parts>"
        "</widget>",
        SCHEMA);
    g_autofree char *attr = parse_fails(
        "<widget name='w'><parts><part size='1'/><part size='big'/></parts></widget>", SCHEMA);
    g_autofree char *missing = parse_fails("<widget/>", SCHEMA);

    g_assert_no_error(err);
    g_assert_nonnull(good);
    g_assert_true(g_str_has_prefix(element, "XML document failed to validate against schema: "));
    g_assert_nonnull(strstr(element, "/widget/parts/part[2]"));
    g_assert_nonnull(strstr(element, "frobnicate"));
    g_assert_nonnull(strstr(attr, "/widget/parts/part[2]"));
    g_assert_nonnull(strstr(missing, "/widget"));
}

static void
test_schema_dir(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autofree char *path = NULL;

    g_setenv("MV_SCHEMA_DIR", MV_TEST_DATA_DIR, TRUE);
    path = mv_xml_schema_path("widget.rng");
    g_assert_cmpstr(path, ==, SCHEMA);
    doc = mv_xml_parse_string("<widget name='w'/>", "widget.rng", &err);
    g_assert_no_error(err);
    g_assert_null(mv_xml_parse_string("<widget/>", "widget.rng", &err));
    g_assert_error(err, MV_ERROR, MV_ERR_XML_ERROR);
    g_clear_error(&err);
    g_assert_null(mv_xml_parse_string("<widget name='w'/>", "no-such.rng", &err));
    g_assert_error(err, MV_ERROR, MV_ERR_XML_ERROR);
    g_assert_nonnull(strstr(err->message, "no-such.rng"));
    g_unsetenv("MV_SCHEMA_DIR");
}

/* Every object kind finds schemas/<kind>.rng the same way. */
static void
test_kind(void)
{
    g_autofree char *dir = g_dir_make_tmp("mvxml-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "w.xml", NULL);
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlDoc) file = NULL;

    g_setenv("MV_SCHEMA_DIR", MV_TEST_DATA_DIR, TRUE);
    doc = mv_xml_parse_validated("<widget name='w'/>", "widget", &err);
    g_assert_no_error(err);
    g_assert_nonnull(doc);
    g_assert_true(mv_xml_validate_kind(doc, "widget", &err));
    g_assert_null(mv_xml_parse_validated("<widget><parts/></widget>", "widget", &err));
    g_assert_error(err, MV_ERROR, MV_ERR_XML_ERROR);
    g_assert_true(g_str_has_prefix(err->message,
                                   "XML document failed to validate against schema: /widget"));
    g_clear_error(&err);
    g_assert_false(mv_xml_validate_kind(doc, "gadget", &err));
    g_assert_error(err, MV_ERROR, MV_ERR_XML_ERROR);
    g_assert_nonnull(strstr(err->message, MV_TEST_DATA_DIR "/gadget.rng"));
    g_clear_error(&err);
    g_assert_false(mv_xml_validate_kind(doc, "../widget", &err));
    g_assert_error(err, MV_ERROR, MV_ERR_INTERNAL_ERROR);
    g_assert_cmpstr(err->message, ==, "invalid object kind '../widget'");
    g_clear_error(&err);
    g_assert_true(g_file_set_contents(path, "<widget/>", -1, NULL));
    g_assert_null(mv_xml_parse_file_validated(path, "widget", &err));
    g_assert_error(err, MV_ERROR, MV_ERR_XML_ERROR);
    g_assert_true(g_str_has_prefix(err->message, path));
    g_clear_error(&err);
    g_assert_true(g_file_set_contents(path, "<widget name='x'/>", -1, NULL));
    file = mv_xml_parse_file_validated(path, "widget", &err);
    g_assert_no_error(err);
    g_assert_nonnull(file);
    g_unsetenv("MV_SCHEMA_DIR");
    unlink(path);
    rmdir(dir);
}

static void
test_parse_file(void)
{
    g_autofree char *dir = g_dir_make_tmp("mvxml-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "w.xml", NULL);
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = NULL;

    g_assert_true(g_file_set_contents(path, "<widget name='f'/>", -1, NULL));
    doc = mv_xml_parse_file(path, SCHEMA, &err);
    g_assert_no_error(err);
    g_assert_nonnull(doc);
    g_assert_true(g_file_set_contents(path, "<widget>\n<oops></widget>", -1, NULL));
    g_assert_null(mv_xml_parse_file(path, SCHEMA, &err));
    g_assert_error(err, MV_ERROR, MV_ERR_XML_ERROR);
    g_assert_nonnull(strstr(err->message, path));
    g_assert_nonnull(strstr(err->message, "line 2"));
    unlink(path);
    rmdir(dir);
}

static void
noisy_failures(void)
{
    g_autofree char *a = parse_fails("<widget><x></widget>", NULL);
    g_autofree char *b = parse_fails("<widget name='w'><bogus/></widget>", SCHEMA);
    g_autofree char *c = parse_fails("<!DOCTYPE w [<!ENTITY a SYSTEM 'nope'>]><widget name='&a;'/>",
                                     NULL);
    g_autofree char *d = parse_fails("<widget name='w'/>", MV_TEST_DATA_DIR "/missing.rng");
}

static void
test_silent(void)
{
    g_autofree char *out = capture_stderr(noisy_failures);

    g_assert_cmpstr(out, ==, "");
}

static gpointer
validate_many(gpointer data)
{
    for (int i = 0; i < 100; i++) {
        g_autoptr(xmlDoc) good = mv_xml_parse_string_with_schema_path(
            "<widget name='w'><parts><part size='1'/></parts></widget>", SCHEMA, NULL);
        g_autoptr(GError) err = NULL;
        g_autoptr(xmlDoc) bad = mv_xml_parse_string_with_schema_path(
            "<widget name='w'><parts><part size='-1'/></parts></widget>", SCHEMA, &err);

        if (!good || bad || !err || !strstr(err->message, "/widget/parts/part"))
            return GINT_TO_POINTER(1);
    }
    return NULL;
}

static void
test_threads(void)
{
    GThread *threads[4];

    for (gsize i = 0; i < G_N_ELEMENTS(threads); i++)
        threads[i] = g_thread_new("validate", validate_many, NULL);
    for (gsize i = 0; i < G_N_ELEMENTS(threads); i++)
        g_assert_null(g_thread_join(threads[i]));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xml/parse-and-format", test_parse_and_format);
    g_test_add_func("/xml/helpers", test_helpers);
    g_test_add_func("/xml/malformed", test_malformed);
    g_test_add_func("/xml/no-entities", test_no_entities);
    g_test_add_func("/xml/validate", test_validate);
    g_test_add_func("/xml/schema-dir", test_schema_dir);
    g_test_add_func("/xml/parse-file", test_parse_file);
    g_test_add_func("/xml/kind", test_kind);
    g_test_add_func("/xml/silent", test_silent);
    g_test_add_func("/xml/threads", test_threads);
    return g_test_run();
}
