/* Decoding of REMOTE event MESSAGE payloads for clients. */
#include <string.h>

#include "remote-client.h"
#include "util/error.h"

bool
mv_remote_decode_event(int proc, const guint8 *payload, gsize len, void *ret_msg,
                       GError **error)
{
    const MvProcInfo *info = mv_program_lookup_proc(&mv_remote_program, proc);
    XDR xdr;
    bool ok;

    if (!info || info->kind != MV_PROC_KIND_EVENT)
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC,
                            "procedure %d of the REMOTE program is not an event", proc);
    if (len > G_MAXUINT)
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC,
                            "event %s payload is too large", info->name);

    memset(ret_msg, 0, info->args_size);
    /* xdrmem never writes when decoding; the cast only satisfies its API. */
    xdrmem_create(&xdr, (char *)payload, (u_int)len, XDR_DECODE);
    ok = info->args_filter(&xdr, ret_msg) && xdr_getpos(&xdr) == len;
    xdr_destroy(&xdr);
    if (!ok) {
        xdr_free(info->args_filter, ret_msg);
        memset(ret_msg, 0, info->args_size);
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC,
                            "Unable to decode the payload of event %s", info->name);
    }
    return true;
}
