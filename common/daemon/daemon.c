/* mv_daemon_main(): the life of a daemon, from arguments to exit. */
#define MV_LOG_CATEGORY "daemon"
#include "daemon/daemon-priv.h"

#include <glib-unix.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "daemon/event-log.h"
#include "events-private.h"
#include "mv-config.h"
#include "util/log.h"

const MvPaths *
mv_daemon_get_paths(MvDaemon *daemon)
{
    return daemon->paths;
}

GKeyFile *
mv_daemon_get_config(MvDaemon *daemon)
{
    return daemon->config;
}

const char *
mv_daemon_get_config_path(MvDaemon *daemon)
{
    return daemon->config_path;
}

gpointer
mv_daemon_get_driver_config(MvDaemon *daemon)
{
    return daemon->driver_config;
}

const MvServerConfig *
mv_daemon_get_server_config(MvDaemon *daemon)
{
    return &daemon->server_config;
}

const MvDaemonDescriptor *
mv_daemon_get_descriptor(MvDaemon *daemon)
{
    return daemon->desc;
}

MvServer *
mv_daemon_get_server(MvDaemon *daemon)
{
    return daemon->server;
}

void
mv_daemon_set_driver_data(MvDaemon *daemon, gpointer data)
{
    daemon->driver_data = data;
}

gpointer
mv_daemon_get_driver_data(MvDaemon *daemon)
{
    return daemon->driver_data;
}

MvDaemonConn *
mv_daemon_call_conn(MvServerCall *call)
{
    return mv_server_call_get_client_data(call);
}

MvDaemon *
mv_daemon_call_daemon(MvServerCall *call)
{
    return mv_daemon_call_conn(call)->daemon;
}

/* ---- idle timeout: runs on the main context ---- */

static gboolean
idle_expired(gpointer data)
{
    MvDaemon *daemon = data;

    daemon->idle_source = 0;
    mv_log_info("no client for %d seconds: exiting", daemon->timeout);
    g_main_loop_quit(daemon->loop);
    return G_SOURCE_REMOVE;
}

static gboolean
idle_update(gpointer data)
{
    MvDaemon *daemon = data;
    guint n = mv_server_get_nclients(daemon->server) + (guint)g_atomic_int_get(&daemon->holds);

    if (daemon->timeout <= 0)
        return G_SOURCE_REMOVE;
    if (n > 0 && daemon->idle_source) {
        g_source_remove(daemon->idle_source);
        daemon->idle_source = 0;
    } else if (n == 0 && !daemon->idle_source) {
        daemon->idle_source = g_timeout_add((guint)daemon->timeout * 1000, idle_expired, daemon);
    }
    return G_SOURCE_REMOVE;
}

static void
clients_changed(MvServer *server, guint nclients, gpointer data)
{
    MvDaemon *daemon = data;

    if (daemon->timeout > 0)
        g_main_context_invoke(NULL, idle_update, daemon);
}

void
mv_daemon_hold_idle(MvDaemon *daemon, bool hold)
{
    if (hold)
        g_atomic_int_inc(&daemon->holds);
    else if (g_atomic_int_dec_and_test(&daemon->holds))
        mv_log_debug("nothing holds the daemon any more: the idle timeout applies");
    if (daemon->timeout > 0 && daemon->server)
        g_main_context_invoke(NULL, idle_update, daemon);
}

/* ---- signals ---- */

static gboolean
on_terminate(gpointer data)
{
    MvDaemon *daemon = data;

    mv_log_info("terminating on signal");
    g_main_loop_quit(daemon->loop);
    return G_SOURCE_CONTINUE;
}

static gboolean
on_reload(gpointer data)
{
    MvDaemon *daemon = data;
    MvDaemonConfig conf = { 0 };
    g_autoptr(GError) err = NULL;
    g_autofree char *detail = NULL;

    if (!mv_daemon_config_read(daemon, &conf, &err) ||
        (daemon->desc->reload && !daemon->desc->reload(daemon, conf.driver, &detail, &err))) {
        mv_log_error("config reload failed, keeping the old settings: %s", err->message);
        mv_daemon_config_clear(daemon, &conf);
        return G_SOURCE_CONTINUE;
    }
    mv_daemon_config_apply(daemon, &conf);
    mv_server_update_config(daemon->server, &daemon->server_config);
    if (daemon->admin_server) {
        MvServerConfig admin;

        mv_daemon_admin_server_config(daemon, &admin);
        mv_server_update_config(daemon->admin_server, &admin);
    }
    mv_log_info("configuration reloaded from %s%s%s%s", daemon->config_path,
                detail ? " (" : "", detail ? detail : "", detail ? ")" : "");
    return G_SOURCE_CONTINUE;
}

