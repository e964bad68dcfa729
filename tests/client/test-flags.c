/* Flag and argument checks: every public call that takes flags (domains,
 * networks, storage pools and volumes, network filters, watches) rejects
 * every bit outside its documented set (tried one at a time, 0..31) with
 * MV_ERROR_INVALID_ARG before it contacts any daemon, accepts each documented
 * bit, and every ref/unref/free accepts NULL. The connection points at a root with
 * no daemon, so a call that got past its checks fails with NO_CONNECT. */
#include "client-priv.h"

static MvConnect *conn;
static MvDomain *dom;
static MvNetwork *net;
static MvStoragePool *pool;
static MvStorageVolume *vol;
static MvNetworkFilter *filter;

#define UUID1 "00000000-0000-0000-0000-000000000001"

/* @call runs with @flags; returns its success and sets @error. */
typedef bool (*FlagCall)(unsigned int flags, GError **error);

static bool
c_open(unsigned int flags, GError **error)
{
    g_autoptr(MvConnect) c = mv_connect_open("qemu:///system?root=/nonexistent", flags, error);
    return c != NULL;
}
static bool
c_hostname(unsigned int flags, GError **error)
{
    g_autofree char *h = mv_connect_get_hostname(conn, flags, error);
    return h != NULL;
}
static bool
c_version(unsigned int flags, GError **error)
{
    guint64 v;
    return mv_connect_get_hypervisor_version(conn, flags, &v, error);
}
static bool
c_caps(unsigned int flags, GError **error)
{
    g_autofree char *x = mv_connect_get_capabilities(conn, flags, error);
    return x != NULL;
}
static bool
c_list(unsigned int flags, GError **error)
{
    MvDomain **l = mv_connect_list_domains(conn, flags, NULL, error);
    mv_domain_list_free(l);
    return l != NULL;
}
static bool
c_lookup_name(unsigned int flags, GError **error)
{
    g_autoptr(MvDomain) d = mv_domain_lookup_by_name(conn, "x", flags, error);
    return d != NULL;
}
static bool
c_lookup_uuid(unsigned int flags, GError **error)
{
    g_autoptr(MvDomain) d = mv_domain_lookup_by_uuid(conn, "00000000-0000-0000-0000-000000000001",
                                                     flags, error);
    return d != NULL;
}
static bool
c_lookup_id(unsigned int flags, GError **error)
{
    g_autoptr(MvDomain) d = mv_domain_lookup_by_id(conn, 1, flags, error);
    return d != NULL;
}
static bool
c_lookup(unsigned int flags, GError **error)
{
    g_autoptr(MvDomain) d = mv_domain_lookup(conn, "x", flags, error);
    return d != NULL;
}
static bool
c_define(unsigned int flags, GError **error)
{
    g_autoptr(MvDomain) d = mv_domain_define(conn, "<domain/>", flags, error);
    return d != NULL;
}
static bool
c_transient(unsigned int flags, GError **error)
{
    g_autoptr(MvDomain) d = mv_domain_start_transient(conn, "<domain/>", flags, error);
    return d != NULL;
}
#define DOMCALL(fn)                                                                                \
    static bool c_##fn(unsigned int flags, GError **error)                                         \
    {                                                                                              \
        return mv_domain_##fn(dom, flags, error);                                                  \
    }
DOMCALL(start)
DOMCALL(shutdown)
DOMCALL(power_off)
DOMCALL(reboot)
DOMCALL(reset)
DOMCALL(suspend)
DOMCALL(resume)
DOMCALL(undefine)
static bool
c_state(unsigned int flags, GError **error)
{
    MvDomainState s;
    return mv_domain_get_state(dom, flags, &s, NULL, error);
}
static bool
c_info(unsigned int flags, GError **error)
{
    MvDomainInfo i;
    return mv_domain_get_info(dom, flags, &i, error);
}
static bool
c_xml(unsigned int flags, GError **error)
{
    g_autofree char *x = mv_domain_get_xml(dom, flags, error);
    return x != NULL;
}
static bool
c_get_autostart(unsigned int flags, GError **error)
{
    bool a;
    return mv_domain_get_autostart(dom, flags, &a, error);
}
static bool
c_set_autostart(unsigned int flags, GError **error)
{
    return mv_domain_set_autostart(dom, true, flags, error);
}
static bool
c_console(unsigned int flags, GError **error)
{
    g_autoptr(MvStream) s = mv_domain_open_console(dom, NULL, flags, error);
    return s != NULL;
}
static void
on_event(MvConnect *c, MvDomain *d, MvDomainEventType e, int detail, gpointer data)
{
}
static bool
c_watch(unsigned int flags, GError **error)
{
    return mv_connect_watch_domain_events(conn, NULL, NULL, on_event, NULL, NULL, flags,
                                          error) != 0;
}

