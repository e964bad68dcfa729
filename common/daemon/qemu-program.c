/* The QEMU program, see qemu-program.h. Layouts from the wire facts:
 * DOMAIN_AGENT_COMMAND args `dom dom, str cmd, i32 timeout, u32 flags`,
 * ret `str? result`. */
#include "daemon/qemu-program.h"

#include <string.h>

#include "remote-protocol.h"
#include "rpc/proc.h"
#include "rpc/server.h"
#include "util/error.h"

typedef struct {
    mv_remote_nonnull_domain dom;
    char *cmd;
    int timeout;
    u_int flags;
} AgentCommandArgs;

typedef struct {
    mv_remote_string result;
} AgentCommandRet;

static bool_t
xdr_agent_command_args(XDR *xdrs, AgentCommandArgs *args)
{
    return xdr_mv_remote_nonnull_domain(xdrs, &args->dom) &&
           xdr_mv_remote_nonnull_string(xdrs, &args->cmd) &&
           xdr_int(xdrs, &args->timeout) &&
           xdr_u_int(xdrs, &args->flags);
}

static bool_t
xdr_agent_command_ret(XDR *xdrs, AgentCommandRet *ret)
{
    return xdr_mv_remote_string(xdrs, &ret->result);
}

enum { PROC_AGENT_COMMAND = 3, PROC_LAST = 8 };

static const MvProcInfo qemu_procs[PROC_LAST] = {
    [PROC_AGENT_COMMAND] = {
        .number = PROC_AGENT_COMMAND,
        .name = "DOMAIN_AGENT_COMMAND",
        .api = "virDomainQemuAgentCommand",
        .args_filter = (xdrproc_t)xdr_agent_command_args,
        .args_size = sizeof(AgentCommandArgs),
        .ret_filter = (xdrproc_t)xdr_agent_command_ret,
        .ret_size = sizeof(AgentCommandRet),
        .route = MV_ROUTE_DOMAIN,
        .readonly = false,          /* the command may change the guest */
        .priority = MV_PRIORITY_LOW,
        .kind = MV_PROC_KIND_CALL,
    },
};

/* The program's other procedures: known, not offered (NO_SUPPORT with the API). */
static const char *const qemu_unsupported[PROC_LAST] = {
    [1] = "virDomainQemuMonitorCommand",
    [2] = "virDomainQemuAttach",
    [4] = "virConnectDomainQemuMonitorEventRegister",
    [5] = "virConnectDomainQemuMonitorEventDeregister",
    [7] = "virDomainQemuMonitorCommandWithFiles",
};

static const MvProgramInfo qemu_program = {
    .program = MV_PROGRAM_QEMU,
    .version = MV_PROGRAM_VERSION,
    .name = "QEMU",
    .procs = qemu_procs,
    .nprocs = PROC_LAST,
    .unsupported_apis = qemu_unsupported,
    .nunsupported = PROC_LAST,
};

static MvQemuAgentCommandFunc agent_command_func;

static bool
dispatch_agent_command(MvServerCall *call, const void *vargs, void *vret, GError **error)
{
    const AgentCommandArgs *args = vargs;
    AgentCommandRet *ret = vret;
    MvObjectRef ref = { 0 };
    char *result = NULL;

    ref.name = args->dom.name;
    memcpy(ref.uuid, args->dom.uuid, sizeof(ref.uuid));
    ref.id = args->dom.id;
    if (!agent_command_func((MvDriverCall *)call, &ref, args->cmd, args->timeout, args->flags,
                            &result, error))
        return false;
    /* freed with the reply by xdr_free: malloc'd memory */
    ret->result = malloc(sizeof(*ret->result));
    if (!ret->result) {
        g_free(result);
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_NO_MEMORY, "out of memory");
    }
    *ret->result = result;
    return true;
}

static MvDispatchFunc qemu_handlers[PROC_LAST] = {
    [PROC_AGENT_COMMAND] = dispatch_agent_command,
};

void
mv_daemon_qemu_program_add(MvServer *server, MvQemuAgentCommandFunc agent_command)
{
    agent_command_func = agent_command;
    mv_server_add_program(server, &qemu_program, qemu_handlers, PROC_LAST);
}
