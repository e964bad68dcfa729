/* network-bandwidth.c against the kernel in a private namespace; `tc -j` is
 * the witness of what was set. */
#include <json-glib/json-glib.h>
#include <string.h>

#include "netns-guard.h"
#include "network-bandwidth-priv.h"
#include "network-bandwidth.h"
#include "util/netlink.h"
#include "util/error.h"

/* The objects `tc -j <what> show dev <dev> [extra]` lists. */
static JsonArray *
tc_show(JsonParser *parser, const char *what, const char *dev, const char *extra)
{
    g_autofree char *out = extra ? netns_run("tc", "-j", what, "show", "dev", dev, extra, NULL)
                                 : netns_run("tc", "-j", what, "show", "dev", dev, NULL);

    g_assert_true(json_parser_load_from_data(parser, out, -1, NULL));
    return json_node_get_array(json_parser_get_root(parser));
}

/* The first element of @arr whose @member is @value, or NULL. */
static JsonObject *
find(JsonArray *arr, const char *member, const char *value)
{
    for (guint i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *o = json_array_get_object_element(arr, i);

        if (json_object_has_member(o, member) &&
            g_strcmp0(json_object_get_string_member(o, member), value) == 0)
            return o;
    }
    return NULL;
}

/* `tc class show` (no JSON for htb classes in this iproute2) has "class htb
 * 1:1 ... rate <R> ceil <C> burst <B>" with tc's own units; @burst NULL:
 * the default one, not checked. */
static void
check_htb_class(const char *dev, const char *rate, const char *ceil, const char *burst)
{
    g_autofree char *out = netns_run("tc", "class", "show", "dev", dev, NULL);
    g_autofree char *want = burst ? g_strdup_printf("class htb 1:1 root prio 0 rate %s ceil %s "
                                                    "burst %s ", rate, ceil, burst)
                                   : g_strdup_printf("class htb 1:1 root prio 0 rate %s ceil %s ",
                                                    rate, ceil);

    if (!strstr(out, want))
        g_error("tc class show dev %s: want '%s' in: %s", dev, want, out);
}

static void
test_set_clear(void)
{
    MvNetlinkBridgeConfig config = { .name = "mvbwbr0" };
    MvNetworkBandwidthRate in = { .average = 1000, .peak = 2000, .burst = 64 };
    MvNetworkBandwidthRate out = { .average = 500 };
    MvNetworkBandwidth bw = { .in = &in, .out = &out };
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonParser) p1 = json_parser_new();
    g_autoptr(JsonParser) p2 = json_parser_new();
    g_autoptr(JsonParser) p3 = json_parser_new();
    g_autofree char *ifb = NULL;
    g_autofree char *filters = NULL;
    JsonArray *qdiscs;
    bool exists = false;

    g_assert_true(mv_netlink_bridge_create(&config, &error));
    g_assert_true(mv_netlink_link_set_up("mvbwbr0", true, &error));
    g_assert_true(mv_network_bandwidth_set("mvbwbr0", &bw, &error));
    g_assert_no_error(error);

    qdiscs = tc_show(p1, "qdisc", "mvbwbr0", NULL);
    g_assert_nonnull(find(qdiscs, "kind", "htb"));
    g_assert_nonnull(find(qdiscs, "kind", "ingress"));
    /* 1000 KiB/s = 8192000 bit/s; burst 64 KiB */
    check_htb_class("mvbwbr0", "8192Kbit", "16384Kbit", "64Kb");

    ifb = mv_network_bandwidth_ifb_name("mvbwbr0");
    g_assert_nonnull(ifb);
    g_assert_true(mv_netlink_link_exists(ifb, &exists, &error));
    g_assert_true(exists);
    check_htb_class(ifb, "4096Kbit", "4096Kbit", NULL);
    filters = netns_run("tc", "filter", "show", "dev", "mvbwbr0", "ingress", NULL);
    g_assert_nonnull(strstr(filters, "mirred (Egress Redirect to device"));
    g_assert_nonnull(strstr(filters, ifb));

    /* set again with inbound only: outbound and its ifb go */
    bw.out = NULL;
    g_assert_true(mv_network_bandwidth_set("mvbwbr0", &bw, &error));
    g_assert_no_error(error);
    g_assert_true(mv_netlink_link_exists(ifb, &exists, &error));
    g_assert_false(exists);
    qdiscs = tc_show(p2, "qdisc", "mvbwbr0", NULL);
    g_assert_nonnull(find(qdiscs, "kind", "htb"));
    g_assert_null(find(qdiscs, "kind", "ingress"));

    g_assert_true(mv_network_bandwidth_clear("mvbwbr0", &error));
    g_assert_no_error(error);
    qdiscs = tc_show(p3, "qdisc", "mvbwbr0", NULL);
    g_assert_null(find(qdiscs, "kind", "htb"));
    g_assert_true(mv_netlink_link_delete("mvbwbr0", &error));
    /* a missing bridge: nothing to clear, but nothing to shape either */
    g_assert_true(mv_network_bandwidth_clear("mvbwbr0", &error));
    bw.out = &out;
    g_assert_false(mv_network_bandwidth_set("mvbwbr0", &bw, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_FAILED);
}

