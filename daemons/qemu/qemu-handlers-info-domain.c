/* Guest information of the QEMU driver (issue 13 item 5): virsh vcpuinfo,
 * dommemstat, domblkstat (plain and typed), domifstat. Values from QMP
 * (query-cpus-fast, query-balloon, the balloon's guest-stats, query-blockstats),
 * /proc/PID/task/TID/stat, /proc/PID/statm and the tap's sysfs counters. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-dispatch.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "qemu-handlers-info.h"
#include "qemu-process.h"
#include "util/proc.h"

#define QUERY_TIMEOUT_MS 10000
#define BALLOON_PATH "/machine/peripheral/balloon0"

/* A running domain's monitor and pid, under a job (end it with mv_qemu_process_end_job). */
static MvQemuDomain *
begin_query(MvDriverCall *call, const MvObjectRef *ref, const char *api,
            MvQemuMonitor **ret_mon, pid_t *ret_pid, GError **error)
{
    g_autoptr(MvQemuDomain) dom = NULL;
    bool active;

    if (!(dom = mv_qemu_dispatch_get_domain(call, ref, error)) ||
        !mv_qemu_dispatch_begin_job(dom, api, error))
        return NULL;
    g_mutex_lock(&dom->lock);
    active = mv_qemu_domain_is_active(dom) && dom->monitor;
    *ret_mon = dom->monitor;
    *ret_pid = dom->pid;
    g_mutex_unlock(&dom->lock);
    if (!active) {
        mv_qemu_process_end_job(mv_qemu_driver_get(call), dom);
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: domain is not running");
        return NULL;
    }
    return g_steal_pointer(&dom);
}

/* utime+stime (ns) and the last host CPU of thread @tid of @pid. */
static bool
thread_stat(pid_t pid, int tid, guint64 *ret_ns, int *ret_cpu)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/task/%d/stat", (int)pid, tid);
    g_autofree char *text = NULL;
    g_auto(GStrv) f = NULL;
    const char *p;

    if (!g_file_get_contents(path, &text, NULL, NULL) || !(p = strrchr(text, ')')))
        return false;
    f = g_strsplit_set(p + 2, " \n", -1);
    if (g_strv_length(f) < 37)          /* field 3 is f[0]; we need field 39 */
        return false;
    *ret_ns = mv_proc_ticks_to_ns(g_ascii_strtoull(f[14 - 3], NULL, 10) +
                                  g_ascii_strtoull(f[15 - 3], NULL, 10));
    *ret_cpu = (int)g_ascii_strtoll(f[39 - 3], NULL, 10);
    return true;
}

bool
mv_qemu_handle_domain_get_vcpus(MvDriverCall *call, const MvObjectRef *dom_ref, int maxinfo,
                                int maplen, MvRemoteVcpuInfo **ret_info, guint *ret_n_info,
                                char **ret_cpumaps, guint *ret_n_cpumaps, GError **error)
{
    MvQemuMonitor *mon = NULL;
    pid_t pid = 0;
    g_autoptr(MvQemuDomain) dom = NULL;
    JsonNode *reply = NULL;
    JsonArray *cpus;
    guint n;

    if (maxinfo < 1 || maplen < 0 || (guint64)maxinfo * (guint64)maplen > 8388608u)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "virDomainGetVcpus: maxinfo must be positive and maxinfo * "
                            "maplen at most 8388608 (got %d, %d)", maxinfo, maplen);
    if (!(dom = begin_query(call, dom_ref, "virDomainGetVcpus", &mon, &pid, error)))
        return false;
    reply = mv_qemu_monitor_command(mon, "query-cpus-fast", NULL, QUERY_TIMEOUT_MS, error);
    if (!reply || !JSON_NODE_HOLDS_ARRAY(reply)) {
        if (reply)
            mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                         "query-cpus-fast did not return an array");
        g_clear_pointer(&reply, json_node_free);
        mv_qemu_process_end_job(mv_qemu_driver_get(call), dom);
        return false;
    }
    cpus = json_node_get_array(reply);
    n = MIN(json_array_get_length(cpus), (guint)maxinfo);
    (*ret_info) = g_new0(MvRemoteVcpuInfo, MAX(n, 1));
    (*ret_n_info) = n;
    if (maplen > 0) {
        (*ret_cpumaps) = g_malloc0((gsize)maxinfo * (gsize)maplen);
        (*ret_n_cpumaps) = (guint)maxinfo * (guint)maplen;
    }
    for (guint i = 0; i < n; i++) {
        JsonObject *c = json_array_get_object_element(cpus, i);
        int tid = (int)json_object_get_int_member_with_default(c, "thread-id", 0);
        MvRemoteVcpuInfo *v = &(*ret_info)[i];
        cpu_set_t set;

        v->number = (unsigned int)json_object_get_int_member_with_default(c, "cpu-index", i);
        v->state = 1;                               /* VIR_VCPU_RUNNING */
        v->cpu = -1;
        if (!thread_stat(pid, tid, &v->cpu_time, &v->cpu))
            v->state = 0;
        CPU_ZERO(&set);
        if (maplen > 0 && tid > 0 && sched_getaffinity(tid, sizeof(set), &set) == 0) {
            guint8 *map = (guint8 *)(*ret_cpumaps) + (gsize)i * (gsize)maplen;

            for (int cpu = 0; cpu < maplen * 8 && cpu < CPU_SETSIZE; cpu++)
                if (CPU_ISSET(cpu, &set))
                    map[cpu / 8] |= 1u << (cpu % 8);
        }
    }
    json_node_free(reply);
    mv_qemu_process_end_job(mv_qemu_driver_get(call), dom);
    return true;
}

