/* Network ports: their files and the seven port procedures, see network-ports.h. */
#define MV_LOG_CATEGORY "network"
#include "network-ports.h"

#include <glib/gstdio.h>
#include <string.h>

#include "network-handlers.h"
#include "util/file.h"
#include "util/log.h"
#include "util/uuid.h"

/* virNetworkPortCreateFlags. RECLAIM: the port existed before (a guest that
 * survived a restart asks again) and keeps the plug it names. */
#define PORT_CREATE_RECLAIM 1u
#define PORT_CREATE_VALIDATE 2u

#define PORT_FILE_MAX (1024 * 1024)

/* ---- files ---- */

static char *
ports_dir(MvNetworkDriver *driver, const char *network)
{
    return g_build_filename(driver->ports_dir, network, NULL);
}

static char *
port_path(MvNetworkDriver *driver, const char *network, const char *uuid)
{
    g_autofree char *file = g_strconcat(uuid, ".xml", NULL);

    return g_build_filename(driver->ports_dir, network, file, NULL);
}

static bool
port_save(MvNetworkDriver *driver, const char *network, const MvNetworkPortDef *port,
          GError **error)
{
    g_autofree char *dir = ports_dir(driver, network);
    g_autofree char *xml = mv_network_port_def_format(port, 0);
    char uuid[MV_UUID_STRING_LEN];
    g_autofree char *path = NULL;

    mv_uuid_format(port->uuid, uuid);
    path = port_path(driver, network, uuid);
    /* Ports die with the host, like the network status: no fsync. */
    return mv_file_mkdir_p(dir, 0700, error) &&
           mv_file_write_replace(path, xml, strlen(xml), 0600, false, error);
}

static void
port_unlink(MvNetworkDriver *driver, const char *network, const char *uuid)
{
    g_autofree char *path = port_path(driver, network, uuid);
    g_autoptr(GError) err = NULL;

    if (!mv_file_remove(path, &err))
        mv_log_warning("network '%s': %s", network, err->message);
}

void
mv_network_ports_load(MvNetworkDriver *driver, MvNetworkObj *net)
{
    g_autofree char *dir = ports_dir(driver, net->name);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *entry;

    while (d && (entry = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, entry, NULL);
        g_autoptr(MvNetworkPortDef) port = NULL;
        g_autoptr(GError) err = NULL;
        g_autofree char *text = NULL;
        char uuid[MV_UUID_STRING_LEN];

        if (!g_str_has_suffix(entry, ".xml")) {
            if (strstr(entry, ".xml.tmp-"))
                (void)mv_file_remove(path, NULL);   /* a write a killed daemon left */
            continue;
        }
        if (!mv_file_read_all(path, PORT_FILE_MAX, &text, NULL, &err) ||
            !(port = mv_network_port_def_parse(text, 0, &err))) {
            mv_log_warning("network '%s': removed the unusable port file %s: %s", net->name,
                           path, err->message);
            (void)mv_file_remove(path, NULL);
            continue;
        }
        mv_uuid_format(port->uuid, uuid);
        g_hash_table_replace(net->ports, g_strdup(uuid), g_steal_pointer(&port));
    }
    if (g_hash_table_size(net->ports))
        mv_log_info("network '%s': %u ports taken back", net->name,
                    g_hash_table_size(net->ports));
}

void
mv_network_ports_delete_all(MvNetworkDriver *driver, MvNetworkObj *net)
{
    g_autofree char *dir = ports_dir(driver, net->name);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *entry;

    g_hash_table_remove_all(net->ports);
    while (d && (entry = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, entry, NULL);
        (void)mv_file_remove(path, NULL);
    }
    if (d && g_rmdir(dir) != 0)
        mv_log_debug("cannot remove %s", dir);
}

guint
mv_network_ports_count(const MvNetworkObj *net)
{
    return net->ports ? g_hash_table_size(net->ports) : 0;
}

/* ---- lookups ---- */

/* The network of a port procedure (by the network's UUID). */
static MvNetworkObj *
port_network(MvDriverCall *call, const char *name, const guint8 *uuid, GError **error)
{
    MvObjectRef ref = { .name = (char *)name };

    memcpy(ref.uuid, uuid, 16);
    return mv_network_dispatch_get(call, &ref, error);
}

static bool
no_port(const guint8 *uuid, GError **error)
{
    char text[MV_UUID_STRING_LEN];

    mv_uuid_format(uuid, text);
    return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_NO_NETWORK_PORT,
                        "Network port not found: no network port with matching uuid '%s'",
                        text);
}

