/* MvRpcClient: calls with serial matching from many threads, a reader thread
 * that hands out replies and delivers events, stream packets and keepalive;
 * or, once attached to a main context (mv_rpc_client_attach), a source on
 * that context doing the reader's work in its own turns (a relay serving the
 * connections on both sides from one thread). */
#define MV_LOG_CATEGORY "rpc"
#include "rpc/client.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "rpc/tls.h"
#include "util/log.h"

typedef struct {
    GCond cond;
    bool done;
    MvMessage *reply;
    GError *error;
    MvRpcReplyFunc func;        /* asynchronous call: nobody waits, @func gets the reply */
    gpointer func_data;
} MvPendingCall;

struct _MvRpcClient {
    int fd;
    MvTlsSession *tls;          /* NULL: plain bytes on @fd (then @fd blocks) */
    int wake_fd;                /* eventfd: tells the reader to stop */
    GThread *reader;            /* NULL once attached */
    gint ref;                   /* the owner's and the source's (attached) */

    GMutex lock;                /* protects the fields below */
    GHashTable *pending;        /* serial -> MvPendingCall* */
    guint32 next_serial;
    bool closed;
    bool stopping;              /* mv_rpc_client_free() asked the reader to exit */
    bool detach;                /* mv_rpc_client_attach() asked the reader to exit */
    bool close_called;          /* the close handler ran (or is no longer owed) */
    guint input_holds;          /* mv_rpc_client_hold_input() not yet released */
    GMainContext *ctx;          /* attached: the context serving the socket (a ref) */
    GSource *source;            /* attached: the source reading; NULL once stopped */
    gpointer fd_tag;
    GIOCondition events;        /* what the source polls for now */
    char *close_reason;
    MvRpcEventFunc event_func;
    gpointer event_data;
    MvRpcStreamFunc stream_func;
    gpointer stream_data;
    MvRpcCloseFunc close_func;
    gpointer close_data;
    MvRpcBatchFunc batch_func;
    gpointer batch_data;
    int keepalive_interval;     /* seconds; 0 = off */
    guint keepalive_count;

    GMutex write_lock;          /* one writer at a time; protects outq */
    GQueue outq;                /* MvMessage* the socket could not take yet */
    gsize outq_bytes;           /* bytes of the frames in outq */
    GSList *drain_watches;      /* DrainWatch*: run when outq empties or the client closes */
    gint out_pending;           /* atomic: outq is not empty, the reader polls POLLOUT */
    guint corked;               /* mv_rpc_client_cork() not yet undone: queue, do not write */

    /* the reader thread only, or (attached) the source with dispatch_lock held */
    GMutex dispatch_lock;       /* attached: held while the source works; free waits */
    GSource *keepalive_source;  /* attached, with keepalive */
    guint8 *rbuf;               /* frames read, not yet handled */
    gsize rlen;
    gsize ralloc;
    gint64 last_recv;
    guint keepalive_sent;
};

static void update_source(MvRpcClient *client);

/* The reader must poll for POLLOUT (the queue is not empty) or look at its
 * input again (a hold was released): wake the thread or update the source. */
static void
wake_reader(MvRpcClient *client)
{
    bool attached;

    g_mutex_lock(&client->lock);
    attached = client->ctx != NULL;
    g_mutex_unlock(&client->lock);
    if (attached)
        update_source(client);
    else
        eventfd_write(client->wake_fd, 1);
}

typedef struct {
    GFunc func;
    gpointer data;
} DrainWatch;

/* Runs and frees @watches (no lock held). */
static void
drain_watches_run(MvRpcClient *client, GSList *watches)
{
    for (GSList *l = watches; l; l = l->next) {
        DrainWatch *w = l->data;
        w->func(w->data, client);
        g_free(w);
    }
    g_slist_free(watches);
}

/* Fails every waiting call; asynchronous ones are moved to @ret_async for
 * the caller to complete once the lock is released. */
static void
fail_pending_locked(MvRpcClient *client, GSList **ret_async)
{
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init(&iter, client->pending);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        MvPendingCall *pc = value;
        if (pc->func) {
            *ret_async = g_slist_prepend(*ret_async, pc);
            g_hash_table_iter_remove(&iter);
            continue;
        }
        if (pc->done)
            continue;
        pc->done = true;
        mv_error_set(&pc->error, MV_FROM_RPC, MV_ERR_RPC, "%s",
                     client->close_reason ? client->close_reason : "connection closed");
        g_cond_signal(&pc->cond);
    }
}

static void
mark_closed(MvRpcClient *client, const char *reason)
{
    g_autoptr(GError) err = NULL;
    GSList *async = NULL;
    GSList *watches;

    g_mutex_lock(&client->lock);
    if (!client->closed) {
        client->closed = true;
        client->close_reason = g_strdup(reason);
        shutdown(client->fd, SHUT_RDWR);
    }
    fail_pending_locked(client, &async);
    if (async)
        mv_error_set(&err, MV_FROM_RPC, MV_ERR_RPC, "%s", client->close_reason);
    g_mutex_unlock(&client->lock);
    g_mutex_lock(&client->write_lock);
    watches = g_steal_pointer(&client->drain_watches);
    g_mutex_unlock(&client->write_lock);
    drain_watches_run(client, watches);
    for (GSList *l = async; l; l = l->next) {
        MvPendingCall *pc = l->data;
        pc->func(client, NULL, NULL, 0, err, pc->func_data);
        g_free(pc);
    }
    g_slist_free(async);
}

