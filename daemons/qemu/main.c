/* modvirt-qemud: virtual machines on QEMU/KVM.
 *
 * Privileges kept (as root): access to /dev/kvm and the guests' image files
 * (to start QEMU), CAP_NET_ADMIN only through tap fds handed over by
 * modvirt-networkd (later), writing under its own --root directories. */
#include "qemu-domain-check.h"
#include "qemu-driver.h"

static const char *const qemu_uri_schemes[] = { "qemu", NULL };

const MvDaemonDescriptor mv_qemu_daemon = {
    .name = "qemu",
    .program_name = "modvirt-qemud",
    .summary = "Manages virtual machines on QEMU/KVM; speaks libvirt's remote protocol.",
    .routes = (1u << MV_ROUTE_HYPERVISOR) | (1u << MV_ROUTE_DOMAIN),
    .default_uri = "qemu:///system",
    .uri_schemes = qemu_uri_schemes,
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