/* The port @uuid of @net (lock held), or NULL with NO_NETWORK_PORT. */
static MvNetworkPortDef *
find_port(MvNetworkObj *net, const guint8 *uuid, GError **error)
{
    char text[MV_UUID_STRING_LEN];
    MvNetworkPortDef *port;

    mv_uuid_format(uuid, text);
    if (!(port = g_hash_table_lookup(net->ports, text)))
        no_port(uuid, error);
    return port;
}

static void
fill_port(MvObjectRef *ret, const MvNetworkObj *net, const guint8 *uuid)
{
    ret->name = g_strdup(net->name);
    memcpy(ret->parent_uuid, net->uuid, 16);
    memcpy(ret->uuid, uuid, 16);
}

/* ---- handlers ---- */

typedef struct {
    const MvNetworkObj *net;
    MvObjectRef *out;
    guint n;
} PortList;

static void
list_one(gpointer key, gpointer value, gpointer data)
{
    PortList *pl = data;
    const MvNetworkPortDef *port = value;

    (void)key;
    if (pl->out)
        fill_port(&pl->out[pl->n], pl->net, port->uuid);
    pl->n++;
}

bool
mv_network_handle_network_list_all_ports(MvDriverCall *call, const MvObjectRef *network_ref,
                                         int need_results, unsigned int flags,
                                         MvObjectRef **ret_ports, guint *ret_n_ports,
                                         unsigned int *ret_ret, GError **error)
{
    g_autoptr(MvNetworkObj) net = NULL;
    PortList pl = { 0 };
    guint count;

    if (!mv_network_dispatch_check_flags(flags, 0, "virNetworkListAllPorts", error) ||
        !(net = mv_network_dispatch_get(call, network_ref, error)))
        return false;
    g_mutex_lock(&net->lock);
    count = g_hash_table_size(net->ports);
    if (count > MV_REMOTE_NETWORK_PORT_LIST_MAX) {
        g_mutex_unlock(&net->lock);
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC,
                            "too many ports (%u) for one reply (max %d)", count,
                            MV_REMOTE_NETWORK_PORT_LIST_MAX);
    }
    pl.net = net;
    if (need_results)
        pl.out = g_new0(MvObjectRef, MAX(count, 1));
    g_hash_table_foreach(net->ports, list_one, &pl);
    g_mutex_unlock(&net->lock);
    *ret_ports = pl.out;
    *ret_n_ports = pl.out ? pl.n : 0;
    *ret_ret = pl.n;
    return true;
}

bool
mv_network_handle_network_port_lookup_by_uuid(MvDriverCall *call,
                                              const MvObjectRef *network_ref,
                                              const guint8 *uuid, MvObjectRef *ret_port,
                                              GError **error)
{
    g_autoptr(MvNetworkObj) net = mv_network_dispatch_get(call, network_ref, error);
    bool ok;

    if (!net)
        return false;
    g_mutex_lock(&net->lock);
    ok = find_port(net, uuid, error) != NULL;
    g_mutex_unlock(&net->lock);
    if (ok)
        fill_port(ret_port, net, uuid);
    return ok;
}

/* Plugs @port into @live (lock held): the bridge the guest's tap goes in,
 * and the portgroup's bandwidth when the port brings none. */
static bool
plug_port(const MvNetworkDef *live, MvNetworkPortDef *port, bool reclaim, GError **error)
{
    const MvNetworkPortGroupDef *group = mv_network_def_find_portgroup(live, port->group);

    if (port->group && !group)
        return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_INVALID_ARG,
                            "network '%s' has no portgroup '%s'", live->name, port->group);
    if (!port->bandwidth && group && group->bandwidth)
        port->bandwidth = mv_network_bandwidth_copy(group->bandwidth);
    if (reclaim && port->plug_type != MV_NETWORK_PORT_PLUG_NONE)
        return true;
    if (!live->bridge)
        return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_INTERNAL_ERROR,
                            "network '%s' has no bridge to plug a port into", live->name);
    port->plug_type = mv_network_def_creates_bridge(live) ? MV_NETWORK_PORT_PLUG_NETWORK
                                                          : MV_NETWORK_PORT_PLUG_BRIDGE;
    g_free(port->plug_bridge);
    port->plug_bridge = g_strdup(live->bridge);
    port->plug_mac_table_manager = live->mac_table_manager;
    if (port->port_isolated < 0)
        port->port_isolated = live->port_isolated;
    return true;
}

