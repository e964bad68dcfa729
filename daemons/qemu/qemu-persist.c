/* Definitions, autostart links and live status on disk, see qemu-persist.h. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-persist.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"
#include "util/xml.h"

bool
mv_qemu_persist_save_def(MvQemuDriver *driver, const MvDomainDef *def, GError **error)
{
    g_autofree char *xml = mv_domain_def_format(def, -1, MV_DOMAIN_DEF_FORMAT_INACTIVE |
                                                             MV_DOMAIN_DEF_FORMAT_SECURE);

    return mv_driver_store_save_config(driver->store, def->name, xml, error);
}

/* Makes *@def the definition in force (lock held): the next start's definition
 * of a running domain, its definition otherwise. */
static void
put_in_force(MvQemuDomain *dom, MvDomainDef **def)
{
    MvDomainDef **slot = mv_qemu_domain_is_active(dom) ? &dom->newdef : &dom->def;

    mv_domain_def_free(*slot);
    *slot = g_steal_pointer(def);
}

bool
mv_qemu_persist_replace_def(MvQemuDriver *driver, MvQemuDomain *dom, MvDomainDef **def,
                            GError **error)
{
    if (!mv_qemu_persist_save_def(driver, *def, error))
        return false;
    put_in_force(dom, def);
    return true;
}

bool
mv_qemu_persist_install_def(MvQemuDriver *driver, MvQemuDomain *dom, MvDomainDef **def,
                            GError **error)
{
    if (!mv_qemu_persist_save_def(driver, *def, error))
        return false;
    g_mutex_lock(&dom->lock);
    put_in_force(dom, def);
    g_mutex_unlock(&dom->lock);
    return true;
}

MvDomainDef *
mv_qemu_persist_config_copy(MvQemuDomain *dom, GError **error)
{
    MvDomainDef *def = NULL;

    g_mutex_lock(&dom->lock);
    if (dom->persistent)
        def = mv_domain_def_copy(dom->newdef ? dom->newdef : dom->def);
    else
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: cannot modify the persistent config "
                     "of transient domain '%s'", dom->name);
    g_mutex_unlock(&dom->lock);
    return def;
}

bool
mv_qemu_persist_delete_def(MvQemuDriver *driver, const char *name, GError **error)
{
    return mv_driver_store_delete_config(driver->store, name, error);
}

bool
mv_qemu_persist_set_autostart(MvQemuDriver *driver, const char *name, bool autostart,
                              GError **error)
{
    return mv_driver_store_set_autostart(driver->store, name, autostart, error);
}

/* Writes <run>/qemu/<name>.xml from @st (its path is ignored). */
static bool
write_status(MvQemuDriver *driver, const MvQemuStatus *st, GError **error)
{
    g_autofree char *xml = mv_domain_def_format(st->live, st->id, MV_DOMAIN_DEF_FORMAT_SECURE);
    g_autofree char *monitor = g_markup_escape_text(st->monitor_path, -1);
    g_autofree char *doc = g_strdup_printf(
        "<domstatus%s state='%d' reason='%d' pid='%d' starttime='%" G_GUINT64_FORMAT "'"
        " id='%d' persistent='%s' monitor='%s'>\n%s</domstatus>\n",
        st->starting ? " phase='starting'" : "", st->state, st->reason, (int)st->pid,
        st->start_time, st->id, st->persistent ? "yes" : "no", monitor, xml);

    /* Live status dies with the host: atomic against a killed daemon, no fsync. */
    return mv_driver_store_save_status(driver->store, st->live->name, doc, error);
}

bool
mv_qemu_persist_save_status(MvQemuDriver *driver, MvQemuDomain *dom, GError **error)
{
    MvQemuStatus st = {
        .pid = dom->pid,
        .start_time = dom->start_time,
        .id = dom->id,
        .state = dom->state,
        .reason = dom->reason,
        .persistent = dom->persistent,
        .monitor_path = dom->monitor_path,
        .live = dom->live,
    };

    if (!write_status(driver, &st, error))
        return false;
    dom->status_dirty = false;
    return true;
}

bool
mv_qemu_persist_save_starting(MvQemuDriver *driver, const MvDomainDef *live, bool persistent,
                              const char *monitor_path, pid_t pid, guint64 start_time,
                              GError **error)
{
    MvQemuStatus st = {
        .starting = true,
        .pid = pid,
        .start_time = start_time,
        .id = -1,
        .state = MV_DOMAIN_SHUTOFF,
        .persistent = persistent,
        .monitor_path = (char *)monitor_path,
        .live = (MvDomainDef *)live,
    };

    if (!write_status(driver, &st, error)) {
        g_prefix_error(error, "cannot record the start of domain '%s': ", live->name);
        return false;
    }
    return true;
}

#define STATUS_RETRY_MS 1000

/* Retries the status write of a live change (driver context). */
static gboolean
retry_status(gpointer data)
{
    MvQemuDomain *dom = data;
    GSource *self = g_main_current_source();
    g_autoptr(GError) err = NULL;
    gboolean again = G_SOURCE_REMOVE;

    g_mutex_lock(&dom->lock);
    if (dom->status_retry != self) {
        g_mutex_unlock(&dom->lock);     /* cancelled meanwhile */
        return G_SOURCE_REMOVE;
    }
    if (mv_qemu_domain_is_active(dom) && dom->status_dirty) {
        if (mv_qemu_persist_save_status(dom->driver, dom, &err))
            mv_log_info("domain '%s': the live status is recorded again", dom->name);
        else
            again = G_SOURCE_CONTINUE;
    }
    if (!again)
        g_clear_pointer(&dom->status_retry, g_source_unref);
    g_mutex_unlock(&dom->lock);
    return again;
}

