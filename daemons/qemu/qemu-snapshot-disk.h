/* What a snapshot does to disks and to QEMU (qemu-snapshot.c decides when):
 * internal snapshots with `qemu-img snapshot` (guest shut off) or QMP
 * snapshot-save/-load/-delete jobs (guest running), external overlays with
 * `qemu-img create -b` and, live, blockdev-add + blockdev-snapshot. */
#pragma once

#include "conf/domain-conf.h"
#include "qemu-monitor.h"

G_BEGIN_DECLS

/**
 * mv_qemu_snapshot_disks:
 * The disks of @def a snapshot covers: writable disks (not CD-ROMs, floppies or
 * read-only disks) with a source file. With @need_qcow2 each must be qcow2
 * (internal snapshots live inside the image); volume disks of shut-off guests
 * are refused (their path is known only while running). Borrowed pointers.
 */
GPtrArray *mv_qemu_snapshot_disks(const MvDomainDef *def, bool need_qcow2, GError **error);

/** mv_qemu_snapshot_disk_format: <driver type>, else the volume's format, else raw. */
const char *mv_qemu_snapshot_disk_format(const MvDomainDiskDef *disk);

/**
 * mv_qemu_snapshot_img:
 * `qemu-img snapshot @op @name FILE` on each of @disks: op "-c" create, "-a"
 * apply, "-d" delete. A failure names the file and quotes qemu-img.
 */
bool mv_qemu_snapshot_img(const char *op, const char *name, GPtrArray *disks, GError **error);

/**
 * mv_qemu_snapshot_top_nodes:
 * The top block node of each disk of @disks (live definition, with aliases), as
 * QEMU's query-block reports it (an overlay once external snapshots exist).
 */
GPtrArray *mv_qemu_snapshot_top_nodes(MvQemuMonitor *mon, GPtrArray *disks, GError **error);

/**
 * mv_qemu_snapshot_job:
 * Runs QMP @cmd ("snapshot-save", "snapshot-load", "snapshot-delete") for the
 * internal snapshot @name on @nodes (the VM state goes to / comes from the
 * first one, except for a delete) and waits for the job to end.
 */
bool mv_qemu_snapshot_job(MvQemuMonitor *mon, const char *cmd, const char *name,
                          GPtrArray *nodes, GError **error);

/**
 * mv_qemu_snapshot_overlay_create:
 * Creates @overlay, a qcow2 image on top of @base (format @base_fmt). Works on
 * an image a running QEMU has open (the size is read with shared locks).
 * Refuses an existing @overlay unless @reuse (then it must exist).
 */
bool mv_qemu_snapshot_overlay_create(const char *base, const char *base_fmt,
                                     const char *overlay, bool reuse, GError **error);

/**
 * mv_qemu_snapshot_overlay_add:
 * Opens @overlay in QEMU as a new qcow2 node without its backing chain (the
 * switch attaches it); its name in *@ret_node.
 */
bool mv_qemu_snapshot_overlay_add(MvQemuMonitor *mon, const char *overlay, char **ret_node,
                                  GError **error);

/**
 * mv_qemu_snapshot_overlays_switch:
 * One QMP transaction of blockdev-snapshot actions: each of @nodes becomes the
 * top of the disk whose top was the same index of @tops. All or none.
 */
bool mv_qemu_snapshot_overlays_switch(MvQemuMonitor *mon, GPtrArray *tops, GPtrArray *nodes,
                                      GError **error);

G_END_DECLS
