/* Storage volume XML golden tests. A case file is named <pooltype>-<case>.xml:
 * it is parsed for a volume of a pool of that type. xml2xml/ inputs format to
 * <name>.expected.xml, which is a fixed point and valid by schemas/storagevol.rng;
 * each invalid/<name>.xml fails with the message in <name>.err.
 * MV_TEST_REGENERATE=1 rewrites the expectations (review the diff). */
#include <string.h>

#include "storage-vol-def.h"
#include "storagevolxml-test.h"
#include "util/error.h"
#include "util/uuid.h"
#include "util/xml.h"

static const char *const xml2xml_cases[] = {
    "dir-raw", "dir-default-format", "dir-qcow2", "dir-qcow2-backing",
    "dir-qcow2-backing-nocap", "dir-luks", "dir-qcow2-luks", "dir-live", "fs-iso",
    "netfs-nocow", "logical", "logical-raw", "logical-live", "logical-snapshot",
    "disk-linux", "disk-default", "disk-swap", "iscsi-live",
};

/* The pool type a case name starts with. */
static MvStoragePoolType
mv_test_pool_type(const char *name)
{
    g_autofree char *prefix = g_strndup(name, strcspn(name, "-."));
    int type = mv_storage_pool_type_from_string(prefix);

    if (type < 0)
        g_error("case %s does not start with a pool type", name);
    return (MvStoragePoolType)type;
}

/* The pool type comes from the case name; @tc is the name of an xml2xml case. */
static void *
parse_def(const char *xml, const char *name, GError **error)
{
    return mv_storage_vol_def_parse(xml, mv_test_pool_type(name), 0, error);
}

static char *
format_def(const void *def, const void *tc)
{
    return mv_storage_vol_def_format(def, mv_test_pool_type(tc), 0);
}

static void *
copy_def(const void *def)
{
    return mv_storage_vol_def_copy(def);
}

static void
free_def(void *def)
{
    mv_storage_vol_def_free(def);
}

static const MvXmlTestOps ops = { parse_def, format_def, copy_def, free_def };

static void
test_xml2xml(gconstpointer data)
{
    g_free(mv_test_xml2xml_run(&ops, data, data, NULL));
}

/* Every file in xml2xml/ belongs to a case and is valid by the schema. */
static void
test_goldens(void)
{
    g_autofree char *dir_path = mv_test_data_path("xml2xml");
    g_autofree char *schema = mv_xml_schema_path("storagevol.rng");
    g_autoptr(GError) error = NULL;
    g_autoptr(GDir) dir = g_dir_open(dir_path, 0, &error);
    unsigned int goldens = 0;
    const char *file;

    g_assert_no_error(error);
    while ((file = g_dir_read_name(dir))) {
        g_autofree char *path = g_build_filename(dir_path, file, NULL);
        g_autofree char *text = mv_test_read(path);
        g_autofree char *base = g_strndup(file, strcspn(file, "."));
        g_autoptr(xmlDoc) doc = mv_xml_parse_string(text, NULL, &error);
        bool listed = false;

        g_assert_no_error(error);
        if (!mv_xml_validate(doc, schema, &error))
            g_error("%s is not valid by %s: %s", path, schema, error->message);
        for (size_t i = 0; i < G_N_ELEMENTS(xml2xml_cases); i++)
            listed |= strcmp(base, xml2xml_cases[i]) == 0;
        if (!listed)
            g_error("%s is not listed in xml2xml_cases", path);
        goldens += g_str_has_suffix(file, ".expected.xml");
    }
    g_assert_cmpuint(goldens, ==, G_N_ELEMENTS(xml2xml_cases));
}

