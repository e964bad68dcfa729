/* Save and restore (qemu-save.h): virsh save/restore, managed save and the
 * save-image calls. The guest's state is QEMU's migration stream, written to
 * and read from the image's file descriptor directly (QMP getfd + migrate
 * "fd:" on save, -incoming defer + migrate-incoming "fd:" on restore). */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-save.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "qemu-dispatch.h"
#include "qemu-json.h"
#include "qemu-persist.h"
#include "qemu-process.h"
#include "qemu-save-image.h"
#include "util/file.h"
#include "util/log.h"

/* virDomainSaveRestoreFlags */
#define SAVE_BYPASS_CACHE (1u << 0)
#define SAVE_RUNNING      (1u << 1)
#define SAVE_PAUSED       (1u << 2)
#define SAVE_RESET_NVRAM  (1u << 3)
#define SAVE_IMAGE_XML_SECURE (1u << 0)
#define START_FORCE_BOOT  (1u << 3)
#define XML_FORMAT_SAVED  (MV_DOMAIN_DEF_FORMAT_SECURE | MV_DOMAIN_DEF_FORMAT_INACTIVE)
#define STREAM_FDNAME     "mv-save-stream"

/* ---- the migration stream ---- */

/* Polls query-migrate until the migration (either side) is over. */
static bool
wait_migration(MvQemuMonitor *mon, const char *what, GError **error)
{
    gulong sleep_us = 1000;

    for (;;) {
        g_autoptr(JsonNode) reply = mv_qemu_monitor_command(mon, "query-migrate", NULL,
                                                            MV_QEMU_MONITOR_TIMEOUT_MS, error);
        JsonObject *obj;
        const char *status;

        if (!reply)
            return false;
        obj = JSON_NODE_HOLDS_OBJECT(reply) ? json_node_get_object(reply) : NULL;
        status = obj ? mv_qemu_json_get_string(obj, "status", "") : "";
        if (g_str_equal(status, "completed"))
            return true;
        if (g_str_equal(status, "failed") || g_str_equal(status, "cancelled"))
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                                "QEMU could not %s the guest's state: %s", what,
                                obj ? mv_qemu_json_get_string(obj, "error-desc", status)
                                    : status);
        g_usleep(sleep_us);
        sleep_us = MIN(sleep_us * 2, 20000);
    }
}

static bool
run_simple(MvQemuMonitor *mon, const char *cmd, JsonObject *args, GError **error)
{
    g_autoptr(JsonNode) reply = mv_qemu_monitor_command(mon, cmd, args,
                                                        MV_QEMU_MONITOR_TIMEOUT_MS, error);
    return reply != NULL;
}

static JsonObject *
uri_args(void)
{
    JsonObject *args = json_object_new();
    json_object_set_string_member(args, "uri", "fd:" STREAM_FDNAME);
    return args;
}

bool
mv_qemu_save_load_stream(MvQemuMonitor *mon, int fd, GError **error)
{
    if (!mv_qemu_monitor_getfd(mon, STREAM_FDNAME, fd, error))
        return false;
    if (!run_simple(mon, "migrate-incoming", uri_args(), error)) {
        mv_qemu_monitor_closefd(mon, STREAM_FDNAME, NULL);
        return false;
    }
    return wait_migration(mon, "load", error);
}

static bool
write_stream(MvQemuMonitor *mon, int fd, GError **error)
{
    JsonObject *params = json_object_new();

    /* QEMU limits migration to 32 MiB/s unless told otherwise: a save is local. */
    json_object_set_int_member(params, "max-bandwidth", G_MAXINT64);
    if (!run_simple(mon, "migrate-set-parameters", params, error) ||
        !mv_qemu_monitor_getfd(mon, STREAM_FDNAME, fd, error))
        return false;
    if (!run_simple(mon, "migrate", uri_args(), error)) {
        mv_qemu_monitor_closefd(mon, STREAM_FDNAME, NULL);
        return false;
    }
    return wait_migration(mon, "save", error);
}

/* ---- paths ---- */

char *
mv_qemu_save_managed_path(MvQemuDriver *driver, const char *name)
{
    g_autofree char *file = g_strconcat(name, ".save", NULL);
    return g_build_filename(driver->lib_dir, "save", file, NULL);
}

