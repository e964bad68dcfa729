/* A network's bridge from its definition: see network-bridge.h. */
#include "network-bridge.h"

#include <string.h>

#include "util/netlink.h"
#include "network-sysctl.h"
#include "util/error.h"

static bool
mv_network_bridge_has_ipv6(const MvNetworkDef *def)
{
    for (size_t i = 0; i < def->nips; i++) {
        if (def->ips[i].family == MV_NETWORK_IP_V6)
            return true;
    }
    return false;
}

/* Everything after the bridge exists; the caller deletes it on failure. */
static bool
mv_network_bridge_setup(const MvNetworkDef *def, GError **error)
{
    if (!mv_network_sysctl_bridge_ipv6(def->bridge, mv_network_bridge_has_ipv6(def), error))
        return false;
    for (size_t i = 0; i < def->nips; i++) {
        if (!mv_netlink_addr_add(def->bridge, def->ips[i].address, def->ips[i].prefix, error))
            return false;
    }
    return mv_netlink_link_set_up(def->bridge, true, error);
}

bool
mv_network_bridge_create(const MvNetworkDef *def, GError **error)
{
    char mac[18];
    MvNetlinkBridgeConfig config = {
        .name = def->bridge,
        .mtu = def->mtu,
        .stp = def->stp != 0,
        .forward_delay = def->delay > 0 ? (guint)def->delay : 0,
    };
    g_autoptr(GError) local = NULL;
    bool exists = false;

    if (!def->bridge)
        return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_INTERNAL_ERROR,
                            "Network '%s' has no bridge name", def->name);
    if (def->has_mac) {
        g_snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", def->mac[0], def->mac[1],
                   def->mac[2], def->mac[3], def->mac[4], def->mac[5]);
        config.mac = mac;
    }
    if (!mv_netlink_link_exists(def->bridge, &exists, error))
        return false;
    if (exists)
        return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_OPERATION_FAILED,
                            "bridge name '%s' is in use by another interface", def->bridge);
    if (!mv_netlink_bridge_create(&config, error))
        return false;
    if (mv_network_bridge_setup(def, &local))
        return true;
    (void)mv_netlink_link_delete(def->bridge, NULL);
    g_prefix_error(&local, "Cannot set up bridge '%s' of network '%s': ", def->bridge, def->name);
    g_propagate_error(error, g_steal_pointer(&local));
    return false;
}

bool
mv_network_bridge_delete(const char *name, GError **error)
{
    bool exists = false;

    if (!mv_netlink_link_exists(name, &exists, error))
        return false;
    return !exists || mv_netlink_link_delete(name, error);
}

bool
mv_network_bridge_exists(const char *name, bool *ret_exists, GError **error)
{
    return mv_netlink_link_exists(name, ret_exists, error);
}

bool
mv_network_bridge_verify(const MvNetworkDef *def, GError **error)
{
    g_autoptr(MvNetlinkLink) link = NULL;
    g_autoptr(GPtrArray) addrs = NULL;

    if (!def->bridge)
        return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_INTERNAL_ERROR,
                            "Network '%s' has no bridge name", def->name);
    if (!mv_netlink_link_get(def->bridge, &link, error))
        return false;
    if (!link)
        return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_OPERATION_FAILED,
                            "Bridge '%s' of network '%s' does not exist", def->bridge,
                            def->name);
    if (g_strcmp0(link->kind, "bridge") != 0)
        return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_OPERATION_FAILED,
                            "Interface '%s' of network '%s' is not a bridge (it is a %s)",
                            def->bridge, def->name, link->kind ? link->kind : "plain device");
    if (!link->up)
        return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_OPERATION_FAILED,
                            "Bridge '%s' of network '%s' is down", def->bridge, def->name);
    if (!(addrs = mv_netlink_addr_list(def->bridge, error)))
        return false;
    for (size_t i = 0; i < def->nips; i++) {
        bool found = false;

        for (guint j = 0; j < addrs->len && !found; j++) {
            MvNetlinkAddr *a = addrs->pdata[j];

            found = a->prefix == def->ips[i].prefix &&
                    strcmp(a->address, def->ips[i].address) == 0;
        }
        if (!found)
            return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_OPERATION_FAILED,
                                "Bridge '%s' of network '%s' lacks address %s/%u", def->bridge,
                                def->name, def->ips[i].address, def->ips[i].prefix);
    }
    return true;
}
