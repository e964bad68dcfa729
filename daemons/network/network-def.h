/* MvNetworkDef: a parsed virtual network definition (libvirt-compatible network
 * XML, the subset schemas/network.rng accepts). networkd works on this struct,
 * never on XML. Addresses are kept as canonical text (what g_inet_address_to_string()
 * gives), so the dnsmasq config and the plumbing can use them as they are.
 *
 * Parse and format: network-conf.c; virNetworkUpdate operations: network-update.c.
 * Fields are only ever added here, never renamed (other branches use them). */
#pragma once

#include <glib.h>
#include <stdbool.h>

G_BEGIN_DECLS

typedef enum {
    MV_NETWORK_FORWARD_NONE = 0,    /* no <forward>: isolated */
    MV_NETWORK_FORWARD_NAT,
    MV_NETWORK_FORWARD_ROUTE,
    MV_NETWORK_FORWARD_OPEN,
    MV_NETWORK_FORWARD_BRIDGE,      /* an existing host bridge: nothing is created */
} MvNetworkForwardMode;

typedef enum {
    MV_NETWORK_MAC_TABLE_DEFAULT = 0,   /* attribute absent */
    MV_NETWORK_MAC_TABLE_KERNEL,
    MV_NETWORK_MAC_TABLE_LIBVIRT,
} MvNetworkMacTableManager;

typedef enum {
    MV_NETWORK_LEASE_SECONDS = 0,
    MV_NETWORK_LEASE_MINUTES,       /* the default unit of <lease expiry=…> */
    MV_NETWORK_LEASE_HOURS,
} MvNetworkLeaseUnit;

/* <lease expiry='N' unit='…'/> of a dhcp range or host. */
typedef struct {
    bool set;                   /* a <lease> element was given */
    guint64 expiry;             /* in @unit; 0 = infinite */
    MvNetworkLeaseUnit unit;
} MvNetworkLease;

/* One direction of <bandwidth>. Rates in KiB/s, burst in KiB; 0 = unset. */
typedef struct {
    guint64 average;
    guint64 peak;
    guint64 burst;
    guint64 floor;              /* inbound only */
} MvNetworkBandwidthRate;

typedef struct {
    MvNetworkBandwidthRate *in;     /* <inbound>, NULL when absent */
    MvNetworkBandwidthRate *out;    /* <outbound>, NULL when absent */
} MvNetworkBandwidth;

typedef struct {
    char *start;
    char *end;
    MvNetworkLease lease;
} MvNetworkDhcpRange;

typedef struct {
    char *mac;                  /* lowercase "52:54:00:12:34:56", or NULL (IPv6 hosts) */
    char *id;                   /* client id / DUID (IPv6), or NULL */
    char *name;                 /* hostname, or NULL */
    char *ip;                   /* or NULL (a name-only host) */
    MvNetworkLease lease;
} MvNetworkDhcpHost;

typedef enum {
    MV_NETWORK_IP_V4 = 0,
    MV_NETWORK_IP_V6,
} MvNetworkIpFamily;

typedef struct {
    MvNetworkIpFamily family;
    bool family_set;            /* family= was written (formatted back only then) */
    char *address;
    unsigned int prefix;        /* always set after parsing (from netmask or the default) */
    char *netmask;              /* IPv4 written as netmask=…: kept for the round trip */
    bool prefix_set;            /* prefix= was written */
    bool has_dhcp;              /* a <dhcp> element (maybe empty) */
    MvNetworkDhcpRange *ranges;
    size_t nranges;
    MvNetworkDhcpHost *hosts;
    size_t nhosts;
    char *bootp_file;           /* <dhcp><bootp file= server=/>; NULL when absent */
    char *bootp_server;
} MvNetworkIpDef;

typedef struct {
    char *addr;                 /* NULL: only a domain */
    char *domain;               /* NULL: every domain */
} MvNetworkDnsForwarder;

typedef struct {
    char *ip;
    char **hostnames;           /* NULL-terminated, at least one */
} MvNetworkDnsHost;

typedef struct {
    char *service;
    char *protocol;             /* "tcp" | "udp" */
    char *domain;               /* or NULL */
    char *target;               /* or NULL */
    int port;                   /* -1 = unset; else 0..65535 */
    int priority;               /* -1 = unset */
    int weight;                 /* -1 = unset */
} MvNetworkDnsSrv;

typedef struct {
    char *name;
    char *value;
} MvNetworkDnsTxt;

