/* Live status files of started networks, see network-status.h. */
#define MV_LOG_CATEGORY "network"
#include "network-status.h"

#include <libxml/tree.h>

#include "util/log.h"
#include "util/xml.h"

void
mv_network_status_free(MvNetworkStatus *status)
{
    if (!status)
        return;
    g_free(status->path);
    mv_network_def_free(status->live);
    g_free(status);
}

bool
mv_network_status_write(MvNetworkDriver *driver, const MvNetworkDef *live, bool persistent,
                        const MvNetworkRuntime *rt, bool starting, GError **error)
{
    g_autofree char *xml = mv_network_def_format(live, 0);
    g_autofree char *doc = g_strdup_printf(
        "<networkstatus phase='%s' persistent='%s' bridge-ifindex='%d' dnsmasq-pid='%d'"
        " dnsmasq-start='%" G_GUINT64_FORMAT "' forwarding='%s' firewall='%s'>\n%s"
        "</networkstatus>\n",
        starting ? "starting" : "active", persistent ? "yes" : "no", rt->bridge_ifindex,
        (int)rt->dnsmasq_pid, rt->dnsmasq_start_time, rt->forwarding ? "yes" : "no",
        rt->firewall ? "yes" : "no", xml);

    if (!mv_driver_store_save_status(driver->store, live->name, doc, error)) {
        g_prefix_error(error, "cannot record the status of network '%s': ", live->name);
        return false;
    }
    return true;
}

bool
mv_network_status_save(MvNetworkDriver *driver, MvNetworkObj *net, GError **error)
{
    return mv_network_status_write(driver, net->live, net->persistent, &net->rt, false, error);
}

void
mv_network_status_delete(MvNetworkDriver *driver, const char *name)
{
    g_autoptr(GError) err = NULL;

    if (!mv_driver_store_delete_status(driver->store, name, &err))
        mv_log_warning("network '%s': %s", name, err->message);
}

static bool
prop_int(const xmlNode *node, const char *name, gint64 max, gint64 *ret, GError **error)
{
    g_autofree char *s = mv_xml_get_prop(node, name);
    guint64 v;

    if (!s || !mv_xml_parse_uint(s, (guint64)max, &v))
        return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_INTERNAL_ERROR,
                            "status: bad or missing %s='%s'", name, s ? s : "");
    *ret = (gint64)v;
    return true;
}

static bool
prop_yes(const xmlNode *node, const char *name)
{
    g_autofree char *s = mv_xml_get_prop(node, name);

    return s && g_str_equal(s, "yes");
}

/* The serialized <network> child of @root. */
static char *
inner_network(xmlDoc *doc, xmlNode *root)
{
    xmlNode *child = mv_xml_get_child(root, "network");
    g_autoptr(GString) out = NULL;
    xmlBuffer *buf;

    if (!child)
        return NULL;
    buf = xmlBufferCreate();
    xmlNodeDump(buf, doc, child, 0, 0);
    out = g_string_new((const char *)xmlBufferContent(buf));
    xmlBufferFree(buf);
    return g_string_free(g_steal_pointer(&out), FALSE);
}

MvNetworkStatus *
mv_network_status_parse(const char *path, const char *text, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(MvNetworkStatus) st = g_new0(MvNetworkStatus, 1);
    g_autofree char *phase = NULL;
    g_autofree char *net_xml = NULL;
    xmlNode *root;
    gint64 ifindex, pid, start;

    if (!(doc = mv_xml_parse_string(text, NULL, error)))
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (!root || !mv_xml_node_is(root, "networkstatus")) {
        mv_error_set(error, MV_FROM_NETWORK, MV_ERR_INTERNAL_ERROR,
                     "not a network status file");
        return NULL;
    }
    phase = mv_xml_get_prop(root, "phase");
    st->starting = !phase || !g_str_equal(phase, "active");
    st->persistent = prop_yes(root, "persistent");
    st->rt.forwarding = prop_yes(root, "forwarding");
    st->rt.firewall = prop_yes(root, "firewall");
    if (!prop_int(root, "bridge-ifindex", G_MAXINT, &ifindex, error) ||
        !prop_int(root, "dnsmasq-pid", G_MAXINT, &pid, error) ||
        !prop_int(root, "dnsmasq-start", G_MAXINT64, &start, error))
        return NULL;
    st->rt.bridge_ifindex = (int)ifindex;
    st->rt.dnsmasq_pid = (pid_t)pid;
    st->rt.dnsmasq_start_time = (guint64)start;
    if (!(net_xml = inner_network(doc, root))) {
        mv_error_set(error, MV_FROM_NETWORK, MV_ERR_INTERNAL_ERROR,
                     "status: no <network> element");
        return NULL;
    }
    if (!(st->live = mv_network_def_parse(net_xml, 0, error)))
        return NULL;
    st->path = g_strdup(path);
    return g_steal_pointer(&st);
}
