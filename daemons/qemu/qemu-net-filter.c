/* nwfilter bindings in modvirt-filterd, see qemu-net-priv.h.
 *
 * The binding XML qemud sends (libvirt's <filterbinding>):
 *   <filterbinding><owner><name>DOM</name><uuid>UUID</uuid></owner>
 *     <portdev name='TAP'/><mac address='…'/>
 *     <filterref filter='…'><parameter name='…' value='…'/></filterref>
 *   </filterbinding>
 * A binding is named by its port device; deleting it names the filter too. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-net-priv.h"

#include "util/log.h"
#include "util/uuid.h"

/* Appends @before, @value escaped for XML, @after. */
static void
append_escaped(GString *out, const char *before, const char *value, const char *after)
{
    g_autofree char *escaped = g_markup_escape_text(value, -1);

    g_string_append(out, before);
    g_string_append(out, escaped);
    g_string_append(out, after);
}

/* The binding XML for @net of @def. */
static char *
binding_xml(const MvDomainDef *def, const MvDomainNetDef *net)
{
    GString *out = g_string_new("<filterbinding>\n  <owner>\n");
    char uuid[MV_UUID_STRING_LEN];

    mv_uuid_format(def->uuid, uuid);
    append_escaped(out, "    <name>", def->name, "</name>\n");
    g_string_append_printf(out, "    <uuid>%s</uuid>\n  </owner>\n", uuid);
    append_escaped(out, "  <portdev name='", net->target_dev, "'/>\n");
    g_string_append_printf(out, "  <mac address='%02x:%02x:%02x:%02x:%02x:%02x'/>\n", net->mac[0],
                           net->mac[1], net->mac[2], net->mac[3], net->mac[4], net->mac[5]);
    append_escaped(out, "  <filterref filter='", net->filter, "'>\n");
    for (size_t i = 0; i < net->nfilter_params; i++) {
        append_escaped(out, "    <parameter name='", net->filter_params[i].name, "'");
        append_escaped(out, " value='", net->filter_params[i].value, "'/>\n");
    }
    g_string_append(out, "  </filterref>\n</filterbinding>\n");
    return g_string_free(out, FALSE);
}

bool
mv_qemu_net_filter_bind(MvQemuDriver *driver, const MvDomainDef *def, const MvDomainNetDef *net,
                        GError **error)
{
    g_autoptr(MvDaemonLink) link = NULL;
    g_autofree char *xml = NULL;
    mv_remote_nwfilter_binding_create_xml_args args = { 0 };
    mv_remote_nwfilter_binding_create_xml_ret ret = { 0 };
    bool ok;

    if (!net->target_dev)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "filter '%s' needs the interface's tap device name", net->filter);
    xml = binding_xml(def, net);
    if (!(link = mv_qemu_net_link_open(MV_DAEMON_FILTER, driver->filter_socket, error))) {
        g_prefix_error(error, "filter '%s' on %s: ", net->filter, net->target_dev);
        return false;
    }
    args.xml = xml;
    ok = mv_remote_nwfilter_binding_create_xml(mv_daemon_link_rpc(link), &args, &ret, error);
    if (ok) {
        mv_log_debug("filter '%s' bound to %s", net->filter, net->target_dev);
        xdr_free((xdrproc_t)xdr_mv_remote_nwfilter_binding_create_xml_ret, (char *)&ret);
    } else {
        g_prefix_error(error, "filter '%s' on %s: ", net->filter, net->target_dev);
    }
    mv_daemon_link_close(g_steal_pointer(&link));
    return ok;
}

void
mv_qemu_net_filter_unbind(MvQemuDriver *driver, const MvDomainDef *def, const MvDomainNetDef *net)
{
    g_autoptr(MvDaemonLink) link = NULL;
    g_autoptr(GError) err = NULL;
    mv_remote_nwfilter_binding_delete_args args = {
        .nwfilter = { .portdev = net->target_dev, .filtername = net->filter },
    };

    (void)def;
    if (!net->target_dev || !net->filter)
        return;
    if (!(link = mv_qemu_net_link_open(MV_DAEMON_FILTER, driver->filter_socket, &err)) ||
        !mv_remote_nwfilter_binding_delete(mv_daemon_link_rpc(link), &args, &err))
        mv_log_warning("cannot delete the filter binding of %s: %s", net->target_dev, err->message);
    if (link)
        mv_daemon_link_close(g_steal_pointer(&link));
}
