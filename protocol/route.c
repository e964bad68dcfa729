/* Names of the routes of the procedure table (rpc/proc.h). */
#include "rpc/proc.h"

/**
 * mv_route_name:
 * The subsystem that owns @route, as used in logs, socket names and the
 * generator's annotations: "any", "hypervisor", "domain", "network",
 * "storage", "nwfilter", "secret", "nodedev", "interface"; "none" for an
 * unused table slot (MV_ROUTE_NONE). Returns a static string, or NULL for a
 * value outside MvRoute.
 */
const char *
mv_route_name(MvRoute route)
{
    static const char *const names[MV_ROUTE_LAST] = {
        [MV_ROUTE_NONE] = "none",
        [MV_ROUTE_ANY] = "any",
        [MV_ROUTE_HYPERVISOR] = "hypervisor",
        [MV_ROUTE_DOMAIN] = "domain",
        [MV_ROUTE_NETWORK] = "network",
        [MV_ROUTE_STORAGE] = "storage",
        [MV_ROUTE_NWFILTER] = "nwfilter",
        [MV_ROUTE_SECRET] = "secret",
        [MV_ROUTE_NODEDEV] = "nodedev",
        [MV_ROUTE_INTERFACE] = "interface",
    };

    if ((int)route < 0 || route >= MV_ROUTE_LAST)
        return NULL;
    return names[route];
}