typedef struct {
    bool present;               /* a <dns> element */
    int enable;                 /* -1 absent, 1 yes, 0 no (no DNS server at all) */
    int forward_plain_names;    /* -1 absent, 1 yes, 0 no */
    MvNetworkDnsForwarder *forwarders;
    size_t nforwarders;
    MvNetworkDnsHost *hosts;
    size_t nhosts;
    MvNetworkDnsSrv *srvs;
    size_t nsrvs;
    MvNetworkDnsTxt *txts;
    size_t ntxts;
} MvNetworkDnsDef;

typedef struct {
    char *dev;
} MvNetworkForwardIf;

typedef struct {
    MvNetworkForwardMode mode;
    char *dev;                  /* <forward dev=…>, or NULL */
    char *nat_addr_start;       /* <nat><address start= end=/>, or NULL */
    char *nat_addr_end;
    unsigned int nat_port_start;    /* <nat><port start= end=/>; 0 = unset */
    unsigned int nat_port_end;
    MvNetworkForwardIf *ifaces; /* <interface dev=…/> children */
    size_t nifaces;
} MvNetworkForwardDef;

typedef struct {
    char *name;
    bool is_default;
    MvNetworkBandwidth *bandwidth;  /* NULL when absent */
} MvNetworkPortGroupDef;

typedef struct {
    char *name;
    guint8 uuid[16];            /* generated when the XML has none */
    char *title;
    char *description;
    char *metadata;             /* the <metadata> element's children, serialized; NULL if none */

    char *bridge;               /* <bridge name=…>; NULL when absent (networkd picks one) */
    int stp;                    /* -1 absent, 1 on, 0 off */
    int delay;                  /* forward delay in seconds; -1 absent */
    MvNetworkMacTableManager mac_table_manager;

    guint8 mac[6];              /* bridge MAC; generated (52:54:00:…) for created bridges */
    bool has_mac;
    unsigned int mtu;           /* 0 = unset */

    char *domain;               /* <domain name=…> */
    int domain_local_only;      /* -1 absent, 1 yes, 0 no */

    MvNetworkForwardDef forward;
    MvNetworkIpDef *ips;
    size_t nips;
    MvNetworkDnsDef dns;
    int port_isolated;          /* <port isolated=…>: -1 absent, 1 yes, 0 no */
    MvNetworkBandwidth *bandwidth;  /* NULL when absent */
    MvNetworkPortGroupDef *portgroups;
    size_t nportgroups;

    unsigned int connections;   /* live only: ports in use; formatted unless INACTIVE */
} MvNetworkDef;

/* Parse flags (none yet: every parse is schema-validated). */
typedef enum {
    MV_NETWORK_PARSE_NONE = 0,
} MvNetworkParseFlags;

/* Format flags; INACTIVE has libvirt's VIR_NETWORK_XML_INACTIVE value. */
typedef enum {
    MV_NETWORK_FORMAT_INACTIVE = 1 << 0,  /* drop live-only data (connections='N') */
} MvNetworkFormatFlags;

/**
 * mv_network_def_parse:
 * Parses @xml, validates it against schemas/network.rng (unknown content is
 * MV_ERR_XML_ERROR naming its path) and checks what the schema cannot say
 * (prefixes, ranges inside the subnet, forward mode constraints…:
 * MV_ERR_XML_DETAIL or MV_ERR_CONFIG_UNSUPPORTED, subsystem MV_FROM_NETWORK, with
 * the node path). Generates the UUID and, for a network whose bridge networkd
 * creates, the bridge MAC when absent. Returns a new def or NULL with @error set.
 */
MvNetworkDef *mv_network_def_parse(const char *xml, unsigned int flags, GError **error);

/**
 * mv_network_def_format:
 * The canonical XML of @def; format(parse(x)) is stable. Never fails.
 */
char *mv_network_def_format(const MvNetworkDef *def, unsigned int flags);

/**
 * mv_network_def_check:
 * The semantic checks mv_network_def_parse() runs, for a def changed in place
 * (network-update.c runs it after every change).
 */
bool mv_network_def_check(const MvNetworkDef *def, GError **error);

/** mv_network_def_copy: a deep copy. */
MvNetworkDef *mv_network_def_copy(const MvNetworkDef *def);

/** mv_network_def_free: NULL is fine. */
void mv_network_def_free(MvNetworkDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvNetworkDef, mv_network_def_free)

