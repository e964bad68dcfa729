/* Network filter bindings: list, create, delete, XML. Every call routes to
 * modvirt-filterd; a binding is named by its port device. */
#include <string.h>

#include "client-priv.h"

char **
mv_connect_list_network_filter_bindings(MvConnect *conn, unsigned int flags,
                                        char ***ret_filters, GError **error)
{
    mv_remote_connect_list_all_nwfilter_bindings_args args = { .need_results = 1 };
    mv_remote_connect_list_all_nwfilter_bindings_ret ret = { 0 };
    g_autoptr(GPtrArray) order = NULL;
    GStrvBuilder *ports, *filters;
    MvRpcClient *rpc;
    char **out;

    if (!mv_client_check_flags(flags, 0, "mv_connect_list_network_filter_bindings", error) ||
        !(rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_CONNECT_LIST_ALL_NWFILTER_BINDINGS,
                               error)) ||
        !mv_remote_connect_list_all_nwfilter_bindings(rpc, &args, &ret, error))
        return NULL;
    order = g_ptr_array_new();
    for (u_int i = 0; i < ret.bindings.bindings_len; i++)
        g_ptr_array_add(order, &ret.bindings.bindings_val[i]);
    for (guint i = 1; i < order->len; i++) {     /* insertion sort by port */
        for (guint j = i; j > 0; j--) {
            mv_remote_nonnull_nwfilter_binding *a = g_ptr_array_index(order, j - 1);
            mv_remote_nonnull_nwfilter_binding *b = g_ptr_array_index(order, j);

            if (strcmp(a->portdev, b->portdev) <= 0)
                break;
            order->pdata[j - 1] = b;
            order->pdata[j] = a;
        }
    }
    ports = g_strv_builder_new();
    filters = g_strv_builder_new();
    for (guint i = 0; i < order->len; i++) {
        mv_remote_nonnull_nwfilter_binding *b = g_ptr_array_index(order, i);

        g_strv_builder_add(ports, b->portdev);
        g_strv_builder_add(filters, b->filtername);
    }
    xdr_free((xdrproc_t)xdr_mv_remote_connect_list_all_nwfilter_bindings_ret, (char *)&ret);
    if (ret_filters)
        *ret_filters = g_strv_builder_end(filters);
    g_strv_builder_unref(filters);
    out = g_strv_builder_end(ports);
    g_strv_builder_unref(ports);
    return out;
}

bool
mv_network_filter_binding_create(MvConnect *conn, const char *xml, unsigned int flags,
                                 GError **error)
{
    mv_remote_nwfilter_binding_create_xml_args args = { .xml = (char *)xml, .flags = 0 };
    mv_remote_nwfilter_binding_create_xml_ret ret = { 0 };
    MvRpcClient *rpc;

    if (!mv_client_check_flags(flags, 0, "mv_network_filter_binding_create", error) ||
        !mv_client_check_arg(xml != NULL, "mv_network_filter_binding_create", "xml", error) ||
        !(rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_NWFILTER_BINDING_CREATE_XML, error)) ||
        !mv_remote_nwfilter_binding_create_xml(rpc, &args, &ret, error))
        return false;
    xdr_free((xdrproc_t)xdr_mv_remote_nwfilter_binding_create_xml_ret, (char *)&ret);
    return true;
}

/* The reference of the binding of @portdev (looked up: the wire wants its filter too). */
static bool
binding_ref(MvConnect *conn, const char *portdev, const char *func,
            mv_remote_nwfilter_binding_lookup_by_port_dev_ret *ret, GError **error)
{
    mv_remote_nwfilter_binding_lookup_by_port_dev_args args = { .name = (char *)portdev };
    MvRpcClient *rpc;

    return mv_client_check_arg(portdev != NULL, func, "portdev", error) &&
           (rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_NWFILTER_BINDING_LOOKUP_BY_PORT_DEV,
                                 error)) &&
           mv_remote_nwfilter_binding_lookup_by_port_dev(rpc, &args, ret, error);
}

bool
mv_network_filter_binding_delete(MvConnect *conn, const char *portdev, unsigned int flags,
                                 GError **error)
{
    mv_remote_nwfilter_binding_lookup_by_port_dev_ret ref = { 0 };
    mv_remote_nwfilter_binding_delete_args args;
    MvRpcClient *rpc;
    bool ok;

    if (!mv_client_check_flags(flags, 0, "mv_network_filter_binding_delete", error) ||
        !binding_ref(conn, portdev, "mv_network_filter_binding_delete", &ref, error))
        return false;
    args.nwfilter = ref.nwfilter;
    ok = (rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_NWFILTER_BINDING_DELETE, error)) &&
         mv_remote_nwfilter_binding_delete(rpc, &args, error);
    xdr_free((xdrproc_t)xdr_mv_remote_nwfilter_binding_lookup_by_port_dev_ret, (char *)&ref);
    return ok;
}

char *
mv_network_filter_binding_get_xml(MvConnect *conn, const char *portdev, unsigned int flags,
                                  GError **error)
{
    mv_remote_nwfilter_binding_lookup_by_port_dev_ret ref = { 0 };
    mv_remote_nwfilter_binding_get_xml_desc_args args;
    mv_remote_nwfilter_binding_get_xml_desc_ret ret = { 0 };
    MvRpcClient *rpc;
    char *xml = NULL;

    if (!mv_client_check_flags(flags, 0, "mv_network_filter_binding_get_xml", error) ||
        !binding_ref(conn, portdev, "mv_network_filter_binding_get_xml", &ref, error))
        return NULL;
    args.nwfilter = ref.nwfilter;
    args.flags = 0;
    if ((rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_NWFILTER_BINDING_GET_XML_DESC, error)) &&
        mv_remote_nwfilter_binding_get_xml_desc(rpc, &args, &ret, error)) {
        xml = g_strdup(ret.xml);
        xdr_free((xdrproc_t)xdr_mv_remote_nwfilter_binding_get_xml_desc_ret, (char *)&ret);
    }
    xdr_free((xdrproc_t)xdr_mv_remote_nwfilter_binding_lookup_by_port_dev_ret, (char *)&ref);
    return xml;
}
