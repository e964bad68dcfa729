/* Storage pool XML golden tests: xml2xml/<case>.xml parses and formats to
 * <case>[.<variant>].expected.xml, that output is a fixed point and valid by
 * schemas/storagepool.rng; each invalid/<case>.xml fails with the message in
 * <case>.err. MV_TEST_REGENERATE=1 rewrites the expectations (review the diff). */
#include <string.h>

#include "storage-pool-def.h"
#include "storagexml-test.h"
#include "util/error.h"
#include "util/xml.h"

#define INACTIVE MV_STORAGE_POOL_FORMAT_INACTIVE

static const MvXmlCase xml2xml_cases[] = {
    { "dir", NULL, 0 },
    { "dir-live", NULL, 0 },
    { "dir-features", NULL, 0 },
    { "fs", NULL, 0 },
    { "fs-auto", NULL, 0 },
    { "netfs", NULL, 0 },
    { "netfs-cifs", NULL, 0 },
    { "logical", NULL, 0 },
    { "logical-defaults", NULL, 0 },
    { "disk", NULL, 0 },
    { "disk", "inactive", INACTIVE },
    { "disk-default", NULL, 0 },
    { "iscsi", NULL, 0 },
    { "iscsi-secret-uuid", NULL, 0 },
};

static void *
parse_def(const char *xml, const char *name G_GNUC_UNUSED, GError **error)
{
    return mv_storage_pool_def_parse(xml, 0, error);
}

static char *
format_def(const void *def, const void *tc)
{
    return mv_storage_pool_def_format(def, ((const MvXmlCase *)tc)->format_flags);
}

static void *
copy_def(const void *def)
{
    return mv_storage_pool_def_copy(def);
}

static void
free_def(void *def)
{
    mv_storage_pool_def_free(def);
}

static const MvXmlTestOps ops = { parse_def, format_def, copy_def, free_def };

static void
test_xml2xml(gconstpointer data)
{
    const MvXmlCase *tc = data;

    g_free(mv_test_xml2xml_run(&ops, tc, tc->name, tc->variant));
}

static void
test_goldens(void)
{
    mv_test_goldens(&ops, "storagepool.rng", xml2xml_cases, G_N_ELEMENTS(xml2xml_cases));
}

static const MvInvalidCase invalid_cases[] = {
    { "malformed", MV_ERR_XML_ERROR },
    { "doctype", MV_ERR_XML_ERROR },
    { "unknown-element", MV_ERR_XML_ERROR },
    { "unknown-attribute", MV_ERR_XML_ERROR },
    { "unknown-source-child", MV_ERR_XML_ERROR },
    { "unknown-target-child", MV_ERR_XML_ERROR },
    { "missing-name", MV_ERR_XML_ERROR },
    { "two-names", MV_ERR_XML_ERROR },
    { "missing-type", MV_ERR_XML_ERROR },
    { "unsupported-type", MV_ERR_CONFIG_UNSUPPORTED },
    { "unknown-type", MV_ERR_XML_DETAIL },
    { "bad-uuid", MV_ERR_XML_DETAIL },
    { "name-slash", MV_ERR_XML_DETAIL },
    { "dir-no-target", MV_ERR_XML_DETAIL },
    { "dir-relative-target", MV_ERR_XML_DETAIL },
    { "dir-source-device", MV_ERR_XML_DETAIL },
    { "dir-source-format", MV_ERR_XML_DETAIL },
    { "fs-no-source", MV_ERR_XML_DETAIL },
    { "fs-no-device", MV_ERR_XML_DETAIL },
    { "fs-bad-format", MV_ERR_CONFIG_UNSUPPORTED },
    { "fs-two-devices", MV_ERR_XML_DETAIL },
    { "fs-part-separator", MV_ERR_XML_DETAIL },
    { "fs-two-formats", MV_ERR_XML_ERROR },
    { "netfs-no-host", MV_ERR_XML_DETAIL },
    { "netfs-no-dir", MV_ERR_XML_DETAIL },
    { "netfs-two-hosts", MV_ERR_XML_DETAIL },
    { "netfs-bad-port", MV_ERR_XML_DETAIL },
    { "netfs-protocol-cifs", MV_ERR_XML_DETAIL },
    { "logical-bad-format", MV_ERR_CONFIG_UNSUPPORTED },
    { "disk-no-device", MV_ERR_XML_DETAIL },
    { "disk-extent-reversed", MV_ERR_XML_DETAIL },
    { "iscsi-no-device", MV_ERR_XML_DETAIL },
    { "iscsi-auth-ceph", MV_ERR_CONFIG_UNSUPPORTED },
    { "iscsi-auth-two-refs", MV_ERR_XML_DETAIL },
    { "iscsi-auth-no-secret", MV_ERR_XML_ERROR },
    { "bad-capacity-unit", MV_ERR_XML_DETAIL },
    { "bad-capacity-number", MV_ERR_XML_DETAIL },
    { "capacity-too-large", MV_ERR_XML_DETAIL },
    { "bad-mode", MV_ERR_XML_DETAIL },
    { "bad-owner", MV_ERR_XML_DETAIL },
    { "logical-cow", MV_ERR_CONFIG_UNSUPPORTED },
};

