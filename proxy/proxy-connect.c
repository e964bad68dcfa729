/* The calls modvirt-proxyd answers itself (authentication, features,
 * open/close, close callbacks, URI, hostname, security, identity) and the
 * per-connection state behind them. Everything else is forwarded
 * (proxy-forward.c). */
#define MV_LOG_CATEGORY "proxy"
#include "proxy.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "remote-client.h"
#include "util/log.h"

#define CONNECT_RO         (1u << 0)
#define CONNECT_NO_ALIASES (1u << 1)

enum {
    FEATURE_TYPED_PARAM_STRING = 9,
    FEATURE_PROGRAM_KEEPALIVE = 10,
    FEATURE_REMOTE_EVENT_CALLBACK = 14,
    FEATURE_REMOTE_CLOSE_CALLBACK = 15,
};

/* Hypervisor daemons probed, in order, for an empty URI. */
static const char *const hypervisors[] = { "qemu", "lxc", "xen" };

gpointer
mv_proxy_conn_new(MvServerClient *client, gpointer proxy)
{
    MvProxyConn *conn = g_new0(MvProxyConn, 1);

    conn->proxy = proxy;
    conn->client = client;
    g_mutex_init(&conn->lock);
    g_mutex_init(&conn->open_lock);
    conn->callbacks = g_hash_table_new_full(NULL, NULL, NULL, mv_proxy_callback_free);
    return conn;
}

void
mv_proxy_conn_free(gpointer data)
{
    MvProxyConn *conn = data;

    g_hash_table_unref(conn->callbacks);
    g_free(conn->uri);
    g_free(conn->primary);
    g_mutex_clear(&conn->lock);
    g_mutex_clear(&conn->open_lock);
    g_free(conn);
}

void
mv_proxy_conn_closed(MvServerClient *client, gpointer data)
{
    MvProxyConn *conn = data;
    MvProxyBackend *backends[MV_PROXY_BACKEND_LAST];

    g_mutex_lock(&conn->lock);
    conn->closed = true;
    for (int i = 0; i < MV_PROXY_BACKEND_LAST; i++)
        backends[i] = g_atomic_pointer_exchange(&conn->backends[i], NULL);
    g_hash_table_remove_all(conn->callbacks);
    g_mutex_unlock(&conn->lock);
    /* Closing joins reader threads: never on the I/O thread. */
    for (int i = 0; i < MV_PROXY_BACKEND_LAST; i++) {
        if (backends[i])
            mv_proxy_backend_close_later(backends[i]);
    }
}

bool
mv_proxy_call_check(MvServerClient *client, const MvProcInfo *proc, GError **error)
{
    MvProxyConn *conn = mv_server_client_get_data(client);
    bool opened;

    g_mutex_lock(&conn->lock);
    opened = conn->opened;
    g_mutex_unlock(&conn->lock);
    if (opened)
        return true;
    switch (proc->number) {
    case MV_REMOTE_PROC_AUTH_LIST:
    case MV_REMOTE_PROC_CONNECT_SUPPORTS_FEATURE:
    case MV_REMOTE_PROC_CONNECT_OPEN:
    case MV_REMOTE_PROC_CONNECT_CLOSE:
        return true;
    default:
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_INTERNAL_ERROR,
                            "hypervisor connection not open");
    }
}

static MvProxyConn *
call_conn(MvServerCall *call)
{
    return mv_server_call_get_client_data(call);
}

static bool
auth_list(MvServerCall *call, const void *args, mv_remote_auth_list_ret *ret, GError **error)
{
    /* UNIX peers: SO_PEERCRED and socket permissions; TLS peers: their
     * verified certificate. Nothing more to negotiate: "none". */
    ret->types.types_len = 1;
    ret->types.types_val = g_new0(int, 1);
    return true;
}

static bool
connect_supports_feature(MvServerCall *call, const mv_remote_connect_supports_feature_args *args,
                         mv_remote_connect_supports_feature_ret *ret, GError **error)
{
    MvProxyConn *conn = call_conn(call);
    bool opened;

    if (args->feature == FEATURE_PROGRAM_KEEPALIVE) {
        ret->supported = conn->proxy->conf.server.keepalive_interval > 0;
        if (ret->supported)
            mv_server_client_enable_keepalive(mv_server_call_get_client(call));
        return true;
    }
    g_mutex_lock(&conn->lock);
    opened = conn->opened;
    g_mutex_unlock(&conn->lock);
    if (!opened)
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_INTERNAL_ERROR,
                            "hypervisor connection not open");
    switch (args->feature) {
    case FEATURE_TYPED_PARAM_STRING:
    case FEATURE_REMOTE_EVENT_CALLBACK:
    case FEATURE_REMOTE_CLOSE_CALLBACK:
        ret->supported = 1;
        break;
    default:
        ret->supported = 0;
        break;
    }
    return true;
}

