/* MvRpcClient: one connection to a daemon speaking the remote protocol.
 *
 * Safe to use from several threads at once: each call gets its own serial and
 * the caller waits for the REPLY with that serial while other calls are in
 * flight. A private I/O thread reads the socket, hands replies to their callers,
 * answers keepalive PINGs and delivers MESSAGE packets (events) to the event
 * handler; or, after mv_rpc_client_attach(), a source on a main context does. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "rpc/proc.h"
#include "rpc/message.h"
#include "rpc/tls.h"

G_BEGIN_DECLS

typedef struct _MvRpcClient MvRpcClient;

/* Called on the client's I/O thread for each MESSAGE of a program other than
 * KEEPALIVE (events). @payload is the undecoded body; decode it with
 * mv_message_decode_payload(). Must not block. */
typedef void (*MvRpcEventFunc)(MvRpcClient *client, const MvMessageHeader *hdr,
                               const guint8 *payload, gsize len, gpointer user_data);

/* Called on the client's I/O thread for STREAM packets. */
typedef void (*MvRpcStreamFunc)(MvRpcClient *client, const MvMessageHeader *hdr,
                                const guint8 *payload, gsize len, gpointer user_data);

/* The answer to an asynchronous raw call: on success @hdr/@payload are the
 * REPLY (status OK or ERROR; the payload is only valid during the callback)
 * and @error is NULL; when the connection failed first, @hdr is NULL and
 * @error says why. Runs on the client's I/O thread (or on the thread that
 * noticed the failure); must not block. */
typedef void (*MvRpcReplyFunc)(MvRpcClient *client, const MvMessageHeader *hdr,
                               const guint8 *payload, gsize len, const GError *error,
                               gpointer user_data);

/* The connection broke (EOF, error, keepalive timeout): called once on the
 * client's I/O thread, not when mv_rpc_client_free() closes it. */
typedef void (*MvRpcCloseFunc)(MvRpcClient *client, const char *reason, gpointer user_data);

/**
 * mv_rpc_client_new_unix:
 * Connects to the UNIX socket at @path. Returns a new client (free with
 * mv_rpc_client_free()) or NULL with @error set (code MV_ERR_NO_CONNECT, the
 * message names the socket).
 */
MvRpcClient *mv_rpc_client_new_unix(const char *path, GError **error);

/**
 * mv_rpc_client_new_fd:
 * Wraps a connected stream socket @fd; the client owns @fd from now on.
 */
MvRpcClient *mv_rpc_client_new_fd(int fd, GError **error);

/**
 * mv_rpc_client_new_tls:
 * Wraps a connected non-blocking socket @fd whose TLS handshake @session has
 * finished: calls, replies, events and streams go through @session (read and
 * written by the client's own threads; no relay). The client owns @fd and
 * @session from now on, also on failure.
 */
MvRpcClient *mv_rpc_client_new_tls(int fd, MvTlsSession *session, GError **error);

/** mv_rpc_client_free: closes the connection; fails calls still waiting. NULL is fine. */
void mv_rpc_client_free(MvRpcClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvRpcClient, mv_rpc_client_free)

/**
 * mv_rpc_client_call:
 * Sends a CALL of procedure @proc of @program with @args (encoded with
 * @proc->args_filter; NULL for void) and waits for its REPLY. On success
 * decodes the result into @ret (caller-allocated, zeroed, of @proc->ret_size;
 * free its contents with xdr_free(proc->ret_filter, ret)) and returns true. An
 * ERROR reply becomes an MV_ERROR with the wire code, subsystem and message.
 */
bool mv_rpc_client_call(MvRpcClient *client, const MvProgramInfo *program,
                        const MvProcInfo *proc, const void *args, void *ret,
                        GError **error);

/**
 * mv_rpc_client_call_serial:
 * Like mv_rpc_client_call() and also returns the serial used (streams are
 * keyed by it). @ret_serial may be NULL.
 */
bool mv_rpc_client_call_serial(MvRpcClient *client, const MvProgramInfo *program,
                               const MvProcInfo *proc, const void *args, void *ret,
                               guint32 *ret_serial, GError **error);

/**
 * mv_rpc_client_call_raw_async:
 * Sends a CALL of @proc of (@prog, @vers) with @len bytes of already encoded
 * @payload and returns without waiting; never blocks (what the socket cannot
 * take now is queued and written by the client's I/O thread). @func gets the
 * REPLY exactly once when this returns true, never when it returns false.
 * @ret_serial (may be NULL) is the serial used; the reply may arrive before
 * this returns.
 */
bool mv_rpc_client_call_raw_async(MvRpcClient *client, guint32 prog, guint32 vers, int proc,
                                  const void *payload, gsize len, MvRpcReplyFunc func,
                                  gpointer user_data, guint32 *ret_serial, GError **error);

/**
 * mv_rpc_client_call_raw:
 * Sends a CALL with an already encoded @payload and waits for its REPLY,
 * returned whole in @ret_reply (status OK or ERROR; free it with
 * mv_message_free()). False only when the connection failed.
 */
bool mv_rpc_client_call_raw(MvRpcClient *client, guint32 prog, guint32 vers, int proc,
                            const void *payload, gsize len, MvMessage **ret_reply,
                            GError **error);