/* ---- set-up ---- */

static bool
parse_args(MvDaemon *daemon, int *argc, char ***argv, bool *ret_verbose, GError **error)
{
    g_autofree char *root = NULL;
    g_autofree char *config = NULL;
    gboolean verbose = FALSE, version = FALSE;
    int timeout = 0;
    GOptionEntry entries[] = {
        { "root", 0, 0, G_OPTION_ARG_FILENAME, &root,
          "Keep sockets, config, state and logs under DIR instead of /run, /etc, /var", "DIR" },
        { "config", 0, 0, G_OPTION_ARG_FILENAME, &config,
          "Read the configuration from FILE (default: <etc>/<name>.conf)", "FILE" },
        { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout,
          "Exit after N seconds with no client connected", "N" },
        { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Log debug messages", NULL },
        { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);

    g_option_context_set_summary(ctx, daemon->desc->summary);
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, argc, argv, error))
        return false;
    if (version) {
        printf("%s %s\n", daemon->desc->program_name, MV_VERSION);
        exit(0);
    }
    if (*argc > 1)
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_INVALID_ARG,
                            "unexpected argument '%s' (see --help)", (*argv)[1]);
    if (timeout < 0)
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_INVALID_ARG,
                            "--timeout must not be negative");
    daemon->timeout = timeout;
    daemon->paths = mv_paths_new(root);
    daemon->config_path = config ? g_canonicalize_filename(config, NULL)
                                 : mv_paths_config(daemon->paths, daemon->desc->name);
    *ret_verbose = verbose;
    return true;
}

static bool
start_serving(MvDaemon *daemon, GError **error)
{
    MvServerHooks hooks = {
        .client_new = mv_daemon_connect_client_new,
        .client_free = mv_daemon_connect_client_free,
        .call_check = mv_daemon_connect_call_check,
        .client_closed = mv_daemon_connect_client_closed,
        .clients_changed = clients_changed,
    };

    mv_daemon_connect_fill_handlers(daemon->handlers);
    for (int i = 0; i < daemon->desc->nhandlers && i < MV_REMOTE_PROC_LAST; i++) {
        if (daemon->desc->handlers[i])
            daemon->handlers[i] = daemon->desc->handlers[i];
    }
    daemon->server = mv_server_new(&daemon->server_config, daemon->desc->routes, &hooks, daemon);
    if (daemon->desc->raw)
        mv_server_add_raw_program(daemon->server, &mv_remote_program, daemon->handlers,
                                  MV_REMOTE_PROC_LAST, daemon->desc->raw, daemon);
    else
        mv_server_add_program(daemon->server, &mv_remote_program, daemon->handlers,
                              MV_REMOTE_PROC_LAST);
    /* Resumable events (event-log.h): a proxy forwards the program. */
    if (daemon->desc->raw)
        mv_server_add_raw_program(daemon->server, &mv_events_private_program, NULL, 0,
                                  daemon->desc->raw, daemon);
    else
        mv_server_add_program(daemon->server, &mv_events_private_program,
                              mv_daemon_events_private_handlers, MV_EVENTS_PRIVATE_PROC_LAST);
    daemon->admin_server = mv_daemon_admin_server_new(daemon);
    mv_daemon_sockets_collect(daemon);
    if (daemon->desc->prepare_server &&
        !daemon->desc->prepare_server(daemon, daemon->server, error))
        return false;
    if (!mv_daemon_sockets_setup(daemon, error))
        return false;
    if (!mv_server_start(daemon->server, error) || !mv_server_start(daemon->admin_server, error))
        return false;
    if (daemon->timeout > 0)
        idle_update(daemon);
    return true;
}

