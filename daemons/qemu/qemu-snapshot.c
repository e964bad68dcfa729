/* Snapshot create, revert and delete (qemu-snapshot.h). Each holds the
 * domain's job; the metadata is written only after QEMU or qemu-img did their
 * part, so a failure leaves the old metadata. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-snapshot.h"

#include <string.h>
#include <unistd.h>

#include "qemu-dispatch.h"
#include "qemu-persist.h"
#include "qemu-process.h"
#include "qemu-snapshot-disk.h"
#include "util/file.h"
#include "util/log.h"

#define FROM MV_FROM_DOMAIN_SNAPSHOT

/* libvirt's FROM_SNAPSHOT state reasons and event details */
#define RUNNING_FROM_SNAPSHOT   4
#define PAUSED_FROM_SNAPSHOT    7
#define SHUTOFF_FROM_SNAPSHOT   7
#define EVENT_STARTED_FROM_SNAPSHOT   3
#define EVENT_SUSPENDED_FROM_SNAPSHOT 5
#define EVENT_RESUMED_FROM_SNAPSHOT   2
#define EVENT_STOPPED_FROM_SNAPSHOT   6

#define REVERT_RUNNING     (1u << 0)
#define REVERT_PAUSED      (1u << 1)
#define REVERT_FORCE       (1u << 2)
#define DELETE_CHILDREN      (1u << 0)
#define DELETE_METADATA_ONLY (1u << 1)
#define DELETE_CHILDREN_ONLY (1u << 2)

void
mv_qemu_snapshot_fill_ref(MvObjectRef *ret, MvQemuDomain *dom, const char *name)
{
    mv_qemu_dispatch_fill_dom(ret, dom);
    ret->key = g_strdup(name);
}

/* What a snapshot operation knows about its domain (job held). */
typedef struct {
    MvQemuDriver *driver;
    MvQemuDomain *dom;
    bool active;
    bool running;               /* active and not paused */
    MvQemuMonitor *mon;
    MvDomainDef *now;           /* live definition, or the config when shut off */
} SnapCtx;

static void
ctx_init(SnapCtx *c, MvQemuDriver *driver, MvQemuDomain *dom)
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

static void
ctx_clear(SnapCtx *c)
{
    mv_domain_def_free(c->now);
}

static void
set_state(SnapCtx *c, MvDomainState state, int reason)
{
    g_mutex_lock(&c->dom->lock);
    mv_qemu_domain_set_state(c->dom, state, reason);
    mv_qemu_persist_update_status(c->driver, c->dom);
    g_mutex_unlock(&c->dom->lock);
}

/* ---- create: internal ---- */

static bool
create_internal(SnapCtx *c, MvSnapshotDef *req, MvSnapshotDef *snap, GError **error)
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
        set_state(c, MV_DOMAIN_PAUSED, MV_DOMAIN_PAUSED_USER);
    }
    ok = mv_qemu_snapshot_job(c->mon, "snapshot-save", snap->name, nodes, error);
    if (c->running) {
        g_autoptr(GError) err = NULL;
        if (mv_qemu_monitor_cont(c->mon, &err))
            set_state(c, MV_DOMAIN_RUNNING, MV_DOMAIN_RUNNING_UNPAUSED);
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
commit_overlays(SnapCtx *c, MvSnapshotDef *snap, GError **error)
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
create_external(SnapCtx *c, MvSnapshotDef *req, MvSnapshotDef *snap, unsigned int flags,
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
redefine(SnapCtx *c, MvQemuSnapshots *s, MvSnapshotDef *req, unsigned int flags, GError **error)
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
create(SnapCtx *c, MvQemuSnapshots *s, MvSnapshotDef *req, unsigned int flags, GError **error)
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
        !mv_qemu_process_stop(c->driver, c->dom, false, SHUTOFF_FROM_SNAPSHOT,
                              EVENT_STOPPED_FROM_SNAPSHOT, error))
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
    SnapCtx c = { 0 };

    if (!check_create_flags(flags, error) ||
        !(req = mv_snapshot_def_parse_string(xml_desc, error)) ||
        !(dom = mv_qemu_dispatch_get_domain(call, dom_ref, error)) ||
        !mv_qemu_dispatch_begin_job(dom, "virDomainSnapshotCreateXML", error))
        return false;
    ctx_init(&c, driver, dom);
    if ((s = mv_qemu_snapshots_load(driver, dom->name, dom->uuid, error))) {
        if (flags & MV_SNAPSHOT_CREATE_REDEFINE)
            snap = redefine(&c, s, g_steal_pointer(&req), flags, error);
        else if ((snap = create(&c, s, req, flags, error)) &&
                 (flags & MV_SNAPSHOT_CREATE_NO_METADATA))
            unsaved = snap;
    }
    if (snap)
        mv_qemu_snapshot_fill_ref(ret_snap, dom, snap->name);
    ctx_clear(&c);
    mv_qemu_process_end_job(driver, dom);
    return snap != NULL;
}