static void
test_invalid(gconstpointer data)
{
    const MvInvalidCase *tc = data;
    g_autoptr(GError) error = mv_test_invalid_run(&ops, tc);

    /* Schema and syntax errors come from the XML layer; the rest from storage. */
    if (tc->code != MV_ERR_XML_ERROR)
        g_assert_cmpint(mv_error_get_subsystem(error), ==, MV_FROM_STORAGE);
}

/* Every file in invalid/ belongs to a case. */
static void
test_invalid_listed(void)
{
    mv_test_invalid_listed(invalid_cases, G_N_ELEMENTS(invalid_cases));
}

/* What the parser fills in: a UUID, the VG name and target path of a logical
 * pool, the default source formats. */
static void
test_generated(void)
{
    const char *xml = "<pool type='logical'><name>vg0</name></pool>";
    g_autoptr(GError) error = NULL;
    g_autoptr(MvStoragePoolDef) def = mv_storage_pool_def_parse(xml, 0, &error);
    g_autoptr(MvStoragePoolDef) def2 = mv_storage_pool_def_parse(xml, 0, &error);

    g_assert_no_error(error);
    g_assert_cmpuint(def->uuid[6] >> 4, ==, 4);
    g_assert_true(memcmp(def->uuid, def2->uuid, 16) != 0);
    g_assert_cmpint(def->type, ==, MV_STORAGE_POOL_LOGICAL);
    g_assert_cmpstr(def->source.name, ==, "vg0");
    g_assert_cmpstr(mv_storage_pool_def_vg_name(def), ==, "vg0");
    g_assert_cmpstr(def->source.format, ==, "lvm2");
    g_assert_cmpstr(def->target.path, ==, "/dev/vg0");
    g_assert_cmpint(def->target.perms.mode, ==, -1);
    g_assert_cmpint(def->target.perms.owner, ==, -1);
    g_assert_cmpint(def->cow, ==, -1);
    g_assert_false(def->refresh_alloc_capacity);
}