/* send() through TLS when the connection has it; @wait: block until the
 * socket takes something (a TLS socket is non-blocking, so poll for it). A
 * TLS send that failed with EAGAIN is retried with the same bytes, as gnutls
 * requires: both callers retry from the same offset. */
static ssize_t
io_send(MvRpcClient *client, const guint8 *data, gsize len, bool wait)
{
    if (!client->tls)
        return send(client->fd, data, len, MSG_NOSIGNAL | (wait ? 0 : MSG_DONTWAIT));
    return wait ? mv_tls_session_send_wait(client->tls, data, len)
                : mv_tls_session_send(client->tls, data, len);
}

static ssize_t
io_recv(MvRpcClient *client, guint8 *buf, gsize len)
{
    if (!client->tls)
        return recv(client->fd, buf, len, MSG_DONTWAIT);
    return mv_tls_session_recv(client->tls, buf, len);
}

static bool
write_all(MvRpcClient *client, const guint8 *data, gsize len, GError **error)
{
    gsize done = 0;

    while (done < len) {
        ssize_t n = io_send(client, data + done, len - done, true);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return mv_error_set(error, MV_FROM_RPC, MV_ERR_SYSTEM_ERROR,
                                "cannot send data: %s", g_strerror(errno));
        }
        done += n;
    }
    return true;
}

/* Frames written with one sendmsg() when several are queued (plain sockets). */
#define FLUSH_IOV_MAX 64

/* One sendmsg() of the first queued frames (plain sockets); write_lock held.
 * Returns what send() returns; whole frames written leave the queue. */
static ssize_t
flush_gather_locked(MvRpcClient *client)
{
    struct iovec iov[FLUSH_IOV_MAX];
    struct msghdr mh = { .msg_iov = iov };
    ssize_t n, left;
    GList *l;

    for (l = client->outq.head; l && mh.msg_iovlen < FLUSH_IOV_MAX; l = l->next) {
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
        if (m->done == m->len) {
            client->outq_bytes -= m->len;
            mv_message_free(g_queue_pop_head(&client->outq));
        }
    }
    return n;
}

/* Writes what the socket takes from the queue; write_lock held.
 * Returns -1 on a broken connection, 0 when the queue is empty, 1 otherwise. */
static int
flush_queue_locked(MvRpcClient *client, GError **error)
{
    MvMessage *msg;

    while ((msg = g_queue_peek_head(&client->outq))) {
        bool gather = !client->tls && client->outq.head->next;
        ssize_t n = gather ? flush_gather_locked(client)
                           : io_send(client, msg->data + msg->done, msg->len - msg->done, false);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            mv_error_set(error, MV_FROM_RPC, MV_ERR_SYSTEM_ERROR, "cannot send data: %s",
                         g_strerror(errno));
            return -1;
        }
        if (gather)
            continue;   /* flush_gather_locked() moved the queue on */
        msg->done += n;
        if (msg->done == msg->len) {
            client->outq_bytes -= msg->len;
            mv_message_free(g_queue_pop_head(&client->outq));
        }
    }
    g_atomic_int_set(&client->out_pending, !g_queue_is_empty(&client->outq));
    return g_queue_is_empty(&client->outq) ? 0 : 1;
}

/* The drain watches to run now that the queue is empty, if it is; write_lock held. */
static GSList *
take_drain_watches_locked(MvRpcClient *client)
{
    return g_queue_is_empty(&client->outq) ? g_steal_pointer(&client->drain_watches) : NULL;
}

bool
mv_rpc_client_send_message(MvRpcClient *client, MvMessage *msg, GError **error)
{
    GSList *watches;
    bool ok = true;

    g_mutex_lock(&client->write_lock);
    if (g_queue_is_empty(&client->outq)) {
        ok = write_all(client, msg->data, msg->len, error);
    } else {
        /* Queued messages go first: join the queue and wait until it drained. */
        MvMessage *copy = mv_message_new(msg->len);
        int r;

        memcpy(copy->data, msg->data, msg->len);
        copy->len = msg->len;
        copy->hdr = msg->hdr;
        g_queue_push_tail(&client->outq, copy);
        client->outq_bytes += copy->len;
        while ((r = flush_queue_locked(client, error)) == 1) {
            struct pollfd pfd = { .fd = client->fd, .events = POLLOUT };
            poll(&pfd, 1, -1);
        }
        ok = r == 0;
    }
    watches = take_drain_watches_locked(client);
    g_mutex_unlock(&client->write_lock);
    drain_watches_run(client, watches);
    if (!ok)
        mark_closed(client, "connection broken while sending");
    return ok;
}

/* Queues @msg and writes what the socket takes now; never blocks. */
static bool
queue_message(MvRpcClient *client, MvMessage *msg, GError **error)
{
    GSList *watches;
    int r;

    g_mutex_lock(&client->write_lock);
    g_queue_push_tail(&client->outq, msg);
    client->outq_bytes += msg->len - msg->done;
    if (client->corked) {
        /* mv_rpc_client_uncork() writes it, with the others of the batch. */
        g_mutex_unlock(&client->write_lock);
        return true;
    }
    r = flush_queue_locked(client, error);
    watches = take_drain_watches_locked(client);
    g_mutex_unlock(&client->write_lock);
    drain_watches_run(client, watches);
    if (r == 1)
        wake_reader(client);   /* the reader starts polling POLLOUT */
    return r >= 0;
}

