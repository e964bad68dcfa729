/* The QEMU command line of a domain: every -device with its backend
 * (-blockdev, -netdev, -chardev, -object). Device ids are libvirt's aliases
 * (see qemu-command.h). */
#include "qemu-command.h"
#include "qemu-command-priv.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

/* ---- controllers ------------------------------------------------------------ */

static bool
def_has_controller(const MvDomainDef *def, const char *type, int index)
{
    for (size_t i = 0; i < def->ncontrollers; i++) {
        if (g_str_equal(def->controllers[i]->type, type)
            && (index < 0 || def->controllers[i]->index == index))
            return true;
    }
    return false;
}

int
qemu_command_virtio_serial_index(const MvDomainDef *def)
{
    int best = -1;

    for (size_t i = 0; i < def->ncontrollers; i++) {
        const MvDomainControllerDef *c = def->controllers[i];

        if (g_str_equal(c->type, "virtio-serial") && (best < 0 || c->index < best))
            best = c->index;
    }
    return best < 0 ? 0 : best;
}

static bool
input_needs_usb(const MvDomainInputDef *input)
{
    return input->bus && g_str_equal(input->bus, "usb");
}

static bool
serial_needs_usb(const MvDomainChrDef *chr)
{
    return chr->target_type && g_str_equal(chr->target_type, "usb-serial");
}

static bool
controller_add_usb(QemuCmd *cmd, const MvDomainControllerDef *c, GError **error)
{
    static const struct { const char *model, *device; } models[] = {
        { "piix3-uhci", "piix3-usb-uhci" },
        { "piix4-uhci", "piix4-usb-uhci" },
        { "qemu-xhci", "qemu-xhci" },
        { "nec-xhci", "nec-usb-xhci" },
        { "ich9-ehci1", "ich9-usb-ehci1" },
        { "ich9-uhci1", "ich9-usb-uhci1" },
        { "ich9-uhci2", "ich9-usb-uhci2" },
        { "ich9-uhci3", "ich9-usb-uhci3" },
    };
    const char *model = c ? c->model : NULL;
    const char *device = NULL;
    int index = c ? c->index : 0;
    GString *buf;

    if (!model)
        model = cmd->q35 ? "qemu-xhci" : "piix3-uhci";
    if (g_str_equal(model, "none")) {
        cmd->usb_none = true;
        return true;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(models); i++) {
        if (g_str_equal(models[i].model, model))
            device = models[i].device;
    }
    if (!device)
        return qemu_command_unsupported(error, "USB controller %d: model '%s' is not supported "
                           "(qemu-xhci, nec-xhci, piix3-uhci, piix4-uhci, ich9-ehci1, "
                           "ich9-uhci1-3, none are)",
                           index, model);
    if (c && c->master_startport >= 0 && !g_str_has_prefix(model, "ich9-uhci"))
        return qemu_command_unsupported(error, "USB controller %d: model '%s' cannot be a "
                                        "companion (<master startport>): only ich9-uhci1-3 can",
                                        index, model);
    buf = g_string_new(device);
    if (c && c->master_startport >= 0) {
        /* a companion: its ports are the master's (id usb / usbN, bus usb.0 / usbN.0) */
        g_string_append_printf(buf, ",id=usb%d-companion%d,masterbus=usb", index,
                               c->master_startport);
        if (index != 0)
            g_string_append_printf(buf, "%d", index);
        g_string_append_printf(buf, ".0,firstport=%d", c->master_startport);
    } else if (index == 0) {
        g_string_append(buf, ",id=usb");
    } else {
        g_string_append_printf(buf, ",id=usb%d", index);
    }
    if (c && c->ports >= 0) {
        if (!g_str_has_suffix(device, "xhci")) {
            g_string_free(buf, TRUE);
            return qemu_command_unsupported(error,
                                            "USB controller %d: only xhci controllers have a "
                                            "configurable number of ports",
                                            index);
        }
        g_string_append_printf(buf, ",p2=%d,p3=%d", c->ports, c->ports);
    }
    if (!qemu_command_add_pci_address(cmd, buf, c ? &c->address : NULL, "USB controller",
                                      error)) {
        g_string_free(buf, TRUE);
        return false;
    }
    qemu_command_add_take(cmd, "-device", buf);
    return true;
}

static bool
controller_add_pci(QemuCmd *cmd, const MvDomainControllerDef *c, GError **error)
{
    const char *model = c->model;
    GString *buf;

    if (c->index == 0) {
        const char *root = cmd->q35 ? "pcie-root" : "pci-root";

        if (model && !g_str_equal(model, root))
            return qemu_command_unsupported(
                error, "PCI controller 0 must be '%s' on this machine, not '%s'", root, model);
        return true;    /* built into the machine */
    }
    if (!model || g_str_equal(model, "pci-root") || g_str_equal(model, "pcie-root"))
        return qemu_command_unsupported(
            error, "PCI controller %d: only controller 0 can be a root bus", c->index);
    buf = g_string_new(NULL);
    if (g_str_equal(model, "pci-bridge")) {
        g_string_append_printf(buf, "pci-bridge,chassis_nr=%d", c->index);
    } else if (!cmd->q35) {
        g_string_free(buf, TRUE);
        return qemu_command_unsupported(error, "PCI controller %d: model '%s' needs a q35 machine",
                           c->index, model);
    } else if (g_str_equal(model, "pcie-root-port")) {
        g_string_append_printf(buf, "pcie-root-port,port=%d,chassis=%d", c->index, c->index);
    } else if (g_str_equal(model, "pcie-switch-downstream-port")) {
        g_string_append_printf(buf, "xio3130-downstream,port=%d,chassis=%d", c->index, c->index);
    } else if (g_str_equal(model, "pcie-switch-upstream-port")) {
        g_string_append(buf, "x3130-upstream");
    } else if (g_str_equal(model, "dmi-to-pci-bridge")) {
        g_string_append(buf, "i82801b11-bridge");
    } else if (g_str_equal(model, "pcie-to-pci-bridge")) {
        g_string_append(buf, "pcie-pci-bridge");
    } else {
        g_string_free(buf, TRUE);
        return qemu_command_unsupported(error, "PCI controller %d: model '%s' is not supported",
                           c->index, model);
    }
    g_string_append_printf(buf, ",id=pci.%d", c->index);
    if (!qemu_command_add_pci_address(cmd, buf, &c->address, "PCI controller", error)) {
        g_string_free(buf, TRUE);
        return false;
    }
    qemu_command_add_take(cmd, "-device", buf);
    return true;
}

