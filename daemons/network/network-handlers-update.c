/* virNetworkUpdate: one change to the live network, its config, or both. */
#define MV_LOG_CATEGORY "network"
#include "network-handlers.h"

#include "driver/affect.h"
#include "network-lifecycle.h"
#include "util/log.h"

bool
mv_network_handle_network_update(MvDriverCall *call, const MvObjectRef *net_ref,
                                 unsigned int command, unsigned int section, int parent_index,
                                 const char *xml, unsigned int flags, GError **error)
{
    MvNetworkDriver *driver = mv_network_driver_get(call);
    g_autoptr(MvNetworkObj) net = NULL;
    g_autoptr(MvNetworkDef) config = NULL;
    g_autoptr(MvNetworkDef) live = NULL;
    g_autofree char *config_xml = NULL;
    g_autoptr(GError) err = NULL;
    bool active, persistent, ok = false;

    if (!mv_network_dispatch_check_flags(flags, MV_DRIVER_AFFECT_LIVE | MV_DRIVER_AFFECT_CONFIG,
                                         "virNetworkUpdate", error) ||
        !(net = mv_network_dispatch_get(call, net_ref, error)) ||
        !mv_network_obj_begin_job(net, "virNetworkUpdate", error))
        return false;

    g_mutex_lock(&net->lock);
    active = mv_network_obj_is_active(net);
    persistent = net->persistent;
    if (!mv_driver_affect_resolve(&mv_network_obj_class, &flags, active, persistent,
                                  MV_DRIVER_AFFECT_NEED_PERSISTENT, error)) {
        g_mutex_unlock(&net->lock);
        goto out;
    }
    /* Both changes are made on copies first: a refused change alters nothing. */
    if (flags & MV_DRIVER_AFFECT_CONFIG)
        config = mv_network_def_copy(mv_network_obj_config(net));
    if (flags & MV_DRIVER_AFFECT_LIVE)
        live = mv_network_def_copy(net->live);
    g_mutex_unlock(&net->lock);

    if (config && !mv_network_def_update(config, command, section, parent_index, xml, flags,
                                         error))
        goto out;
    if (live && !mv_network_def_update(live, command, section, parent_index, xml, flags, error))
        goto out;
    if (config) {
        config_xml = mv_network_def_format(config, MV_NETWORK_FORMAT_INACTIVE);
        if (!mv_driver_store_save_config(driver->store, config->name, config_xml, error))
            goto out;
        g_mutex_lock(&net->lock);
        if (active) {
            mv_network_def_free(net->newdef);
            net->newdef = g_steal_pointer(&config);
        } else {
            mv_network_def_free(net->def);
            net->def = g_steal_pointer(&config);
        }
        g_mutex_unlock(&net->lock);
    }
    if (live) {
        MvNetworkDef *old;

        g_mutex_lock(&net->lock);
        old = net->live;
        net->live = g_steal_pointer(&live);
        g_mutex_unlock(&net->lock);
        /* dnsmasq rereads its host files on SIGHUP: DHCP hosts, DNS entries. */
        if (!mv_network_lifecycle_reload(driver, net, error)) {
            g_mutex_lock(&net->lock);
            live = net->live;
            net->live = old;
            g_mutex_unlock(&net->lock);
            goto out;
        }
        mv_network_def_free(old);
        g_mutex_lock(&net->lock);
        if (!mv_network_status_save(driver, net, &err))
            mv_log_warning("network '%s': the live change took effect but %s", net->name,
                           err->message);
        g_mutex_unlock(&net->lock);
    }
    mv_log_info("network '%s' updated (%s, %s%s)", net->name,
                mv_network_update_section_to_string(section) ?: "?",
                flags & MV_DRIVER_AFFECT_LIVE ? "live" : "",
                flags & MV_DRIVER_AFFECT_CONFIG ? " config" : "");
    ok = true;
out:
    mv_network_obj_end_job(net);
    return ok;
}