/* VIR_DOMAIN_MEMORY_STAT_* tags and the balloon's guest-stats names. */
static const struct {
    int tag;
    const char *qmp;
    bool bytes;                 /* QEMU reports bytes: shown in KiB */
} guest_stats[] = {
    { 0, "stat-swap-in", true },
    { 1, "stat-swap-out", true },
    { 2, "stat-major-faults", false },
    { 3, "stat-minor-faults", false },
    { 4, "stat-free-memory", true },
    { 5, "stat-total-memory", true },
    { 8, "stat-available-memory", true },
    { 10, "stat-disk-caches", true },
    { 11, "stat-htlb-pgalloc", false },
    { 12, "stat-htlb-pgfail", false },
};
#define TAG_ACTUAL 6
#define TAG_RSS 7
#define TAG_LAST_UPDATE 9

static void
add_stat(GArray *out, int tag, guint64 val)
{
    MvRemoteDomainMemoryStat st = { .tag = tag, .val = val };

    g_array_append_val(out, st);
}

/* The guest's own reports (only when a stats period is set and it sent one). */
static void
add_guest_stats(MvQemuMonitor *mon, GArray *out)
{
    JsonObject *args = json_object_new();
    JsonNode *reply;
    JsonObject *obj, *stats;
    gint64 last;

    json_object_set_string_member(args, "path", BALLOON_PATH);
    json_object_set_string_member(args, "property", "guest-stats");
    reply = mv_qemu_monitor_command(mon, "qom-get", args, QUERY_TIMEOUT_MS, NULL);
    if (!reply)
        return;
    if (JSON_NODE_HOLDS_OBJECT(reply) && (obj = json_node_get_object(reply)) &&
        (last = json_object_get_int_member_with_default(obj, "last-update", 0)) > 0 &&
        json_object_has_member(obj, "stats") &&
        (stats = json_object_get_object_member(obj, "stats"))) {
        for (gsize i = 0; i < G_N_ELEMENTS(guest_stats); i++) {
            gint64 v = json_object_get_int_member_with_default(stats, guest_stats[i].qmp, -1);

            if (v >= 0)
                add_stat(out, guest_stats[i].tag,
                         guest_stats[i].bytes ? (guint64)v / 1024 : (guint64)v);
        }
        add_stat(out, TAG_LAST_UPDATE, (guint64)last);
    }
    json_node_free(reply);
}

bool
mv_qemu_handle_domain_memory_stats(MvDriverCall *call, const MvObjectRef *dom_ref,
                                   unsigned int max_stats, unsigned int flags,
                                   MvRemoteDomainMemoryStat **ret_stats, guint *ret_n_stats,
                                   GError **error)
{
    MvQemuMonitor *mon = NULL;
    pid_t pid = 0;
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autoptr(GArray) out = g_array_new(FALSE, TRUE, sizeof(MvRemoteDomainMemoryStat));
    g_autofree char *statm_path = NULL;
    g_autofree char *statm = NULL;
    JsonNode *reply;
    bool balloon;

    if (!mv_qemu_dispatch_check_flags(flags, 0, "virDomainMemoryStats", error) ||
        !(dom = begin_query(call, dom_ref, "virDomainMemoryStats", &mon, &pid, error)))
        return false;
    g_mutex_lock(&dom->lock);
    balloon = dom->live->memballoon && g_strcmp0(dom->live->memballoon->model, "none") != 0;
    g_mutex_unlock(&dom->lock);
    if (balloon) {
        add_guest_stats(mon, out);
        reply = mv_qemu_monitor_command(mon, "query-balloon", NULL, QUERY_TIMEOUT_MS, NULL);
        if (reply && JSON_NODE_HOLDS_OBJECT(reply))
            add_stat(out, TAG_ACTUAL, (guint64)json_object_get_int_member_with_default(
                         json_node_get_object(reply), "actual", 0) / 1024);
        g_clear_pointer(&reply, json_node_free);
    }
    statm_path = g_strdup_printf("/proc/%d/statm", (int)pid);
    if (g_file_get_contents(statm_path, &statm, NULL, NULL)) {
        unsigned long long size, resident;

        if (sscanf(statm, "%llu %llu", &size, &resident) == 2)
            add_stat(out, TAG_RSS, resident * (guint64)sysconf(_SC_PAGESIZE) / 1024);
    }
    mv_qemu_process_end_job(mv_qemu_driver_get(call), dom);
    if (out->len > max_stats)
        g_array_set_size(out, max_stats);
    (*ret_n_stats) = out->len;
    (*ret_stats) = (MvRemoteDomainMemoryStat *)g_array_free(g_steal_pointer(&out), FALSE);
    return true;
}

