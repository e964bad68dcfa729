/* One RPC connection from an MvConnect to one daemon: where its socket is,
 * the connection preamble (AUTH_LIST, keepalive, CONNECT_OPEN), and the
 * hand-off of events and stream packets arriving on it. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "client-priv.h"
#include "util/paths.h"

#define FEATURE_PROGRAM_KEEPALIVE 10
#define KEEPALIVE_INTERVAL 5
#define KEEPALIVE_COUNT 5
#define AUTH_NONE 0
#define AUTH_SASL 1
#define AUTH_POLKIT 2

struct _MvLink {
    MvConnect *conn;            /* owner; no reference (the link dies with it) */
    MvDaemonKind daemon;
    bool primary;
    GMutex open_lock;           /* one opener at a time */
    MvRpcClient *rpc;           /* set once, read with atomics */
    char *address;              /* socket path or host:port, for messages */
    MvStreamTable *streams;
};

MvLink *
mv_link_new(MvConnect *conn, MvDaemonKind daemon, bool primary)
{
    MvLink *link = g_new0(MvLink, 1);

    link->conn = conn;
    link->daemon = daemon;
    link->primary = primary;
    g_mutex_init(&link->open_lock);
    link->streams = mv_stream_table_new();
    return link;
}

void
mv_link_free(MvLink *link)
{
    if (!link)
        return;
    if (link->rpc) {
        if (mv_rpc_client_is_open(link->rpc))
            mv_remote_connect_close(link->rpc, NULL);
        mv_rpc_client_free(link->rpc);
    }
    mv_stream_table_free(link->streams);
    g_mutex_clear(&link->open_lock);
    g_free(link->address);
    g_free(link);
}

MvRpcClient *
mv_link_peek_rpc(MvLink *link)
{
    return g_atomic_pointer_get(&link->rpc);
}

MvRpcClient *
mv_link_rpc(MvLink *link)
{
    return mv_link_peek_rpc(link);
}

MvDaemonKind
mv_link_daemon(MvLink *link)
{
    return link->daemon;
}

const char *
mv_link_address(MvLink *link)
{
    return link->address ? link->address : "(not connected)";
}

MvConnect *
mv_link_connect(MvLink *link)
{
    return link->conn;
}

MvStreamTable *
mv_link_streams(MvLink *link)
{
    return link->streams;
}

/* Where the daemon's socket is for a local URI (see connect.h). */
static char *
link_socket_path(MvLink *link, const MvUri *uri, bool readonly)
{
    const MvDaemonInfo *info = mv_route_daemon_info(link->daemon);
    MvSocketKind kind = readonly ? MV_SOCKET_RO : MV_SOCKET_RW;
    g_autoptr(MvPaths) paths = NULL;

    if (link->primary && uri->socket)
        return g_strdup(uri->socket);
    if (!uri->root && uri->socket) {
        g_autofree char *dir = g_path_get_dirname(uri->socket);

        return g_strdup_printf("%s/%s%s.sock", dir, info->socket_name, readonly ? "-ro" : "");
    }
    paths = mv_paths_new(uri->root);
    return mv_paths_socket(paths, info->socket_name, kind);
}

static void
link_on_event(MvRpcClient *client, const MvMessageHeader *hdr, const guint8 *payload, gsize len,
              gpointer user_data)
{
    mv_events_link_message(user_data, hdr, payload, len);
}

static void
link_on_stream(MvRpcClient *client, const MvMessageHeader *hdr, const guint8 *payload, gsize len,
               gpointer user_data)
{
    mv_stream_link_packet(user_data, hdr, payload, len);
}

/* Connects the UNIX socket, with an error that says which daemon is missing. */
static int
link_connect_unix(MvLink *link, const char *path, GError **error)
{
    const MvDaemonInfo *info = mv_route_daemon_info(link->daemon);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd, saved;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        mv_error_set(error, MV_FROM_REMOTE, MV_ERR_NO_CONNECT,
                     "the socket path '%s' is too long: use a shorter root= directory", path);
        return -1;
    }
    strcpy(addr.sun_path, path);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
        mv_error_set_errno(error, MV_FROM_REMOTE, errno, "cannot create a socket");
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
        return fd;
    saved = errno;
    close(fd);
    if (link->primary)
        mv_error_set(error, MV_FROM_REMOTE, MV_ERR_NO_CONNECT,
                     "cannot connect to %s at %s (%s): start %s, or check the URI",
                     info->program, path, g_strerror(saved), info->program);
    else
        mv_error_set(error, MV_FROM_REMOTE, MV_ERR_NO_CONNECT,
                     "%s are served by %s, which cannot be reached at %s (%s): start %s "
                     "with the same root as the other daemons",
                     info->serves, info->program, path, g_strerror(saved), info->program);
    return -1;
}

