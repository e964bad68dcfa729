/* What survives the daemon: definitions in <etc>/qemu/NAME.xml, autostart
 * links in <etc>/qemu/autostart/, and the live status of each running guest
 * in <run>/qemu/NAME.xml (pid, start time, id, monitor, live XML). The files
 * are the driver frame's store (common/driver/store.h: atomic writes, the
 * reconcile pass); this file says what goes into them. */
#pragma once

#include "qemu-driver.h"

G_BEGIN_DECLS

/** mv_qemu_persist_save_def: writes @def as <etc>/qemu/<name>.xml. */
bool mv_qemu_persist_save_def(MvQemuDriver *driver, const MvDomainDef *def, GError **error);

/**
 * mv_qemu_persist_replace_def:
 * Writes *@def as @dom's definition (lock held) and makes it the one in force:
 * the next start's definition of a running domain, its definition otherwise.
 * On success *@def is taken (set to NULL); on failure nothing changes.
 */
bool mv_qemu_persist_replace_def(MvQemuDriver *driver, MvQemuDomain *dom, MvDomainDef **def,
                                 GError **error);

/**
 * mv_qemu_persist_install_def:
 * The same with the lock not held: writes *@def first (without the lock, so
 * queries are not held up by the write), then takes the lock to put it in force.
 * For callers under the domain's job (nobody else changes the definition).
 */
bool mv_qemu_persist_install_def(MvQemuDriver *driver, MvQemuDomain *dom, MvDomainDef **def,
                                 GError **error);

/**
 * mv_qemu_persist_config_copy:
 * A copy of the definition a --config change edits (the next start's of a
 * running domain), lock not held; NULL with OPERATION_INVALID for a transient
 * domain. Save it with mv_qemu_persist_install_def().
 */
MvDomainDef *mv_qemu_persist_config_copy(MvQemuDomain *dom, GError **error);

/** mv_qemu_persist_delete_def: removes the definition and its autostart link. */
bool mv_qemu_persist_delete_def(MvQemuDriver *driver, const char *name, GError **error);

/** mv_qemu_persist_set_autostart: creates or removes the autostart link. */
bool mv_qemu_persist_set_autostart(MvQemuDriver *driver, const char *name, bool autostart,
                                   GError **error);

/**
 * mv_qemu_persist_save_status:
 * Writes the live status of @dom (lock held, running) and clears its
 * status_dirty flag.
 */
bool mv_qemu_persist_save_status(MvQemuDriver *driver, MvQemuDomain *dom, GError **error);

/**
 * mv_qemu_persist_save_starting:
 * Records that a start of @live is under way (phase='starting'): written
 * before QEMU is spawned (@pid 0) and again once its pid is known, before it
 * may exec. A restarted daemon undoes such a start (see docs/qemud.md).
 */
bool mv_qemu_persist_save_starting(MvQemuDriver *driver, const MvDomainDef *live, bool persistent,
                                   const char *monitor_path, pid_t pid, guint64 start_time,
                                   GError **error);

/**
 * mv_qemu_persist_update_status:
 * Records a live change of @dom that already took effect (lock held,
 * running). The status file is best effort here: when it cannot be written
 * (a full disk), the change stays live, @dom is marked status_dirty and the
 * write is retried every second on the driver context until it succeeds,
 * the next status write succeeds, or the guest stops.
 */
void mv_qemu_persist_update_status(MvQemuDriver *driver, MvQemuDomain *dom);

/** mv_qemu_persist_cancel_status_retry: stops retrying (lock not held). */
void mv_qemu_persist_cancel_status_retry(MvQemuDomain *dom);

/** mv_qemu_persist_delete_status: removes <run>/qemu/<name>.xml (no error when missing). */
void mv_qemu_persist_delete_status(MvQemuDriver *driver, const char *name);

/* A status file read back at start-up. */
typedef struct {
    char *path;
    bool starting;          /* the daemon died before the start finished */
    pid_t pid;
    guint64 start_time;
    int id;
    int state;
    int reason;
    bool persistent;
    char *monitor_path;
    MvDomainDef *live;
} MvQemuStatus;

void mv_qemu_status_free(MvQemuStatus *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvQemuStatus, mv_qemu_status_free)

/* Handles a status file read back at start (reconnect or clean up). */
typedef void (*MvQemuRecoverFunc)(MvQemuDriver *driver, MvQemuStatus *status, gpointer data);

/**
 * mv_qemu_persist_reconcile:
 * The start-up pass: adds every definition under <etc>/qemu to the domain
 * list (with its autostart flag; one that does not parse is logged and
 * skipped, never deleted), then hands every status file under <run>/qemu to
 * @recover (one that does not parse is logged and removed).
 */
void mv_qemu_persist_reconcile(MvQemuDriver *driver, MvQemuRecoverFunc recover, gpointer data);

G_END_DECLS
