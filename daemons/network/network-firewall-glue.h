/* networkd's side of the firewall: a network that forwards (nat, route)
 * needs rules (NAT, forwarding, DHCP/DNS accept) that modvirt-filterd
 * writes, never networkd. This glue asks filterd for them at start and drops
 * them at stop; until filterd answers, such a start fails with an error
 * naming filterd and its socket. Isolated and open networks need no rules. */
#pragma once

#include "network-driver.h"

G_BEGIN_DECLS

/** mv_network_firewall_glue_needed: @def forwards with rules (nat, route). */
bool mv_network_firewall_glue_needed(const MvNetworkDef *def);

/** mv_network_firewall_glue_add: has filterd install the rule set of @def. */
bool mv_network_firewall_glue_add(MvNetworkDriver *driver, const MvNetworkDef *def,
                                  GError **error);

/** mv_network_firewall_glue_remove: has filterd drop them (failures logged). */
void mv_network_firewall_glue_remove(MvNetworkDriver *driver, const MvNetworkDef *def);

G_END_DECLS
