/* What survives the daemon: definitions in <etc>/qemu/NAME.xml, autostart
 * links in <etc>/qemu/autostart/, and the live status of each running guest
 * in <run>/qemu/NAME.xml (pid, start time, id, monitor, live XML). Every file
 * is written atomically, so a SIGKILL at any moment leaves the old or the new
 * version, never half of one. */
#pragma once

#include "qemu-driver.h"

G_BEGIN_DECLS

/** mv_qemu_persist_save_def: writes @def as <etc>/qemu/<name>.xml. */
bool mv_qemu_persist_save_def(MvQemuDriver *driver, const MvDomainDef *def, GError **error);

/** mv_qemu_persist_delete_def: removes the definition and its autostart link. */
bool mv_qemu_persist_delete_def(MvQemuDriver *driver, const char *name, GError **error);

/** mv_qemu_persist_set_autostart: creates or removes the autostart link. */
bool mv_qemu_persist_set_autostart(MvQemuDriver *driver, const char *name, bool autostart,
                                   GError **error);

/** mv_qemu_persist_save_status: writes the live status of @dom (lock held, running). */
bool mv_qemu_persist_save_status(MvQemuDriver *driver, MvQemuDomain *dom, GError **error);

/** mv_qemu_persist_delete_status: removes <run>/qemu/<name>.xml (no error when missing). */
void mv_qemu_persist_delete_status(MvQemuDriver *driver, const char *name);

/* A status file read back at start-up. */
typedef struct {
    char *path;
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

/**
 * mv_qemu_persist_load_defs:
 * Adds every definition under <etc>/qemu to the domain list (with its
 * autostart flag). A definition that does not parse is logged and skipped,
 * never deleted.
 */
void mv_qemu_persist_load_defs(MvQemuDriver *driver);

/**
 * mv_qemu_persist_load_status:
 * Every status file under <run>/qemu (MvQemuStatus*; free the array). A file
 * that does not parse is logged and removed.
 */
GPtrArray *mv_qemu_persist_load_status(MvQemuDriver *driver);

G_END_DECLS
