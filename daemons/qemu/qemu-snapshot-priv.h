/* What qemu-snapshot.c (create) and qemu-snapshot-revert.c (revert, delete)
 * share: the context of one operation, libvirt's FROM_SNAPSHOT numbers. */
#pragma once

#include "qemu-snapshot.h"

G_BEGIN_DECLS

#define MV_SNAPSHOT_FROM MV_FROM_DOMAIN_SNAPSHOT

/* libvirt's FROM_SNAPSHOT state reasons and event details */
#define MV_RUNNING_FROM_SNAPSHOT         4
#define MV_PAUSED_FROM_SNAPSHOT          7
#define MV_SHUTOFF_FROM_SNAPSHOT         7
#define MV_EVENT_STARTED_FROM_SNAPSHOT   3
#define MV_EVENT_SUSPENDED_FROM_SNAPSHOT 5
#define MV_EVENT_RESUMED_FROM_SNAPSHOT   2
#define MV_EVENT_STOPPED_FROM_SNAPSHOT   6

/* What a snapshot operation knows about its domain (job held). */
typedef struct {
    MvQemuDriver *driver;
    MvQemuDomain *dom;
    bool active;
    bool running;               /* active and not paused */
    MvQemuMonitor *mon;
    MvDomainDef *now;           /* live definition, or the config when shut off */
} MvQemuSnapCtx;

/** mv_qemu_snap_ctx_init: fills @c from @dom (job held, lock not held). */
void mv_qemu_snap_ctx_init(MvQemuSnapCtx *c, MvQemuDriver *driver, MvQemuDomain *dom);
void mv_qemu_snap_ctx_clear(MvQemuSnapCtx *c);

/** mv_qemu_snap_set_state: publishes a state and reason and writes the status. */
void mv_qemu_snap_set_state(MvQemuSnapCtx *c, MvDomainState state, int reason);

G_END_DECLS