static int
run(MvDaemon *daemon, int argc, char **argv)
{
    g_autoptr(GError) err = NULL;
    bool verbose = false;
    MvDaemonConfig conf = { 0 };
    bool driver_started = false;
    int status = 1;

    if (!parse_args(daemon, &argc, &argv, &verbose, &err)) {
        fprintf(stderr, "%s: %s\n", daemon->desc->program_name, err->message);
        return 2;
    }
    if (!mv_log_init(daemon->desc->program_name, verbose, g_getenv("MODVIRT_LOG"), &err)) {
        fprintf(stderr, "%s: ignoring MODVIRT_LOG: %s\n", daemon->desc->program_name,
                err->message);
        g_clear_error(&err);
    }
    if (!mv_paths_ensure(daemon->paths, &err) || !mv_daemon_pidfile_acquire(daemon, &err) ||
        !mv_daemon_config_read(daemon, &conf, &err))
        goto out;
    mv_daemon_config_apply(daemon, &conf);
    daemon->hostname = g_strdup(g_get_host_name());
    if (daemon->desc->start && !daemon->desc->start(daemon, &err))
        goto out;
    driver_started = true;

    daemon->loop = g_main_loop_new(NULL, FALSE);
    g_unix_signal_add(SIGTERM, on_terminate, daemon);
    g_unix_signal_add(SIGINT, on_terminate, daemon);
    g_unix_signal_add(SIGHUP, on_reload, daemon);
    if (!start_serving(daemon, &err))
        goto out;
    sd_notify(0, "READY=1");
    mv_log_info("%s %s serving (root %s)", daemon->desc->program_name, MV_VERSION,
                daemon->paths->root ? daemon->paths->root : "/");
    g_main_loop_run(daemon->loop);
    sd_notify(0, "STOPPING=1");
    status = 0;

out:
    if (err)
        mv_log_error("%s", err->message);
    if (daemon->admin_server)
        mv_server_stop(daemon->admin_server);
    if (daemon->server)
        mv_server_stop(daemon->server);
    if (driver_started && daemon->desc->stop)
        daemon->desc->stop(daemon);
    g_clear_pointer(&daemon->admin_server, mv_server_free);
    /* Raw calls may still be answered from the driver's threads: such a
     * server is left to the process exit rather than freed under them. */
    if (!daemon->desc->raw)
        g_clear_pointer(&daemon->server, mv_server_free);
    mv_daemon_sockets_cleanup(daemon);
    mv_daemon_pidfile_release(daemon);
    return status;
}

/* glibc gives every thread that allocates an arena of its own, up to 8 per CPU, and
 * memory freed in one arena is reused by that arena only. A daemon's worker threads
 * come and go with the load, so under a steady load its RSS crept up with the number
 * of arenas in use (bench/soak.py: modvirt-qemud +1.1 to +1.4 MiB after the warm-up,
 * +0.4 MiB with two arenas, at the same throughput). MALLOC_ARENA_MAX or a
 * GLIBC_TUNABLES arena_max in the environment still decide. */
#define MV_DAEMON_MALLOC_ARENAS 2

static void
bound_malloc_arenas(void)
{
#ifdef M_ARENA_MAX
    const char *tunables = g_getenv("GLIBC_TUNABLES");

    if (g_getenv("MALLOC_ARENA_MAX") || (tunables && strstr(tunables, "arena_max")))
        return;
    mallopt(M_ARENA_MAX, MV_DAEMON_MALLOC_ARENAS);
#endif
}

/* What a daemon with a raw program leaves to the process exit (its server and its
 * driver state: replies may still arrive on the driver's threads), kept reachable
 * here so that a leak checker tells it from a leak (volatile: the stores stay). */
static MvServer *volatile left_server;
static volatile gpointer left_driver_data;

int
mv_daemon_main(const MvDaemonDescriptor *desc, int argc, char **argv)
{
    MvDaemon daemon = {
        .desc = desc,
        .pidfile_fd = -1,
        .bound_sockets = g_ptr_array_new_with_free_func(g_free),
    };
    int status;

    /* A client that vanishes mid-write must not kill the daemon. */
    signal(SIGPIPE, SIG_IGN);
    bound_malloc_arenas();          /* before the first thread */
    status = run(&daemon, argc, argv);
    if (desc->raw) {
        left_server = g_steal_pointer(&daemon.server);
        left_driver_data = daemon.driver_data;
    }
    g_clear_pointer(&daemon.loop, g_main_loop_unref);
    g_clear_pointer(&daemon.config, g_key_file_unref);
    if (daemon.driver_config)
        desc->config_free(daemon.driver_config);
    g_clear_pointer(&daemon.paths, mv_paths_free);
    g_ptr_array_unref(daemon.bound_sockets);
    g_free(daemon.config_path);
    g_free(daemon.hostname);
    return status;
}