/* The daemon an empty URI means: the first hypervisor daemon whose socket exists. */
static const char *
probe_hypervisor(MvProxy *proxy, GError **error)
{
    g_autoptr(GString) tried = g_string_new(NULL);

    for (guint i = 0; i < G_N_ELEMENTS(hypervisors); i++) {
        g_autofree char *path = mv_paths_socket(proxy->paths, hypervisors[i], MV_SOCKET_RW);
        if (access(path, F_OK) == 0)
            return hypervisors[i];
        g_string_append_printf(tried, "%s%s", tried->len ? ", " : "", path);
    }
    mv_error_set(error, MV_FROM_RPC, MV_ERR_NO_CONNECT,
                 "no hypervisor daemon is running: none of %s exists; start modvirt-qemud "
                 "(or name a URI such as qemu:///system)", tried->str);
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
    MvProxyConn *conn = call_conn(call);
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
    if (conn->opened || conn->primary) {
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
            conn->uri = g_steal_pointer(&uri);
            conn->opened = true;
            g_mutex_unlock(&conn->lock);
        }
    }
    g_mutex_unlock(&conn->open_lock);
    return be != NULL;
}

static bool
connect_close(MvServerCall *call, const void *args, void *ret, GError **error)
{
    mv_server_call_close_after_reply(call);
    return true;
}

static bool
connect_register_close_callback(MvServerCall *call, const void *args, void *ret, GError **error)
{
    MvProxyConn *conn = call_conn(call);

    g_mutex_lock(&conn->lock);
    conn->close_callback = true;
    g_mutex_unlock(&conn->lock);
    return true;
}

static bool
connect_unregister_close_callback(MvServerCall *call, const void *args, void *ret,
                                  GError **error)
{
    MvProxyConn *conn = call_conn(call);
    bool had;

    g_mutex_lock(&conn->lock);
    had = conn->close_callback;
    conn->close_callback = false;
    g_mutex_unlock(&conn->lock);
    if (!had)
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_OPERATION_INVALID,
                            "no close callback is registered on this connection");
    return true;
}

static bool
connect_get_hostname(MvServerCall *call, const void *args,
                     mv_remote_connect_get_hostname_ret *ret, GError **error)
{
    ret->hostname = g_strdup(call_conn(call)->proxy->hostname);
    return true;
}

static bool
connect_get_uri(MvServerCall *call, const void *args, mv_remote_connect_get_uri_ret *ret,
                GError **error)
{
    MvProxyConn *conn = call_conn(call);

    g_mutex_lock(&conn->lock);
    ret->uri = g_strdup(conn->uri);
    g_mutex_unlock(&conn->lock);
    return true;
}

static bool
connect_is_secure(MvServerCall *call, const void *args, mv_remote_connect_is_secure_ret *ret,
                  GError **error)
{
    MvServerClient *client = mv_server_call_get_client(call);

    /* UNIX sockets are local, TLS is encrypted; plain TCP is neither. */
    ret->secure = mv_server_client_is_tls(client) ||
                  mv_server_client_get_identity(client, NULL, NULL, NULL);
    return true;
}

static bool
connect_set_identity(MvServerCall *call, const mv_remote_connect_set_identity_args *args,
                     void *ret, GError **error)
{
    MvProxyConn *conn = call_conn(call);
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
    MV_REMOTE_DISPATCH(AUTH_LIST, auth_list),
    MV_REMOTE_DISPATCH(CONNECT_SUPPORTS_FEATURE, connect_supports_feature),
    MV_REMOTE_DISPATCH(CONNECT_OPEN, connect_open),
    MV_REMOTE_DISPATCH(CONNECT_CLOSE, connect_close),
    MV_REMOTE_DISPATCH(CONNECT_REGISTER_CLOSE_CALLBACK, connect_register_close_callback),
    MV_REMOTE_DISPATCH(CONNECT_UNREGISTER_CLOSE_CALLBACK, connect_unregister_close_callback),
    MV_REMOTE_DISPATCH(CONNECT_GET_HOSTNAME, connect_get_hostname),
    MV_REMOTE_DISPATCH(CONNECT_GET_URI, connect_get_uri),
    MV_REMOTE_DISPATCH(CONNECT_IS_SECURE, connect_is_secure),
    MV_REMOTE_DISPATCH(CONNECT_SET_IDENTITY, connect_set_identity),
};
