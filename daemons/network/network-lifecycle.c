/* Starting, stopping and taking back networks, see network-lifecycle.h. */
#define MV_LOG_CATEGORY "network"
#include "network-lifecycle.h"

#include <signal.h>
#include <string.h>
#include <sys/socket.h>

#include "network-bandwidth.h"
#include "network-bridge.h"
#include "network-dnsmasq.h"
#include "network-firewall-glue.h"
#include "util/netlink.h"
#include "network-ports.h"
#include "network-subnet.h"
#include "network-sysctl.h"
#include "util/log.h"

/* Test-only fault points: MV_TEST_CRASH_AT=<point> makes the daemon die by
 * SIGKILL at that point of a start, so the tests can prove that a restarted
 * daemon leaves nothing half-made. Never set outside the tests. */
static void
crash_point(const char *point)
{
    const char *at = g_getenv("MV_TEST_CRASH_AT");

    if (G_UNLIKELY(at) && g_str_equal(at, point)) {
        mv_log_warning("MV_TEST_CRASH_AT=%s: killing the daemon", point);
        raise(SIGKILL);
    }
}

/* ---- clashes ---- */

bool
mv_network_lifecycle_check_start(MvNetworkDriver *driver, MvNetworkObj *self,
                                 const MvNetworkDef *def, GError **error)
{
    g_autoptr(GPtrArray) all = mv_driver_list_snapshot(driver->networks);
    bool creates = mv_network_def_creates_bridge(def);
    bool exists = false;

    for (guint i = 0; i < all->len; i++) {
        MvNetworkObj *other = all->pdata[i];
        bool ok = true;

        if (other == self)
            continue;
        g_mutex_lock(&other->lock);
        if (other->live && creates && def->bridge && other->live->bridge &&
            g_str_equal(other->live->bridge, def->bridge))
            ok = mv_error_set(error, MV_FROM_NETWORK, MV_ERR_INTERNAL_ERROR,
                              "bridge name '%s' already in use by active network '%s'",
                              def->bridge, other->name);
        for (size_t a = 0; ok && other->live && a < def->nips; a++) {
            for (size_t b = 0; ok && b < other->live->nips; b++) {
                g_autofree char *mine = NULL;
                g_autofree char *theirs = NULL;

                if (!mv_network_subnet_overlap(&def->ips[a], &other->live->ips[b]))
                    continue;
                mine = mv_network_subnet_text(&def->ips[a]);
                theirs = mv_network_subnet_text(&other->live->ips[b]);
                ok = mv_error_set(error, MV_FROM_NETWORK, MV_ERR_INTERNAL_ERROR,
                                  "Network is already in use by interface %s: subnet %s of "
                                  "network '%s' overlaps %s of active network '%s'",
                                  other->live->bridge ? other->live->bridge : "?", mine,
                                  def->name, theirs, other->name);
            }
        }
        g_mutex_unlock(&other->lock);
        if (!ok)
            return false;
    }
    if (!def->bridge)
        return true;
    if (!mv_netlink_link_exists(def->bridge, &exists, error))
        return false;
    if (creates && exists)
        return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_OPERATION_FAILED,
                            "bridge name '%s' of network '%s' is in use by another interface "
                            "on the host: choose another <bridge name='…'/>", def->bridge,
                            def->name);
    if (!creates && !exists)
        return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_OPERATION_FAILED,
                            "network '%s' forwards to the host bridge '%s', which does not "
                            "exist: create it first", def->name, def->bridge);
    for (size_t a = 0; creates && a < def->nips; a++) {
        g_autofree char *text = mv_network_subnet_network(def->ips[a].address,
                                                          def->ips[a].prefix);
        bool routed = false;

        if (!text)
            continue;
        if (!mv_netlink_route_exists(text, def->ips[a].prefix, &routed, error))
            return false;
        if (routed)
            return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_INTERNAL_ERROR,
                                "Network is already in use by another interface: the host "
                                "already routes %s/%u (network '%s'): choose another "
                                "<ip address=…>", text, def->ips[a].prefix, def->name);
    }
    return true;
}

/* ---- the bridge name reservations ---- */

static bool
bridge_reserve(MvNetworkDriver *driver, const char *bridge, const char *network,
               GError **error)
{
    bool ok;

    g_mutex_lock(&driver->bridges_lock);
    ok = !g_hash_table_contains(driver->bridges, bridge);
    if (ok)
        g_hash_table_add(driver->bridges, g_strdup(bridge));
    g_mutex_unlock(&driver->bridges_lock);
    if (!ok)
        return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_INTERNAL_ERROR,
                            "bridge name '%s' of network '%s' is held by another network "
                            "being started", bridge, network);
    return true;
}

