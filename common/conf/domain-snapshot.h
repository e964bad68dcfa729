/* Domain snapshot definitions (<domainsnapshot>, schemas/domainsnapshot.rng):
 * what a client asks for at snapshot-create and what qemud keeps as metadata
 * (the domain as it was, the parent, the state, whether it is current). */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "conf/domain-conf.h"
#include "util/error.h"

G_BEGIN_DECLS

typedef enum {
    MV_SNAPSHOT_LOCATION_DEFAULT = 0,   /* not said: internal unless disk-only */
    MV_SNAPSHOT_LOCATION_NO,
    MV_SNAPSHOT_LOCATION_INTERNAL,
    MV_SNAPSHOT_LOCATION_EXTERNAL,
} MvSnapshotLocation;

typedef struct {
    char *name;                 /* the disk's target (vda) */
    MvSnapshotLocation snapshot;
    char *source;               /* external: the overlay's file */
    char *driver_type;          /* external: "qcow2" (the only one offered) */
} MvSnapshotDiskDef;

typedef struct {
    char *name;
    char *description;
    char *state;                /* running, paused, shutoff, disk-snapshot; NULL in a request */
    guint64 creation_time;      /* seconds since the epoch; 0 in a request */
    char *parent;               /* the parent snapshot's name, NULL for a root */
    MvSnapshotLocation memory;  /* <memory snapshot=> */
    char *memory_file;          /* <memory file=> (external memory: refused by qemud) */
    MvSnapshotDiskDef **disks;
    size_t ndisks;
    bool has_disks;             /* a <disks> element was given (even empty) */
    int active;                 /* <active>: -1 absent, 0, 1 (kept metadata only) */
    MvDomainDef *dom;           /* the domain at the snapshot; NULL in a request */
} MvSnapshotDef;

/* mv_snapshot_def_format flags */
enum {
    MV_SNAPSHOT_FORMAT_SECURE = 1 << 0,     /* passwords of the embedded domain */
    MV_SNAPSHOT_FORMAT_ACTIVE = 1 << 1,     /* write <active> (qemud's own metadata) */
};

/**
 * mv_snapshot_def_parse_string:
 * Parses and validates @xml (schemas/domainsnapshot.rng, then the rules the
 * schema cannot say: children that appear at most once, disks named once, a
 * source only on an external disk). Errors name the element
 * (MV_FROM_DOMAIN_SNAPSHOT, MV_ERR_XML_ERROR).
 */
MvSnapshotDef *mv_snapshot_def_parse_string(const char *xml, GError **error);

/** mv_snapshot_def_format: the canonical XML (parse(format(x)) formats the same). */
char *mv_snapshot_def_format(const MvSnapshotDef *def, unsigned int flags);

/** mv_snapshot_location_to_string: "no", "internal", "external" (NULL for DEFAULT). */
const char *mv_snapshot_location_to_string(MvSnapshotLocation loc);

/** mv_snapshot_def_find_disk: the index of the disk named @name, or -1. */
int mv_snapshot_def_find_disk(const MvSnapshotDef *def, const char *name);

void mv_snapshot_disk_def_free(MvSnapshotDiskDef *disk);
void mv_snapshot_def_free(MvSnapshotDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvSnapshotDef, mv_snapshot_def_free)

G_END_DECLS
