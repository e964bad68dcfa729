/* MvStream: the stream protocol on top of a link. Packets arrive on the
 * link's reader thread (mv_stream_link_packet) and are queued until read;
 * writes are framed and sent directly. Wire rules (spec §8): data is STREAM
 * CONTINUE with raw bytes, an empty CONTINUE is the sender's end of data, our
 * finish is STREAM OK (acknowledged with STREAM OK), an abort is STREAM ERROR
 * with an empty payload. Sparse streams (volume transfers opened with the
 * SPARSE flag) add STREAM_HOLE packets: "this many zero bytes come next";
 * they are queued in order with the data. A reader that cannot take holes
 * gets them as zeros, like libvirt's virStreamRecv(). */
#include <string.h>

#include "client-priv.h"
#include "rpc/message.h"

#define ORPHAN_MAX_BYTES (4u * 1024u * 1024u)
/* Received bytes a stream holds before the link's reader waits for the
 * application to read (it then stops reading the socket, and the daemon's
 * own backpressure holds the rest). */
#define QUEUE_MAX_BYTES (8u * 1024u * 1024u)
#define FINISH_TIMEOUT_MS 30000
#define WAIT_SLICE_US (250 * G_TIME_SPAN_MILLISECOND)

typedef struct {
    gint32 type;
    gint32 status;
    GBytes *data;
} MvPacket;

/* One section of received data: bytes, or a hole of zeros. */
typedef struct {
    GBytes *data;               /* NULL: a hole */
    guint64 hole;
} MvChunk;

struct _MvStreamTable {
    GMutex lock;
    GHashTable *streams;        /* serial -> MvStream (weak) */
    GHashTable *orphans;        /* serial -> GQueue of MvPacket: stream not registered yet */
    GHashTable *dead;           /* serials of streams that are gone: drop their packets */
    gsize orphan_bytes;
};

struct _MvStream {
    gint refs;
    MvConnect *conn;            /* reference: the link lives as long as the connection */
    MvLink *link;
    int proc;
    guint32 serial;
    GMutex lock;
    GCond cond;
    GQueue chunks;              /* MvChunk, oldest first */
    gsize offset;               /* bytes of the head chunk already read */
    gsize queued;               /* bytes of data in chunks */
    bool sparse;                /* holes may travel (the stream was opened sparse) */
    bool eof;                   /* the daemon sent its end of data */
    bool acked;                 /* the daemon sent STREAM OK */
    bool done;                  /* we sent finish or abort */
    GError *error;              /* the daemon failed the stream */
};

static void
chunk_free(gpointer data)
{
    MvChunk *c = data;

    if (c->data)
        g_bytes_unref(c->data);
    g_free(c);
}

/* Drops what was received and not read; stream->lock held. */
static void
chunks_clear_locked(MvStream *stream)
{
    g_queue_clear_full(&stream->chunks, chunk_free);
    g_queue_init(&stream->chunks);
    stream->offset = 0;
    stream->queued = 0;
}

static void
packet_free(gpointer data)
{
    MvPacket *p = data;

    g_bytes_unref(p->data);
    g_free(p);
}

static void
packet_queue_free(gpointer data)
{
    g_queue_free_full(data, packet_free);
}

MvStreamTable *
mv_stream_table_new(void)
{
    MvStreamTable *table = g_new0(MvStreamTable, 1);

    g_mutex_init(&table->lock);
    table->streams = g_hash_table_new(NULL, NULL);
    table->orphans = g_hash_table_new_full(NULL, NULL, NULL, packet_queue_free);
    table->dead = g_hash_table_new(NULL, NULL);
    return table;
}

void
mv_stream_table_free(MvStreamTable *table)
{
    if (!table)
        return;
    g_hash_table_unref(table->streams);
    g_hash_table_unref(table->orphans);
    g_hash_table_unref(table->dead);
    g_mutex_clear(&table->lock);
    g_free(table);
}

/* Queues a hole of @length after what is queued; stream->lock held. */
static void
push_hole_locked(MvStream *stream, guint64 length)
{
    MvChunk *tail = g_queue_peek_tail(&stream->chunks);
    MvChunk *c;

    if (tail && !tail->data) {
        tail->hole += length;   /* two holes in a row are one */
        return;
    }
    c = g_new0(MvChunk, 1);
    c->hole = length;
    g_queue_push_tail(&stream->chunks, c);
}

