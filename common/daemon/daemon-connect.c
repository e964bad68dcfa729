/* Connection-level calls every daemon answers the same way: authentication,
 * feature queries, open/close, close callbacks, library version, hostname,
 * URI, security and forwarded identity. */
#define MV_LOG_CATEGORY "daemon"
#include "daemon/daemon-priv.h"

#include <string.h>

#include "daemon/event-log.h"
#include "remote-dispatch.h"
#include "util/log.h"

/* CONNECT_OPEN flags we understand: VIR_CONNECT_RO, VIR_CONNECT_NO_ALIASES. */
#define MV_CONNECT_RO         (1u << 0)
#define MV_CONNECT_NO_ALIASES (1u << 1)

/* Feature numbers a client may ask about (CONNECT_SUPPORTS_FEATURE). */
enum {
    MV_FEATURE_TYPED_PARAM_STRING = 9,
    MV_FEATURE_PROGRAM_KEEPALIVE = 10,
    MV_FEATURE_REMOTE_EVENT_CALLBACK = 14,
    MV_FEATURE_REMOTE_CLOSE_CALLBACK = 15,
    /* NETWORK_UPDATE carries command before section (the client swaps them
     * for a server that does not say so). */
    MV_FEATURE_NETWORK_UPDATE_HAS_CORRECT_ORDER = 16,
};

gpointer
mv_daemon_connect_client_new(MvServerClient *client, gpointer daemon)
{
    MvDaemonConn *conn = g_new0(MvDaemonConn, 1);

    conn->daemon = daemon;
    if (conn->daemon->desc->conn_new)
        conn->daemon->desc->conn_new(conn->daemon, conn, client);
    return conn;
}

void
mv_daemon_connect_client_free(gpointer data)
{
    MvDaemonConn *conn = data;

    if (conn->driver_data && conn->driver_data_free)
        conn->driver_data_free(conn->driver_data);
    g_clear_pointer(&conn->identity, g_hash_table_unref);
    g_free(conn->uri);
    g_free(conn);
}

void
mv_daemon_connect_client_closed(MvServerClient *client, gpointer data)
{
    MvDaemonConn *conn = data;

    mv_daemon_event_log_client_closed(client);
    if (conn->daemon->desc->conn_closed)
        conn->daemon->desc->conn_closed(conn->daemon, conn, client);
}

bool
mv_daemon_connect_call_check(MvServerClient *client, const MvProcInfo *proc, GError **error)
{
    MvDaemonConn *conn = mv_server_client_get_data(client);

    if (conn->opened)
        return true;
    /* Only REMOTE procedures open a connection: the private programs' numbers
     * (EVENTS_HOLD = 1, ...) are not CONNECT_OPEN. */
    if (proc != mv_program_lookup_proc(&mv_remote_program, proc->number))
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_INTERNAL_ERROR,
                            "hypervisor connection not open");
    switch (proc->number) {
    case MV_REMOTE_PROC_AUTH_LIST:
    case MV_REMOTE_PROC_AUTH_POLKIT:
    case MV_REMOTE_PROC_CONNECT_SUPPORTS_FEATURE:
    case MV_REMOTE_PROC_CONNECT_OPEN:
    case MV_REMOTE_PROC_CONNECT_CLOSE:
        return true;
    default:
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_INTERNAL_ERROR,
                            "hypervisor connection not open");
    }
}

static bool
auth_list(MvServerCall *call, const void *args, mv_remote_auth_list_ret *ret, GError **error)
{
    /* UNIX sockets authenticate by SO_PEERCRED and file permissions, TLS
     * peers by their verified certificate: nothing to negotiate, "none". */
    ret->types.types_len = 1;
    ret->types.types_val = g_new0(int, 1);
    return true;
}

static bool
connect_supports_feature(MvServerCall *call, const mv_remote_connect_supports_feature_args *args,
                         mv_remote_connect_supports_feature_ret *ret, GError **error)
{
    MvDaemonConn *conn = mv_daemon_call_conn(call);

    if (args->feature == MV_FEATURE_PROGRAM_KEEPALIVE) {
        ret->supported = conn->daemon->server_config.keepalive_interval > 0;
        if (ret->supported)
            mv_server_client_enable_keepalive(mv_server_call_get_client(call));
        return true;
    }
    if (!conn->opened)
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_INTERNAL_ERROR,
                            "hypervisor connection not open");
    switch (args->feature) {
    case MV_FEATURE_TYPED_PARAM_STRING:
    case MV_FEATURE_REMOTE_EVENT_CALLBACK:
    case MV_FEATURE_REMOTE_CLOSE_CALLBACK:
    case MV_FEATURE_NETWORK_UPDATE_HAS_CORRECT_ORDER:
        ret->supported = 1;
        break;
    default:
        ret->supported = 0;
        break;
    }
    return true;
}

