/* networkd -> filterd: a network's firewall rule set over the private program. */
#include "network-firewall.h"

#include <string.h>

#include "filter-private.h"
#include "link/daemon-link.h"
#include "registry/registry.h"
#include "util/error.h"

char *
mv_network_firewall_socket(const MvPaths *paths)
{
    return mv_paths_socket(paths, mv_daemon_info(MV_DAEMON_FILTER)->socket_name, MV_SOCKET_RW);
}

static MvDaemonLink *
link_open(const char *socket, bool readonly, GError **error)
{
    MvDaemonLinkConfig config = {
        .program = mv_daemon_info(MV_DAEMON_FILTER)->program,
        .socket = socket,
        .uri = "nwfilter:///system",
        .open_flags = readonly ? MV_DAEMON_LINK_OPEN_READ_ONLY : 0,
    };

    return mv_daemon_link_open(&config, error);
}

static char *
str(const char *s)
{
    return (char *)(s ? s : "");
}

bool
mv_network_firewall_apply(const char *socket, const MvNetworkFirewall *fw, GError **error)
{
    g_autoptr(MvDaemonLink) link = NULL;
    g_autofree mv_filter_private_ip *ips = g_new0(mv_filter_private_ip, fw->n_ips);
    mv_filter_private_network_apply_args args = { 0 };
    mv_filter_private_network *net = &args.net;
    g_autoptr(GError) err = NULL;

    for (unsigned int i = 0; i < fw->n_ips; i++) {
        ips[i].address = str(fw->ips[i].address);
        ips[i].prefix = fw->ips[i].prefix;
    }
    net->name = str(fw->name);
    net->bridge = str(fw->bridge);
    net->forward = fw->forward;
    net->forward_dev = str(fw->forward_dev);
    net->ips.ips_len = fw->n_ips;
    net->ips.ips_val = ips;
    net->nat_address_start = str(fw->nat_address_start);
    net->nat_address_end = str(fw->nat_address_end);
    net->nat_port_start = fw->nat_port_start;
    net->nat_port_end = fw->nat_port_end;
    net->nat_ipv6 = fw->nat_ipv6;
    net->services = (fw->dhcp ? MV_FILTER_PRIVATE_SERVICE_DHCP : 0) |
                    (fw->dns ? MV_FILTER_PRIVATE_SERVICE_DNS : 0) |
                    (fw->tftp ? MV_FILTER_PRIVATE_SERVICE_TFTP : 0);
    if (!(link = link_open(socket, false, &err)) ||
        !mv_filter_private_network_apply(mv_daemon_link_rpc(link), &args, &err)) {
        g_propagate_prefixed_error(error, g_steal_pointer(&err),
                                   "cannot apply the firewall rules of network '%s': ",
                                   str(fw->name));
        return false;
    }
    mv_daemon_link_close(g_steal_pointer(&link));
    return true;
}

bool
mv_network_firewall_remove(const char *socket, const char *name, bool missing_ok,
                           GError **error)
{
    g_autoptr(MvDaemonLink) link = NULL;
    mv_filter_private_network_remove_args args = { .name = str(name) };
    g_autoptr(GError) err = NULL;

    if (!(link = link_open(socket, false, &err)) ||
        !mv_filter_private_network_remove(mv_daemon_link_rpc(link), &args, &err)) {
        if (link && missing_ok && mv_error_matches(err, MV_ERR_NO_NETWORK)) {
            mv_daemon_link_close(g_steal_pointer(&link));
            return true;
        }
        g_propagate_prefixed_error(error, g_steal_pointer(&err),
                                   "cannot remove the firewall rules of network '%s': ",
                                   str(name));
        return false;
    }
    mv_daemon_link_close(g_steal_pointer(&link));
    return true;
}

char **
mv_network_firewall_list(const char *socket, GError **error)
{
    g_autoptr(MvDaemonLink) link = NULL;
    mv_filter_private_network_list_ret ret = { 0 };
    GPtrArray *names;

    if (!(link = link_open(socket, true, error)) ||
        !mv_filter_private_network_list(mv_daemon_link_rpc(link), &ret, error))
        return NULL;
    names = g_ptr_array_new();
    for (u_int i = 0; i < ret.names.names_len; i++)
        g_ptr_array_add(names, g_strdup(ret.names.names_val[i]));
    g_ptr_array_add(names, NULL);
    xdr_free((xdrproc_t)xdr_mv_filter_private_network_list_ret, (char *)&ret);
    mv_daemon_link_close(g_steal_pointer(&link));
    return (char **)g_ptr_array_free(names, FALSE);
}
