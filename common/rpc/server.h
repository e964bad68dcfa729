/* MvServer: the RPC server every daemon runs.
 *
 * One I/O thread (its own GMainContext) accepts connections and moves bytes;
 * complete CALLs are checked (program, procedure, route, open state,
 * read-only) and then run on the I/O thread itself (MV_PRIORITY_INLINE: memory
 * only, never blocks), in the high-priority pool or in the worker pool. Replies
 * are written directly by the thread that produced them when the socket can
 * take them, so a cheap call costs one wake-up, one read and one write. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "rpc/message.h"
#include "rpc/proc.h"
#include "rpc/tls.h"

G_BEGIN_DECLS

typedef struct _MvServer MvServer;
typedef struct _MvServerClient MvServerClient;

typedef struct {
    guint max_clients;          /* connections accepted at once (all listeners) */
    guint max_readonly_clients; /* of those, from read-only listeners (< max_clients
                                 * keeps a reserve for the read-write ones) */
    guint max_workers;          /* threads in the worker pool */
    guint max_priority_workers; /* threads in the high-priority pool */
    guint max_client_requests;  /* calls in flight per client before reading pauses */
    guint max_client_queue;     /* bytes of output queued per client before reading pauses;
                                 * also the most event bytes queued before it is dropped */
    guint first_call_timeout;   /* seconds a new connection has to send a call; 0: forever */
    int keepalive_interval;     /* seconds of silence before a PING; <= 0 disables */
    guint keepalive_count;      /* unanswered PINGs before the client is dropped */
} MvServerConfig;

/**
 * mv_server_config_init_defaults: libvirt-like defaults: 5000 clients (4500 of
 * them read-only), 20 + 5 workers, 5 requests and 4 MiB of output per client,
 * 30 s for the first call, keepalive every 5 s, 5 unanswered.
 */
void mv_server_config_init_defaults(MvServerConfig *config);

/* Daemon policy hooks; all optional. Called on whichever thread runs the call. */
typedef struct {
    /* A new connection was accepted: return the per-client private data. */
    gpointer (*client_new)(MvServerClient *client, gpointer server_data);
    /* The connection is gone (last reference dropped): free the private data. */
    void (*client_free)(gpointer client_data);
    /* May this call run now? (e.g. "hypervisor connection not open"). Runs on
     * the I/O thread before dispatch; set @error to refuse. */
    bool (*call_check)(MvServerClient *client, const MvProcInfo *proc, GError **error);
    /* The connection closed (I/O thread); the client object may live on while
     * calls still hold references. Drop per-client registrations here. */
    void (*client_closed)(MvServerClient *client, gpointer client_data);
    /* The number of clients changed (I/O thread). */
    void (*clients_changed)(MvServer *server, guint nclients, gpointer server_data);
} MvServerHooks;

/* Takes a reference on @data and returns it. */
typedef gpointer (*MvRefFunc)(gpointer data);

/* A STREAM packet arrived for a stream the daemon registered. */
typedef void (*MvServerStreamFunc)(MvServerClient *client, const MvMessageHeader *hdr,
                                   const guint8 *data, gsize len, gpointer stream_data);

/**
 * mv_server_new:
 * A stopped server with @config. @owned_routes is a bit mask of (1 << MvRoute)
 * naming the object types this daemon serves; calls routed elsewhere are
 * answered "unknown procedure" (MV_ROUTE_ANY is always served).
 */
MvServer *mv_server_new(const MvServerConfig *config, guint32 owned_routes,
                        const MvServerHooks *hooks, gpointer server_data);

/** mv_server_free: stops the server (if running), closes every connection. NULL is fine.
 * Raw calls still being answered on other threads must have finished: their
 * replies use the server (a daemon with a raw program never frees it). */
void mv_server_free(MvServer *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvServer, mv_server_free)

/**
 * mv_server_add_program:
 * Serves @program with @handlers (indexed by procedure number, @nhandlers long;
 * a NULL entry for a procedure this daemon owns answers NO_SUPPORT). Only
 * before mv_server_start(). The server keeps pointers to both.
 */
void mv_server_add_program(MvServer *server, const MvProgramInfo *program,
                           const MvDispatchFunc *handlers, int nhandlers);

/* A raw handler: gets a CALL whose route, open state and read-only rules were
 * checked against the table, with its payload undecoded (@payload is valid
 * only during the callback). Runs on the I/O thread and must not block. It
 * owns @call until it answers with mv_server_call_reply_raw() or
 * mv_server_call_reply_error() (exactly once, from any thread); until then
 * the call counts against the client's in-flight limit. */
typedef void (*MvServerRawFunc)(MvServerCall *call, const guint8 *payload, gsize len,
                                gpointer raw_data);

/* The frames of one read of @client were handled (I/O thread): a raw program
 * that held back what they produced (a relay batching forwarded calls)
 * writes it now. */
typedef void (*MvServerRawBatchFunc)(MvServerClient *client, gpointer raw_data);

