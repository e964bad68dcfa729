/* One RPC connection from an MvConnect to one daemon: where its socket is
 * (or the proxy's host and TLS files), the messages naming a daemon that is
 * missing, and the hand-off of events and stream packets arriving on it.
 * Connecting and the preamble are the shared MvDaemonLink's (common/link/).
 *
 * A link with event watches that breaks is opened again in the background
 * (for up to MV_LINK_RECONNECT_SECONDS): the watches are registered anew and
 * resume where they were (events.c, resumable events). The broken connection
 * is kept until the link is freed: other threads may still hold its client. */
#include <errno.h>
#include <unistd.h>

#include "client-priv.h"
#include "util/paths.h"


#define MV_LINK_RECONNECT_SECONDS 30

struct _MvLink {
    MvConnect *conn;            /* owner; no reference (the link dies with it) */
    MvDaemonKind daemon;
    bool primary;
    GMutex open_lock;           /* one opener at a time */
    MvDaemonLink *daemon_link;  /* the connection, once open */
    MvRpcClient *rpc;           /* its RPC client: set when (re)opened, read with atomics */
    char *address;              /* socket path or host:port, for messages */
    MvStreamTable *streams;
    char *open_name;            /* what opened it, for reopening */
    unsigned int open_flags;
    GPtrArray *broken;          /* MvDaemonLink: connections that broke, freed with the link */
    GMutex state_lock;          /* the reconnect state below */
    GCond state_cond;
    bool reconnecting;          /* a reconnect thread runs */
    bool closing;               /* the link is being freed: no more reconnects */
    MvLinkEvents events;        /* numbered events (events.c) */
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
    link->broken = g_ptr_array_new_with_free_func((GDestroyNotify)mv_daemon_link_free);
    g_mutex_init(&link->state_lock);
    g_cond_init(&link->state_cond);
    mv_link_events_init(&link->events);
    return link;
}

void
mv_link_free(MvLink *link)
{
    if (!link)
        return;
    g_mutex_lock(&link->state_lock);
    link->closing = true;
    g_cond_broadcast(&link->state_cond);
    while (link->reconnecting)
        g_cond_wait(&link->state_cond, &link->state_lock);
    g_mutex_unlock(&link->state_lock);
    mv_daemon_link_close(link->daemon_link);
    g_ptr_array_unref(link->broken);
    mv_stream_table_free(link->streams);
    mv_link_events_clear(&link->events);
    g_mutex_clear(&link->open_lock);
    g_mutex_clear(&link->state_lock);
    g_cond_clear(&link->state_cond);
    g_free(link->open_name);
    g_free(link->address);
    g_free(link);
}

MvLinkEvents *
mv_link_events(MvLink *link)
{
    return &link->events;
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

static void link_on_close(MvRpcClient *client, const char *reason, gpointer user_data);

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

/* Connects a new MvDaemonLink for @link (open_lock held). */
static MvDaemonLink *
link_connect(MvLink *link, GError **error)
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
        .uri = link->open_name,
        .open_flags = (link->open_flags & MV_CONNECT_READ_ONLY) ? MV_DAEMON_LINK_OPEN_READ_ONLY
                                                                 : 0,
        .connect_error = link_connect_error,
        .on_event = link_on_event,
        .on_stream = link_on_stream,
        .on_close = link_on_close,
        .user_data = link,
    };
    MvDaemonLink *opened;

    if (uri->transport == MV_TRANSPORT_UNIX) {
        config.socket = socket = link_socket_path(link, uri,
                                                  link->open_flags & MV_CONNECT_READ_ONLY);
    } else {
        config.host = uri->host;
        config.port = uri->port;
        config.tls_no_verify = uri->no_verify;
        if (uri->transport == MV_TRANSPORT_TLS) {
            pkipath = uri->pkipath ? g_strdup(uri->pkipath) : tls_default_pkipath();
            if (!(config.tls = tls = mv_tls_context_new_client(pkipath, error)))
                return NULL;
        }
    }
    g_free(link->address);
    link->address = socket ? g_strdup(socket) : g_strdup_printf("%s:%d", uri->host, uri->port);
    if (!(opened = mv_daemon_link_connect(&config, error)))
        return NULL;
    if (!mv_daemon_link_start(opened, &config, error)) {
        /* The daemon's own words: say which daemon answered. */
        g_prefix_error(error, "%s at %s: ", info->program, link->address);
        mv_daemon_link_free(opened);
        return NULL;
    }
    return opened;
}

