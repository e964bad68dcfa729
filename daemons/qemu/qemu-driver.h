/* The QEMU driver's process-wide state and its entry points for the shared
 * daemon main. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "daemon/daemon.h"
#include "remote-dispatch.h"
#include "qemu-probe.h"

G_BEGIN_DECLS

typedef struct {
    const MvQemuProbe *probe;   /* NULL when the emulator could not be probed */
    char *probe_error;          /* why not, for the calls that need it */
    char *capabilities_xml;     /* the capabilities document, built once */
} MvQemuDriver;

/* The descriptor modvirt-qemud runs. */
extern const MvDaemonDescriptor mv_qemu_daemon;

/**
 * mv_qemu_driver_start:
 * Probes the emulator (through the disk cache under <lib>/qemu) and builds the
 * capabilities document. A missing or broken emulator is not fatal: the
 * daemon serves and the calls that need QEMU report why.
 */
bool mv_qemu_driver_start(MvDaemon *daemon, GError **error);

/** mv_qemu_driver_stop: frees the driver state. */
void mv_qemu_driver_stop(MvDaemon *daemon);

/** mv_qemu_driver_get: the driver state of the daemon serving @call. */
MvQemuDriver *mv_qemu_driver_get(MvServerCall *call);

/* The REMOTE handlers of the QEMU driver, indexed by procedure number. */
extern const MvDispatchFunc mv_qemu_handlers[MV_REMOTE_PROC_LAST];

G_END_DECLS
