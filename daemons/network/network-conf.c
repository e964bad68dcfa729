/* Network XML → MvNetworkDef: schema validation (schemas/network.rng), the
 * element parsers (also used by network-update.c) and the generated defaults.
 * Semantic checks: network-check.c; formatting: network-format.c. */
#include <libxml/parser.h>
#include <string.h>

#include "network-conf-priv.h"
#include "util/uuid.h"

#define FROM MV_FROM_NETWORK

static const MvXmlChildRule network_rules[] = {
    { "name", 1, 1 },     { "uuid", 0, 1 },   { "title", 0, 1 },     { "description", 0, 1 },
    { "metadata", 0, 1 }, { "forward", 0, 1 }, { "bridge", 0, 1 },   { "mac", 0, 1 },
    { "mtu", 0, 1 },      { "domain", 0, 1 }, { "dns", 0, 1 },       { "ip", 0, G_MAXUINT },
    { "port", 0, 1 },     { "bandwidth", 0, 1 }, { "portgroup", 0, G_MAXUINT },
};
static const MvXmlChildRule forward_rules[] = { { "nat", 0, 1 }, { "interface", 0, G_MAXUINT } };
static const MvXmlChildRule nat_rules[] = { { "address", 0, 1 }, { "port", 0, 1 } };
static const MvXmlChildRule dhcp_rules[] = {
    { "range", 0, G_MAXUINT }, { "host", 0, G_MAXUINT }, { "bootp", 0, 1 },
};
static const MvXmlChildRule bandwidth_rules[] = { { "inbound", 0, 1 }, { "outbound", 0, 1 } };

static bool
mv_network_children(const xmlNode *node, const MvXmlChildRule *rules, size_t nrules,
                    GError **error)
{
    return mv_xml_check_children(node, rules, nrules, MV_XML_CHILDREN_ONLY_LISTED, FROM, error);
}

/* Iterates over the element children of @parent called @name. */
#define FOR_EACH_CHILD(child, parent, name) \
    for (const xmlNode *child = (parent)->children; child; child = child->next) \
        if (mv_xml_node_is(child, name))

static bool
mv_network_prop_u64(const xmlNode *node, const char *name, guint64 *ret, GError **error)
{
    g_autofree char *value = mv_xml_get_prop(node, name);

    if (!value)
        return true;
    if (!mv_xml_parse_uint(value, G_MAXUINT64, ret))
        return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, node,
                               "invalid value '%s' for attribute '%s': expected a number",
                               value, name);
    return true;
}

/* A non-empty text attribute (NULL when absent). */
static bool
mv_network_prop_text(const xmlNode *node, const char *name, char **ret, GError **error)
{
    g_autofree char *value = mv_xml_get_prop(node, name);

    if (value && !*value)
        return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, node,
                               "attribute '%s' must not be empty", name);
    g_free(*ret);
    *ret = g_steal_pointer(&value);
    return true;
}

/* ---- shared pieces ---- */

bool
mv_network_parse_uuid(const xmlNode *node, guint8 uuid[16], GError **error)
{
    g_autofree char *text = g_strstrip(mv_xml_get_content(node));

    if (!mv_uuid_parse(text, uuid, NULL))
        return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, node,
                               "malformed UUID '%s': expected 32 hexadecimal digits, "
                               "optionally in 8-4-4-4-12 groups", text);
    return true;
}

/* Each element child of <metadata> serialized on its own with the namespace
 * declarations it uses, so the result stands alone. */
char *
mv_network_parse_metadata(const xmlNode *node)
{
    GString *out = g_string_new(NULL);

    for (const xmlNode *child = node->children; child; child = child->next) {
        g_autoptr(xmlDoc) doc = NULL;
        xmlBuffer *buf;
        xmlNode *copy;

        if (child->type != XML_ELEMENT_NODE)
            continue;
        doc = xmlNewDoc((const xmlChar *)"1.0");
        copy = doc ? xmlDocCopyNode((xmlNode *)child, doc, 1) : NULL;
        if (!copy || !(buf = xmlBufferCreate()))
            g_error("Cannot allocate XML nodes");
        xmlDocSetRootElement(doc, copy);
        xmlReconciliateNs(doc, copy);
        xmlNodeDump(buf, doc, copy, 0, 0);
        g_string_append_len(out, (const char *)xmlBufferContent(buf), xmlBufferLength(buf));
        g_string_append_c(out, '\n');
        xmlBufferFree(buf);
    }
    return g_string_free(out, FALSE);
}