/* Sends the frame of @hdr and @len bytes at @payload without copying it
 * when nothing is queued (one sendmsg() of the header and the payload where
 * it is); what the socket does not take, or everything while corked or on
 * TLS, is queued as with queue_message(). Never blocks. */
static bool
send_frame(MvRpcClient *client, const MvMessageHeader *hdr, const guint8 *payload, gsize len,
           GError **error)
{
    guint8 prefix[MV_MESSAGE_PREFIX_SIZE];
    struct iovec iov[2] = {
        { .iov_base = prefix, .iov_len = sizeof(prefix) },
        { .iov_base = (void *)payload, .iov_len = len },
    };
    struct msghdr mh = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };
    MvMessage *rest;
    ssize_t n;

    if (client->tls)
        return queue_message(client, mv_message_encode_raw(hdr, payload, len), error);
    g_mutex_lock(&client->write_lock);
    if (client->corked || !g_queue_is_empty(&client->outq)) {
        g_mutex_unlock(&client->write_lock);
        return queue_message(client, mv_message_encode_raw(hdr, payload, len), error);
    }
    mv_message_put_prefix(prefix, hdr, len);
    do {
        n = sendmsg(client->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
        g_mutex_unlock(&client->write_lock);
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_SYSTEM_ERROR, "cannot send data: %s",
                            g_strerror(errno));
    }
    if (n == (ssize_t)(sizeof(prefix) + len)) {
        g_mutex_unlock(&client->write_lock);
        return true;
    }
    /* The socket is full: the rest waits in the queue for the reader's POLLOUT. */
    rest = mv_message_encode_raw(hdr, payload, len);
    rest->done = n > 0 ? (gsize)n : 0;
    g_queue_push_tail(&client->outq, rest);
    client->outq_bytes += rest->len;
    g_atomic_int_set(&client->out_pending, 1);
    g_mutex_unlock(&client->write_lock);
    wake_reader(client);
    return true;
}

void
mv_rpc_client_cork(MvRpcClient *client)
{
    g_mutex_lock(&client->write_lock);
    client->corked++;
    g_mutex_unlock(&client->write_lock);
}

void
mv_rpc_client_uncork(MvRpcClient *client)
{
    GSList *watches = NULL;
    int r = 0;

    g_mutex_lock(&client->write_lock);
    if (client->corked == 0) {
        g_mutex_unlock(&client->write_lock);
        g_return_if_reached();
    }
    if (--client->corked == 0 && !g_queue_is_empty(&client->outq)) {
        r = flush_queue_locked(client, NULL);
        watches = take_drain_watches_locked(client);
    }
    g_mutex_unlock(&client->write_lock);
    drain_watches_run(client, watches);
    if (r == 1)
        wake_reader(client);   /* the reader writes the rest on POLLOUT */
    else if (r < 0)
        mark_closed(client, "connection broken while sending");
}

void
mv_rpc_client_set_batch_handler(MvRpcClient *client, MvRpcBatchFunc func, gpointer user_data)
{
    g_mutex_lock(&client->lock);
    client->batch_func = func;
    client->batch_data = user_data;
    g_mutex_unlock(&client->lock);
}

bool
mv_rpc_client_queue_frame(MvRpcClient *client, const MvMessageHeader *hdr,
                          const guint8 *payload, gsize len, GError **error)
{
    if (!mv_rpc_client_is_open(client))
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC, "connection closed");
    if (!send_frame(client, hdr, payload, len, error)) {
        mark_closed(client, "connection broken while sending");
        return false;
    }
    return true;
}

bool
mv_rpc_client_queue_message(MvRpcClient *client, MvMessage *msg, GError **error)
{
    if (!mv_rpc_client_is_open(client)) {
        mv_message_free(msg);
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC, "connection closed");
    }
    if (!queue_message(client, msg, error)) {
        mark_closed(client, "connection broken while sending");
        return false;
    }
    return true;
}

static void
send_keepalive(MvRpcClient *client, int proc)
{
    MvMessageHeader hdr = {
        .prog = MV_PROGRAM_KEEPALIVE,
        .vers = MV_PROGRAM_VERSION,
        .proc = proc,
        .type = MV_MESSAGE_MESSAGE,
    };
    /* Never block the reader on a full socket. */
    mv_rpc_client_queue_message(client, mv_message_encode_raw(&hdr, NULL, 0), NULL);
}

