/* QEMU processes the daemon does not manage (any more): the ones a killed
 * daemon left behind in the middle of a start, found through the live status
 * or through QEMU's own pidfiles under <run>/qemu. They are killed, and their
 * pidfiles and monitor sockets removed, so that after a restart no QEMU runs
 * that the daemon does not know about. */
#pragma once

#include "qemu-driver.h"

G_BEGIN_DECLS

/**
 * mv_qemu_stray_kill:
 * SIGKILLs process @pid if it still is the one that started at @start_time
 * (0: it runs the QEMU whose pidfile is @pidfile; either must be given) and
 * waits until it has exited (then its disk locks are gone). Returns true when
 * no such process runs any more.
 */
bool mv_qemu_stray_kill(pid_t pid, guint64 start_time, const char *pidfile);

/**
 * mv_qemu_stray_sweep:
 * After the live status files were recovered: kills every QEMU whose pidfile
 * in <run>/qemu belongs neither to a running domain nor to a monitor path in
 * @kept (status files recovery left in place), and removes such pidfiles and
 * monitor sockets.
 */
void mv_qemu_stray_sweep(MvQemuDriver *driver, GHashTable *kept);

G_END_DECLS
