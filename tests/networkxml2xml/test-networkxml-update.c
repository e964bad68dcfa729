/* virNetworkUpdate on a def (network-update.c): every supported section with
 * every command, and the error cases, each against update/<case>.out — the
 * formatted network after the update, or "error <code>: <message>". A failed
 * update must leave the def unchanged. MV_TEST_REGENERATE=1 rewrites the
 * expectations (review the diff). */
#include <string.h>

#include "network-def.h"
#include "networkxml-test.h"
#include "util/error.h"

#define ADD_LAST MV_NETWORK_UPDATE_COMMAND_ADD_LAST
#define ADD_FIRST MV_NETWORK_UPDATE_COMMAND_ADD_FIRST
#define DELETE MV_NETWORK_UPDATE_COMMAND_DELETE
#define MODIFY MV_NETWORK_UPDATE_COMMAND_MODIFY

typedef struct {
    const char *name;           /* update/<name>.out */
    unsigned int command;
    unsigned int section;
    int parent_index;
    const char *xml;
    MvErrorCode code;           /* 0: succeeds */
} MvUpdateCase;

static const MvUpdateCase update_cases[] = {
    /* ip-dhcp-host */
    { "host-add-last", ADD_LAST, MV_NETWORK_SECTION_IP_DHCP_HOST, -1,
      "<host mac='52:54:00:00:00:02' name='vm2' ip='192.168.50.12'/>", 0 },
    { "host-add-first", ADD_FIRST, MV_NETWORK_SECTION_IP_DHCP_HOST, 0,
      "<host mac='52:54:00:00:00:03' ip='192.168.50.13'/>", 0 },
    { "host-add-v6", ADD_LAST, MV_NETWORK_SECTION_IP_DHCP_HOST, 1,
      "<host id='0:1:0:1:2c:3d' name='six' ip='fd00:50::6'/>", 0 },
    { "host-add-dup-mac", ADD_LAST, MV_NETWORK_SECTION_IP_DHCP_HOST, -1,
      "<host mac='52:54:00:00:00:01' ip='192.168.50.20'/>", MV_ERR_OPERATION_INVALID },
    { "host-add-dup-ip", ADD_LAST, MV_NETWORK_SECTION_IP_DHCP_HOST, -1,
      "<host mac='52:54:00:00:00:09' ip='192.168.50.11'/>", MV_ERR_OPERATION_INVALID },
    { "host-add-outside", ADD_LAST, MV_NETWORK_SECTION_IP_DHCP_HOST, -1,
      "<host mac='52:54:00:00:00:09' ip='10.9.9.9'/>", MV_ERR_XML_DETAIL },
    { "host-add-bad-index", ADD_LAST, MV_NETWORK_SECTION_IP_DHCP_HOST, 5,
      "<host mac='52:54:00:00:00:09' ip='192.168.50.20'/>", MV_ERR_OPERATION_INVALID },
    { "host-add-unknown-attr", ADD_LAST, MV_NETWORK_SECTION_IP_DHCP_HOST, -1,
      "<host mac='52:54:00:00:00:09' ip='192.168.50.20' colour='red'/>", MV_ERR_XML_ERROR },
    { "host-add-wrong-element", ADD_LAST, MV_NETWORK_SECTION_IP_DHCP_HOST, -1,
      "<range start='192.168.50.20' end='192.168.50.30'/>", MV_ERR_XML_ERROR },
    { "host-delete-by-mac", DELETE, MV_NETWORK_SECTION_IP_DHCP_HOST, -1,
      "<host mac='52:54:00:00:00:01'/>", 0 },
    { "host-delete-full", DELETE, MV_NETWORK_SECTION_IP_DHCP_HOST, -1,
      "<host mac='52:54:00:00:00:01' name='vm1' ip='192.168.50.11'/>", 0 },
    { "host-delete-missing", DELETE, MV_NETWORK_SECTION_IP_DHCP_HOST, -1,
      "<host mac='52:54:00:00:00:77'/>", MV_ERR_OPERATION_INVALID },
    { "host-delete-mismatch", DELETE, MV_NETWORK_SECTION_IP_DHCP_HOST, -1,
      "<host mac='52:54:00:00:00:01' ip='192.168.50.99'/>", MV_ERR_OPERATION_INVALID },
    { "host-modify", MODIFY, MV_NETWORK_SECTION_IP_DHCP_HOST, -1,
      "<host mac='52:54:00:00:00:01' name='renamed' ip='192.168.50.21'/>", 0 },
    { "host-modify-missing", MODIFY, MV_NETWORK_SECTION_IP_DHCP_HOST, -1,
      "<host mac='52:54:00:00:00:77' ip='192.168.50.21'/>", MV_ERR_OPERATION_INVALID },
    /* ip-dhcp-range */
    { "range-add-last", ADD_LAST, MV_NETWORK_SECTION_IP_DHCP_RANGE, -1,
      "<range start='192.168.50.200' end='192.168.50.210'/>", 0 },
    { "range-add-first-v6", ADD_FIRST, MV_NETWORK_SECTION_IP_DHCP_RANGE, 1,
      "<range start='fd00:50::10' end='fd00:50::20'><lease expiry='1' unit='hours'/></range>", 0 },
    { "range-add-dup", ADD_LAST, MV_NETWORK_SECTION_IP_DHCP_RANGE, -1,
      "<range start='192.168.50.100' end='192.168.50.199'/>", MV_ERR_OPERATION_INVALID },
    { "range-add-outside", ADD_LAST, MV_NETWORK_SECTION_IP_DHCP_RANGE, -1,
      "<range start='192.168.51.1' end='192.168.51.9'/>", MV_ERR_XML_DETAIL },
    { "range-delete", DELETE, MV_NETWORK_SECTION_IP_DHCP_RANGE, -1,
      "<range start='192.168.50.100' end='192.168.50.199'/>", 0 },
    { "range-delete-missing", DELETE, MV_NETWORK_SECTION_IP_DHCP_RANGE, -1,
      "<range start='192.168.50.100' end='192.168.50.198'/>", MV_ERR_OPERATION_INVALID },
    { "range-modify", MODIFY, MV_NETWORK_SECTION_IP_DHCP_RANGE, -1,
      "<range start='192.168.50.100' end='192.168.50.150'/>", MV_ERR_NO_SUPPORT },
    /* forward-interface */
    { "forward-if-add", ADD_LAST, MV_NETWORK_SECTION_FORWARD_INTERFACE, -1,
      "<interface dev='eth1'/>", 0 },
    { "forward-if-delete-missing", DELETE, MV_NETWORK_SECTION_FORWARD_INTERFACE, -1,
      "<interface dev='eth1'/>", MV_ERR_OPERATION_INVALID },
    { "forward-if-modify", MODIFY, MV_NETWORK_SECTION_FORWARD_INTERFACE, -1,
      "<interface dev='eth1'/>", MV_ERR_NO_SUPPORT },
    /* portgroup */
    { "portgroup-add", ADD_LAST, MV_NETWORK_SECTION_PORTGROUP, -1,
      "<portgroup name='pg2'><bandwidth><inbound average='100'/></bandwidth></portgroup>", 0 },
    { "portgroup-add-dup", ADD_LAST, MV_NETWORK_SECTION_PORTGROUP, -1,
      "<portgroup name='pg1'/>", MV_ERR_OPERATION_INVALID },
    { "portgroup-add-second-default", ADD_FIRST, MV_NETWORK_SECTION_PORTGROUP, -1,
      "<portgroup name='pg2' default='yes'/>", MV_ERR_OPERATION_INVALID },
    { "portgroup-modify", MODIFY, MV_NETWORK_SECTION_PORTGROUP, -1,
      "<portgroup name='pg1'><bandwidth><outbound average='10'/></bandwidth></portgroup>", 0 },
    { "portgroup-modify-missing", MODIFY, MV_NETWORK_SECTION_PORTGROUP, -1,
      "<portgroup name='nope'/>", MV_ERR_OPERATION_INVALID },
    { "portgroup-delete", DELETE, MV_NETWORK_SECTION_PORTGROUP, -1, "<portgroup name='pg1'/>",
      0 },
    { "portgroup-delete-missing", DELETE, MV_NETWORK_SECTION_PORTGROUP, -1,
      "<portgroup name='nope'/>", MV_ERR_OPERATION_INVALID },
    /* dns-host */
    { "dns-host-add", ADD_LAST, MV_NETWORK_SECTION_DNS_HOST, -1,
      "<host ip='192.168.50.3'><hostname>two</hostname><hostname>deux</hostname></host>", 0 },
    { "dns-host-add-first", ADD_FIRST, MV_NETWORK_SECTION_DNS_HOST, -1,
      "<host ip='192.168.50.4'><hostname>zero</hostname></host>", 0 },
    { "dns-host-add-dup", ADD_LAST, MV_NETWORK_SECTION_DNS_HOST, -1,
      "<host ip='192.168.50.9'><hostname>one</hostname></host>", MV_ERR_OPERATION_INVALID },
    { "dns-host-delete", DELETE, MV_NETWORK_SECTION_DNS_HOST, -1,
      "<host ip='192.168.50.2'><hostname>one</hostname></host>", 0 },
    { "dns-host-delete-missing", DELETE, MV_NETWORK_SECTION_DNS_HOST, -1,
      "<host ip='192.168.50.8'><hostname>eight</hostname></host>", MV_ERR_OPERATION_INVALID },
    { "dns-host-modify", MODIFY, MV_NETWORK_SECTION_DNS_HOST, -1,
      "<host ip='192.168.50.2'><hostname>uno</hostname></host>", MV_ERR_NO_SUPPORT },
    /* dns-txt */
    { "dns-txt-add", ADD_LAST, MV_NETWORK_SECTION_DNS_TXT, -1, "<txt name='t2' value='second'/>",
      0 },
    { "dns-txt-add-dup", ADD_LAST, MV_NETWORK_SECTION_DNS_TXT, -1, "<txt name='t1' value='x'/>",
      MV_ERR_OPERATION_INVALID },
    { "dns-txt-delete", DELETE, MV_NETWORK_SECTION_DNS_TXT, -1, "<txt name='t1'/>", 0 },
    { "dns-txt-delete-missing", DELETE, MV_NETWORK_SECTION_DNS_TXT, -1, "<txt name='t9'/>",
      MV_ERR_OPERATION_INVALID },
    { "dns-txt-modify", MODIFY, MV_NETWORK_SECTION_DNS_TXT, -1, "<txt name='t1' value='y'/>",
      MV_ERR_NO_SUPPORT },
    /* dns-srv */
    { "dns-srv-add", ADD_FIRST, MV_NETWORK_SECTION_DNS_SRV, -1,
      "<srv service='sip' protocol='udp' target='sip.test' port='5060' priority='1' "
      "weight='2'/>", 0 },
    { "dns-srv-add-dup", ADD_LAST, MV_NETWORK_SECTION_DNS_SRV, -1,
      "<srv service='ldap' protocol='tcp' port='389'/>", MV_ERR_OPERATION_INVALID },
    { "dns-srv-delete", DELETE, MV_NETWORK_SECTION_DNS_SRV, -1,
      "<srv service='ldap' protocol='udp'/>", 0 },
    { "dns-srv-delete-missing", DELETE, MV_NETWORK_SECTION_DNS_SRV, -1,
      "<srv service='kerberos' protocol='udp'/>", MV_ERR_OPERATION_INVALID },
    { "dns-srv-modify", MODIFY, MV_NETWORK_SECTION_DNS_SRV, -1,
      "<srv service='ldap' protocol='tcp' port='636'/>", MV_ERR_NO_SUPPORT },
    /* sections and commands networkd does not update */
    { "bridge-unsupported", MODIFY, MV_NETWORK_SECTION_BRIDGE, -1, "<bridge name='x'/>",
      MV_ERR_NO_SUPPORT },
    { "domain-unsupported", MODIFY, MV_NETWORK_SECTION_DOMAIN, -1, "<domain name='x'/>",
      MV_ERR_NO_SUPPORT },
    { "ip-unsupported", ADD_LAST, MV_NETWORK_SECTION_IP, -1, "<ip address='10.0.0.1'/>",
      MV_ERR_NO_SUPPORT },
    { "forward-unsupported", MODIFY, MV_NETWORK_SECTION_FORWARD, -1, "<forward mode='nat'/>",
      MV_ERR_NO_SUPPORT },
    { "forward-pf-unsupported", ADD_LAST, MV_NETWORK_SECTION_FORWARD_PF, -1,
      "<pf dev='eth0'/>", MV_ERR_NO_SUPPORT },
    { "section-unknown", ADD_LAST, 13, -1, "<x/>", MV_ERR_NO_SUPPORT },
    { "command-unknown", 5, MV_NETWORK_SECTION_DNS_TXT, -1, "<txt name='a' value='b'/>",
      MV_ERR_NO_SUPPORT },
    { "malformed-xml", ADD_LAST, MV_NETWORK_SECTION_DNS_TXT, -1, "<txt name='a'",
      MV_ERR_XML_ERROR },
};

