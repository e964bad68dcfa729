/* modvirt-filterd: start and stop. */
#define MV_LOG_CATEGORY "filter"
#include "filter-driver.h"

#include <errno.h>
#include <string.h>

#include "filter-netrules.h"
#include "filter-nft.h"
#include "filter-watch.h"
#include "util/error.h"
#include "util/log.h"

MvFilterDriver *
mv_filter_driver_get(MvDaemon *daemon)
{
    return mv_daemon_get_driver_data(daemon);
}

void
mv_filter_driver_add_table(MvFilterDriver *driver, const MvFilterOwnedTable *table)
{
    if (!driver->tables)
        driver->tables = g_array_new(FALSE, TRUE, sizeof(MvFilterOwnedTable));
    g_array_append_val(driver->tables, *table);
}

bool
mv_filter_driver_start(MvDaemon *daemon, GError **error)
{
    MvFilterDriver *driver = g_new0(MvFilterDriver, 1);
    MvFilterOwnedTable table;

    driver->daemon = daemon;
    mv_daemon_set_driver_data(daemon, driver);
    driver->state_dir = mv_paths_state_dir(mv_daemon_get_paths(daemon), "filter");
    if (g_mkdir_with_parents(driver->state_dir, 0700) < 0)
        return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_SYSTEM_ERROR,
                            "cannot create the state directory %s: %s", driver->state_dir,
                            g_strerror(errno));
    if (!(driver->nft = mv_filter_nft_new(error)))
        return false;
    /* what was applied before a restart is applied again, in one transaction */
    if (!(driver->netrules = mv_filter_netrules_new(driver->nft, driver->state_dir, error)))
        return false;
    mv_filter_netrules_owned_table(driver->netrules, &table);
    mv_filter_driver_add_table(driver, &table);
    /* ---- nwfilter: its start (state, bridge table registration) goes here ---- */
    driver->watch = mv_filter_watch_new(driver);
    return true;
}

void
mv_filter_driver_stop(MvDaemon *daemon)
{
    MvFilterDriver *driver = mv_filter_driver_get(daemon);

    if (!driver)
        return;
    mv_daemon_set_driver_data(daemon, NULL);
    mv_filter_watch_free(driver->watch);
    g_clear_pointer(&driver->tables, g_array_unref);
    mv_filter_netrules_free(driver->netrules);
    mv_filter_nft_free(driver->nft);
    g_free(driver->state_dir);
    g_free(driver);
}
