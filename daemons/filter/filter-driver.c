/* modvirt-filterd: start and stop. */
#define MV_LOG_CATEGORY "filter"
#include "filter-driver.h"

#include <errno.h>
#include <string.h>

#include "filter-netrules.h"
#include "filter-nft.h"
#include "filter-watch.h"
#include "link/daemon-link.h"
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

static bool
owns_rules(MvFilterDriver *driver)
{
    for (guint i = 0; driver->tables && i < driver->tables->len; i++) {
        const MvFilterOwnedTable *t = &g_array_index(driver->tables, MvFilterOwnedTable, i);
        g_autoptr(JsonNode) expected = t->expected(t->data);

        if (expected)
            return true;
    }
    return false;
}

void
mv_filter_driver_owned_changed(MvFilterDriver *driver)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&driver->self_lock);
    bool owns = owns_rules(driver);

    if (owns && !driver->self_link) {
        g_autofree char *sock = mv_paths_socket(mv_daemon_get_paths(driver->daemon), "filter",
                                                MV_SOCKET_RO);
        MvDaemonLinkConfig config = {
            .program = "modvirt-filterd", .socket = sock, .uri = "nwfilter:///system",
            .open_flags = MV_DAEMON_LINK_OPEN_READ_ONLY, .keepalive = true,
        };
        g_autoptr(GError) err = NULL;

        if (!(driver->self_link = mv_daemon_link_open(&config, &err)))
            mv_log_warning("cannot hold a connection to myself (%s): an idle exit may stop "
                           "the restore of vanished tables", err->message);
        else
            mv_log_debug("rules owned: holding a connection to myself against idle exit");
    } else if (!owns && driver->self_link) {
        mv_daemon_link_close(g_steal_pointer(&driver->self_link));
        mv_log_debug("no rules owned: idle exit allowed");
    }
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
    g_mutex_init(&driver->self_lock);
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
    /* once serving: the sockets exist when the main loop runs */
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
    /* the server is stopped: its end of our own connection is gone */
    mv_daemon_link_free(driver->self_link);
    g_mutex_clear(&driver->self_lock);
    mv_filter_watch_free(driver->watch);
    if (mv_nwfilter_stop)
        mv_nwfilter_stop(driver);
    g_clear_pointer(&driver->tables, g_array_unref);
    mv_filter_netrules_free(driver->netrules);
    mv_filter_nft_free(driver->nft);
    g_free(driver->state_dir);
    g_free(driver);
}
