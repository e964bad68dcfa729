/* Snapshot create (qemu-snapshot.h); revert and delete are in
 * qemu-snapshot-revert.c. Each holds the domain's job; the metadata is written
 * only after QEMU or qemu-img did their part, so a failure leaves the old
 * metadata. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-snapshot-priv.h"

#include <string.h>
#include <unistd.h>

#include "qemu-dispatch.h"
#include "qemu-persist.h"
#include "qemu-process.h"
#include "qemu-snapshot-disk.h"
#include "util/file.h"
#include "util/log.h"

#define FROM MV_SNAPSHOT_FROM

void
mv_qemu_snapshot_fill_ref(MvObjectRef *ret, MvQemuDomain *dom, const char *name)
{
    mv_qemu_dispatch_fill_dom(ret, dom);
    ret->key = g_strdup(name);
}

void
mv_qemu_snap_ctx_init(MvQemuSnapCtx *c, MvQemuDriver *driver, MvQemuDomain *dom)
{
    c->driver = driver;
    c->dom = dom;
    g_mutex_lock(&dom->lock);
    c->active = mv_qemu_domain_is_active(dom) && !dom->exited;
    c->running = c->active && dom->state == MV_DOMAIN_RUNNING;
    c->mon = c->active ? dom->monitor : NULL;
    c->now = mv_domain_def_copy(c->active && dom->live ? dom->live
                                                       : (dom->newdef ? dom->newdef : dom->def));
    g_mutex_unlock(&dom->lock);
}

void
mv_qemu_snap_ctx_clear(MvQemuSnapCtx *c)
{
    mv_domain_def_free(c->now);
}

void
mv_qemu_snap_set_state(MvQemuSnapCtx *c, MvDomainState state, int reason)
{
    g_mutex_lock(&c->dom->lock);
    mv_qemu_domain_set_state(c->dom, state, reason);
    mv_qemu_persist_update_status(c->driver, c->dom);
    g_mutex_unlock(&c->dom->lock);
}

/* ---- create: internal ---- */

static bool
create_internal(MvQemuSnapCtx *c, MvSnapshotDef *req, MvSnapshotDef *snap, GError **error)
{
    g_autoptr(GPtrArray) disks = mv_qemu_snapshot_disks(c->now, true, error);
    g_autoptr(GPtrArray) nodes = NULL;
    bool ok;

    if (!disks)
        return false;
    for (size_t i = 0; i < req->ndisks; i++) {
        if (req->disks[i]->snapshot == MV_SNAPSHOT_LOCATION_NO ||
            req->disks[i]->snapshot == MV_SNAPSHOT_LOCATION_EXTERNAL)
            return mv_error_set(error, FROM, MV_ERR_CONFIG_UNSUPPORTED,
                                "disk '%s': an internal snapshot covers every writable disk; "
                                "mixing internal with snapshot='%s' disks is not supported",
                                req->disks[i]->name,
                                mv_snapshot_location_to_string(req->disks[i]->snapshot));
        if (mv_domain_def_find_disk(c->now, req->disks[i]->name) < 0)
            return mv_error_set(error, FROM, MV_ERR_INVALID_ARG,
                                "the snapshot names disk '%s', which domain '%s' does not "
                                "have", req->disks[i]->name, c->dom->name);
    }
    if (req->memory == MV_SNAPSHOT_LOCATION_NO && c->active)
        return mv_error_set(error, FROM, MV_ERR_CONFIG_UNSUPPORTED,
                            "an internal snapshot of a running domain includes its memory: "
                            "use --disk-only for a snapshot of the disks alone");
    for (guint i = 0; i < disks->len; i++) {
        MvSnapshotDiskDef *d = g_new0(MvSnapshotDiskDef, 1);
        d->name = g_strdup(((MvDomainDiskDef *)g_ptr_array_index(disks, i))->target_dev);
        d->snapshot = MV_SNAPSHOT_LOCATION_INTERNAL;
        snap->disks = g_renew(MvSnapshotDiskDef *, snap->disks, snap->ndisks + 1);
        snap->disks[snap->ndisks++] = d;
    }
    if (!c->active) {
        snap->memory = MV_SNAPSHOT_LOCATION_NO;
        snap->state = g_strdup("shutoff");
        if (!mv_qemu_snapshot_img("-c", snap->name, disks, error)) {
            mv_qemu_snapshot_img("-d", snap->name, disks, NULL);
            return false;
        }
        return true;
    }
    snap->memory = MV_SNAPSHOT_LOCATION_INTERNAL;
    snap->state = g_strdup(c->running ? "running" : "paused");
    if (!(nodes = mv_qemu_snapshot_top_nodes(c->mon, disks, error)))
        return false;
    /* Paused around the save, so that the state we record is the one saved. */
    if (c->running) {
        if (!mv_qemu_monitor_stop(c->mon, error))
            return false;
        mv_qemu_snap_set_state(c, MV_DOMAIN_PAUSED, MV_DOMAIN_PAUSED_USER);
    }
    ok = mv_qemu_snapshot_job(c->mon, "snapshot-save", snap->name, nodes, error);
    if (c->running) {
        g_autoptr(GError) err = NULL;
        if (mv_qemu_monitor_cont(c->mon, &err))
            mv_qemu_snap_set_state(c, MV_DOMAIN_RUNNING, MV_DOMAIN_RUNNING_UNPAUSED);
        else
            mv_log_warning("domain '%s': cannot resume after a snapshot: %s", c->dom->name,
                           err->message);
    }
    return ok;
}