static void
handle_frame(MvRpcClient *client, const guint8 *frame, gsize len)
{
    const guint8 *payload = frame + MV_MESSAGE_LEN_WORD + MV_MESSAGE_HEADER_SIZE;
    gsize plen = len - MV_MESSAGE_LEN_WORD - MV_MESSAGE_HEADER_SIZE;
    MvMessageHeader hdr;
    MvPendingCall *pc;
    MvRpcEventFunc efunc;
    MvRpcStreamFunc sfunc;
    gpointer udata;

    mv_message_decode_header(frame + MV_MESSAGE_LEN_WORD, &hdr);
    switch (hdr.type) {
    case MV_MESSAGE_REPLY:
    case MV_MESSAGE_REPLY_WITH_FDS:
        g_mutex_lock(&client->lock);
        pc = g_hash_table_lookup(client->pending, GUINT_TO_POINTER(hdr.serial));
        if (pc && pc->func) {
            g_hash_table_remove(client->pending, GUINT_TO_POINTER(hdr.serial));
            g_mutex_unlock(&client->lock);
            pc->func(client, &hdr, payload, plen, NULL, pc->func_data);
            g_free(pc);
            break;
        }
        if (pc && !pc->done) {
            MvMessage *msg = mv_message_new(len);
            memcpy(msg->data, frame, len);
            msg->len = len;
            msg->hdr = hdr;
            pc->reply = msg;
            pc->done = true;
            g_cond_signal(&pc->cond);
        }
        g_mutex_unlock(&client->lock);
        if (!pc)
            mv_log_debug("reply with unknown serial %u dropped", hdr.serial);
        break;
    case MV_MESSAGE_MESSAGE:
        if (hdr.prog == MV_PROGRAM_KEEPALIVE) {
            if (hdr.proc == MV_KEEPALIVE_PROC_PING)
                send_keepalive(client, MV_KEEPALIVE_PROC_PONG);
            break;
        }
        g_mutex_lock(&client->lock);
        efunc = client->event_func;
        udata = client->event_data;
        g_mutex_unlock(&client->lock);
        if (efunc)
            efunc(client, &hdr, payload, plen, udata);
        break;
    case MV_MESSAGE_STREAM:
    case MV_MESSAGE_STREAM_HOLE:
        g_mutex_lock(&client->lock);
        sfunc = client->stream_func;
        udata = client->stream_data;
        g_mutex_unlock(&client->lock);
        if (sfunc)
            sfunc(client, &hdr, payload, plen, udata);
        break;
    default:
        break;
    }
}

/* The frames of one read were handled: the batch handler may flush what it held. */
static void
batch_end(MvRpcClient *client)
{
    MvRpcBatchFunc func;
    gpointer data;

    g_mutex_lock(&client->lock);
    func = client->batch_func;
    data = client->batch_data;
    g_mutex_unlock(&client->lock);
    if (func)
        func(client, data);
}

/* Keepalive bookkeeping on a poll timeout; false when the peer is dead. */
static bool
keepalive_timeout(MvRpcClient *client, int interval, guint count)
{
    if (g_get_monotonic_time() - client->last_recv < (gint64)interval * G_USEC_PER_SEC)
        return true;
    if (client->keepalive_sent >= count)
        return false;
    client->keepalive_sent++;
    send_keepalive(client, MV_KEEPALIVE_PROC_PING);
    return true;
}

static bool
input_held(MvRpcClient *client)
{
    bool held;

    g_mutex_lock(&client->lock);
    held = client->input_holds > 0;
    g_mutex_unlock(&client->lock);
    return held;
}

/* Handles the complete frames in the read buffer until a hold stops it,
 * then the batch handler. False: the server sent an invalid length word. */
static bool
process_frames(MvRpcClient *client)
{
    gsize off = 0;
    bool ok = true;
    guint32 len;

    while (client->rlen - off >= MV_MESSAGE_LEN_WORD && !input_held(client)) {
        if (!mv_message_decode_length(client->rbuf + off, &len, NULL)) {
            ok = false;
            break;
        }
        if (client->rlen - off < len)
            break;
        handle_frame(client, client->rbuf + off, len);
        off += len;
    }
    if (off)
        batch_end(client);
    memmove(client->rbuf, client->rbuf + off, client->rlen - off);
    client->rlen -= off;
    /* A frame larger than the buffer: make room for all of it. */
    if (ok && client->rlen >= MV_MESSAGE_LEN_WORD &&
        mv_message_decode_length(client->rbuf, &len, NULL) && len > client->ralloc) {
        client->ralloc = len;
        client->rbuf = g_realloc(client->rbuf, client->ralloc);
    }
    return ok;
}

/* True when the buffer holds a whole frame (or an invalid length word). */
static bool
frames_ready(MvRpcClient *client)
{
    guint32 len;

    if (client->rlen < MV_MESSAGE_LEN_WORD)
        return false;
    return !mv_message_decode_length(client->rbuf, &len, NULL) || client->rlen >= len;
}

/* One read into the buffer: > 0 bytes read, 0 at EOF, < 0 with errno set. */
static ssize_t
read_some(MvRpcClient *client)
{
    ssize_t n;

    if (client->rlen == client->ralloc) {
        client->ralloc = MIN(client->ralloc * 2, (gsize)MV_MESSAGE_MAX);
        client->rbuf = g_realloc(client->rbuf, client->ralloc);
    }
    n = io_recv(client, client->rbuf + client->rlen, client->ralloc - client->rlen);
    if (n > 0) {
        client->rlen += n;
        client->last_recv = g_get_monotonic_time();
        client->keepalive_sent = 0;
    }
    return n;
}

/* The end of the connection for its reader (thread or source): fails what
 * waits and tells the close handler, unless mv_rpc_client_free() is closing it. */
static void
reader_closed(MvRpcClient *client, const char *reason)
{
    MvRpcCloseFunc close_func;
    gpointer close_data;
    bool call;

    batch_end(client);
    mark_closed(client, reason);
    g_mutex_lock(&client->lock);
    call = !client->stopping && !client->close_called;
    client->close_called = true;
    close_func = client->close_func;
    close_data = client->close_data;
    g_mutex_unlock(&client->lock);
    if (call && close_func)
        close_func(client, reason, close_data);
}

