/* rtnetlink through libnl-route-3: see util/netlink.h. */
#include "util/netlink.h"

#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>
#include <string.h>

#include "util/error.h"

typedef struct nl_sock MvNlSock;
typedef struct nl_addr MvNlAddr;
typedef struct nl_cache MvNlCache;
typedef struct rtnl_link MvRtnlLink;
typedef struct rtnl_addr MvRtnlAddr;
typedef struct rtnl_route MvRtnlRoute;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvNlSock, nl_socket_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvNlAddr, nl_addr_put)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvNlCache, nl_cache_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvRtnlLink, rtnl_link_put)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvRtnlAddr, rtnl_addr_put)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvRtnlRoute, rtnl_route_put)

void
mv_netlink_link_free(MvNetlinkLink *link)
{
    if (!link)
        return;
    g_free(link->name);
    g_free(link->kind);
    g_free(link->mac);
    g_free(link);
}

void
mv_netlink_addr_free(MvNetlinkAddr *addr)
{
    if (!addr)
        return;
    g_free(addr->address);
    g_free(addr);
}

/* A connected NETLINK_ROUTE socket of the calling thread's namespace. */
static MvNlSock *
mv_netlink_open(GError **error)
{
    g_autoptr(MvNlSock) sock = nl_socket_alloc();
    int err;

    if (!sock)
        return mv_error_set(error, MV_FROM_NET, MV_ERR_NO_MEMORY,
                            "Cannot allocate a netlink socket"), NULL;
    if ((err = nl_connect(sock, NETLINK_ROUTE)) < 0)
        return mv_error_set(error, MV_FROM_NET, MV_ERR_SYSTEM_ERROR,
                            "Cannot open a netlink socket: %s", nl_geterror(err)), NULL;
    return g_steal_pointer(&sock);
}

bool
mv_netlink_name_check(const char *name, GError **error)
{
    gsize len = name ? strlen(name) : 0;

    if (len == 0 || len > MV_NETLINK_NAME_MAX || strcmp(name, ".") == 0 ||
        strcmp(name, "..") == 0 || strpbrk(name, "/: \t\n\r"))
        return mv_error_set(error, MV_FROM_NET, MV_ERR_INVALID_ARG,
                            "'%s' is not a valid interface name: use 1 to %d characters "
                            "without '/', ':' or spaces",
                            name ? name : "", MV_NETLINK_NAME_MAX);
    return true;
}

static bool
mv_netlink_not_found(int err)
{
    return err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV;
}

/* Looks up @name: true with *ret (NULL when absent), false on a netlink failure. */
static bool
mv_netlink_lookup(MvNlSock *sock, const char *name, MvRtnlLink **ret, GError **error)
{
    struct rtnl_link *link = NULL;
    int err;

    if (!mv_netlink_name_check(name, error))
        return false;
    err = rtnl_link_get_kernel(sock, 0, name, &link);
    if (err < 0 && !mv_netlink_not_found(err))
        return mv_error_set(error, MV_FROM_NET, MV_ERR_SYSTEM_ERROR,
                            "Cannot read interface '%s': %s", name, nl_geterror(err));
    *ret = err < 0 ? NULL : link;
    return true;
}

/* Like mv_netlink_lookup(), but a missing link is an error. */
static MvRtnlLink *
mv_netlink_lookup_existing(MvNlSock *sock, const char *name, GError **error)
{
    MvRtnlLink *link = NULL;

    if (!mv_netlink_lookup(sock, name, &link, error))
        return NULL;
    if (!link)
        return mv_error_set(error, MV_FROM_NET, MV_ERR_OPERATION_FAILED,
                            "Interface '%s' does not exist", name), NULL;
    return link;
}

bool
mv_netlink_link_get(const char *name, MvNetlinkLink **ret_link, GError **error)
{
    g_autoptr(MvNlSock) sock = mv_netlink_open(error);
    g_autoptr(MvRtnlLink) link = NULL;
    MvNetlinkLink *info;
    struct nl_addr *mac;
    const char *kind;

    if (!sock || !mv_netlink_lookup(sock, name, &link, error))
        return false;
    if (!link) {
        *ret_link = NULL;
        return true;
    }
    info = g_new0(MvNetlinkLink, 1);
    info->ifindex = rtnl_link_get_ifindex(link);
    info->name = g_strdup(rtnl_link_get_name(link));
    kind = rtnl_link_get_type(link);
    info->kind = g_strdup(kind);
    mac = rtnl_link_get_addr(link);
    if (mac && nl_addr_get_len(mac) == 6) {
        const guint8 *b = nl_addr_get_binary_addr(mac);

        info->mac = g_strdup_printf("%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3],
                                    b[4], b[5]);
    }
    info->mtu = rtnl_link_get_mtu(link);
    info->up = (rtnl_link_get_flags(link) & IFF_UP) != 0;
    info->master_ifindex = rtnl_link_get_master(link);
    *ret_link = info;
    return true;
}