/* ---- create: external (disk-only) ---- */

/* The default overlay of @source: its name without the last extension, then
 * ".SNAPSHOT" (libvirt's naming), in the same directory. */
static char *
default_overlay(const char *source, const char *snapname)
{
    g_autofree char *dir = g_path_get_dirname(source);
    g_autofree char *base = g_path_get_basename(source);
    char *dot = strrchr(base, '.');
    g_autofree char *file = NULL;

    if (dot && dot != base)
        *dot = '\0';
    file = g_strconcat(base, ".", snapname, NULL);
    return g_build_filename(dir, file, NULL);
}

/* Points disk @target of @def at @overlay (qcow2). */
static void
def_switch_disk(MvDomainDef *def, const char *target, const char *overlay)
{
    int idx = def ? mv_domain_def_find_disk(def, target) : -1;

    if (idx < 0)
        return;
    g_free(def->disks[idx]->source);
    def->disks[idx]->source = g_strdup(overlay);
    g_free(def->disks[idx]->driver_type);
    def->disks[idx]->driver_type = g_strdup("qcow2");
}

/* The definitions now use the overlays: live, config, and the config on disk. */
static bool
commit_overlays(MvQemuSnapCtx *c, MvSnapshotDef *snap, GError **error)
{
    g_autoptr(MvDomainDef) saved = NULL;
    MvQemuDomain *dom = c->dom;

    g_mutex_lock(&dom->lock);
    for (size_t i = 0; i < snap->ndisks; i++) {
        MvSnapshotDiskDef *d = snap->disks[i];
        if (d->snapshot != MV_SNAPSHOT_LOCATION_EXTERNAL)
            continue;
        def_switch_disk(dom->live, d->name, d->source);
        def_switch_disk(dom->newdef ? dom->newdef : dom->def, d->name, d->source);
    }
    if (dom->persistent)
        saved = mv_domain_def_copy(dom->newdef ? dom->newdef : dom->def);
    if (c->active)
        mv_qemu_persist_update_status(c->driver, dom);
    g_mutex_unlock(&dom->lock);
    return !saved || mv_qemu_persist_save_def(c->driver, saved, error);
}