static gpointer
reader_thread(gpointer data)
{
    MvRpcClient *client = data;
    const char *reason = "connection closed by the server";

    for (;;) {
        struct pollfd fds[2] = {
            { .fd = client->fd },
            { .fd = client->wake_fd, .events = POLLIN },
        };
        int interval;
        guint count;
        bool stopping, detach, held, out;
        ssize_t n;
        int rc;

        g_mutex_lock(&client->lock);
        interval = client->keepalive_interval;
        count = client->keepalive_count;
        stopping = client->stopping;
        detach = client->detach;
        held = client->input_holds > 0;
        g_mutex_unlock(&client->lock);
        if (stopping) {
            reason = "connection closed";
            break;
        }
        if (detach)
            return NULL;    /* mv_rpc_client_attach(): the source goes on from here */
        if (!held && frames_ready(client)) {
            /* Frames left when a hold stopped the handling, now released. */
            if (!process_frames(client)) {
                reason = "the server sent an invalid message length";
                break;
            }
            continue;
        }
        out = g_atomic_int_get(&client->out_pending);
        fds[0].events = (held ? 0 : POLLIN) | (out ? POLLOUT : 0);
        if (!fds[0].events)
            fds[0].fd = -1;     /* held: not even a hang-up until released */

        /* Bytes TLS already decrypted are not visible to poll(). */
        if (!held && client->tls && mv_tls_session_pending(client->tls) > 0) {
            fds[0].revents = POLLIN;
            fds[1].revents = 0;
            rc = 1;
        } else {
            rc = poll(fds, 2, interval > 0 ? interval * 1000 : -1);
        }
        if (rc < 0 && errno == EINTR)
            continue;
        if (fds[1].revents) {
            eventfd_t value;
            eventfd_read(client->wake_fd, &value);
            continue;   /* re-read the settings and the stop flag */
        }
        if (rc == 0) {
            if (!keepalive_timeout(client, interval, count)) {
                reason = "connection closed: the server stopped answering keepalive pings";
                break;
            }
            continue;
        }
        if (fds[0].revents & POLLOUT) {
            GSList *watches;
            int r;

            g_mutex_lock(&client->write_lock);
            r = flush_queue_locked(client, NULL);
            watches = take_drain_watches_locked(client);
            g_mutex_unlock(&client->write_lock);
            drain_watches_run(client, watches);
            if (r < 0) {
                reason = "connection broken while sending";
                break;
            }
            if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
        }
        if (held)
            continue;
        n = read_some(client);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            break;
        if (!process_frames(client)) {
            reason = "the server sent an invalid message length";
            break;
        }
    }
    reader_closed(client, reason);
    return NULL;
}

/* ---- attached to a main context ---------------------------------------------------- */

/* Reads per turn of the context, as the server does for its clients. */
#define READS_PER_TURN 4

typedef struct {
    GSource base;
    MvRpcClient *client;    /* a reference */
} RpcSource;

static MvRpcClient *
client_ref(MvRpcClient *client)
{
    g_atomic_int_inc(&client->ref);
    return client;
}

static void
client_unref(MvRpcClient *client)
{
    if (!g_atomic_int_dec_and_test(&client->ref))
        return;
    if (client->ctx)
        g_main_context_unref(client->ctx);
    g_free(client->rbuf);
    g_free(client->close_reason);
    g_mutex_clear(&client->lock);
    g_mutex_clear(&client->write_lock);
    g_mutex_clear(&client->dispatch_lock);
    g_free(client);
}

/* Recomputes what the source polls for (any thread): no input while held
 * (the fd leaves the poll set when nothing is wanted, or a hang-up would
 * spin), output while the queue is not empty. */
static void
update_source(MvRpcClient *client)
{
    GIOCondition events;

    g_mutex_lock(&client->lock);
    events = (client->input_holds ? 0 : G_IO_IN) |
             (g_atomic_int_get(&client->out_pending) ? G_IO_OUT : 0);
    if (client->source && events != client->events) {
        if (!events) {
            g_source_remove_unix_fd(client->source, client->fd_tag);
            client->fd_tag = NULL;
        } else if (!client->fd_tag) {
            client->fd_tag = g_source_add_unix_fd(client->source, client->fd, events);
        } else {
            g_source_modify_unix_fd(client->source, client->fd_tag, events);
        }
        client->events = events;
    }
    g_mutex_unlock(&client->lock);
}

/* Stops the sources (dispatch_lock held). */
static void
stop_sources(MvRpcClient *client)
{
    GSource *source, *keepalive;

    g_mutex_lock(&client->lock);
    source = g_steal_pointer(&client->source);
    keepalive = g_steal_pointer(&client->keepalive_source);
    client->fd_tag = NULL;
    g_mutex_unlock(&client->lock);
    if (source) {
        g_source_destroy(source);
        g_source_unref(source);
    }
    if (keepalive) {
        g_source_destroy(keepalive);
        g_source_unref(keepalive);
    }
}

/* The connection ended under the source (dispatch_lock held). */
static void
attached_closed(MvRpcClient *client, const char *reason)
{
    stop_sources(client);
    reader_closed(client, reason);
}

/* One turn: write what is queued when the socket takes it, read and handle
 * what arrived (or what a released hold left in the buffer). */
