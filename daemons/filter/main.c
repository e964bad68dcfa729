/* modvirt-filterd: the host firewall on nftables (network NAT/forward rules for
 * modvirt-networkd, network filters for guests). The only process of modvirt
 * that writes netfilter rules; needs CAP_NET_ADMIN only.
 *
 * This file is the wiring: the nwfilter vtable (generated type, see
 * remote-driver.h) filled with the typed handlers, turned into the REMOTE
 * handler table by the generated glue, and the daemon descriptor. A NULL
 * vtable entry answers VIR_ERR_NO_SUPPORT naming the API. docs/filter.md. */
#include "filter-driver.h"
#include "nwfilter-handlers.h"
#include "filter-private-handlers.h"
#include "remote-dispatch.h"

/* The nwfilter family. Not const: the nwfilter part fills its entries in
 * main() below (one call, see the marked spot), so this file stays the only
 * wiring and neither part edits the other's lines. */
static MvRemoteNWFilterDriver filter_nwfilter_driver;

static const MvRemoteDrivers filter_drivers = {
    .nwfilter = &filter_nwfilter_driver,
};

static MvDispatchFunc filter_handlers[MV_REMOTE_PROC_LAST];

static const MvDaemonDescriptor filter_daemon = {
    /* name, program, summary, routes, URI: the registry's row (daemons.ini) */
    MV_DAEMON_DESCRIPTOR_FILTER,
    .handlers = filter_handlers,
    .nhandlers = MV_REMOTE_PROC_LAST,
    .start = mv_filter_driver_start,
    .stop = mv_filter_driver_stop,
    /* the private FILTER program (networkd's rule sets, the doctor) */
    .prepare_server = mv_filter_private_serve,
};

int
main(int argc, char **argv)
{
    /* ---- nwfilter handlers: the nwfilter part adds its fill call here */
    mv_filter_nwfilter_handlers_fill(&filter_nwfilter_driver);
    /* ---- end of the nwfilter spot */
    mv_remote_drivers_fill(&filter_drivers, filter_handlers);
    return mv_daemon_main(&filter_daemon, argc, argv);
}
