/* modvirt-proxyd internals: one front door for stock clients.
 *
 * Each client connection (MvProxyConn) gets its own backend connections
 * (MvProxyBackend), one per daemon it uses, opened lazily and carrying the
 * client's identity (CONNECT_SET_IDENTITY). Calls are forwarded undecoded
 * (the server's raw program) to the daemon the route table names; replies,
 * events (callback ids remapped) and stream packets come back on the same I/O
 * thread (the backend connections are attached to it) and go straight to the
 * client. See docs/proxy.md. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "daemon/daemon.h"
#include "link/daemon-link.h"
#include "remote-dispatch.h"
#include "remote-protocol.h"
#include "rpc/client.h"
#include "rpc/server.h"
#include "util/paths.h"

G_BEGIN_DECLS

/* The daemon descriptor modvirt-proxyd runs (proxy-daemon.c). */
extern const MvDaemonDescriptor mv_proxy_daemon;

/* Backend slots of a connection: the daemon the URI named, then one slot per
 * registry daemon (MV_PROXY_BACKEND_OF()) for the routes it owns. */
typedef enum {
    MV_PROXY_BACKEND_PRIMARY = 0,
    MV_PROXY_BACKEND_LAST = 1 + MV_DAEMON_LAST
} MvProxyBackendSlot;

/* The slot of registry daemon @daemon (an MvDaemonKind) as a secondary daemon. */
#define MV_PROXY_BACKEND_OF(daemon) ((MvProxyBackendSlot)(1 + (int)(daemon)))

typedef struct {
    char *listen;               /* "host:port"; NULL = off */
    char *cert, *key, *ca, *crl;
    char **allowed_dn;          /* NULL = any certificate from the CA */
    bool allowed_dn_set;
    char *priority;
    guint handshake_ms;
} MvProxyTlsConf;

/* The proxy's own config groups (the descriptor's config_read result). */
typedef struct {
    MvProxyTlsConf tls;
    char *tcp_listen;           /* plain TCP "host:port"; NULL = off */
} MvProxyConf;

/* The proxy's process-wide state (the daemon's driver data). */
typedef struct _MvProxy {
    MvDaemon *daemon;
    const MvPaths *paths;       /* the daemon's */
    MvServer *server;           /* the REMOTE server (set before serving starts) */
    bool tls;                   /* a TLS listener is served: SIGHUP reloads certificates */
    GThreadPool *open_pool;     /* calls that must first open a backend connection */
    GThreadPool *cleanup_pool;  /* backend connections being closed */
} MvProxy;

typedef struct _MvProxyBackend MvProxyBackend;

typedef struct {
    MvProxy *proxy;
    MvServerClient *client;     /* not a reference: the conn is the client's data */
    GMutex lock;                /* protects the fields below */
    bool closed;
    char *primary;              /* daemon base name: "qemu"; set once opened */
    guint open_flags;           /* VIR_CONNECT_RO when read-only */
    MvProxyBackend *backends[MV_PROXY_BACKEND_LAST];   /* read atomically */
    GMutex open_lock;           /* serializes backend opens (worker threads only) */
    GHashTable *callbacks;      /* front callback id -> MvProxyCallback* */
    gint next_callback_id;
    /* I/O thread only: forwarded calls of the current read, per backend
     * slot; from the second one on the backend is corked (a reference). */
    guint batch_calls[MV_PROXY_BACKEND_LAST];
    MvProxyBackend *batch_corked[MV_PROXY_BACKEND_LAST];
} MvProxyConn;

/* An event callback the client registered through us. */
typedef struct {
    MvProxyBackend *backend;    /* a reference */
    int backend_id;
    int dereg_proc;
} MvProxyCallback;

struct _MvProxyBackend {
    gint ref;
    MvProxy *proxy;
    MvProxyConn *conn;
    MvServerClient *client;     /* a reference: keeps the conn alive */
    MvProxyBackendSlot slot;
    char *daemon;               /* "qemu" */
    char *program;              /* "modvirt-qemud" */
    char *socket;
    MvDaemonLink *link;         /* the connection (common/link/) */
    MvRpcClient *rpc;           /* its RPC client */
    GMutex lock;
    GHashTable *event_ids;      /* backend callback id -> front callback id */
    GHashTable *streams;        /* backend serial -> MvProxyStream* (open streams) */
    GPtrArray *all_streams;     /* every stream ever opened (freed with the backend) */
    /* I/O thread only: messages for the client from the current read;
     * from the second one on the client is corked until the read is done */
    guint batch_out;
    bool client_corked;
};

/* proxy-config.c */
/* config_read: a new MvProxyConf from the [tls] and [tcp] groups of @kf, or
 * NULL with @error (the caller prefixes the file name). */
gpointer mv_proxy_conf_read(MvDaemon *daemon, GKeyFile *kf, GError **error);
/* config_free: frees an MvProxyConf; NULL is fine. */
void mv_proxy_conf_free(gpointer conf);
/* A TLS context (certificates, CA, CRL, DN allow-list) for @tls, or NULL. */
MvTlsContext *mv_proxy_tls_context_new(const MvProxyTlsConf *tls, GError **error);

/* proxy-listen.c */
/* prepare_server: the TLS and plain TCP listeners (passed by systemd or
 * bound), with the TLS context; remembers @server for reloads. */
bool mv_proxy_listen(MvDaemon *daemon, MvServer *server, GError **error);

/* proxy-connect.c: the calls the proxy answers differently from every
 * daemon (CONNECT_OPEN, CONNECT_SET_IDENTITY), by procedure number */
