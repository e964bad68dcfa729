/* qemuxml2argv: domain XML -> QEMU argv golden tests.
 *
 * Each case in the table is <case>.xml beside this file; the expected output
 * is <case>.args (one argument per line) or, for a case that must fail,
 * <case>.err (the error message). The QEMU is a fixed fake probe (QEMU 7.2,
 * pc-i440fx-7.2 = pc (default), pc-q35-7.2 = q35, KVM usable) and the host
 * paths are fixed fake ones, so the output never depends on the host.
 * MV_TEST_REGENERATE=1 rewrites the expectations (review the diff; refused
 * under CI=true). Volume disks (<disk type='volume'>) are resolved as qemud
 * does at start, through qemu-storage.c, with a fixed table of volumes in
 * place of modvirt-storaged (fake_volumes below).
 *
 * test-qemuxml2argv-live.c launches every .args golden with the real QEMU. */
#include <stdio.h>
#include <string.h>

#include "conf/domain-conf.h"
#include "qemu-command.h"
#include "qemu-probe.h"
#include "qemu-storage.h"
#include "util/error.h"

#define DATA MV_TEST_DATA_DIR

enum {
    CASE_NO_KVM = 1 << 0,       /* /dev/kvm is not usable */
    CASE_TAPS = 1 << 1,         /* tap fds 30, 31, -1, 33, … */
    CASE_NO_TAPS = 1 << 2,      /* no fds at all (the default is -1 for each) */
};

typedef struct {
    const char *name;
    unsigned int flags;
    MvErrorCode code;           /* != 0: the case must fail with this code */
    /* Changes the parsed def: for what the parser already rejects, to check
     * that the command builder does not rely on the parser for it. */
    void (*mutate)(MvDomainDef *def);
} Case;

static void
mutate_topology(MvDomainDef *def)
{
    def->vcpus = 6;             /* the XML's topology gives 4 */
}

static void
mutate_cdrom_virtio(MvDomainDef *def)
{
    def->disks[0]->bus = MV_DOMAIN_DISK_BUS_VIRTIO;
    g_free(def->disks[0]->target_dev);
    def->disks[0]->target_dev = g_strdup("vdc");
}

static const Case cases[] = {
    { "minimal", 0, 0 },
    { "test-guest", 0, 0 },
    { "kvm-q35-host-passthrough", 0, 0 },
    { "tcg-host-model", CASE_NO_KVM, 0 },
    { "cpu-custom", 0, 0 },
    { "boot-order-q35-sata-cdrom", 0, 0 },
    { "disk-ide-scsi", 0, 0 },
    { "net-user-bootindex", 0, 0 },
    { "net-tap", CASE_TAPS, 0 },
    { "net-bridge-options", CASE_TAPS, 0 },
    { "chardev", 0, 0 },
    { "graphics-vnc-autoport", 0, 0 },
    { "graphics-vnc-spice", 0, 0 },
    { "devices-misc", 0, 0 },
    { "usb-companions", 0, 0 },
    { "vmport-off", 0, 0 },
    { "spice-sound-redir", 0, 0 },
    { "hyperv-win", 0, 0 },
    { "disk-usb-floppy", 0, 0 },
    { "err-floppy-q35", 0, MV_ERR_CONFIG_UNSUPPORTED },
    { "err-redirdev-no-spice", 0, MV_ERR_CONFIG_UNSUPPORTED },
    { "err-spice-tls", 0, MV_ERR_CONFIG_UNSUPPORTED },
    { "firmware-pflash", 0, 0 },
    { "firmware-bios-clock", 0, 0 },
    { "memory-hotplug", 0, 0 },
    { "memory-dimm", 0, 0 },
    { "vcpus-list", 0, 0 },
    { "pci-bridges", 0, 0 },
    { "watchdog-itco", 0, 0 },
    { "live-pc", 0, 0 },
    { "live-q35", 0, 0 },
    { "live-kernel", 0, 0 },
    { "disk-volume", 0, 0 },
    { "firmware-efi-secure", 0, 0 },
    { "tpm-crb", 0, 0 },
    { "tpm-tis", 0, 0 },
    { "iothreads", 0, 0 },
    { "console-added", 0, 0 },
    /* errors */
    { "err-kvm-unavailable", CASE_NO_KVM, MV_ERR_CONFIG_UNSUPPORTED },
    { "err-machine-unknown", 0, MV_ERR_CONFIG_UNSUPPORTED },
    { "err-topology", 0, MV_ERR_CONFIG_UNSUPPORTED, mutate_topology },
    { "err-vcpus-gap-tcg", 0, MV_ERR_CONFIG_UNSUPPORTED },
    { "err-net-no-tap", CASE_NO_TAPS, MV_ERR_OPERATION_INVALID },
    { "err-disk-shareable-qcow2", 0, MV_ERR_CONFIG_UNSUPPORTED },
    { "err-ide-q35", 0, MV_ERR_CONFIG_UNSUPPORTED },
    { "err-spice-autoport", 0, MV_ERR_CONFIG_UNSUPPORTED },
    { "err-cdrom-virtio", 0, MV_ERR_CONFIG_UNSUPPORTED, mutate_cdrom_virtio },
    { "err-usb-none", 0, MV_ERR_CONFIG_UNSUPPORTED },
    { "err-disk-volume-missing", 0, MV_ERR_NO_STORAGE_VOL },
    { "err-disk-volume-inactive", 0, MV_ERR_OPERATION_INVALID },
    { "err-disk-volume-luks", 0, MV_ERR_CONFIG_UNSUPPORTED },
    { "err-disk-volume-direct", 0, MV_ERR_CONFIG_UNSUPPORTED },
    { "err-disk-volume-dir", 0, MV_ERR_CONFIG_UNSUPPORTED },
    { "err-disk-volume-encrypted", 0, MV_ERR_CONFIG_UNSUPPORTED },
    { "err-firmware-efi-unresolved", 0, MV_ERR_CONFIG_UNSUPPORTED },
    { "err-iothread-sata", 0, MV_ERR_CONFIG_UNSUPPORTED },
};