/* sata, scsi, virtio-serial (explicit when @c is set, else implicit at @index) */
static bool
controller_add_other(QemuCmd *cmd, const char *type, const MvDomainControllerDef *c, int index,
                     GError **error)
{
    g_autofree char *what = g_strdup_printf("%s controller %d", type, index);
    GString *buf;

    if (g_str_equal(type, "sata")) {
        if (cmd->q35 && index == 0)
            return true;    /* q35's built-in AHCI, bus "ide" */
        buf = g_string_new(NULL);
        g_string_append_printf(buf, "ich9-ahci,id=sata%d", index);
    } else if (g_str_equal(type, "scsi")) {
        const char *model = c && c->model ? c->model : "virtio-scsi";

        buf = g_string_new(NULL);
        if (g_str_equal(model, "virtio-scsi"))
            g_string_append(buf, "virtio-scsi-pci");
        else if (g_str_equal(model, "lsilogic"))
            g_string_append(buf, "lsi53c895a");
        else
            return qemu_command_unsupported(
                error, "%s: model '%s' is not supported (virtio-scsi, lsilogic are)", what, model);
        g_string_append_printf(buf, ",id=scsi%d", index);
    } else if (g_str_equal(type, "virtio-serial")) {
        buf = g_string_new(NULL);
        g_string_append_printf(buf, "virtio-serial-pci,id=virtio-serial%d", index);
        if (c && c->ports >= 0)
            g_string_append_printf(buf, ",max_ports=%d", c->ports);
        if (c && c->vectors >= 0)
            g_string_append_printf(buf, ",vectors=%d", c->vectors);
    } else if (g_str_equal(type, "ide")) {
        if (cmd->q35)
            return qemu_command_unsupported(error, "%s: the q35 machine has no IDE controller "
                               "(use a sata controller)", what);
        if (index != 0)
            return qemu_command_unsupported(
                error, "%s: the pc machine has one built-in IDE controller", what);
        return true;        /* built into PIIX */
    } else {
        return qemu_command_unsupported(error, "controller type '%s' is not supported", type);
    }
    if (!qemu_command_add_pci_address(cmd, buf, c ? &c->address : NULL, what, error)) {
        g_string_free(buf, TRUE);
        return false;
    }
    qemu_command_add_take(cmd, "-device", buf);
    return true;
}

bool
qemu_command_devices_add_controllers(QemuCmd *cmd, GError **error)
{
    const MvDomainDef *def = cmd->def;
    bool need_usb = false;

    /* PCI buses first, in index order: devices below may sit on them. */
    for (int index = 0; index < 256; index++) {
        for (size_t i = 0; i < def->ncontrollers; i++) {
            const MvDomainControllerDef *c = def->controllers[i];

            if (c->index == index && g_str_equal(c->type, "pci")
                && !controller_add_pci(cmd, c, error))
                return false;
        }
    }
    for (size_t i = 0; i < def->ncontrollers; i++) {
        const MvDomainControllerDef *c = def->controllers[i];

        if (g_str_equal(c->type, "pci"))
            continue;
        if (c->index < 0)
            return qemu_command_unsupported(error, "%s controller: index %d is invalid", c->type,
                                            c->index);
        if (g_str_equal(c->type, "usb")) {
            if (!controller_add_usb(cmd, c, error))
                return false;
        } else if (!controller_add_other(cmd, c->type, c, c->index, error)) {
            return false;
        }
    }

    /* Implicit controllers, as libvirt adds them: a USB controller when a USB
     * device exists, the disk controllers the disks' addresses name, one
     * virtio-serial for virtio consoles and channels. */
    for (size_t i = 0; i < def->ninputs; i++)
        need_usb |= input_needs_usb(def->inputs[i]);
    need_usb |= def->nredirdevs > 0;
    for (size_t i = 0; i < def->ndisks; i++)
        need_usb |= def->disks[i]->bus == MV_DOMAIN_DISK_BUS_USB;
    for (size_t i = 0; i < def->nserials; i++)
        need_usb |= serial_needs_usb(def->serials[i]);
    if (need_usb && !def_has_controller(def, "usb", -1) && !controller_add_usb(cmd, NULL, error))
        return false;

    for (size_t i = 0; i < def->ndisks; i++) {
        const MvDomainDiskDef *disk = def->disks[i];
        g_autofree char *alias = NULL;
        const char *type = disk->bus == MV_DOMAIN_DISK_BUS_SATA ? "sata"
                           : disk->bus == MV_DOMAIN_DISK_BUS_SCSI ? "scsi" : NULL;
        unsigned int ctrl;

        if (!type)
            continue;
        if (!(alias = mv_qemu_command_disk_alias(disk, error)))
            return false;
        /* the alias starts with "<type><controller>" */
        ctrl = (unsigned int)strtoul(alias + strlen(type), NULL, 10);
        if (!def_has_controller(def, type, (int)ctrl)) {
            bool earlier = false;

            for (size_t j = 0; j < i; j++) {
                g_autofree char *other = NULL;

                if (def->disks[j]->bus != disk->bus)
                    continue;
                other = mv_qemu_command_disk_alias(def->disks[j], NULL);
                earlier |= other && strtoul(other + strlen(type), NULL, 10) == ctrl;
            }
            if (!earlier && !controller_add_other(cmd, type, NULL, (int)ctrl, error))
                return false;
        }
    }

    for (size_t i = 0; i < def->nconsoles; i++) {
        const char *t = def->consoles[i]->target_type;

        cmd->need_virtio_serial |= t && g_str_equal(t, "virtio");
    }
    if (def->nchannels)
        cmd->need_virtio_serial = true;
    if (cmd->need_virtio_serial && !def_has_controller(def, "virtio-serial", -1)
        && !controller_add_other(cmd, "virtio-serial", NULL, 0, error))
        return false;
    return true;
}

/* ---- disks ------------------------------------------------------------------ */

typedef struct {
    unsigned int controller, bus, target, unit;
} DiskAddr;

/* "vdb" -> 1, "sdaa" -> 26: the letters after the two-letter prefix, base 26
 * without a zero digit. */
