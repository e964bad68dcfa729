/* Attaching, detaching and updating disks and interfaces: live through QMP
 * (blockdev-add + device_add; device_del, then waiting for the guest to let
 * go) and in the persistent config. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-dispatch.h"
#include "qemu-domain-check.h"
#include "qemu-command.h"
#include "qemu-hotplug.h"
#include "qemu-net.h"
#include "qemu-persist.h"
#include "qemu-process.h"
#include "qemu-storage.h"
#include "qemu-unplug.h"

#include <string.h>
#include <unistd.h>

#include "driver/affect.h"
#include "util/log.h"

#define AFFECT_LIVE   MV_DRIVER_AFFECT_LIVE      /* the rules: driver/affect.h */
#define AFFECT_CONFIG MV_DRIVER_AFFECT_CONFIG
#define DEVICE_FORCE  (1u << 2)     /* update-device only */
#define UNPLUG_WAIT_MS 5000

/* ---- live: disks ---- */

/* Hot-plugs @disk with the properties the command line would give it
 * (mv_qemu_command_disk_props): cache mode, boot order, shareable… */
static bool
live_attach_disk(MvQemuMonitor *mon, const MvDomainDef *live, MvDomainDiskDef *disk,
                 GError **error)
{
    g_auto(MvQemuDiskProps) props = { 0 };
    const char *storage, *format;

    if (disk->bus != MV_DOMAIN_DISK_BUS_VIRTIO || disk->device != MV_DOMAIN_DISK_DEVICE_DISK)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_UNSUPPORTED,
                            "disk %s: only virtio disks can be attached to a running guest",
                            disk->target_dev);
    if (!disk->source)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "disk %s has no source", disk->target_dev);
    if (!mv_qemu_command_hotplug_address(live, &disk->address, disk->target_dev, error) ||
        !mv_qemu_command_disk_props(live, disk, &props, error))
        return false;
    storage = mv_qemu_props_get_str(props.storage, "node-name");
    format = mv_qemu_props_get_str(props.format, "node-name");
    if (!mv_qemu_monitor_blockdev_add(mon, mv_qemu_props_to_json(props.storage), error))
        return false;
    if (!mv_qemu_monitor_blockdev_add(mon, mv_qemu_props_to_json(props.format), error)) {
        mv_qemu_monitor_blockdev_del(mon, storage, NULL);
        return false;
    }
    if (!mv_qemu_monitor_device_add(mon, mv_qemu_props_to_json(props.device), error)) {
        mv_qemu_monitor_blockdev_del(mon, format, NULL);
        mv_qemu_monitor_blockdev_del(mon, storage, NULL);
        return false;
    }
    g_free(disk->alias);
    disk->alias = g_strdup(mv_qemu_props_get_str(props.device, "id"));
    return true;
}

/* Removes a disk's block nodes once the guest let go of it. */
static bool
release_disk(MvQemuMonitor *mon, const char *alias, GError **error)
{
    g_autofree char *format = g_strdup_printf("%s-format", alias);
    g_autofree char *storage = g_strdup_printf("%s-storage", alias);

    return mv_qemu_monitor_blockdev_del(mon, format, error) &&
           mv_qemu_monitor_blockdev_del(mon, storage, error);
}

/* device_del of @disk; *@pending when the guest has not let go of it yet
 * (qemu-unplug.h: the removal is finished later). */
static bool
live_detach_disk(MvQemuDomain *dom, MvQemuMonitor *mon, const MvDomainDiskDef *disk,
                 bool *pending, GError **error)
{
    g_autofree char *alias = disk->alias ? g_strdup(disk->alias)
                                         : mv_qemu_command_disk_alias(disk, error);

    if (!alias)
        return false;
    if (!mv_qemu_monitor_device_del(mon, alias, error))
        return false;
    if (!mv_qemu_unplug_wait_or_defer(dom, alias, UNPLUG_WAIT_MS)) {
        *pending = true;
        return true;
    }
    return release_disk(mon, alias, error);
}

