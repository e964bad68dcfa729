/* Network port XML: port/<case>.xml formats to port/<case>.expected.xml, a
 * fixed point valid by schemas/networkport.rng; port/invalid-<case>.xml fails
 * with the message in port/invalid-<case>.err. MV_TEST_REGENERATE=1 rewrites the
 * expectations (review the diff). */
#include <string.h>

#include "network-port-def.h"
#include "networkxml-test.h"
#include "util/error.h"
#include "util/xml.h"

static const char *const port_cases[] = { "plug-network", "plug-bridge", "full", "unplugged" };

typedef struct {
    const char *name;
    MvErrorCode code;
} MvPortInvalidCase;

static const MvPortInvalidCase invalid_cases[] = {
    { "no-owner", MV_ERR_XML_ERROR },
    { "no-mac", MV_ERR_XML_ERROR },
    { "plug-no-bridge", MV_ERR_XML_DETAIL },
    { "plug-direct", MV_ERR_XML_ERROR },
    { "owner-uuid", MV_ERR_XML_DETAIL },
    { "owner-no-uuid", MV_ERR_XML_ERROR },
    { "unknown-element", MV_ERR_XML_ERROR },
    { "multicast-mac", MV_ERR_INVALID_MAC },
    { "bandwidth", MV_ERR_XML_DETAIL },
};

static void
test_port(gconstpointer data)
{
    const char *name = data;
    g_autofree char *in_file = g_strdup_printf("port/%s.xml", name);
    g_autofree char *out_file = g_strdup_printf("port/%s.expected.xml", name);
    g_autofree char *in_path = mv_test_data_path(in_file);
    g_autofree char *out_path = mv_test_data_path(out_file);
    g_autofree char *xml = mv_test_read(in_path);
    g_autofree char *schema = mv_xml_schema_path("networkport.rng");
    g_autoptr(GError) error = NULL;
    g_autoptr(MvNetworkPortDef) def = mv_network_port_def_parse(xml, 0, &error);
    g_autoptr(MvNetworkPortDef) again = NULL;
    g_autoptr(MvNetworkPortDef) copy = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autofree char *out = NULL;
    g_autofree char *out2 = NULL;
    g_autofree char *out_copy = NULL;

    g_assert_no_error(error);
    out = mv_network_port_def_format(def, 0);
    mv_test_compare_golden(out_path, out);
    doc = mv_xml_parse_string(out, NULL, &error);
    g_assert_no_error(error);
    if (!mv_xml_validate(doc, schema, &error))
        g_error("%s is not valid by %s: %s", out_path, schema, error->message);
    again = mv_network_port_def_parse(out, 0, &error);
    g_assert_no_error(error);
    out2 = mv_network_port_def_format(again, 0);
    g_assert_cmpstr(out2, ==, out);
    copy = mv_network_port_def_copy(def);
    g_clear_pointer(&def, mv_network_port_def_free);
    out_copy = mv_network_port_def_format(copy, 0);
    g_assert_cmpstr(out_copy, ==, out);
}

static void
test_port_invalid(gconstpointer data)
{
    const MvPortInvalidCase *tc = data;
    g_autofree char *in_file = g_strdup_printf("port/invalid-%s.xml", tc->name);
    g_autofree char *err_file = g_strdup_printf("port/invalid-%s.err", tc->name);
    g_autofree char *in_path = mv_test_data_path(in_file);
    g_autofree char *xml = mv_test_read(in_path);
    g_autoptr(GError) error = NULL;
    g_autoptr(MvNetworkPortDef) def = mv_network_port_def_parse(xml, 0, &error);

    g_assert_null(def);
    mv_test_compare_error(err_file, error);
    g_assert_cmpint(error->code, ==, tc->code);
    g_assert_cmpint(mv_error_get_subsystem(error), ==, MV_FROM_NETWORK);
}

/* The values qemud and networkd read, and the generated UUID. */
static void
test_port_values(void)
{
    g_autofree char *path = mv_test_data_path("port/full.xml");
    g_autofree char *xml = mv_test_read(path);
    const char *bare = "<networkport><owner><name>g</name>"
                       "<uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid></owner>"
                       "<mac address='52:54:00:00:00:01'/></networkport>";
    g_autoptr(GError) error = NULL;
    g_autoptr(MvNetworkPortDef) def = mv_network_port_def_parse(xml, 0, &error);
    g_autoptr(MvNetworkPortDef) gen = NULL;

    g_assert_no_error(error);
    g_assert_cmpstr(def->owner_name, ==, "guest2");
    g_assert_cmpstr(def->group, ==, "engineering");
    g_assert_cmpuint(def->mac[5], ==, 0x95);
    g_assert_cmpint(def->plug_type, ==, MV_NETWORK_PORT_PLUG_NETWORK);
    g_assert_cmpstr(def->plug_bridge, ==, "virbr1");
    g_assert_cmpint(def->plug_mac_table_manager, ==, MV_NETWORK_MAC_TABLE_KERNEL);
    g_assert_cmpuint(def->bandwidth->in->floor, ==, 500);
    g_assert_cmpuint(def->bandwidth->out->average, ==, 800);
    g_assert_cmpuint(def->class_id, ==, 3);
    g_assert_cmpint(def->trust_guest_rx_filters, ==, 1);
    g_assert_cmpint(def->port_isolated, ==, 1);
    g_assert_cmpint(mv_network_port_plug_type_from_string("bridge"), ==,
                    MV_NETWORK_PORT_PLUG_BRIDGE);
    g_assert_cmpint(mv_network_port_plug_type_from_string("direct"), ==, -1);

    gen = mv_network_port_def_parse(bare, 0, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(gen->uuid[6] >> 4, ==, 4);
    g_assert_cmpint(gen->plug_type, ==, MV_NETWORK_PORT_PLUG_NONE);
    g_assert_cmpint(gen->trust_guest_rx_filters, ==, -1);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    mv_test_schema_dir_init();

    for (size_t i = 0; i < G_N_ELEMENTS(port_cases); i++) {
        g_autofree char *path = g_strdup_printf("/networkportxml/xml2xml/%s", port_cases[i]);

        g_test_add_data_func(path, port_cases[i], test_port);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(invalid_cases); i++) {
        g_autofree char *path = g_strdup_printf("/networkportxml/invalid/%s",
                                                invalid_cases[i].name);

        g_test_add_data_func(path, &invalid_cases[i], test_port_invalid);
    }
    g_test_add_func("/networkportxml/values", test_port_values);
    return g_test_run();
}