void
mv_qemu_persist_update_status(MvQemuDriver *driver, MvQemuDomain *dom)
{
    g_autoptr(GError) err = NULL;

    if (mv_qemu_persist_save_status(driver, dom, &err))
        return;
    dom->status_dirty = true;
    mv_log_warning("domain '%s': the change took effect but %s; retrying every %d ms "
                   "(free space under %s)", dom->name, err->message, STATUS_RETRY_MS,
                   driver->state_dir);
    if (dom->status_retry)
        return;
    dom->status_retry = g_timeout_source_new(STATUS_RETRY_MS);
    g_source_set_callback(dom->status_retry, retry_status, mv_qemu_domain_ref(dom),
                          (GDestroyNotify)mv_qemu_domain_unref);
    g_source_attach(dom->status_retry, driver->ctx);
}

void
mv_qemu_persist_cancel_status_retry(MvQemuDomain *dom)
{
    GSource *retry;

    g_mutex_lock(&dom->lock);
    retry = g_steal_pointer(&dom->status_retry);
    dom->status_dirty = false;
    g_mutex_unlock(&dom->lock);
    if (retry) {
        g_source_destroy(retry);
        g_source_unref(retry);
    }
}

void
mv_qemu_persist_delete_status(MvQemuDriver *driver, const char *name)
{
    g_autoptr(GError) err = NULL;

    if (!mv_driver_store_delete_status(driver->store, name, &err))
        mv_log_warning("%s", err->message);
}

void
mv_qemu_status_free(MvQemuStatus *status)
{
    if (!status)
        return;
    g_free(status->path);
    g_free(status->monitor_path);
    mv_domain_def_free(status->live);
    g_free(status);
}

static bool
parse_status(const char *path, const char *text, MvQemuStatus *st, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    xmlNode *root;
    xmlNode *child;
    g_autofree char *pid = NULL, *start = NULL, *id = NULL, *state = NULL, *reason = NULL;
    g_autofree char *persistent = NULL;
    g_autofree char *phase = NULL;
    xmlBuffer *buf;

    if (!(doc = mv_xml_parse_string(text, NULL, error)))
        return false;
    root = xmlDocGetRootElement(doc);
    pid = mv_xml_get_prop(root, "pid");
    start = mv_xml_get_prop(root, "starttime");
    id = mv_xml_get_prop(root, "id");
    state = mv_xml_get_prop(root, "state");
    reason = mv_xml_get_prop(root, "reason");
    persistent = mv_xml_get_prop(root, "persistent");
    phase = mv_xml_get_prop(root, "phase");
    st->monitor_path = mv_xml_get_prop(root, "monitor");
    if (!pid || !start || !id || !state || !reason || !st->monitor_path ||
        !(child = mv_xml_get_child(root, "domain")))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                            "incomplete status file %s", path);
    st->pid = (pid_t)g_ascii_strtoll(pid, NULL, 10);
    st->start_time = g_ascii_strtoull(start, NULL, 10);
    st->id = (int)g_ascii_strtoll(id, NULL, 10);
    st->state = (int)g_ascii_strtoll(state, NULL, 10);
    st->reason = (int)g_ascii_strtoll(reason, NULL, 10);
    st->persistent = g_strcmp0(persistent, "no") != 0;
    st->starting = g_strcmp0(phase, "starting") == 0;
    buf = xmlBufferCreate();
    xmlNodeDump(buf, doc, child, 0, 0);
    st->live = mv_domain_def_parse_string((const char *)xmlBufferContent(buf),
                                          MV_DOMAIN_DEF_PARSE_STATUS, error);
    xmlBufferFree(buf);
    return st->live != NULL;
}

typedef struct {
    MvQemuDriver *driver;
    MvQemuRecoverFunc recover;
    gpointer data;
} Reconcile;

static bool
load_config(const char *path, const char *xml, bool autostart, gpointer data, GError **error)
{
    Reconcile *rc = data;
    g_autoptr(MvQemuDomain) dom = NULL;
    MvDomainDef *def;

    if (!(def = mv_domain_def_parse_string(xml, 0, error)) ||
        !(dom = mv_qemu_domains_add(rc->driver->domains, def, true, error)))
        return false;
    dom->autostart = autostart;
    return true;
}

static bool
load_status(const char *path, const char *text, bool has_config, gpointer data, GError **error)
{
    Reconcile *rc = data;
    g_autoptr(MvQemuStatus) st = g_new0(MvQemuStatus, 1);

    st->path = g_strdup(path);
    if (!parse_status(path, text, st, error))
        return false;
    rc->recover(rc->driver, st, rc->data);
    return true;
}

static void
rejected(const char *path, bool is_status, const GError *error, gpointer data)
{
    if (is_status)
        mv_log_error("discarding the status file %s: %s", path, error->message);
    else
        mv_log_error("skipping the definition %s: %s", path, error->message);
}

void
mv_qemu_persist_reconcile(MvQemuDriver *driver, MvQemuRecoverFunc recover, gpointer data)
{
    static const MvDriverReconcile cb = { load_config, load_status, rejected };
    Reconcile rc = { driver, recover, data };

    mv_driver_store_reconcile(driver->store, &cb, &rc);
}