/* The volumes storaged would describe: pool, volume, info type (0 file,
 * 1 block, 2 dir), the volume XML as storaged formats it; pool 'stopped'
 * exists but is inactive. */
static const struct {
    const char *pool, *volume;
    int type;
    const char *xml;
} fake_volumes[] = {
    { "default", "guest.qcow2", 0,
      "<volume type='file'><name>guest.qcow2</name>"
      "<target><path>/var/lib/mv/pools/default/guest.qcow2</path>"
      "<format type='qcow2'/></target></volume>" },
    { "default", "data.raw", 0,
      "<volume type='file'><name>data.raw</name>"
      "<target><path>/var/lib/mv/pools/default/data.raw</path>"
      "<format type='raw'/></target></volume>" },
    { "default", "secret.luks", 0,
      "<volume type='file'><name>secret.luks</name>"
      "<target><path>/var/lib/mv/pools/default/secret.luks</path>"
      "<format type='luks'/></target></volume>" },
    { "default", "sealed.img", 0,
      "<volume type='file'><name>sealed.img</name>"
      "<target><path>/var/lib/mv/pools/default/sealed.img</path><format type='raw'/>"
      "<encryption format='luks'><secret type='passphrase' "
      "uuid='0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f'/></encryption></target></volume>" },
    { "default", "subdir", 2,
      "<volume type='dir'><name>subdir</name>"
      "<target><path>/var/lib/mv/pools/default/subdir</path>"
      "<format type='dir'/></target></volume>" },
    { "vg0", "lv0", 1,
      "<volume type='block'><name>lv0</name>"
      "<target><path>/dev/mvvg0/lv0</path></target></volume>" },
    { "isos", "install.iso", 0,
      "<volume type='file'><name>install.iso</name>"
      "<target><path>/var/lib/mv/pools/isos/install.iso</path>"
      "<format type='iso'/></target></volume>" },
    { "stopped", NULL, 0, NULL },
};

static bool
fake_lookup(const char *pool, const char *volume, gpointer user_data, MvQemuStorageVolume *ret,
            GError **error)
{
    bool pool_found = false;

    (void)user_data;
    for (size_t i = 0; i < G_N_ELEMENTS(fake_volumes); i++) {
        if (!g_str_equal(fake_volumes[i].pool, pool))
            continue;
        pool_found = true;
        if (!fake_volumes[i].volume) {
            *ret = (MvQemuStorageVolume) { .pool_active = false };
            return true;
        }
        if (g_str_equal(fake_volumes[i].volume, volume)) {
            *ret = (MvQemuStorageVolume) { .pool_active = true, .type = fake_volumes[i].type,
                                           .xml = g_strdup(fake_volumes[i].xml) };
            return true;
        }
    }
    if (!pool_found)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_POOL,
                            "Storage pool not found: no storage pool with matching name '%s'",
                            pool);
    return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_VOL,
                        "Storage volume not found: no storage vol with matching name '%s'",
                        volume);
}