/* update-device on a running disk: a cdrom's medium only (virsh change-media,
 * virt-manager's "Connect" / "Disconnect"): blockdev-change-medium or eject on
 * its device, then the live disk takes @upd's source (a volume resolved first,
 * the host-path check of any disk). */
static bool
live_update_disk(MvQemuDriver *driver, MvQemuMonitor *mon, MvDomainDef *live, int index,
                 const MvDomainDiskDef *upd, GError **error)
{
    MvDomainDiskDef *cur = live->disks[index];
    g_autoptr(MvDomainDiskDef) disk = NULL;

    if (cur->device != MV_DOMAIN_DISK_DEVICE_CDROM || upd->device != cur->device)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_UNSUPPORTED,
                            "disk %s: only the medium of a cdrom can be changed on a running "
                            "guest: use --config, or detach and attach it", cur->target_dev);
    if (!cur->alias)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                            "disk %s has no device alias", cur->target_dev);
    disk = mv_domain_disk_def_copy(upd);
    if (disk->source || disk->source_pool) {
        const char *format;

        if (!mv_qemu_storage_resolve_one(driver, disk, error) ||
            !mv_qemu_domain_check_disk((const char *const *)driver->denied_paths, disk, error))
            return false;
        format = disk->driver_type ? disk->driver_type
                 : disk->source_format ? disk->source_format : "raw";
        if (!mv_qemu_monitor_change_medium(mon, cur->alias, disk->source, format, error))
            return false;
    } else if (!mv_qemu_monitor_eject(mon, cur->alias, error)) {
        return false;
    }
    if (cur->source) {
        g_autofree char *format = g_strdup_printf("%s-format", cur->alias);
        g_autofree char *storage = g_strdup_printf("%s-storage", cur->alias);

        /* The nodes the command line gave the first medium are the monitor's: they
         * keep its file open until deleted (absent after a first change: ignored). */
        mv_qemu_monitor_blockdev_del(mon, format, NULL);
        mv_qemu_monitor_blockdev_del(mon, storage, NULL);
    }
    g_free(disk->alias);
    disk->alias = g_strdup(cur->alias);
    mv_domain_disk_def_free(cur);
    live->disks[index] = g_steal_pointer(&disk);
    return true;
}

/* ---- live: interfaces ---- */

static char *
free_net_alias(const MvDomainDef *live, size_t *ret_index)
{
    for (size_t n = 0;; n++) {
        g_autofree char *alias = g_strdup_printf("net%zu", n);
        bool used = false;
        for (size_t i = 0; i < live->nnets && !used; i++)
            used = g_strcmp0(live->nets[i]->alias, alias) == 0;
        if (!used) {
            *ret_index = n;
            return g_steal_pointer(&alias);
        }
    }
}

/* Hot-plugs @net: its host side first (tap, network port, filter binding:
 * qemu-net.h), the tap fd passed over QMP (getfd), then netdev_add and
 * device_add with the properties the command line would give it. */
static bool
live_attach_net(MvQemuDriver *driver, MvQemuMonitor *mon, const MvDomainDef *live,
                MvDomainNetDef *net, GError **error)
{
    g_auto(MvQemuNetProps) props = { 0 };
    g_autofree char *alias = NULL;
    g_autofree char *fdname = NULL;
    int fd = -1;
    size_t n;

    if (net->type == MV_DOMAIN_NET_ETHERNET && !net->target_dev)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "an ethernet interface needs <target dev='…'/>");
    alias = free_net_alias(live, &n);
    if (!mv_qemu_command_hotplug_address(live, &net->address, "the interface", error) ||
        !mv_qemu_net_connect(driver, live, net, &fd, error))
        return false;
    if (fd >= 0) {
        fdname = g_strdup_printf("fd-%s", alias);
        if (!mv_qemu_monitor_getfd(mon, fdname, fd, error))
            goto error;
        close(fd);      /* QEMU has its copy (netdev_add takes it over) */
        fd = -1;
    }
    /* The properties the command line would give it (ids net<n>, hostnet<n>). */
    if (!mv_qemu_command_net_props(net, n, fdname, &props, error) ||
        !mv_qemu_monitor_netdev_add(mon, mv_qemu_props_to_json(props.netdev), error))
        goto error;
    if (!mv_qemu_monitor_device_add(mon, mv_qemu_props_to_json(props.device), error)) {
        mv_qemu_monitor_netdev_del(mon, mv_qemu_props_get_str(props.netdev, "id"), NULL);
        goto error;
    }
    g_free(net->alias);
    net->alias = g_steal_pointer(&alias);
    if (net->link_state == MV_DOMAIN_NET_LINK_DOWN) {
        g_autoptr(GError) err = NULL;

        /* The NIC is in the guest: record it as it is (up) rather than fail. */
        if (!mv_qemu_net_set_link(mon, net, false, &err)) {
            mv_log_warning("interface %s: cannot set its link down: %s", net->alias,
                           err->message);
            net->link_state = MV_DOMAIN_NET_LINK_UP;
        }
    }
    return true;

