/* virNetworkUpdate on an MvNetworkDef: one command (add-first, add-last,
 * delete, modify) on one section (ip-dhcp-host, dns-txt…), with libvirt's
 * matching rules and error kinds. The change is made on a copy that must pass
 * mv_network_def_check() before it replaces @def, so a failed update changes
 * nothing. */
#include <string.h>

#include "network-conf-priv.h"

#define FROM MV_FROM_NETWORK

typedef bool (*MvNetworkUpdateFunc)(MvNetworkDef *def, unsigned int command, int parent_index,
                                    const xmlNode *node, GError **error);

typedef struct {
    unsigned int section;
    const char *name;           /* virsh's name of the section */
    const char *element;        /* the element @xml must be */
    const char *wrapper;        /* a network document around it, for the schema */
    const char *const *path;    /* from <network> down to the parent of the element */
    MvNetworkUpdateFunc update; /* NULL: not supported */
} MvNetworkSection;

/* ---- array helpers ---- */

/* Inserts the @size bytes at @elem into *@array of *@n at the front or the end. */
static void
mv_update_insert(gpointer *array, size_t *n, size_t size, bool first, gconstpointer elem)
{
    guint8 *bytes = g_realloc(*array, (*n + 1) * size);

    if (first)
        memmove(bytes + size, bytes, *n * size);
    memcpy(bytes + (first ? 0 : *n * size), elem, size);
    *array = bytes;
    (*n)++;
}

static void
mv_update_remove(gpointer array, size_t *n, size_t size, size_t at)
{
    guint8 *bytes = array;

    memmove(bytes + at * size, bytes + (at + 1) * size, (*n - at - 1) * size);
    (*n)--;
}

#define INSERT(array, n, first, elem) \
    mv_update_insert((gpointer *)&(array), &(n), sizeof(*(array)), first, elem)
#define REMOVE(array, n, at) mv_update_remove(array, &(n), sizeof(*(array)), at)

static bool
mv_update_is_add(unsigned int command)
{
    return command == MV_NETWORK_UPDATE_COMMAND_ADD_FIRST ||
           command == MV_NETWORK_UPDATE_COMMAND_ADD_LAST;
}

static bool
mv_update_no_modify(const MvNetworkDef *def, const char *what, GError **error)
{
    return mv_error_set(error, FROM, MV_ERR_NO_SUPPORT,
                        "%s in network '%s' cannot be modified, only added or deleted", what,
                        def->name);
}

/* ---- ip-dhcp-host, ip-dhcp-range ---- */

/* libvirt's choice of <ip>: the one at @parent_index, else the first with dhcp
 * ranges or hosts, else the first IPv4 one. */
static MvNetworkIpDef *
mv_update_pick_ip(MvNetworkDef *def, int parent_index, const char *what, GError **error)
{
    if (parent_index >= 0) {
        if ((size_t)parent_index < def->nips)
            return &def->ips[parent_index];
        mv_error_set(error, FROM, MV_ERR_OPERATION_INVALID,
                     "couldn't update %s entry - no <ip> element found at index %d in "
                     "network '%s'", what, parent_index, def->name);
        return NULL;
    }
    for (size_t i = 0; i < def->nips; i++) {
        if (def->ips[i].nranges || def->ips[i].nhosts)
            return &def->ips[i];
    }
    for (size_t i = 0; i < def->nips; i++) {
        if (def->ips[i].family == MV_NETWORK_IP_V4)
            return &def->ips[i];
    }
    mv_error_set(error, FROM, MV_ERR_OPERATION_INVALID,
                 "couldn't update %s entry - network '%s' has no <ip> element", what,
                 def->name);
    return NULL;
}

static char *
mv_update_host_text(const MvNetworkDhcpHost *host)
{
    g_autoptr(GString) out = g_string_new(NULL);
    MvNetworkDhcpHost bare = *host;

    bare.lease.set = false;
    mv_network_format_dhcp_host(out, 0, &bare);
    g_strchomp(out->str);
    return g_strdup(out->str);
}

static bool
mv_update_str_eq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static bool
mv_update_ip_eq(const char *a, const char *b)
{
    MvNetAddr x, y;

    return a && b && mv_net_addr_parse(a, &x) && mv_net_addr_parse(b, &y) &&
           x.family == y.family && mv_net_addr_cmp(&x, &y) == 0;
}

