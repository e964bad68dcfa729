/* Backend connections: one per client and daemon, opened on demand with the
 * client's read-only flag and identity, closed with the client. */
#define MV_LOG_CATEGORY "proxy"
#include "proxy.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "remote-client.h"
#include "util/log.h"

typedef struct {
    const char *scheme;
    const char *daemon;
    MvProxyBackendSlot slot;        /* the slot its objects use as a secondary daemon */
} SchemeInfo;

static const SchemeInfo schemes[] = {
    { "qemu", "qemu", MV_PROXY_BACKEND_PRIMARY },
    { "lxc", "lxc", MV_PROXY_BACKEND_PRIMARY },
    { "xen", "xen", MV_PROXY_BACKEND_PRIMARY },
    { "network", "network", MV_PROXY_BACKEND_NETWORK },
    { "storage", "storage", MV_PROXY_BACKEND_STORAGE },
    { "nwfilter", "filter", MV_PROXY_BACKEND_FILTER },
};

bool
mv_proxy_daemon_for_scheme(const char *scheme, const char **ret_daemon)
{
    for (guint i = 0; i < G_N_ELEMENTS(schemes); i++) {
        if (g_strcmp0(schemes[i].scheme, scheme) == 0) {
            *ret_daemon = schemes[i].daemon;
            return true;
        }
    }
    return false;
}

MvProxyBackend *
mv_proxy_backend_ref(MvProxyBackend *be)
{
    g_atomic_int_inc(&be->ref);
    return be;
}

/* The last reference may drop on the backend's own reader thread (a reply
 * callback), which cannot join itself: the freeing happens on a cleanup thread. */
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

    /* Joins the reader thread: replies still owed fail with an error. */
    mv_rpc_client_free(be->rpc);
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

/* The backend went away under a client (reader thread). */
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

/* Connects to @path; the message names the daemon and says what to do. */
static MvRpcClient *
connect_daemon(const char *program, const char *path, GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        mv_error_set(error, MV_FROM_RPC, MV_ERR_NO_CONNECT, "socket path %s is too long", path);
        return NULL;
    }
    strcpy(addr.sun_path, path);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
        connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        mv_error_set(error, MV_FROM_RPC, MV_ERR_NO_CONNECT,
                     "cannot connect to %s at %s: %s — is the daemon running?", program, path,
                     g_strerror(saved));
        return NULL;
    }
    return mv_rpc_client_new_fd(fd, error);
}

static void
add_param(GArray *params, const char *field, int type, guint64 num, const char *str)
{
    mv_remote_typed_param p = { .field = g_strdup(field) };

    p.value.type = type;
    switch (type) {
    case MV_REMOTE_TYPED_PARAM_ULLONG:
        p.value.mv_remote_typed_param_value_u.ul = num;
        break;
    case MV_REMOTE_TYPED_PARAM_LLONG:
        p.value.mv_remote_typed_param_value_u.l = (gint64)num;
        break;
    default:
        p.value.mv_remote_typed_param_value_u.s = g_strdup(str);
        break;
    }
    g_array_append_val(params, p);
}

/* The identity of the client behind @conn, as CONNECT_SET_IDENTITY params. */
static void
identity_params(MvServerClient *client, GArray *params)
{
    const char *dn = mv_server_client_get_tls_dn(client);
    pid_t pid;
    uid_t uid;
    gid_t gid;

    if (dn) {
        add_param(params, "x509-distinguished-name", MV_REMOTE_TYPED_PARAM_STRING, 0, dn);
        return;
    }
    if (!mv_server_client_get_identity(client, &pid, &uid, &gid))
        return;
    {
        char buf[4096];
        struct passwd pw, *pwp = NULL;
        struct group gr, *grp = NULL;

        if (getpwuid_r(uid, &pw, buf, sizeof(buf), &pwp) == 0 && pwp)
            add_param(params, "user-name", MV_REMOTE_TYPED_PARAM_STRING, 0, pwp->pw_name);
        add_param(params, "unix-user-id", MV_REMOTE_TYPED_PARAM_ULLONG, uid, NULL);
        if (getgrgid_r(gid, &gr, buf, sizeof(buf), &grp) == 0 && grp)
            add_param(params, "group-name", MV_REMOTE_TYPED_PARAM_STRING, 0, grp->gr_name);
        add_param(params, "unix-group-id", MV_REMOTE_TYPED_PARAM_ULLONG, gid, NULL);
        add_param(params, "process-id", MV_REMOTE_TYPED_PARAM_LLONG, (guint64)pid, NULL);
    }
}

