/* Links, addresses and routes through rtnetlink (libnl-route-3): bridges for
 * networks, link state, enslaving ports, reading back what exists. Generic:
 * nothing here knows about network definitions (daemons/network/network-bridge.h
 * does). networkd makes its bridges with it, qemud plugs guests' taps.
 *
 * Every call opens its own short-lived netlink socket, so calls are
 * thread-safe and act on the network namespace of the calling thread.
 * Errors are MV_ERROR with subsystem MV_FROM_NET and name the link. */
#pragma once

#include <glib.h>
#include <stdbool.h>

G_BEGIN_DECLS

/* The longest link name the kernel takes (IFNAMSIZ - 1). */
#define MV_NETLINK_NAME_MAX 15

typedef struct {
    const char *name;           /* required, 1..MV_NETLINK_NAME_MAX bytes */
    const char *mac;            /* "52:54:00:aa:bb:cc", or NULL: the kernel picks one */
    guint mtu;                  /* 0: the kernel default */
    bool stp;                   /* spanning tree on */
    guint forward_delay;        /* seconds */
} MvNetlinkBridgeConfig;

/* One link as the kernel reports it. */
typedef struct {
    int ifindex;
    char *name;
    char *kind;                 /* "bridge", "veth", "tun", "ifb"…; NULL for none */
    char *mac;                  /* "aa:bb:cc:dd:ee:ff" or NULL */
    guint mtu;
    bool up;                    /* administratively up (IFF_UP) */
    int master_ifindex;         /* the bridge it is a port of, 0: none */
} MvNetlinkLink;

/* One address on a link. */
typedef struct {
    int family;                 /* AF_INET or AF_INET6 */
    char *address;              /* "10.0.0.1", "fd00::1" */
    guint prefix;
} MvNetlinkAddr;

/**
 * mv_netlink_link_free:
 * Frees @link; NULL is a no-op.
 */
void mv_netlink_link_free(MvNetlinkLink *link);

/**
 * mv_netlink_addr_free:
 * Frees @addr; NULL is a no-op.
 */
void mv_netlink_addr_free(MvNetlinkAddr *addr);

/**
 * mv_netlink_name_check:
 * True when @name is usable as a link name (1..15 bytes, no '/', ':' or
 * whitespace, not "." or ".."); false with MV_ERR_INVALID_ARG naming it.
 */
bool mv_netlink_name_check(const char *name, GError **error);

/**
 * mv_netlink_link_get:
 * Reads link @name. True with *@ret_link set (caller frees) when it exists,
 * true with *@ret_link = NULL when there is no such link; false with @error
 * only when the kernel could not be asked.
 */
bool mv_netlink_link_get(const char *name, MvNetlinkLink **ret_link, GError **error);

/**
 * mv_netlink_link_exists:
 * True in *@ret_exists when a link named @name exists (of any kind).
 */
bool mv_netlink_link_exists(const char *name, bool *ret_exists, GError **error);

/**
 * mv_netlink_bridge_create:
 * Creates the bridge of @config, down, with its STP state, forward delay, MAC
 * and MTU set in the same request. A taken name fails with
 * MV_ERR_OPERATION_FAILED "bridge name 'X' is in use by another interface".
 */
bool mv_netlink_bridge_create(const MvNetlinkBridgeConfig *config, GError **error);

/**
 * mv_netlink_link_create:
 * Creates a link @name of a kind that needs no parameters ("ifb", "bridge"
 * with defaults), down. A taken name is an error as for bridges.
 */
bool mv_netlink_link_create(const char *name, const char *kind, GError **error);

/**
 * mv_netlink_link_delete:
 * Deletes link @name (the kernel releases a bridge's ports first). A missing
 * link is an error (MV_ERR_OPERATION_FAILED naming it).
 */
bool mv_netlink_link_delete(const char *name, GError **error);

/**
 * mv_netlink_link_set_up:
 * Sets link @name administratively up (@up) or down.
 */
bool mv_netlink_link_set_up(const char *name, bool up, GError **error);

/**
 * mv_netlink_link_set_mac_mtu:
 * Sets the MAC address of link @name to @mac (6 bytes; NULL: unchanged) and
 * its MTU to @mtu (0: unchanged), in one request.
 */
bool mv_netlink_link_set_mac_mtu(const char *name, const guint8 *mac, guint mtu, GError **error);

/**
 * mv_netlink_bridge_port_set_isolated:
 * Makes link @name, a bridge port, an isolated port (IFLA_BRPORT_ISOLATED):
 * it talks to non-isolated ports only.
 */
bool mv_netlink_bridge_port_set_isolated(const char *name, GError **error);

/**
 * mv_netlink_link_set_master:
 * Makes @name a port of bridge @master, or releases it from its bridge when
 * @master is NULL. Works for any link (taps, veths).
 */
bool mv_netlink_link_set_master(const char *name, const char *master, GError **error);

/**
 * mv_netlink_addr_add:
 * Adds @address/@prefix (IPv4 or IPv6 text) to link @name. IPv4 gets the
 * subnet's broadcast address; IPv6 is added without duplicate address
 * detection (IFA_F_NODAD), so a daemon can bind it at once. An address the
 * link already has is an error.
 */
bool mv_netlink_addr_add(const char *name, const char *address, guint prefix, GError **error);

/**
 * mv_netlink_addr_del:
 * Removes @address/@prefix from link @name.
 */
bool mv_netlink_addr_del(const char *name, const char *address, guint prefix, GError **error);

/**
 * mv_netlink_addr_list:
 * The IPv4 and global/unique-local IPv6 addresses of link @name (IPv6
 * link-local fe80::/10 ones left out), in the kernel's order, as a new array
 * of MvNetlinkAddr (caller unrefs). A missing link is an error.
 */
GPtrArray *mv_netlink_addr_list(const char *name, GError **error);

/**
 * mv_netlink_route_add:
 * Adds a route to @dest/@prefix in the main table, via @gateway (NULL: a
 * directly connected route) out of link @name (NULL: the kernel picks it from
 * the gateway). An existing identical route is an error.
 */
bool mv_netlink_route_add(const char *dest, guint prefix, const char *gateway, const char *name,
                          GError **error);

/**
 * mv_netlink_route_del:
 * Removes the route added by mv_netlink_route_add() with the same arguments.
 */
bool mv_netlink_route_del(const char *dest, guint prefix, const char *gateway, const char *name,
                          GError **error);

/**
 * mv_netlink_route_exists:
 * True in *@ret_exists when the main table has a route to @dest/@prefix
 * (through any gateway or link).
 */
bool mv_netlink_route_exists(const char *dest, guint prefix, bool *ret_exists, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvNetlinkLink, mv_netlink_link_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvNetlinkAddr, mv_netlink_addr_free)

G_END_DECLS