bool
mv_netlink_link_exists(const char *name, bool *ret_exists, GError **error)
{
    g_autoptr(MvNetlinkLink) link = NULL;

    if (!mv_netlink_link_get(name, &link, error))
        return false;
    *ret_exists = link != NULL;
    return true;
}

static bool
mv_netlink_mac_parse(const char *text, guint8 mac[6], GError **error)
{
    unsigned int b[6];
    char end;

    if (sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
               &end) != 6 || strlen(text) != 17)
        return mv_error_set(error, MV_FROM_NET, MV_ERR_INVALID_MAC,
                            "'%s' is not a MAC address (expected aa:bb:cc:dd:ee:ff)", text);
    for (int i = 0; i < 6; i++)
        mac[i] = (guint8)b[i];
    if (mac[0] & 1)
        return mv_error_set(error, MV_FROM_NET, MV_ERR_INVALID_MAC,
                            "'%s' is a multicast MAC address: a bridge needs a unicast one",
                            text);
    return true;
}

/* The error for a failed RTM_NEWLINK of @name. */
static bool
mv_netlink_create_error(GError **error, const char *name, const char *kind, int err)
{
    if (err == -NLE_EXIST)
        return mv_error_set(error, MV_FROM_NET, MV_ERR_OPERATION_FAILED,
                            "bridge name '%s' is in use by another interface", name);
    if (err == -NLE_OPNOTSUPP || err == -NLE_OBJ_NOTFOUND)
        return mv_error_set(error, MV_FROM_NET, MV_ERR_OPERATION_FAILED,
                            "Cannot create %s '%s': the kernel has no %s support: %s", kind,
                            name, kind, nl_geterror(err));
    return mv_error_set(error, MV_FROM_NET, MV_ERR_OPERATION_FAILED, "Cannot create %s '%s': %s",
                        kind, name, nl_geterror(err));
}

/* libnl 3.7 cannot set a bridge's own attributes (IFLA_BR_*), so the request
 * is built here: one RTM_NEWLINK with the name, MAC, MTU and the bridge's
 * forward delay (clock_t, USER_HZ = 100) before its STP state. The kernel
 * applies the delay first, while STP is still off, so a delay below STP's
 * 2 s minimum is taken as libvirt's default (stp on, delay 0) expects. */
bool
mv_netlink_bridge_create(const MvNetlinkBridgeConfig *config, GError **error)
{
    struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
    g_autoptr(MvNlSock) sock = NULL;
    struct nlattr *linkinfo, *data;
    struct nl_msg *msg;
    guint8 mac[6];
    int err;

    if (!mv_netlink_name_check(config->name, error))
        return false;
    if (config->mac && !mv_netlink_mac_parse(config->mac, mac, error))
        return false;
    if (config->forward_delay > 300)
        return mv_error_set(error, MV_FROM_NET, MV_ERR_INVALID_ARG,
                            "Bridge forward delay %u s is too long (at most 300)",
                            config->forward_delay);
    if (!(sock = mv_netlink_open(error)))
        return false;
    if (!(msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL)))
        return mv_error_set(error, MV_FROM_NET, MV_ERR_NO_MEMORY, "Cannot build a netlink request");
    if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
        nla_put_string(msg, IFLA_IFNAME, config->name) < 0 ||
        (config->mac && nla_put(msg, IFLA_ADDRESS, 6, mac) < 0) ||
        (config->mtu && nla_put_u32(msg, IFLA_MTU, config->mtu) < 0) ||
        !(linkinfo = nla_nest_start(msg, IFLA_LINKINFO)) ||
        nla_put_string(msg, IFLA_INFO_KIND, "bridge") < 0 ||
        !(data = nla_nest_start(msg, IFLA_INFO_DATA)) ||
        nla_put_u32(msg, IFLA_BR_FORWARD_DELAY, config->forward_delay * 100) < 0 ||
        nla_put_u32(msg, IFLA_BR_STP_STATE, config->stp ? 1 : 0) < 0) {
        nlmsg_free(msg);
        return mv_error_set(error, MV_FROM_NET, MV_ERR_NO_MEMORY, "Cannot build a netlink request");
    }
    nla_nest_end(msg, data);
    nla_nest_end(msg, linkinfo);
    if ((err = nl_send_sync(sock, msg)) < 0)   /* frees msg */
        return mv_netlink_create_error(error, config->name, "bridge", err);
    return true;
}

