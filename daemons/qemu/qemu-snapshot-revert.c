/* Snapshot revert and delete (qemu-snapshot.h, qemu-snapshot-priv.h). */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-snapshot-priv.h"

#include <string.h>

#include "qemu-dispatch.h"
#include "qemu-persist.h"
#include "qemu-process.h"
#include "qemu-snapshot-disk.h"
#include "util/log.h"

#define FROM MV_SNAPSHOT_FROM

#define REVERT_RUNNING     (1u << 0)
#define REVERT_PAUSED      (1u << 1)
#define REVERT_FORCE       (1u << 2)
#define DELETE_CHILDREN      (1u << 0)
#define DELETE_METADATA_ONLY (1u << 1)
#define DELETE_CHILDREN_ONLY (1u << 2)

/* ---- revert ---- */

/* The snapshot's definition becomes the domain's (its disks hold the snapshot). */
static bool
revert_definition(MvQemuSnapCtx *c, const MvSnapshotDef *snap, GError **error)
{
    MvQemuDomain *dom = c->dom;
    g_autoptr(MvDomainDef) saved = NULL;

    g_mutex_lock(&dom->lock);
    if (mv_qemu_domain_is_active(dom)) {
        g_mutex_unlock(&dom->lock);
        return true;        /* the running QEMU keeps its devices */
    }
    mv_domain_def_free(dom->def);
    dom->def = mv_domain_def_copy(snap->dom);
    g_clear_pointer(&dom->newdef, mv_domain_def_free);
    if (dom->persistent)
        saved = mv_domain_def_copy(dom->def);
    g_mutex_unlock(&dom->lock);
    return !saved || mv_qemu_persist_save_def(c->driver, saved, error);
}

/* A running/paused snapshot: QEMU (running, or started paused) loads it. */
static bool
revert_live(MvQemuSnapCtx *c, const MvSnapshotDef *snap, unsigned int flags, GError **error)
{
    bool paused = (flags & REVERT_PAUSED) ||
                  (!(flags & REVERT_RUNNING) && g_str_equal(snap->state, "paused"));
    g_autoptr(GPtrArray) disks = NULL;
    g_autoptr(GPtrArray) nodes = NULL;
    g_autoptr(MvDomainDef) live = NULL;
    bool started = false;

    if (!c->active) {
        if (!revert_definition(c, snap, error) ||
            !mv_qemu_process_start(c->driver, c->dom, MV_QEMU_START_PAUSED, error))
            return false;
        started = true;
    } else if (c->running) {
        if (!mv_qemu_monitor_stop(c->mon, error))
            return false;
    }
    g_mutex_lock(&c->dom->lock);
    live = mv_domain_def_copy(c->dom->live);
    c->mon = c->dom->monitor;
    g_mutex_unlock(&c->dom->lock);
    mv_qemu_snap_set_state(c, MV_DOMAIN_PAUSED, MV_PAUSED_FROM_SNAPSHOT);
    if (!(disks = mv_qemu_snapshot_disks(live, true, error)) ||
        !(nodes = mv_qemu_snapshot_top_nodes(c->mon, disks, error)) ||
        !mv_qemu_snapshot_job(c->mon, "snapshot-load", snap->name, nodes, error)) {
        if (started) {
            mv_qemu_process_stop(c->driver, c->dom, false, MV_DOMAIN_SHUTOFF_FAILED,
                                 MV_EVENT_STOPPED_FAILED, NULL);
        } else if (c->running && mv_qemu_monitor_cont(c->mon, NULL)) {
            /* running again, as before the revert */
            mv_qemu_snap_set_state(c, MV_DOMAIN_RUNNING, MV_DOMAIN_RUNNING_UNPAUSED);
        }
        return false;
    }
    if (started)
        mv_qemu_process_emit(c->driver, c->dom, MV_EVENT_STARTED, MV_EVENT_STARTED_FROM_SNAPSHOT);
    if (paused) {
        mv_qemu_process_emit(c->driver, c->dom, MV_EVENT_SUSPENDED,
                             MV_EVENT_SUSPENDED_FROM_SNAPSHOT);
        return true;
    }
    if (!mv_qemu_monitor_cont(c->mon, error))
        return false;
    mv_qemu_snap_set_state(c, MV_DOMAIN_RUNNING, MV_RUNNING_FROM_SNAPSHOT);
    mv_qemu_process_emit(c->driver, c->dom, MV_EVENT_RESUMED, MV_EVENT_RESUMED_FROM_SNAPSHOT);
    return true;
}

/* A shut-off snapshot: the guest stops, the disks go back, and with --running or
 * --paused the guest boots from them. */
