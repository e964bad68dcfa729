/* The shared main of every modvirt daemon: a descriptor and one call.
 *
 *   int main(int argc, char **argv) { return mv_daemon_main(&qemu_daemon, argc, argv); }
 *
 * mv_daemon_main() parses --root/--config/--timeout/--verbose, sets up
 * logging, takes the pidfile lock (one instance per root), loads the config,
 * starts the driver, takes its sockets from systemd (sd_listen_fds) or binds
 * them, serves until SIGTERM, reloads on SIGHUP and exits after --timeout idle
 * seconds. Connection-level calls every daemon answers (auth, features,
 * open/close, hostname, URI, ...) are built in; the descriptor adds the
 * driver's handlers. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "rpc/server.h"
#include "util/paths.h"

G_BEGIN_DECLS

/* The libvirt API level whose protocol we speak, reported by GET_LIB_VERSION. */
#define MV_LIBVIRT_COMPAT_VERSION 9000000

typedef struct _MvDaemon MvDaemon;
typedef struct _MvDaemonConn MvDaemonConn;

typedef struct {
    const char *name;               /* "qemu": socket, pidfile and config base name */
    const char *program_name;       /* "modvirt-qemud" */
    const char *summary;            /* one line for --help */
    guint32 routes;                 /* (1 << MV_ROUTE_x) for each object type served */
    const char *default_uri;        /* "qemu:///system": the URI an empty open gets */
    const char *const *uri_schemes; /* schemes CONNECT_OPEN accepts: { "qemu", NULL } */
    const MvDispatchFunc *handlers; /* REMOTE procedures of the driver, by number */
    int nhandlers;
    /* Driver start-up after config and paths are known, before serving. */
    bool (*start)(MvDaemon *daemon, GError **error);
    /* Driver shut-down after the server stopped. */
    void (*stop)(MvDaemon *daemon);
    /* Config reloaded (SIGHUP). */
    void (*reload)(MvDaemon *daemon);
    /* A client connection closed (I/O thread; must not block): drop the
     * client's registrations (event callbacks, streams). */
    void (*conn_closed)(MvDaemon *daemon, MvDaemonConn *conn, MvServerClient *client);
} MvDaemonDescriptor;

/* Per-connection state every daemon keeps (the server client's private data). */
struct _MvDaemonConn {
    MvDaemon *daemon;
    bool opened;                    /* CONNECT_OPEN succeeded */
    bool close_callback;            /* the client registered a close callback */
    char *uri;                      /* canonical URI of the connection */
    GHashTable *identity;           /* forwarded identity (CONNECT_SET_IDENTITY) */
    gpointer driver_data;           /* free with the descriptor's... driver owns */
    GDestroyNotify driver_data_free;
};

/**
 * mv_daemon_main:
 * Runs the daemon described by @desc. Returns the process exit status.
 */
int mv_daemon_main(const MvDaemonDescriptor *desc, int argc, char **argv);

/** mv_daemon_get_paths: the --root aware paths (borrowed). */
const MvPaths *mv_daemon_get_paths(MvDaemon *daemon);
/** mv_daemon_get_config: the loaded config (borrowed; replaced on SIGHUP, main thread only). */
GKeyFile *mv_daemon_get_config(MvDaemon *daemon);
/** mv_daemon_get_descriptor: the descriptor the daemon runs. */
const MvDaemonDescriptor *mv_daemon_get_descriptor(MvDaemon *daemon);
/** mv_daemon_get_server: the RPC server (NULL before serving starts). */
MvServer *mv_daemon_get_server(MvDaemon *daemon);
/** mv_daemon_set_driver_data / get: the driver's process-wide state. */
void mv_daemon_set_driver_data(MvDaemon *daemon, gpointer data);
gpointer mv_daemon_get_driver_data(MvDaemon *daemon);

/** mv_daemon_call_conn: the connection state of the client making @call. */
MvDaemonConn *mv_daemon_call_conn(MvServerCall *call);

/** mv_daemon_call_daemon: the daemon serving @call. */
MvDaemon *mv_daemon_call_daemon(MvServerCall *call);

G_END_DECLS