MvRpcClient *
mv_link_open(MvLink *link, const char *open_name, unsigned int flags, GError **error)
{
    MvDaemonLink *opened;
    MvRpcClient *rpc;

    if ((rpc = mv_link_peek_rpc(link)))
        return rpc;
    g_mutex_lock(&link->open_lock);
    if ((rpc = mv_link_peek_rpc(link))) {
        g_mutex_unlock(&link->open_lock);
        return rpc;
    }
    g_free(link->open_name);
    link->open_name = g_strdup(open_name);
    link->open_flags = flags;
    if (!(opened = link_connect(link, error))) {
        g_mutex_unlock(&link->open_lock);
        return NULL;
    }
    link->daemon_link = opened;
    rpc = mv_daemon_link_rpc(opened);
    g_atomic_pointer_set(&link->rpc, rpc);
    g_mutex_unlock(&link->open_lock);
    return rpc;
}

/* Waits @ms or until the link closes; false when it is closing. */
static bool
reconnect_pause(MvLink *link, guint ms)
{
    gint64 until = g_get_monotonic_time() + (gint64)ms * 1000;
    bool go_on;

    g_mutex_lock(&link->state_lock);
    while (!link->closing && g_cond_wait_until(&link->state_cond, &link->state_lock, until))
        ;
    go_on = !link->closing;
    g_mutex_unlock(&link->state_lock);
    return go_on;
}

/* The reconnect thread: opens the link again (backing off from 50 ms to 1 s),
 * then lets the watches resume (events.c). */
static gpointer
link_reconnect(gpointer data)
{
    MvLink *link = data;
    gint64 deadline = g_get_monotonic_time() + MV_LINK_RECONNECT_SECONDS * G_USEC_PER_SEC;
    guint delay = 50;
    bool opened = false;

    while (!opened && reconnect_pause(link, delay)) {
        g_autoptr(GError) err = NULL;
        MvDaemonLink *fresh;

        g_mutex_lock(&link->open_lock);
        if ((fresh = link_connect(link, &err))) {
            g_ptr_array_add(link->broken, link->daemon_link);
            link->daemon_link = fresh;
            g_atomic_pointer_set(&link->rpc, mv_daemon_link_rpc(fresh));
            opened = true;
        }
        g_mutex_unlock(&link->open_lock);
        if (!opened && g_get_monotonic_time() > deadline)
            break;
        delay = MIN(delay * 2, 1000);
    }
    if (opened)
        mv_events_link_reopened(link);
    else
        mv_events_link_lost(link);
    g_mutex_lock(&link->state_lock);
    link->reconnecting = false;
    g_cond_broadcast(&link->state_cond);
    g_mutex_unlock(&link->state_lock);
    return NULL;
}

/* The connection broke (its I/O thread): reconnect when event watches use it. */
static void
link_on_close(MvRpcClient *client, const char *reason, gpointer data)
{
    MvLink *link = data;

    if (client != mv_link_peek_rpc(link) || !mv_events_link_has_watches(link))
        return;
    g_mutex_lock(&link->state_lock);
    if (!link->closing && !link->reconnecting) {
        link->reconnecting = true;
        g_thread_unref(g_thread_new("mv-reconnect", link_reconnect, link));
    }
    g_mutex_unlock(&link->state_lock);
}
