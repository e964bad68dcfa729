/* A network's own bridge, from its definition: create it with its addresses
 * (and IPv6 settings) and bring it up, check what exists after a restart,
 * delete it. On top of util/netlink.h; networkd calls these. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "network-def.h"

G_BEGIN_DECLS

/**
 * mv_network_bridge_create:
 * Creates the bridge of @def (def->bridge must be set; STP on unless
 * stp='off', the forward delay, MAC and MTU of @def), prepares its IPv6
 * settings (network-sysctl.h), adds every <ip> address with its prefix and
 * sets it up. A taken name is MV_ERR_OPERATION_FAILED "bridge name 'X' is in
 * use by another interface" and touches nothing; any later failure deletes
 * the bridge again, so no half-made bridge is left.
 */
bool mv_network_bridge_create(const MvNetworkDef *def, GError **error);

/**
 * mv_network_bridge_delete:
 * Deletes bridge @name. A bridge that is already gone is fine.
 */
bool mv_network_bridge_delete(const char *name, GError **error);

/**
 * mv_network_bridge_exists:
 * True in *@ret_exists when a link called @name exists (a bridge or not).
 */
bool mv_network_bridge_exists(const char *name, bool *ret_exists, GError **error);

/**
 * mv_network_bridge_verify:
 * Whether the bridge of @def is what mv_network_bridge_create() made: it
 * exists, is a bridge, is up, and has every address of @def. True when it
 * is; false with MV_ERR_OPERATION_FAILED saying what differs (networkd then
 * recreates it), or another error when the kernel could not be asked.
 */
bool mv_network_bridge_verify(const MvNetworkDef *def, GError **error);

G_END_DECLS
