/* CONNECT_GET_DOMAIN_CAPABILITIES (virsh domcapabilities): what a domain
 * definition may ask of this emulator, machine and accelerator — the values
 * the domain schema and the command-line builder accept, nothing more. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-dispatch.h"
#include "qemu-firmware.h"

#include <string.h>

/* One <enum name='…'> with its values. */
static void
add_enum(GString *xml, const char *indent, const char *name, const char *const *values)
{
    g_string_append_printf(xml, "%s<enum name='%s'>\n", indent, name);
    for (; *values; values++)
        g_string_append_printf(xml, "%s  <value>%s</value>\n", indent, *values);
    g_string_append_printf(xml, "%s</enum>\n", indent);
}

static const char *const disk_devices[] = { "disk", "cdrom", NULL };
static const char *const disk_buses[] = { "ide", "scsi", "virtio", "sata", NULL };
static const char *const loader_types[] = { "rom", "pflash", NULL };
static const char *const tpm_models[] = { "tpm-tis", "tpm-crb", NULL };
static const char *const tpm_backends[] = { "emulator", NULL };
static const char *const tpm_versions[] = { "2.0", NULL };
static const char *const yes_no[] = { "yes", "no", NULL };
static const char *const graphics_types[] = { "vnc", "spice", NULL };
static const char *const video_models[] = { "vga", "cirrus", "virtio", "qxl", "bochs", "none",
                                            NULL };
static const char *const rng_models[] = { "virtio", NULL };
static const char *const rng_backends[] = { "random", NULL };
static const char *const interface_types[] = { "network", "bridge", "user", "ethernet", NULL };
static const char *const console_types[] = { "pty", "unix", "file", "null", NULL };

/* One <devices> child: its enums, or none at all for supported='no'. */
typedef struct {
    const char *element;
    struct {
        const char *name;
        const char *const *values;
    } enums[2];
} DeviceCaps;

static const DeviceCaps device_caps[] = {
    { "disk", { { "diskDevice", disk_devices }, { "bus", disk_buses } } },
    { "graphics", { { "type", graphics_types } } },
    { "video", { { "modelType", video_models } } },
    { "hostdev", { { NULL } } },
    { "rng", { { "model", rng_models }, { "backendModel", rng_backends } } },
    /* network interfaces get their port from modvirt-networkd */
    { "interface", { { "type", interface_types } } },
    { "console", { { "type", console_types } } },
};

static bool
program_exists(const char *program)
{
    g_autofree char *path = g_find_program_in_path(program);

    return path != NULL;
}

/* <os>: firmware='efi' when a UEFI descriptor fits @machine (qemu-firmware.c),
 * and the loaders those descriptors name, which <loader> may also give by path. */
static void
format_os(GString *xml, const char *machine)
{
    g_autoptr(GPtrArray) fws = mv_qemu_firmware_load(mv_qemu_firmware_default_dirs);
    g_autoptr(GPtrArray) loaders = g_ptr_array_new();
    bool secure = false;
    const char *const secure_values[] = { "yes", "no", NULL };
    const MvDomainOsDef any = { .loader_secure = -1 };

    for (guint i = 0; i < fws->len; i++) {
        const MvQemuFirmware *fw = fws->pdata[i];
        GError *err = NULL;
        g_autoptr(GPtrArray) one = g_ptr_array_new_with_free_func(NULL);

        g_ptr_array_add(one, fws->pdata[i]);
        if (!mv_qemu_firmware_select(one, &any, machine, &err)) {
            g_clear_error(&err);
            continue;
        }
        if (!g_ptr_array_find_with_equal_func(loaders, fw->executable, g_str_equal, NULL))
            g_ptr_array_add(loaders, fw->executable);
        secure |= mv_qemu_firmware_has_feature(fw, "secure-boot");
    }
    g_string_append(xml, "  <os supported='yes'>\n");
    if (loaders->len) {
        const char *const efi[] = { "efi", NULL };

        add_enum(xml, "    ", "firmware", efi);
    }
    g_string_append(xml, "    <loader supported='yes'>\n");
    for (guint i = 0; i < loaders->len; i++) {
        g_autofree char *path = g_markup_escape_text(loaders->pdata[i], -1);

        g_string_append_printf(xml, "      <value>%s</value>\n", path);
    }
    add_enum(xml, "      ", "type", loader_types);
    add_enum(xml, "      ", "readonly", yes_no);
    add_enum(xml, "      ", "secure", secure ? secure_values : secure_values + 1);
    g_string_append(xml, "    </loader>\n  </os>\n");
}

