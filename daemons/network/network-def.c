/* MvNetworkDef: free, deep copy, enum names and small lookups. */
#include <string.h>

#include "network-conf-priv.h"

static const char *const forward_modes[] = { "none", "nat", "route", "open", "bridge" };

const char *
mv_network_forward_mode_to_string(MvNetworkForwardMode mode)
{
    if ((size_t)mode >= G_N_ELEMENTS(forward_modes))
        return NULL;
    return forward_modes[mode];
}

int
mv_network_forward_mode_from_string(const char *str)
{
    for (size_t i = 0; str && i < G_N_ELEMENTS(forward_modes); i++) {
        if (strcmp(forward_modes[i], str) == 0)
            return (int)i;
    }
    return -1;
}

const char *
mv_network_ip_family_to_string(MvNetworkIpFamily family)
{
    return family == MV_NETWORK_IP_V6 ? "ipv6" : "ipv4";
}

bool
mv_network_def_creates_bridge(const MvNetworkDef *def)
{
    return def->forward.mode != MV_NETWORK_FORWARD_BRIDGE;
}

const MvNetworkPortGroupDef *
mv_network_def_find_portgroup(const MvNetworkDef *def, const char *name)
{
    for (size_t i = 0; i < def->nportgroups; i++) {
        const MvNetworkPortGroupDef *pg = &def->portgroups[i];

        if (name ? strcmp(pg->name, name) == 0 : pg->is_default)
            return pg;
    }
    return NULL;
}

guint64
mv_network_lease_seconds(const MvNetworkLease *lease)
{
    static const guint64 scale[] = { 1, 60, 3600 };

    if (!lease->set || (size_t)lease->unit >= G_N_ELEMENTS(scale))
        return 0;
    if (lease->expiry > G_MAXUINT64 / scale[lease->unit])
        return G_MAXUINT64;
    return lease->expiry * scale[lease->unit];
}

/* ---- free ---- */

void
mv_network_bandwidth_free(MvNetworkBandwidth *bw)
{
    if (!bw)
        return;
    g_free(bw->in);
    g_free(bw->out);
    g_free(bw);
}

void
mv_network_dhcp_range_clear(MvNetworkDhcpRange *range)
{
    g_clear_pointer(&range->start, g_free);
    g_clear_pointer(&range->end, g_free);
}

void
mv_network_dhcp_host_clear(MvNetworkDhcpHost *host)
{
    g_clear_pointer(&host->mac, g_free);
    g_clear_pointer(&host->id, g_free);
    g_clear_pointer(&host->name, g_free);
    g_clear_pointer(&host->ip, g_free);
}

void
mv_network_dns_host_clear(MvNetworkDnsHost *host)
{
    g_clear_pointer(&host->ip, g_free);
    g_clear_pointer(&host->hostnames, g_strfreev);
}

void
mv_network_dns_txt_clear(MvNetworkDnsTxt *txt)
{
    g_clear_pointer(&txt->name, g_free);
    g_clear_pointer(&txt->value, g_free);
}

void
mv_network_dns_srv_clear(MvNetworkDnsSrv *srv)
{
    g_clear_pointer(&srv->service, g_free);
    g_clear_pointer(&srv->protocol, g_free);
    g_clear_pointer(&srv->domain, g_free);
    g_clear_pointer(&srv->target, g_free);
}

void
mv_network_portgroup_clear(MvNetworkPortGroupDef *pg)
{
    g_clear_pointer(&pg->name, g_free);
    g_clear_pointer(&pg->bandwidth, mv_network_bandwidth_free);
}

void
mv_network_forward_if_clear(MvNetworkForwardIf *iface)
{
    g_clear_pointer(&iface->dev, g_free);
}