static bool
send_identity(MvProxyBackend *be, GError **error)
{
    GArray *params = g_array_new(FALSE, TRUE, sizeof(mv_remote_typed_param));
    mv_remote_connect_set_identity_args args = { 0 };
    g_autoptr(GError) err = NULL;
    bool ok;

    identity_params(be->client, params);
    if (params->len == 0) {
        g_array_unref(params);
        return true;
    }
    args.params.params_len = params->len;
    /* xdr_free() below frees the array's data (GLib and XDR share malloc). */
    args.params.params_val = (mv_remote_typed_param *)g_array_free(params, FALSE);
    ok = mv_remote_connect_set_identity(be->rpc, &args, &err);
    if (!ok && (be->conn->open_flags & 1u) &&
        g_error_matches(err, MV_ERROR, MV_ERR_OPERATION_DENIED)) {
        /* The daemons take an identity from root peers only: a proxy not
         * running as root still serves read-only clients, unnamed. */
        mv_log_debug("%s does not take an identity on a read-only connection: %s", be->program,
                     err->message);
        ok = true;
    } else if (!ok) {
        g_propagate_error(error, g_steal_pointer(&err));
    }
    xdr_free((xdrproc_t)xdr_mv_remote_connect_set_identity_args, (char *)&args);
    return ok;
}

MvProxyBackend *
mv_proxy_backend_open(MvProxyConn *conn, MvProxyBackendSlot slot, const char *daemon,
                      const char *uri, GError **error)
{
    MvProxyBackend *be = g_new0(MvProxyBackend, 1);
    char *name = (char *)uri;
    mv_remote_connect_open_args open_args = { .name = &name, .flags = conn->open_flags };
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

    if (!(be->rpc = connect_daemon(be->program, be->socket, error))) {
        mv_proxy_backend_unref(be);
        return NULL;
    }
    mv_rpc_client_set_event_handler(be->rpc, mv_proxy_events_relay, be);
    mv_rpc_client_set_stream_handler(be->rpc, mv_proxy_streams_relay, be);
    if (!mv_remote_connect_open(be->rpc, &open_args, &err) || !send_identity(be, &err)) {
        /* The daemon's own words reach the client, prefixed with who said them. */
        mv_error_set(error, err->domain == MV_ERROR ? mv_error_get_subsystem(err) : MV_FROM_RPC,
                     err->domain == MV_ERROR ? err->code : MV_ERR_NO_CONNECT, "%s: %s",
                     be->program, err->message);
        mv_proxy_backend_unref(be);
        return NULL;
    }
    mv_rpc_client_set_close_handler(be->rpc, on_backend_closed, be);
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
    static const char *const slot_daemon[MV_PROXY_BACKEND_LAST] = {
        [MV_PROXY_BACKEND_NETWORK] = "network",
        [MV_PROXY_BACKEND_STORAGE] = "storage",
        [MV_PROXY_BACKEND_FILTER] = "filter",
    };
    static const char *const slot_uri[MV_PROXY_BACKEND_LAST] = {
        [MV_PROXY_BACKEND_NETWORK] = "network:///system",
        [MV_PROXY_BACKEND_STORAGE] = "storage:///system",
        [MV_PROXY_BACKEND_FILTER] = "nwfilter:///system",
    };
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
        (be = mv_proxy_backend_open(conn, slot, slot_daemon[slot], slot_uri[slot], error))) {
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