/* A STREAM_HOLE packet; stream->lock held. */
static void
deliver_hole_locked(MvStream *stream, GBytes *data)
{
    g_autoptr(GError) err = NULL;
    gsize len;
    const guint8 *buf = g_bytes_get_data(data, &len);
    gint64 length;

    if (stream->error || stream->eof || stream->done)
        return;
    if (!stream->sparse) {
        mv_error_set(&stream->error, MV_FROM_STREAMS, MV_ERR_RPC,
                     "the daemon sent a hole on a stream that was not opened sparse");
        stream->eof = true;
        return;
    }
    if (!mv_message_decode_hole(buf, len, &length, &err)) {
        stream->error = g_steal_pointer(&err);
        stream->eof = true;
        return;
    }
    if (length > 0)
        push_hole_locked(stream, (guint64)length);
}

/* Applies one packet to @stream. */
static void
stream_deliver(MvStream *stream, gint32 type, gint32 status, GBytes *data)
{
    g_mutex_lock(&stream->lock);
    if (type == MV_MESSAGE_STREAM_HOLE) {
        deliver_hole_locked(stream, data);
        g_cond_broadcast(&stream->cond);
        g_mutex_unlock(&stream->lock);
        return;
    }
    switch (status) {
    case MV_STATUS_CONTINUE:
        if (g_bytes_get_size(data) == 0) {
            stream->eof = true;
        } else if (!stream->done) {
            MvChunk *c = g_new0(MvChunk, 1);

            c->data = g_bytes_ref(data);
            g_queue_push_tail(&stream->chunks, c);
            stream->queued += g_bytes_get_size(data);
        }
        break;
    case MV_STATUS_OK:
        stream->acked = true;
        stream->eof = true;
        break;
    default:
        if (!stream->error) {
            gsize len;
            const guint8 *buf = g_bytes_get_data(data, &len);

            if (len == 0)
                mv_error_set(&stream->error, MV_FROM_STREAMS, MV_ERR_OPERATION_ABORTED,
                             "the daemon aborted the stream");
            else
                stream->error = mv_message_decode_error(buf, len);
        }
        stream->eof = true;
        break;
    }
    g_cond_broadcast(&stream->cond);
    g_mutex_unlock(&stream->lock);
}

/* On the link's reader thread: while the application has not read what is
 * queued, stop taking more (the socket fills and the daemon waits). Ends
 * when it reads, finishes, aborts, or the stream fails. */
static void
stream_wait_for_reader(MvStream *stream)
{
    g_mutex_lock(&stream->lock);
    while (stream->queued > QUEUE_MAX_BYTES && !stream->done && !stream->error &&
           g_atomic_int_get(&stream->refs) > 1)
        g_cond_wait_until(&stream->cond, &stream->lock,
                          g_get_monotonic_time() + WAIT_SLICE_US);
    g_mutex_unlock(&stream->lock);
}

/* A reference unless the stream is already being freed (its last unref
 * runs concurrently and will unregister it): then NULL. */
static MvStream *
stream_try_ref(MvStream *stream)
{
    gint old;

    do {
        old = g_atomic_int_get(&stream->refs);
        if (old == 0)
            return NULL;
    } while (!g_atomic_int_compare_and_exchange(&stream->refs, old, old + 1));
    return stream;
}

void
mv_stream_link_packet(MvLink *link, const MvMessageHeader *hdr, const guint8 *payload,
                      gsize len)
{
    MvStreamTable *table = mv_link_streams(link);
    gpointer key = GUINT_TO_POINTER(hdr->serial);
    g_autoptr(GBytes) data = NULL;
    MvStream *found, *stream;

    if (hdr->type != MV_MESSAGE_STREAM && hdr->type != MV_MESSAGE_STREAM_HOLE)
        return;
    data = g_bytes_new(payload, len);
    g_mutex_lock(&table->lock);
    found = g_hash_table_lookup(table->streams, key);
    stream = found ? stream_try_ref(found) : NULL;
    if (!found && !g_hash_table_contains(table->dead, key) &&
        table->orphan_bytes + len <= ORPHAN_MAX_BYTES) {
        GQueue *queue = g_hash_table_lookup(table->orphans, key);
        MvPacket *p = g_new0(MvPacket, 1);

        if (!queue) {
            queue = g_queue_new();
            g_hash_table_insert(table->orphans, key, queue);
        }
        p->type = hdr->type;
        p->status = hdr->status;
        p->data = g_bytes_ref(data);
        g_queue_push_tail(queue, p);
        table->orphan_bytes += len;
    }
    g_mutex_unlock(&table->lock);
    if (stream) {
        stream_deliver(stream, hdr->type, hdr->status, data);
        stream_wait_for_reader(stream);
        mv_stream_unref(stream);
    }
}

