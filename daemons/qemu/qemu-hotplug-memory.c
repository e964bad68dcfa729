/* Memory hot-plug: attach-device / detach-device of <memory model='dimm'>,
 * live (QMP object-add + device_add of the properties the command line uses;
 * device_del, the guest's release, object-del) and in the config. <memory> and
 * <currentMemory> grow and shrink with the DIMMs, as libvirt's do. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-hotplug.h"
#include "qemu-unplug.h"

#include <string.h>

#include "qemu-command.h"
#include "qemu-domain-check.h"
#include "qemu-monitor.h"
#include "qemu-persist.h"
#include "qemu-props.h"
#include "driver/affect.h"
#include "util/error.h"
#include "util/log.h"

#define DIMM_UNPLUG_WAIT_MS 10000

/* The index of the DIMM of @def that @want describes: its alias when given,
 * else the first with the same size (and slot, node when given); -1: none. */
static int
memdev_find(const MvDomainDef *def, const MvDomainMemdevDef *want)
{
    for (size_t i = 0; i < def->nmemdevs; i++) {
        const MvDomainMemdevDef *mem = def->memdevs[i];

        if (want->alias ? g_strcmp0(mem->alias, want->alias) == 0
                        : mem->size == want->size &&
                              (want->slot < 0 || want->slot == mem->slot) &&
                              (want->node < 0 || want->node == mem->node))
            return (int)i;
    }
    return -1;
}

/* Adds @mem to @def (a copy), growing <memory> and <currentMemory>; checks the
 * result against <maxMemory>. */
static bool
def_add_memdev(MvDomainDef *def, const MvDomainMemdevDef *mem, GError **error)
{
    if (!def->max_memory || !def->max_memory_slots)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "cannot add memory: the domain has no <maxMemory slots='N'> "
                            "(set it with the guest shut off, e.g. in 'virsh edit')");
    if (def->memory + mem->size > def->max_memory)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "cannot add %" G_GUINT64_FORMAT " KiB of memory: the domain "
                            "would have %" G_GUINT64_FORMAT " KiB, more than its <maxMemory> "
                            "(%" G_GUINT64_FORMAT " KiB)", mem->size, def->memory + mem->size,
                            def->max_memory);
    def->memdevs = g_renew(MvDomainMemdevDef *, def->memdevs, def->nmemdevs + 1);
    def->memdevs[def->nmemdevs++] = mv_domain_memdev_def_copy(mem);
    def->memory += mem->size;
    def->current_memory += mem->size;
    if (!mv_domain_def_check_memdevs(def, error))
        return false;
    return true;
}

static void
def_remove_memdev(MvDomainDef *def, int index)
{
    guint64 size = def->memdevs[index]->size;

    mv_domain_memdev_def_free(def->memdevs[index]);
    memmove(&def->memdevs[index], &def->memdevs[index + 1],
            (def->nmemdevs - index - 1) * sizeof(def->memdevs[0]));
    def->nmemdevs--;
    def->memory -= size;
    def->current_memory = def->current_memory > size ? def->current_memory - size : 0;
    def->current_memory = MIN(MAX(def->current_memory, 1), def->memory);
}

/* The first dimm<N> no DIMM of @def uses. */
static char *
memdev_free_alias(const MvDomainDef *def)
{
    for (unsigned int n = 0;; n++) {
        g_autofree char *alias = g_strdup_printf("dimm%u", n);
        bool used = false;

        for (size_t i = 0; i < def->nmemdevs && !used; i++)
            used = g_strcmp0(def->memdevs[i]->alias, alias) == 0;
        if (!used)
            return g_steal_pointer(&alias);
    }
}

static bool
live_attach(MvQemuDomain *dom, MvQemuMonitor *mon, MvDomainDef *live,
            const MvDomainMemdevDef *want, GError **error)
{
    g_autoptr(MvDomainMemdevDef) mem = mv_domain_memdev_def_copy(want);
    g_autoptr(MvQemuProps) backend = NULL;
    g_autoptr(MvQemuProps) device = NULL;
    g_autofree char *object = NULL;
    JsonNode *reply;

    if (mem->node > 0)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "NUMA node %d does not exist (the guest has no <numa> cells: use "
                            "node 0 or none)", mem->node);
    if (!mem->alias)
        mem->alias = memdev_free_alias(live);
    else if (memdev_find(live, mem) >= 0)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_OPERATION_FAILED,
                            "a memory device with alias '%s' already exists", mem->alias);
    if (!def_add_memdev(live, mem, error))
        return false;
    mv_qemu_command_memdev_props(mem, mem->alias, &backend, &device);
    object = g_strdup(mv_qemu_props_get_str(backend, "id"));
    reply = mv_qemu_monitor_command(mon, "object-add", mv_qemu_props_to_json(backend),
                                    MV_QEMU_MONITOR_TIMEOUT_MS, error);
    if (!reply)
        return false;
    json_node_free(reply);
    if (!mv_qemu_monitor_device_add(mon, mv_qemu_props_to_json(device), error)) {
        JsonObject *args = json_object_new();

        json_object_set_string_member(args, "id", object);
        json_node_free(mv_qemu_monitor_command(mon, "object-del", args,
                                               MV_QEMU_MONITOR_TIMEOUT_MS, NULL));
        return false;
    }
    mv_log_debug("domain %s: %" G_GUINT64_FORMAT " KiB plugged as %s", dom->name, mem->size,
                 mem->alias);
    return true;
}