static bool
mv_network_parse_rate(const xmlNode *node, bool allow_floor, MvNetworkBandwidthRate **ret,
                      GError **error)
{
    g_autofree MvNetworkBandwidthRate *rate = g_new0(MvNetworkBandwidthRate, 1);
    g_autofree char *average = mv_xml_get_prop(node, "average");
    g_autofree char *floor = mv_xml_get_prop(node, "floor");

    if (!mv_network_prop_u64(node, "average", &rate->average, error) ||
        !mv_network_prop_u64(node, "peak", &rate->peak, error) ||
        !mv_network_prop_u64(node, "burst", &rate->burst, error) ||
        !mv_network_prop_u64(node, "floor", &rate->floor, error))
        return false;
    if (floor && !allow_floor)
        return mv_xml_error_at(error, FROM, MV_ERR_CONFIG_UNSUPPORTED, node,
                               "floor is supported on network ports only, not here");
    if (!average && !floor)
        return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, node,
                               "an average (or floor) rate is required");
    if (average && rate->average == 0)
        return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, node,
                               "the average rate must be above 0");
    *ret = g_steal_pointer(&rate);
    return true;
}

bool
mv_network_parse_bandwidth(const xmlNode *node, bool allow_floor, MvNetworkBandwidth **ret,
                           GError **error)
{
    g_autoptr(MvNetworkBandwidth) bw = g_new0(MvNetworkBandwidth, 1);
    const xmlNode *child;

    if (!mv_network_children(node, bandwidth_rules, G_N_ELEMENTS(bandwidth_rules), error))
        return false;
    if ((child = mv_xml_get_child(node, "inbound")) &&
        !mv_network_parse_rate(child, allow_floor, &bw->in, error))
        return false;
    if ((child = mv_xml_get_child(node, "outbound")) &&
        !mv_network_parse_rate(child, false, &bw->out, error))
        return false;
    *ret = g_steal_pointer(&bw);
    return true;
}

/* ---- ip and dhcp ---- */

static int
mv_network_lease_unit_from_string(const char *str)
{
    static const char *const units[] = { "seconds", "minutes", "hours" };

    for (size_t i = 0; str && i < G_N_ELEMENTS(units); i++) {
        if (strcmp(units[i], str) == 0)
            return (int)i;
    }
    return -1;
}

static bool
mv_network_parse_lease(const xmlNode *parent, MvNetworkLease *ret, GError **error)
{
    const xmlNode *node = mv_xml_get_child(parent, "lease");
    int unit = MV_NETWORK_LEASE_MINUTES;

    if (!node)
        return true;
    if (!mv_network_prop_u64(node, "expiry", &ret->expiry, error) ||
        !mv_xml_prop_enum(node, "unit", mv_network_lease_unit_from_string, "lease unit", &unit,
                          FROM, error))
        return false;
    ret->unit = unit;
    ret->set = true;
    return true;
}

bool
mv_network_parse_dhcp_range(const xmlNode *node, MvNetworkDhcpRange *ret, GError **error)
{
    MvNetworkDhcpRange range = { 0 };

    if (!mv_net_prop_addr(node, "start", &range.start, error) ||
        !mv_net_prop_addr(node, "end", &range.end, error) ||
        !mv_network_parse_lease(node, &range.lease, error)) {
        mv_network_dhcp_range_clear(&range);
        return false;
    }
    if (!range.start || !range.end) {
        mv_network_dhcp_range_clear(&range);
        return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, node,
                               "a dhcp range needs start and end");
    }
    *ret = range;
    return true;
}

bool
mv_network_parse_dhcp_host(const xmlNode *node, MvNetworkDhcpHost *ret, GError **error)
{
    MvNetworkDhcpHost host = { 0 };
    guint8 mac[6];
    g_autofree char *mac_text = mv_xml_get_prop(node, "mac");

    if ((mac_text && !mv_net_prop_mac(node, "mac", mac, error)) ||
        !mv_network_prop_text(node, "id", &host.id, error) ||
        !mv_network_prop_text(node, "name", &host.name, error) ||
        !mv_net_prop_addr(node, "ip", &host.ip, error) ||
        !mv_network_parse_lease(node, &host.lease, error)) {
        mv_network_dhcp_host_clear(&host);
        return false;
    }
    if (mac_text) {
        host.mac = g_malloc(18);
        mv_net_mac_format(mac, host.mac);
    }
    *ret = host;
    return true;
}

