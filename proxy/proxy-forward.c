/* Forwarding: every call the proxy does not answer itself goes, undecoded, to
 * the daemon the route table names, on the client's own backend connection.
 * The raw handler runs on the server's I/O thread and writes the call to the
 * backend in the same turn; the backend connection is served by the same
 * thread (mv_rpc_client_attach), which reads the reply and writes it to the
 * client in one turn, so a forwarded call costs no thread hand-off, and
 * replies, events and stream data of one backend keep their order. A backend
 * that still has to be opened is opened on a worker. */
#define MV_LOG_CATEGORY "proxy"
#include "proxy.h"

#include <string.h>

#include "util/log.h"

typedef enum {
    FORWARD_PLAIN,
    FORWARD_REGISTER,       /* reply carries a backend callback id: remap it */
    FORWARD_DEREGISTER,     /* args carry a front callback id: mapped before sending */
    FORWARD_STREAM,         /* an OK reply opens a stream */
} ForwardKind;

typedef struct {
    MvServerCall *call;
    MvProxyBackend *be;     /* a reference */
    ForwardKind kind;
    int front_id;           /* DEREGISTER */
    int dereg_proc;         /* REGISTER */
} Forward;

typedef struct {
    MvServerCall *call;
    MvProxyBackendSlot slot;
    GBytes *payload;
    Forward *fwd;
} OpenJob;

static void
forward_free(Forward *fwd)
{
    mv_proxy_backend_unref(fwd->be);
    g_free(fwd);
}

static void
reply_backend_error(Forward *fwd, const GError *err)
{
    g_autoptr(GError) e = NULL;

    mv_error_set(&e, err->domain == MV_ERROR ? mv_error_get_subsystem(err) : MV_FROM_RPC,
                 err->domain == MV_ERROR ? err->code : MV_ERR_RPC, "%s: %s", fwd->be->program,
                 err->message);
    mv_server_call_reply_error(fwd->call, e);
}

/* The backend's answer (the I/O thread, or whoever noticed it broke). */
static void
on_reply(MvRpcClient *rpc, const MvMessageHeader *hdr, const guint8 *payload, gsize len,
         const GError *error, gpointer data)
{
    Forward *fwd = data;
    g_autofree guint8 *copy = NULL;

    if (error) {
        reply_backend_error(fwd, error);
        forward_free(fwd);
        return;
    }
    mv_proxy_backend_batch_note(fwd->be);
    if (hdr->status == MV_STATUS_OK) {
        switch (fwd->kind) {
        case FORWARD_REGISTER:
            if (len >= 4) {
                guint32 id = GUINT32_FROM_BE(*(const guint32 *)payload);
                guint32 front = (guint32)mv_proxy_events_add(fwd->be, (int)id, fwd->dereg_proc);

                copy = g_memdup2(payload, len);
                *(guint32 *)copy = GUINT32_TO_BE(front);
                payload = copy;
            }
            break;
        case FORWARD_DEREGISTER:
            mv_proxy_events_remove(fwd->be->conn, fwd->front_id);
            break;
        case FORWARD_STREAM:
            /* Before the reply leaves: the client may answer at once. */
            mv_proxy_streams_open(fwd->be, mv_server_call_get_header(fwd->call), hdr->serial);
            break;
        default:
            break;
        }
    }
    mv_server_call_reply_raw(fwd->call, hdr->status, payload, len);
    forward_free(fwd);
}

/* One more call for @be in the current read of @conn (I/O thread): from the
 * second on, the backend connection is corked until the read is done
 * (mv_proxy_forward_batch_end), so pipelined calls leave in one write. */
static void
batch_note(MvProxyConn *conn, MvProxyBackend *be)
{
    if (conn->batch_calls[be->slot]++ == 1 && !conn->batch_corked[be->slot]) {
        mv_rpc_client_cork(be->rpc);
        conn->batch_corked[be->slot] = mv_proxy_backend_ref(be);
    }
}

void
mv_proxy_forward_batch_end(MvServerClient *client, gpointer daemon)
{
    MvProxyConn *conn = ((MvDaemonConn *)mv_server_client_get_data(client))->driver_data;

    for (int i = 0; i < MV_PROXY_BACKEND_LAST; i++) {
        MvProxyBackend *be = g_steal_pointer(&conn->batch_corked[i]);

        conn->batch_calls[i] = 0;
        if (be) {
            mv_rpc_client_uncork(be->rpc);
            mv_proxy_backend_unref(be);
        }
    }
}

