/* Define, undefine, create, start, destroy, autostart: the calls that change
 * which networks exist and which run. */
#define MV_LOG_CATEGORY "network"
#include "network-handlers.h"

#include <net/if.h>
#include <string.h>

#include "daemon/network-events.h"
#include "network-lifecycle.h"
#include "util/log.h"
#include "util/uuid.h"

/* virNetworkDefineFlags / virNetworkCreateFlags: VALIDATE (our parser always
 * validates against the schema, so the flag changes nothing). */
#define DEFINE_VALIDATE 1u

/* The name of another network (not @self) whose definitions name bridge
 * @bridge, or NULL. */
static char *
bridge_user(MvNetworkDriver *driver, const char *bridge, const guint8 *self)
{
    g_autoptr(GPtrArray) all = mv_driver_list_snapshot(driver->networks);

    for (guint i = 0; i < all->len; i++) {
        MvNetworkObj *net = all->pdata[i];
        const MvNetworkDef *defs[3];
        bool used = false;

        if (self && memcmp(net->uuid, self, 16) == 0)
            continue;
        g_mutex_lock(&net->lock);
        defs[0] = net->def;
        defs[1] = net->newdef;
        defs[2] = net->live;
        for (guint j = 0; j < G_N_ELEMENTS(defs); j++)
            used |= defs[j] && defs[j]->bridge && g_str_equal(defs[j]->bridge, bridge) &&
                    mv_network_def_creates_bridge(defs[j]);
        g_mutex_unlock(&net->lock);
        if (used)
            return g_strdup(net->name);
    }
    return NULL;
}

/* Gives @def a bridge name when it has none (<prefix>N, the lowest N no
 * network uses and no host link has), and refuses a name another network's
 * definition already uses. */
static bool
assign_bridge(MvNetworkDriver *driver, MvNetworkDef *def, GError **error)
{
    g_autofree char *other = NULL;

    if (!mv_network_def_creates_bridge(def))
        return true;
    if (def->bridge) {
        if ((other = bridge_user(driver, def->bridge, def->uuid)))
            return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_INTERNAL_ERROR,
                                "bridge name '%s' already in use by network '%s': choose "
                                "another <bridge name='…'/>", def->bridge, other);
        return true;
    }
    for (int n = 0; n < 4096; n++) {
        g_autofree char *name = g_strdup_printf("%s%d", driver->bridge_prefix, n);
        g_autofree char *user = bridge_user(driver, name, def->uuid);

        if (user || if_nametoindex(name) != 0)
            continue;
        def->bridge = g_steal_pointer(&name);
        return true;
    }
    return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_INTERNAL_ERROR,
                        "no free bridge name %sN: give the network <bridge name='…'/>",
                        driver->bridge_prefix);
}

/* libvirt's identity rules for a new definition against the existing
 * networks: a UUID names at most one network, a name at most one UUID.
 * Returns the existing network with the same name and UUID (new ref), or
 * NULL with *@ret_ok telling a clash (error set) from a new network. */
static MvNetworkObj *
find_same(MvNetworkDriver *driver, const MvNetworkDef *def, bool *ret_ok, GError **error)
{
    g_autoptr(MvNetworkObj) by_uuid =
        MV_NETWORK_OBJ(mv_driver_list_find_by_uuid(driver->networks, def->uuid));
    g_autoptr(MvNetworkObj) by_name = NULL;
    char uuid[MV_UUID_STRING_LEN];

    *ret_ok = true;
    if (by_uuid) {
        if (g_str_equal(by_uuid->name, def->name))
            return g_steal_pointer(&by_uuid);
        mv_uuid_format(by_uuid->uuid, uuid);
        *ret_ok = false;
        mv_error_set(error, MV_FROM_NETWORK, MV_ERR_OPERATION_FAILED,
                     "network '%s' is already defined with uuid %s", by_uuid->name, uuid);
        return NULL;
    }
    if ((by_name = MV_NETWORK_OBJ(mv_driver_list_find_by_name(driver->networks, def->name)))) {
        mv_uuid_format(by_name->uuid, uuid);
        *ret_ok = false;
        mv_error_set(error, MV_FROM_NETWORK, MV_ERR_OPERATION_FAILED,
                     "network '%s' already exists with uuid %s", def->name, uuid);
    }
    return NULL;
}

static bool
save_config(MvNetworkDriver *driver, const MvNetworkDef *def, GError **error)
{
    g_autofree char *xml = mv_network_def_format(def, MV_NETWORK_FORMAT_INACTIVE);

    return mv_driver_store_save_config(driver->store, def->name, xml, error);
}

