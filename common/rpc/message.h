/* One RPC message: the length word, the six-word header and the XDR payload.
 * Encoding and decoding of frames, shared by the server, the client and tests. */
#pragma once

#include <glib.h>
#include <rpc/rpc.h>
#include <stdbool.h>

#include "util/error.h"

G_BEGIN_DECLS

#define MV_MESSAGE_LEN_WORD      4u
#define MV_MESSAGE_HEADER_SIZE   24u
/* The largest length word accepted (32 MiB + 4, as libvirt 9.0). */
#define MV_MESSAGE_MAX           (32u * 1024u * 1024u + 4u)
/* Largest stream data chunk we send (libvirt's legacy payload size). */
#define MV_MESSAGE_STREAM_CHUNK  262120u

typedef enum {
    MV_MESSAGE_CALL = 0,
    MV_MESSAGE_REPLY = 1,
    MV_MESSAGE_MESSAGE = 2,
    MV_MESSAGE_STREAM = 3,
    MV_MESSAGE_CALL_WITH_FDS = 4,
    MV_MESSAGE_REPLY_WITH_FDS = 5,
    MV_MESSAGE_STREAM_HOLE = 6,
} MvMessageType;

typedef enum {
    MV_STATUS_OK = 0,
    MV_STATUS_ERROR = 1,
    MV_STATUS_CONTINUE = 2,
} MvMessageStatus;

typedef struct {
    guint32 prog;
    guint32 vers;
    gint32 proc;
    gint32 type;
    guint32 serial;
    gint32 status;
} MvMessageHeader;

/* A whole frame in wire form: data[0..len) starts with the length word. */
typedef struct {
    MvMessageHeader hdr;
    guint8 *data;
    gsize len;          /* bytes of the frame (== the length word once complete) */
    gsize alloc;        /* bytes allocated in data */
    gsize done;         /* bytes already read or written */
} MvMessage;

/** mv_message_new: an empty message with @alloc bytes of buffer (min 64). */
MvMessage *mv_message_new(gsize alloc);
/** mv_message_free: frees @msg; NULL is fine. */
void mv_message_free(MvMessage *msg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvMessage, mv_message_free)

/**
 * mv_message_encode:
 * Builds a complete frame from @hdr and @payload encoded with @filter (xdr_void
 * or NULL for an empty payload). Returns NULL with MV_ERR_RPC set when the
 * payload cannot be encoded or the frame would exceed MV_MESSAGE_MAX.
 */
MvMessage *mv_message_encode(const MvMessageHeader *hdr, xdrproc_t filter,
                             const void *payload, GError **error);

/**
 * mv_message_encode_raw:
 * Builds a frame from @hdr and @len raw bytes (STREAM data).
 */
MvMessage *mv_message_encode_raw(const MvMessageHeader *hdr, const void *data,
                                 gsize len);

/**
 * mv_message_new_stream:
 * A STREAM frame for @hdr with room for @len payload bytes that the caller
 * fills in place through @ret_payload (a download reads the file straight
 * into the frame: no copy). Shrink it with mv_message_set_payload_len() when
 * fewer bytes came. @len is at most the largest payload a frame can carry.
 */
MvMessage *mv_message_new_stream(const MvMessageHeader *hdr, gsize len, guint8 **ret_payload);

/** mv_message_set_payload_len: sets the payload of @msg to its first @len bytes
 * (at most what it was built with), fixing the length word. */
void mv_message_set_payload_len(MvMessage *msg, gsize len);

/* The one flag value a STREAM_HOLE may carry (libvirt defines none). */
#define MV_MESSAGE_HOLE_FLAGS_NONE 0u

/**
 * mv_message_encode_hole:
 * A STREAM_HOLE frame (type 6, status CONTINUE) for the stream of @hdr
 * (prog, vers, proc, serial are copied) saying "@length bytes of zeros come
 * next": payload XDR hyper length + unsigned int flags (spec §1.3, §8).
 */
MvMessage *mv_message_encode_hole(const MvMessageHeader *hdr, gint64 length, guint32 flags);

/**
 * mv_message_decode_hole:
 * Reads a STREAM_HOLE payload. Returns false with MV_ERR_RPC when it is
 * shorter than 12 bytes, the length is negative or flags are set (libvirt
 * defines none; a peer that sets some means something we would ignore).
 */
bool mv_message_decode_hole(const guint8 *buf, gsize len, gint64 *ret_length,
                            GError **error);

/**
 * mv_message_encode_error:
 * A REPLY (or STREAM) with status ERROR for @hdr (prog/vers/proc/serial/type
 * are copied) carrying @err as a remote error: code, subsystem, message.
 */
MvMessage *mv_message_encode_error(const MvMessageHeader *hdr, const GError *err);

/**
 * mv_message_decode_length:
 * Reads the length word at @buf (4 bytes). Returns false with MV_ERR_RPC set
 * when it is outside (MV_MESSAGE_LEN_WORD + header, MV_MESSAGE_MAX].
 */
bool mv_message_decode_length(const guint8 *buf, guint32 *ret_len, GError **error);

/* Bytes of a frame before its payload: the length word and the header. */
#define MV_MESSAGE_PREFIX_SIZE 28

/**
 * mv_message_put_prefix:
 * Writes the length word and header of a frame with @hdr and @payload_len
 * bytes of payload into @buf (MV_MESSAGE_PREFIX_SIZE bytes), so the payload
 * can be sent from where it is (writev) instead of being copied into a frame.
 */
void mv_message_put_prefix(guint8 *buf, const MvMessageHeader *hdr, gsize payload_len);

/** mv_message_decode_header: reads the 24-byte header at @buf. */
void mv_message_decode_header(const guint8 *buf, MvMessageHeader *ret_hdr);

/**
 * mv_message_decode_payload:
 * Decodes @len bytes at @buf with @filter into @ret (zeroed by the caller).
 * Returns false with MV_ERR_RPC "Unable to decode message payload" on
 * failure; then @ret has been freed already. Trailing bytes are ignored.
 */
bool mv_message_decode_payload(const guint8 *buf, gsize len, xdrproc_t filter,
                               void *ret, GError **error);

/**
 * mv_message_decode_error:
 * Turns the remote error payload at @buf into a GError (MV_ERROR with the
 * wire code and subsystem). Always returns an error, an RPC one when the
 * payload itself is undecodable.
 */
GError *mv_message_decode_error(const guint8 *buf, gsize len);

/** mv_message_payload: pointer to the payload of a complete frame. */
static inline const guint8 *
mv_message_payload(const MvMessage *msg)
{
    return msg->data + MV_MESSAGE_LEN_WORD + MV_MESSAGE_HEADER_SIZE;
}

/** mv_message_payload_len: payload length of a complete frame. */
static inline gsize
mv_message_payload_len(const MvMessage *msg)
{
    return msg->len - MV_MESSAGE_LEN_WORD - MV_MESSAGE_HEADER_SIZE;
}

G_END_DECLS
