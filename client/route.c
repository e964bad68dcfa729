/* Routing by object type: which daemon a procedure goes to. The generated
 * route table (protocol/remote.x annotations, mv_remote_program) says which
 * route owns each procedure; the daemon registry (registry/registry.h) says
 * which daemon owns each route. */
#include "client-priv.h"

const MvDaemonInfo *
mv_route_daemon_info(MvDaemonKind daemon)
{
    g_return_val_if_fail(daemon < MV_DAEMON_LAST, NULL);
    return mv_daemon_info(daemon);
}

bool
mv_route_daemon_for_driver(const char *driver, MvDaemonKind *ret_daemon, GError **error)
{
    g_autofree char *schemes = NULL;

    if (mv_daemon_for_scheme(driver, ret_daemon))
        return true;
    schemes = mv_daemon_schemes_text();
    return mv_error_set(error, MV_FROM_REMOTE, MV_ERR_INVALID_ARG,
                        "unknown driver '%s': use %s", driver ? driver : "", schemes);
}

bool
mv_route_daemon_for_proc(MvDaemonKind primary, int proc, MvDaemonKind *ret_daemon,
                         GError **error)
{
    const MvProcInfo *info = mv_program_lookup_proc(&mv_remote_program, proc);
    const MvDaemonInfo *prim = mv_route_daemon_info(primary);
    MvDaemonKind daemon;

    if (!info || info->kind == MV_PROC_KIND_EVENT)
        return mv_error_set(error, MV_FROM_REMOTE, MV_ERR_RPC,
                            "procedure %d is not a call of the REMOTE program", proc);
    switch (info->route) {
    case MV_ROUTE_ANY:
    case MV_ROUTE_HYPERVISOR:
        daemon = primary;
        break;
    case MV_ROUTE_DOMAIN:
        if (!prim->hypervisor)
            return mv_error_set(error, MV_FROM_REMOTE, MV_ERR_NO_SUPPORT,
                                "%s is not supported on a %s:// connection, which serves %s "
                                "only: connect to a hypervisor, e.g. qemu:///system",
                                info->api, prim->scheme, prim->serves);
        daemon = primary;
        break;
    default:
        if (!mv_daemon_owner(info->route, &daemon))
            return mv_error_set(error, MV_FROM_REMOTE, MV_ERR_NO_SUPPORT,
                                "%s is not supported: no modvirt daemon serves %s objects yet",
                                info->api, mv_route_name(info->route));
        break;
    }
    *ret_daemon = daemon;
    return true;
}