error:
    if (fd >= 0)
        close(fd);
    else if (fdname)
        mv_qemu_monitor_closefd(mon, fdname, NULL);   /* unused after a failed netdev_add */
    mv_qemu_net_disconnect(driver, live, net);
    return false;
}

/* Removes an interface's netdev once the guest let go of it, and gives back its
 * port and filter binding (QEMU closed the tap). */
static bool
release_net(MvQemuDriver *driver, MvQemuMonitor *mon, const MvDomainDef *live,
            const MvDomainNetDef *net, const char *alias, GError **error)
{
    g_autofree char *netdev = g_strdup_printf("host%s", alias);

    if (!mv_qemu_monitor_netdev_del(mon, netdev, error))
        return false;
    mv_qemu_net_disconnect(driver, live, net);
    return true;
}

/* The alias an interface has on QEMU's command line. */
static char *
net_alias(const MvDomainNetDef *net, size_t index)
{
    return net->alias ? g_strdup(net->alias) : g_strdup_printf("net%zu", index);
}

static bool
live_detach_net(MvQemuDriver *driver, MvQemuDomain *dom, MvQemuMonitor *mon,
                const MvDomainDef *live, const MvDomainNetDef *net, size_t index,
                bool *pending, GError **error)
{
    g_autofree char *alias = net_alias(net, index);

    if (!mv_qemu_monitor_device_del(mon, alias, error))
        return false;
    if (!mv_qemu_unplug_wait_or_defer(dom, alias, UNPLUG_WAIT_MS)) {
        *pending = true;
        return true;
    }
    return release_net(driver, mon, live, net, alias, error);
}

/* update-device on a running interface: only its link state may change
 * (virsh domif-setlink sends the whole interface with a new <link>). */
static bool
live_update_net(MvQemuMonitor *mon, MvDomainNetDef *cur, const MvDomainNetDef *upd,
                GError **error)
{
    bool want_up = upd->link_state != MV_DOMAIN_NET_LINK_DOWN;
    bool is_up = cur->link_state != MV_DOMAIN_NET_LINK_DOWN;

    if (cur->type != upd->type || g_strcmp0(cur->source, upd->source) != 0 ||
        g_strcmp0(cur->portgroup, upd->portgroup) != 0 ||
        (upd->model && g_strcmp0(cur->model, upd->model) != 0) ||
        g_strcmp0(cur->filter, upd->filter) != 0 || (upd->mtu && cur->mtu != upd->mtu) ||
        (upd->boot_order && cur->boot_order != upd->boot_order))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_UNSUPPORTED,
                            "Operation not supported: only the link state of a running "
                            "guest's interface can be changed: use --config, or detach "
                            "and attach it");
    if (want_up != is_up && !mv_qemu_net_set_link(mon, cur, want_up, error))
        return false;
    cur->link_state = upd->link_state;
    return true;
}

/* ---- definitions ---- */

static void
def_add_device(MvDomainDef *def, MvDomainDeviceDef *dev)
{
    if (dev->type == MV_DOMAIN_DEVICE_DISK) {
        def->disks = g_renew(MvDomainDiskDef *, def->disks, def->ndisks + 1);
        def->disks[def->ndisks++] = mv_domain_disk_def_copy(dev->data.disk);
    } else {
        def->nets = g_renew(MvDomainNetDef *, def->nets, def->nnets + 1);
        def->nets[def->nnets++] = mv_domain_net_def_copy(dev->data.net);
    }
}

