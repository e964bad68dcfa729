/* qemu-net-tap.c in a private network namespace (meson runs it under
 * `unshare -n`; it refuses to run where any link besides lo exists): taps
 * named and vnetN, gone with their fd, plugged into a bridge with the host
 * MAC (0xFE first), the bridge's MTU or their own, up or down; a missing
 * bridge and a link that is no bridge are named in the errors. */
#include <net/if.h>
#include <string.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>

#include "qemu-net-tap.h"
#include "util/error.h"
#include "util/netlink.h"

/* Whether a link called @name exists in this namespace. */
static bool
link_exists(const char *name)
{
    bool exists = false;

    g_assert_true(mv_netlink_link_exists(name, &exists, NULL));
    return exists;
}

static struct nl_sock *sk;

/* The link called @name (caller puts it), or NULL. */
static struct rtnl_link *
get_link(const char *name)
{
    struct rtnl_link *link = NULL;

    if (rtnl_link_get_kernel(sk, 0, name, &link) < 0)
        return NULL;
    return link;
}

static void
test_create(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *a = NULL, *b = NULL, *c = NULL, *dup = NULL;
    int fa, fb, fc;

    fa = mv_qemu_net_tap_create(NULL, &a, &error);
    g_assert_no_error(error);
    fb = mv_qemu_net_tap_create(NULL, &b, &error);
    g_assert_no_error(error);
    g_assert_cmpint(fa, >=, 0);
    g_assert_cmpint(fb, >=, 0);
    g_assert_true(g_str_has_prefix(a, "vnet"));
    g_assert_true(g_str_has_prefix(b, "vnet"));
    g_assert_cmpstr(a, !=, b);
    g_assert_true(link_exists(a));

    fc = mv_qemu_net_tap_create("guest-tap0", &c, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(c, ==, "guest-tap0");
    /* the name is taken while the tap is open */
    g_assert_cmpint(mv_qemu_net_tap_create("guest-tap0", &dup, &error), ==, -1);
    g_assert_error(error, MV_ERROR, MV_ERR_SYSTEM_ERROR);
    g_assert_nonnull(strstr(error->message, "'guest-tap0'"));
    g_assert_null(dup);
    g_clear_error(&error);
    g_assert_cmpint(mv_qemu_net_tap_create("a-name-longer-than-15", &dup, &error), ==, -1);
    g_assert_error(error, MV_ERROR, MV_ERR_CONFIG_UNSUPPORTED);
    g_clear_error(&error);

    /* not persistent: the last fd takes the tap with it */
    close(fa);
    close(fb);
    close(fc);
    g_assert_false(link_exists(a));
    g_assert_false(link_exists(b));
    g_assert_false(link_exists(c));
}

static void
test_plug(void)
{
    static const guint8 mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
    g_autoptr(GError) error = NULL;
    g_autofree char *tap = NULL, *tap2 = NULL;
    struct rtnl_link *br, *link;
    char buf[32];
    int fd, fd2;

    g_assert_cmpint(rtnl_link_bridge_add(sk, "mvtbr0"), ==, 0);
    br = get_link("mvtbr0");
    g_assert_nonnull(br);

    fd = mv_qemu_net_tap_create(NULL, &tap, &error);
    g_assert_no_error(error);
    g_assert_true(mv_qemu_net_tap_plug(tap, mac, "mvtbr0", 0, true, &error));
    g_assert_no_error(error);
    link = get_link(tap);
    g_assert_cmpint(rtnl_link_get_master(link), ==, rtnl_link_get_ifindex(br));
    g_assert_cmpstr(nl_addr2str(rtnl_link_get_addr(link), buf, sizeof(buf)), ==,
                    "fe:54:00:12:34:56");
    g_assert_cmpuint(rtnl_link_get_mtu(link), ==, rtnl_link_get_mtu(br));
    g_assert_true(rtnl_link_get_flags(link) & IFF_UP);
    rtnl_link_put(link);

    g_assert_true(mv_netlink_link_set_up(tap, false, &error));
    link = get_link(tap);
    g_assert_false(rtnl_link_get_flags(link) & IFF_UP);
    rtnl_link_put(link);

    /* its own MTU, and down from the start */
    fd2 = mv_qemu_net_tap_create(NULL, &tap2, &error);
    g_assert_true(mv_qemu_net_tap_plug(tap2, mac, "mvtbr0", 1400, false, &error));
    g_assert_no_error(error);
    link = get_link(tap2);
    g_assert_cmpuint(rtnl_link_get_mtu(link), ==, 1400);
    g_assert_false(rtnl_link_get_flags(link) & IFF_UP);
    g_assert_cmpint(rtnl_link_get_master(link), ==, rtnl_link_get_ifindex(br));
    rtnl_link_put(link);

    close(fd);
    close(fd2);
    rtnl_link_put(br);
}

static void
test_plug_errors(void)
{
    static const guint8 mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x57 };
    g_autoptr(GError) error = NULL;
    g_autofree char *tap = NULL;
    struct rtnl_link *link;
    int fd;

    fd = mv_qemu_net_tap_create(NULL, &tap, &error);
    g_assert_no_error(error);
    g_assert_false(mv_qemu_net_tap_plug(tap, mac, "nosuchbr", 0, true, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_CONFIG_UNSUPPORTED);
    g_assert_nonnull(strstr(error->message, "bridge 'nosuchbr' does not exist"));
    g_clear_error(&error);

    g_assert_cmpint(rtnl_link_veth_add(sk, "mvtveth0", "mvtveth1", getpid()), ==, 0);
    g_assert_false(mv_qemu_net_tap_plug(tap, mac, "mvtveth0", 0, true, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_CONFIG_UNSUPPORTED);
    g_assert_nonnull(strstr(error->message, "'mvtveth0' is not a bridge (it is a 'veth' link)"));
    g_clear_error(&error);

    /* a failed plug left the tap alone: no master, not up */
    link = get_link(tap);
    g_assert_cmpint(rtnl_link_get_master(link), ==, 0);
    g_assert_false(rtnl_link_get_flags(link) & IFF_UP);
    rtnl_link_put(link);
    close(fd);
}

int
main(int argc, char **argv)
{
    struct if_nameindex *links = if_nameindex();
    int ret;

    g_test_init(&argc, &argv, NULL);
    /* Only ever in a namespace of its own: a fresh one has lo and nothing else. */
    if (!links || !links[0].if_name || links[1].if_name || strcmp(links[0].if_name, "lo") != 0)
        g_error("not in a private network namespace: run through `unshare -n`");
    if_freenameindex(links);
    sk = nl_socket_alloc();
    g_assert_cmpint(nl_connect(sk, NETLINK_ROUTE), ==, 0);

    g_test_add_func("/qemu-net-tap/create", test_create);
    g_test_add_func("/qemu-net-tap/plug", test_plug);
    g_test_add_func("/qemu-net-tap/plug-errors", test_plug_errors);
    ret = g_test_run();
    nl_socket_free(sk);
    return ret;
}
