/* MvNetworkFilter handles: list, lookups, define, undefine, XML. Every call
 * routes to modvirt-filterd. */
#include <string.h>

#include "client-priv.h"
#include "util/uuid.h"

struct _MvNetworkFilter {
    gint refs;
    MvConnect *conn;
    char *name;
    guint8 uuid[MV_UUID_BUFLEN];
    char uuid_string[MV_UUID_STRING_LEN];
};

#define FILTER_OK(filter, func, error) \
    mv_client_check_arg((filter) != NULL, func, "the network filter", error)

MvNetworkFilter *
mv_network_filter_new_from_wire(MvConnect *conn, const mv_remote_nonnull_nwfilter *ref)
{
    MvNetworkFilter *filter = g_new0(MvNetworkFilter, 1);

    filter->refs = 1;
    filter->conn = mv_connect_ref(conn);
    filter->name = g_strdup(ref->name);
    memcpy(filter->uuid, ref->uuid, MV_UUID_BUFLEN);
    mv_uuid_format(filter->uuid, filter->uuid_string);
    return filter;
}

static void
filter_to_wire(MvNetworkFilter *filter, mv_remote_nonnull_nwfilter *ret_ref)
{
    ret_ref->name = filter->name;
    memcpy(ret_ref->uuid, filter->uuid, MV_UUID_BUFLEN);
}

MvNetworkFilter *
mv_network_filter_ref(MvNetworkFilter *filter)
{
    if (filter)
        g_atomic_int_inc(&filter->refs);
    return filter;
}

void
mv_network_filter_unref(MvNetworkFilter *filter)
{
    if (!filter || !g_atomic_int_dec_and_test(&filter->refs))
        return;
    mv_connect_unref(filter->conn);
    g_free(filter->name);
    g_free(filter);
}

const char *
mv_network_filter_get_name(MvNetworkFilter *filter)
{
    g_return_val_if_fail(filter, NULL);
    return filter->name;
}

const char *
mv_network_filter_get_uuid_string(MvNetworkFilter *filter)
{
    g_return_val_if_fail(filter, NULL);
    return filter->uuid_string;
}

MvConnect *
mv_network_filter_get_connect(MvNetworkFilter *filter)
{
    g_return_val_if_fail(filter, NULL);
    return filter->conn;
}

static gint
filter_compare_names(gconstpointer a, gconstpointer b)
{
    return g_strcmp0((*(MvNetworkFilter *const *)a)->name,
                     (*(MvNetworkFilter *const *)b)->name);
}

MvNetworkFilter **
mv_connect_list_network_filters(MvConnect *conn, unsigned int flags, gsize *ret_count,
                                GError **error)
{
    MvRpcClient *rpc;
    mv_remote_connect_list_all_nwfilters_args args = { .need_results = 1, .flags = 0 };
    mv_remote_connect_list_all_nwfilters_ret ret = { 0 };
    GPtrArray *list;
    gsize count;

    if (!mv_client_check_flags(flags, 0, "mv_connect_list_network_filters", error) ||
        !((rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_CONNECT_LIST_ALL_NWFILTERS, error)) &&
          mv_remote_connect_list_all_nwfilters(rpc, &args, &ret, error)))
        return NULL;
    list = g_ptr_array_sized_new(ret.filters.filters_len + 1);
    for (u_int i = 0; i < ret.filters.filters_len; i++)
        g_ptr_array_add(list, mv_network_filter_new_from_wire(conn, &ret.filters.filters_val[i]));
    xdr_free((xdrproc_t)xdr_mv_remote_connect_list_all_nwfilters_ret, (char *)&ret);
    g_ptr_array_sort(list, filter_compare_names);
    count = list->len;
    g_ptr_array_add(list, NULL);
    if (ret_count)
        *ret_count = count;
    return (MvNetworkFilter **)g_ptr_array_free(list, FALSE);
}

void
mv_network_filter_list_free(MvNetworkFilter **list)
{
    if (!list)
        return;
    for (MvNetworkFilter **f = list; *f; f++)
        mv_network_filter_unref(*f);
    g_free(list);
}

/* Wraps the filter of a lookup/define reply in a handle on @conn and frees
 * the reply's strings (every such reply is just `mv_remote_nonnull_nwfilter nwfilter`). */