static bool
create_external(MvQemuSnapCtx *c, MvSnapshotDef *req, MvSnapshotDef *snap, unsigned int flags,
                GError **error)
{
    g_autoptr(GPtrArray) disks = mv_qemu_snapshot_disks(c->now, false, error);
    g_autoptr(GPtrArray) chosen = g_ptr_array_new();
    g_autoptr(GPtrArray) created = g_ptr_array_new();
    g_autoptr(GPtrArray) tops = NULL;
    g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func(g_free);
    bool reuse = flags & MV_SNAPSHOT_CREATE_REUSE_EXT;
    bool ok = false;

    if (!disks)
        return false;
    if (req->memory == MV_SNAPSHOT_LOCATION_EXTERNAL || req->memory_file)
        return mv_error_set(error, FROM, MV_ERR_CONFIG_UNSUPPORTED,
                            "external memory snapshots are not supported: use --disk-only");
    if (c->active && !(flags & MV_SNAPSHOT_CREATE_DISK_ONLY))
        return mv_error_set(error, FROM, MV_ERR_CONFIG_UNSUPPORTED,
                            "an external snapshot of a running domain must be --disk-only "
                            "(external memory snapshots are not supported)");
    for (size_t i = 0; i < req->ndisks; i++) {
        int idx = mv_domain_def_find_disk(c->now, req->disks[i]->name);
        if (idx < 0 || !g_ptr_array_find(disks, c->now->disks[idx], NULL))
            return mv_error_set(error, FROM, MV_ERR_INVALID_ARG,
                                "disk '%s' cannot be in the snapshot: domain '%s' has no "
                                "writable file disk of that name", req->disks[i]->name,
                                c->dom->name);
        if (req->disks[i]->snapshot == MV_SNAPSHOT_LOCATION_INTERNAL)
            return mv_error_set(error, FROM, MV_ERR_CONFIG_UNSUPPORTED,
                                "disk '%s': internal and external disk snapshots cannot be "
                                "mixed", req->disks[i]->name);
    }
    for (guint i = 0; i < disks->len; i++) {
        MvDomainDiskDef *disk = g_ptr_array_index(disks, i);
        int r = mv_snapshot_def_find_disk(req, disk->target_dev);
        MvSnapshotDiskDef *want = r >= 0 ? req->disks[r] : NULL;
        MvSnapshotDiskDef *d = g_new0(MvSnapshotDiskDef, 1);

        d->name = g_strdup(disk->target_dev);
        snap->disks = g_renew(MvSnapshotDiskDef *, snap->disks, snap->ndisks + 1);
        snap->disks[snap->ndisks++] = d;
        if (want && want->snapshot == MV_SNAPSHOT_LOCATION_NO) {
            d->snapshot = MV_SNAPSHOT_LOCATION_NO;
            continue;
        }
        d->snapshot = MV_SNAPSHOT_LOCATION_EXTERNAL;
        d->driver_type = g_strdup("qcow2");
        d->source = want && want->source ? g_strdup(want->source)
                                         : default_overlay(disk->source, snap->name);
        if (!g_path_is_absolute(d->source) || g_str_equal(d->source, disk->source))
            return mv_error_set(error, FROM, MV_ERR_INVALID_ARG,
                                "disk '%s': the overlay '%s' must be an absolute path other "
                                "than the disk's own file", d->name, d->source);
        for (guint j = 0; j < chosen->len; j++)
            if (g_str_equal(((MvSnapshotDiskDef *)g_ptr_array_index(chosen, j))->source,
                            d->source))
                return mv_error_set(error, FROM, MV_ERR_INVALID_ARG,
                                    "two disks would share the overlay '%s'", d->source);
        g_ptr_array_add(chosen, d);
    }
    if (chosen->len == 0)
        return mv_error_set(error, FROM, MV_ERR_INVALID_ARG,
                            "the snapshot excludes every disk: nothing to do");
    snap->memory = MV_SNAPSHOT_LOCATION_NO;
    snap->state = g_strdup(c->active ? "disk-snapshot" : "shutoff");
    for (guint i = 0; i < chosen->len; i++) {
        MvSnapshotDiskDef *d = g_ptr_array_index(chosen, i);
        MvDomainDiskDef *disk = c->now->disks[mv_domain_def_find_disk(c->now, d->name)];

        if (!mv_qemu_snapshot_overlay_create(disk->source, mv_qemu_snapshot_disk_format(disk),
                                             d->source, reuse, error))
            goto out;
        if (!reuse)
            g_ptr_array_add(created, d->source);
    }
    if (c->active) {
        g_autoptr(GPtrArray) live = g_ptr_array_new();
        for (guint i = 0; i < chosen->len; i++) {
            MvSnapshotDiskDef *d = g_ptr_array_index(chosen, i);
            g_ptr_array_add(live, c->now->disks[mv_domain_def_find_disk(c->now, d->name)]);
        }
        if (!(tops = mv_qemu_snapshot_top_nodes(c->mon, live, error)))
            goto out;
        for (guint i = 0; i < chosen->len; i++) {
            char *node = NULL;
            if (!mv_qemu_snapshot_overlay_add(
                    c->mon, ((MvSnapshotDiskDef *)g_ptr_array_index(chosen, i))->source, &node,
                    error))
                goto out;
            g_ptr_array_add(nodes, node);
        }
        if (!mv_qemu_snapshot_overlays_switch(c->mon, tops, nodes, error))
            goto out;
        g_ptr_array_set_size(nodes, 0);     /* in use now */
    }
    ok = commit_overlays(c, snap, error);
    if (!ok)
        g_ptr_array_set_size(created, 0);   /* QEMU writes to them: keep them */
out:
    for (guint i = 0; c->mon && i < nodes->len; i++)
        mv_qemu_monitor_blockdev_del(c->mon, g_ptr_array_index(nodes, i), NULL);
    for (guint i = 0; !ok && i < created->len; i++)
        unlink(g_ptr_array_index(created, i));
    return ok;
}