static gboolean
rpc_source_dispatch(GSource *source, GSourceFunc callback, gpointer user_data)
{
    MvRpcClient *client = ((RpcSource *)source)->client;
    const char *reason = NULL;
    GIOCondition revents = 0;
    bool held, live;

    g_mutex_lock(&client->dispatch_lock);
    g_mutex_lock(&client->lock);
    live = client->source == source && !client->stopping;
    if (live && client->fd_tag)
        revents = g_source_query_unix_fd(source, client->fd_tag);
    held = client->input_holds > 0;
    g_mutex_unlock(&client->lock);
    if (!live) {
        g_mutex_unlock(&client->dispatch_lock);
        return G_SOURCE_REMOVE;
    }
    if (g_source_get_ready_time(source) != -1)
        g_source_set_ready_time(source, -1);

    if ((revents & (G_IO_OUT | G_IO_HUP | G_IO_ERR)) && g_atomic_int_get(&client->out_pending)) {
        GSList *watches;
        int r;

        g_mutex_lock(&client->write_lock);
        r = flush_queue_locked(client, NULL);
        watches = take_drain_watches_locked(client);
        g_mutex_unlock(&client->write_lock);
        drain_watches_run(client, watches);
        if (r < 0)
            reason = "connection broken while sending";
    }
    if (!reason && !held && (revents & (G_IO_IN | G_IO_HUP | G_IO_ERR))) {
        for (int i = 0; i < READS_PER_TURN && !reason; i++) {
            gsize space = client->ralloc - client->rlen;
            ssize_t n = read_some(client);

            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                break;
            if (n <= 0)
                reason = "connection closed by the server";
            else if (!process_frames(client))
                reason = "the server sent an invalid message length";
            else if ((gsize)n < space || input_held(client))
                break;      /* drained (skip the recv() that says EAGAIN), or held */
        }
    } else if (!reason && !held && frames_ready(client) && !process_frames(client)) {
        reason = "the server sent an invalid message length";
    }
    if (reason) {
        attached_closed(client, reason);
        g_mutex_unlock(&client->dispatch_lock);
        return G_SOURCE_REMOVE;
    }
    update_source(client);
    g_mutex_unlock(&client->dispatch_lock);
    return G_SOURCE_CONTINUE;
}

static void
rpc_source_finalize(GSource *source)
{
    client_unref(((RpcSource *)source)->client);
}

static GSourceFuncs rpc_source_funcs = {
    .dispatch = rpc_source_dispatch,
    .finalize = rpc_source_finalize,
};

static gboolean
attached_keepalive_tick(gpointer data)
{
    MvRpcClient *client = data;
    int interval;
    guint count;
    bool live;

    g_mutex_lock(&client->dispatch_lock);
    g_mutex_lock(&client->lock);
    live = client->keepalive_source != NULL && !client->stopping;
    interval = client->keepalive_interval;
    count = client->keepalive_count;
    g_mutex_unlock(&client->lock);
    if (live && interval > 0 && !keepalive_timeout(client, interval, count)) {
        attached_closed(client, "connection closed: the server stopped answering keepalive "
                                "pings");
        live = false;
    }
    g_mutex_unlock(&client->dispatch_lock);
    return live ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

bool
mv_rpc_client_attach(MvRpcClient *client, GMainContext *ctx)
{
    GSource *source;
    bool closed, call;
    MvRpcCloseFunc close_func;
    gpointer close_data;

    g_return_val_if_fail(client->tls == NULL && client->reader != NULL, false);
    g_mutex_lock(&client->lock);
    client->detach = true;
    g_mutex_unlock(&client->lock);
    eventfd_write(client->wake_fd, 1);
    g_thread_join(g_steal_pointer(&client->reader));

    g_mutex_lock(&client->lock);
    closed = client->closed || client->stopping;
    if (closed) {
        /* Broken before the reader saw it: its close handler is still owed. */
        call = !client->stopping && !client->close_called;
        client->close_called = true;
        close_func = client->close_func;
        close_data = client->close_data;
        g_mutex_unlock(&client->lock);
        if (call && close_func)
            close_func(client, client->close_reason, close_data);
        return false;
    }
    client->ctx = g_main_context_ref(ctx);
    source = g_source_new(&rpc_source_funcs, sizeof(RpcSource));
    ((RpcSource *)source)->client = client_ref(client);
    /* As the server's client sources: no fd removal and re-adding per dispatch. */
    g_source_set_can_recurse(source, TRUE);
    client->events = G_IO_IN | (g_atomic_int_get(&client->out_pending) ? G_IO_OUT : 0);
    client->fd_tag = g_source_add_unix_fd(source, client->fd, client->events);
    client->source = source;
    if (client->keepalive_interval > 0) {
        client->keepalive_source = g_timeout_source_new_seconds(client->keepalive_interval);
        g_source_set_callback(client->keepalive_source, attached_keepalive_tick,
                              client_ref(client), (GDestroyNotify)client_unref);
        g_source_attach(client->keepalive_source, ctx);
    }
    g_mutex_unlock(&client->lock);
    g_source_attach(source, ctx);
    /* Frames the thread read but did not handle yet (a hold): the first turn does. */
    if (client->rlen)
        g_source_set_ready_time(source, 0);
    return true;
}

void
mv_rpc_client_shutdown(MvRpcClient *client)
{
    g_mutex_lock(&client->lock);
    client->close_called = true;
    g_mutex_unlock(&client->lock);
    mark_closed(client, "connection closed");
}

void
mv_rpc_client_hold_input(MvRpcClient *client)
{
    g_mutex_lock(&client->lock);
    client->input_holds++;
    g_mutex_unlock(&client->lock);
    update_source(client);
}

void
mv_rpc_client_release_input(MvRpcClient *client)
{
    bool wake;

    g_mutex_lock(&client->lock);
    if (client->input_holds > 0)
        client->input_holds--;
    else
        g_warn_if_reached();
    wake = client->input_holds == 0;
    g_mutex_unlock(&client->lock);
    if (!wake)
        return;
    wake_reader(client);
    /* Frames already read wait in the buffer: a turn without any fd event. */
    g_mutex_lock(&client->lock);
    if (client->source)
        g_source_set_ready_time(client->source, 0);
    g_mutex_unlock(&client->lock);
}

static MvRpcClient *
client_new(int fd, MvTlsSession *tls, GError **error)
{
    MvRpcClient *client = g_new0(MvRpcClient, 1);

    client->fd = fd;
    client->tls = tls;
    client->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (client->wake_fd < 0) {
        mv_error_set_errno(error, MV_FROM_RPC, errno, "cannot create an eventfd");
        mv_tls_session_free(tls);
        close(fd);
        g_free(client);
        return NULL;
    }
    client->ref = 1;
    g_mutex_init(&client->lock);
    g_mutex_init(&client->write_lock);
    g_mutex_init(&client->dispatch_lock);
    g_queue_init(&client->outq);
    client->ralloc = 65536;
    client->rbuf = g_malloc(client->ralloc);
    client->last_recv = g_get_monotonic_time();
    client->pending = g_hash_table_new(NULL, NULL);
    client->reader = g_thread_new("rpc-client", reader_thread, client);
    return client;
}

MvRpcClient *
mv_rpc_client_new_fd(int fd, GError **error)
{
    return client_new(fd, NULL, error);
}

MvRpcClient *
mv_rpc_client_new_tls(int fd, MvTlsSession *session, GError **error)
{
    return client_new(fd, session, error);
}

MvRpcClient *
mv_rpc_client_new_unix(const char *path, GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        mv_error_set(error, MV_FROM_RPC, MV_ERR_NO_CONNECT, "socket path '%s' is too long", path);
        return NULL;
    }
    strcpy(addr.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        mv_error_set(error, MV_FROM_RPC, MV_ERR_NO_CONNECT, "cannot create a socket: %s",
                     g_strerror(errno));
        return NULL;
    }
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        int saved = errno;
        close(fd);
        mv_error_set(error, MV_FROM_RPC, MV_ERR_NO_CONNECT, "Failed to connect socket to '%s': %s",
                     path, g_strerror(saved));
        return NULL;
    }
    return mv_rpc_client_new_fd(fd, error);
}

