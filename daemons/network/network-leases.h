/* The per-network DHCP lease file.
 *
 * dnsmasq runs with --leasefile-ro and calls the lease helper
 * (modvirt-leasehelper, leasehelper.c) on every lease change; the helper keeps
 * this file, a JSON document rewritten atomically under an flock on
 * "<file>.lock":
 *
 *   { "server-duid": "00:01:…",            (IPv6 only, from dnsmasq)
 *     "leases": [ { "family": "ipv4" | "ipv6", "ip": "10.0.0.5",
 *                   "mac": "52:54:00:…", "hostname": "vm1", "client-id": "01:52:…",
 *                   "iaid": "12345" (IPv6), "interface": "virbr1",
 *                   "expiry-time": 1796313367 (seconds since the epoch, 0 = never) } ] }
 *
 * networkd answers net-dhcp-leases (and qemud's domifaddr --source lease)
 * with mv_network_leases_read(); nothing parses dnsmasq's own files. */
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

/* The whole file (what the lease helper works on). */
typedef struct {
    char *server_duid;          /* or NULL */
    GPtrArray *leases;          /* of MvNetworkDhcpLease */
} MvNetworkLeaseFile;

/** mv_network_dhcp_lease_free: NULL is a no-op. */
void mv_network_dhcp_lease_free(MvNetworkDhcpLease *lease);

/** mv_network_lease_file_free: NULL is a no-op. */
void mv_network_lease_file_free(MvNetworkLeaseFile *file);

/**
 * mv_network_leases_read:
 * The leases recorded in the lease file @path that have not expired, in file
 * order, optionally only those whose MAC is @mac (any case; NULL: all), as a
 * new array of MvNetworkDhcpLease in *@ret_leases. A missing file means no
 * leases. A corrupt file is MV_ERR_INTERNAL_ERROR naming it.
 */
bool mv_network_leases_read(const char *path, const char *mac, GPtrArray **ret_leases,
                            GError **error);

/**
 * mv_network_lease_file_load:
 * Parses the lease file @path (missing: an empty one) into a new
 * MvNetworkLeaseFile (caller frees), expired leases included.
 */
MvNetworkLeaseFile *mv_network_lease_file_load(const char *path, GError **error);

/**
 * mv_network_lease_file_save:
 * Drops leases that expired before @now, then replaces @path atomically
 * (mode 0644) with @file.
 */
bool mv_network_lease_file_save(MvNetworkLeaseFile *file, const char *path, gint64 now,
                                GError **error);

/**
 * mv_network_lease_file_set:
 * Records @lease (ownership moves to @file), replacing the lease of the same
 * family and IP.
 */
void mv_network_lease_file_set(MvNetworkLeaseFile *file, MvNetworkDhcpLease *lease);

/**
 * mv_network_lease_file_remove:
 * Forgets the lease of @family on @ip; true if there was one.
 */
bool mv_network_lease_file_remove(MvNetworkLeaseFile *file, MvNetworkIpFamily family,
                                  const char *ip);

/**
 * mv_network_lease_file_to_dnsmasq:
 * The leases that have not expired at @now in the text dnsmasq reads from a
 * --dhcp-script called with "init" (its lease file syntax: "EXPIRY MAC IP
 * HOSTNAME CLIENTID" lines, and for IPv6 a "duid SERVERDUID" line followed by
 * "EXPIRY IAID IP HOSTNAME DUID" lines). Caller frees.
 */
char *mv_network_lease_file_to_dnsmasq(const MvNetworkLeaseFile *file, gint64 now);

/**
 * mv_network_lease_file_lock:
 * Takes an exclusive flock on "@path.lock" (created 0600), waiting for other
 * holders. Returns the lock fd (close it to unlock) or -1 with @error.
 */
int mv_network_lease_file_lock(const char *path, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvNetworkDhcpLease, mv_network_dhcp_lease_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvNetworkLeaseFile, mv_network_lease_file_free)

G_END_DECLS
