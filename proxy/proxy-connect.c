/* The connection-level calls modvirt-proxyd answers unlike every other daemon
 * (CONNECT_OPEN opens the backend, CONNECT_SET_IDENTITY goes to the open
 * backends) and the per-connection state behind them. The others (auth,
 * features, close, close callbacks, URI, hostname, security) are the shared
 * daemon main's (common/daemon/daemon-connect.c); everything else is
 * forwarded (proxy-forward.c). */
#define MV_LOG_CATEGORY "proxy"
#include "proxy.h"

#include <string.h>
#include <unistd.h>

#include "remote-client.h"
#include "util/log.h"

#define CONNECT_RO         (1u << 0)
#define CONNECT_NO_ALIASES (1u << 1)

static void
conn_free(gpointer data)
{
    MvProxyConn *conn = data;

    g_hash_table_unref(conn->callbacks);
    g_free(conn->primary);
    g_mutex_clear(&conn->lock);
    g_mutex_clear(&conn->open_lock);
    g_free(conn);
}

void
mv_proxy_conn_new(MvDaemon *daemon, MvDaemonConn *dconn, MvServerClient *client)
{
    MvProxyConn *conn = g_new0(MvProxyConn, 1);

    conn->proxy = mv_daemon_get_driver_data(daemon);
    conn->client = client;
    g_mutex_init(&conn->lock);
    g_mutex_init(&conn->open_lock);
    conn->callbacks = g_hash_table_new_full(NULL, NULL, NULL, mv_proxy_callback_free);
    dconn->driver_data = conn;
    dconn->driver_data_free = conn_free;
}

void
mv_proxy_conn_closed(MvDaemon *daemon, MvDaemonConn *dconn, MvServerClient *client)
{
    MvProxyConn *conn = dconn->driver_data;
    MvProxyBackend *backends[MV_PROXY_BACKEND_LAST];

    g_mutex_lock(&conn->lock);
    conn->closed = true;
    for (int i = 0; i < MV_PROXY_BACKEND_LAST; i++)
        backends[i] = g_atomic_pointer_exchange(&conn->backends[i], NULL);
    g_hash_table_remove_all(conn->callbacks);
    g_mutex_unlock(&conn->lock);
    /* The backend connections end now: a worker waiting in a blocking call on
     * one (SET_IDENTITY) must not wait for a reply the I/O thread may never
     * read (the server stopping). Freeing waits for the backends' turns on
     * the I/O thread: never here. */
    for (int i = 0; i < MV_PROXY_BACKEND_LAST; i++) {
        if (backends[i]) {
            mv_rpc_client_shutdown(backends[i]->rpc);
            mv_proxy_backend_close_later(backends[i]);
        }
    }
}

MvProxyConn *
mv_proxy_call_conn(MvServerCall *call)
{
    return mv_daemon_call_conn(call)->driver_data;
}

/* The daemon an empty URI means: the first hypervisor daemon of the registry
 * whose socket exists. */
static const char *
probe_hypervisor(MvProxy *proxy, GError **error)
{
    g_autoptr(GString) tried = g_string_new(NULL);
    const MvDaemonInfo *first = NULL;

    for (int i = 0; i < MV_DAEMON_LAST; i++) {
        const MvDaemonInfo *info = mv_daemon_info((MvDaemonKind)i);
        g_autofree char *path = NULL;

        if (!info->hypervisor)
            continue;
        first = first ? first : info;
        path = mv_paths_socket(proxy->paths, info->socket_name, MV_SOCKET_RW);
        if (access(path, F_OK) == 0)
            return info->socket_name;
        g_string_append_printf(tried, "%s%s", tried->len ? ", " : "", path);
    }
    mv_error_set(error, MV_FROM_RPC, MV_ERR_NO_CONNECT,
                 "no hypervisor daemon is running: none of %s exists; start %s "
                 "(or name a URI such as %s)", tried->str, first->program, first->default_uri);
    return NULL;
}

