/* Network lookups, lists and queries: answered from memory, never waiting on
 * a job; and the helpers every handler shares. */
#define MV_LOG_CATEGORY "network"
#include "network-handlers.h"

#include <string.h>

#include "daemon/network-events.h"
#include "network-ports.h"
#include "util/uuid.h"

/* ---- helpers ---- */

MvNetworkObj *
mv_network_dispatch_get(MvDriverCall *call, const MvObjectRef *ref, GError **error)
{
    MvNetworkDriver *driver = mv_network_driver_get(call);
    MvDriverObject *obj = mv_driver_list_find_by_uuid(driver->networks, ref->uuid);
    char uuid[MV_UUID_STRING_LEN];

    if (obj)
        return MV_NETWORK_OBJ(obj);
    mv_uuid_format(ref->uuid, uuid);
    mv_error_set(error, MV_FROM_NETWORK, MV_ERR_NO_NETWORK,
                 "Network not found: no network with matching uuid '%s' (%s)", uuid,
                 ref->name ? ref->name : "");
    return NULL;
}

void
mv_network_dispatch_fill(MvObjectRef *ret, const MvNetworkObj *net)
{
    ret->name = g_strdup(net->name);
    memcpy(ret->uuid, net->uuid, 16);
}

bool
mv_network_dispatch_check_flags(unsigned int flags, unsigned int allowed, const char *api,
                                GError **error)
{
    if (flags & ~allowed)
        return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_INVALID_ARG,
                            "unsupported flags (0x%x) in function %s", flags & ~allowed, api);
    return true;
}

bool
mv_network_dispatch_not_active(const MvNetworkObj *net, GError **error)
{
    return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_OPERATION_INVALID,
                        "Requested operation is not valid: network '%s' is not active",
                        net->name);
}

/* ---- lookups ---- */

bool
mv_network_handle_network_lookup_by_name(MvDriverCall *call, const char *name,
                                         MvObjectRef *ret_net, GError **error)
{
    MvNetworkDriver *driver = mv_network_driver_get(call);
    g_autoptr(MvNetworkObj) net =
        MV_NETWORK_OBJ(mv_driver_list_find_by_name(driver->networks, name));

    if (!net)
        return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_NO_NETWORK,
                            "Network not found: no network with matching name '%s'", name);
    mv_network_dispatch_fill(ret_net, net);
    return true;
}

bool
mv_network_handle_network_lookup_by_uuid(MvDriverCall *call, const guint8 *uuid,
                                         MvObjectRef *ret_net, GError **error)
{
    MvNetworkDriver *driver = mv_network_driver_get(call);
    g_autoptr(MvNetworkObj) net =
        MV_NETWORK_OBJ(mv_driver_list_find_by_uuid(driver->networks, uuid));
    char text[MV_UUID_STRING_LEN];

    if (!net) {
        mv_uuid_format(uuid, text);
        return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_NO_NETWORK,
                            "Network not found: no network with matching uuid '%s'", text);
    }
    mv_network_dispatch_fill(ret_net, net);
    return true;
}

/* ---- lists ---- */

/* CONNECT_LIST_ALL_NETWORKS filter groups (VIR_CONNECT_LIST_NETWORKS_*). */
enum {
    LIST_INACTIVE = 1 << 0,
    LIST_ACTIVE = 1 << 1,
    LIST_PERSISTENT = 1 << 2,
    LIST_TRANSIENT = 1 << 3,
    LIST_AUTOSTART = 1 << 4,
    LIST_NO_AUTOSTART = 1 << 5,
    LIST_ALL_FLAGS = (1 << 6) - 1,
};

static const MvDriverFilter list_filters[] = {
    { LIST_ACTIVE, LIST_INACTIVE, mv_driver_filter_active },
    { LIST_PERSISTENT, LIST_TRANSIENT, mv_driver_filter_persistent },
    { LIST_AUTOSTART, LIST_NO_AUTOSTART, mv_driver_filter_autostart },
    { 0 },
};

static void
fill_network(MvObjectRef *ret, MvDriverObject *obj)
{
    mv_network_dispatch_fill(ret, MV_NETWORK_OBJ(obj));
}

bool
mv_network_handle_connect_list_all_networks(MvDriverCall *call, int need_results,
                                            unsigned int flags, MvObjectRef **ret_nets,
                                            guint *ret_n_nets, unsigned int *ret_ret,
                                            GError **error)
{
    MvNetworkDriver *driver = mv_network_driver_get(call);
    MvDriverQuery query = { flags, list_filters, NULL };

    return mv_network_dispatch_check_flags(flags, LIST_ALL_FLAGS, "virConnectListAllNetworks",
                                           error) &&
           mv_driver_list_all_refs(driver->networks, &query, MV_REMOTE_NETWORK_LIST_MAX,
                                   need_results, fill_network, ret_nets, ret_n_nets, ret_ret,
                                   error);
}

/* Counts or names active or inactive networks, the legacy way. */
static guint
collect(MvNetworkDriver *driver, bool active, int max, char **names)
{
    return mv_driver_list_names(driver->networks, active, max, names);
}

bool
mv_network_handle_connect_num_of_networks(MvDriverCall *call, int *ret_num, GError **error)
{
    (void)error;
    *ret_num = (int)collect(mv_network_driver_get(call), true, -1, NULL);
    return true;
}

