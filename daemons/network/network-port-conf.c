/* Network port XML (<networkport>) ↔ MvNetworkPortDef: schema validation
 * (schemas/networkport.rng), checks and the canonical format. */
#include <libxml/parser.h>
#include <string.h>

#include "network-conf-priv.h"
#include "network-port-def.h"
#include "util/uuid.h"

#define FROM MV_FROM_NETWORK

static const MvXmlChildRule port_rules[] = {
    { "uuid", 0, 1 },      { "owner", 1, 1 }, { "group", 0, 1 },     { "mac", 1, 1 },
    { "bandwidth", 0, 1 }, { "class", 0, 1 }, { "virtualport", 0, 1 }, { "rxfilters", 0, 1 },
    { "port", 0, 1 },      { "plug", 0, 1 },
};
static const MvXmlChildRule owner_rules[] = { { "name", 1, 1 }, { "uuid", 1, 1 } };

static const char *const plug_types[] = { "none", "network", "bridge" };

const char *
mv_network_port_plug_type_to_string(MvNetworkPortPlugType type)
{
    return (size_t)type < G_N_ELEMENTS(plug_types) ? plug_types[type] : NULL;
}

int
mv_network_port_plug_type_from_string(const char *str)
{
    for (size_t i = 0; str && i < G_N_ELEMENTS(plug_types); i++) {
        if (strcmp(plug_types[i], str) == 0)
            return (int)i;
    }
    return -1;
}

void
mv_network_port_def_free(MvNetworkPortDef *def)
{
    if (!def)
        return;
    g_free(def->owner_name);
    g_free(def->group);
    mv_network_bandwidth_free(def->bandwidth);
    g_free(def->virtualport);
    g_free(def->plug_bridge);
    g_free(def);
}

MvNetworkPortDef *
mv_network_port_def_copy(const MvNetworkPortDef *def)
{
    MvNetworkPortDef *copy = g_memdup2(def, sizeof(*def));

    copy->owner_name = g_strdup(def->owner_name);
    copy->group = g_strdup(def->group);
    copy->bandwidth = mv_network_bandwidth_copy(def->bandwidth);
    copy->virtualport = g_strdup(def->virtualport);
    copy->plug_bridge = g_strdup(def->plug_bridge);
    return copy;
}

/* The element serialized alone, without its blank text. */
static char *
mv_network_port_dump(const xmlNode *node)
{
    g_autoptr(xmlDoc) doc = xmlNewDoc((const xmlChar *)"1.0");
    xmlNode *copy = doc ? xmlDocCopyNode((xmlNode *)node, doc, 1) : NULL;
    xmlBuffer *buf;
    char *text;

    if (!copy || !(buf = xmlBufferCreate()))
        g_error("Cannot allocate XML nodes");
    xmlDocSetRootElement(doc, copy);
    xmlNodeDump(buf, doc, copy, 0, 0);
    text = g_strndup((const char *)xmlBufferContent(buf), xmlBufferLength(buf));
    xmlBufferFree(buf);
    return text;
}

static int
mv_network_port_mtm_from_string(const char *str)
{
    if (g_strcmp0(str, "kernel") == 0)
        return MV_NETWORK_MAC_TABLE_KERNEL;
    if (g_strcmp0(str, "libvirt") == 0)
        return MV_NETWORK_MAC_TABLE_LIBVIRT;
    return -1;
}

static bool
mv_network_port_parse_plug(const xmlNode *node, MvNetworkPortDef *def, GError **error)
{
    int type = MV_NETWORK_PORT_PLUG_NONE;
    int mtm = MV_NETWORK_MAC_TABLE_DEFAULT;

    if (!mv_xml_prop_enum(node, "type", mv_network_port_plug_type_from_string, "plug type",
                          &type, FROM, error) ||
        !mv_xml_prop_enum(node, "macTableManager", mv_network_port_mtm_from_string,
                          "macTableManager", &mtm, FROM, error))
        return false;
    def->plug_type = type;
    def->plug_mac_table_manager = mtm;
    def->plug_bridge = mv_xml_get_prop(node, "bridge");
    if (!def->plug_bridge || !*def->plug_bridge)
        return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, node,
                               "a plug of type '%s' needs a bridge attribute",
                               plug_types[type]);
    return true;
}