/** Bandwidth helpers (shared with network ports). NULL is fine for free/copy. */
void mv_network_bandwidth_free(MvNetworkBandwidth *bw);
MvNetworkBandwidth *mv_network_bandwidth_copy(const MvNetworkBandwidth *bw);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvNetworkBandwidth, mv_network_bandwidth_free)

/** "none" (isolated), "nat", "route", "open", "bridge"; -1 when unknown. */
const char *mv_network_forward_mode_to_string(MvNetworkForwardMode mode);
int mv_network_forward_mode_from_string(const char *str);

/**
 * mv_network_def_creates_bridge:
 * True when networkd creates (and owns) the bridge of @def: every forward mode
 * except "bridge".
 */
bool mv_network_def_creates_bridge(const MvNetworkDef *def);

/**
 * mv_network_def_find_portgroup:
 * The portgroup called @name, or the default one when @name is NULL; NULL if none.
 */
const MvNetworkPortGroupDef *mv_network_def_find_portgroup(const MvNetworkDef *def,
                                                           const char *name);

/**
 * mv_network_lease_seconds:
 * The lease time of @lease in seconds (0 = infinite, or unset).
 */
guint64 mv_network_lease_seconds(const MvNetworkLease *lease);

/* ---- virNetworkUpdate (network-update.c) ---- */

/* virNetworkUpdateCommand values. */
typedef enum {
    MV_NETWORK_UPDATE_COMMAND_NONE = 0,
    MV_NETWORK_UPDATE_COMMAND_MODIFY = 1,
    MV_NETWORK_UPDATE_COMMAND_DELETE = 2,
    MV_NETWORK_UPDATE_COMMAND_ADD_LAST = 3,
    MV_NETWORK_UPDATE_COMMAND_ADD_FIRST = 4,
} MvNetworkUpdateCommand;

/* virNetworkUpdateSection values. */
typedef enum {
    MV_NETWORK_SECTION_NONE = 0,
    MV_NETWORK_SECTION_BRIDGE = 1,
    MV_NETWORK_SECTION_DOMAIN = 2,
    MV_NETWORK_SECTION_IP = 3,
    MV_NETWORK_SECTION_IP_DHCP_HOST = 4,
    MV_NETWORK_SECTION_IP_DHCP_RANGE = 5,
    MV_NETWORK_SECTION_FORWARD = 6,
    MV_NETWORK_SECTION_FORWARD_INTERFACE = 7,
    MV_NETWORK_SECTION_FORWARD_PF = 8,
    MV_NETWORK_SECTION_PORTGROUP = 9,
    MV_NETWORK_SECTION_DNS_HOST = 10,
    MV_NETWORK_SECTION_DNS_TXT = 11,
    MV_NETWORK_SECTION_DNS_SRV = 12,
} MvNetworkUpdateSection;

/* virNetworkUpdateFlags values (the daemon decides live/config; the def code
 * ignores them). */
typedef enum {
    MV_NETWORK_UPDATE_AFFECT_CURRENT = 0,
    MV_NETWORK_UPDATE_AFFECT_LIVE = 1 << 0,
    MV_NETWORK_UPDATE_AFFECT_CONFIG = 1 << 1,
} MvNetworkUpdateFlags;

/**
 * mv_network_def_update:
 * Applies one virNetworkUpdate change to @def in place: @command (MvNetworkUpdateCommand)
 * of @section (MvNetworkUpdateSection) with the element @xml; @parent_index picks
 * the <ip> for the ip-dhcp-* sections (-1: libvirt's choice, the first <ip> with
 * dhcp ranges or hosts, else the first IPv4 one). On error @def is unchanged:
 * MV_ERR_OPERATION_INVALID for a duplicate or missing entry, MV_ERR_NO_SUPPORT for
 * a section networkd does not update (bridge, domain, ip, forward, forward-pf) or
 * a modify the section does not allow, MV_ERR_XML_ERROR / MV_ERR_XML_DETAIL for
 * bad @xml, and the parser's errors when the result would not be a valid network.
 */
bool mv_network_def_update(MvNetworkDef *def, unsigned int command, unsigned int section,
                           int parent_index, const char *xml, unsigned int flags,
                           GError **error);

/** "bridge", "domain", "ip", "ip-dhcp-host"… (virsh's names); NULL when unknown. */
const char *mv_network_update_section_to_string(unsigned int section);

G_END_DECLS
