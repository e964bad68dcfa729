/* The ADMIN program (0x06900690 v1) that virt-admin speaks on a daemon's admin
 * socket: our own XDR for the procedures we serve, written by hand from the
 * wire facts (the program is small; the REMOTE program is generated). */
#pragma once

#include <rpc/rpc.h>

#include "rpc/proc.h"

enum {
    MV_ADMIN_PROC_CONNECT_OPEN = 1,
    MV_ADMIN_PROC_CONNECT_CLOSE = 2,
    MV_ADMIN_PROC_CONNECT_GET_LIB_VERSION = 3,
    MV_ADMIN_PROC_CONNECT_LIST_SERVERS = 4,
    MV_ADMIN_PROC_CONNECT_LOOKUP_SERVER = 5,
    MV_ADMIN_PROC_CONNECT_GET_LOGGING_OUTPUTS = 14,
    MV_ADMIN_PROC_CONNECT_GET_LOGGING_FILTERS = 15,
    MV_ADMIN_PROC_CONNECT_SET_LOGGING_FILTERS = 17,
    MV_ADMIN_PROC_LAST = 18,
};

#define MV_ADMIN_SERVER_LIST_MAX 16384

typedef struct {
    u_int flags;
} MvAdminFlagsArgs; /* open, get logging outputs/filters */
typedef struct { uint64_t lib_ver; } MvAdminLibVersionRet;
typedef struct { u_int need_results; u_int flags; } MvAdminListServersArgs;
typedef struct { u_int nservers; char **servers; u_int ret; } MvAdminListServersRet;
typedef struct { char *name; u_int flags; } MvAdminLookupServerArgs;
typedef struct { char *name; } MvAdminServerRet;
typedef struct { char *outputs; u_int noutputs; } MvAdminLoggingOutputsRet;
typedef struct { char *filters; u_int nfilters; } MvAdminLoggingFiltersRet;   /* filters optional */
typedef struct { char *filters; u_int flags; } MvAdminSetLoggingFiltersArgs;  /* filters optional */

bool_t mv_admin_xdr_flags_args(XDR *xdr, MvAdminFlagsArgs *v, ...);
bool_t mv_admin_xdr_lib_version_ret(XDR *xdr, MvAdminLibVersionRet *v, ...);
bool_t mv_admin_xdr_list_servers_args(XDR *xdr, MvAdminListServersArgs *v, ...);
bool_t mv_admin_xdr_list_servers_ret(XDR *xdr, MvAdminListServersRet *v, ...);
bool_t mv_admin_xdr_lookup_server_args(XDR *xdr, MvAdminLookupServerArgs *v, ...);
bool_t mv_admin_xdr_server_ret(XDR *xdr, MvAdminServerRet *v, ...);
bool_t mv_admin_xdr_logging_outputs_ret(XDR *xdr, MvAdminLoggingOutputsRet *v, ...);
bool_t mv_admin_xdr_logging_filters_ret(XDR *xdr, MvAdminLoggingFiltersRet *v, ...);
bool_t mv_admin_xdr_set_logging_filters_args(XDR *xdr, MvAdminSetLoggingFiltersArgs *v, ...);

/* The procedure table of the ADMIN program. */
extern const MvProgramInfo mv_admin_program;