/* The prefix an IPv4 address without prefix or netmask gets (its class). */
static bool
mv_network_default_prefix(const xmlNode *node, MvNetworkIpDef *ip, GError **error)
{
    MvNetAddr addr;

    if (!mv_net_addr_parse(ip->address, &addr))
        return false;
    if (addr.family == MV_NETWORK_IP_V6) {
        ip->prefix = 64;
    } else if (addr.bytes[0] < 128) {
        ip->prefix = 8;
    } else if (addr.bytes[0] < 192) {
        ip->prefix = 16;
    } else if (addr.bytes[0] < 224) {
        ip->prefix = 24;
    } else {
        return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, node,
                               "no default prefix for address %s: give prefix='…'",
                               ip->address);
    }
    return true;
}

static bool
mv_network_parse_dhcp(const xmlNode *node, MvNetworkIpDef *ip, GError **error)
{
    const xmlNode *bootp;

    if (!mv_network_children(node, dhcp_rules, G_N_ELEMENTS(dhcp_rules), error))
        return false;
    ip->has_dhcp = true;
    FOR_EACH_CHILD(child, node, "range") {
        ip->ranges = g_renew(MvNetworkDhcpRange, ip->ranges, ip->nranges + 1);
        if (!mv_network_parse_dhcp_range(child, &ip->ranges[ip->nranges], error))
            return false;
        ip->nranges++;
    }
    FOR_EACH_CHILD(child, node, "host") {
        ip->hosts = g_renew(MvNetworkDhcpHost, ip->hosts, ip->nhosts + 1);
        if (!mv_network_parse_dhcp_host(child, &ip->hosts[ip->nhosts], error))
            return false;
        ip->nhosts++;
    }
    if ((bootp = mv_xml_get_child(node, "bootp")) &&
        (!mv_network_prop_text(bootp, "file", &ip->bootp_file, error) ||
         !mv_network_prop_text(bootp, "server", &ip->bootp_server, error)))
        return false;
    return true;
}

static bool
mv_network_parse_ip(const xmlNode *node, MvNetworkIpDef *ip, GError **error)
{
    g_autofree char *family = mv_xml_get_prop(node, "family");
    g_autofree char *prefix = mv_xml_get_prop(node, "prefix");
    const xmlNode *dhcp;
    MvNetAddr addr;

    if (!mv_net_prop_addr(node, "address", &ip->address, error) || !ip->address)
        return false;
    mv_net_addr_parse(ip->address, &addr);
    ip->family = addr.family;
    if (family) {
        MvNetworkIpFamily want = strcmp(family, "ipv6") == 0 ? MV_NETWORK_IP_V6
                                                              : MV_NETWORK_IP_V4;

        if (want != addr.family)
            return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, node,
                                   "address %s is not of family '%s'", ip->address, family);
        ip->family_set = true;
    }
    if (prefix) {
        if (!mv_xml_prop_uint(node, "prefix", G_MAXUINT, &ip->prefix, FROM, error))
            return false;
        ip->prefix_set = true;
    } else if (xmlHasProp(node, BAD_CAST "netmask")) {
        int bits;

        if (!mv_net_prop_addr(node, "netmask", &ip->netmask, error))
            return false;
        if (addr.family != MV_NETWORK_IP_V4)
            return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, node,
                                   "netmask is for IPv4 only: give an IPv6 network a prefix");
        if ((bits = mv_net_netmask_prefix(ip->netmask)) < 0)
            return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, node,
                                   "invalid netmask '%s'", ip->netmask);
        ip->prefix = (unsigned int)bits;
    } else if (!mv_network_default_prefix(node, ip, error)) {
        return false;
    }
    if ((dhcp = mv_xml_get_child(node, "dhcp")) && !mv_network_parse_dhcp(dhcp, ip, error))
        return false;
    return true;
}

/* ---- dns ---- */

