/* MvConnect: the URI, one lazily opened link per daemon, and the routing of
 * each procedure to its link (route.c says which daemon owns it). */
#include "client-priv.h"

#define DEFAULT_URI "qemu:///system"
#define DEFAULT_URI_ENV "MODVIRT_DEFAULT_URI"

struct _MvConnect {
    gint refs;
    char *uri_string;
    MvUri *uri;
    unsigned int flags;
    MvDaemonKind primary;
    bool remote;                    /* one link to the proxy serves everything */
    MvLink *links[MV_DAEMON_LAST];
    MvEventTable *events;
};

MvConnect *
mv_connect_new_unopened(const char *uri, unsigned int flags, GError **error)
{
    g_autoptr(MvUri) parsed = NULL;
    MvConnect *conn;

    if (!mv_client_check_flags(flags, MV_CONNECT_READ_ONLY, "mv_connect_open", error))
        return NULL;
    if (!uri || !*uri)
        uri = g_getenv(DEFAULT_URI_ENV);
    if (!uri || !*uri)
        uri = DEFAULT_URI;
    if (!(parsed = mv_uri_parse(uri, error)))
        return NULL;
    conn = g_new0(MvConnect, 1);
    conn->refs = 1;
    conn->uri_string = g_strdup(uri);
    conn->flags = flags;
    mv_route_daemon_for_driver(parsed->driver, &conn->primary, NULL);
    conn->remote = parsed->transport != MV_TRANSPORT_UNIX;
    conn->uri = g_steal_pointer(&parsed);
    for (int i = 0; i < MV_DAEMON_LAST; i++) {
        if (!conn->remote || i == (int)conn->primary)
            conn->links[i] = mv_link_new(conn, (MvDaemonKind)i, i == (int)conn->primary);
    }
    conn->events = mv_event_table_new();
    return conn;
}

MvConnect *
mv_connect_open(const char *uri, unsigned int flags, GError **error)
{
    g_autoptr(MvConnect) conn = NULL;

    if (!(conn = mv_connect_new_unopened(uri, flags, error)))
        return NULL;
    if (!mv_connect_rpc(conn, MV_REMOTE_PROC_CONNECT_OPEN, error))
        return NULL;
    return g_steal_pointer(&conn);
}

MvConnect *
mv_connect_ref(MvConnect *conn)
{
    if (conn)
        g_atomic_int_inc(&conn->refs);
    return conn;
}

MvConnect *
mv_connect_try_ref(MvConnect *conn)
{
    gint refs;

    do {
        refs = g_atomic_int_get(&conn->refs);
        if (refs <= 0)
            return NULL;
    } while (!g_atomic_int_compare_and_exchange(&conn->refs, refs, refs + 1));
    return conn;
}

void
mv_connect_unref(MvConnect *conn)
{
    if (!conn || !g_atomic_int_dec_and_test(&conn->refs))
        return;
    mv_events_unwatch_all(conn);
    /* Secondary links first: the hypervisor daemon is the one the user named. */
    for (int i = MV_DAEMON_LAST - 1; i >= 0; i--) {
        if (i != (int)conn->primary)
            mv_link_free(conn->links[i]);
    }
    mv_link_free(conn->links[conn->primary]);
    mv_event_table_free(conn->events);
    mv_uri_free(conn->uri);
    g_free(conn->uri_string);
    g_free(conn);
}

const char *
mv_connect_get_uri(MvConnect *conn)
{
    g_return_val_if_fail(conn, NULL);
    return conn->uri_string;
}

const MvUri *
mv_connect_get_uri_parsed(MvConnect *conn)
{
    return conn->uri;
}

bool
mv_connect_is_read_only(MvConnect *conn)
{
    g_return_val_if_fail(conn, false);
    return conn->flags & MV_CONNECT_READ_ONLY;
}

bool
mv_connect_is_alive(MvConnect *conn)
{
    MvRpcClient *rpc;

    g_return_val_if_fail(conn, false);
    rpc = mv_link_peek_rpc(conn->links[conn->primary]);
    return rpc && mv_rpc_client_is_open(rpc);
}

MvEventTable *
mv_connect_events(MvConnect *conn)
{
    return conn->events;
}

MvLink *
mv_connect_link_daemon(MvConnect *conn, MvDaemonKind daemon, GError **error)
{
    MvLink *link;
    g_autofree char *name = NULL;

    if (conn->remote)
        daemon = conn->primary;
    link = conn->links[daemon];
    if (mv_link_peek_rpc(link))
        return link;
    if (daemon == conn->primary)
        name = g_strdup(conn->uri->open_name);
    else
        name = g_strdup_printf("%s://%s", mv_route_daemon_info(daemon)->scheme, conn->uri->path);
    return mv_link_open(link, name, conn->flags, error) ? link : NULL;
}

MvLink *
mv_connect_link(MvConnect *conn, int proc, GError **error)
{
    MvDaemonKind daemon;

    if (!mv_client_check_arg(conn != NULL, mv_remote_program.procs[proc].api, "the connection",
                             error))
        return NULL;
    if (!mv_route_daemon_for_proc(conn->primary, proc, &daemon, error))
        return NULL;
    return mv_connect_link_daemon(conn, daemon, error);
}

MvRpcClient *
mv_connect_rpc(MvConnect *conn, int proc, GError **error)
{
    MvLink *link = mv_connect_link(conn, proc, error);

    return link ? mv_link_rpc(link) : NULL;
}

char *
mv_connect_get_hostname(MvConnect *conn, unsigned int flags, GError **error)
{
    mv_remote_connect_get_hostname_ret ret = { 0 };
    MvRpcClient *rpc;

    if (!mv_client_check_flags(flags, 0, "mv_connect_get_hostname", error) ||
        !(rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_CONNECT_GET_HOSTNAME, error)) ||
        !mv_remote_connect_get_hostname(rpc, &ret, error))
        return NULL;
    return ret.hostname;        /* XDR strings are malloc'ed: g_free() is free() */
}

bool
mv_connect_get_hypervisor_version(MvConnect *conn, unsigned int flags, guint64 *ret_version,
                                  GError **error)
{
    mv_remote_connect_get_version_ret ret = { 0 };
    MvRpcClient *rpc;

    if (!mv_client_check_flags(flags, 0, "mv_connect_get_hypervisor_version", error) ||
        !mv_client_check_arg(ret_version != NULL, "mv_connect_get_hypervisor_version",
                             "ret_version", error) ||
        !(rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_CONNECT_GET_VERSION, error)) ||
        !mv_remote_connect_get_version(rpc, &ret, error))
        return false;
    *ret_version = ret.hv_ver;
    return true;
}

char *
mv_connect_get_capabilities(MvConnect *conn, unsigned int flags, GError **error)
{
    mv_remote_connect_get_capabilities_ret ret = { 0 };
    MvRpcClient *rpc;

    if (!mv_client_check_flags(flags, 0, "mv_connect_get_capabilities", error) ||
        !(rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_CONNECT_GET_CAPABILITIES, error)) ||
        !mv_remote_connect_get_capabilities(rpc, &ret, error))
        return NULL;
    return ret.capabilities;
}
