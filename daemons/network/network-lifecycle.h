/* Starting and stopping networks on the host, and taking them back after a
 * daemon restart. A start, in order (each step undone in reverse when a later
 * one fails):
 *
 *   status phase='starting' → reserve the bridge name → create the bridge,
 *   its addresses, bring it up → filterd rules (forward nat/route) → IP
 *   forwarding (forwarding modes) → dnsmasq (when the network has DHCP or
 *   DNS) → status phase='active'
 *
 * The status file is rewritten after each step that made something, so a
 * daemon killed anywhere leaves a record of what to undo (see
 * docs/network.md, "Crash safety"). Fault points for the tests:
 * MV_TEST_CRASH_AT=net-start-<step> (network-lifecycle.c). */
#pragma once

#include "network-status.h"

G_BEGIN_DECLS

/**
 * mv_network_lifecycle_start:
 * Starts @net (job held, lock not held, inactive) with @def (taken: it
 * becomes net->live). Returns false with @error after undoing every step.
 * The caller emits the STARTED event.
 */
bool mv_network_lifecycle_start(MvNetworkDriver *driver, MvNetworkObj *net, MvNetworkDef *def,
                                GError **error);

/**
 * mv_network_lifecycle_stop:
 * Undoes what the start made (dnsmasq, firewall rules, bridge), deletes the
 * network's ports and its status file, and makes @net inactive (job held,
 * lock not held). Failures along the way are logged: the network ends
 * inactive.
 */
void mv_network_lifecycle_stop(MvNetworkDriver *driver, MvNetworkObj *net);

/**
 * mv_network_lifecycle_recover:
 * At start-up, for a status file @st of @net (inactive, no job yet): takes
 * back a network that was running (its bridge and dnsmasq are reused, not
 * recreated; a dnsmasq that died is started again), or undoes a start that
 * never finished. True when @net is live again.
 */
bool mv_network_lifecycle_recover(MvNetworkDriver *driver, MvNetworkObj *net,
                                  MvNetworkStatus *st);

/**
 * mv_network_lifecycle_detach:
 * Lets go of what the daemon holds for @net (the dnsmasq supervision) and
 * leaves the network running: the daemon is stopping.
 */
void mv_network_lifecycle_detach(MvNetworkDriver *driver, MvNetworkObj *net);

/**
 * mv_network_lifecycle_reload:
 * Applies a changed live definition of @net (job held) to its dnsmasq (new
 * config, SIGHUP), after net-update.
 */
bool mv_network_lifecycle_reload(MvNetworkDriver *driver, MvNetworkObj *net, GError **error);

/**
 * mv_network_lifecycle_check_start:
 * Refuses a start of @def that would clash with another active network of
 * the driver (same bridge, overlapping IP subnet) or with the host (bridge
 * name taken by a link that is not ours). @self is the network being started.
 */
bool mv_network_lifecycle_check_start(MvNetworkDriver *driver, MvNetworkObj *self,
                                      const MvNetworkDef *def, GError **error);

G_END_DECLS