void
mv_rpc_client_free(MvRpcClient *client)
{
    if (!client)
        return;
    /* Attached: once the sources are stopped under dispatch_lock, no turn
     * touches the connection any more (one already waiting sees @stopping). */
    g_mutex_lock(&client->dispatch_lock);
    g_mutex_lock(&client->lock);
    client->stopping = true;
    g_mutex_unlock(&client->lock);
    stop_sources(client);
    g_mutex_unlock(&client->dispatch_lock);
    if (client->reader) {
        eventfd_write(client->wake_fd, 1);
        g_thread_join(client->reader);
    }
    mark_closed(client, "connection closed");
    g_hash_table_unref(client->pending);
    g_queue_clear_full(&client->outq, (GDestroyNotify)mv_message_free);
    mv_tls_session_bye(client->tls);
    mv_tls_session_free(client->tls);
    close(client->fd);
    close(client->wake_fd);
    client_unref(client);
}

bool
mv_rpc_client_call_serial(MvRpcClient *client, const MvProgramInfo *program,
                          const MvProcInfo *proc, const void *args, void *ret,
                          guint32 *ret_serial, GError **error)
{
    MvPendingCall pc = { .done = false };
    MvMessageHeader hdr = {
        .prog = program->program,
        .vers = program->version,
        .proc = proc->number,
        .type = MV_MESSAGE_CALL,
        .status = MV_STATUS_OK,
    };
    g_autoptr(MvMessage) msg = NULL;
    g_autoptr(MvMessage) reply = NULL;
    bool ok;

    g_cond_init(&pc.cond);
    g_mutex_lock(&client->lock);
    if (client->closed) {
        mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC, "%s", client->close_reason);
        g_mutex_unlock(&client->lock);
        g_cond_clear(&pc.cond);
        return false;
    }
    hdr.serial = client->next_serial++;
    g_hash_table_insert(client->pending, GUINT_TO_POINTER(hdr.serial), &pc);
    g_mutex_unlock(&client->lock);

    msg = mv_message_encode(&hdr, args ? proc->args_filter : NULL, args, error);
    ok = msg && mv_rpc_client_send_message(client, msg, error);

    g_mutex_lock(&client->lock);
    while (ok && !pc.done)
        g_cond_wait(&pc.cond, &client->lock);
    g_hash_table_remove(client->pending, GUINT_TO_POINTER(hdr.serial));
    g_mutex_unlock(&client->lock);
    g_cond_clear(&pc.cond);
    if (!ok)
        return false;
    if (pc.error) {
        g_propagate_error(error, pc.error);
        return false;
    }
    reply = pc.reply;
    if (ret_serial)
        *ret_serial = hdr.serial;
    if (reply->hdr.status == MV_STATUS_ERROR) {
        g_propagate_error(error, mv_message_decode_error(mv_message_payload(reply),
                                                         mv_message_payload_len(reply)));
        return false;
    }
    if (!ret)
        return true;
    return mv_message_decode_payload(mv_message_payload(reply), mv_message_payload_len(reply),
                                     proc->ret_filter, ret, error);
}

bool
mv_rpc_client_call(MvRpcClient *client, const MvProgramInfo *program, const MvProcInfo *proc,
                   const void *args, void *ret, GError **error)
{
    return mv_rpc_client_call_serial(client, program, proc, args, ret, NULL, error);
}

