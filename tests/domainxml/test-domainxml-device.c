/* Single devices for attach/detach/update: device/<case>.xml parses and
 * formats to <case>.expected.xml; other device types are refused by name. */
#include <string.h>

#include "conf/domain-conf.h"
#include "conf/domain-priv.h"
#include "domainxml-test.h"
#include "util/error.h"

static char *
mv_test_device_format(const MvDomainDeviceDef *dev, unsigned int flags)
{
    GString *out = g_string_new(NULL);

    if (dev->type == MV_DOMAIN_DEVICE_DISK)
        mv_domain_disk_def_format(out, dev->data.disk, 0, flags);
    else if (dev->type == MV_DOMAIN_DEVICE_MEMORY)
        mv_domain_memdev_def_format(out, dev->data.memdev, 0, flags);
    else
        mv_domain_net_def_format(out, dev->data.net, 0, flags);
    return g_string_free(out, FALSE);
}

static MvDomainDeviceDef *
mv_test_device_parse(const char *name, unsigned int flags, GError **error)
{
    g_autofree char *file = g_strdup_printf("device/%s.xml", name);
    g_autofree char *path = mv_test_data_path(file);
    g_autofree char *xml = mv_test_read(path);

    return mv_domain_device_def_parse_string(xml, flags, error);
}

static void
test_device_golden(const char *name, MvDomainDeviceType type, unsigned int flags)
{
    g_autofree char *file = g_strdup_printf("device/%s.expected.xml", name);
    g_autofree char *expected = mv_test_data_path(file);
    g_autoptr(GError) error = NULL;
    g_autoptr(MvDomainDeviceDef) dev = mv_test_device_parse(name, flags, &error);
    g_autoptr(MvDomainDeviceDef) again = NULL;
    g_autofree char *out = NULL;
    g_autofree char *out2 = NULL;

    g_assert_no_error(error);
    g_assert_cmpint(dev->type, ==, type);
    out = mv_test_device_format(dev, 0);
    mv_test_compare_golden(expected, out);
    again = mv_domain_device_def_parse_string(out, flags, &error);
    g_assert_no_error(error);
    out2 = mv_test_device_format(again, 0);
    g_assert_cmpstr(out, ==, out2);
}

static void
test_disk(void)
{
    g_autoptr(MvDomainDeviceDef) dev = mv_test_device_parse("disk", 0, NULL);
    g_autoptr(MvDomainDiskDef) copy = NULL;

    test_device_golden("disk", MV_DOMAIN_DEVICE_DISK, 0);
    g_assert_nonnull(dev);
    copy = mv_domain_disk_def_copy(dev->data.disk);
    g_assert_cmpstr(copy->target_dev, ==, "vdb");
    g_assert_cmpint(copy->bus, ==, MV_DOMAIN_DISK_BUS_VIRTIO);
    g_assert_cmpstr(copy->driver_cache, ==, "writeback");
}

/* A volume disk keeps its pool and volume through parse, format and copy;
 * the resolved path (live only) is never formatted. */
static void
test_disk_volume(void)
{
    g_autoptr(MvDomainDeviceDef) dev = mv_test_device_parse("disk-volume", 0, NULL);
    g_autoptr(MvDomainDiskDef) copy = NULL;
    GString *out = g_string_new(NULL);
    g_autofree char *text = NULL;

    test_device_golden("disk-volume", MV_DOMAIN_DEVICE_DISK, 0);
    g_assert_nonnull(dev);
    g_assert_cmpint(dev->data.disk->type, ==, MV_DOMAIN_DISK_SOURCE_VOLUME);
    g_assert_null(dev->data.disk->source);
    copy = mv_domain_disk_def_copy(dev->data.disk);
    g_assert_cmpstr(copy->source_pool, ==, "default");
    g_assert_cmpstr(copy->source_volume, ==, "hot.qcow2");
    copy->source = g_strdup("/srv/pool/hot.qcow2");
    copy->source_format = g_strdup("qcow2");
    mv_domain_disk_def_format(out, copy, 0, 0);
    text = g_string_free(out, FALSE);
    g_assert_null(strstr(text, "/srv/pool"));
    g_assert_nonnull(strstr(text, "<source pool='default' volume='hot.qcow2'/>"));
}

static void
test_interface(void)
{
    g_autoptr(MvDomainDeviceDef) dev = mv_test_device_parse("interface", 0, NULL);
    g_autoptr(MvDomainDeviceDef)
        live = mv_test_device_parse("interface", MV_DOMAIN_DEF_PARSE_STATUS, NULL);
    static const guint8 mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

    test_device_golden("interface", MV_DOMAIN_DEVICE_NET, 0);
    g_assert_nonnull(dev);
    g_assert_cmpmem(dev->data.net->mac, 6, mac, 6);
    g_assert_null(dev->data.net->alias);            /* live-only without STATUS */
    g_assert_cmpstr(live->data.net->alias, ==, "net1");
}

/* <memory model='dimm'>: size in KiB, slot; the live alias only with STATUS. */
static void
test_memory_dimm(void)
{
    g_autoptr(MvDomainDeviceDef) dev = mv_test_device_parse("memory-dimm", 0, NULL);
    g_autoptr(MvDomainDeviceDef)
        live = mv_test_device_parse("memory-dimm", MV_DOMAIN_DEF_PARSE_STATUS, NULL);
    g_autoptr(MvDomainMemdevDef) copy = NULL;

    test_device_golden("memory-dimm", MV_DOMAIN_DEVICE_MEMORY, 0);
    g_assert_nonnull(dev);
    g_assert_cmpuint(dev->data.memdev->size, ==, 1024 * 1024);
    g_assert_cmpint(dev->data.memdev->slot, ==, 3);
    g_assert_cmpint(dev->data.memdev->node, ==, -1);
    g_assert_null(dev->data.memdev->alias);
    copy = mv_domain_memdev_def_copy(live->data.memdev);
    g_assert_cmpstr(copy->alias, ==, "dimm3");
    g_assert_cmpstr(copy->model, ==, "dimm");
}

static void
test_rejected(void)
{
    const char *domain = "<domain type='kvm'><name>x</name><memory>1024</memory>"
                         "<os><type>hvm</type></os></domain>";
    g_autoptr(GError) error = NULL;
    g_autoptr(MvDomainDeviceDef) dev = mv_test_device_parse("hostdev", 0, &error);

    g_assert_null(dev);
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_UNSUPPORTED);
    g_assert_cmpstr(error->message, ==,
                    "/hostdev: device <hostdev> cannot be attached, detached or updated: only "
                    "<disk>, <interface> and <memory> are supported");
    g_clear_error(&error);

    dev = mv_test_device_parse("disk-bad-attribute", 0, &error);
    g_assert_null(dev);
    g_assert_error(error, MV_ERROR, MV_ERR_XML_ERROR);
    g_assert_nonnull(strstr(error->message, "/disk/source"));
    g_assert_nonnull(strstr(error->message, "startupPolicy"));
    g_clear_error(&error);

    dev = mv_domain_device_def_parse_string(domain, 0, &error);
    g_assert_null(dev);
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_UNSUPPORTED);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    mv_test_schema_dir_init();
    g_test_add_func("/domainxml/device/disk", test_disk);
    g_test_add_func("/domainxml/device/disk-volume", test_disk_volume);
    g_test_add_func("/domainxml/device/interface", test_interface);
    g_test_add_func("/domainxml/device/memory-dimm", test_memory_dimm);
    g_test_add_func("/domainxml/device/rejected", test_rejected);
    return g_test_run();
}
