/* MvNetwork handles, the network list, lookups, definition, lifecycle,
 * queries and DHCP leases. Every call routes to modvirt-networkd. */
#include <string.h>

#include "client-priv.h"
#include "util/uuid.h"

struct _MvNetwork {
    gint refs;
    MvConnect *conn;
    char *name;
    guint8 uuid[MV_UUID_BUFLEN];
    char uuid_string[MV_UUID_STRING_LEN];
};

#define NETWORK_OK(net, func, error) \
    mv_client_check_arg((net) != NULL, func, "the network", error)

#define LIST_ALLOWED (MV_LIST_NETWORKS_ACTIVE | MV_LIST_NETWORKS_INACTIVE | \
                      MV_LIST_NETWORKS_PERSISTENT | MV_LIST_NETWORKS_TRANSIENT | \
                      MV_LIST_NETWORKS_AUTOSTART | MV_LIST_NETWORKS_NO_AUTOSTART)

/* The wire's list flags for networks (and pools): 1 INACTIVE, 2 ACTIVE,
 * 4 PERSISTENT, 8 TRANSIENT, 16 AUTOSTART, 32 NO_AUTOSTART. */
#define WIRE_LIST_INACTIVE 1u
#define WIRE_LIST_ACTIVE 2u

unsigned int
mv_network_list_flags_to_wire(unsigned int flags)
{
    unsigned int wire = flags & ~(MV_LIST_NETWORKS_ACTIVE | MV_LIST_NETWORKS_INACTIVE);

    if (flags & MV_LIST_NETWORKS_ACTIVE)
        wire |= WIRE_LIST_ACTIVE;
    if (flags & MV_LIST_NETWORKS_INACTIVE)
        wire |= WIRE_LIST_INACTIVE;
    return wire;
}

MvNetwork *
mv_network_new_from_wire(MvConnect *conn, const mv_remote_nonnull_network *ref)
{
    MvNetwork *net = g_new0(MvNetwork, 1);

    net->refs = 1;
    net->conn = mv_connect_ref(conn);
    net->name = g_strdup(ref->name);
    memcpy(net->uuid, ref->uuid, MV_UUID_BUFLEN);
    mv_uuid_format(net->uuid, net->uuid_string);
    return net;
}

void
mv_network_to_wire(MvNetwork *net, mv_remote_nonnull_network *ret_ref)
{
    ret_ref->name = net->name;
    memcpy(ret_ref->uuid, net->uuid, MV_UUID_BUFLEN);
}

MvNetwork *
mv_network_ref(MvNetwork *net)
{
    if (net)
        g_atomic_int_inc(&net->refs);
    return net;
}

void
mv_network_unref(MvNetwork *net)
{
    if (!net || !g_atomic_int_dec_and_test(&net->refs))
        return;
    mv_connect_unref(net->conn);
    g_free(net->name);
    g_free(net);
}

const char *
mv_network_get_name(MvNetwork *net)
{
    g_return_val_if_fail(net, NULL);
    return net->name;
}

const char *
mv_network_get_uuid_string(MvNetwork *net)
{
    g_return_val_if_fail(net, NULL);
    return net->uuid_string;
}

MvConnect *
mv_network_get_connect(MvNetwork *net)
{
    g_return_val_if_fail(net, NULL);
    return net->conn;
}

/* ---- list, lookups and definition ------------------------------------------ */

static gint
network_compare_names(gconstpointer a, gconstpointer b)
{
    return g_strcmp0((*(MvNetwork *const *)a)->name, (*(MvNetwork *const *)b)->name);
}

MvNetwork **
mv_connect_list_networks(MvConnect *conn, unsigned int flags, gsize *ret_count, GError **error)
{
    MvRpcClient *rpc;
    mv_remote_connect_list_all_networks_args args = { .need_results = 1 };
    mv_remote_connect_list_all_networks_ret ret = { 0 };
    GPtrArray *list;
    gsize count;

    if (!mv_client_check_flags(flags, LIST_ALLOWED, "mv_connect_list_networks", error))
        return NULL;
    args.flags = mv_network_list_flags_to_wire(flags);
    if (!((rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_CONNECT_LIST_ALL_NETWORKS, error)) &&
          mv_remote_connect_list_all_networks(rpc, &args, &ret, error)))
        return NULL;
    list = g_ptr_array_sized_new(ret.nets.nets_len + 1);
    for (u_int i = 0; i < ret.nets.nets_len; i++)
        g_ptr_array_add(list, mv_network_new_from_wire(conn, &ret.nets.nets_val[i]));
    xdr_free((xdrproc_t)xdr_mv_remote_connect_list_all_networks_ret, (char *)&ret);
    g_ptr_array_sort(list, network_compare_names);
    count = list->len;
    g_ptr_array_add(list, NULL);
    if (ret_count)
        *ret_count = count;
    return (MvNetwork **)g_ptr_array_free(list, FALSE);
}

