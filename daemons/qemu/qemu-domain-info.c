/* Domain queries (state, info, XML, flags, what `virsh dominfo` asks) and
 * the settings that change memory, vCPUs and metadata. Queries read the
 * published state under the domain lock and never wait for a job. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-dispatch.h"
#include "qemu-persist.h"
#include "qemu-process.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/proc.h"

/* virDomainModificationImpact and friends. */
#define AFFECT_LIVE     (1u << 0)
#define AFFECT_CONFIG   (1u << 1)
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

static bool
domain_get_info(MvServerCall *call, const mv_remote_domain_get_info_args *args,
                mv_remote_domain_get_info_ret *ret, GError **error)
{
    WITH_DOMAIN(call, &args->dom, error, dom);
    const MvDomainDef *def;
    pid_t pid;

    g_mutex_lock(&dom->lock);
    def = dom->live ? dom->live : dom->def;
    ret->state = dom->state;
    ret->max_mem = def->memory;
    ret->memory = def->current_memory;
    ret->nr_virt_cpu = def->vcpus_current;
    pid = dom->id >= 0 ? dom->pid : -1;
    g_mutex_unlock(&dom->lock);
    ret->cpu_time = process_cpu_time(pid);
    return true;
}

static bool
domain_get_state(MvServerCall *call, const mv_remote_domain_get_state_args *args,
                 mv_remote_domain_get_state_ret *ret, GError **error)
{
    if (!mv_qemu_dispatch_check_flags(args->flags, 0, "virDomainGetState", error))
        return false;
    WITH_DOMAIN(call, &args->dom, error, dom);
    g_mutex_lock(&dom->lock);
    ret->state = dom->state;
    ret->reason = dom->reason;
    g_mutex_unlock(&dom->lock);
    return true;
}

static bool
domain_get_xml_desc(MvServerCall *call, const mv_remote_domain_get_xml_desc_args *args,
                    mv_remote_domain_get_xml_desc_ret *ret, GError **error)
{
    unsigned int fmt = 0;

    if (!mv_qemu_dispatch_check_flags(args->flags,
                                      XML_SECURE | XML_INACTIVE | XML_UPDATE_CPU | XML_MIGRATABLE,
                                      "virDomainGetXMLDesc", error))
        return false;
    /* The migratable XML counts as secure, as in libvirt: both carry secrets. */
    if ((args->flags & (XML_SECURE | XML_MIGRATABLE)) &&
        mv_server_client_is_readonly(mv_server_call_get_client(call)))
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_OPERATION_DENIED,
                            "operation forbidden: virDomainGetXMLDesc with secure flag");
    WITH_DOMAIN(call, &args->dom, error, dom);
    if (args->flags & XML_SECURE)
        fmt |= MV_DOMAIN_DEF_FORMAT_SECURE;
    g_mutex_lock(&dom->lock);
    if (dom->live && !(args->flags & XML_INACTIVE)) {
        ret->xml = mv_domain_def_format(dom->live, dom->id, fmt);
    } else {
        fmt |= MV_DOMAIN_DEF_FORMAT_INACTIVE;
        ret->xml = mv_domain_def_format(dom->newdef ? dom->newdef : dom->def, -1, fmt);
    }
    g_mutex_unlock(&dom->lock);
    return true;
}

static bool
domain_get_autostart(MvServerCall *call, const mv_remote_domain_get_autostart_args *args,
                     mv_remote_domain_get_autostart_ret *ret, GError **error)
{
    WITH_DOMAIN(call, &args->dom, error, dom);
    g_mutex_lock(&dom->lock);
    ret->autostart = dom->autostart;
    g_mutex_unlock(&dom->lock);
    return true;
}

static bool
domain_is_active(MvServerCall *call, const mv_remote_domain_is_active_args *args,
                 mv_remote_domain_is_active_ret *ret, GError **error)
{
    WITH_DOMAIN(call, &args->dom, error, dom);
    g_mutex_lock(&dom->lock);
    ret->active = mv_qemu_domain_is_active(dom);
    g_mutex_unlock(&dom->lock);
    return true;
}

static bool
domain_is_persistent(MvServerCall *call, const mv_remote_domain_is_persistent_args *args,
                     mv_remote_domain_is_persistent_ret *ret, GError **error)
{
    WITH_DOMAIN(call, &args->dom, error, dom);
    g_mutex_lock(&dom->lock);
    ret->persistent = dom->persistent;
    g_mutex_unlock(&dom->lock);
    return true;
}

static bool
domain_is_updated(MvServerCall *call, const mv_remote_domain_is_updated_args *args,
                  mv_remote_domain_is_updated_ret *ret, GError **error)
{
    WITH_DOMAIN(call, &args->dom, error, dom);
    g_mutex_lock(&dom->lock);
    ret->updated = dom->newdef != NULL;
    g_mutex_unlock(&dom->lock);
    return true;
}

