/* CONNECT_GET_ALL_DOMAIN_STATS (virsh domstats): every group stock virsh asks
 * for, as typed parameters with libvirt's names. State, counts and sizes come
 * from the published state; a running guest's balloon, vCPU, block, iothread
 * and dirty-rate values from QMP under its job (qemu-domain-stats-qmp.c); NICs
 * and disks are formatted by qemu-domain-stats-devices.c. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-dispatch.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "qemu-domain-stats.h"
#include "util/proc.h"

/* virConnectGetAllDomainStats flags: the list filters plus three modifiers. */
enum {
    STATS_FILTERS = 0xff,
    STATS_NOWAIT = 1u << 29,
    STATS_BACKING = 1u << 30,
    STATS_ENFORCE = 1u << 31,
};

static void
add_param_v(GArray *params, int type, guint64 value, const char *value_s, const char *fmt,
            va_list ap)
{
    MvTypedParam param = { .field = g_strdup_vprintf(fmt, ap), .type = type };

    switch (type) {
    case MV_TYPED_PARAM_INT:
        param.value.i = (int)value;
        break;
    case MV_TYPED_PARAM_UINT:
        param.value.ui = (unsigned int)value;
        break;
    case MV_TYPED_PARAM_LLONG:
        param.value.l = (gint64)value;
        break;
    case MV_TYPED_PARAM_BOOLEAN:
        param.value.b = value != 0;
        break;
    case MV_TYPED_PARAM_STRING:
        param.value.s = g_strdup(value_s);
        break;
    default:
        param.value.ul = value;
        break;
    }
    g_array_append_val(params, param);
}

void
mv_qemu_stats_add(GArray *params, int type, guint64 value, const char *field, ...)
{
    va_list ap;

    va_start(ap, field);
    add_param_v(params, type, value, NULL, field, ap);
    va_end(ap);
}

void
mv_qemu_stats_add_string(GArray *params, const char *value, const char *field, ...)
{
    va_list ap;

    va_start(ap, field);
    add_param_v(params, MV_TYPED_PARAM_STRING, 0, value, field, ap);
    va_end(ap);
}

/* utime and stime of a process in ns. */
static bool
process_times(pid_t pid, guint64 *ret_user, guint64 *ret_system)
{
    MvProcStat st;

    if (!mv_proc_stat_read(pid, &st, NULL))
        return false;
    *ret_user = mv_proc_ticks_to_ns(st.utime);
    *ret_system = mv_proc_ticks_to_ns(st.stime);
    return true;
}

static bool
passes_filters(MvQemuDomain *dom, unsigned int flags)
{
    bool active = mv_qemu_domain_is_active(dom);
    int st = dom->state;

    if (((flags & 1) && !active) || ((flags & 2) && active) || ((flags & 4) && !dom->persistent) ||
        ((flags & 8) && dom->persistent))
        return false;
    if (!(flags & 0xf0))
        return true;
    return ((flags & 16) && st == MV_DOMAIN_RUNNING) || ((flags & 32) && st == MV_DOMAIN_PAUSED) ||
           ((flags & 64) && st == MV_DOMAIN_SHUTOFF) ||
           ((flags & 128) && st != MV_DOMAIN_RUNNING && st != MV_DOMAIN_PAUSED &&
            st != MV_DOMAIN_SHUTOFF);
}

/* "balloon.NAME" for the balloon's guest-stats, in KiB where QEMU says bytes. */
static const struct {
    const char *name;
    const char *qmp;
    bool bytes;
} balloon_stats[] = {
    { "swap_in", "stat-swap-in", true },
    { "swap_out", "stat-swap-out", true },
    { "major_fault", "stat-major-faults", false },
    { "minor_fault", "stat-minor-faults", false },
    { "unused", "stat-free-memory", true },
    { "available", "stat-total-memory", true },
    { "usable", "stat-available-memory", true },
    { "disk_caches", "stat-disk-caches", true },
    { "hugetlb_pgalloc", "stat-htlb-pgalloc", false },
    { "hugetlb_pgfail", "stat-htlb-pgfail", false },
};

