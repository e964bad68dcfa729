/* What virsh domstats asks QEMU for a running guest: one job per domain
 * (NOWAIT: only when free), one QMP query per group that needs one. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-domain-stats.h"

#include "qemu-monitor.h"
#include "qemu-process.h"
#include "util/log.h"

#define STATS_QUERY_TIMEOUT_MS 10000

static JsonNode *
ask(MvQemuMonitor *mon, const char *cmd, JsonObject *args)
{
    g_autoptr(GError) error = NULL;
    JsonNode *reply = mv_qemu_monitor_command(mon, cmd, args, STATS_QUERY_TIMEOUT_MS, &error);

    if (!reply)
        mv_log_debug("domstats: %s: %s", cmd, error->message);
    return reply;
}

void
mv_qemu_domain_stats_ask(MvQemuDriver *driver, MvQemuDomain *dom, unsigned int stats,
                         bool nowait, MvQemuStatsQmp *ret)
{
    g_autoptr(GError) error = NULL;
    MvQemuMonitor *mon;
    bool balloon;

    if (!(stats & (MV_QEMU_STATS_BALLOON | MV_QEMU_STATS_VCPU | MV_QEMU_STATS_BLOCK |
                   MV_QEMU_STATS_IOTHREAD | MV_QEMU_STATS_DIRTYRATE)))
        return;
    if (!mv_driver_object_begin_job(MV_DRIVER_OBJECT(dom), "virConnectGetAllDomainStats",
                                    nowait ? 0 : driver->job_wait_ms, &error)) {
        mv_log_debug("domstats: %s: %s", dom->name, error->message);
        return;
    }
    g_mutex_lock(&dom->lock);
    mon = mv_qemu_domain_is_active(dom) ? dom->monitor : NULL;
    balloon = mon && dom->live->memballoon &&
              g_strcmp0(dom->live->memballoon->model, "none") != 0;
    g_mutex_unlock(&dom->lock);
    if (mon) {
        if (stats & MV_QEMU_STATS_VCPU)
            ret->cpus = ask(mon, "query-cpus-fast", NULL);
        if ((stats & MV_QEMU_STATS_BALLOON) && balloon) {
            JsonObject *args = json_object_new();

            json_object_set_string_member(args, "path", "/machine/peripheral/balloon0");
            json_object_set_string_member(args, "property", "guest-stats");
            ret->guest_stats = ask(mon, "qom-get", args);
        }
        if (stats & MV_QEMU_STATS_BLOCK)
            ret->blockstats = ask(mon, "query-blockstats", NULL);
        if (stats & MV_QEMU_STATS_IOTHREAD)
            ret->iothreads = ask(mon, "query-iothreads", NULL);
        if (stats & MV_QEMU_STATS_DIRTYRATE)
            ret->dirtyrate = ask(mon, "query-dirty-rate", NULL);
    }
    mv_qemu_process_end_job(driver, dom);
}

void
mv_qemu_domain_stats_qmp_clear(MvQemuStatsQmp *qmp)
{
    g_clear_pointer(&qmp->cpus, json_node_free);
    g_clear_pointer(&qmp->guest_stats, json_node_free);
    g_clear_pointer(&qmp->blockstats, json_node_free);
    g_clear_pointer(&qmp->iothreads, json_node_free);
    g_clear_pointer(&qmp->dirtyrate, json_node_free);
}
