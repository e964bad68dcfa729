/* Domain lifecycle calls: define, undefine, start, create, destroy,
 * shutdown, reboot, reset, suspend, resume, autostart. Each modifying call
 * holds the domain's job; unknown flag bits are refused. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-agent-handlers.h"
#include "qemu-dispatch.h"
#include "qemu-snapshot-store.h"
#include "qemu-domain-firmware.h"
#include "qemu-persist.h"
#include "qemu-process.h"
#include "qemu-save.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"
#include "util/uuid.h"

#define DEFINE_VALIDATE         (1u << 0)
#define UNDEFINE_MANAGED_SAVE   (1u << 0)
#define UNDEFINE_SNAPSHOTS      (1u << 1)   /* SNAPSHOTS_METADATA: qemu-snapshot-store.c */
#define UNDEFINE_ALL_FLAGS      0x7fu
#define CREATE_PAUSED           (1u << 0)
#define CREATE_AUTODESTROY      (1u << 1)
#define CREATE_BYPASS_CACHE     (1u << 2)
#define CREATE_FORCE_BOOT       (1u << 3)
#define CREATE_VALIDATE         (1u << 4)
#define CREATE_RESET_NVRAM      (1u << 5)
#define DESTROY_GRACEFUL        (1u << 0)
#define DESTROY_REMOVE_LOGS     (1u << 1)
#define SHUTDOWN_ACPI           (1u << 0)
#define SHUTDOWN_AGENT          (1u << 1)
#define SHUTDOWN_ALL_MODES      0x1fu

static void
remember_autodestroy(MvDriverCall *call, MvQemuDomain *dom, unsigned int flags)
{
    g_mutex_lock(&dom->lock);
    dom->autodestroy_conn = (flags & CREATE_AUTODESTROY) ? mv_driver_call_conn(call) : NULL;
    g_mutex_unlock(&dom->lock);
}

/* ---- define / undefine ---- */

static MvQemuDomain *
define_xml(MvDriverCall *call, const char *xml, unsigned int flags, GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvDomainDef) def = NULL;
    g_autoptr(MvQemuDomain) dom = NULL;
    char uuid[MV_UUID_STRING_LEN];
    bool updated = false;

    if (!mv_qemu_dispatch_check_flags(flags, DEFINE_VALIDATE, "virDomainDefineXMLFlags", error) ||
        !(def = mv_domain_def_parse_string(xml, 0, error)) ||
        !mv_qemu_driver_check_def(driver, def, error))
        return NULL;
    if ((dom = MV_QEMU_DOMAIN(mv_driver_list_find_by_name(driver->domains, def->name))) &&
        memcmp(dom->uuid, def->uuid, 16) != 0) {
        mv_uuid_format(dom->uuid, uuid);
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_OPERATION_FAILED,
                     "domain '%s' already exists with uuid %s", dom->name, uuid);
        return NULL;
    }
    if (!dom &&
        (dom = MV_QEMU_DOMAIN(mv_driver_list_find_by_uuid(driver->domains, def->uuid)))) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_OPERATION_FAILED,
                     "domain '%s' already exists with this uuid: to rename it, use "
                     "'virsh domrename' (virDomainRename) while it is shut off", dom->name);
        return NULL;
    }
    if (dom) {
        /* A new version of an existing definition. */
        if (!mv_qemu_dispatch_begin_job(dom, "virDomainDefineXML", error))
            return NULL;
        if (strcmp(dom->name, def->name) != 0) {       /* renamed while this call waited */
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_OPERATION_FAILED,
                         "domain '%s' was renamed to '%s' meanwhile: define it under its "
                         "new name", def->name, dom->name);
            mv_qemu_process_end_job(driver, dom);
            return NULL;
        }
        if (!mv_qemu_persist_save_def(driver, def, error)) {
            mv_qemu_process_end_job(driver, dom);
            return NULL;
        }
        g_mutex_lock(&dom->lock);
        if (mv_qemu_domain_is_active(dom)) {
            mv_domain_def_free(dom->newdef);
            dom->newdef = g_steal_pointer(&def);
        } else {
            mv_domain_def_free(dom->def);
            dom->def = g_steal_pointer(&def);
        }
        dom->persistent = true;
        g_mutex_unlock(&dom->lock);
        mv_qemu_process_end_job(driver, dom);
        updated = true;
    } else {
        MvDomainDef *copy = mv_domain_def_copy(def);
        if (!(dom = mv_qemu_domains_add(driver->domains, copy, true, error)))
            return NULL;
        if (!mv_qemu_persist_save_def(driver, def, error)) {
            mv_driver_list_remove(driver->domains, MV_DRIVER_OBJECT(dom));
            return NULL;
        }
    }
    mv_qemu_process_emit(driver, dom, MV_EVENT_DEFINED,
                         updated ? MV_EVENT_DEFINED_UPDATED : MV_EVENT_DEFINED_ADDED);
    return g_steal_pointer(&dom);
}

