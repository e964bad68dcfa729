/* The private EVENTS program's procedure table and client stubs, by hand
 * (events-private.x says why). */
#include "events-private.h"

#define VOID_FILTER ((xdrproc_t)(void (*)(void))xdr_void)

// clang-format off
#define PROC(num, nm, api_name, args, ret, knd) \
    [num] = { .number = (num), .name = (nm), .api = (api_name), \
              .args_filter = (xdrproc_t)(args##_filter), .args_size = args##_size, \
              .ret_filter = (xdrproc_t)(ret##_filter), .ret_size = ret##_size, \
              .route = MV_ROUTE_ANY, .readonly = true, .priority = MV_PRIORITY_INLINE, \
              .kind = (knd) }

#define none_filter VOID_FILTER
#define none_size 0
#define hold_args_filter xdr_mv_events_private_hold_args
#define hold_args_size sizeof(mv_events_private_hold_args)
#define hold_ret_filter xdr_mv_events_private_hold_ret
#define hold_ret_size sizeof(mv_events_private_hold_ret)
#define resume_args_filter xdr_mv_events_private_resume_args
#define resume_args_size sizeof(mv_events_private_resume_args)
#define resume_ret_filter xdr_mv_events_private_resume_ret
#define resume_ret_size sizeof(mv_events_private_resume_ret)
#define event_filter xdr_mv_events_private_event_msg
#define event_size sizeof(mv_events_private_event_msg)

static const MvProcInfo events_private_procs[MV_EVENTS_PRIVATE_PROC_LAST] = {
    PROC(MV_EVENTS_PRIVATE_PROC_EVENTS_HOLD, "EVENTS_HOLD", "mvEventsHold",
         hold_args, hold_ret, MV_PROC_KIND_CALL),
    PROC(MV_EVENTS_PRIVATE_PROC_EVENTS_RESUME, "EVENTS_RESUME", "mvEventsResume",
         resume_args, resume_ret, MV_PROC_KIND_CALL),
    PROC(MV_EVENTS_PRIVATE_PROC_EVENT, "EVENT", "mvEvent",
         event, none, MV_PROC_KIND_EVENT),
};
// clang-format on

G_STATIC_ASSERT(MV_EVENTS_PRIVATE_PROC_EVENT + 1 == MV_EVENTS_PRIVATE_PROC_LAST);

const MvProgramInfo mv_events_private_program = {
    .program = MV_PROGRAM_EVENTS_PRIVATE,
    .version = 1,
    .name = "EVENTS_PRIVATE",
    .procs = events_private_procs,
    .nprocs = MV_EVENTS_PRIVATE_PROC_LAST,
};

bool
mv_events_private_hold(MvRpcClient *client, const mv_events_private_hold_args *args,
                       mv_events_private_hold_ret *ret, GError **error)
{
    return mv_rpc_client_call(client, &mv_events_private_program,
                              &events_private_procs[MV_EVENTS_PRIVATE_PROC_EVENTS_HOLD], args,
                              ret, error);
}

bool
mv_events_private_resume(MvRpcClient *client, const mv_events_private_resume_args *args,
                         mv_events_private_resume_ret *ret, GError **error)
{
    return mv_rpc_client_call(client, &mv_events_private_program,
                              &events_private_procs[MV_EVENTS_PRIVATE_PROC_EVENTS_RESUME], args,
                              ret, error);
}

bool
mv_events_private_decode_event(const guint8 *payload, gsize len,
                               mv_events_private_event_msg *ret)
{
    XDR xdr;
    bool ok;

    xdrmem_create(&xdr, (char *)payload, (u_int)len, XDR_DECODE);
    ok = xdr_mv_events_private_event_msg(&xdr, ret) && xdr_getpos(&xdr) == len;
    xdr_destroy(&xdr);
    if (!ok)
        xdr_free((xdrproc_t)xdr_mv_events_private_event_msg, (char *)ret);
    return ok;
}
