/* One RPC connection from an MvConnect to one daemon: where its socket is
 * (or the proxy's host and TLS files), the messages naming a daemon that is
 * missing, and the hand-off of events and stream packets arriving on it.
 * Connecting and the preamble are the shared MvDaemonLink's (common/link/). */
#include <errno.h>
#include <unistd.h>

#include "client-priv.h"
#include "util/paths.h"


struct _MvLink {
    MvConnect *conn;            /* owner; no reference (the link dies with it) */
    MvDaemonKind daemon;
    bool primary;
    GMutex open_lock;           /* one opener at a time */
    MvDaemonLink *daemon_link;  /* the connection, once open */
    MvRpcClient *rpc;           /* its RPC client: set once, read with atomics */
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
    mv_daemon_link_close(link->daemon_link);
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

/* The message for a daemon that cannot be reached: which daemon, where, what to do. */
static void
link_connect_error(const char *address, int errnum, gpointer data, GError **error)
{
    MvLink *link = data;
    const MvDaemonInfo *info = mv_route_daemon_info(link->daemon);
    const MvUri *uri = mv_connect_get_uri_parsed(link->conn);

    if (uri->transport != MV_TRANSPORT_UNIX)
        mv_error_set(error, MV_FROM_REMOTE, MV_ERR_NO_CONNECT,
                     "cannot connect to %s port %d (%s): is modvirt-proxyd listening there?",
                     uri->host, uri->port, g_strerror(errnum));
    else if (errnum == ENAMETOOLONG)
        mv_error_set(error, MV_FROM_REMOTE, MV_ERR_NO_CONNECT,
                     "the socket path '%s' is too long: use a shorter root= directory", address);
    else if (link->primary)
        mv_error_set(error, MV_FROM_REMOTE, MV_ERR_NO_CONNECT,
                     "cannot connect to %s at %s (%s): start %s, or check the URI",
                     info->program, address, g_strerror(errnum), info->program);
    else
        mv_error_set(error, MV_FROM_REMOTE, MV_ERR_NO_CONNECT,
                     "%s are served by %s, which cannot be reached at %s (%s): start %s "
                     "with the same root as the other daemons",
                     info->serves, info->program, address, g_strerror(errnum), info->program);
}

static char *
tls_default_pkipath(void)
{
    if (geteuid() == 0)
        return g_strdup("/etc/pki/modvirt");
    return g_build_filename(g_get_home_dir(), ".pki", "modvirt", NULL);
}

MvRpcClient *
mv_link_open(MvLink *link, const char *open_name, unsigned int flags, GError **error)
{
    const MvUri *uri = mv_connect_get_uri_parsed(link->conn);
    const MvDaemonInfo *info = mv_route_daemon_info(link->daemon);
    g_autofree char *socket = NULL;
    g_autofree char *pkipath = NULL;
    g_autoptr(MvTlsContext) tls = NULL;
    MvDaemonLinkConfig config = {
        .program = info->program,
        .authenticate = true,
        .keepalive = true,
        .uri = open_name,
        .open_flags = (flags & MV_CONNECT_READ_ONLY) ? MV_DAEMON_LINK_OPEN_READ_ONLY : 0,
        .connect_error = link_connect_error,
        .on_event = link_on_event,
        .on_stream = link_on_stream,
        .user_data = link,
    };
    MvDaemonLink *opened;
    MvRpcClient *rpc;

    if ((rpc = mv_link_peek_rpc(link)))
        return rpc;
    g_mutex_lock(&link->open_lock);
    if ((rpc = mv_link_peek_rpc(link))) {
        g_mutex_unlock(&link->open_lock);
        return rpc;
    }
    if (uri->transport == MV_TRANSPORT_UNIX) {
        config.socket = socket = link_socket_path(link, uri, flags & MV_CONNECT_READ_ONLY);
    } else {
        config.host = uri->host;
        config.port = uri->port;
        config.tls_no_verify = uri->no_verify;
        if (uri->transport == MV_TRANSPORT_TLS) {
            pkipath = uri->pkipath ? g_strdup(uri->pkipath) : tls_default_pkipath();
            if (!(config.tls = tls = mv_tls_context_new_client(pkipath, error))) {
                g_mutex_unlock(&link->open_lock);
                return NULL;
            }
        }
    }
    g_free(link->address);
    link->address = socket ? g_strdup(socket) : g_strdup_printf("%s:%d", uri->host, uri->port);
    if (!(opened = mv_daemon_link_connect(&config, error))) {
        g_mutex_unlock(&link->open_lock);
        return NULL;
    }
    if (!mv_daemon_link_start(opened, &config, error)) {
        /* The daemon's own words: say which daemon answered. */
        g_prefix_error(error, "%s at %s: ", info->program, link->address);
        mv_daemon_link_free(opened);
        g_mutex_unlock(&link->open_lock);
        return NULL;
    }
    link->daemon_link = opened;
    rpc = mv_daemon_link_rpc(opened);
    g_atomic_pointer_set(&link->rpc, rpc);
    g_mutex_unlock(&link->open_lock);
    return rpc;
}
