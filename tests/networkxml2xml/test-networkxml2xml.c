/* Network XML golden tests: xml2xml/<case>.xml parses and formats to
 * <case>[.<variant>].expected.xml, and that output is a fixed point and valid by
 * schemas/network.rng; each invalid/<case>.xml fails with the message in
 * <case>.err. MV_TEST_REGENERATE=1 rewrites the expectations (review the diff). */
#include <string.h>

#include "network-def.h"
#include "networkxml-test.h"
#include "util/error.h"
#include "util/xml.h"

#define INACTIVE MV_NETWORK_FORMAT_INACTIVE

static const MvXmlCase xml2xml_cases[] = {
    { "nat-default", NULL, 0 },
    { "nat-ranges", NULL, 0 },
    { "route", NULL, 0 },
    { "open", NULL, 0 },
    { "isolated", NULL, 0 },
    { "bridge-mode", NULL, 0 },
    { "ipv6", NULL, 0 },
    { "dhcp-hosts", NULL, 0 },
    { "bootp", NULL, 0 },
    { "dns-full", NULL, 0 },
    { "dns-disabled", NULL, 0 },
    { "bandwidth", NULL, 0 },
    { "portgroups", NULL, 0 },
    { "port-isolated", NULL, 0 },
    { "mtu", NULL, 0 },
    { "metadata", NULL, 0 },
    { "live-connections", NULL, 0 },
    { "live-connections", "inactive", INACTIVE },
    { "no-bridge-name", NULL, 0 },
};

static void *
parse_def(const char *xml, const char *name G_GNUC_UNUSED, GError **error)
{
    return mv_network_def_parse(xml, 0, error);
}

static char *
format_def(const void *def, const void *tc)
{
    return mv_network_def_format(def, ((const MvXmlCase *)tc)->format_flags);
}

static void *
copy_def(const void *def)
{
    return mv_network_def_copy(def);
}

static void
free_def(void *def)
{
    mv_network_def_free(def);
}

static const MvXmlTestOps ops = { parse_def, format_def, copy_def, free_def };

static void
test_xml2xml(gconstpointer data)
{
    const MvXmlCase *tc = data;

    g_free(mv_test_xml2xml_run(&ops, tc, tc->name, tc->variant));
}

static void
test_goldens(void)
{
    mv_test_goldens(&ops, "network.rng", xml2xml_cases, G_N_ELEMENTS(xml2xml_cases));
}

