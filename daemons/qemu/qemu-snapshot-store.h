/* The snapshot metadata of a domain: one <domainsnapshot> file per snapshot
 * under <lib>/qemu/snapshot/<domain>/, written atomically (a crash leaves the
 * old or the new file, never a torn one), plus the file "current" holding the
 * current snapshot's name. Nothing is cached: every call reads the directory,
 * so a restarted daemon sees exactly what was acknowledged. Writers hold the
 * domain's job. */
#pragma once

#include "conf/domain-snapshot.h"
#include "qemu-driver.h"

G_BEGIN_DECLS

typedef struct {
    char *dir;
    GPtrArray *snaps;           /* MvSnapshotDef *, creation order */
    char *current;              /* NULL: no current snapshot */
} MvQemuSnapshots;

/** mv_qemu_snapshots_dir: <lib>/qemu/snapshot/@domname. */
char *mv_qemu_snapshots_dir(MvQemuDriver *driver, const char *domname);

/**
 * mv_qemu_snapshots_load:
 * The snapshots of @domname (an empty set when none). Snapshots of another
 * domain that had the name (another @uuid: a transient domain gone since) are
 * not part of the set.
 */
MvQemuSnapshots *mv_qemu_snapshots_load(MvQemuDriver *driver, const char *domname,
                                        const guint8 *uuid, GError **error);
void mv_qemu_snapshots_free(MvQemuSnapshots *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvQemuSnapshots, mv_qemu_snapshots_free)

/** mv_qemu_snapshots_find: the snapshot called @name (borrowed) or NULL. */
MvSnapshotDef *mv_qemu_snapshots_find(MvQemuSnapshots *s, const char *name);

/** mv_qemu_snapshots_get: as find, or NULL with MV_ERR_NO_DOMAIN_SNAPSHOT. */
MvSnapshotDef *mv_qemu_snapshots_get(MvQemuSnapshots *s, const char *domname,
                                     const char *name, GError **error);

/** mv_qemu_snapshots_put: writes @def's file and takes @def into the set. */
bool mv_qemu_snapshots_put(MvQemuSnapshots *s, MvSnapshotDef *def, GError **error);

/** mv_qemu_snapshots_remove: removes @name's file and drops it from the set. */
bool mv_qemu_snapshots_remove(MvQemuSnapshots *s, const char *name, GError **error);

/** mv_qemu_snapshots_set_current: records @name (NULL: none) as current. */
bool mv_qemu_snapshots_set_current(MvQemuSnapshots *s, const char *name, GError **error);

/**
 * mv_qemu_snapshots_children:
 * The children of @name (NULL: the roots), with @descendants all of their
 * descendants too, parents before children. Borrowed pointers.
 */
GPtrArray *mv_qemu_snapshots_children(MvQemuSnapshots *s, const char *name, bool descendants);

/** mv_qemu_snapshots_is_external: disks or memory outside the disk images. */
bool mv_qemu_snapshot_is_external(const MvSnapshotDef *def);

/** mv_qemu_snapshots_count: how many snapshots @domname (@uuid) has (0 when unreadable). */
guint mv_qemu_snapshots_count(MvQemuDriver *driver, const char *domname, const guint8 *uuid);

/** mv_qemu_snapshots_exist: whether @domname has snapshot metadata (no parsing). */
bool mv_qemu_snapshots_exist(MvQemuDriver *driver, const char *domname);

/** mv_qemu_snapshots_purge: removes all snapshot metadata of @domname. */
bool mv_qemu_snapshots_purge(MvQemuDriver *driver, const char *domname, GError **error);

G_END_DECLS
