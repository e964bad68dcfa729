/* Hot-plug and cold boot build device properties with one builder: the QMP
 * arguments of a hot-plugged disk or interface carry exactly what its
 * -blockdev/-device/-netdev arguments carry (cache mode, boot order,
 * shareable…), PCI placement aside. Also MvQemuProps' two renderings. */
#include <string.h>

#include "conf/domain-conf.h"
#include "qemu-command.h"
#include "qemu-props.h"
#include "util/error.h"

static MvQemuMachine fake_machines[] = {
    { .name = (char *)"pc", .canonical = (char *)"pc-i440fx-7.2", .max_cpus = 255 },
    { .name = (char *)"pc-i440fx-7.2", .max_cpus = 255, .is_default = true },
};
static char *fake_accels[] = { (char *)"tcg", NULL };
static const MvQemuProbe fake_probe = {
    .binary = (char *)"/usr/bin/qemu-system-x86_64",
    .version = 7002022,
    .machines = fake_machines,
    .nmachines = G_N_ELEMENTS(fake_machines),
    .accels = fake_accels,
};

static const char *const domain_xml =
    "<domain type='qemu'><name>p</name><memory unit='MiB'>64</memory>"
    "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
    "<disk type='file' device='disk'><driver name='qemu' type='raw' cache='none'/>"
    "<source file='/images/a,b.img'/><target dev='vdb' bus='virtio'/><boot order='2'/>"
    "<shareable/></disk>"
    "<interface type='user'><mac address='52:54:00:12:34:56'/><model type='virtio'/>"
    "<boot order='3'/></interface>"
    "</devices></domain>";

/* The argument after the first occurrence of @opt whose value contains @needle. */
static const char *
find_arg(char **argv, const char *opt, const char *needle)
{
    for (size_t i = 0; argv[i] && argv[i + 1]; i++) {
        if (g_str_equal(argv[i], opt) && strstr(argv[i + 1], needle))
            return argv[i + 1];
    }
    g_assert_not_reached();
}

static char *
props_string(const MvQemuProps *props, bool bare_first)
{
    GString *buf = g_string_new(NULL);

    mv_qemu_props_format(props, bare_first, buf);
    return g_string_free(buf, FALSE);
}

static char *
json_string(JsonObject *obj)
{
    g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);

    json_node_take_object(node, obj);
    return json_to_string(node, FALSE);
}

/* @cold without its PCI placement (",bus=pci.0,addr=0xN"), which only the command
 * line assigns. */
static char *
without_pci_placement(const char *cold)
{
    g_autoptr(GRegex) re = g_regex_new(",bus=pci\\.0,addr=0x[0-9a-f]+", 0, 0, NULL);

    return g_regex_replace_literal(re, cold, -1, 0, "", 0, NULL);
}