static void
bridge_release(MvNetworkDriver *driver, const char *bridge)
{
    g_mutex_lock(&driver->bridges_lock);
    g_hash_table_remove(driver->bridges, bridge);
    g_mutex_unlock(&driver->bridges_lock);
}

/* ---- steps ---- */

static bool
has_family(const MvNetworkDef *def, MvNetworkIpFamily family)
{
    for (size_t i = 0; i < def->nips; i++)
        if (def->ips[i].family == family)
            return true;
    return false;
}

/* The bridge of @def with its addresses, up (net-plumb's network-bridge.h:
 * a failure leaves no bridge), and its ifindex in @rt. */
static bool
bridge_make(const MvNetworkDef *def, MvNetworkRuntime *rt, GError **error)
{
    g_autoptr(MvNetlinkLink) link = NULL;

    if (!mv_network_bridge_create(def, error))
        return false;
    crash_point("net-start-bridge");
    if (!mv_netlink_link_get(def->bridge, &link, error))
        return false;
    if (!link)
        return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_INTERNAL_ERROR,
                            "bridge '%s' vanished right after it was created", def->bridge);
    rt->bridge_ifindex = link->ifindex;
    return true;
}

/* The network's <bandwidth> shapes the whole bridge (tc). */
static bool
bridge_shape(const MvNetworkDef *def, GError **error)
{
    if (!def->bandwidth)
        return true;
    return mv_network_bandwidth_check(def->bandwidth, error) &&
           mv_network_bandwidth_set(def->bridge, def->bandwidth, error);
}

/* Deletes the bridge @name when it is the one we made (@ifindex; 0: we never
 * learned it, then any bridge of that name: we checked it did not exist). */
static void
bridge_unmake(const char *name, int ifindex)
{
    g_autoptr(MvNetlinkLink) link = NULL;
    g_autoptr(GError) err = NULL;

    if (!mv_netlink_link_get(name, &link, &err)) {
        mv_log_warning("cannot look at bridge '%s': %s", name, err->message);
        return;
    }
    if (!link)
        return;
    if ((ifindex && link->ifindex != ifindex) || g_strcmp0(link->kind, "bridge") != 0) {
        mv_log_warning("not deleting '%s': it is not the bridge this network made", name);
        return;
    }
    /* Its ifb device (outbound shaping) is named after the bridge: first. */
    if (!mv_network_bandwidth_clear(name, &err)) {
        mv_log_warning("bridge '%s': %s", name, err->message);
        g_clear_error(&err);
    }
    if (!mv_netlink_link_delete(name, &err))
        mv_log_warning("cannot delete bridge '%s': %s", name, err->message);
}

static bool
forwarding_enable(const MvNetworkDef *def, MvNetworkRuntime *rt, GError **error)
{
    MvNetworkForwardMode mode = def->forward.mode;

    if (mode != MV_NETWORK_FORWARD_NAT && mode != MV_NETWORK_FORWARD_ROUTE &&
        mode != MV_NETWORK_FORWARD_OPEN)
        return true;
    if (has_family(def, MV_NETWORK_IP_V4) && !mv_network_sysctl_forwarding_enable(AF_INET, error))
        return false;
    if (has_family(def, MV_NETWORK_IP_V6) &&
        !mv_network_sysctl_forwarding_enable(AF_INET6, error))
        return false;
    rt->forwarding = true;
    return true;
}

static MvNetworkDnsmasqFiles *
dnsmasq_files(MvNetworkDriver *driver, const char *network)
{
    return mv_network_dnsmasq_files_new(mv_daemon_get_paths(driver->daemon), network);
}

static void
dnsmasq_options(MvNetworkDriver *driver, const MvNetworkDnsmasqFiles *files,
                MvNetworkDnsmasqOptions *opts)
{
    *opts = (MvNetworkDnsmasqOptions){
        .binary = driver->dnsmasq,
        .lease_helper = driver->lease_helper,
        .user = mv_network_dnsmasq_pick_user(files),
        .context = driver->ctx,
    };
}

static bool
dnsmasq_begin(MvNetworkDriver *driver, const MvNetworkDef *def, MvNetworkRuntime *rt,
              GError **error)
{
    g_autoptr(MvNetworkDnsmasqFiles) files = NULL;
    MvNetworkDnsmasqOptions opts;

    if (!mv_network_dnsmasq_needed(def))
        return true;
    files = dnsmasq_files(driver, def->name);
    dnsmasq_options(driver, files, &opts);
    if (!(rt->dnsmasq = mv_network_dnsmasq_start(def, files, &opts, error)))
        return false;
    rt->dnsmasq_pid = mv_network_dnsmasq_get_pid(rt->dnsmasq);
    return true;
}