bool
mv_qemu_save_has_managed(MvQemuDriver *driver, const char *name)
{
    g_autofree char *path = mv_qemu_save_managed_path(driver, name);
    return g_file_test(path, G_FILE_TEST_EXISTS);
}

static bool
check_path(const char *path, GError **error)
{
    if (!g_path_is_absolute(path))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                            "save image path '%s' must be absolute", path);
    return true;
}

static bool
check_save_flags(unsigned int flags, unsigned int extra, const char *api, GError **error)
{
    if (!mv_qemu_dispatch_check_flags(flags, SAVE_BYPASS_CACHE | SAVE_RUNNING | SAVE_PAUSED |
                                      extra, api, error))
        return false;
    if ((flags & SAVE_RUNNING) && (flags & SAVE_PAUSED))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                            "%s: the running and paused flags are mutually exclusive", api);
    if (flags & SAVE_BYPASS_CACHE)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_UNSUPPORTED,
                            "%s: --bypass-cache (O_DIRECT) is not supported by modvirt; "
                            "save and restore without it", api);
    return true;
}

/* @xml as a definition of the same domain as @like (name and UUID). */
static MvDomainDef *
parse_same_domain(const char *xml, const MvDomainDef *like, GError **error)
{
    g_autoptr(MvDomainDef) def = mv_domain_def_parse_string(xml, 0, error);

    if (!def)
        return NULL;
    if (g_strcmp0(def->name, like->name) != 0 || memcmp(def->uuid, like->uuid, 16) != 0) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                     "the replacement XML must describe the same domain: name '%s' and "
                     "UUID must not change (it names '%s')", like->name, def->name);
        return NULL;
    }
    return g_steal_pointer(&def);
}

/* ---- save ---- */

static bool
save_to(MvQemuDriver *driver, MvQemuDomain *dom, const char *path, const char *dxml,
        unsigned int flags, GError **error)
{
    g_autoptr(MvDomainDef) def = NULL;
    g_autofree char *xml = NULL;
    MvQemuMonitor *mon;
    guint64 data_offset = 0;
    bool was_running, running;
    int fd;

    g_mutex_lock(&dom->lock);
    if (!mv_qemu_dispatch_require_active(dom, error)) {
        g_mutex_unlock(&dom->lock);
        return false;
    }
    def = mv_domain_def_copy(dom->live);
    mon = dom->monitor;
    was_running = dom->state == MV_DOMAIN_RUNNING;
    g_mutex_unlock(&dom->lock);
    if (dxml) {
        g_autoptr(MvDomainDef) repl = parse_same_domain(dxml, def, error);
        if (!repl || !mv_qemu_driver_check_def(driver, repl, error))
            return false;
        mv_domain_def_free(def);
        def = g_steal_pointer(&repl);
    }
    xml = mv_domain_def_format(def, -1, XML_FORMAT_SAVED);
    running = (flags & SAVE_RUNNING) ? true : (flags & SAVE_PAUSED) ? false : was_running;

    if ((fd = mv_save_image_create(path, xml, &data_offset, error)) < 0)
        return false;
    if (was_running) {
        if (!mv_qemu_monitor_stop(mon, error)) {
            close(fd);
            unlink(path);
            return false;
        }
        g_mutex_lock(&dom->lock);
        mv_qemu_domain_set_state(dom, MV_DOMAIN_PAUSED, MV_DOMAIN_PAUSED_SAVE);
        mv_qemu_persist_update_status(driver, dom);
        g_mutex_unlock(&dom->lock);
    }
    if (!write_stream(mon, fd, error) ||
        !mv_save_image_finish(fd, path, data_offset, running, error)) {
        g_autoptr(GError) err = NULL;
        close(fd);
        unlink(path);
        g_prefix_error(error, "cannot save domain '%s': ", dom->name);
        if (was_running) {
            if (mv_qemu_monitor_cont(mon, &err)) {
                g_mutex_lock(&dom->lock);
                mv_qemu_domain_set_state(dom, MV_DOMAIN_RUNNING, MV_DOMAIN_RUNNING_UNPAUSED);
                mv_qemu_persist_update_status(driver, dom);
                g_mutex_unlock(&dom->lock);
            } else {
                mv_log_warning("domain '%s': cannot resume after a failed save: %s",
                               dom->name, err->message);
            }
        }
        return false;
    }
    close(fd);
    mv_log_info("domain '%s' saved to %s", dom->name, path);
    return mv_qemu_process_stop(driver, dom, false, MV_DOMAIN_SHUTOFF_SAVED,
                                MV_EVENT_STOPPED_SAVED, error);
}