static bool
live_detach(MvQemuDomain *dom, MvQemuMonitor *mon, MvDomainDef *live, int index,
            GError **error)
{
    g_autofree char *alias = g_strdup(live->memdevs[index]->alias);
    g_autofree char *object = g_strdup_printf("mem%s", alias);
    JsonObject *args;
    JsonNode *reply;

    if (!mv_qemu_monitor_device_del(mon, alias, error))
        return false;
    if (!mv_qemu_unplug_wait(dom, alias, DIMM_UNPLUG_WAIT_MS))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_TIMEOUT,
                            "the guest did not release memory device %s within %d s: the "
                            "unplug is still in progress (the guest must be able to offline "
                            "that memory, e.g. onlined as movable)", alias,
                            DIMM_UNPLUG_WAIT_MS / 1000);
    args = json_object_new();
    json_object_set_string_member(args, "id", object);
    reply = mv_qemu_monitor_command(mon, "object-del", args, MV_QEMU_MONITOR_TIMEOUT_MS,
                                    error);
    def_remove_memdev(live, index);
    if (!reply)
        return false;
    json_node_free(reply);
    return true;
}

static bool
live_change(MvQemuDriver *driver, MvQemuDomain *dom, const MvDomainMemdevDef *mem,
            bool attach, GError **error)
{
    g_autoptr(MvDomainDef) live = NULL;
    MvQemuMonitor *mon;
    int index;
    bool ok;

    g_mutex_lock(&dom->lock);
    mon = dom->monitor;
    live = mv_domain_def_copy(dom->live);
    g_mutex_unlock(&dom->lock);
    index = memdev_find(live, mem);
    if (!attach && index < 0)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_DEVICE_MISSING,
                            "device not found: no memory device matching the given "
                            "definition (%" G_GUINT64_FORMAT " KiB)", mem->size);
    if (attach && !mv_qemu_domain_check_size(live, error))
        return false;
    ok = attach ? live_attach(dom, mon, live, mem, error)
                : live_detach(dom, mon, live, index, error);
    if (!ok && attach)
        return false;
    /* a detach whose object-del failed still removed the device */
    if (ok || !attach) {
        g_mutex_lock(&dom->lock);
        if (ok || live->nmemdevs < dom->live->nmemdevs) {
            mv_domain_def_free(dom->live);
            dom->live = g_steal_pointer(&live);
            mv_qemu_persist_update_status(driver, dom);
        }
        g_mutex_unlock(&dom->lock);
    }
    return ok;
}

static bool
config_change(MvQemuDriver *driver, MvQemuDomain *dom, const MvDomainMemdevDef *mem,
              bool attach, GError **error)
{
    g_autoptr(MvDomainDef) def = NULL;
    g_autoptr(MvDomainMemdevDef) copy = NULL;
    int index;

    if (!(def = mv_qemu_persist_config_copy(dom, error)))
        return false;
    index = memdev_find(def, mem);
    if (attach) {
        copy = mv_domain_memdev_def_copy(mem);
        if (copy->alias && !g_str_has_prefix(copy->alias, "ua-"))
            g_clear_pointer(&copy->alias, g_free);      /* live names are not config */
        if (!def_add_memdev(def, copy, error))
            return false;
    } else if (index < 0) {
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_DEVICE_MISSING,
                            "device not found: no memory device matching the given "
                            "definition (%" G_GUINT64_FORMAT " KiB)", mem->size);
    } else {
        def_remove_memdev(def, index);
    }
    return mv_qemu_domain_check_size(def, error) &&
           mv_qemu_persist_install_def(driver, dom, &def, error);
}

bool
mv_qemu_hotplug_memory_change(MvQemuDriver *driver, MvQemuDomain *dom,
                              const MvDomainMemdevDef *mem, bool attach, unsigned int flags,
                              GError **error)
{
    if ((flags & MV_DRIVER_AFFECT_LIVE) && !live_change(driver, dom, mem, attach, error))
        return false;
    if ((flags & MV_DRIVER_AFFECT_CONFIG) && !config_change(driver, dom, mem, attach, error))
        return false;
    return true;
}