/* Index of the device @dev names in @def, or -1. */
static int
def_find_device(const MvDomainDef *def, const MvDomainDeviceDef *dev)
{
    if (dev->type == MV_DOMAIN_DEVICE_DISK)
        return mv_domain_def_find_disk(def, dev->data.disk->target_dev);
    return mv_domain_def_find_net(def, dev->data.net->mac);
}

static void
def_remove_device(MvDomainDef *def, MvDomainDeviceType type, int index)
{
    if (type == MV_DOMAIN_DEVICE_DISK) {
        mv_domain_disk_def_free(def->disks[index]);
        memmove(&def->disks[index], &def->disks[index + 1],
                (def->ndisks - index - 1) * sizeof(def->disks[0]));
        def->ndisks--;
    } else {
        mv_domain_net_def_free(def->nets[index]);
        memmove(&def->nets[index], &def->nets[index + 1],
                (def->nnets - index - 1) * sizeof(def->nets[0]));
        def->nnets--;
    }
}

static const char *
device_name(const MvDomainDeviceDef *dev)
{
    return dev->type == MV_DOMAIN_DEVICE_DISK ? dev->data.disk->target_dev : "interface";
}

/* Drops what a live attach recorded in an interface (the same device goes on
 * into the config with --live --config): alias, network port, made tap. */
static void
net_clear_live(MvDomainNetDef *net)
{
    g_clear_pointer(&net->alias, g_free);
    g_clear_pointer(&net->port_id, g_free);
    g_clear_pointer(&net->bridge, g_free);
    if (net->type != MV_DOMAIN_NET_ETHERNET && net->target_dev &&
        g_str_has_prefix(net->target_dev, "vnet"))
        g_clear_pointer(&net->target_dev, g_free);
}

typedef enum { OP_ATTACH, OP_DETACH, OP_UPDATE } DeviceOp;

static bool
config_change(MvQemuDriver *driver, MvQemuDomain *dom, MvDomainDeviceDef *dev, DeviceOp op,
              GError **error)
{
    g_autoptr(MvDomainDef) def = NULL;
    int index;

    if (!(def = mv_qemu_persist_config_copy(dom, error)))
        return false;
    index = def_find_device(def, dev);
    if (op == OP_ATTACH && index >= 0)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_OPERATION_FAILED,
                            "target %s already exists", device_name(dev));
    if (op != OP_ATTACH && index < 0)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_DEVICE_MISSING,
                            "device not found: no %s matching the given definition",
                            device_name(dev));
    if (op != OP_ATTACH)
        def_remove_device(def, dev->type, index);
    if (op != OP_DETACH) {
        def_add_device(def, dev);
        if (dev->type == MV_DOMAIN_DEVICE_NET)
            net_clear_live(def->nets[def->nnets - 1]);
    }
    return mv_qemu_domain_check_size(def, error) &&
           mv_qemu_persist_install_def(driver, dom, &def, error);
}