static bool
disk_name_to_index(const char *name, unsigned int *ret_index)
{
    unsigned long index = 0;
    const char *p;

    if (!name || strlen(name) < 3 || strlen(name) > 6
        || (!g_str_has_prefix(name, "vd") && !g_str_has_prefix(name, "sd")
            && !g_str_has_prefix(name, "hd") && !g_str_has_prefix(name, "fd")))
        return false;
    for (p = name + 2; *p; p++) {
        if (*p < 'a' || *p > 'z')
            return false;
        index = index * 26 + (unsigned long)(*p - 'a' + 1);
    }
    *ret_index = (unsigned int)(index - 1);
    return true;
}

static bool
disk_get_address(const MvDomainDiskDef *disk, DiskAddr *ret_addr, GError **error)
{
    const MvDomainDeviceAddress *a = &disk->address;
    DiskAddr addr = { 0 };
    unsigned int index;

    if (!disk_name_to_index(disk->target_dev, &index))
        return qemu_command_unsupported(error,
                                        "disk '%s': the target name is not a valid disk name "
                                        "(like vda, sdb, hdc)",
                                        disk->target_dev ? disk->target_dev : "");
    if (a->type && g_str_equal(a->type, "drive")) {
        if (disk->bus == MV_DOMAIN_DISK_BUS_VIRTIO)
            return qemu_command_unsupported(error, "disk '%s': a virtio disk has a PCI address, "
                               "not a drive address", disk->target_dev);
        addr = (DiskAddr) { a->controller, a->bus, a->target, a->unit };
    } else if (a->type && !g_str_equal(a->type, "pci")) {
        return qemu_command_unsupported(error, "disk '%s': address type '%s' is not supported",
                           disk->target_dev, a->type);
    } else if (a->type && disk->bus != MV_DOMAIN_DISK_BUS_VIRTIO) {
        return qemu_command_unsupported(error, "disk '%s': only virtio disks have a PCI address",
                           disk->target_dev);
    } else {
        switch (disk->bus) {
        case MV_DOMAIN_DISK_BUS_VIRTIO:
            addr.unit = index;
            break;
        case MV_DOMAIN_DISK_BUS_SATA:     /* six ports per AHCI controller */
            addr = (DiskAddr) { index / 6, 0, 0, index % 6 };
            break;
        case MV_DOMAIN_DISK_BUS_IDE:      /* two buses of master + slave */
            addr = (DiskAddr) { index / 4, (index % 4) / 2, 0, index % 2 };
            break;
        case MV_DOMAIN_DISK_BUS_SCSI:
            addr = (DiskAddr) { index / 7, 0, 0, index % 7 };
            break;
        case MV_DOMAIN_DISK_BUS_USB:
            addr.unit = index;
            break;
        case MV_DOMAIN_DISK_BUS_FDC:
            addr = (DiskAddr) { 0, 0, 0, index };
            break;
        }
    }
    if (disk->bus == MV_DOMAIN_DISK_BUS_SATA && (addr.bus != 0 || addr.unit > 5))
        return qemu_command_unsupported(
            error, "disk '%s': a SATA drive address needs bus 0 and unit 0-5", disk->target_dev);
    if (disk->bus == MV_DOMAIN_DISK_BUS_IDE && (addr.controller != 0 || addr.bus > 1
                                                || addr.unit > 1))
        return qemu_command_unsupported(error,
                                        "disk '%s': an IDE drive address needs controller 0, "
                                        "bus 0-1 and unit 0-1",
                                        disk->target_dev);
    if (disk->bus == MV_DOMAIN_DISK_BUS_FDC && (addr.controller || addr.bus || addr.unit > 1))
        return qemu_command_unsupported(error, "disk '%s': the floppy controller has units 0-1 "
                                        "(fda, fdb)", disk->target_dev);
    if (disk->bus == MV_DOMAIN_DISK_BUS_SCSI && (addr.bus != 0 || addr.unit > 16383))
        return qemu_command_unsupported(error, "disk '%s': a SCSI drive address needs bus 0",
                           disk->target_dev);
    *ret_addr = addr;
    return true;
}

char *
mv_qemu_command_disk_alias(const MvDomainDiskDef *disk, GError **error)
{
    DiskAddr a = { 0 };

    if (!disk_get_address(disk, &a, error))
        return NULL;
    switch (disk->bus) {
    case MV_DOMAIN_DISK_BUS_VIRTIO:
        return g_strdup_printf("virtio-disk%u", a.unit);
    case MV_DOMAIN_DISK_BUS_SATA:
        return g_strdup_printf("sata%u-0-%u", a.controller, a.unit);
    case MV_DOMAIN_DISK_BUS_IDE:
        return g_strdup_printf("ide%u-%u-%u", a.controller, a.bus, a.unit);
    case MV_DOMAIN_DISK_BUS_SCSI:
        return g_strdup_printf("scsi%u-0-%u-%u", a.controller, a.target, a.unit);
    case MV_DOMAIN_DISK_BUS_USB:
        return g_strdup_printf("usb-disk%u", a.unit);
    case MV_DOMAIN_DISK_BUS_FDC:
        return g_strdup_printf("fdc0-0-%u", a.unit);
    }
    qemu_command_unsupported(error, "disk '%s': unknown bus", disk->target_dev);
    return NULL;
}

static bool
scsi_controller_is_lsi(const MvDomainDef *def, unsigned int index)
{
    for (size_t i = 0; i < def->ncontrollers; i++) {
        const MvDomainControllerDef *c = def->controllers[i];

        if (g_str_equal(c->type, "scsi") && c->index == (int)index)
            return c->model && g_str_equal(c->model, "lsilogic");
    }
    return false;
}

/* <driver cache=…> -> the block nodes' cache option and the device's write-cache. */
static bool
disk_cache_options(const MvDomainDiskDef *disk, const char **ret_node, const char **ret_wce,
                   GError **error)
{
    static const struct { const char *name, *node, *wce; } modes[] = {
        { "none", "cache.direct", "on" },
        { "writeback", NULL, "on" },
        { "writethrough", NULL, "off" },
        { "directsync", "cache.direct", "off" },
        { "unsafe", "cache.no-flush", "on" },
    };

    *ret_node = NULL;
    *ret_wce = NULL;
    if (!disk->driver_cache || g_str_equal(disk->driver_cache, "default"))
        return true;
    for (size_t i = 0; i < G_N_ELEMENTS(modes); i++) {
        if (g_str_equal(modes[i].name, disk->driver_cache)) {
            *ret_node = modes[i].node;
            *ret_wce = modes[i].wce;
            return true;
        }
    }
    return qemu_command_unsupported(error, "disk '%s': cache mode '%s' is not supported",
                                    disk->target_dev, disk->driver_cache);
}

