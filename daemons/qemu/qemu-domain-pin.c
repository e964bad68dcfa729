/* virsh vcpupin DOM N CPUS and emulatorpin DOM CPUS (virDomainPinVcpu,
 * virDomainPinVcpuFlags, virDomainPinEmulator): --live sets the threads'
 * affinity (sched_setaffinity), --config the <cputune> <vcpupin>/<emulatorpin>.
 * A map of every host CPU removes the pin. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-dispatch.h"

#include <string.h>

#include "driver/affect.h"
#include "qemu-handlers-info.h"
#include "qemu-handlers-tune.h"
#include "qemu-persist.h"
#include "qemu-process.h"
#include "qemu-tune.h"

#define AFFECT_LIVE MV_DRIVER_AFFECT_LIVE
#define AFFECT_CONFIG MV_DRIVER_AFFECT_CONFIG

/* @cpumap as a canonical cpuset; NULL (no error) when it covers every present host CPU. */
static bool
map_to_cpuset(const char *cpumap, guint n, char **ret_cpuset, GError **error)
{
    g_autofree guint8 *map = g_malloc0(MV_DOMAIN_CPUSET_MAX / 8);
    g_autofree guint8 *host = g_malloc0(MV_DOMAIN_CPUSET_MAX / 8);
    g_autofree char *present = NULL;
    g_autofree char *text = NULL;
    bool all = true;
    bool any = false;

    memcpy(map, cpumap, MIN(n, MV_DOMAIN_CPUSET_MAX / 8));
    if (!g_file_get_contents("/sys/devices/system/cpu/present", &present, NULL, NULL) ||
        !mv_qemu_parse_cpu_list(present, host, MV_DOMAIN_CPUSET_MAX))
        memset(host, 0, MV_DOMAIN_CPUSET_MAX / 8);
    for (guint i = 0; i < MV_DOMAIN_CPUSET_MAX / 8; i++) {
        guint8 on_host = map[i] & host[i];

        any = any || on_host;
        all = all && (host[i] & ~map[i]) == 0;
        map[i] = on_host;
    }
    if (!any)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "invalid argument: the CPU map names no CPU of this host "
                            "(present: %s)", present ? g_strstrip(present) : "unknown");
    text = mv_domain_cpuset_format(map, MV_DOMAIN_CPUSET_MAX);
    *ret_cpuset = all ? NULL : g_steal_pointer(&text);
    return true;
}

/* Sets the pin of @vcpu (< 0: the emulator) in @def; NULL @cpuset removes it. */
static void
set_pin(MvDomainDef *def, int vcpu, const char *cpuset)
{
    if (!def->tune)
        def->tune = g_new0(MvDomainTuneDef, 1);
    if (vcpu >= 0) {
        mv_domain_tune_set_vcpupin(def->tune, (unsigned int)vcpu, cpuset);
    } else {
        g_free(def->tune->emulatorpin);
        def->tune->emulatorpin = g_strdup(cpuset);
    }
    if (mv_domain_tune_def_is_empty(def->tune))
        g_clear_pointer(&def->tune, mv_domain_tune_def_free);
}

/* @vcpu < 0: the emulator. */
static bool
pin(MvDriverCall *call, const MvObjectRef *ref, int vcpu, const char *cpumap, guint n,
    unsigned int flags, const char *api, GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autofree char *cpuset = NULL;
    MvQemuMonitor *mon;
    pid_t pid;
    bool ok;

    if (!mv_qemu_dispatch_check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG, api, error) ||
        !map_to_cpuset(cpumap, n, &cpuset, error) ||
        !(dom = mv_qemu_dispatch_get_domain(call, ref, error)) ||
        !mv_qemu_dispatch_begin_job(dom, api, error))
        return false;
    g_mutex_lock(&dom->lock);
    ok = mv_driver_affect_resolve(&mv_qemu_domain_class, &flags, mv_qemu_domain_is_active(dom),
                                  dom->persistent, MV_DRIVER_AFFECT_NEED_PERSISTENT, error);
    if (ok && vcpu >= 0) {
        const MvDomainDef *def = (flags & AFFECT_LIVE) ? dom->live
                                 : dom->newdef ? dom->newdef : dom->def;

        if (!def)
            ok = mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_OPERATION_INVALID,
                              "Requested operation is not valid: domain is not running");
        else if ((unsigned int)vcpu >= def->vcpus)
            ok = mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                              "invalid argument: vCPU %d does not exist: the domain has %u "
                              "vCPUs (0 to %u)", vcpu, def->vcpus, def->vcpus - 1);
    }
    mon = dom->monitor;
    pid = dom->pid;
    g_mutex_unlock(&dom->lock);
    /* Live: QMP and the affinity without the lock (the job keeps the monitor). */
    if (ok && (flags & AFFECT_LIVE)) {
        g_autofree pid_t *tids = NULL;
        unsigned int ntids = 0;

        ok = mv_qemu_tune_vcpu_threads(mon, &tids, &ntids, error);
        if (ok && vcpu >= 0 && ((unsigned int)vcpu >= ntids || !tids[vcpu]))
            ok = mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_OPERATION_INVALID,
                              "Requested operation is not valid: vCPU %d is not online", vcpu);
        if (ok)
            ok = vcpu >= 0 ? mv_qemu_tune_pin_thread(tids[vcpu], cpuset, error)
                           : mv_qemu_tune_pin_emulator(pid, tids, ntids, cpuset, error);
        g_mutex_lock(&dom->lock);
        if (ok && dom->live) {
            set_pin(dom->live, vcpu, cpuset);
            if (!mv_qemu_persist_save_status(driver, dom, NULL))
                dom->status_dirty = true;
        }
        g_mutex_unlock(&dom->lock);
    }
    g_mutex_lock(&dom->lock);
    if (ok && (flags & AFFECT_CONFIG)) {
        g_autoptr(MvDomainDef) def = mv_domain_def_copy(dom->newdef ? dom->newdef : dom->def);

        set_pin(def, vcpu, cpuset);
        ok = mv_qemu_persist_replace_def(driver, dom, &def, error);
    }
    g_mutex_unlock(&dom->lock);
    mv_qemu_process_end_job(driver, dom);
    return ok;
}

bool
mv_qemu_handle_domain_pin_vcpu(MvDriverCall *call, const MvObjectRef *dom_ref,
                               unsigned int vcpu, const char *cpumap, guint n_cpumap,
                               GError **error)
{
    /* The old API affects the running guest only. */
    if (vcpu > G_MAXINT)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "invalid argument: vCPU %u does not exist", vcpu);
    return pin(call, dom_ref, (int)vcpu, cpumap, n_cpumap, AFFECT_LIVE, "virDomainPinVcpu",
               error);
}

bool
mv_qemu_handle_domain_pin_vcpu_flags(MvDriverCall *call, const MvObjectRef *dom_ref,
                                     unsigned int vcpu, const char *cpumap, guint n_cpumap,
                                     unsigned int flags, GError **error)
{
    if (vcpu > G_MAXINT)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "invalid argument: vCPU %u does not exist", vcpu);
    return pin(call, dom_ref, (int)vcpu, cpumap, n_cpumap, flags, "virDomainPinVcpuFlags",
               error);
}

bool
mv_qemu_handle_domain_pin_emulator(MvDriverCall *call, const MvObjectRef *dom_ref,
                                   const char *cpumap, guint n_cpumap, unsigned int flags,
                                   GError **error)
{
    return pin(call, dom_ref, -1, cpumap, n_cpumap, flags, "virDomainPinEmulator", error);
}
