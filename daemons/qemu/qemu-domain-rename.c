/* virDomainRename (`virsh domrename`): a shut-off persistent domain gets a new
 * name. What carries the name moves with it: the definition file, the
 * autostart link and the default UEFI variable store (lib/qemu/nvram/
 * NAME_VARS.fd, which a definition without <nvram> uses). The UUID, and with it
 * the TPM state, stays. Refused like libvirt does: running or transient
 * domains, snapshots or a managed save image (their files are named after the
 * domain), the same name, a name another domain has. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-dispatch.h"
#include "qemu-domain-firmware.h"
#include "qemu-persist.h"
#include "qemu-process.h"
#include "qemu-save.h"
#include "qemu-snapshot-store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon/domain-events.h"
#include "util/log.h"

/* The parser's rules for a name (domain-parse.c): it becomes part of file names. */
static bool
check_name(const char *name, GError **error)
{
    if (!name || !*name)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "new_name in virDomainRename must not be empty");
    if (strchr(name, '/'))
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "the domain name '%s' must not contain '/'", name);
    for (const char *c = name; *c; c++) {
        if (g_ascii_iscntrl(*c))
            return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                                "the domain name must not contain control characters "
                                "(found 0x%02x at offset %zu)", (unsigned int)(guchar)*c,
                                (size_t)(c - name));
    }
    return true;
}

/* The variable store that moves: the default one, when the definition names none
 * and it exists. *@ret_from/@ret_to stay NULL otherwise. */
static bool
nvram_paths(MvQemuDriver *driver, const MvDomainDef *def, const char *new_name,
            char **ret_from, char **ret_to, GError **error)
{
    g_autofree char *from = NULL;
    g_autofree char *to = NULL;

    if (def->os.nvram)
        return true;
    from = mv_qemu_domain_default_nvram(driver, def->name);
    if (access(from, F_OK) < 0)
        return true;
    to = mv_qemu_domain_default_nvram(driver, new_name);
    if (access(to, F_OK) == 0)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: the UEFI variable store '%s' "
                            "of another domain named '%s' exists: remove it first", to,
                            new_name);
    *ret_from = g_steal_pointer(&from);
    *ret_to = g_steal_pointer(&to);
    return true;
}

/* Checks what libvirt checks; returns the definition under its new name. */
static MvDomainDef *
renamed_def(MvQemuDriver *driver, MvQemuDomain *dom, const char *new_name, GError **error)
{
    g_autoptr(MvDomainDef) def = NULL;
    const char *why = NULL;

    g_mutex_lock(&dom->lock);
    if (mv_qemu_domain_is_active(dom))
        why = "cannot rename active domain";
    else if (!dom->persistent)
        why = "cannot rename a transient domain";
    else
        def = mv_domain_def_copy(dom->def);
    g_mutex_unlock(&dom->lock);
    if (why) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: %s", why);
        return NULL;
    }
    if (g_str_equal(def->name, new_name)) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: Can't rename domain to itself");
        return NULL;
    }
    /* libvirt refuses to rename a domain with snapshots; so does this, rather than
     * orphaning them or handing them to a later domain of the old name. */
    if (mv_qemu_snapshots_exist(driver, def->name)) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: cannot rename domain with snapshots "
                     "(delete them first)");
        return NULL;
    }
    if (mv_qemu_save_has_managed(driver, def->name)) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: domain with a managed saved state "
                     "can't be renamed (remove it with 'virsh managedsave-remove' first)");
        return NULL;
    }
    g_free(def->name);
    def->name = g_strdup(new_name);
    if (!mv_qemu_driver_check_def(driver, def, error))
        return NULL;
    return g_steal_pointer(&def);
}

/* The files, in an order a crash can interrupt anywhere: the new definition first,
 * the old one last (a daemon killed between them finds both, with one UUID: the
 * second one it reads is rejected and logged, never removed). */
static bool
move_files(MvQemuDriver *driver, const MvDomainDef *def, const char *old_name, bool autostart,
           const char *nvram_from, const char *nvram_to, GError **error)
{
    g_autoptr(GError) cleanup_err = NULL;

    if (!mv_qemu_persist_save_def(driver, def, error))
        return false;
    if ((autostart && !mv_qemu_persist_set_autostart(driver, def->name, true, error)) ||
        (nvram_from && rename(nvram_from, nvram_to) < 0 &&
         !mv_error_set_errno(error, MV_FROM_QEMU, errno, "cannot rename '%s' to '%s'",
                             nvram_from, nvram_to))) {
        mv_qemu_persist_set_autostart(driver, def->name, false, NULL);
        mv_qemu_persist_delete_def(driver, def->name, NULL);
        return false;
    }
    if ((autostart && !mv_qemu_persist_set_autostart(driver, old_name, false, &cleanup_err)) ||
        !mv_qemu_persist_delete_def(driver, old_name, &cleanup_err))
        mv_log_warning("domain renamed from '%s' to '%s', but %s", old_name, def->name,
                       cleanup_err->message);
    return true;
}

bool
mv_qemu_handle_domain_rename(MvDriverCall *call, const MvObjectRef *dom_ref,
                             const char *new_name, unsigned int flags, int *ret_retcode,
                             GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autoptr(MvDomainDef) def = NULL;
    g_autofree char *old_name = NULL;
    g_autofree char *nvram_from = NULL;
    g_autofree char *nvram_to = NULL;
    MvDomainDef *old_def;
    MvEventDomain ev;
    bool autostart;

    if (!mv_qemu_dispatch_check_flags(flags, 0, "virDomainRename", error) ||
        !check_name(new_name, error) ||
        !(dom = mv_qemu_dispatch_get_domain(call, dom_ref, error)) ||
        !mv_qemu_dispatch_begin_job(dom, "virDomainRename", error))
        return false;
    if (!(def = renamed_def(driver, dom, new_name, error))) {
        mv_qemu_process_end_job(driver, dom);
        return false;
    }
    g_mutex_lock(&dom->lock);
    old_name = g_strdup(dom->def->name);
    autostart = dom->autostart;
    g_mutex_unlock(&dom->lock);
    /* the name is taken in the list first (a define racing for it loses), the files
     * follow; the list is put back when they fail */
    if (!mv_driver_list_rename(driver->domains, MV_DRIVER_OBJECT(dom), new_name, error)) {
        mv_qemu_process_end_job(driver, dom);
        return false;
    }
    g_mutex_lock(&dom->lock);
    old_def = dom->def;
    g_mutex_unlock(&dom->lock);
    if (!nvram_paths(driver, old_def, new_name, &nvram_from, &nvram_to, error) ||
        !move_files(driver, def, old_name, autostart, nvram_from, nvram_to, error)) {
        mv_driver_list_rename(driver->domains, MV_DRIVER_OBJECT(dom), old_name, NULL);
        mv_qemu_process_end_job(driver, dom);
        return false;
    }
    g_mutex_lock(&dom->lock);
    dom->def = g_steal_pointer(&def);
    g_mutex_unlock(&dom->lock);
    mv_domain_def_free(old_def);

    ev = (MvEventDomain){ .name = old_name, .uuid = dom->uuid, .id = -1 };
    mv_domain_events_lifecycle(driver->events, &ev, MV_EVENT_UNDEFINED,
                               MV_EVENT_UNDEFINED_RENAMED);
    mv_qemu_process_emit(driver, dom, MV_EVENT_DEFINED, MV_EVENT_DEFINED_RENAMED);
    mv_qemu_process_end_job(driver, dom);
    *ret_retcode = 0;
    return true;
}
