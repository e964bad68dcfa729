/* Subnets of a network's <ip> elements: what start checks against the other
 * active networks. */
#pragma once

#include "network-def.h"

G_BEGIN_DECLS

/**
 * mv_network_subnet_overlap:
 * True when the subnets of @a and @b (address/prefix) share an address:
 * same family and equal on the shorter prefix. False for unparsable ones.
 */
bool mv_network_subnet_overlap(const MvNetworkIpDef *a, const MvNetworkIpDef *b);

/**
 * mv_network_subnet_network:
 * The network address of @address/@prefix as text ("10.0.0.0"), or NULL when
 * @address is not an IPv4/IPv6 address or @prefix is too long. Caller frees.
 */
char *mv_network_subnet_network(const char *address, unsigned int prefix);

/** mv_network_subnet_text: "10.0.0.0/24" for @ip ("?/24" when unparsable). Caller frees. */
char *mv_network_subnet_text(const MvNetworkIpDef *ip);

G_END_DECLS