/* Checks @name against the schemes the daemon serves and returns the
 * canonical URI for the connection. */
static char *
connect_resolve_uri(MvDaemon *daemon, const char *name, GError **error)
{
    const MvDaemonDescriptor *desc = daemon->desc;
    g_autoptr(GUri) uri = NULL;
    const char *scheme;
    const char *path;

    if (!name || !*name)
        return g_strdup(desc->default_uri);
    if (!(uri = g_uri_parse(name, G_URI_FLAGS_NONE, NULL))) {
        mv_error_set(error, MV_FROM_NONE, MV_ERR_NO_CONNECT,
                     "no connection driver available for %s", name);
        return NULL;
    }
    scheme = g_uri_get_scheme(uri);
    if (!desc->uri_schemes || !g_strv_contains(desc->uri_schemes, scheme)) {
        mv_error_set(error, MV_FROM_NONE, MV_ERR_NO_CONNECT,
                     "no connection driver available for %s: %s serves only %s", name,
                     desc->program_name, desc->default_uri);
        return NULL;
    }
    path = g_uri_get_path(uri);
    if (g_strcmp0(path, "/system") != 0) {
        mv_error_set(error, MV_FROM_NONE, MV_ERR_NO_CONNECT,
                     "unexpected %s URI path '%s', try %s:///system", scheme, path, scheme);
        return NULL;
    }
    return g_strdup_printf("%s:///system", scheme);
}

static bool
connect_open(MvServerCall *call, const mv_remote_connect_open_args *args, void *ret,
             GError **error)
{
    MvDaemonConn *conn = mv_daemon_call_conn(call);
    const char *name = args->name ? *args->name : NULL;
    char *uri;

    if (conn->opened)
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_INTERNAL_ERROR, "connection already open");
    if (args->flags & ~(MV_CONNECT_RO | MV_CONNECT_NO_ALIASES))
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_INVALID_ARG,
                            "unsupported flags (0x%x) in function virConnectOpen",
                            args->flags & ~(MV_CONNECT_RO | MV_CONNECT_NO_ALIASES));
    if (!(uri = connect_resolve_uri(conn->daemon, name, error)))
        return false;
    if (args->flags & MV_CONNECT_RO)
        mv_server_client_set_readonly(mv_server_call_get_client(call));
    conn->uri = uri;
    conn->opened = true;
    return true;
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
    mv_daemon_call_conn(call)->close_callback = true;
    return true;
}

static bool
connect_unregister_close_callback(MvServerCall *call, const void *args, void *ret,
                                  GError **error)
{
    MvDaemonConn *conn = mv_daemon_call_conn(call);

    if (!conn->close_callback)
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_OPERATION_INVALID,
                            "no close callback is registered on this connection");
    conn->close_callback = false;
    return true;
}

static bool
connect_get_lib_version(MvServerCall *call, const void *args,
                        mv_remote_connect_get_lib_version_ret *ret, GError **error)
{
    ret->lib_ver = MV_LIBVIRT_COMPAT_VERSION;
    return true;
}

static bool
connect_get_hostname(MvServerCall *call, const void *args,
                     mv_remote_connect_get_hostname_ret *ret, GError **error)
{
    ret->hostname = g_strdup(mv_daemon_call_daemon(call)->hostname);
    return true;
}

static bool
connect_get_uri(MvServerCall *call, const void *args, mv_remote_connect_get_uri_ret *ret,
                GError **error)
{
    ret->uri = g_strdup(mv_daemon_call_conn(call)->uri);
    return true;
}

static bool
connect_is_secure(MvServerCall *call, const void *args, mv_remote_connect_is_secure_ret *ret,
                  GError **error)
{
    MvServerClient *client = mv_server_call_get_client(call);

    /* UNIX sockets are local and TLS is encrypted; plain TCP is neither. */
    ret->secure = mv_server_client_is_tls(client) ||
                  mv_server_client_get_identity(client, NULL, NULL, NULL);
    return true;
}

