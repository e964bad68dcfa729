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
 * driver's handlers (which replace built-in ones of the same number: the
 * proxy's CONNECT_OPEN opens its backend) and, where a daemon needs more,
 * hooks: its own config groups, a raw handler for procedures it forwards,
 * extra listeners before serving starts, per-connection data, reload. */
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

/* Does the passed socket @fd (systemd name @name, may be NULL) match? */
typedef bool (*MvDaemonFdMatch)(int fd, const char *name, gpointer data);

typedef struct {
    const char *name;               /* "qemu": socket, pidfile and config base name */
    const char *program_name;       /* "modvirt-qemud" */
    const char *summary;            /* one line for --help */
    guint32 routes;                 /* (1 << MV_ROUTE_x) for each object type served */
    const char *default_uri;        /* "qemu:///system": the URI an empty open gets */
    const char *const *uri_schemes; /* schemes CONNECT_OPEN accepts: { "qemu", NULL } */
    const MvDispatchFunc *handlers; /* REMOTE procedures of the driver, by number */
    int nhandlers;
    /* Reads the driver's own groups of the config file ([tls], ...) into a new
     * driver config, at start and on SIGHUP, before anything is applied; NULL
     * (with @error) fails the whole load. Freed with config_free. */
    gpointer (*config_read)(MvDaemon *daemon, GKeyFile *conf, GError **error);
    GDestroyNotify config_free;
    /* Driver start-up after config and paths are known, before serving. */
    bool (*start)(MvDaemon *daemon, GError **error);
    /* Procedures without a handler go, undecoded, to this raw handler (a
     * proxy forwards them; raw_data is the MvDaemon) instead of answering
     * "not supported". Such calls may be answered from the driver's threads
     * after the server stopped, so the server is then left to process exit. */
    MvServerRawFunc raw;
    /* The REMOTE server exists and has not started: add listeners (claiming
     * passed sockets with mv_daemon_take_passed_fd() first), a TLS context. */
    bool (*prepare_server)(MvDaemon *daemon, MvServer *server, GError **error);
    /* Driver shut-down after the server stopped. */
    void (*stop)(MvDaemon *daemon);
    /* SIGHUP: @new_config (config_read's) is about to replace the current
     * one: check it and apply the driver's part (new TLS credentials, ...);
     * false (with @error) keeps every old setting. May set *@ret_detail to a
     * few words for the log line. */
    bool (*reload)(MvDaemon *daemon, gpointer new_config, char **ret_detail, GError **error);
    /* A client connected (I/O thread; must not block): may set
     * conn->driver_data and conn->driver_data_free. */
    void (*conn_new)(MvDaemon *daemon, MvDaemonConn *conn, MvServerClient *client);
    /* A client connection closed (I/O thread; must not block): drop the
     * client's registrations (event callbacks, streams). */
    void (*conn_closed)(MvDaemon *daemon, MvDaemonConn *conn, MvServerClient *client);
} MvDaemonDescriptor;

/* Per-connection state every daemon keeps (the server client's private data). */
struct _MvDaemonConn {
    MvDaemon *daemon;
    bool opened;                    /* CONNECT_OPEN succeeded (set with uri) */
    bool close_callback;            /* the client registered a close callback */
    char *uri;                      /* canonical URI of the connection */
    GHashTable *identity;           /* forwarded identity (CONNECT_SET_IDENTITY) */
    gpointer driver_data;           /* the driver's, freed with driver_data_free */
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
/** mv_daemon_get_config_path: the config file's path (borrowed). */
const char *mv_daemon_get_config_path(MvDaemon *daemon);
/** mv_daemon_get_driver_config: config_read's result in use (borrowed; replaced on SIGHUP,
 * main thread only). */
gpointer mv_daemon_get_driver_config(MvDaemon *daemon);
/** mv_daemon_get_server_config: the [server] limits in use (borrowed; main thread only). */
const MvServerConfig *mv_daemon_get_server_config(MvDaemon *daemon);
/** mv_daemon_get_descriptor: the descriptor the daemon runs. */
const MvDaemonDescriptor *mv_daemon_get_descriptor(MvDaemon *daemon);
/** mv_daemon_get_server: the RPC server (NULL before serving starts). */
MvServer *mv_daemon_get_server(MvDaemon *daemon);
/**
 * mv_daemon_hold_idle:
 * @hold: true to take a hold, false to drop one taken before.
 * While any hold is taken the daemon does not exit after --timeout idle
 * seconds, clients or not: for work that must go on without clients (filterd
 * restoring the tables it owns). Holds count; any thread.
 */
void mv_daemon_hold_idle(MvDaemon *daemon, bool hold);
/** mv_daemon_set_driver_data / get: the driver's process-wide state. */
void mv_daemon_set_driver_data(MvDaemon *daemon, gpointer data);
gpointer mv_daemon_get_driver_data(MvDaemon *daemon);

/**
 * mv_daemon_take_passed_fd:
 * The first socket passed by the service manager (sd_listen_fds) that @match
 * accepts, now owned by the caller, or -1. Only from prepare_server: the
 * daemon's UNIX sockets are claimed next and the rest is closed.
 */
int mv_daemon_take_passed_fd(MvDaemon *daemon, MvDaemonFdMatch match, gpointer data);

/** mv_daemon_call_conn: the connection state of the client making @call. */
MvDaemonConn *mv_daemon_call_conn(MvServerCall *call);

/** mv_daemon_call_daemon: the daemon serving @call. */
MvDaemon *mv_daemon_call_daemon(MvServerCall *call);

G_END_DECLS
