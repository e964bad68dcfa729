/* Reading the lease file for networkd: see network-leases.h. */
#include "network-leases.h"

#include <errno.h>
#include <string.h>

#include "network-leasefile.h"
#include "util/error.h"

void
mv_network_dhcp_lease_free(MvNetworkDhcpLease *lease)
{
    if (!lease)
        return;
    g_free(lease->ip);
    g_free(lease->mac);
    g_free(lease->hostname);
    g_free(lease->client_id);
    g_free(lease->iaid);
    g_free(lease->iface);
    g_free(lease);
}

/* A field of the file as a new string, NULL when empty. */
static char *
mv_network_leases_field(const char *value)
{
    return *value ? g_strdup(value) : NULL;
}

static MvNetworkDhcpLease *
mv_network_lease_from_record(const MvLeaseRecord *rec)
{
    MvNetworkDhcpLease *lease = g_new0(MvNetworkDhcpLease, 1);

    lease->family = rec->family == 6 ? MV_NETWORK_IP_V6 : MV_NETWORK_IP_V4;
    lease->ip = g_strdup(rec->ip);
    lease->mac = *rec->mac ? g_ascii_strdown(rec->mac, -1) : NULL;
    lease->hostname = mv_network_leases_field(rec->hostname);
    lease->client_id = mv_network_leases_field(rec->client_id);
    lease->iaid = mv_network_leases_field(rec->iaid);
    lease->iface = mv_network_leases_field(rec->iface);
    lease->expiry = rec->expiry;
    return lease;
}

bool
mv_network_leases_read(const char *path, const char *mac, GPtrArray **ret_leases, GError **error)
{
    MvLeaseTable table = { 0 };
    g_autoptr(GPtrArray) leases = NULL;
    gint64 now = g_get_real_time() / G_USEC_PER_SEC;
    int line = 0;

    if (mv_lease_table_load(path, &table, &line) < 0) {
        int err = errno;

        mv_lease_table_clear(&table);
        if (err == EINVAL)
            return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_INTERNAL_ERROR,
                                "Lease file '%s' is corrupt at line %d", path, line);
        return mv_error_set_errno(error, MV_FROM_NETWORK, err, "Cannot read lease file '%s'",
                                  path);
    }
    leases = g_ptr_array_new_with_free_func((GDestroyNotify)mv_network_dhcp_lease_free);
    for (size_t i = 0; i < table.n; i++) {
        const MvLeaseRecord *rec = &table.recs[i];

        if (rec->expiry != 0 && rec->expiry <= now)
            continue;
        if (mac && g_ascii_strcasecmp(rec->mac, mac) != 0)
            continue;
        g_ptr_array_add(leases, mv_network_lease_from_record(rec));
    }
    mv_lease_table_clear(&table);
    *ret_leases = g_steal_pointer(&leases);
    return true;
}
