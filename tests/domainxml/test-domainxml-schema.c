/* Every valid domain XML fixture (inputs and expected outputs) validates
 * against schemas/domain.rng, devices against schemas/domain-device.rng; and,
 * when xmllint is installed, xmllint --relaxng agrees as an independent check. */
#include <string.h>

#include "domainxml-test.h"
#include "util/xml.h"

typedef struct {
    const char *dir;            /* fixture folder */
    const char *schema;         /* schema file name */
    const char *const *rejected;/* files in dir the schema must reject */
} MvSchemaSet;

static const char *const device_rejected[] = { "hostdev.xml", "disk-bad-attribute.xml", NULL };

static const MvSchemaSet schema_sets[] = {
    { "domainxml2xml", "domain.rng", NULL },
    { "device", "domain-device.rng", device_rejected },
};

static bool
mv_test_is_rejected(const MvSchemaSet *set, const char *name)
{
    for (size_t i = 0; set->rejected && set->rejected[i]; i++) {
        if (strcmp(set->rejected[i], name) == 0)
            return true;
    }
    return false;
}

static GPtrArray *
mv_test_list_xml(const char *dir)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GDir) d = g_dir_open(dir, 0, &error);
    GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
    const char *name;

    g_assert_no_error(error);
    while ((name = g_dir_read_name(d))) {
        if (g_str_has_suffix(name, ".xml"))
            g_ptr_array_add(files, g_strdup(name));
    }
    g_ptr_array_sort(files, (GCompareFunc)g_strcmp0);
    return files;
}

/* Runs xmllint on @path; returns its exit status or -1 if it cannot run. */
static int
mv_test_xmllint(const char *xmllint, const char *schema_path, const char *path)
{
    const char *argv[] = { xmllint, "--noout", "--nonet", "--relaxng", schema_path, path, NULL };
    g_autoptr(GError) error = NULL;
    int status;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL |
                      G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error))
        return -1;
    return g_spawn_check_wait_status(status, NULL) ? 0 : 1;
}

static void
test_schema_set(gconstpointer data)
{
    const MvSchemaSet *set = data;
    g_autofree char *dir = mv_test_data_path(set->dir);
    g_autofree char *schema_path = mv_xml_schema_path(set->schema);
    g_autofree char *xmllint = g_find_program_in_path("xmllint");
    g_autoptr(GPtrArray) files = mv_test_list_xml(dir);
    unsigned int checked = 0;

    for (guint i = 0; i < files->len; i++) {
        const char *name = files->pdata[i];
        g_autofree char *path = g_build_filename(dir, name, NULL);
        g_autoptr(GError) error = NULL;
        g_autoptr(xmlDoc) doc = mv_xml_parse_file(path, NULL, &error);
        bool expect_valid = !mv_test_is_rejected(set, name);
        bool valid;

        g_assert_no_error(error);
        valid = mv_xml_validate(doc, schema_path, &error);
        if (valid != expect_valid)
            g_error("%s: expected %s by %s, got: %s", path, expect_valid ? "valid" : "invalid",
                    set->schema, error ? error->message : "valid");
        if (xmllint) {
            int rc = mv_test_xmllint(xmllint, schema_path, path);

            g_assert_cmpint(rc, >=, 0);
            if ((rc == 0) != expect_valid)
                g_error("%s: xmllint --relaxng %s disagrees (exit %d)", path, schema_path, rc);
        }
        checked++;
    }
    g_assert_cmpuint(checked, >, 3);
    if (!xmllint)
        g_test_message("xmllint not installed: independent check skipped");
}

/* A bare device is not a domain, and a domain is not a device. */
static void
test_schema_roots(void)
{
    g_autofree char *domain_rng = mv_xml_schema_path("domain.rng");
    g_autofree char *device_rng = mv_xml_schema_path("domain-device.rng");
    g_autofree char *disk_path = mv_test_data_path("device/disk.xml");
    g_autofree char *dom_path = mv_test_data_path("domainxml2xml/minimal.xml");
    g_autoptr(xmlDoc) disk = mv_xml_parse_file(disk_path, NULL, NULL);
    g_autoptr(xmlDoc) dom = mv_xml_parse_file(dom_path, NULL, NULL);
    g_autoptr(GError) error = NULL;

    g_assert_nonnull(disk);
    g_assert_nonnull(dom);
    g_assert_false(mv_xml_validate(disk, domain_rng, &error));
    g_clear_error(&error);
    g_assert_false(mv_xml_validate(dom, device_rng, &error));
    g_clear_error(&error);
    g_assert_true(mv_xml_validate(disk, device_rng, &error));
    g_assert_true(mv_xml_validate(dom, domain_rng, &error));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    mv_test_schema_dir_init();

    for (size_t i = 0; i < G_N_ELEMENTS(schema_sets); i++) {
        g_autofree char *name = g_strdup_printf("/domainxml/schema/%s", schema_sets[i].dir);

        g_test_add_data_func(name, &schema_sets[i], test_schema_set);
    }
    g_test_add_func("/domainxml/schema/roots", test_schema_roots);
    return g_test_run();
}