static bool
domain_get_os_type(MvServerCall *call, const mv_remote_domain_get_os_type_args *args,
                   mv_remote_domain_get_os_type_ret *ret, GError **error)
{
    WITH_DOMAIN(call, &args->dom, error, dom);
    g_mutex_lock(&dom->lock);
    ret->type = g_strdup(dom->def->os.type ? dom->def->os.type : "hvm");
    g_mutex_unlock(&dom->lock);
    return true;
}

static bool
domain_get_max_memory(MvServerCall *call, const mv_remote_domain_get_max_memory_args *args,
                      mv_remote_domain_get_max_memory_ret *ret, GError **error)
{
    WITH_DOMAIN(call, &args->dom, error, dom);
    g_mutex_lock(&dom->lock);
    ret->memory = (dom->live ? dom->live : dom->def)->memory;
    g_mutex_unlock(&dom->lock);
    return true;
}

static bool
domain_get_max_vcpus(MvServerCall *call, const mv_remote_domain_get_max_vcpus_args *args,
                     mv_remote_domain_get_max_vcpus_ret *ret, GError **error)
{
    WITH_DOMAIN(call, &args->dom, error, dom);
    g_mutex_lock(&dom->lock);
    ret->num = (int)(dom->live ? dom->live : dom->def)->vcpus;
    g_mutex_unlock(&dom->lock);
    return true;
}

static bool
domain_get_vcpus_flags(MvServerCall *call, const mv_remote_domain_get_vcpus_flags_args *args,
                       mv_remote_domain_get_vcpus_flags_ret *ret, GError **error)
{
    const MvDomainDef *def;

    if (!mv_qemu_dispatch_check_flags(args->flags,
                                      AFFECT_LIVE | AFFECT_CONFIG | VCPU_MAXIMUM | VCPU_GUEST,
                                      "virDomainGetVcpusFlags", error))
        return false;
    if ((args->flags & AFFECT_LIVE) && (args->flags & AFFECT_CONFIG))
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "flags 'live' and 'config' are mutually exclusive");
    if ((args->flags & VCPU_GUEST) &&
        mv_server_client_is_readonly(mv_server_call_get_client(call)))
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_OPERATION_DENIED,
                            "operation forbidden: read only access prevents "
                            "virDomainGetVcpusFlags");
    if (args->flags & VCPU_GUEST)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_UNSUPPORTED,
                            "asking the guest for its vCPUs needs a guest agent");
    WITH_DOMAIN(call, &args->dom, error, dom);
    g_mutex_lock(&dom->lock);
    if (args->flags & AFFECT_LIVE) {
        if (!dom->live) {
            g_mutex_unlock(&dom->lock);
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                                "Requested operation is not valid: domain is not running");
        }
        def = dom->live;
    } else if (args->flags & AFFECT_CONFIG) {
        def = dom->newdef ? dom->newdef : dom->def;
    } else {
        def = dom->live ? dom->live : dom->def;
    }
    ret->num = (int)((args->flags & VCPU_MAXIMUM) ? def->vcpus : def->vcpus_current);
    g_mutex_unlock(&dom->lock);
    return true;
}

static bool
domain_has_managed_save_image(MvServerCall *call,
                              const mv_remote_domain_has_managed_save_image_args *args,
                              mv_remote_domain_has_managed_save_image_ret *ret, GError **error)
{
    if (!mv_qemu_dispatch_check_flags(args->flags, 0, "virDomainHasManagedSaveImage", error))
        return false;
    WITH_DOMAIN(call, &args->dom, error, dom);
    ret->result = 0;        /* managed save is not offered */
    return true;
}

static bool
domain_snapshot_num(MvServerCall *call, const mv_remote_domain_snapshot_num_args *args,
                    mv_remote_domain_snapshot_num_ret *ret, GError **error)
{
    if (!mv_qemu_dispatch_check_flags(args->flags, 0x7ff, "virDomainSnapshotNum", error))
        return false;
    WITH_DOMAIN(call, &args->dom, error, dom);
    ret->num = 0;           /* snapshots are not offered */
    return true;
}

static bool
domain_get_security_label(MvServerCall *call,
                          const mv_remote_domain_get_security_label_args *args,
                          mv_remote_domain_get_security_label_ret *ret, GError **error)
{
    WITH_DOMAIN(call, &args->dom, error, dom);
    /* No security driver is active: an empty label, not enforcing. */
    ret->label.label_len = 0;
    ret->enforcing = 0;
    return true;
}

static bool
domain_get_messages(MvServerCall *call, const mv_remote_domain_get_messages_args *args,
                    mv_remote_domain_get_messages_ret *ret, GError **error)
{
    if (!mv_qemu_dispatch_check_flags(args->flags, 0x3, "virDomainGetMessages", error))
        return false;
    WITH_DOMAIN(call, &args->dom, error, dom);
    ret->msgs.msgs_len = 0;     /* no tainting, no deprecations recorded */
    return true;
}

/* ---- settings ---- */

static bool
check_affect(unsigned int flags, bool active, GError **error)
{
    if ((flags & AFFECT_LIVE) && !active)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: domain is not running");
    return true;
}

