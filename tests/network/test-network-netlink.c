/* util/netlink.c and network-sysctl.c against the kernel, in a private
 * network namespace; `ip -j` is the independent witness of what was made. */
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/socket.h>

#include "netns-guard.h"
#include "util/netlink.h"
#include "network-sysctl.h"
#include "util/error.h"

/* The "linkinfo"/"info_data" object of `ip -j -d link show NAME`. */
static JsonObject *
ip_link_info_data(JsonParser *parser, const char *name)
{
    g_autofree char *out = netns_run("ip", "-j", "-d", "link", "show", name, NULL);
    JsonArray *arr;

    g_assert_true(json_parser_load_from_data(parser, out, -1, NULL));
    arr = json_node_get_array(json_parser_get_root(parser));
    g_assert_cmpuint(json_array_get_length(arr), ==, 1);
    return json_object_get_object_member(
        json_object_get_object_member(json_array_get_object_element(arr, 0), "linkinfo"),
        "info_data");
}

static bool
addr_listed(GPtrArray *addrs, const char *address, guint prefix)
{
    for (guint i = 0; i < addrs->len; i++) {
        MvNetlinkAddr *a = addrs->pdata[i];

        if (strcmp(a->address, address) == 0 && a->prefix == prefix)
            return true;
    }
    return false;
}

static void
test_bridge_lifecycle(void)
{
    MvNetlinkBridgeConfig config = {
        .name = "mvtbr0", .mac = "52:54:00:12:34:56", .mtu = 1400, .stp = false,
        .forward_delay = 3,
    };
    g_autoptr(GError) error = NULL;
    g_autoptr(MvNetlinkLink) link = NULL;
    g_autoptr(JsonParser) parser = json_parser_new();
    JsonObject *data;
    bool exists = true;

    g_assert_true(mv_netlink_link_exists("mvtbr0", &exists, &error));
    g_assert_no_error(error);
    g_assert_false(exists);
    g_assert_true(mv_netlink_bridge_create(&config, &error));
    g_assert_no_error(error);

    g_assert_true(mv_netlink_link_get("mvtbr0", &link, &error));
    g_assert_nonnull(link);
    g_assert_cmpstr(link->kind, ==, "bridge");
    g_assert_cmpstr(link->mac, ==, "52:54:00:12:34:56");
    g_assert_cmpuint(link->mtu, ==, 1400);
    g_assert_false(link->up);
    g_assert_cmpint(link->master_ifindex, ==, 0);
    data = ip_link_info_data(parser, "mvtbr0");
    g_assert_cmpint(json_object_get_int_member(data, "stp_state"), ==, 0);
    g_assert_cmpint(json_object_get_int_member(data, "forward_delay"), ==, 300);

    g_assert_true(mv_netlink_link_set_up("mvtbr0", true, &error));
    g_assert_no_error(error);
    g_clear_pointer(&link, mv_netlink_link_free);
    g_assert_true(mv_netlink_link_get("mvtbr0", &link, &error));
    g_assert_true(link->up);
    g_assert_true(mv_netlink_link_set_up("mvtbr0", false, &error));
    g_clear_pointer(&link, mv_netlink_link_free);
    g_assert_true(mv_netlink_link_get("mvtbr0", &link, &error));
    g_assert_false(link->up);

    g_assert_true(mv_netlink_link_delete("mvtbr0", &error));
    g_assert_no_error(error);
    g_assert_true(mv_netlink_link_exists("mvtbr0", &exists, &error));
    g_assert_false(exists);
    g_assert_false(mv_netlink_link_delete("mvtbr0", &error));
    g_assert_true(g_str_has_prefix(error->message, "Interface 'mvtbr0' does not exist"));
}

/* STP on with libvirt's default delay 0: the kernel raises it to STP's 2 s. */
static void
test_bridge_stp(void)
{
    MvNetlinkBridgeConfig config = { .name = "mvtbr1", .stp = true, .forward_delay = 0 };
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonParser) parser = json_parser_new();
    JsonObject *data;

    g_assert_true(mv_netlink_bridge_create(&config, &error));
    g_assert_no_error(error);
    data = ip_link_info_data(parser, "mvtbr1");
    g_assert_cmpint(json_object_get_int_member(data, "stp_state"), ==, 1);
    g_assert_cmpint(json_object_get_int_member(data, "forward_delay"), ==, 200);
    g_assert_true(mv_netlink_link_delete("mvtbr1", &error));
}