static bool
revert_offline(MvQemuSnapCtx *c, const MvSnapshotDef *snap, unsigned int flags, GError **error)
{
    g_autoptr(GPtrArray) disks = NULL;

    if (c->active &&
        !mv_qemu_process_stop(c->driver, c->dom, false, MV_SHUTOFF_FROM_SNAPSHOT,
                              MV_EVENT_STOPPED_FROM_SNAPSHOT, error))
        return false;
    if (!(disks = mv_qemu_snapshot_disks(snap->dom, true, error)) ||
        !mv_qemu_snapshot_img("-a", snap->name, disks, error) ||
        !revert_definition(c, snap, error))
        return false;
    if (!(flags & (REVERT_RUNNING | REVERT_PAUSED)))
        return true;
    if (!mv_qemu_process_start(c->driver, c->dom,
                               (flags & REVERT_PAUSED) ? MV_QEMU_START_PAUSED : 0, error))
        return false;
    mv_qemu_process_emit(c->driver, c->dom, MV_EVENT_STARTED, MV_EVENT_STARTED_FROM_SNAPSHOT);
    return true;
}

bool
mv_qemu_handle_domain_revert_to_snapshot(MvDriverCall *call, const MvObjectRef *snap_ref,
                                         unsigned int flags, GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autoptr(MvQemuSnapshots) s = NULL;
    MvSnapshotDef *snap;
    MvQemuSnapCtx c = { 0 };
    bool ok = false;

    if (!mv_qemu_dispatch_check_flags(flags, REVERT_RUNNING | REVERT_PAUSED | REVERT_FORCE,
                                      "virDomainRevertToSnapshot", error))
        return false;
    if ((flags & REVERT_RUNNING) && (flags & REVERT_PAUSED))
        return mv_error_set(error, FROM, MV_ERR_INVALID_ARG,
                            "--running and --paused are mutually exclusive");
    if (!(dom = mv_qemu_dispatch_get_domain(call, snap_ref, error)) ||
        !mv_qemu_dispatch_begin_job(dom, "virDomainRevertToSnapshot", error))
        return false;
    mv_qemu_snap_ctx_init(&c, driver, dom);
    if (!(s = mv_qemu_snapshots_load(driver, dom->name, dom->uuid, error)) ||
        !(snap = mv_qemu_snapshots_get(s, dom->name, snap_ref->key, error)))
        goto out;
    if (mv_qemu_snapshot_is_external(snap)) {
        mv_error_set(error, FROM, MV_ERR_OPERATION_UNSUPPORTED,
                     "reverting to the external snapshot '%s' is not supported: its disks "
                     "are the overlays' backing files (point the disks back at them with "
                     "'virsh edit' instead)", snap->name);
        goto out;
    }
    if (!snap->dom || memcmp(snap->dom->uuid, dom->uuid, 16) != 0) {
        mv_error_set(error, FROM, MV_ERR_OPERATION_INVALID,
                     "snapshot '%s' has no definition of domain '%s' to revert to", snap->name,
                     dom->name);
        goto out;
    }
    if (g_str_equal(snap->state, "shutoff"))
        ok = revert_offline(&c, snap, flags, error);
    else
        ok = revert_live(&c, snap, flags, error);
    ok = ok && mv_qemu_snapshots_set_current(s, snap->name, error);
    if (!ok)
        g_prefix_error(error, "cannot revert domain '%s' to snapshot '%s': ", dom->name,
                       snap_ref->key);
    else
        mv_log_info("domain '%s' reverted to snapshot '%s'", dom->name, snap->name);
out:
    mv_qemu_snap_ctx_clear(&c);
    mv_qemu_process_end_job(driver, dom);
    return ok;
}

/* ---- delete ---- */

/* Removes the internal snapshot @snap from the disk images. */
static bool
delete_data(MvQemuSnapCtx *c, const MvSnapshotDef *snap, GError **error)
{
    g_autoptr(GPtrArray) disks = NULL;
    g_autoptr(GPtrArray) nodes = NULL;

    if (!c->active)
        return (disks = mv_qemu_snapshot_disks(snap->dom ? snap->dom : c->now, true, error)) &&
               mv_qemu_snapshot_img("-d", snap->name, disks, error);
    if (!(disks = mv_qemu_snapshot_disks(c->now, true, error)))
        return false;
    /* QEMU deletes from the images it writes: the snapshot must live there. */
    for (guint i = 0; snap->dom && i < disks->len; i++) {
        const MvDomainDiskDef *disk = g_ptr_array_index(disks, i);
        int idx = mv_domain_def_find_disk(snap->dom, disk->target_dev);

        if (idx >= 0 && g_strcmp0(snap->dom->disks[idx]->source, disk->source) != 0)
            return mv_error_set(error, FROM, MV_ERR_OPERATION_INVALID,
                                "snapshot '%s' is stored in '%s', which the running guest no "
                                "longer writes (disk '%s' uses '%s'): delete it while the "
                                "domain is shut off, or its metadata only with --metadata",
                                snap->name, snap->dom->disks[idx]->source, disk->target_dev,
                                disk->source);
    }
    return (nodes = mv_qemu_snapshot_top_nodes(c->mon, disks, error)) &&
           mv_qemu_snapshot_job(c->mon, "snapshot-delete", snap->name, nodes, error);
}

