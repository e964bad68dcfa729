/* One server connection: reading frames, writing replies, keepalive, closing.
 *
 * Reading happens on the I/O thread only. Writing happens on whichever thread
 * produced a message: if nothing is queued it writes straight to the
 * (non-blocking) socket, otherwise the message is queued and the I/O thread
 * flushes the queue when the socket becomes writable. */
#define MV_LOG_CATEGORY "rpc"
#include "rpc/server-priv.h"

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "util/log.h"

#define READ_BUF_MIN   4096u
#define READ_BUF_KEEP  65536u
#define READS_PER_WAKE 4
/* Repeated per-client log lines: at most LOG_BURST per LOG_WINDOW_US. */
#define LOG_BURST      10u
#define LOG_WINDOW_US  (10 * G_USEC_PER_SEC)
/* Freeing more than this when a client goes: hand the memory back to the system. */
#define TRIM_BYTES     (1024u * 1024u)

typedef struct {
    GSource base;
    MvServerClient *client;
} ClientSource;

static void client_close_now(MvServerClient *client);
static void client_called(MvServerClient *client);

/* The memory a queued message holds, as counted against max_client_queue. */
static gsize
message_cost(const MvMessage *msg)
{
    return msg->alloc + sizeof(*msg) + sizeof(GList);
}

static bool
message_is_event(const MvMessage *msg)
{
    return msg->hdr.type == MV_MESSAGE_MESSAGE && msg->hdr.prog != MV_PROGRAM_KEEPALIVE;
}

/* client->lock held */
static void
outq_push(MvServerClient *client, MvMessage *msg)
{
    g_queue_push_tail(&client->outq, msg);
    client->outq_bytes += message_cost(msg);
    if (message_is_event(msg))
        client->outq_event_bytes += message_cost(msg);
}

/* client->lock held */
static void
outq_pop(MvServerClient *client)
{
    MvMessage *msg = g_queue_pop_head(&client->outq);

    client->outq_bytes -= message_cost(msg);
    if (message_is_event(msg))
        client->outq_event_bytes -= message_cost(msg);
    mv_message_free(msg);
}

static void
drain_watch_cancel(gpointer data)
{
    MvServerDrainWatch *w = data;

    if (w->destroy)
        w->destroy(w->data);
    g_free(w);
}

static guint
queue_limit(MvServerClient *client)
{
    guint limit;

    g_mutex_lock(&client->server->lock);
    limit = MAX(client->server->config.max_client_queue, 1);
    g_mutex_unlock(&client->server->lock);
    return limit;
}

MvServerClient *
mv_server_client_new(MvServer *server, guint64 id, int fd, bool readonly)
{
    MvServerClient *client = g_new0(MvServerClient, 1);
    struct sockaddr_storage addr;
    socklen_t addrlen = sizeof(addr);
    struct ucred cred;
    socklen_t credlen = sizeof(cred);

    client->ref = 2;    /* one for the server's table, one for the source */
    client->server = server;
    client->id = id;
    client->fd = fd;
    client->readonly = readonly;
    g_mutex_init(&client->lock);
    g_queue_init(&client->outq);
    client->ralloc = READ_BUF_MIN;
    client->rbuf = g_malloc(client->ralloc);
    client->last_recv = g_get_monotonic_time();
    /* Peer credentials mean something on UNIX sockets only. */
    if (getsockname(fd, (struct sockaddr *)&addr, &addrlen) == 0 && addr.ss_family == AF_UNIX &&
        getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &credlen) == 0) {
        client->has_cred = true;
        client->pid = cred.pid;
        client->uid = cred.uid;
        client->gid = cred.gid;
    }
    return client;
}

MvServerClient *
mv_server_client_ref(MvServerClient *client)
{
    g_atomic_int_inc(&client->ref);
    return client;
}

void
mv_server_client_unref(MvServerClient *client)
{
    if (!client || !g_atomic_int_dec_and_test(&client->ref))
        return;
    if (client->server->hooks.client_free && client->data)
        client->server->hooks.client_free(client->data);
    g_queue_clear_full(&client->outq, (GDestroyNotify)mv_message_free);
    g_slist_free_full(client->drain_watches, drain_watch_cancel);
    g_clear_pointer(&client->streams, g_hash_table_unref);
    mv_tls_session_free(client->tls);
    if (client->fd >= 0)
        close(client->fd);
    g_free(client->rbuf);
    g_mutex_clear(&client->lock);
    g_free(client);
}

gpointer
mv_server_client_get_data(MvServerClient *client)
{
    return client->data;
}

MvServer *
mv_server_client_get_server(MvServerClient *client)
{
    return client->server;
}

guint64
mv_server_client_get_id(MvServerClient *client)
{
    return client->id;
}

bool
mv_server_client_is_readonly(MvServerClient *client)
{
    return g_atomic_int_get(&client->readonly);
}