/* One block node: driver first, then @file_key=@file, node-name, cache, read-only,
 * discard (<driver discard>: whether the guest's discards reach the file). */
static MvQemuProps *
disk_node_props(const char *driver, const char *file_key, const char *file,
                const char *alias, const char *suffix, const char *cache_node, bool readonly,
                const char *discard)
{
    MvQemuProps *props = mv_qemu_props_new();

    mv_qemu_props_add_str(props, "driver", driver);
    mv_qemu_props_add_str(props, file_key, file);
    mv_qemu_props_add_strf(props, "node-name", "%s-%s", alias, suffix);
    if (cache_node)
        mv_qemu_props_add_bool(props, cache_node, true);
    if (readonly)
        mv_qemu_props_add_bool(props, "read-only", true);
    if (discard)
        mv_qemu_props_add_str(props, "discard", discard);
    return props;
}

void
mv_qemu_disk_props_clear(MvQemuDiskProps *props)
{
    g_clear_pointer(&props->storage, mv_qemu_props_free);
    g_clear_pointer(&props->format, mv_qemu_props_free);
    g_clear_pointer(&props->device, mv_qemu_props_free);
}

/* The properties of @disk. @cmd places PCI devices on the command line; NULL
 * (hot-plug) leaves the placement to QEMU. */
/* bus/addr of a PCI device: from the command line's builder (@cmd), or for a
 * hot-plug (@cmd NULL) the explicit address only (none: QEMU places it). */
static bool
device_pci_address_props(QemuCmd *cmd, bool q35, MvQemuProps *p,
                         const MvDomainDeviceAddress *addr, const char *what, GError **error)
{
    QemuCmd live = { .q35 = q35, .root_bus = q35 ? "pcie.0" : "pci.0" };

    if (cmd)
        return qemu_command_pci_address_props(cmd, p, addr, what, error);
    if (!addr->type)
        return true;
    return qemu_command_pci_address_props(&live, p, addr, what, error);
}

static bool
disk_props(QemuCmd *cmd, const MvDomainDef *def, bool q35, const MvDomainDiskDef *disk,
           MvQemuDiskProps *ret, GError **error)
{
    /* the formats schemas/domain.rng accepts */
    static const char *const formats[] = { "raw", "qcow2", NULL };
    const char *dev = disk->target_dev;
    const char *format = disk->driver_type   ? disk->driver_type
                         : disk->source_format ? disk->source_format
                                               : "raw";
    bool cdrom = disk->device == MV_DOMAIN_DISK_DEVICE_CDROM;
    bool readonly = disk->readonly || cdrom;
    const char *cache_node, *wce;
    g_autofree char *alias = NULL;
    g_auto(MvQemuDiskProps) out = { 0 };
    MvQemuProps *p;
    DiskAddr a = { 0 };

    if (!(alias = mv_qemu_command_disk_alias(disk, error)) || !disk_get_address(disk, &a, error))
        return false;
    if (disk->driver_name && !g_str_equal(disk->driver_name, "qemu"))
        return qemu_command_unsupported(error, "disk '%s': driver '%s' is not supported "
                                        "(use 'qemu')", dev, disk->driver_name);
    /* qemu-storage.c gives a volume disk its path and format before this */
    if (disk->type == MV_DOMAIN_DISK_SOURCE_VOLUME && disk->source_volume && !disk->source)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                            "disk '%s': volume '%s' of pool '%s' was not resolved to a path",
                            dev, disk->source_volume, disk->source_pool);
    if (!disk->driver_type && disk->source_format && !g_strv_contains(formats, format))
        return qemu_command_unsupported(error, "disk '%s': volume '%s' of pool '%s' has format "
                                        "'%s', which qemud cannot open (raw and qcow2 can be "
                                        "disks)", dev, disk->source_volume, disk->source_pool,
                                        format);
    if (!g_strv_contains(formats, format))
        return qemu_command_unsupported(error, "disk '%s': format '%s' is not supported", dev,
                                        format);
    if (disk->shareable && !g_str_equal(format, "raw"))
        return qemu_command_unsupported(error, "disk '%s': shareable disks must use raw format",
                                        dev);
    if (!disk_cache_options(disk, &cache_node, &wce, error))
        return false;
    if (cdrom && disk->bus == MV_DOMAIN_DISK_BUS_VIRTIO)
        return qemu_command_unsupported(error, "disk '%s': a cdrom cannot be on the virtio bus "
                                        "(use sata, scsi or ide)", dev);
    if (!disk->source && !cdrom)
        return qemu_command_unsupported(error, "disk '%s' has no source", dev);
    if (disk->bus == MV_DOMAIN_DISK_BUS_IDE && q35)
        return qemu_command_unsupported(error, "disk '%s': the q35 machine has no IDE bus "
                                        "(use bus='sata')", dev);
    if (disk->bus == MV_DOMAIN_DISK_BUS_FDC && q35)
        return qemu_command_unsupported(error, "disk '%s': the q35 machine has no floppy "
                                        "controller (use an i440fx 'pc' machine)", dev);
    if (disk->bus == MV_DOMAIN_DISK_BUS_USB && cmd && cmd->usb_none)
        return qemu_command_unsupported(error, "disk '%s': a USB disk needs a USB controller "
                                        "(not model 'none')", dev);
    /* QEMU's IDE/AHCI hard disk refuses read-only images */
    if (disk->readonly && !cdrom
        && (disk->bus == MV_DOMAIN_DISK_BUS_IDE || disk->bus == MV_DOMAIN_DISK_BUS_SATA))
        return qemu_command_unsupported(error, "disk '%s': read-only IDE and SATA disks are not "
                                        "supported (use virtio or scsi)", dev);

    if (disk->source) {
        bool block = disk->type == MV_DOMAIN_DISK_SOURCE_BLOCK ||
                     (disk->type == MV_DOMAIN_DISK_SOURCE_VOLUME && disk->source_block);
        const char *driver = !block ? "file" : cdrom ? "host_cdrom" : "host_device";
        g_autofree char *storage = g_strdup_printf("%s-storage", alias);

        out.storage = disk_node_props(driver, "filename", disk->source, alias, "storage",
                                      cache_node, readonly, disk->driver_discard);
        out.format = disk_node_props(format, "file", storage, alias, "format", cache_node,
                                     readonly, disk->driver_discard);
    }

    if (disk->iothread && disk->bus != MV_DOMAIN_DISK_BUS_VIRTIO)
        return qemu_command_unsupported(error, "disk '%s': only virtio disks can run in an "
                                        "IOThread (<driver iothread='%u'/>)", dev,
                                        disk->iothread);
    p = out.device = mv_qemu_props_new();
    switch (disk->bus) {
    case MV_DOMAIN_DISK_BUS_VIRTIO:
        mv_qemu_props_add_str(p, "driver", "virtio-blk-pci");
        if (disk->iothread)
            mv_qemu_props_add_strf(p, "iothread", "iothread%u", disk->iothread);
        if (!device_pci_address_props(cmd, q35, p, &disk->address, dev, error))
            return false;
        break;
    case MV_DOMAIN_DISK_BUS_SATA:
        mv_qemu_props_add_str(p, "driver", cdrom ? "ide-cd" : "ide-hd");
        if (q35 && a.controller == 0)
            mv_qemu_props_add_strf(p, "bus", "ide.%u", a.unit);
        else
            mv_qemu_props_add_strf(p, "bus", "sata%u.%u", a.controller, a.unit);
        break;
    case MV_DOMAIN_DISK_BUS_IDE:
        mv_qemu_props_add_str(p, "driver", cdrom ? "ide-cd" : "ide-hd");
        mv_qemu_props_add_strf(p, "bus", "ide.%u", a.bus);
        mv_qemu_props_add_uint(p, "unit", a.unit);
        break;
    case MV_DOMAIN_DISK_BUS_SCSI:
        mv_qemu_props_add_str(p, "driver", cdrom ? "scsi-cd" : "scsi-hd");
        mv_qemu_props_add_strf(p, "bus", "scsi%u.0", a.controller);
        /* the LSI adapter has no LUNs: the unit is the target id (0-6) */
        if (scsi_controller_is_lsi(def, a.controller)) {
            if (a.target != 0 || a.unit > 6)
                return qemu_command_unsupported(error, "disk '%s': an lsilogic controller "
                                                "takes target 0 and units 0-6", dev);
            mv_qemu_props_add_uint(p, "scsi-id", a.unit);
        } else {
            mv_qemu_props_add_uint(p, "channel", 0);
            mv_qemu_props_add_uint(p, "scsi-id", a.target);
            mv_qemu_props_add_uint(p, "lun", a.unit);
        }
        break;
    case MV_DOMAIN_DISK_BUS_USB:
        mv_qemu_props_add_str(p, "driver", "usb-storage");
        mv_qemu_props_add_str(p, "bus", "usb.0");
        break;
    case MV_DOMAIN_DISK_BUS_FDC:
        mv_qemu_props_add_str(p, "driver", "floppy");
        mv_qemu_props_add_uint(p, "unit", a.unit);
        break;
    }
    if (disk->source)
        mv_qemu_props_add_strf(p, "drive", "%s-format", alias);
    mv_qemu_props_add_str(p, "id", alias);
    if (disk->serial)
        mv_qemu_props_add_str(p, "serial", disk->serial);
    if (disk->boot_order)
        mv_qemu_props_add_uint(p, "bootindex", disk->boot_order);
    if (disk->shareable)
        mv_qemu_props_add_bool(p, "share-rw", true);
    if (wce && disk->source)
        mv_qemu_props_add_str(p, "write-cache", wce);
    *ret = out;
    out = (MvQemuDiskProps) { 0 };
    return true;
}