static char *
typed_param_to_string(const mv_remote_typed_param *p)
{
    const mv_remote_typed_param_value *v = &p->value;

    switch (v->type) {
    case MV_REMOTE_TYPED_PARAM_INT:
        return g_strdup_printf("%d", v->mv_remote_typed_param_value_u.i);
    case MV_REMOTE_TYPED_PARAM_UINT:
        return g_strdup_printf("%u", v->mv_remote_typed_param_value_u.ui);
    case MV_REMOTE_TYPED_PARAM_LLONG:
        return g_strdup_printf("%" G_GINT64_FORMAT, (gint64)v->mv_remote_typed_param_value_u.l);
    case MV_REMOTE_TYPED_PARAM_ULLONG:
        return g_strdup_printf("%" G_GUINT64_FORMAT, (guint64)v->mv_remote_typed_param_value_u.ul);
    case MV_REMOTE_TYPED_PARAM_STRING:
        return g_strdup(v->mv_remote_typed_param_value_u.s);
    default:
        return NULL;
    }
}

static gint
compare_keys(gconstpointer a, gconstpointer b, gpointer unused)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Debug: who a forwarding peer (the proxy, another daemon) speaks for. */
static void
log_identity(MvServerClient *client, GHashTable *identity)
{
    g_autoptr(GString) text = NULL;
    g_autofree gpointer *keys = NULL;
    guint n;

    if (!mv_log_enabled(MV_LOG_DEBUG))
        return;
    text = g_string_new(NULL);
    keys = g_hash_table_get_keys_as_array(identity, &n);
    g_qsort_with_data(keys, n, sizeof(gpointer), compare_keys, NULL);
    for (guint i = 0; i < n; i++)
        g_string_append_printf(text, "%s%s=%s", i ? " " : "", (char *)keys[i],
                               (char *)g_hash_table_lookup(identity, keys[i]));
    mv_log_debug("client %" G_GUINT64_FORMAT " speaks for: %s", mv_server_client_get_id(client),
                 text->str);
}

static bool
connect_set_identity(MvServerCall *call, const mv_remote_connect_set_identity_args *args,
                     void *ret, GError **error)
{
    MvDaemonConn *conn = mv_daemon_call_conn(call);
    g_autoptr(GHashTable) identity = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    uid_t uid = (uid_t)-1;

    /* Only a privileged peer (the proxy, another daemon) may speak for someone else. */
    if (!mv_server_client_get_identity(mv_server_call_get_client(call), NULL, &uid, NULL) ||
        uid != 0)
        return mv_error_set(error, MV_FROM_ACCESS, MV_ERR_OPERATION_DENIED,
                            "operation forbidden: only root may set the client identity");
    if (args->flags)
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_INVALID_ARG,
                            "unsupported flags (0x%x) in function virConnectSetIdentity",
                            args->flags);
    for (u_int i = 0; i < args->params.params_len; i++) {
        const mv_remote_typed_param *p = &args->params.params_val[i];
        char *value = typed_param_to_string(p);
        if (!value)
            return mv_error_set(error, MV_FROM_NONE, MV_ERR_INVALID_ARG,
                                "identity field '%s' has an unsupported type", p->field);
        g_hash_table_replace(identity, g_strdup(p->field), value);
    }
    log_identity(mv_server_call_get_client(call), identity);
    g_clear_pointer(&conn->identity, g_hash_table_unref);
    conn->identity = g_steal_pointer(&identity);
    return true;
}

void
mv_daemon_connect_fill_handlers(MvDispatchFunc *handlers)
{
    static const MvDispatchFunc common[MV_REMOTE_PROC_LAST] = {
        MV_REMOTE_DISPATCH(AUTH_LIST, auth_list),
        MV_REMOTE_DISPATCH(CONNECT_SUPPORTS_FEATURE, connect_supports_feature),
        MV_REMOTE_DISPATCH(CONNECT_OPEN, connect_open),
        MV_REMOTE_DISPATCH(CONNECT_CLOSE, connect_close),
        MV_REMOTE_DISPATCH(CONNECT_REGISTER_CLOSE_CALLBACK, connect_register_close_callback),
        MV_REMOTE_DISPATCH(CONNECT_UNREGISTER_CLOSE_CALLBACK, connect_unregister_close_callback),
        MV_REMOTE_DISPATCH(CONNECT_GET_LIB_VERSION, connect_get_lib_version),
        MV_REMOTE_DISPATCH(CONNECT_GET_HOSTNAME, connect_get_hostname),
        MV_REMOTE_DISPATCH(CONNECT_GET_URI, connect_get_uri),
        MV_REMOTE_DISPATCH(CONNECT_IS_SECURE, connect_is_secure),
        MV_REMOTE_DISPATCH(CONNECT_SET_IDENTITY, connect_set_identity),
    };

    memcpy(handlers, common, sizeof(common));
}