static bool
define(MvDriverCall *call, const char *xml, unsigned int flags, const char *api,
       MvObjectRef *ret_net, GError **error)
{
    MvNetworkDriver *driver = mv_network_driver_get(call);
    g_autoptr(MvNetworkDef) def = NULL;
    g_autoptr(MvNetworkObj) net = NULL;
    bool ok;

    if (!mv_network_dispatch_check_flags(flags, DEFINE_VALIDATE, api, error) ||
        !(def = mv_network_def_parse(xml, 0, error)))
        return false;
    /* One identity check and change at a time (define, create, undefine). */
    g_mutex_lock(&driver->define_lock);
    net = find_same(driver, def, &ok, error);
    if (!ok || !assign_bridge(driver, def, error) || !save_config(driver, def, error)) {
        g_mutex_unlock(&driver->define_lock);
        return false;
    }
    if (!net) {
        MvNetworkDef *owned = g_steal_pointer(&def);
        if (!(net = mv_network_obj_add(driver->networks, owned, true, error))) {
            g_mutex_unlock(&driver->define_lock);
            mv_network_def_free(owned);
            return false;
        }
    } else {
        g_mutex_lock(&net->lock);
        if (mv_network_obj_is_active(net)) {
            /* Applied at the next start. */
            mv_network_def_free(net->newdef);
            net->newdef = g_steal_pointer(&def);
        } else {
            mv_network_def_free(net->def);
            net->def = g_steal_pointer(&def);
        }
        net->persistent = true;
        g_mutex_unlock(&net->lock);
    }
    g_mutex_unlock(&driver->define_lock);
    mv_log_info("network '%s' defined", net->name);
    mv_network_driver_emit(driver, net, MV_NETWORK_EVENT_DEFINED);
    mv_network_dispatch_fill(ret_net, net);
    return true;
}

bool
mv_network_handle_network_define_xml(MvDriverCall *call, const char *xml, MvObjectRef *ret_net,
                                     GError **error)
{
    return define(call, xml, 0, "virNetworkDefineXML", ret_net, error);
}

bool
mv_network_handle_network_define_xml_flags(MvDriverCall *call, const char *xml,
                                           unsigned int flags, MvObjectRef *ret_net,
                                           GError **error)
{
    return define(call, xml, flags, "virNetworkDefineXMLFlags", ret_net, error);
}

bool
mv_network_handle_network_undefine(MvDriverCall *call, const MvObjectRef *net_ref,
                                   GError **error)
{
    MvNetworkDriver *driver = mv_network_driver_get(call);
    g_autoptr(MvNetworkObj) net = mv_network_dispatch_get(call, net_ref, error);
    bool active;

    if (!net || !mv_network_obj_begin_job(net, "virNetworkUndefine", error))
        return false;
    g_mutex_lock(&driver->define_lock);
    g_mutex_lock(&net->lock);
    if (!net->persistent) {
        g_mutex_unlock(&net->lock);
        g_mutex_unlock(&driver->define_lock);
        mv_network_obj_end_job(net);
        return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: cannot undefine transient "
                            "network '%s'", net->name);
    }
    g_mutex_unlock(&net->lock);
    if (!mv_driver_store_delete_config(driver->store, net->name, error)) {
        g_mutex_unlock(&driver->define_lock);
        mv_network_obj_end_job(net);
        return false;
    }
    g_mutex_lock(&net->lock);
    net->persistent = false;
    net->autostart = false;
    g_clear_pointer(&net->newdef, mv_network_def_free);
    active = mv_network_obj_is_active(net);
    g_mutex_unlock(&net->lock);
    /* An active network keeps running, now transient. */
    if (!active)
        mv_driver_list_remove(driver->networks, MV_DRIVER_OBJECT(net));
    g_mutex_unlock(&driver->define_lock);
    mv_network_obj_end_job(net);
    mv_log_info("network '%s' undefined", net->name);
    mv_network_driver_emit(driver, net, MV_NETWORK_EVENT_UNDEFINED);
    return true;
}

/* Starts @net (job held) with a copy of its config. */
static bool
start_job(MvNetworkDriver *driver, MvNetworkObj *net, GError **error)
{
    g_autoptr(MvNetworkDef) def = NULL;

    g_mutex_lock(&net->lock);
    if (mv_network_obj_is_active(net)) {
        g_mutex_unlock(&net->lock);
        return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: network is already active");
    }
    def = mv_network_def_copy(mv_network_obj_config(net));
    g_mutex_unlock(&net->lock);
    if (!mv_network_lifecycle_check_start(driver, net, def, error) ||
        !mv_network_lifecycle_start(driver, net, g_steal_pointer(&def), error))
        return false;
    mv_log_info("network '%s' started", net->name);
    mv_network_driver_emit(driver, net, MV_NETWORK_EVENT_STARTED);
    return true;
}

bool
mv_network_handle_network_create(MvDriverCall *call, const MvObjectRef *net_ref,
                                 GError **error)
{
    MvNetworkDriver *driver = mv_network_driver_get(call);
    g_autoptr(MvNetworkObj) net = mv_network_dispatch_get(call, net_ref, error);
    bool ok;

    if (!net || !mv_network_obj_begin_job(net, "virNetworkCreate", error))
        return false;
    ok = start_job(driver, net, error);
    mv_network_obj_end_job(net);
    return ok;
}

