/* modvirt-networkd's process-wide state, its networks (driver-frame objects)
 * and its entry points for the shared daemon main.
 *
 * Locking: each network has one mutex (obj->lock) protecting its fields. A
 * modifying call (define over an existing network, start, destroy, undefine,
 * update, port create/delete) first takes the network's job
 * (mv_network_obj_begin_job); it may drop the mutex while it plumbs, but only
 * the job holder changes the definitions or the running state. Queries take
 * the mutex briefly and never wait for a job. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "daemon/daemon.h"
#include "daemon/driver-call.h"
#include "driver/events.h"
#include "driver/list.h"
#include "driver/store.h"
#include "network-def.h"
#include "network-port-def.h"

G_BEGIN_DECLS

/* How long a modifying call waits for another one on the same network
 * (default; [network] job_wait_ms in network.conf). */
#define MV_NETWORK_JOB_WAIT_MS 30000

/* The [network] group of network.conf (network-driver.c reads every key). */
typedef struct {
    int job_wait_ms;            /* 0: the default */
    char *dnsmasq;              /* the dnsmasq binary; NULL: found in PATH */
    char *bridge_prefix;        /* automatic bridge names: <prefix>N; NULL: "virbr" */
    char *lease_helper;         /* NULL: modvirt-leasehelper next to the daemon */
} MvNetworkConfig;

void mv_network_config_free(MvNetworkConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvNetworkConfig, mv_network_config_free)

typedef struct _MvNetworkObj MvNetworkObj;

/* What a start made on the host, recorded in the status file so a restarted
 * daemon takes it back (valid while the network is live). */
typedef struct {
    int bridge_ifindex;         /* the bridge we created; 0: none (forward bridge) */
    pid_t dnsmasq_pid;          /* 0: no dnsmasq */
    guint64 dnsmasq_start_time; /* /proc/PID/stat field 22: the same process after a restart */
    bool forwarding;            /* IP forwarding was asked for (never undone: shared) */
    bool firewall;              /* modvirt-filterd holds rules for this network */
    gpointer dnsmasq;           /* the plumbing's supervisor handle, NULL when none */
} MvNetworkRuntime;

struct _MvNetworkObj {
    /* ref, lock, cond, driver (the MvNetworkDriver), name, uuid, id (-1 when
     * inactive), persistent, autostart, removed, job */
    MV_DRIVER_OBJECT_HEADER;

    MvNetworkDef *def;          /* the persistent config (or the transient def) */
    MvNetworkDef *newdef;       /* config redefined while active: applied at stop */
    MvNetworkDef *live;         /* the running definition; NULL when inactive */
    MvNetworkRuntime rt;
    GHashTable *ports;          /* port UUID string -> MvNetworkPortDef (active only) */
};

extern const MvDriverObjectClass mv_network_obj_class;

#define MV_NETWORK_OBJ(o) ((MvNetworkObj *)(o))

/** mv_network_obj_is_active: the network is started (lock held). */
bool mv_network_obj_is_active(const MvNetworkObj *net);

/**
 * mv_network_obj_add:
 * A new network object for @def (taken) in @list, inactive. Returns a new
 * reference (the list has its own) or NULL when the name or UUID is taken.
 */
MvNetworkObj *mv_network_obj_add(MvDriverList *list, MvNetworkDef *def, bool persistent,
                                 GError **error);

MvNetworkObj *mv_network_obj_ref(MvNetworkObj *net);
void mv_network_obj_unref(MvNetworkObj *net);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvNetworkObj, mv_network_obj_unref)

/** mv_network_obj_config: the definition a start uses next (newdef or def; lock held). */
MvNetworkDef *mv_network_obj_config(MvNetworkObj *net);

typedef struct {
    MvDaemon *daemon;
    int job_wait_ms;
    char *dnsmasq;              /* binary */
    char *bridge_prefix;

    MvDriverStore *store;       /* <etc>/network definitions (+ autostart/), <run>/network */
    char *state_dir;            /* <run>/network: status files, ports/, dnsmasq pid files */
    char *ports_dir;            /* <run>/network/ports/<network>/<uuid>.xml */
    char *lib_dir;              /* <lib>/network: dnsmasq configs, leases */
    char *filter_socket;        /* where modvirt-filterd listens */
    char *lease_helper;         /* modvirt-leasehelper, dnsmasq's --dhcp-script */

    GMainContext *ctx;          /* dnsmasq supervision: exits, restarts */
    GMainLoop *loop;
    GThread *thread;

    MvDriverList *networks;
    MvDriverEvents *events;
    GMutex define_lock;         /* name/UUID checks + adds/removes by define, create, undefine */

    GMutex bridges_lock;
    GHashTable *bridges;        /* bridge names held by starting / active networks */
} MvNetworkDriver;

/** mv_network_config_read: the [network] group (descriptor hook). */
gpointer mv_network_config_read(MvDaemon *daemon, GKeyFile *conf, GError **error);

/**
 * mv_network_driver_start:
 * Loads the definitions, takes back the networks that were running when the
 * daemon last stopped (or died), undoes half-made starts, then starts the
 * autostart networks.
 */
bool mv_network_driver_start(MvDaemon *daemon, GError **error);

/** mv_network_driver_stop: leaves running networks running and frees the state. */
void mv_network_driver_stop(MvDaemon *daemon);

/** mv_network_driver_conn_closed: drops the connection's event registrations. */
void mv_network_driver_conn_closed(MvDaemon *daemon, MvDaemonConn *conn,
                                   MvServerClient *client);

/** mv_network_driver_get: the driver state of the daemon serving @call. */
MvNetworkDriver *mv_network_driver_get(MvDriverCall *call);

/** mv_network_obj_begin_job: takes @net's job for @api with the configured deadline. */
bool mv_network_obj_begin_job(MvNetworkObj *net, const char *api, GError **error);
void mv_network_obj_end_job(MvNetworkObj *net);

/**
 * mv_network_driver_emit:
 * Sends lifecycle @event (MV_NETWORK_EVENT_*) about @net to the registered
 * clients.
 */
void mv_network_driver_emit(MvNetworkDriver *driver, MvNetworkObj *net, int event);

G_END_DECLS