static bool
delete_snapshots(MvQemuSnapCtx *c, MvQemuSnapshots *s, MvSnapshotDef *snap, unsigned int flags,
                 GError **error)
{
    bool children = flags & (DELETE_CHILDREN | DELETE_CHILDREN_ONLY);
    g_autoptr(GPtrArray) victims = children ? mv_qemu_snapshots_children(s, snap->name, true)
                                            : g_ptr_array_new();
    g_autofree char *name = g_strdup(snap->name);
    g_autofree char *parent = g_strdup(snap->parent);
    g_autofree char *new_current = NULL;
    bool current_gone = false;

    if (!(flags & DELETE_CHILDREN_ONLY))
        g_ptr_array_add(victims, snap);
    for (guint i = 0; !(flags & DELETE_METADATA_ONLY) && i < victims->len; i++) {
        MvSnapshotDef *v = g_ptr_array_index(victims, i);
        if (mv_qemu_snapshot_is_external(v))
            return mv_error_set(error, FROM, MV_ERR_OPERATION_UNSUPPORTED,
                                "deleting the external snapshot '%s' is not supported: its "
                                "overlays are in use (delete its metadata only with "
                                "--metadata)", v->name);
    }
    for (guint i = 0; i < victims->len; i++)
        current_gone |= g_strcmp0(s->current, ((MvSnapshotDef *)victims->pdata[i])->name) == 0;
    if (current_gone)
        new_current = g_strdup((flags & DELETE_CHILDREN_ONLY) ? name : parent);
    /* Leaves first: a parent's data is removed after its children's. */
    for (guint n = victims->len; n > 0; n--) {
        MvSnapshotDef *v = g_ptr_array_index(victims, n - 1);
        g_autofree char *vname = g_strdup(v->name);

        if (!(flags & DELETE_METADATA_ONLY) && !delete_data(c, v, error))
            return false;
        if (!mv_qemu_snapshots_remove(s, vname, error))
            return false;
    }
    if (!children) {
        /* The children of a deleted snapshot move up to its parent. */
        g_autoptr(GPtrArray) kids = mv_qemu_snapshots_children(s, name, false);
        for (guint i = 0; i < kids->len; i++) {
            MvSnapshotDef *k = g_ptr_array_index(kids, i);
            g_autofree char *xml = mv_snapshot_def_format(k, MV_SNAPSHOT_FORMAT_SECURE);
            MvSnapshotDef *copy = mv_snapshot_def_parse_string(xml, error);

            if (!copy)
                return false;
            g_free(copy->parent);
            copy->parent = g_strdup(parent);
            if (!mv_qemu_snapshots_put(s, copy, error))
                return false;
        }
    }
    if (current_gone && !mv_qemu_snapshots_set_current(s, new_current, error))
        return false;
    return true;
}

bool
mv_qemu_handle_domain_snapshot_delete(MvDriverCall *call, const MvObjectRef *snap_ref,
                                      unsigned int flags, GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autoptr(MvQemuSnapshots) s = NULL;
    MvSnapshotDef *snap;
    MvQemuSnapCtx c = { 0 };
    bool ok = false;

    if (!mv_qemu_dispatch_check_flags(flags, DELETE_CHILDREN | DELETE_METADATA_ONLY |
                                      DELETE_CHILDREN_ONLY, "virDomainSnapshotDelete", error))
        return false;
    if ((flags & DELETE_CHILDREN) && (flags & DELETE_CHILDREN_ONLY))
        return mv_error_set(error, FROM, MV_ERR_INVALID_ARG,
                            "--children and --children-only are mutually exclusive");
    if (!(dom = mv_qemu_dispatch_get_domain(call, snap_ref, error)) ||
        !mv_qemu_dispatch_begin_job(dom, "virDomainSnapshotDelete", error))
        return false;
    mv_qemu_snap_ctx_init(&c, driver, dom);
    if ((s = mv_qemu_snapshots_load(driver, dom->name, dom->uuid, error)) &&
        (snap = mv_qemu_snapshots_get(s, dom->name, snap_ref->key, error))) {
        ok = delete_snapshots(&c, s, snap, flags, error);
        if (!ok)
            g_prefix_error(error, "cannot delete snapshot '%s' of domain '%s': ",
                           snap_ref->key, dom->name);
    }
    mv_qemu_snap_ctx_clear(&c);
    mv_qemu_process_end_job(driver, dom);
    return ok;
}
