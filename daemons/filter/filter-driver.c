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

bool mv_nwfilter_start(MvFilterDriver *driver, GError **error) __attribute__((weak));
void mv_nwfilter_stop(MvFilterDriver *driver) __attribute__((weak));

bool
mv_filter_owned_table_present(const MvFilterOwnedTable *t)
{
    g_autoptr(JsonNode) expected = NULL;

    if (t->present)
        return t->present(t->data);
    expected = t->expected(t->data);
    return expected != NULL;
}

static bool
owns_rules(MvFilterDriver *driver)
{
    for (guint i = 0; driver->tables && i < driver->tables->len; i++) {
        if (mv_filter_owned_table_present(&g_array_index(driver->tables, MvFilterOwnedTable, i)))
            return true;
    }
    return false;
}

void
mv_filter_driver_owned_changed(MvFilterDriver *driver)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&driver->hold_lock);
    bool owns = owns_rules(driver);

    if (owns == driver->held)
        return;
    driver->held = owns;
    mv_daemon_hold_idle(driver->daemon, owns);
    mv_log_debug(owns ? "rules owned: no idle exit" : "no rules owned: idle exit allowed");
}

static gboolean
owned_changed_idle(gpointer data)
{
    mv_filter_driver_owned_changed(data);
    return G_SOURCE_REMOVE;
}

bool
mv_filter_driver_start(MvDaemon *daemon, GError **error)
{
    MvFilterDriver *driver = g_new0(MvFilterDriver, 1);
    MvFilterOwnedTable table;

    driver->daemon = daemon;
    g_mutex_init(&driver->hold_lock);
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
    /* nwfilter-driver.c; weak, so programs linking only filter_core (tests/filter/)
     * run without the nwfilter part (the daemon links it through main.c). */
    if (mv_nwfilter_start && !mv_nwfilter_start(driver, error))
        return false;
    driver->watch = mv_filter_watch_new(driver);
    /* the hold (if rules were taken back) is counted once serving starts */
    g_idle_add(owned_changed_idle, driver);
    return true;
}

void
mv_filter_driver_stop(MvDaemon *daemon)
{
    MvFilterDriver *driver = mv_filter_driver_get(daemon);

    if (!driver)
        return;
    mv_daemon_set_driver_data(daemon, NULL);
    g_mutex_clear(&driver->hold_lock);
    mv_filter_watch_free(driver->watch);
    if (mv_nwfilter_stop)
        mv_nwfilter_stop(driver);
    g_clear_pointer(&driver->tables, g_array_unref);
    mv_filter_netrules_free(driver->netrules);
    mv_filter_nft_free(driver->nft);
    g_free(driver->state_dir);
    g_free(driver);
}