static bool
create_xml(MvDriverCall *call, const char *xml, unsigned int flags, const char *api,
           MvObjectRef *ret_net, GError **error)
{
    MvNetworkDriver *driver = mv_network_driver_get(call);
    g_autoptr(MvNetworkDef) def = NULL;
    g_autoptr(MvNetworkObj) net = NULL;
    bool added = false;
    bool ok;

    if (!mv_network_dispatch_check_flags(flags, DEFINE_VALIDATE, api, error) ||
        !(def = mv_network_def_parse(xml, 0, error)))
        return false;
    g_mutex_lock(&driver->define_lock);
    net = find_same(driver, def, &ok, error);
    if (ok)
        ok = assign_bridge(driver, def, error);
    if (ok && !net) {
        /* A new transient network: it exists while it runs. */
        MvNetworkDef *copy = mv_network_def_copy(def);
        if (!(net = mv_network_obj_add(driver->networks, copy, false, error))) {
            mv_network_def_free(copy);
            ok = false;
        }
        added = true;
    }
    g_mutex_unlock(&driver->define_lock);
    if (!ok)
        return false;
    if (!mv_network_obj_begin_job(net, api, error))
        return false;
    g_mutex_lock(&net->lock);
    if (mv_network_obj_is_active(net)) {
        g_mutex_unlock(&net->lock);
        mv_network_obj_end_job(net);
        return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: network is already active "
                            "as '%s'", net->name);
    }
    g_mutex_unlock(&net->lock);
    ok = mv_network_lifecycle_check_start(driver, net, def, error) &&
         mv_network_lifecycle_start(driver, net, g_steal_pointer(&def), error);
    if (!ok && added)
        mv_driver_list_remove(driver->networks, MV_DRIVER_OBJECT(net));
    mv_network_obj_end_job(net);
    if (!ok)
        return false;
    mv_log_info("network '%s' created", net->name);
    mv_network_driver_emit(driver, net, MV_NETWORK_EVENT_STARTED);
    mv_network_dispatch_fill(ret_net, net);
    return true;
}

bool
mv_network_handle_network_create_xml(MvDriverCall *call, const char *xml, MvObjectRef *ret_net,
                                     GError **error)
{
    return create_xml(call, xml, 0, "virNetworkCreateXML", ret_net, error);
}

bool
mv_network_handle_network_create_xml_flags(MvDriverCall *call, const char *xml,
                                           unsigned int flags, MvObjectRef *ret_net,
                                           GError **error)
{
    return create_xml(call, xml, flags, "virNetworkCreateXMLFlags", ret_net, error);
}

bool
mv_network_handle_network_destroy(MvDriverCall *call, const MvObjectRef *net_ref,
                                  GError **error)
{
    MvNetworkDriver *driver = mv_network_driver_get(call);
    g_autoptr(MvNetworkObj) net = mv_network_dispatch_get(call, net_ref, error);
    bool persistent;

    if (!net || !mv_network_obj_begin_job(net, "virNetworkDestroy", error))
        return false;
    g_mutex_lock(&net->lock);
    if (!mv_network_obj_is_active(net)) {
        g_mutex_unlock(&net->lock);
        mv_network_obj_end_job(net);
        return mv_network_dispatch_not_active(net, error);
    }
    g_mutex_unlock(&net->lock);
    mv_network_lifecycle_stop(driver, net);
    g_mutex_lock(&net->lock);
    if (net->newdef) {
        mv_network_def_free(net->def);
        net->def = g_steal_pointer(&net->newdef);
    }
    persistent = net->persistent;
    g_mutex_unlock(&net->lock);
    if (!persistent)
        mv_driver_list_remove(driver->networks, MV_DRIVER_OBJECT(net));
    mv_network_obj_end_job(net);
    mv_log_info("network '%s' destroyed", net->name);
    mv_network_driver_emit(driver, net, MV_NETWORK_EVENT_STOPPED);
    return true;
}

bool
mv_network_handle_network_set_autostart(MvDriverCall *call, const MvObjectRef *net_ref,
                                        int autostart, GError **error)
{
    MvNetworkDriver *driver = mv_network_driver_get(call);
    g_autoptr(MvNetworkObj) net = mv_network_dispatch_get(call, net_ref, error);
    bool ok = true;

    if (!net || !mv_network_obj_begin_job(net, "virNetworkSetAutostart", error))
        return false;
    g_mutex_lock(&net->lock);
    if (!net->persistent)
        ok = mv_error_set(error, MV_FROM_NETWORK, MV_ERR_OPERATION_INVALID,
                          "Requested operation is not valid: cannot set autostart for "
                          "transient network");
    g_mutex_unlock(&net->lock);
    if (ok)
        ok = mv_driver_store_set_autostart(driver->store, net->name, autostart != 0, error);
    if (ok) {
        g_mutex_lock(&net->lock);
        net->autostart = autostart != 0;
        g_mutex_unlock(&net->lock);
    }
    mv_network_obj_end_job(net);
    return ok;
}