/* The QEMU 7.2 of Debian 12, as mv_qemu_probe_get() would describe it. */
static MvQemuMachine fake_machines[] = {
    { .name = (char *)"pc", .canonical = (char *)"pc-i440fx-7.2", .max_cpus = 255 },
    { .name = (char *)"pc-i440fx-7.2", .max_cpus = 255, .is_default = true },
    { .name = (char *)"q35", .canonical = (char *)"pc-q35-7.2", .max_cpus = 288 },
    { .name = (char *)"pc-q35-7.2", .max_cpus = 288 },
};
static char *fake_accels[] = { (char *)"kvm", (char *)"tcg", NULL };
static const MvQemuProbe fake_probe = {
    .binary = (char *)"/usr/bin/qemu-system-x86_64",
    .version = 7002022,
    .package = (char *)"Debian 1:7.2+dfsg-7+deb12u18+b3",
    .machines = fake_machines,
    .nmachines = G_N_ELEMENTS(fake_machines),
    .accels = fake_accels,
    .kvm_usable = true,
};

/* the third interface of net-tap is an ethernet one with its own tap name */
static const int fake_taps[] = { 30, 31, -1, 33, 34, 35, 36, 37 };
static const int no_taps[] = { -1, -1, -1, -1, -1, -1, -1, -1 };

static MvQemuCommandContext
fake_context(unsigned int flags)
{
    return (MvQemuCommandContext) {
        .monitor_path = "/run/mv/qemu/domain-1/monitor.sock",
        .pidfile = "/run/mv/qemu/domain-1/qemu.pid",
        .log_dir = "/var/log/mv/qemu",
        .channel_dir = "/run/mv/qemu/channel",
        .tap_fds = flags & CASE_NO_TAPS ? NULL : flags & CASE_TAPS ? fake_taps : no_taps,
        .ntap_fds = flags & CASE_NO_TAPS ? 0 : G_N_ELEMENTS(fake_taps),
        .kvm_available = !(flags & CASE_NO_KVM),
        .tpm_socket = "/run/mv/qemu/domain-1.swtpm",
    };
}

static MvDomainDef *
load_def(const char *name)
{
    g_autofree char *path = g_strdup_printf("%s/%s.xml", DATA, name);
    g_autofree char *xml = NULL;
    g_autoptr(GError) error = NULL;
    MvDomainDef *def;

    if (!g_file_get_contents(path, &xml, NULL, &error))
        g_error("%s", error->message);
    if (!(def = mv_domain_def_parse_string(xml, 0, &error)))
        g_error("%s.xml does not parse: %s", name, error->message);
    return def;
}

/* Compares @actual with the file @name.@ext (or rewrites it). */
static void
check_golden(const char *name, const char *ext, const char *actual)
{
    g_autofree char *path = g_strdup_printf("%s/%s.%s", DATA, name, ext);
    g_autofree char *expected = NULL;
    g_autoptr(GError) error = NULL;

    if (g_getenv("MV_TEST_REGENERATE") && g_strcmp0(g_getenv("CI"), "true") == 0)
        g_error("MV_TEST_REGENERATE is set under CI=true: goldens are never rewritten on CI");
    if (g_getenv("MV_TEST_REGENERATE")) {
        if (!g_file_set_contents(path, actual, -1, &error))
            g_error("%s", error->message);
        return;
    }
    if (!g_file_get_contents(path, &expected, NULL, &error)) {
        g_test_message("%s missing (MV_TEST_REGENERATE=1 writes it); output:\n%s", path, actual);
        g_test_fail();
        return;
    }
    if (!g_str_equal(expected, actual)) {
        g_auto(GStrv) e = g_strsplit(expected, "\n", -1);
        g_auto(GStrv) a = g_strsplit(actual, "\n", -1);
        size_t i = 0;

        while (e[i] && a[i] && g_str_equal(e[i], a[i]))
            i++;
        g_test_message("%s differs at line %zu: expected '%s', got '%s'\nfull output:\n%s",
                       path, i + 1, e[i] ? e[i] : "(end)", a[i] ? a[i] : "(end)", actual);
        g_test_fail();
    }
}

