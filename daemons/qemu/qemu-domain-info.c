/* Domain queries (state, info, XML, flags, what `virsh dominfo` asks) and
 * the settings that change memory, vCPUs and metadata. Queries read the
 * published state under the domain lock and never wait for a job. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-dispatch.h"
#include "qemu-snapshot.h"
#include "qemu-hotplug.h"
#include "qemu-persist.h"
#include "qemu-process.h"
#include "qemu-save.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf/domain-conf.h"
#include "driver/affect.h"
#include "util/proc.h"

/* virDomainModificationImpact and friends. */
#define AFFECT_LIVE     MV_DRIVER_AFFECT_LIVE      /* the rules: driver/affect.h */
#define AFFECT_CONFIG   MV_DRIVER_AFFECT_CONFIG
#define MEM_MAXIMUM     (1u << 2)
#define VCPU_MAXIMUM    (1u << 2)
#define VCPU_GUEST      (1u << 3)
#define XML_SECURE      (1u << 0)
#define XML_INACTIVE    (1u << 1)
#define XML_UPDATE_CPU  (1u << 2)
#define XML_MIGRATABLE  (1u << 3)

/* Looks up the domain named by a call and locks it for a short query. */
#define WITH_DOMAIN(call, ref, error, dom)                                                  \
    g_autoptr(MvQemuDomain) dom = mv_qemu_dispatch_get_domain((call), (ref), (error));      \
    if (!dom)                                                                               \
        return false;

/* CPU time of a QEMU process in ns (all its threads), 0 when unknown. */
static guint64
process_cpu_time(pid_t pid)
{
    MvProcStat st;

    if (pid <= 0 || !mv_proc_stat_read(pid, &st, NULL))
        return 0;
    return mv_proc_ticks_to_ns(st.utime + st.stime);
}

bool
mv_qemu_handle_domain_get_info(MvDriverCall *call,
                               const MvObjectRef *dom_ref,
                               unsigned char *ret_state,
                               uint64_t *ret_max_mem,
                               uint64_t *ret_memory,
                               unsigned short *ret_nr_virt_cpu,
                               uint64_t *ret_cpu_time,
                               GError **error)
{
    WITH_DOMAIN(call, dom_ref, error, dom);
    const MvDomainDef *def;
    pid_t pid;

    g_mutex_lock(&dom->lock);
    def = dom->live ? dom->live : dom->def;
    (*ret_state) = dom->state;
    (*ret_max_mem) = def->memory;
    (*ret_memory) = def->current_memory;
    (*ret_nr_virt_cpu) = def->vcpus_current;
    pid = dom->id >= 0 ? dom->pid : -1;
    g_mutex_unlock(&dom->lock);
    (*ret_cpu_time) = process_cpu_time(pid);
    return true;
}

bool
mv_qemu_handle_domain_get_state(MvDriverCall *call,
                                const MvObjectRef *dom_ref,
                                unsigned int flags,
                                int *ret_state,
                                int *ret_reason,
                                GError **error)
{
    if (!mv_qemu_dispatch_check_flags(flags, 0, "virDomainGetState", error))
        return false;
    WITH_DOMAIN(call, dom_ref, error, dom);
    g_mutex_lock(&dom->lock);
    (*ret_state) = dom->state;
    (*ret_reason) = dom->reason;
    g_mutex_unlock(&dom->lock);
    return true;
}

bool
mv_qemu_handle_domain_get_xml_desc(MvDriverCall *call,
                                   const MvObjectRef *dom_ref,
                                   unsigned int flags,
                                   char **ret_xml,
                                   GError **error)
{
    unsigned int fmt = 0;

    if (!mv_qemu_dispatch_check_flags(flags,
                                      XML_SECURE | XML_INACTIVE | XML_UPDATE_CPU | XML_MIGRATABLE,
                                      "virDomainGetXMLDesc", error))
        return false;
    /* The migratable XML counts as secure, as in libvirt: both carry secrets. */
    if ((flags & (XML_SECURE | XML_MIGRATABLE)) &&
        mv_driver_call_is_readonly(call))
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_OPERATION_DENIED,
                            "operation forbidden: virDomainGetXMLDesc with secure flag");
    WITH_DOMAIN(call, dom_ref, error, dom);
    if (flags & XML_SECURE)
        fmt |= MV_DOMAIN_DEF_FORMAT_SECURE;
    g_mutex_lock(&dom->lock);
    if (dom->live && !(flags & XML_INACTIVE)) {
        (*ret_xml) = mv_domain_def_format(dom->live, dom->id, fmt);
    } else {
        fmt |= MV_DOMAIN_DEF_FORMAT_INACTIVE;
        (*ret_xml) = mv_domain_def_format(dom->newdef ? dom->newdef : dom->def, -1, fmt);
    }
    g_mutex_unlock(&dom->lock);
    return true;
}