static bool
mv_network_port_parse_root(const xmlNode *root, MvNetworkPortDef *def, GError **error)
{
    const xmlNode *node;
    const xmlNode *owner = mv_xml_get_child(root, "owner");

    if (!mv_xml_check_children(root, port_rules, G_N_ELEMENTS(port_rules),
                               MV_XML_CHILDREN_ONLY_LISTED, FROM, error) ||
        !mv_xml_check_children(owner, owner_rules, G_N_ELEMENTS(owner_rules),
                               MV_XML_CHILDREN_ONLY_LISTED, FROM, error))
        return false;
    if ((node = mv_xml_get_child(root, "uuid"))) {
        if (!mv_network_parse_uuid(node, def->uuid, error))
            return false;
    } else {
        mv_uuid_generate(def->uuid);
    }
    def->owner_name = g_strstrip(mv_xml_get_content(mv_xml_get_child(owner, "name")));
    if (!*def->owner_name)
        return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, mv_xml_get_child(owner, "name"),
                               "the owner name must not be empty");
    if (!mv_network_parse_uuid(mv_xml_get_child(owner, "uuid"), def->owner_uuid, error))
        return false;
    if ((node = mv_xml_get_child(root, "group"))) {
        def->group = g_strstrip(mv_xml_get_content(node));
        if (!*def->group)
            return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, node,
                                   "the portgroup name must not be empty");
    }
    node = mv_xml_get_child(root, "mac");
    if (!xmlHasProp(node, BAD_CAST "address"))
        return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, node, "the address is required");
    if (!mv_net_prop_mac(node, "address", def->mac, error))
        return false;
    if ((node = mv_xml_get_child(root, "bandwidth")) &&
        !mv_network_parse_bandwidth(node, true, &def->bandwidth, error))
        return false;
    if ((node = mv_xml_get_child(root, "class")) &&
        !mv_xml_prop_uint(node, "id", G_MAXUINT, &def->class_id, FROM, error))
        return false;
    if ((node = mv_xml_get_child(root, "virtualport")))
        def->virtualport = mv_network_port_dump(node);
    if ((node = mv_xml_get_child(root, "rxfilters")) &&
        !mv_xml_prop_bool(node, "trustGuest", &def->trust_guest_rx_filters, FROM, error))
        return false;
    if ((node = mv_xml_get_child(root, "port")) &&
        !mv_xml_prop_bool(node, "isolated", &def->port_isolated, FROM, error))
        return false;
    if ((node = mv_xml_get_child(root, "plug")) &&
        !mv_network_port_parse_plug(node, def, error))
        return false;
    return true;
}

MvNetworkPortDef *
mv_network_port_def_parse(const char *xml, unsigned int flags, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(MvNetworkPortDef) def = g_new0(MvNetworkPortDef, 1);

    (void)flags;
    def->trust_guest_rx_filters = def->port_isolated = -1;
    if (!(doc = mv_xml_parse_validated(xml, "networkport", error))) {
        if (error && *error)
            mv_error_set_subsystem(*error, FROM);
        return NULL;
    }
    if (!mv_network_port_parse_root(xmlDocGetRootElement(doc), def, error))
        return NULL;
    return g_steal_pointer(&def);
}

/* ---- format ---- */

static void
mv_network_port_format_virtualport(GString *out, const char *text)
{
    g_autoptr(xmlDoc) doc = xmlReadMemory(text, (int)strlen(text), NULL, NULL,
                                          XML_PARSE_NONET | XML_PARSE_NOBLANKS |
                                              XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    xmlBuffer *buf;

    if (!root)
        return;
    if (!(buf = xmlBufferCreate()))
        g_error("Cannot allocate an XML buffer");
    xmlNodeDump(buf, doc, root, 1, 1);
    g_string_append(out, "  ");
    g_string_append_len(out, (const char *)xmlBufferContent(buf), xmlBufferLength(buf));
    g_string_append_c(out, '\n');
    xmlBufferFree(buf);
}

char *
mv_network_port_def_format(const MvNetworkPortDef *def, unsigned int flags)
{
    static const char *const mtm[] = { NULL, "kernel", "libvirt" };
    GString *out = g_string_new("<networkport>\n");
    char uuid[MV_UUID_STRING_LEN];
    char mac[18];

    (void)flags;
    mv_uuid_format(def->uuid, uuid);
    mv_network_format_text_element(out, 2, "uuid", uuid);
    g_string_append(out, "  <owner>\n");
    mv_network_format_text_element(out, 4, "name", def->owner_name);
    mv_uuid_format(def->owner_uuid, uuid);
    mv_network_format_text_element(out, 4, "uuid", uuid);
    g_string_append(out, "  </owner>\n");
    mv_network_format_text_element(out, 2, "group", def->group);
    mv_net_mac_format(def->mac, mac);
    g_string_append_printf(out, "  <mac address='%s'/>\n", mac);
    mv_network_format_bandwidth(out, 2, def->bandwidth);
    if (def->class_id)
        g_string_append_printf(out, "  <class id='%u'/>\n", def->class_id);
    if (def->virtualport)
        mv_network_port_format_virtualport(out, def->virtualport);
    if (def->trust_guest_rx_filters >= 0)
        g_string_append_printf(out, "  <rxfilters trustGuest='%s'/>\n",
                               def->trust_guest_rx_filters ? "yes" : "no");
    if (def->port_isolated >= 0)
        g_string_append_printf(out, "  <port isolated='%s'/>\n",
                               def->port_isolated ? "yes" : "no");
    if (def->plug_type != MV_NETWORK_PORT_PLUG_NONE) {
        g_string_append(out, "  <plug");
        mv_network_format_attr(out, "type", mv_network_port_plug_type_to_string(def->plug_type));
        mv_network_format_attr(out, "bridge", def->plug_bridge);
        mv_network_format_attr(out, "macTableManager",
                               mtm[def->plug_mac_table_manager % G_N_ELEMENTS(mtm)]);
        g_string_append(out, "/>\n");
    }
    g_string_append(out, "</networkport>\n");
    return g_string_free(out, FALSE);
}
