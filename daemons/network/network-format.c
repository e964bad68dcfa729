/* MvNetworkDef → canonical network XML: one fixed element order, two-space
 * indentation, single-quoted attributes, addresses in canonical form, so that
 * format(parse(x)) is a fixed point. */
#include <libxml/parser.h>
#include <string.h>

#include "network-conf-priv.h"
#include "util/uuid.h"

void
mv_network_format_indent(GString *out, int indent)
{
    g_string_append_printf(out, "%*s", indent, "");
}

/* " name='value'" (escaped) when @value is non-NULL. */
void
mv_network_format_attr(GString *out, const char *name, const char *value)
{
    g_autofree char *esc = NULL;

    if (!value)
        return;
    esc = g_markup_escape_text(value, -1);
    g_string_append_printf(out, " %s='%s'", name, esc);
}

static void
mv_network_format_yes_no(GString *out, const char *name, int value, const char *yes,
                         const char *no)
{
    if (value >= 0)
        mv_network_format_attr(out, name, value ? yes : no);
}

void
mv_network_format_text_element(GString *out, int indent, const char *name, const char *text)
{
    g_autofree char *esc = NULL;

    if (!text)
        return;
    esc = g_markup_escape_text(text, -1);
    mv_network_format_indent(out, indent);
    g_string_append_printf(out, "<%s>%s</%s>\n", name, esc, name);
}

