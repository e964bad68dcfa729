/* Backend connections: one per client and daemon, opened on demand with the
 * client's read-only flag and identity (the shared MvDaemonLink of
 * common/link/), closed with the client. */
#define MV_LOG_CATEGORY "proxy"
#include "proxy.h"

#include "link/daemon-link.h"
#include "remote-client.h"
#include "util/log.h"

MvProxyBackend *
mv_proxy_backend_ref(MvProxyBackend *be)
{
    g_atomic_int_inc(&be->ref);
    return be;
}

/* The last reference may drop in one of the backend's own handlers (a reply
 * callback on the I/O thread), where its connection cannot be freed: the
 * freeing happens on a cleanup thread. */
void
mv_proxy_backend_unref(MvProxyBackend *be)
{
    if (!be || !g_atomic_int_dec_and_test(&be->ref))
        return;
    g_thread_pool_push(be->proxy->cleanup_pool, be, NULL);
}

void
mv_proxy_backend_close_now(gpointer data, gpointer unused)
{
    MvProxyBackend *be = data;

    /* Stops the connection's source on the I/O thread (waiting for a turn in
     * progress): replies still owed fail with an error. */
    mv_daemon_link_free(be->link);
    for (guint i = 0; i < be->all_streams->len; i++) {
        MvMessageHeader *front = mv_proxy_streams_front(be->all_streams->pdata[i]);
        if (front)
            mv_server_client_remove_stream(be->client, front->proc, front->serial);
    }
    g_hash_table_unref(be->event_ids);
    g_hash_table_unref(be->streams);
    g_ptr_array_unref(be->all_streams);
    mv_server_client_unref(be->client);
    g_free(be->daemon);
    g_free(be->program);
    g_free(be->socket);
    g_mutex_clear(&be->lock);
    g_free(be);
}

void
mv_proxy_backend_close_later(MvProxyBackend *be)
{
    /* The connection's reference; calls in flight hold theirs until answered. */
    mv_proxy_backend_unref(be);
}

void
mv_proxy_backend_batch_note(MvProxyBackend *be)
{
    if (be->batch_out++ == 1 && !be->client_corked) {
        mv_server_client_cork(be->client);
        be->client_corked = true;
    }
}

void
mv_proxy_backend_batch_flush(MvRpcClient *rpc, gpointer data)
{
    MvProxyBackend *be = data;

    be->batch_out = 0;
    if (be->client_corked) {
        be->client_corked = false;
        mv_server_client_uncork(be->client);
    }
}

/* The backend went away under a client (I/O thread, or whoever noticed). */
static void
on_backend_closed(MvRpcClient *rpc, const char *reason, gpointer data)
{
    MvProxyBackend *be = data;
    MvProxyConn *conn = be->conn;
    bool ours;

    g_mutex_lock(&conn->lock);
    ours = g_atomic_pointer_compare_and_exchange(&conn->backends[be->slot], be, NULL);
    g_mutex_unlock(&conn->lock);
    if (!ours)
        return;     /* the client is closing it anyway */
    if (be->slot == MV_PROXY_BACKEND_PRIMARY) {
        /* The hypervisor connection is the client's connection: end it, so
         * the client sees a closed connection instead of errors forever. */
        mv_log_warning("%s closed the connection of client %" G_GUINT64_FORMAT " (%s); "
                       "closing the client", be->program, mv_server_client_get_id(be->client),
                       reason);
        mv_server_client_close(be->client, true);
    } else {
        mv_log_warning("%s closed the connection of client %" G_GUINT64_FORMAT " (%s); "
                       "it is reopened on the next call", be->program,
                       mv_server_client_get_id(be->client), reason);
    }
    mv_proxy_backend_close_later(be);
}