bool
mv_qemu_handle_domain_define_xml(MvDriverCall *call,
                                 const char *xml,
                                 MvObjectRef *ret_dom,
                                 GError **error)
{
    g_autoptr(MvQemuDomain) dom = define_xml(call, xml, 0, error);

    if (!dom)
        return false;
    mv_qemu_dispatch_fill_dom(ret_dom, dom);
    return true;
}

bool
mv_qemu_handle_domain_define_xml_flags(MvDriverCall *call,
                                       const char *xml,
                                       unsigned int flags,
                                       MvObjectRef *ret_dom,
                                       GError **error)
{
    g_autoptr(MvQemuDomain) dom = define_xml(call, xml, flags, error);

    if (!dom)
        return false;
    mv_qemu_dispatch_fill_dom(ret_dom, dom);
    return true;
}

static bool
undefine(MvDriverCall *call, const MvObjectRef *ref, unsigned int flags,
         GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autoptr(MvDomainDef) config = NULL;
    g_autoptr(GError) host_err = NULL;
    guint nsnap;
    bool active;

    if (!mv_qemu_dispatch_check_flags(flags, UNDEFINE_ALL_FLAGS, "virDomainUndefineFlags",
                                      error) ||
        !(dom = mv_qemu_dispatch_get_domain(call, ref, error)) ||
        !mv_qemu_dispatch_begin_job(dom, "virDomainUndefine", error))
        return false;
    g_mutex_lock(&dom->lock);
    if (!dom->persistent) {
        g_mutex_unlock(&dom->lock);
        mv_qemu_process_end_job(driver, dom);
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: cannot undefine transient "
                            "domain '%s'", dom->name);
    }
    config = mv_domain_def_copy(dom->newdef ? dom->newdef : dom->def);
    g_mutex_unlock(&dom->lock);
    if (mv_qemu_save_has_managed(driver, dom->name)) {
        g_autofree char *path = mv_qemu_save_managed_path(driver, dom->name);
        if (!(flags & UNDEFINE_MANAGED_SAVE)) {
            mv_qemu_process_end_job(driver, dom);
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                                "Requested operation is not valid: Refusing to undefine while "
                                "domain managed save image exists (remove it first, or "
                                "undefine with --managed-save)");
        }
        if (unlink(path) < 0 && errno != ENOENT) {
            mv_qemu_process_end_job(driver, dom);
            return mv_error_set_errno(error, MV_FROM_QEMU, errno,
                                      "cannot remove managed save image '%s'", path);
        }
    }
    if ((nsnap = mv_qemu_snapshots_count(driver, dom->name, dom->uuid)) > 0 &&
        !(flags & UNDEFINE_SNAPSHOTS)) {
        mv_qemu_process_end_job(driver, dom);
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: cannot delete inactive domain "
                            "with %u snapshots (delete them first, or undefine with "
                            "--snapshots-metadata)", nsnap);
    }
    if (!mv_qemu_domain_check_undefine_firmware(driver, config, flags, error) ||
        ((flags & UNDEFINE_SNAPSHOTS) && !mv_qemu_snapshots_purge(driver, dom->name, error)) ||
        !mv_qemu_persist_delete_def(driver, dom->name, error)) {
        mv_qemu_process_end_job(driver, dom);
        return false;
    }
    /* the definition is gone: what stays of its files is only logged */
    if (!mv_qemu_domain_undefine_firmware(driver, config, flags, &host_err))
        mv_log_warning("%s", host_err->message);
    g_mutex_lock(&dom->lock);
    active = mv_qemu_domain_is_active(dom);
    dom->persistent = false;
    dom->autostart = false;
    g_clear_pointer(&dom->newdef, mv_domain_def_free);
    g_mutex_unlock(&dom->lock);
    mv_qemu_process_emit(driver, dom, MV_EVENT_UNDEFINED, MV_EVENT_UNDEFINED_REMOVED);
    if (!active)
        mv_driver_list_remove(driver->domains, MV_DRIVER_OBJECT(dom));
    mv_qemu_process_end_job(driver, dom);
    return true;
}

