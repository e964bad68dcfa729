/* networkd -> filterd, see network-firewall-glue.h. */
#define MV_LOG_CATEGORY "network"
#include "network-firewall-glue.h"

#include "util/log.h"

bool
mv_network_firewall_glue_needed(const MvNetworkDef *def)
{
    return def->forward.mode == MV_NETWORK_FORWARD_NAT ||
           def->forward.mode == MV_NETWORK_FORWARD_ROUTE;
}

bool
mv_network_firewall_glue_add(MvNetworkDriver *driver, const MvNetworkDef *def, GError **error)
{
    /* The private networkd -> filterd program is not in this build yet. */
    return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_OPERATION_UNSUPPORTED,
                        "forward mode '%s' needs firewall rules from modvirt-filterd, which "
                        "does not answer at %s: start modvirt-filterd, or use an isolated "
                        "(no <forward>) or forward mode='open' network",
                        mv_network_forward_mode_to_string(def->forward.mode),
                        driver->filter_socket);
}

void
mv_network_firewall_glue_remove(MvNetworkDriver *driver, const MvNetworkDef *def)
{
    (void)driver;
    mv_log_debug("network '%s': no firewall rules to remove", def->name);
}