static void
test_name_taken(void)
{
    MvNetlinkBridgeConfig config = { .name = "mvtaken0" };
    g_autoptr(GError) error = NULL;
    g_autofree char *out = netns_run("ip", "link", "add", "mvtaken0", "type", "veth", "peer",
                                     "name", "mvtaken1", NULL);

    g_assert_false(mv_netlink_bridge_create(&config, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_FAILED);
    g_assert_cmpstr(error->message, ==, "bridge name 'mvtaken0' is in use by another interface");
    g_clear_error(&error);
    g_assert_true(mv_netlink_link_delete("mvtaken0", &error));

    config.name = "bad/name";
    g_assert_false(mv_netlink_bridge_create(&config, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_INVALID_ARG);
    g_clear_error(&error);
    config.name = "name-longer-than-15";
    g_assert_false(mv_netlink_bridge_create(&config, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_INVALID_ARG);
    g_clear_error(&error);
    config.name = "mvtbr2";
    config.mac = "01:00:5e:00:00:01";
    g_assert_false(mv_netlink_bridge_create(&config, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_INVALID_MAC);
}

static void
test_addresses(void)
{
    MvNetlinkBridgeConfig config = { .name = "mvtbr3" };
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) addrs = NULL;
    g_autofree char *out = NULL;
    g_autofree char *value = NULL;

    g_assert_true(mv_netlink_bridge_create(&config, &error));
    g_assert_true(mv_netlink_addr_add("mvtbr3", "10.71.0.1", 24, &error));
    g_assert_no_error(error);
    g_assert_true(mv_netlink_addr_add("mvtbr3", "fd00:71::1", 64, &error));
    g_assert_no_error(error);
    g_assert_true(mv_netlink_link_set_up("mvtbr3", true, &error));

    addrs = mv_netlink_addr_list("mvtbr3", &error);
    g_assert_no_error(error);
    g_assert_cmpuint(addrs->len, ==, 2);
    g_assert_true(addr_listed(addrs, "10.71.0.1", 24));
    g_assert_true(addr_listed(addrs, "fd00:71::1", 64));
    /* the witness: the broadcast address, and no DAD on the IPv6 one even
     * with the kernel's accept_dad still on (a bridge without ports would
     * keep it tentative, unusable for dnsmasq, for good) */
    out = netns_run("ip", "addr", "show", "dev", "mvtbr3", NULL);
    g_assert_nonnull(strstr(out, "inet 10.71.0.1/24 brd 10.71.0.255"));
    g_assert_nonnull(strstr(out, "inet6 fd00:71::1/64 scope global nodad \n"));
    g_assert_true(mv_network_sysctl_bridge_ipv6("mvtbr3", true, &error));
    g_assert_no_error(error);
    g_assert_true(mv_network_sysctl_read("net/ipv6/conf/mvtbr3/accept_ra", &value, &error));
    g_assert_cmpstr(value, ==, "0");

    g_assert_false(mv_netlink_addr_add("mvtbr3", "10.71.0.1", 24, &error));
    g_assert_cmpstr(error->message, ==, "Interface 'mvtbr3' already has address 10.71.0.1/24");
    g_clear_error(&error);
    g_assert_false(mv_netlink_addr_add("mvtbr3", "10.71.0.300", 24, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_INVALID_ARG);
    g_clear_error(&error);

    g_assert_true(mv_netlink_addr_del("mvtbr3", "10.71.0.1", 24, &error));
    g_assert_no_error(error);
    g_clear_pointer(&addrs, g_ptr_array_unref);
    addrs = mv_netlink_addr_list("mvtbr3", &error);
    g_assert_cmpuint(addrs->len, ==, 1);
    g_assert_true(addr_listed(addrs, "fd00:71::1", 64));
    g_assert_true(mv_netlink_link_delete("mvtbr3", &error));
    g_assert_null(mv_netlink_addr_list("mvtbr3", &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_FAILED);
}

static void
test_enslave(void)
{
    MvNetlinkBridgeConfig config = { .name = "mvtbr4" };
    g_autoptr(GError) error = NULL;
    g_autoptr(MvNetlinkLink) bridge = NULL;
    g_autoptr(MvNetlinkLink) port = NULL;
    g_autofree char *out = netns_run("ip", "link", "add", "mvtveth0", "type", "veth", "peer",
                                     "name", "mvtveth1", NULL);

    g_assert_true(mv_netlink_bridge_create(&config, &error));
    g_assert_true(mv_netlink_link_get("mvtbr4", &bridge, &error));
    g_assert_true(mv_netlink_link_set_master("mvtveth0", "mvtbr4", &error));
    g_assert_no_error(error);
    g_assert_true(mv_netlink_link_get("mvtveth0", &port, &error));
    g_assert_cmpstr(port->kind, ==, "veth");
    g_assert_cmpint(port->master_ifindex, ==, bridge->ifindex);
    g_assert_true(mv_netlink_link_set_master("mvtveth0", NULL, &error));
    g_assert_no_error(error);
    g_clear_pointer(&port, mv_netlink_link_free);
    g_assert_true(mv_netlink_link_get("mvtveth0", &port, &error));
    g_assert_cmpint(port->master_ifindex, ==, 0);
    g_assert_false(mv_netlink_link_set_master("mvtveth0", "mvnosuchbr", &error));
    g_assert_cmpstr(error->message, ==, "Interface 'mvnosuchbr' does not exist");
    g_clear_error(&error);
    g_assert_true(mv_netlink_link_delete("mvtveth0", &error));
    g_assert_true(mv_netlink_link_delete("mvtbr4", &error));
}

static void
test_routes(void)
{
    MvNetlinkBridgeConfig config = { .name = "mvtbr5" };
    g_autoptr(GError) error = NULL;
    g_autofree char *out = NULL;
    bool exists = true;

    g_assert_true(mv_netlink_bridge_create(&config, &error));
    g_assert_true(mv_netlink_addr_add("mvtbr5", "10.72.0.1", 24, &error));
    g_assert_true(mv_netlink_link_set_up("mvtbr5", true, &error));
    g_assert_true(mv_netlink_route_exists("192.168.77.0", 24, &exists, &error));
    g_assert_false(exists);
    g_assert_true(mv_netlink_route_add("192.168.77.0", 24, "10.72.0.2", "mvtbr5", &error));
    g_assert_no_error(error);
    g_assert_true(mv_netlink_route_add("192.168.78.0", 24, NULL, "mvtbr5", &error));
    g_assert_no_error(error);
    g_assert_true(mv_netlink_route_exists("192.168.77.0", 24, &exists, &error));
    g_assert_true(exists);
    out = netns_run("ip", "route", "show", NULL);
    g_assert_nonnull(strstr(out, "192.168.77.0/24 via 10.72.0.2 dev mvtbr5"));
    g_assert_nonnull(strstr(out, "192.168.78.0/24 dev mvtbr5"));
    g_assert_false(mv_netlink_route_add("192.168.77.0", 24, "10.72.0.2", "mvtbr5", &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_FAILED);
    g_clear_error(&error);
    g_assert_true(mv_netlink_route_del("192.168.77.0", 24, "10.72.0.2", "mvtbr5", &error));
    g_assert_no_error(error);
    g_assert_true(mv_netlink_route_exists("192.168.77.0", 24, &exists, &error));
    g_assert_false(exists);
    g_assert_true(mv_netlink_link_delete("mvtbr5", &error));
}

static void
test_sysctl(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *v4 = NULL;
    g_autofree char *v6 = NULL;
    MvNetlinkBridgeConfig config = { .name = "mvtbr6" };
    g_autofree char *dis = NULL;

    /* a fresh namespace starts with forwarding off */
    g_assert_true(mv_network_sysctl_read("net/ipv4/ip_forward", &v4, &error));
    g_assert_cmpstr(v4, ==, "0");
    g_clear_pointer(&v4, g_free);
    g_assert_true(mv_network_sysctl_forwarding_enable(AF_INET, &error));
    g_assert_no_error(error);
    g_assert_true(mv_network_sysctl_read("net/ipv4/ip_forward", &v4, &error));
    g_assert_cmpstr(v4, ==, "1");
    g_assert_true(mv_network_sysctl_forwarding_enable(AF_INET6, &error));
    g_assert_true(mv_network_sysctl_read("net/ipv6/conf/all/forwarding", &v6, &error));
    g_assert_cmpstr(v6, ==, "1");

    g_assert_true(mv_netlink_bridge_create(&config, &error));
    g_assert_true(mv_network_sysctl_bridge_ipv6("mvtbr6", false, &error));
    g_assert_true(mv_network_sysctl_read("net/ipv6/conf/mvtbr6/disable_ipv6", &dis, &error));
    g_assert_cmpstr(dis, ==, "1");
    g_assert_true(mv_netlink_link_delete("mvtbr6", &error));

    g_assert_false(mv_network_sysctl_write("net/../../etc/x", "1", &error));
    g_assert_error(error, MV_ERROR, MV_ERR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_false(mv_network_sysctl_bridge_ipv6("mvnosuch", true, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_FAILED);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    netns_guard();
    g_test_add_func("/network/netlink/bridge-lifecycle", test_bridge_lifecycle);
    g_test_add_func("/network/netlink/bridge-stp", test_bridge_stp);
    g_test_add_func("/network/netlink/name-taken", test_name_taken);
    g_test_add_func("/network/netlink/addresses", test_addresses);
    g_test_add_func("/network/netlink/enslave", test_enslave);
    g_test_add_func("/network/netlink/routes", test_routes);
    g_test_add_func("/network/sysctl", test_sysctl);
    return g_test_run();
}
