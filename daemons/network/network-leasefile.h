/* The lease file's format, in plain C (libc only).
 *
 * modvirt-leasehelper runs at every dnsmasq start ("init") and on every lease
 * event, so it must start fast: this code links nothing but libc (the GLib
 * stack costs ~8 ms per exec here, a sixth of the net-start budget). networkd
 * reads the same file through network-leases.h. The house GError style is
 * left out here on purpose: errors are errno values.
 *
 * One lease a line, fields separated by single spaces, "-" for none:
 *
 *   # modvirt lease file 1
 *   duid SERVER-DUID                                      (IPv6 only)
 *   FAMILY EXPIRY IP MAC IAID CLIENT-ID INTERFACE HOSTNAME
 *
 * FAMILY is 4 or 6, EXPIRY seconds since the epoch (0: never expires),
 * CLIENT-ID the DHCPv4 client id or the client's DUID. A value holding
 * whitespace (dnsmasq never gives one) is stored as "-". */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define MV_LEASE_FIELD_MAX 256

typedef struct {
    int family;                         /* 4 or 6 */
    long long expiry;                   /* seconds since the epoch; 0 = never */
    char ip[64];
    char mac[32];                       /* "" when unknown */
    char iaid[32];                      /* "" for IPv4 */
    char client_id[MV_LEASE_FIELD_MAX]; /* "" when none */
    char iface[32];                     /* "" when unknown */
    char hostname[MV_LEASE_FIELD_MAX];  /* "" when none */
} MvLeaseRecord;

typedef struct {
    char server_duid[MV_LEASE_FIELD_MAX];   /* "" when none */
    MvLeaseRecord *recs;
    size_t n;
    size_t cap;
} MvLeaseTable;

/**
 * mv_lease_table_load:
 * Reads @path into @table (zeroed by the caller). A missing file is an empty
 * table. Returns 0, or -1 with errno set: EINVAL for a malformed file, with
 * its 1-based line number in *@ret_line (may be NULL).
 */
int mv_lease_table_load(const char *path, MvLeaseTable *table, int *ret_line);

/**
 * mv_lease_table_parse:
 * Like mv_lease_table_load() on the text @data.
 */
int mv_lease_table_parse(const char *data, MvLeaseTable *table, int *ret_line);

/**
 * mv_lease_table_save:
 * Drops leases that expired before @now, then replaces @path atomically
 * (temp file in the same directory, fsync, rename, fsync of the directory;
 * mode 0644). 0, or -1 with errno (the temp file is removed).
 */
int mv_lease_table_save(MvLeaseTable *table, const char *path, long long now);

/**
 * mv_lease_table_set:
 * Records a copy of @rec, replacing the lease of the same family and IP.
 * 0, or -1 (ENOMEM).
 */
int mv_lease_table_set(MvLeaseTable *table, const MvLeaseRecord *rec);

/**
 * mv_lease_table_remove:
 * Forgets the lease of @family on @ip; true if there was one.
 */
bool mv_lease_table_remove(MvLeaseTable *table, int family, const char *ip);

/**
 * mv_lease_table_write_dnsmasq:
 * Writes the leases that have not expired at @now to @out in the syntax
 * dnsmasq reads from a --dhcp-script called with "init" ("EXPIRY MAC IP
 * HOSTNAME CLIENTID"; for IPv6 a "duid SERVERDUID" line, then "EXPIRY IAID
 * IP HOSTNAME DUID"; "*" for none). 0, or -1 with errno.
 */
int mv_lease_table_write_dnsmasq(const MvLeaseTable *table, FILE *out, long long now);

/**
 * mv_lease_table_clear:
 * Frees what @table holds and zeroes it.
 */
void mv_lease_table_clear(MvLeaseTable *table);

/**
 * mv_lease_file_lock:
 * Takes an exclusive flock on "@path.lock" (created 0600), waiting for
 * other holders. The lock fd (close it to unlock), or -1 with errno.
 */
int mv_lease_file_lock(const char *path);

/**
 * mv_lease_field_set:
 * Copies @value into the field @dst of @size bytes: "" for NULL, "-", or a
 * value with whitespace or too long for the field.
 */
void mv_lease_field_set(char *dst, size_t size, const char *value);
