/* Events: callback ids are allocated by each backend daemon, so two backends
 * of one client may hand out the same id. The client only ever sees ids the
 * proxy allocated for its connection; the MESSAGE payloads of callback-style
 * events start with the id, which is rewritten on the way through. Legacy
 * events (DOMAIN_EVENT_LIFECYCLE and the other pre-callback procedures)
 * carry no id and pass unchanged. */
#define MV_LOG_CATEGORY "proxy"
#include "proxy.h"

#include <string.h>

#include "events-private.h"
#include "util/log.h"

/* Registration procedures whose reply is a callback id, and their
 * deregistration. remote.x has no node device events yet (their
 * registrations are unknown procedures, never forwarded): add them here with
 * their procedures. */
static const struct {
    int reg;
    int dereg;
} callback_procs[] = {
    { MV_REMOTE_PROC_CONNECT_NETWORK_EVENT_REGISTER_ANY,
      MV_REMOTE_PROC_CONNECT_NETWORK_EVENT_DEREGISTER_ANY },
    { MV_REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
      MV_REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY },
    { MV_REMOTE_PROC_CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY,
      MV_REMOTE_PROC_CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY },
    { MV_REMOTE_PROC_CONNECT_SECRET_EVENT_REGISTER_ANY,
      MV_REMOTE_PROC_CONNECT_SECRET_EVENT_DEREGISTER_ANY },
};

/* Every event from the first callback-style one (the network lifecycle event)
 * on starts with the callback id, except "connection closed", which has none. */
#define FIRST_CALLBACK_EVENT MV_REMOTE_PROC_NETWORK_EVENT_LIFECYCLE
#define CONNECTION_CLOSED_EVENT MV_REMOTE_PROC_CONNECT_EVENT_CONNECTION_CLOSED

int
mv_proxy_events_dereg_proc(int register_proc)
{
    for (guint i = 0; i < G_N_ELEMENTS(callback_procs); i++) {
        if (callback_procs[i].reg == register_proc)
            return callback_procs[i].dereg;
    }
    return 0;
}

bool
mv_proxy_events_is_dereg(int proc)
{
    for (guint i = 0; i < G_N_ELEMENTS(callback_procs); i++) {
        if (callback_procs[i].dereg == proc)
            return true;
    }
    return false;
}

void
mv_proxy_callback_free(gpointer data)
{
    MvProxyCallback *cb = data;

    mv_proxy_backend_unref(cb->backend);
    g_free(cb);
}

int
mv_proxy_events_add(MvProxyBackend *be, int backend_id, int dereg_proc)
{
    MvProxyConn *conn = be->conn;
    MvProxyCallback *cb = g_new0(MvProxyCallback, 1);
    int front_id;

    cb->backend = mv_proxy_backend_ref(be);
    cb->backend_id = backend_id;
    cb->dereg_proc = dereg_proc;
    g_mutex_lock(&conn->lock);
    front_id = conn->next_callback_id++;
    g_hash_table_insert(conn->callbacks, GINT_TO_POINTER(front_id), cb);
    g_mutex_unlock(&conn->lock);
    g_mutex_lock(&be->lock);
    g_hash_table_insert(be->event_ids, GINT_TO_POINTER(backend_id), GINT_TO_POINTER(front_id));
    g_mutex_unlock(&be->lock);
    return front_id;
}

bool
mv_proxy_events_lookup(MvProxyConn *conn, int front_id, MvProxyCallback *ret_cb)
{
    MvProxyCallback *cb;

    g_mutex_lock(&conn->lock);
    if ((cb = g_hash_table_lookup(conn->callbacks, GINT_TO_POINTER(front_id)))) {
        *ret_cb = *cb;
        mv_proxy_backend_ref(cb->backend);
    }
    g_mutex_unlock(&conn->lock);
    return cb != NULL;
}

void
mv_proxy_events_remove(MvProxyConn *conn, int front_id)
{
    MvProxyCallback *cb;
    MvProxyBackend *be = NULL;
    int backend_id = 0;

    g_mutex_lock(&conn->lock);
    if ((cb = g_hash_table_lookup(conn->callbacks, GINT_TO_POINTER(front_id)))) {
        be = g_steal_pointer(&cb->backend);
        backend_id = cb->backend_id;
        g_hash_table_remove(conn->callbacks, GINT_TO_POINTER(front_id));
    }
    g_mutex_unlock(&conn->lock);
    if (!be)
        return;
    g_mutex_lock(&be->lock);
    g_hash_table_remove(be->event_ids, GINT_TO_POINTER(backend_id));
    g_mutex_unlock(&be->lock);
    mv_proxy_backend_unref(be);
}

/* Resumable events (events-private.x): an EVENT message wraps a REMOTE
 * event's payload after its number (8 bytes), procedure (4) and length (4). */
