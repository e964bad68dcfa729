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

#include "util/error.h"
#include "util/log.h"
#include "util/netlink.h"

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

bool
mv_qemu_net_tap_plug(const char *tap, const guint8 guest_mac[6], const char *bridge,
                     unsigned int mtu, bool up, GError **error)
{
    g_autoptr(MvNetlinkLink) br = NULL;
    guint8 host_mac[6];

    if (!mv_netlink_link_get(bridge, &br, error))
        return false;
    if (!br)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "bridge '%s' does not exist: create it first (or name an "
                            "existing bridge in <source bridge='…'/>)",
                            bridge);
    if (g_strcmp0(br->kind, "bridge") != 0)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "'%s' is not a bridge (it is a '%s' link): <source bridge='…'/> "
                            "must name a bridge",
                            bridge, br->kind ? br->kind : "plain");
    /* The host side must never be the lowest MAC on the bridge: a bridge
     * without a fixed address takes its ports' lowest one. */
    memcpy(host_mac, guest_mac, 6);
    host_mac[0] = 0xfe;
    if (!mv_netlink_link_set_mac_mtu(tap, host_mac, mtu ? mtu : br->mtu, error) ||
        !mv_netlink_link_set_master(tap, bridge, error) ||
        !mv_netlink_link_set_up(tap, up, error))
        return false;
    mv_log_debug("tap %s: port of bridge %s, mtu %u, %s", tap, bridge, mtu ? mtu : br->mtu,
                 up ? "up" : "down");
    return true;
}