void
mv_server_client_set_readonly(MvServerClient *client)
{
    g_atomic_int_set(&client->readonly, 1);
}

bool
mv_server_client_get_identity(MvServerClient *client, pid_t *ret_pid, uid_t *ret_uid,
                              gid_t *ret_gid)
{
    if (!client->has_cred)
        return false;
    if (ret_pid)
        *ret_pid = client->pid;
    if (ret_uid)
        *ret_uid = client->uid;
    if (ret_gid)
        *ret_gid = client->gid;
    return true;
}

const char *
mv_server_client_get_tls_dn(MvServerClient *client)
{
    return client->tls && !client->tls_handshaking ? mv_tls_session_get_dn(client->tls) : NULL;
}

bool
mv_server_client_is_tls(MvServerClient *client)
{
    return client->tls != NULL;
}

static ssize_t
client_send(MvServerClient *client, const void *buf, size_t len)
{
    if (client->tls)
        return mv_tls_session_send(client->tls, buf, len);
    return send(client->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
}

static ssize_t
client_recv(MvServerClient *client, void *buf, size_t len)
{
    if (client->tls)
        return mv_tls_session_recv(client->tls, buf, len);
    return recv(client->fd, buf, len, MSG_DONTWAIT);
}

/* Decrypted input waiting inside the TLS session: poll() cannot see it. */
static bool
tls_pending(MvServerClient *client)
{
    return client->tls && !client->tls_handshaking && mv_tls_session_pending(client->tls) > 0;
}

/* Messages written with one sendmsg() when several are queued (plain sockets). */
#define FLUSH_IOV_MAX 64

/* One sendmsg() of the first queued messages (plain sockets); client->lock
 * held. Returns what send() returns; whole messages written leave the queue. */
static ssize_t
flush_gather_locked(MvServerClient *client)
{
    struct iovec iov[FLUSH_IOV_MAX];
    struct msghdr mh = { .msg_iov = iov };
    ssize_t n, left;

    for (GList *l = client->outq.head; l && mh.msg_iovlen < FLUSH_IOV_MAX; l = l->next) {
        MvMessage *m = l->data;
        iov[mh.msg_iovlen].iov_base = m->data + m->done;
        iov[mh.msg_iovlen++].iov_len = m->len - m->done;
    }
    n = sendmsg(client->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
    for (left = n; left > 0;) {
        MvMessage *m = g_queue_peek_head(&client->outq);
        gsize take = MIN((gsize)left, m->len - m->done);

        m->done += take;
        left -= take;
        if (m->done == m->len)
            outq_pop(client);
    }
    return n;
}

/* Writes queued output; client->lock held. Returns false on a fatal error. */
static bool
flush_locked(MvServerClient *client)
{
    MvMessage *msg;

    if (client->tls_handshaking)
        return true;    /* nothing goes out before the handshake is done */
    while ((msg = g_queue_peek_head(&client->outq))) {
        bool gather = !client->tls && client->outq.head->next;
        ssize_t n = gather ? flush_gather_locked(client)
                           : client_send(client, msg->data + msg->done, msg->len - msg->done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return true;
            mv_log_debug("client %" G_GUINT64_FORMAT ": write failed: %s", client->id,
                         g_strerror(errno));
            return false;
        }
        if (gather)
            continue;   /* flush_gather_locked() moved the queue on */
        msg->done += n;
        if (msg->done == msg->len)
            outq_pop(client);
    }
    return true;
}

void
mv_server_client_wake(MvServerClient *client)
{
    g_mutex_lock(&client->lock);
    if (client->source)
        g_source_set_ready_time(client->source, 0);
    g_mutex_unlock(&client->lock);
}

bool
mv_server_client_send(MvServerClient *client, MvMessage *msg)
{
    guint limit = queue_limit(client);
    bool was_empty;

    g_mutex_lock(&client->lock);
    if (client->closed || (client->closing && !client->flush_before_close)) {
        g_mutex_unlock(&client->lock);
        mv_message_free(msg);
        return false;
    }
    if (message_is_event(msg) && client->outq_event_bytes + message_cost(msg) > limit) {
        /* It does not read its events: holding them all would let any client
         * grow the daemon without bound. */
        gsize queued = client->outq_event_bytes;

        client->closing = true;
        client->flush_before_close = false;
        if (client->source)
            g_source_set_ready_time(client->source, 0);
        g_mutex_unlock(&client->lock);
        mv_message_free(msg);
        mv_log_warning("client %" G_GUINT64_FORMAT " (pid %d uid %u) does not read its events "
                       "(%zu bytes queued, limit max_client_queue = %u); closing it",
                       client->id, (int)client->pid, (unsigned)client->uid, queued, limit);
        return false;
    }
    was_empty = g_queue_is_empty(&client->outq);
    outq_push(client, msg);
    if (client->corked && !client->closing) {
        /* mv_server_client_uncork() writes it with the rest of the batch. */
        g_mutex_unlock(&client->lock);
        return true;
    }
    if (was_empty && !flush_locked(client)) {
        /* Broken peer: let the I/O thread close it. */
        client->closing = true;
        client->flush_before_close = false;
    }
    if ((!g_queue_is_empty(&client->outq) || client->closing) && client->source)
        g_source_set_ready_time(client->source, 0);
    g_mutex_unlock(&client->lock);
    return true;
}

/* @head_len bytes at @head then @len at @payload as one queued message. */
static MvMessage *
frame_copy(const MvMessageHeader *hdr, const guint8 *head, gsize head_len,
           const guint8 *payload, gsize len)
{
    MvMessage *msg = mv_message_new(MV_MESSAGE_PREFIX_SIZE + head_len + len);
    guint8 *body = msg->data + MV_MESSAGE_PREFIX_SIZE;

    mv_message_put_prefix(msg->data, hdr, head_len + len);
    msg->len = MV_MESSAGE_PREFIX_SIZE + head_len + len;
    msg->hdr = *hdr;
    if (head_len)
        memcpy(body, head, head_len);
    if (len)
        memcpy(body + head_len, payload, len);
    return msg;
}

void
mv_server_client_send_frame_head(MvServerClient *client, const MvMessageHeader *hdr,
                                 const guint8 *head, gsize head_len, const guint8 *payload,
                                 gsize len)
{
    guint8 prefix[MV_MESSAGE_PREFIX_SIZE];
    struct iovec iov[3] = { { .iov_base = prefix, .iov_len = sizeof(prefix) } };
    struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 1 };
    MvMessage *rest;
    ssize_t n;

    if (head_len) {
        iov[mh.msg_iovlen].iov_base = (void *)head;
        iov[mh.msg_iovlen++].iov_len = head_len;
    }
    if (len) {
        iov[mh.msg_iovlen].iov_base = (void *)payload;
        iov[mh.msg_iovlen++].iov_len = len;
    }
    g_mutex_lock(&client->lock);
    if (client->tls || client->corked || client->closed || client->closing ||
        !g_queue_is_empty(&client->outq)) {
        g_mutex_unlock(&client->lock);
        /* Queued: events count against the client's event limit there. */
        mv_server_client_send(client, frame_copy(hdr, head, head_len, payload, len));
        return;
    }
    mv_message_put_prefix(prefix, hdr, head_len + len);
    do {
        n = sendmsg(client->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n == (ssize_t)(sizeof(prefix) + head_len + len)) {
        g_mutex_unlock(&client->lock);
        return;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
        mv_log_debug("client %" G_GUINT64_FORMAT ": write failed: %s", client->id,
                     g_strerror(errno));
        client->closing = true;     /* broken peer: the I/O thread closes it */
        client->flush_before_close = false;
    } else {
        /* The socket is full: the rest waits for the I/O thread's G_IO_OUT. */
        rest = frame_copy(hdr, head, head_len, payload, len);
        rest->done = n > 0 ? (gsize)n : 0;
        outq_push(client, rest);
    }
    if (client->source)
        g_source_set_ready_time(client->source, 0);
    g_mutex_unlock(&client->lock);
}

void
mv_server_client_send_frame(MvServerClient *client, const MvMessageHeader *hdr,
                            const guint8 *payload, gsize len)
{
    mv_server_client_send_frame_head(client, hdr, NULL, 0, payload, len);
}

void
mv_server_client_cork(MvServerClient *client)
{
    g_mutex_lock(&client->lock);
    client->corked++;
    g_mutex_unlock(&client->lock);
}

void
mv_server_client_uncork(MvServerClient *client)
{
    g_mutex_lock(&client->lock);
    if (client->corked == 0) {
        g_mutex_unlock(&client->lock);
        g_return_if_reached();
    }
    if (--client->corked == 0 && !client->closed && !g_queue_is_empty(&client->outq)) {
        if (!flush_locked(client)) {
            client->closing = true;
            client->flush_before_close = false;
        }
        if ((!g_queue_is_empty(&client->outq) || client->closing) && client->source)
            g_source_set_ready_time(client->source, 0);
    }
    g_mutex_unlock(&client->lock);
}

void
mv_server_client_close(MvServerClient *client, bool flush)
{
    g_mutex_lock(&client->lock);
    if (!client->closing) {
        client->closing = true;
        client->flush_before_close = flush;
    } else if (!flush) {
        client->flush_before_close = false;
    }
    if (client->source)
        g_source_set_ready_time(client->source, 0);
    g_mutex_unlock(&client->lock);
}

bool
mv_server_client_is_congested(MvServerClient *client)
{
    guint limit = queue_limit(client);
    bool congested;

    g_mutex_lock(&client->lock);
    congested = client->outq_bytes >= limit;
    g_mutex_unlock(&client->lock);
    return congested;
}

gsize
mv_server_client_get_queued_bytes(MvServerClient *client)
{
    gsize n;

    g_mutex_lock(&client->lock);
    n = client->outq_bytes;
    g_mutex_unlock(&client->lock);
    return n;
}

void
mv_server_client_add_drain_watch(MvServerClient *client, GFunc func, gpointer data,
                                 GDestroyNotify destroy)
{
    MvServerDrainWatch *w = g_new0(MvServerDrainWatch, 1);

    w->func = func;
    w->data = data;
    w->destroy = destroy;
    g_mutex_lock(&client->lock);
    if (client->closed) {
        g_mutex_unlock(&client->lock);
        drain_watch_cancel(w);
        return;
    }
    client->drain_watches = g_slist_append(client->drain_watches, w);
    /* The I/O thread decides (it may have drained the queue already). */
    if (client->source)
        g_source_set_ready_time(client->source, 0);
    g_mutex_unlock(&client->lock);
}

/* Runs the drain watches once the queue is down to half the limit (I/O thread). */
static void
drain_watches_run(MvServerClient *client)
{
    guint limit = queue_limit(client);
    GSList *watches = NULL;

    g_mutex_lock(&client->lock);
    if (client->drain_watches && client->outq_bytes <= limit / 2)
        watches = g_steal_pointer(&client->drain_watches);
    g_mutex_unlock(&client->lock);
    for (GSList *l = watches; l; l = l->next) {
        MvServerDrainWatch *w = l->data;
        w->func(w->data, client);
        if (w->destroy)
            w->destroy(w->data);
        g_free(w);
    }
    g_slist_free(watches);
}

bool
mv_server_client_log_allowed(MvServerClient *client, guint *ret_suppressed)
{
    gint64 now = g_get_monotonic_time();
    bool ok;

    g_mutex_lock(&client->lock);
    if (now - client->log_window >= LOG_WINDOW_US) {
        client->log_window = now;
        client->log_count = 0;
    }
    ok = client->log_count < LOG_BURST;
    if (ok) {
        client->log_count++;
        *ret_suppressed = client->log_quiet;
        client->log_quiet = 0;
    } else {
        client->log_quiet++;
    }
    g_mutex_unlock(&client->lock);
    return ok;
}

bool
mv_server_client_is_closed(MvServerClient *client)
{
    bool closed;

    g_mutex_lock(&client->lock);
    closed = client->closing || client->closed;
    g_mutex_unlock(&client->lock);
    return closed;
}

static guint64
stream_key(int proc, guint32 serial)
{
    return ((guint64)(guint32)proc << 32) | serial;
}

void
mv_server_client_add_stream(MvServerClient *client, int proc, guint32 serial,
                            MvServerStreamFunc func, gpointer stream_data)
{
    mv_server_client_add_stream_full(client, proc, serial, func, stream_data, NULL, NULL);
}

static void
stream_free(MvServerStream *stream)
{
    if (stream->unref_data)
        stream->unref_data(stream->data);
    g_free(stream);
}

void
mv_server_client_add_stream_full(MvServerClient *client, int proc, guint32 serial,
                                 MvServerStreamFunc func, gpointer stream_data,
                                 MvRefFunc ref_data, GDestroyNotify unref_data)
{
    MvServerStream *stream = g_new0(MvServerStream, 1);

    stream->func = func;
    stream->data = ref_data ? ref_data(stream_data) : stream_data;
    stream->ref_data = ref_data;
    stream->unref_data = unref_data;
    g_mutex_lock(&client->lock);
    if (!client->streams)
        client->streams = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                                (GDestroyNotify)stream_free);
    g_hash_table_insert(client->streams, g_memdup2(&(guint64){ stream_key(proc, serial) },
                                                   sizeof(guint64)),
                        stream);
    g_mutex_unlock(&client->lock);
}

void
mv_server_client_remove_stream(MvServerClient *client, int proc, guint32 serial)
{
    guint64 key = stream_key(proc, serial);

    g_mutex_lock(&client->lock);
    if (client->streams)
        g_hash_table_remove(client->streams, &key);
    g_mutex_unlock(&client->lock);
}

/* Delivers a STREAM packet to its registered stream (I/O thread). */
static void
deliver_stream(MvServerClient *client, const MvMessageHeader *hdr, const guint8 *data,
               gsize len)
{
    guint64 key = stream_key(hdr->proc, hdr->serial);
    MvServerStream stream = { 0 };
    MvServerStream *found = NULL;

    g_mutex_lock(&client->lock);
    if (client->streams && (found = g_hash_table_lookup(client->streams, &key))) {
        stream = *found;
        /* Keep the data alive while we call out: another thread may remove it. */
        if (stream.ref_data)
            stream.ref_data(stream.data);
    }
    g_mutex_unlock(&client->lock);
    if (!found) {
        mv_log_debug("client %" G_GUINT64_FORMAT ": STREAM packet for no open stream "
                     "(proc %d serial %u) dropped", client->id, hdr->proc, hdr->serial);
        return;
    }
    stream.func(client, hdr, data, len, stream.data);
    if (stream.unref_data)
        stream.unref_data(stream.data);
}

static void
send_keepalive(MvServerClient *client, int proc)
{
    MvMessageHeader hdr = {
        .prog = MV_PROGRAM_KEEPALIVE,
        .vers = MV_PROGRAM_VERSION,
        .proc = proc,
        .type = MV_MESSAGE_MESSAGE,
        .serial = 0,
        .status = MV_STATUS_OK,
    };

    mv_server_client_send(client, mv_message_encode_raw(&hdr, NULL, 0));
}

/* Handles one complete frame (I/O thread). */
static void
handle_frame(MvServerClient *client, const guint8 *frame, gsize len)
{
    MvMessageHeader hdr;

    mv_message_decode_header(frame + MV_MESSAGE_LEN_WORD, &hdr);
    switch (hdr.type) {
    case MV_MESSAGE_CALL:
    case MV_MESSAGE_CALL_WITH_FDS:
        client_called(client);
        mv_server_dispatch_frame(client, frame, len);
        break;
    case MV_MESSAGE_MESSAGE:
        if (hdr.prog == MV_PROGRAM_KEEPALIVE && hdr.proc == MV_KEEPALIVE_PROC_PING)
            send_keepalive(client, MV_KEEPALIVE_PROC_PONG);
        break;
    case MV_MESSAGE_STREAM:
    case MV_MESSAGE_STREAM_HOLE:
        deliver_stream(client, &hdr,
                       frame + MV_MESSAGE_LEN_WORD + MV_MESSAGE_HEADER_SIZE,
                       len - MV_MESSAGE_LEN_WORD - MV_MESSAGE_HEADER_SIZE);
        break;
    default:
        /* REPLY and unknown types from a client are ignored, like libvirtd does. */
        break;
    }
}

/* False (and reading paused) when the client has max_client_requests in
 * flight or max_client_queue bytes of output it has not read yet: a client
 * that pipelines calls and never reads stops being read, instead of making
 * the daemon hold every reply. */
static bool
calls_allowed(MvServerClient *client)
{
    guint max;
    guint limit;
    bool ok;

    g_mutex_lock(&client->server->lock);
    max = MAX(client->server->config.max_client_requests, 1);
    limit = MAX(client->server->config.max_client_queue, 1);
    g_mutex_unlock(&client->server->lock);
    g_mutex_lock(&client->lock);
    ok = client->inflight < max && client->outq_bytes < limit && client->input_holds == 0;
    client->read_paused = !ok;
    g_mutex_unlock(&client->lock);
    return ok;
}

static void
first_call_timer_stop(MvServerClient *client)
{
    if (client->first_call_timer) {
        g_source_destroy(client->first_call_timer);
        g_clear_pointer(&client->first_call_timer, g_source_unref);
    }
}

static gboolean
first_call_deadline(gpointer data)
{
    MvServerClient *client = data;

    if (!client->called) {
        mv_log_info("client %" G_GUINT64_FORMAT " (pid %d uid %u) sent no call within "
                    "first_call_timeout; closing it", client->id, (int)client->pid,
                    (unsigned)client->uid);
        g_clear_pointer(&client->first_call_timer, g_source_unref);
        client_close_now(client);
    }
    return G_SOURCE_REMOVE;
}

/* A complete CALL arrived: the connection is in use (I/O thread). */
static void
client_called(MvServerClient *client)
{
    if (client->called)
        return;
    client->called = true;
    first_call_timer_stop(client);
}

static bool
client_has_streams(MvServerClient *client)
{
    bool any;

    g_mutex_lock(&client->lock);
    any = client->streams && g_hash_table_size(client->streams) > 0;
    g_mutex_unlock(&client->lock);
    return any;
}

/* Handles every complete frame in the read buffer. False: protocol violation. */
static bool
process_buffer(MvServerClient *client)
{
    gsize off = 0;

    while (client->rlen - off >= MV_MESSAGE_LEN_WORD) {
        g_autoptr(GError) err = NULL;
        guint32 len;

        if (!mv_message_decode_length(client->rbuf + off, &len, &err)) {
            mv_log_info("client %" G_GUINT64_FORMAT ": %s; closing it", client->id,
                        err->message);
            /* Calls before the garbage were forwarded: what was held goes out. */
            if (client->raw_batch_progs)
                mv_server_raw_batch_end(client);
            return false;
        }
        if (client->rlen - off < len) {
            if (len > client->ralloc && off == 0) {
                client->ralloc = len;
                client->rbuf = g_realloc(client->rbuf, client->ralloc);
            }
            break;
        }
        if (!calls_allowed(client))
            break;
        handle_frame(client, client->rbuf + off, len);
        off += len;
        if (mv_server_client_is_closed(client))
            break;
    }
    if (client->raw_batch_progs)
        mv_server_raw_batch_end(client);
    if (off) {
        memmove(client->rbuf, client->rbuf + off, client->rlen - off);
        client->rlen -= off;
    }
    /* A big buffer goes back once idle, but not while a stream is open: an
     * upload's next 256 KiB frame would grow it again (page faults per frame). */
    if (client->rlen == 0 && client->ralloc > READ_BUF_KEEP && !client_has_streams(client)) {
        client->ralloc = READ_BUF_MIN;
        client->rbuf = g_realloc(client->rbuf, client->ralloc);
    }
    return true;
}

/* Reads what the socket has (I/O thread). False: EOF or error. */
static bool
read_input(MvServerClient *client)
{
    for (int i = 0; i < READS_PER_WAKE && !client->read_paused; i++) {
        gsize space;
        ssize_t n;

        if (client->rlen == client->ralloc) {
            /* Still reading a frame's first bytes or a large frame: grow. */
            client->ralloc = MIN(client->ralloc * 2, (gsize)MV_MESSAGE_MAX);
            client->rbuf = g_realloc(client->rbuf, client->ralloc);
        }
        space = client->ralloc - client->rlen;
        /* The rest of a big frame (stream data) and no more: what is read past
         * it would be moved to the front of the buffer afterwards, a copy. */
        if (client->rlen >= MV_MESSAGE_LEN_WORD) {
            guint32 flen = ((guint32)client->rbuf[0] << 24) | ((guint32)client->rbuf[1] << 16) |
                           ((guint32)client->rbuf[2] << 8) | client->rbuf[3];
            if (flen > READ_BUF_KEEP && flen > client->rlen)
                space = MIN(space, flen - client->rlen);
        }
        n = client_recv(client, client->rbuf + client->rlen, space);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return true;
            mv_log_debug("client %" G_GUINT64_FORMAT ": read failed: %s", client->id,
                         g_strerror(errno));
            return false;
        }
        if (n == 0) {
            if (client->rlen)
                mv_log_info("client %" G_GUINT64_FORMAT ": connection closed in the "
                            "middle of a message (%zu bytes pending)", client->id,
                            client->rlen);
            return false;
        }
        client->rlen += n;
        client->last_recv = g_get_monotonic_time();
        client->keepalive_sent = 0;
        if (!process_buffer(client))
            return false;
        if ((gsize)n < space && !tls_pending(client))
            return true;    /* the socket is drained: skip the recv() that says EAGAIN */
    }
    return true;
}

