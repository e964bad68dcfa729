/* modvirt-proxyd on the shared daemon main: its descriptor and the hooks
 * where the proxy differs from a driver daemon (its own config groups, the
 * forwarding raw handler, TLS/TCP listeners, certificates reloaded on
 * SIGHUP, backend connections per client). */
#define MV_LOG_CATEGORY "proxy"
#include "proxy.h"

#include "util/log.h"

static bool
proxy_start(MvDaemon *daemon, GError **error)
{
    MvProxy *proxy = g_new0(MvProxy, 1);

    proxy->daemon = daemon;
    proxy->paths = mv_daemon_get_paths(daemon);
    proxy->open_pool = g_thread_pool_new(mv_proxy_forward_open_job, proxy,
                                         MAX(mv_daemon_get_server_config(daemon)->max_workers, 1),
                                         FALSE, NULL);
    proxy->cleanup_pool = g_thread_pool_new(mv_proxy_backend_close_now, proxy, 4, FALSE, NULL);
    mv_daemon_set_driver_data(daemon, proxy);
    return true;
}

static void
proxy_stop(MvDaemon *daemon)
{
    MvProxy *proxy = mv_daemon_get_driver_data(daemon);

    /* Backends still being opened finish first. Replies owed by a backend may
     * still arrive on the I/O thread (and drop the last reference to it),
     * so the proxy state and the cleanup pool, like the server, are left to
     * the process exit rather than freed under them. */
    g_thread_pool_free(proxy->open_pool, FALSE, TRUE);
    proxy->open_pool = NULL;
}

/* SIGHUP: new TLS certificates and allow-list for new connections (open ones
 * keep theirs). Listen addresses need a restart. */
static bool
proxy_reload(MvDaemon *daemon, gpointer new_config, char **ret_detail, GError **error)
{
    MvProxy *proxy = mv_daemon_get_driver_data(daemon);
    MvProxyConf *conf = new_config;
    MvProxyConf *served = mv_daemon_get_driver_config(daemon);
    g_autoptr(MvTlsContext) tls = NULL;

    if (proxy->tls && !(tls = mv_proxy_tls_context_new(&conf->tls, error))) {
        g_prefix_error(error, "the TLS certificates did not load: ");
        return false;
    }
    if (g_strcmp0(conf->tls.listen, served->tls.listen) ||
        g_strcmp0(conf->tcp_listen, served->tcp_listen))
        mv_log_warning("listen addresses changed in %s: restart modvirt-proxyd to apply them",
                       mv_daemon_get_config_path(daemon));
    if (tls) {
        mv_server_set_tls_context(proxy->server, tls, conf->tls.handshake_ms);
        *ret_detail = g_strdup("TLS certificates too");
    }
    /* Keep the listen addresses we actually serve. */
    g_free(conf->tls.listen);
    conf->tls.listen = g_steal_pointer(&served->tls.listen);
    g_free(conf->tcp_listen);
    conf->tcp_listen = g_steal_pointer(&served->tcp_listen);
    return true;
}

const MvDaemonDescriptor mv_proxy_daemon = {
    /* name, program, summary and every route (each is forwarded to its
     * daemon): the registry's row (daemons.ini) */
    MV_DAEMON_DESCRIPTOR_PROXY,
    .handlers = mv_proxy_local_handlers,
    .nhandlers = MV_REMOTE_PROC_LAST,
    .config_read = mv_proxy_conf_read,
    .config_free = mv_proxy_conf_free,
    .start = proxy_start,
    .raw = mv_proxy_forward,
    .prepare_server = mv_proxy_listen,
    .stop = proxy_stop,
    .reload = proxy_reload,
    .conn_new = mv_proxy_conn_new,
    .conn_closed = mv_proxy_conn_closed,
};
