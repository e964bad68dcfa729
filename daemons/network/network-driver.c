/* modvirt-networkd state: network objects, config, start-up (definitions,
 * recovery, autostart) and shut-down. */
#define MV_LOG_CATEGORY "network"
#include "network-driver.h"

#include <string.h>

#include "daemon/network-events.h"
#include "network-lifecycle.h"
#include "network-ports.h"
#include "registry/registry.h"
#include "util/conf.h"
#include "util/file.h"
#include "util/log.h"
#include "util/mainloop.h"
#include "util/uuid.h"

/* ---- objects ---- */

static bool
obj_is_active(const MvDriverObject *obj)
{
    return ((const MvNetworkObj *)obj)->live != NULL;
}

static void
obj_finalize(MvDriverObject *obj)
{
    MvNetworkObj *net = MV_NETWORK_OBJ(obj);

    mv_network_def_free(net->def);
    mv_network_def_free(net->newdef);
    mv_network_def_free(net->live);
    g_clear_pointer(&net->ports, g_hash_table_unref);
}

const MvDriverObjectClass mv_network_obj_class = {
    .noun = "network",
    .error_from = MV_FROM_NETWORK,
    .conf_from = MV_FROM_NETWORK,
    .no_object = MV_ERR_NO_NETWORK,
    .not_found = "Network not found",
    .not_active = "network is not active",
    .is_active = obj_is_active,
    .finalize = obj_finalize,
};

bool
mv_network_obj_is_active(const MvNetworkObj *net)
{
    return net->live != NULL;
}

MvNetworkObj *
mv_network_obj_add(MvDriverList *list, MvNetworkDef *def, bool persistent, GError **error)
{
    MvNetworkObj *net = g_new0(MvNetworkObj, 1);

    mv_driver_object_init(MV_DRIVER_OBJECT(net), &mv_network_obj_class, def->name, def->uuid);
    net->def = def;
    net->persistent = persistent;
    net->ports = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify)mv_network_port_def_free);
    if (!mv_driver_list_add(list, MV_DRIVER_OBJECT(net), error)) {
        net->def = NULL;        /* the caller keeps @def on failure */
        mv_network_obj_unref(net);
        return NULL;
    }
    return net;
}

MvNetworkObj *
mv_network_obj_ref(MvNetworkObj *net)
{
    return MV_NETWORK_OBJ(mv_driver_object_ref(MV_DRIVER_OBJECT(net)));
}

void
mv_network_obj_unref(MvNetworkObj *net)
{
    if (net)
        mv_driver_object_unref(MV_DRIVER_OBJECT(net));
}

MvNetworkDef *
mv_network_obj_config(MvNetworkObj *net)
{
    return net->newdef ? net->newdef : net->def;
}

bool
mv_network_obj_begin_job(MvNetworkObj *net, const char *api, GError **error)
{
    MvNetworkDriver *driver = net->driver;

    return mv_driver_object_begin_job(MV_DRIVER_OBJECT(net), api, driver->job_wait_ms, error);
}

void
mv_network_obj_end_job(MvNetworkObj *net)
{
    mv_driver_object_end_job(MV_DRIVER_OBJECT(net));
}

void
mv_network_driver_emit(MvNetworkDriver *driver, MvNetworkObj *net, int event)
{
    mv_network_events_lifecycle(driver->events, net->name, net->uuid, event);
}

/* ---- config ---- */

void
mv_network_config_free(MvNetworkConfig *config)
{
    if (!config)
        return;
    g_free(config->dnsmasq);
    g_free(config->bridge_prefix);
    g_free(config->lease_helper);
    g_free(config);
}