bool
mv_network_parse_dns_host(const xmlNode *node, MvNetworkDnsHost *ret, GError **error)
{
    MvNetworkDnsHost host = { 0 };
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);

    if (!mv_net_prop_addr(node, "ip", &host.ip, error))
        return false;
    FOR_EACH_CHILD(child, node, "hostname") {
        char *name = g_strstrip(mv_xml_get_content(child));

        if (!*name) {
            g_free(name);
            g_free(host.ip);
            return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, child,
                                   "a hostname must not be empty");
        }
        g_ptr_array_add(names, name);
    }
    g_ptr_array_add(names, NULL);
    host.hostnames = (char **)g_ptr_array_free(g_steal_pointer(&names), FALSE);
    *ret = host;
    return true;
}

bool
mv_network_parse_dns_txt(const xmlNode *node, MvNetworkDnsTxt *ret, GError **error)
{
    MvNetworkDnsTxt txt = { 0 };

    if (!mv_network_prop_text(node, "name", &txt.name, error))
        return false;
    txt.value = mv_xml_get_prop(node, "value");
    if (txt.name && strpbrk(txt.name, " \t\n")) {
        mv_network_dns_txt_clear(&txt);
        return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, node,
                               "a TXT record name must not contain blanks");
    }
    *ret = txt;
    return true;
}

static bool
mv_network_prop_port(const xmlNode *node, const char *name, int *ret, GError **error)
{
    unsigned int value;
    g_autofree char *text = mv_xml_get_prop(node, name);

    *ret = -1;
    if (!text)
        return true;
    if (!mv_xml_prop_uint(node, name, 65535, &value, FROM, error))
        return false;
    *ret = (int)value;
    return true;
}

bool
mv_network_parse_dns_srv(const xmlNode *node, MvNetworkDnsSrv *ret, GError **error)
{
    MvNetworkDnsSrv srv = { 0 };

    if (!mv_network_prop_text(node, "service", &srv.service, error) ||
        !mv_network_prop_text(node, "protocol", &srv.protocol, error) ||
        !mv_network_prop_text(node, "domain", &srv.domain, error) ||
        !mv_network_prop_text(node, "target", &srv.target, error) ||
        !mv_network_prop_port(node, "port", &srv.port, error) ||
        !mv_network_prop_port(node, "priority", &srv.priority, error) ||
        !mv_network_prop_port(node, "weight", &srv.weight, error)) {
        mv_network_dns_srv_clear(&srv);
        return false;
    }
    *ret = srv;
    return true;
}

static bool
mv_network_parse_dns(const xmlNode *node, MvNetworkDnsDef *dns, GError **error)
{
    dns->present = true;
    if (!mv_xml_prop_bool(node, "enable", &dns->enable, FROM, error) ||
        !mv_xml_prop_bool(node, "forwardPlainNames", &dns->forward_plain_names, FROM, error))
        return false;
    FOR_EACH_CHILD(child, node, "forwarder") {
        MvNetworkDnsForwarder *fwd;

        dns->forwarders = g_renew(MvNetworkDnsForwarder, dns->forwarders, dns->nforwarders + 1);
        fwd = &dns->forwarders[dns->nforwarders++];
        memset(fwd, 0, sizeof(*fwd));
        if (!mv_net_prop_addr(child, "addr", &fwd->addr, error) ||
            !mv_network_prop_text(child, "domain", &fwd->domain, error))
            return false;
        if (!fwd->addr && !fwd->domain)
            return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, child,
                                   "a forwarder needs an addr or a domain attribute");
    }
    FOR_EACH_CHILD(child, node, "host") {
        dns->hosts = g_renew(MvNetworkDnsHost, dns->hosts, dns->nhosts + 1);
        if (!mv_network_parse_dns_host(child, &dns->hosts[dns->nhosts], error))
            return false;
        dns->nhosts++;
    }
    FOR_EACH_CHILD(child, node, "srv") {
        dns->srvs = g_renew(MvNetworkDnsSrv, dns->srvs, dns->nsrvs + 1);
        if (!mv_network_parse_dns_srv(child, &dns->srvs[dns->nsrvs], error))
            return false;
        dns->nsrvs++;
    }
    FOR_EACH_CHILD(child, node, "txt") {
        dns->txts = g_renew(MvNetworkDnsTxt, dns->txts, dns->ntxts + 1);
        if (!mv_network_parse_dns_txt(child, &dns->txts[dns->ntxts], error))
            return false;
        dns->ntxts++;
    }
    return true;
}

/* ---- forward, bridge, portgroups ---- */

bool
mv_network_parse_forward_if(const xmlNode *node, MvNetworkForwardIf *ret, GError **error)
{
    ret->dev = NULL;
    return mv_network_prop_text(node, "dev", &ret->dev, error);
}

