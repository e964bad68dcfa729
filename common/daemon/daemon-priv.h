/* Internals of the shared daemon main. */
#pragma once

#include "daemon/daemon.h"
#include "remote-dispatch.h"
#include "remote-protocol.h"

/* One reading of the config file, applied only as a whole. */
typedef struct {
    GKeyFile *keyfile;
    MvServerConfig server;
    guint admin_max_clients;        /* the admin server's max_clients */
    gpointer driver;                /* the descriptor's config_read result */
    guint event_ring_size;          /* [events] ring_size (read at start only) */
} MvDaemonConfig;

struct _MvDaemon {
    const MvDaemonDescriptor *desc;
    MvPaths *paths;
    char *config_path;
    GKeyFile *config;
    MvServerConfig server_config;
    guint admin_max_clients;        /* [server] admin_max_clients */
    gpointer driver_config;         /* the descriptor's config_read result */
    MvServer *server;
    MvServer *admin_server;         /* the admin socket's own server */
    GMainLoop *loop;
    int timeout;                    /* --timeout: idle seconds before exit; 0 = never */
    guint idle_source;              /* main context timer while no client is connected */
    gint holds;                     /* mv_daemon_hold_idle(): work that keeps us running */
    gpointer driver_data;
    char *hostname;                 /* cached for GET_HOSTNAME */
    MvDispatchFunc handlers[MV_REMOTE_PROC_LAST];
    GPtrArray *bound_sockets;       /* paths we bound ourselves (removed on exit) */
    int *passed_fds;                /* sockets from the service manager; -1 once taken */
    char **passed_names;
    int npassed;
    int pidfile_fd;
    char *pidfile;
};

/* daemon-pidfile.c */
bool mv_daemon_pidfile_acquire(MvDaemon *daemon, GError **error);
void mv_daemon_pidfile_release(MvDaemon *daemon);

/* daemon-sockets.c */
/* Takes the sockets systemd passed (LISTEN_FDS) for mv_daemon_take_passed_fd(). */
void mv_daemon_sockets_collect(MvDaemon *daemon);
/* The UNIX sockets (passed or bound) on their servers; closes unclaimed passed ones. */
bool mv_daemon_sockets_setup(MvDaemon *daemon, GError **error);
void mv_daemon_sockets_cleanup(MvDaemon *daemon);

/* daemon-connect.c */
void mv_daemon_connect_fill_handlers(MvDispatchFunc *handlers);
bool mv_daemon_connect_call_check(MvServerClient *client, const MvProcInfo *proc,
                                  GError **error);
gpointer mv_daemon_connect_client_new(MvServerClient *client, gpointer daemon);
void mv_daemon_connect_client_free(gpointer conn);
void mv_daemon_connect_client_closed(MvServerClient *client, gpointer conn);

/* daemon-admin.c */
MvServer *mv_daemon_admin_server_new(MvDaemon *daemon);
/* The admin server's limits derived from the daemon's (on SIGHUP too). */
void mv_daemon_admin_server_config(MvDaemon *daemon, MvServerConfig *ret_config);

/* daemon-config.c */
/* Reads the config file ([server], the driver's groups, then [log], whose
 * filters take effect at once) into @ret_config, or fails leaving it alone. */
bool mv_daemon_config_read(MvDaemon *daemon, MvDaemonConfig *ret_config, GError **error);
/* Makes @config (emptied) the daemon's current config and frees the old one. */
void mv_daemon_config_apply(MvDaemon *daemon, MvDaemonConfig *config);
/* Frees what @config holds. */
void mv_daemon_config_clear(MvDaemon *daemon, MvDaemonConfig *config);
