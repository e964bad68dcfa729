/* networkd's side of the firewall: a network's rules (NAT, forwarding,
 * DHCP/DNS accepts) are written by modvirt-filterd, never by networkd. This
 * glue turns a network definition into filterd's rule set request
 * (network-firewall.h, the private program) at start and removes it at stop.
 *   nat, route   rules required: a start fails when filterd does not answer,
 *                with an error naming modvirt-filterd and its socket;
 *   isolated     rules when filterd answers (forwarding rejected, DHCP/DNS
 *                accepted); without filterd the network works unfiltered;
 *   open, bridge no rules. */
#pragma once

#include "network-driver.h"

G_BEGIN_DECLS

/** mv_network_firewall_glue_wanted: @def gets a rule set (nat, route, isolated). */
bool mv_network_firewall_glue_wanted(const MvNetworkDef *def);

/**
 * mv_network_firewall_glue_add:
 * Has filterd install the rule set of @def. True with *@ret_applied false
 * when an isolated network goes without rules (filterd not running).
 */
bool mv_network_firewall_glue_add(MvNetworkDriver *driver, const MvNetworkDef *def,
                                  bool *ret_applied, GError **error);

/** mv_network_firewall_glue_remove: has filterd drop them (failures logged). */
void mv_network_firewall_glue_remove(MvNetworkDriver *driver, const MvNetworkDef *def);

G_END_DECLS