/* Resolves AFFECT_CURRENT (0) to live or config (lock held). */
static unsigned int
resolve_affect(unsigned int flags, bool active)
{
    if (flags & (AFFECT_LIVE | AFFECT_CONFIG))
        return flags;
    return flags | (active ? AFFECT_LIVE : AFFECT_CONFIG);
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
set_memory(MvServerCall *call, const mv_remote_nonnull_domain *ref, guint64 kib,
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
    flags = resolve_affect(flags, active);
    ok = check_affect(flags, active, error);
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
        if (flags & MEM_MAXIMUM) {
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

static bool
domain_set_memory(MvServerCall *call, const mv_remote_domain_set_memory_args *args, void *ret,
                  GError **error)
{
    return set_memory(call, &args->dom, args->memory, AFFECT_LIVE, error);
}

static bool
domain_set_memory_flags(MvServerCall *call, const mv_remote_domain_set_memory_flags_args *args,
                        void *ret, GError **error)
{
    return set_memory(call, &args->dom, args->memory, args->flags, error);
}

static bool
domain_set_max_memory(MvServerCall *call, const mv_remote_domain_set_max_memory_args *args,
                      void *ret, GError **error)
{
    return set_memory(call, &args->dom, args->memory, AFFECT_CONFIG | MEM_MAXIMUM, error);
}

static bool
set_vcpus(MvServerCall *call, const mv_remote_nonnull_domain *ref, unsigned int n,
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
    flags = resolve_affect(flags, active);
    if (ok)
        ok = check_affect(flags, active, error);
    if (ok && (flags & (AFFECT_LIVE | VCPU_GUEST)))
        ok = mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_UNSUPPORTED,
                          "changing the vCPUs of a running domain is not supported: use "
                          "--config and restart it");
    if (ok) {
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
        if (ok)
            ok = save_config(driver, dom, error);
    }
    g_mutex_unlock(&dom->lock);
    mv_qemu_process_end_job(driver, dom);
    return ok;
}

static bool
domain_set_vcpus(MvServerCall *call, const mv_remote_domain_set_vcpus_args *args, void *ret,
                 GError **error)
{
    return set_vcpus(call, &args->dom, args->nvcpus, AFFECT_LIVE, error);
}

static bool
domain_set_vcpus_flags(MvServerCall *call, const mv_remote_domain_set_vcpus_flags_args *args,
                       void *ret, GError **error)
{
    return set_vcpus(call, &args->dom, args->nvcpus, args->flags, error);
}

const MvDispatchFunc mv_qemu_domain_info_handlers[MV_REMOTE_PROC_LAST] = {
    MV_REMOTE_DISPATCH(DOMAIN_GET_INFO, domain_get_info),
    MV_REMOTE_DISPATCH(DOMAIN_GET_STATE, domain_get_state),
    MV_REMOTE_DISPATCH(DOMAIN_GET_XML_DESC, domain_get_xml_desc),
    MV_REMOTE_DISPATCH(DOMAIN_GET_AUTOSTART, domain_get_autostart),
    MV_REMOTE_DISPATCH(DOMAIN_IS_ACTIVE, domain_is_active),
    MV_REMOTE_DISPATCH(DOMAIN_IS_PERSISTENT, domain_is_persistent),
    MV_REMOTE_DISPATCH(DOMAIN_IS_UPDATED, domain_is_updated),
    MV_REMOTE_DISPATCH(DOMAIN_GET_OS_TYPE, domain_get_os_type),
    MV_REMOTE_DISPATCH(DOMAIN_GET_MAX_MEMORY, domain_get_max_memory),
    MV_REMOTE_DISPATCH(DOMAIN_GET_MAX_VCPUS, domain_get_max_vcpus),
    MV_REMOTE_DISPATCH(DOMAIN_GET_VCPUS_FLAGS, domain_get_vcpus_flags),
    MV_REMOTE_DISPATCH(DOMAIN_HAS_MANAGED_SAVE_IMAGE, domain_has_managed_save_image),
    MV_REMOTE_DISPATCH(DOMAIN_SNAPSHOT_NUM, domain_snapshot_num),
    MV_REMOTE_DISPATCH(DOMAIN_GET_SECURITY_LABEL, domain_get_security_label),
    MV_REMOTE_DISPATCH(DOMAIN_GET_MESSAGES, domain_get_messages),
    MV_REMOTE_DISPATCH(DOMAIN_SET_MEMORY, domain_set_memory),
    MV_REMOTE_DISPATCH(DOMAIN_SET_MEMORY_FLAGS, domain_set_memory_flags),
    MV_REMOTE_DISPATCH(DOMAIN_SET_MAX_MEMORY, domain_set_max_memory),
    MV_REMOTE_DISPATCH(DOMAIN_SET_VCPUS, domain_set_vcpus),
    MV_REMOTE_DISPATCH(DOMAIN_SET_VCPUS_FLAGS, domain_set_vcpus_flags),
};
