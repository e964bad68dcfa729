/* Secret XML golden tests: xml2xml/<case>.xml parses and formats to
 * <case>.expected.xml, which is a fixed point and valid by schemas/secret.rng;
 * each invalid/<case>.xml fails with the message in <case>.err and its code.
 * MV_TEST_REGENERATE=1 rewrites the expectations (review the diff). */
#include <string.h>

#include "secret-def.h"
#include "secretxml-test.h"
#include "util/error.h"
#include "util/uuid.h"
#include "util/xml.h"

static const char *const xml2xml_cases[] = {
    "volume", "ceph", "iscsi", "tls", "vtpm", "no-usage",
};

static void *
parse_def(const char *xml, const char *name G_GNUC_UNUSED, GError **error)
{
    return mv_secret_def_parse(xml, 0, error);
}

static char *
format_def(const void *def, const void *tc G_GNUC_UNUSED)
{
    return mv_secret_def_format(def);
}

static void *
copy_def(const void *def)
{
    return mv_secret_def_copy(def);
}

static void
free_def(void *def)
{
    mv_secret_def_free(def);
}

static const MvXmlTestOps ops = { parse_def, format_def, copy_def, free_def };

static void
test_xml2xml(gconstpointer data)
{
    const char *name = data;
    g_autofree char *out = mv_test_xml2xml_run(&ops, name, name, NULL);
    g_autofree char *schema = mv_xml_schema_path("secret.rng");
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
    { "not-a-secret", MV_ERR_XML_ERROR },
    { "unknown-element", MV_ERR_XML_ERROR },
    { "unknown-attribute", MV_ERR_XML_ERROR },
    { "two-uuids", MV_ERR_XML_ERROR },
    { "bad-ephemeral", MV_ERR_XML_ERROR },
    { "usage-wrong-child", MV_ERR_XML_ERROR },
    { "usage-unknown-type", MV_ERR_XML_ERROR },
    { "usage-missing-name", MV_ERR_XML_ERROR },
    { "usage-two-volumes", MV_ERR_XML_ERROR },
    { "usage-empty-name", MV_ERR_XML_DETAIL },
    { "usage-blank-name", MV_ERR_XML_DETAIL },
    { "bad-uuid", MV_ERR_XML_DETAIL },
    { "volume-relative", MV_ERR_XML_DETAIL },
};

static void
test_invalid(gconstpointer data)
{
    g_autoptr(GError) error = mv_test_invalid_run(&ops, data);

    g_assert_cmpint(mv_error_get_subsystem(error), ==, MV_FROM_SECRET);
}

/* Every file in invalid/ belongs to a case. */
static void
test_invalid_listed(void)
{
    mv_test_invalid_listed(invalid_cases, G_N_ELEMENTS(invalid_cases));
}

/* What the handlers read from the struct; a UUID is generated when missing. */
static void
test_values(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MvSecretDef) def = mv_secret_def_parse(
        "<secret private='yes'><usage type='volume'><volume>/a/b.img</volume></usage>"
        "</secret>", 0, &error);
    g_autoptr(MvSecretDef) other = NULL;

    g_assert_no_error(error);
    g_assert_false(def->ephemeral);
    g_assert_true(def->private_value);
    g_assert_cmpint(def->usage_type, ==, MV_SECRET_USAGE_VOLUME);
    g_assert_cmpstr(def->usage_id, ==, "/a/b.img");
    g_assert_false(mv_uuid_is_null(def->uuid));
    g_assert_cmpuint(def->uuid[6] >> 4, ==, 4);
    other = mv_secret_def_parse("<secret/>", 0, &error);
    g_assert_no_error(error);
    g_assert_cmpint(other->usage_type, ==, MV_SECRET_USAGE_NONE);
    g_assert_null(other->usage_id);
    g_assert_cmpint(memcmp(def->uuid, other->uuid, 16), !=, 0);
    g_assert_cmpstr(mv_secret_usage_type_to_string(MV_SECRET_USAGE_ISCSI), ==, "iscsi");
    g_assert_null(mv_secret_usage_type_to_string(MV_SECRET_USAGE_LAST));
    g_assert_cmpint(mv_secret_usage_type_from_string("vtpm"), ==, MV_SECRET_USAGE_VTPM);
    g_assert_cmpint(mv_secret_usage_type_from_string("none"), ==, -1);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    mv_test_schema_dir_init();

    for (size_t i = 0; i < G_N_ELEMENTS(xml2xml_cases); i++) {
        g_autofree char *path = g_strdup_printf("/secretxml/xml2xml/%s", xml2xml_cases[i]);

        g_test_add_data_func(path, xml2xml_cases[i], test_xml2xml);
    }
    g_test_add_func("/secretxml/xml2xml-listed", test_listed);
    for (size_t i = 0; i < G_N_ELEMENTS(invalid_cases); i++) {
        g_autofree char *path = g_strdup_printf("/secretxml/invalid/%s", invalid_cases[i].name);

        g_test_add_data_func(path, &invalid_cases[i], test_invalid);
    }
    g_test_add_func("/secretxml/invalid-listed", test_invalid_listed);
    g_test_add_func("/secretxml/values", test_values);
    return g_test_run();
}
