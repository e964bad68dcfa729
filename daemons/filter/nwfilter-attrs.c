/* The protocol elements of a rule and their attributes, in canonical order
 * (the order the formatter writes and the compiler matches). Written from the
 * documented nwfilter format; see schemas/nwfilter.rng. */
#include "nwfilter-conf.h"

#include <string.h>

#define A(n, t, m) { n, MV_NWFILTER_VALUE_##t, m }
#define END { NULL, 0, 0 }

// clang-format off
static const MvNWFilterAttrInfo attrs_mac[] = {
    A("srcmacaddr", MAC, 0),
    A("srcmacmask", MAC, 0),
    A("dstmacaddr", MAC, 0),
    A("dstmacmask", MAC, 0),
    A("protocolid", PROTOID, 0),
    A("comment", STRING, 0),
    END,
};

static const MvNWFilterAttrInfo attrs_vlan[] = {
    A("srcmacaddr", MAC, 0),
    A("srcmacmask", MAC, 0),
    A("dstmacaddr", MAC, 0),
    A("dstmacmask", MAC, 0),
    A("vlanid", UINT, 4095),
    A("encap-protocol", PROTOID, 0),
    A("comment", STRING, 0),
    END,
};

static const MvNWFilterAttrInfo attrs_stp[] = {
    A("srcmacaddr", MAC, 0),
    A("srcmacmask", MAC, 0),
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
    A("srcmacaddr", MAC, 0),
    A("srcmacmask", MAC, 0),
    A("dstmacaddr", MAC, 0),
    A("dstmacmask", MAC, 0),
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
    A("srcmacaddr", MAC, 0),
    A("srcmacmask", MAC, 0),
    A("dstmacaddr", MAC, 0),
    A("dstmacmask", MAC, 0),
    A("srcipaddr", IPV4, 0),
    A("srcipmask", IPV4MASK, 0),
    A("dstipaddr", IPV4, 0),
    A("dstipmask", IPV4MASK, 0),
    A("protocol", L4PROTO, 0),
    A("srcportstart", UINT, 65535),
    A("srcportend", UINT, 65535),
    A("dstportstart", UINT, 65535),
    A("dstportend", UINT, 65535),
    A("dscp", UINT, 63),
    A("comment", STRING, 0),
    END,
};

static const MvNWFilterAttrInfo attrs_ipv6[] = {
    A("srcmacaddr", MAC, 0),
    A("srcmacmask", MAC, 0),
    A("dstmacaddr", MAC, 0),
    A("dstmacmask", MAC, 0),
    A("srcipaddr", IPV6, 0),
    A("srcipmask", IPV6MASK, 0),
    A("dstipaddr", IPV6, 0),
    A("dstipmask", IPV6MASK, 0),
    A("protocol", L4PROTO, 0),
    A("srcportstart", UINT, 65535),
    A("srcportend", UINT, 65535),
    A("dstportstart", UINT, 65535),
    A("dstportend", UINT, 65535),
    A("type", UINT, 255),
    A("typeend", UINT, 255),
    A("code", UINT, 255),
    A("codeend", UINT, 255),
    A("comment", STRING, 0),
    END,
};

static const MvNWFilterAttrInfo attrs_tcp[] = {
    A("srcmacaddr", MAC, 0),
    A("srcmacmask", MAC, 0),
    A("dstmacaddr", MAC, 0),
    A("dstmacmask", MAC, 0),
    A("srcipaddr", IPV4, 0),
    A("srcipmask", IPV4MASK, 0),
    A("dstipaddr", IPV4, 0),
    A("dstipmask", IPV4MASK, 0),
    A("srcipfrom", IPV4, 0),
    A("srcipto", IPV4, 0),
    A("dstipfrom", IPV4, 0),
    A("dstipto", IPV4, 0),
    A("srcportstart", UINT, 65535),
    A("srcportend", UINT, 65535),
    A("dstportstart", UINT, 65535),
    A("dstportend", UINT, 65535),
    A("flags", TCPFLAGS, 0),
    A("dscp", UINT, 63),
    A("comment", STRING, 0),
    A("state", STATE, 0),
    A("connlimit-above", UINT, 0xffffffff),
    A("ipset", IPSET, 0),
    A("ipsetflags", IPSETFLAGS, 0),
    END,
};

static const MvNWFilterAttrInfo attrs_udp[] = {
    A("srcmacaddr", MAC, 0),
    A("srcmacmask", MAC, 0),
    A("dstmacaddr", MAC, 0),
    A("dstmacmask", MAC, 0),
    A("srcipaddr", IPV4, 0),
    A("srcipmask", IPV4MASK, 0),
    A("dstipaddr", IPV4, 0),
    A("dstipmask", IPV4MASK, 0),
    A("srcipfrom", IPV4, 0),
    A("srcipto", IPV4, 0),
    A("dstipfrom", IPV4, 0),
    A("dstipto", IPV4, 0),
    A("srcportstart", UINT, 65535),
    A("srcportend", UINT, 65535),
    A("dstportstart", UINT, 65535),
    A("dstportend", UINT, 65535),
    A("dscp", UINT, 63),
    A("comment", STRING, 0),
    A("state", STATE, 0),
    A("connlimit-above", UINT, 0xffffffff),
    A("ipset", IPSET, 0),
    A("ipsetflags", IPSETFLAGS, 0),
    END,
};

