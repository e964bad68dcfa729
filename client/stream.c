/* MvStream: the stream protocol on top of a link. Packets arrive on the
 * link's reader thread (mv_stream_link_packet) and are queued until read;
 * writes are framed and sent directly. Wire rules (spec §8): data is STREAM
 * CONTINUE with raw bytes, an empty CONTINUE is the sender's end of data, our
 * finish is STREAM OK (acknowledged with STREAM OK), an abort is STREAM ERROR
 * with an empty payload. */
#include <string.h>

#include "client-priv.h"
#include "rpc/message.h"

#define ORPHAN_MAX_BYTES (4u * 1024u * 1024u)
#define FINISH_TIMEOUT_MS 30000
#define WAIT_SLICE_US (250 * G_TIME_SPAN_MILLISECOND)

typedef struct {
    gint32 status;
    GBytes *data;
} MvPacket;

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
    GQueue chunks;              /* GBytes, oldest first */
    gsize offset;               /* bytes of the head chunk already read */
    bool eof;                   /* the daemon sent its end of data */
    bool acked;                 /* the daemon sent STREAM OK */
    bool done;                  /* we sent finish or abort */
    GError *error;              /* the daemon failed the stream */
};

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

/* Applies one packet to @stream. */
static void
stream_deliver(MvStream *stream, gint32 status, GBytes *data)
{
    g_mutex_lock(&stream->lock);
    switch (status) {
    case MV_STATUS_CONTINUE:
        if (g_bytes_get_size(data) == 0)
            stream->eof = true;
        else
            g_queue_push_tail(&stream->chunks, g_bytes_ref(data));
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

    if (hdr->type != MV_MESSAGE_STREAM)
        return;                 /* STREAM_HOLE: only for sparse transfers, never requested */
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
        p->status = hdr->status;
        p->data = g_bytes_ref(data);
        g_queue_push_tail(queue, p);
        table->orphan_bytes += len;
    }
    g_mutex_unlock(&table->lock);
    if (stream) {
        stream_deliver(stream, hdr->status, data);
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
        stream_deliver(stream, p->status, p->data);
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
mv_stream_new(MvConnect *conn, MvLink *link, int proc, guint32 serial)
{
    MvStream *stream = g_new0(MvStream, 1);

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
    return mv_stream_new(conn, link, MV_REMOTE_PROC_DOMAIN_OPEN_CONSOLE, serial);
}

gssize
mv_stream_read(MvStream *stream, void *buf, gsize len, int timeout_ms, GError **error)
{
    gint64 deadline = timeout_ms < 0 ? G_MAXINT64
                                     : g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    gsize copied = 0;

    if (!mv_client_check_arg(stream != NULL && buf != NULL, "mv_stream_read",
                             "the stream or buffer", error))
        return -1;
    g_mutex_lock(&stream->lock);
    while (g_queue_is_empty(&stream->chunks) && !stream->eof && !stream->error) {
        gint64 now = g_get_monotonic_time();

        if (!stream_link_alive(stream)) {
            mv_error_set(error, MV_FROM_STREAMS, MV_ERR_RPC,
                         "the connection to the daemon broke while reading the stream");
            g_mutex_unlock(&stream->lock);
            return -1;
        }
        if (now >= deadline) {
            mv_error_set(error, MV_FROM_STREAMS, MV_ERR_OPERATION_TIMEOUT,
                         "no data on the stream within %d ms", timeout_ms);
            g_mutex_unlock(&stream->lock);
            return -1;
        }
        g_cond_wait_until(&stream->cond, &stream->lock, MIN(deadline, now + WAIT_SLICE_US));
    }
    while (copied < len && !g_queue_is_empty(&stream->chunks)) {
        GBytes *head = g_queue_peek_head(&stream->chunks);
        gsize size;
        const guint8 *data = g_bytes_get_data(head, &size);
        gsize n = MIN(len - copied, size - stream->offset);

        memcpy((guint8 *)buf + copied, data + stream->offset, n);
        copied += n;
        stream->offset += n;
        if (stream->offset == size) {
            g_bytes_unref(g_queue_pop_head(&stream->chunks));
            stream->offset = 0;
        }
    }
    if (copied == 0 && stream->error) {
        g_propagate_error(error, g_error_copy(stream->error));
        g_mutex_unlock(&stream->lock);
        return -1;
    }
    g_mutex_unlock(&stream->lock);
    return (gssize)copied;
}

bool
mv_stream_write(MvStream *stream, const void *buf, gsize len, GError **error)
{
    const guint8 *p = buf;
    bool usable;

    if (!mv_client_check_arg(stream != NULL && (buf != NULL || len == 0), "mv_stream_write",
                             "the stream or buffer", error))
        return false;
    g_mutex_lock(&stream->lock);
    usable = !stream->done && !stream->error && !stream->acked;
    if (stream->error)
        g_propagate_error(error, g_error_copy(stream->error));
    g_mutex_unlock(&stream->lock);
    if (!usable)
        return mv_error_set(error, MV_FROM_STREAMS, MV_ERR_OPERATION_INVALID,
                            "the stream is already finished");
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
    g_queue_clear_full(&stream->chunks, (GDestroyNotify)g_bytes_unref);
    g_clear_error(&stream->error);
    g_cond_clear(&stream->cond);
    g_mutex_clear(&stream->lock);
    mv_connect_unref(stream->conn);
    g_free(stream);
}
