/* Network XML: address helpers and the semantic checks the schema cannot say
 * (prefixes, subnets, ranges, forward mode constraints). Errors name the node
 * path the way xmlGetNodePath() does ("/network/ip[2]/dhcp/range"). */
#include <gio/gio.h>
#include <string.h>

#include "network-conf-priv.h"

#define MV_NET_ERR(error, code, ...) mv_error_set(error, MV_FROM_NETWORK, code, __VA_ARGS__)

/* ---- addresses ---- */

bool
mv_net_addr_parse(const char *text, MvNetAddr *ret)
{
    g_autoptr(GInetAddress) addr = NULL;
    size_t len;

    if (!text || !*text || !(addr = g_inet_address_new_from_string(text)))
        return false;
    memset(ret, 0, sizeof(*ret));
    len = g_inet_address_get_native_size(addr);
    ret->family = len == 4 ? MV_NETWORK_IP_V4 : MV_NETWORK_IP_V6;
    memcpy(ret->bytes, g_inet_address_to_bytes(addr), len);
    return true;
}

int
mv_net_addr_cmp(const MvNetAddr *a, const MvNetAddr *b)
{
    return memcmp(a->bytes, b->bytes, a->family == MV_NETWORK_IP_V4 ? 4 : 16);
}

bool
mv_net_addr_in_subnet(const MvNetAddr *addr, const MvNetAddr *net, unsigned int prefix)
{
    unsigned int bits = addr->family == MV_NETWORK_IP_V4 ? 32 : 128;

    if (addr->family != net->family || prefix > bits)
        return false;
    for (unsigned int i = 0; i < prefix; i++) {
        guint8 mask = (guint8)(0x80 >> (i % 8));

        if ((addr->bytes[i / 8] & mask) != (net->bytes[i / 8] & mask))
            return false;
    }
    return true;
}

int
mv_net_netmask_prefix(const char *netmask)
{
    MvNetAddr mask;
    guint32 value;
    int prefix = 0;

    if (!mv_net_addr_parse(netmask, &mask) || mask.family != MV_NETWORK_IP_V4)
        return -1;
    value = ((guint32)mask.bytes[0] << 24) | ((guint32)mask.bytes[1] << 16) |
            ((guint32)mask.bytes[2] << 8) | mask.bytes[3];
    while (prefix < 32 && (value & (0x80000000u >> prefix)))
        prefix++;
    /* Contiguous: no bit set after the first clear one. */
    if (prefix < 32 && (value & (0xffffffffu >> prefix)))
        return -1;
    return prefix;
}

bool
mv_net_prop_addr(const xmlNode *node, const char *name, char **ret, GError **error)
{
    g_autofree char *value = mv_xml_get_prop(node, name);
    g_autoptr(GInetAddress) addr = NULL;

    if (!value)
        return true;
    if (!(addr = g_inet_address_new_from_string(value)))
        return mv_xml_error_at(error, MV_FROM_NETWORK, MV_ERR_XML_DETAIL, node,
                               "invalid IP address '%s' in attribute '%s'", value, name);
    g_free(*ret);
    *ret = g_inet_address_to_string(addr);
    return true;
}

bool
mv_net_prop_mac(const xmlNode *node, const char *name, guint8 mac[6], GError **error)
{
    g_autofree char *value = mv_xml_get_prop(node, name);
    unsigned int b[6];
    char end;

    if (!value)
        return true;
    if (sscanf(value, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
               &end) != 6 || strlen(value) != 17)
        return mv_xml_error_at(error, MV_FROM_NETWORK, MV_ERR_INVALID_MAC, node,
                               "malformed MAC address '%s'", value);
    if (b[0] & 1)
        return mv_xml_error_at(error, MV_FROM_NETWORK, MV_ERR_INVALID_MAC, node,
                               "'%s' is a multicast MAC address: use a unicast one", value);
    for (size_t i = 0; i < 6; i++)
        mac[i] = (guint8)b[i];
    return true;
}

void
mv_net_mac_format(const guint8 mac[6], char ret[18])
{
    g_snprintf(ret, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
               mac[4], mac[5]);
}

/* "name" or "name[i+1]" as xmlGetNodePath() names the @i-th of @n siblings. */
static char *
mv_net_step(const char *name, size_t i, size_t n)
{
    return n > 1 ? g_strdup_printf("%s[%zu]", name, i + 1) : g_strdup(name);
}

/* ---- ip ---- */

