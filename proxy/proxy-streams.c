/* Streams (console, volume transfers): a stream is keyed by the opening
 * call's proc and serial, which differ between the client's connection and
 * the backend's. Client packets arrive on the server's I/O thread and are
 * queued to the backend without blocking; backend packets arrive on the same
 * thread (the backend connection is attached to it) and go to the client. A
 * stream ends with an OK or ERROR packet from the backend (its answer to the
 * client's finish or abort, or its own failure). Holes of sparse volume
 * transfers (STREAM_HOLE) travel like data, both ways.
 *
 * Backpressure, so that neither a slow client nor a slow daemon makes the
 * proxy hold a whole volume: upload packets wait in the backend connection's
 * output queue, and past QUEUE_LIMIT the client's input is held until that
 * queue has drained; download packets wait in the client's output queue, and
 * while it is congested the backend connection's input is held (the daemon
 * then waits on its own socket). */
#define MV_LOG_CATEGORY "proxy"
#include "proxy.h"

#include "util/log.h"

/* Bytes of a client's upload queued towards the daemon before its input is held. */
#define QUEUE_LIMIT (4u * 1024u * 1024u)

typedef struct {
    MvProxyBackend *be;         /* borrowed: the backend owns its streams */
    MvMessageHeader front;      /* prog, vers, proc, serial on the client's side */
    guint32 backend_serial;
    gint done;
    gint held;                  /* the client's input is held for this stream */
} ProxyStream;

/* The backend's output queue drained (or the connection closed): read the client again. */
static void
on_backend_drained(gpointer data, gpointer rpc)
{
    ProxyStream *st = data;
    MvServerClient *client = st->be->client;

    g_atomic_int_set(&st->held, 0);
    mv_server_client_release_input(client);
    mv_server_client_unref(client);
}

void
mv_proxy_streams_free(gpointer data)
{
    g_free(data);
}

MvMessageHeader *
mv_proxy_streams_front(gpointer data)
{
    ProxyStream *st = data;

    return g_atomic_int_get(&st->done) ? NULL : &st->front;
}

/* A packet from the client (server I/O thread). */
static void
on_client_packet(MvServerClient *client, const MvMessageHeader *hdr, const guint8 *data,
                 gsize len, gpointer stream_data)
{
    ProxyStream *st = stream_data;
    MvMessageHeader bhdr = *hdr;
    g_autoptr(GError) err = NULL;

    if (g_atomic_int_get(&st->done))
        return;
    bhdr.serial = st->backend_serial;
    if (!mv_rpc_client_queue_frame(st->be->rpc, &bhdr, data, len, &err)) {
        mv_log_debug("stream packet to %s dropped: %s", st->be->program, err->message);
        return;
    }
    if (mv_rpc_client_get_queued_bytes(st->be->rpc) >= QUEUE_LIMIT &&
        g_atomic_int_compare_and_exchange(&st->held, 0, 1)) {
        /* The backend reference keeps @st; the client reference outlives a close. */
        mv_server_client_hold_input(client);
        mv_server_client_ref(client);
        mv_rpc_client_add_drain_watch(st->be->rpc, on_backend_drained, st);
    }
}

/* Nothing to do here: the destroy notify that follows (also alone, when the
 * client closes first) reads the backend again. */
static void
on_client_drained(gpointer data, gpointer client)
{
}

/* The client's queue went down (or it closed): the backend's packets flow again. */
static void
on_client_drained_release(gpointer data)
{
    MvProxyBackend *be = data;

    mv_rpc_client_release_input(be->rpc);
    mv_proxy_backend_unref(be);
}

/* While the client does not read what is queued for it (a slow downloader),
 * the backend connection handles no further packet and reads nothing: the
 * daemon's packets stay in its socket and the daemon waits. */
static void
hold_for_client(MvProxyBackend *be)
{
    if (!mv_server_client_is_congested(be->client))
        return;
    mv_rpc_client_hold_input(be->rpc);
    mv_server_client_add_drain_watch(be->client, on_client_drained, mv_proxy_backend_ref(be),
                                     on_client_drained_release);
}

void
mv_proxy_streams_open(MvProxyBackend *be, const MvMessageHeader *front_hdr,
                      guint32 backend_serial)
{
    ProxyStream *st = g_new0(ProxyStream, 1);

    st->be = be;
    st->front = *front_hdr;
    st->backend_serial = backend_serial;
    g_mutex_lock(&be->lock);
    g_ptr_array_add(be->all_streams, st);
    g_hash_table_insert(be->streams, GUINT_TO_POINTER(backend_serial), st);
    g_mutex_unlock(&be->lock);
    mv_server_client_add_stream(be->client, front_hdr->proc, front_hdr->serial, on_client_packet,
                                st);
}

/* A packet from the backend (the server's I/O thread: the backend connection
 * is attached to it). */
void
mv_proxy_streams_relay(MvRpcClient *rpc, const MvMessageHeader *hdr, const guint8 *payload,
                       gsize len, gpointer data)
{
    MvProxyBackend *be = data;
    MvMessageHeader fhdr = *hdr;
    ProxyStream *st;
    bool final = hdr->type == MV_MESSAGE_STREAM && hdr->status != MV_STATUS_CONTINUE;

    g_mutex_lock(&be->lock);
    st = g_hash_table_lookup(be->streams, GUINT_TO_POINTER(hdr->serial));
    if (st && final)
        g_hash_table_remove(be->streams, GUINT_TO_POINTER(hdr->serial));
    g_mutex_unlock(&be->lock);
    if (!st) {
        mv_log_debug("stream packet from %s for no open stream (serial %u) dropped",
                     be->program, hdr->serial);
        return;
    }
    fhdr.prog = st->front.prog;
    fhdr.vers = st->front.vers;
    fhdr.proc = st->front.proc;
    fhdr.serial = st->front.serial;
    mv_proxy_backend_batch_note(be);
    mv_server_client_send_frame(be->client, &fhdr, payload, len);
    if (final) {
        g_atomic_int_set(&st->done, 1);
        mv_server_client_remove_stream(be->client, st->front.proc, st->front.serial);
        return;
    }
    hold_for_client(be);
}
