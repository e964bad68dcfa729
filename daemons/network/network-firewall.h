/* networkd's side of the private FILTER program: a network's firewall rule set
 * (NAT, forwarding, DHCP/DNS/TFTP accepts) applied and removed by
 * modvirt-filterd, the only process of modvirt that writes netfilter rules.
 *
 * The input is a small struct of plain fields, filled from the network's
 * definition by the caller; each call opens a connection to filterd's
 * read-write socket (root only), makes one call and closes it.
 * docs/filter.md, "The private program". */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "util/paths.h"

G_BEGIN_DECLS

typedef enum {
    MV_NETWORK_FIREWALL_ISOLATED = 0,   /* no <forward>: reject every forwarded packet */
    MV_NETWORK_FIREWALL_NAT = 1,
    MV_NETWORK_FIREWALL_ROUTE = 2,
    MV_NETWORK_FIREWALL_OPEN = 3,       /* no forward rules at all */
} MvNetworkFirewallForward;

typedef struct {
    const char *address;        /* the bridge's address: "192.168.122.1", "fd00:1::1" */
    unsigned int prefix;        /* 24, 64: the subnet is address/prefix */
} MvNetworkFirewallIp;

typedef struct {
    const char *name;           /* the network's name: its rules are keyed by it */
    const char *bridge;         /* "virbr0" */
    MvNetworkFirewallForward forward;
    const char *forward_dev;    /* <forward dev=>: NULL = any outgoing device */
    const MvNetworkFirewallIp *ips;
    unsigned int n_ips;
    /* <nat><address start= end=/>: NULL = masquerade to the outgoing address (IPv4 only) */
    const char *nat_address_start;
    const char *nat_address_end;
    /* <nat><port start= end=/>: 0 0 = 1024-65535 */
    unsigned int nat_port_start;
    unsigned int nat_port_end;
    bool nat_ipv6;              /* <nat ipv6='yes'>: masquerade the IPv6 subnets too */
    /* what the network's dnsmasq serves on the bridge (input accepts) */
    bool dhcp;
    bool dns;
    bool tftp;
} MvNetworkFirewall;

/**
 * mv_network_firewall_socket:
 * filterd's read-write socket under @paths (from the registry: filter.sock).
 * Caller frees.
 */
char *mv_network_firewall_socket(const MvPaths *paths);

/**
 * mv_network_firewall_apply:
 * Asks modvirt-filterd at @socket (mv_network_firewall_socket()) to make @fw
 * the network's rule set, replacing any earlier one of the same name, in one
 * transaction. Errors: filterd not reachable (MV_ERR_NO_CONNECT, naming
 * modvirt-filterd and @socket), or filterd's own (invalid field, nftables
 * refused: nothing changed).
 */
bool mv_network_firewall_apply(const char *socket, const MvNetworkFirewall *fw, GError **error);

/**
 * mv_network_firewall_remove:
 * Removes exactly the rule set of network @name. A network without rules is
 * not an error when @missing_ok.
 */
bool mv_network_firewall_remove(const char *socket, const char *name, bool missing_ok,
                                GError **error);

/**
 * mv_network_firewall_list:
 * The networks filterd has rule sets for (read-only; NULL-terminated, sorted;
 * g_strfreev()), or NULL with @error.
 */
char **mv_network_firewall_list(const char *socket, GError **error);

G_END_DECLS