bool
mv_network_check_dhcp_range(const MvNetworkIpDef *ip, const MvNetworkDhcpRange *range,
                            const char *where, GError **error)
{
    MvNetAddr net, start, end;

    if (!mv_net_addr_parse(ip->address, &net) || !mv_net_addr_parse(range->start, &start) ||
        !mv_net_addr_parse(range->end, &end))
        return MV_NET_ERR(error, MV_ERR_XML_DETAIL, "%s: malformed address", where);
    if (start.family != net.family || end.family != net.family)
        return MV_NET_ERR(error, MV_ERR_XML_DETAIL,
                          "%s: dhcp range %s - %s is not of the %s family of its <ip>", where,
                          range->start, range->end, mv_network_ip_family_to_string(net.family));
    if (!mv_net_addr_in_subnet(&start, &net, ip->prefix) ||
        !mv_net_addr_in_subnet(&end, &net, ip->prefix))
        return MV_NET_ERR(error, MV_ERR_XML_DETAIL,
                          "%s: dhcp range %s - %s is not inside the network %s/%u", where,
                          range->start, range->end, ip->address, ip->prefix);
    if (mv_net_addr_cmp(&start, &end) > 0)
        return MV_NET_ERR(error, MV_ERR_XML_DETAIL,
                          "%s: dhcp range start %s is after its end %s", where, range->start,
                          range->end);
    return true;
}

bool
mv_network_check_dhcp_host(const MvNetworkIpDef *ip, const MvNetworkDhcpHost *host,
                           const char *where, GError **error)
{
    MvNetAddr net, addr;

    if (ip->family == MV_NETWORK_IP_V4) {
        if (!host->mac && !host->name)
            return MV_NET_ERR(error, MV_ERR_XML_DETAIL,
                              "%s: a static host of an IPv4 network needs a mac or name "
                              "attribute", where);
        if (host->id)
            return MV_NET_ERR(error, MV_ERR_XML_DETAIL,
                              "%s: the id attribute is for IPv6 static hosts only", where);
    } else {
        if (host->mac)
            return MV_NET_ERR(error, MV_ERR_XML_DETAIL,
                              "%s: an IPv6 static host is identified by id or name, not by "
                              "mac", where);
        if (!host->id && !host->name)
            return MV_NET_ERR(error, MV_ERR_XML_DETAIL,
                              "%s: a static host of an IPv6 network needs an id or name "
                              "attribute", where);
    }
    if (!host->ip)
        return MV_NET_ERR(error, MV_ERR_XML_DETAIL,
                          "%s: a static host needs an ip attribute", where);
    if (!mv_net_addr_parse(ip->address, &net) || !mv_net_addr_parse(host->ip, &addr))
        return MV_NET_ERR(error, MV_ERR_XML_DETAIL, "%s: malformed address", where);
    if (!mv_net_addr_in_subnet(&addr, &net, ip->prefix))
        return MV_NET_ERR(error, MV_ERR_XML_DETAIL,
                          "%s: static host address %s is not inside the network %s/%u", where,
                          host->ip, ip->address, ip->prefix);
    return true;
}

static bool
mv_network_check_ip(const MvNetworkIpDef *ip, const char *where, GError **error)
{
    unsigned int bits = ip->family == MV_NETWORK_IP_V4 ? 32 : 128;
    MvNetAddr addr;

    if (!mv_net_addr_parse(ip->address, &addr))
        return MV_NET_ERR(error, MV_ERR_XML_DETAIL, "%s: malformed address '%s'", where,
                          ip->address);
    if (addr.family != ip->family)
        return MV_NET_ERR(error, MV_ERR_XML_DETAIL,
                          "%s: address %s is not an %s address", where, ip->address,
                          mv_network_ip_family_to_string(ip->family));
    if (ip->netmask && ip->family != MV_NETWORK_IP_V4)
        return MV_NET_ERR(error, MV_ERR_XML_DETAIL,
                          "%s: netmask is for IPv4 only: give an IPv6 network a prefix",
                          where);
    if (ip->prefix > bits)
        return MV_NET_ERR(error, MV_ERR_XML_DETAIL,
                          "%s: prefix %u is out of range for %s (0 to %u)", where, ip->prefix,
                          mv_network_ip_family_to_string(ip->family), bits);
    if (ip->bootp_file && ip->family != MV_NETWORK_IP_V4)
        return MV_NET_ERR(error, MV_ERR_XML_DETAIL, "%s/dhcp/bootp: bootp is for IPv4 only",
                          where);
    for (size_t i = 0; i < ip->nranges; i++) {
        g_autofree char *step = mv_net_step("range", i, ip->nranges);
        g_autofree char *path = g_strdup_printf("%s/dhcp/%s", where, step);

        if (!mv_network_check_dhcp_range(ip, &ip->ranges[i], path, error))
            return false;
    }
    for (size_t i = 0; i < ip->nhosts; i++) {
        g_autofree char *step = mv_net_step("host", i, ip->nhosts);
        g_autofree char *path = g_strdup_printf("%s/dhcp/%s", where, step);

        if (!mv_network_check_dhcp_host(ip, &ip->hosts[i], path, error))
            return false;
    }
    return true;
}