static bool
save(MvDriverCall *call, const MvObjectRef *ref, const char *path, const char *dxml,
     unsigned int flags, bool managed, const char *api, GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autofree char *managed_path = NULL;
    bool ok = true;

    if (!check_save_flags(flags, 0, api, error) || (path && !check_path(path, error)) ||
        !(dom = mv_qemu_dispatch_get_domain(call, ref, error)) ||
        !mv_qemu_dispatch_begin_job(dom, api, error))
        return false;
    if (managed) {
        g_autofree char *dir = g_build_filename(driver->lib_dir, "save", NULL);
        g_mutex_lock(&dom->lock);
        if (!dom->persistent)
            ok = mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                              "Requested operation is not valid: cannot do managed save "
                              "for transient domain '%s'", dom->name);
        g_mutex_unlock(&dom->lock);
        ok = ok && mv_file_mkdir_p(dir, 0700, error);
        path = managed_path = mv_qemu_save_managed_path(driver, dom->name);
    }
    ok = ok && save_to(driver, dom, path, dxml, flags, error);
    mv_qemu_process_end_job(driver, dom);
    return ok;
}

bool
mv_qemu_handle_domain_save(MvDriverCall *call, const MvObjectRef *dom_ref, const char *to,
                           GError **error)
{
    return save(call, dom_ref, to, NULL, 0, false, "virDomainSave", error);
}

bool
mv_qemu_handle_domain_save_flags(MvDriverCall *call, const MvObjectRef *dom_ref,
                                 const char *to, const char *dxml, unsigned int flags,
                                 GError **error)
{
    return save(call, dom_ref, to, dxml, flags, false, "virDomainSaveFlags", error);
}

bool
mv_qemu_handle_domain_managed_save(MvDriverCall *call, const MvObjectRef *dom_ref,
                                   unsigned int flags, GError **error)
{
    return save(call, dom_ref, NULL, NULL, flags, true, "virDomainManagedSave", error);
}

/* ---- restore ---- */

/* Starts @dom (job held) from the open image. */
static bool
start_from(MvQemuDriver *driver, MvQemuDomain *dom, const MvDomainDef *def,
           const MvSaveImage *img, int fd, unsigned int flags, GError **error)
{
    MvQemuIncoming incoming = { .def = def, .fd = fd };
    bool paused = (flags & SAVE_PAUSED) ||
                  (!(flags & SAVE_RUNNING) && !(img->flags & MV_SAVE_IMAGE_RUNNING));

    return mv_qemu_process_start_incoming(driver, dom, paused ? MV_QEMU_START_PAUSED : 0,
                                          &incoming, error);
}

static bool
restore(MvDriverCall *call, const char *path, const char *dxml, unsigned int flags,
        const char *api, GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvSaveImage) img = NULL;
    g_autoptr(MvDomainDef) saved = NULL;
    g_autoptr(MvDomainDef) def = NULL;
    g_autoptr(MvQemuDomain) dom = NULL;
    bool added = false;
    bool ok;
    int fd;

    if (!check_save_flags(flags, 0, api, error) || !check_path(path, error) ||
        !mv_qemu_driver_need_probe(driver, error))
        return false;
    if ((fd = mv_save_image_open(path, &img, error)) < 0)
        return false;
    if (!(saved = mv_domain_def_parse_string(img->xml, 0, error))) {
        g_prefix_error(error, "save image '%s' holds a domain XML modvirt cannot read: ", path);
        close(fd);
        return false;
    }
    def = dxml ? parse_same_domain(dxml, saved, error) : g_steal_pointer(&saved);
    if (!def || !mv_qemu_driver_check_def(driver, def, error)) {
        close(fd);
        return false;
    }
    dom = MV_QEMU_DOMAIN(mv_driver_list_find_by_uuid(driver->domains, def->uuid));
    if (dom && g_strcmp0(dom->name, def->name) != 0) {
        close(fd);
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                            "domain '%s' already exists with the UUID of the saved domain "
                            "'%s'", dom->name, def->name);
    }
    if (!dom) {
        if (!(dom = mv_qemu_domains_add(driver->domains, mv_domain_def_copy(def), false,
                                        error))) {
            close(fd);
            return false;
        }
        added = true;
    }
    if (!mv_qemu_dispatch_begin_job(dom, api, error)) {
        close(fd);
        if (added)
            mv_driver_list_remove(driver->domains, MV_DRIVER_OBJECT(dom));
        return false;
    }
    ok = start_from(driver, dom, def, img, fd, flags, error);
    close(fd);
    if (!ok) {
        g_prefix_error(error, "cannot restore from '%s': ", path);
        if (added)
            mv_driver_list_remove(driver->domains, MV_DRIVER_OBJECT(dom));
    }
    mv_qemu_process_end_job(driver, dom);
    return ok;
}

