/* MvNetworkPortDef: a network port (libvirt's <networkport> XML), the piece of a
 * network handed to one guest NIC. Parse and format: network-port-conf.c.
 * Fields are only ever added here, never renamed (other branches use them). */
#pragma once

#include "network-def.h"

G_BEGIN_DECLS

typedef enum {
    MV_NETWORK_PORT_PLUG_NONE = 0,  /* no <plug>: not plugged yet */
    MV_NETWORK_PORT_PLUG_NETWORK,   /* a bridge networkd created */
    MV_NETWORK_PORT_PLUG_BRIDGE,    /* an existing host bridge (forward mode='bridge') */
} MvNetworkPortPlugType;

typedef struct {
    guint8 uuid[16];            /* generated when the XML has none */
    char *owner_name;           /* the guest's name */
    guint8 owner_uuid[16];      /* the guest's UUID */
    guint8 mac[6];              /* required */
    char *group;                /* portgroup name, or NULL */
    MvNetworkBandwidth *bandwidth;  /* NULL when absent */
    unsigned int class_id;      /* <class id=…/>: tc class of the bandwidth floor; 0 = none */
    char *virtualport;          /* the <virtualport> element, serialized as given; or NULL */
    int trust_guest_rx_filters; /* <rxfilters trustGuest=…>: -1 absent, 1 yes, 0 no */
    int port_isolated;          /* <port isolated=…>: -1 absent, 1 yes, 0 no */
    MvNetworkPortPlugType plug_type;
    char *plug_bridge;          /* <plug bridge=…> */
    MvNetworkMacTableManager plug_mac_table_manager;
} MvNetworkPortDef;

/**
 * mv_network_port_def_parse:
 * Parses @xml, validates it against schemas/networkport.rng and checks it (owner
 * and mac required, a plug names its bridge). Generates the UUID when absent.
 * Errors have subsystem MV_FROM_NETWORK and name the node path.
 */
MvNetworkPortDef *mv_network_port_def_parse(const char *xml, unsigned int flags,
                                            GError **error);

/** mv_network_port_def_format: the canonical XML; format(parse(x)) is stable. */
char *mv_network_port_def_format(const MvNetworkPortDef *def, unsigned int flags);

/** mv_network_port_def_copy: a deep copy. */
MvNetworkPortDef *mv_network_port_def_copy(const MvNetworkPortDef *def);

/** mv_network_port_def_free: NULL is fine. */
void mv_network_port_def_free(MvNetworkPortDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvNetworkPortDef, mv_network_port_def_free)

/** "network", "bridge" ("none" for NONE); -1 when unknown. */
const char *mv_network_port_plug_type_to_string(MvNetworkPortPlugType type);
int mv_network_port_plug_type_from_string(const char *str);

G_END_DECLS
