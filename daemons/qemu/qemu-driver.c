/* QEMU driver state: start-up (probe, capabilities, definitions, recovery,
 * autostart) and shut-down. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-driver.h"

#include <fcntl.h>
#include <unistd.h>

#include "conf/capabilities.h"
#include "qemu-domain-check.h"
#include "qemu-process.h"
#include "qemu-stray.h"
#include "qemu-tune.h"
#include "util/file.h"
#include "util/log.h"
#include "util/mainloop.h"

static gpointer
driver_thread(gpointer data)
{
    MvQemuDriver *driver = data;

    mv_main_loop_run_owned(driver->loop);
    return NULL;
}

static bool
make_dirs(MvQemuDriver *driver, const MvPaths *paths, GError **error)
{
    g_autofree char *defs_dir = mv_paths_definitions_dir(paths, "qemu");

    driver->state_dir = mv_paths_state_dir(paths, "qemu");
    driver->store = mv_driver_store_new(defs_dir, driver->state_dir, MV_FROM_QEMU);
    driver->log_dir = g_build_filename(paths->log_dir, "qemu", NULL);
    driver->lib_dir = mv_paths_data_dir(paths, "qemu");
    driver->network_socket = mv_paths_socket(paths,
                                             mv_daemon_info(MV_DAEMON_NETWORK)->socket_name,
                                             MV_SOCKET_RW);
    driver->filter_socket = mv_paths_socket(paths, mv_daemon_info(MV_DAEMON_FILTER)->socket_name,
                                            MV_SOCKET_RW);
    driver->storage_socket = mv_paths_socket(paths,
                                             mv_daemon_info(MV_DAEMON_STORAGE)->socket_name,
                                             MV_SOCKET_RW);
    return mv_driver_store_create_dirs(driver->store, error) &&
           mv_file_mkdir_p(driver->log_dir, 0750, error) &&
           mv_file_mkdir_p(driver->lib_dir, 0750, error);
}

static void
probe_emulator(MvQemuDriver *driver)
{
    const MvQemuConfig *conf = mv_daemon_get_driver_config(driver->daemon);
    const char *binary = conf ? conf->emulator : NULL;
    g_autoptr(GError) err = NULL;
    int fd;

    driver->probe = mv_qemu_probe_get(binary, driver->lib_dir, &err);
    if (!driver->probe) {
        mv_log_error("cannot use QEMU: %s", err->message);
        driver->probe_error = g_strdup(err->message);
    }
    fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    driver->kvm_available = fd >= 0;
    if (fd >= 0)
        close(fd);
}

static void
recover_one(MvQemuDriver *driver, MvQemuStatus *st, gpointer data)
{
    GHashTable *kept = data;

    mv_qemu_process_recover(driver, st);
    /* A status file still there after recovery: its QEMU was deliberately left alone. */
    if (g_file_test(st->path, G_FILE_TEST_EXISTS))
        g_hash_table_add(kept, g_strdup(st->monitor_path));
}

/* Definitions, then the guests that survived a daemon restart, then autostart. */
static void
load_recover_and_autostart(MvQemuDriver *driver)
{
    g_autoptr(GPtrArray) all = NULL;
    g_autoptr(GHashTable) kept = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    mv_qemu_persist_reconcile(driver, recover_one, kept);
    /* QEMUs that no status file accounts for (left by a killed daemon) go. */
    mv_qemu_stray_sweep(driver, kept);
    all = mv_driver_list_snapshot(driver->domains);
    for (guint i = 0; i < all->len; i++) {
        MvQemuDomain *dom = all->pdata[i];
        bool start;
        g_mutex_lock(&dom->lock);
        start = dom->autostart && !mv_qemu_domain_is_active(dom);
        g_mutex_unlock(&dom->lock);
        if (start && driver->probe)
            mv_qemu_process_autostart(driver, dom);
    }
}