void
mv_network_ip_clear(MvNetworkIpDef *ip)
{
    g_clear_pointer(&ip->address, g_free);
    g_clear_pointer(&ip->netmask, g_free);
    for (size_t i = 0; i < ip->nranges; i++)
        mv_network_dhcp_range_clear(&ip->ranges[i]);
    g_clear_pointer(&ip->ranges, g_free);
    for (size_t i = 0; i < ip->nhosts; i++)
        mv_network_dhcp_host_clear(&ip->hosts[i]);
    g_clear_pointer(&ip->hosts, g_free);
    ip->nranges = ip->nhosts = 0;
    g_clear_pointer(&ip->bootp_file, g_free);
    g_clear_pointer(&ip->bootp_server, g_free);
}

static void
mv_network_dns_clear(MvNetworkDnsDef *dns)
{
    for (size_t i = 0; i < dns->nforwarders; i++) {
        g_free(dns->forwarders[i].addr);
        g_free(dns->forwarders[i].domain);
    }
    g_free(dns->forwarders);
    for (size_t i = 0; i < dns->nhosts; i++)
        mv_network_dns_host_clear(&dns->hosts[i]);
    g_free(dns->hosts);
    for (size_t i = 0; i < dns->nsrvs; i++)
        mv_network_dns_srv_clear(&dns->srvs[i]);
    g_free(dns->srvs);
    for (size_t i = 0; i < dns->ntxts; i++)
        mv_network_dns_txt_clear(&dns->txts[i]);
    g_free(dns->txts);
    memset(dns, 0, sizeof(*dns));
}

void
mv_network_def_free(MvNetworkDef *def)
{
    if (!def)
        return;
    g_free(def->name);
    g_free(def->title);
    g_free(def->description);
    g_free(def->metadata);
    g_free(def->bridge);
    g_free(def->domain);
    g_free(def->forward.dev);
    g_free(def->forward.nat_addr_start);
    g_free(def->forward.nat_addr_end);
    for (size_t i = 0; i < def->forward.nifaces; i++)
        mv_network_forward_if_clear(&def->forward.ifaces[i]);
    g_free(def->forward.ifaces);
    for (size_t i = 0; i < def->nips; i++)
        mv_network_ip_clear(&def->ips[i]);
    g_free(def->ips);
    mv_network_dns_clear(&def->dns);
    mv_network_bandwidth_free(def->bandwidth);
    for (size_t i = 0; i < def->nportgroups; i++)
        mv_network_portgroup_clear(&def->portgroups[i]);
    g_free(def->portgroups);
    g_free(def);
}

/* ---- copy ---- */

MvNetworkBandwidth *
mv_network_bandwidth_copy(const MvNetworkBandwidth *bw)
{
    MvNetworkBandwidth *copy;

    if (!bw)
        return NULL;
    copy = g_new0(MvNetworkBandwidth, 1);
    if (bw->in)
        copy->in = g_memdup2(bw->in, sizeof(*bw->in));
    if (bw->out)
        copy->out = g_memdup2(bw->out, sizeof(*bw->out));
    return copy;
}

/* A copy of the @n elements of @array of @size bytes each (NULL when empty);
 * the caller then deep-copies their pointers. */
static gpointer
mv_network_dup_array(gconstpointer array, size_t n, size_t size)
{
    return n ? g_memdup2(array, n * size) : NULL;
}

static void
mv_network_ip_copy(MvNetworkIpDef *dst, const MvNetworkIpDef *src)
{
    *dst = *src;
    dst->address = g_strdup(src->address);
    dst->netmask = g_strdup(src->netmask);
    dst->bootp_file = g_strdup(src->bootp_file);
    dst->bootp_server = g_strdup(src->bootp_server);
    dst->ranges = mv_network_dup_array(src->ranges, src->nranges, sizeof(*src->ranges));
    for (size_t i = 0; i < src->nranges; i++) {
        dst->ranges[i].start = g_strdup(src->ranges[i].start);
        dst->ranges[i].end = g_strdup(src->ranges[i].end);
    }
    dst->hosts = mv_network_dup_array(src->hosts, src->nhosts, sizeof(*src->hosts));
    for (size_t i = 0; i < src->nhosts; i++) {
        dst->hosts[i].mac = g_strdup(src->hosts[i].mac);
        dst->hosts[i].id = g_strdup(src->hosts[i].id);
        dst->hosts[i].name = g_strdup(src->hosts[i].name);
        dst->hosts[i].ip = g_strdup(src->hosts[i].ip);
    }
}