/* The disk whose target dev or source path is @path, or NULL. */
static const MvDomainDiskDef *
find_disk(const MvDomainDef *def, const char *path)
{
    for (size_t i = 0; i < def->ndisks; i++) {
        const MvDomainDiskDef *d = def->disks[i];

        if (g_strcmp0(d->target_dev, path) == 0 || g_strcmp0(d->source, path) == 0)
            return d;
    }
    return NULL;
}

static bool
qdev_matches(const char *qdev, const char *alias)
{
    g_autofree char *periph = g_strdup_printf("/machine/peripheral/%s", alias);
    gsize n = strlen(periph);

    return g_strcmp0(qdev, alias) == 0 ||
           (qdev && strncmp(qdev, periph, n) == 0 && (qdev[n] == '\0' || qdev[n] == '/'));
}

/* The eight counters of query-blockstats for disk @path (target or source). */
static const char *const block_fields[] = {
    "rd_operations", "rd_bytes", "wr_operations", "wr_bytes", "flush_operations",
    "rd_total_time_ns", "wr_total_time_ns", "flush_total_time_ns",
};
#define N_BLOCK_FIELDS G_N_ELEMENTS(block_fields)

static bool
query_block_stats(MvDriverCall *call, const MvObjectRef *dom_ref, const char *path,
                  const char *api, gint64 ret_values[N_BLOCK_FIELDS], GError **error)
{
    MvQemuMonitor *mon = NULL;
    pid_t pid = 0;
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autofree char *alias = NULL;
    JsonNode *reply;
    bool found = false;

    if (!(dom = begin_query(call, dom_ref, api, &mon, &pid, error)))
        return false;
    g_mutex_lock(&dom->lock);
    {
        const MvDomainDiskDef *d = find_disk(dom->live, path);

        alias = d ? g_strdup(d->alias) : NULL;
    }
    g_mutex_unlock(&dom->lock);
    if (!alias) {
        mv_qemu_process_end_job(mv_qemu_driver_get(call), dom);
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "invalid argument: invalid path: %s (not a disk target or source "
                            "of the domain; see virsh domblklist)", path);
    }
    reply = mv_qemu_monitor_command(mon, "query-blockstats", NULL, QUERY_TIMEOUT_MS, error);
    mv_qemu_process_end_job(mv_qemu_driver_get(call), dom);
    if (!reply)
        return false;
    if (JSON_NODE_HOLDS_ARRAY(reply)) {
        JsonArray *a = json_node_get_array(reply);

        for (guint i = 0; i < json_array_get_length(a) && !found; i++) {
            JsonObject *e = json_array_get_object_element(a, i);
            const char *qdev = json_object_get_string_member_with_default(e, "qdev", NULL);
            JsonObject *st;

            if (!qdev_matches(qdev, alias) || !json_object_has_member(e, "stats"))
                continue;
            st = json_object_get_object_member(e, "stats");
            for (gsize f = 0; f < N_BLOCK_FIELDS; f++)
                ret_values[f] = json_object_get_int_member_with_default(st, block_fields[f], 0);
            found = true;
        }
    }
    json_node_free(reply);
    if (!found)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                            "QEMU reported no statistics for disk %s (device %s)", path, alias);
    return true;
}

bool
mv_qemu_handle_domain_block_stats(MvDriverCall *call, const MvObjectRef *dom_ref,
                                  const char *path, int64_t *ret_rd_req, int64_t *ret_rd_bytes,
                                  int64_t *ret_wr_req, int64_t *ret_wr_bytes, int64_t *ret_errs,
                                  GError **error)
{
    gint64 v[N_BLOCK_FIELDS];

    if (!query_block_stats(call, dom_ref, path, "virDomainBlockStats", v, error))
        return false;
    (*ret_rd_req) = v[0];
    (*ret_rd_bytes) = v[1];
    (*ret_wr_req) = v[2];
    (*ret_wr_bytes) = v[3];
    (*ret_errs) = -1;                           /* QEMU does not count errors */
    return true;
}