bool
mv_qemu_handle_domain_restore(MvDriverCall *call, const char *from, GError **error)
{
    return restore(call, from, NULL, 0, "virDomainRestore", error);
}

bool
mv_qemu_handle_domain_restore_flags(MvDriverCall *call, const char *from, const char *dxml,
                                    unsigned int flags, GError **error)
{
    return restore(call, from, dxml, flags, "virDomainRestoreFlags", error);
}

/* ---- managed save ---- */

bool
mv_qemu_save_start_managed(MvQemuDriver *driver, MvQemuDomain *dom, unsigned int flags,
                           bool *ret_done, GError **error)
{
    g_autofree char *path = mv_qemu_save_managed_path(driver, dom->name);
    g_autoptr(MvSaveImage) img = NULL;
    g_autoptr(MvDomainDef) def = NULL;
    bool ok;
    int fd;

    *ret_done = false;
    if (!g_file_test(path, G_FILE_TEST_EXISTS))
        return true;
    if (flags & START_FORCE_BOOT) {
        if (unlink(path) < 0 && errno != ENOENT)
            return mv_error_set_errno(error, MV_FROM_QEMU, errno, "cannot remove '%s'", path);
        mv_log_info("domain '%s': managed save image discarded (force boot)", dom->name);
        return true;
    }
    fd = mv_save_image_open(path, &img, error);
    if (fd >= 0 && !(def = mv_domain_def_parse_string(img->xml, 0, error))) {
        close(fd);
        fd = -1;
    }
    ok = fd >= 0 && start_from(driver, dom, def, img, fd, flags & MV_QEMU_START_PAUSED ?
                               SAVE_PAUSED : 0, error);
    if (fd >= 0)
        close(fd);
    if (!ok) {
        g_prefix_error(error, "cannot resume domain '%s' from its managed save image (remove "
                       "it with 'virsh managedsave-remove' or start with --force-boot): ",
                       dom->name);
        return false;
    }
    if (unlink(path) < 0)
        mv_log_warning("domain '%s': cannot remove the managed save image %s: %s", dom->name,
                       path, g_strerror(errno));
    *ret_done = true;
    return true;
}

bool
mv_qemu_handle_domain_managed_save_remove(MvDriverCall *call, const MvObjectRef *dom_ref,
                                          unsigned int flags, GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autofree char *path = NULL;
    bool ok = true;

    if (!mv_qemu_dispatch_check_flags(flags, 0, "virDomainManagedSaveRemove", error) ||
        !(dom = mv_qemu_dispatch_get_domain(call, dom_ref, error)) ||
        !mv_qemu_dispatch_begin_job(dom, "virDomainManagedSaveRemove", error))
        return false;
    path = mv_qemu_save_managed_path(driver, dom->name);
    if (unlink(path) < 0 && errno != ENOENT)
        ok = mv_error_set_errno(error, MV_FROM_QEMU, errno,
                                "cannot remove managed save image '%s'", path);
    mv_qemu_process_end_job(driver, dom);
    return ok;
}

/* ---- save images ---- */

bool
mv_qemu_handle_domain_save_image_get_xml_desc(MvDriverCall *call, const char *file,
                                              unsigned int flags, char **ret_xml,
                                              GError **error)
{
    g_autoptr(MvSaveImage) img = NULL;
    g_autoptr(MvDomainDef) def = NULL;
    int fd;

    if (!mv_qemu_dispatch_check_flags(flags, SAVE_IMAGE_XML_SECURE,
                                      "virDomainSaveImageGetXMLDesc", error) ||
        !check_path(file, error) || (fd = mv_save_image_open(file, &img, error)) < 0)
        return false;
    close(fd);
    if (!(def = mv_domain_def_parse_string(img->xml, 0, error)))
        return false;
    (*ret_xml) = mv_domain_def_format(def, -1, MV_DOMAIN_DEF_FORMAT_INACTIVE |
                                      ((flags & SAVE_IMAGE_XML_SECURE) ?
                                           MV_DOMAIN_DEF_FORMAT_SECURE : 0));
    return true;
}