/* A delete request matches an entry when every attribute it gives matches. */
static bool
mv_update_host_matches_all(const MvNetworkDhcpHost *want, const MvNetworkDhcpHost *have)
{
    return (!want->mac || (have->mac && g_ascii_strcasecmp(want->mac, have->mac) == 0)) &&
           (!want->id || mv_update_str_eq(want->id, have->id)) &&
           (!want->name || mv_update_str_eq(want->name, have->name)) &&
           (!want->ip || mv_update_ip_eq(want->ip, have->ip));
}

static bool
mv_update_host_conflicts(const MvNetworkDhcpHost *a, const MvNetworkDhcpHost *b)
{
    return (a->mac && b->mac && g_ascii_strcasecmp(a->mac, b->mac) == 0) ||
           mv_update_str_eq(a->id, b->id) ||
           (a->name && b->name && g_ascii_strcasecmp(a->name, b->name) == 0) ||
           mv_update_ip_eq(a->ip, b->ip);
}

static bool
mv_update_dhcp_host(MvNetworkDef *def, unsigned int command, int parent_index,
                    const xmlNode *node, GError **error)
{
    MvNetworkIpDef *ip = mv_update_pick_ip(def, parent_index, "dhcp host", error);
    MvNetworkDhcpHost host = { 0 };
    g_autofree char *where = NULL;
    bool ok = false;

    if (!ip || !mv_network_parse_dhcp_host(node, &host, error))
        return false;
    if (command == MV_NETWORK_UPDATE_COMMAND_DELETE) {
        if (!host.mac && !host.id && !host.name && !host.ip) {
            mv_error_set(error, FROM, MV_ERR_XML_ERROR,
                         "a dhcp host to delete needs a mac, id, name or ip attribute");
            goto out;
        }
        for (size_t i = 0; i < ip->nhosts; i++) {
            if (mv_update_host_matches_all(&host, &ip->hosts[i])) {
                mv_network_dhcp_host_clear(&ip->hosts[i]);
                REMOVE(ip->hosts, ip->nhosts, i);
                ok = true;
                goto out;
            }
        }
        mv_error_set(error, FROM, MV_ERR_OPERATION_INVALID,
                     "couldn't locate a matching dhcp host entry in network '%s'", def->name);
        goto out;
    }
    where = g_strdup_printf("/network/ip[%td]/dhcp/host", ip - def->ips + 1);
    if (!mv_network_check_dhcp_host(ip, &host, where, error))
        goto out;
    if (command == MV_NETWORK_UPDATE_COMMAND_MODIFY) {
        /* The entry is found by its identity: mac (IPv4), else id, else name. */
        const char *key = host.mac ? "mac" : host.id ? "id" : "name";
        const char *value = host.mac ? host.mac : host.id ? host.id : host.name;

        for (size_t i = 0; i < ip->nhosts; i++) {
            const MvNetworkDhcpHost *have = &ip->hosts[i];
            const char *have_value = host.mac ? have->mac : host.id ? have->id : have->name;

            if (have_value && g_ascii_strcasecmp(have_value, value) == 0) {
                mv_network_dhcp_host_clear(&ip->hosts[i]);
                ip->hosts[i] = host;
                return true;
            }
        }
        mv_error_set(error, FROM, MV_ERR_OPERATION_INVALID,
                     "couldn't locate an existing dhcp host entry with \"%s='%s'\" in network "
                     "'%s'", key, value, def->name);
        goto out;
    }
    for (size_t i = 0; i < ip->nhosts; i++) {
        if (mv_update_host_conflicts(&host, &ip->hosts[i])) {
            g_autofree char *text = mv_update_host_text(&ip->hosts[i]);

            mv_error_set(error, FROM, MV_ERR_OPERATION_INVALID,
                         "there is an existing dhcp host entry in network '%s' that matches "
                         "\"%s\"", def->name, text);
            goto out;
        }
    }
    ip->has_dhcp = true;
    INSERT(ip->hosts, ip->nhosts, command == MV_NETWORK_UPDATE_COMMAND_ADD_FIRST, &host);
    return true;

out:
    mv_network_dhcp_host_clear(&host);
    return ok;
}

