/* Handlers of live changes (issue 13 item 6): virDomainSetVcpu (setvcpu) and
 * virDomainBlockResize (blockresize). setvcpus --live is in qemu-domain-info.c,
 * the QMP work in qemu-hotplug-*.c. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-dispatch.h"
#include "qemu-hotplug.h"
#include "qemu-json.h"
#include "qemu-persist.h"
#include "qemu-process.h"

#include "driver/affect.h"

#define AFFECT_LIVE        MV_DRIVER_AFFECT_LIVE      /* the rules: driver/affect.h */
#define AFFECT_CONFIG      MV_DRIVER_AFFECT_CONFIG
#define BLOCK_RESIZE_BYTES (1u << 0)                  /* VIR_DOMAIN_BLOCK_RESIZE_BYTES */

/* setvcpu --config: the <vcpus> list of the persistent definition (created when
 * absent); a vCPU that is not hotpluggable cannot be disabled. */
static bool
config_set_vcpus(MvQemuDriver *driver, MvQemuDomain *dom, GArray *ids, bool enable,
                 GError **error)
{
    g_autoptr(MvDomainDef) def = NULL;
    unsigned int enabled = 0;

    g_mutex_lock(&dom->lock);
    if (!dom->persistent) {
        g_mutex_unlock(&dom->lock);
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: transient domains have no "
                            "persistent config");
    }
    def = mv_domain_def_copy(dom->newdef ? dom->newdef : dom->def);
    g_mutex_unlock(&dom->lock);
    mv_domain_vcpus_ensure(def);
    for (guint i = 0; i < ids->len; i++) {
        unsigned int id = g_array_index(ids, unsigned int, i);

        if (!def->vcpu_list[id].hotpluggable && !enable)
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                                "vCPU %u is not hotpluggable: it cannot be disabled", id);
        if (enable && !def->vcpu_list[id].enabled)
            def->vcpu_list[id].hotpluggable = true;
        def->vcpu_list[id].enabled = enable;
    }
    for (unsigned int i = 0; i < def->vcpus; i++)
        enabled += def->vcpu_list[i].enabled;
    if (!enabled)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "a domain needs at least one vCPU");
    def->vcpus_current = enabled;
    return mv_qemu_persist_install_def(driver, dom, &def, error);
}

bool
mv_qemu_handle_domain_set_vcpu(MvDriverCall *call,
                               const MvObjectRef *dom_ref,
                               const char *cpumap,
                               int state,
                               unsigned int flags,
                               GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autoptr(GArray) ids = NULL;
    unsigned int max = 0;
    bool ok;

    if (!mv_qemu_dispatch_check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG, "virDomainSetVcpu",
                                      error) ||
        !(dom = mv_qemu_dispatch_get_domain(call, dom_ref, error)) ||
        !mv_qemu_dispatch_begin_job(dom, "virDomainSetVcpu", error))
        return false;
    g_mutex_lock(&dom->lock);
    ok = mv_driver_affect_resolve(&mv_qemu_domain_class, &flags, mv_qemu_domain_is_active(dom),
                                  dom->persistent, 0, error);
    if (ok)
        max = ((flags & AFFECT_LIVE) ? dom->live : dom->newdef ? dom->newdef : dom->def)->vcpus;
    g_mutex_unlock(&dom->lock);
    if (ok)
        ok = (ids = mv_qemu_hotplug_parse_cpumap(cpumap, max, error)) != NULL;
    if (ok && (flags & AFFECT_LIVE))
        ok = mv_qemu_hotplug_vcpu_set_state(driver, dom, ids, state != 0, error);
    if (ok && (flags & AFFECT_CONFIG))
        ok = config_set_vcpus(driver, dom, ids, state != 0, error);
    mv_qemu_process_end_job(driver, dom);
    return ok;
}

/* The disk whose target or source path is @path, or NULL (lock held). */
static const MvDomainDiskDef *
live_find_disk(const MvDomainDef *def, const char *path)
{
    for (size_t i = 0; i < def->ndisks; i++) {
        const MvDomainDiskDef *d = def->disks[i];

        if (g_strcmp0(d->target_dev, path) == 0 || g_strcmp0(d->source, path) == 0)
            return d;
    }
    return NULL;
}

bool
mv_qemu_handle_domain_block_resize(MvDriverCall *call,
                                   const MvObjectRef *dom_ref,
                                   const char *disk,
                                   uint64_t size,
                                   unsigned int flags,
                                   GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autofree char *node = NULL;
    g_autofree char *target = NULL;
    MvQemuMonitor *mon = NULL;
    JsonObject *args;
    JsonNode *reply;
    guint64 bytes;
    bool ok;

    if (!mv_qemu_dispatch_check_flags(flags, BLOCK_RESIZE_BYTES, "virDomainBlockResize", error))
        return false;
    if (!(flags & BLOCK_RESIZE_BYTES) && size > G_MAXUINT64 / 1024)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                            "size %" G_GUINT64_FORMAT " KiB is too large", (guint64)size);
    bytes = (flags & BLOCK_RESIZE_BYTES) ? size : size * 1024;
    /* QEMU's images grow in whole sectors: round up as libvirt does */
    if (bytes > G_MAXINT64 - 511)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                            "size %" G_GUINT64_FORMAT " bytes is too large", bytes);
    bytes = (bytes + 511) / 512 * 512;
    if (!(dom = mv_qemu_dispatch_get_domain(call, dom_ref, error)) ||
        !mv_qemu_dispatch_begin_job(dom, "virDomainBlockResize", error))
        return false;
    g_mutex_lock(&dom->lock);
    ok = mv_qemu_dispatch_require_active(dom, error);
    if (ok) {
        const MvDomainDiskDef *d = live_find_disk(dom->live, disk);

        if (!d)
            ok = mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                              "invalid argument: disk '%s' was not found in the domain",
                              disk);
        else if (d->device != MV_DOMAIN_DISK_DEVICE_DISK || !d->alias)
            ok = mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_UNSUPPORTED,
                              "disk '%s': only a disk's size can be changed, not a %s's",
                              d->target_dev, d->device == MV_DOMAIN_DISK_DEVICE_CDROM
                                                 ? "cdrom" : "floppy");
        else if (d->readonly)
            ok = mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                              "disk '%s' is read-only: it cannot be resized", d->target_dev);
        if (ok) {
            node = g_strdup_printf("%s-format", d->alias);
            target = g_strdup(d->target_dev);
        }
    }
    mon = dom->monitor;
    g_mutex_unlock(&dom->lock);
    if (ok) {
        args = json_object_new();
        json_object_set_string_member(args, "node-name", node);
        json_object_set_int_member(args, "size", (gint64)bytes);
        reply = mv_qemu_monitor_command(mon, "block_resize", args, MV_QEMU_MONITOR_TIMEOUT_MS,
                                        error);
        if (!reply)
            g_prefix_error(error, "disk '%s': ", target);
        ok = reply != NULL;
        if (reply)
            json_node_free(reply);
    }
    mv_qemu_process_end_job(driver, dom);
    return ok;
}
