/* The lease file: see network-leases.h. Linked by networkd (reading) and by
 * modvirt-leasehelper (writing), so it needs nothing but GLib and json-glib. */
#include "network-leases.h"

#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "util/error.h"
#include "util/file.h"

/* Bigger than any lease file a network of /16 could produce. */
#define MV_LEASE_FILE_MAX (64 * 1024 * 1024)

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

void
mv_network_lease_file_free(MvNetworkLeaseFile *file)
{
    if (!file)
        return;
    g_free(file->server_duid);
    if (file->leases)
        g_ptr_array_unref(file->leases);
    g_free(file);
}

static MvNetworkLeaseFile *
mv_network_lease_file_new(void)
{
    MvNetworkLeaseFile *file = g_new0(MvNetworkLeaseFile, 1);

    file->leases = g_ptr_array_new_with_free_func((GDestroyNotify)mv_network_dhcp_lease_free);
    return file;
}

/* A string member of @obj, or NULL when absent or null. */
static char *
mv_network_leases_member(JsonObject *obj, const char *name)
{
    JsonNode *node = json_object_get_member(obj, name);

    if (!node || JSON_NODE_TYPE(node) != JSON_NODE_VALUE ||
        json_node_get_value_type(node) != G_TYPE_STRING)
        return NULL;
    return g_strdup(json_node_get_string(node));
}

static MvNetworkDhcpLease *
mv_network_lease_from_json(JsonObject *obj)
{
    g_autoptr(MvNetworkDhcpLease) lease = g_new0(MvNetworkDhcpLease, 1);
    g_autofree char *family = mv_network_leases_member(obj, "family");
    JsonNode *expiry = json_object_get_member(obj, "expiry-time");

    if (!family || !(lease->ip = mv_network_leases_member(obj, "ip")) || !expiry ||
        json_node_get_value_type(expiry) != G_TYPE_INT64)
        return NULL;
    if (strcmp(family, "ipv4") == 0)
        lease->family = MV_NETWORK_IP_V4;
    else if (strcmp(family, "ipv6") == 0)
        lease->family = MV_NETWORK_IP_V6;
    else
        return NULL;
    lease->expiry = json_node_get_int(expiry);
    lease->mac = mv_network_leases_member(obj, "mac");
    lease->hostname = mv_network_leases_member(obj, "hostname");
    lease->client_id = mv_network_leases_member(obj, "client-id");
    lease->iaid = mv_network_leases_member(obj, "iaid");
    lease->iface = mv_network_leases_member(obj, "interface");
    return g_steal_pointer(&lease);
}

MvNetworkLeaseFile *
mv_network_lease_file_load(const char *path, GError **error)
{
    g_autoptr(MvNetworkLeaseFile) file = mv_network_lease_file_new();
    g_autoptr(JsonParser) parser = NULL;
    g_autoptr(GError) local = NULL;
    g_autofree char *data = NULL;
    gsize len = 0;
    JsonObject *root;
    JsonArray *arr;

    if (!mv_file_read_all(path, MV_LEASE_FILE_MAX, &data, &len, &local)) {
        if (!g_file_test(path, G_FILE_TEST_EXISTS))
            return g_steal_pointer(&file);
        g_propagate_error(error, g_steal_pointer(&local));
        return NULL;
    }
    if (len == 0)
        return g_steal_pointer(&file);
    parser = json_parser_new();
    if (!json_parser_load_from_data(parser, data, (gssize)len, &local) ||
        !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
        return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_INTERNAL_ERROR,
                            "Lease file '%s' is corrupt: %s", path,
                            local ? local->message : "not a JSON object"), NULL;
    root = json_node_get_object(json_parser_get_root(parser));
    file->server_duid = mv_network_leases_member(root, "server-duid");
    if (!json_object_has_member(root, "leases"))
        return g_steal_pointer(&file);
    if (!JSON_NODE_HOLDS_ARRAY(json_object_get_member(root, "leases")))
        return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_INTERNAL_ERROR,
                            "Lease file '%s' is corrupt: 'leases' is not an array", path), NULL;
    arr = json_object_get_array_member(root, "leases");
    for (guint i = 0; i < json_array_get_length(arr); i++) {
        JsonNode *node = json_array_get_element(arr, i);
        MvNetworkDhcpLease *lease;

        if (!JSON_NODE_HOLDS_OBJECT(node) ||
            !(lease = mv_network_lease_from_json(json_node_get_object(node))))
            return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_INTERNAL_ERROR,
                                "Lease file '%s' is corrupt: lease %u lacks family, ip or "
                                "expiry-time", path, i), NULL;
        g_ptr_array_add(file->leases, lease);
    }
    return g_steal_pointer(&file);
}

static bool
mv_network_lease_expired(const MvNetworkDhcpLease *lease, gint64 now)
{
    return lease->expiry != 0 && lease->expiry <= now;
}

static MvNetworkDhcpLease *
mv_network_dhcp_lease_copy(const MvNetworkDhcpLease *src)
{
    MvNetworkDhcpLease *lease = g_new0(MvNetworkDhcpLease, 1);

    lease->family = src->family;
    lease->ip = g_strdup(src->ip);
    lease->mac = g_strdup(src->mac);
    lease->hostname = g_strdup(src->hostname);
    lease->client_id = g_strdup(src->client_id);
    lease->iaid = g_strdup(src->iaid);
    lease->iface = g_strdup(src->iface);
    lease->expiry = src->expiry;
    return lease;
}

