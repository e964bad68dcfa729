/* virDomainInterfaceAddresses (`virsh domifaddr`): the addresses of a running
 * guest's interfaces, from the DHCP leases modvirt-networkd keeps for its
 * networks (source 'lease') or from the host's ARP table (source 'arp').
 * The guest agent (source 'agent') is not supported. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-agent-handlers.h"
#include "qemu-dispatch.h"
#include "qemu-handlers.h"
#include "qemu-net-priv.h"

#include <stdio.h>
#include <string.h>

enum {
    SOURCE_LEASE = 0,
    SOURCE_AGENT = 1,
    SOURCE_ARP = 2,
};

static char *
mac_string(const guint8 mac[6])
{
    return g_strdup_printf("%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
                           mac[5]);
}

/* The leases networkd has for @net (a network interface) in @addrs. */
static bool
lease_addresses(MvQemuDriver *driver, const MvDomainNetDef *net, GArray *addrs, GError **error)
{
    g_autoptr(MvDaemonLink) link = NULL;
    g_autofree char *mac = mac_string(net->mac);
    mv_remote_network_lookup_by_name_args largs = { .name = net->source };
    mv_remote_network_lookup_by_name_ret lret = { 0 };
    mv_remote_network_get_dhcp_leases_args args = { 0 };
    mv_remote_network_get_dhcp_leases_ret ret = { 0 };
    char *mac_arg = mac;
    bool ok = false;

    if (!(link = mv_qemu_net_link_open(MV_DAEMON_NETWORK, driver->network_socket, error)))
        return false;
    if (!mv_remote_network_lookup_by_name(mv_daemon_link_rpc(link), &largs, &lret, error))
        goto out;
    args.net = lret.net;
    args.mac = &mac_arg;
    args.need_results = 1;
    if (!mv_remote_network_get_dhcp_leases(mv_daemon_link_rpc(link), &args, &ret, error))
        goto out;
    for (u_int i = 0; i < ret.leases.leases_len; i++) {
        const mv_remote_network_dhcp_lease *lease = &ret.leases.leases_val[i];
        MvRemoteDomainIpAddr addr = {
            .type = lease->type,
            .addr = g_strdup(lease->ipaddr),
            .prefix = lease->prefix,
        };

        /* networkd filters by MAC already; a lease of another MAC never counts. */
        if (lease->mac && g_ascii_strcasecmp(*lease->mac, mac) != 0) {
            g_free(addr.addr);
            continue;
        }
        g_array_append_val(addrs, addr);
    }
    ok = true;

out:
    xdr_free((xdrproc_t)xdr_mv_remote_network_lookup_by_name_ret, (char *)&lret);
    xdr_free((xdrproc_t)xdr_mv_remote_network_get_dhcp_leases_ret, (char *)&ret);
    mv_daemon_link_close(g_steal_pointer(&link));
    if (!ok)
        g_prefix_error(error, "cannot read the leases of network '%s': ", net->source);
    return ok;
}

/* The IPv4 neighbours of the host (this network namespace) with @mac, from
 * /proc/net/arp ("IP HWtype Flags HWaddress Mask Device"). */
static void
arp_addresses(const guint8 mac[6], GArray *addrs)
{
    g_autofree char *want = mac_string(mac);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents("/proc/net/arp", &text, NULL, NULL))
        return;
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        char ip[64], hwtype[16], flags[16], hw[32];

        if (l == lines || sscanf(*l, "%63s %15s %15s %31s", ip, hwtype, flags, hw) != 4)
            continue; /* the header, or a short line */
        if (g_ascii_strcasecmp(hw, want) != 0 || g_str_equal(flags, "0x0"))
            continue; /* another MAC, or an incomplete entry */
        MvRemoteDomainIpAddr addr = { .type = 0, .addr = g_strdup(ip), .prefix = 0 };
        g_array_append_val(addrs, addr);
    }
}

static void
clear_addr(gpointer data)
{
    g_free(((MvRemoteDomainIpAddr *)data)->addr);
}

static void
clear_iface(gpointer data)
{
    MvRemoteDomainInterface *iface = data;

    g_free(iface->name);
    g_free(iface->hwaddr);
    for (guint a = 0; a < iface->n_addrs; a++)
        g_free(iface->addrs[a].addr);
    g_free(iface->addrs);
}

bool
mv_qemu_handle_domain_interface_addresses(MvDriverCall *call, const MvObjectRef *dom_ref,
                                          unsigned int source, unsigned int flags,
                                          MvRemoteDomainInterface **ret_ifaces, guint *ret_n_ifaces,
                                          GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autoptr(MvDomainDef) live = NULL;
    g_autoptr(GArray) ifaces = g_array_new(FALSE, TRUE, sizeof(MvRemoteDomainInterface));

    g_array_set_clear_func(ifaces, clear_iface);
    if (!mv_qemu_dispatch_check_flags(flags, 0, "virDomainInterfaceAddresses", error) ||
        !(dom = mv_qemu_dispatch_get_domain(call, dom_ref, error)))
        return false;
    if (source == SOURCE_AGENT)
        return mv_qemu_agent_interface_addresses(call, dom_ref, ret_ifaces, ret_n_ifaces, error);
    if (source != SOURCE_LEASE && source != SOURCE_ARP)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                            "Invalid argument: unknown interface address source %u", source);
    g_mutex_lock(&dom->lock);
    if (mv_qemu_domain_is_active(dom) && dom->live)
        live = mv_domain_def_copy(dom->live);
    g_mutex_unlock(&dom->lock);
    if (!live)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: domain '%s' is not running",
                            dom->name);

    for (size_t i = 0; i < live->nnets; i++) {
        const MvDomainNetDef *net = live->nets[i];
        g_autoptr(GArray) addrs = g_array_new(FALSE, TRUE, sizeof(MvRemoteDomainIpAddr));
        MvRemoteDomainInterface iface = { 0 };

        g_array_set_clear_func(addrs, clear_addr);
        if (source == SOURCE_LEASE) {
            /* Leases exist only for the networks networkd runs. */
            if (net->type != MV_DOMAIN_NET_NETWORK)
                continue;
            if (!lease_addresses(driver, net, addrs, error))
                return false;
        } else {
            arp_addresses(net->mac, addrs);
        }
        if (!addrs->len)
            continue; /* as libvirt: interfaces without an address are left out */
        iface.name = g_strdup(net->target_dev ? net->target_dev : net->alias);
        iface.hwaddr = mac_string(net->mac);
        iface.n_addrs = addrs->len;
        g_array_set_clear_func(addrs, NULL);
        iface.addrs = (MvRemoteDomainIpAddr *)(void *)g_array_free(g_steal_pointer(&addrs), FALSE);
        g_array_append_val(ifaces, iface);
    }
    *ret_n_ifaces = ifaces->len;
    g_array_set_clear_func(ifaces, NULL);
    *ret_ifaces = (MvRemoteDomainInterface *)(void *)g_array_free(g_steal_pointer(&ifaces), FALSE);
    return true;
}