bool
mv_netlink_link_create(const char *name, const char *kind, GError **error)
{
    g_autoptr(MvNlSock) sock = NULL;
    g_autoptr(MvRtnlLink) link = NULL;
    int err;

    if (!mv_netlink_name_check(name, error) || !(sock = mv_netlink_open(error)))
        return false;
    link = rtnl_link_alloc();
    rtnl_link_set_name(link, name);
    if ((err = rtnl_link_set_type(link, kind)) < 0)
        return mv_error_set(error, MV_FROM_NET, MV_ERR_INTERNAL_ERROR,
                            "Cannot create %s '%s': %s", kind, name, nl_geterror(err));
    if ((err = rtnl_link_add(sock, link, NLM_F_CREATE | NLM_F_EXCL)) < 0) {
        if (err == -NLE_EXIST)
            return mv_error_set(error, MV_FROM_NET, MV_ERR_OPERATION_FAILED,
                                "Interface name '%s' is in use by another interface", name);
        return mv_netlink_create_error(error, name, kind, err);
    }
    return true;
}

bool
mv_netlink_link_delete(const char *name, GError **error)
{
    g_autoptr(MvNlSock) sock = mv_netlink_open(error);
    g_autoptr(MvRtnlLink) link = NULL;
    int err;

    if (!sock || !(link = mv_netlink_lookup_existing(sock, name, error)))
        return false;
    if ((err = rtnl_link_delete(sock, link)) < 0)
        return mv_error_set(error, MV_FROM_NET, MV_ERR_OPERATION_FAILED,
                            "Cannot delete interface '%s': %s", name, nl_geterror(err));
    return true;
}

bool
mv_netlink_link_set_up(const char *name, bool up, GError **error)
{
    g_autoptr(MvNlSock) sock = mv_netlink_open(error);
    g_autoptr(MvRtnlLink) link = NULL;
    g_autoptr(MvRtnlLink) change = NULL;
    int err;

    if (!sock || !(link = mv_netlink_lookup_existing(sock, name, error)))
        return false;
    change = rtnl_link_alloc();
    if (up)
        rtnl_link_set_flags(change, IFF_UP);
    else
        rtnl_link_unset_flags(change, IFF_UP);
    if ((err = rtnl_link_change(sock, link, change, 0)) < 0)
        return mv_error_set(error, MV_FROM_NET, MV_ERR_OPERATION_FAILED,
                            "Cannot set interface '%s' %s: %s", name, up ? "up" : "down",
                            nl_geterror(err));
    return true;
}

bool
mv_netlink_link_set_mac_mtu(const char *name, const guint8 *mac, guint mtu, GError **error)
{
    g_autoptr(MvNlSock) sock = mv_netlink_open(error);
    g_autoptr(MvRtnlLink) link = NULL;
    g_autoptr(MvRtnlLink) change = NULL;
    g_autoptr(MvNlAddr) addr = NULL;
    int err;

    if (!sock || !(link = mv_netlink_lookup_existing(sock, name, error)))
        return false;
    change = rtnl_link_alloc();
    if (mac) {
        addr = nl_addr_build(AF_LLC, mac, 6);
        rtnl_link_set_addr(change, addr);
    }
    if (mtu)
        rtnl_link_set_mtu(change, mtu);
    if ((err = rtnl_link_change(sock, link, change, 0)) < 0)
        return mv_error_set(error, MV_FROM_NET, MV_ERR_OPERATION_FAILED,
                            "Cannot set the MAC address and MTU of interface '%s': %s", name,
                            nl_geterror(err));
    return true;
}

