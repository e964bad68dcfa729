/* A network's <bandwidth> on its bridge, with tc through libnl.
 *
 * Seen from the network: inbound is what flows to the guests, the bridge's
 * egress: an HTB root qdisc (1:) with one class (1:1, rate = average, ceil =
 * peak, burst) that all traffic falls into. Outbound is what the guests send,
 * the bridge's ingress; the kernel here has no policing action (tc police /
 * CONFIG_NET_ACT_POLICE), so an ingress qdisc redirects everything (u32
 * match-all + mirred) to an ifb device "mvifb<ifindex of the bridge>" whose
 * egress is shaped by the same HTB setup. Rates are KiB/s (1024 bytes),
 * bursts KiB. What the kernel lacks is named in the error (its CONFIG_
 * option). <floor> (per-port guarantees) is refused: it needs per-port
 * classes. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "network-def.h"

G_BEGIN_DECLS

/**
 * mv_network_bandwidth_check:
 * Whether @bw can be applied (no floor, average > 0, peak >= average when
 * set). MV_ERR_CONFIG_UNSUPPORTED naming the problem otherwise.
 */
bool mv_network_bandwidth_check(const MvNetworkBandwidth *bw, GError **error);

/**
 * mv_network_bandwidth_set:
 * Replaces the shaping on @bridge with @bw (NULL or empty: none), creating
 * or removing the ifb device for outbound. On failure nothing of it stays.
 */
bool mv_network_bandwidth_set(const char *bridge, const MvNetworkBandwidth *bw,
                              GError **error);

/**
 * mv_network_bandwidth_clear:
 * Removes every qdisc set by mv_network_bandwidth_set() from @bridge and
 * deletes its ifb device. Missing pieces are fine (also a missing bridge).
 */
bool mv_network_bandwidth_clear(const char *bridge, GError **error);

/**
 * mv_network_bandwidth_ifb_name:
 * The ifb device name used for @bridge's outbound shaping, or NULL when the
 * bridge does not exist. Caller frees.
 */
char *mv_network_bandwidth_ifb_name(const char *bridge);

G_END_DECLS