gpointer
mv_network_config_read(MvDaemon *daemon, GKeyFile *conf, GError **error)
{
    g_autoptr(MvNetworkConfig) config = g_new0(MvNetworkConfig, 1);
    g_autoptr(GError) err = NULL;

    (void)daemon;
    /* Every [network] key is read here, so a malformed value stops the start
     * (or the reload) with an error naming the file, the group and the key. */
    if (g_key_file_has_key(conf, "network", "job_wait_ms", NULL)) {
        config->job_wait_ms = mv_conf_get_int(conf, "network", "job_wait_ms", 0, &err);
        if (err) {
            g_propagate_error(error, g_steal_pointer(&err));
            return NULL;
        }
        if (config->job_wait_ms < 1) {
            mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX,
                         "[network] job_wait_ms must be at least 1, not %d",
                         config->job_wait_ms);
            return NULL;
        }
    }
    if (!(config->dnsmasq = mv_conf_get_string(conf, "network", "dnsmasq", NULL, error)) &&
        g_key_file_has_key(conf, "network", "dnsmasq", NULL))
        return NULL;
    if (config->dnsmasq && (!g_path_is_absolute(config->dnsmasq) ||
                            !g_file_test(config->dnsmasq, G_FILE_TEST_IS_EXECUTABLE))) {
        mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX,
                     "[network] dnsmasq: '%s' is not an absolute path to an executable file",
                     config->dnsmasq);
        return NULL;
    }
    if (!(config->bridge_prefix = mv_conf_get_string(conf, "network", "bridge_prefix", NULL,
                                                     error)) &&
        g_key_file_has_key(conf, "network", "bridge_prefix", NULL))
        return NULL;
    if (config->bridge_prefix && (!*config->bridge_prefix || strlen(config->bridge_prefix) > 10 ||
                                  strpbrk(config->bridge_prefix, "/ %:"))) {
        mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX,
                     "[network] bridge_prefix: '%s' must be 1 to 10 characters without "
                     "'/', ' ', '%%' or ':'", config->bridge_prefix);
        return NULL;
    }
    if (!(config->lease_helper = mv_conf_get_string(conf, "network", "lease_helper", NULL,
                                                    error)) &&
        g_key_file_has_key(conf, "network", "lease_helper", NULL))
        return NULL;
    if (config->lease_helper && (!g_path_is_absolute(config->lease_helper) ||
                                 !g_file_test(config->lease_helper,
                                              G_FILE_TEST_IS_EXECUTABLE))) {
        mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX,
                     "[network] lease_helper: '%s' is not an absolute path to an executable "
                     "file", config->lease_helper);
        return NULL;
    }
    return g_steal_pointer(&config);
}

/* modvirt-leasehelper beside our own binary (the build tree, or sbindir). */
static char *
default_lease_helper(void)
{
    g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
    g_autofree char *dir = self ? g_path_get_dirname(self) : NULL;

    return dir ? g_build_filename(dir, "modvirt-leasehelper", NULL)
               : g_strdup("modvirt-leasehelper");
}

static gpointer
driver_thread(gpointer data)
{
    MvNetworkDriver *driver = data;

    mv_main_loop_run_owned(driver->loop);
    return NULL;
}

/* ---- start-up ---- */

static bool
reconcile_config(const char *path, const char *xml, bool autostart, gpointer data,
                 GError **error)
{
    MvNetworkDriver *driver = data;
    g_autoptr(MvNetworkDef) def = NULL;
    MvNetworkObj *net;

    if (!(def = mv_network_def_parse(xml, 0, error)) ||
        !mv_driver_store_check_file_name(path, "network", def->name, MV_FROM_NETWORK, error))
        return false;
    if (!(net = mv_network_obj_add(driver->networks, def, true, error)))
        return false;
    g_steal_pointer(&def);
    net->autostart = autostart;
    mv_network_obj_unref(net);
    return true;
}