#define WRAPPED_PROC_AT 8
#define WRAPPED_BODY_AT 16

/* The front id of backend callback @backend_id, false when unknown. */
static bool
front_callback_id(MvProxyBackend *be, int backend_id, guint32 *ret_front)
{
    gpointer front;
    bool found;

    g_mutex_lock(&be->lock);
    found = g_hash_table_lookup_extended(be->event_ids, GINT_TO_POINTER(backend_id), NULL,
                                         &front);
    g_mutex_unlock(&be->lock);
    if (found)
        *ret_front = (guint32)GPOINTER_TO_INT(front);
    return found;
}

/* An EVENT of the EVENTS program: the wrapped callback id is rewritten like a
 * plain event's, the rest sent from the backend's read buffer. False (dropped)
 * for an unknown callback or a short message. */
static bool
relay_wrapped(MvProxyBackend *be, const MvMessageHeader *hdr, const guint8 *payload, gsize len)
{
    guint8 head[WRAPPED_BODY_AT + 4];
    int proc;
    guint32 front;

    if (len < WRAPPED_BODY_AT)
        return false;
    proc = (int)GUINT32_FROM_BE(*(const guint32 *)(payload + WRAPPED_PROC_AT));
    if (proc < FIRST_CALLBACK_EVENT || proc == CONNECTION_CLOSED_EVENT) {
        mv_proxy_backend_batch_note(be);
        mv_server_client_send_frame_head(be->client, hdr, NULL, 0, payload, len);
        return true;
    }
    if (len < sizeof(head) ||
        !front_callback_id(be, (int)GUINT32_FROM_BE(*(const guint32 *)(payload +
                                                                        WRAPPED_BODY_AT)),
                           &front))
        return false;
    memcpy(head, payload, WRAPPED_BODY_AT);
    *(guint32 *)(head + WRAPPED_BODY_AT) = GUINT32_TO_BE(front);
    mv_proxy_backend_batch_note(be);
    mv_server_client_send_frame_head(be->client, hdr, head, sizeof(head), payload + sizeof(head),
                                     len - sizeof(head));
    return true;
}

const MvProcInfo *
mv_proxy_events_private_route(const MvMessageHeader *hdr, const MvProcInfo *proc,
                              const guint8 *payload, gsize len, MvProcInfo *scratch)
{
    guint32 n;

    /* The first argument, a string: its length word, then the route's name. */
    if (hdr->prog != MV_PROGRAM_EVENTS_PRIVATE || len < 4)
        return proc;
    n = GUINT32_FROM_BE(*(const guint32 *)payload);
    if (n == 0 || n > len - 4)
        return proc;
    for (int route = MV_ROUTE_ANY + 1; route < MV_ROUTE_LAST; route++) {
        const char *name = mv_route_name((MvRoute)route);

        if (strlen(name) == n && memcmp(name, payload + 4, n) == 0) {
            *scratch = *proc;
            scratch->route = (MvRoute)route;
            return scratch;
        }
    }
    return proc;
}

/* A MESSAGE from a backend (the I/O thread): rewrite the callback id and
 * pass it to the client. The payload is sent from the backend connection's
 * read buffer, the new id in front of it: no copy per subscriber unless the
 * client's socket does not take it at once. */
void
mv_proxy_events_relay(MvRpcClient *rpc, const MvMessageHeader *hdr, const guint8 *payload,
                      gsize len, gpointer data)
{
    MvProxyBackend *be = data;

    if (hdr->prog == MV_PROGRAM_EVENTS_PRIVATE && hdr->proc == MV_EVENTS_PRIVATE_PROC_EVENT) {
        if (!relay_wrapped(be, hdr, payload, len))
            mv_log_debug("numbered event for an unknown callback from %s dropped",
                         be->program);
        return;
    }
    if (hdr->prog == MV_PROGRAM_REMOTE && hdr->proc >= FIRST_CALLBACK_EVENT &&
        hdr->proc != CONNECTION_CLOSED_EVENT) {
        guint32 front, id_be;

        if (len < 4)
            return;
        if (!front_callback_id(be, (int)GUINT32_FROM_BE(*(const guint32 *)payload), &front)) {
            mv_log_debug("event %d for an unknown callback from %s dropped", hdr->proc,
                         be->program);
            return;
        }
        id_be = GUINT32_TO_BE(front);
        mv_proxy_backend_batch_note(be);
        mv_server_client_send_frame_head(be->client, hdr, (const guint8 *)&id_be, 4,
                                         payload + 4, len - 4);
        return;
    }
    if (hdr->prog == MV_PROGRAM_REMOTE && hdr->proc == CONNECTION_CLOSED_EVENT)
        return;     /* about the backend connection, not the client's: ours to handle */
    mv_proxy_backend_batch_note(be);
    mv_server_client_send_frame_head(be->client, hdr, NULL, 0, payload, len);
}