/* Recomputes which events the I/O thread waits for. */
static void
update_events(MvServerClient *client)
{
    GIOCondition events = 0;

    g_mutex_lock(&client->lock);
    if (client->source) {
        if (!client->read_paused && !client->closing)
            events |= G_IO_IN;
        if (!g_queue_is_empty(&client->outq))
            events |= G_IO_OUT;
        /* Modifying wakes the main context: only do it when something changed. */
        if (events != client->events) {
            g_source_modify_unix_fd(client->source, client->fd_tag, events);
            client->events = events;
        }
    }
    g_mutex_unlock(&client->lock);
}

/* Sets the events the source polls for (I/O thread, during the TLS handshake). */
static void
set_events(MvServerClient *client, GIOCondition events)
{
    g_mutex_lock(&client->lock);
    if (client->source && events != client->events) {
        g_source_modify_unix_fd(client->source, client->fd_tag, events);
        client->events = events;
    }
    g_mutex_unlock(&client->lock);
}

static void
tls_timer_stop(MvServerClient *client)
{
    if (client->tls_timer) {
        g_source_destroy(client->tls_timer);
        g_clear_pointer(&client->tls_timer, g_source_unref);
    }
}

/* One step of the TLS handshake (I/O thread). False: refuse the client. */
static bool
tls_handshake_step(MvServerClient *client)
{
    g_autoptr(GError) err = NULL;
    MvMessage *confirm;
    int rc = mv_tls_session_handshake(client->tls, &err);

    if (rc < 0) {
        mv_log_info("client %" G_GUINT64_FORMAT ": %s; closing it", client->id, err->message);
        return false;
    }
    if (rc == 0) {
        set_events(client, mv_tls_session_wants_write(client->tls) ? G_IO_OUT : G_IO_IN);
        return true;
    }
    if (!mv_tls_session_check_peer(client->tls, &err)) {
        mv_log_warning("client %" G_GUINT64_FORMAT " refused: %s", client->id, err->message);
        return false;
    }
    tls_timer_stop(client);
    client->tls_handshaking = false;
    mv_log_debug("client %" G_GUINT64_FORMAT ": TLS established for '%s'", client->id,
                 mv_tls_session_get_dn(client->tls));
    /* The one byte that tells the client its certificate passed our checks. */
    confirm = mv_message_new(1);
    confirm->data[0] = 1;
    confirm->len = 1;
    mv_server_client_send(client, confirm);
    return true;
}

