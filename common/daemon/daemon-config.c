/* The daemon's config file (GKeyFile ini): server limits, keepalive, logging.
 *
 *   [server]
 *   max_clients = 5000
 *   max_workers = 20
 *   max_priority_workers = 5
 *   max_readonly_clients = 4500 # of max_clients; fewer, so read-write ones keep a reserve
 *   admin_max_clients = 5000    # the admin socket's own pool
 *   max_client_requests = 5
 *   max_client_queue = 4194304  # bytes of unread output per client (see docs/qemud.md)
 *   first_call_timeout = 30     # seconds a connection may stay without a call; 0: forever
 *   keepalive_interval = 5      # seconds; -1 disables
 *   keepalive_count = 5
 *   [log]
 *   filters = info,rpc=debug    # or libvirt's form: 1:rpc 3:qemu
 *   [events]
 *   ring_size = 1024            # events kept for clients that resume (read at start)
 *
 * A descriptor's config_read hook reads the driver's own groups ([tls], ...).
 */
#include "daemon/daemon-priv.h"

#include "daemon/event-log.h"
#include "util/conf.h"
#include "util/log-libvirt.h"
#include "util/log.h"

static bool
read_int(GKeyFile *conf, const char *key, int dflt, int min, int *ret, GError **error)
{
    g_autoptr(GError) err = NULL;
    int v = mv_conf_get_int(conf, "server", key, dflt, &err);

    if (err) {
        g_propagate_error(error, g_steal_pointer(&err));
        return false;
    }
    if (v < min)
        return mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX,
                            "[server] %s must be at least %d, not %d", key, min, v);
    *ret = v;
    return true;
}

static bool
read_uint(GKeyFile *conf, const char *key, guint dflt, guint *ret, GError **error)
{
    int v = 0;

    if (!read_int(conf, key, (int)dflt, 1, &v, error))
        return false;
    *ret = (guint)v;
    return true;
}

#define QUEUE_MIN (64 * 1024)

/* The connection limits: [server] max_clients, max_readonly_clients, admin_max_clients. */
static bool
read_client_limits(GKeyFile *conf, MvServerConfig *sc, guint *ret_admin, GError **error)
{
    guint reserve;

    if (!read_uint(conf, "max_clients", sc->max_clients, &sc->max_clients, error) ||
        !read_uint(conf, "admin_max_clients", sc->max_clients, ret_admin, error))
        return false;
    /* By default read-only connections get 90% of the slots, the rest stays for
     * read-write ones (the proxy's among them). */
    reserve = MAX(sc->max_clients / 10, 1);
    sc->max_readonly_clients = sc->max_clients > reserve ? sc->max_clients - reserve : 1;
    if (!read_uint(conf, "max_readonly_clients", sc->max_readonly_clients,
                   &sc->max_readonly_clients, error))
        return false;
    if (sc->max_readonly_clients >= sc->max_clients && sc->max_clients > 1)
        return mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX,
                            "[server] max_readonly_clients (%u) must be less than max_clients "
                            "(%u) so that read-write clients keep a reserve",
                            sc->max_readonly_clients, sc->max_clients);
    return true;
}

/* [events] ring_size: how many numbered events the daemon keeps for resuming clients. */
static bool
read_event_ring_size(GKeyFile *conf, guint *ret, GError **error)
{
    g_autoptr(GError) err = NULL;
    int v = mv_conf_get_int(conf, "events", "ring_size", MV_EVENT_RING_SIZE_DEFAULT, &err);

    if (err) {
        g_propagate_error(error, g_steal_pointer(&err));
        return false;
    }
    if (v < 1 || v > MV_EVENT_RING_SIZE_MAX)
        return mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX,
                            "[events] ring_size must be between 1 and %d, not %d",
                            MV_EVENT_RING_SIZE_MAX, v);
    *ret = (guint)v;
    return true;
}

bool
mv_daemon_config_read(MvDaemon *daemon, MvDaemonConfig *ret_config, GError **error)
{
    g_autoptr(GKeyFile) conf = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *filters = NULL;
    gpointer driver = NULL;
    MvServerConfig sc;
    guint admin_max = 0;
    int count = 0;
    int queue = 0;
    int first_call = 0;

    if (!(conf = mv_conf_load(daemon->config_path, error)))
        return false;
    mv_server_config_init_defaults(&sc);
    if (!read_client_limits(conf, &sc, &admin_max, error) ||
        !read_uint(conf, "max_workers", sc.max_workers, &sc.max_workers, error) ||
        !read_uint(conf, "max_priority_workers", sc.max_priority_workers,
                   &sc.max_priority_workers, error) ||
        !read_uint(conf, "max_client_requests", sc.max_client_requests,
                   &sc.max_client_requests, error) ||
        !read_int(conf, "keepalive_interval", sc.keepalive_interval, -1,
                  &sc.keepalive_interval, error) ||
        !read_int(conf, "max_client_queue", (int)sc.max_client_queue, QUEUE_MIN, &queue,
                  error) ||
        !read_int(conf, "first_call_timeout", (int)sc.first_call_timeout, 0, &first_call,
                  error) ||
        !read_int(conf, "keepalive_count", (int)sc.keepalive_count, 0, &count, error) ||
        !read_event_ring_size(conf, &ret_config->event_ring_size, error))
        goto bad;
    sc.keepalive_count = (guint)count;
    sc.max_client_queue = (guint)queue;
    sc.first_call_timeout = (guint)first_call;
    /* The driver's groups before the log filters: a load that fails changes nothing. */
    if (daemon->desc->config_read && !(driver = daemon->desc->config_read(daemon, conf, error)))
        goto bad;
    filters = mv_conf_get_string(conf, "log", "filters", NULL, &err);
    if (err) {
        g_propagate_error(error, g_steal_pointer(&err));
        goto bad;
    }
    if (filters && mv_log_filters_is_libvirt(filters)) {
        /* libvirt's "1:rpc 3:qemu" form, on top of the default level */
        char *ours = mv_log_filters_from_libvirt(filters, "info", error);
        if (!ours)
            goto bad;
        g_free(filters);
        filters = ours;
    }
    if (filters && !mv_log_set_filters(filters, error))
        goto bad;

    ret_config->keyfile = g_steal_pointer(&conf);
    ret_config->server = sc;
    ret_config->admin_max_clients = admin_max;
    ret_config->driver = driver;
    return true;

bad:
    if (driver)
        daemon->desc->config_free(driver);
    g_prefix_error(error, "%s: ", daemon->config_path);
    return false;
}

void
mv_daemon_config_clear(MvDaemon *daemon, MvDaemonConfig *config)
{
    g_clear_pointer(&config->keyfile, g_key_file_unref);
    if (config->driver && daemon->desc->config_free)
        daemon->desc->config_free(config->driver);
    config->driver = NULL;
}

void
mv_daemon_config_apply(MvDaemon *daemon, MvDaemonConfig *config)
{
    MvDaemonConfig old = {
        .keyfile = g_steal_pointer(&daemon->config),
        .driver = g_steal_pointer(&daemon->driver_config),
    };

    daemon->config = g_steal_pointer(&config->keyfile);
    daemon->server_config = config->server;
    daemon->admin_max_clients = config->admin_max_clients;
    daemon->driver_config = g_steal_pointer(&config->driver);
    mv_daemon_event_log_init(config->event_ring_size);
    mv_daemon_config_clear(daemon, &old);
}