/* ---- revert ---- */

/* The snapshot's definition becomes the domain's (its disks hold the snapshot). */
static bool
revert_definition(SnapCtx *c, const MvSnapshotDef *snap, GError **error)
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
revert_live(SnapCtx *c, const MvSnapshotDef *snap, unsigned int flags, GError **error)
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
    set_state(c, MV_DOMAIN_PAUSED, PAUSED_FROM_SNAPSHOT);
    if (!(disks = mv_qemu_snapshot_disks(live, true, error)) ||
        !(nodes = mv_qemu_snapshot_top_nodes(c->mon, disks, error)) ||
        !mv_qemu_snapshot_job(c->mon, "snapshot-load", snap->name, nodes, error)) {
        if (started) {
            mv_qemu_process_stop(c->driver, c->dom, false, MV_DOMAIN_SHUTOFF_FAILED,
                                 MV_EVENT_STOPPED_FAILED, NULL);
        } else if (c->running && mv_qemu_monitor_cont(c->mon, NULL)) {
            set_state(c, MV_DOMAIN_RUNNING, MV_DOMAIN_RUNNING_UNPAUSED);   /* as it was */
        }
        return false;
    }
    if (started)
        mv_qemu_process_emit(c->driver, c->dom, MV_EVENT_STARTED, EVENT_STARTED_FROM_SNAPSHOT);
    if (paused) {
        mv_qemu_process_emit(c->driver, c->dom, MV_EVENT_SUSPENDED,
                             EVENT_SUSPENDED_FROM_SNAPSHOT);
        return true;
    }
    if (!mv_qemu_monitor_cont(c->mon, error))
        return false;
    set_state(c, MV_DOMAIN_RUNNING, RUNNING_FROM_SNAPSHOT);
    mv_qemu_process_emit(c->driver, c->dom, MV_EVENT_RESUMED, EVENT_RESUMED_FROM_SNAPSHOT);
    return true;
}

/* A shut-off snapshot: the guest stops, the disks go back, and with --running or
 * --paused the guest boots from them. */
static bool
revert_offline(SnapCtx *c, const MvSnapshotDef *snap, unsigned int flags, GError **error)
{
    g_autoptr(GPtrArray) disks = NULL;

    if (c->active &&
        !mv_qemu_process_stop(c->driver, c->dom, false, SHUTOFF_FROM_SNAPSHOT,
                              EVENT_STOPPED_FROM_SNAPSHOT, error))
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
    mv_qemu_process_emit(c->driver, c->dom, MV_EVENT_STARTED, EVENT_STARTED_FROM_SNAPSHOT);
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
    SnapCtx c = { 0 };
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
    ctx_init(&c, driver, dom);
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
    ctx_clear(&c);
    mv_qemu_process_end_job(driver, dom);
    return ok;
}

/* ---- delete ---- */

/* Removes the internal snapshot @snap from the disk images. */
static bool
delete_data(SnapCtx *c, const MvSnapshotDef *snap, GError **error)
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
delete_snapshots(SnapCtx *c, MvQemuSnapshots *s, MvSnapshotDef *snap, unsigned int flags,
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
    SnapCtx c = { 0 };
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
    ctx_init(&c, driver, dom);
    if ((s = mv_qemu_snapshots_load(driver, dom->name, dom->uuid, error)) &&
        (snap = mv_qemu_snapshots_get(s, dom->name, snap_ref->key, error))) {
        ok = delete_snapshots(&c, s, snap, flags, error);
        if (!ok)
            g_prefix_error(error, "cannot delete snapshot '%s' of domain '%s': ",
                           snap_ref->key, dom->name);
    }
    ctx_clear(&c);
    mv_qemu_process_end_job(driver, dom);
    return ok;
}