void
mv_network_list_free(MvNetwork **list)
{
    if (!list)
        return;
    for (MvNetwork **n = list; *n; n++)
        mv_network_unref(*n);
    g_free(list);
}

/* Wraps the network of a lookup/define/create reply in a handle on @conn and
 * frees the reply's strings (every such reply is just `mv_remote_nonnull_network net`). */
static MvNetwork *
network_from_reply(MvConnect *conn, mv_remote_nonnull_network *ref)
{
    MvNetwork *net = mv_network_new_from_wire(conn, ref);

    xdr_free((xdrproc_t)xdr_mv_remote_nonnull_network, (char *)ref);
    return net;
}

MvNetwork *
mv_network_lookup_by_name(MvConnect *conn, const char *name, unsigned int flags,
                          GError **error)
{
    mv_remote_network_lookup_by_name_args args = { .name = (char *)name };
    mv_remote_network_lookup_by_name_ret ret = { 0 };
    MvRpcClient *rpc;

    if (!mv_client_check_flags(flags, 0, "mv_network_lookup_by_name", error) ||
        !mv_client_check_arg(name != NULL, "mv_network_lookup_by_name", "name", error) ||
        !(rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_NETWORK_LOOKUP_BY_NAME, error)) ||
        !mv_remote_network_lookup_by_name(rpc, &args, &ret, error))
        return NULL;
    return network_from_reply(conn, &ret.net);
}

MvNetwork *
mv_network_lookup_by_uuid(MvConnect *conn, const char *uuid, unsigned int flags,
                          GError **error)
{
    mv_remote_network_lookup_by_uuid_args args;
    mv_remote_network_lookup_by_uuid_ret ret = { 0 };
    guint8 raw[MV_UUID_BUFLEN];
    MvRpcClient *rpc;

    if (!mv_client_check_flags(flags, 0, "mv_network_lookup_by_uuid", error) ||
        !mv_client_check_arg(uuid != NULL, "mv_network_lookup_by_uuid", "uuid", error) ||
        !mv_uuid_parse(uuid, raw, error))
        return NULL;
    memcpy(args.uuid, raw, sizeof(raw));
    if (!(rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_NETWORK_LOOKUP_BY_UUID, error)) ||
        !mv_remote_network_lookup_by_uuid(rpc, &args, &ret, error))
        return NULL;
    return network_from_reply(conn, &ret.net);
}

MvNetwork *
mv_network_define(MvConnect *conn, const char *xml, unsigned int flags, GError **error)
{
    mv_remote_network_define_xml_flags_args args = { .xml = (char *)xml, .flags = flags };
    mv_remote_network_define_xml_flags_ret ret = { 0 };
    MvRpcClient *rpc;

    if (!mv_client_check_flags(flags, MV_NETWORK_DEFINE_VALIDATE, "mv_network_define",
                               error) ||
        !mv_client_check_arg(xml != NULL, "mv_network_define", "xml", error) ||
        !(rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_NETWORK_DEFINE_XML_FLAGS, error)) ||
        !mv_remote_network_define_xml_flags(rpc, &args, &ret, error))
        return NULL;
    return network_from_reply(conn, &ret.net);
}

MvNetwork *
mv_network_start_transient(MvConnect *conn, const char *xml, unsigned int flags,
                           GError **error)
{
    mv_remote_network_create_xml_flags_args args = { .xml = (char *)xml, .flags = flags };
    mv_remote_network_create_xml_flags_ret ret = { 0 };
    MvRpcClient *rpc;

    if (!mv_client_check_flags(flags, MV_NETWORK_DEFINE_VALIDATE,
                               "mv_network_start_transient", error) ||
        !mv_client_check_arg(xml != NULL, "mv_network_start_transient", "xml", error) ||
        !(rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_NETWORK_CREATE_XML_FLAGS, error)) ||
        !mv_remote_network_create_xml_flags(rpc, &args, &ret, error))
        return NULL;
    return network_from_reply(conn, &ret.net);
}