static const MvInvalidCase invalid_cases[] = {
    { "dir-malformed", MV_ERR_XML_ERROR },
    { "dir-unknown-element", MV_ERR_XML_ERROR },
    { "dir-unknown-attribute", MV_ERR_XML_ERROR },
    { "dir-unknown-target-child", MV_ERR_XML_ERROR },
    { "dir-bad-type", MV_ERR_XML_DETAIL },
    { "dir-missing-name", MV_ERR_XML_ERROR },
    { "dir-missing-capacity", MV_ERR_XML_ERROR },
    { "dir-two-capacities", MV_ERR_XML_ERROR },
    { "dir-bad-unit", MV_ERR_XML_DETAIL },
    { "dir-too-large", MV_ERR_XML_DETAIL },
    { "dir-negative", MV_ERR_XML_DETAIL },
    { "dir-name-slash", MV_ERR_XML_DETAIL },
    { "dir-name-dotdot", MV_ERR_XML_DETAIL },
    { "dir-format-partition", MV_ERR_CONFIG_UNSUPPORTED },
    { "dir-format-unknown", MV_ERR_CONFIG_UNSUPPORTED },
    { "dir-format-luks", MV_ERR_CONFIG_UNSUPPORTED },
    { "logical-qcow2", MV_ERR_CONFIG_UNSUPPORTED },
    { "disk-qcow2", MV_ERR_CONFIG_UNSUPPORTED },
    { "iscsi-raw", MV_ERR_CONFIG_UNSUPPORTED },
    { "dir-raw-backing", MV_ERR_CONFIG_UNSUPPORTED },
    { "dir-backing-no-path", MV_ERR_XML_ERROR },
    { "dir-backing-partition", MV_ERR_CONFIG_UNSUPPORTED },
    { "disk-backing", MV_ERR_CONFIG_UNSUPPORTED },
    { "dir-compat-raw", MV_ERR_XML_DETAIL },
    { "dir-compat-bad", MV_ERR_XML_DETAIL },
    { "dir-lazy-refcounts-old", MV_ERR_XML_DETAIL },
    { "dir-cluster-size", MV_ERR_XML_DETAIL },
    { "dir-encryption-qcow", MV_ERR_CONFIG_UNSUPPORTED },
    { "dir-encryption-unknown", MV_ERR_XML_DETAIL },
    { "dir-encryption-vmdk", MV_ERR_CONFIG_UNSUPPORTED },
    { "logical-encryption", MV_ERR_CONFIG_UNSUPPORTED },
    { "dir-encryption-two-refs", MV_ERR_XML_DETAIL },
    { "dir-encryption-secret-type", MV_ERR_XML_DETAIL },
    { "dir-encryption-bad-uuid", MV_ERR_XML_DETAIL },
    { "dir-cipher-default", MV_ERR_XML_DETAIL },
    { "dir-timestamp-bad", MV_ERR_XML_DETAIL },
    { "dir-mode-bad", MV_ERR_XML_DETAIL },
    { "dir-extent-bad", MV_ERR_XML_DETAIL },
};

static void
test_invalid(gconstpointer data)
{
    const MvInvalidCase *tc = data;
    g_autoptr(GError) error = mv_test_invalid_run(&ops, tc);

    if (tc->code != MV_ERR_XML_ERROR)
        g_assert_cmpint(mv_error_get_subsystem(error), ==, MV_FROM_STORAGE);
}

static void
test_invalid_listed(void)
{
    mv_test_invalid_listed(invalid_cases, G_N_ELEMENTS(invalid_cases));
}

/* Values the backends read: sizes in bytes, defaults per pool type, encryption. */
static void
test_values(void)
{
    g_autofree char *qpath = mv_test_data_path("xml2xml/dir-qcow2.xml");
    g_autofree char *qxml = mv_test_read(qpath);
    g_autofree char *lpath = mv_test_data_path("xml2xml/dir-luks.xml");
    g_autofree char *lxml = mv_test_read(lpath);
    g_autofree char *dpath = mv_test_data_path("xml2xml/dir-default-format.xml");
    g_autofree char *dxml = mv_test_read(dpath);
    g_autoptr(GError) error = NULL;
    g_autoptr(MvStorageVolDef) q = mv_storage_vol_def_parse(qxml, MV_STORAGE_POOL_DIR, 0,
                                                            &error);
    g_autoptr(MvStorageVolDef) l = mv_storage_vol_def_parse(lxml, MV_STORAGE_POOL_FS, 0,
                                                            &error);
    g_autoptr(MvStorageVolDef) d = mv_storage_vol_def_parse(dxml, MV_STORAGE_POOL_DIR, 0,
                                                            &error);
    g_autoptr(MvStorageVolDef) lv = mv_storage_vol_def_parse(
        "<volume><name>lv</name><capacity unit='M'>4</capacity></volume>",
        MV_STORAGE_POOL_LOGICAL, 0, &error);
    char uuid[MV_UUID_STRING_LEN];

    g_assert_no_error(error);
    g_assert_cmpuint(q->capacity, ==, 20000000000ULL);
    g_assert_true(q->has_allocation);
    g_assert_cmpuint(q->allocation, ==, 196 * 1024);
    g_assert_cmpint(q->target.format, ==, MV_STORAGE_VOL_FORMAT_QCOW2);
    g_assert_cmpstr(q->target.compat, ==, "1.1");
    g_assert_true(q->target.lazy_refcounts);
    g_assert_cmpuint(q->target.cluster_size, ==, 65536);
    g_assert_cmpint(q->target.perms.mode, ==, 0600);
    g_assert_cmpint(l->target.encryption.format, ==, MV_STORAGE_ENCRYPTION_LUKS);
    g_assert_true(l->target.encryption.has_secret_uuid);
    mv_uuid_format(l->target.encryption.secret_uuid, uuid);
    g_assert_cmpstr(uuid, ==, "f52a81b2-424e-490c-823d-6bd4235bc572");
    g_assert_cmpuint(l->target.encryption.cipher_size, ==, 256);
    g_assert_cmpint(d->target.format, ==, MV_STORAGE_VOL_FORMAT_RAW);
    g_assert_cmpint(d->type, ==, MV_STORAGE_VOL_FILE);
    g_assert_false(d->has_allocation);
    g_assert_cmpuint(d->capacity, ==, 64 << 20);
    g_assert_cmpint(lv->target.format, ==, MV_STORAGE_VOL_FORMAT_NONE);
    g_assert_cmpint(lv->type, ==, MV_STORAGE_VOL_BLOCK);
}