/* ---- networks ---- */
static bool
n_list(unsigned int flags, GError **error)
{
    MvNetwork **l = mv_connect_list_networks(conn, flags, NULL, error);
    mv_network_list_free(l);
    return l != NULL;
}
static bool
n_lookup_name(unsigned int flags, GError **error)
{
    g_autoptr(MvNetwork) n = mv_network_lookup_by_name(conn, "x", flags, error);
    return n != NULL;
}
static bool
n_lookup_uuid(unsigned int flags, GError **error)
{
    g_autoptr(MvNetwork) n = mv_network_lookup_by_uuid(conn, UUID1, flags, error);
    return n != NULL;
}
static bool
n_define(unsigned int flags, GError **error)
{
    g_autoptr(MvNetwork) n = mv_network_define(conn, "<network/>", flags, error);
    return n != NULL;
}
static bool
n_transient(unsigned int flags, GError **error)
{
    g_autoptr(MvNetwork) n = mv_network_start_transient(conn, "<network/>", flags, error);
    return n != NULL;
}
#define NETCALL(fn)                                                                                \
    static bool n_##fn(unsigned int flags, GError **error)                                         \
    {                                                                                              \
        return mv_network_##fn(net, flags, error);                                                 \
    }
NETCALL(start)
NETCALL(stop)
NETCALL(undefine)
static bool
n_xml(unsigned int flags, GError **error)
{
    g_autofree char *x = mv_network_get_xml(net, flags, error);
    return x != NULL;
}
static bool
n_get_autostart(unsigned int flags, GError **error)
{
    bool a;
    return mv_network_get_autostart(net, flags, &a, error);
}
static bool
n_set_autostart(unsigned int flags, GError **error)
{
    return mv_network_set_autostart(net, true, flags, error);
}
static bool
n_is_active(unsigned int flags, GError **error)
{
    bool a;
    return mv_network_is_active(net, flags, &a, error);
}
static bool
n_is_persistent(unsigned int flags, GError **error)
{
    bool p;
    return mv_network_is_persistent(net, flags, &p, error);
}
static bool
n_bridge(unsigned int flags, GError **error)
{
    g_autofree char *b = mv_network_get_bridge_name(net, flags, error);
    return b != NULL;
}
static bool
n_leases(unsigned int flags, GError **error)
{
    MvNetworkDhcpLease **l = mv_network_get_dhcp_leases(net, NULL, flags, NULL, error);
    mv_network_dhcp_lease_list_free(l);
    return l != NULL;
}
static void
on_net_event(MvConnect *c, MvNetwork *n, MvNetworkEventType e, int detail, gpointer data)
{
}
static bool
n_watch(unsigned int flags, GError **error)
{
    return mv_connect_watch_network_events(conn, NULL, NULL, on_net_event, NULL, NULL, flags,
                                           error) != 0;
}

/* ---- storage pools ---- */
static bool
p_list(unsigned int flags, GError **error)
{
    MvStoragePool **l = mv_connect_list_storage_pools(conn, flags, NULL, error);
    mv_storage_pool_list_free(l);
    return l != NULL;
}
static bool
p_lookup_name(unsigned int flags, GError **error)
{
    g_autoptr(MvStoragePool) p = mv_storage_pool_lookup_by_name(conn, "x", flags, error);
    return p != NULL;
}
static bool
p_lookup_uuid(unsigned int flags, GError **error)
{
    g_autoptr(MvStoragePool) p = mv_storage_pool_lookup_by_uuid(conn, UUID1, flags, error);
    return p != NULL;
}
static bool
p_lookup_volume(unsigned int flags, GError **error)
{
    g_autoptr(MvStoragePool) p = mv_storage_pool_lookup_by_volume(vol, flags, error);
    return p != NULL;
}
static bool
p_define(unsigned int flags, GError **error)
{
    g_autoptr(MvStoragePool) p = mv_storage_pool_define(conn, "<pool/>", flags, error);
    return p != NULL;
}
#define POOLCALL(fn)                                                                               \
    static bool p_##fn(unsigned int flags, GError **error)                                         \
    {                                                                                              \
        return mv_storage_pool_##fn(pool, flags, error);                                           \
    }