static bool
reconcile_status(const char *path, const char *text, bool has_config, gpointer data,
                 GError **error)
{
    MvNetworkDriver *driver = data;
    g_autoptr(MvNetworkStatus) st = NULL;
    g_autoptr(MvNetworkObj) net = NULL;

    if (!(st = mv_network_status_parse(path, text, error)))
        return false;
    if (has_config) {
        net = MV_NETWORK_OBJ(mv_driver_list_find_by_name(driver->networks, st->live->name));
        if (net && memcmp(net->uuid, st->live->uuid, 16) != 0)
            g_clear_pointer(&net, mv_network_obj_unref);
    }
    if (!net) {
        /* A transient network (or its definition went away meanwhile). */
        MvNetworkDef *def = mv_network_def_copy(st->live);
        if (!(net = mv_network_obj_add(driver->networks, def, false, error))) {
            mv_network_def_free(def);
            return false;
        }
    }
    if (!mv_network_lifecycle_recover(driver, net, st) && !net->persistent)
        mv_driver_list_remove(driver->networks, MV_DRIVER_OBJECT(net));
    return true;
}

static void
reconcile_rejected(const char *path, bool is_status, const GError *error, gpointer data)
{
    (void)data;
    if (is_status)
        mv_log_warning("removed the unusable status file %s: %s", path, error->message);
    else
        mv_log_error("ignoring the network definition %s: %s (fix or remove the file)", path,
                     error->message);
}

static void
autostart_all(MvNetworkDriver *driver)
{
    g_autoptr(GPtrArray) all = mv_driver_list_snapshot(driver->networks);

    for (guint i = 0; i < all->len; i++) {
        MvNetworkObj *net = all->pdata[i];
        g_autoptr(GError) err = NULL;
        MvNetworkDef *def;
        bool start;

        g_mutex_lock(&net->lock);
        start = net->autostart && !mv_network_obj_is_active(net);
        g_mutex_unlock(&net->lock);
        if (!start || !mv_network_obj_begin_job(net, "virNetworkCreate", &err)) {
            if (err)
                mv_log_error("autostart of network '%s': %s", net->name, err->message);
            continue;
        }
        g_mutex_lock(&net->lock);
        def = mv_network_obj_is_active(net) ? NULL : mv_network_def_copy(
                                                         mv_network_obj_config(net));
        g_mutex_unlock(&net->lock);
        if (def && mv_network_lifecycle_check_start(driver, net, def, &err) &&
            mv_network_lifecycle_start(driver, net, g_steal_pointer(&def), &err)) {
            mv_log_info("network '%s' started (autostart)", net->name);
            mv_network_driver_emit(driver, net, MV_NETWORK_EVENT_STARTED);
        } else if (err) {
            mv_log_error("cannot autostart network '%s': %s", net->name, err->message);
        }
        mv_network_def_free(def);      /* left when the checks refused it */
        mv_network_obj_end_job(net);
    }
}

/* Removes from @dir the temp files (NAME.tmp-XXXXXXXX) of writes a killed
 * networkd never finished: dnsmasq's config and hosts files, its start file.
 * (The lease helper's own temp files have other names: it may be running.) */
static void
sweep_temp_files(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *path = NULL;
        g_autoptr(GError) err = NULL;

        if (!strstr(name, ".tmp-"))
            continue;
        path = g_build_filename(dir, name, NULL);
        if (!mv_file_remove(path, &err))
            mv_log_warning("%s", err->message);
    }
}

static bool
make_dirs(MvNetworkDriver *driver, const MvPaths *paths, GError **error)
{
    g_autofree char *defs_dir = mv_paths_definitions_dir(paths, "network");
    g_autofree char *lib_dnsmasq = NULL;
    g_autofree char *run_dnsmasq = NULL;

    driver->state_dir = mv_paths_state_dir(paths, "network");
    driver->ports_dir = g_build_filename(driver->state_dir, "ports", NULL);
    driver->lib_dir = mv_paths_data_dir(paths, "network");
    driver->store = mv_driver_store_new(defs_dir, driver->state_dir, MV_FROM_NETWORK);
    driver->filter_socket = mv_paths_socket(paths, mv_daemon_info(MV_DAEMON_FILTER)->socket_name,
                                            MV_SOCKET_RW);
    lib_dnsmasq = g_build_filename(driver->lib_dir, "dnsmasq", NULL);
    run_dnsmasq = g_build_filename(driver->state_dir, "dnsmasq", NULL);
    sweep_temp_files(lib_dnsmasq);
    sweep_temp_files(run_dnsmasq);
    return mv_driver_store_create_dirs(driver->store, error) &&
           mv_file_mkdir_p(driver->ports_dir, 0700, error) &&
           mv_file_mkdir_p(driver->lib_dir, 0755, error);
}

