/* Where the proxy sends a call: the route table (remote.x's @route:) says
 * which route a procedure belongs to, the daemon registry which daemon owns
 * that route. Secondary daemons get one backend slot each, by registry row. */
#include "proxy.h"

bool
mv_proxy_daemon_for_scheme(const char *scheme, const char **ret_daemon)
{
    MvDaemonKind daemon;

    if (!mv_daemon_for_scheme(scheme, &daemon))
        return false;
    *ret_daemon = mv_daemon_info(daemon)->socket_name;
    return true;
}

bool
mv_proxy_slot_for_route(const char *primary, const MvProcInfo *proc,
                        MvProxyBackendSlot *ret_slot, GError **error)
{
    MvDaemonKind owner;

    switch (proc->route) {
    case MV_ROUTE_ANY:
    case MV_ROUTE_HYPERVISOR:
    case MV_ROUTE_DOMAIN:
        *ret_slot = MV_PROXY_BACKEND_PRIMARY;
        return true;
    default:
        break;
    }
    if (!mv_daemon_owner(proc->route, &owner))
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_NO_SUPPORT,
                            "this function is not supported by the connection driver: %s "
                            "(no modvirt daemon serves %s objects)", proc->api,
                            mv_route_name(proc->route));
    /* A client connected to a secondary daemon's URI talks to it directly. */
    if (g_strcmp0(primary, mv_daemon_info(owner)->socket_name) == 0)
        *ret_slot = MV_PROXY_BACKEND_PRIMARY;
    else
        *ret_slot = MV_PROXY_BACKEND_OF(owner);
    return true;
}

const MvDaemonInfo *
mv_proxy_slot_daemon(MvProxyBackendSlot slot)
{
    if (slot <= MV_PROXY_BACKEND_PRIMARY || slot >= MV_PROXY_BACKEND_LAST)
        return NULL;
    return mv_daemon_info((MvDaemonKind)(slot - 1));
}