static void
balloon_group(GArray *params, guint64 current, guint64 maximum, pid_t pid,
              const MvQemuStatsQmp *qmp)
{
    JsonObject *o, *st;
    gint64 last;

    /* the balloon's target (what setmem last asked), as libvirt's cur_balloon */
    mv_qemu_stats_add(params, MV_TYPED_PARAM_ULLONG, current, "balloon.current");
    mv_qemu_stats_add(params, MV_TYPED_PARAM_ULLONG, maximum, "balloon.maximum");
    if (qmp->guest_stats && JSON_NODE_HOLDS_OBJECT(qmp->guest_stats) &&
        (o = json_node_get_object(qmp->guest_stats)) &&
        (last = json_object_get_int_member_with_default(o, "last-update", 0)) > 0 &&
        json_object_has_member(o, "stats") && (st = json_object_get_object_member(o, "stats"))) {
        for (gsize i = 0; i < G_N_ELEMENTS(balloon_stats); i++) {
            gint64 v = json_object_get_int_member_with_default(st, balloon_stats[i].qmp, -1);

            if (v >= 0)
                mv_qemu_stats_add(params, MV_TYPED_PARAM_ULLONG,
                                  balloon_stats[i].bytes ? (guint64)v / 1024 : (guint64)v,
                                  "balloon.%s", balloon_stats[i].name);
        }
        mv_qemu_stats_add(params, MV_TYPED_PARAM_ULLONG, (guint64)last, "balloon.last-update");
    }
    if (pid > 0) {
        g_autofree char *path = g_strdup_printf("/proc/%d/statm", (int)pid);
        g_autofree char *statm = NULL;
        unsigned long long size, resident;

        if (g_file_get_contents(path, &statm, NULL, NULL) &&
            sscanf(statm, "%llu %llu", &size, &resident) == 2)
            mv_qemu_stats_add(params, MV_TYPED_PARAM_ULLONG,
                              resident * (guint64)sysconf(_SC_PAGESIZE) / 1024, "balloon.rss");
    }
}

/* CPU time (utime + stime, as vcpuinfo) and scheduler wait of a vCPU thread,
 * in ns (/proc/PID/task/TID/stat and schedstat). */
static bool
vcpu_times(pid_t pid, int tid, guint64 *ret_time, guint64 *ret_wait)
{
    g_autofree char *stat_path = g_strdup_printf("/proc/%d/task/%d/stat", (int)pid, tid);
    g_autofree char *sched_path = g_strdup_printf("/proc/%d/task/%d/schedstat", (int)pid, tid);
    g_autofree char *stat = NULL, *sched = NULL;
    unsigned long long run, wait, utime, stime;
    const char *p;

    if (!g_file_get_contents(stat_path, &stat, NULL, NULL) || !(p = strrchr(stat, ')')) ||
        sscanf(p + 2, "%*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu %llu", &utime,
               &stime) != 2 ||
        !g_file_get_contents(sched_path, &sched, NULL, NULL) ||
        sscanf(sched, "%llu %llu", &run, &wait) != 2)
        return false;
    *ret_time = mv_proc_ticks_to_ns(utime + stime);
    *ret_wait = wait;
    return true;
}

static void
vcpu_group(GArray *params, unsigned int current, unsigned int maximum, pid_t pid,
           const MvQemuStatsQmp *qmp)
{
    JsonArray *cpus;

    mv_qemu_stats_add(params, MV_TYPED_PARAM_UINT, current, "vcpu.current");
    mv_qemu_stats_add(params, MV_TYPED_PARAM_UINT, maximum, "vcpu.maximum");
    if (!qmp->cpus || !JSON_NODE_HOLDS_ARRAY(qmp->cpus))
        return;
    cpus = json_node_get_array(qmp->cpus);
    for (guint i = 0; i < json_array_get_length(cpus); i++) {
        JsonObject *c = json_array_get_object_element(cpus, i);
        gint64 idx = json_object_get_int_member_with_default(c, "cpu-index", i);
        int tid = (int)json_object_get_int_member_with_default(c, "thread-id", 0);
        guint64 time = 0, wait = 0;
        bool known = tid > 0 && vcpu_times(pid, tid, &time, &wait);

        mv_qemu_stats_add(params, MV_TYPED_PARAM_INT, 1, "vcpu.%" G_GINT64_FORMAT ".state", idx);
        if (!known)
            continue;
        mv_qemu_stats_add(params, MV_TYPED_PARAM_ULLONG, time, "vcpu.%" G_GINT64_FORMAT ".time",
                          idx);
        mv_qemu_stats_add(params, MV_TYPED_PARAM_ULLONG, wait, "vcpu.%" G_GINT64_FORMAT ".wait",
                          idx);
    }
}

