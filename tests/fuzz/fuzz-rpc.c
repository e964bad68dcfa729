/* Fuzz target "rpc": RPC frames as a daemon or a client reads them off a socket.
 *
 * The input is a byte stream of frames (length word, six-word header, XDR
 * payload), taken apart the way the servers do: a length word outside the
 * limits or a frame cut short ends the stream. Each frame's payload is decoded
 * as the header says, with the procedure table's filters of its program
 * (REMOTE, ADMIN): a CALL's arguments, a REPLY's result or error, an
 * event MESSAGE (also through the client's mv_remote_decode_event()), a
 * STREAM error. Whatever decodes must encode again, and that encoding must
 * decode and re-encode to the same bytes; the decoded values are freed with
 * the same filter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/admin-protocol.h"
#include "fuzz.h"
#include "remote-client.h"
#include "rpc/message.h"
#include "rpc/proc.h"
#include "rpc/wire-error.h"

static G_NORETURN void
finding(const char *what, const MvProcInfo *info)
{
    fprintf(stderr, "fuzz-rpc: %s (%s)\n", what, info ? info->name : "remote error");
    abort();
}

/* Encodes @obj with @filter into a new buffer; NULL when it does not encode. */
static guint8 *
encode(xdrproc_t filter, void *obj, u_int *ret_len)
{
    u_int need = xdr_sizeof(filter, obj);
    guint8 *buf = g_malloc0(MAX(need, 4u));
    XDR xdr;
    bool ok;

    xdrmem_create(&xdr, (char *)buf, need, XDR_ENCODE);
    ok = filter(&xdr, obj, 0) && xdr_getpos(&xdr) == need;
    xdr_destroy(&xdr);
    if (!ok) {
        g_free(buf);
        return NULL;
    }
    *ret_len = need;
    return buf;
}

/* Decoded values encode again, and that encoding is a fixed point. */
static void
check_reencode(xdrproc_t filter, size_t size, void *obj, const MvProcInfo *info)
{
    g_autofree guint8 *first = NULL;
    g_autofree guint8 *second = NULL;
    g_autofree void *again = g_malloc0(size);
    g_autoptr(GError) err = NULL;
    u_int len1 = 0, len2 = 0;

    if (!(first = encode(filter, obj, &len1)))
        finding("a decoded payload does not encode again", info);
    if (!mv_message_decode_payload(first, len1, filter, again, &err))
        finding("a re-encoded payload does not decode", info);
    if (!(second = encode(filter, again, &len2)))
        finding("a re-decoded payload does not encode", info);
    if (len1 != len2 || memcmp(first, second, len1) != 0)
        finding("decode(encode(x)) encodes differently from x", info);
    xdr_free(filter, (char *)again);
}

static void
decode_with(xdrproc_t filter, size_t size, const guint8 *payload, gsize len,
            const MvProcInfo *info)
{
    g_autofree void *obj = NULL;
    g_autoptr(GError) err = NULL;

    if (!size || !filter || filter == (xdrproc_t)xdr_void)
        return;
    obj = g_malloc0(size);
    if (!mv_message_decode_payload(payload, len, filter, obj, &err))
        return;
    check_reencode(filter, size, obj, info);
    xdr_free(filter, (char *)obj);
}

static void
decode_event(const MvProgramInfo *program, const MvProcInfo *info, const guint8 *payload,
             gsize len)
{
    g_autofree void *obj = NULL;
    g_autoptr(GError) err = NULL;

    decode_with(info->args_filter, info->args_size, payload, len, info);
    if (program != &mv_remote_program || !info->args_size)
        return;
    /* The client's event decoder: exact length, freed by the caller. */
    obj = g_malloc0(info->args_size);
    if (mv_remote_decode_event(info->number, payload, len, obj, &err))
        xdr_free(info->args_filter, (char *)obj);
}

static const MvProgramInfo *
find_program(guint32 prog, guint32 vers)
{
    /* (The QEMU program has no table yet: proc.h declares mv_qemu_program only.) */
    static const MvProgramInfo *const programs[] = { &mv_remote_program, &mv_admin_program };

    for (guint i = 0; i < G_N_ELEMENTS(programs); i++)
        if (programs[i]->program == prog && programs[i]->version == vers)
            return programs[i];
    return NULL;
}

static void
decode_frame(const guint8 *frame, gsize len)
{
    const guint8 *payload = frame + MV_MESSAGE_LEN_WORD + MV_MESSAGE_HEADER_SIZE;
    gsize plen = len - MV_MESSAGE_LEN_WORD - MV_MESSAGE_HEADER_SIZE;
    const MvProgramInfo *program;
    const MvProcInfo *info;
    MvMessageHeader hdr;

    mv_message_decode_header(frame + MV_MESSAGE_LEN_WORD, &hdr);
    if (hdr.status == MV_STATUS_ERROR &&
        (hdr.type == MV_MESSAGE_REPLY || hdr.type == MV_MESSAGE_REPLY_WITH_FDS ||
         hdr.type == MV_MESSAGE_STREAM)) {
        /* Any program's error reply or aborted stream: the remote error struct. */
        GError *err = mv_message_decode_error(payload, plen);

        g_clear_error(&err);
        decode_with((xdrproc_t)mv_wire_error_xdr, sizeof(MvWireError), payload, plen, NULL);
        return;
    }
    if (!(program = find_program(hdr.prog, hdr.vers)) ||
        !(info = mv_program_lookup_proc(program, hdr.proc)))
        return;     /* keepalive, unknown programs and procedures carry nothing to decode */
    switch (hdr.type) {
    case MV_MESSAGE_CALL:
    case MV_MESSAGE_CALL_WITH_FDS:
        if (info->kind != MV_PROC_KIND_EVENT)
            decode_with(info->args_filter, info->args_size, payload, plen, info);
        break;
    case MV_MESSAGE_REPLY:
    case MV_MESSAGE_REPLY_WITH_FDS:
        if (hdr.status == MV_STATUS_OK && info->kind != MV_PROC_KIND_EVENT)
            decode_with(info->ret_filter, info->ret_size, payload, plen, info);
        break;
    case MV_MESSAGE_MESSAGE:
        if (info->kind == MV_PROC_KIND_EVENT)
            decode_event(program, info, payload, plen);
        break;
    default:
        break;      /* STREAM data is opaque bytes */
    }
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    mv_fuzz_abort_on_criticals();
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gsize off = 0;

    while (size - off >= MV_MESSAGE_LEN_WORD) {
        guint32 len = 0;

        if (!mv_message_decode_length(data + off, &len, NULL) || len > size - off)
            break;      /* the server drops such a client */
        decode_frame(data + off, len);
        off += len;
    }
    return 0;
}
