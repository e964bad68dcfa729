/* Internals of network_conf_lib shared by its files (parse, check, format,
 * update, ports). Not for the daemon. */
#pragma once

#include <libxml/tree.h>

#include "network-def.h"
#include "util/error.h"
#include "util/xml.h"

G_BEGIN_DECLS

/* ---- addresses (network-check.c) ---- */

typedef struct {
    MvNetworkIpFamily family;
    guint8 bytes[16];           /* 4 used for IPv4 */
} MvNetAddr;

/* Parses an IPv4 or IPv6 address; false when malformed. */
bool mv_net_addr_parse(const char *text, MvNetAddr *ret);
/* memcmp order of two addresses of one family. */
int mv_net_addr_cmp(const MvNetAddr *a, const MvNetAddr *b);
/* True when @addr lies in @net/@prefix (same family). */
bool mv_net_addr_in_subnet(const MvNetAddr *addr, const MvNetAddr *net, unsigned int prefix);
/* The prefix length of a contiguous IPv4 netmask, or -1. */
int mv_net_netmask_prefix(const char *netmask);

/* Reads address attribute @name of @node into *@ret (canonical text) when
 * present: "<path>: invalid IP address 'V' in attribute 'NAME'" otherwise. */
bool mv_net_prop_addr(const xmlNode *node, const char *name, char **ret, GError **error);
/* Reads a MAC attribute (lowercased; multicast refused). */
bool mv_net_prop_mac(const xmlNode *node, const char *name, guint8 mac[6], GError **error);
void mv_net_mac_format(const guint8 mac[6], char ret[18]);

/* ---- element parsers (network-conf.c), used by network-update.c ---- */

bool mv_network_parse_dhcp_range(const xmlNode *node, MvNetworkDhcpRange *ret, GError **error);
bool mv_network_parse_dhcp_host(const xmlNode *node, MvNetworkDhcpHost *ret, GError **error);
bool mv_network_parse_dns_host(const xmlNode *node, MvNetworkDnsHost *ret, GError **error);
bool mv_network_parse_dns_txt(const xmlNode *node, MvNetworkDnsTxt *ret, GError **error);
bool mv_network_parse_dns_srv(const xmlNode *node, MvNetworkDnsSrv *ret, GError **error);
bool mv_network_parse_portgroup(const xmlNode *node, MvNetworkPortGroupDef *ret,
                                GError **error);
bool mv_network_parse_forward_if(const xmlNode *node, MvNetworkForwardIf *ret,
                                 GError **error);
bool mv_network_parse_bandwidth(const xmlNode *node, bool allow_floor,
                                MvNetworkBandwidth **ret, GError **error);
char *mv_network_parse_metadata(const xmlNode *node);
bool mv_network_parse_uuid(const xmlNode *node, guint8 uuid[16], GError **error);

/* ---- element formatters (network-format.c) ---- */

void mv_network_format_dhcp_host(GString *out, int indent, const MvNetworkDhcpHost *host);
void mv_network_format_dhcp_range(GString *out, int indent, const MvNetworkDhcpRange *range);
void mv_network_format_bandwidth(GString *out, int indent, const MvNetworkBandwidth *bw);
void mv_network_format_metadata(GString *out, int indent, const char *metadata);
void mv_network_format_indent(GString *out, int indent);
void mv_network_format_attr(GString *out, const char *name, const char *value);
void mv_network_format_text_element(GString *out, int indent, const char *name,
                                    const char *text);

/* ---- element checks (network-check.c) ---- */

/* Checks @host against @ip (family rules, address in the subnet). */
bool mv_network_check_dhcp_host(const MvNetworkIpDef *ip, const MvNetworkDhcpHost *host,
                                const char *where, GError **error);
bool mv_network_check_dhcp_range(const MvNetworkIpDef *ip, const MvNetworkDhcpRange *range,
                                 const char *where, GError **error);

/* ---- free and copy of the parts (network-def.c) ---- */

void mv_network_dhcp_range_clear(MvNetworkDhcpRange *range);
void mv_network_dhcp_host_clear(MvNetworkDhcpHost *host);
void mv_network_dns_host_clear(MvNetworkDnsHost *host);
void mv_network_dns_txt_clear(MvNetworkDnsTxt *txt);
void mv_network_dns_srv_clear(MvNetworkDnsSrv *srv);
void mv_network_portgroup_clear(MvNetworkPortGroupDef *pg);
void mv_network_forward_if_clear(MvNetworkForwardIf *iface);
void mv_network_ip_clear(MvNetworkIpDef *ip);

/* "ipv4" or "ipv6". */
const char *mv_network_ip_family_to_string(MvNetworkIpFamily family);

G_END_DECLS
