/* Network ports from modvirt-networkd, see qemu-net-priv.h. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-net-priv.h"

bool
mv_qemu_net_port_create(MvQemuDriver *driver, const MvDomainDef *def, MvDomainNetDef *net,
                        GError **error)
{
    (void)def;
    return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                        "interface on network '%s' needs modvirt-networkd: it is not "
                        "available at %s", net->source, driver->network_socket);
}

void
mv_qemu_net_port_delete(MvQemuDriver *driver, const MvDomainNetDef *net)
{
    (void)driver;
    (void)net;
}
