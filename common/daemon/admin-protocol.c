/* XDR and the procedure table of the ADMIN program, see admin-protocol.h. */
#include "daemon/admin-protocol.h"

#include <stdlib.h>

#define ADMIN_STRING_MAX 4194304u

static bool_t
xdr_str(XDR *xdr, char **s)
{
    return xdr_string(xdr, s, ADMIN_STRING_MAX);
}

/* A `str?`: presence word, then the string. */
static bool_t
xdr_opt_str(XDR *xdr, char **s)
{
    u_int present = *s != NULL;

    if (xdr->x_op == XDR_FREE) {
        free(*s);
        *s = NULL;
        return TRUE;
    }
    if (xdr->x_op == XDR_DECODE)
        *s = NULL;
    if (!xdr_u_int(xdr, &present) || present > 1)
        return FALSE;
    return !present || xdr_str(xdr, s);
}

bool_t
mv_admin_xdr_flags_args(XDR *xdr, MvAdminFlagsArgs *v, ...)
{
    return xdr_u_int(xdr, &v->flags);
}

bool_t
mv_admin_xdr_lib_version_ret(XDR *xdr, MvAdminLibVersionRet *v, ...)
{
    return xdr_uint64_t(xdr, &v->lib_ver);
}

bool_t
mv_admin_xdr_list_servers_args(XDR *xdr, MvAdminListServersArgs *v, ...)
{
    return xdr_u_int(xdr, &v->need_results) && xdr_u_int(xdr, &v->flags);
}

bool_t
mv_admin_xdr_list_servers_ret(XDR *xdr, MvAdminListServersRet *v, ...)
{
    /* array<server{str name}>, then the count */
    return xdr_array(xdr, (char **)&v->servers, &v->nservers, MV_ADMIN_SERVER_LIST_MAX,
                     sizeof(char *), (xdrproc_t)xdr_str) &&
           xdr_u_int(xdr, &v->ret);
}

bool_t
mv_admin_xdr_lookup_server_args(XDR *xdr, MvAdminLookupServerArgs *v, ...)
{
    return xdr_str(xdr, &v->name) && xdr_u_int(xdr, &v->flags);
}

bool_t
mv_admin_xdr_server_ret(XDR *xdr, MvAdminServerRet *v, ...)
{
    return xdr_str(xdr, &v->name);
}

bool_t
mv_admin_xdr_logging_outputs_ret(XDR *xdr, MvAdminLoggingOutputsRet *v, ...)
{
    return xdr_str(xdr, &v->outputs) && xdr_u_int(xdr, &v->noutputs);
}

bool_t
mv_admin_xdr_logging_filters_ret(XDR *xdr, MvAdminLoggingFiltersRet *v, ...)
{
    return xdr_opt_str(xdr, &v->filters) && xdr_u_int(xdr, &v->nfilters);
}

bool_t
mv_admin_xdr_set_logging_filters_args(XDR *xdr, MvAdminSetLoggingFiltersArgs *v, ...)
{
    return xdr_opt_str(xdr, &v->filters) && xdr_u_int(xdr, &v->flags);
}

#define PROC(num, pname, papi, afilter, atype, rfilter, rtype, prio) \
    [num] = { .number = num, .name = pname, .api = papi,                          \
              .args_filter = (xdrproc_t)(afilter), .args_size = atype,           \
              .ret_filter = (xdrproc_t)(rfilter), .ret_size = rtype,             \
              .route = MV_ROUTE_ANY, .readonly = false, .priority = prio }

static const MvProcInfo admin_procs[MV_ADMIN_PROC_LAST] = {
    PROC(MV_ADMIN_PROC_CONNECT_OPEN, "CONNECT_OPEN", "virAdmConnectOpen",
         mv_admin_xdr_flags_args, sizeof(MvAdminFlagsArgs), xdr_void, 0, MV_PRIORITY_INLINE),
    PROC(MV_ADMIN_PROC_CONNECT_CLOSE, "CONNECT_CLOSE", "virAdmConnectClose",
         xdr_void, 0, xdr_void, 0, MV_PRIORITY_INLINE),
    PROC(MV_ADMIN_PROC_CONNECT_GET_LIB_VERSION, "CONNECT_GET_LIB_VERSION",
         "virAdmConnectGetLibVersion", xdr_void, 0, mv_admin_xdr_lib_version_ret,
         sizeof(MvAdminLibVersionRet), MV_PRIORITY_INLINE),
    PROC(MV_ADMIN_PROC_CONNECT_LIST_SERVERS, "CONNECT_LIST_SERVERS", "virAdmConnectListServers",
         mv_admin_xdr_list_servers_args, sizeof(MvAdminListServersArgs),
         mv_admin_xdr_list_servers_ret, sizeof(MvAdminListServersRet), MV_PRIORITY_INLINE),
    PROC(MV_ADMIN_PROC_CONNECT_LOOKUP_SERVER, "CONNECT_LOOKUP_SERVER",
         "virAdmConnectLookupServer", mv_admin_xdr_lookup_server_args,
         sizeof(MvAdminLookupServerArgs), mv_admin_xdr_server_ret, sizeof(MvAdminServerRet),
         MV_PRIORITY_INLINE),
    PROC(MV_ADMIN_PROC_CONNECT_GET_LOGGING_OUTPUTS, "CONNECT_GET_LOGGING_OUTPUTS",
         "virAdmConnectGetLoggingOutputs", mv_admin_xdr_flags_args, sizeof(MvAdminFlagsArgs),
         mv_admin_xdr_logging_outputs_ret, sizeof(MvAdminLoggingOutputsRet), MV_PRIORITY_INLINE),
    PROC(MV_ADMIN_PROC_CONNECT_GET_LOGGING_FILTERS, "CONNECT_GET_LOGGING_FILTERS",
         "virAdmConnectGetLoggingFilters", mv_admin_xdr_flags_args, sizeof(MvAdminFlagsArgs),
         mv_admin_xdr_logging_filters_ret, sizeof(MvAdminLoggingFiltersRet), MV_PRIORITY_INLINE),
    PROC(MV_ADMIN_PROC_CONNECT_SET_LOGGING_FILTERS, "CONNECT_SET_LOGGING_FILTERS",
         "virAdmConnectSetLoggingFilters", mv_admin_xdr_set_logging_filters_args,
         sizeof(MvAdminSetLoggingFiltersArgs), xdr_void, 0, MV_PRIORITY_LOW),
};

const MvProgramInfo mv_admin_program = {
    .program = MV_PROGRAM_ADMIN,
    .version = MV_PROGRAM_VERSION,
    .name = "ADMIN",
    .procs = admin_procs,
    .nprocs = MV_ADMIN_PROC_LAST,
};