static bool
mv_update_dhcp_range(MvNetworkDef *def, unsigned int command, int parent_index,
                     const xmlNode *node, GError **error)
{
    MvNetworkIpDef *ip = mv_update_pick_ip(def, parent_index, "dhcp range", error);
    MvNetworkDhcpRange range = { 0 };
    g_autofree char *where = NULL;
    int found = -1;

    if (!ip)
        return false;
    if (command == MV_NETWORK_UPDATE_COMMAND_MODIFY)
        return mv_update_no_modify(def, "dhcp ranges", error);
    if (!mv_network_parse_dhcp_range(node, &range, error))
        return false;
    for (size_t i = 0; i < ip->nranges && found < 0; i++) {
        if (mv_update_ip_eq(range.start, ip->ranges[i].start) &&
            mv_update_ip_eq(range.end, ip->ranges[i].end))
            found = (int)i;
    }
    if (command == MV_NETWORK_UPDATE_COMMAND_DELETE) {
        mv_network_dhcp_range_clear(&range);
        if (found < 0)
            return mv_error_set(error, FROM, MV_ERR_OPERATION_INVALID,
                                "couldn't locate a matching dhcp range entry in network '%s'",
                                def->name);
        mv_network_dhcp_range_clear(&ip->ranges[found]);
        REMOVE(ip->ranges, ip->nranges, (size_t)found);
        return true;
    }
    where = g_strdup_printf("/network/ip[%td]/dhcp/range", ip - def->ips + 1);
    if (found >= 0 || !mv_network_check_dhcp_range(ip, &range, where, error)) {
        if (found >= 0)
            mv_error_set(error, FROM, MV_ERR_OPERATION_INVALID,
                         "there is an existing dhcp range entry in network '%s' that matches "
                         "\"<range start='%s' end='%s'/>\"", def->name, range.start, range.end);
        mv_network_dhcp_range_clear(&range);
        return false;
    }
    ip->has_dhcp = true;
    INSERT(ip->ranges, ip->nranges, command == MV_NETWORK_UPDATE_COMMAND_ADD_FIRST, &range);
    return true;
}

/* ---- forward-interface ---- */

static bool
mv_update_forward_if(MvNetworkDef *def, unsigned int command, int parent_index,
                     const xmlNode *node, GError **error)
{
    MvNetworkForwardDef *fwd = &def->forward;
    MvNetworkForwardIf iface = { 0 };
    int found = -1;

    (void)parent_index;
    if (command == MV_NETWORK_UPDATE_COMMAND_MODIFY)
        return mv_update_no_modify(def, "forward <interface> entries", error);
    if (!mv_network_parse_forward_if(node, &iface, error))
        return false;
    for (size_t i = 0; i < fwd->nifaces && found < 0; i++) {
        if (strcmp(fwd->ifaces[i].dev, iface.dev) == 0)
            found = (int)i;
    }
    if (command == MV_NETWORK_UPDATE_COMMAND_DELETE) {
        if (found < 0) {
            mv_error_set(error, FROM, MV_ERR_OPERATION_INVALID,
                         "couldn't find an interface entry in network '%s' matching "
                         "<interface dev='%s'>", def->name, iface.dev);
            mv_network_forward_if_clear(&iface);
            return false;
        }
        mv_network_forward_if_clear(&iface);
        mv_network_forward_if_clear(&fwd->ifaces[found]);
        REMOVE(fwd->ifaces, fwd->nifaces, (size_t)found);
        return true;
    }
    if (found >= 0) {
        mv_error_set(error, FROM, MV_ERR_OPERATION_INVALID,
                     "there is an existing interface entry in network '%s' that matches "
                     "\"<interface dev='%s'>\"", def->name, iface.dev);
        mv_network_forward_if_clear(&iface);
        return false;
    }
    INSERT(fwd->ifaces, fwd->nifaces, command == MV_NETWORK_UPDATE_COMMAND_ADD_FIRST, &iface);
    return true;
}

/* ---- portgroup ---- */