static const MvInvalidCase invalid_cases[] = {
    { "malformed", MV_ERR_XML_ERROR },
    { "unknown-element", MV_ERR_XML_ERROR },
    { "unknown-attribute", MV_ERR_XML_ERROR },
    { "unknown-ip-child", MV_ERR_XML_ERROR },
    { "missing-name", MV_ERR_XML_ERROR },
    { "two-bridges", MV_ERR_XML_ERROR },
    { "name-slash", MV_ERR_XML_DETAIL },
    { "bad-uuid", MV_ERR_XML_DETAIL },
    { "multicast-mac", MV_ERR_INVALID_MAC },
    { "bad-mac", MV_ERR_INVALID_MAC },
    { "bad-ip-text", MV_ERR_XML_DETAIL },
    { "bad-ip-address", MV_ERR_XML_DETAIL },
    { "prefix-v4-33", MV_ERR_XML_DETAIL },
    { "prefix-v6-129", MV_ERR_XML_DETAIL },
    { "netmask-ipv6", MV_ERR_XML_DETAIL },
    { "netmask-noncontiguous", MV_ERR_XML_DETAIL },
    { "family-mismatch", MV_ERR_XML_DETAIL },
    { "range-outside", MV_ERR_XML_DETAIL },
    { "range-reversed", MV_ERR_XML_DETAIL },
    { "range-family", MV_ERR_XML_DETAIL },
    { "two-dhcp-ipv4", MV_ERR_CONFIG_UNSUPPORTED },
    { "host-v4-no-mac", MV_ERR_XML_DETAIL },
    { "host-v4-no-ip", MV_ERR_XML_DETAIL },
    { "host-v6-mac", MV_ERR_XML_DETAIL },
    { "host-v6-no-id", MV_ERR_XML_DETAIL },
    { "host-outside", MV_ERR_XML_DETAIL },
    { "bootp-ipv6", MV_ERR_XML_DETAIL },
    { "bridge-name-long", MV_ERR_XML_DETAIL },
    { "bridge-name-slash", MV_ERR_XML_DETAIL },
    { "forward-bridge-no-name", MV_ERR_CONFIG_UNSUPPORTED },
    { "forward-bridge-ip", MV_ERR_CONFIG_UNSUPPORTED },
    { "forward-mode-unknown", MV_ERR_XML_ERROR },
    { "nat-no-ipv4", MV_ERR_CONFIG_UNSUPPORTED },
    { "nat-in-route", MV_ERR_XML_DETAIL },
    { "nat-port-reversed", MV_ERR_XML_DETAIL },
    { "nat-address-reversed", MV_ERR_XML_DETAIL },
    { "forward-two-interfaces", MV_ERR_CONFIG_UNSUPPORTED },
    { "dns-disabled-hosts", MV_ERR_XML_DETAIL },
    { "dns-host-no-hostname", MV_ERR_XML_DETAIL },
    { "dns-forwarder-empty", MV_ERR_XML_DETAIL },
    { "dns-srv-bad-protocol", MV_ERR_XML_ERROR },
    { "bandwidth-floor", MV_ERR_CONFIG_UNSUPPORTED },
    { "bandwidth-no-average", MV_ERR_XML_DETAIL },
    { "portgroup-two-defaults", MV_ERR_XML_DETAIL },
    { "portgroup-duplicate", MV_ERR_XML_DETAIL },
    { "mtu-small", MV_ERR_XML_DETAIL },
    { "metadata-no-namespace", MV_ERR_XML_ERROR },
    { "route-element", MV_ERR_XML_ERROR },
};

static void
test_invalid(gconstpointer data)
{
    g_error_free(mv_test_invalid_run(&ops, data));
}

/* Every file in invalid/ belongs to a case. */
static void
test_invalid_listed(void)
{
    mv_test_invalid_listed(invalid_cases, G_N_ELEMENTS(invalid_cases));
}

/* What the parser generates: a UUID, the bridge MAC, stp on and delay 0 for a
 * bridge networkd creates; nothing of that for forward mode 'bridge'. */
static void
test_generated(void)
{
    const char *xml = "<network><name>gen</name><ip address='10.1.0.1' prefix='16'/></network>";
    const char *host = "<network><name>h</name><forward mode='bridge'/>"
                       "<bridge name='br0'/></network>";
    g_autoptr(GError) error = NULL;
    g_autoptr(MvNetworkDef) def = mv_network_def_parse(xml, 0, &error);
    g_autoptr(MvNetworkDef) again = NULL;
    g_autoptr(MvNetworkDef) hdef = NULL;
    g_autofree char *out = NULL;
    g_autofree char *out2 = NULL;
    g_autofree char *hout = NULL;

    g_assert_no_error(error);
    g_assert_true(def->has_mac);
    g_assert_cmpuint(def->mac[0], ==, 0x52);
    g_assert_cmpuint(def->mac[1], ==, 0x54);
    g_assert_cmpuint(def->mac[2], ==, 0x00);
    g_assert_cmpuint(def->uuid[6] >> 4, ==, 4);
    g_assert_cmpint(def->stp, ==, 1);
    g_assert_cmpint(def->delay, ==, 0);
    g_assert_null(def->bridge);
    g_assert_true(mv_network_def_creates_bridge(def));
    out = mv_network_def_format(def, 0);
    g_assert_nonnull(strstr(out, "<bridge stp='on' delay='0'/>"));
    again = mv_network_def_parse(out, 0, &error);
    g_assert_no_error(error);
    out2 = mv_network_def_format(again, 0);
    g_assert_cmpstr(out, ==, out2);

    hdef = mv_network_def_parse(host, 0, &error);
    g_assert_no_error(error);
    g_assert_false(hdef->has_mac);
    g_assert_false(mv_network_def_creates_bridge(hdef));
    hout = mv_network_def_format(hdef, 0);
    g_assert_null(strstr(hout, "<mac"));
    g_assert_null(strstr(hout, "stp="));
}

