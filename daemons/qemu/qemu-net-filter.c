/* nwfilter bindings in modvirt-filterd, see qemu-net-priv.h. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-net-priv.h"

bool
mv_qemu_net_filter_bind(MvQemuDriver *driver, const MvDomainDef *def, const MvDomainNetDef *net,
                        GError **error)
{
    (void)driver;
    (void)def;
    return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                        "interface %s: filter '%s' needs modvirt-filterd, which is not "
                        "available yet", net->target_dev ? net->target_dev : "", net->filter);
}

void
mv_qemu_net_filter_unbind(MvQemuDriver *driver, const MvDomainDef *def, const MvDomainNetDef *net)
{
    (void)driver;
    (void)def;
    (void)net;
}