bool
mv_network_leases_read(const char *path, const char *mac, GPtrArray **ret_leases, GError **error)
{
    g_autoptr(MvNetworkLeaseFile) file = mv_network_lease_file_load(path, error);
    g_autoptr(GPtrArray) leases = NULL;
    gint64 now = g_get_real_time() / G_USEC_PER_SEC;

    if (!file)
        return false;
    leases = g_ptr_array_new_with_free_func((GDestroyNotify)mv_network_dhcp_lease_free);
    for (guint i = 0; i < file->leases->len; i++) {
        const MvNetworkDhcpLease *lease = file->leases->pdata[i];

        if (mv_network_lease_expired(lease, now))
            continue;
        if (mac && (!lease->mac || g_ascii_strcasecmp(lease->mac, mac) != 0))
            continue;
        g_ptr_array_add(leases, mv_network_dhcp_lease_copy(lease));
    }
    *ret_leases = g_steal_pointer(&leases);
    return true;
}

static void
mv_network_leases_add_string(JsonBuilder *b, const char *name, const char *value)
{
    if (!value)
        return;
    json_builder_set_member_name(b, name);
    json_builder_add_string_value(b, value);
}

bool
mv_network_lease_file_save(MvNetworkLeaseFile *file, const char *path, gint64 now,
                           GError **error)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autoptr(JsonNode) root = NULL;
    g_autofree char *text = NULL;
    gsize len = 0;

    for (guint i = file->leases->len; i-- > 0;) {
        if (mv_network_lease_expired(file->leases->pdata[i], now))
            g_ptr_array_remove_index(file->leases, i);
    }
    json_builder_begin_object(b);
    mv_network_leases_add_string(b, "server-duid", file->server_duid);
    json_builder_set_member_name(b, "leases");
    json_builder_begin_array(b);
    for (guint i = 0; i < file->leases->len; i++) {
        const MvNetworkDhcpLease *lease = file->leases->pdata[i];

        json_builder_begin_object(b);
        mv_network_leases_add_string(b, "family",
                                     lease->family == MV_NETWORK_IP_V6 ? "ipv6" : "ipv4");
        mv_network_leases_add_string(b, "ip", lease->ip);
        mv_network_leases_add_string(b, "mac", lease->mac);
        mv_network_leases_add_string(b, "hostname", lease->hostname);
        mv_network_leases_add_string(b, "client-id", lease->client_id);
        mv_network_leases_add_string(b, "iaid", lease->iaid);
        mv_network_leases_add_string(b, "interface", lease->iface);
        json_builder_set_member_name(b, "expiry-time");
        json_builder_add_int_value(b, lease->expiry);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    root = json_builder_get_root(b);
    json_generator_set_root(gen, root);
    json_generator_set_pretty(gen, TRUE);
    text = json_generator_to_data(gen, &len);
    return mv_file_write_atomic(path, text, len, 0644, error);
}

void
mv_network_lease_file_set(MvNetworkLeaseFile *file, MvNetworkDhcpLease *lease)
{
    mv_network_lease_file_remove(file, lease->family, lease->ip);
    g_ptr_array_add(file->leases, lease);
}

bool
mv_network_lease_file_remove(MvNetworkLeaseFile *file, MvNetworkIpFamily family, const char *ip)
{
    for (guint i = 0; i < file->leases->len; i++) {
        const MvNetworkDhcpLease *lease = file->leases->pdata[i];

        if (lease->family == family && strcmp(lease->ip, ip) == 0) {
            g_ptr_array_remove_index(file->leases, i);
            return true;
        }
    }
    return false;
}

/* dnsmasq splits its lease lines at spaces: a field must be one word. */
static const char *
mv_network_lease_word(const char *value)
{
    return value && *value && !strpbrk(value, " \t\n") ? value : "*";
}

char *
mv_network_lease_file_to_dnsmasq(const MvNetworkLeaseFile *file, gint64 now)
{
    GString *out = g_string_new(NULL);
    bool duid_written = false;

    for (guint i = 0; i < file->leases->len; i++) {
        const MvNetworkDhcpLease *lease = file->leases->pdata[i];

        if (mv_network_lease_expired(lease, now) || lease->family != MV_NETWORK_IP_V4 ||
            !lease->mac)
            continue;
        g_string_append_printf(out, "%" G_GINT64_FORMAT " %s %s %s %s\n", lease->expiry,
                               lease->mac, lease->ip, mv_network_lease_word(lease->hostname),
                               mv_network_lease_word(lease->client_id));
    }
    for (guint i = 0; file->server_duid && i < file->leases->len; i++) {
        const MvNetworkDhcpLease *lease = file->leases->pdata[i];

        if (mv_network_lease_expired(lease, now) || lease->family != MV_NETWORK_IP_V6 ||
            !lease->iaid)
            continue;
        if (!duid_written) {
            g_string_append_printf(out, "duid %s\n", file->server_duid);
            duid_written = true;
        }
        g_string_append_printf(out, "%" G_GINT64_FORMAT " %s %s %s %s\n", lease->expiry,
                               lease->iaid, lease->ip, mv_network_lease_word(lease->hostname),
                               mv_network_lease_word(lease->client_id));
    }
    return g_string_free(out, FALSE);
}

int
mv_network_lease_file_lock(const char *path, GError **error)
{
    g_autofree char *lock_path = g_strconcat(path, ".lock", NULL);
    int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

    if (fd < 0)
        return mv_error_set_errno(error, MV_FROM_NETWORK, errno, "Cannot open lock file '%s'",
                                  lock_path), -1;
    while (flock(fd, LOCK_EX) < 0) {
        if (errno != EINTR) {
            int err = errno;

            close(fd);
            return mv_error_set_errno(error, MV_FROM_NETWORK, err, "Cannot lock '%s'",
                                      lock_path), -1;
        }
    }
    return fd;
}
