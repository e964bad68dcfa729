/* Streams (console, volume transfers): a stream is keyed by the opening
 * call's proc and serial, which differ between the client's connection and
 * the backend's. Client packets arrive on the server's I/O thread and are
 * queued to the backend without blocking; backend packets arrive on its
 * reader thread and go to the client. A stream ends with an OK or ERROR
 * packet from the backend (its answer to the client's finish or abort, or its
 * own failure). No flow control beyond socket buffering, as in libvirt. */
#define MV_LOG_CATEGORY "proxy"
#include "proxy.h"

#include "util/log.h"

typedef struct {
    MvProxyBackend *be;         /* borrowed: the backend owns its streams */
    MvMessageHeader front;      /* prog, vers, proc, serial on the client's side */
    guint32 backend_serial;
    gint done;
} ProxyStream;

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
    if (!mv_rpc_client_queue_message(st->be->rpc, mv_message_encode_raw(&bhdr, data, len), &err))
        mv_log_debug("stream packet to %s dropped: %s", st->be->program, err->message);
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

/* A packet from the backend (its reader thread). */
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
    mv_server_client_send(be->client, mv_message_encode_raw(&fhdr, payload, len));
    if (final) {
        g_atomic_int_set(&st->done, 1);
        mv_server_client_remove_stream(be->client, st->front.proc, st->front.serial);
    }
}