static bool
def_is_q35(const MvDomainDef *def)
{
    return def->os.machine && (g_str_has_prefix(def->os.machine, "pc-q35-") ||
                               g_str_equal(def->os.machine, "q35"));
}

bool
mv_qemu_command_disk_props(const MvDomainDef *def, const MvDomainDiskDef *disk,
                           MvQemuDiskProps *ret, GError **error)
{
    return disk_props(NULL, def, def_is_q35(def), disk, ret, error);
}

static void
mark_bus(guint8 *used, size_t n, const MvDomainDeviceAddress *addr)
{
    if (addr->type && g_str_equal(addr->type, "pci") && addr->domain == 0 && addr->bus < n)
        used[addr->bus] = 1;
}

bool
mv_qemu_command_hotplug_address(const MvDomainDef *live, MvDomainDeviceAddress *addr,
                                const char *what, GError **error)
{
    guint8 used[256] = { 0 };

    if (addr->type || !def_is_q35(live))
        return true;
    for (size_t i = 0; i < live->ndisks; i++)
        mark_bus(used, sizeof(used), &live->disks[i]->address);
    for (size_t i = 0; i < live->ncontrollers; i++)
        mark_bus(used, sizeof(used), &live->controllers[i]->address);
    for (size_t i = 0; i < live->nnets; i++)
        mark_bus(used, sizeof(used), &live->nets[i]->address);
    for (size_t i = 0; i < live->nvideos; i++)
        mark_bus(used, sizeof(used), &live->videos[i]->address);
    for (size_t i = 0; i < live->nrngs; i++)
        mark_bus(used, sizeof(used), &live->rngs[i]->address);
    if (live->memballoon)
        mark_bus(used, sizeof(used), &live->memballoon->address);
    if (live->watchdog)
        mark_bus(used, sizeof(used), &live->watchdog->address);
    for (size_t i = 0; i < live->ncontrollers; i++) {
        const MvDomainControllerDef *c = live->controllers[i];

        if (g_strcmp0(c->type, "pci") != 0 || g_strcmp0(c->model, "pcie-root-port") != 0 ||
            c->index <= 0 || (size_t)c->index >= sizeof(used) || used[c->index])
            continue;
        g_free(addr->type);
        *addr = (MvDomainDeviceAddress) { .type = g_strdup("pci"), .bus = (guint)c->index };
        return true;
    }
    return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                        "%s: no free pcie-root-port to hot-plug it into (a q35 guest's root "
                        "bus pcie.0 cannot hot-plug): add a <controller type='pci' "
                        "model='pcie-root-port'/> to its persistent config and restart it",
                        what);
}

static void
command_add_props(QemuCmd *cmd, const char *opt, const MvQemuProps *props, bool bare_first)
{
    GString *buf = g_string_new(NULL);

    mv_qemu_props_format(props, bare_first, buf);
    qemu_command_add_take(cmd, opt, buf);
}