/* The stored elements are re-read so that they are indented like the rest. */
void
mv_network_format_metadata(GString *out, int indent, const char *metadata)
{
    g_autofree char *wrapped = g_strdup_printf("<metadata>%s</metadata>", metadata);
    g_autoptr(xmlDoc) doc = xmlReadMemory(wrapped, (int)strlen(wrapped), NULL, NULL,
                                          XML_PARSE_NONET | XML_PARSE_NOBLANKS |
                                              XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    bool any = false;

    mv_network_format_indent(out, indent);
    for (xmlNode *child = root ? root->children : NULL; child; child = child->next) {
        xmlBuffer *buf;

        if (child->type != XML_ELEMENT_NODE)
            continue;
        if (!any)
            g_string_append(out, "<metadata>\n");
        any = true;
        if (!(buf = xmlBufferCreate()))
            g_error("Cannot allocate an XML buffer");
        xmlNodeDump(buf, doc, child, indent / 2 + 1, 1);
        mv_network_format_indent(out, indent + 2);
        g_string_append_len(out, (const char *)xmlBufferContent(buf), xmlBufferLength(buf));
        g_string_append_c(out, '\n');
        xmlBufferFree(buf);
    }
    if (!any) {
        g_string_append(out, "<metadata/>\n");
        return;
    }
    mv_network_format_indent(out, indent);
    g_string_append(out, "</metadata>\n");
}

static void
mv_network_format_rate(GString *out, int indent, const char *name,
                       const MvNetworkBandwidthRate *rate)
{
    if (!rate)
        return;
    mv_network_format_indent(out, indent);
    g_string_append_printf(out, "<%s", name);
    if (rate->average)
        g_string_append_printf(out, " average='%" G_GUINT64_FORMAT "'", rate->average);
    if (rate->peak)
        g_string_append_printf(out, " peak='%" G_GUINT64_FORMAT "'", rate->peak);
    if (rate->burst)
        g_string_append_printf(out, " burst='%" G_GUINT64_FORMAT "'", rate->burst);
    if (rate->floor)
        g_string_append_printf(out, " floor='%" G_GUINT64_FORMAT "'", rate->floor);
    g_string_append(out, "/>\n");
}

void
mv_network_format_bandwidth(GString *out, int indent, const MvNetworkBandwidth *bw)
{
    if (!bw)
        return;
    mv_network_format_indent(out, indent);
    if (!bw->in && !bw->out) {
        g_string_append(out, "<bandwidth/>\n");
        return;
    }
    g_string_append(out, "<bandwidth>\n");
    mv_network_format_rate(out, indent + 2, "inbound", bw->in);
    mv_network_format_rate(out, indent + 2, "outbound", bw->out);
    mv_network_format_indent(out, indent);
    g_string_append(out, "</bandwidth>\n");
}

static void
mv_network_format_lease(GString *out, const MvNetworkLease *lease)
{
    static const char *const units[] = { "seconds", "minutes", "hours" };

    g_string_append_printf(out, "<lease expiry='%" G_GUINT64_FORMAT "' unit='%s'/>",
                           lease->expiry, units[lease->unit % G_N_ELEMENTS(units)]);
}

void
mv_network_format_dhcp_range(GString *out, int indent, const MvNetworkDhcpRange *range)
{
    mv_network_format_indent(out, indent);
    g_string_append(out, "<range");
    mv_network_format_attr(out, "start", range->start);
    mv_network_format_attr(out, "end", range->end);
    if (!range->lease.set) {
        g_string_append(out, "/>\n");
        return;
    }
    g_string_append(out, ">\n");
    mv_network_format_indent(out, indent + 2);
    mv_network_format_lease(out, &range->lease);
    g_string_append_c(out, '\n');
    mv_network_format_indent(out, indent);
    g_string_append(out, "</range>\n");
}

void
mv_network_format_dhcp_host(GString *out, int indent, const MvNetworkDhcpHost *host)
{
    mv_network_format_indent(out, indent);
    g_string_append(out, "<host");
    mv_network_format_attr(out, "mac", host->mac);
    mv_network_format_attr(out, "id", host->id);
    mv_network_format_attr(out, "name", host->name);
    mv_network_format_attr(out, "ip", host->ip);
    if (!host->lease.set) {
        g_string_append(out, "/>\n");
        return;
    }
    g_string_append(out, ">\n");
    mv_network_format_indent(out, indent + 2);
    mv_network_format_lease(out, &host->lease);
    g_string_append_c(out, '\n');
    mv_network_format_indent(out, indent);
    g_string_append(out, "</host>\n");
}

static void
mv_network_format_forward(GString *out, const MvNetworkForwardDef *fwd)
{
    bool nat = fwd->nat_addr_start || fwd->nat_port_start || fwd->nat_port_end;

    if (fwd->mode == MV_NETWORK_FORWARD_NONE)
        return;
    g_string_append(out, "  <forward");
    mv_network_format_attr(out, "mode", mv_network_forward_mode_to_string(fwd->mode));
    mv_network_format_attr(out, "dev", fwd->dev);
    if (!nat && !fwd->nifaces) {
        g_string_append(out, "/>\n");
        return;
    }
    g_string_append(out, ">\n");
    if (nat) {
        g_string_append(out, "    <nat>\n");
        if (fwd->nat_addr_start) {
            g_string_append(out, "      <address");
            mv_network_format_attr(out, "start", fwd->nat_addr_start);
            mv_network_format_attr(out, "end", fwd->nat_addr_end);
            g_string_append(out, "/>\n");
        }
        if (fwd->nat_port_start || fwd->nat_port_end)
            g_string_append_printf(out, "      <port start='%u' end='%u'/>\n",
                                   fwd->nat_port_start, fwd->nat_port_end);
        g_string_append(out, "    </nat>\n");
    }
    for (size_t i = 0; i < fwd->nifaces; i++) {
        g_string_append(out, "    <interface");
        mv_network_format_attr(out, "dev", fwd->ifaces[i].dev);
        g_string_append(out, "/>\n");
    }
    g_string_append(out, "  </forward>\n");
}

static void
mv_network_format_bridge(GString *out, const MvNetworkDef *def)
{
    static const char *const mtm[] = { NULL, "kernel", "libvirt" };

    if (!def->bridge && def->stp < 0 && def->delay < 0 && !def->mac_table_manager)
        return;
    g_string_append(out, "  <bridge");
    mv_network_format_attr(out, "name", def->bridge);
    mv_network_format_yes_no(out, "stp", def->stp, "on", "off");
    if (def->delay >= 0)
        g_string_append_printf(out, " delay='%d'", def->delay);
    mv_network_format_attr(out, "macTableManager",
                           mtm[def->mac_table_manager % G_N_ELEMENTS(mtm)]);
    g_string_append(out, "/>\n");
}

static void
mv_network_format_dns(GString *out, const MvNetworkDnsDef *dns)
{
    bool children = dns->nforwarders || dns->nhosts || dns->nsrvs || dns->ntxts;

    if (!dns->present)
        return;
    g_string_append(out, "  <dns");
    mv_network_format_yes_no(out, "enable", dns->enable, "yes", "no");
    mv_network_format_yes_no(out, "forwardPlainNames", dns->forward_plain_names, "yes", "no");
    if (!children) {
        g_string_append(out, "/>\n");
        return;
    }
    g_string_append(out, ">\n");
    for (size_t i = 0; i < dns->nforwarders; i++) {
        g_string_append(out, "    <forwarder");
        mv_network_format_attr(out, "domain", dns->forwarders[i].domain);
        mv_network_format_attr(out, "addr", dns->forwarders[i].addr);
        g_string_append(out, "/>\n");
    }
    for (size_t i = 0; i < dns->ntxts; i++) {
        g_string_append(out, "    <txt");
        mv_network_format_attr(out, "name", dns->txts[i].name);
        mv_network_format_attr(out, "value", dns->txts[i].value);
        g_string_append(out, "/>\n");
    }
    for (size_t i = 0; i < dns->nsrvs; i++) {
        const MvNetworkDnsSrv *srv = &dns->srvs[i];

        g_string_append(out, "    <srv");
        mv_network_format_attr(out, "service", srv->service);
        mv_network_format_attr(out, "protocol", srv->protocol);
        mv_network_format_attr(out, "domain", srv->domain);
        mv_network_format_attr(out, "target", srv->target);
        if (srv->port >= 0)
            g_string_append_printf(out, " port='%d'", srv->port);
        if (srv->priority >= 0)
            g_string_append_printf(out, " priority='%d'", srv->priority);
        if (srv->weight >= 0)
            g_string_append_printf(out, " weight='%d'", srv->weight);
        g_string_append(out, "/>\n");
    }
    for (size_t i = 0; i < dns->nhosts; i++) {
        g_string_append(out, "    <host");
        mv_network_format_attr(out, "ip", dns->hosts[i].ip);
        g_string_append(out, ">\n");
        for (char **name = dns->hosts[i].hostnames; name && *name; name++)
            mv_network_format_text_element(out, 6, "hostname", *name);
        g_string_append(out, "    </host>\n");
    }
    g_string_append(out, "  </dns>\n");
}

static void
mv_network_format_ip(GString *out, const MvNetworkIpDef *ip)
{
    g_string_append(out, "  <ip");
    if (ip->family_set)
        mv_network_format_attr(out, "family", mv_network_ip_family_to_string(ip->family));
    mv_network_format_attr(out, "address", ip->address);
    if (ip->netmask)
        mv_network_format_attr(out, "netmask", ip->netmask);
    else if (ip->prefix_set)
        g_string_append_printf(out, " prefix='%u'", ip->prefix);
    if (!ip->has_dhcp) {
        g_string_append(out, "/>\n");
        return;
    }
    g_string_append(out, ">\n");
    if (!ip->nranges && !ip->nhosts && !ip->bootp_file) {
        g_string_append(out, "    <dhcp/>\n  </ip>\n");
        return;
    }
    g_string_append(out, "    <dhcp>\n");
    for (size_t i = 0; i < ip->nranges; i++)
        mv_network_format_dhcp_range(out, 6, &ip->ranges[i]);
    for (size_t i = 0; i < ip->nhosts; i++)
        mv_network_format_dhcp_host(out, 6, &ip->hosts[i]);
    if (ip->bootp_file) {
        g_string_append(out, "      <bootp");
        mv_network_format_attr(out, "file", ip->bootp_file);
        mv_network_format_attr(out, "server", ip->bootp_server);
        g_string_append(out, "/>\n");
    }
    g_string_append(out, "    </dhcp>\n  </ip>\n");
}

static void
mv_network_format_portgroup(GString *out, const MvNetworkPortGroupDef *pg)
{
    g_string_append(out, "  <portgroup");
    mv_network_format_attr(out, "name", pg->name);
    if (pg->is_default)
        g_string_append(out, " default='yes'");
    if (!pg->bandwidth) {
        g_string_append(out, "/>\n");
        return;
    }
    g_string_append(out, ">\n");
    mv_network_format_bandwidth(out, 4, pg->bandwidth);
    g_string_append(out, "  </portgroup>\n");
}

char *
mv_network_def_format(const MvNetworkDef *def, unsigned int flags)
{
    GString *out = g_string_new("<network");
    char uuid[MV_UUID_STRING_LEN];

    if (!(flags & MV_NETWORK_FORMAT_INACTIVE) && def->connections)
        g_string_append_printf(out, " connections='%u'", def->connections);
    g_string_append(out, ">\n");
    mv_network_format_text_element(out, 2, "name", def->name);
    mv_uuid_format(def->uuid, uuid);
    mv_network_format_text_element(out, 2, "uuid", uuid);
    mv_network_format_text_element(out, 2, "title", def->title);
    mv_network_format_text_element(out, 2, "description", def->description);
    if (def->metadata)
        mv_network_format_metadata(out, 2, def->metadata);
    mv_network_format_forward(out, &def->forward);
    mv_network_format_bridge(out, def);
    if (def->mtu)
        g_string_append_printf(out, "  <mtu size='%u'/>\n", def->mtu);
    if (def->has_mac) {
        char mac[18];

        mv_net_mac_format(def->mac, mac);
        g_string_append_printf(out, "  <mac address='%s'/>\n", mac);
    }
    if (def->domain) {
        g_string_append(out, "  <domain");
        mv_network_format_attr(out, "name", def->domain);
        mv_network_format_yes_no(out, "localOnly", def->domain_local_only, "yes", "no");
        g_string_append(out, "/>\n");
    }
    mv_network_format_dns(out, &def->dns);
    mv_network_format_bandwidth(out, 2, def->bandwidth);
    for (size_t i = 0; i < def->nips; i++)
        mv_network_format_ip(out, &def->ips[i]);
    if (def->port_isolated >= 0)
        g_string_append_printf(out, "  <port isolated='%s'/>\n",
                               def->port_isolated ? "yes" : "no");
    for (size_t i = 0; i < def->nportgroups; i++)
        mv_network_format_portgroup(out, &def->portgroups[i]);
    g_string_append(out, "</network>\n");
    return g_string_free(out, FALSE);
}
