/* Node devices from sysfs (common/conf/nodedev-*.c): a fixture sysfs tree made
 * here (PCI, USB devices and an interface, network interfaces, a disk with a
 * partition, a loop device, DMI), the names, parents and XML; the XML of every
 * device against schemas/nodedev.rng, and what the schema refuses; the real
 * /sys of the host compared with its own directory listings. */
#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf/nodedev.h"
#include "util/xml.h"

static char *root;

static void
put(const char *rel, const char *text)
{
    g_autofree char *path = g_build_filename(root, rel, NULL);
    g_autofree char *dir = g_path_get_dirname(path);

    g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
    g_assert_true(g_file_set_contents(path, text, -1, NULL));
}

static void
dir(const char *rel)
{
    g_autofree char *path = g_build_filename(root, rel, NULL);

    g_assert_cmpint(g_mkdir_with_parents(path, 0755), ==, 0);
}

/* REL -> ROOT/TARGET (absolute, as realpath() resolves either kind). */
static void
link_to(const char *rel, const char *target)
{
    g_autofree char *path = g_build_filename(root, rel, NULL);
    g_autofree char *parent = g_path_get_dirname(path);
    g_autofree char *abs = g_build_filename(root, target, NULL);

    g_assert_cmpint(g_mkdir_with_parents(parent, 0755), ==, 0);
    g_assert_cmpint(symlink(abs, path), ==, 0);
}

#define PCI "devices/pci0000:00/"

static void
make_tree(void)
{
    root = g_dir_make_tmp("nodedev-XXXXXX", NULL);
    g_assert_nonnull(root);
    put("class/dmi/id/product_name", "Standard PC (Q35 + ICH9, 2009)\n");
    put("class/dmi/id/sys_vendor", "QEMU\n");
    put("class/dmi/id/bios_vendor", "SeaBIOS <&>\n");
    /* a USB host controller with its root hub, a hub interface and a device */
    put(PCI "0000:00:01.0/class", "0x0c0320\n");
    put(PCI "0000:00:01.0/vendor", "0x8086\n");
    put(PCI "0000:00:01.0/device", "0x293a\n");
    put(PCI "0000:00:01.0/numa_node", "-1\n");
    dir("bus/pci/drivers/ehci-pci");
    link_to(PCI "0000:00:01.0/driver", "bus/pci/drivers/ehci-pci");
    put(PCI "0000:00:01.0/usb1/devnum", "1\n");
    put(PCI "0000:00:01.0/usb1/busnum", "1\n");
    put(PCI "0000:00:01.0/usb1/idVendor", "1d6b\n");
    put(PCI "0000:00:01.0/usb1/idProduct", "0002\n");
    put(PCI "0000:00:01.0/usb1/1-0:1.0/bInterfaceNumber", "00\n");
    put(PCI "0000:00:01.0/usb1/1-0:1.0/bInterfaceClass", "09\n");
    put(PCI "0000:00:01.0/usb1/1-0:1.0/bInterfaceSubClass", "00\n");
    put(PCI "0000:00:01.0/usb1/1-0:1.0/bInterfaceProtocol", "00\n");
    put(PCI "0000:00:01.0/usb1/1-1/devnum", "2\n");
    put(PCI "0000:00:01.0/usb1/1-1/busnum", "1\n");
    put(PCI "0000:00:01.0/usb1/1-1/idVendor", "0627\n");
    put(PCI "0000:00:01.0/usb1/1-1/idProduct", "0001\n");
    put(PCI "0000:00:01.0/usb1/1-1/product", "QEMU USB Tablet\n");
    /* a NIC in IOMMU group 3, with its interface under a virtio bus device */
    put(PCI "0000:00:02.0/class", "0x020000\n");
    put(PCI "0000:00:02.0/vendor", "0x1af4\n");
    put(PCI "0000:00:02.0/device", "0x1000\n");
    put(PCI "0000:00:02.0/numa_node", "0\n");
    link_to("kernel/iommu_groups/3/devices/0000:00:02.0", PCI "0000:00:02.0");
    link_to(PCI "0000:00:02.0/iommu_group", "kernel/iommu_groups/3");
    put(PCI "0000:00:02.0/virtio0/net/eth0/address", "52:54:00:12:34:56\n");
    put(PCI "0000:00:02.0/virtio0/net/eth0/operstate", "up\n");
    put(PCI "0000:00:02.0/virtio0/net/eth0/speed", "1000\n");
    put(PCI "0000:00:02.0/virtio0/net/eth0/type", "1\n");
    put("devices/virtual/net/lo/address", "00:00:00:00:00:00\n");
    put("devices/virtual/net/lo/operstate", "unknown\n");
    put("devices/virtual/net/lo/type", "772\n");
    /* a disk with a serial and a partition; a loop device */
    put(PCI "0000:00:04.0/class", "0x010000\n");
    put(PCI "0000:00:04.0/vendor", "0x1af4\n");
    put(PCI "0000:00:04.0/device", "0x1001\n");
    put(PCI "0000:00:04.0/virtio1/serial", "disk-1\n");
    put(PCI "0000:00:04.0/virtio1/block/vda/size", "4096\n");
    put(PCI "0000:00:04.0/virtio1/block/vda/removable", "0\n");
    put(PCI "0000:00:04.0/virtio1/block/vda/queue/logical_block_size", "4096\n");
    link_to(PCI "0000:00:04.0/virtio1/block/vda/device", PCI "0000:00:04.0/virtio1");
    put(PCI "0000:00:04.0/virtio1/block/vda/vda1/partition", "1\n");
    put("devices/virtual/block/loop0/size", "0\n");
    link_to("bus/pci/devices/0000:00:01.0", PCI "0000:00:01.0");
    link_to("bus/pci/devices/0000:00:02.0", PCI "0000:00:02.0");
    link_to("bus/pci/devices/0000:00:04.0", PCI "0000:00:04.0");
    link_to("bus/usb/devices/usb1", PCI "0000:00:01.0/usb1");
    link_to("bus/usb/devices/1-0:1.0", PCI "0000:00:01.0/usb1/1-0:1.0");
    link_to("bus/usb/devices/1-1", PCI "0000:00:01.0/usb1/1-1");
    link_to("class/net/eth0", PCI "0000:00:02.0/virtio0/net/eth0");
    link_to("class/net/lo", "devices/virtual/net/lo");
    link_to("class/block/vda", PCI "0000:00:04.0/virtio1/block/vda");
    link_to("class/block/vda1", PCI "0000:00:04.0/virtio1/block/vda/vda1");
    link_to("class/block/loop0", "devices/virtual/block/loop0");
    put("ids/pci.ids", "# comment\n8086  Intel Corporation\n\t293a  82801I EHCI\n"
                       "\t\t1af4 1100  QEMU\n1af4  Red Hat, Inc.\n\t1000  Virtio network\n");
    put("ids/usb.ids", "1d6b  Linux Foundation\n\t0002  2.0 root hub\n");
}