static bool
disk_add(QemuCmd *cmd, const MvDomainDiskDef *disk, GError **error)
{
    g_auto(MvQemuDiskProps) props = { 0 };

    if (!disk_props(cmd, cmd->def, cmd->q35, disk, &props, error))
        return false;
    if (props.storage) {
        command_add_props(cmd, "-blockdev", props.storage, false);
        command_add_props(cmd, "-blockdev", props.format, false);
    }
    command_add_props(cmd, "-device", props.device, true);
    return true;
}

bool
qemu_command_devices_add_disks(QemuCmd *cmd, GError **error)
{
    for (size_t i = 0; i < cmd->def->ndisks; i++) {
        if (!disk_add(cmd, cmd->def->disks[i], error))
            return false;
    }
    return true;
}

/* ---- network interfaces ----------------------------------------------------- */

void
mv_qemu_net_props_clear(MvQemuNetProps *props)
{
    g_clear_pointer(&props->netdev, mv_qemu_props_free);
    g_clear_pointer(&props->device, mv_qemu_props_free);
}

/* The properties of interface @i. @cmd places PCI devices on the command line;
 * NULL (hot-plug) leaves the placement to QEMU. */
static bool
net_props(QemuCmd *cmd, const MvDomainNetDef *net, size_t i, const char *fd, MvQemuNetProps *ret,
          GError **error)
{
    static const struct { const char *model, *device; } models[] = {
        { "virtio", "virtio-net-pci" },
        { "virtio-transitional", "virtio-net-pci-transitional" },
        { "virtio-non-transitional", "virtio-net-pci-non-transitional" },
        { "e1000", "e1000" },
        { "e1000e", "e1000e" },
        { "rtl8139", "rtl8139" },
        { "ne2k_pci", "ne2k_pci" },
        { "pcnet", "pcnet" },
        { "vmxnet3", "vmxnet3" },
    };
    /* no model: libvirt's x86 default is rtl8139 (guests have a driver for it) */
    const char *model = net->model ? net->model : "rtl8139";
    const char *device = NULL;
    g_autofree char *what = g_strdup_printf("interface %zu", i);
    g_auto(MvQemuNetProps) out = { 0 };
    MvQemuProps *p;

    for (size_t m = 0; m < G_N_ELEMENTS(models); m++) {
        if (g_str_equal(models[m].model, model))
            device = models[m].device;
    }
    if (!device)
        return qemu_command_unsupported(error, "%s: model '%s' is not supported", what, model);

    p = out.netdev = mv_qemu_props_new();
    switch (net->type) {
    case MV_DOMAIN_NET_USER:
        mv_qemu_props_add_str(p, "type", "user");
        break;
    case MV_DOMAIN_NET_ETHERNET:
        mv_qemu_props_add_str(p, "type", "tap");
        if (fd) {
            mv_qemu_props_add_str(p, "fd", fd);
        } else if (net->target_dev) {
            mv_qemu_props_add_str(p, "ifname", net->target_dev);
            mv_qemu_props_add_str(p, "script", "no");
            mv_qemu_props_add_str(p, "downscript", "no");
        } else {
            return qemu_command_unsupported(error, "%s: type 'ethernet' needs <target dev='…'/> "
                                            "naming an existing tap device", what);
        }
        break;
    case MV_DOMAIN_NET_NETWORK:
    case MV_DOMAIN_NET_BRIDGE:
        if (!fd)
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                                "interface %zu (%s '%s') needs the fd of its tap device, "
                                "and none was passed", i,
                                net->type == MV_DOMAIN_NET_NETWORK ? "network" : "bridge",
                                net->source ? net->source : "");
        mv_qemu_props_add_str(p, "type", "tap");
        mv_qemu_props_add_str(p, "fd", fd);
        break;
    }
    /* never vhost=on: /dev/vhost-net does not exist on our hosts */
    mv_qemu_props_add_strf(p, "id", "hostnet%zu", i);

    p = out.device = mv_qemu_props_new();
    mv_qemu_props_add_str(p, "driver", device);
    mv_qemu_props_add_strf(p, "netdev", "hostnet%zu", i);
    mv_qemu_props_add_strf(p, "id", "net%zu", i);
    mv_qemu_props_add_strf(p, "mac", "%02x:%02x:%02x:%02x:%02x:%02x", net->mac[0], net->mac[1],
                           net->mac[2], net->mac[3], net->mac[4], net->mac[5]);
    /* hot-plug: only an address behind a bridge or port (the root bus is left to QEMU) */
    if ((cmd || (net->address.type && net->address.bus != 0)) &&
        !device_pci_address_props(cmd, false, p, &net->address, what, error))
        return false;
    if (net->mtu && g_str_has_prefix(device, "virtio-net"))
        mv_qemu_props_add_uint(p, "host_mtu", net->mtu);    /* the guest learns it */
    if (net->boot_order)
        mv_qemu_props_add_uint(p, "bootindex", net->boot_order);
    *ret = out;
    out = (MvQemuNetProps) { 0 };
    return true;
}

bool
mv_qemu_command_net_props(const MvDomainNetDef *net, size_t index, const char *tap_fd,
                          MvQemuNetProps *ret, GError **error)
{
    return net_props(NULL, net, index, tap_fd, ret, error);
}

static bool
net_add(QemuCmd *cmd, const MvDomainNetDef *net, size_t i, GError **error)
{
    const MvQemuCommandContext *ctx = cmd->ctx;
    int fd = i < ctx->ntap_fds && ctx->tap_fds ? ctx->tap_fds[i] : -1;
    g_autofree char *fd_str = fd >= 0 ? g_strdup_printf("%d", fd) : NULL;
    g_auto(MvQemuNetProps) props = { 0 };

    if (!net_props(cmd, net, i, fd_str, &props, error))
        return false;
    command_add_props(cmd, "-netdev", props.netdev, true);
    command_add_props(cmd, "-device", props.device, true);
    return true;
}

bool
qemu_command_devices_add_nets(QemuCmd *cmd, GError **error)
{
    for (size_t i = 0; i < cmd->def->nnets; i++) {
        if (!net_add(cmd, cmd->def->nets[i], i, error))
            return false;
    }
    return true;
}

/* ---- input, graphics, video ------------------------------------------------- */