extern const MvDispatchFunc mv_proxy_local_handlers[MV_REMOTE_PROC_LAST];
/* conn_new: attaches a new MvProxyConn as @dconn's driver data (I/O thread). */
void mv_proxy_conn_new(MvDaemon *daemon, MvDaemonConn *dconn, MvServerClient *client);
/* conn_closed: drops the client's backends and callbacks (I/O thread; the
 * backends are closed on the cleanup pool). */
void mv_proxy_conn_closed(MvDaemon *daemon, MvDaemonConn *dconn, MvServerClient *client);
/* The proxy state of the client making @call. */
MvProxyConn *mv_proxy_call_conn(MvServerCall *call);

/* proxy-backend.c */
MvProxyBackend *mv_proxy_backend_open(MvProxyConn *conn, MvProxyBackendSlot slot,
                                      const char *daemon, const char *uri, GError **error);
MvProxyBackend *mv_proxy_backend_ref(MvProxyBackend *be);
void mv_proxy_backend_unref(MvProxyBackend *be);
/* Drops the connection's reference; the last one closes @be on a cleanup
 * thread (never blocks the caller). */
void mv_proxy_backend_close_later(MvProxyBackend *be);
/* The backend has one more message for the client (I/O thread):
 * from the second of one read on they are held and written together. */
void mv_proxy_backend_batch_note(MvProxyBackend *be);
/* Writes what mv_proxy_backend_batch_note() held (I/O thread); also the
 * backend connection's batch handler. */
void mv_proxy_backend_batch_flush(MvRpcClient *rpc, gpointer be);
/* The cleanup pool's function: closes and frees @be. */
void mv_proxy_backend_close_now(gpointer be, gpointer unused);
/* A reference to the open backend of @slot, or NULL. Any thread. */
MvProxyBackend *mv_proxy_conn_ref_backend(MvProxyConn *conn, MvProxyBackendSlot slot);
/* A reference to the backend of @slot, opening it when needed (worker threads). */
MvProxyBackend *mv_proxy_conn_get_backend(MvProxyConn *conn, MvProxyBackendSlot slot,
                                          GError **error);

/* proxy-forward.c */
/* The descriptor's raw handler: forwards @call undecoded to its backend. */
void mv_proxy_forward(MvServerCall *call, const guint8 *payload, gsize len, gpointer daemon);
void mv_proxy_forward_open_job(gpointer job, gpointer proxy);
/* The raw batch handler: writes the calls of one read held for each backend. */
void mv_proxy_forward_batch_end(MvServerClient *client, gpointer daemon);

/* proxy-route.c: where a call goes, read from the daemon registry */

/**
 * mv_proxy_daemon_for_scheme:
 * The base name ("filter") of the daemon serving URI scheme @scheme
 * ("nwfilter"); false for schemes no registry daemon serves.
 */
bool mv_proxy_daemon_for_scheme(const char *scheme, const char **ret_daemon);

/**
 * mv_proxy_slot_for_route:
 * The backend slot a call of @proc goes to on a connection whose URI named
 * daemon @primary ("qemu", "network"; NULL before CONNECT_OPEN): the primary
 * for connection-level and domain calls and for the routes @primary owns,
 * else the slot of the route's owner. False with MV_ERR_NO_SUPPORT when no
 * daemon owns the route.
 */
bool mv_proxy_slot_for_route(const char *primary, const MvProcInfo *proc,
                             MvProxyBackendSlot *ret_slot, GError **error);

/**
 * mv_proxy_slot_daemon:
 * The registry row of the daemon behind secondary slot @slot; NULL for the
 * primary slot and values out of range.
 */
const MvDaemonInfo *mv_proxy_slot_daemon(MvProxyBackendSlot slot);

/* proxy-events.c */
/* The deregistration procedure of a registration procedure that returns a
 * callback id (316 -> 317), or 0. */
int mv_proxy_events_dereg_proc(int register_proc);
bool mv_proxy_events_is_dereg(int proc);
/* A registration succeeded: map the backend's id to a new front id; returns it. */
int mv_proxy_events_add(MvProxyBackend *be, int backend_id, int dereg_proc);
/* The callback @front_id of @conn (ret_cb->backend is a new reference), or false. */
bool mv_proxy_events_lookup(MvProxyConn *conn, int front_id, MvProxyCallback *ret_cb);
void mv_proxy_events_remove(MvProxyConn *conn, int front_id);
void mv_proxy_callback_free(gpointer cb);
/* The proc entry routing a call of the private EVENTS program: its route is
 * named by the call's first argument (which daemon the client means); @proc
 * (the primary daemon) otherwise. */
const MvProcInfo *mv_proxy_events_private_route(const MvMessageHeader *hdr,
                                                const MvProcInfo *proc, const guint8 *payload,
                                                gsize len, MvProcInfo *scratch);
void mv_proxy_events_relay(MvRpcClient *rpc, const MvMessageHeader *hdr, const guint8 *payload,
                           gsize len, gpointer be);

/* proxy-streams.c */
void mv_proxy_streams_open(MvProxyBackend *be, const MvMessageHeader *front_hdr,
                           guint32 backend_serial);
void mv_proxy_streams_relay(MvRpcClient *rpc, const MvMessageHeader *hdr,
                            const guint8 *payload, gsize len, gpointer be);
void mv_proxy_streams_free(gpointer stream);
/* The client-side header of a stream still open, else NULL. */
MvMessageHeader *mv_proxy_streams_front(gpointer stream);

G_END_DECLS
