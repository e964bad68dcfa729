/* Frame encoding/decoding and the remote error payload. */
#include <string.h>

#include "rpc/message.h"
#include "rpc/proc.h"
#include "rpc/wire-error.h"

static void
test_encode_header(void)
{
    MvMessageHeader hdr = { MV_PROGRAM_REMOTE, 1, 60, MV_MESSAGE_CALL, 7, MV_STATUS_OK };
    int feature = 10;
    g_autoptr(MvMessage) msg = mv_message_encode(&hdr, (xdrproc_t)xdr_int, &feature, NULL);
    static const guint8 expected[] = {
        0x00, 0x00, 0x00, 0x20, 0x20, 0x00, 0x80, 0x86, 0x00, 0x00, 0x00, 0x01,
        0x00, 0x00, 0x00, 0x3c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a,
    };
    MvMessageHeader back;
    guint32 len;

    g_assert_nonnull(msg);
    g_assert_cmpmem(msg->data, msg->len, expected, sizeof(expected));
    g_assert_true(mv_message_decode_length(msg->data, &len, NULL));
    g_assert_cmpuint(len, ==, 32);
    mv_message_decode_header(msg->data + 4, &back);
    g_assert_cmpmem(&back, sizeof(back), &hdr, sizeof(hdr));
}

static void
test_length_limits(void)
{
    guint8 buf[4];
    g_autoptr(GError) err = NULL;
    guint32 len;

    /* 33 554 436 is the largest length libvirt accepts; one more is refused. */
    buf[0] = 0x02; buf[1] = 0x00; buf[2] = 0x00; buf[3] = 0x04;
    g_assert_true(mv_message_decode_length(buf, &len, NULL));
    buf[3] = 0x05;
    g_assert_false(mv_message_decode_length(buf, &len, &err));
    g_assert_true(g_error_matches(err, MV_ERROR, MV_ERR_RPC));
    g_clear_error(&err);
    memset(buf, 0, 4);
    buf[3] = 27;
    g_assert_false(mv_message_decode_length(buf, &len, &err));
}

/* The missing-domain error captured from libvirtd 9.0 (wire facts §2.4). */
static void
test_error_roundtrip(void)
{
    MvMessageHeader hdr = { MV_PROGRAM_REMOTE, 1, 23, MV_MESSAGE_CALL, 3, MV_STATUS_OK };
    g_autoptr(GError) err = NULL;
    g_autoptr(GError) back = NULL;
    g_autoptr(MvMessage) msg = NULL;
    MvMessageHeader rhdr;

    mv_error_set(&err, MV_FROM_QEMU, MV_ERR_NO_DOMAIN,
                 "Domain not found: no domain with matching name 'x'");
    msg = mv_message_encode_error(&hdr, err);
    mv_message_decode_header(msg->data + 4, &rhdr);
    g_assert_cmpint(rhdr.type, ==, MV_MESSAGE_REPLY);
    g_assert_cmpint(rhdr.status, ==, MV_STATUS_ERROR);
    g_assert_cmpuint(rhdr.serial, ==, 3);
    back = mv_message_decode_error(mv_message_payload(msg), mv_message_payload_len(msg));
    g_assert_true(g_error_matches(back, MV_ERROR, MV_ERR_NO_DOMAIN));
    g_assert_cmpint(mv_error_get_subsystem(back), ==, MV_FROM_QEMU);
    g_assert_cmpstr(back->message, ==, err->message);
}

static void
test_error_decode_captured(void)
{
    /* code 42, domain 10, message, level 2, dom NULL, str1, str2, str3 NULL, -1, -1, net NULL */
    const char *msg = "Domain not found: no domain with matching name 'wire-nonexist'";
    const char *str1 = "Domain not found: %s";
    const char *str2 = "no domain with matching name 'wire-nonexist'";
    GByteArray *b = g_byte_array_new();
    g_autoptr(GError) err = NULL;
    guint8 zero[4] = { 0 };

#define PUT32(v)                                                                                   \
    do {                                                                                           \
        guint32 be_ = GUINT32_TO_BE(v);                                                            \
        g_byte_array_append(b, (guint8 *)&be_, 4);                                                 \
    } while (0)
#define PUTSTR(s)                                                                                  \
    do {                                                                                           \
        PUT32(1);                                                                                  \
        PUT32(strlen(s));                                                                          \
        g_byte_array_append(b, (guint8 *)(s), strlen(s));                                          \
        g_byte_array_append(b, zero, (4 - strlen(s) % 4) % 4);                                     \
    } while (0)
    PUT32(42); PUT32(10); PUTSTR(msg); PUT32(2); PUT32(0); PUTSTR(str1); PUTSTR(str2);
    PUT32(0); PUT32(0xffffffff); PUT32(0xffffffff); PUT32(0);
    err = mv_message_decode_error(b->data, b->len);
    g_assert_true(g_error_matches(err, MV_ERROR, MV_ERR_NO_DOMAIN));
    g_assert_cmpint(mv_error_get_subsystem(err), ==, MV_FROM_QEMU);
    g_assert_cmpstr(err->message, ==, msg);
    g_clear_error(&err);

    /* Truncated: an RPC error, never a crash. */
    err = mv_message_decode_error(b->data, b->len - 8);
    g_assert_true(g_error_matches(err, MV_ERROR, MV_ERR_RPC));
    g_byte_array_unref(b);
}

static void
test_decode_short_payload(void)
{
    guint8 two[2] = { 0, 1 };
    g_autoptr(GError) err = NULL;
    int value = 0;

    g_assert_false(mv_message_decode_payload(two, sizeof(two), (xdrproc_t)xdr_int, &value, &err));
    g_assert_cmpstr(err->message, ==, "Unable to decode message payload");
}

static void
test_raw_stream_frame(void)
{
    MvMessageHeader hdr = { MV_PROGRAM_REMOTE, 1, 201, MV_MESSAGE_STREAM, 8, MV_STATUS_CONTINUE };
    g_autoptr(MvMessage) msg = mv_message_encode_raw(&hdr, "hello\r", 6);

    g_assert_cmpuint(msg->len, ==, 34);
    g_assert_cmpuint(mv_message_payload_len(msg), ==, 6);
    g_assert_cmpmem(mv_message_payload(msg), 6, "hello\r", 6);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rpc/message/encode-header", test_encode_header);
    g_test_add_func("/rpc/message/length-limits", test_length_limits);
    g_test_add_func("/rpc/message/error-roundtrip", test_error_roundtrip);
    g_test_add_func("/rpc/message/error-decode-captured", test_error_decode_captured);
    g_test_add_func("/rpc/message/decode-short", test_decode_short_payload);
    g_test_add_func("/rpc/message/raw-stream", test_raw_stream_frame);
    return g_test_run();
}