/* "qemu:///system" -> daemon "qemu", canonical URI. */
static bool
resolve_name(MvProxy *proxy, const char *name, char **ret_daemon, char **ret_uri,
             GError **error)
{
    g_autoptr(GUri) uri = NULL;
    const char *daemon;
    const char *scheme;
    const char *path;

    if (!name || !*name) {
        if (!(daemon = probe_hypervisor(proxy, error)))
            return false;
        *ret_daemon = g_strdup(daemon);
        *ret_uri = g_strdup_printf("%s:///system", daemon);
        return true;
    }
    if (!(uri = g_uri_parse(name, G_URI_FLAGS_NONE, NULL)))
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_NO_CONNECT,
                            "no connection driver available for %s", name);
    scheme = g_uri_get_scheme(uri);
    if (!mv_proxy_daemon_for_scheme(scheme, &daemon))
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_NO_CONNECT,
                            "no connection driver available for %s", name);
    path = g_uri_get_path(uri);
    if (g_strcmp0(path, "/system") != 0)
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_NO_CONNECT,
                            "unexpected %s URI path '%s', try %s:///system", scheme, path,
                            scheme);
    *ret_daemon = g_strdup(daemon);
    *ret_uri = g_strdup_printf("%s:///system", scheme);
    return true;
}

static bool
connect_open(MvServerCall *call, const mv_remote_connect_open_args *args, void *ret,
             GError **error)
{
    MvDaemonConn *dconn = mv_daemon_call_conn(call);
    MvProxyConn *conn = dconn->driver_data;
    MvServerClient *client = mv_server_call_get_client(call);
    g_autofree char *daemon = NULL;
    g_autofree char *uri = NULL;
    MvProxyBackend *be;

    if (args->flags & ~(CONNECT_RO | CONNECT_NO_ALIASES))
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_INVALID_ARG,
                            "unsupported flags (0x%x) in function virConnectOpen",
                            args->flags & ~(CONNECT_RO | CONNECT_NO_ALIASES));
    if (!resolve_name(conn->proxy, args->name ? *args->name : NULL, &daemon, &uri, error))
        return false;
    if (args->flags & CONNECT_RO)
        mv_server_client_set_readonly(client);

    g_mutex_lock(&conn->open_lock);
    g_mutex_lock(&conn->lock);
    if (conn->primary) {
        g_mutex_unlock(&conn->lock);
        g_mutex_unlock(&conn->open_lock);
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_INTERNAL_ERROR, "connection already open");
    }
    conn->open_flags = mv_server_client_is_readonly(client) ? CONNECT_RO : 0;
    g_mutex_unlock(&conn->lock);

    be = mv_proxy_backend_open(conn, MV_PROXY_BACKEND_PRIMARY, daemon, uri, error);
    if (be) {
        g_mutex_lock(&conn->lock);
        if (conn->closed) {
            g_mutex_unlock(&conn->lock);
            mv_proxy_backend_close_later(be);
            be = NULL;
            mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC, "the client went away");
        } else {
            g_atomic_pointer_set(&conn->backends[MV_PROXY_BACKEND_PRIMARY], be);
            conn->primary = g_steal_pointer(&daemon);
            dconn->uri = g_steal_pointer(&uri);
            dconn->opened = true;
            g_mutex_unlock(&conn->lock);
        }
    }
    g_mutex_unlock(&conn->open_lock);
    return be != NULL;
}

static bool
connect_set_identity(MvServerCall *call, const mv_remote_connect_set_identity_args *args,
                     void *ret, GError **error)
{
    MvProxyConn *conn = mv_proxy_call_conn(call);
    uid_t uid = (uid_t)-1;

    /* We forward identities ourselves: only root may replace the one we send. */
    if (!mv_server_client_get_identity(mv_server_call_get_client(call), NULL, &uid, NULL) ||
        uid != 0)
        return mv_error_set(error, MV_FROM_ACCESS, MV_ERR_OPERATION_DENIED,
                            "operation forbidden: only root may set the client identity");
    for (int i = 0; i < MV_PROXY_BACKEND_LAST; i++) {
        MvProxyBackend *be = mv_proxy_conn_ref_backend(conn, i);
        bool ok = !be || mv_remote_connect_set_identity(be->rpc, args, error);

        mv_proxy_backend_unref(be);
        if (!ok)
            return false;
    }
    return true;
}

const MvDispatchFunc mv_proxy_local_handlers[MV_REMOTE_PROC_LAST] = {
    MV_REMOTE_DISPATCH(CONNECT_OPEN, connect_open),
    MV_REMOTE_DISPATCH(CONNECT_SET_IDENTITY, connect_set_identity),
};
