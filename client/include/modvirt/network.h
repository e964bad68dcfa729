/* libmodvirt virtual networks.
 *
 * An MvNetwork is a handle: the network's name and UUID plus a reference to
 * its connection. Every query asks the daemon (modvirt-networkd, opened on
 * the first network call of a connection); only mv_network_get_name() and
 * _get_uuid_string() read the handle. The daemon finds the network by UUID.
 *
 * Names say what happens:
 *   mv_network_start            starts a defined network (bridge, DHCP, NAT)
 *   mv_network_stop             stops it at once; the definition stays
 *   mv_network_start_transient  starts a network from XML without defining it
 *   mv_network_undefine         removes the persistent definition only; an
 *                               active network keeps running (as transient)
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include <modvirt/connect.h>

G_BEGIN_DECLS

typedef struct _MvNetwork MvNetwork;

/* Flags of mv_connect_list_networks(): each pair filters only when one of
 * its bits is given; no flags lists every network. (The library translates
 * them: on the wire networks number INACTIVE 1 and ACTIVE 2.) */
typedef enum {
    MV_LIST_NETWORKS_ACTIVE = 1u << 0,
    MV_LIST_NETWORKS_INACTIVE = 1u << 1,
    MV_LIST_NETWORKS_PERSISTENT = 1u << 2,
    MV_LIST_NETWORKS_TRANSIENT = 1u << 3,
    MV_LIST_NETWORKS_AUTOSTART = 1u << 4,
    MV_LIST_NETWORKS_NO_AUTOSTART = 1u << 5,
} MvListNetworksFlags;

/* Flags of mv_network_define() and mv_network_start_transient(). */
typedef enum {
    MV_NETWORK_DEFINE_VALIDATE = 1u << 0,   /* check the XML against the schema */
} MvNetworkDefineFlags;

/* Flags of mv_network_get_xml(). */
typedef enum {
    MV_NETWORK_XML_INACTIVE = 1u << 0,      /* the persistent definition, not the live one */
} MvNetworkXmlFlags;

/* The address family of a DHCP lease (the wire values). */
typedef enum {
    MV_IP_ADDRESS_IPV4 = 0,
    MV_IP_ADDRESS_IPV6 = 1,
} MvIpAddressType;

/* One DHCP lease, as mv_network_get_dhcp_leases() reports it. Strings are
 * owned by the lease; the optional ones are NULL when the daemon has none. */
typedef struct {
    char *interface;                    /* the network's bridge, e.g. "virbr0" */
    gint64 expiry_time;                 /* seconds since the epoch */
    MvIpAddressType type;
    char *mac;                          /* (nullable) the client's MAC address */
    char *iaid;                         /* (nullable) DHCPv6 identity association id */
    char *ip_address;                   /* "192.168.122.45" or an IPv6 address */
    unsigned int prefix;                /* prefix length of the address */
    char *hostname;                     /* (nullable) as the client announced it */
    char *client_id;                    /* (nullable) DHCP client id / DUID */
} MvNetworkDhcpLease;

/* ---- finding and defining ---------------------------------------------- */

/**
 * mv_connect_list_networks:
 * @flags: MvListNetworksFlags; 0 lists every network.
 * @ret_count: (out) (optional) the number of networks returned.
 *
 * Lists the networks in one call to the network daemon (a consistent
 * snapshot, never a count followed by a fetch).
 *
 * Returns: (transfer full) a NULL-terminated array of new handles sorted by
 *   name, empty (just the NULL) when there are none; free it with
 *   mv_network_list_free(). NULL with @error set on failure
 *   (MV_ERROR_NO_CONNECT when modvirt-networkd cannot be reached).
 */
MvNetwork **mv_connect_list_networks(MvConnect *conn, unsigned int flags, gsize *ret_count,
                                     GError **error);

/**
 * mv_network_list_free:
 * Unrefs every handle of a NULL-terminated @list and frees the array. NULL is fine.
 */
void mv_network_list_free(MvNetwork **list);

/**
 * mv_network_lookup_by_name:
 * @flags: none defined, pass 0.
 * Returns: (transfer full) a new handle, or NULL with @error set
 *   (MV_ERROR_NO_NETWORK when there is no such network).
 */
MvNetwork *mv_network_lookup_by_name(MvConnect *conn, const char *name, unsigned int flags,
                                     GError **error);

/**
 * mv_network_lookup_by_uuid:
 * @uuid: the UUID as a string ("8a3e...-..."); a malformed one fails with
 *   MV_ERROR_INVALID_ARG before anything is sent.
 * @flags: none defined, pass 0.
 * Returns: (transfer full) a new handle, or NULL with @error set
 *   (MV_ERROR_NO_NETWORK when there is no such network).
 */
MvNetwork *mv_network_lookup_by_uuid(MvConnect *conn, const char *uuid, unsigned int flags,
                                     GError **error);

/**
 * mv_network_define:
 * @xml: the network XML.
 * @flags: MvNetworkDefineFlags.
 * Creates a persistent definition, or replaces the one with the same name
 * and UUID. Nothing is started.
 * Returns: (transfer full) a handle to the network, or NULL with @error set
 *   (MV_ERROR_XML / MV_ERROR_XML_INVALID_SCHEMA for bad XML).
 */
MvNetwork *mv_network_define(MvConnect *conn, const char *xml, unsigned int flags,
                             GError **error);

