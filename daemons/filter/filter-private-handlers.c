/* The private FILTER program in filterd: networkd's rule sets and the doctor. */
#define MV_LOG_CATEGORY "filter"
#include "filter-private-handlers.h"

#include <unistd.h>

#include "filter-doctor.h"
#include "filter-driver.h"
#include "filter-netrules.h"
#include "filter-private.h"
#include "util/error.h"
#include "util/log.h"

/* Open connections only; changes only from root (or filterd's own user: the
 * read-write socket is 0600 already, this holds when its mode is widened). */
static bool
check_caller(MvServerCall *call, bool writes, GError **error)
{
    MvServerClient *client = mv_server_call_get_client(call);
    pid_t pid;
    uid_t uid;
    gid_t gid;

    if (!mv_daemon_call_conn(call)->opened)
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_INTERNAL_ERROR,
                            "connection not open: CONNECT_OPEN nwfilter:///system first");
    if (!writes)
        return true;
    if (!mv_server_client_get_identity(client, &pid, &uid, &gid) ||
        (uid != 0 && uid != geteuid()))
        return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_OPERATION_DENIED,
                            "only root may change modvirt's firewall rules");
    return true;
}

static MvFilterDriver *
call_driver(MvServerCall *call)
{
    return mv_filter_driver_get(mv_daemon_call_daemon(call));
}

static char *
opt(const char *s)
{
    return s && *s ? g_strdup(s) : NULL;
}

static MvFilterNetwork *
network_from_wire(const mv_filter_private_network *w)
{
    MvFilterNetwork *net = g_new0(MvFilterNetwork, 1);

    net->name = g_strdup(w->name);
    net->bridge = g_strdup(w->bridge);
    net->forward = (MvFilterForward)w->forward;
    if (w->forward < 0)
        net->forward = (MvFilterForward)99;     /* refused by validation */
    net->forward_dev = opt(w->forward_dev);
    net->n_ips = w->ips.ips_len;
    net->ips = g_new0(MvFilterNetIp, net->n_ips);
    for (guint i = 0; i < net->n_ips; i++) {
        net->ips[i].address = g_strdup(w->ips.ips_val[i].address);
        net->ips[i].prefix = w->ips.ips_val[i].prefix;
    }
    net->nat_address_start = opt(w->nat_address_start);
    net->nat_address_end = opt(w->nat_address_end);
    net->nat_port_start = w->nat_port_start;
    net->nat_port_end = w->nat_port_end;
    net->nat_ipv6 = w->nat_ipv6 != 0;
    net->services = w->services;
    return net;
}

static bool
check_flags(unsigned int flags, const char *what, GError **error)
{
    if (flags)
        return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_INVALID_ARG,
                            "unsupported flags (0x%x) in %s", flags, what);
    return true;
}

static bool
network_apply(MvServerCall *call, const mv_filter_private_network_apply_args *args, void *ret,
              GError **error)
{
    MvFilterDriver *driver = call_driver(call);

    if (!check_caller(call, true, error) || !check_flags(args->flags, "network apply", error))
        return false;
    if (!mv_filter_netrules_apply(driver->netrules, network_from_wire(&args->net), error))
        return false;
    mv_filter_driver_owned_changed(driver);
    mv_log_info("firewall rules of network '%s' (bridge %s) applied", args->net.name,
                args->net.bridge);
    return true;
}

static bool
network_remove(MvServerCall *call, const mv_filter_private_network_remove_args *args, void *ret,
               GError **error)
{
    MvFilterDriver *driver = call_driver(call);

    if (!check_caller(call, true, error) || !check_flags(args->flags, "network remove", error))
        return false;
    if (!mv_filter_netrules_remove(driver->netrules, args->name, error))
        return false;
    mv_filter_driver_owned_changed(driver);
    mv_log_info("firewall rules of network '%s' removed", args->name);
    return true;
}

static bool
network_list(MvServerCall *call, const void *args, mv_filter_private_network_list_ret *ret,
             GError **error)
{
    g_auto(GStrv) names = NULL;

    if (!check_caller(call, false, error))
        return false;
    names = mv_filter_netrules_names(call_driver(call)->netrules);
    ret->names.names_len = g_strv_length(names);
    ret->names.names_val = (mv_filter_private_name *)g_steal_pointer(&names);
    return true;
}

static void
differences_to_wire(GPtrArray *diffs, u_int *ret_len, mv_filter_private_difference **ret_val)
{
    *ret_len = diffs->len;
    *ret_val = g_new0(mv_filter_private_difference, diffs->len);
    for (guint i = 0; i < diffs->len; i++) {
        const MvFilterDifference *d = diffs->pdata[i];

        (*ret_val)[i].kind = g_strdup(d->kind);
        (*ret_val)[i].table = g_strdup(d->table);
        (*ret_val)[i].chain = g_strdup(d->chain ? d->chain : "");
        (*ret_val)[i].text = g_strdup(d->text);
    }
}

static bool
doctor_check(MvServerCall *call, const mv_filter_private_doctor_check_args *args,
             mv_filter_private_doctor_check_ret *ret, GError **error)
{
    g_autoptr(GPtrArray) diffs = NULL;

    if (!check_caller(call, false, error) || !check_flags(args->flags, "doctor check", error))
        return false;
    if (!(diffs = mv_filter_doctor_check(call_driver(call), error)))
        return false;
    differences_to_wire(diffs, &ret->differences.differences_len,
                        &ret->differences.differences_val);
    return true;
}

static bool
doctor_repair(MvServerCall *call, const mv_filter_private_doctor_repair_args *args,
              mv_filter_private_doctor_repair_ret *ret, GError **error)
{
    g_autoptr(GPtrArray) diffs = NULL;

    if (!check_caller(call, true, error) || !check_flags(args->flags, "doctor repair", error))
        return false;
    if (!(diffs = mv_filter_doctor_repair(call_driver(call), error)))
        return false;
    differences_to_wire(diffs, &ret->differences.differences_len,
                        &ret->differences.differences_val);
    return true;
}

#define PRIVATE_DISPATCH(num, fn) [num] = (MvDispatchFunc)(void (*)(void))(fn)

static const MvDispatchFunc private_handlers[MV_FILTER_PRIVATE_PROC_LAST] = {
    PRIVATE_DISPATCH(MV_FILTER_PRIVATE_PROC_NETWORK_APPLY, network_apply),
    PRIVATE_DISPATCH(MV_FILTER_PRIVATE_PROC_NETWORK_REMOVE, network_remove),
    PRIVATE_DISPATCH(MV_FILTER_PRIVATE_PROC_NETWORK_LIST, network_list),
    PRIVATE_DISPATCH(MV_FILTER_PRIVATE_PROC_DOCTOR_CHECK, doctor_check),
    PRIVATE_DISPATCH(MV_FILTER_PRIVATE_PROC_DOCTOR_REPAIR, doctor_repair),
};

bool
mv_filter_private_serve(MvDaemon *daemon, MvServer *server, GError **error)
{
    mv_server_add_program(server, &mv_filter_private_program, private_handlers,
                          MV_FILTER_PRIVATE_PROC_LAST);
    return true;
}