POOLCALL(build)
POOLCALL(start)
POOLCALL(stop)
POOLCALL(delete_storage)
POOLCALL(undefine)
POOLCALL(refresh)
static bool
p_info(unsigned int flags, GError **error)
{
    MvStoragePoolInfo i;
    return mv_storage_pool_get_info(pool, flags, &i, error);
}
static bool
p_xml(unsigned int flags, GError **error)
{
    g_autofree char *x = mv_storage_pool_get_xml(pool, flags, error);
    return x != NULL;
}
static bool
p_get_autostart(unsigned int flags, GError **error)
{
    bool a;
    return mv_storage_pool_get_autostart(pool, flags, &a, error);
}
static bool
p_set_autostart(unsigned int flags, GError **error)
{
    return mv_storage_pool_set_autostart(pool, false, flags, error);
}
static bool
p_is_active(unsigned int flags, GError **error)
{
    bool a;
    return mv_storage_pool_is_active(pool, flags, &a, error);
}
static bool
p_is_persistent(unsigned int flags, GError **error)
{
    bool a;
    return mv_storage_pool_is_persistent(pool, flags, &a, error);
}
static bool
p_volumes(unsigned int flags, GError **error)
{
    MvStorageVolume **l = mv_storage_pool_list_volumes(pool, flags, NULL, error);
    mv_storage_volume_list_free(l);
    return l != NULL;
}
static void
on_pool_event(MvConnect *c, MvStoragePool *p, MvStoragePoolEventType e, int detail,
              gpointer data)
{
}
static bool
p_watch(unsigned int flags, GError **error)
{
    return mv_connect_watch_storage_pool_events(conn, pool, NULL, on_pool_event, NULL, NULL,
                                                flags, error) != 0;
}

/* ---- storage volumes ---- */
static bool
v_lookup_name(unsigned int flags, GError **error)
{
    g_autoptr(MvStorageVolume) v = mv_storage_volume_lookup_by_name(pool, "x", flags, error);
    return v != NULL;
}
static bool
v_lookup_key(unsigned int flags, GError **error)
{
    g_autoptr(MvStorageVolume) v = mv_storage_volume_lookup_by_key(conn, "/k", flags, error);
    return v != NULL;
}
static bool
v_lookup_path(unsigned int flags, GError **error)
{
    g_autoptr(MvStorageVolume) v = mv_storage_volume_lookup_by_path(conn, "/p", flags, error);
    return v != NULL;
}
static bool
v_create(unsigned int flags, GError **error)
{
    g_autoptr(MvStorageVolume) v = mv_storage_volume_create(pool, "<volume/>", flags, error);
    return v != NULL;
}
static bool
v_create_from(unsigned int flags, GError **error)
{
    g_autoptr(MvStorageVolume) v = mv_storage_volume_create_from(pool, "<volume/>", vol, flags,
                                                                 error);
    return v != NULL;
}
#define VOLCALL(fn)                                                                                \
    static bool v_##fn(unsigned int flags, GError **error)                                         \
    {                                                                                              \
        return mv_storage_volume_##fn(vol, flags, error);                                          \
    }
VOLCALL(delete)
VOLCALL(wipe)
static bool
v_resize(unsigned int flags, GError **error)
{
    return mv_storage_volume_resize(vol, 1u << 30, flags, error);
}
static bool
v_info(unsigned int flags, GError **error)
{
    MvStorageVolumeInfo i;
    return mv_storage_volume_get_info(vol, flags, &i, error);
}
static bool
v_xml(unsigned int flags, GError **error)
{
    g_autofree char *x = mv_storage_volume_get_xml(vol, flags, error);
    return x != NULL;
}
static bool
v_path(unsigned int flags, GError **error)
{
    g_autofree char *x = mv_storage_volume_get_path(vol, flags, error);
    return x != NULL;
}
static bool
v_upload(unsigned int flags, GError **error)
{
    g_autoptr(MvStream) s = mv_storage_volume_upload(vol, 0, 0, flags, error);
    return s != NULL;
}
static bool
v_download(unsigned int flags, GError **error)
{
    g_autoptr(MvStream) s = mv_storage_volume_download(vol, 0, 0, flags, error);
    return s != NULL;
}

/* ---- network filters ---- */
static bool
f_list(unsigned int flags, GError **error)
{
    MvNetworkFilter **l = mv_connect_list_network_filters(conn, flags, NULL, error);
    mv_network_filter_list_free(l);
    return l != NULL;
}
static bool
f_lookup_name(unsigned int flags, GError **error)
{
    g_autoptr(MvNetworkFilter) f = mv_network_filter_lookup_by_name(conn, "x", flags, error);
    return f != NULL;
}
static bool
f_lookup_uuid(unsigned int flags, GError **error)
{
    g_autoptr(MvNetworkFilter) f = mv_network_filter_lookup_by_uuid(conn, UUID1, flags, error);
    return f != NULL;
}
static bool
f_define(unsigned int flags, GError **error)
{
    g_autoptr(MvNetworkFilter) f = mv_network_filter_define(conn, "<filter/>", flags, error);
    return f != NULL;
}
static bool
f_undefine(unsigned int flags, GError **error)
{
    return mv_network_filter_undefine(filter, flags, error);
}
static bool
f_xml(unsigned int flags, GError **error)
{
    g_autofree char *x = mv_network_filter_get_xml(filter, flags, error);
    return x != NULL;
}

typedef struct {
    const char *name;
    FlagCall call;
    unsigned int valid;         /* a known flag combination */
    unsigned int allowed;       /* every bit the call documents; all others are unknown */
    const char *socket;         /* the daemon socket the call is routed to, if checked */
} FlagCase;