static MvNetworkFilter *
filter_from_reply(MvConnect *conn, mv_remote_nonnull_nwfilter *ref)
{
    MvNetworkFilter *filter = mv_network_filter_new_from_wire(conn, ref);

    xdr_free((xdrproc_t)xdr_mv_remote_nonnull_nwfilter, (char *)ref);
    return filter;
}

MvNetworkFilter *
mv_network_filter_lookup_by_name(MvConnect *conn, const char *name, unsigned int flags,
                                 GError **error)
{
    mv_remote_nwfilter_lookup_by_name_args args = { .name = (char *)name };
    mv_remote_nwfilter_lookup_by_name_ret ret = { 0 };
    MvRpcClient *rpc;

    if (!mv_client_check_flags(flags, 0, "mv_network_filter_lookup_by_name", error) ||
        !mv_client_check_arg(name != NULL, "mv_network_filter_lookup_by_name", "name", error) ||
        !(rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_NWFILTER_LOOKUP_BY_NAME, error)) ||
        !mv_remote_nwfilter_lookup_by_name(rpc, &args, &ret, error))
        return NULL;
    return filter_from_reply(conn, &ret.nwfilter);
}

MvNetworkFilter *
mv_network_filter_lookup_by_uuid(MvConnect *conn, const char *uuid, unsigned int flags,
                                 GError **error)
{
    mv_remote_nwfilter_lookup_by_uuid_args args;
    mv_remote_nwfilter_lookup_by_uuid_ret ret = { 0 };
    guint8 raw[MV_UUID_BUFLEN];
    MvRpcClient *rpc;

    if (!mv_client_check_flags(flags, 0, "mv_network_filter_lookup_by_uuid", error) ||
        !mv_client_check_arg(uuid != NULL, "mv_network_filter_lookup_by_uuid", "uuid",
                             error) ||
        !mv_uuid_parse(uuid, raw, error))
        return NULL;
    memcpy(args.uuid, raw, sizeof(raw));
    if (!(rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_NWFILTER_LOOKUP_BY_UUID, error)) ||
        !mv_remote_nwfilter_lookup_by_uuid(rpc, &args, &ret, error))
        return NULL;
    return filter_from_reply(conn, &ret.nwfilter);
}

MvNetworkFilter *
mv_network_filter_define(MvConnect *conn, const char *xml, unsigned int flags, GError **error)
{
    mv_remote_nwfilter_define_xml_flags_args args = { .xml = (char *)xml, .flags = flags };
    mv_remote_nwfilter_define_xml_flags_ret ret = { 0 };
    MvRpcClient *rpc;

    if (!mv_client_check_flags(flags, MV_NETWORK_FILTER_DEFINE_VALIDATE,
                               "mv_network_filter_define", error) ||
        !mv_client_check_arg(xml != NULL, "mv_network_filter_define", "xml", error) ||
        !(rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_NWFILTER_DEFINE_XML_FLAGS, error)) ||
        !mv_remote_nwfilter_define_xml_flags(rpc, &args, &ret, error))
        return NULL;
    return filter_from_reply(conn, &ret.nwfilter);
}

bool
mv_network_filter_undefine(MvNetworkFilter *filter, unsigned int flags, GError **error)
{
    MvRpcClient *rpc;
    mv_remote_nwfilter_undefine_args args;

    if (!FILTER_OK(filter, "mv_network_filter_undefine", error) ||
        !mv_client_check_flags(flags, 0, "mv_network_filter_undefine", error))
        return false;
    filter_to_wire(filter, &args.nwfilter);
    return ((rpc = mv_connect_rpc(filter->conn, MV_REMOTE_PROC_NWFILTER_UNDEFINE, error)) &&
            mv_remote_nwfilter_undefine(rpc, &args, error));
}

char *
mv_network_filter_get_xml(MvNetworkFilter *filter, unsigned int flags, GError **error)
{
    MvRpcClient *rpc;
    mv_remote_nwfilter_get_xml_desc_args args;
    mv_remote_nwfilter_get_xml_desc_ret ret = { 0 };

    if (!FILTER_OK(filter, "mv_network_filter_get_xml", error) ||
        !mv_client_check_flags(flags, 0, "mv_network_filter_get_xml", error))
        return NULL;
    filter_to_wire(filter, &args.nwfilter);
    args.flags = 0;
    if (!((rpc = mv_connect_rpc(filter->conn, MV_REMOTE_PROC_NWFILTER_GET_XML_DESC, error)) &&
          mv_remote_nwfilter_get_xml_desc(rpc, &args, &ret, error)))
        return NULL;
    return ret.xml;
}
