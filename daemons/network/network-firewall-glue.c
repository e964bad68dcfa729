/* networkd -> filterd, see network-firewall-glue.h. */
#define MV_LOG_CATEGORY "network"
#include "network-firewall-glue.h"

#include "network-dnsmasq.h"
#include "network-firewall.h"
#include "util/log.h"

bool
mv_network_firewall_glue_wanted(const MvNetworkDef *def)
{
    return def->forward.mode == MV_NETWORK_FORWARD_NAT ||
           def->forward.mode == MV_NETWORK_FORWARD_ROUTE ||
           def->forward.mode == MV_NETWORK_FORWARD_NONE;
}

static MvNetworkFirewallForward
forward_of(const MvNetworkDef *def)
{
    switch (def->forward.mode) {
    case MV_NETWORK_FORWARD_NAT:
        return MV_NETWORK_FIREWALL_NAT;
    case MV_NETWORK_FORWARD_ROUTE:
        return MV_NETWORK_FIREWALL_ROUTE;
    case MV_NETWORK_FORWARD_NONE:
        return MV_NETWORK_FIREWALL_ISOLATED;
    default:
        return MV_NETWORK_FIREWALL_OPEN;
    }
}

bool
mv_network_firewall_glue_add(MvNetworkDriver *driver, const MvNetworkDef *def,
                             bool *ret_applied, GError **error)
{
    g_autofree MvNetworkFirewallIp *ips = g_new0(MvNetworkFirewallIp, MAX(def->nips, 1));
    bool dnsmasq = mv_network_dnsmasq_needed(def);
    bool dhcp = false;
    g_autoptr(GError) err = NULL;
    MvNetworkFirewall fw = {
        .name = def->name,
        .bridge = def->bridge,
        .forward = forward_of(def),
        .forward_dev = def->forward.dev,
        .ips = ips,
        .n_ips = (unsigned int)def->nips,
        .nat_address_start = def->forward.nat_addr_start,
        .nat_address_end = def->forward.nat_addr_end,
        .nat_port_start = def->forward.nat_port_start,
        .nat_port_end = def->forward.nat_port_end,
    };

    for (size_t i = 0; i < def->nips; i++) {
        ips[i].address = def->ips[i].address;
        ips[i].prefix = def->ips[i].prefix;
        dhcp |= def->ips[i].nranges > 0 || def->ips[i].nhosts > 0;
    }
    fw.dhcp = dnsmasq && dhcp;
    fw.dns = dnsmasq && def->dns.enable != 0;
    *ret_applied = false;
    if (mv_network_firewall_apply(driver->filter_socket, &fw, &err)) {
        *ret_applied = true;
        return true;
    }
    if (fw.forward == MV_NETWORK_FIREWALL_ISOLATED &&
        g_error_matches(err, MV_ERROR, MV_ERR_NO_CONNECT)) {
        mv_log_info("network '%s' runs without firewall rules: %s", def->name, err->message);
        return true;
    }
    if (g_error_matches(err, MV_ERROR, MV_ERR_NO_CONNECT))
        g_prefix_error(&err, "forward mode '%s' needs firewall rules from modvirt-filterd "
                       "(start it, or use an isolated or forward mode='open' network): ",
                       mv_network_forward_mode_to_string(def->forward.mode));
    g_propagate_error(error, g_steal_pointer(&err));
    return false;
}

void
mv_network_firewall_glue_remove(MvNetworkDriver *driver, const MvNetworkDef *def)
{
    g_autoptr(GError) err = NULL;

    if (!mv_network_firewall_remove(driver->filter_socket, def->name, true, &err))
        mv_log_warning("network '%s': its firewall rules could not be removed: %s (run "
                       "'modvirt firewall check --repair')", def->name, err->message);
}
