/* The per-network DHCP lease file, as networkd reads it.
 *
 * dnsmasq runs with --leasefile-ro and calls the lease helper
 * (modvirt-leasehelper, leasehelper.c) on every lease change; the helper keeps
 * the file (format: network-leasefile.h), rewritten atomically under an flock
 * on "<file>.lock". networkd answers net-dhcp-leases (and qemud's domifaddr
 * --source lease) with mv_network_leases_read(); nothing parses dnsmasq's own
 * files. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "network-def.h"

G_BEGIN_DECLS

typedef struct {
    MvNetworkIpFamily family;
    char *ip;
    char *mac;                  /* lowercase; NULL for an IPv6 lease without a known MAC */
    char *hostname;             /* or NULL */
    char *client_id;            /* DHCPv4 client id, or the client's DUID for IPv6; or NULL */
    char *iaid;                 /* IPv6 only, else NULL */
    char *iface;                /* the bridge dnsmasq saw the client on, or NULL */
    gint64 expiry;              /* seconds since the epoch; 0 = never expires */
} MvNetworkDhcpLease;

/** mv_network_dhcp_lease_free: NULL is a no-op. */
void mv_network_dhcp_lease_free(MvNetworkDhcpLease *lease);

/**
 * mv_network_leases_read:
 * The leases recorded in the lease file @path that have not expired, in file
 * order, optionally only those whose MAC is @mac (any case; NULL: all), as a
 * new array of MvNetworkDhcpLease in *@ret_leases. A missing file means no
 * leases. A corrupt file is MV_ERR_INTERNAL_ERROR naming it and the line.
 */
bool mv_network_leases_read(const char *path, const char *mac, GPtrArray **ret_leases,
                            GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvNetworkDhcpLease, mv_network_dhcp_lease_free)

G_END_DECLS