static void
send_forward(Forward *fwd, const guint8 *payload, gsize len, MvProxyConn *batch_conn)
{
    const MvMessageHeader *hdr = mv_server_call_get_header(fwd->call);
    g_autoptr(GError) err = NULL;

    if (batch_conn)
        batch_note(batch_conn, fwd->be);

    if (!mv_rpc_client_call_raw_async(fwd->be->rpc, hdr->prog, hdr->vers, hdr->proc, payload, len,
                                      on_reply, fwd, NULL, &err)) {
        reply_backend_error(fwd, err);
        forward_free(fwd);
    }
}

void
mv_proxy_forward_open_job(gpointer data, gpointer proxy)
{
    OpenJob *job = data;
    g_autoptr(GError) err = NULL;
    MvProxyConn *conn = mv_proxy_call_conn(job->call);
    gsize len;
    const guint8 *payload = g_bytes_get_data(job->payload, &len);

    if (!(job->fwd->be = mv_proxy_conn_get_backend(conn, job->slot, &err))) {
        mv_server_call_reply_error(job->call, err);
        g_free(job->fwd);
    } else {
        send_forward(job->fwd, payload, len, NULL);     /* a worker: no batch */
    }
    g_bytes_unref(job->payload);
    g_free(job);
}

void
mv_proxy_forward(MvServerCall *call, const guint8 *payload, gsize len, gpointer daemon)
{
    MvProxyConn *conn = mv_proxy_call_conn(call);
    const MvProcInfo *proc = mv_server_call_get_proc(call);
    const MvMessageHeader *hdr = mv_server_call_get_header(call);
    g_autoptr(GError) err = NULL;
    g_autofree guint8 *copy = NULL;
    MvProxyBackendSlot slot = MV_PROXY_BACKEND_PRIMARY;
    Forward *fwd;
    int dereg;
    bool ok;
    MvProcInfo routed;

    proc = mv_proxy_events_private_route(hdr, proc, payload, len, &routed);
    g_mutex_lock(&conn->lock);
    ok = mv_proxy_slot_for_route(conn->primary, proc, &slot, &err);
    g_mutex_unlock(&conn->lock);
    if (!ok) {
        mv_server_call_reply_error(call, err);
        return;
    }
    fwd = g_new0(Forward, 1);
    fwd->call = call;
    if (proc->kind == MV_PROC_KIND_STREAM) {
        fwd->kind = FORWARD_STREAM;
    } else if ((dereg = mv_proxy_events_dereg_proc(hdr->proc)) > 0) {
        fwd->kind = FORWARD_REGISTER;
        fwd->dereg_proc = dereg;
    } else if (mv_proxy_events_is_dereg(hdr->proc) && len >= 4) {
        MvProxyCallback cb = { 0 };

        /* Deregistration goes to the backend that has the callback, with its id. */
        fwd->kind = FORWARD_DEREGISTER;
        fwd->front_id = (int)GUINT32_FROM_BE(*(const guint32 *)payload);
        if (!mv_proxy_events_lookup(conn, fwd->front_id, &cb) || cb.dereg_proc != hdr->proc) {
            mv_proxy_backend_unref(cb.backend);
            mv_error_set(&err, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                         "callback %d is not registered on this connection", fwd->front_id);
            mv_server_call_reply_error(call, err);
            g_free(fwd);
            return;
        }
        copy = g_memdup2(payload, len);
        *(guint32 *)copy = GUINT32_TO_BE((guint32)cb.backend_id);
        payload = copy;
        fwd->be = cb.backend;   /* the lookup's reference */
        send_forward(fwd, payload, len, conn);
        return;
    }

    if ((fwd->be = mv_proxy_conn_ref_backend(conn, slot))) {
        send_forward(fwd, payload, len, conn);
        return;
    }
    if (slot == MV_PROXY_BACKEND_PRIMARY) {
        mv_error_set(&err, MV_FROM_RPC, MV_ERR_RPC,
                     "the connection to the hypervisor daemon is closed");
        mv_server_call_reply_error(call, err);
        g_free(fwd);
        return;
    }
    /* Opening a backend blocks: not on the I/O thread. */
    {
        OpenJob *job = g_new0(OpenJob, 1);

        job->call = call;
        job->slot = slot;
        job->payload = g_bytes_new(payload, len);
        job->fwd = fwd;
        g_thread_pool_push(conn->proxy->open_pool, job, NULL);
    }
}