static bool
mv_network_parse_forward(const xmlNode *node, MvNetworkForwardDef *fwd, GError **error)
{
    int mode = MV_NETWORK_FORWARD_NAT;
    const xmlNode *nat, *child;

    if (!mv_network_children(node, forward_rules, G_N_ELEMENTS(forward_rules), error) ||
        !mv_xml_prop_enum(node, "mode", mv_network_forward_mode_from_string, "forward mode",
                          &mode, FROM, error) ||
        !mv_network_prop_text(node, "dev", &fwd->dev, error))
        return false;
    fwd->mode = mode;
    if ((nat = mv_xml_get_child(node, "nat"))) {
        if (fwd->mode != MV_NETWORK_FORWARD_NAT)
            return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, nat,
                                   "<nat> is for forward mode 'nat' only");
        if (!mv_network_children(nat, nat_rules, G_N_ELEMENTS(nat_rules), error))
            return false;
        if ((child = mv_xml_get_child(nat, "address")) &&
            (!mv_net_prop_addr(child, "start", &fwd->nat_addr_start, error) ||
             !mv_net_prop_addr(child, "end", &fwd->nat_addr_end, error)))
            return false;
        if ((child = mv_xml_get_child(nat, "port")) &&
            (!mv_xml_prop_uint(child, "start", 65535, &fwd->nat_port_start, FROM, error) ||
             !mv_xml_prop_uint(child, "end", 65535, &fwd->nat_port_end, FROM, error)))
            return false;
    }
    FOR_EACH_CHILD(iface, node, "interface") {
        fwd->ifaces = g_renew(MvNetworkForwardIf, fwd->ifaces, fwd->nifaces + 1);
        if (!mv_network_parse_forward_if(iface, &fwd->ifaces[fwd->nifaces], error))
            return false;
        fwd->nifaces++;
    }
    return true;
}

static int
mv_network_mac_table_from_string(const char *str)
{
    if (g_strcmp0(str, "kernel") == 0)
        return MV_NETWORK_MAC_TABLE_KERNEL;
    if (g_strcmp0(str, "libvirt") == 0)
        return MV_NETWORK_MAC_TABLE_LIBVIRT;
    return -1;
}

static bool
mv_network_parse_bridge(const xmlNode *node, MvNetworkDef *def, GError **error)
{
    unsigned int delay = 0;
    g_autofree char *delay_text = mv_xml_get_prop(node, "delay");
    int mtm = MV_NETWORK_MAC_TABLE_DEFAULT;

    if (!mv_network_prop_text(node, "name", &def->bridge, error) ||
        !mv_xml_prop_bool(node, "stp", &def->stp, FROM, error) ||
        !mv_xml_prop_uint(node, "delay", G_MAXINT, &delay, FROM, error) ||
        !mv_xml_prop_enum(node, "macTableManager", mv_network_mac_table_from_string,
                          "macTableManager", &mtm, FROM, error))
        return false;
    if (delay_text)
        def->delay = (int)delay;
    def->mac_table_manager = mtm;
    return true;
}

bool
mv_network_parse_portgroup(const xmlNode *node, MvNetworkPortGroupDef *ret, GError **error)
{
    MvNetworkPortGroupDef pg = { 0 };
    int is_default = 0;
    const xmlNode *bw;

    if (!mv_network_prop_text(node, "name", &pg.name, error) ||
        !mv_xml_prop_bool(node, "default", &is_default, FROM, error) ||
        ((bw = mv_xml_get_child(node, "bandwidth")) &&
         !mv_network_parse_bandwidth(bw, false, &pg.bandwidth, error))) {
        mv_network_portgroup_clear(&pg);
        return false;
    }
    pg.is_default = is_default == 1;
    *ret = pg;
    return true;
}

/* ---- the document ---- */

static bool
mv_network_parse_general(const xmlNode *root, MvNetworkDef *def, GError **error)
{
    const xmlNode *node;

    def->name = g_strstrip(mv_xml_get_content(mv_xml_get_child(root, "name")));
    if ((node = mv_xml_get_child(root, "uuid"))) {
        if (!mv_network_parse_uuid(node, def->uuid, error))
            return false;
    } else {
        mv_uuid_generate(def->uuid);
    }
    def->title = mv_xml_get_content(mv_xml_get_child(root, "title"));
    if (def->title && strchr(def->title, '\n'))
        return mv_error_set(error, FROM, MV_ERR_XML_DETAIL,
                            "/network/title: the title must be a single line");
    def->description = mv_xml_get_content(mv_xml_get_child(root, "description"));
    if ((node = mv_xml_get_child(root, "metadata")))
        def->metadata = mv_network_parse_metadata(node);
    return mv_xml_prop_uint(root, "connections", G_MAXUINT, &def->connections, FROM, error);
}

