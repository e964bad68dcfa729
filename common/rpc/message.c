/* Frame encoding and decoding: length word + six-word header + XDR payload. */
#include "rpc/message.h"

#include <string.h>

#include "rpc/wire-error.h"

#define MV_MESSAGE_MIN_ALLOC 64u
#define MV_MESSAGE_FIRST_ALLOC 4096u

MvMessage *
mv_message_new(gsize alloc)
{
    MvMessage *msg = g_new0(MvMessage, 1);

    msg->alloc = MAX(alloc, MV_MESSAGE_MIN_ALLOC);
    msg->data = g_malloc(msg->alloc);
    return msg;
}

void
mv_message_free(MvMessage *msg)
{
    if (!msg)
        return;
    g_free(msg->data);
    g_free(msg);
}

static void
put_u32(guint8 *p, guint32 v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

static guint32
get_u32(const guint8 *p)
{
    return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) | ((guint32)p[2] << 8) | p[3];
}

static void
put_header(guint8 *p, const MvMessageHeader *hdr)
{
    put_u32(p, hdr->prog);
    put_u32(p + 4, hdr->vers);
    put_u32(p + 8, (guint32)hdr->proc);
    put_u32(p + 12, (guint32)hdr->type);
    put_u32(p + 16, hdr->serial);
    put_u32(p + 20, (guint32)hdr->status);
}

void
mv_message_put_prefix(guint8 *buf, const MvMessageHeader *hdr, gsize payload_len)
{
    G_STATIC_ASSERT(MV_MESSAGE_PREFIX_SIZE == MV_MESSAGE_LEN_WORD + MV_MESSAGE_HEADER_SIZE);
    put_u32(buf, (guint32)(MV_MESSAGE_PREFIX_SIZE + payload_len));
    put_header(buf + MV_MESSAGE_LEN_WORD, hdr);
}

void
mv_message_decode_header(const guint8 *buf, MvMessageHeader *ret_hdr)
{
    ret_hdr->prog = get_u32(buf);
    ret_hdr->vers = get_u32(buf + 4);
    ret_hdr->proc = (gint32)get_u32(buf + 8);
    ret_hdr->type = (gint32)get_u32(buf + 12);
    ret_hdr->serial = get_u32(buf + 16);
    ret_hdr->status = (gint32)get_u32(buf + 20);
}

bool
mv_message_decode_length(const guint8 *buf, guint32 *ret_len, GError **error)
{
    guint32 len = get_u32(buf);

    if (len < MV_MESSAGE_LEN_WORD + MV_MESSAGE_HEADER_SIZE)
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC,
                            "packet %u bytes received from client too small", len);
    if (len > MV_MESSAGE_MAX)
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC,
                            "packet %u bytes received from client too large (max %u)",
                            len, MV_MESSAGE_MAX);
    *ret_len = len;
    return true;
}

/* Encodes the payload into a buffer of @alloc bytes; false when it did not fit. */
static bool
encode_into(MvMessage *msg, const MvMessageHeader *hdr, xdrproc_t filter,
            const void *payload, bool *ret_fatal)
{
    XDR xdr;
    guint pos;

    *ret_fatal = false;
    put_header(msg->data + MV_MESSAGE_LEN_WORD, hdr);
    xdrmem_create(&xdr, (char *)msg->data + MV_MESSAGE_LEN_WORD + MV_MESSAGE_HEADER_SIZE,
                  msg->alloc - MV_MESSAGE_LEN_WORD - MV_MESSAGE_HEADER_SIZE, XDR_ENCODE);
    if (filter && !filter(&xdr, (void *)payload, 0)) {
        xdr_destroy(&xdr);
        return false;
    }
    pos = xdr_getpos(&xdr);
    xdr_destroy(&xdr);
    msg->len = MV_MESSAGE_LEN_WORD + MV_MESSAGE_HEADER_SIZE + pos;
    put_u32(msg->data, (guint32)msg->len);
    return true;
}

MvMessage *
mv_message_encode(const MvMessageHeader *hdr, xdrproc_t filter, const void *payload,
                  GError **error)
{
    g_autoptr(MvMessage) msg = NULL;
    gsize alloc = filter ? MV_MESSAGE_FIRST_ALLOC : MV_MESSAGE_MIN_ALLOC;
    bool fatal;

    if (filter == (xdrproc_t)xdr_void)
        filter = NULL;
    msg = mv_message_new(alloc);
    if (!encode_into(msg, hdr, filter, payload, &fatal)) {
        /* Too big for the first guess: size it exactly (one more pass) and retry once. */
        gsize need = MV_MESSAGE_LEN_WORD + MV_MESSAGE_HEADER_SIZE +
                     xdr_sizeof(filter, (void *)payload);
        g_clear_pointer(&msg, mv_message_free);
        if (need > MV_MESSAGE_MAX) {
            mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC,
                         "Unable to encode message payload: %zu bytes is more than the "
                         "limit of %u", need, MV_MESSAGE_MAX);
            return NULL;
        }
        msg = mv_message_new(need);
        if (!encode_into(msg, hdr, filter, payload, &fatal)) {
            mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC,
                         "Unable to encode message payload (invalid data)");
            return NULL;
        }
    } else if (msg->alloc > msg->len) {
        /* Messages may wait in a queue: hold what the frame needs, not the first guess. */
        msg->data = g_realloc(msg->data, msg->len);
        msg->alloc = msg->len;
    }
    msg->hdr = *hdr;
    return g_steal_pointer(&msg);
}

