/* Kernel network settings under /proc/sys/net, changed only when asked.
 *
 * /proc/sys/net belongs to the network namespace of the calling thread, so
 * tests in a private namespace never touch the host's settings. */
#pragma once

#include <glib.h>
#include <stdbool.h>

G_BEGIN_DECLS

/**
 * mv_network_sysctl_write:
 * Writes @value to /proc/sys/@key (a '/'-separated path such as
 * "net/ipv4/ip_forward"; no "..", no leading '/').
 */
bool mv_network_sysctl_write(const char *key, const char *value, GError **error);

/**
 * mv_network_sysctl_read:
 * The value of /proc/sys/@key without its trailing newline in *@ret_value
 * (caller frees).
 */
bool mv_network_sysctl_read(const char *key, char **ret_value, GError **error);

/**
 * mv_network_sysctl_forwarding_enable:
 * Turns on IP forwarding for @family (AF_INET: net.ipv4.ip_forward; AF_INET6:
 * net.ipv6.conf.all.forwarding). Called when a forwarding network starts;
 * never turned off again (other networks or the host may rely on it). A value
 * that is already 1 is left alone.
 */
bool mv_network_sysctl_forwarding_enable(int family, GError **error);

/**
 * mv_network_sysctl_bridge_ipv6:
 * Prepares the IPv6 settings of @bridge, which must exist. With @enable (the
 * network has IPv6 addresses): IPv6 on, no router advertisements accepted, no
 * autoconfiguration, no duplicate address detection, so the bridge never
 * takes an address it was not given and dnsmasq can bind at once. Without:
 * IPv6 off on the bridge (no link-local address either). A kernel without
 * IPv6 is an error only when @enable is set.
 */
bool mv_network_sysctl_bridge_ipv6(const char *bridge, bool enable, GError **error);

G_END_DECLS