bool
mv_netlink_bridge_port_set_isolated(const char *name, GError **error)
{
    g_autoptr(MvNlSock) sock = mv_netlink_open(error);
    g_autoptr(MvRtnlLink) link = NULL;
    struct ifinfomsg ifi = { .ifi_family = AF_BRIDGE };
    struct nl_msg *msg = NULL;
    struct nlattr *protinfo;
    int err = -NLE_NOMEM;

    if (!sock || !(link = mv_netlink_lookup_existing(sock, name, error)))
        return false;
    ifi.ifi_index = rtnl_link_get_ifindex(link);
    /* libnl 3.7 has no setter for it: the bridge port attribute by hand */
    if ((msg = nlmsg_alloc_simple(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK)) &&
        nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) >= 0 &&
        (protinfo = nla_nest_start(msg, IFLA_PROTINFO | NLA_F_NESTED)) &&
        nla_put_u8(msg, IFLA_BRPORT_ISOLATED, 1) >= 0 && nla_nest_end(msg, protinfo) >= 0)
        err = nl_send_sync(sock, g_steal_pointer(&msg));  /* frees it */
    if (msg)
        nlmsg_free(msg);
    if (err < 0)
        return mv_error_set(error, MV_FROM_NET, MV_ERR_OPERATION_FAILED,
                            "Cannot make interface '%s' an isolated bridge port: %s", name,
                            nl_geterror(err));
    return true;
}

bool
mv_netlink_link_set_master(const char *name, const char *master, GError **error)
{
    g_autoptr(MvNlSock) sock = mv_netlink_open(error);
    g_autoptr(MvRtnlLink) link = NULL;
    g_autoptr(MvRtnlLink) bridge = NULL;
    int err;

    if (!sock || !(link = mv_netlink_lookup_existing(sock, name, error)))
        return false;
    if (!master) {
        if ((err = rtnl_link_release_ifindex(sock, rtnl_link_get_ifindex(link))) < 0)
            return mv_error_set(error, MV_FROM_NET, MV_ERR_OPERATION_FAILED,
                                "Cannot release interface '%s' from its bridge: %s", name,
                                nl_geterror(err));
        return true;
    }
    if (!(bridge = mv_netlink_lookup_existing(sock, master, error)))
        return false;
    err = rtnl_link_enslave_ifindex(sock, rtnl_link_get_ifindex(bridge),
                                    rtnl_link_get_ifindex(link));
    if (err < 0)
        return mv_error_set(error, MV_FROM_NET, MV_ERR_OPERATION_FAILED,
                            "Cannot attach interface '%s' to bridge '%s': %s", name, master,
                            nl_geterror(err));
    return true;
}

/* Parses @text (IPv4 or IPv6) with @prefix into a new nl_addr. */
static MvNlAddr *
mv_netlink_ip_parse(const char *text, guint prefix, GError **error)
{
    guint8 buf[16];
    int family = strchr(text, ':') ? AF_INET6 : AF_INET;
    guint max = family == AF_INET ? 32 : 128;
    MvNlAddr *addr;

    if (inet_pton(family, text, buf) != 1)
        return mv_error_set(error, MV_FROM_NET, MV_ERR_INVALID_ARG,
                            "'%s' is not an IPv4 or IPv6 address", text), NULL;
    if (prefix > max)
        return mv_error_set(error, MV_FROM_NET, MV_ERR_INVALID_ARG,
                            "Prefix %u is too long for '%s' (at most %u)", prefix, text, max),
               NULL;
    addr = nl_addr_build(family, buf, family == AF_INET ? 4 : 16);
    if (!addr)
        return mv_error_set(error, MV_FROM_NET, MV_ERR_NO_MEMORY, "Out of memory"), NULL;
    nl_addr_set_prefixlen(addr, (int)prefix);
    return addr;
}

/* A new rtnl_addr for @address/@prefix on @ifindex, as the kernel wants it. */
static MvRtnlAddr *
mv_netlink_addr_build(int ifindex, const char *address, guint prefix, GError **error)
{
    g_autoptr(MvNlAddr) local = mv_netlink_ip_parse(address, prefix, error);
    g_autoptr(MvRtnlAddr) addr = NULL;

    if (!local)
        return NULL;
    addr = rtnl_addr_alloc();
    rtnl_addr_set_ifindex(addr, ifindex);
    rtnl_addr_set_family(addr, nl_addr_get_family(local));
    rtnl_addr_set_local(addr, local);
    rtnl_addr_set_prefixlen(addr, (int)prefix);
    if (nl_addr_get_family(local) == AF_INET && prefix < 31) {
        guint32 ip, mask = prefix ? htonl(~0u << (32 - prefix)) : 0;
        g_autoptr(MvNlAddr) brd = NULL;

        memcpy(&ip, nl_addr_get_binary_addr(local), 4);
        ip |= ~mask;
        brd = nl_addr_build(AF_INET, &ip, 4);
        rtnl_addr_set_broadcast(addr, brd);
    } else if (nl_addr_get_family(local) == AF_INET6) {
        /* No duplicate address detection: the address is usable at once and
         * dnsmasq can bind it now rather than after DAD's second or so. */
        rtnl_addr_set_flags(addr, IFA_F_NODAD);
    }
    return g_steal_pointer(&addr);
}