/* Stops the dnsmasq of network @def: ours (@rt->dnsmasq) or, after a
 * restart, the one its files name. */
static void
dnsmasq_end(MvNetworkDriver *driver, const MvNetworkDef *def, MvNetworkRuntime *rt)
{
    g_autoptr(GError) err = NULL;

    if (!rt->dnsmasq) {
        g_autoptr(MvNetworkDnsmasqFiles) files = dnsmasq_files(driver, def->name);
        MvNetworkDnsmasqOptions opts;

        dnsmasq_options(driver, files, &opts);
        if (!mv_network_dnsmasq_reattach(def, files, &opts, (MvNetworkDnsmasq **)&rt->dnsmasq,
                                         &err)) {
            mv_log_warning("network '%s': cannot find its dnsmasq: %s", def->name,
                           err->message);
            g_clear_error(&err);
        }
    }
    if (rt->dnsmasq && !mv_network_dnsmasq_stop(rt->dnsmasq, &err))
        mv_log_warning("network '%s': stopping dnsmasq: %s", def->name, err->message);
    rt->dnsmasq = NULL;
    rt->dnsmasq_pid = 0;
}

/* Undoes what @rt says a start of @def made, in reverse order. */
static void
undo(MvNetworkDriver *driver, const MvNetworkDef *def, MvNetworkRuntime *rt, bool bridge_made)
{
    dnsmasq_end(driver, def, rt);
    if (rt->firewall)
        mv_network_firewall_glue_remove(driver, def);
    rt->firewall = false;
    if (bridge_made)
        bridge_unmake(def->bridge, rt->bridge_ifindex);
    rt->bridge_ifindex = 0;
}

bool
mv_network_lifecycle_start(MvNetworkDriver *driver, MvNetworkObj *net, MvNetworkDef *def,
                           GError **error)
{
    g_autoptr(MvNetworkDef) owned = def;
    MvNetworkRuntime rt = { 0 };
    bool creates = mv_network_def_creates_bridge(def);
    bool persistent, reserved = false, made = false;

    g_mutex_lock(&net->lock);
    persistent = net->persistent;
    g_mutex_unlock(&net->lock);

    if (creates && !(reserved = bridge_reserve(driver, def->bridge, def->name, error)))
        return false;
    /* Recorded before anything exists: a daemon killed from here on finds
     * what to undo. */
    if (!mv_network_status_write(driver, def, persistent, &rt, true, error))
        goto fail;
    crash_point("net-start-status");
    if (creates) {
        made = true;
        if (!bridge_make(def, &rt, error) ||
            !mv_network_status_write(driver, def, persistent, &rt, true, error) ||
            !bridge_shape(def, error))
            goto fail;
        crash_point("net-start-addresses");
    }
    if (creates && mv_network_firewall_glue_wanted(def)) {
        bool applied;

        /* Recorded first: a rule set filterd may hold is removed on undo. */
        rt.firewall = true;
        if (!mv_network_status_write(driver, def, persistent, &rt, true, error))
            goto fail;
        applied = false;
        if (!mv_network_firewall_glue_add(driver, def, &applied, error)) {
            rt.firewall = false;    /* filterd changes nothing when it refuses */
            goto fail;
        }
        rt.firewall = applied;
        crash_point("net-start-firewall");
    }
    if (!forwarding_enable(def, &rt, error))
        goto fail;
    if (!dnsmasq_begin(driver, def, &rt, error))
        goto fail;
    crash_point("net-start-dnsmasq");
    if (!mv_network_status_write(driver, def, persistent, &rt, false, error))
        goto fail;
    crash_point("net-start-active");

    g_mutex_lock(&net->lock);
    net->live = g_steal_pointer(&owned);
    net->rt = rt;
    net->id = mv_driver_list_next_id(driver->networks);
    g_hash_table_remove_all(net->ports);
    g_mutex_unlock(&net->lock);
    return true;

fail:
    undo(driver, def, &rt, made);
    if (reserved)
        bridge_release(driver, def->bridge);
    mv_network_status_delete(driver, def->name);
    g_prefix_error(error, "cannot start network '%s': ", def->name);
    return false;
}

void
mv_network_lifecycle_stop(MvNetworkDriver *driver, MvNetworkObj *net)
{
    g_autoptr(MvNetworkDef) live = NULL;
    MvNetworkRuntime rt;
    bool creates;

    g_mutex_lock(&net->lock);
    live = g_steal_pointer(&net->live);
    rt = net->rt;
    memset(&net->rt, 0, sizeof(net->rt));
    net->id = -1;
    mv_network_ports_delete_all(driver, net);
    g_mutex_unlock(&net->lock);
    if (!live)
        return;
    creates = mv_network_def_creates_bridge(live);
    undo(driver, live, &rt, creates);
    if (creates)
        bridge_release(driver, live->bridge);
    mv_network_status_delete(driver, live->name);
}