static bool
mv_network_parse_root(const xmlNode *root, MvNetworkDef *def, GError **error)
{
    const xmlNode *node;
    int isolated = -1;

    if (!mv_network_children(root, network_rules, G_N_ELEMENTS(network_rules), error) ||
        !mv_network_parse_general(root, def, error))
        return false;
    if ((node = mv_xml_get_child(root, "forward")) &&
        !mv_network_parse_forward(node, &def->forward, error))
        return false;
    if ((node = mv_xml_get_child(root, "bridge")) && !mv_network_parse_bridge(node, def, error))
        return false;
    if ((node = mv_xml_get_child(root, "mac"))) {
        if (!mv_net_prop_mac(node, "address", def->mac, error))
            return false;
        def->has_mac = true;
    }
    if ((node = mv_xml_get_child(root, "mtu")) &&
        !mv_xml_prop_uint(node, "size", G_MAXUINT, &def->mtu, FROM, error))
        return false;
    if ((node = mv_xml_get_child(root, "domain")) &&
        (!mv_network_prop_text(node, "name", &def->domain, error) ||
         !mv_xml_prop_bool(node, "localOnly", &def->domain_local_only, FROM, error)))
        return false;
    if ((node = mv_xml_get_child(root, "dns")) && !mv_network_parse_dns(node, &def->dns, error))
        return false;
    FOR_EACH_CHILD(child, root, "ip") {
        def->ips = g_renew(MvNetworkIpDef, def->ips, def->nips + 1);
        memset(&def->ips[def->nips], 0, sizeof(*def->ips));
        def->nips++;
        if (!mv_network_parse_ip(child, &def->ips[def->nips - 1], error))
            return false;
    }
    if ((node = mv_xml_get_child(root, "port")) &&
        !mv_xml_prop_bool(node, "isolated", &isolated, FROM, error))
        return false;
    def->port_isolated = isolated;
    if ((node = mv_xml_get_child(root, "bandwidth")) &&
        !mv_network_parse_bandwidth(node, false, &def->bandwidth, error))
        return false;
    FOR_EACH_CHILD(child, root, "portgroup") {
        def->portgroups = g_renew(MvNetworkPortGroupDef, def->portgroups, def->nportgroups + 1);
        if (!mv_network_parse_portgroup(child, &def->portgroups[def->nportgroups], error))
            return false;
        def->nportgroups++;
    }
    return true;
}

/* What the parser fills in: stp on and no delay for a bridge networkd
 * creates, and its MAC (52:54:00:xx:xx:xx). */
static void
mv_network_def_defaults(MvNetworkDef *def)
{
    if (!mv_network_def_creates_bridge(def))
        return;
    if (def->stp < 0)
        def->stp = 1;
    if (def->delay < 0)
        def->delay = 0;
    if (!def->has_mac) {
        guint32 random = g_random_int();

        def->mac[0] = 0x52;
        def->mac[1] = 0x54;
        def->mac[2] = 0x00;
        def->mac[3] = (random >> 16) & 0xff;
        def->mac[4] = (random >> 8) & 0xff;
        def->mac[5] = random & 0xff;
        def->has_mac = true;
    }
}

MvNetworkDef *
mv_network_def_parse(const char *xml, unsigned int flags, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(MvNetworkDef) def = g_new0(MvNetworkDef, 1);

    (void)flags;
    def->stp = def->delay = def->domain_local_only = def->port_isolated = -1;
    def->dns.enable = def->dns.forward_plain_names = -1;
    if (!(doc = mv_xml_parse_validated(xml, "network", error))) {
        if (error && *error)
            mv_error_set_subsystem(*error, FROM);
        return NULL;
    }
    if (!mv_network_parse_root(xmlDocGetRootElement(doc), def, error))
        return NULL;
    mv_network_def_defaults(def);
    if (!mv_network_def_check(def, error))
        return NULL;
    return g_steal_pointer(&def);
}