static bool
mv_netlink_addr_change(const char *name, const char *address, guint prefix, bool add,
                       GError **error)
{
    g_autoptr(MvNlSock) sock = mv_netlink_open(error);
    g_autoptr(MvRtnlLink) link = NULL;
    g_autoptr(MvRtnlAddr) addr = NULL;
    int err;

    if (!sock || !(link = mv_netlink_lookup_existing(sock, name, error)))
        return false;
    if (!(addr = mv_netlink_addr_build(rtnl_link_get_ifindex(link), address, prefix, error)))
        return false;
    err = add ? rtnl_addr_add(sock, addr, NLM_F_EXCL) : rtnl_addr_delete(sock, addr, 0);
    if (err == -NLE_EXIST)
        return mv_error_set(error, MV_FROM_NET, MV_ERR_OPERATION_FAILED,
                            "Interface '%s' already has address %s/%u", name, address, prefix);
    if (err < 0)
        return mv_error_set(error, MV_FROM_NET, MV_ERR_OPERATION_FAILED,
                            "Cannot %s address %s/%u %s interface '%s': %s",
                            add ? "add" : "remove", address, prefix, add ? "to" : "from", name,
                            nl_geterror(err));
    return true;
}

bool
mv_netlink_addr_add(const char *name, const char *address, guint prefix, GError **error)
{
    return mv_netlink_addr_change(name, address, prefix, true, error);
}

bool
mv_netlink_addr_del(const char *name, const char *address, guint prefix, GError **error)
{
    return mv_netlink_addr_change(name, address, prefix, false, error);
}

GPtrArray *
mv_netlink_addr_list(const char *name, GError **error)
{
    g_autoptr(MvNlSock) sock = mv_netlink_open(error);
    g_autoptr(MvRtnlLink) link = NULL;
    g_autoptr(MvNlCache) cache = NULL;
    g_autoptr(GPtrArray) list = NULL;
    struct nl_object *obj;
    int ifindex, err;

    if (!sock || !(link = mv_netlink_lookup_existing(sock, name, error)))
        return NULL;
    ifindex = rtnl_link_get_ifindex(link);
    if ((err = rtnl_addr_alloc_cache(sock, &cache)) < 0)
        return mv_error_set(error, MV_FROM_NET, MV_ERR_SYSTEM_ERROR,
                            "Cannot read the addresses of '%s': %s", name, nl_geterror(err)),
               NULL;
    list = g_ptr_array_new_with_free_func((GDestroyNotify)mv_netlink_addr_free);
    for (obj = nl_cache_get_first(cache); obj; obj = nl_cache_get_next(obj)) {
        struct rtnl_addr *a = (struct rtnl_addr *)obj;
        struct nl_addr *local = rtnl_addr_get_local(a);
        int family = rtnl_addr_get_family(a);
        char text[INET6_ADDRSTRLEN];
        const guint8 *bin;
        MvNetlinkAddr *entry;

        if (rtnl_addr_get_ifindex(a) != ifindex || !local ||
            (family != AF_INET && family != AF_INET6))
            continue;
        bin = nl_addr_get_binary_addr(local);
        if (family == AF_INET6 && bin[0] == 0xfe && (bin[1] & 0xc0) == 0x80)
            continue;   /* link-local: the kernel's own */
        if (!inet_ntop(family, bin, text, sizeof(text)))
            continue;
        entry = g_new0(MvNetlinkAddr, 1);
        entry->family = family;
        entry->address = g_strdup(text);
        entry->prefix = (guint)rtnl_addr_get_prefixlen(a);
        g_ptr_array_add(list, entry);
    }
    return g_steal_pointer(&list);
}