bool
mv_qemu_handle_domain_undefine(MvDriverCall *call,
                               const MvObjectRef *dom_ref,
                               GError **error)
{
    return undefine(call, dom_ref, 0, error);
}

bool
mv_qemu_handle_domain_undefine_flags(MvDriverCall *call,
                                     const MvObjectRef *dom_ref,
                                     unsigned int flags,
                                     GError **error)
{
    return undefine(call, dom_ref, flags, error);
}

/* ---- start / create ---- */

#define CREATE_ALLOWED (CREATE_PAUSED | CREATE_AUTODESTROY | CREATE_BYPASS_CACHE | \
                        CREATE_FORCE_BOOT | CREATE_VALIDATE | CREATE_RESET_NVRAM)

static bool
start(MvDriverCall *call, const MvObjectRef *ref, unsigned int flags,
      MvObjectRef *ret_dom, GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvQemuDomain) dom = NULL;
    bool restored = false;
    bool ok;

    if (!mv_qemu_dispatch_check_flags(flags, CREATE_ALLOWED, "virDomainCreateWithFlags", error) ||
        !(dom = mv_qemu_dispatch_get_domain(call, ref, error)) ||
        !mv_qemu_dispatch_begin_job(dom, "virDomainCreate", error))
        return false;
    g_mutex_lock(&dom->lock);
    ok = !mv_qemu_domain_is_active(dom);
    g_mutex_unlock(&dom->lock);
    /* A managed save image: the start resumes the saved guest (qemu-save.c). */
    if (ok)
        ok = mv_qemu_save_start_managed(driver, dom, flags & (CREATE_PAUSED | CREATE_FORCE_BOOT),
                                        &restored, error);
    else
        ok = true;      /* mv_qemu_process_start() words "already running" */
    if (ok && !restored)
        ok = mv_qemu_process_start(driver, dom,
                                   flags & (CREATE_PAUSED | CREATE_AUTODESTROY |
                                            CREATE_RESET_NVRAM),
                                   error);
    if (ok)
        remember_autodestroy(call, dom, flags);
    mv_qemu_process_end_job(driver, dom);
    if (ok && ret_dom)
        mv_qemu_dispatch_fill_dom(ret_dom, dom);
    return ok;
}

bool
mv_qemu_handle_domain_create(MvDriverCall *call,
                             const MvObjectRef *dom_ref,
                             GError **error)
{
    return start(call, dom_ref, 0, NULL, error);
}

bool
mv_qemu_handle_domain_create_with_flags(MvDriverCall *call,
                                        const MvObjectRef *dom_ref,
                                        unsigned int flags,
                                        MvObjectRef *ret_dom,
                                        GError **error)
{
    return start(call, dom_ref, flags, ret_dom, error);
}

bool
mv_qemu_handle_domain_create_xml(MvDriverCall *call,
                                 const char *xml,
                                 unsigned int flags,
                                 MvObjectRef *ret_dom,
                                 GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvDomainDef) def = NULL;
    g_autoptr(MvQemuDomain) dom = NULL;
    bool ok;

    if (!mv_qemu_dispatch_check_flags(flags, CREATE_PAUSED | CREATE_AUTODESTROY |
                                      CREATE_BYPASS_CACHE | CREATE_VALIDATE |
                                      CREATE_RESET_NVRAM,
                                      "virDomainCreateXML", error) ||
        !(def = mv_domain_def_parse_string(xml, 0, error)) ||
        !mv_qemu_driver_check_def(driver, def, error) ||
        !(dom = mv_qemu_domains_add(driver->domains, g_steal_pointer(&def), false, error)))
        return false;
    if (!mv_qemu_dispatch_begin_job(dom, "virDomainCreateXML", error)) {
        mv_driver_list_remove(driver->domains, MV_DRIVER_OBJECT(dom));
        return false;
    }
    ok = mv_qemu_process_start(driver, dom,
                               flags & (CREATE_PAUSED | CREATE_AUTODESTROY | CREATE_RESET_NVRAM),
                               error);
    if (ok)
        remember_autodestroy(call, dom, flags);
    else
        mv_driver_list_remove(driver->domains, MV_DRIVER_OBJECT(dom));
    mv_qemu_process_end_job(driver, dom);
    if (ok)
        mv_qemu_dispatch_fill_dom(ret_dom, dom);
    return ok;
}

/* ---- stop ---- */

