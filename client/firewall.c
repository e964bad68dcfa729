/* The firewall doctor through modvirt-filterd's private FILTER program. */
#include "client-priv.h"
#include "filter-private.h"
#include <modvirt/firewall.h>

static void
difference_free(MvFirewallDifference *d)
{
    g_free(d->kind);
    g_free(d->table);
    g_free(d->chain);
    g_free(d->text);
    g_free(d);
}

static GPtrArray *
from_wire(const mv_filter_private_difference *val, u_int len)
{
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)difference_free);

    for (u_int i = 0; i < len; i++) {
        MvFirewallDifference *d = g_new0(MvFirewallDifference, 1);

        d->kind = g_strdup(val[i].kind);
        d->table = g_strdup(val[i].table);
        d->chain = g_strdup(val[i].chain);
        d->text = g_strdup(val[i].text);
        g_ptr_array_add(out, d);
    }
    return out;
}

GPtrArray *
mv_connect_firewall_check(MvConnect *conn, unsigned int flags, GError **error)
{
    MvLink *link;
    GPtrArray *out;

    if (!mv_client_check_arg(conn != NULL, "mv_connect_firewall_check", "the connection",
                             error) ||
        !mv_client_check_flags(flags, MV_FIREWALL_CHECK_REPAIR, "mv_connect_firewall_check",
                               error))
        return NULL;
    if (!(link = mv_connect_link_daemon(conn, MV_DAEMON_FILTER, error)))
        return NULL;
    if (mv_link_daemon(link) != MV_DAEMON_FILTER) {
        g_set_error(error, MV_ERROR, MV_ERROR_OPERATION_UNSUPPORTED,
                    "the firewall doctor needs a local connection to modvirt-filterd");
        return NULL;
    }
    if (flags & MV_FIREWALL_CHECK_REPAIR) {
        mv_filter_private_doctor_repair_args args = { 0 };
        mv_filter_private_doctor_repair_ret ret = { 0 };

        if (!mv_filter_private_doctor_repair(mv_link_rpc(link), &args, &ret, error))
            return NULL;
        out = from_wire(ret.differences.differences_val, ret.differences.differences_len);
        xdr_free((xdrproc_t)xdr_mv_filter_private_doctor_repair_ret, (char *)&ret);
    } else {
        mv_filter_private_doctor_check_args args = { 0 };
        mv_filter_private_doctor_check_ret ret = { 0 };

        if (!mv_filter_private_doctor_check(mv_link_rpc(link), &args, &ret, error))
            return NULL;
        out = from_wire(ret.differences.differences_val, ret.differences.differences_len);
        xdr_free((xdrproc_t)xdr_mv_filter_private_doctor_check_ret, (char *)&ret);
    }
    return out;
}