bool
mv_qemu_handle_domain_get_autostart(MvDriverCall *call,
                                    const MvObjectRef *dom_ref,
                                    int *ret_autostart,
                                    GError **error)
{
    WITH_DOMAIN(call, dom_ref, error, dom);
    g_mutex_lock(&dom->lock);
    (*ret_autostart) = dom->autostart;
    g_mutex_unlock(&dom->lock);
    return true;
}

bool
mv_qemu_handle_domain_is_active(MvDriverCall *call,
                                const MvObjectRef *dom_ref,
                                int *ret_active,
                                GError **error)
{
    WITH_DOMAIN(call, dom_ref, error, dom);
    g_mutex_lock(&dom->lock);
    (*ret_active) = mv_qemu_domain_is_active(dom);
    g_mutex_unlock(&dom->lock);
    return true;
}

bool
mv_qemu_handle_domain_is_persistent(MvDriverCall *call,
                                    const MvObjectRef *dom_ref,
                                    int *ret_persistent,
                                    GError **error)
{
    WITH_DOMAIN(call, dom_ref, error, dom);
    g_mutex_lock(&dom->lock);
    (*ret_persistent) = dom->persistent;
    g_mutex_unlock(&dom->lock);
    return true;
}

bool
mv_qemu_handle_domain_is_updated(MvDriverCall *call,
                                 const MvObjectRef *dom_ref,
                                 int *ret_updated,
                                 GError **error)
{
    WITH_DOMAIN(call, dom_ref, error, dom);
    g_mutex_lock(&dom->lock);
    (*ret_updated) = dom->newdef != NULL;
    g_mutex_unlock(&dom->lock);
    return true;
}

bool
mv_qemu_handle_domain_get_os_type(MvDriverCall *call,
                                  const MvObjectRef *dom_ref,
                                  char **ret_type,
                                  GError **error)
{
    WITH_DOMAIN(call, dom_ref, error, dom);
    g_mutex_lock(&dom->lock);
    (*ret_type) = g_strdup(dom->def->os.type ? dom->def->os.type : "hvm");
    g_mutex_unlock(&dom->lock);
    return true;
}

bool
mv_qemu_handle_domain_get_max_memory(MvDriverCall *call,
                                     const MvObjectRef *dom_ref,
                                     uint64_t *ret_memory,
                                     GError **error)
{
    WITH_DOMAIN(call, dom_ref, error, dom);
    g_mutex_lock(&dom->lock);
    (*ret_memory) = (dom->live ? dom->live : dom->def)->memory;
    g_mutex_unlock(&dom->lock);
    return true;
}

bool
mv_qemu_handle_domain_get_max_vcpus(MvDriverCall *call,
                                    const MvObjectRef *dom_ref,
                                    int *ret_num,
                                    GError **error)
{
    WITH_DOMAIN(call, dom_ref, error, dom);
    g_mutex_lock(&dom->lock);
    (*ret_num) = (int)(dom->live ? dom->live : dom->def)->vcpus;
    g_mutex_unlock(&dom->lock);
    return true;
}

bool
mv_qemu_handle_domain_get_vcpus_flags(MvDriverCall *call,
                                      const MvObjectRef *dom_ref,
                                      unsigned int flags,
                                      int *ret_num,
                                      GError **error)
{
    const MvDomainDef *def;

    if (!mv_qemu_dispatch_check_flags(flags,
                                      AFFECT_LIVE | AFFECT_CONFIG | VCPU_MAXIMUM | VCPU_GUEST,
                                      "virDomainGetVcpusFlags", error))
        return false;
    if (!mv_driver_affect_check_exclusive(&mv_qemu_domain_class, flags, error))
        return false;
    if ((flags & VCPU_GUEST) &&
        mv_driver_call_is_readonly(call))
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_OPERATION_DENIED,
                            "operation forbidden: read only access prevents "
                            "virDomainGetVcpusFlags");
    if (flags & VCPU_GUEST)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_UNSUPPORTED,
                            "asking the guest for its vCPUs needs a guest agent");
    WITH_DOMAIN(call, dom_ref, error, dom);
    g_mutex_lock(&dom->lock);
    if (!mv_driver_affect_resolve(&mv_qemu_domain_class, &flags, dom->live != NULL, true, 0,
                                  error)) {
        g_mutex_unlock(&dom->lock);
        return false;
    }
    def = (flags & AFFECT_LIVE) ? dom->live : dom->newdef ? dom->newdef : dom->def;
    (*ret_num) = (int)((flags & VCPU_MAXIMUM) ? def->vcpus : def->vcpus_current);
    g_mutex_unlock(&dom->lock);
    return true;
}