static GPtrArray *
scan_fixture(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *ids = g_build_filename(root, "ids", NULL);
    GPtrArray *devs = mv_nodedev_scan(root, ids, &error);

    g_assert_no_error(error);
    g_assert_nonnull(devs);
    return devs;
}

static char *
xml_of(GPtrArray *devs, const char *name)
{
    const MvNodeDevice *dev = mv_nodedev_find(devs, name);

    g_assert_nonnull(dev);
    return mv_nodedev_format(dev);
}

static void
assert_valid(const char *xml)
{
    g_autoptr(GError) error = NULL;
    xmlDoc *doc = mv_xml_parse_validated(xml, "nodedev", &error);

    if (!doc)
        g_printerr("%s\n", xml);
    g_assert_no_error(error);
    xmlFreeDoc(doc);
}

static void
test_names_parents(void)
{
    static const char *const want[][3] = {
        { "computer", NULL, "system" },
        { "block_vda_disk_1", "pci_0000_00_04_0", "storage" },
        { "net_eth0_52_54_00_12_34_56", "pci_0000_00_02_0", "net" },
        { "net_lo_00_00_00_00_00_00", "computer", "net" },
        { "pci_0000_00_01_0", "computer", "pci" },
        { "pci_0000_00_02_0", "computer", "pci" },
        { "pci_0000_00_04_0", "computer", "pci" },
        { "usb_1_0_1_0", "usb_usb1", "usb" },
        { "usb_1_1", "usb_usb1", "usb_device" },
        { "usb_usb1", "pci_0000_00_01_0", "usb_device" },
    };
    g_autoptr(GPtrArray) devs = scan_fixture();

    g_assert_cmpuint(devs->len, ==, G_N_ELEMENTS(want));
    for (guint i = 0; i < devs->len; i++) {
        const MvNodeDevice *dev = devs->pdata[i];

        g_assert_cmpstr(dev->name, ==, want[i][0]);
        g_assert_cmpstr(dev->parent, ==, want[i][1]);
        g_assert_cmpstr(mv_nodedev_cap_name(dev->cap), ==, want[i][2]);
    }
}