static char *
format_domcaps(const MvQemuProbe *probe, const MvQemuMachine *machine, const char *virttype,
               bool kvm)
{
    GString *xml = g_string_new("<domainCapabilities>\n");
    g_autofree char *path = g_markup_escape_text(probe->binary, -1);

    g_string_append_printf(xml, "  <path>%s</path>\n", path);
    g_string_append_printf(xml, "  <domain>%s</domain>\n", virttype);
    g_string_append_printf(xml, "  <machine>%s</machine>\n",
                           machine->canonical ? machine->canonical : machine->name);
    g_string_append(xml, "  <arch>x86_64</arch>\n");
    g_string_append_printf(xml, "  <vcpu max='%d'/>\n",
                           machine->max_cpus > 0 ? machine->max_cpus : 1);
    g_string_append(xml, "  <iothreads supported='no'/>\n");
    format_os(xml, machine->name);
    /* host-passthrough and host-model need KVM; under TCG they become 'max'. */
    g_string_append(xml, "  <cpu>\n");
    g_string_append_printf(xml, "    <mode name='host-passthrough' supported='%s'/>\n",
                           kvm ? "yes" : "no");
    g_string_append(xml, "    <mode name='host-model' supported='yes'/>\n");
    g_string_append(xml, "    <mode name='custom' supported='yes'/>\n");
    g_string_append(xml, "  </cpu>\n");
    g_string_append(xml, "  <devices>\n");
    for (size_t i = 0; i < G_N_ELEMENTS(device_caps); i++) {
        const DeviceCaps *dev = &device_caps[i];
        if (!dev->enums[0].name) {
            g_string_append_printf(xml, "    <%s supported='no'/>\n", dev->element);
            continue;
        }
        g_string_append_printf(xml, "    <%s supported='yes'>\n", dev->element);
        for (size_t j = 0; j < G_N_ELEMENTS(dev->enums) && dev->enums[j].name; j++)
            add_enum(xml, "      ", dev->enums[j].name, dev->enums[j].values);
        g_string_append_printf(xml, "    </%s>\n", dev->element);
    }
    /* <tpm><backend type='emulator'>: swtpm runs it (qemu-tpm.c) */
    if (program_exists("swtpm") && program_exists("swtpm_setup")) {
        g_string_append(xml, "    <tpm supported='yes'>\n");
        add_enum(xml, "      ", "model", tpm_models);
        add_enum(xml, "      ", "backendModel", tpm_backends);
        add_enum(xml, "      ", "backendVersion", tpm_versions);
        g_string_append(xml, "    </tpm>\n");
    } else {
        g_string_append(xml, "    <tpm supported='no'/>\n");
    }
    g_string_append(xml, "  </devices>\n");
    g_string_append(xml, "  <features>\n");
    g_string_append(xml, "    <gic supported='no'/>\n");
    g_string_append(xml, "    <vmcoreinfo supported='no'/>\n");
    g_string_append(xml, "    <genid supported='no'/>\n");
    g_string_append(xml, "    <sev supported='no'/>\n");
    g_string_append(xml, "  </features>\n");
    g_string_append(xml, "</domainCapabilities>\n");
    return g_string_free(xml, FALSE);
}

bool
mv_qemu_handle_connect_get_domain_capabilities(MvDriverCall *call,
                                               const char *emulator,
                                               const char *arch,
                                               const char *machine_name,
                                               const char *virttype,
                                               unsigned int flags,
                                               char **ret_capabilities,
                                               GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    const MvQemuMachine *machine;

    if (!mv_qemu_dispatch_check_flags(flags, 0, "virConnectGetDomainCapabilities",
                                      error) ||
        !mv_qemu_driver_need_probe(driver, error))
        return false;
    if (emulator && g_strcmp0(emulator, driver->probe->binary) != 0)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                            "emulator '%s' is not served here: use %s", emulator,
                            driver->probe->binary);
    if (arch && !g_str_equal(arch, "x86_64"))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                            "architecture '%s' is not served here: use x86_64", arch);
    if (!virttype)
        virttype = driver->kvm_available ? "kvm" : "qemu";
    if (!g_str_equal(virttype, "kvm") && !g_str_equal(virttype, "qemu"))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                            "unknown virttype '%s': use kvm or qemu", virttype);
    if (g_str_equal(virttype, "kvm") && !driver->kvm_available)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "KVM is not available on this host (/dev/kvm): use virttype qemu");
    machine = machine_name ? mv_qemu_probe_find_machine(driver->probe, machine_name)
                           : mv_qemu_probe_get_default_machine(driver->probe);
    if (!machine)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                            "machine '%s' is not supported by %s", machine_name ? machine_name : "",
                            driver->probe->binary);
    if (machine->canonical)     /* an alias ("pc"): describe the machine it stands for */
        machine = mv_qemu_probe_find_machine(driver->probe, machine->canonical) ?: machine;
    *ret_capabilities = format_domcaps(driver->probe, machine, virttype,
                                       g_str_equal(virttype, "kvm"));
    return true;
}

