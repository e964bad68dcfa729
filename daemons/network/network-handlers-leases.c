/* virNetworkGetDHCPLeases: answered from the lease file the lease helper
 * keeps (network-leases.h), never from dnsmasq's internals. */
#define MV_LOG_CATEGORY "network"
#include "network-handlers.h"

#include "network-dnsmasq.h"
#include "network-leases.h"

/* The prefix of the network's subnet of @family (libvirt reports that one). */
static unsigned int
family_prefix(const MvNetworkDef *def, MvNetworkIpFamily family)
{
    for (size_t i = 0; i < def->nips; i++)
        if (def->ips[i].family == family)
            return def->ips[i].prefix;
    return family == MV_NETWORK_IP_V4 ? 24 : 64;
}

bool
mv_network_handle_network_get_dhcp_leases(MvDriverCall *call, const MvObjectRef *net_ref,
                                          const char *mac, int need_results,
                                          unsigned int flags,
                                          MvRemoteNetworkDhcpLease **ret_leases,
                                          guint *ret_n_leases, unsigned int *ret_ret,
                                          GError **error)
{
    MvNetworkDriver *driver = mv_network_driver_get(call);
    g_autoptr(MvNetworkObj) net = NULL;
    g_autoptr(MvNetworkDef) live = NULL;
    g_autoptr(MvNetworkDnsmasqFiles) files = NULL;
    g_autoptr(GPtrArray) leases = NULL;
    MvRemoteNetworkDhcpLease *out = NULL;

    if (!mv_network_dispatch_check_flags(flags, 0, "virNetworkGetDHCPLeases", error) ||
        !(net = mv_network_dispatch_get(call, net_ref, error)))
        return false;
    g_mutex_lock(&net->lock);
    live = net->live ? mv_network_def_copy(net->live) : NULL;
    g_mutex_unlock(&net->lock);
    if (!live) {
        /* An inactive network has no leases (libvirt answers an empty list). */
        *ret_leases = NULL;
        *ret_n_leases = 0;
        *ret_ret = 0;
        return true;
    }
    files = mv_network_dnsmasq_files_new(mv_daemon_get_paths(driver->daemon), live->name);
    if (!mv_network_leases_read(files->leases, mac, &leases, error))
        return false;
    if (leases->len > MV_REMOTE_NETWORK_DHCP_LEASES_MAX)
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC,
                            "too many leases (%u) for one reply (max %d)", leases->len,
                            MV_REMOTE_NETWORK_DHCP_LEASES_MAX);
    if (need_results) {
        out = g_new0(MvRemoteNetworkDhcpLease, MAX(leases->len, 1));
        for (guint i = 0; i < leases->len; i++) {
            const MvNetworkDhcpLease *l = leases->pdata[i];
            MvRemoteNetworkDhcpLease *o = &out[i];

            o->iface = g_strdup(l->iface ? l->iface : live->bridge);
            o->expirytime = l->expiry;
            o->type = l->family == MV_NETWORK_IP_V6 ? 1 : 0;
            o->mac = g_strdup(l->mac);
            o->iaid = g_strdup(l->iaid);
            o->ipaddr = g_strdup(l->ip);
            o->prefix = family_prefix(live, l->family);
            o->hostname = g_strdup(l->hostname);
            o->clientid = g_strdup(l->client_id);
        }
    }
    *ret_leases = out;
    *ret_n_leases = out ? leases->len : 0;
    *ret_ret = leases->len;
    return true;
}