static bool
live_change(MvQemuDriver *driver, MvQemuDomain *dom, MvDomainDeviceDef *dev, DeviceOp op,
            GError **error)
{
    g_autoptr(MvDomainDef) live = NULL;
    MvQemuMonitor *mon;
    int index;
    bool ok;

    g_mutex_lock(&dom->lock);
    mon = dom->monitor;
    live = mv_domain_def_copy(dom->live);
    g_mutex_unlock(&dom->lock);
    index = def_find_device(live, dev);
    if (op == OP_ATTACH && index >= 0)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_OPERATION_FAILED,
                            "target %s already exists", device_name(dev));
    if (op != OP_ATTACH && index < 0)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_DEVICE_MISSING,
                            "device not found: no %s matching the given definition",
                            device_name(dev));
    if (op == OP_ATTACH) {
        g_autoptr(MvDomainDef) grown = mv_domain_def_copy(live);
        g_autoptr(MvDomainDiskDef) disk = NULL;
        MvDomainDeviceDef resolved = *dev;

        def_add_device(grown, dev);
        if (!mv_qemu_domain_check_size(grown, error))
            return false;
        if (dev->type == MV_DOMAIN_DEVICE_DISK) {
            /* a volume disk's path, for the live definition only */
            resolved.data.disk = disk = mv_domain_disk_def_copy(dev->data.disk);
            if (!mv_qemu_storage_resolve_one(driver, disk, error) ||
                !mv_qemu_domain_check_disk((const char *const *)driver->denied_paths, disk,
                                           error))
                return false;
        }
        ok = dev->type == MV_DOMAIN_DEVICE_DISK
                 ? live_attach_disk(mon, live, disk, error)
                 : live_attach_net(driver, mon, live, dev->data.net, error);
        if (ok)
            def_add_device(live, &resolved);
    } else if (op == OP_UPDATE && dev->type == MV_DOMAIN_DEVICE_DISK) {
        ok = live_update_disk(driver, mon, live, index, dev->data.disk, error);
    } else if (op == OP_UPDATE) {
        ok = live_update_net(mon, live->nets[index], dev->data.net, error);
    } else {
        bool pending = false;

        ok = dev->type == MV_DOMAIN_DEVICE_DISK
                 ? live_detach_disk(dom, mon, live->disks[index], &pending, error)
                 : live_detach_net(driver, dom, mon, live, live->nets[index], index, &pending,
                                   error);
        if (pending)
            return true;        /* the device stays live until the guest lets go */
        if (ok)
            def_remove_device(live, dev->type, index);
    }
    if (!ok)
        return false;
    g_mutex_lock(&dom->lock);
    mv_domain_def_free(dom->live);
    dom->live = g_steal_pointer(&live);
    mv_qemu_persist_update_status(driver, dom);     /* QEMU has the change: it happened */
    g_mutex_unlock(&dom->lock);
    return true;
}

/* The index of the live disk (*@is_disk) or interface named @alias, or -1. */
static int
find_by_alias(const MvDomainDef *live, const char *alias, bool *is_disk)
{
    for (size_t i = 0; i < live->ndisks; i++) {
        g_autofree char *name = live->disks[i]->alias ? g_strdup(live->disks[i]->alias)
                                : mv_qemu_command_disk_alias(live->disks[i], NULL);

        if (g_strcmp0(name, alias) == 0) {
            *is_disk = true;
            return (int)i;
        }
    }
    for (size_t i = 0; i < live->nnets; i++) {
        g_autofree char *name = net_alias(live->nets[i], i);

        if (g_str_equal(name, alias)) {
            *is_disk = false;
            return (int)i;
        }
    }
    return -1;
}

void
mv_qemu_devices_finish_unplug(MvQemuDriver *driver, MvQemuDomain *dom, pid_t pid,
                              const char *alias)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(MvDomainDef) live = NULL;
    MvQemuMonitor *mon = NULL;
    bool is_disk = false;
    int index = -1;
    bool ok;

    if (!mv_driver_object_begin_job(MV_DRIVER_OBJECT(dom), "device unplug", MV_QEMU_JOB_WAIT_MS,
                                    &err)) {
        mv_log_warning("domain '%s': cannot finish the unplug of %s: %s", dom->name, alias,
                       err->message);
        return;
    }
    g_mutex_lock(&dom->lock);
    if (dom->live && dom->monitor && !dom->exited && dom->pid == pid) {
        mon = dom->monitor;
        live = mv_domain_def_copy(dom->live);
    }
    g_mutex_unlock(&dom->lock);
    if (live)
        index = find_by_alias(live, alias, &is_disk);
    if (index < 0) {
        mv_qemu_process_end_job(driver, dom);
        return;
    }
    ok = is_disk ? release_disk(mon, alias, &err)
                 : release_net(driver, mon, live, live->nets[index], alias, &err);
    if (!ok)
        mv_log_warning("domain '%s': after the unplug of %s: %s", dom->name, alias,
                       err->message);
    def_remove_device(live, is_disk ? MV_DOMAIN_DEVICE_DISK : MV_DOMAIN_DEVICE_NET, index);
    g_mutex_lock(&dom->lock);
    mv_domain_def_free(dom->live);
    dom->live = g_steal_pointer(&live);
    mv_qemu_persist_update_status(driver, dom);
    g_mutex_unlock(&dom->lock);
    mv_qemu_process_end_job(driver, dom);
}

