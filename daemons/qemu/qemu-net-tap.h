/* Host side of a guest NIC: the tap device QEMU reads and writes, and the
 * bridge it is plugged into. Only links of the daemon's own network
 * namespace are touched; bridges are never created or changed here (a
 * bridge belongs to the administrator or to modvirt-networkd). Netlink
 * through libnl-route-3; no `ip` subprocess. */
#pragma once

#include <glib.h>
#include <stdbool.h>

G_BEGIN_DECLS

/**
 * mv_qemu_net_tap_create:
 * Creates a tap device (IFF_TAP | IFF_NO_PI, and IFF_VNET_HDR when the kernel
 * offers it) called @name, or the first free vnetN when @name is NULL, and
 * returns its open /dev/net/tun fd (close-on-exec). The tap is not
 * persistent: it disappears when the last fd on it closes (QEMU's, once the
 * guest stops). The name the kernel gave is in *@ret_name (caller frees).
 * Returns -1 with @error (MV_ERR_OPERATION_FAILED naming the device) otherwise.
 */
int mv_qemu_net_tap_create(const char *name, char **ret_name, GError **error);

/**
 * mv_qemu_net_tap_plug:
 * Gives @tap the host-side MAC of a guest whose MAC is @guest_mac (its first
 * byte 0xFE, so the bridge never adopts it as its own address), the MTU @mtu
 * (0: the bridge's), makes it a port of the existing bridge @bridge and sets
 * it up (@up) or down. Errors: MV_ERR_CONFIG_UNSUPPORTED when @bridge does not
 * exist or is not a bridge (the message names it), MV_ERR_OPERATION_FAILED
 * for what the kernel refused.
 */
bool mv_qemu_net_tap_plug(const char *tap, const guint8 guest_mac[6], const char *bridge,
                          unsigned int mtu, bool up, GError **error);

/* Isolating the port and its link state: util/netlink.h
 * (mv_netlink_bridge_port_set_isolated, mv_netlink_link_set_up). */

G_END_DECLS