/* AUTH_LIST and, when the daemon asks for it, polkit. */
static bool
link_authenticate(MvLink *link, MvRpcClient *rpc, GError **error)
{
    mv_remote_auth_list_ret auth = { 0 };
    g_autoptr(GError) local = NULL;
    bool ok = true;

    if (!mv_remote_auth_list(rpc, &auth, &local)) {
        if (mv_error_matches(local, MV_ERR_NO_SUPPORT))
            return true;
        g_propagate_error(error, g_steal_pointer(&local));
        return false;
    }
    if (auth.types.types_len > 0 && auth.types.types_val[0] != AUTH_NONE) {
        if (auth.types.types_val[0] == AUTH_POLKIT) {
            mv_remote_auth_polkit_ret pk = { 0 };

            ok = mv_remote_auth_polkit(rpc, &pk, error);
        } else {
            ok = mv_error_set(error, MV_FROM_REMOTE, MV_ERR_AUTH_UNAVAILABLE,
                              "%s at %s asks for %s authentication, which libmodvirt does not "
                              "support: configure it with auth none or polkit",
                              mv_route_daemon_info(link->daemon)->program, link->address,
                              auth.types.types_val[0] == AUTH_SASL ? "SASL" : "unknown");
        }
    }
    xdr_free((xdrproc_t)xdr_mv_remote_auth_list_ret, (char *)&auth);
    return ok;
}

static bool
link_preamble(MvLink *link, MvRpcClient *rpc, const char *open_name, unsigned int flags,
              GError **error)
{
    mv_remote_connect_supports_feature_args feat = { .feature = FEATURE_PROGRAM_KEEPALIVE };
    mv_remote_connect_supports_feature_ret feat_ret = { 0 };
    mv_remote_nonnull_string name = (char *)open_name;
    mv_remote_connect_open_args open = {
        .name = &name,
        .flags = (flags & MV_CONNECT_READ_ONLY) ? 1 : 0,
    };

    if (!link_authenticate(link, rpc, error))
        return false;
    if (mv_remote_connect_supports_feature(rpc, &feat, &feat_ret, NULL) && feat_ret.supported)
        mv_rpc_client_start_keepalive(rpc, KEEPALIVE_INTERVAL, KEEPALIVE_COUNT);
    return mv_remote_connect_open(rpc, &open, error);
}

MvRpcClient *
mv_link_open(MvLink *link, const char *open_name, unsigned int flags, GError **error)
{
    const MvUri *uri = mv_connect_get_uri_parsed(link->conn);
    MvRpcClient *rpc;
    g_autoptr(MvRpcClient) fresh = NULL;
    g_autofree char *address = NULL;
    int fd;

    if ((rpc = mv_link_peek_rpc(link)))
        return rpc;
    g_mutex_lock(&link->open_lock);
    if ((rpc = mv_link_peek_rpc(link))) {
        g_mutex_unlock(&link->open_lock);
        return rpc;
    }
    if (uri->transport == MV_TRANSPORT_UNIX) {
        address = link_socket_path(link, uri, flags & MV_CONNECT_READ_ONLY);
        fd = link_connect_unix(link, address, error);
    } else {
        address = g_strdup_printf("%s:%d", uri->host, uri->port);
        fd = mv_transport_connect(uri, error);
    }
    if (fd < 0 || !(fresh = mv_rpc_client_new_fd(fd, error))) {
        g_mutex_unlock(&link->open_lock);
        return NULL;
    }
    g_free(link->address);
    link->address = g_steal_pointer(&address);
    mv_rpc_client_set_event_handler(fresh, link_on_event, link);
    mv_rpc_client_set_stream_handler(fresh, link_on_stream, link);
    if (!link_preamble(link, fresh, open_name, flags, error)) {
        g_prefix_error(error, "%s at %s: ", mv_route_daemon_info(link->daemon)->program,
                       link->address);
        g_mutex_unlock(&link->open_lock);
        return NULL;
    }
    rpc = g_steal_pointer(&fresh);
    g_atomic_pointer_set(&link->rpc, rpc);
    g_mutex_unlock(&link->open_lock);
    return rpc;
}