static bool
destroy(MvDriverCall *call, const MvObjectRef *ref, unsigned int flags,
        GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvQemuDomain) dom = NULL;
    bool ok;

    if (!mv_qemu_dispatch_check_flags(flags, DESTROY_GRACEFUL | DESTROY_REMOVE_LOGS,
                                      "virDomainDestroyFlags", error) ||
        !(dom = mv_qemu_dispatch_get_domain(call, ref, error)) ||
        !mv_qemu_dispatch_begin_job(dom, "virDomainDestroy", error))
        return false;
    ok = mv_qemu_process_stop(driver, dom, flags & DESTROY_GRACEFUL,
                              MV_DOMAIN_SHUTOFF_DESTROYED, MV_EVENT_STOPPED_DESTROYED, error);
    mv_qemu_process_end_job(driver, dom);
    return ok;
}

bool
mv_qemu_handle_domain_destroy(MvDriverCall *call,
                              const MvObjectRef *dom_ref,
                              GError **error)
{
    return destroy(call, dom_ref, 0, error);
}

bool
mv_qemu_handle_domain_destroy_flags(MvDriverCall *call,
                                    const MvObjectRef *dom_ref,
                                    unsigned int flags,
                                    GError **error)
{
    return destroy(call, dom_ref, flags, error);
}

/* Runs @op on the running domain's monitor while holding its job. */
typedef bool (*MonitorOp)(MvQemuDriver *driver, MvQemuDomain *dom, MvQemuMonitor *mon,
                          gpointer data, GError **error);

static bool
with_monitor(MvDriverCall *call, const MvObjectRef *ref, const char *api,
             MonitorOp op, gpointer data, GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvQemuDomain) dom = NULL;
    MvQemuMonitor *mon = NULL;
    bool ok;

    if (!(dom = mv_qemu_dispatch_get_domain(call, ref, error)) ||
        !mv_qemu_dispatch_begin_job(dom, api, error))
        return false;
    g_mutex_lock(&dom->lock);
    ok = mv_qemu_dispatch_require_active(dom, error);
    if (ok)
        mon = dom->monitor;
    g_mutex_unlock(&dom->lock);
    if (ok)
        ok = op(driver, dom, mon, data, error);
    mv_qemu_process_end_job(driver, dom);
    return ok;
}

static bool
check_shutdown_mode(unsigned int flags, const char *api, GError **error)
{
    if (!mv_qemu_dispatch_check_flags(flags, SHUTDOWN_ALL_MODES, api, error))
        return false;
    if (flags & ~(SHUTDOWN_ACPI | SHUTDOWN_AGENT))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "only the ACPI power button and the guest agent are supported by "
                            "%s here (no initctl, signal or paravirt mode)", api);
    return true;
}

static bool op_powerdown(MvQemuDriver *driver, MvQemuDomain *dom, MvQemuMonitor *mon,
                         gpointer reboot, GError **error);

/* Shutdown or reboot in the modes @flags allows: the agent first (asked for, or
 * by default when it is connected), then the ACPI power button if allowed. */
static bool
shutdown_modes(MvDriverCall *call, const MvObjectRef *ref, unsigned int flags, bool reboot,
               const char *api, GError **error)
{
    bool acpi = !flags || (flags & SHUTDOWN_ACPI);
    g_autoptr(GError) agent_err = NULL;

    if (!check_shutdown_mode(flags, api, error))
        return false;
    if ((flags & SHUTDOWN_AGENT) || (!flags && mv_qemu_agent_usable(call, ref))) {
        if (mv_qemu_agent_shutdown(call, ref, reboot, api, &agent_err))
            return true;
        if (!acpi) {
            g_propagate_error(error, g_steal_pointer(&agent_err));
            return false;
        }
    }
    return with_monitor(call, ref, api, op_powerdown, GINT_TO_POINTER(reboot), error);
}

static bool
op_powerdown(MvQemuDriver *driver, MvQemuDomain *dom, MvQemuMonitor *mon, gpointer reboot,
             GError **error)
{
    g_mutex_lock(&dom->lock);
    dom->fake_reboot = GPOINTER_TO_INT(reboot);
    g_mutex_unlock(&dom->lock);
    return mv_qemu_monitor_system_powerdown(mon, error);
}

bool
mv_qemu_handle_domain_shutdown(MvDriverCall *call,
                               const MvObjectRef *dom_ref,
                               GError **error)
{
    return with_monitor(call, dom_ref, "virDomainShutdown", op_powerdown,
                        GINT_TO_POINTER(FALSE), error);
}

