/* The life of modvirt-proxyd: arguments, pidfile, configuration, the RPC
 * server with its raw REMOTE program, listeners, signals, idle exit. */
#define MV_LOG_CATEGORY "proxy"
#include "proxy-daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "mv-config.h"
#include "proxy.h"
#include "util/log.h"

typedef struct {
    MvProxy proxy;
    GMainLoop *loop;
    int timeout;
    guint idle_source;
    char *pidfile;
} Daemon;

static bool
pidfile_acquire(Daemon *d, GError **error)
{
    g_autofree char *path = mv_paths_pidfile(d->proxy.paths, "proxy");
    g_autofree char *text = NULL;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

    if (fd < 0)
        return mv_error_set_errno(error, MV_FROM_NONE, errno, "cannot open the pidfile %s", path);
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        int saved = errno;
        close(fd);
        if (saved == EWOULDBLOCK)
            return mv_error_set(error, MV_FROM_NONE, MV_ERR_OPERATION_INVALID,
                                "modvirt-proxyd is already running for this root (pidfile %s); "
                                "stop it first or use another --root", path);
        return mv_error_set_errno(error, MV_FROM_NONE, saved, "cannot lock the pidfile %s", path);
    }
    text = g_strdup_printf("%d\n", (int)getpid());
    if (ftruncate(fd, 0) < 0 || pwrite(fd, text, strlen(text), 0) != (ssize_t)strlen(text)) {
        int saved = errno;
        close(fd);
        return mv_error_set_errno(error, MV_FROM_NONE, saved, "cannot write the pidfile %s", path);
    }
    d->proxy.pidfile_fd = fd;
    d->pidfile = g_steal_pointer(&path);
    return true;
}

static void
pidfile_release(Daemon *d)
{
    if (d->proxy.pidfile_fd < 0)
        return;
    unlink(d->pidfile);
    close(d->proxy.pidfile_fd);
    d->proxy.pidfile_fd = -1;
}

static gboolean
idle_expired(gpointer data)
{
    Daemon *d = data;

    d->idle_source = 0;
    mv_log_info("no client for %d seconds: exiting", d->timeout);
    g_main_loop_quit(d->loop);
    return G_SOURCE_REMOVE;
}

static gboolean
idle_update(gpointer data)
{
    Daemon *d = data;
    guint n = mv_server_get_nclients(d->proxy.server);

    if (n > 0 && d->idle_source) {
        g_source_remove(d->idle_source);
        d->idle_source = 0;
    } else if (n == 0 && !d->idle_source) {
        d->idle_source = g_timeout_add((guint)d->timeout * 1000, idle_expired, d);
    }
    return G_SOURCE_REMOVE;
}

static void
clients_changed(MvServer *server, guint nclients, gpointer data)
{
    Daemon *d = data;

    if (d->timeout > 0)
        g_main_context_invoke(NULL, idle_update, d);
}

static gboolean
on_terminate(gpointer data)
{
    Daemon *d = data;

    mv_log_info("terminating on signal");
    g_main_loop_quit(d->loop);
    return G_SOURCE_CONTINUE;
}

/* SIGHUP: limits, log filters and TLS certificates (for new connections;
 * open ones keep theirs). Listen addresses need a restart. */
static gboolean
on_reload(gpointer data)
{
    Daemon *d = data;
    MvProxy *proxy = &d->proxy;
    g_autoptr(GError) err = NULL;
    g_autoptr(MvTlsContext) tls = NULL;
    MvProxyConf conf;

    if (!mv_proxy_conf_load(proxy, &conf, &err)) {
        mv_log_error("config reload failed, keeping the old settings: %s", err->message);
        return G_SOURCE_CONTINUE;
    }
    if (proxy->conf.tls.listen && !(tls = mv_proxy_tls_context_new(&conf.tls, &err))) {
        mv_log_error("TLS reload failed, keeping the old certificates: %s", err->message);
        mv_proxy_conf_clear(&conf);
        return G_SOURCE_CONTINUE;
    }
    if (g_strcmp0(conf.tls.listen, proxy->conf.tls.listen) ||
        g_strcmp0(conf.tcp_listen, proxy->conf.tcp_listen))
        mv_log_warning("listen addresses changed in %s: restart modvirt-proxyd to apply them",
                       proxy->config_path);
    mv_server_update_config(proxy->server, &conf.server);
    if (tls)
        mv_server_set_tls_context(proxy->server, tls, conf.tls.handshake_ms);
    /* Keep the listen addresses we actually serve. */
    g_free(conf.tls.listen);
    conf.tls.listen = g_steal_pointer(&proxy->conf.tls.listen);
    g_free(conf.tcp_listen);
    conf.tcp_listen = g_steal_pointer(&proxy->conf.tcp_listen);
    mv_proxy_conf_clear(&proxy->conf);
    proxy->conf = conf;
    mv_log_info("configuration reloaded from %s%s", proxy->config_path,
                tls ? " (TLS certificates too)" : "");
    return G_SOURCE_CONTINUE;
}