/* Where the calls of each family go on qemu:///system?root=/nonexistent. */
#define NET "/nonexistent/run/network.sock"
#define STO "/nonexistent/run/storage.sock"
#define FLT "/nonexistent/run/filter.sock"

/* The documented flag sets (the public headers), written out here on purpose:
 * a bit that the library starts accepting without a header change fails. */
#define DOMAIN_LIST_FLAGS (MV_LIST_DOMAINS_ACTIVE | MV_LIST_DOMAINS_INACTIVE | \
                           MV_LIST_DOMAINS_PERSISTENT | MV_LIST_DOMAINS_TRANSIENT | \
                           MV_LIST_DOMAINS_RUNNING | MV_LIST_DOMAINS_PAUSED | \
                           MV_LIST_DOMAINS_SHUTOFF | MV_LIST_DOMAINS_OTHER | \
                           MV_LIST_DOMAINS_AUTOSTART | MV_LIST_DOMAINS_NO_AUTOSTART)
#define NETWORK_LIST_FLAGS (MV_LIST_NETWORKS_ACTIVE | MV_LIST_NETWORKS_INACTIVE | \
                            MV_LIST_NETWORKS_PERSISTENT | MV_LIST_NETWORKS_TRANSIENT | \
                            MV_LIST_NETWORKS_AUTOSTART | MV_LIST_NETWORKS_NO_AUTOSTART)
#define POOL_LIST_FLAGS (MV_LIST_STORAGE_POOLS_ACTIVE | MV_LIST_STORAGE_POOLS_INACTIVE | \
                         MV_LIST_STORAGE_POOLS_PERSISTENT | MV_LIST_STORAGE_POOLS_TRANSIENT | \
                         MV_LIST_STORAGE_POOLS_AUTOSTART | MV_LIST_STORAGE_POOLS_NO_AUTOSTART)
#define POOL_START_FLAGS (MV_STORAGE_POOL_START_BUILD | MV_STORAGE_POOL_START_BUILD_OVERWRITE | \
                          MV_STORAGE_POOL_START_BUILD_NO_OVERWRITE)
#define VOLUME_CREATE_FROM_FLAGS (MV_STORAGE_VOLUME_CREATE_PREALLOC_METADATA | \
                                  MV_STORAGE_VOLUME_CREATE_REFLINK | \
                                  MV_STORAGE_VOLUME_CREATE_VALIDATE)
#define VOLUME_RESIZE_FLAGS (MV_STORAGE_VOLUME_RESIZE_ALLOCATE | MV_STORAGE_VOLUME_RESIZE_DELTA | \
                             MV_STORAGE_VOLUME_RESIZE_SHRINK)