/* The record of @dom, or false when it does not pass the filters. */
static bool
collect(MvQemuDriver *driver, MvQemuDomain *dom, unsigned int stats, unsigned int flags,
        MvRemoteDomainStatsRecord *rec)
{
    GArray *params = g_array_new(FALSE, TRUE, sizeof(MvTypedParam));
    MvQemuStatsQmp qmp = { 0 };
    MvQemuStatsDevices devs = { 0 };
    const MvDomainDef *def;
    guint64 user = 0, sys = 0, cur_mem, max_mem;
    unsigned int cur_vcpus, max_vcpus;
    int state, reason;
    bool active;
    pid_t pid;

    g_mutex_lock(&dom->lock);
    if (!passes_filters(dom, flags & STATS_FILTERS)) {
        g_mutex_unlock(&dom->lock);
        g_array_unref(params);
        return false;
    }
    active = mv_qemu_domain_is_active(dom);
    g_mutex_unlock(&dom->lock);
    if (active)
        mv_qemu_domain_stats_ask(driver, dom, stats, flags & STATS_NOWAIT, &qmp);
    g_mutex_lock(&dom->lock);
    active = mv_qemu_domain_is_active(dom);
    def = active && dom->live ? dom->live : dom->def;
    pid = active ? dom->pid : -1;
    state = dom->state;
    reason = dom->reason;
    cur_mem = def->current_memory;
    max_mem = def->memory;
    cur_vcpus = def->vcpus_current;
    max_vcpus = def->vcpus;
    mv_qemu_stats_devices_copy(def, active, &devs);
    g_mutex_unlock(&dom->lock);
    if (!active)
        mv_qemu_domain_stats_qmp_clear(&qmp);   /* it stopped meanwhile */
    if (stats & MV_QEMU_STATS_STATE) {
        mv_qemu_stats_add(params, MV_TYPED_PARAM_INT, state, "state.state");
        mv_qemu_stats_add(params, MV_TYPED_PARAM_INT, reason, "state.reason");
    }
    if ((stats & MV_QEMU_STATS_CPU_TOTAL) && pid > 0 && process_times(pid, &user, &sys)) {
        mv_qemu_stats_add(params, MV_TYPED_PARAM_ULLONG, user + sys, "cpu.time");
        mv_qemu_stats_add(params, MV_TYPED_PARAM_ULLONG, user, "cpu.user");
        mv_qemu_stats_add(params, MV_TYPED_PARAM_ULLONG, sys, "cpu.system");
    }
    if (stats & MV_QEMU_STATS_BALLOON)
        balloon_group(params, cur_mem, max_mem, pid, &qmp);
    if (stats & MV_QEMU_STATS_VCPU)
        vcpu_group(params, cur_vcpus, max_vcpus, pid, &qmp);
    mv_qemu_stats_device_groups(&devs, &qmp, stats, params);
    /* perf (no perf events are enabled), memory (no resctrl monitors) and vm
     * (QEMU's query-stats, KVM only) add nothing, as libvirt then adds nothing. */
    mv_qemu_stats_devices_clear(&devs);
    mv_qemu_domain_stats_qmp_clear(&qmp);
    mv_qemu_dispatch_fill_dom(&rec->dom, dom);
    rec->n_params = params->len;
    rec->params = (MvTypedParam *)g_array_free(params, FALSE);
    return true;
}

bool
mv_qemu_handle_connect_get_all_domain_stats(MvDriverCall *call,
                                            const MvObjectRef *wanted,
                                            guint n_wanted,
                                            unsigned int wanted_stats,
                                            unsigned int flags,
                                            MvRemoteDomainStatsRecord **ret_ret_stats,
                                            guint *ret_n_ret_stats,
                                            GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(GPtrArray) doms = NULL;
    unsigned int stats = wanted_stats ? wanted_stats : MV_QEMU_STATS_ALL;
    unsigned int filters = flags & STATS_FILTERS;
    guint n = 0;

    if (!mv_qemu_dispatch_check_flags(flags, STATS_FILTERS | STATS_NOWAIT | STATS_BACKING |
                                      STATS_ENFORCE, "virConnectGetAllDomainStats", error))
        return false;
    if ((flags & STATS_ENFORCE) && (stats & ~MV_QEMU_STATS_ALL))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_UNSUPPORTED,
                            "stats groups 0x%x are not supported", stats & ~MV_QEMU_STATS_ALL);
    if (n_wanted && filters)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "filtering flags cannot be used with an explicit domain list");
    if (n_wanted) {
        doms = g_ptr_array_new_with_free_func((GDestroyNotify)mv_qemu_domain_unref);
        for (guint i = 0; i < n_wanted; i++) {
            MvQemuDomain *dom = mv_qemu_dispatch_get_domain(call, &wanted[i], error);
            if (!dom)
                return false;
            g_ptr_array_add(doms, dom);
        }
    } else {
        doms = mv_driver_list_snapshot(driver->domains);
    }
    *ret_ret_stats = g_new0(MvRemoteDomainStatsRecord, MAX(doms->len, 1));
    for (guint i = 0; i < doms->len; i++) {
        if (collect(driver, doms->pdata[i], stats, flags, &(*ret_ret_stats)[n]))
            n++;
    }
    *ret_n_ret_stats = n;
    return true;
}