static MvNetworkDef *
mv_test_base(void)
{
    g_autofree char *path = mv_test_data_path("update/base.xml");
    g_autofree char *xml = mv_test_read(path);
    g_autoptr(GError) error = NULL;
    MvNetworkDef *def = mv_network_def_parse(xml, 0, &error);

    g_assert_no_error(error);
    return def;
}

static void
test_update(gconstpointer data)
{
    const MvUpdateCase *tc = data;
    g_autofree char *file = g_strdup_printf("update/%s.out", tc->name);
    g_autofree char *path = mv_test_data_path(file);
    g_autoptr(MvNetworkDef) def = mv_test_base();
    g_autofree char *before = mv_network_def_format(def, 0);
    g_autofree char *after = NULL;
    g_autofree char *actual = NULL;
    g_autoptr(GError) error = NULL;
    bool ok;

    ok = mv_network_def_update(def, tc->command, tc->section, tc->parent_index, tc->xml,
                               MV_NETWORK_UPDATE_AFFECT_CONFIG, &error);
    after = mv_network_def_format(def, 0);
    if (tc->code) {
        g_assert_false(ok);
        g_assert_nonnull(error);
        g_assert_true(error->domain == MV_ERROR);
        actual = g_strdup_printf("error %d: %s\n", error->code, error->message);
        mv_test_compare_golden(path, actual);
        g_assert_cmpint(error->code, ==, tc->code);
        g_assert_cmpint(mv_error_get_subsystem(error), ==, MV_FROM_NETWORK);
        g_assert_cmpstr(after, ==, before);
        return;
    }
    g_assert_no_error(error);
    g_assert_true(ok);
    g_assert_cmpstr(after, !=, before);
    mv_test_compare_golden(path, after);
}

