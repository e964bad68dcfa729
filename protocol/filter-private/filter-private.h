/* The private FILTER program (protocol/filter-private.x): its procedure table
 * for filterd's server and typed client stubs for networkd and the CLI.
 * docs/filter.md, "The private program". */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "filter-private-protocol.h"
#include "rpc/client.h"
#include "rpc/proc.h"

G_BEGIN_DECLS

#define MV_PROGRAM_FILTER_PRIVATE 0x4d564654u   /* "MVFT" */
#define MV_FILTER_PRIVATE_PROC_LAST 6

extern const MvProgramInfo mv_filter_private_program;

bool mv_filter_private_network_apply(MvRpcClient *client,
                                     const mv_filter_private_network_apply_args *args,
                                     GError **error);
bool mv_filter_private_network_remove(MvRpcClient *client,
                                      const mv_filter_private_network_remove_args *args,
                                      GError **error);
/* @ret: zeroed; free with xdr_free((xdrproc_t)xdr_mv_filter_private_network_list_ret, ret) */
bool mv_filter_private_network_list(MvRpcClient *client,
                                    mv_filter_private_network_list_ret *ret, GError **error);
/* @ret: zeroed; free with xdr_free(xdr_mv_filter_private_doctor_check_ret, ret) */
bool mv_filter_private_doctor_check(MvRpcClient *client,
                                    const mv_filter_private_doctor_check_args *args,
                                    mv_filter_private_doctor_check_ret *ret, GError **error);
bool mv_filter_private_doctor_repair(MvRpcClient *client,
                                     const mv_filter_private_doctor_repair_args *args,
                                     mv_filter_private_doctor_repair_ret *ret, GError **error);

G_END_DECLS