static bool
mv_network_check_ips(const MvNetworkDef *def, GError **error)
{
    int dhcp_ip[2] = { -1, -1 };

    for (size_t i = 0; i < def->nips; i++) {
        const MvNetworkIpDef *ip = &def->ips[i];
        g_autofree char *step = mv_net_step("ip", i, def->nips);
        g_autofree char *where = g_strdup_printf("/network/%s", step);

        if (!mv_network_check_ip(ip, where, error))
            return false;
        if (!ip->nranges && !ip->nhosts)
            continue;
        if (dhcp_ip[ip->family] >= 0)
            return MV_NET_ERR(error, MV_ERR_CONFIG_UNSUPPORTED,
                              "%s/dhcp: DHCP is served on one %s address of a network only "
                              "(it already is on ip[%d])",
                              where, mv_network_ip_family_to_string(ip->family),
                              dhcp_ip[ip->family] + 1);
        dhcp_ip[ip->family] = (int)i;
    }
    return true;
}

/* ---- the rest ---- */

static bool
mv_network_check_name(const MvNetworkDef *def, GError **error)
{
    if (!def->name || !*def->name)
        return MV_NET_ERR(error, MV_ERR_XML_DETAIL,
                          "/network/name: the network name must not be empty");
    if (strchr(def->name, '/'))
        return MV_NET_ERR(error, MV_ERR_XML_DETAIL,
                          "/network/name: the network name '%s' must not contain '/'",
                          def->name);
    for (const char *c = def->name; *c; c++) {
        if (g_ascii_iscntrl(*c))
            return MV_NET_ERR(error, MV_ERR_XML_DETAIL,
                              "/network/name: the network name must not contain control "
                              "characters");
    }
    return true;
}

/* Linux interface names: 1 to 15 bytes, not "." or "..", no '/', ':' or blank. */
static bool
mv_network_check_bridge_name(const char *name, GError **error)
{
    size_t len = strlen(name);

    if (len == 0 || len > 15)
        return MV_NET_ERR(error, MV_ERR_XML_DETAIL,
                          "/network/bridge: bridge name '%s' must be 1 to 15 characters long",
                          name);
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return MV_NET_ERR(error, MV_ERR_XML_DETAIL,
                          "/network/bridge: '%s' is not a valid bridge name", name);
    for (const char *c = name; *c; c++) {
        if (*c == '/' || *c == ':' || g_ascii_isspace(*c) || g_ascii_iscntrl(*c))
            return MV_NET_ERR(error, MV_ERR_XML_DETAIL,
                              "/network/bridge: bridge name '%s' must not contain '/', ':' "
                              "or blanks", name);
    }
    return true;
}

static bool
mv_network_has_ipv4(const MvNetworkDef *def)
{
    for (size_t i = 0; i < def->nips; i++) {
        if (def->ips[i].family == MV_NETWORK_IP_V4)
            return true;
    }
    return false;
}