/**
 * mv_server_add_raw_program:
 * Like mv_server_add_program(), but procedures without a typed handler in
 * @handlers (may be NULL) go to @raw instead of answering NO_SUPPORT (a proxy
 * forwards them without decoding). Only before mv_server_start().
 */
void mv_server_add_raw_program(MvServer *server, const MvProgramInfo *program,
                               const MvDispatchFunc *handlers, int nhandlers,
                               MvServerRawFunc raw, gpointer raw_data);

/**
 * mv_server_set_raw_batch_handler:
 * Calls @func (with the program's raw_data) after each read of a client in
 * which at least one CALL went to the raw handler of program @program. Only
 * before mv_server_start(), after mv_server_add_raw_program().
 */
void mv_server_set_raw_batch_handler(MvServer *server, guint32 program,
                                     MvServerRawBatchFunc func);

/**
 * mv_server_add_listener:
 * Accepts connections on the listening socket @fd (the server owns it from
 * now on). Connections from a @readonly listener can never write.
 */
void mv_server_add_listener(MvServer *server, int fd, bool readonly);

/**
 * mv_server_add_tls_listener:
 * Like mv_server_add_listener(), but each connection first completes a TLS
 * handshake with the server's TLS context (mv_server_set_tls_context) and
 * passes the client certificate checks; then the server sends the one
 * confirmation byte (0x01) stock clients wait for, and RPC starts. A
 * connection that has not finished within the handshake timeout is closed.
 */
void mv_server_add_tls_listener(MvServer *server, int fd, bool readonly);

/**
 * mv_server_set_tls_context:
 * The TLS context (a reference is taken) and handshake timeout (ms) for new
 * TLS connections from now on; connections already open keep theirs (a
 * certificate reload never drops a client). Any thread.
 */
void mv_server_set_tls_context(MvServer *server, MvTlsContext *ctx, guint handshake_timeout_ms);

/** mv_server_start: starts the I/O thread. */
bool mv_server_start(MvServer *server, GError **error);

/** mv_server_stop: closes listeners and clients, waits for running calls, joins the I/O thread. */
void mv_server_stop(MvServer *server);

/**
 * mv_server_get_context:
 * The main context of the server's I/O thread: a relay attaches its backend
 * connections there (mv_rpc_client_attach()) so a call and its reply each
 * cross the relay in one turn of the thread that serves the client.
 */
GMainContext *mv_server_get_context(MvServer *server);

/** mv_server_get_nclients: connections currently open. Any thread. */
guint mv_server_get_nclients(MvServer *server);

/** mv_server_update_config: applies new limits/keepalive values (SIGHUP). */
void mv_server_update_config(MvServer *server, const MvServerConfig *config);

/** mv_server_foreach_client: calls @func for each open client (under the server lock: do not
 * block). */
void mv_server_foreach_client(MvServer *server, void (*func)(MvServerClient *client, gpointer data),
                              gpointer data);

/* ---- clients ---- */

MvServerClient *mv_server_client_ref(MvServerClient *client);
void mv_server_client_unref(MvServerClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvServerClient, mv_server_client_unref)

/** mv_server_client_get_data: the private data returned by the client_new hook. */
gpointer mv_server_client_get_data(MvServerClient *client);
MvServer *mv_server_client_get_server(MvServerClient *client);
guint64 mv_server_client_get_id(MvServerClient *client);

/** mv_server_client_is_readonly: true for read-only listeners and read-only opens. */
bool mv_server_client_is_readonly(MvServerClient *client);
/** mv_server_client_set_readonly: makes the connection read-only (it can never be undone). */
void mv_server_client_set_readonly(MvServerClient *client);

/** mv_server_client_get_identity: SO_PEERCRED of the connection (false for non-UNIX peers). */
bool mv_server_client_get_identity(MvServerClient *client, pid_t *ret_pid, uid_t *ret_uid,
                                   gid_t *ret_gid);

/** mv_server_client_get_tls_dn: the verified client certificate's DN (TLS connections), else
 * NULL. */
const char *mv_server_client_get_tls_dn(MvServerClient *client);

/** mv_server_client_is_tls: the connection came through a TLS listener. */
bool mv_server_client_is_tls(MvServerClient *client);

/** mv_server_client_enable_keepalive: start pinging this client (it asked for keepalive). */
void mv_server_client_enable_keepalive(MvServerClient *client);

/**
 * mv_server_client_send:
 * Queues @msg (ownership moves to the client) for sending; any thread. Returns
 * false (and frees @msg) when the connection is already closed. An event
 * (a MESSAGE outside the keepalive program) that would take the client's queued
 * events over max_client_queue bytes closes the connection instead (logged):
 * a client that never reads cannot make the daemon hold its events forever.
 */
bool mv_server_client_send(MvServerClient *client, MvMessage *msg);

/**
 * mv_server_client_send_frame:
 * Sends the frame of @hdr with @len bytes at @payload (a REPLY or STREAM
 * packet; not an event): written from where it is when nothing is queued
 * (header and payload as two iovecs, no copy), else copied and queued like
 * mv_server_client_send(). Any thread.
 */
