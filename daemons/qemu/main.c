/* modvirt-qemud: virtual machines on QEMU/KVM.
 *
 * Privileges kept (as root): access to /dev/kvm and the guests' image files
 * (to start QEMU), CAP_NET_ADMIN only through tap fds handed over by
 * modvirt-networkd (later), writing under its own --root directories. */
#include "qemu-domain-check.h"
#include "qemu-driver.h"

const MvDaemonDescriptor mv_qemu_daemon = {
    /* name, program, summary, routes, URI: the registry's row (daemons.ini) */
    MV_DAEMON_DESCRIPTOR_QEMU,
    .handlers = mv_qemu_handlers_table,
    .nhandlers = MV_REMOTE_PROC_LAST,
    .config_read = mv_qemu_config_read,
    .config_free = mv_qemu_config_free,
    .start = mv_qemu_driver_start,
    .stop = mv_qemu_driver_stop,
    .conn_closed = mv_qemu_driver_conn_closed,
};

int
main(int argc, char **argv)
{
    return mv_daemon_main(&mv_qemu_daemon, argc, argv);
}