/**
 * mv_network_start_transient:
 * @xml: the network XML.
 * @flags: MvNetworkDefineFlags.
 * Starts a network from @xml without a persistent definition: it disappears
 * when it is stopped.
 * Returns: (transfer full) a handle to the running network, or NULL with
 *   @error set.
 */
MvNetwork *mv_network_start_transient(MvConnect *conn, const char *xml, unsigned int flags,
                                      GError **error);

/* ---- the handle ---------------------------------------------------------- */

/** mv_network_ref: adds a reference to @net; returns it. NULL is returned unchanged. */
MvNetwork *mv_network_ref(MvNetwork *net);

/** mv_network_unref: drops a reference; the last one frees the handle. NULL is fine. */
void mv_network_unref(MvNetwork *net);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvNetwork, mv_network_unref)

/** mv_network_get_name: (transfer none) the name; valid while @net is. Makes no call. */
const char *mv_network_get_name(MvNetwork *net);

/** mv_network_get_uuid_string: (transfer none) the UUID as a string. Makes no call. */
const char *mv_network_get_uuid_string(MvNetwork *net);

/** mv_network_get_connect: (transfer none) the connection of @net. */
MvConnect *mv_network_get_connect(MvNetwork *net);

/* ---- lifecycle ----------------------------------------------------------- */

/**
 * mv_network_start:
 * @flags: none defined, pass 0.
 * Starts a defined network: its bridge, addresses, DHCP/DNS and forwarding.
 * Returns: true on success; false with @error set (MV_ERROR_OPERATION_INVALID
 *   when it is already active).
 */
bool mv_network_start(MvNetwork *net, unsigned int flags, GError **error);

/**
 * mv_network_stop:
 * @flags: none defined, pass 0.
 * Stops the network at once: guests attached to it lose connectivity. The
 * definition stays; a transient network disappears.
 * Returns: true on success; false with @error set.
 */
bool mv_network_stop(MvNetwork *net, unsigned int flags, GError **error);

/**
 * mv_network_undefine:
 * @flags: none defined, pass 0.
 * Removes the persistent definition. An active network keeps running and
 * disappears when it stops.
 * Returns: true on success; false with @error set.
 */
bool mv_network_undefine(MvNetwork *net, unsigned int flags, GError **error);

/* ---- queries and settings ------------------------------------------------ */

/**
 * mv_network_get_xml:
 * @flags: MvNetworkXmlFlags.
 * Returns: (transfer full) the network XML (the live one while it is active,
 *   unless MV_NETWORK_XML_INACTIVE); g_free() it. NULL with @error set.
 */
char *mv_network_get_xml(MvNetwork *net, unsigned int flags, GError **error);

/**
 * mv_network_get_autostart:
 * @flags: none defined, pass 0.
 * @ret_autostart: (out) untouched on failure.
 * Returns: true on success; false with @error set.
 */
bool mv_network_get_autostart(MvNetwork *net, unsigned int flags, bool *ret_autostart,
                              GError **error);

/**
 * mv_network_set_autostart:
 * @autostart: whether the daemon starts the network when it starts.
 * @flags: none defined, pass 0.
 * Returns: true on success; false with @error set (a transient network
 *   cannot autostart).
 */
bool mv_network_set_autostart(MvNetwork *net, bool autostart, unsigned int flags,
                              GError **error);

/**
 * mv_network_is_active:
 * @flags: none defined, pass 0.
 * @ret_active: (out) whether the network is running; untouched on failure.
 * Returns: true on success; false with @error set.
 */
bool mv_network_is_active(MvNetwork *net, unsigned int flags, bool *ret_active,
                          GError **error);

/**
 * mv_network_is_persistent:
 * @flags: none defined, pass 0.
 * @ret_persistent: (out) whether it has a persistent definition; untouched
 *   on failure.
 * Returns: true on success; false with @error set.
 */
bool mv_network_is_persistent(MvNetwork *net, unsigned int flags, bool *ret_persistent,
                              GError **error);

/**
 * mv_network_get_bridge_name:
 * @flags: none defined, pass 0.
 * Returns: (transfer full) the name of the network's bridge device
 *   ("virbr0"); g_free() it. NULL with @error set.
 */
char *mv_network_get_bridge_name(MvNetwork *net, unsigned int flags, GError **error);

/**
 * mv_network_get_dhcp_leases:
 * @mac: (nullable) only the leases of this MAC address; NULL for all.
 * @flags: none defined, pass 0.
 * @ret_count: (out) (optional) the number of leases returned.
 *
 * Reads the network's current DHCP leases in one call.
 *
 * Returns: (transfer full) a NULL-terminated array of leases in the order
 *   the daemon reports them, empty (just the NULL) when there are none; free
 *   it with mv_network_dhcp_lease_list_free(). NULL with @error set.
 */
MvNetworkDhcpLease **mv_network_get_dhcp_leases(MvNetwork *net, const char *mac,
                                                unsigned int flags, gsize *ret_count,
                                                GError **error);

/**
 * mv_network_dhcp_lease_free:
 * Frees one lease and its strings. NULL is fine.
 */
void mv_network_dhcp_lease_free(MvNetworkDhcpLease *lease);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvNetworkDhcpLease, mv_network_dhcp_lease_free)

/**
 * mv_network_dhcp_lease_list_free:
 * Frees every lease of a NULL-terminated @list and the array. NULL is fine.
 */
void mv_network_dhcp_lease_list_free(MvNetworkDhcpLease **list);

G_END_DECLS
