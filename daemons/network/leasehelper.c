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
 * arp-*) are ignored. Exit status 0 on success; dnsmasq logs our stderr.
 *
 * Plain C on network-leasefile.c, nothing but libc: dnsmasq waits for "init"
 * at every start, so this must start fast. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "network-leasefile.h"

/* $name when set and not empty, else NULL. */
static const char *
env(const char *name)
{
    const char *value = getenv(name);

    return value && *value ? value : NULL;
}

/* The expiry time dnsmasq reports: DNSMASQ_LEASE_EXPIRES (seconds since the
 * epoch, 0 = infinite), or DNSMASQ_LEASE_LENGTH on builds without a
 * trustworthy clock. */
static long long
lease_expiry(long long now)
{
    const char *expires = env("DNSMASQ_LEASE_EXPIRES");
    const char *length = env("DNSMASQ_LEASE_LENGTH");

    if (expires)
        return strtoll(expires, NULL, 10);
    if (length) {
        long long len = strtoll(length, NULL, 10);

        return len == 0 ? 0 : now + len;
    }
    return 0;
}

static void
lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

static bool
is_v6(const char *ip)
{
    return env("DNSMASQ_IAID") != NULL || strchr(ip, ':') != NULL;
}

static void
lease_from_args(int argc, char **argv, long long now, MvLeaseRecord *rec)
{
    bool v6 = is_v6(argv[3]);

    memset(rec, 0, sizeof(*rec));
    rec->family = v6 ? 6 : 4;
    mv_lease_field_set(rec->ip, sizeof(rec->ip), argv[3]);
    if (v6) {
        mv_lease_field_set(rec->client_id, sizeof(rec->client_id), argv[2]);
        mv_lease_field_set(rec->iaid, sizeof(rec->iaid), env("DNSMASQ_IAID"));
        mv_lease_field_set(rec->mac, sizeof(rec->mac), env("DNSMASQ_MAC"));
    } else {
        mv_lease_field_set(rec->mac, sizeof(rec->mac), argv[2]);
        mv_lease_field_set(rec->client_id, sizeof(rec->client_id), env("DNSMASQ_CLIENT_ID"));
    }
    lower(rec->mac);
    mv_lease_field_set(rec->hostname, sizeof(rec->hostname), argc > 4 ? argv[4] : NULL);
    mv_lease_field_set(rec->iface, sizeof(rec->iface), env("DNSMASQ_INTERFACE"));
    rec->expiry = lease_expiry(now);
}

static int
fail(const char *what, const char *path)
{
    fprintf(stderr, "modvirt-leasehelper: %s '%s': %s\n", what, path, strerror(errno));
    return 1;
}

int
main(int argc, char **argv)
{
    const char *path = env("MV_LEASE_FILE");
    MvLeaseTable table = { 0 };
    long long now = (long long)time(NULL);
    MvLeaseRecord rec;
    bool add, del;
    int lock, line = 0, rc = 0;

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

    if ((lock = mv_lease_file_lock(path)) < 0)
        return fail("cannot lock the lease file", path);
    if (mv_lease_table_load(path, &table, &line) < 0) {
        if (errno == EINVAL)
            fprintf(stderr, "modvirt-leasehelper: lease file '%s' is corrupt at line %d: "
                            "not changing it\n", path, line);
        else
            rc = fail("cannot read the lease file", path);
        close(lock);
        mv_lease_table_clear(&table);
        return 1 | rc;
    }
    if (!add && !del) {
        rc = mv_lease_table_write_dnsmasq(&table, stdout, now) < 0 ? 1 : 0;
    } else if (add) {
        lease_from_args(argc, argv, now, &rec);
        if (rec.family == 6 && env("DNSMASQ_SERVER_DUID"))
            mv_lease_field_set(table.server_duid, sizeof(table.server_duid),
                               env("DNSMASQ_SERVER_DUID"));
        if (mv_lease_table_set(&table, &rec) < 0)
            rc = fail("cannot record a lease in", path);
    } else {
        mv_lease_table_remove(&table, is_v6(argv[3]) ? 6 : 4, argv[3]);
    }
    if (rc == 0 && (add || del) && mv_lease_table_save(&table, path, now) < 0)
        rc = fail("cannot write the lease file", path);
    close(lock);
    mv_lease_table_clear(&table);
    return rc;
}