static void
test_xml(void)
{
    g_autoptr(GPtrArray) devs = scan_fixture();
    g_autofree char *pci = xml_of(devs, "pci_0000_00_02_0");
    g_autofree char *ehci = xml_of(devs, "pci_0000_00_01_0");
    g_autofree char *hub = xml_of(devs, "usb_usb1");
    g_autofree char *tablet = xml_of(devs, "usb_1_1");
    g_autofree char *iface = xml_of(devs, "usb_1_0_1_0");
    g_autofree char *net = xml_of(devs, "net_eth0_52_54_00_12_34_56");
    g_autofree char *lo = xml_of(devs, "net_lo_00_00_00_00_00_00");
    g_autofree char *disk = xml_of(devs, "block_vda_disk_1");
    g_autofree char *computer = xml_of(devs, "computer");

    g_assert_nonnull(strstr(pci, "<parent>computer</parent>\n"));
    g_assert_nonnull(strstr(pci, "<class>0x020000</class>\n    <domain>0</domain>\n"
                                 "    <bus>0</bus>\n    <slot>2</slot>\n"
                                 "    <function>0</function>\n"));
    g_assert_nonnull(strstr(pci, "<product id='0x1000'>Virtio network</product>"));
    g_assert_nonnull(strstr(pci, "<vendor id='0x1af4'>Red Hat, Inc.</vendor>"));
    g_assert_nonnull(strstr(pci, "<iommuGroup number='3'>\n      <address domain='0x0000' "
                                 "bus='0x00' slot='0x02' function='0x0'/>\n"));
    g_assert_nonnull(strstr(pci, "<numa node='0'/>"));
    g_assert_nonnull(strstr(ehci, "<driver>\n    <name>ehci-pci</name>\n  </driver>"));
    g_assert_nonnull(strstr(ehci, "<product id='0x293a'>82801I EHCI</product>"));
    g_assert_null(strstr(ehci, "numa"));
    g_assert_nonnull(strstr(hub, "<bus>1</bus>\n    <device>1</device>\n"
                                 "    <product id='0x0002'>2.0 root hub</product>\n"
                                 "    <vendor id='0x1d6b'>Linux Foundation</vendor>\n"));
    g_assert_nonnull(strstr(tablet, "<product id='0x0001'>QEMU USB Tablet</product>\n"
                                    "    <vendor id='0x0627'/>\n"));
    g_assert_nonnull(strstr(iface, "<number>0</number>\n    <class>9</class>\n"));
    g_assert_nonnull(strstr(net, "<interface>eth0</interface>\n"
                                 "    <address>52:54:00:12:34:56</address>\n"
                                 "    <link speed='1000' state='up'/>\n"
                                 "    <capability type='80203'/>\n"));
    g_assert_nonnull(strstr(lo, "<link state='unknown'/>\n  </capability>"));
    g_assert_nonnull(strstr(disk, "<devnode type='dev'>/dev/vda</devnode>"));
    g_assert_nonnull(strstr(disk, "<block>/dev/vda</block>\n    <drive_type>disk</drive_type>\n"
                                  "    <serial>disk-1</serial>\n    <size>2097152</size>\n"
                                  "    <logical_block_size>4096</logical_block_size>\n"
                                  "    <num_blocks>512</num_blocks>\n"));
    g_assert_nonnull(strstr(computer, "<product>Standard PC (Q35 + ICH9, 2009)</product>\n"
                                      "    <hardware>\n      <vendor>QEMU</vendor>\n"));
    g_assert_nonnull(strstr(computer, "<vendor>SeaBIOS &lt;&amp;&gt;</vendor>"));
    g_assert_null(strstr(computer, "<parent>"));
    for (guint i = 0; i < devs->len; i++) {
        g_autofree char *xml = mv_nodedev_format(devs->pdata[i]);

        assert_valid(xml);
    }
}

static void
test_caps(void)
{
    MvNodeDevCap cap;

    g_assert_true(mv_nodedev_cap_from_name("usb_device", &cap));
    g_assert_cmpint(cap, ==, MV_NODEDEV_CAP_USB_DEV);
    g_assert_true(mv_nodedev_cap_from_name("storage", &cap));
    g_assert_cmpint(cap, ==, MV_NODEDEV_CAP_STORAGE);
    g_assert_true(mv_nodedev_cap_from_name("vpd", &cap));
    g_assert_cmpint(cap, ==, MV_NODEDEV_CAP_LAST - 1);
    g_assert_false(mv_nodedev_cap_from_name("gadget", &cap));
    g_assert_null(mv_nodedev_cap_name(MV_NODEDEV_CAP_LAST));
}