/* Real packets take the shaped paths: a peer behind the bridge pings the
 * bridge's address; its echo requests enter the bridge and are redirected
 * through the ifb (outbound), the replies leave through the bridge's HTB
 * class (inbound). The witness: the classes' byte counters. */
static void
test_traffic(void)
{
    MvNetlinkBridgeConfig config = { .name = "mvbwbr2" };
    MvNetworkBandwidthRate in = { .average = 10000 };
    MvNetworkBandwidthRate out = { .average = 10000 };
    MvNetworkBandwidth bw = { .in = &in, .out = &out };
    g_autoptr(GError) error = NULL;
    g_autofree char *ifb = NULL;
    g_autofree char *ping = NULL;
    g_autofree char *br_stats = NULL;
    g_autofree char *ifb_stats = NULL;
    int status = -1;

    g_assert_true(mv_netlink_bridge_create(&config, &error));
    g_assert_true(mv_netlink_addr_add("mvbwbr2", "10.94.0.1", 24, &error));
    g_assert_true(mv_netlink_link_set_up("mvbwbr2", true, &error));
    g_assert_true(mv_network_bandwidth_set("mvbwbr2", &bw, &error));
    g_assert_no_error(error);
    ifb = mv_network_bandwidth_ifb_name("mvbwbr2");

    ping = netns_peer_run("mvbwbr2", "52:54:00:de:ad:70",
                          "ip addr add 10.94.0.2/24 dev mvg0 && "
                          "busybox ping -c 3 -W 5 10.94.0.1", &status);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        g_error("ping through the shaped bridge failed: %s", ping);
    br_stats = netns_run("tc", "-s", "class", "show", "dev", "mvbwbr2", NULL);
    ifb_stats = netns_run("tc", "-s", "class", "show", "dev", ifb, NULL);
    g_test_message("bridge: %s\nifb: %s", br_stats, ifb_stats);
    g_assert_null(strstr(br_stats, " Sent 0 bytes"));
    g_assert_nonnull(strstr(br_stats, " Sent "));
    g_assert_null(strstr(ifb_stats, " Sent 0 bytes"));
    g_assert_nonnull(strstr(ifb_stats, " Sent "));
    g_assert_true(mv_network_bandwidth_clear("mvbwbr2", &error));
    g_assert_true(mv_netlink_link_delete("mvbwbr2", &error));
}

static void
test_refused(void)
{
    MvNetworkBandwidthRate floor = { .average = 100, .floor = 10 };
    MvNetworkBandwidthRate low_peak = { .average = 100, .peak = 50 };
    MvNetworkBandwidthRate no_avg = { .peak = 50 };
    MvNetworkBandwidth bw = { .in = &floor };
    g_autoptr(GError) error = NULL;

    g_assert_false(mv_network_bandwidth_check(&bw, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_CONFIG_UNSUPPORTED);
    g_assert_nonnull(strstr(error->message, "'floor' is not supported"));
    g_clear_error(&error);
    bw.in = NULL;
    bw.out = &low_peak;
    g_assert_false(mv_network_bandwidth_check(&bw, &error));
    g_assert_nonnull(strstr(error->message, "below its 'average'"));
    g_clear_error(&error);
    bw.out = &no_avg;
    g_assert_false(mv_network_bandwidth_check(&bw, &error));
    g_clear_error(&error);
    g_assert_true(mv_network_bandwidth_check(NULL, &error));
}

/* A queueing discipline this kernel was built without (no SFQ here, see
 * /proc/config.gz): the error names what is missing. */
static void
test_missing_feature(void)
{
    MvNetlinkBridgeConfig config = { .name = "mvbwbr1" };
    g_autoptr(GError) error = NULL;
    g_autoptr(MvNetlinkLink) link = NULL;

    g_assert_true(mv_netlink_bridge_create(&config, &error));
    g_assert_true(mv_netlink_link_get("mvbwbr1", &link, &error));
    g_assert_false(mv_network_bandwidth_root_qdisc_add_(link->ifindex, "sfq", &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_UNSUPPORTED);
    g_test_message("%s", error->message);
    g_assert_nonnull(strstr(error->message, "this kernel lacks tc 'sfq' (CONFIG_NET_SCH_SFQ)"));
    g_clear_error(&error);
    /* and one it has works through the same path */
    g_assert_true(mv_network_bandwidth_root_qdisc_add_(link->ifindex, "htb", &error));
    g_assert_no_error(error);
    g_assert_true(mv_netlink_link_delete("mvbwbr1", &error));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    netns_guard();
    g_test_add_func("/network/bandwidth/set-clear", test_set_clear);
    g_test_add_func("/network/bandwidth/traffic", test_traffic);
    g_test_add_func("/network/bandwidth/refused", test_refused);
    g_test_add_func("/network/bandwidth/missing-feature", test_missing_feature);
    return g_test_run();
}