static bool
mv_update_portgroup(MvNetworkDef *def, unsigned int command, int parent_index,
                    const xmlNode *node, GError **error)
{
    MvNetworkPortGroupDef pg = { 0 };
    int found = -1, other_default = -1;

    (void)parent_index;
    if (!mv_network_parse_portgroup(node, &pg, error))
        return false;
    for (size_t i = 0; i < def->nportgroups; i++) {
        if (strcmp(def->portgroups[i].name, pg.name) == 0)
            found = (int)i;
        else if (def->portgroups[i].is_default)
            other_default = (int)i;
    }
    if (!mv_update_is_add(command)) {
        if (found < 0) {
            mv_error_set(error, FROM, MV_ERR_OPERATION_INVALID,
                         "couldn't find a portgroup entry in network '%s' matching "
                         "<portgroup name='%s'>", def->name, pg.name);
            goto fail;
        }
    } else if (found >= 0) {
        mv_error_set(error, FROM, MV_ERR_OPERATION_INVALID,
                     "there is an existing portgroup entry in network '%s' that matches "
                     "\"<portgroup name='%s'>\"", def->name, pg.name);
        goto fail;
    }
    if (command == MV_NETWORK_UPDATE_COMMAND_DELETE) {
        mv_network_portgroup_clear(&pg);
        mv_network_portgroup_clear(&def->portgroups[found]);
        REMOVE(def->portgroups, def->nportgroups, (size_t)found);
        return true;
    }
    if (pg.is_default && other_default >= 0) {
        mv_error_set(error, FROM, MV_ERR_OPERATION_INVALID,
                     "a different portgroup entry in network '%s' is already set as the "
                     "default ('%s'): only one default is allowed", def->name,
                     def->portgroups[other_default].name);
        goto fail;
    }
    if (command == MV_NETWORK_UPDATE_COMMAND_MODIFY) {
        mv_network_portgroup_clear(&def->portgroups[found]);
        def->portgroups[found] = pg;
        return true;
    }
    INSERT(def->portgroups, def->nportgroups, command == MV_NETWORK_UPDATE_COMMAND_ADD_FIRST,
           &pg);
    return true;

fail:
    mv_network_portgroup_clear(&pg);
    return false;
}

/* ---- dns-host, dns-txt, dns-srv ---- */

static bool
mv_update_dns_host(MvNetworkDef *def, unsigned int command, int parent_index,
                   const xmlNode *node, GError **error)
{
    MvNetworkDnsDef *dns = &def->dns;
    MvNetworkDnsHost host = { 0 };
    size_t matches = 0, found = 0;

    (void)parent_index;
    if (command == MV_NETWORK_UPDATE_COMMAND_MODIFY)
        return mv_update_no_modify(def, "DNS HOST records", error);
    if (!mv_network_parse_dns_host(node, &host, error))
        return false;
    for (size_t i = 0; i < dns->nhosts; i++) {
        bool match = mv_update_ip_eq(host.ip, dns->hosts[i].ip);

        for (char **name = host.hostnames; !match && *name; name++)
            match = g_strv_contains((const char *const *)dns->hosts[i].hostnames, *name);
        if (match) {
            matches++;
            found = i;
        }
    }
    if (mv_update_is_add(command)) {
        if (matches) {
            mv_network_dns_host_clear(&host);
            return mv_error_set(error, FROM, MV_ERR_OPERATION_INVALID,
                                "there is already at least one DNS HOST record with a "
                                "matching field in network %s", def->name);
        }
        dns->present = true;
        INSERT(dns->hosts, dns->nhosts, command == MV_NETWORK_UPDATE_COMMAND_ADD_FIRST, &host);
        return true;
    }
    mv_network_dns_host_clear(&host);
    if (matches != 1)
        return mv_error_set(error, FROM, MV_ERR_OPERATION_INVALID,
                            matches ? "multiple matching DNS HOST records were found in "
                                      "network %s"
                                    : "couldn't locate a matching DNS HOST record in network %s",
                            def->name);
    mv_network_dns_host_clear(&dns->hosts[found]);
    REMOVE(dns->hosts, dns->nhosts, found);
    return true;
}

static bool
mv_update_dns_txt(MvNetworkDef *def, unsigned int command, int parent_index,
                  const xmlNode *node, GError **error)
{
    MvNetworkDnsDef *dns = &def->dns;
    MvNetworkDnsTxt txt = { 0 };
    int found = -1;

    (void)parent_index;
    if (command == MV_NETWORK_UPDATE_COMMAND_MODIFY)
        return mv_update_no_modify(def, "DNS TXT records", error);
    if (!mv_network_parse_dns_txt(node, &txt, error))
        return false;
    for (size_t i = 0; i < dns->ntxts && found < 0; i++) {
        if (strcmp(dns->txts[i].name, txt.name) == 0)
            found = (int)i;
    }
    if (mv_update_is_add(command)) {
        if (found >= 0) {
            mv_error_set(error, FROM, MV_ERR_OPERATION_INVALID,
                         "there is already a DNS TXT record with name '%s' in network %s",
                         txt.name, def->name);
            mv_network_dns_txt_clear(&txt);
            return false;
        }
        dns->present = true;
        INSERT(dns->txts, dns->ntxts, command == MV_NETWORK_UPDATE_COMMAND_ADD_FIRST, &txt);
        return true;
    }
    mv_network_dns_txt_clear(&txt);
    if (found < 0)
        return mv_error_set(error, FROM, MV_ERR_OPERATION_INVALID,
                            "couldn't locate a matching DNS TXT record in network %s",
                            def->name);
    mv_network_dns_txt_clear(&dns->txts[found]);
    REMOVE(dns->txts, dns->ntxts, (size_t)found);
    return true;
}