bool
mv_qemu_driver_start(MvDaemon *daemon, GError **error)
{
    g_autoptr(MvCapabilities) caps = NULL;
    MvQemuDriver *driver = g_new0(MvQemuDriver, 1);
    const MvQemuConfig *conf;

    driver->daemon = daemon;
    mv_daemon_set_driver_data(daemon, driver);
    conf = mv_daemon_get_driver_config(daemon);
    driver->job_wait_ms = conf && conf->job_wait_ms > 0 ? conf->job_wait_ms
                                                        : MV_QEMU_JOB_WAIT_MS;
    if (!make_dirs(driver, mv_daemon_get_paths(daemon), error))
        return false;
    driver->emulators = g_strdupv(conf ? conf->emulators : NULL);
    driver->denied_paths = mv_qemu_domain_check_denied_paths(
        mv_daemon_get_paths(daemon), conf ? (const char *const *)conf->deny_paths : NULL);
    probe_emulator(driver);
    if (!(caps = mv_capabilities_new_host(error)))
        return false;
    if (driver->probe)
        mv_capabilities_add_guest(caps, mv_qemu_probe_to_caps_guest(driver->probe));
    driver->capabilities_xml = mv_capabilities_format(caps);


    driver->domains = mv_driver_list_new(&mv_qemu_domain_class, driver);
    driver->events = mv_domain_events_new();
    driver->ctx = g_main_context_new();
    driver->loop = g_main_loop_new(driver->ctx, FALSE);
    driver->thread = g_thread_new("qemu-events", driver_thread, driver);
    driver->actions = mv_qemu_process_actions_new(driver);

    load_recover_and_autostart(driver);
    return true;
}

void
mv_qemu_driver_stop(MvDaemon *daemon)
{
    MvQemuDriver *driver = mv_daemon_get_driver_data(daemon);
    g_autoptr(GPtrArray) all = NULL;

    if (!driver)
        return;
    if (driver->actions)
        g_thread_pool_free(driver->actions, FALSE, TRUE);
    if (driver->domains) {
        /* Guests keep running: only let go of their monitors and watches. */
        all = mv_driver_list_snapshot(driver->domains);
        for (guint i = 0; i < all->len; i++) {
            MvQemuDomain *dom = all->pdata[i];
            g_mutex_lock(&dom->lock);
            if (dom->monitor)
                mv_qemu_monitor_close(dom->monitor);
            if (dom->exit_source)
                g_source_destroy(dom->exit_source);
            g_mutex_unlock(&dom->lock);
            mv_qemu_persist_cancel_status_retry(dom);
            mv_driver_list_remove(driver->domains, MV_DRIVER_OBJECT(dom));
        }
    }
    if (driver->loop) {
        g_main_loop_quit(driver->loop);
        g_thread_join(driver->thread);
        g_main_loop_unref(driver->loop);
        g_main_context_unref(driver->ctx);
    }
    g_clear_pointer(&all, g_ptr_array_unref);
    mv_driver_list_free(driver->domains);
    mv_driver_events_free(driver->events);
    g_free(driver->probe_error);
    g_free(driver->capabilities_xml);
    mv_driver_store_free(driver->store);
    g_free(driver->state_dir);
    g_free(driver->log_dir);
    g_free(driver->lib_dir);
    g_free(driver->network_socket);
    g_free(driver->storage_socket);
    g_free(driver->filter_socket);
    g_strfreev(driver->emulators);
    g_strfreev(driver->denied_paths);
    g_free(driver);
    mv_daemon_set_driver_data(daemon, NULL);
}

void
mv_qemu_driver_conn_closed(MvDaemon *daemon, MvDaemonConn *conn, MvServerClient *client)
{
    MvQemuDriver *driver = mv_daemon_get_driver_data(daemon);

    if (!driver)
        return;
    if (driver->events)
        mv_driver_events_client_closed(driver->events, client);
    mv_qemu_console_client_closed(client);
    if (driver->domains)
        mv_qemu_process_autodestroy(driver, conn);
}

MvQemuDriver *
mv_qemu_driver_get(MvDriverCall *call)
{
    return mv_driver_call_driver_data(call);
}

bool
mv_qemu_driver_check_host_access(MvQemuDriver *driver, const MvDomainDef *def, GError **error)
{
    return mv_qemu_domain_check_host_access(def, driver->probe ? driver->probe->binary : NULL,
                                            (const char *const *)driver->emulators,
                                            (const char *const *)driver->denied_paths, error);
}

bool
mv_qemu_driver_check_def(MvQemuDriver *driver, const MvDomainDef *def, GError **error)
{
    return mv_qemu_driver_check_host_access(driver, def, error) &&
           mv_qemu_domain_check_size(def, error) && mv_qemu_tune_check(def, error);
}

bool
mv_qemu_driver_need_probe(MvQemuDriver *driver, GError **error)
{
    if (driver->probe)
        return true;
    return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                        "QEMU is not usable on this host: %s", driver->probe_error);
}