static void
test_disk_and_net_match_cold_boot(void)
{
    MvQemuCommandContext ctx = { .monitor_path = "/run/mv/m.sock" };
    g_autoptr(GError) error = NULL;
    g_autoptr(MvDomainDef) def = mv_domain_def_parse_string(domain_xml, 0, &error);
    g_auto(GStrv) argv = NULL;
    g_auto(MvQemuDiskProps) disk = { 0 };
    g_auto(MvQemuNetProps) net = { 0 };
    g_autofree char *storage = NULL, *format = NULL, *device = NULL, *cold_device = NULL;
    g_autofree char *netdev = NULL, *net_device = NULL, *cold_net = NULL;
    g_autofree char *json_storage = NULL, *json_device = NULL, *json_net = NULL;

    g_assert_no_error(error);
    def->disks[0]->serial = g_strdup("S,1");    /* escaped on the command line only */
    argv = mv_qemu_command_build(def, &fake_probe, &ctx, &error);
    g_assert_no_error(error);

    g_assert_true(mv_qemu_command_disk_props(def, def->disks[0], &disk, &error));
    g_assert_no_error(error);
    storage = props_string(disk.storage, false);
    format = props_string(disk.format, false);
    device = props_string(disk.device, true);
    g_assert_cmpstr(storage, ==, find_arg(argv, "-blockdev", "-storage"));
    g_assert_cmpstr(format, ==, find_arg(argv, "-blockdev", "-format"));
    cold_device = without_pci_placement(find_arg(argv, "-device", "virtio-blk-pci"));
    g_assert_cmpstr(device, ==, cold_device);
    /* what hot-plug used to drop is there */
    g_assert_cmpstr(storage, ==, "driver=file,filename=/images/a,,b.img,"
                                 "node-name=virtio-disk1-storage,cache.direct=on");
    g_assert_cmpstr(device, ==, "virtio-blk-pci,drive=virtio-disk1-format,id=virtio-disk1,"
                                "serial=S,,1,bootindex=2,share-rw=on,write-cache=on");

    /* QMP: typed values, dotted keys nested */
    json_storage = json_string(mv_qemu_props_to_json(disk.storage));
    json_device = json_string(mv_qemu_props_to_json(disk.device));
    g_assert_cmpstr(json_storage, ==,
                    "{\"driver\":\"file\",\"filename\":\"/images/a,b.img\","
                    "\"node-name\":\"virtio-disk1-storage\",\"cache\":{\"direct\":true}}");
    g_assert_cmpstr(json_device, ==,
                    "{\"driver\":\"virtio-blk-pci\",\"drive\":\"virtio-disk1-format\","
                    "\"id\":\"virtio-disk1\",\"serial\":\"S,1\",\"bootindex\":2,"
                    "\"share-rw\":true,\"write-cache\":\"on\"}");

    g_assert_true(mv_qemu_command_net_props(def->nets[0], 0, NULL, &net, &error));
    netdev = props_string(net.netdev, true);
    net_device = props_string(net.device, true);
    g_assert_cmpstr(netdev, ==, find_arg(argv, "-netdev", "hostnet0"));
    cold_net = without_pci_placement(find_arg(argv, "-device", "netdev=hostnet0"));
    g_assert_cmpstr(net_device, ==, cold_net);
    g_assert_nonnull(strstr(net_device, ",bootindex=3"));
    json_net = json_string(mv_qemu_props_to_json(net.device));
    g_assert_cmpstr(json_net, ==,
                    "{\"driver\":\"virtio-net-pci\",\"netdev\":\"hostnet0\",\"id\":\"net0\","
                    "\"mac\":\"52:54:00:12:34:56\",\"bootindex\":3}");
}

/* A disk the command line refuses is refused for hot-plug with the same error. */
static void
test_same_errors(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MvDomainDef) def = mv_domain_def_parse_string(domain_xml, 0, &error);
    g_auto(MvQemuDiskProps) disk = { 0 };

    g_assert_no_error(error);
    g_free(def->disks[0]->driver_type);
    def->disks[0]->driver_type = g_strdup("qcow2");
    g_assert_false(mv_qemu_command_disk_props(def, def->disks[0], &disk, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_CONFIG_UNSUPPORTED);
    g_assert_cmpstr(error->message, ==, "disk 'vdb': shareable disks must use raw format");
    g_assert_null(disk.device);
}

static void
test_props_render(void)
{
    g_autoptr(MvQemuProps) p = mv_qemu_props_new();
    g_autofree char *bare = NULL, *keyed = NULL, *json = NULL;

    mv_qemu_props_add_str(p, "type", "tap");
    mv_qemu_props_add_uint(p, "n", 7);
    mv_qemu_props_add_bool(p, "x.y", false);
    mv_qemu_props_add_bool(p, "x.z", true);
    mv_qemu_props_add_strf(p, "s", "%s,%d", "a", 1);
    bare = props_string(p, true);
    keyed = props_string(p, false);
    json = json_string(mv_qemu_props_to_json(p));
    g_assert_cmpstr(bare, ==, "tap,n=7,x.y=off,x.z=on,s=a,,1");
    g_assert_cmpstr(keyed, ==, "type=tap,n=7,x.y=off,x.z=on,s=a,,1");
    g_assert_cmpstr(json, ==, "{\"type\":\"tap\",\"n\":7,\"x\":{\"y\":false,\"z\":true},"
                              "\"s\":\"a,1\"}");
    g_assert_cmpstr(mv_qemu_props_get_str(p, "s"), ==, "a,1");
    g_assert_null(mv_qemu_props_get_str(p, "n"));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qemu-props/disk-and-net-match-cold-boot",
                    test_disk_and_net_match_cold_boot);
    g_test_add_func("/qemu-props/same-errors", test_same_errors);
    g_test_add_func("/qemu-props/render", test_props_render);
    return g_test_run();
}
