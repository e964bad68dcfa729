/* dnsmasq's config text and file names for a network: see network-dnsmasq.h. */
#include "network-dnsmasq.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/stat.h>

#define MV_DNSMASQ_HOSTS_ROOM 256

MvNetworkDnsmasqFiles *
mv_network_dnsmasq_files_new(const MvPaths *paths, const char *network)
{
    MvNetworkDnsmasqFiles *files = g_new0(MvNetworkDnsmasqFiles, 1);
    g_autofree char *lib = mv_paths_data_dir(paths, "network");
    g_autofree char *run = mv_paths_state_dir(paths, "network");

    files->dir = g_build_filename(lib, "dnsmasq", NULL);
    files->run_dir = g_build_filename(run, "dnsmasq", NULL);
#define MV_FILE(field, dir, suffix) \
    files->field = g_strdup_printf("%s/%s." suffix, files->dir, network)
    MV_FILE(conf, dir, "conf");
    MV_FILE(hostsfile, dir, "hostsfile");
    MV_FILE(addnhosts, dir, "addnhosts");
    MV_FILE(leases, dir, "leases");
#undef MV_FILE
    files->pidfile = g_strdup_printf("%s/%s.pid", files->run_dir, network);
    files->startfile = g_strdup_printf("%s/%s.start", files->run_dir, network);
    files->log = g_strdup_printf("%s/%s.log", files->run_dir, network);
    return files;
}

void
mv_network_dnsmasq_files_free(MvNetworkDnsmasqFiles *files)
{
    if (!files)
        return;
    g_free(files->dir);
    g_free(files->conf);
    g_free(files->hostsfile);
    g_free(files->addnhosts);
    g_free(files->leases);
    g_free(files->run_dir);
    g_free(files->pidfile);
    g_free(files->startfile);
    g_free(files->log);
    g_free(files);
}

static bool
mv_network_dns_enabled(const MvNetworkDef *def)
{
    return def->dns.enable != 0;
}

static bool
mv_network_ip_serves_dhcp(const MvNetworkIpDef *ip)
{
    return ip->nranges > 0 || ip->nhosts > 0;
}

static bool
mv_network_has_ipv6(const MvNetworkDef *def)
{
    for (size_t i = 0; i < def->nips; i++) {
        if (def->ips[i].family == MV_NETWORK_IP_V6)
            return true;
    }
    return false;
}

bool
mv_network_dnsmasq_needed(const MvNetworkDef *def)
{
    if (!mv_network_def_creates_bridge(def) || def->nips == 0)
        return false;
    if (mv_network_dns_enabled(def) || mv_network_has_ipv6(def))
        return true;
    for (size_t i = 0; i < def->nips; i++) {
        if (mv_network_ip_serves_dhcp(&def->ips[i]))
            return true;
    }
    return false;
}

/* The subnet's first address (the address with the host bits cleared). */
static char *
mv_network_ip_subnet(const MvNetworkIpDef *ip)
{
    int family = ip->family == MV_NETWORK_IP_V6 ? AF_INET6 : AF_INET;
    guint8 buf[16] = { 0 };
    char text[INET6_ADDRSTRLEN];
    guint len = family == AF_INET ? 4 : 16;

    if (inet_pton(family, ip->address, buf) != 1)
        return g_strdup(ip->address);
    for (guint bit = ip->prefix; bit < len * 8; bit++)
        buf[bit / 8] &= (guint8) ~(0x80u >> (bit % 8));
    return g_strdup(inet_ntop(family, buf, text, sizeof(text)));
}

static char *
mv_network_ipv4_netmask(guint prefix)
{
    struct in_addr mask = { .s_addr = prefix ? htonl(~0u << (32 - MIN(prefix, 32u))) : 0 };
    char text[INET_ADDRSTRLEN];

    return g_strdup(inet_ntop(AF_INET, &mask, text, sizeof(text)));
}