static gboolean
tls_deadline(gpointer data)
{
    MvServerClient *client = data;

    if (client->tls_handshaking) {
        mv_log_info("client %" G_GUINT64_FORMAT ": no TLS handshake within the deadline; "
                    "closing it", client->id);
        g_clear_pointer(&client->tls_timer, g_source_unref);
        client_close_now(client);
    }
    return G_SOURCE_REMOVE;
}

void
mv_server_client_start_tls(MvServerClient *client, MvTlsSession *session, guint timeout_ms)
{
    client->tls = session;
    client->tls_handshaking = true;
    client->tls_timer = g_timeout_source_new(timeout_ms ? timeout_ms : 10000);
    g_source_set_callback(client->tls_timer, tls_deadline, mv_server_client_ref(client),
                          (GDestroyNotify)mv_server_client_unref);
    g_source_attach(client->tls_timer, client->server->ctx);
}

static gboolean
client_source_dispatch(GSource *source, GSourceFunc callback, gpointer user_data)
{
    MvServerClient *client = ((ClientSource *)source)->client;
    GIOCondition revents = g_source_query_unix_fd(source, client->fd_tag);
    bool ok = true;
    bool closing;

    /* Clearing the ready time wakes the main context: only when it was set. */
    if (g_source_get_ready_time(source) != -1)
        g_source_set_ready_time(source, -1);
    mv_server_client_ref(client);
    if (client->tls_handshaking) {
        if (mv_server_client_is_closed(client) || !tls_handshake_step(client))
            client_close_now(client);
        else if (!client->tls_handshaking)
            update_events(client);  /* established: the usual events, the 0x01 byte */
        mv_server_client_unref(client);
        return G_SOURCE_CONTINUE;
    }
    if (revents & (G_IO_IN | G_IO_HUP | G_IO_ERR) || tls_pending(client))
        ok = read_input(client);
    else if (client->read_paused && calls_allowed(client))
        ok = process_buffer(client);
    if (ok) {
        g_mutex_lock(&client->lock);
        if (!g_queue_is_empty(&client->outq) && !flush_locked(client))
            ok = false;
        closing = client->closing &&
                  (!client->flush_before_close || g_queue_is_empty(&client->outq));
        g_mutex_unlock(&client->lock);
        if (closing)
            ok = false;
    }
    /* The flush may have taken the queue under the limit again. */
    if (ok && client->read_paused && calls_allowed(client))
        ok = process_buffer(client);
    if (ok)
        drain_watches_run(client);
    if (ok) {
        update_events(client);
        /* Records already decrypted would wait for a poll that never fires. */
        if (tls_pending(client) && !client->read_paused)
            g_source_set_ready_time(source, 0);
    } else {
        client_close_now(client);
    }
    mv_server_client_unref(client);
    return G_SOURCE_CONTINUE;
}