bool
mv_qemu_handle_domain_save_image_define_xml(MvDriverCall *call, const char *file,
                                            const char *dxml, unsigned int flags,
                                            GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvSaveImage) img = NULL;
    g_autoptr(MvDomainDef) saved = NULL;
    g_autoptr(MvDomainDef) def = NULL;
    g_autofree char *xml = NULL;
    int fd;

    if (!mv_qemu_dispatch_check_flags(flags, SAVE_RUNNING | SAVE_PAUSED,
                                      "virDomainSaveImageDefineXML", error) ||
        !check_save_flags(flags, 0, "virDomainSaveImageDefineXML", error) ||
        !check_path(file, error) || (fd = mv_save_image_open(file, &img, error)) < 0)
        return false;
    close(fd);
    if (!(saved = mv_domain_def_parse_string(img->xml, 0, error)) ||
        !(def = parse_same_domain(dxml, saved, error)) ||
        !mv_qemu_driver_check_def(driver, def, error))
        return false;
    xml = mv_domain_def_format(def, -1, XML_FORMAT_SAVED);
    return mv_save_image_set_xml(file, xml, (flags & SAVE_RUNNING) ? 1 :
                                 (flags & SAVE_PAUSED) ? 0 : -1, error);
}

/* ---- the managed save image's XML ---- */

/* The managed save image of the domain @ref names (job held on success). */
static MvQemuDomain *
managed_image(MvDriverCall *call, const MvObjectRef *ref, const char *api, char **ret_path,
              GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autofree char *path = NULL;

    if (!(dom = mv_qemu_dispatch_get_domain(call, ref, error)) ||
        !mv_qemu_dispatch_begin_job(dom, api, error))
        return NULL;
    path = mv_qemu_save_managed_path(driver, dom->name);
    if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: domain '%s' does not have a managed "
                     "save image", dom->name);
        mv_qemu_process_end_job(driver, dom);
        return NULL;
    }
    *ret_path = g_steal_pointer(&path);
    return g_steal_pointer(&dom);
}

bool
mv_qemu_handle_domain_managed_save_get_xml_desc(MvDriverCall *call, const MvObjectRef *dom_ref,
                                                unsigned int flags, char **ret_xml,
                                                GError **error)
{
    const char *api = "virDomainManagedSaveGetXMLDesc";
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autofree char *path = NULL;
    bool ok;

    if (!mv_qemu_dispatch_check_flags(flags, SAVE_IMAGE_XML_SECURE, api, error))
        return false;
    if ((flags & SAVE_IMAGE_XML_SECURE) && mv_driver_call_is_readonly(call))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_DENIED,
                            "operation forbidden: %s with secure flag", api);
    if (!(dom = managed_image(call, dom_ref, api, &path, error)))
        return false;
    ok = mv_qemu_handle_domain_save_image_get_xml_desc(call, path, flags, ret_xml, error);
    mv_qemu_process_end_job(mv_qemu_driver_get(call), dom);
    return ok;
}

bool
mv_qemu_handle_domain_managed_save_define_xml(MvDriverCall *call, const MvObjectRef *dom_ref,
                                              const char *dxml, unsigned int flags,
                                              GError **error)
{
    const char *api = "virDomainManagedSaveDefineXML";
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autofree char *path = NULL;
    bool ok;

    if (!mv_qemu_dispatch_check_flags(flags, SAVE_RUNNING | SAVE_PAUSED, api, error) ||
        !check_save_flags(flags, 0, api, error))
        return false;
    if (!dxml)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                            "%s: the new XML is missing", api);
    if (!(dom = managed_image(call, dom_ref, api, &path, error)))
        return false;
    ok = mv_qemu_handle_domain_save_image_define_xml(call, path, dxml, flags, error);
    mv_qemu_process_end_job(mv_qemu_driver_get(call), dom);
    return ok;
}