/* ---- calls on a network ------------------------------------------------------ */

/* What every call on a network does before sending: checks @net and @flags
 * (bits outside @allowed) for @func, fills @ret_ref and returns the RPC
 * client of the daemon serving @proc. NULL with @error set. */
static MvRpcClient *
network_prepare(MvNetwork *net, int proc, unsigned int flags, unsigned int allowed,
                const char *func, mv_remote_nonnull_network *ret_ref, GError **error)
{
    if (!NETWORK_OK(net, func, error) || !mv_client_check_flags(flags, allowed, func, error))
        return NULL;
    mv_network_to_wire(net, ret_ref);
    return mv_connect_rpc(net->conn, proc, error);
}

bool
mv_network_start(MvNetwork *net, unsigned int flags, GError **error)
{
    mv_remote_network_create_args args;
    MvRpcClient *rpc = network_prepare(net, MV_REMOTE_PROC_NETWORK_CREATE, flags, 0,
                                       "mv_network_start", &args.net, error);

    return rpc && mv_remote_network_create(rpc, &args, error);
}

bool
mv_network_stop(MvNetwork *net, unsigned int flags, GError **error)
{
    mv_remote_network_destroy_args args;
    MvRpcClient *rpc = network_prepare(net, MV_REMOTE_PROC_NETWORK_DESTROY, flags, 0,
                                       "mv_network_stop", &args.net, error);

    return rpc && mv_remote_network_destroy(rpc, &args, error);
}

bool
mv_network_undefine(MvNetwork *net, unsigned int flags, GError **error)
{
    mv_remote_network_undefine_args args;
    MvRpcClient *rpc = network_prepare(net, MV_REMOTE_PROC_NETWORK_UNDEFINE, flags, 0,
                                       "mv_network_undefine", &args.net, error);

    return rpc && mv_remote_network_undefine(rpc, &args, error);
}

char *
mv_network_get_xml(MvNetwork *net, unsigned int flags, GError **error)
{
    mv_remote_network_get_xml_desc_args args = { .flags = flags };
    mv_remote_network_get_xml_desc_ret ret = { 0 };
    MvRpcClient *rpc = network_prepare(net, MV_REMOTE_PROC_NETWORK_GET_XML_DESC, flags,
                                       MV_NETWORK_XML_INACTIVE, "mv_network_get_xml",
                                       &args.net, error);

    if (!rpc || !mv_remote_network_get_xml_desc(rpc, &args, &ret, error))
        return NULL;
    return ret.xml;             /* XDR strings are malloc'ed: g_free() is free() */
}

bool
mv_network_get_autostart(MvNetwork *net, unsigned int flags, bool *ret_autostart,
                         GError **error)
{
    mv_remote_network_get_autostart_args args;
    mv_remote_network_get_autostart_ret ret = { 0 };
    MvRpcClient *rpc;

    if (!mv_client_check_arg(ret_autostart != NULL, "mv_network_get_autostart",
                             "ret_autostart", error) ||
        !(rpc = network_prepare(net, MV_REMOTE_PROC_NETWORK_GET_AUTOSTART, flags, 0,
                                "mv_network_get_autostart", &args.net, error)) ||
        !mv_remote_network_get_autostart(rpc, &args, &ret, error))
        return false;
    *ret_autostart = ret.autostart != 0;
    return true;
}

bool
mv_network_set_autostart(MvNetwork *net, bool autostart, unsigned int flags, GError **error)
{
    mv_remote_network_set_autostart_args args = { .autostart = autostart ? 1 : 0 };
    MvRpcClient *rpc = network_prepare(net, MV_REMOTE_PROC_NETWORK_SET_AUTOSTART, flags, 0,
                                       "mv_network_set_autostart", &args.net, error);

    return rpc && mv_remote_network_set_autostart(rpc, &args, error);
}

bool
mv_network_is_active(MvNetwork *net, unsigned int flags, bool *ret_active, GError **error)
{
    mv_remote_network_is_active_args args;
    mv_remote_network_is_active_ret ret = { 0 };
    MvRpcClient *rpc;

    if (!mv_client_check_arg(ret_active != NULL, "mv_network_is_active", "ret_active",
                             error) ||
        !(rpc = network_prepare(net, MV_REMOTE_PROC_NETWORK_IS_ACTIVE, flags, 0,
                                "mv_network_is_active", &args.net, error)) ||
        !mv_remote_network_is_active(rpc, &args, &ret, error))
        return false;
    *ret_active = ret.active != 0;
    return true;
}

