/* The private FILTER program's procedure table and client stubs, by hand
 * (filter-private.x says why). */
#include "filter-private.h"

#define VOID_FILTER ((xdrproc_t)(void (*)(void))xdr_void)

// clang-format off
#define PROC(num, nm, api_name, args, ret, ro, prio) \
    [num] = { .number = (num), .name = (nm), .api = (api_name), \
              .args_filter = (xdrproc_t)(args##_filter), .args_size = args##_size, \
              .ret_filter = (xdrproc_t)(ret##_filter), .ret_size = ret##_size, \
              .route = MV_ROUTE_NWFILTER, .readonly = (ro), .priority = (prio), \
              .kind = MV_PROC_KIND_CALL }

#define none_filter VOID_FILTER
#define none_size 0
#define apply_filter xdr_mv_filter_private_network_apply_args
#define apply_size sizeof(mv_filter_private_network_apply_args)
#define remove_filter xdr_mv_filter_private_network_remove_args
#define remove_size sizeof(mv_filter_private_network_remove_args)
#define list_filter xdr_mv_filter_private_network_list_ret
#define list_size sizeof(mv_filter_private_network_list_ret)
#define check_args_filter xdr_mv_filter_private_doctor_check_args
#define check_args_size sizeof(mv_filter_private_doctor_check_args)
#define check_ret_filter xdr_mv_filter_private_doctor_check_ret
#define check_ret_size sizeof(mv_filter_private_doctor_check_ret)
#define repair_args_filter xdr_mv_filter_private_doctor_repair_args
#define repair_args_size sizeof(mv_filter_private_doctor_repair_args)
#define repair_ret_filter xdr_mv_filter_private_doctor_repair_ret
#define repair_ret_size sizeof(mv_filter_private_doctor_repair_ret)

static const MvProcInfo filter_private_procs[MV_FILTER_PRIVATE_PROC_LAST] = {
    PROC(MV_FILTER_PRIVATE_PROC_NETWORK_APPLY, "NETWORK_APPLY", "mvFilterNetworkApply",
         apply, none, false, MV_PRIORITY_LOW),
    PROC(MV_FILTER_PRIVATE_PROC_NETWORK_REMOVE, "NETWORK_REMOVE", "mvFilterNetworkRemove",
         remove, none, false, MV_PRIORITY_LOW),
    PROC(MV_FILTER_PRIVATE_PROC_NETWORK_LIST, "NETWORK_LIST", "mvFilterNetworkList",
         none, list, true, MV_PRIORITY_LOW),
    PROC(MV_FILTER_PRIVATE_PROC_DOCTOR_CHECK, "DOCTOR_CHECK", "mvFilterDoctorCheck",
         check_args, check_ret, true, MV_PRIORITY_LOW),
    PROC(MV_FILTER_PRIVATE_PROC_DOCTOR_REPAIR, "DOCTOR_REPAIR", "mvFilterDoctorRepair",
         repair_args, repair_ret, false, MV_PRIORITY_LOW),
};
// clang-format on

G_STATIC_ASSERT(MV_FILTER_PRIVATE_PROC_DOCTOR_REPAIR + 1 == MV_FILTER_PRIVATE_PROC_LAST);

const MvProgramInfo mv_filter_private_program = {
    .program = MV_PROGRAM_FILTER_PRIVATE,
    .version = 1,
    .name = "FILTER_PRIVATE",
    .procs = filter_private_procs,
    .nprocs = MV_FILTER_PRIVATE_PROC_LAST,
};

static bool
call(MvRpcClient *client, int proc, const void *args, void *ret, GError **error)
{
    return mv_rpc_client_call(client, &mv_filter_private_program, &filter_private_procs[proc],
                              args, ret, error);
}

bool
mv_filter_private_network_apply(MvRpcClient *client,
                                const mv_filter_private_network_apply_args *args, GError **error)
{
    return call(client, MV_FILTER_PRIVATE_PROC_NETWORK_APPLY, args, NULL, error);
}

bool
mv_filter_private_network_remove(MvRpcClient *client,
                                 const mv_filter_private_network_remove_args *args,
                                 GError **error)
{
    return call(client, MV_FILTER_PRIVATE_PROC_NETWORK_REMOVE, args, NULL, error);
}

bool
mv_filter_private_network_list(MvRpcClient *client, mv_filter_private_network_list_ret *ret,
                               GError **error)
{
    return call(client, MV_FILTER_PRIVATE_PROC_NETWORK_LIST, NULL, ret, error);
}

bool
mv_filter_private_doctor_check(MvRpcClient *client,
                               const mv_filter_private_doctor_check_args *args,
                               mv_filter_private_doctor_check_ret *ret, GError **error)
{
    return call(client, MV_FILTER_PRIVATE_PROC_DOCTOR_CHECK, args, ret, error);
}

bool
mv_filter_private_doctor_repair(MvRpcClient *client,
                                const mv_filter_private_doctor_repair_args *args,
                                mv_filter_private_doctor_repair_ret *ret, GError **error)
{
    return call(client, MV_FILTER_PRIVATE_PROC_DOCTOR_REPAIR, args, ret, error);
}