/* ",<seconds>" or ",infinite" for a set lease, "" otherwise. */
static char *
mv_network_lease_suffix(const MvNetworkLease *lease)
{
    guint64 secs;

    if (!lease->set)
        return g_strdup("");
    secs = mv_network_lease_seconds(lease);
    if (secs == 0)
        return g_strdup(",infinite");
    return g_strdup_printf(",%" G_GUINT64_FORMAT, secs);
}

/* How many addresses @r spans (IPv6 ranges capped), for dhcp-lease-max. */
static guint64
mv_network_range_size(const MvNetworkIpDef *ip, const MvNetworkDhcpRange *r)
{
    guint8 a[16], b[16];
    int family = ip->family == MV_NETWORK_IP_V6 ? AF_INET6 : AF_INET;
    guint len = family == AF_INET ? 4 : 16;
    guint64 start = 0, end = 0;

    if (inet_pton(family, r->start, a) != 1 || inet_pton(family, r->end, b) != 1)
        return 0;
    /* only the low 64 bits count; anything above is "a lot" */
    for (guint i = 0; i + 8 < len; i++) {
        if (a[i] != b[i])
            return G_MAXINT32;
    }
    for (guint i = len > 8 ? len - 8 : 0; i < len; i++) {
        start = start << 8 | a[i];
        end = end << 8 | b[i];
    }
    return end >= start ? MIN(end - start + 1, (guint64)G_MAXINT32) : 0;
}

static void
mv_network_conf_dhcp(GString *out, const MvNetworkDef *def)
{
    guint64 lease_max = 0;
    size_t nhosts = 0;
    bool v4_dhcp = false, any_dhcp = false;

    for (size_t i = 0; i < def->nips; i++) {
        const MvNetworkIpDef *ip = &def->ips[i];
        bool v6 = ip->family == MV_NETWORK_IP_V6;
        g_autofree char *mask = v6 ? g_strdup_printf("%u", ip->prefix)
                                   : mv_network_ipv4_netmask(ip->prefix);

        for (size_t j = 0; j < ip->nranges; j++) {
            const MvNetworkDhcpRange *r = &ip->ranges[j];
            g_autofree char *lease = mv_network_lease_suffix(&r->lease);

            g_string_append_printf(out, "dhcp-range=%s,%s,%s%s\n", r->start, r->end, mask,
                                   lease);
            lease_max = MIN(lease_max + mv_network_range_size(ip, r), (guint64)G_MAXINT32);
        }
        if (ip->nranges == 0 && ip->nhosts > 0) {
            g_autofree char *subnet = mv_network_ip_subnet(ip);

            /* static hosts only: serve them, hand out nothing else */
            g_string_append_printf(out, "dhcp-range=%s,static,%s\n", subnet, mask);
        }
        if (v6 && !mv_network_ip_serves_dhcp(ip)) {
            g_autofree char *subnet = mv_network_ip_subnet(ip);

            g_string_append_printf(out, "dhcp-range=%s,ra-only,%u\n", subnet, ip->prefix);
        }
        if (mv_network_ip_serves_dhcp(ip)) {
            any_dhcp = true;
            nhosts += ip->nhosts;
            v4_dhcp = v4_dhcp || !v6;
        }
        if (!v6 && ip->bootp_file) {
            if (ip->bootp_server)
                g_string_append_printf(out, "dhcp-boot=%s,,%s\n", ip->bootp_file,
                                       ip->bootp_server);
            else
                g_string_append_printf(out, "dhcp-boot=%s\n", ip->bootp_file);
        }
    }
    if (v4_dhcp) {
        g_string_append(out, "dhcp-no-override\n");
        g_string_append(out, "dhcp-authoritative\n");
    }
    if (any_dhcp) {
        /* room for static hosts: up to 256 of them can be added live (the
         * hostsfile, SIGHUP) without changing this line (a restart) */
        lease_max = MIN(lease_max + MAX(nhosts, MV_DNSMASQ_HOSTS_ROOM), (guint64)G_MAXINT32);
        g_string_append_printf(out, "dhcp-lease-max=%" G_GUINT64_FORMAT "\n", lease_max);
        if (def->forward.mode == MV_NETWORK_FORWARD_NONE && v4_dhcp)
            g_string_append(out, "dhcp-option=3\n");   /* isolated: no default router */
        if (def->mtu && v4_dhcp)
            g_string_append_printf(out, "dhcp-option=option:mtu,%u\n", def->mtu);
        /* no ICMP probe before offering an address: the first lease takes
         * about 0.1 s instead of 3 s */
        g_string_append(out, "no-ping\n");
    }
    if (mv_network_has_ipv6(def))
        g_string_append(out, "enable-ra\n");
}

