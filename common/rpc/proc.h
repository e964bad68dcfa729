/* Per-procedure facts generated from protocol/remote.x: how to decode and encode
 * a procedure's arguments and result, which daemon owns it (the route table),
 * whether a read-only connection may call it and which pool runs it. */
#pragma once

#include <glib.h>
#include <rpc/rpc.h>
#include <stdbool.h>
#include <stddef.h>

#include "registry/registry.h"

/* Program numbers and versions (wire facts). */
#define MV_PROGRAM_REMOTE     0x20008086u
#define MV_PROGRAM_QEMU       0x20008087u
#define MV_PROGRAM_LXC        0x00068000u
#define MV_PROGRAM_KEEPALIVE  0x6b656570u
#define MV_PROGRAM_ADMIN      0x06900690u
#define MV_PROGRAM_VERSION    1u

#define MV_KEEPALIVE_PROC_PING 1
#define MV_KEEPALIVE_PROC_PONG 2

/* MvRoute (which daemon owns a procedure) and mv_route_name() come from the
 * daemon registry (common/registry/daemons.ini). */

/* Where a call runs inside a daemon. */
typedef enum {
    MV_PRIORITY_LOW = 0,    /* the normal worker pool */
    MV_PRIORITY_HIGH,       /* the high-priority pool: must not wait behind stuck work */
    MV_PRIORITY_INLINE,     /* answered on the I/O thread: never blocks, memory only */
} MvPriority;

/* What kind of message a procedure is. */
typedef enum {
    MV_PROC_KIND_CALL = 0,  /* a CALL with a REPLY */
    MV_PROC_KIND_EVENT,     /* a server->client MESSAGE (events) */
    MV_PROC_KIND_STREAM,    /* a CALL whose REPLY opens a stream */
} MvProcKind;

typedef struct {
    int number;             /* procedure number; 0 = empty slot */
    const char *name;       /* "CONNECT_OPEN" */
    const char *api;        /* libvirt API name used in messages, "virConnectOpen" */
    xdrproc_t args_filter;  /* xdr_void when there are no args */
    size_t args_size;       /* sizeof the args struct, 0 when void */
    xdrproc_t ret_filter;   /* xdr_void when there is no result */
    size_t ret_size;        /* sizeof the ret struct, 0 when void */
    MvRoute route;
    bool readonly;          /* callable on a read-only connection */
    MvPriority priority;
    MvProcKind kind;
} MvProcInfo;

typedef struct {
    unsigned int program;
    unsigned int version;
    const char *name;       /* "REMOTE" */
    const MvProcInfo *procs;  /* indexed by procedure number */
    int nprocs;             /* number of slots (max procedure number + 1) */
    /* Procedures libvirt knows but this table does not define, indexed by
     * number: the API name (NULL for a number nobody knows). Such a call is
     * answered VIR_ERR_NO_SUPPORT naming the API, never "unknown procedure". */
    const char *const *unsupported_apis;
    int nunsupported;       /* number of slots of @unsupported_apis */
} MvProgramInfo;

/**
 * mv_program_lookup_proc:
 * The table entry of procedure @proc of @program, or NULL when it is not defined.
 */
static inline const MvProcInfo *
mv_program_lookup_proc(const MvProgramInfo *program, int proc)
{
    if (proc <= 0 || proc >= program->nprocs || program->procs[proc].number != proc)
        return NULL;
    return &program->procs[proc];
}

/**
 * mv_program_unsupported_api:
 * The libvirt API name of procedure @proc when libvirt knows it but @program's
 * table does not define it (answered VIR_ERR_NO_SUPPORT), else NULL.
 */
static inline const char *
mv_program_unsupported_api(const MvProgramInfo *program, int proc)
{
    if (proc <= 0 || proc >= program->nunsupported || !program->unsupported_apis)
        return NULL;
    return program->unsupported_apis[proc];
}

/* One call being served (common/rpc/server.h). */
typedef struct _MvServerCall MvServerCall;

/* A server-side handler: @args is the decoded arguments (NULL for void), @ret
 * the zeroed result to fill (NULL for void). Return false with @error set to
 * send an ERROR reply. The generated remote-dispatch.h has a typed variant per
 * procedure and MV_REMOTE_DISPATCH() to put a typed handler into a table. */
typedef bool (*MvDispatchFunc)(MvServerCall *call, const void *args, void *ret,
                               GError **error);

/* Generated tables (protocol/gen-protocol.py). */
extern const MvProgramInfo mv_remote_program;
extern const MvProgramInfo mv_qemu_program;
