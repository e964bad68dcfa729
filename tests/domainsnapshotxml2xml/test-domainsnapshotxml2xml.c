/* Domain snapshot XML golden tests: xml2xml/<case>.xml parses and formats to
 * <case>.expected.xml, a fixed point valid by schemas/domainsnapshot.rng; each
 * invalid/<case>.xml fails with the message in <case>.err and its code.
 * MV_TEST_REGENERATE=1 rewrites the expectations (review the diff). */
#include <string.h>

#include "conf/domain-snapshot.h"
#include "domainsnapshotxml-test.h"
#include "util/error.h"
#include "util/xml.h"

static const char *const xml2xml_cases[] = {
    "request-name-only", "request-description", "request-disk-only", "request-internal",
    "request-disks-mixed", "metadata-running", "metadata-shutoff-child",
    "metadata-disk-snapshot", "escaped-text",
};

static void *
parse_def(const char *xml, const char *name G_GNUC_UNUSED, GError **error)
{
    return mv_snapshot_def_parse_string(xml, error);
}

static char *
format_def(const void *def, const void *tc G_GNUC_UNUSED)
{
    return mv_snapshot_def_format(def, MV_SNAPSHOT_FORMAT_SECURE | MV_SNAPSHOT_FORMAT_ACTIVE);
}

/* A deep copy through the text form (the daemon keeps no copies). */
static void *
copy_def(const void *def)
{
    g_autofree char *xml = format_def(def, NULL);
    g_autoptr(GError) error = NULL;
    MvSnapshotDef *copy = mv_snapshot_def_parse_string(xml, &error);

    g_assert_no_error(error);
    return copy;
}

static void
free_def(void *def)
{
    mv_snapshot_def_free(def);
}

static const MvXmlTestOps ops = { parse_def, format_def, copy_def, free_def };

static void
test_xml2xml(gconstpointer data)
{
    const char *name = data;
    g_autofree char *out = mv_test_xml2xml_run(&ops, name, name, NULL);
    g_autofree char *schema = mv_xml_schema_path("domainsnapshot.rng");
    g_autoptr(GError) error = NULL;
    g_autoptr(xmlDoc) doc = mv_xml_parse_string(out, NULL, &error);

    g_assert_no_error(error);
    if (!mv_xml_validate(doc, schema, &error))
        g_error("the output of %s is not valid by %s: %s", name, schema, error->message);
}

/* Every file in xml2xml/ belongs to a case. */
static void
test_listed(void)
{
    g_autofree char *dir_path = mv_test_data_path("xml2xml");
    g_autoptr(GDir) dir = g_dir_open(dir_path, 0, NULL);
    const char *file;

    g_assert_nonnull(dir);
    while ((file = g_dir_read_name(dir))) {
        bool listed = false;

        for (size_t i = 0; i < G_N_ELEMENTS(xml2xml_cases); i++) {
            g_autofree char *in = g_strdup_printf("%s.xml", xml2xml_cases[i]);
            g_autofree char *out = mv_test_golden_name("", xml2xml_cases[i], NULL);

            listed |= strcmp(file, in) == 0 || strcmp(file, out) == 0;
        }
        if (!listed)
            g_error("xml2xml/%s is not listed in xml2xml_cases", file);
    }
}

static const MvInvalidCase invalid_cases[] = {
    { "malformed", MV_ERR_XML_ERROR },
    { "not-a-snapshot", MV_ERR_XML_ERROR },
    { "unknown-element", MV_ERR_XML_ERROR },
    { "unknown-attribute", MV_ERR_XML_ERROR },
    { "two-names", MV_ERR_XML_ERROR },
    { "name-with-slash", MV_ERR_XML_ERROR },
    { "name-leading-dot", MV_ERR_XML_ERROR },
    { "bad-state", MV_ERR_XML_ERROR },
    { "bad-memory", MV_ERR_XML_ERROR },
    { "memory-file-internal", MV_ERR_XML_ERROR },
    { "disk-twice", MV_ERR_XML_ERROR },
    { "disk-source-internal", MV_ERR_XML_ERROR },
    { "disk-driver-raw", MV_ERR_XML_ERROR },
    { "disk-relative-source", MV_ERR_XML_ERROR },
    { "domain-invalid", MV_ERR_XML_ERROR },
    { "creation-time-text", MV_ERR_XML_ERROR },
};

static void
test_invalid(gconstpointer data)
{
    g_autoptr(GError) error = mv_test_invalid_run(&ops, data);

    g_assert_nonnull(error);
}

static void
test_invalid_listed(void)
{
    mv_test_invalid_listed(invalid_cases, G_N_ELEMENTS(invalid_cases));
}

/* What qemud reads from the struct. */
static void
test_values(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MvSnapshotDef) def = mv_snapshot_def_parse_string(
        "<domainsnapshot><name>s1</name><memory snapshot='no'/><disks>"
        "<disk name='vda'><source file='/x/o.qcow2'/></disk><disk name='vdb' snapshot='no'/>"
        "</disks></domainsnapshot>", &error);

    g_assert_no_error(error);
    g_assert_cmpstr(def->name, ==, "s1");
    g_assert_null(def->state);
    g_assert_null(def->dom);
    g_assert_cmpint(def->active, ==, -1);
    g_assert_cmpint(def->memory, ==, MV_SNAPSHOT_LOCATION_NO);
    g_assert_cmpuint(def->ndisks, ==, 2);
    g_assert_cmpint(mv_snapshot_def_find_disk(def, "vdb"), ==, 1);
    g_assert_cmpint(mv_snapshot_def_find_disk(def, "vdc"), ==, -1);
    /* a source file makes a disk external */
    g_assert_cmpint(def->disks[0]->snapshot, ==, MV_SNAPSHOT_LOCATION_EXTERNAL);
    g_assert_cmpstr(def->disks[0]->source, ==, "/x/o.qcow2");
    g_assert_cmpint(def->disks[1]->snapshot, ==, MV_SNAPSHOT_LOCATION_NO);
    g_assert_cmpstr(mv_snapshot_location_to_string(MV_SNAPSHOT_LOCATION_INTERNAL), ==,
                    "internal");
    g_assert_null(mv_snapshot_location_to_string(MV_SNAPSHOT_LOCATION_DEFAULT));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    mv_test_schema_dir_init();

    for (size_t i = 0; i < G_N_ELEMENTS(xml2xml_cases); i++) {
        g_autofree char *path = g_strdup_printf("/snapshotxml/xml2xml/%s", xml2xml_cases[i]);

        g_test_add_data_func(path, xml2xml_cases[i], test_xml2xml);
    }
    g_test_add_func("/snapshotxml/xml2xml-listed", test_listed);
    for (size_t i = 0; i < G_N_ELEMENTS(invalid_cases); i++) {
        g_autofree char *path = g_strdup_printf("/snapshotxml/invalid/%s",
                                                invalid_cases[i].name);

        g_test_add_data_func(path, &invalid_cases[i], test_invalid);
    }
    g_test_add_func("/snapshotxml/invalid-listed", test_invalid_listed);
    g_test_add_func("/snapshotxml/values", test_values);
    return g_test_run();
}