bool
qemu_command_devices_add_inputs(QemuCmd *cmd, GError **error)
{
    static const struct { const char *type, *bus, *device; } devices[] = {
        { "tablet", "usb", "usb-tablet" },
        { "mouse", "usb", "usb-mouse" },
        { "keyboard", "usb", "usb-kbd" },
        { "tablet", "virtio", "virtio-tablet-pci" },
        { "mouse", "virtio", "virtio-mouse-pci" },
        { "keyboard", "virtio", "virtio-keyboard-pci" },
        { "mouse", "ps2", NULL },       /* the i8042 built into pc and q35 */
        { "keyboard", "ps2", NULL },
    };

    for (size_t i = 0; i < cmd->def->ninputs; i++) {
        const MvDomainInputDef *input = cmd->def->inputs[i];
        const char *bus = input->bus ? input->bus
                          : g_str_equal(input->type, "tablet") ? "usb" : "ps2";
        bool found = false;

        for (size_t d = 0; d < G_N_ELEMENTS(devices); d++) {
            if (!g_str_equal(devices[d].type, input->type) || !g_str_equal(devices[d].bus, bus))
                continue;
            found = true;
            if (!devices[d].device)
                break;
            if (g_str_equal(bus, "usb")) {
                if (cmd->usb_none)
                    return qemu_command_unsupported(
                        error, "input%zu: a USB %s needs a USB controller", i, input->type);
                qemu_command_addf(cmd, "-device", "%s,bus=usb.0,id=input%zu",
                                  devices[d].device, i);
            } else {
                GString *buf = g_string_new(NULL);

                g_string_append_printf(buf, "%s,id=input%zu", devices[d].device, i);
                if (!qemu_command_add_pci_address(cmd, buf, NULL, "input", error)) {
                    g_string_free(buf, TRUE);
                    return false;
                }
                qemu_command_add_take(cmd, "-device", buf);
            }
        }
        if (!found)
            return qemu_command_unsupported(error, "input%zu: a %s %s is not supported", i, bus,
                                            input->type);
    }
    return true;
}

/* "127.0.0.1" or "[::1]" for a listen address. */
static void
graphics_append_listen(GString *buf, const char *listen)
{
    if (strchr(listen, ':'))
        g_string_append_printf(buf, "[%s]", listen);
    else
        qemu_command_escape(buf, listen);
}

bool
qemu_command_devices_add_graphics(QemuCmd *cmd, GError **error)
{
    bool vnc = false, spice = false;

    for (size_t i = 0; i < cmd->def->ngraphics; i++) {
        const MvDomainGraphicsDef *g = cmd->def->graphics[i];
        const char *listen = g->listen && *g->listen ? g->listen : "127.0.0.1";
        bool autoport = g->autoport || g->port < 0;
        int port = -1;
        GString *buf;

        if (g_str_equal(g->type, "vnc")) {
            if (vnc)
                return qemu_command_unsupported(
                    error, "graphics %zu: only one VNC display is supported", i);
            vnc = true;
            if (!autoport && (g->port < 5900 || g->port > 65535))
                return qemu_command_unsupported(
                    error, "graphics %zu: VNC port %d is outside 5900-65535", i, g->port);
            buf = g_string_new(NULL);
            graphics_append_listen(buf, listen);
            /* autoport: QEMU takes the first free display from :0 (port 5900);
             * the driver reads the port back with query-vnc. */
            if (autoport)
                g_string_append(buf, ":0,to=100");
            else
                g_string_append_printf(buf, ":%d", g->port - 5900);
            if (g->passwd)
                g_string_append(buf, ",password=on");   /* set over QMP after start */
            qemu_command_add_take(cmd, "-vnc", buf);
        } else if (g_str_equal(g->type, "spice")) {
            if (spice)
                return qemu_command_unsupported(
                    error, "graphics %zu: only one SPICE display is supported", i);
            spice = true;
            /* SPICE has no "first free port" option: take one that is free now */
            if (autoport && !qemu_command_spice_free_port(listen, &port, error))
                return false;
            if (!autoport)
                port = g->port;
            if (port < 1 || port > 65535)
                return qemu_command_unsupported(error, "graphics %zu: SPICE port %d is invalid", i,
                                                port);
            if (g->has_tls_port && g->tls_port != -1)
                return qemu_command_unsupported(error, "graphics %zu: SPICE over TLS "
                                                "(tlsPort='%d') is not supported: no SPICE TLS "
                                                "certificates are configured; remove tlsPort",
                                                i, g->tls_port);
            buf = g_string_new(NULL);
            g_string_append_printf(buf, "port=%d,addr=", port);
            qemu_command_escape(buf, listen);
            if (g->image_compression)
                g_string_append_printf(buf, ",image-compression=%s", g->image_compression);
            /* with a password, ticketing stays on and the driver sets it over QMP */
            if (!g->passwd)
                g_string_append(buf, ",disable-ticketing=on");
            qemu_command_add_take(cmd, "-spice", buf);
        } else {
            return qemu_command_unsupported(
                error, "graphics %zu: type '%s' is not supported (vnc, spice are)", i, g->type);
        }
    }
    return true;
}