static const FlagCase cases[] = {
    { "connect_open", c_open, MV_CONNECT_READ_ONLY, MV_CONNECT_READ_ONLY },
    { "connect_get_hostname", c_hostname, 0, 0 },
    { "connect_get_hypervisor_version", c_version, 0, 0 },
    { "connect_get_capabilities", c_caps, 0, 0 },
    { "connect_list_domains", c_list, MV_LIST_DOMAINS_ACTIVE | MV_LIST_DOMAINS_NO_AUTOSTART,
      DOMAIN_LIST_FLAGS },
    { "domain_lookup_by_name", c_lookup_name, 0, 0 },
    { "domain_lookup_by_uuid", c_lookup_uuid, 0, 0 },
    { "domain_lookup_by_id", c_lookup_id, 0, 0 },
    { "domain_lookup", c_lookup, 0, 0 },
    { "domain_define", c_define, MV_DOMAIN_DEFINE_VALIDATE, MV_DOMAIN_DEFINE_VALIDATE },
    { "domain_start_transient", c_transient, MV_DOMAIN_START_PAUSED, MV_DOMAIN_START_PAUSED },
    { "domain_start", c_start, MV_DOMAIN_START_PAUSED, MV_DOMAIN_START_PAUSED },
    { "domain_shutdown", c_shutdown, 0, 0 },
    { "domain_power_off", c_power_off, MV_DOMAIN_POWER_OFF_GRACEFUL,
      MV_DOMAIN_POWER_OFF_GRACEFUL },
    { "domain_reboot", c_reboot, 0, 0 },
    { "domain_reset", c_reset, 0, 0 },
    { "domain_suspend", c_suspend, 0, 0 },
    { "domain_resume", c_resume, 0, 0 },
    { "domain_undefine", c_undefine, 0, 0 },
    { "domain_get_state", c_state, 0, 0 },
    { "domain_get_info", c_info, 0, 0 },
    { "domain_get_xml", c_xml, MV_DOMAIN_XML_INACTIVE | MV_DOMAIN_XML_SECURE,
      MV_DOMAIN_XML_INACTIVE | MV_DOMAIN_XML_SECURE },
    { "domain_get_autostart", c_get_autostart, 0, 0 },
    { "domain_set_autostart", c_set_autostart, 0, 0 },
    { "domain_open_console", c_console, MV_CONSOLE_FORCE, MV_CONSOLE_FORCE | MV_CONSOLE_SAFE },
    { "connect_watch_domain_events", c_watch, 0, 0 },

    { "connect_list_networks", n_list, MV_LIST_NETWORKS_ACTIVE | MV_LIST_NETWORKS_NO_AUTOSTART,
      NETWORK_LIST_FLAGS, NET },
    { "network_lookup_by_name", n_lookup_name, 0, 0, NET },
    { "network_lookup_by_uuid", n_lookup_uuid, 0, 0, NET },
    { "network_define", n_define, MV_NETWORK_DEFINE_VALIDATE, MV_NETWORK_DEFINE_VALIDATE, NET },
    { "network_start_transient", n_transient, MV_NETWORK_DEFINE_VALIDATE,
      MV_NETWORK_DEFINE_VALIDATE, NET },
    { "network_start", n_start, 0, 0, NET },
    { "network_stop", n_stop, 0, 0, NET },
    { "network_undefine", n_undefine, 0, 0, NET },
    { "network_get_xml", n_xml, MV_NETWORK_XML_INACTIVE, MV_NETWORK_XML_INACTIVE, NET },
    { "network_get_autostart", n_get_autostart, 0, 0, NET },
    { "network_set_autostart", n_set_autostart, 0, 0, NET },
    { "network_is_active", n_is_active, 0, 0, NET },
    { "network_is_persistent", n_is_persistent, 0, 0, NET },
    { "network_get_bridge_name", n_bridge, 0, 0, NET },
    { "network_get_dhcp_leases", n_leases, 0, 0, NET },
    { "connect_watch_network_events", n_watch, 0, 0, NET },

    { "connect_list_storage_pools", p_list,
      MV_LIST_STORAGE_POOLS_INACTIVE | MV_LIST_STORAGE_POOLS_PERSISTENT,
      POOL_LIST_FLAGS, STO },
    { "storage_pool_lookup_by_name", p_lookup_name, 0, 0, STO },
    { "storage_pool_lookup_by_uuid", p_lookup_uuid, 0, 0, STO },
    { "storage_pool_lookup_by_volume", p_lookup_volume, 0, 0, STO },
    { "storage_pool_define", p_define, MV_STORAGE_POOL_DEFINE_VALIDATE,
      MV_STORAGE_POOL_DEFINE_VALIDATE, STO },
    { "storage_pool_build", p_build, MV_STORAGE_POOL_BUILD_NO_OVERWRITE,
      MV_STORAGE_POOL_BUILD_NO_OVERWRITE | MV_STORAGE_POOL_BUILD_OVERWRITE, STO },
    { "storage_pool_start", p_start, MV_STORAGE_POOL_START_BUILD, POOL_START_FLAGS, STO },
    { "storage_pool_stop", p_stop, 0, 0, STO },
    { "storage_pool_delete_storage", p_delete_storage, 0, 0, STO },
    { "storage_pool_undefine", p_undefine, 0, 0, STO },
    { "storage_pool_refresh", p_refresh, 0, 0, STO },
    { "storage_pool_get_info", p_info, 0, 0, STO },
    { "storage_pool_get_xml", p_xml, MV_STORAGE_POOL_XML_INACTIVE,
      MV_STORAGE_POOL_XML_INACTIVE, STO },
    { "storage_pool_get_autostart", p_get_autostart, 0, 0, STO },
    { "storage_pool_set_autostart", p_set_autostart, 0, 0, STO },
    { "storage_pool_is_active", p_is_active, 0, 0, STO },
    { "storage_pool_is_persistent", p_is_persistent, 0, 0, STO },
    { "storage_pool_list_volumes", p_volumes, 0, 0, STO },
    { "connect_watch_storage_pool_events", p_watch, 0, 0, STO },

    { "storage_volume_lookup_by_name", v_lookup_name, 0, 0, STO },
    { "storage_volume_lookup_by_key", v_lookup_key, 0, 0, STO },
    { "storage_volume_lookup_by_path", v_lookup_path, 0, 0, STO },
    { "storage_volume_create", v_create, MV_STORAGE_VOLUME_CREATE_VALIDATE,
      MV_STORAGE_VOLUME_CREATE_PREALLOC_METADATA | MV_STORAGE_VOLUME_CREATE_VALIDATE, STO },
    { "storage_volume_create_from", v_create_from, MV_STORAGE_VOLUME_CREATE_REFLINK,
      VOLUME_CREATE_FROM_FLAGS, STO },
    { "storage_volume_delete", v_delete, 0, 0, STO },
    { "storage_volume_wipe", v_wipe, 0, 0, STO },
    { "storage_volume_resize", v_resize, MV_STORAGE_VOLUME_RESIZE_DELTA,
      VOLUME_RESIZE_FLAGS, STO },
    { "storage_volume_get_info", v_info, 0, 0, STO },
    { "storage_volume_get_xml", v_xml, 0, 0, STO },
    { "storage_volume_get_path", v_path, 0, 0, STO },
    { "storage_volume_upload", v_upload, MV_STORAGE_VOLUME_TRANSFER_SPARSE,
      MV_STORAGE_VOLUME_TRANSFER_SPARSE, STO },
    { "storage_volume_download", v_download, MV_STORAGE_VOLUME_TRANSFER_SPARSE,
      MV_STORAGE_VOLUME_TRANSFER_SPARSE, STO },

    { "connect_list_network_filters", f_list, 0, 0, FLT },
    { "network_filter_lookup_by_name", f_lookup_name, 0, 0, FLT },
    { "network_filter_lookup_by_uuid", f_lookup_uuid, 0, 0, FLT },
    { "network_filter_define", f_define, MV_NETWORK_FILTER_DEFINE_VALIDATE,
      MV_NETWORK_FILTER_DEFINE_VALIDATE, FLT },
    { "network_filter_undefine", f_undefine, 0, 0, FLT },
    { "network_filter_get_xml", f_xml, 0, 0, FLT },
};