/* Values the daemon and the plumbing read from the struct. */
static void
test_values(void)
{
    g_autofree char *path = mv_test_data_path("xml2xml/nat-ranges.xml");
    g_autofree char *xml = mv_test_read(path);
    g_autoptr(GError) error = NULL;
    g_autoptr(MvNetworkDef) def = mv_network_def_parse(xml, 0, &error);
    g_autofree char *pg_path = mv_test_data_path("xml2xml/portgroups.xml");
    g_autofree char *pg_xml = mv_test_read(pg_path);
    g_autoptr(MvNetworkDef) pg = mv_network_def_parse(pg_xml, 0, &error);
    g_autofree char *v4_path = mv_test_data_path("xml2xml/nat-default.xml");
    g_autofree char *v4_xml = mv_test_read(v4_path);
    g_autoptr(MvNetworkDef) v4 = mv_network_def_parse(v4_xml, 0, &error);

    g_assert_no_error(error);
    g_assert_cmpint(def->forward.mode, ==, MV_NETWORK_FORWARD_NAT);
    g_assert_cmpuint(def->nips, ==, 1);
    g_assert_cmpuint(def->ips[0].prefix, ==, 24);
    g_assert_cmpuint(def->ips[0].nranges, ==, 2);
    g_assert_cmpuint(mv_network_lease_seconds(&def->ips[0].ranges[0].lease), ==, 7200);
    g_assert_cmpuint(mv_network_lease_seconds(&def->ips[0].ranges[1].lease), ==, 0);
    g_assert_cmpuint(def->forward.nat_port_start, ==, 1024);
    g_assert_cmpuint(def->forward.nat_port_end, ==, 65535);
    g_assert_cmpuint(v4->ips[0].prefix, ==, 24);
    g_assert_cmpstr(v4->ips[0].netmask, ==, "255.255.255.0");
    g_assert_cmpstr(mv_network_def_find_portgroup(pg, NULL)->name, ==, "engineering");
    g_assert_cmpstr(mv_network_def_find_portgroup(pg, "sales")->name, ==, "sales");
    g_assert_null(mv_network_def_find_portgroup(pg, "nobody"));
    g_assert_cmpstr(mv_network_forward_mode_to_string(MV_NETWORK_FORWARD_OPEN), ==, "open");
    g_assert_cmpint(mv_network_forward_mode_from_string("route"), ==, MV_NETWORK_FORWARD_ROUTE);
    g_assert_cmpint(mv_network_forward_mode_from_string("vepa"), ==, -1);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    mv_test_schema_dir_init();

    for (size_t i = 0; i < G_N_ELEMENTS(xml2xml_cases); i++) {
        const MvXmlCase *tc = &xml2xml_cases[i];
        g_autofree char *path = tc->variant
            ? g_strdup_printf("/networkxml/xml2xml/%s-%s", tc->name, tc->variant)
            : g_strdup_printf("/networkxml/xml2xml/%s", tc->name);

        g_test_add_data_func(path, tc, test_xml2xml);
    }
    g_test_add_func("/networkxml/goldens", test_goldens);
    for (size_t i = 0; i < G_N_ELEMENTS(invalid_cases); i++) {
        g_autofree char *path = g_strdup_printf("/networkxml/invalid/%s", invalid_cases[i].name);

        g_test_add_data_func(path, &invalid_cases[i], test_invalid);
    }
    g_test_add_func("/networkxml/invalid-listed", test_invalid_listed);
    g_test_add_func("/networkxml/generated", test_generated);
    g_test_add_func("/networkxml/values", test_values);
    return g_test_run();
}