bool
mv_network_is_persistent(MvNetwork *net, unsigned int flags, bool *ret_persistent,
                         GError **error)
{
    mv_remote_network_is_persistent_args args;
    mv_remote_network_is_persistent_ret ret = { 0 };
    MvRpcClient *rpc;

    if (!mv_client_check_arg(ret_persistent != NULL, "mv_network_is_persistent",
                             "ret_persistent", error) ||
        !(rpc = network_prepare(net, MV_REMOTE_PROC_NETWORK_IS_PERSISTENT, flags, 0,
                                "mv_network_is_persistent", &args.net, error)) ||
        !mv_remote_network_is_persistent(rpc, &args, &ret, error))
        return false;
    *ret_persistent = ret.persistent != 0;
    return true;
}

char *
mv_network_get_bridge_name(MvNetwork *net, unsigned int flags, GError **error)
{
    mv_remote_network_get_bridge_name_args args;
    mv_remote_network_get_bridge_name_ret ret = { 0 };
    MvRpcClient *rpc;

    if (!(rpc = network_prepare(net, MV_REMOTE_PROC_NETWORK_GET_BRIDGE_NAME, flags, 0,
                                "mv_network_get_bridge_name", &args.net, error)) ||
        !mv_remote_network_get_bridge_name(rpc, &args, &ret, error))
        return NULL;
    return ret.name;
}

/* ---- DHCP leases ----------------------------------------------------------------- */

void
mv_network_dhcp_lease_free(MvNetworkDhcpLease *lease)
{
    if (!lease)
        return;
    g_free(lease->interface);
    g_free(lease->mac);
    g_free(lease->iaid);
    g_free(lease->ip_address);
    g_free(lease->hostname);
    g_free(lease->client_id);
    g_free(lease);
}

void
mv_network_dhcp_lease_list_free(MvNetworkDhcpLease **list)
{
    if (!list)
        return;
    for (MvNetworkDhcpLease **l = list; *l; l++)
        mv_network_dhcp_lease_free(*l);
    g_free(list);
}

static char *
optional_string(mv_remote_string s)
{
    return s ? g_strdup(*s) : NULL;
}

MvNetworkDhcpLease **
mv_network_get_dhcp_leases(MvNetwork *net, const char *mac, unsigned int flags,
                           gsize *ret_count, GError **error)
{
    MvRpcClient *rpc;
    mv_remote_network_get_dhcp_leases_args args = { .need_results = 1, .flags = 0 };
    mv_remote_network_get_dhcp_leases_ret ret = { 0 };
    mv_remote_nonnull_string wire_mac = (char *)mac;
    MvNetworkDhcpLease **leases;
    u_int n;

    if (!NETWORK_OK(net, "mv_network_get_dhcp_leases", error) ||
        !mv_client_check_flags(flags, 0, "mv_network_get_dhcp_leases", error))
        return NULL;
    mv_network_to_wire(net, &args.net);
    args.mac = mac ? &wire_mac : NULL;
    if (!((rpc = mv_connect_rpc(net->conn, MV_REMOTE_PROC_NETWORK_GET_DHCP_LEASES, error)) &&
          mv_remote_network_get_dhcp_leases(rpc, &args, &ret, error)))
        return NULL;
    n = ret.leases.leases_len;
    leases = g_new0(MvNetworkDhcpLease *, n + 1);
    for (u_int i = 0; i < n; i++) {
        const mv_remote_network_dhcp_lease *w = &ret.leases.leases_val[i];
        MvNetworkDhcpLease *l = g_new0(MvNetworkDhcpLease, 1);

        l->interface = g_strdup(w->iface);
        l->expiry_time = w->expirytime;
        l->type = (MvIpAddressType)w->type;
        l->mac = optional_string(w->mac);
        l->iaid = optional_string(w->iaid);
        l->ip_address = g_strdup(w->ipaddr);
        l->prefix = w->prefix;
        l->hostname = optional_string(w->hostname);
        l->client_id = optional_string(w->clientid);
        leases[i] = l;
    }
    xdr_free((xdrproc_t)xdr_mv_remote_network_get_dhcp_leases_ret, (char *)&ret);
    if (ret_count)
        *ret_count = n;
    return leases;
}
