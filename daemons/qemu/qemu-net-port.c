/* Network ports from modvirt-networkd, see qemu-net-priv.h.
 *
 * The port XML qemud sends (libvirt's <networkport>):
 *   <networkport><owner><name>DOM</name><uuid>UUID</uuid></owner>
 *     <group>PORTGROUP</group><mac address='…'/></networkport>
 * and what it reads back from the created port: <plug type='…' bridge='…'/>,
 * the bridge to plug the tap into. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-net-priv.h"

#include <string.h>

#include "util/log.h"
#include "util/uuid.h"
#include "util/xml.h"

/* The port XML for @net of @def. */
static char *
port_xml(const MvDomainDef *def, const MvDomainNetDef *net)
{
    GString *out = g_string_new("<networkport>\n  <owner>\n");
    g_autofree char *name = g_markup_escape_text(def->name, -1);
    char uuid[MV_UUID_STRING_LEN];

    mv_uuid_format(def->uuid, uuid);
    g_string_append_printf(out, "    <name>%s</name>\n    <uuid>%s</uuid>\n  </owner>\n", name,
                           uuid);
    if (net->portgroup) {
        g_autofree char *group = g_markup_escape_text(net->portgroup, -1);
        g_string_append_printf(out, "  <group>%s</group>\n", group);
    }
    g_string_append_printf(out, "  <mac address='%02x:%02x:%02x:%02x:%02x:%02x'/>\n", net->mac[0],
                           net->mac[1], net->mac[2], net->mac[3], net->mac[4], net->mac[5]);
    g_string_append(out, "</networkport>\n");
    return g_string_free(out, FALSE);
}

/* The bridge in a port's XML (<plug bridge='…'/>), or NULL with @error. */
static char *
port_bridge(const char *xml, const char *network, GError **error)
{
    g_autoptr(xmlDoc) doc = mv_xml_parse_string(xml, NULL, error);
    g_autofree char *type = NULL;
    g_autofree char *bridge = NULL;
    xmlNode *plug;

    if (!doc)
        return NULL;
    plug = mv_xml_get_child(xmlDocGetRootElement(doc), "plug");
    if (plug) {
        type = mv_xml_get_prop(plug, "type");
        bridge = mv_xml_get_prop(plug, "bridge");
    }
    if (!bridge || (g_strcmp0(type, "network") != 0 && g_strcmp0(type, "bridge") != 0)) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                     "network '%s' gave a port of type '%s', which qemud cannot plug a tap "
                     "into: only bridge ports are supported",
                     network, type ? type : "none");
        return NULL;
    }
    return g_steal_pointer(&bridge);
}

static bool
network_lookup(MvDaemonLink *link, const char *name, mv_remote_nonnull_network *ret, GError **error)
{
    mv_remote_network_lookup_by_name_args args = { .name = (char *)name };
    mv_remote_network_lookup_by_name_ret reply = { 0 };

    if (!mv_remote_network_lookup_by_name(mv_daemon_link_rpc(link), &args, &reply, error))
        return false;
    *ret = reply.net;
    return true;
}

bool
mv_qemu_net_port_create(MvQemuDriver *driver, const MvDomainDef *def, MvDomainNetDef *net,
                        GError **error)
{
    g_autoptr(MvDaemonLink) link = NULL;
    g_autofree char *xml = port_xml(def, net);
    mv_remote_nonnull_network network = { 0 };
    mv_remote_network_port_create_xml_args cargs = { 0 };
    mv_remote_network_port_create_xml_ret cret = { 0 };
    mv_remote_network_port_get_xml_desc_args xargs = { 0 };
    mv_remote_network_port_get_xml_desc_ret xret = { 0 };
    mv_remote_network_port_delete_args dargs = { 0 };
    g_autofree char *bridge = NULL;
    char uuid[MV_UUID_STRING_LEN];
    bool ok = false;

    if (!(link = mv_qemu_net_link_open(MV_DAEMON_NETWORK, driver->network_socket, error))) {
        g_prefix_error(error, "network '%s': ", net->source);
        return false;
    }
    if (!network_lookup(link, net->source, &network, error))
        goto out;
    cargs.network = network;
    cargs.xml = xml;
    if (!mv_remote_network_port_create_xml(mv_daemon_link_rpc(link), &cargs, &cret, error))
        goto out;
    xargs.port = cret.port;
    if (!mv_remote_network_port_get_xml_desc(mv_daemon_link_rpc(link), &xargs, &xret, error) ||
        !(bridge = port_bridge(xret.xml, net->source, error))) {
        dargs.port = cret.port;
        mv_remote_network_port_delete(mv_daemon_link_rpc(link), &dargs, NULL);
        goto out;
    }
    mv_uuid_format((const guint8 *)cret.port.uuid, uuid);
    g_free(net->port_id);
    net->port_id = g_strdup(uuid);
    g_free(net->bridge);
    net->bridge = g_steal_pointer(&bridge);
    mv_log_debug("network '%s': port %s on bridge %s", net->source, uuid, net->bridge);
    ok = true;

out:
    xdr_free((xdrproc_t)xdr_mv_remote_nonnull_network, (char *)&network);
    xdr_free((xdrproc_t)xdr_mv_remote_network_port_create_xml_ret, (char *)&cret);
    xdr_free((xdrproc_t)xdr_mv_remote_network_port_get_xml_desc_ret, (char *)&xret);
    mv_daemon_link_close(g_steal_pointer(&link));
    if (!ok)
        g_prefix_error(error, "network '%s': ", net->source);
    return ok;
}

void
mv_qemu_net_port_delete(MvQemuDriver *driver, const MvDomainNetDef *net)
{
    g_autoptr(MvDaemonLink) link = NULL;
    g_autoptr(GError) err = NULL;
    mv_remote_nonnull_network network = { 0 };
    mv_remote_network_port_delete_args args = { 0 };
    guint8 uuid[16];

    if (!net->port_id || !net->source)
        return;
    if (!mv_uuid_parse(net->port_id, uuid, &err) ||
        !(link = mv_qemu_net_link_open(MV_DAEMON_NETWORK, driver->network_socket, &err)) ||
        !network_lookup(link, net->source, &network, &err)) {
        mv_log_warning("cannot delete port %s of network '%s': %s", net->port_id, net->source,
                       err->message);
        goto out;
    }
    args.port.net = network;
    memcpy(args.port.uuid, uuid, sizeof(uuid));
    if (!mv_remote_network_port_delete(mv_daemon_link_rpc(link), &args, &err))
        mv_log_warning("cannot delete port %s of network '%s': %s", net->port_id, net->source,
                       err->message);
    else
        mv_log_debug("network '%s': port %s deleted", net->source, net->port_id);

out:
    xdr_free((xdrproc_t)xdr_mv_remote_nonnull_network, (char *)&network);
    if (link)
        mv_daemon_link_close(g_steal_pointer(&link));
}