/* Every field @want gives is equal in @have. */
static bool
mv_update_srv_matches(const MvNetworkDnsSrv *want, const MvNetworkDnsSrv *have)
{
    return (!want->service || mv_update_str_eq(want->service, have->service)) &&
           (!want->protocol || mv_update_str_eq(want->protocol, have->protocol)) &&
           (!want->domain || mv_update_str_eq(want->domain, have->domain)) &&
           (!want->target || mv_update_str_eq(want->target, have->target)) &&
           (want->port < 0 || want->port == have->port) &&
           (want->priority < 0 || want->priority == have->priority) &&
           (want->weight < 0 || want->weight == have->weight);
}

static bool
mv_update_dns_srv(MvNetworkDef *def, unsigned int command, int parent_index,
                  const xmlNode *node, GError **error)
{
    MvNetworkDnsDef *dns = &def->dns;
    MvNetworkDnsSrv srv = { 0 };
    size_t matches = 0, found = 0;

    (void)parent_index;
    if (command == MV_NETWORK_UPDATE_COMMAND_MODIFY)
        return mv_update_no_modify(def, "DNS SRV records", error);
    if (!mv_network_parse_dns_srv(node, &srv, error))
        return false;
    for (size_t i = 0; i < dns->nsrvs; i++) {
        if (mv_update_srv_matches(&srv, &dns->srvs[i])) {
            matches++;
            found = i;
        }
    }
    if (mv_update_is_add(command)) {
        if (matches) {
            mv_network_dns_srv_clear(&srv);
            return mv_error_set(error, FROM, MV_ERR_OPERATION_INVALID,
                                "there is already at least one DNS SRV record matching all "
                                "specified fields in network %s", def->name);
        }
        dns->present = true;
        INSERT(dns->srvs, dns->nsrvs, command == MV_NETWORK_UPDATE_COMMAND_ADD_FIRST, &srv);
        return true;
    }
    mv_network_dns_srv_clear(&srv);
    if (matches != 1)
        return mv_error_set(error, FROM, MV_ERR_OPERATION_INVALID,
                            matches ? "multiple DNS SRV records matching all specified fields "
                                      "were found in network %s"
                                    : "couldn't locate a matching DNS SRV record in network %s",
                            def->name);
    mv_network_dns_srv_clear(&dns->srvs[found]);
    REMOVE(dns->srvs, dns->nsrvs, found);
    return true;
}

/* ---- dispatch ---- */

static const char *const path_none[] = { NULL };
static const char *const path_dhcp[] = { "ip", "dhcp", NULL };
static const char *const path_forward[] = { "forward", NULL };
static const char *const path_dns[] = { "dns", NULL };

#define WRAP_NET "<network><name>update</name>%s</network>"
#define WRAP_DHCP "<network><name>update</name><ip address='0.0.0.0'><dhcp>%s</dhcp></ip></network>"
#define WRAP_FORWARD "<network><name>update</name><forward>%s</forward></network>"
#define WRAP_DNS "<network><name>update</name><dns>%s</dns></network>"

static const MvNetworkSection sections[] = {
    { MV_NETWORK_SECTION_BRIDGE, "bridge", "bridge", NULL, NULL, NULL },
    { MV_NETWORK_SECTION_DOMAIN, "domain", "domain", NULL, NULL, NULL },
    { MV_NETWORK_SECTION_IP, "ip", "ip", NULL, NULL, NULL },
    { MV_NETWORK_SECTION_IP_DHCP_HOST, "ip-dhcp-host", "host", WRAP_DHCP, path_dhcp,
      mv_update_dhcp_host },
    { MV_NETWORK_SECTION_IP_DHCP_RANGE, "ip-dhcp-range", "range", WRAP_DHCP, path_dhcp,
      mv_update_dhcp_range },
    { MV_NETWORK_SECTION_FORWARD, "forward", "forward", NULL, NULL, NULL },
    { MV_NETWORK_SECTION_FORWARD_INTERFACE, "forward-interface", "interface", WRAP_FORWARD,
      path_forward, mv_update_forward_if },
    { MV_NETWORK_SECTION_FORWARD_PF, "forward-pf", "pf", NULL, NULL, NULL },
    { MV_NETWORK_SECTION_PORTGROUP, "portgroup", "portgroup", WRAP_NET, path_none,
      mv_update_portgroup },
    { MV_NETWORK_SECTION_DNS_HOST, "dns-host", "host", WRAP_DNS, path_dns, mv_update_dns_host },
    { MV_NETWORK_SECTION_DNS_TXT, "dns-txt", "txt", WRAP_DNS, path_dns, mv_update_dns_txt },
    { MV_NETWORK_SECTION_DNS_SRV, "dns-srv", "srv", WRAP_DNS, path_dns, mv_update_dns_srv },
};