bool
mv_network_driver_start(MvDaemon *daemon, GError **error)
{
    MvNetworkDriver *driver = g_new0(MvNetworkDriver, 1);
    const MvNetworkConfig *conf = mv_daemon_get_driver_config(daemon);
    static const MvDriverReconcile cb = {
        .config = reconcile_config,
        .status = reconcile_status,
        .rejected = reconcile_rejected,
    };

    driver->daemon = daemon;
    mv_daemon_set_driver_data(daemon, driver);
    driver->job_wait_ms = conf && conf->job_wait_ms > 0 ? conf->job_wait_ms
                                                        : MV_NETWORK_JOB_WAIT_MS;
    driver->dnsmasq = g_strdup(conf && conf->dnsmasq ? conf->dnsmasq : NULL);
    driver->bridge_prefix = g_strdup(conf && conf->bridge_prefix ? conf->bridge_prefix
                                                                 : "virbr");
    g_mutex_init(&driver->bridges_lock);
    g_mutex_init(&driver->define_lock);
    driver->bridges = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if (!make_dirs(driver, mv_daemon_get_paths(daemon), error))
        return false;
    driver->lease_helper = conf && conf->lease_helper ? g_strdup(conf->lease_helper)
                                                      : default_lease_helper();
    driver->networks = mv_driver_list_new(&mv_network_obj_class, driver);
    driver->events = mv_network_events_new();
    driver->ctx = g_main_context_new();
    driver->loop = g_main_loop_new(driver->ctx, FALSE);
    driver->thread = g_thread_new("network-events", driver_thread, driver);

    mv_driver_store_reconcile(driver->store, &cb, driver);
    autostart_all(driver);
    return true;
}

void
mv_network_driver_stop(MvDaemon *daemon)
{
    MvNetworkDriver *driver = mv_daemon_get_driver_data(daemon);

    if (!driver)
        return;
    if (driver->networks) {
        /* Networks keep running (bridges, dnsmasq): only let go of our handles. */
        g_autoptr(GPtrArray) all = mv_driver_list_snapshot(driver->networks);
        for (guint i = 0; i < all->len; i++) {
            MvNetworkObj *net = all->pdata[i];
            mv_network_lifecycle_detach(driver, net);
            mv_driver_list_remove(driver->networks, MV_DRIVER_OBJECT(net));
        }
    }
    if (driver->loop) {
        g_main_loop_quit(driver->loop);
        g_thread_join(driver->thread);
        g_main_loop_unref(driver->loop);
        g_main_context_unref(driver->ctx);
    }
    mv_driver_list_free(driver->networks);
    if (driver->events)
        mv_driver_events_free(driver->events);
    mv_driver_store_free(driver->store);
    g_hash_table_unref(driver->bridges);
    g_mutex_clear(&driver->bridges_lock);
    g_mutex_clear(&driver->define_lock);
    g_free(driver->dnsmasq);
    g_free(driver->bridge_prefix);
    g_free(driver->state_dir);
    g_free(driver->ports_dir);
    g_free(driver->lib_dir);
    g_free(driver->filter_socket);
    g_free(driver->lease_helper);
    g_free(driver);
    mv_daemon_set_driver_data(daemon, NULL);
}

void
mv_network_driver_conn_closed(MvDaemon *daemon, MvDaemonConn *conn, MvServerClient *client)
{
    MvNetworkDriver *driver = mv_daemon_get_driver_data(daemon);

    (void)conn;
    if (driver && driver->events)
        mv_driver_events_client_closed(driver->events, client);
}

MvNetworkDriver *
mv_network_driver_get(MvDriverCall *call)
{
    return mv_driver_call_driver_data(call);
}
