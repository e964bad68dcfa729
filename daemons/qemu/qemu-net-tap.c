/* Tap devices and their bridge ports, see qemu-net-tap.h. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-net-tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include "util/error.h"
#include "util/log.h"

/* libnl has no typedefs of its own; these give g_autoptr something to name. */
typedef struct nl_sock nl_sock_t;
typedef struct rtnl_link rtnl_link_t;
typedef struct nl_addr nl_addr_t;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(nl_sock_t, nl_socket_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(rtnl_link_t, rtnl_link_put)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(nl_addr_t, nl_addr_put)

int
mv_qemu_net_tap_create(const char *name, char **ret_name, GError **error)
{
    struct ifreq ifr = { 0 };
    unsigned int features = 0;
    int fd;

    if (name && strlen(name) >= IFNAMSIZ) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                     "tap device name '%s' is longer than %d characters", name, IFNAMSIZ - 1);
        return -1;
    }
    if ((fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC)) < 0) {
        mv_error_set_errno(error, MV_FROM_QEMU, errno,
                           "cannot open /dev/net/tun to create a tap device");
        return -1;
    }
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    /* virtio-net's header on the tap: QEMU probes the flag on the fd (TUNGETIFF). */
    if (ioctl(fd, TUNGETFEATURES, &features) == 0 && (features & IFF_VNET_HDR))
        ifr.ifr_flags |= IFF_VNET_HDR;
    /* "vnet%d": the kernel picks the first free number, atomically. */
    g_strlcpy(ifr.ifr_name, name ? name : "vnet%d", sizeof(ifr.ifr_name));
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        int saved = errno;
        close(fd);
        mv_error_set_errno(error, MV_FROM_QEMU, saved, "cannot create tap device '%s'",
                           name ? name : "vnetN");
        return -1;
    }
    *ret_name = g_strndup(ifr.ifr_name, IFNAMSIZ);
    mv_log_debug("created tap %s (fd %d)", *ret_name, fd);
    return fd;
}

static struct nl_sock *
route_socket(GError **error)
{
    struct nl_sock *sk = nl_socket_alloc();
    int err;

    if (!sk) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_NO_MEMORY, "cannot allocate a netlink socket");
        return NULL;
    }
    if ((err = nl_connect(sk, NETLINK_ROUTE)) < 0) {
        nl_socket_free(sk);
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                     "cannot open a route netlink socket: %s", nl_geterror(err));
        return NULL;
    }
    return sk;
}

/* The link called @name, or NULL when there is none. */
static struct rtnl_link *
link_get(struct nl_sock *sk, const char *name)
{
    struct rtnl_link *link = NULL;

    if (rtnl_link_get_kernel(sk, 0, name, &link) < 0)
        return NULL;
    return link;
}

bool
mv_qemu_net_tap_exists(const char *name)
{
    g_autoptr(nl_sock_t) sk = route_socket(NULL);
    g_autoptr(rtnl_link_t) link = NULL;

    return sk && (link = link_get(sk, name)) != NULL;
}

static bool
link_change(struct nl_sock *sk, struct rtnl_link *orig, struct rtnl_link *changes, const char *what,
            const char *tap, GError **error)
{
    int err = rtnl_link_change(sk, orig, changes, 0);

    if (err < 0)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                            "cannot %s tap device '%s': %s", what, tap, nl_geterror(err));
    return true;
}

bool
mv_qemu_net_tap_plug(const char *tap, const guint8 guest_mac[6], const char *bridge,
                     unsigned int mtu, bool up, GError **error)
{
    g_autoptr(nl_sock_t) sk = route_socket(error);
    g_autoptr(rtnl_link_t) br = NULL;
    g_autoptr(rtnl_link_t) link = NULL;
    g_autoptr(rtnl_link_t) changes = NULL;
    g_autoptr(nl_addr_t) addr = NULL;
    guint8 host_mac[6];
    int err;

    if (!sk)
        return false;
    if (!(br = link_get(sk, bridge)))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "bridge '%s' does not exist: create it first (or name an "
                            "existing bridge in <source bridge='…'/>)",
                            bridge);
    if (g_strcmp0(rtnl_link_get_type(br), "bridge") != 0)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "'%s' is not a bridge (it is a '%s' link): <source bridge='…'/> "
                            "must name a bridge",
                            bridge, rtnl_link_get_type(br) ? rtnl_link_get_type(br) : "plain");
    if (!(link = link_get(sk, tap)))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                            "tap device '%s' vanished before it could be plugged", tap);

    /* The host side must never be the lowest MAC on the bridge: a bridge
     * without a fixed address takes its ports' lowest one. */
    memcpy(host_mac, guest_mac, 6);
    host_mac[0] = 0xfe;
    changes = rtnl_link_alloc();
    addr = nl_addr_build(AF_LLC, host_mac, 6);
    rtnl_link_set_addr(changes, addr);
    rtnl_link_set_mtu(changes, mtu ? mtu : rtnl_link_get_mtu(br));
    if (!link_change(sk, link, changes, "set the MAC address and MTU of", tap, error))
        return false;
    if ((err = rtnl_link_enslave_ifindex(sk, rtnl_link_get_ifindex(br),
                                         rtnl_link_get_ifindex(link))) < 0)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                            "cannot add tap device '%s' to bridge '%s': %s", tap, bridge,
                            nl_geterror(err));
    g_clear_pointer(&changes, rtnl_link_put);
    changes = rtnl_link_alloc();
    if (up)
        rtnl_link_set_flags(changes, IFF_UP);
    else
        rtnl_link_unset_flags(changes, IFF_UP);
    if (!link_change(sk, link, changes, up ? "bring up" : "set down", tap, error))
        return false;
    mv_log_debug("tap %s: port of bridge %s, mtu %u, %s", tap, bridge,
                 mtu ? mtu : rtnl_link_get_mtu(br), up ? "up" : "down");
    return true;
}

bool
mv_qemu_net_tap_set_up(const char *tap, bool up, GError **error)
{
    g_autoptr(nl_sock_t) sk = route_socket(error);
    g_autoptr(rtnl_link_t) link = NULL;
    g_autoptr(rtnl_link_t) changes = NULL;

    if (!sk)
        return false;
    if (!(link = link_get(sk, tap)))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                            "tap device '%s' does not exist", tap);
    changes = rtnl_link_alloc();
    if (up)
        rtnl_link_set_flags(changes, IFF_UP);
    else
        rtnl_link_unset_flags(changes, IFF_UP);
    return link_change(sk, link, changes, up ? "bring up" : "set down", tap, error);
}