MvProxyBackend *
mv_proxy_backend_open(MvProxyConn *conn, MvProxyBackendSlot slot, const char *daemon,
                      const char *uri, GError **error)
{
    MvProxyBackend *be = g_new0(MvProxyBackend, 1);
    MvDaemonLinkIdentity identity = { 0 };
    MvDaemonLinkConfig config = {
        .uri = uri,
        .open_flags = conn->open_flags,
        .identity = &identity,
        .on_event = mv_proxy_events_relay,
        .on_stream = mv_proxy_streams_relay,
        .on_close = on_backend_closed,
        .user_data = be,
    };
    g_autoptr(GError) err = NULL;

    be->ref = 1;
    be->proxy = conn->proxy;
    be->conn = conn;
    be->client = mv_server_client_ref(conn->client);
    be->slot = slot;
    be->daemon = g_strdup(daemon);
    be->program = g_strdup_printf("modvirt-%sd", daemon);
    /* Read-only clients reach the daemon's read-only socket: the backend
     * enforces read-only by itself, whatever the proxy lets through. */
    be->socket = mv_paths_socket(conn->proxy->paths, daemon,
                                 conn->open_flags & 1u ? MV_SOCKET_RO : MV_SOCKET_RW);
    g_mutex_init(&be->lock);
    be->event_ids = g_hash_table_new(NULL, NULL);
    be->streams = g_hash_table_new(NULL, NULL);
    be->all_streams = g_ptr_array_new_with_free_func(mv_proxy_streams_free);

    config.program = be->program;
    config.socket = be->socket;
    /* The client's identity goes with every backend connection. */
    mv_daemon_link_identity_from_client(be->client, &identity);
    if (!(be->link = mv_daemon_link_connect(&config, error))) {
        mv_daemon_link_identity_clear(&identity);
        mv_proxy_backend_unref(be);
        return NULL;
    }
    be->rpc = mv_daemon_link_rpc(be->link);
    mv_rpc_client_set_batch_handler(be->rpc, mv_proxy_backend_batch_flush, be);
    if (!mv_daemon_link_start(be->link, &config, &err)) {
        /* The daemon's own words reach the client, prefixed with who said them. */
        mv_error_set(error, err->domain == MV_ERROR ? mv_error_get_subsystem(err) : MV_FROM_RPC,
                     err->domain == MV_ERROR ? err->code : MV_ERR_NO_CONNECT, "%s: %s",
                     be->program, err->message);
        mv_daemon_link_identity_clear(&identity);
        mv_proxy_backend_unref(be);
        return NULL;
    }
    mv_daemon_link_identity_clear(&identity);
    /* From now on the backend is served by the I/O thread that serves the
     * client: a reply is read and written on in one turn, no thread hand-off. */
    if (!mv_rpc_client_attach(be->rpc, mv_server_get_context(conn->proxy->server))) {
        mv_error_set(error, MV_FROM_RPC, MV_ERR_NO_CONNECT, "%s closed the connection at once",
                     be->program);
        mv_proxy_backend_unref(be);
        return NULL;
    }
    mv_log_debug("client %" G_GUINT64_FORMAT ": opened %s on %s",
                 mv_server_client_get_id(be->client), uri, be->socket);
    return be;
}

MvProxyBackend *
mv_proxy_conn_ref_backend(MvProxyConn *conn, MvProxyBackendSlot slot)
{
    MvProxyBackend *be;

    g_mutex_lock(&conn->lock);
    if ((be = conn->backends[slot]))
        mv_proxy_backend_ref(be);
    g_mutex_unlock(&conn->lock);
    return be;
}

MvProxyBackend *
mv_proxy_conn_get_backend(MvProxyConn *conn, MvProxyBackendSlot slot, GError **error)
{
    const MvDaemonInfo *info = mv_proxy_slot_daemon(slot);
    MvProxyBackend *be;

    if ((be = mv_proxy_conn_ref_backend(conn, slot)))
        return be;
    if (slot == MV_PROXY_BACKEND_PRIMARY) {
        mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC,
                     "the connection to the hypervisor daemon is closed");
        return NULL;
    }
    g_mutex_lock(&conn->open_lock);
    if (!(be = mv_proxy_conn_ref_backend(conn, slot)) &&
        (be = mv_proxy_backend_open(conn, slot, info->socket_name, info->default_uri, error))) {
        g_mutex_lock(&conn->lock);
        if (conn->closed) {
            g_mutex_unlock(&conn->lock);
            mv_proxy_backend_close_later(be);
            be = NULL;
            mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC, "the client went away");
        } else {
            g_atomic_pointer_set(&conn->backends[slot], mv_proxy_backend_ref(be));
            g_mutex_unlock(&conn->lock);
        }
    }
    g_mutex_unlock(&conn->open_lock);
    return be;
}