bool
mv_qemu_handle_domain_block_stats_flags(MvDriverCall *call, const MvObjectRef *dom_ref,
                                        const char *path, int nparams, unsigned int flags,
                                        MvTypedParam **ret_params, guint *ret_n_params,
                                        int *ret_nparams, GError **error)
{
    /* libvirt's names for the same counters, in the same order */
    static const char *const names[] = {
        "rd_operations", "rd_bytes", "wr_operations", "wr_bytes", "flush_operations",
        "rd_total_times", "wr_total_times", "flush_total_times",
    };
    gint64 v[N_BLOCK_FIELDS];
    int n;

    G_STATIC_ASSERT(G_N_ELEMENTS(names) == N_BLOCK_FIELDS);
    if (!mv_qemu_dispatch_check_flags(flags, 1u << 2, "virDomainBlockStatsFlags", error))
        return false;                           /* VIR_TYPED_PARAM_STRING_OKAY only */
    if (nparams < 0)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "invalid argument: nparams must not be negative");
    if (!query_block_stats(call, dom_ref, path, "virDomainBlockStatsFlags", v, error))
        return false;
    if (nparams == 0) {
        (*ret_nparams) = N_BLOCK_FIELDS;
        return true;
    }
    n = MIN(nparams, (int)N_BLOCK_FIELDS);
    (*ret_params) = g_new0(MvTypedParam, n);
    for (int i = 0; i < n; i++) {
        (*ret_params)[i].field = g_strdup(names[i]);
        (*ret_params)[i].type = MV_TYPED_PARAM_LLONG;
        (*ret_params)[i].value.l = v[i];
    }
    (*ret_n_params) = n;
    (*ret_nparams) = n;
    return true;
}

static gint64
counter(const char *dev, const char *name)
{
    g_autofree char *path = g_strdup_printf("/sys/class/net/%s/statistics/%s", dev, name);
    g_autofree char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return -1;
    return g_ascii_strtoll(text, NULL, 10);
}

bool
mv_qemu_handle_domain_interface_stats(MvDriverCall *call, const MvObjectRef *dom_ref,
                                      const char *device, int64_t *ret_rx_bytes,
                                      int64_t *ret_rx_packets, int64_t *ret_rx_errs,
                                      int64_t *ret_rx_drop, int64_t *ret_tx_bytes,
                                      int64_t *ret_tx_packets, int64_t *ret_tx_errs,
                                      int64_t *ret_tx_drop, GError **error)
{
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autofree char *tap = NULL;
    bool known = false;

    if (!(dom = mv_qemu_dispatch_get_domain(call, dom_ref, error)))
        return false;
    g_mutex_lock(&dom->lock);
    if (mv_qemu_domain_is_active(dom)) {
        for (size_t i = 0; i < dom->live->nnets && !known; i++) {
            const MvDomainNetDef *n = dom->live->nets[i];
            g_autofree char *mac = g_strdup_printf("%02x:%02x:%02x:%02x:%02x:%02x",
                                                   n->mac[0], n->mac[1], n->mac[2], n->mac[3],
                                                   n->mac[4], n->mac[5]);

            if (g_strcmp0(n->target_dev, device) == 0 || g_ascii_strcasecmp(mac, device) == 0) {
                known = true;
                tap = g_strdup(n->target_dev);
            }
        }
    }
    g_mutex_unlock(&dom->lock);
    if (!known)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "invalid argument: '%s' is not a known interface of the running "
                            "domain (see virsh domiflist)", device);
    if (!tap || counter(tap, "rx_bytes") < 0)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_UNSUPPORTED,
                            "interface '%s' has no host-side device to count "
                            "(user-mode networking)", device);
    /* the tap's receive side is what the guest sent */
    (*ret_rx_bytes) = counter(tap, "tx_bytes");
    (*ret_rx_packets) = counter(tap, "tx_packets");
    (*ret_rx_errs) = counter(tap, "tx_errors");
    (*ret_rx_drop) = counter(tap, "tx_dropped");
    (*ret_tx_bytes) = counter(tap, "rx_bytes");
    (*ret_tx_packets) = counter(tap, "rx_packets");
    (*ret_tx_errs) = counter(tap, "rx_errors");
    (*ret_tx_drop) = counter(tap, "rx_dropped");
    return true;
}