static void
client_source_finalize(GSource *source)
{
    mv_server_client_unref(((ClientSource *)source)->client);
}

static GSourceFuncs client_source_funcs = {
    .dispatch = client_source_dispatch,
    .finalize = client_source_finalize,
};

static gboolean
keepalive_tick(gpointer data)
{
    MvServerClient *client = data;
    gint64 interval;
    guint count;

    g_mutex_lock(&client->server->lock);
    interval = (gint64)client->server->config.keepalive_interval * G_USEC_PER_SEC;
    count = client->server->config.keepalive_count;
    g_mutex_unlock(&client->server->lock);
    if (interval <= 0)
        return G_SOURCE_CONTINUE;
    if (g_get_monotonic_time() - client->last_recv < interval)
        return G_SOURCE_CONTINUE;
    if (client->keepalive_sent >= count) {
        mv_log_info("client %" G_GUINT64_FORMAT ": no keepalive response after %u pings; "
                    "closing it", client->id, count);
        client_close_now(client);
        return G_SOURCE_REMOVE;
    }
    client->keepalive_sent++;
    send_keepalive(client, MV_KEEPALIVE_PROC_PING);
    return G_SOURCE_CONTINUE;
}

static gboolean
keepalive_enable_in_io(gpointer data)
{
    MvServerClient *client = data;
    int interval;

    g_mutex_lock(&client->server->lock);
    interval = client->server->config.keepalive_interval;
    g_mutex_unlock(&client->server->lock);
    if (client->keepalive || interval <= 0 || mv_server_client_is_closed(client))
        return G_SOURCE_REMOVE;
    client->keepalive = true;
    client->keepalive_source = g_timeout_source_new_seconds(interval);
    g_source_set_callback(client->keepalive_source, keepalive_tick, client, NULL);
    g_source_attach(client->keepalive_source, client->server->ctx);
    return G_SOURCE_REMOVE;
}