bool
mv_qemu_handle_domain_has_managed_save_image(MvDriverCall *call,
                                             const MvObjectRef *dom_ref,
                                             unsigned int flags,
                                             int *ret_result,
                                             GError **error)
{
    if (!mv_qemu_dispatch_check_flags(flags, 0, "virDomainHasManagedSaveImage", error))
        return false;
    WITH_DOMAIN(call, dom_ref, error, dom);
    (*ret_result) = mv_qemu_save_has_managed(mv_qemu_driver_get(call), dom->name) ? 1 : 0;
    return true;
}

bool
mv_qemu_handle_domain_snapshot_num(MvDriverCall *call,
                                   const MvObjectRef *dom_ref,
                                   unsigned int flags,
                                   int *ret_num,
                                   GError **error)
{
    return mv_qemu_snapshot_num(call, dom_ref, flags, ret_num, error);   /* qemu-snapshot* */
}

bool
mv_qemu_handle_domain_get_security_label(MvDriverCall *call,
                                         const MvObjectRef *dom_ref,
                                         char **ret_label,
                                         guint *ret_n_label,
                                         int *ret_enforcing,
                                         GError **error)
{
    WITH_DOMAIN(call, dom_ref, error, dom);
    /* No security driver is active: an empty label, not enforcing. */
    *ret_n_label = 0;
    (*ret_enforcing) = 0;
    return true;
}

bool
mv_qemu_handle_domain_get_messages(MvDriverCall *call,
                                   const MvObjectRef *dom_ref,
                                   unsigned int flags,
                                   char ***ret_msgs,
                                   guint *ret_n_msgs,
                                   GError **error)
{
    if (!mv_qemu_dispatch_check_flags(flags, 0x3, "virDomainGetMessages", error))
        return false;
    WITH_DOMAIN(call, dom_ref, error, dom);
    *ret_n_msgs = 0;     /* no tainting, no deprecations recorded */
    return true;
}

/* ---- settings ---- */

/* Resolves AFFECT_CURRENT to live or config; LIVE needs a running domain (lock held). */
static bool
resolve_affect(MvQemuDomain *dom, unsigned int *flags, bool active, GError **error)
{
    return mv_driver_affect_resolve(&mv_qemu_domain_class, flags, active, dom->persistent, 0,
                                    error);
}

/* The config a CONFIG change edits: newdef while running (lock held). */
static MvDomainDef *
config_def(MvQemuDomain *dom)
{
    if (mv_qemu_domain_is_active(dom) && !dom->newdef)
        dom->newdef = mv_domain_def_copy(dom->def);
    return dom->newdef ? dom->newdef : dom->def;
}

static bool
save_config(MvQemuDriver *driver, MvQemuDomain *dom, GError **error)
{
    if (!dom->persistent)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: transient domains have no "
                            "persistent config");
    return mv_qemu_persist_save_def(driver, config_def(dom), error);
}

static bool
set_memory(MvDriverCall *call, const MvObjectRef *ref, guint64 kib,
           unsigned int flags, GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvQemuDomain) dom = NULL;
    MvQemuMonitor *mon = NULL;
    bool ok = true;
    bool active;

    if (!mv_qemu_dispatch_check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG | MEM_MAXIMUM,
                                      "virDomainSetMemoryFlags", error) ||
        !(dom = mv_qemu_dispatch_get_domain(call, ref, error)) ||
        !mv_qemu_dispatch_begin_job(dom, "virDomainSetMemory", error))
        return false;
    g_mutex_lock(&dom->lock);
    active = mv_qemu_domain_is_active(dom);
    ok = resolve_affect(dom, &flags, active, error);
    if (ok && (flags & MEM_MAXIMUM) && (flags & AFFECT_LIVE))
        ok = mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_UNSUPPORTED,
                          "cannot resize the maximum memory of a running domain");
    if (ok && (flags & AFFECT_LIVE)) {
        if (kib > dom->live->memory)
            ok = mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                              "cannot set memory higher than max memory (%" G_GUINT64_FORMAT
                              " KiB)", dom->live->memory);
        else if (!dom->live->memballoon || g_strcmp0(dom->live->memballoon->model, "none") == 0)
            ok = mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                              "Requested operation is not valid: unable to change memory of "
                              "a domain without a balloon device");
        mon = dom->monitor;
    }
    g_mutex_unlock(&dom->lock);
    if (ok && (flags & AFFECT_LIVE) && (ok = mv_qemu_monitor_balloon(mon, kib, error))) {
        g_mutex_lock(&dom->lock);
        dom->live->current_memory = kib;
        mv_qemu_persist_update_status(driver, dom);
        g_mutex_unlock(&dom->lock);
    }
    if (ok && (flags & AFFECT_CONFIG)) {
        g_mutex_lock(&dom->lock);
        MvDomainDef *def = config_def(dom);
        if ((flags & MEM_MAXIMUM) && def->max_memory && kib > def->max_memory) {
            ok = mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                              "cannot set the memory above <maxMemory> (%" G_GUINT64_FORMAT
                              " KiB)", def->max_memory);
        } else if ((flags & MEM_MAXIMUM) && kib <= mv_domain_def_memdev_total(def)) {
            ok = mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                              "cannot set the memory to %" G_GUINT64_FORMAT " KiB: it counts "
                              "the memory devices (%" G_GUINT64_FORMAT " KiB) and must be "
                              "larger", kib, mv_domain_def_memdev_total(def));
        } else if (flags & MEM_MAXIMUM) {
            def->memory = kib;
            def->current_memory = MIN(def->current_memory, kib);
        } else if (kib > def->memory) {
            ok = mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                              "cannot set memory higher than max memory (%" G_GUINT64_FORMAT
                              " KiB)", def->memory);
        } else {
            def->current_memory = kib;
        }
        if (ok)
            ok = save_config(driver, dom, error);
        g_mutex_unlock(&dom->lock);
    }
    mv_qemu_process_end_job(driver, dom);
    return ok;
}

