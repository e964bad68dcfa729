/* QEMU driver state: start-up probing and the capabilities document. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-driver.h"

#include "conf/capabilities.h"
#include "util/log.h"

bool
mv_qemu_driver_start(MvDaemon *daemon, GError **error)
{
    g_autofree char *cache_dir = mv_paths_data_dir(mv_daemon_get_paths(daemon), "qemu");
    g_autoptr(MvCapabilities) caps = NULL;
    g_autoptr(GError) err = NULL;
    MvQemuDriver *driver = g_new0(MvQemuDriver, 1);
    g_autofree char *binary = NULL;

    mv_daemon_set_driver_data(daemon, driver);
    binary = g_key_file_get_string(mv_daemon_get_config(daemon), "qemu", "emulator", NULL);
    driver->probe = mv_qemu_probe_get(binary, cache_dir, &err);
    if (!driver->probe) {
        mv_log_error("cannot use QEMU: %s", err->message);
        driver->probe_error = g_strdup(err->message);
        g_clear_error(&err);
    }
    if (!(caps = mv_capabilities_new_host(error)))
        return false;
    if (driver->probe)
        mv_capabilities_add_guest(caps, mv_qemu_probe_to_caps_guest(driver->probe));
    driver->capabilities_xml = mv_capabilities_format(caps);
    return true;
}

void
mv_qemu_driver_stop(MvDaemon *daemon)
{
    MvQemuDriver *driver = mv_daemon_get_driver_data(daemon);

    if (!driver)
        return;
    g_free(driver->probe_error);
    g_free(driver->capabilities_xml);
    g_free(driver);
    mv_daemon_set_driver_data(daemon, NULL);
}

MvQemuDriver *
mv_qemu_driver_get(MvServerCall *call)
{
    return mv_daemon_get_driver_data(mv_daemon_call_daemon(call));
}