/* Add then delete gives back the original network, for every add-able section. */
static void
test_add_delete_roundtrip(void)
{
    static const struct {
        unsigned int section;
        const char *xml;
    } items[] = {
        { MV_NETWORK_SECTION_IP_DHCP_HOST, "<host mac='52:54:00:00:00:05' ip='192.168.50.15'/>" },
        { MV_NETWORK_SECTION_IP_DHCP_RANGE, "<range start='192.168.50.30' end='192.168.50.40'/>" },
        { MV_NETWORK_SECTION_FORWARD_INTERFACE, "<interface dev='eth7'/>" },
        { MV_NETWORK_SECTION_PORTGROUP, "<portgroup name='pgx'/>" },
        { MV_NETWORK_SECTION_DNS_HOST, "<host ip='192.168.50.5'><hostname>x</hostname></host>" },
        { MV_NETWORK_SECTION_DNS_TXT, "<txt name='tx' value='v'/>" },
        { MV_NETWORK_SECTION_DNS_SRV, "<srv service='x' protocol='tcp' port='1'/>" },
    };
    g_autoptr(MvNetworkDef) def = mv_test_base();
    g_autofree char *before = mv_network_def_format(def, 0);

    for (size_t i = 0; i < G_N_ELEMENTS(items); i++) {
        g_autoptr(GError) error = NULL;
        g_autofree char *after = NULL;

        g_assert_true(mv_network_def_update(def, ADD_LAST, items[i].section, -1, items[i].xml, 0,
                                            &error));
        g_assert_no_error(error);
        g_assert_true(mv_network_def_update(def, DELETE, items[i].section, -1, items[i].xml, 0,
                                            &error));
        g_assert_no_error(error);
        after = mv_network_def_format(def, 0);
        g_assert_cmpstr(after, ==, before);
    }
}