void
mv_server_client_enable_keepalive(MvServerClient *client)
{
    g_main_context_invoke_full(client->server->ctx, G_PRIORITY_DEFAULT, keepalive_enable_in_io,
                               mv_server_client_ref(client),
                               (GDestroyNotify)mv_server_client_unref);
}

void
mv_server_client_attach(MvServerClient *client)
{
    GSource *source = g_source_new(&client_source_funcs, sizeof(ClientSource));
    guint first_call;

    g_mutex_lock(&client->server->lock);
    first_call = client->server->config.first_call_timeout;
    g_mutex_unlock(&client->server->lock);
    if (first_call > 0) {
        client->first_call_timer = g_timeout_source_new_seconds(first_call);
        g_source_set_callback(client->first_call_timer, first_call_deadline, client, NULL);
        g_source_attach(client->first_call_timer, client->server->ctx);
    }

    ((ClientSource *)source)->client = client;   /* the source's reference */
    /* GLib blocks a non-recursive source while dispatching it by removing and
     * re-adding its fds, which wakes the context twice per message. Nothing
     * here iterates the context recursively, so let it "recurse". */
    g_source_set_can_recurse(source, TRUE);
    client->fd_tag = g_source_add_unix_fd(source, client->fd, G_IO_IN);
    client->events = G_IO_IN;
    client->source = source;
    g_source_attach(source, client->server->ctx);
}