MvMessage *
mv_message_encode_raw(const MvMessageHeader *hdr, const void *data, gsize len)
{
    MvMessage *msg;

    g_return_val_if_fail(len <= MV_MESSAGE_MAX - MV_MESSAGE_LEN_WORD - MV_MESSAGE_HEADER_SIZE,
                         NULL);
    msg = mv_message_new(MV_MESSAGE_LEN_WORD + MV_MESSAGE_HEADER_SIZE + len);
    put_header(msg->data + MV_MESSAGE_LEN_WORD, hdr);
    if (len)
        memcpy(msg->data + MV_MESSAGE_LEN_WORD + MV_MESSAGE_HEADER_SIZE, data, len);
    msg->len = MV_MESSAGE_LEN_WORD + MV_MESSAGE_HEADER_SIZE + len;
    put_u32(msg->data, (guint32)msg->len);
    msg->hdr = *hdr;
    return msg;
}

MvMessage *
mv_message_new_stream(const MvMessageHeader *hdr, gsize len, guint8 **ret_payload)
{
    MvMessage *msg;

    g_return_val_if_fail(len <= MV_MESSAGE_MAX - MV_MESSAGE_LEN_WORD - MV_MESSAGE_HEADER_SIZE,
                         NULL);
    msg = mv_message_new(MV_MESSAGE_LEN_WORD + MV_MESSAGE_HEADER_SIZE + len);
    put_header(msg->data + MV_MESSAGE_LEN_WORD, hdr);
    msg->len = MV_MESSAGE_LEN_WORD + MV_MESSAGE_HEADER_SIZE + len;
    put_u32(msg->data, (guint32)msg->len);
    msg->hdr = *hdr;
    *ret_payload = msg->data + MV_MESSAGE_LEN_WORD + MV_MESSAGE_HEADER_SIZE;
    return msg;
}

void
mv_message_set_payload_len(MvMessage *msg, gsize len)
{
    g_return_if_fail(MV_MESSAGE_LEN_WORD + MV_MESSAGE_HEADER_SIZE + len <= msg->alloc);
    msg->len = MV_MESSAGE_LEN_WORD + MV_MESSAGE_HEADER_SIZE + len;
    put_u32(msg->data, (guint32)msg->len);
}

/* XDR hyper length + unsigned int flags */
#define HOLE_PAYLOAD 12u

MvMessage *
mv_message_encode_hole(const MvMessageHeader *hdr, gint64 length, guint32 flags)
{
    MvMessageHeader hhdr = *hdr;
    guint8 payload[HOLE_PAYLOAD];

    hhdr.type = MV_MESSAGE_STREAM_HOLE;
    hhdr.status = MV_STATUS_CONTINUE;
    put_u32(payload, (guint32)((guint64)length >> 32));
    put_u32(payload + 4, (guint32)length);
    put_u32(payload + 8, flags);
    return mv_message_encode_raw(&hhdr, payload, sizeof(payload));
}

bool
mv_message_decode_hole(const guint8 *buf, gsize len, gint64 *ret_length, GError **error)
{
    gint64 length;
    guint32 flags;

    if (len < HOLE_PAYLOAD)
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC,
                            "Malformed stream hole packet: %zu bytes of payload, 12 expected",
                            len);
    length = (gint64)(((guint64)get_u32(buf) << 32) | get_u32(buf + 4));
    flags = get_u32(buf + 8);
    if (length < 0)
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC,
                            "Malformed stream hole packet: negative length %" G_GINT64_FORMAT,
                            length);
    if (flags != MV_MESSAGE_HOLE_FLAGS_NONE)
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC,
                            "Malformed stream hole packet: unsupported flags 0x%x", flags);
    *ret_length = length;
    return true;
}

MvMessage *
mv_message_encode_error(const MvMessageHeader *hdr, const GError *err)
{
    MvMessageHeader rhdr = *hdr;
    MvWireError wire = {
        .code = mv_error_get_code(err),
        .domain = mv_error_get_subsystem(err),
        .message = err->message,
        .level = MV_ERR_LEVEL_ERROR,
        .int1 = -1,
        .int2 = -1,
    };
    MvMessage *msg;

    if (rhdr.type == MV_MESSAGE_CALL || rhdr.type == MV_MESSAGE_CALL_WITH_FDS)
        rhdr.type = MV_MESSAGE_REPLY;
    rhdr.status = MV_STATUS_ERROR;
    msg = mv_message_encode(&rhdr, (xdrproc_t)mv_wire_error_xdr, &wire, NULL);
    if (!msg) {
        /* The message itself was unencodable (absurdly long): send it without text. */
        wire.message = NULL;
        msg = mv_message_encode(&rhdr, (xdrproc_t)mv_wire_error_xdr, &wire, NULL);
    }
    return msg;
}

bool
mv_message_decode_payload(const guint8 *buf, gsize len, xdrproc_t filter, void *ret,
                          GError **error)
{
    XDR xdr;
    bool ok;

    if (!filter || filter == (xdrproc_t)xdr_void)
        return true;
    xdrmem_create(&xdr, (char *)buf, len, XDR_DECODE);
    ok = filter(&xdr, ret, 0);
    xdr_destroy(&xdr);
    if (!ok) {
        xdr_free(filter, ret);
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC, "Unable to decode message payload");
    }
    return true;
}

GError *
mv_message_decode_error(const guint8 *buf, gsize len)
{
    MvWireError wire = { 0 };
    GError *err = NULL;

    if (!mv_message_decode_payload(buf, len, (xdrproc_t)mv_wire_error_xdr, &wire, &err))
        return err;
    err = NULL;
    mv_error_set(&err, (MvErrorSubsystem)wire.domain, (MvErrorCode)wire.code, "%s",
                 wire.message ? wire.message : "unknown error");
    xdr_free((xdrproc_t)mv_wire_error_xdr, (char *)&wire);
    return err;
}
