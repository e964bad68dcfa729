/* Listing domains: one CONNECT_LIST_ALL_DOMAINS call, complete handles. */
#include "client-priv.h"

#define LIST_ALLOWED (MV_LIST_DOMAINS_ACTIVE | MV_LIST_DOMAINS_INACTIVE | \
                      MV_LIST_DOMAINS_PERSISTENT | MV_LIST_DOMAINS_TRANSIENT | \
                      MV_LIST_DOMAINS_RUNNING | MV_LIST_DOMAINS_PAUSED | \
                      MV_LIST_DOMAINS_SHUTOFF | MV_LIST_DOMAINS_OTHER | \
                      MV_LIST_DOMAINS_AUTOSTART | MV_LIST_DOMAINS_NO_AUTOSTART)

static gint
domain_compare_names(gconstpointer a, gconstpointer b)
{
    MvDomain *da = *(MvDomain *const *)a;
    MvDomain *db = *(MvDomain *const *)b;

    return g_strcmp0(mv_domain_get_name(da), mv_domain_get_name(db));
}

MvDomain **
mv_connect_list_domains(MvConnect *conn, unsigned int flags, gsize *ret_count, GError **error)
{
    MvRpcClient *rpc;
    mv_remote_connect_list_all_domains_args args = { .need_results = 1, .flags = flags };
    mv_remote_connect_list_all_domains_ret ret = { 0 };
    GPtrArray *list;
    gsize count;

    if (!mv_client_check_flags(flags, LIST_ALLOWED, "mv_connect_list_domains", error) ||
        !((rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS, error)) &&
          mv_remote_connect_list_all_domains(rpc, &args, &ret, error)))
        return NULL;
    list = g_ptr_array_sized_new(ret.domains.domains_len + 1);
    for (u_int i = 0; i < ret.domains.domains_len; i++)
        g_ptr_array_add(list, mv_domain_new_from_wire(conn, &ret.domains.domains_val[i]));
    xdr_free((xdrproc_t)xdr_mv_remote_connect_list_all_domains_ret, (char *)&ret);
    g_ptr_array_sort(list, domain_compare_names);
    count = list->len;
    g_ptr_array_add(list, NULL);
    if (ret_count)
        *ret_count = count;
    return (MvDomain **)g_ptr_array_free(list, FALSE);
}

void
mv_domain_list_free(MvDomain **list)
{
    if (!list)
        return;
    for (MvDomain **d = list; *d; d++)
        mv_domain_unref(*d);
    g_free(list);
}
