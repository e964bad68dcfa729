/* The QEMU process of a domain: start, stop, exit handling, reactions to QMP
 * events and reconnection after a daemon restart. */
#pragma once

#include "qemu-driver.h"
#include "qemu-persist.h"

G_BEGIN_DECLS

/* mv_qemu_process_start flags (libvirt's VIR_DOMAIN_START_* values). */
#define MV_QEMU_START_PAUSED      (1u << 0)
#define MV_QEMU_START_AUTODESTROY (1u << 1)
#define MV_QEMU_START_RESET_NVRAM (1u << 5)

/**
 * mv_qemu_process_start:
 * Starts QEMU for @dom (job held, lock not held): builds the command line
 * from the definition, execs QEMU paused, connects QMP, finds the console
 * pty, resumes unless PAUSED, records the live status and sends the
 * lifecycle events. On failure nothing is left behind: no process, socket
 * or status file. A status file with phase='starting' (and, before QEMU may
 * exec, its pid) is on disk throughout, so a restarted daemon can undo a start
 * it was killed in (docs/qemud.md, "Crash safety").
 */
bool mv_qemu_process_start(MvQemuDriver *driver, MvQemuDomain *dom, unsigned int flags,
                           GError **error);

/* What a restore starts QEMU from (qemu-save.c). */
typedef struct {
    const MvDomainDef *def;     /* the definition saved with the guest */
    int fd;                     /* the migration stream, positioned at its start */
} MvQemuIncoming;

/**
 * mv_qemu_process_start_incoming:
 * mv_qemu_process_start() for a restore: QEMU runs @incoming's definition with
 * -incoming defer, loads the guest's state from @incoming's fd before anything
 * else and the events say STARTED/RESTORED. A stream QEMU refuses fails the start
 * like any other start failure: nothing is left behind.
 */
bool mv_qemu_process_start_incoming(MvQemuDriver *driver, MvQemuDomain *dom,
                                    unsigned int flags, const MvQemuIncoming *incoming,
                                    GError **error);

/**
 * mv_qemu_process_stop:
 * Stops QEMU (job held): SIGTERM, and SIGKILL after a grace period unless
 * @graceful (then a guest that does not exit in time is an error). Records
 * @reason (MV_DOMAIN_SHUTOFF_*) and sends STOPPED with @event_detail.
 */
bool mv_qemu_process_stop(MvQemuDriver *driver, MvQemuDomain *dom, bool graceful, int reason,
                          int event_detail, GError **error);

/**
 * mv_qemu_process_end_job:
 * Releases the job; if the process exited while the job was held, first
 * records the stop (state, status files, events).
 */
void mv_qemu_process_end_job(MvQemuDriver *driver, MvQemuDomain *dom);

/**
 * mv_qemu_process_recover:
 * After a daemon restart: adopts the guest of @status when its QEMU still
 * runs (same pid and start time), reconnects QMP and resumes watching it;
 * otherwise forgets the status (a transient guest disappears).
 */
void mv_qemu_process_recover(MvQemuDriver *driver, MvQemuStatus *status);

/** mv_qemu_process_actions_new: the pool running reactions to QEMU events. */
GThreadPool *mv_qemu_process_actions_new(MvQemuDriver *driver);

/** mv_qemu_process_autostart: starts @dom in the background (autostart). */
void mv_qemu_process_autostart(MvQemuDriver *driver, MvQemuDomain *dom);

/** mv_qemu_process_autodestroy: destroys the guests @conn started with AUTODESTROY. */
void mv_qemu_process_autodestroy(MvQemuDriver *driver, gconstpointer conn);

/** mv_qemu_process_emit: sends a lifecycle event about @dom (lock not held). */
void mv_qemu_process_emit(MvQemuDriver *driver, MvQemuDomain *dom, int event, int detail);

G_END_DECLS