/**
 * mv_rpc_client_queue_message:
 * Sends the framed @msg (ownership moves to the client) without ever
 * blocking: what the socket cannot take now is written later by the client's
 * I/O thread, in order. False (and @msg freed) when the connection is closed.
 */
bool mv_rpc_client_queue_message(MvRpcClient *client, MvMessage *msg, GError **error);

/**
 * mv_rpc_client_cork / uncork:
 * While corked, frames sent with mv_rpc_client_call_raw_async() and
 * mv_rpc_client_queue_message() are only queued; the last uncork writes them
 * all with as few sendmsg() calls as the socket allows (a relay forwarding a
 * client's pipelined calls sends them in one write). Pairs nest; any thread.
 * Blocking senders (mv_rpc_client_call(), _send_message()) are not held.
 */
void mv_rpc_client_cork(MvRpcClient *client);
void mv_rpc_client_uncork(MvRpcClient *client);

/* Called on the client's I/O thread after it handled every frame of one read
 * (and once more when the connection breaks): a consumer that held back what
 * the frames produced (a relay batching replies) writes it now. */
typedef void (*MvRpcBatchFunc)(MvRpcClient *client, gpointer user_data);

/** mv_rpc_client_set_batch_handler: installs the batch handler (NULL removes). */
void mv_rpc_client_set_batch_handler(MvRpcClient *client, MvRpcBatchFunc func,
                                     gpointer user_data);

/**
 * mv_rpc_client_queue_frame:
 * Like mv_rpc_client_queue_message() for the frame of @hdr with @len bytes at
 * @payload: written from where it is when nothing is queued (header and
 * payload as two iovecs, no copy); only what the socket does not take now is
 * copied into the queue. Never blocks.
 */
bool mv_rpc_client_queue_frame(MvRpcClient *client, const MvMessageHeader *hdr,
                               const guint8 *payload, gsize len, GError **error);

/** mv_rpc_client_get_queued_bytes: bytes of frames waiting in the output queue. Any thread. */
gsize mv_rpc_client_get_queued_bytes(MvRpcClient *client);

/**
 * mv_rpc_client_add_drain_watch:
 * Calls @func(@data, @client) once the output queue is empty: at once (on
 * this thread) when it already is, else on the thread that writes its last
 * byte. When the connection closes first, @func runs too (on the closing
 * thread), so a producer waiting for the queue is never left hanging. Any thread.
 */
void mv_rpc_client_add_drain_watch(MvRpcClient *client, GFunc func, gpointer data);

/** mv_rpc_client_set_close_handler: installs the broken-connection handler. */
void mv_rpc_client_set_close_handler(MvRpcClient *client, MvRpcCloseFunc func,
                                     gpointer user_data);

/** mv_rpc_client_set_event_handler: installs the MESSAGE handler (NULL removes). */
void mv_rpc_client_set_event_handler(MvRpcClient *client, MvRpcEventFunc func,
                                     gpointer user_data);

/** mv_rpc_client_set_stream_handler: installs the STREAM packet handler. */
void mv_rpc_client_set_stream_handler(MvRpcClient *client, MvRpcStreamFunc func,
                                      gpointer user_data);

/**
 * mv_rpc_client_send_raw:
 * Sends one already framed message (used for STREAM packets). Thread-safe.
 */
bool mv_rpc_client_send_message(MvRpcClient *client, MvMessage *msg, GError **error);

/**
 * mv_rpc_client_start_keepalive:
 * Pings the server after @interval seconds of silence and closes the
 * connection after @count unanswered pings.
 */
void mv_rpc_client_start_keepalive(MvRpcClient *client, int interval, int count);

/**
 * mv_rpc_client_attach:
 * From now on the connection is served by a source on @ctx instead of the
 * client's own thread (which exits): replies, events, stream packets, the
 * batch and close handlers and queued writes run in the turns of whoever
 * iterates @ctx, so a relay serving its clients on @ctx reads a reply and
 * writes it on in one turn, without a thread hand-off. Blocking calls
 * (mv_rpc_client_call()) stay possible from other threads, never from the
 * thread iterating @ctx; mv_rpc_client_free() may run on any thread but not
 * in a handler of this client. Keepalive runs as started before attaching.
 * Plain sockets only (not TLS). False when the connection already closed
 * (its close handler has run or runs now).
 */
bool mv_rpc_client_attach(MvRpcClient *client, GMainContext *ctx);

/**
 * mv_rpc_client_shutdown:
 * Closes the connection now without freeing @client: calls still waiting
 * fail at once (blocking callers return, asynchronous ones get their error),
 * later calls fail, the close handler is not called. For a relay dropping an
 * attached connection whose context may stop being iterated (a daemon
 * shutting down) while another thread still waits in mv_rpc_client_call().
 * Any thread.
 */
void mv_rpc_client_shutdown(MvRpcClient *client);

/**
 * mv_rpc_client_hold_input / release_input:
 * While at least one hold is taken, no further frame is handled and nothing
 * more is read (the server's packets stay in the socket): a relay whose
 * downstream is congested holds the input until it drained. Each hold is
 * released exactly once. Any thread.
 */
void mv_rpc_client_hold_input(MvRpcClient *client);
void mv_rpc_client_release_input(MvRpcClient *client);

/** mv_rpc_client_is_open: false once the connection is closed or broken. */
bool mv_rpc_client_is_open(MvRpcClient *client);

G_END_DECLS