/* ---- create ---- */

static bool
check_create_flags(unsigned int flags, GError **error)
{
    const unsigned int all = 0x3ff;

    if (!mv_qemu_dispatch_check_flags(flags, all, "virDomainSnapshotCreateXML", error))
        return false;
    if (flags & MV_SNAPSHOT_CREATE_QUIESCE)
        return mv_error_set(error, FROM, MV_ERR_OPERATION_UNSUPPORTED,
                            "--quiesce needs the guest agent, which snapshots do not use yet");
    if (flags & MV_SNAPSHOT_CREATE_LIVE)
        return mv_error_set(error, FROM, MV_ERR_OPERATION_UNSUPPORTED,
                            "--live snapshots (memory saved while the guest runs) are not "
                            "supported: the guest pauses briefly during a snapshot");
    if ((flags & MV_SNAPSHOT_CREATE_CURRENT) && !(flags & MV_SNAPSHOT_CREATE_REDEFINE))
        return mv_error_set(error, FROM, MV_ERR_INVALID_ARG,
                            "--current is only valid with --redefine");
    if ((flags & MV_SNAPSHOT_CREATE_REDEFINE) &&
        (flags & (MV_SNAPSHOT_CREATE_HALT | MV_SNAPSHOT_CREATE_DISK_ONLY |
                  MV_SNAPSHOT_CREATE_REUSE_EXT | MV_SNAPSHOT_CREATE_NO_METADATA)))
        return mv_error_set(error, FROM, MV_ERR_INVALID_ARG,
                            "--redefine only replaces metadata: --halt, --disk-only, "
                            "--reuse-external and --no-metadata do not apply");
    return true;
}

/* --redefine: metadata only (snapshot-edit, or metadata given back after
 * snapshot-delete --metadata). */
static MvSnapshotDef *
redefine(MvQemuSnapCtx *c, MvQemuSnapshots *s, MvSnapshotDef *req, unsigned int flags,
         GError **error)
{
    MvSnapshotDef *old;
    g_autoptr(MvSnapshotDef) def = req;
    const char *name;

    if (!def->name || !def->state || !def->dom) {
        mv_error_set(error, FROM, MV_ERR_INVALID_ARG,
                     "a redefined snapshot needs its <name>, <state> and <domain> (as "
                     "snapshot-dumpxml --security-info writes them)");
        return NULL;
    }
    if (memcmp(def->dom->uuid, c->dom->uuid, 16) != 0) {
        mv_error_set(error, FROM, MV_ERR_INVALID_ARG,
                     "the snapshot's <domain> is not domain '%s' (another UUID)", c->dom->name);
        return NULL;
    }
    if (def->parent && (g_str_equal(def->parent, def->name) ||
                        !mv_qemu_snapshots_find(s, def->parent))) {
        mv_error_set(error, FROM, MV_ERR_INVALID_ARG, "parent snapshot '%s' does not exist",
                     def->parent);
        return NULL;
    }
    for (const char *p = def->parent; p;) {
        MvSnapshotDef *anc = mv_qemu_snapshots_find(s, p);
        if (anc && anc->parent && g_str_equal(anc->parent, def->name)) {
            mv_error_set(error, FROM, MV_ERR_INVALID_ARG,
                         "parent '%s' would make snapshot '%s' its own ancestor", def->parent,
                         def->name);
            return NULL;
        }
        p = anc ? anc->parent : NULL;
    }
    if ((old = mv_qemu_snapshots_find(s, def->name)) && !def->creation_time)
        def->creation_time = old->creation_time;
    if (!def->creation_time)
        def->creation_time = g_get_real_time() / G_USEC_PER_SEC;
    def->active = -1;
    name = def->name;
    if (!mv_qemu_snapshots_put(s, g_steal_pointer(&def), error))
        return NULL;
    if ((flags & MV_SNAPSHOT_CREATE_CURRENT) && !mv_qemu_snapshots_set_current(s, name, error))
        return NULL;
    return mv_qemu_snapshots_find(s, name);
}