/* A network without <dns> or <dhcp> gets them from an add; a network with DNS
 * disabled refuses DNS records. */
static void
test_sections_created(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MvNetworkDef) def =
        mv_network_def_parse("<network><name>n</name><uuid>0a0b0c0d-0e0f-1011-1213-141516171819"
                             "</uuid><mac address='52:54:00:01:02:03'/><ip address='10.3.0.1' "
                             "prefix='24'/></network>", 0, &error);
    g_autoptr(MvNetworkDef) off =
        mv_network_def_parse("<network><name>off</name><dns enable='no'/></network>", 0, &error);
    g_autofree char *out = NULL;

    g_assert_no_error(error);
    g_assert_true(mv_network_def_update(def, ADD_LAST, MV_NETWORK_SECTION_DNS_TXT, -1,
                                        "<txt name='a' value='b'/>", 0, &error));
    g_assert_true(mv_network_def_update(def, ADD_LAST, MV_NETWORK_SECTION_IP_DHCP_HOST, -1,
                                        "<host mac='52:54:00:00:00:aa' ip='10.3.0.9'/>", 0,
                                        &error));
    g_assert_no_error(error);
    out = mv_network_def_format(def, 0);
    g_assert_nonnull(strstr(out, "<dns>\n    <txt name='a' value='b'/>\n  </dns>"));
    g_assert_nonnull(strstr(out, "<dhcp>\n      <host mac='52:54:00:00:00:aa' ip='10.3.0.9'/>"));

    g_assert_false(mv_network_def_update(off, ADD_LAST, MV_NETWORK_SECTION_DNS_TXT, -1,
                                         "<txt name='a' value='b'/>", 0, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_XML_DETAIL);
    g_assert_cmpuint(off->dns.ntxts, ==, 0);
}

static void
test_section_names(void)
{
    g_assert_cmpstr(mv_network_update_section_to_string(MV_NETWORK_SECTION_IP_DHCP_HOST), ==,
                    "ip-dhcp-host");
    g_assert_cmpstr(mv_network_update_section_to_string(12), ==, "dns-srv");
    g_assert_null(mv_network_update_section_to_string(0));
    g_assert_null(mv_network_update_section_to_string(13));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    mv_test_schema_dir_init();

    for (size_t i = 0; i < G_N_ELEMENTS(update_cases); i++) {
        g_autofree char *path = g_strdup_printf("/networkxml/update/%s", update_cases[i].name);

        g_test_add_data_func(path, &update_cases[i], test_update);
    }
    g_test_add_func("/networkxml/update-roundtrip", test_add_delete_roundtrip);
    g_test_add_func("/networkxml/update-creates-sections", test_sections_created);
    g_test_add_func("/networkxml/update-section-names", test_section_names);
    return g_test_run();
}