static bool
parse_args(Daemon *d, int *argc, char ***argv, bool *ret_verbose, GError **error)
{
    g_autofree char *root = NULL;
    g_autofree char *config = NULL;
    gboolean verbose = FALSE, version = FALSE;
    int timeout = 0;
    GOptionEntry entries[] = {
        { "root", 0, 0, G_OPTION_ARG_FILENAME, &root,
          "Keep sockets, config, state and logs under DIR instead of /run, /etc, /var", "DIR" },
        { "config", 0, 0, G_OPTION_ARG_FILENAME, &config,
          "Read the configuration from FILE (default: <etc>/proxy.conf)", "FILE" },
        { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout,
          "Exit after N seconds with no client connected", "N" },
        { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Log debug messages", NULL },
        { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);

    g_option_context_set_summary(ctx, "The front door of modvirt: one connection for stock "
                                      "libvirt clients (UNIX sockets, TLS), forwarded to the "
                                      "daemon that owns each object.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, argc, argv, error))
        return false;
    if (version) {
        printf("modvirt-proxyd %s\n", MV_VERSION);
        exit(0);
    }
    if (*argc > 1)
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_INVALID_ARG,
                            "unexpected argument '%s' (see --help)", (*argv)[1]);
    if (timeout < 0)
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_INVALID_ARG,
                            "--timeout must not be negative");
    d->timeout = timeout;
    d->proxy.paths = mv_paths_new(root);
    d->proxy.config_path = config ? g_canonicalize_filename(config, NULL)
                                  : mv_paths_config(d->proxy.paths, "proxy");
    *ret_verbose = verbose;
    return true;
}

static bool
start_serving(Daemon *d, GError **error)
{
    MvProxy *proxy = &d->proxy;
    MvServerHooks hooks = {
        .client_new = mv_proxy_conn_new,
        .client_free = mv_proxy_conn_free,
        .call_check = mv_proxy_call_check,
        .client_closed = mv_proxy_conn_closed,
        .clients_changed = clients_changed,
    };
    g_autoptr(MvTlsContext) tls = NULL;

    proxy->open_pool = g_thread_pool_new(mv_proxy_forward_open_job, proxy,
                                         MAX(proxy->conf.server.max_workers, 1), FALSE, NULL);
    proxy->cleanup_pool = g_thread_pool_new(mv_proxy_backend_close_now, proxy, 4, FALSE, NULL);
    /* The proxy serves every route: each is forwarded to its daemon. The
     * hooks get @d, whose first member is the MvProxy the conn hooks expect. */
    proxy->server = mv_server_new(&proxy->conf.server, (1u << MV_ROUTE_LAST) - 1, &hooks, d);
    mv_server_add_raw_program(proxy->server, &mv_remote_program, mv_proxy_local_handlers,
                              MV_REMOTE_PROC_LAST, mv_proxy_forward, proxy);
    if (proxy->conf.tls.listen) {
        if (!(tls = mv_proxy_tls_context_new(&proxy->conf.tls, error)))
            return false;
        mv_server_set_tls_context(proxy->server, tls, proxy->conf.tls.handshake_ms);
    }
    if (!mv_proxy_listen(proxy, error) || !mv_server_start(proxy->server, error))
        return false;
    if (d->timeout > 0)
        idle_update(d);
    return true;
}

int
mv_proxy_daemon_main(int argc, char **argv)
{
    Daemon d = { .proxy.pidfile_fd = -1 };
    MvProxy *proxy = &d.proxy;
    g_autoptr(GError) err = NULL;
    bool verbose = false;
    int status = 1;

    /* A client that vanishes mid-write must not kill the daemon. */
    signal(SIGPIPE, SIG_IGN);
    proxy->bound_sockets = g_ptr_array_new_with_free_func(g_free);
    if (!parse_args(&d, &argc, &argv, &verbose, &err)) {
        fprintf(stderr, "modvirt-proxyd: %s\n", err->message);
        return 2;
    }
    if (!mv_log_init("modvirt-proxyd", verbose, g_getenv("MODVIRT_LOG"), &err)) {
        fprintf(stderr, "modvirt-proxyd: ignoring MODVIRT_LOG: %s\n", err->message);
        g_clear_error(&err);
    }
    if (!mv_paths_ensure(proxy->paths, &err) || !pidfile_acquire(&d, &err) ||
        !mv_proxy_conf_load(proxy, &proxy->conf, &err))
        goto out;
    proxy->hostname = g_strdup(g_get_host_name());
    d.loop = g_main_loop_new(NULL, FALSE);
    g_unix_signal_add(SIGTERM, on_terminate, &d);
    g_unix_signal_add(SIGINT, on_terminate, &d);
    g_unix_signal_add(SIGHUP, on_reload, &d);
    if (!start_serving(&d, &err))
        goto out;
    sd_notify(0, "READY=1");
    mv_log_info("modvirt-proxyd %s serving (root %s)", MV_VERSION,
                proxy->paths->root ? proxy->paths->root : "/");
    g_main_loop_run(d.loop);
    sd_notify(0, "STOPPING=1");
    status = 0;

out:
    if (err)
        mv_log_error("%s", err->message);
    if (proxy->server)
        mv_server_stop(proxy->server);
    /* Backends still being opened finish first. Replies owed by a backend may
     * still arrive on its reader thread (and drop the last reference to it),
     * so the server and the cleanup pool are left to the process exit rather
     * than freed under them. */
    if (proxy->open_pool)
        g_thread_pool_free(proxy->open_pool, FALSE, TRUE);
    mv_proxy_listen_cleanup(proxy);
    pidfile_release(&d);
    return status;
}