/* What the schema refuses: each document differs from a valid one in one place. */
static void
test_schema_refuses(void)
{
    static const char *const bad[] = {
        "<device><name>x</name><capability type='gadget'/></device>",
        "<device><name>a b</name><capability type='system'/></device>",
        "<device><name>p</name><capability type='pci'><class>0x0200</class><domain>0</domain>"
        "<bus>0</bus><slot>2</slot><function>0</function><product id='0x1000'/>"
        "<vendor id='0x1af4'/></capability></device>",
        "<device><name>p</name><capability type='pci'><class>0x020000</class><domain>0</domain>"
        "<bus>0</bus><slot>32</slot><function>0</function><product id='0x1000'/>"
        "<vendor id='0x1af4'/></capability></device>",
        "<device><name>n</name><capability type='net'><interface>e</interface>"
        "<link state='sideways'/></capability></device>",
        "<device><name>b</name><capability type='storage'><block>/dev/vda</block>"
        "<drive_type>tape</drive_type><size>1</size><logical_block_size>512"
        "</logical_block_size><num_blocks>0</num_blocks></capability></device>",
        "<device><name>s</name><capability type='system'/><extra/></device>",
    };
    const char *good = "<device><name>p</name><capability type='pci'><class>0x020000</class>"
                       "<domain>0</domain><bus>0</bus><slot>2</slot><function>0</function>"
                       "<product id='0x1000'/><vendor id='0x1af4'/></capability></device>";

    assert_valid(good);
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) error = NULL;
        xmlDoc *doc = mv_xml_parse_validated(bad[i], "nodedev", &error);

        g_assert_null(doc);
        g_assert_nonnull(error);
    }
}

/* The host's own /sys: every PCI address, network interface and disk with a
 * device link listed, every document valid. */
static void
test_host(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) devs = mv_nodedev_scan("/sys", "/usr/share/misc", &error);
    g_autoptr(GDir) pci = NULL;
    const char *entry;
    guint npci = 0, seen_pci = 0;

    g_assert_no_error(error);
    g_assert_nonnull(devs);
    g_assert_cmpstr(((MvNodeDevice *)devs->pdata[0])->name, ==, "computer");
    pci = g_dir_open("/sys/bus/pci/devices", 0, NULL);
    while (pci && (entry = g_dir_read_name(pci))) {
        guint d, b, s, f;
        g_autofree char *name = NULL;

        g_assert_cmpint(sscanf(entry, "%x:%x:%x.%x", &d, &b, &s, &f), ==, 4);
        name = g_strdup_printf("pci_%04x_%02x_%02x_%x", d, b, s, f);
        g_assert_nonnull(mv_nodedev_find(devs, name));
        npci++;
    }
    for (guint i = 0; i < devs->len; i++) {
        const MvNodeDevice *dev = devs->pdata[i];
        g_autofree char *xml = mv_nodedev_format(dev);

        seen_pci += dev->cap == MV_NODEDEV_CAP_PCI;
        assert_valid(xml);
        if (dev->cap != MV_NODEDEV_CAP_SYSTEM)
            g_assert_nonnull(mv_nodedev_find(devs, dev->parent));
    }
    g_assert_cmpuint(seen_pci, ==, npci);
}

static void
remove_tree(const char *path)
{
    g_autoptr(GDir) d = NULL;
    const char *entry;

    if (g_file_test(path, G_FILE_TEST_IS_SYMLINK) || !g_file_test(path, G_FILE_TEST_IS_DIR)) {
        g_unlink(path);
        return;
    }
    d = g_dir_open(path, 0, NULL);
    while (d && (entry = g_dir_read_name(d))) {
        g_autofree char *child = g_build_filename(path, entry, NULL);

        remove_tree(child);
    }
    g_rmdir(path);
}

int
main(int argc, char **argv)
{
    int rc;

    g_test_init(&argc, &argv, NULL);
    make_tree();
    g_test_add_func("/conf/nodedev/names-parents", test_names_parents);
    g_test_add_func("/conf/nodedev/xml", test_xml);
    g_test_add_func("/conf/nodedev/caps", test_caps);
    g_test_add_func("/conf/nodedev/schema-refuses", test_schema_refuses);
    g_test_add_func("/conf/nodedev/host", test_host);
    rc = g_test_run();
    remove_tree(root);
    g_free(root);
    return rc;
}