bool
mv_network_handle_network_port_create_xml(MvDriverCall *call, const MvObjectRef *network_ref,
                                          const char *xml, unsigned int flags,
                                          MvObjectRef *ret_port, GError **error)
{
    MvNetworkDriver *driver = mv_network_driver_get(call);
    g_autoptr(MvNetworkObj) net = NULL;
    g_autoptr(MvNetworkPortDef) port = NULL;
    char uuid[MV_UUID_STRING_LEN];
    guint8 raw[16];
    bool ok = false;

    if (!mv_network_dispatch_check_flags(flags, PORT_CREATE_RECLAIM | PORT_CREATE_VALIDATE,
                                         "virNetworkPortCreateXML", error) ||
        !(net = mv_network_dispatch_get(call, network_ref, error)) ||
        !(port = mv_network_port_def_parse(xml, 0, error)) ||
        !mv_network_obj_begin_job(net, "virNetworkPortCreateXML", error))
        return false;
    memcpy(raw, port->uuid, 16);
    mv_uuid_format(raw, uuid);
    g_mutex_lock(&net->lock);
    if (!mv_network_obj_is_active(net)) {
        mv_network_dispatch_not_active(net, error);
    } else if (g_hash_table_contains(net->ports, uuid)) {
        mv_error_set(error, MV_FROM_NETWORK, MV_ERR_NETWORK_PORT_EXIST,
                     "network port with uuid %s already exists", uuid);
    } else if (plug_port(net->live, port, flags & PORT_CREATE_RECLAIM, error) &&
               port_save(driver, net->name, port, error)) {
        mv_log_info("network '%s': port %s for '%s' plugged into %s", net->name, uuid,
                    port->owner_name ? port->owner_name : "?", port->plug_bridge);
        g_hash_table_replace(net->ports, g_strdup(uuid), g_steal_pointer(&port));
        ok = true;
    }
    g_mutex_unlock(&net->lock);
    mv_network_obj_end_job(net);
    if (ok)
        fill_port(ret_port, net, raw);
    return ok;
}

bool
mv_network_handle_network_port_get_xml_desc(MvDriverCall *call, const MvObjectRef *port_ref,
                                            unsigned int flags, char **ret_xml, GError **error)
{
    g_autoptr(MvNetworkObj) net = NULL;
    MvNetworkPortDef *port;

    if (!mv_network_dispatch_check_flags(flags, 0, "virNetworkPortGetXMLDesc", error) ||
        !(net = port_network(call, port_ref->name, port_ref->parent_uuid, error)))
        return false;
    g_mutex_lock(&net->lock);
    if ((port = find_port(net, port_ref->uuid, error)))
        *ret_xml = mv_network_port_def_format(port, 0);
    g_mutex_unlock(&net->lock);
    return port != NULL;
}

bool
mv_network_handle_network_port_delete(MvDriverCall *call, const MvObjectRef *port_ref,
                                      unsigned int flags, GError **error)
{
    MvNetworkDriver *driver = mv_network_driver_get(call);
    g_autoptr(MvNetworkObj) net = NULL;
    char uuid[MV_UUID_STRING_LEN];
    bool ok;

    if (!mv_network_dispatch_check_flags(flags, 0, "virNetworkPortDelete", error) ||
        !(net = port_network(call, port_ref->name, port_ref->parent_uuid, error)) ||
        !mv_network_obj_begin_job(net, "virNetworkPortDelete", error))
        return false;
    mv_uuid_format(port_ref->uuid, uuid);
    g_mutex_lock(&net->lock);
    ok = find_port(net, port_ref->uuid, error) != NULL;
    if (ok) {
        g_hash_table_remove(net->ports, uuid);
        port_unlink(driver, net->name, uuid);
        mv_log_info("network '%s': port %s deleted", net->name, uuid);
    }
    g_mutex_unlock(&net->lock);
    mv_network_obj_end_job(net);
    return ok;
}

/* ---- bandwidth parameters ---- */

/* libvirt's VIR_NETWORK_PORT_BANDWIDTH_* fields, all UINT (KiB/s, burst KiB). */
typedef enum { BW_AVERAGE, BW_PEAK, BW_FLOOR, BW_BURST } BwField;

static const struct {
    const char *name;
    bool inbound;
    BwField field;
} bw_params[] = {
    { "inbound.average", true, BW_AVERAGE },
    { "inbound.peak", true, BW_PEAK },
    { "inbound.floor", true, BW_FLOOR },
    { "inbound.burst", true, BW_BURST },
    { "outbound.average", false, BW_AVERAGE },
    { "outbound.peak", false, BW_PEAK },
    { "outbound.burst", false, BW_BURST },
};

static guint64 *
bw_slot(MvNetworkBandwidthRate *rate, BwField field)
{
    switch (field) {
    case BW_AVERAGE:
        return &rate->average;
    case BW_PEAK:
        return &rate->peak;
    case BW_FLOOR:
        return &rate->floor;
    case BW_BURST:
    default:
        return &rate->burst;
    }
}