/* Makes @stream receive the packets of its serial, including early ones. */
static void
stream_register(MvStream *stream)
{
    MvStreamTable *table = mv_link_streams(stream->link);
    gpointer key = GUINT_TO_POINTER(stream->serial);
    GQueue *early = NULL;
    MvPacket *p;

    g_mutex_lock(&table->lock);
    g_hash_table_insert(table->streams, key, stream);
    if (g_hash_table_steal_extended(table->orphans, key, NULL, (gpointer *)&early)) {
        for (GList *l = early->head; l; l = l->next)
            table->orphan_bytes -= g_bytes_get_size(((MvPacket *)l->data)->data);
    }
    /* Deliver under the table lock so later packets cannot overtake these. */
    while (early && (p = g_queue_pop_head(early))) {
        stream_deliver(stream, p->type, p->status, p->data);
        packet_free(p);
    }
    g_mutex_unlock(&table->lock);
    if (early)
        g_queue_free(early);
}

static void
stream_unregister(MvStream *stream)
{
    MvStreamTable *table = mv_link_streams(stream->link);
    gpointer key = GUINT_TO_POINTER(stream->serial);

    g_mutex_lock(&table->lock);
    if (g_hash_table_lookup(table->streams, key) == stream) {
        g_hash_table_remove(table->streams, key);
        g_hash_table_add(table->dead, key);
    }
    g_mutex_unlock(&table->lock);
}

MvStream *
mv_stream_new(MvConnect *conn, MvLink *link, int proc, guint32 serial, bool sparse)
{
    MvStream *stream = g_new0(MvStream, 1);

    stream->sparse = sparse;
    stream->refs = 1;
    stream->conn = mv_connect_ref(conn);
    stream->link = link;
    stream->proc = proc;
    stream->serial = serial;
    g_mutex_init(&stream->lock);
    g_cond_init(&stream->cond);
    g_queue_init(&stream->chunks);
    stream_register(stream);
    return stream;
}

/* Sends a STREAM packet of @status with @len bytes. */
static bool
stream_send(MvStream *stream, gint32 status, const void *buf, gsize len, GError **error)
{
    MvMessageHeader hdr = {
        .prog = MV_PROGRAM_REMOTE,
        .vers = MV_PROGRAM_VERSION,
        .proc = stream->proc,
        .type = MV_MESSAGE_STREAM,
        .serial = stream->serial,
        .status = status,
    };
    g_autoptr(MvMessage) msg = mv_message_encode_raw(&hdr, buf, len);

    return mv_rpc_client_send_message(mv_link_rpc(stream->link), msg, error);
}

static bool
stream_link_alive(MvStream *stream)
{
    return mv_rpc_client_is_open(mv_link_rpc(stream->link));
}

MvStream *
mv_domain_open_console(MvDomain *dom, const char *dev_name, unsigned int flags, GError **error)
{
    mv_remote_domain_open_console_args args = { .flags = flags };
    mv_remote_nonnull_string dev = (char *)dev_name;
    MvConnect *conn;
    MvLink *link;
    guint32 serial = 0;

    if (!mv_client_check_arg(dom != NULL, "mv_domain_open_console", "the domain", error) ||
        !mv_client_check_flags(flags, MV_CONSOLE_FORCE | MV_CONSOLE_SAFE,
                               "mv_domain_open_console", error))
        return NULL;
    conn = mv_domain_get_connect(dom);
    if (!(link = mv_connect_link(conn, MV_REMOTE_PROC_DOMAIN_OPEN_CONSOLE, error)))
        return NULL;
    mv_domain_to_wire(dom, &args.dom);
    args.dev_name = dev_name ? &dev : NULL;
    if (!mv_remote_domain_open_console(mv_link_rpc(link), &args, &serial, error))
        return NULL;
    return mv_stream_new(conn, link, MV_REMOTE_PROC_DOMAIN_OPEN_CONSOLE, serial, false);
}

