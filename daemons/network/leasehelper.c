/* modvirt-leasehelper: dnsmasq's --dhcp-script for networkd's networks.
 *
 * dnsmasq (started by networkd with MV_LEASE_FILE=<lease file> in its
 * environment, which the script inherits) runs it as
 *
 *   modvirt-leasehelper init                        print the leases to keep
 *   modvirt-leasehelper add|old MAC|DUID IP [HOST]  a lease was made or renewed
 *   modvirt-leasehelper del MAC|DUID IP [HOST]      a lease ended
 *
 * with DNSMASQ_* variables for the rest (client id, expiry, IAID, interface).
 * Every change rewrites the lease file atomically under its flock, so
 * concurrent calls and readers never see half a file. Other actions (tftp,
 * arp-*) are ignored. Exit status 0 on success; dnsmasq logs our stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "network-leases.h"
#include "util/error.h"

/* $name when set and not empty, else NULL. */
static const char *
env(const char *name)
{
    const char *value = g_getenv(name);

    return value && *value ? value : NULL;
}

/* The expiry time dnsmasq reports: DNSMASQ_LEASE_EXPIRES (seconds since the
 * epoch, 0 = infinite), or DNSMASQ_LEASE_LENGTH on builds without a
 * trustworthy clock. */
static gint64
lease_expiry(gint64 now)
{
    const char *expires = env("DNSMASQ_LEASE_EXPIRES");
    const char *length = env("DNSMASQ_LEASE_LENGTH");

    if (expires)
        return g_ascii_strtoll(expires, NULL, 10);
    if (length) {
        gint64 len = g_ascii_strtoll(length, NULL, 10);

        return len == 0 ? 0 : now + len;
    }
    return 0;
}

static MvNetworkDhcpLease *
lease_from_args(int argc, char **argv, gint64 now)
{
    MvNetworkDhcpLease *lease = g_new0(MvNetworkDhcpLease, 1);
    bool v6 = env("DNSMASQ_IAID") != NULL || strchr(argv[3], ':') != NULL;

    lease->family = v6 ? MV_NETWORK_IP_V6 : MV_NETWORK_IP_V4;
    lease->ip = g_strdup(argv[3]);
    if (v6) {
        lease->client_id = g_strdup(argv[2]);
        lease->iaid = g_strdup(env("DNSMASQ_IAID"));
        lease->mac = g_ascii_strdown(env("DNSMASQ_MAC") ? env("DNSMASQ_MAC") : "", -1);
    } else {
        lease->mac = g_ascii_strdown(argv[2], -1);
        lease->client_id = g_strdup(env("DNSMASQ_CLIENT_ID"));
    }
    if (lease->mac && !*lease->mac)
        g_clear_pointer(&lease->mac, g_free);
    lease->hostname = g_strdup(argc > 4 && *argv[4] ? argv[4] : NULL);
    lease->iface = g_strdup(env("DNSMASQ_INTERFACE"));
    lease->expiry = lease_expiry(now);
    return lease;
}

static int
fail(const char *what, GError *error)
{
    fprintf(stderr, "modvirt-leasehelper: %s: %s\n", what, error ? error->message : "");
    g_clear_error(&error);
    return 1;
}

int
main(int argc, char **argv)
{
    const char *path = env("MV_LEASE_FILE");
    g_autoptr(MvNetworkLeaseFile) file = NULL;
    gint64 now = g_get_real_time() / G_USEC_PER_SEC;
    GError *error = NULL;
    int lock;
    bool add, del;

    if (argc < 2) {
        fprintf(stderr, "usage: modvirt-leasehelper init|add|old|del [MAC IP [HOSTNAME]]\n"
                        "(run by dnsmasq as its --dhcp-script, with MV_LEASE_FILE set)\n");
        return 2;
    }
    if (!path) {
        fprintf(stderr, "modvirt-leasehelper: MV_LEASE_FILE is not set: networkd sets it in "
                        "dnsmasq's environment\n");
        return 1;
    }
    add = strcmp(argv[1], "add") == 0 || strcmp(argv[1], "old") == 0;
    del = strcmp(argv[1], "del") == 0;
    if (strcmp(argv[1], "init") != 0 && !add && !del)
        return 0;   /* tftp, arp-add, arp-del, relay-snoop: not ours */
    if ((add || del) && argc < 4) {
        fprintf(stderr, "modvirt-leasehelper: '%s' needs a MAC (or DUID) and an IP\n", argv[1]);
        return 2;
    }

    if ((lock = mv_network_lease_file_lock(path, &error)) < 0)
        return fail("cannot lock the lease file", error);
    if (!(file = mv_network_lease_file_load(path, &error))) {
        close(lock);
        return fail("cannot read the lease file", error);
    }
    if (!add && !del) {
        g_autofree char *text = mv_network_lease_file_to_dnsmasq(file, now);

        close(lock);
        fputs(text, stdout);
        return fflush(stdout) == 0 ? 0 : 1;
    }
    if (add) {
        MvNetworkDhcpLease *lease = lease_from_args(argc, argv, now);

        if (lease->family == MV_NETWORK_IP_V6 && env("DNSMASQ_SERVER_DUID")) {
            g_free(file->server_duid);
            file->server_duid = g_strdup(env("DNSMASQ_SERVER_DUID"));
        }
        mv_network_lease_file_set(file, lease);
    } else {
        MvNetworkIpFamily family = env("DNSMASQ_IAID") || strchr(argv[3], ':')
                                       ? MV_NETWORK_IP_V6 : MV_NETWORK_IP_V4;

        mv_network_lease_file_remove(file, family, argv[3]);
    }
    if (!mv_network_lease_file_save(file, path, now, &error)) {
        close(lock);
        return fail("cannot write the lease file", error);
    }
    close(lock);
    return 0;
}