const char *
mv_network_update_section_to_string(unsigned int section)
{
    for (size_t i = 0; i < G_N_ELEMENTS(sections); i++) {
        if (sections[i].section == section)
            return sections[i].name;
    }
    return NULL;
}

/* Parses @xml, checks it is one <element>, and validates it by the network
 * schema inside the section's wrapper. Returns the wrapped document; *@ret_node
 * is the element in it. */
static xmlDoc *
mv_update_parse(const MvNetworkSection *sec, const char *xml, xmlNode **ret_node,
                GError **error)
{
    g_autoptr(xmlDoc) doc = mv_xml_parse_string(xml, NULL, error);
    g_autoptr(xmlDoc) wrapped = NULL;
    g_autofree char *text = NULL;
    g_autofree char *wrapper_text = NULL;
    xmlBuffer *buf;
    xmlNode *node;

    if (!doc)
        goto fail;
    node = xmlDocGetRootElement(doc);
    if (!mv_xml_node_is(node, sec->element) || node->ns) {
        mv_error_set(error, FROM, MV_ERR_XML_ERROR,
                     "unexpected element <%s>, expecting <%s>, while updating %s",
                     node ? (const char *)node->name : "", sec->element, sec->name);
        return NULL;
    }
    if (!(buf = xmlBufferCreate()))
        g_error("Cannot allocate an XML buffer");
    xmlNodeDump(buf, doc, node, 0, 0);
    text = g_strndup((const char *)xmlBufferContent(buf), xmlBufferLength(buf));
    xmlBufferFree(buf);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    wrapper_text = g_strdup_printf(sec->wrapper, text);
#pragma GCC diagnostic pop
    if (!(wrapped = mv_xml_parse_validated(wrapper_text, "network", error)))
        goto fail;
    node = xmlDocGetRootElement(wrapped);
    for (const char *const *step = sec->path; *step; step++)
        node = mv_xml_get_child(node, *step);
    *ret_node = mv_xml_get_child(node, sec->element);
    return g_steal_pointer(&wrapped);

fail:
    if (error && *error)
        mv_error_set_subsystem(*error, FROM);
    return NULL;
}

bool
mv_network_def_update(MvNetworkDef *def, unsigned int command, unsigned int section,
                      int parent_index, const char *xml, unsigned int flags, GError **error)
{
    const MvNetworkSection *sec = NULL;
    g_autoptr(MvNetworkDef) copy = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    xmlNode *node = NULL;
    MvNetworkDef swap;

    (void)flags;
    if (command < MV_NETWORK_UPDATE_COMMAND_MODIFY || command > MV_NETWORK_UPDATE_COMMAND_ADD_FIRST)
        return mv_error_set(error, FROM, MV_ERR_NO_SUPPORT,
                            "unrecognized network update command code %u", command);
    for (size_t i = 0; i < G_N_ELEMENTS(sections); i++) {
        if (sections[i].section == section)
            sec = &sections[i];
    }
    if (!sec)
        return mv_error_set(error, FROM, MV_ERR_NO_SUPPORT,
                            "can't update unrecognized section %u of network '%s'", section,
                            def->name);
    if (!sec->update)
        return mv_error_set(error, FROM, MV_ERR_NO_SUPPORT,
                            "can't update '%s' section of network '%s': modvirt updates "
                            "ip-dhcp-host, ip-dhcp-range, forward-interface, portgroup, "
                            "dns-host, dns-txt and dns-srv; redefine the network for the rest",
                            sec->name, def->name);
    if (!xml)
        return mv_error_set(error, FROM, MV_ERR_INVALID_ARG,
                            "no XML given to update the '%s' section", sec->name);
    if (!(doc = mv_update_parse(sec, xml, &node, error)))
        return false;
    copy = mv_network_def_copy(def);
    if (!sec->update(copy, command, parent_index, node, error) ||
        !mv_network_def_check(copy, error))
        return false;
    swap = *def;
    *def = *copy;
    *copy = swap;
    return true;
}