/* Values the daemon and the backends read from the struct. */
static void
test_values(void)
{
    g_autofree char *path = mv_test_data_path("xml2xml/dir-live.xml");
    g_autofree char *xml = mv_test_read(path);
    g_autofree char *npath = mv_test_data_path("xml2xml/netfs.xml");
    g_autofree char *nxml = mv_test_read(npath);
    g_autofree char *ipath = mv_test_data_path("xml2xml/iscsi.xml");
    g_autofree char *ixml = mv_test_read(ipath);
    g_autoptr(GError) error = NULL;
    g_autoptr(MvStoragePoolDef) def = mv_storage_pool_def_parse(xml, 0, &error);
    g_autoptr(MvStoragePoolDef) net = mv_storage_pool_def_parse(nxml, 0, &error);
    g_autoptr(MvStoragePoolDef) iscsi = mv_storage_pool_def_parse(ixml, 0, &error);

    g_assert_no_error(error);
    g_assert_cmpuint(def->capacity, ==, 10ULL << 30);
    g_assert_cmpuint(def->allocation, ==, 512ULL << 20);
    g_assert_cmpuint(def->available, ==, 9000000);
    g_assert_cmpint(def->target.perms.mode, ==, 0755);
    g_assert_cmpstr(def->target.perms.label, ==, "system_u:object_r:virt_image_t:s0");
    g_assert_cmpuint(net->source.nhosts, ==, 1);
    g_assert_cmpstr(net->source.hosts[0].name, ==, "nfs.example.com");
    g_assert_cmpint(net->source.hosts[0].port, ==, 2049);
    g_assert_cmpstr(net->source.dir, ==, "/exports/images");
    g_assert_cmpstr(net->source.format, ==, "nfs");
    g_assert_cmpint(net->target.perms.owner, ==, 107);
    g_assert_cmpint(iscsi->source.auth.type, ==, MV_STORAGE_AUTH_CHAP);
    g_assert_cmpstr(iscsi->source.auth.secret_usage, ==, "mycluster_myname");
    g_assert_cmpstr(iscsi->source.initiator, ==, "iqn.2013-06.com.example:host1");
}

static void
test_type_info(void)
{
    const MvStoragePoolTypeInfo *dir = mv_storage_pool_type_info(MV_STORAGE_POOL_DIR);
    const MvStoragePoolTypeInfo *iscsi = mv_storage_pool_type_info(MV_STORAGE_POOL_ISCSI);

    for (int t = 0; t < MV_STORAGE_POOL_TYPE_LAST; t++) {
        const char *name = mv_storage_pool_type_to_string((MvStoragePoolType)t);

        g_assert_nonnull(name);
        g_assert_cmpint(mv_storage_pool_type_from_string(name), ==, t);
        g_assert_cmpint(mv_storage_pool_type_info((MvStoragePoolType)t)->type, ==, t);
    }
    g_assert_cmpint(mv_storage_pool_type_from_string("rbd"), ==, -1);
    g_assert_cmpint(mv_storage_pool_type_from_string(NULL), ==, -1);
    g_assert_null(mv_storage_pool_type_to_string(MV_STORAGE_POOL_TYPE_LAST));
    g_assert_true(dir->build_meaningful && dir->volumes_are_files);
    g_assert_true(dir->target_path_required);
    g_assert_false(iscsi->build_meaningful || iscsi->volumes_are_files);
    g_assert_true(iscsi->source_host && iscsi->source_initiator);
    g_assert_true(mv_storage_pool_type_info(MV_STORAGE_POOL_NETFS)->source_dir);
    g_assert_true(mv_storage_pool_type_info(MV_STORAGE_POOL_LOGICAL)->source_name);
    g_assert_null(mv_storage_pool_type_info(MV_STORAGE_POOL_TYPE_LAST));
    /* VIR_CONNECT_LIST_STORAGE_POOLS_DIR = 64, _NETFS = 256, _ISCSI = 2048 */
    g_assert_cmpuint(mv_storage_pool_type_list_flag(MV_STORAGE_POOL_DIR), ==, 64);
    g_assert_cmpuint(mv_storage_pool_type_list_flag(MV_STORAGE_POOL_NETFS), ==, 256);
    g_assert_cmpuint(mv_storage_pool_type_list_flag(MV_STORAGE_POOL_ISCSI), ==, 2048);
    g_assert_cmpuint(mv_storage_pool_type_list_flag(MV_STORAGE_POOL_TYPE_LAST), ==, 0);
    g_assert_cmpuint(MV_STORAGE_POOL_LIST_TYPE_MASK, ==, 0xfffc0);
}

typedef struct {
    const char *num;
    const char *unit;
    guint64 bytes;              /* G_MAXUINT64 with ok false: an error */
    bool ok;
} MvSizeCase;

