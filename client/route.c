/* Routing by object type: which daemon a procedure goes to. The generated
 * route table (protocol/remote.x annotations, mv_remote_program) says which
 * subsystem owns each procedure; this file maps subsystems to daemons. */
#include "client-priv.h"

static const MvDaemonInfo daemons[MV_DAEMON_LAST] = {
    [MV_DAEMON_QEMU] = { "qemu", "qemu", "modvirt-qemud", "QEMU domains", true },
    [MV_DAEMON_LXC] = { "lxc", "lxc", "modvirt-lxcd", "containers", true },
    [MV_DAEMON_XEN] = { "xen", "xen", "modvirt-xend", "Xen domains", true },
    [MV_DAEMON_NETWORK] = { "network", "network", "modvirt-networkd", "virtual networks", false },
    [MV_DAEMON_STORAGE] = { "storage", "storage", "modvirt-storaged",
                            "storage pools and volumes", false },
    [MV_DAEMON_FILTER] = { "filter", "nwfilter", "modvirt-filterd", "network filters", false },
};

const MvDaemonInfo *
mv_route_daemon_info(MvDaemonKind daemon)
{
    g_return_val_if_fail(daemon < MV_DAEMON_LAST, NULL);
    return &daemons[daemon];
}

bool
mv_route_daemon_for_driver(const char *driver, MvDaemonKind *ret_daemon, GError **error)
{
    for (int i = 0; i < MV_DAEMON_LAST; i++) {
        if (driver && g_str_equal(driver, daemons[i].scheme)) {
            *ret_daemon = (MvDaemonKind)i;
            return true;
        }
    }
    return mv_error_set(error, MV_FROM_REMOTE, MV_ERR_INVALID_ARG,
                        "unknown driver '%s': use qemu, lxc, xen, network, storage or nwfilter",
                        driver ? driver : "");
}

bool
mv_route_daemon_for_proc(MvDaemonKind primary, int proc, MvDaemonKind *ret_daemon,
                         GError **error)
{
    const MvProcInfo *info = mv_program_lookup_proc(&mv_remote_program, proc);
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
        if (!daemons[primary].hypervisor)
            return mv_error_set(error, MV_FROM_REMOTE, MV_ERR_NO_SUPPORT,
                                "%s is not supported on a %s:// connection, which serves %s "
                                "only: connect to a hypervisor, e.g. qemu:///system",
                                info->api, daemons[primary].scheme, daemons[primary].serves);
        daemon = primary;
        break;
    case MV_ROUTE_NETWORK:
        daemon = MV_DAEMON_NETWORK;
        break;
    case MV_ROUTE_STORAGE:
        daemon = MV_DAEMON_STORAGE;
        break;
    case MV_ROUTE_NWFILTER:
        daemon = MV_DAEMON_FILTER;
        break;
    default:
        return mv_error_set(error, MV_FROM_REMOTE, MV_ERR_NO_SUPPORT,
                            "%s is not supported: no modvirt daemon serves %s objects yet",
                            info->api, mv_route_name(info->route));
    }
    *ret_daemon = daemon;
    return true;
}