static bool
change_device(MvDriverCall *call, const MvObjectRef *ref, const char *xml,
              unsigned int flags, DeviceOp op, const char *api, GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autoptr(MvDomainDeviceDef) dev = NULL;
    bool active;
    bool ok = true;

    if (!mv_qemu_dispatch_check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG |
                                      (op == OP_UPDATE ? DEVICE_FORCE : 0), api, error) ||
        !(dom = mv_qemu_dispatch_get_domain(call, ref, error)) ||
        !(dev = mv_domain_device_def_parse_string(xml, 0, error)) ||
        (dev->type == MV_DOMAIN_DEVICE_DISK && op != OP_DETACH &&
         !mv_qemu_domain_check_disk((const char *const *)driver->denied_paths, dev->data.disk,
                                    error)) ||
        !mv_qemu_dispatch_begin_job(dom, api, error))
        return false;
    g_mutex_lock(&dom->lock);
    active = mv_qemu_domain_is_active(dom);
    g_mutex_unlock(&dom->lock);
    ok = mv_driver_affect_resolve(&mv_qemu_domain_class, &flags, active, true, 0, error);
    if (ok && dev->type == MV_DOMAIN_DEVICE_MEMORY) {
        /* DIMMs: qemu-hotplug-memory.c */
        ok = op == OP_UPDATE
                 ? mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_UNSUPPORTED,
                                "a memory device cannot be updated: detach it and attach "
                                "another one")
                 : mv_qemu_hotplug_memory_change(driver, dom, dev->data.memdev,
                                                 op == OP_ATTACH, flags, error);
        mv_qemu_process_end_job(driver, dom);
        return ok;
    }
    if (ok && (flags & AFFECT_LIVE))
        ok = live_change(driver, dom, dev, op, error);
    if (ok && (flags & AFFECT_CONFIG))
        ok = config_change(driver, dom, dev, op, error);
    mv_qemu_process_end_job(driver, dom);
    return ok;
}

bool
mv_qemu_handle_domain_attach_device(MvDriverCall *call,
                                    const MvObjectRef *dom_ref,
                                    const char *xml,
                                    GError **error)
{
    return change_device(call, dom_ref, xml, AFFECT_LIVE, OP_ATTACH,
                         "virDomainAttachDevice", error);
}

bool
mv_qemu_handle_domain_attach_device_flags(MvDriverCall *call,
                                          const MvObjectRef *dom_ref,
                                          const char *xml,
                                          unsigned int flags,
                                          GError **error)
{
    return change_device(call, dom_ref, xml, flags, OP_ATTACH,
                         "virDomainAttachDeviceFlags", error);
}

bool
mv_qemu_handle_domain_detach_device(MvDriverCall *call,
                                    const MvObjectRef *dom_ref,
                                    const char *xml,
                                    GError **error)
{
    return change_device(call, dom_ref, xml, AFFECT_LIVE, OP_DETACH,
                         "virDomainDetachDevice", error);
}

bool
mv_qemu_handle_domain_detach_device_flags(MvDriverCall *call,
                                          const MvObjectRef *dom_ref,
                                          const char *xml,
                                          unsigned int flags,
                                          GError **error)
{
    return change_device(call, dom_ref, xml, flags, OP_DETACH,
                         "virDomainDetachDeviceFlags", error);
}

bool
mv_qemu_handle_domain_update_device_flags(MvDriverCall *call,
                                          const MvObjectRef *dom_ref,
                                          const char *xml,
                                          unsigned int flags,
                                          GError **error)
{
    return change_device(call, dom_ref, xml, flags, OP_UPDATE,
                         "virDomainUpdateDeviceFlags", error);
}