void
mv_network_lifecycle_detach(MvNetworkDriver *driver, MvNetworkObj *net)
{
    (void)driver;
    g_mutex_lock(&net->lock);
    if (net->rt.dnsmasq)
        mv_network_dnsmasq_detach(net->rt.dnsmasq);
    net->rt.dnsmasq = NULL;
    g_mutex_unlock(&net->lock);
}

bool
mv_network_lifecycle_reload(MvNetworkDriver *driver, MvNetworkObj *net, GError **error)
{
    g_autoptr(MvNetworkDef) live = NULL;
    gpointer dm;
    bool needed;

    g_mutex_lock(&net->lock);
    live = mv_network_def_copy(net->live);
    dm = net->rt.dnsmasq;
    g_mutex_unlock(&net->lock);
    needed = mv_network_dnsmasq_needed(live);
    if (dm && needed)
        return mv_network_dnsmasq_update(dm, live, error);
    if (dm || needed) {
        /* DHCP or DNS appeared or went away: start or stop dnsmasq. */
        MvNetworkRuntime rt = { .dnsmasq = dm };
        if (dm)
            dnsmasq_end(driver, live, &rt);
        else if (!dnsmasq_begin(driver, live, &rt, error))
            return false;
        g_mutex_lock(&net->lock);
        net->rt.dnsmasq = rt.dnsmasq;
        net->rt.dnsmasq_pid = rt.dnsmasq_pid;
        g_mutex_unlock(&net->lock);
    }
    return true;
}

/* ---- recovery ---- */

bool
mv_network_lifecycle_recover(MvNetworkDriver *driver, MvNetworkObj *net, MvNetworkStatus *st)
{
    const MvNetworkDef *def = st->live;
    bool creates = mv_network_def_creates_bridge(def);
    g_autoptr(MvNetlinkLink) link = NULL;
    g_autoptr(MvNetworkDnsmasqFiles) files = NULL;
    g_autoptr(GError) err = NULL;
    MvNetworkDnsmasqOptions opts;
    MvNetworkDnsmasq *dm = NULL;

    if (st->starting) {
        mv_log_info("network '%s': undoing a start that never finished", def->name);
        undo(driver, def, &st->rt, creates);
        mv_network_status_delete(driver, def->name);
        return false;
    }
    if (creates && (!mv_netlink_link_get(def->bridge, &link, &err) || !link ||
                    link->ifindex != st->rt.bridge_ifindex)) {
        mv_log_warning("network '%s': its bridge '%s' is gone (%s): the network is stopped",
                       def->name, def->bridge, err ? err->message : "deleted meanwhile");
        undo(driver, def, &st->rt, false);
        mv_network_ports_delete_all(driver, net);
        mv_network_status_delete(driver, def->name);
        return false;
    }
    if (creates && !bridge_reserve(driver, def->bridge, def->name, &err)) {
        mv_log_error("network '%s': %s", def->name, err->message);
        return false;
    }
    files = dnsmasq_files(driver, def->name);
    dnsmasq_options(driver, files, &opts);
    if (mv_network_dnsmasq_needed(def)) {
        if (!mv_network_dnsmasq_reattach(def, files, &opts, &dm, &err)) {
            mv_log_warning("network '%s': cannot take back its dnsmasq: %s", def->name,
                           err->message);
            g_clear_error(&err);
        }
        if (!dm && !(dm = mv_network_dnsmasq_start(def, files, &opts, &err)))
            mv_log_error("network '%s': dnsmasq could not be started again: %s (the network "
                         "serves no DHCP/DNS until it is restarted)", def->name, err->message);
    }
    g_mutex_lock(&net->lock);
    net->rt = st->rt;
    net->rt.dnsmasq = dm;
    net->rt.dnsmasq_pid = dm ? mv_network_dnsmasq_get_pid(dm) : 0;
    net->live = g_steal_pointer(&st->live);
    net->id = mv_driver_list_next_id(driver->networks);
    mv_network_ports_load(driver, net);
    if (!mv_network_status_save(driver, net, &err))
        mv_log_warning("network '%s': %s", net->name, err->message);
    g_mutex_unlock(&net->lock);
    mv_log_info("network '%s' taken back (bridge %s, dnsmasq %d)", net->name,
                net->live->bridge ? net->live->bridge : "-", (int)net->rt.dnsmasq_pid);
    return true;
}