static void
test_sizes(void)
{
    static const MvSizeCase cases[] = {
        { "0", NULL, 0, true },           { "4096", "bytes", 4096, true },
        { "1", "b", 1, true },            { "1", "k", 1024, true },
        { "1", "KiB", 1024, true },       { "1", "KB", 1000, true },
        { "1", "kb", 1000, true },        { "2", "M", 2 << 20, true },
        { "3", "MB", 3000000, true },     { "1", "GiB", 1ULL << 30, true },
        { "5", "GB", 5000000000ULL, true }, { "1", "T", 1ULL << 40, true },
        { "1", "TB", 1000000000000ULL, true }, { "1", "PiB", 1ULL << 50, true },
        { "1", "PB", 1000000000000000ULL, true }, { "15", "EiB", 15ULL << 60, true },
        { "18", "EB", 18000000000000000000ULL, true },
        { " 7 ", "", 7, true },
        { "16", "EiB", 0, false },        { "19", "EB", 0, false },
        { "18446744073709551616", NULL, 0, false },
        { "1.5", "G", 0, false },         { "-1", NULL, 0, false },
        { "", NULL, 0, false },           { "1", "XB", 0, false },
        { "1", "KiBB", 0, false },        { "0x10", NULL, 0, false },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        guint64 bytes = 42;
        bool ok = mv_storage_parse_size(cases[i].num, cases[i].unit, &bytes, &error);

        if (ok != cases[i].ok)
            g_error("size '%s' '%s': expected %s", cases[i].num, cases[i].unit,
                    cases[i].ok ? "success" : "an error");
        if (ok)
            g_assert_cmpuint(bytes, ==, cases[i].bytes);
        else
            g_assert_cmpuint(bytes, ==, 42);
        g_assert_true(ok || mv_error_matches(error, MV_ERR_INVALID_ARG));
    }
}

static void
test_size_strings(void)
{
    g_autoptr(GError) error = NULL;
    guint64 bytes = 0;

    g_assert_true(mv_storage_parse_size_string("10G", &bytes, &error));
    g_assert_cmpuint(bytes, ==, 10ULL << 30);
    g_assert_true(mv_storage_parse_size_string("512MiB", &bytes, &error));
    g_assert_cmpuint(bytes, ==, 512ULL << 20);
    g_assert_true(mv_storage_parse_size_string("100 MB", &bytes, &error));
    g_assert_cmpuint(bytes, ==, 100000000);
    g_assert_true(mv_storage_parse_size_string("4096", &bytes, &error));
    g_assert_cmpuint(bytes, ==, 4096);
    g_assert_no_error(error);
    g_assert_false(mv_storage_parse_size_string("G10", &bytes, &error));
    g_assert_cmpstr(error->message, ==, "invalid size 'G10': expected a decimal number and "
                    "an optional unit, such as 10G or 512MiB");
    g_clear_error(&error);
    g_assert_false(mv_storage_parse_size_string("1.5G", &bytes, &error));
    g_assert_nonnull(strstr(error->message, "unknown size unit '.5G'"));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    mv_test_schema_dir_init();

    for (size_t i = 0; i < G_N_ELEMENTS(xml2xml_cases); i++) {
        const MvXmlCase *tc = &xml2xml_cases[i];
        g_autofree char *path = tc->variant
                                ? g_strdup_printf("/storagepoolxml2xml/%s.%s", tc->name,
                                                  tc->variant)
                                : g_strdup_printf("/storagepoolxml2xml/%s", tc->name);

        g_test_add_data_func(path, tc, test_xml2xml);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(invalid_cases); i++) {
        g_autofree char *path = g_strdup_printf("/storagepoolxml2xml/invalid/%s",
                                                invalid_cases[i].name);

        g_test_add_data_func(path, &invalid_cases[i], test_invalid);
    }
    g_test_add_func("/storagepoolxml2xml/goldens", test_goldens);
    g_test_add_func("/storagepoolxml2xml/invalid-listed", test_invalid_listed);
    g_test_add_func("/storagepoolxml2xml/generated", test_generated);
    g_test_add_func("/storagepoolxml2xml/values", test_values);
    g_test_add_func("/storagepoolxml2xml/type-info", test_type_info);
    g_test_add_func("/storagepoolxml2xml/sizes", test_sizes);
    g_test_add_func("/storagepoolxml2xml/size-strings", test_size_strings);
    return g_test_run();
}