static void
test_parse_flags(void)
{
    const char *xml = "<volume><name>clone</name></volume>";
    g_autoptr(GError) error = NULL;
    g_autoptr(MvStorageVolDef) def = NULL;

    def = mv_storage_vol_def_parse(xml, MV_STORAGE_POOL_DIR, MV_STORAGE_VOL_PARSE_NO_CAPACITY,
                                   &error);
    g_assert_no_error(error);
    g_assert_false(def->has_capacity);
    g_clear_pointer(&def, mv_storage_vol_def_free);
    def = mv_storage_vol_def_parse(xml, MV_STORAGE_POOL_DIR, 0, &error);
    g_assert_null(def);
    g_assert_true(mv_error_matches(error, MV_ERR_XML_ERROR));
}

/* A probed bare LUKS file shows as raw with LUKS encryption. */
static void
test_format_luks_probe(void)
{
    g_autoptr(MvStorageVolDef) def = mv_storage_vol_def_new();
    g_autofree char *out = NULL;

    def->name = g_strdup("probed.img");
    def->has_capacity = true;
    def->capacity = 1048576;
    def->target.format = MV_STORAGE_VOL_FORMAT_LUKS;
    out = mv_storage_vol_def_format(def, MV_STORAGE_POOL_DIR, 0);
    g_assert_cmpstr(out, ==,
                    "<volume type='file'>\n"
                    "  <name>probed.img</name>\n"
                    "  <capacity unit='bytes'>1048576</capacity>\n"
                    "  <target>\n"
                    "    <format type='raw'/>\n"
                    "    <encryption format='luks'/>\n"
                    "  </target>\n"
                    "</volume>\n");
}

static void
test_format_tables(void)
{
    for (int f = 0; f < MV_STORAGE_VOL_FORMAT_LAST; f++) {
        const char *name = mv_storage_vol_format_to_string((MvStorageVolFormat)f);

        g_assert_nonnull(name);
        g_assert_cmpint(mv_storage_vol_format_from_string(name), ==, f);
    }
    for (int t = 0; t < MV_STORAGE_VOL_TYPE_LAST; t++)
        g_assert_cmpint(mv_storage_vol_type_from_string(mv_storage_vol_type_to_string(t)), ==,
                        t);
    g_assert_cmpint(mv_storage_vol_format_from_string("vhdx"), ==, -1);
    g_assert_null(mv_storage_vol_format_to_string(MV_STORAGE_VOL_FORMAT_LAST));
    g_assert_true(mv_storage_vol_format_allowed(MV_STORAGE_POOL_NETFS,
                                                MV_STORAGE_VOL_FORMAT_QCOW2));
    g_assert_false(mv_storage_vol_format_allowed(MV_STORAGE_POOL_DISK,
                                                 MV_STORAGE_VOL_FORMAT_QCOW2));
    g_assert_true(mv_storage_vol_format_allowed(MV_STORAGE_POOL_DISK,
                                                MV_STORAGE_VOL_FORMAT_PART_LINUX_LVM));
    g_assert_false(mv_storage_vol_format_allowed(MV_STORAGE_POOL_DIR,
                                                 MV_STORAGE_VOL_FORMAT_LUKS));
    g_assert_true(mv_storage_vol_format_has_backing(MV_STORAGE_VOL_FORMAT_QCOW2));
    g_assert_false(mv_storage_vol_format_has_backing(MV_STORAGE_VOL_FORMAT_RAW));
    g_assert_cmpint(mv_storage_vol_default_format(MV_STORAGE_POOL_FS), ==,
                    MV_STORAGE_VOL_FORMAT_RAW);
    g_assert_cmpint(mv_storage_vol_default_format(MV_STORAGE_POOL_DISK), ==,
                    MV_STORAGE_VOL_FORMAT_NONE);
    g_assert_cmpstr(mv_storage_encryption_format_to_string(MV_STORAGE_ENCRYPTION_LUKS), ==,
                    "luks");
    g_assert_cmpint(mv_storage_encryption_format_from_string("luks"), ==,
                    MV_STORAGE_ENCRYPTION_LUKS);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    mv_test_schema_dir_init();

    for (size_t i = 0; i < G_N_ELEMENTS(xml2xml_cases); i++) {
        g_autofree char *path = g_strdup_printf("/storagevolxml2xml/%s", xml2xml_cases[i]);

        g_test_add_data_func(path, xml2xml_cases[i], test_xml2xml);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(invalid_cases); i++) {
        g_autofree char *path = g_strdup_printf("/storagevolxml2xml/invalid/%s",
                                                invalid_cases[i].name);

        g_test_add_data_func(path, &invalid_cases[i], test_invalid);
    }
    g_test_add_func("/storagevolxml2xml/goldens", test_goldens);
    g_test_add_func("/storagevolxml2xml/invalid-listed", test_invalid_listed);
    g_test_add_func("/storagevolxml2xml/values", test_values);
    g_test_add_func("/storagevolxml2xml/parse-flags", test_parse_flags);
    g_test_add_func("/storagevolxml2xml/format-luks-probe", test_format_luks_probe);
    g_test_add_func("/storagevolxml2xml/format-tables", test_format_tables);
    return g_test_run();
}