static void
test_case(gconstpointer data)
{
    const Case *c = data;
    g_autoptr(MvDomainDef) def = load_def(c->name);
    MvQemuCommandContext ctx = fake_context(c->flags);
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) argv = NULL;

    if (c->mutate)
        c->mutate(def);
    if (mv_qemu_storage_resolve_def(def, fake_lookup, NULL, &error))
        argv = mv_qemu_command_build(def, &fake_probe, &ctx, &error);

    if (c->code) {
        g_autofree char *msg = NULL;

        if (argv) {
            g_autofree char *joined = g_strjoinv("\n", argv);

            g_test_message("%s: expected an error, got:\n%s", c->name, joined);
            g_test_fail();
            return;
        }
        g_assert_true(error->domain == MV_ERROR);
        g_assert_cmpint(error->code, ==, c->code);
        msg = g_strdup_printf("%s\n", error->message);
        check_golden(c->name, "err", msg);
    } else {
        g_autofree char *joined = NULL;
        g_autofree char *text = NULL;

        if (!argv) {
            g_test_message("%s: %s", c->name, error->message);
            g_test_fail();
            return;
        }
        joined = g_strjoinv("\n", argv);
        text = g_strdup_printf("%s\n", joined);
        check_golden(c->name, "args", text);
    }
}

/* Every fixture in the folder is in the table, and every table entry has one. */
static void
test_table_complete(void)
{
    g_autoptr(GDir) dir = g_dir_open(DATA, 0, NULL);
    const char *entry;

    g_assert_nonnull(dir);
    while ((entry = g_dir_read_name(dir))) {
        g_autofree char *base = NULL;
        bool found = false;

        if (!g_str_has_suffix(entry, ".xml"))
            continue;
        base = g_strndup(entry, strlen(entry) - 4);
        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
            found |= g_str_equal(cases[i].name, base);
        if (!found)
            g_test_message("%s is not in the case table", entry);
        g_assert_true(found);
    }
}

/* Disk aliases follow libvirt's scheme (drive address from the target name). */
static void
test_disk_alias(void)
{
    static const struct {
        MvDomainDiskBus bus;
        const char *dev;
        const char *alias;
    } aliases[] = {
        { MV_DOMAIN_DISK_BUS_VIRTIO, "vda", "virtio-disk0" },
        { MV_DOMAIN_DISK_BUS_VIRTIO, "vdaa", "virtio-disk26" },
        { MV_DOMAIN_DISK_BUS_SATA, "sda", "sata0-0-0" },
        { MV_DOMAIN_DISK_BUS_SATA, "sdh", "sata1-0-1" },
        { MV_DOMAIN_DISK_BUS_IDE, "hdc", "ide0-1-0" },
        { MV_DOMAIN_DISK_BUS_SCSI, "sdb", "scsi0-0-0-1" },
        { MV_DOMAIN_DISK_BUS_SCSI, "sdi", "scsi1-0-0-1" },
        { MV_DOMAIN_DISK_BUS_VIRTIO, "xda", NULL },
        { MV_DOMAIN_DISK_BUS_VIRTIO, "vd", NULL },
        { MV_DOMAIN_DISK_BUS_IDE, "hde", NULL },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(aliases); i++) {
        MvDomainDiskDef disk = { .bus = aliases[i].bus, .target_dev = (char *)aliases[i].dev };
        g_autoptr(GError) error = NULL;
        g_autofree char *alias = mv_qemu_command_disk_alias(&disk, &error);

        g_assert_cmpstr(alias, ==, aliases[i].alias);
        if (!aliases[i].alias)
            g_assert_true(mv_error_matches(error, MV_ERR_CONFIG_UNSUPPORTED));
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qemuxml2argv/table-complete", test_table_complete);
    g_test_add_func("/qemuxml2argv/disk-alias", test_disk_alias);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *path = g_strdup_printf("/qemuxml2argv/%s", cases[i].name);

        g_test_add_data_func(path, &cases[i], test_case);
    }
    return g_test_run();
}
