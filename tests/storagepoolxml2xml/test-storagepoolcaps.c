/* The <storagepoolCapabilities> document and find-storage-pool-sources: the
 * srcSpec parse and the <sources> document. Goldens in caps/ and sources/
 * (MV_TEST_REGENERATE=1 rewrites them; review the diff). */
#include <string.h>

#include "storage-pool-caps.h"
#include "storage-sources.h"
#include "storagexml-test.h"
#include "util/error.h"
#include "util/xml.h"

static void
test_caps(void)
{
    g_autofree char *path = mv_test_data_path("caps/all.xml");
    g_autofree char *xml = mv_storage_pool_caps_format(NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(xmlDoc) doc = mv_xml_parse_string(xml, NULL, &error);

    g_assert_no_error(error);
    g_assert_nonnull(doc);
    mv_test_compare_golden(path, xml);
}

/* Types this host cannot run are listed with supported='no' and their formats. */
static void
test_caps_host(void)
{
    bool supported[MV_STORAGE_POOL_TYPE_LAST] = { true, true, false, true, false, false };
    g_autofree char *xml = mv_storage_pool_caps_format(supported);

    g_assert_nonnull(strstr(xml, "<pool type='dir' supported='yes'>"));
    g_assert_nonnull(strstr(xml, "<pool type='netfs' supported='no'>"));
    g_assert_nonnull(strstr(xml, "<pool type='iscsi' supported='no'/>"));
    g_assert_nonnull(strstr(xml, "<pool type='rbd' supported='no'/>"));
    g_assert_nonnull(strstr(xml, "<value>glusterfs</value>"));
}

static void
test_sources_format(void)
{
    g_autofree char *path = mv_test_data_path("sources/logical.xml");
    MvStoragePoolSource src[2] = { 0 };
    MvStoragePoolSourceDevice dev1[] = { { .path = (char *)"/dev/sdb1", .part_separator = -1 },
                                         { .path = (char *)"/dev/sdc1", .part_separator = -1 } };
    MvStoragePoolSourceDevice dev2[] = { { .path = (char *)"/dev/loop3", .part_separator = -1 } };
    g_autofree char *xml = NULL;
    g_autofree char *empty = NULL;

    src[0].name = (char *)"vg_data";
    src[0].devices = dev1;
    src[0].ndevices = 2;
    src[0].format = (char *)"lvm2";
    src[1].name = (char *)"vg<&>";
    src[1].devices = dev2;
    src[1].ndevices = 1;
    src[1].format = (char *)"lvm2";
    xml = mv_storage_sources_format(MV_STORAGE_POOL_LOGICAL, src, 2);
    mv_test_compare_golden(path, xml);
    empty = mv_storage_sources_format(MV_STORAGE_POOL_FS, NULL, 0);
    g_assert_cmpstr(empty, ==, "<sources/>\n");
}

typedef struct {
    MvStoragePoolType type;
    const char *spec;
    const char *error;          /* NULL: parses */
} MvSpecCase;

static void
test_source_spec(void)
{
    static const MvSpecCase cases[] = {
        { MV_STORAGE_POOL_LOGICAL, NULL, NULL },
        { MV_STORAGE_POOL_LOGICAL, "", NULL },
        { MV_STORAGE_POOL_FS, "<source><device path='/dev/sdb'/></source>", NULL },
        { MV_STORAGE_POOL_NETFS, "<source><host name='nfs.example.com'/></source>", NULL },
        { MV_STORAGE_POOL_NETFS, "<source><host name='h'/><format type='cifs'/></source>",
          NULL },
        { MV_STORAGE_POOL_ISCSI, "<source><host name='192.0.2.1' port='3260'/>"
          "<initiator><iqn name='iqn.x:y'/></initiator></source>", NULL },
        { MV_STORAGE_POOL_NETFS, NULL,
          "finding netfs pool sources needs a source spec naming one server: "
          "<source><host name='…'/></source>" },
        { MV_STORAGE_POOL_ISCSI, "<source/>",
          "finding iscsi pool sources needs a source spec naming one server: "
          "<source><host name='…'/></source>" },
        { MV_STORAGE_POOL_NETFS, "<source><host name='h'/><format type='ntfs'/></source>",
          "/source: unknown source format 'ntfs' for netfs pools: expected one of 'auto', "
          "'nfs', 'glusterfs', 'cifs'" },
        { MV_STORAGE_POOL_LOGICAL, "<source><host name='h'/></source>",
          "/source: logical pools do not use <source><host>: remove it" },
        { MV_STORAGE_POOL_FS, "<pool type='fs'/>",
          "XML document failed to validate against schema: /pool: Expecting element source, "
          "got pool" },
        { MV_STORAGE_POOL_FS, "<source><bogus/></source>", "" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const MvSpecCase *tc = &cases[i];
        g_autoptr(GError) error = NULL;
        MvStoragePoolSource src = { 0 };
        bool ok = mv_storage_source_spec_parse(tc->spec, tc->type, &src, &error);

        if (ok != !tc->error)
            g_error("spec %s: expected %s, got %s", tc->spec, tc->error ? tc->error : "success",
                    error ? error->message : "success");
        if (!ok && *tc->error)
            g_assert_cmpstr(error->message, ==, tc->error);
        mv_storage_pool_source_clear(&src);
    }
}

static void
test_source_spec_values(void)
{
    g_autoptr(GError) error = NULL;
    MvStoragePoolSource src = { 0 };

    g_assert_true(mv_storage_source_spec_parse("<source><host name='nfs1' port='2049'/>"
                                               "<format type='nfs'/></source>",
                                               MV_STORAGE_POOL_NETFS, &src, &error));
    g_assert_cmpuint(src.nhosts, ==, 1);
    g_assert_cmpstr(src.hosts[0].name, ==, "nfs1");
    g_assert_cmpint(src.hosts[0].port, ==, 2049);
    g_assert_cmpstr(src.format, ==, "nfs");
    mv_storage_pool_source_clear(&src);
    g_assert_null(src.hosts);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    mv_test_schema_dir_init();
    g_test_add_func("/storagepoolcaps/caps", test_caps);
    g_test_add_func("/storagepoolcaps/caps-host", test_caps_host);
    g_test_add_func("/storagepoolcaps/sources-format", test_sources_format);
    g_test_add_func("/storagepoolcaps/source-spec", test_source_spec);
    g_test_add_func("/storagepoolcaps/source-spec-values", test_source_spec_values);
    return g_test_run();
}