/* Waits until something is queued, the stream ended or failed, or @deadline;
 * stream->lock held. False with @error set on a timeout or a broken link. */
static bool
wait_for_input_locked(MvStream *stream, gint64 deadline, int timeout_ms, GError **error)
{
    while (g_queue_is_empty(&stream->chunks) && !stream->eof && !stream->error) {
        gint64 now = g_get_monotonic_time();

        if (!stream_link_alive(stream))
            return mv_error_set(error, MV_FROM_STREAMS, MV_ERR_RPC,
                                "the connection to the daemon broke while reading the stream");
        if (now >= deadline)
            return mv_error_set(error, MV_FROM_STREAMS, MV_ERR_OPERATION_TIMEOUT,
                                "no data on the stream within %d ms", timeout_ms);
        g_cond_wait_until(&stream->cond, &stream->lock, MIN(deadline, now + WAIT_SLICE_US));
    }
    return true;
}

/* Marks @n bytes of the head chunk read; stream->lock held. */
static void
consume_locked(MvStream *stream, gsize n)
{
    MvChunk *head = g_queue_peek_head(&stream->chunks);

    if (!head->data) {
        head->hole -= n;
        if (head->hole == 0)
            chunk_free(g_queue_pop_head(&stream->chunks));
        return;
    }
    stream->offset += n;
    stream->queued -= n;
    if (stream->offset == g_bytes_get_size(head->data)) {
        chunk_free(g_queue_pop_head(&stream->chunks));
        stream->offset = 0;
    }
    /* The link's reader may be waiting for room. */
    if (stream->queued <= QUEUE_MAX_BYTES / 2)
        g_cond_broadcast(&stream->cond);
}

/* Copies queued data (and holes as zeros unless @stop_at_hole) into @buf. */
static gsize
copy_out_locked(MvStream *stream, guint8 *buf, gsize len, bool stop_at_hole)
{
    gsize copied = 0;
    MvChunk *head;

    while (copied < len && (head = g_queue_peek_head(&stream->chunks))) {
        gsize n;

        if (!head->data) {
            if (stop_at_hole)
                break;
            n = (gsize)MIN((guint64)(len - copied), head->hole);
            memset(buf + copied, 0, n);
        } else {
            gsize size;
            const guint8 *data = g_bytes_get_data(head->data, &size);

            n = MIN(len - copied, size - stream->offset);
            memcpy(buf + copied, data + stream->offset, n);
        }
        copied += n;
        consume_locked(stream, n);
    }
    return copied;
}

static gint64
deadline_of(int timeout_ms)
{
    return timeout_ms < 0 ? G_MAXINT64 : g_get_monotonic_time() + (gint64)timeout_ms * 1000;
}

gssize
mv_stream_read(MvStream *stream, void *buf, gsize len, int timeout_ms, GError **error)
{
    gsize copied;

    if (!mv_client_check_arg(stream != NULL && buf != NULL, "mv_stream_read",
                             "the stream or buffer", error))
        return -1;
    g_mutex_lock(&stream->lock);
    if (!wait_for_input_locked(stream, deadline_of(timeout_ms), timeout_ms, error)) {
        g_mutex_unlock(&stream->lock);
        return -1;
    }
    copied = copy_out_locked(stream, buf, len, false);
    if (copied == 0 && stream->error) {
        g_propagate_error(error, g_error_copy(stream->error));
        g_mutex_unlock(&stream->lock);
        return -1;
    }
    g_mutex_unlock(&stream->lock);
    return (gssize)copied;
}

