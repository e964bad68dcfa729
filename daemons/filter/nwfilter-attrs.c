/* The protocol elements of a rule and their attributes, in canonical order
 * (the order the formatter writes and the compiler matches). Written from the
 * documented nwfilter format; see schemas/nwfilter.rng. */
#include "nwfilter-conf.h"

#include <string.h>

#define A(n, t, m) { n, MV_NWFILTER_VALUE_##t, m }
#define END { NULL, 0, 0 }

/* Runs of attributes that several elements share, in their canonical order.
 * F is the address family's value type, IPV4 or IPV6 (its mask is F##MASK). */
#define MAC_SRC A("srcmacaddr", MAC, 0), A("srcmacmask", MAC, 0)
#define MAC_HDR MAC_SRC, A("dstmacaddr", MAC, 0), A("dstmacmask", MAC, 0)
#define IP_ADDRS(F) \
    A("srcipaddr", F, 0), A("srcipmask", F##MASK, 0), \
    A("dstipaddr", F, 0), A("dstipmask", F##MASK, 0)
#define IP_RANGES(F) \
    A("srcipfrom", F, 0), A("srcipto", F, 0), A("dstipfrom", F, 0), A("dstipto", F, 0)
#define PORTS \
    A("srcportstart", UINT, 65535), A("srcportend", UINT, 65535), \
    A("dstportstart", UINT, 65535), A("dstportend", UINT, 65535)
/* The head and tail of every L4 element (tcp, udp, icmp, esp ... and -ipv6). */
#define L4_HEAD(F) MAC_HDR, IP_ADDRS(F), IP_RANGES(F)
#define L4_TAIL \
    A("dscp", UINT, 63), A("comment", STRING, 0), A("state", STATE, 0), \
    A("connlimit-above", UINT, 0xffffffff), A("ipset", IPSET, 0), \
    A("ipsetflags", IPSETFLAGS, 0)

// clang-format off
static const MvNWFilterAttrInfo attrs_mac[] = {
    MAC_HDR,
    A("protocolid", PROTOID, 0),
    A("comment", STRING, 0),
    END,
};

static const MvNWFilterAttrInfo attrs_vlan[] = {
    MAC_HDR,
    A("vlanid", UINT, 4095),
    A("encap-protocol", PROTOID, 0),
    A("comment", STRING, 0),
    END,
};

static const MvNWFilterAttrInfo attrs_stp[] = {
    MAC_SRC,
    A("type", UINT, 255),
    A("flags", UINT, 255),
    A("root-priority", UINT, 65535),
    A("root-priority-hi", UINT, 65535),
    A("root-address", MAC, 0),
    A("root-address-mask", MAC, 0),
    A("root-cost", UINT, 0xffffffff),
    A("root-cost-hi", UINT, 0xffffffff),
    A("sender-priority", UINT, 65535),
    A("sender-priority-hi", UINT, 65535),
    A("sender-address", MAC, 0),
    A("sender-address-mask", MAC, 0),
    A("port", UINT, 65535),
    A("port-hi", UINT, 65535),
    A("msg-age", UINT, 65535),
    A("msg-age-hi", UINT, 65535),
    A("max-age", UINT, 65535),
    A("max-age-hi", UINT, 65535),
    A("hello-time", UINT, 65535),
    A("hello-time-hi", UINT, 65535),
    A("forward-delay", UINT, 65535),
    A("forward-delay-hi", UINT, 65535),
    A("comment", STRING, 0),
    END,
};

static const MvNWFilterAttrInfo attrs_arp[] = {
    MAC_HDR,
    A("hwtype", UINT, 65535),
    A("protocoltype", UINT, 65535),
    A("opcode", OPCODE, 0),
    A("arpsrcmacaddr", MAC, 0),
    A("arpdstmacaddr", MAC, 0),
    A("arpsrcipaddr", IPV4, 0),
    A("arpsrcipmask", IPV4MASK, 0),
    A("arpdstipaddr", IPV4, 0),
    A("arpdstipmask", IPV4MASK, 0),
    A("gratuitous", BOOL, 0),
    A("comment", STRING, 0),
    END,
};

static const MvNWFilterAttrInfo attrs_ip[] = {
    MAC_HDR,
    IP_ADDRS(IPV4),
    A("protocol", L4PROTO, 0),
    PORTS,
    A("dscp", UINT, 63),
    A("comment", STRING, 0),
    END,
};

static const MvNWFilterAttrInfo attrs_ipv6[] = {
    MAC_HDR,
    IP_ADDRS(IPV6),
    A("protocol", L4PROTO, 0),
    PORTS,
    A("type", UINT, 255),
    A("typeend", UINT, 255),
    A("code", UINT, 255),
    A("codeend", UINT, 255),
    A("comment", STRING, 0),
    END,
};

static const MvNWFilterAttrInfo attrs_tcp[] = {
    L4_HEAD(IPV4), PORTS, A("flags", TCPFLAGS, 0), L4_TAIL, END,
};

static const MvNWFilterAttrInfo attrs_udp[] = {
    L4_HEAD(IPV4), PORTS, L4_TAIL, END,
};

static const MvNWFilterAttrInfo attrs_icmp[] = {
    L4_HEAD(IPV4), A("type", UINT, 255), A("code", UINT, 255), L4_TAIL, END,
};

static const MvNWFilterAttrInfo attrs_esp[] = {
    L4_HEAD(IPV4), L4_TAIL, END,
};

static const MvNWFilterAttrInfo attrs_tcp_ipv6[] = {
    L4_HEAD(IPV6), PORTS, A("flags", TCPFLAGS, 0), L4_TAIL, END,
};

static const MvNWFilterAttrInfo attrs_udp_ipv6[] = {
    L4_HEAD(IPV6), PORTS, L4_TAIL, END,
};

static const MvNWFilterAttrInfo attrs_icmpv6[] = {
    L4_HEAD(IPV6), A("type", UINT, 255), A("code", UINT, 255), L4_TAIL, END,
};

static const MvNWFilterAttrInfo attrs_esp_ipv6[] = {
    L4_HEAD(IPV6), L4_TAIL, END,
};

static const MvNWFilterProtoInfo protos[] = {
    { "mac", MV_NWFILTER_LAYER_L2, 0, NULL, attrs_mac },
    { "vlan", MV_NWFILTER_LAYER_L2, 0, NULL, attrs_vlan },
    { "stp", MV_NWFILTER_LAYER_L2, 0, NULL, attrs_stp },
    { "arp", MV_NWFILTER_LAYER_L2, 0, NULL, attrs_arp },
    { "rarp", MV_NWFILTER_LAYER_L2, 0, NULL, attrs_arp },
    { "ip", MV_NWFILTER_LAYER_IP, 4, NULL, attrs_ip },
    { "ipv6", MV_NWFILTER_LAYER_IP, 6, NULL, attrs_ipv6 },
    { "tcp", MV_NWFILTER_LAYER_L4, 4, "tcp", attrs_tcp },
    { "udp", MV_NWFILTER_LAYER_L4, 4, "udp", attrs_udp },
    { "sctp", MV_NWFILTER_LAYER_L4, 4, "sctp", attrs_udp },
    { "icmp", MV_NWFILTER_LAYER_L4, 4, "icmp", attrs_icmp },
    { "esp", MV_NWFILTER_LAYER_L4, 4, "esp", attrs_esp },
    { "ah", MV_NWFILTER_LAYER_L4, 4, "ah", attrs_esp },
    { "udplite", MV_NWFILTER_LAYER_L4, 4, "udplite", attrs_esp },
    { "all", MV_NWFILTER_LAYER_L4, 4, NULL, attrs_esp },
    { "tcp-ipv6", MV_NWFILTER_LAYER_L4, 6, "tcp", attrs_tcp_ipv6 },
    { "udp-ipv6", MV_NWFILTER_LAYER_L4, 6, "udp", attrs_udp_ipv6 },
    { "sctp-ipv6", MV_NWFILTER_LAYER_L4, 6, "sctp", attrs_udp_ipv6 },
    { "icmpv6", MV_NWFILTER_LAYER_L4, 6, "icmpv6", attrs_icmpv6 },
    { "esp-ipv6", MV_NWFILTER_LAYER_L4, 6, "esp", attrs_esp_ipv6 },
    { "ah-ipv6", MV_NWFILTER_LAYER_L4, 6, "ah", attrs_esp_ipv6 },
    { "udplite-ipv6", MV_NWFILTER_LAYER_L4, 6, "udplite", attrs_esp_ipv6 },
    { "all-ipv6", MV_NWFILTER_LAYER_L4, 6, NULL, attrs_esp_ipv6 },
    { "igmp", MV_NWFILTER_LAYER_L4, 4, "igmp", attrs_esp },
};
// clang-format on

const MvNWFilterProtoInfo *
mv_nwfilter_proto_find(const char *name)
{
    for (gsize i = 0; name && i < G_N_ELEMENTS(protos); i++) {
        if (strcmp(protos[i].name, name) == 0)
            return &protos[i];
    }
    return NULL;
}

const MvNWFilterAttrInfo *
mv_nwfilter_proto_attr(const MvNWFilterProtoInfo *proto, const char *name)
{
    for (const MvNWFilterAttrInfo *a = proto->attrs; a->name; a++) {
        if (strcmp(a->name, name) == 0)
            return a;
    }
    return NULL;
}
