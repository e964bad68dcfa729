/* CONNECT_GET_ALL_DOMAIN_STATS (virsh domstats): state, CPU time, balloon and
 * vCPU counts as typed parameters, from the published state — no job, no QMP. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-dispatch.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/proc.h"

/* Stats groups (virDomainStatsTypes) we can report. */
enum {
    STATS_STATE = 1 << 0,
    STATS_CPU_TOTAL = 1 << 1,
    STATS_BALLOON = 1 << 2,
    STATS_VCPU = 1 << 3,
    STATS_SUPPORTED = STATS_STATE | STATS_CPU_TOTAL | STATS_BALLOON | STATS_VCPU,
};

/* virConnectGetAllDomainStats flags: the list filters plus three modifiers. */
enum {
    STATS_FILTERS = 0xff,
    STATS_NOWAIT = 1u << 29,
    STATS_BACKING = 1u << 30,
    STATS_ENFORCE = 1u << 31,
};

typedef struct {
    GArray *params;     /* MvTypedParam */
} Params;

static void
add_param(Params *p, const char *field, int type, guint64 value)
{
    MvTypedParam param = { .field = g_strdup(field), .type = type };

    switch (type) {
    case MV_TYPED_PARAM_INT:
        param.value.i = (int)value;
        break;
    case MV_TYPED_PARAM_UINT:
        param.value.ui = (unsigned int)value;
        break;
    default:
        param.value.ul = value;
        break;
    }
    g_array_append_val(p->params, param);
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

/* The record of @dom, or false when it does not pass the filters. */
static bool
collect(MvQemuDomain *dom, unsigned int stats, unsigned int flags,
        MvRemoteDomainStatsRecord *rec)
{
    Params p = { g_array_new(FALSE, TRUE, sizeof(MvTypedParam)) };
    const MvDomainDef *def;
    guint64 user = 0, sys = 0;
    bool active;
    pid_t pid;

    g_mutex_lock(&dom->lock);
    active = mv_qemu_domain_is_active(dom);
    if (((flags & 1) && !active) || ((flags & 2) && active) || ((flags & 4) && !dom->persistent) ||
        ((flags & 8) && dom->persistent) ||
        ((flags & 0xf0) &&
         !(((flags & 16) && dom->state == MV_DOMAIN_RUNNING) ||
           ((flags & 32) && dom->state == MV_DOMAIN_PAUSED) ||
           ((flags & 64) && dom->state == MV_DOMAIN_SHUTOFF) ||
           ((flags & 128) && dom->state != MV_DOMAIN_RUNNING && dom->state != MV_DOMAIN_PAUSED &&
            dom->state != MV_DOMAIN_SHUTOFF)))) {
        g_mutex_unlock(&dom->lock);
        g_array_unref(p.params);
        return false;
    }
    def = dom->live ? dom->live : dom->def;
    pid = active ? dom->pid : -1;
    if (stats & STATS_STATE) {
        add_param(&p, "state.state", MV_TYPED_PARAM_INT, dom->state);
        add_param(&p, "state.reason", MV_TYPED_PARAM_INT, dom->reason);
    }
    if (stats & STATS_BALLOON) {
        add_param(&p, "balloon.current", MV_TYPED_PARAM_ULLONG, def->current_memory);
        add_param(&p, "balloon.maximum", MV_TYPED_PARAM_ULLONG, def->memory);
    }
    if (stats & STATS_VCPU) {
        add_param(&p, "vcpu.current", MV_TYPED_PARAM_UINT, def->vcpus_current);
        add_param(&p, "vcpu.maximum", MV_TYPED_PARAM_UINT, def->vcpus);
    }
    g_mutex_unlock(&dom->lock);
    if ((stats & STATS_CPU_TOTAL) && pid > 0 && process_times(pid, &user, &sys)) {
        add_param(&p, "cpu.time", MV_TYPED_PARAM_ULLONG, user + sys);
        add_param(&p, "cpu.user", MV_TYPED_PARAM_ULLONG, user);
        add_param(&p, "cpu.system", MV_TYPED_PARAM_ULLONG, sys);
    }
    mv_qemu_dispatch_fill_dom(&rec->dom, dom);
    rec->n_params = p.params->len;
    rec->params = (MvTypedParam *)g_array_free(p.params, FALSE);
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
    unsigned int stats = wanted_stats ? wanted_stats : STATS_SUPPORTED;
    unsigned int filters = flags & STATS_FILTERS;
    guint n = 0;

    if (!mv_qemu_dispatch_check_flags(flags, STATS_FILTERS | STATS_NOWAIT | STATS_BACKING |
                                      STATS_ENFORCE, "virConnectGetAllDomainStats", error))
        return false;
    if ((flags & STATS_ENFORCE) && (stats & ~STATS_SUPPORTED))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_UNSUPPORTED,
                            "stats groups 0x%x are not supported", stats & ~STATS_SUPPORTED);
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
        if (collect(doms->pdata[i], stats, filters, &(*ret_ret_stats)[n]))
            n++;
    }
    *ret_n_ret_stats = n;
    return true;
}