static bool
is_external_request(const MvSnapshotDef *req, unsigned int flags)
{
    return (flags & MV_SNAPSHOT_CREATE_DISK_ONLY) || mv_qemu_snapshot_is_external(req);
}

static MvSnapshotDef *
create(MvQemuSnapCtx *c, MvQemuSnapshots *s, MvSnapshotDef *req, unsigned int flags,
       GError **error)
{
    g_autoptr(MvSnapshotDef) snap = g_new0(MvSnapshotDef, 1);
    const char *name;
    bool ok;

    snap->creation_time = g_get_real_time() / G_USEC_PER_SEC;
    snap->name = req->name ? g_strdup(req->name)
                           : g_strdup_printf("%" G_GUINT64_FORMAT, snap->creation_time);
    snap->description = g_strdup(req->description);
    snap->parent = g_strdup(s->current);
    snap->active = -1;
    snap->dom = mv_domain_def_copy(c->now);
    if (mv_qemu_snapshots_find(s, snap->name)) {
        mv_error_set(error, FROM, MV_ERR_OPERATION_INVALID,
                     "domain snapshot '%s' already exists (delete it first, or choose another "
                     "name)", snap->name);
        return NULL;
    }
    if (req->state || req->dom || req->parent || req->creation_time) {
        mv_error_set(error, FROM, MV_ERR_INVALID_ARG,
                     "<state>, <parent>, <creationTime> and <domain> are only valid with "
                     "--redefine");
        return NULL;
    }
    if (!(flags & MV_SNAPSHOT_CREATE_NO_METADATA) && !mv_file_mkdir_p(s->dir, 0700, error))
        return NULL;
    if (is_external_request(req, flags))
        ok = create_external(c, req, snap, flags, error);
    else
        ok = create_internal(c, req, snap, error);
    if (!ok) {
        g_prefix_error(error, "cannot create snapshot '%s' of domain '%s': ", snap->name,
                       c->dom->name);
        return NULL;
    }
    mv_log_info("domain '%s': snapshot '%s' created (%s)", c->dom->name, snap->name,
                snap->state);
    if ((flags & MV_SNAPSHOT_CREATE_HALT) && c->active &&
        !mv_qemu_process_stop(c->driver, c->dom, false, MV_SHUTOFF_FROM_SNAPSHOT,
                              MV_EVENT_STOPPED_FROM_SNAPSHOT, error))
        return NULL;
    if (flags & MV_SNAPSHOT_CREATE_NO_METADATA)
        return g_steal_pointer(&snap);
    name = snap->name;
    if (!mv_qemu_snapshots_put(s, g_steal_pointer(&snap), error) ||
        !mv_qemu_snapshots_set_current(s, name, error))
        return NULL;
    return mv_qemu_snapshots_find(s, name);
}

bool
mv_qemu_handle_domain_snapshot_create_xml(MvDriverCall *call, const MvObjectRef *dom_ref,
                                          const char *xml_desc, unsigned int flags,
                                          MvObjectRef *ret_snap, GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autoptr(MvSnapshotDef) req = NULL;
    g_autoptr(MvQemuSnapshots) s = NULL;
    g_autoptr(MvSnapshotDef) unsaved = NULL;
    MvSnapshotDef *snap = NULL;
    MvQemuSnapCtx c = { 0 };

    if (!check_create_flags(flags, error) ||
        !(req = mv_snapshot_def_parse_string(xml_desc, error)) ||
        !(dom = mv_qemu_dispatch_get_domain(call, dom_ref, error)) ||
        !mv_qemu_dispatch_begin_job(dom, "virDomainSnapshotCreateXML", error))
        return false;
    mv_qemu_snap_ctx_init(&c, driver, dom);
    if ((s = mv_qemu_snapshots_load(driver, dom->name, dom->uuid, error))) {
        if (flags & MV_SNAPSHOT_CREATE_REDEFINE)
            snap = redefine(&c, s, g_steal_pointer(&req), flags, error);
        else if ((snap = create(&c, s, req, flags, error)) &&
                 (flags & MV_SNAPSHOT_CREATE_NO_METADATA))
            unsaved = snap;
    }
    if (snap)
        mv_qemu_snapshot_fill_ref(ret_snap, dom, snap->name);
    mv_qemu_snap_ctx_clear(&c);
    mv_qemu_process_end_job(driver, dom);
    return snap != NULL;
}
