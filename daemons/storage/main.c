/* modvirt-storaged: storage pools (dir, fs on loop devices, logical, and the
 * types this host cannot run, refused clearly), their volumes, volume
 * transfers as streams, and secrets.
 *
 * Privileges kept (as root): CAP_SYS_ADMIN to attach loop devices and mount
 * fs pools, CAP_CHOWN/CAP_FOWNER/CAP_DAC_OVERRIDE for the ownership and
 * modes that pool and volume XML ask for. No networking.
 *
 * This file is the wiring: the storage driver vtable (generated type, see
 * remote-driver.h) filled with the typed handlers, turned into the REMOTE
 * handler table by the generated glue, and the daemon descriptor. A NULL
 * vtable entry answers VIR_ERR_NO_SUPPORT naming the API. */
#include "remote-dispatch.h"
#include "storage-driver.h"
#include "storage-handlers.h"
#include "secret-driver.h"
#include "secret-luks.h"
#include "storage-stream.h"

static const MvRemoteStorageDriver mv_storage_driver = {
    .connect_num_of_storage_pools = mv_storage_handle_connect_num_of_storage_pools,
    .connect_list_storage_pools = mv_storage_handle_connect_list_storage_pools,
    .connect_num_of_defined_storage_pools = mv_storage_handle_connect_num_of_defined_storage_pools,
    .connect_list_defined_storage_pools = mv_storage_handle_connect_list_defined_storage_pools,
    .connect_find_storage_pool_sources = mv_storage_handle_connect_find_storage_pool_sources,
    .storage_pool_create_xml = mv_storage_handle_storage_pool_create_xml,
    .storage_pool_define_xml = mv_storage_handle_storage_pool_define_xml,
    .storage_pool_create = mv_storage_handle_storage_pool_create,
    .storage_pool_build = mv_storage_handle_storage_pool_build,
    .storage_pool_destroy = mv_storage_handle_storage_pool_destroy,
    .storage_pool_delete = mv_storage_handle_storage_pool_delete,
    .storage_pool_undefine = mv_storage_handle_storage_pool_undefine,
    .storage_pool_refresh = mv_storage_handle_storage_pool_refresh,
    .storage_pool_lookup_by_name = mv_storage_handle_storage_pool_lookup_by_name,
    .storage_pool_lookup_by_uuid = mv_storage_handle_storage_pool_lookup_by_uuid,
    .storage_pool_lookup_by_volume = mv_storage_handle_storage_pool_lookup_by_volume,
    .storage_pool_get_info = mv_storage_handle_storage_pool_get_info,
    .storage_pool_get_xml_desc = mv_storage_handle_storage_pool_get_xml_desc,
    .storage_pool_get_autostart = mv_storage_handle_storage_pool_get_autostart,
    .storage_pool_set_autostart = mv_storage_handle_storage_pool_set_autostart,
    .storage_pool_num_of_volumes = mv_storage_handle_storage_pool_num_of_volumes,
    .storage_pool_list_volumes = mv_storage_handle_storage_pool_list_volumes,
    .storage_vol_create_xml = mv_storage_handle_storage_vol_create_xml,
    .storage_vol_delete = mv_storage_handle_storage_vol_delete,
    .storage_vol_lookup_by_name = mv_storage_handle_storage_vol_lookup_by_name,
    .storage_vol_lookup_by_key = mv_storage_handle_storage_vol_lookup_by_key,
    .storage_vol_lookup_by_path = mv_storage_handle_storage_vol_lookup_by_path,
    .storage_vol_get_info = mv_storage_handle_storage_vol_get_info,
    .storage_vol_get_xml_desc = mv_storage_handle_storage_vol_get_xml_desc,
    .storage_vol_get_path = mv_storage_handle_storage_vol_get_path,
    .storage_vol_upload = mv_storage_handle_storage_vol_upload,
    .storage_vol_download = mv_storage_handle_storage_vol_download,
    .storage_vol_create_xml_from = mv_storage_handle_storage_vol_create_xml_from,
    .storage_pool_is_active = mv_storage_handle_storage_pool_is_active,
    .storage_pool_is_persistent = mv_storage_handle_storage_pool_is_persistent,
    .storage_vol_wipe = mv_storage_handle_storage_vol_wipe,
    .storage_vol_wipe_pattern = mv_storage_handle_storage_vol_wipe_pattern,
    .storage_vol_resize = mv_storage_handle_storage_vol_resize,
    .connect_list_all_storage_pools = mv_storage_handle_connect_list_all_storage_pools,
    .storage_pool_list_all_volumes = mv_storage_handle_storage_pool_list_all_volumes,
    .connect_storage_pool_event_register_any =
        mv_storage_handle_connect_storage_pool_event_register_any,
    .connect_storage_pool_event_deregister_any =
        mv_storage_handle_connect_storage_pool_event_deregister_any,
    .storage_vol_get_info_flags = mv_storage_handle_storage_vol_get_info_flags,
    .storage_pool_lookup_by_target_path = mv_storage_handle_storage_pool_lookup_by_target_path,
    .connect_get_storage_pool_capabilities =
        mv_storage_handle_connect_get_storage_pool_capabilities,
};

/* The secret family (filled by mv_secret_driver_fill() in main()). */
static MvRemoteSecretDriver storage_secret_driver;
static MvSecretDriver *storage_secrets;

static const MvRemoteDrivers storage_drivers = {
    .storage = &mv_storage_driver,
    .secret = &storage_secret_driver,
};

/* The secrets come up first: a LUKS volume create takes its passphrase from them. */
static bool
storaged_start(MvDaemon *daemon, GError **error)
{
    MvStorageDriver *driver;

    if (!(storage_secrets = mv_secret_driver_new(mv_daemon_get_paths(daemon), error)) ||
        !mv_storage_driver_start(daemon, error))
        return false;
    driver = mv_daemon_get_driver_data(daemon);
    mv_secret_driver_set_daemon(storage_secrets, daemon);
    driver->secret_driver = storage_secrets;
    driver->secret_lookup = mv_secret_luks_lookup;
    return true;
}

static void
storaged_stop(MvDaemon *daemon)
{
    mv_storage_driver_stop(daemon);
    g_clear_pointer(&storage_secrets, mv_secret_driver_free);
}

static void
storaged_conn_closed(MvDaemon *daemon, MvDaemonConn *conn, MvServerClient *client)
{
    mv_storage_driver_conn_closed(daemon, conn, client);
    mv_secret_driver_conn_closed(storage_secrets, client);
}

static MvDispatchFunc storage_handlers[MV_REMOTE_PROC_LAST];

static const MvDaemonDescriptor storage_daemon = {
    /* name, program, summary, routes, URI: the registry's row (daemons.ini) */
    MV_DAEMON_DESCRIPTOR_STORAGE,
    .handlers = storage_handlers,
    .nhandlers = MV_REMOTE_PROC_LAST,
    .config_read = mv_storage_config_read,
    .config_free = (GDestroyNotify)mv_storage_config_free,
    .start = storaged_start,
    .stop = storaged_stop,
    .conn_closed = storaged_conn_closed,
};

int
main(int argc, char **argv)
{
    mv_secret_driver_fill(&storage_secret_driver);
    mv_remote_drivers_fill(&storage_drivers, storage_handlers);
    return mv_daemon_main(&storage_daemon, argc, argv);
}