static const MvNWFilterAttrInfo attrs_icmp[] = {
    A("srcmacaddr", MAC, 0),
    A("srcmacmask", MAC, 0),
    A("dstmacaddr", MAC, 0),
    A("dstmacmask", MAC, 0),
    A("srcipaddr", IPV4, 0),
    A("srcipmask", IPV4MASK, 0),
    A("dstipaddr", IPV4, 0),
    A("dstipmask", IPV4MASK, 0),
    A("srcipfrom", IPV4, 0),
    A("srcipto", IPV4, 0),
    A("dstipfrom", IPV4, 0),
    A("dstipto", IPV4, 0),
    A("type", UINT, 255),
    A("code", UINT, 255),
    A("dscp", UINT, 63),
    A("comment", STRING, 0),
    A("state", STATE, 0),
    A("connlimit-above", UINT, 0xffffffff),
    A("ipset", IPSET, 0),
    A("ipsetflags", IPSETFLAGS, 0),
    END,
};

static const MvNWFilterAttrInfo attrs_esp[] = {
    A("srcmacaddr", MAC, 0),
    A("srcmacmask", MAC, 0),
    A("dstmacaddr", MAC, 0),
    A("dstmacmask", MAC, 0),
    A("srcipaddr", IPV4, 0),
    A("srcipmask", IPV4MASK, 0),
    A("dstipaddr", IPV4, 0),
    A("dstipmask", IPV4MASK, 0),
    A("srcipfrom", IPV4, 0),
    A("srcipto", IPV4, 0),
    A("dstipfrom", IPV4, 0),
    A("dstipto", IPV4, 0),
    A("dscp", UINT, 63),
    A("comment", STRING, 0),
    A("state", STATE, 0),
    A("connlimit-above", UINT, 0xffffffff),
    A("ipset", IPSET, 0),
    A("ipsetflags", IPSETFLAGS, 0),
    END,
};

static const MvNWFilterAttrInfo attrs_tcp_ipv6[] = {
    A("srcmacaddr", MAC, 0),
    A("srcmacmask", MAC, 0),
    A("dstmacaddr", MAC, 0),
    A("dstmacmask", MAC, 0),
    A("srcipaddr", IPV6, 0),
    A("srcipmask", IPV6MASK, 0),
    A("dstipaddr", IPV6, 0),
    A("dstipmask", IPV6MASK, 0),
    A("srcipfrom", IPV6, 0),
    A("srcipto", IPV6, 0),
    A("dstipfrom", IPV6, 0),
    A("dstipto", IPV6, 0),
    A("srcportstart", UINT, 65535),
    A("srcportend", UINT, 65535),
    A("dstportstart", UINT, 65535),
    A("dstportend", UINT, 65535),
    A("flags", TCPFLAGS, 0),
    A("dscp", UINT, 63),
    A("comment", STRING, 0),
    A("state", STATE, 0),
    A("connlimit-above", UINT, 0xffffffff),
    A("ipset", IPSET, 0),
    A("ipsetflags", IPSETFLAGS, 0),
    END,
};

static const MvNWFilterAttrInfo attrs_udp_ipv6[] = {
    A("srcmacaddr", MAC, 0),
    A("srcmacmask", MAC, 0),
    A("dstmacaddr", MAC, 0),
    A("dstmacmask", MAC, 0),
    A("srcipaddr", IPV6, 0),
    A("srcipmask", IPV6MASK, 0),
    A("dstipaddr", IPV6, 0),
    A("dstipmask", IPV6MASK, 0),
    A("srcipfrom", IPV6, 0),
    A("srcipto", IPV6, 0),
    A("dstipfrom", IPV6, 0),
    A("dstipto", IPV6, 0),
    A("srcportstart", UINT, 65535),
    A("srcportend", UINT, 65535),
    A("dstportstart", UINT, 65535),
    A("dstportend", UINT, 65535),
    A("dscp", UINT, 63),
    A("comment", STRING, 0),
    A("state", STATE, 0),
    A("connlimit-above", UINT, 0xffffffff),
    A("ipset", IPSET, 0),
    A("ipsetflags", IPSETFLAGS, 0),
    END,
};

static const MvNWFilterAttrInfo attrs_icmpv6[] = {
    A("srcmacaddr", MAC, 0),
    A("srcmacmask", MAC, 0),
    A("dstmacaddr", MAC, 0),
    A("dstmacmask", MAC, 0),
    A("srcipaddr", IPV6, 0),
    A("srcipmask", IPV6MASK, 0),
    A("dstipaddr", IPV6, 0),
    A("dstipmask", IPV6MASK, 0),
    A("srcipfrom", IPV6, 0),
    A("srcipto", IPV6, 0),
    A("dstipfrom", IPV6, 0),
    A("dstipto", IPV6, 0),
    A("type", UINT, 255),
    A("code", UINT, 255),
    A("dscp", UINT, 63),
    A("comment", STRING, 0),
    A("state", STATE, 0),
    A("connlimit-above", UINT, 0xffffffff),
    A("ipset", IPSET, 0),
    A("ipsetflags", IPSETFLAGS, 0),
    END,
};

static const MvNWFilterAttrInfo attrs_esp_ipv6[] = {
    A("srcmacaddr", MAC, 0),
    A("srcmacmask", MAC, 0),
    A("dstmacaddr", MAC, 0),
    A("dstmacmask", MAC, 0),
    A("srcipaddr", IPV6, 0),
    A("srcipmask", IPV6MASK, 0),
    A("dstipaddr", IPV6, 0),
    A("dstipmask", IPV6MASK, 0),
    A("srcipfrom", IPV6, 0),
    A("srcipto", IPV6, 0),
    A("dstipfrom", IPV6, 0),
    A("dstipto", IPV6, 0),
    A("dscp", UINT, 63),
    A("comment", STRING, 0),
    A("state", STATE, 0),
    A("connlimit-above", UINT, 0xffffffff),
    A("ipset", IPSET, 0),
    A("ipsetflags", IPSETFLAGS, 0),
    END,
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