bool
mv_network_handle_connect_num_of_defined_networks(MvDriverCall *call, int *ret_num,
                                                  GError **error)
{
    (void)error;
    *ret_num = (int)collect(mv_network_driver_get(call), false, -1, NULL);
    return true;
}

bool
mv_network_handle_connect_list_networks(MvDriverCall *call, int maxnames, char ***ret_names,
                                        guint *ret_n_names, GError **error)
{
    if (!mv_driver_list_check_max(maxnames, MV_REMOTE_NETWORK_LIST_MAX, error))
        return false;
    *ret_names = g_new0(char *, MAX(maxnames, 1));
    *ret_n_names = collect(mv_network_driver_get(call), true, maxnames, *ret_names);
    return true;
}

bool
mv_network_handle_connect_list_defined_networks(MvDriverCall *call, int maxnames,
                                                char ***ret_names, guint *ret_n_names,
                                                GError **error)
{
    if (!mv_driver_list_check_max(maxnames, MV_REMOTE_NETWORK_LIST_MAX, error))
        return false;
    *ret_names = g_new0(char *, MAX(maxnames, 1));
    *ret_n_names = collect(mv_network_driver_get(call), false, maxnames, *ret_names);
    return true;
}

/* ---- queries ---- */

bool
mv_network_handle_network_get_xml_desc(MvDriverCall *call, const MvObjectRef *net_ref,
                                       unsigned int flags, char **ret_xml, GError **error)
{
    g_autoptr(MvNetworkObj) net = NULL;
    const MvNetworkDef *def;

    if (!mv_network_dispatch_check_flags(flags, MV_NETWORK_FORMAT_INACTIVE,
                                         "virNetworkGetXMLDesc", error) ||
        !(net = mv_network_dispatch_get(call, net_ref, error)))
        return false;
    g_mutex_lock(&net->lock);
    if ((flags & MV_NETWORK_FORMAT_INACTIVE) || !net->live) {
        def = mv_network_obj_config(net);
        *ret_xml = mv_network_def_format(def, MV_NETWORK_FORMAT_INACTIVE);
    } else {
        net->live->connections = mv_network_ports_count(net);
        *ret_xml = mv_network_def_format(net->live, 0);
    }
    g_mutex_unlock(&net->lock);
    return true;
}

bool
mv_network_handle_network_get_autostart(MvDriverCall *call, const MvObjectRef *net_ref,
                                        int *ret_autostart, GError **error)
{
    g_autoptr(MvNetworkObj) net = mv_network_dispatch_get(call, net_ref, error);

    if (!net)
        return false;
    g_mutex_lock(&net->lock);
    *ret_autostart = net->autostart;
    g_mutex_unlock(&net->lock);
    return true;
}

bool
mv_network_handle_network_is_active(MvDriverCall *call, const MvObjectRef *net_ref,
                                    int *ret_active, GError **error)
{
    g_autoptr(MvNetworkObj) net = mv_network_dispatch_get(call, net_ref, error);

    if (!net)
        return false;
    g_mutex_lock(&net->lock);
    *ret_active = mv_network_obj_is_active(net);
    g_mutex_unlock(&net->lock);
    return true;
}

bool
mv_network_handle_network_is_persistent(MvDriverCall *call, const MvObjectRef *net_ref,
                                        int *ret_persistent, GError **error)
{
    g_autoptr(MvNetworkObj) net = mv_network_dispatch_get(call, net_ref, error);

    if (!net)
        return false;
    g_mutex_lock(&net->lock);
    *ret_persistent = net->persistent;
    g_mutex_unlock(&net->lock);
    return true;
}

bool
mv_network_handle_network_get_bridge_name(MvDriverCall *call, const MvObjectRef *net_ref,
                                          char **ret_name, GError **error)
{
    g_autoptr(MvNetworkObj) net = mv_network_dispatch_get(call, net_ref, error);
    const MvNetworkDef *def;
    char *bridge;

    if (!net)
        return false;
    g_mutex_lock(&net->lock);
    def = net->live ? net->live : net->def;
    bridge = g_strdup(def->bridge);
    g_mutex_unlock(&net->lock);
    if (!bridge)
        return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_INTERNAL_ERROR,
                            "network '%s' does not have a bridge name.", net->name);
    *ret_name = bridge;
    return true;
}

/* ---- events ---- */

bool
mv_network_handle_connect_network_event_register_any(MvDriverCall *call, int event_id,
                                                     const MvObjectRef *net_ref,
                                                     int *ret_callback_id, GError **error)
{
    MvNetworkDriver *driver = mv_network_driver_get(call);
    g_autoptr(MvNetworkObj) net = NULL;

    if (!mv_driver_events_check_id(event_id, MV_NETWORK_EVENT_ID_LAST, MV_FROM_NETWORK, error))
        return false;
    if (net_ref && !(net = mv_network_dispatch_get(call, net_ref, error)))
        return false;
    *ret_callback_id = mv_driver_events_register(driver->events, MV_DRIVER_EVENT_NETWORK,
                                                 mv_driver_call_client(call), event_id,
                                                 net ? net->uuid : NULL);
    return true;
}

bool
mv_network_handle_connect_network_event_deregister_any(MvDriverCall *call, int callback_id,
                                                       GError **error)
{
    return mv_driver_events_deregister_checked(mv_network_driver_get(call)->events,
                                               MV_DRIVER_EVENT_NETWORK,
                                               mv_driver_call_client(call), callback_id,
                                               MV_FROM_NETWORK, error);
}