static void
mv_network_conf_dns(GString *out, const MvNetworkDef *def, const MvNetworkDnsmasqFiles *files)
{
    const MvNetworkDnsDef *dns = &def->dns;
    bool no_resolv = false;

    if (!mv_network_dns_enabled(def)) {
        g_string_append(out, "port=0\n");
        return;
    }
    if (def->domain) {
        g_string_append_printf(out, "domain=%s\n", def->domain);
        if (def->domain_local_only == 1)
            g_string_append_printf(out, "local=/%s/\n", def->domain);
        g_string_append(out, "expand-hosts\n");
    }
    if (dns->forward_plain_names == 0)
        g_string_append(out, "domain-needed\n");
    for (size_t i = 0; i < dns->nforwarders; i++) {
        const MvNetworkDnsForwarder *f = &dns->forwarders[i];

        if (f->domain && f->addr)
            g_string_append_printf(out, "server=/%s/%s\n", f->domain, f->addr);
        else if (f->domain)
            g_string_append_printf(out, "server=/%s/\n", f->domain);
        else if (f->addr)
            g_string_append_printf(out, "server=%s\n", f->addr);
        if (f->addr && !f->domain)
            no_resolv = true;
    }
    if (no_resolv)
        g_string_append(out, "no-resolv\n");
    for (size_t i = 0; i < dns->nsrvs; i++) {
        const MvNetworkDnsSrv *s = &dns->srvs[i];
        const char *domain = s->domain ? s->domain : def->domain;

        g_string_append_printf(out, "srv-host=_%s._%s", s->service, s->protocol);
        if (domain)
            g_string_append_printf(out, ".%s", domain);
        /* target, port, priority, weight: each only when the previous is there */
        if (s->target) {
            g_string_append_printf(out, ",%s", s->target);
            if (s->port >= 0) {
                g_string_append_printf(out, ",%d", s->port);
                if (s->priority >= 0) {
                    g_string_append_printf(out, ",%d", s->priority);
                    if (s->weight >= 0)
                        g_string_append_printf(out, ",%d", s->weight);
                }
            }
        }
        g_string_append_c(out, '\n');
    }
    for (size_t i = 0; i < dns->ntxts; i++) {
        /* quoted: dnsmasq splits an unquoted value at commas into strings */
        g_string_append_printf(out, "txt-record=%s,\"", dns->txts[i].name);
        for (const char *c = dns->txts[i].value; *c; c++) {
            if (*c == '"' || *c == '\\')
                g_string_append_c(out, '\\');
            g_string_append_c(out, *c);
        }
        g_string_append(out, "\"\n");
    }
    g_string_append_printf(out, "addn-hosts=%s\n", files->addnhosts);
}