bool
mv_rpc_client_call_raw_async(MvRpcClient *client, guint32 prog, guint32 vers, int proc,
                             const void *payload, gsize len, MvRpcReplyFunc func,
                             gpointer user_data, guint32 *ret_serial, GError **error)
{
    MvPendingCall *pc = g_new0(MvPendingCall, 1);
    MvMessageHeader hdr = {
        .prog = prog,
        .vers = vers,
        .proc = proc,
        .type = MV_MESSAGE_CALL,
        .status = MV_STATUS_OK,
    };
    g_autoptr(GError) err = NULL;
    bool ours;

    pc->func = func;
    pc->func_data = user_data;
    g_mutex_lock(&client->lock);
    if (client->closed) {
        mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC, "%s", client->close_reason);
        g_mutex_unlock(&client->lock);
        g_free(pc);
        return false;
    }
    hdr.serial = client->next_serial++;
    g_hash_table_insert(client->pending, GUINT_TO_POINTER(hdr.serial), pc);
    g_mutex_unlock(&client->lock);
    if (ret_serial)
        *ret_serial = hdr.serial;

    if (send_frame(client, &hdr, payload, len, &err))
        return true;
    /* Broken: take the call back unless the reader already failed it. */
    g_mutex_lock(&client->lock);
    ours = g_hash_table_lookup(client->pending, GUINT_TO_POINTER(hdr.serial)) == pc;
    if (ours)
        g_hash_table_remove(client->pending, GUINT_TO_POINTER(hdr.serial));
    g_mutex_unlock(&client->lock);
    mark_closed(client, "connection broken while sending");
    if (!ours)
        return true;
    g_free(pc);
    g_propagate_error(error, g_steal_pointer(&err));
    return false;
}

bool
mv_rpc_client_call_raw(MvRpcClient *client, guint32 prog, guint32 vers, int proc,
                       const void *payload, gsize len, MvMessage **ret_reply, GError **error)
{
    MvPendingCall pc = { .done = false };
    MvMessageHeader hdr = {
        .prog = prog,
        .vers = vers,
        .proc = proc,
        .type = MV_MESSAGE_CALL,
        .status = MV_STATUS_OK,
    };
    g_autoptr(MvMessage) msg = NULL;
    bool ok;

    g_cond_init(&pc.cond);
    g_mutex_lock(&client->lock);
    if (client->closed) {
        mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC, "%s", client->close_reason);
        g_mutex_unlock(&client->lock);
        g_cond_clear(&pc.cond);
        return false;
    }
    hdr.serial = client->next_serial++;
    g_hash_table_insert(client->pending, GUINT_TO_POINTER(hdr.serial), &pc);
    g_mutex_unlock(&client->lock);

    msg = mv_message_encode_raw(&hdr, payload, len);
    ok = mv_rpc_client_send_message(client, msg, error);

    g_mutex_lock(&client->lock);
    while (ok && !pc.done)
        g_cond_wait(&pc.cond, &client->lock);
    g_hash_table_remove(client->pending, GUINT_TO_POINTER(hdr.serial));
    g_mutex_unlock(&client->lock);
    g_cond_clear(&pc.cond);
    if (!ok) {
        mv_message_free(pc.reply);
        return false;
    }
    if (pc.error) {
        g_propagate_error(error, pc.error);
        return false;
    }
    *ret_reply = pc.reply;
    return true;
}

void
mv_rpc_client_set_close_handler(MvRpcClient *client, MvRpcCloseFunc func, gpointer user_data)
{
    g_mutex_lock(&client->lock);
    client->close_func = func;
    client->close_data = user_data;
    g_mutex_unlock(&client->lock);
}

void
mv_rpc_client_set_event_handler(MvRpcClient *client, MvRpcEventFunc func, gpointer user_data)
{
    g_mutex_lock(&client->lock);
    client->event_func = func;
    client->event_data = user_data;
    g_mutex_unlock(&client->lock);
}

void
mv_rpc_client_set_stream_handler(MvRpcClient *client, MvRpcStreamFunc func, gpointer user_data)
{
    g_mutex_lock(&client->lock);
    client->stream_func = func;
    client->stream_data = user_data;
    g_mutex_unlock(&client->lock);
}

void
mv_rpc_client_start_keepalive(MvRpcClient *client, int interval, int count)
{
    g_mutex_lock(&client->lock);
    client->keepalive_interval = MAX(interval, 0);
    client->keepalive_count = MAX(count, 1);
    g_mutex_unlock(&client->lock);
    /* Make the reader pick up the new poll timeout. */
    eventfd_write(client->wake_fd, 1);
}

bool
mv_rpc_client_is_open(MvRpcClient *client)
{
    bool open;

    g_mutex_lock(&client->lock);
    open = !client->closed;
    g_mutex_unlock(&client->lock);
    return open;
}

gsize
mv_rpc_client_get_queued_bytes(MvRpcClient *client)
{
    gsize n;

    g_mutex_lock(&client->write_lock);
    n = client->outq_bytes;
    g_mutex_unlock(&client->write_lock);
    return n;
}

void
mv_rpc_client_add_drain_watch(MvRpcClient *client, GFunc func, gpointer data)
{
    DrainWatch *w = g_new0(DrainWatch, 1);
    bool now;

    w->func = func;
    w->data = data;
    g_mutex_lock(&client->write_lock);
    now = g_queue_is_empty(&client->outq) || !mv_rpc_client_is_open(client);
    if (!now)
        client->drain_watches = g_slist_append(client->drain_watches, w);
    g_mutex_unlock(&client->write_lock);
    if (now)
        drain_watches_run(client, g_slist_prepend(NULL, w));
}