static void
test_flags(gconstpointer data)
{
    const FlagCase *t = data;
    g_autoptr(GError) error = NULL;

    g_assert_cmpuint(t->valid & ~t->allowed, ==, 0);
    /* every bit outside the documented set, alone and next to known flags */
    for (unsigned int bit = 0; bit < 32; bit++) {
        unsigned int flag = 1u << bit;
        g_autofree char *expect = g_strdup_printf("unsupported flags 0x%x ", flag);

        if (flag & t->allowed)
            continue;
        for (int with_valid = 0; with_valid < 2; with_valid++) {
            if (t->call(flag | (with_valid ? t->valid : 0), &error))
                g_error("%s accepted the unknown flag 0x%x", t->name, flag);
            g_assert_error(error, MV_ERROR, MV_ERROR_INVALID_ARG);
            if (!strstr(error->message, expect))
                g_error("%s with flag 0x%x: %s", t->name, flag, error->message);
            g_clear_error(&error);
        }
    }

    /* each documented bit passes the flag check (it may still be refused for
     * its combination, but never as unknown) */
    for (unsigned int bit = 0; bit < 32; bit++) {
        unsigned int flag = 1u << bit;

        if (!(flag & t->allowed))
            continue;
        g_assert_false(t->call(flag, &error));
        g_assert_nonnull(error);
        if (strstr(error->message, "unsupported flags"))
            g_error("%s refused its documented flag 0x%x: %s", t->name, flag, error->message);
        g_clear_error(&error);
    }

    /* known flags pass the check and reach the (absent) daemon */
    g_assert_false(t->call(t->valid, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_NO_CONNECT);
    if (t->socket)
        g_assert_nonnull(strstr(error->message, t->socket));
}

static void
test_null(void)
{
    g_autoptr(GError) error = NULL;

    mv_connect_unref(NULL);
    mv_domain_unref(NULL);
    mv_domain_list_free(NULL);
    mv_stream_unref(NULL);
    mv_stream_abort(NULL);
    g_assert_null(mv_connect_ref(NULL));
    g_assert_null(mv_domain_ref(NULL));
    g_assert_null(mv_stream_ref(NULL));

    g_assert_false(mv_domain_start(NULL, 0, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_null(mv_domain_lookup_by_name(conn, NULL, 0, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_null(mv_domain_lookup_by_uuid(conn, "not-a-uuid", 0, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_false(mv_connect_unwatch_events(conn, 12345, 0, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_INVALID_ARG);
    g_clear_error(&error);
    for (unsigned int bit = 0; bit < 32; bit++) {
        g_clear_error(&error);
        g_assert_false(mv_connect_unwatch_events(conn, 1, 1u << bit, &error));
        g_assert_error(error, MV_ERROR, MV_ERROR_INVALID_ARG);
        g_assert_nonnull(strstr(error->message, "unsupported flags"));
    }
    g_assert_false(mv_connect_set_events_resume_func(NULL, NULL, NULL, NULL, NULL, 0, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_INVALID_ARG);
    for (unsigned int bit = 0; bit < 32; bit++) {
        g_clear_error(&error);
        g_assert_false(mv_connect_set_events_resume_func(conn, NULL, NULL, NULL, NULL, 1u << bit,
                                                         &error));
        g_assert_error(error, MV_ERROR, MV_ERROR_INVALID_ARG);
        g_assert_nonnull(strstr(error->message, "unsupported flags"));
    }
    g_clear_error(&error);
    g_assert_true(mv_connect_set_events_resume_func(conn, NULL, NULL, NULL, NULL, 0, &error));
    g_assert_no_error(error);
    g_assert_cmpstr(mv_events_resume_status_name(MV_EVENTS_RESUME_GAP), ==, "gap");
    g_assert_cmpstr(mv_events_resume_status_name(MV_EVENTS_RESUME_LAST), ==, "unknown");
}

/* The new object families: NULL-safe ref/unref/free, NULL objects and
 * arguments refused with INVALID_ARG before anything is sent. */
static void
test_null_objects(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MvNetworkDhcpLease) lease = g_new0(MvNetworkDhcpLease, 1);

    mv_network_unref(NULL);
    mv_network_list_free(NULL);
    mv_network_dhcp_lease_free(NULL);
    mv_network_dhcp_lease_list_free(NULL);
    mv_storage_pool_unref(NULL);
    mv_storage_pool_list_free(NULL);
    mv_storage_volume_unref(NULL);
    mv_storage_volume_list_free(NULL);
    mv_network_filter_unref(NULL);
    mv_network_filter_list_free(NULL);
    g_assert_null(mv_network_ref(NULL));
    g_assert_null(mv_storage_pool_ref(NULL));
    g_assert_null(mv_storage_volume_ref(NULL));
    g_assert_null(mv_network_filter_ref(NULL));
    lease->interface = g_strdup("virbr0");      /* optional strings NULL: freed fine */

    g_assert_false(mv_network_start(NULL, 0, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_false(mv_storage_pool_stop(NULL, 0, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_false(mv_storage_volume_wipe(NULL, 0, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_null(mv_storage_volume_download(NULL, 0, 0, 0, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_false(mv_network_filter_undefine(NULL, 0, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_null(mv_storage_volume_create_from(pool, "<volume/>", NULL, 0, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_null(mv_storage_volume_lookup_by_name(NULL, "x", 0, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_null(mv_network_lookup_by_name(conn, NULL, 0, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_null(mv_network_define(conn, NULL, 0, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_false(mv_network_is_active(net, 0, NULL, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_false(mv_storage_pool_get_info(pool, 0, NULL, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_null(mv_storage_pool_lookup_by_uuid(conn, "not-a-uuid", 0, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_null(mv_network_filter_lookup_by_uuid(conn, "not-a-uuid", 0, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_cmpuint(mv_connect_watch_network_events(conn, NULL, NULL, NULL, NULL, NULL, 0,
                                                     &error), ==, 0);
    g_assert_error(error, MV_ERROR, MV_ERROR_INVALID_ARG);
    g_clear_error(&error);

    /* flags that exclude each other are refused too */
    g_assert_false(mv_storage_pool_build(pool, MV_STORAGE_POOL_BUILD_OVERWRITE |
                                         MV_STORAGE_POOL_BUILD_NO_OVERWRITE, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_INVALID_ARG);
    g_clear_error(&error);
    /* REFLINK is for create_from only */
    g_assert_null(mv_storage_volume_create(pool, "<volume/>", MV_STORAGE_VOLUME_CREATE_REFLINK,
                                           &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_INVALID_ARG);
}

/* Our list flags number ACTIVE 1 and INACTIVE 2 for every family; on the
 * wire networks and pools have them the other way round. */
static void
test_list_flags_to_wire(void)
{
    g_assert_cmpuint(mv_network_list_flags_to_wire(0), ==, 0);
    g_assert_cmpuint(mv_network_list_flags_to_wire(MV_LIST_NETWORKS_ACTIVE), ==, 2);
    g_assert_cmpuint(mv_network_list_flags_to_wire(MV_LIST_NETWORKS_INACTIVE), ==, 1);
    g_assert_cmpuint(mv_network_list_flags_to_wire(MV_LIST_NETWORKS_ACTIVE |
                                                   MV_LIST_NETWORKS_INACTIVE), ==, 3);
    g_assert_cmpuint(mv_network_list_flags_to_wire(MV_LIST_NETWORKS_PERSISTENT), ==, 4);
    g_assert_cmpuint(mv_network_list_flags_to_wire(MV_LIST_NETWORKS_TRANSIENT), ==, 8);
    g_assert_cmpuint(mv_network_list_flags_to_wire(MV_LIST_NETWORKS_AUTOSTART), ==, 16);
    g_assert_cmpuint(mv_network_list_flags_to_wire(MV_LIST_NETWORKS_NO_AUTOSTART), ==, 32);
    g_assert_cmpuint(mv_network_list_flags_to_wire(MV_LIST_NETWORKS_ACTIVE |
                                                   MV_LIST_NETWORKS_AUTOSTART), ==, 18);

    g_assert_cmpuint(mv_storage_pool_list_flags_to_wire(MV_LIST_STORAGE_POOLS_ACTIVE), ==, 2);
    g_assert_cmpuint(mv_storage_pool_list_flags_to_wire(MV_LIST_STORAGE_POOLS_INACTIVE), ==, 1);
    g_assert_cmpuint(mv_storage_pool_list_flags_to_wire(MV_LIST_STORAGE_POOLS_INACTIVE |
                                                        MV_LIST_STORAGE_POOLS_TRANSIENT |
                                                        MV_LIST_STORAGE_POOLS_NO_AUTOSTART),
                     ==, 1 | 8 | 32);
}

/* Handles carry the wire identity; accessors make no call. */
static void
test_handles(void)
{
    g_assert_cmpstr(mv_network_get_name(net), ==, "default");
    g_assert_cmpstr(mv_network_get_uuid_string(net), ==, "00000000-0000-0000-0000-000000000000");
    g_assert_true(mv_network_get_connect(net) == conn);
    g_assert_cmpstr(mv_storage_pool_get_name(pool), ==, "images");
    g_assert_cmpstr(mv_storage_volume_get_name(vol), ==, "disk.qcow2");
    g_assert_cmpstr(mv_storage_volume_get_pool_name(vol), ==, "images");
    g_assert_cmpstr(mv_storage_volume_get_key(vol), ==, "/images/disk.qcow2");
    g_assert_cmpstr(mv_network_filter_get_name(filter), ==, "clean-traffic");
    g_assert_true(mv_network_filter_get_connect(filter) == conn);
}

static void
test_names(void)
{
    g_assert_cmpstr(mv_domain_state_name(MV_DOMAIN_STATE_SHUTOFF), ==, "shut off");
    g_assert_cmpstr(mv_domain_state_name(42), ==, "unknown");
    g_assert_cmpstr(mv_domain_event_type_name(MV_DOMAIN_EVENT_STOPPED), ==, "stopped");
    g_assert_cmpstr(mv_domain_event_detail_name(MV_DOMAIN_EVENT_STOPPED, 1), ==, "destroyed");
    g_assert_cmpstr(mv_domain_event_detail_name(MV_DOMAIN_EVENT_STARTED, 0), ==, "booted");
    g_assert_cmpstr(mv_domain_event_detail_name(MV_DOMAIN_EVENT_STARTED, 99), ==, "unknown");
    g_assert_cmpstr(mv_domain_event_detail_name(-1, 0), ==, "unknown");
    g_assert_cmpuint(mv_library_version(), >=, 1000);

    g_assert_cmpstr(mv_network_event_type_name(MV_NETWORK_EVENT_STOPPED), ==, "stopped");
    g_assert_cmpstr(mv_network_event_type_name(MV_NETWORK_EVENT_LAST), ==, "unknown");
    g_assert_cmpstr(mv_storage_pool_event_type_name(MV_STORAGE_POOL_EVENT_DELETED), ==,
                    "deleted");
    g_assert_cmpstr(mv_storage_pool_event_type_name(MV_STORAGE_POOL_EVENT_REFRESHED), ==,
                    "refreshed");
    g_assert_cmpstr(mv_storage_pool_event_type_name(-1), ==, "unknown");
    g_assert_cmpstr(mv_storage_pool_state_name(MV_STORAGE_POOL_STATE_RUNNING), ==, "running");
    g_assert_cmpstr(mv_storage_pool_state_name(9), ==, "unknown");
    g_assert_cmpstr(mv_storage_volume_type_name(MV_STORAGE_VOLUME_BLOCK), ==, "block");
    g_assert_cmpstr(mv_storage_volume_type_name(MV_STORAGE_VOLUME_TYPE_LAST), ==, "unknown");
}

int
main(int argc, char **argv)
{
    mv_remote_nonnull_domain ref = { .name = "ghost", .id = -1 };
    mv_remote_nonnull_network net_ref = { .name = "default" };
    mv_remote_nonnull_storage_pool pool_ref = { .name = "images" };
    mv_remote_nonnull_storage_vol vol_ref = {
        .pool = "images", .name = "disk.qcow2", .key = "/images/disk.qcow2",
    };
    mv_remote_nonnull_nwfilter filter_ref = { .name = "clean-traffic" };
    int status;

    g_test_init(&argc, &argv, NULL);
    conn = mv_connect_new_unopened("qemu:///system?root=/nonexistent", 0, NULL);
    dom = mv_domain_new_from_wire(conn, &ref);
    net = mv_network_new_from_wire(conn, &net_ref);
    pool = mv_storage_pool_new_from_wire(conn, &pool_ref);
    vol = mv_storage_volume_new_from_wire(conn, &vol_ref);
    filter = mv_network_filter_new_from_wire(conn, &filter_ref);
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *name = g_strdup_printf("/client/flags/%s", cases[i].name);

        g_test_add_data_func(name, &cases[i], test_flags);
    }
    g_test_add_func("/client/flags/null", test_null);
    g_test_add_func("/client/flags/names", test_names);
    g_test_add_func("/client/flags/null-objects", test_null_objects);
    g_test_add_func("/client/flags/list-flags-to-wire", test_list_flags_to_wire);
    g_test_add_func("/client/flags/handles", test_handles);
    status = g_test_run();
    mv_network_filter_unref(filter);
    mv_storage_volume_unref(vol);
    mv_storage_pool_unref(pool);
    mv_network_unref(net);
    mv_domain_unref(dom);
    mv_connect_unref(conn);
    return status;
}