gssize
mv_stream_read_sparse(MvStream *stream, void *buf, gsize len, guint64 *ret_hole,
                      int timeout_ms, GError **error)
{
    MvChunk *head;
    gsize copied;

    if (!mv_client_check_arg(stream != NULL && buf != NULL && ret_hole != NULL,
                             "mv_stream_read_sparse", "the stream, buffer or hole", error))
        return -1;
    g_mutex_lock(&stream->lock);
    if (!wait_for_input_locked(stream, deadline_of(timeout_ms), timeout_ms, error)) {
        g_mutex_unlock(&stream->lock);
        return -1;
    }
    head = g_queue_peek_head(&stream->chunks);
    if (head && !head->data) {
        *ret_hole = head->hole;
        consume_locked(stream, (gsize)head->hole);
        g_mutex_unlock(&stream->lock);
        return 0;
    }
    copied = copy_out_locked(stream, buf, len, true);
    if (copied == 0 && stream->error) {
        g_propagate_error(error, g_error_copy(stream->error));
        g_mutex_unlock(&stream->lock);
        return -1;
    }
    g_mutex_unlock(&stream->lock);
    *ret_hole = 0;
    return (gssize)copied;
}

gssize
mv_stream_take_chunk(MvStream *stream, GBytes **ret_data, guint64 *ret_hole, GError **error)
{
    MvChunk *head;
    gsize size;

    g_mutex_lock(&stream->lock);
    if (!wait_for_input_locked(stream, G_MAXINT64, -1, error)) {
        g_mutex_unlock(&stream->lock);
        return -1;
    }
    *ret_data = NULL;
    *ret_hole = 0;
    if (!(head = g_queue_peek_head(&stream->chunks))) {
        if (stream->error) {
            g_propagate_error(error, g_error_copy(stream->error));
            g_mutex_unlock(&stream->lock);
            return -1;
        }
        g_mutex_unlock(&stream->lock);
        return 0;
    }
    if (!head->data) {
        *ret_hole = head->hole;
        consume_locked(stream, (gsize)head->hole);
        g_mutex_unlock(&stream->lock);
        return 0;
    }
    size = g_bytes_get_size(head->data);
    *ret_data = g_bytes_new_from_bytes(head->data, stream->offset, size - stream->offset);
    consume_locked(stream, size - stream->offset);
    g_mutex_unlock(&stream->lock);
    return (gssize)g_bytes_get_size(*ret_data);
}

/* False with @error set when nothing may be sent any more: the daemon's
 * error if it failed the stream, else "already finished". */
static bool
stream_check_writable(MvStream *stream, GError **error)
{
    bool usable;

    g_mutex_lock(&stream->lock);
    usable = !stream->done && !stream->error && !stream->acked;
    if (stream->error)
        g_propagate_error(error, g_error_copy(stream->error));
    g_mutex_unlock(&stream->lock);
    if (!usable && (!error || !*error))
        return mv_error_set(error, MV_FROM_STREAMS, MV_ERR_OPERATION_INVALID,
                            "the stream is already finished");
    return usable;
}

MvMessage *
mv_stream_new_data_message(MvStream *stream, gsize len, guint8 **ret_payload)
{
    MvMessageHeader hdr = {
        .prog = MV_PROGRAM_REMOTE,
        .vers = MV_PROGRAM_VERSION,
        .proc = stream->proc,
        .type = MV_MESSAGE_STREAM,
        .serial = stream->serial,
        .status = MV_STATUS_CONTINUE,
    };

    return mv_message_new_stream(&hdr, len, ret_payload);
}

bool
mv_stream_send_message(MvStream *stream, MvMessage *msg, GError **error)
{
    g_autoptr(MvMessage) owned = msg;

    if (!stream_check_writable(stream, error))
        return false;
    return mv_rpc_client_send_message(mv_link_rpc(stream->link), owned, error);
}

bool
mv_stream_send_hole(MvStream *stream, guint64 length, unsigned int flags, GError **error)
{
    MvMessageHeader hdr = {
        .prog = MV_PROGRAM_REMOTE,
        .vers = MV_PROGRAM_VERSION,
        .proc = 0,
        .serial = 0,
    };
    g_autoptr(MvMessage) msg = NULL;

    if (!mv_client_check_arg(stream != NULL, "mv_stream_send_hole", "the stream", error) ||
        !mv_client_check_flags(flags, 0, "mv_stream_send_hole", error))
        return false;
    if (!stream->sparse)
        return mv_error_set(error, MV_FROM_STREAMS, MV_ERR_OPERATION_INVALID,
                            "holes cannot be sent on this stream: open the transfer with "
                            "the sparse flag");
    if (length > (guint64)G_MAXINT64)
        return mv_error_set(error, MV_FROM_STREAMS, MV_ERR_INVALID_ARG,
                            "a hole of %" G_GUINT64_FORMAT " bytes is too long", length);
    if (!stream_check_writable(stream, error))
        return false;
    if (length == 0)
        return true;
    hdr.proc = stream->proc;
    hdr.serial = stream->serial;
    msg = mv_message_encode_hole(&hdr, (gint64)length, MV_MESSAGE_HOLE_FLAGS_NONE);
    return mv_rpc_client_send_message(mv_link_rpc(stream->link), msg, error);
}