/* A new route object for the arguments of mv_netlink_route_add/_del. */
static MvRtnlRoute *
mv_netlink_route_build(MvNlSock *sock, const char *dest, guint prefix, const char *gateway,
                       const char *name, GError **error)
{
    g_autoptr(MvNlAddr) dst = mv_netlink_ip_parse(dest, prefix, error);
    g_autoptr(MvNlAddr) gw = NULL;
    g_autoptr(MvRtnlLink) link = NULL;
    g_autoptr(MvRtnlRoute) route = NULL;
    struct rtnl_nexthop *nh;

    if (!dst)
        return NULL;
    if (gateway && !(gw = mv_netlink_ip_parse(gateway, 0, error)))
        return NULL;
    if (gw && nl_addr_get_family(gw) != nl_addr_get_family(dst))
        return mv_error_set(error, MV_FROM_NET, MV_ERR_INVALID_ARG,
                            "Gateway %s and route %s/%u are of different address families",
                            gateway, dest, prefix), NULL;
    if (!gw && !name)
        return mv_error_set(error, MV_FROM_NET, MV_ERR_INVALID_ARG,
                            "A route to %s/%u needs a gateway or an interface", dest, prefix),
               NULL;
    if (name && !(link = mv_netlink_lookup_existing(sock, name, error)))
        return NULL;
    if (gw)
        nl_addr_set_prefixlen(gw, nl_addr_get_family(gw) == AF_INET ? 32 : 128);
    route = rtnl_route_alloc();
    rtnl_route_set_family(route, (guint8)nl_addr_get_family(dst));
    rtnl_route_set_dst(route, dst);
    rtnl_route_set_table(route, RT_TABLE_MAIN);
    rtnl_route_set_protocol(route, RTPROT_STATIC);
    nh = rtnl_route_nh_alloc();
    if (link)
        rtnl_route_nh_set_ifindex(nh, rtnl_link_get_ifindex(link));
    if (gw)
        rtnl_route_nh_set_gateway(nh, gw);
    rtnl_route_add_nexthop(route, nh);
    return g_steal_pointer(&route);
}

bool
mv_netlink_route_add(const char *dest, guint prefix, const char *gateway, const char *name,
                     GError **error)
{
    g_autoptr(MvNlSock) sock = mv_netlink_open(error);
    g_autoptr(MvRtnlRoute) route = NULL;
    int err;

    if (!sock || !(route = mv_netlink_route_build(sock, dest, prefix, gateway, name, error)))
        return false;
    rtnl_route_set_scope(route, gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
    if ((err = rtnl_route_add(sock, route, NLM_F_EXCL)) < 0)
        return mv_error_set(error, MV_FROM_NET, MV_ERR_OPERATION_FAILED,
                            "Cannot add a route to %s/%u%s%s: %s", dest, prefix,
                            gateway ? " via " : "", gateway ? gateway : "", nl_geterror(err));
    return true;
}

bool
mv_netlink_route_del(const char *dest, guint prefix, const char *gateway, const char *name,
                     GError **error)
{
    g_autoptr(MvNlSock) sock = mv_netlink_open(error);
    g_autoptr(MvRtnlRoute) route = NULL;
    int err;

    if (!sock || !(route = mv_netlink_route_build(sock, dest, prefix, gateway, name, error)))
        return false;
    if ((err = rtnl_route_delete(sock, route, 0)) < 0)
        return mv_error_set(error, MV_FROM_NET, MV_ERR_OPERATION_FAILED,
                            "Cannot remove the route to %s/%u: %s", dest, prefix,
                            nl_geterror(err));
    return true;
}

bool
mv_netlink_route_exists(const char *dest, guint prefix, bool *ret_exists, GError **error)
{
    g_autoptr(MvNlSock) sock = mv_netlink_open(error);
    g_autoptr(MvNlAddr) dst = mv_netlink_ip_parse(dest, prefix, error);
    g_autoptr(MvNlCache) cache = NULL;
    struct nl_object *obj;
    bool found = false;
    int err;

    if (!sock || !dst)
        return false;
    if ((err = rtnl_route_alloc_cache(sock, nl_addr_get_family(dst), 0, &cache)) < 0)
        return mv_error_set(error, MV_FROM_NET, MV_ERR_SYSTEM_ERROR,
                            "Cannot read the routing table: %s", nl_geterror(err));
    for (obj = nl_cache_get_first(cache); obj && !found; obj = nl_cache_get_next(obj)) {
        struct rtnl_route *r = (struct rtnl_route *)obj;
        struct nl_addr *d = rtnl_route_get_dst(r);

        found = rtnl_route_get_table(r) == RT_TABLE_MAIN && d &&
                nl_addr_get_prefixlen(d) == prefix && nl_addr_cmp_prefix(d, dst) == 0;
    }
    *ret_exists = found;
    return true;
}