char *
mv_network_dnsmasq_config(const MvNetworkDef *def, const MvNetworkDnsmasqFiles *files,
                          const MvNetworkDnsmasqOptions *opts)
{
    GString *out = g_string_new(NULL);
    bool any_dhcp = false;

    g_return_val_if_fail(def->bridge != NULL, NULL);
    g_string_append_printf(out,
                           "## Written by modvirt-networkd for network '%s': changes are lost.\n"
                           "## Change the network instead: modvirt net-edit %s\n",
                           def->name, def->name);
    g_string_append(out, "strict-order\n");
    if (opts && opts->user)
        g_string_append_printf(out, "user=%s\n", opts->user);
    g_string_append_printf(out, "pid-file=%s\n", files->pidfile);
    /* our bridge and its addresses only, bound at start (the addresses exist
     * before dnsmasq starts), never the loopback */
    g_string_append(out, "bind-interfaces\n");
    g_string_append_printf(out, "interface=%s\n", def->bridge);
    g_string_append(out, "except-interface=lo\n");
    for (size_t i = 0; i < def->nips; i++)
        g_string_append_printf(out, "listen-address=%s\n", def->ips[i].address);
    mv_network_conf_dns(out, def, files);
    mv_network_conf_dhcp(out, def);
    for (size_t i = 0; i < def->nips; i++)
        any_dhcp = any_dhcp || mv_network_ip_serves_dhcp(&def->ips[i]);
    if (any_dhcp) {
        g_string_append_printf(out, "dhcp-hostsfile=%s\n", files->hostsfile);
        /* leases live in our lease file, kept by the helper; dnsmasq asks it
         * for them ("init") when it starts again */
        g_string_append(out, "leasefile-ro\n");
        if (opts && opts->lease_helper) {
            g_string_append_printf(out, "dhcp-script=%s\n", opts->lease_helper);
            /* renewals move the expiry time: the helper must hear of them */
            g_string_append(out, "script-on-renewal\n");
        }
    }
    return g_string_free(out, FALSE);
}

char *
mv_network_dnsmasq_hostsfile(const MvNetworkDef *def)
{
    GString *out = g_string_new(NULL);

    for (size_t i = 0; i < def->nips; i++) {
        const MvNetworkIpDef *ip = &def->ips[i];
        bool v6 = ip->family == MV_NETWORK_IP_V6;

        for (size_t j = 0; j < ip->nhosts; j++) {
            const MvNetworkDhcpHost *h = &ip->hosts[j];
            g_autofree char *lease = mv_network_lease_suffix(&h->lease);
            g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func(g_free);

            if (h->mac)
                g_ptr_array_add(parts, g_strdup(h->mac));
            if (h->id)
                g_ptr_array_add(parts, g_strdup_printf("id:%s", h->id));
            if (h->ip)
                g_ptr_array_add(parts, v6 ? g_strdup_printf("[%s]", h->ip) : g_strdup(h->ip));
            if (h->name)
                g_ptr_array_add(parts, g_strdup(h->name));
            if (parts->len == 0)
                continue;
            g_ptr_array_add(parts, NULL);
            {
                g_autofree char *line = g_strjoinv(",", (char **)parts->pdata);

                g_string_append_printf(out, "%s%s\n", line, lease);
            }
        }
    }
    return g_string_free(out, FALSE);
}

char *
mv_network_dnsmasq_addnhosts(const MvNetworkDef *def)
{
    GString *out = g_string_new(NULL);

    for (size_t i = 0; i < def->dns.nhosts; i++) {
        const MvNetworkDnsHost *h = &def->dns.hosts[i];

        g_string_append(out, h->ip);
        for (char **name = h->hostnames; name && *name; name++)
            g_string_append_printf(out, "\t%s", *name);
        g_string_append_c(out, '\n');
    }
    return g_string_free(out, FALSE);
}

const char *
mv_network_dnsmasq_pick_user(const MvNetworkDnsmasqFiles *files)
{
    g_autofree char *dir = g_strdup(files->dir);

    for (;;) {
        struct stat st;
        char *slash;

        if (stat(dir, &st) == 0 && !(st.st_mode & S_IXOTH))
            return "root";
        if (!(slash = strrchr(dir, '/')) || slash == dir)
            return NULL;
        *slash = '\0';
    }
}