bool
mv_stream_is_sparse(MvStream *stream)
{
    return stream && stream->sparse;
}

bool
mv_stream_write(MvStream *stream, const void *buf, gsize len, GError **error)
{
    const guint8 *p = buf;

    if (!mv_client_check_arg(stream != NULL && (buf != NULL || len == 0), "mv_stream_write",
                             "the stream or buffer", error))
        return false;
    if (!stream_check_writable(stream, error))
        return false;
    while (len > 0) {
        gsize n = MIN(len, MV_MESSAGE_STREAM_CHUNK);

        if (!stream_send(stream, MV_STATUS_CONTINUE, p, n, error))
            return false;
        p += n;
        len -= n;
    }
    return true;
}

bool
mv_stream_finish(MvStream *stream, unsigned int flags, GError **error)
{
    gint64 deadline = g_get_monotonic_time() + FINISH_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
    bool ok = true;

    if (!mv_client_check_arg(stream != NULL, "mv_stream_finish", "the stream", error) ||
        !mv_client_check_flags(flags, 0, "mv_stream_finish", error))
        return false;
    g_mutex_lock(&stream->lock);
    if (stream->done) {
        g_mutex_unlock(&stream->lock);
        return mv_error_set(error, MV_FROM_STREAMS, MV_ERR_OPERATION_INVALID,
                            "the stream is already finished or aborted");
    }
    stream->done = true;
    chunks_clear_locked(stream);       /* unread data is dropped; the reader may go on */
    g_cond_broadcast(&stream->cond);
    g_mutex_unlock(&stream->lock);
    if (!stream_send(stream, MV_STATUS_OK, NULL, 0, error)) {
        stream_unregister(stream);
        return false;
    }
    g_mutex_lock(&stream->lock);
    while (!stream->acked && !stream->error && stream_link_alive(stream)) {
        gint64 now = g_get_monotonic_time();

        if (now >= deadline)
            break;
        g_cond_wait_until(&stream->cond, &stream->lock, MIN(deadline, now + WAIT_SLICE_US));
    }
    if (stream->error) {
        g_propagate_error(error, g_error_copy(stream->error));
        ok = false;
    } else if (!stream->acked) {
        ok = mv_error_set(error, MV_FROM_STREAMS, MV_ERR_OPERATION_TIMEOUT,
                          "the daemon did not confirm the end of the stream");
    }
    g_mutex_unlock(&stream->lock);
    stream_unregister(stream);
    return ok;
}

void
mv_stream_abort(MvStream *stream)
{
    bool send;

    if (!stream)
        return;
    g_mutex_lock(&stream->lock);
    send = !stream->done && !stream->acked;
    stream->done = true;
    chunks_clear_locked(stream);
    g_cond_broadcast(&stream->cond);
    g_mutex_unlock(&stream->lock);
    if (send && stream_link_alive(stream))
        stream_send(stream, MV_STATUS_ERROR, NULL, 0, NULL);
    stream_unregister(stream);
}

MvStream *
mv_stream_ref(MvStream *stream)
{
    if (stream)
        g_atomic_int_inc(&stream->refs);
    return stream;
}

void
mv_stream_unref(MvStream *stream)
{
    if (!stream || !g_atomic_int_dec_and_test(&stream->refs))
        return;
    mv_stream_abort(stream);
    g_queue_clear_full(&stream->chunks, chunk_free);
    g_clear_error(&stream->error);
    g_cond_clear(&stream->cond);
    g_mutex_clear(&stream->lock);
    mv_connect_unref(stream->conn);
    g_free(stream);
}