bool
mv_qemu_handle_domain_shutdown_flags(MvDriverCall *call,
                                     const MvObjectRef *dom_ref,
                                     unsigned int flags,
                                     GError **error)
{
    return shutdown_modes(call, dom_ref, flags, false, "virDomainShutdownFlags", error);
}

bool
mv_qemu_handle_domain_reboot(MvDriverCall *call,
                             const MvObjectRef *dom_ref,
                             unsigned int flags,
                             GError **error)
{
    return shutdown_modes(call, dom_ref, flags, true, "virDomainReboot", error);
}

static bool
op_reset(MvQemuDriver *driver, MvQemuDomain *dom, MvQemuMonitor *mon, gpointer data,
         GError **error)
{
    return mv_qemu_monitor_system_reset(mon, error);
}

bool
mv_qemu_handle_domain_reset(MvDriverCall *call,
                            const MvObjectRef *dom_ref,
                            unsigned int flags,
                            GError **error)
{
    return mv_qemu_dispatch_check_flags(flags, 0, "virDomainReset", error) &&
           with_monitor(call, dom_ref, "virDomainReset", op_reset, NULL, error);
}

/* ---- suspend / resume ---- */

static bool
op_suspend(MvQemuDriver *driver, MvQemuDomain *dom, MvQemuMonitor *mon, gpointer suspend,
           GError **error)
{
    bool pause = GPOINTER_TO_INT(suspend);
    bool ok;

    g_mutex_lock(&dom->lock);
    if (pause && dom->state == MV_DOMAIN_PAUSED) {
        g_mutex_unlock(&dom->lock);
        return true;        /* libvirt: suspending a paused domain succeeds */
    }
    if (!pause && dom->state == MV_DOMAIN_RUNNING) {
        g_mutex_unlock(&dom->lock);
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: domain is already running");
    }
    g_mutex_unlock(&dom->lock);
    ok = pause ? mv_qemu_monitor_stop(mon, error) : mv_qemu_monitor_cont(mon, error);
    if (!ok)
        return false;
    g_mutex_lock(&dom->lock);
    if (pause)
        mv_qemu_domain_set_state(dom, MV_DOMAIN_PAUSED, MV_DOMAIN_PAUSED_USER);
    else
        mv_qemu_domain_set_state(dom, MV_DOMAIN_RUNNING, MV_DOMAIN_RUNNING_UNPAUSED);
    /* The guest is paused/running now: report that, whatever the status file says. */
    mv_qemu_persist_update_status(driver, dom);
    g_mutex_unlock(&dom->lock);
    mv_qemu_process_emit(driver, dom, pause ? MV_EVENT_SUSPENDED : MV_EVENT_RESUMED,
                         pause ? MV_EVENT_SUSPENDED_PAUSED : MV_EVENT_RESUMED_UNPAUSED);
    return true;
}

bool
mv_qemu_handle_domain_suspend(MvDriverCall *call,
                              const MvObjectRef *dom_ref,
                              GError **error)
{
    return with_monitor(call, dom_ref, "virDomainSuspend", op_suspend,
                        GINT_TO_POINTER(TRUE), error);
}

bool
mv_qemu_handle_domain_resume(MvDriverCall *call,
                             const MvObjectRef *dom_ref,
                             GError **error)
{
    return with_monitor(call, dom_ref, "virDomainResume", op_suspend,
                        GINT_TO_POINTER(FALSE), error);
}

/* ---- autostart ---- */

bool
mv_qemu_handle_domain_set_autostart(MvDriverCall *call,
                                    const MvObjectRef *dom_ref,
                                    int autostart,
                                    GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvQemuDomain) dom = NULL;
    bool ok = true;

    if (!(dom = mv_qemu_dispatch_get_domain(call, dom_ref, error)) ||
        !mv_qemu_dispatch_begin_job(dom, "virDomainSetAutostart", error))
        return false;
    g_mutex_lock(&dom->lock);
    if (!dom->persistent)
        ok = mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                          "Requested operation is not valid: cannot set autostart for "
                          "transient domain '%s'", dom->name);
    g_mutex_unlock(&dom->lock);
    if (ok)
        ok = mv_qemu_persist_set_autostart(driver, dom->name, autostart != 0, error);
    if (ok) {
        g_mutex_lock(&dom->lock);
        dom->autostart = autostart != 0;
        g_mutex_unlock(&dom->lock);
    }
    mv_qemu_process_end_job(driver, dom);
    return ok;
}