bool
qemu_command_devices_add_video(QemuCmd *cmd, GError **error)
{
    const MvDomainDef *def = cmd->def;
    size_t primary = 0;

    for (size_t i = 0; i < def->nvideos; i++) {
        if (def->videos[i]->primary) {
            primary = i;
            break;
        }
    }
    for (size_t i = 0; i < def->nvideos; i++) {
        const MvDomainVideoDef *v = def->videos[i];
        g_autofree char *alias = g_strdup_printf("video%zu", i);
        const char *model = v->model ? v->model : "vga";
        bool is_primary = i == primary;
        GString *buf = g_string_new(NULL);

        if (g_str_equal(model, "none")) {
            g_string_free(buf, TRUE);
            continue;
        }
        /* Only one VGA-compatible adapter: the primary one. vram is honoured
         * where QEMU has a size knob (VGA, QXL); cirrus, virtio and bochs
         * have fixed or driver-managed memory, as with libvirt. */
        if (g_str_equal(model, "vga") && is_primary) {
            g_string_append(buf, "VGA");
            if (v->vram)
                g_string_append_printf(buf, ",vgamem_mb=%u", MAX(v->vram / 1024, 1u));
        } else if (g_str_equal(model, "cirrus") && is_primary) {
            g_string_append(buf, "cirrus-vga");
        } else if (g_str_equal(model, "virtio")) {
            g_string_append(buf, is_primary ? "virtio-vga" : "virtio-gpu-pci");
            if (v->heads)
                g_string_append_printf(buf, ",max_outputs=%u", v->heads);
        } else if (g_str_equal(model, "qxl")) {
            g_string_append(buf, is_primary ? "qxl-vga" : "qxl");
            if (v->vram)
                g_string_append_printf(buf, ",vram_size=%" G_GUINT64_FORMAT,
                                       (guint64)v->vram * 1024);
            if (v->heads)
                g_string_append_printf(buf, ",max_outputs=%u", v->heads);
        } else if (g_str_equal(model, "bochs")) {
            g_string_append(buf, "bochs-display");
        } else if (g_str_equal(model, "ramfb")) {
            if (v->address.type) {
                g_string_free(buf, TRUE);
                return qemu_command_unsupported(
                    error, "%s: ramfb is not a PCI device and has no address", alias);
            }
            g_string_append(buf, "ramfb");
        } else {
            g_string_free(buf, TRUE);
            if (g_str_equal(model, "vga") || g_str_equal(model, "cirrus"))
                return qemu_command_unsupported(
                    error, "%s: a '%s' adapter can only be the primary one", alias, model);
            return qemu_command_unsupported(error, "%s: model '%s' is not supported "
                               "(vga, cirrus, virtio, qxl, bochs, ramfb, none are)", alias, model);
        }
        g_string_append_printf(buf, ",id=%s", alias);
        if (!g_str_equal(model, "ramfb")
            && !qemu_command_add_pci_address(cmd, buf, &v->address, alias, error)) {
            g_string_free(buf, TRUE);
            return false;
        }
        qemu_command_add_take(cmd, "-device", buf);
    }
    return true;
}

/* ---- watchdog, memory balloon, RNG ----------------------------------------- */

static bool
watchdog_add(QemuCmd *cmd, const MvDomainWatchdogDef *w, GError **error)
{
    static const char *const actions[] = {
        "reset", "shutdown", "poweroff", "pause", "none", "inject-nmi", NULL
    };
    const char *action = w->action ? w->action : "reset";

    if (w->address.type && w->model && !g_str_equal(w->model, "i6300esb"))
        return qemu_command_unsupported(error,
                                        "watchdog0: model '%s' is not a PCI device and has no "
                                        "address",
                                        w->model);
    if (!w->model || g_str_equal(w->model, "i6300esb")) {
        GString *buf = g_string_new("i6300esb,id=watchdog0");

        if (!qemu_command_add_pci_address(cmd, buf, &w->address, "watchdog0", error)) {
            g_string_free(buf, TRUE);
            return false;
        }
        qemu_command_add_take(cmd, "-device", buf);
    } else if (g_str_equal(w->model, "ib700")) {
        qemu_command_add(cmd, "-device", "ib700,id=watchdog0");
    } else if (g_str_equal(w->model, "itco")) {
        /* the ICH9 TCO watchdog is part of q35; arm it to reset the guest */
        if (!cmd->q35)
            return qemu_command_unsupported(error, "watchdog0: model 'itco' needs a q35 machine");
        qemu_command_add(cmd, "-global", "ICH9-LPC.noreboot=off");
    } else {
        return qemu_command_unsupported(error, "watchdog0: model '%s' is not supported "
                           "(i6300esb, ib700, itco are)", w->model);
    }
    if (!g_strv_contains(actions, action))
        return qemu_command_unsupported(error, "watchdog0: action '%s' is not supported "
                           "(reset, shutdown, poweroff, pause, none, inject-nmi are)", action);
    /* -action watchdog= is the QEMU >= 6.0 spelling of -watchdog-action */
    qemu_command_addf(cmd, "-action", "watchdog=%s", action);
    return true;
}

bool
qemu_command_devices_add_misc(QemuCmd *cmd, GError **error)
{
    const MvDomainDef *def = cmd->def;

    if (def->watchdog && !watchdog_add(cmd, def->watchdog, error))
        return false;

    /* The target size (currentMemory) is set over QMP. */
    if (def->memballoon && def->memballoon->model
        && !g_str_equal(def->memballoon->model, "none")) {
        GString *buf;

        if (!g_str_equal(def->memballoon->model, "virtio"))
            return qemu_command_unsupported(
                error, "balloon0: model '%s' is not supported (virtio, none are)",
                def->memballoon->model);
        buf = g_string_new("virtio-balloon-pci,id=balloon0");
        /* <stats period='N'/>: how often the guest reports (dommemstat --period) */
        if (def->memballoon->period)
            g_string_append_printf(buf, ",guest-stats-polling-interval=%u",
                                   def->memballoon->period);
        if (!qemu_command_add_pci_address(cmd, buf, &def->memballoon->address, "balloon0",
                                          error)) {
            g_string_free(buf, TRUE);
            return false;
        }
        qemu_command_add_take(cmd, "-device", buf);
    }

    for (size_t i = 0; i < def->nrngs; i++) {
        const MvDomainRngDef *rng = def->rngs[i];
        g_autofree char *alias = g_strdup_printf("rng%zu", i);
        GString *buf;

        if (rng->model && !g_str_equal(rng->model, "virtio"))
            return qemu_command_unsupported(error, "%s: model '%s' is not supported (virtio is)",
                                            alias, rng->model);
        buf = g_string_new(NULL);
        if (rng->backend_model && g_str_equal(rng->backend_model, "builtin")) {
            g_string_append_printf(buf, "rng-builtin,id=obj%s", alias);
        } else if (!rng->backend_model || g_str_equal(rng->backend_model, "random")) {
            g_string_append_printf(buf, "rng-random,id=obj%s,filename=", alias);
            qemu_command_escape(buf, rng->backend ? rng->backend : "/dev/urandom");
        } else {
            g_string_free(buf, TRUE);
            return qemu_command_unsupported(
                error, "%s: backend '%s' is not supported (random, builtin are)", alias,
                rng->backend_model);
        }
        qemu_command_add_take(cmd, "-object", buf);
        buf = g_string_new(NULL);
        g_string_append_printf(buf, "virtio-rng-pci,rng=obj%s,id=%s", alias, alias);
        if (!qemu_command_add_pci_address(cmd, buf, &rng->address, alias, error)) {
            g_string_free(buf, TRUE);
            return false;
        }
        qemu_command_add_take(cmd, "-device", buf);
    }
    return true;
}