bool
mv_network_handle_network_port_get_parameters(MvDriverCall *call, const MvObjectRef *port_ref,
                                              int nparams, unsigned int flags,
                                              MvTypedParam **ret_params, guint *ret_n_params,
                                              int *ret_nparams, GError **error)
{
    g_autoptr(MvNetworkObj) net = NULL;
    MvNetworkPortDef *port;
    MvTypedParam *params;

    /* The API fills a list it allocates: every parameter is returned whatever
     * @nparams asked for. */
    (void)nparams;
    if (!mv_network_dispatch_check_flags(flags, 0, "virNetworkPortGetParameters", error) ||
        !(net = port_network(call, port_ref->name, port_ref->parent_uuid, error)))
        return false;
    g_mutex_lock(&net->lock);
    if (!(port = find_port(net, port_ref->uuid, error))) {
        g_mutex_unlock(&net->lock);
        return false;
    }
    params = g_new0(MvTypedParam, G_N_ELEMENTS(bw_params));
    for (guint i = 0; i < G_N_ELEMENTS(bw_params); i++) {
        MvNetworkBandwidthRate *rate = NULL;
        guint64 value = 0;

        if (port->bandwidth)
            rate = bw_params[i].inbound ? port->bandwidth->in : port->bandwidth->out;
        if (rate)
            value = *bw_slot(rate, bw_params[i].field);
        params[i].field = g_strdup(bw_params[i].name);
        params[i].type = MV_TYPED_PARAM_UINT;
        params[i].value.ui = (unsigned int)MIN(value, G_MAXUINT);
    }
    g_mutex_unlock(&net->lock);
    *ret_params = params;
    *ret_n_params = G_N_ELEMENTS(bw_params);
    *ret_nparams = G_N_ELEMENTS(bw_params);
    return true;
}

/* Checks @params and applies them to @bw (a copy). */
static bool
apply_params(MvNetworkBandwidth *bw, const MvTypedParam *params, guint n, GError **error)
{
    for (guint i = 0; i < n; i++) {
        MvNetworkBandwidthRate **rate;
        guint j;

        for (j = 0; j < G_N_ELEMENTS(bw_params); j++)
            if (g_str_equal(params[i].field, bw_params[j].name))
                break;
        if (j == G_N_ELEMENTS(bw_params))
            return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_INVALID_ARG,
                                "parameter '%s' not supported: a port has inbound.average, "
                                ".peak, .burst, .floor and outbound.average, .peak, .burst",
                                params[i].field);
        if (params[i].type != MV_TYPED_PARAM_UINT)
            return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_INVALID_ARG,
                                "invalid type for parameter '%s': expected an unsigned int",
                                params[i].field);
        rate = bw_params[j].inbound ? &bw->in : &bw->out;
        if (!*rate)
            *rate = g_new0(MvNetworkBandwidthRate, 1);
        *bw_slot(*rate, bw_params[j].field) = params[i].value.ui;
    }
    return true;
}

bool
mv_network_handle_network_port_set_parameters(MvDriverCall *call, const MvObjectRef *port_ref,
                                              const MvTypedParam *params, guint n_params,
                                              unsigned int flags, GError **error)
{
    MvNetworkDriver *driver = mv_network_driver_get(call);
    g_autoptr(MvNetworkObj) net = NULL;
    g_autoptr(MvNetworkBandwidth) bw = NULL;
    MvNetworkPortDef *port;
    bool ok = false;

    if (!mv_network_dispatch_check_flags(flags, 0, "virNetworkPortSetParameters", error) ||
        !(net = port_network(call, port_ref->name, port_ref->parent_uuid, error)) ||
        !mv_network_obj_begin_job(net, "virNetworkPortSetParameters", error))
        return false;
    g_mutex_lock(&net->lock);
    if ((port = find_port(net, port_ref->uuid, error))) {
        bw = port->bandwidth ? mv_network_bandwidth_copy(port->bandwidth)
                             : g_new0(MvNetworkBandwidth, 1);
        if (apply_params(bw, params, n_params, error)) {
            MvNetworkBandwidth *old = port->bandwidth;
            port->bandwidth = g_steal_pointer(&bw);
            if (port_save(driver, net->name, port, error)) {
                mv_network_bandwidth_free(old);
                ok = true;
            } else {
                bw = port->bandwidth;
                port->bandwidth = old;
            }
        }
    }
    g_mutex_unlock(&net->lock);
    mv_network_obj_end_job(net);
    return ok;
}