static bool
mv_network_check_forward(const MvNetworkDef *def, GError **error)
{
    const MvNetworkForwardDef *fwd = &def->forward;
    const char *mode = mv_network_forward_mode_to_string(fwd->mode);

    if (fwd->mode == MV_NETWORK_FORWARD_BRIDGE) {
        if (!def->bridge)
            return MV_NET_ERR(error, MV_ERR_CONFIG_UNSUPPORTED,
                              "/network/forward: forward mode 'bridge' needs <bridge "
                              "name='…'/> naming an existing host bridge");
        if (def->nips)
            return MV_NET_ERR(error, MV_ERR_CONFIG_UNSUPPORTED,
                              "/network/ip: a network with forward mode 'bridge' cannot have "
                              "<ip> addresses: the host bridge is configured outside modvirt");
        if (fwd->nifaces)
            return MV_NET_ERR(error, MV_ERR_CONFIG_UNSUPPORTED,
                              "/network/forward/interface: forward mode 'bridge' uses the "
                              "host bridge only: <interface> pools (macvtap) are not "
                              "supported");
    }
    if (fwd->mode == MV_NETWORK_FORWARD_NAT && !mv_network_has_ipv4(def))
        return MV_NET_ERR(error, MV_ERR_CONFIG_UNSUPPORTED,
                          "/network/forward: forward mode 'nat' needs an IPv4 address "
                          "(<ip address='…' prefix='…'/>)");
    if (fwd->mode != MV_NETWORK_FORWARD_BRIDGE && fwd->nifaces > 1)
        return MV_NET_ERR(error, MV_ERR_CONFIG_UNSUPPORTED,
                          "/network/forward: forward mode '%s' takes at most one <interface>",
                          mode);
    if (fwd->dev && fwd->nifaces && strcmp(fwd->dev, fwd->ifaces[0].dev) != 0)
        return MV_NET_ERR(error, MV_ERR_CONFIG_UNSUPPORTED,
                          "/network/forward: dev '%s' does not match <interface dev='%s'/>",
                          fwd->dev, fwd->ifaces[0].dev);
    if (fwd->nat_addr_start) {
        MvNetAddr start, end;

        if (!mv_net_addr_parse(fwd->nat_addr_start, &start) ||
            !mv_net_addr_parse(fwd->nat_addr_end, &end) || start.family != MV_NETWORK_IP_V4 ||
            end.family != MV_NETWORK_IP_V4)
            return MV_NET_ERR(error, MV_ERR_XML_DETAIL,
                              "/network/forward/nat/address: the NAT address range must be "
                              "IPv4 addresses");
        if (mv_net_addr_cmp(&start, &end) > 0)
            return MV_NET_ERR(error, MV_ERR_XML_DETAIL,
                              "/network/forward/nat/address: start %s is after end %s",
                              fwd->nat_addr_start, fwd->nat_addr_end);
    }
    if (fwd->nat_port_start > fwd->nat_port_end || fwd->nat_port_end > 65535)
        return MV_NET_ERR(error, MV_ERR_XML_DETAIL,
                          "/network/forward/nat/port: the port range %u - %u must be "
                          "increasing and end at 65535 at most", fwd->nat_port_start,
                          fwd->nat_port_end);
    return true;
}

static bool
mv_network_check_dns(const MvNetworkDnsDef *dns, GError **error)
{
    if (dns->enable == 0 && (dns->nforwarders || dns->nhosts || dns->nsrvs || dns->ntxts))
        return MV_NET_ERR(error, MV_ERR_XML_DETAIL,
                          "/network/dns: DNS is disabled (enable='no'): remove its forwarder, "
                          "host, srv and txt elements");
    if (dns->enable == 0 && dns->forward_plain_names >= 0)
        return MV_NET_ERR(error, MV_ERR_XML_DETAIL,
                          "/network/dns: forwardPlainNames has no meaning when DNS is "
                          "disabled (enable='no')");
    for (size_t i = 0; i < dns->nhosts; i++) {
        if (!dns->hosts[i].hostnames || !dns->hosts[i].hostnames[0])
            return MV_NET_ERR(error, MV_ERR_XML_DETAIL,
                              "/network/dns/host: the DNS host %s needs at least one "
                              "<hostname>", dns->hosts[i].ip);
    }
    return true;
}

static bool
mv_network_check_portgroups(const MvNetworkDef *def, GError **error)
{
    const char *default_pg = NULL;

    for (size_t i = 0; i < def->nportgroups; i++) {
        const MvNetworkPortGroupDef *pg = &def->portgroups[i];

        for (size_t j = 0; j < i; j++) {
            if (strcmp(def->portgroups[j].name, pg->name) == 0)
                return MV_NET_ERR(error, MV_ERR_XML_DETAIL,
                                  "/network/portgroup: two portgroups are named '%s'",
                                  pg->name);
        }
        if (pg->is_default && default_pg)
            return MV_NET_ERR(error, MV_ERR_XML_DETAIL,
                              "/network/portgroup: portgroups '%s' and '%s' are both the "
                              "default: only one may be", default_pg, pg->name);
        if (pg->is_default)
            default_pg = pg->name;
    }
    return true;
}

bool
mv_network_def_check(const MvNetworkDef *def, GError **error)
{
    if (!mv_network_check_name(def, error))
        return false;
    if (def->bridge && !mv_network_check_bridge_name(def->bridge, error))
        return false;
    if (def->mtu && (def->mtu < 68 || def->mtu > 65535))
        return MV_NET_ERR(error, MV_ERR_XML_DETAIL,
                          "/network/mtu: MTU %u is out of range (68 to 65535)", def->mtu);
    return mv_network_check_forward(def, error) && mv_network_check_ips(def, error) &&
           mv_network_check_dns(&def->dns, error) && mv_network_check_portgroups(def, error);
}