static void
mv_network_dns_copy(MvNetworkDnsDef *dst, const MvNetworkDnsDef *src)
{
    *dst = *src;
    dst->forwarders = mv_network_dup_array(src->forwarders, src->nforwarders,
                                           sizeof(*src->forwarders));
    for (size_t i = 0; i < src->nforwarders; i++) {
        dst->forwarders[i].addr = g_strdup(src->forwarders[i].addr);
        dst->forwarders[i].domain = g_strdup(src->forwarders[i].domain);
    }
    dst->hosts = mv_network_dup_array(src->hosts, src->nhosts, sizeof(*src->hosts));
    for (size_t i = 0; i < src->nhosts; i++) {
        dst->hosts[i].ip = g_strdup(src->hosts[i].ip);
        dst->hosts[i].hostnames = g_strdupv(src->hosts[i].hostnames);
    }
    dst->srvs = mv_network_dup_array(src->srvs, src->nsrvs, sizeof(*src->srvs));
    for (size_t i = 0; i < src->nsrvs; i++) {
        dst->srvs[i].service = g_strdup(src->srvs[i].service);
        dst->srvs[i].protocol = g_strdup(src->srvs[i].protocol);
        dst->srvs[i].domain = g_strdup(src->srvs[i].domain);
        dst->srvs[i].target = g_strdup(src->srvs[i].target);
    }
    dst->txts = mv_network_dup_array(src->txts, src->ntxts, sizeof(*src->txts));
    for (size_t i = 0; i < src->ntxts; i++) {
        dst->txts[i].name = g_strdup(src->txts[i].name);
        dst->txts[i].value = g_strdup(src->txts[i].value);
    }
}

MvNetworkDef *
mv_network_def_copy(const MvNetworkDef *def)
{
    MvNetworkDef *copy = g_memdup2(def, sizeof(*def));
    MvNetworkForwardDef *fwd = &copy->forward;

    copy->name = g_strdup(def->name);
    copy->title = g_strdup(def->title);
    copy->description = g_strdup(def->description);
    copy->metadata = g_strdup(def->metadata);
    copy->bridge = g_strdup(def->bridge);
    copy->domain = g_strdup(def->domain);
    fwd->dev = g_strdup(def->forward.dev);
    fwd->nat_addr_start = g_strdup(def->forward.nat_addr_start);
    fwd->nat_addr_end = g_strdup(def->forward.nat_addr_end);
    fwd->ifaces = mv_network_dup_array(def->forward.ifaces, def->forward.nifaces,
                                       sizeof(*fwd->ifaces));
    for (size_t i = 0; i < fwd->nifaces; i++)
        fwd->ifaces[i].dev = g_strdup(def->forward.ifaces[i].dev);
    copy->ips = def->nips ? g_new0(MvNetworkIpDef, def->nips) : NULL;
    for (size_t i = 0; i < def->nips; i++)
        mv_network_ip_copy(&copy->ips[i], &def->ips[i]);
    mv_network_dns_copy(&copy->dns, &def->dns);
    copy->bandwidth = mv_network_bandwidth_copy(def->bandwidth);
    copy->portgroups = mv_network_dup_array(def->portgroups, def->nportgroups,
                                            sizeof(*def->portgroups));
    for (size_t i = 0; i < def->nportgroups; i++) {
        copy->portgroups[i].name = g_strdup(def->portgroups[i].name);
        copy->portgroups[i].bandwidth = mv_network_bandwidth_copy(def->portgroups[i].bandwidth);
    }
    return copy;
}
