/* Internals shared by the server's files (server.c: listeners, lifecycle;
 * server-client.c: per-connection I/O; server-dispatch.c: calls). */
#pragma once

#include "rpc/server.h"

typedef struct {
    const MvProgramInfo *info;
    const MvDispatchFunc *handlers;
    int nhandlers;
    MvServerRawFunc raw;        /* procedures without a typed handler (proxy) */
    MvServerRawBatchFunc raw_batch; /* after a read that went to @raw */
    gpointer raw_data;
} MvServerProgram;

typedef struct {
    int fd;
    bool readonly;
    bool tls;
    GSource *source;
} MvServerListener;

struct _MvServer {
    GMutex lock;                /* protects config, clients, nclients */
    MvServerConfig config;
    guint32 routes;
    MvServerHooks hooks;
    gpointer data;

    MvServerProgram programs[4];
    guint nprograms;
    GArray *listeners;          /* MvServerListener; I/O thread after start */

    GMainContext *ctx;
    GMainLoop *loop;
    GThread *thread;
    GThreadPool *workers;
    GThreadPool *priority_workers;

    MvTlsContext *tls_ctx;      /* for new TLS connections; under lock */
    guint tls_handshake_ms;
    GHashTable *clients;        /* MvServerClient* -> same; holds a reference */
    guint nreadonly;            /* clients accepted on read-only listeners */
    gint64 refuse_logged;       /* when a refused connection was last logged */
    guint refused_quiet;        /* refusals not logged since */
    guint64 next_client_id;
    bool running;
};

struct _MvServerClient {
    gint ref;
    MvServer *server;
    guint64 id;
    int fd;
    gint readonly;              /* atomic */
    bool from_readonly;         /* accepted on a read-only listener (counts in nreadonly) */
    bool has_cred;
    pid_t pid;
    uid_t uid;
    gid_t gid;
    gpointer data;
    MvTlsSession *tls;          /* TLS connections only */

    GMutex lock;                /* protects everything below up to the I/O-only part */
    GSource *source;            /* NULL once closed */
    gpointer fd_tag;
    GIOCondition events;        /* what the source polls for now */
    GQueue outq;                /* MvMessage* waiting to be written */
    gsize outq_bytes;           /* memory held by outq (buffers + headers) */
    gsize outq_event_bytes;     /* of which events (MESSAGE outside keepalive) */
    GSList *drain_watches;      /* MvServerDrainWatch*, fired on the I/O thread */
    bool closing;               /* close requested */
    bool flush_before_close;
    bool closed;                /* socket shut down */
    guint inflight;             /* calls dispatched and not yet answered */
    guint input_holds;          /* mv_server_client_hold_input() not yet released */
    guint corked;               /* mv_server_client_cork() not yet undone: queue only */
    GHashTable *streams;        /* (proc << 32 | serial) -> MvServerStream* */

    /* I/O thread only */
    guint8 *rbuf;
    gsize rlen;
    gsize ralloc;
    bool read_paused;
    bool keepalive;
    gint64 last_recv;
    guint keepalive_sent;
    GSource *keepalive_source;
    bool tls_handshaking;       /* no RPC until the handshake and checks passed */
    guint32 raw_batch_progs;    /* bit i: programs[i]'s raw handler got a CALL in this read */
    bool called;                /* a complete CALL arrived: the first-call timer is off */
    GSource *first_call_timer;  /* closes a connection that never calls */
    gint64 log_window;          /* start of the current per-client log window (us) */
    guint log_count;            /* failure lines logged in that window */
    guint log_quiet;            /* lines suppressed in that window */
    GSource *tls_timer;         /* the handshake deadline */
};

typedef struct {
    GFunc func;
    gpointer data;
    GDestroyNotify destroy;
} MvServerDrainWatch;

typedef struct {
    MvServerStreamFunc func;
    gpointer data;
    MvRefFunc ref_data;    /* optional: the registry and each delivery hold a reference */
    GDestroyNotify unref_data;
} MvServerStream;

struct _MvServerCall {
    MvServerClient *client;     /* holds a reference */
    MvMessageHeader hdr;
    const MvProcInfo *proc;
    MvDispatchFunc handler;     /* NULL: a raw call (MvServerProgram.raw) */
    guint8 *payload;            /* owned copy for pool calls; borrowed for inline */
    gsize len;
    bool owns_payload;
    bool close_after_reply;
    GFunc after_reply;
    gpointer after_reply_data;
    GDestroyNotify after_reply_destroy;
};

/* server-client.c */
MvServerClient *mv_server_client_new(MvServer *server, guint64 id, int fd, bool readonly);
void mv_server_client_start_tls(MvServerClient *client, MvTlsSession *session, guint timeout_ms);
void mv_server_client_attach(MvServerClient *client);
void mv_server_client_shutdown(MvServerClient *client);
void mv_server_client_call_done(MvServerClient *client);
void mv_server_client_wake(MvServerClient *client);
/* Runs the raw batch handlers of the programs that got a CALL in this read (I/O thread). */
void mv_server_raw_batch_end(MvServerClient *client);
/* Rate limit of a client's repeated log lines (I/O thread or under no lock):
 * true when one more line may be written now; sets *ret_suppressed to the
 * count of lines dropped before it (to mention once). */
bool mv_server_client_log_allowed(MvServerClient *client, guint *ret_suppressed);
/* Test hook: the bytes of output queued for @client now. */
gsize mv_server_client_get_queued_bytes(MvServerClient *client);

/* server-dispatch.c */
void mv_server_dispatch_frame(MvServerClient *client, const guint8 *frame, gsize len);
void mv_server_run_call(gpointer call, gpointer server);