/* Closes the socket and forgets the client (I/O thread). */
static void
client_close_now(MvServerClient *client)
{
    MvServer *server = client->server;
    GSList *watches;
    GSource *source;
    gsize freed;
    guint nclients;
    bool removed;

    g_mutex_lock(&client->lock);
    if (client->closed) {
        g_mutex_unlock(&client->lock);
        return;
    }
    client->closed = true;
    client->closing = true;
    source = g_steal_pointer(&client->source);
    shutdown(client->fd, SHUT_RDWR);
    freed = client->outq_bytes;
    g_queue_clear_full(&client->outq, (GDestroyNotify)mv_message_free);
    client->outq_bytes = client->outq_event_bytes = 0;
    watches = g_steal_pointer(&client->drain_watches);
    g_mutex_unlock(&client->lock);
    g_slist_free_full(watches, drain_watch_cancel);
#ifdef __GLIBC__
    /* Give a large queue's memory back to the system, not only to malloc. */
    if (freed > TRIM_BYTES)
        malloc_trim(0);
#endif

    if (client->keepalive_source) {
        g_source_destroy(client->keepalive_source);
        g_clear_pointer(&client->keepalive_source, g_source_unref);
    }
    tls_timer_stop(client);
    first_call_timer_stop(client);
    mv_log_debug("client %" G_GUINT64_FORMAT " disconnected", client->id);

    g_mutex_lock(&server->lock);
    removed = g_hash_table_remove(server->clients, client);
    if (removed && client->from_readonly)
        server->nreadonly--;
    nclients = g_hash_table_size(server->clients);
    g_mutex_unlock(&server->lock);

    if (source) {
        g_source_destroy(source);
        g_source_unref(source);     /* finalize drops the source's reference */
    }
    if (server->hooks.client_closed)
        server->hooks.client_closed(client, client->data);
    if (removed) {
        if (server->hooks.clients_changed)
            server->hooks.clients_changed(server, nclients, server->data);
        mv_server_client_unref(client);     /* the table's reference */
    }
}

void
mv_server_client_shutdown(MvServerClient *client)
{
    client_close_now(client);
}

void
mv_server_client_hold_input(MvServerClient *client)
{
    g_mutex_lock(&client->lock);
    client->input_holds++;
    g_mutex_unlock(&client->lock);
}

void
mv_server_client_release_input(MvServerClient *client)
{
    bool wake;

    g_mutex_lock(&client->lock);
    if (client->input_holds > 0)
        client->input_holds--;
    else
        g_warn_if_reached();
    wake = client->input_holds == 0 && client->source != NULL;
    g_mutex_unlock(&client->lock);
    /* Reading may have paused on the hold: let the I/O thread look again. */
    if (wake)
        mv_server_client_wake(client);
}

void
mv_server_client_call_done(MvServerClient *client)
{
    bool wake;

    g_mutex_lock(&client->lock);
    client->inflight--;
    wake = client->source != NULL && client->read_paused;
    g_mutex_unlock(&client->lock);
    /* The I/O thread may have paused reading at the in-flight limit. */
    if (wake)
        mv_server_client_wake(client);
}
