/* The QEMU driver's process-wide state and its entry points for the shared
 * daemon main. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "daemon/daemon.h"
#include "driver/store.h"
#include "qemu-domain.h"
#include "daemon/domain-events.h"
#include "qemu-probe.h"
#include "daemon/driver-call.h"

G_BEGIN_DECLS

/* How long a modifying call waits for another one on the same domain
 * (default; [qemu] job_wait_ms in qemu.conf). */
#define MV_QEMU_JOB_WAIT_MS 30000

typedef struct {
    MvDaemon *daemon;
    const MvQemuProbe *probe;   /* NULL when the emulator could not be probed */
    char *probe_error;          /* why not, for the calls that need it */
    char *capabilities_xml;     /* the capabilities document, built once */
    bool kvm_available;
    int job_wait_ms;            /* how long a call waits for another call's job */

    MvDriverStore *store;       /* <etc>/qemu definitions (+ autostart/), <run>/qemu status */
    char *state_dir;            /* <run>/qemu: live status, monitor sockets */
    char *log_dir;              /* <log>/qemu: QEMU's stderr and serial logs */
    char *lib_dir;              /* <lib>/qemu: caches, channel sockets */
    char *network_socket;       /* where modvirt-networkd listens (network ports, leases) */
    char *filter_socket;        /* where modvirt-filterd listens (nwfilter bindings) */
    char *storage_socket;       /* where modvirt-storaged listens (volume disks) */
    char **emulators;           /* [qemu] emulators: binaries besides the probed one */
    char **denied_paths;        /* host paths no definition may use (resolved) */

    MvDriverList *domains;
    MvDriverEvents *events;

    GMainContext *ctx;          /* monitor I/O, process exits, consoles */
    GMainLoop *loop;
    GThread *thread;
    GThreadPool *actions;       /* reactions to QEMU events that need a job */
} MvQemuDriver;

/**
 * mv_qemu_driver_start:
 * Probes the emulator (through the disk cache under <lib>/qemu), builds the
 * capabilities document, loads the definitions, reconnects to guests that
 * survived a daemon restart and starts the autostart guests. A missing or
 * broken emulator is not fatal: the daemon serves and the calls that need
 * QEMU report why.
 */
bool mv_qemu_driver_start(MvDaemon *daemon, GError **error);

/** mv_qemu_driver_stop: leaves running guests running and frees the driver state. */
void mv_qemu_driver_stop(MvDaemon *daemon);

/** mv_qemu_driver_conn_closed: drops the connection's event registrations. */
void mv_qemu_driver_conn_closed(MvDaemon *daemon, MvDaemonConn *conn, MvServerClient *client);

/** mv_qemu_driver_get: the driver state of the daemon serving @call. */
MvQemuDriver *mv_qemu_driver_get(MvDriverCall *call);

/**
 * mv_qemu_driver_check_host_access:
 * The emulator and host paths of @def are ones a guest may use
 * (qemu-domain-check.h); false with @error otherwise. At define and at start.
 */
bool mv_qemu_driver_check_host_access(MvQemuDriver *driver, const MvDomainDef *def,
                                      GError **error);

/** mv_qemu_driver_check_def: host access, and the XML can be read back (size). */
bool mv_qemu_driver_check_def(MvQemuDriver *driver, const MvDomainDef *def, GError **error);

/** mv_qemu_driver_need_probe: false with an error when QEMU is unusable. */
bool mv_qemu_driver_need_probe(MvQemuDriver *driver, GError **error);

/** mv_qemu_console_client_closed: ends the console sessions of @client. */
void mv_qemu_console_client_closed(MvServerClient *client);

G_END_DECLS
