/* virsh dommemstat --period N [--live] [--config] (virDomainSetMemoryStatsPeriod):
 * how often the guest's balloon driver reports its memory statistics. Live:
 * QMP qom-set of balloon0's guest-stats-polling-interval, recorded in the live
 * XML; config: <memballoon><stats period='N'/> in the persistent definition,
 * which the next start puts on the balloon's -device. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-dispatch.h"
#include "qemu-monitor.h"
#include "qemu-persist.h"
#include "qemu-handlers-info.h"
#include "qemu-process.h"

#include <string.h>

#include "driver/affect.h"
#include "util/log.h"

#define AFFECT_LIVE 1u
#define AFFECT_CONFIG 2u

static bool
has_balloon(const MvDomainDef *def, const char *which, GError **error)
{
    if (def->memballoon && g_strcmp0(def->memballoon->model, "none") != 0)
        return true;
    return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                        "Requested operation is not valid: the %s definition has no memory "
                        "balloon device (<memballoon model='virtio'/>)", which);
}

static bool
set_live(MvQemuDriver *driver, MvQemuDomain *dom, int period, GError **error)
{
    MvQemuMonitor *mon = dom->monitor;
    JsonObject *args = json_object_new();
    JsonNode *reply;

    json_object_set_string_member(args, "path", "/machine/peripheral/balloon0");
    json_object_set_string_member(args, "property", "guest-stats-polling-interval");
    json_object_set_int_member(args, "value", period);
    /* the lock is dropped for QMP; the job keeps the live definition ours */
    g_mutex_unlock(&dom->lock);
    reply = mv_qemu_monitor_command(mon, "qom-set", args, MV_QEMU_MONITOR_TIMEOUT_MS, error);
    g_mutex_lock(&dom->lock);
    if (!reply)
        return false;
    json_node_free(reply);
    if (dom->live && dom->live->memballoon) {
        g_autoptr(GError) local = NULL;

        dom->live->memballoon->period = (unsigned int)period;
        /* QEMU has the new period: a failed status write only loses the XML's record */
        if (!mv_qemu_persist_save_status(driver, dom, &local))
            mv_log_warning("domain %s: stats period set but not recorded: %s", dom->name,
                           local->message);
    }
    return true;
}

bool
mv_qemu_handle_domain_set_memory_stats_period(MvDriverCall *call, const MvObjectRef *dom_ref,
                                              int period, unsigned int flags, GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvQemuDomain) dom = NULL;
    bool active, ok;

    if (!mv_qemu_dispatch_check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG,
                                      "virDomainSetMemoryStatsPeriod", error))
        return false;
    if (period < 0)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "invalid period %d: it must be 0 (off) or a number of seconds",
                            period);
    if (!(dom = mv_qemu_dispatch_get_domain(call, dom_ref, error)) ||
        !mv_qemu_dispatch_begin_job(dom, "virDomainSetMemoryStatsPeriod", error))
        return false;
    g_mutex_lock(&dom->lock);
    active = mv_qemu_domain_is_active(dom) && dom->monitor;
    ok = mv_driver_affect_resolve(&mv_qemu_domain_class, &flags, active, dom->persistent,
                                  MV_DRIVER_AFFECT_NEED_PERSISTENT, error);
    if (ok && (flags & AFFECT_LIVE))
        ok = has_balloon(dom->live, "live", error);
    if (ok && (flags & AFFECT_CONFIG))
        ok = has_balloon(dom->newdef ? dom->newdef : dom->def, "persistent", error);
    if (ok && (flags & AFFECT_LIVE))
        ok = set_live(driver, dom, period, error);
    if (ok && (flags & AFFECT_CONFIG)) {
        g_autoptr(MvDomainDef) def = mv_domain_def_copy(dom->newdef ? dom->newdef : dom->def);

        def->memballoon->period = (unsigned int)period;
        ok = mv_qemu_persist_replace_def(driver, dom, &def, error);
    }
    g_mutex_unlock(&dom->lock);
    mv_qemu_process_end_job(driver, dom);
    return ok;
}