void mv_server_client_send_frame(MvServerClient *client, const MvMessageHeader *hdr,
                                 const guint8 *payload, gsize len);

/**
 * mv_server_client_send_frame_head:
 * Like mv_server_client_send_frame() for a frame whose body is @head_len
 * bytes at @head followed by @len bytes at @payload (a relay replacing the
 * first word of an event: the rest is sent from where it is). Events are
 * allowed: when the frame has to be queued it goes through
 * mv_server_client_send() and its event limit. Any thread.
 */
void mv_server_client_send_frame_head(MvServerClient *client, const MvMessageHeader *hdr,
                                      const guint8 *head, gsize head_len,
                                      const guint8 *payload, gsize len);

/**
 * mv_server_client_is_congested:
 * True while the client's queued output is at or over max_client_queue bytes:
 * a producer of stream data should stop and wait for a drain watch. Any thread.
 */
bool mv_server_client_is_congested(MvServerClient *client);

/**
 * mv_server_client_add_drain_watch:
 * Calls @func(@data) once, on the I/O thread, when the client's queued output
 * has fallen to half of max_client_queue or less (at once if it already has);
 * when the connection closes first, only @destroy (may be NULL) runs. After
 * @func, @destroy runs too. Any thread.
 */
void mv_server_client_add_drain_watch(MvServerClient *client, GFunc func, gpointer data,
                                      GDestroyNotify destroy);

/**
 * mv_server_client_hold_input / release_input:
 * While at least one hold is taken, nothing more is read from the client
 * (its socket buffer fills and the peer blocks): the consumer of an upload
 * that cannot keep up holds the input until it has caught up. Each hold is
 * released exactly once. Any thread.
 */
void mv_server_client_hold_input(MvServerClient *client);
void mv_server_client_release_input(MvServerClient *client);

/**
 * mv_server_client_cork / uncork:
 * While corked, messages sent to @client are only queued; the last uncork
 * writes them all with as few sendmsg() calls as the socket allows (a relay
 * answering several pipelined calls at once). Pairs nest; any thread. Never
 * wait for the client's queue to drain while holding a cork.
 */
void mv_server_client_cork(MvServerClient *client);
void mv_server_client_uncork(MvServerClient *client);

/**
 * mv_server_client_close:
 * Closes the connection once the queued output has been written (@flush) or
 * at once. Any thread.
 */
void mv_server_client_close(MvServerClient *client, bool flush);

/** mv_server_client_is_closed: true once closing started. */
bool mv_server_client_is_closed(MvServerClient *client);

/**
 * mv_server_client_add_stream / remove_stream:
 * Routes STREAM packets with (@proc, @serial) to @func on the I/O thread.
 */
void mv_server_client_add_stream(MvServerClient *client, int proc, guint32 serial,
                                 MvServerStreamFunc func, gpointer stream_data);
void mv_server_client_remove_stream(MvServerClient *client, int proc, guint32 serial);

/**
 * mv_server_client_add_stream_full:
 * Like mv_server_client_add_stream(), with reference counting of @stream_data:
 * the registry holds a reference (@ref_data at registration, @unref_data at
 * removal) and so does each delivery, so @stream_data may be released by
 * another thread while a packet is being handled.
 */
void mv_server_client_add_stream_full(MvServerClient *client, int proc, guint32 serial,
                                      MvServerStreamFunc func, gpointer stream_data,
                                      MvRefFunc ref_data, GDestroyNotify unref_data);

/* ---- the call being served ---- */

MvServerClient *mv_server_call_get_client(MvServerCall *call);
const MvMessageHeader *mv_server_call_get_header(MvServerCall *call);
const MvProcInfo *mv_server_call_get_proc(MvServerCall *call);
/** mv_server_call_get_client_data: shortcut for the client's private data. */
gpointer mv_server_call_get_client_data(MvServerCall *call);

/**
 * mv_server_call_close_after_reply:
 * The connection closes once this call's reply has been written (CONNECT_CLOSE).
 */
void mv_server_call_close_after_reply(MvServerCall *call);

/**
 * mv_server_call_after_reply:
 * Runs @func(@data) on the thread that sent this call's reply, right after it
 * was queued (e.g. start a stream's data flow only once the opening REPLY is
 * on its way). Only when the call succeeded; otherwise @destroy frees @data.
 */
void mv_server_call_after_reply(MvServerCall *call, GFunc func, gpointer data,
                                GDestroyNotify destroy);

/**
 * mv_server_call_reply_raw:
 * Answers a raw call (MvServerRawFunc) with a REPLY of @status (MV_STATUS_OK
 * or MV_STATUS_ERROR) carrying @len bytes of already encoded @payload, and
 * frees @call. Any thread.
 */
void mv_server_call_reply_raw(MvServerCall *call, int status, const void *payload, gsize len);

/**
 * mv_server_call_reply_error:
 * Answers a raw call with an ERROR reply made from @err and frees @call. Any thread.
 */
void mv_server_call_reply_error(MvServerCall *call, const GError *err);

G_END_DECLS