bool
mv_qemu_handle_domain_set_memory(MvDriverCall *call,
                                 const MvObjectRef *dom_ref,
                                 uint64_t memory,
                                 GError **error)
{
    return set_memory(call, dom_ref, memory, AFFECT_LIVE, error);
}

bool
mv_qemu_handle_domain_set_memory_flags(MvDriverCall *call,
                                       const MvObjectRef *dom_ref,
                                       uint64_t memory,
                                       unsigned int flags,
                                       GError **error)
{
    return set_memory(call, dom_ref, memory, flags, error);
}

bool
mv_qemu_handle_domain_set_max_memory(MvDriverCall *call,
                                     const MvObjectRef *dom_ref,
                                     uint64_t memory,
                                     GError **error)
{
    return set_memory(call, dom_ref, memory, AFFECT_CONFIG | MEM_MAXIMUM, error);
}

static bool
set_vcpus(MvDriverCall *call, const MvObjectRef *ref, unsigned int n,
          unsigned int flags, GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvQemuDomain) dom = NULL;
    bool ok = true;
    bool active;

    if (!mv_qemu_dispatch_check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG | VCPU_MAXIMUM |
                                      VCPU_GUEST | (1u << 4), "virDomainSetVcpusFlags", error) ||
        !(dom = mv_qemu_dispatch_get_domain(call, ref, error)) ||
        !mv_qemu_dispatch_begin_job(dom, "virDomainSetVcpus", error))
        return false;
    if (n == 0)
        ok = mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                          "a domain needs at least one vCPU");
    g_mutex_lock(&dom->lock);
    active = mv_qemu_domain_is_active(dom);
    if (ok)
        ok = resolve_affect(dom, &flags, active, error);
    if (ok && (flags & VCPU_GUEST))
        ok = mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_UNSUPPORTED,
                          "changing the vCPUs the guest uses needs a guest agent");
    if (ok && (flags & AFFECT_LIVE) && (flags & VCPU_MAXIMUM))
        ok = mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                          "cannot change the maximum vCPU count of a running domain: use "
                          "--config --maximum and restart it");
    if (ok && (flags & AFFECT_LIVE)) {
        g_mutex_unlock(&dom->lock);
        ok = mv_qemu_hotplug_vcpus_set(driver, dom, n, error);
        g_mutex_lock(&dom->lock);
    }
    if (ok && (flags & AFFECT_CONFIG)) {
        MvDomainDef *def = config_def(dom);
        if (flags & VCPU_MAXIMUM) {
            def->vcpus = n;
            def->vcpus_current = MIN(def->vcpus_current, n);
        } else if (n > def->vcpus) {
            ok = mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                              "requested vcpus is greater than max allowable vcpus for the "
                              "persistent domain: %u > %u", n, def->vcpus);
        } else {
            def->vcpus_current = n;
        }
        if (ok)     /* a new count: the first N vCPUs again (<vcpus> is dropped) */
            g_clear_pointer(&def->vcpu_list, g_free);
        if (ok)
            ok = save_config(driver, dom, error);
    }
    g_mutex_unlock(&dom->lock);
    mv_qemu_process_end_job(driver, dom);
    return ok;
}

bool
mv_qemu_handle_domain_set_vcpus(MvDriverCall *call,
                                const MvObjectRef *dom_ref,
                                unsigned int nvcpus,
                                GError **error)
{
    return set_vcpus(call, dom_ref, nvcpus, AFFECT_LIVE, error);
}

bool
mv_qemu_handle_domain_set_vcpus_flags(MvDriverCall *call,
                                      const MvObjectRef *dom_ref,
                                      unsigned int nvcpus,
                                      unsigned int flags,
                                      GError **error)
{
    return set_vcpus(call, dom_ref, nvcpus, flags, error);
}

