/* Sparse streams at the RPC level: the STREAM_HOLE frame (type 6, status
 * CONTINUE, XDR hyper length + unsigned int flags) byte for byte and its
 * checks; a server delivers holes in order with the data to the stream they
 * belong to; a stream consumer that holds the client's input stops the
 * server from reading (the peer's socket fills) until it releases it; the
 * RPC client's drain watch fires once its output queue is empty. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "rpc/client.h"
#include "rpc/server-priv.h"

#define TEST_PROGRAM 0x7e570003u
#define CHUNK        (64u * 1024u)

enum { PROC_UPLOAD = 1, PROC_LAST };

static const MvProcInfo test_procs[PROC_LAST] = {
    [PROC_UPLOAD] = { PROC_UPLOAD, "UPLOAD", "testUpload", (xdrproc_t)xdr_void, 0,
                      (xdrproc_t)xdr_void, 0, MV_ROUTE_ANY, true, MV_PRIORITY_LOW },
};

static const MvProgramInfo test_program = {
    TEST_PROGRAM, 1, "TEST", test_procs, PROC_LAST,
};

/* What the stream consumer saw, in order: 'D' data, 'H' hole, 'O' finish. */
typedef struct {
    GMutex lock;
    GString *log;
    guint64 data_bytes;
    guint64 hole_bytes;
    guint packets;
    bool hold_first;        /* take an input hold on the first data packet */
    bool held;
    MvServerClient *client;
    MvMessageHeader hdr;
} Consumer;

static Consumer consumer;

static void
on_packet(MvServerClient *client, const MvMessageHeader *hdr, const guint8 *data, gsize len,
          gpointer stream_data)
{
    Consumer *c = stream_data;
    gint64 hole;

    g_mutex_lock(&c->lock);
    c->packets++;
    if (hdr->type == MV_MESSAGE_STREAM_HOLE) {
        g_assert_true(mv_message_decode_hole(data, len, &hole, NULL));
        g_string_append_c(c->log, 'H');
        c->hole_bytes += (guint64)hole;
    } else if (hdr->status == MV_STATUS_CONTINUE) {
        g_string_append_c(c->log, 'D');
        c->data_bytes += len;
        if (c->hold_first && !c->held) {
            c->held = true;
            mv_server_client_hold_input(client);
        }
    } else {
        g_string_append_c(c->log, 'O');
        mv_server_client_send(client, mv_message_encode_raw(&c->hdr, NULL, 0));
    }
    g_mutex_unlock(&c->lock);
}

static bool
upload(MvServerCall *call, const void *args, void *ret, GError **error)
{
    MvServerClient *client = mv_server_call_get_client(call);

    g_mutex_lock(&consumer.lock);
    consumer.client = client;
    consumer.hdr = *mv_server_call_get_header(call);
    consumer.hdr.type = MV_MESSAGE_STREAM;
    consumer.hdr.status = MV_STATUS_OK;
    g_mutex_unlock(&consumer.lock);
    mv_server_client_add_stream(client, PROC_UPLOAD, consumer.hdr.serial, on_packet, &consumer);
    return true;
}

static const MvDispatchFunc test_handlers[PROC_LAST] = {
    [PROC_UPLOAD] = upload,
};

typedef struct {
    char *dir;
    char *path;
    MvServer *server;
} Fixture;

static void
fixture_setup(Fixture *f, gconstpointer data)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    MvServerConfig config;

    g_mutex_init(&consumer.lock);
    consumer.log = g_string_new(NULL);
    consumer.data_bytes = consumer.hole_bytes = 0;
    consumer.packets = 0;
    consumer.hold_first = consumer.held = false;
    mv_server_config_init_defaults(&config);
    config.keepalive_interval = -1;
    f->dir = g_dir_make_tmp("mv-rpchole-XXXXXX", NULL);
    f->path = g_build_filename(f->dir, "rw.sock", NULL);
    g_strlcpy(addr.sun_path, f->path, sizeof(addr.sun_path));
    g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(listen(fd, 16), ==, 0);
    f->server = mv_server_new(&config, 0, NULL, NULL);
    mv_server_add_program(f->server, &test_program, test_handlers, PROC_LAST);
    mv_server_add_listener(f->server, fd, false);
    g_assert_true(mv_server_start(f->server, NULL));
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
    mv_server_free(f->server);
    g_string_free(consumer.log, TRUE);
    g_mutex_clear(&consumer.lock);
    unlink(f->path);
    rmdir(f->dir);
    g_free(f->path);
    g_free(f->dir);
}

static int
raw_connect(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct timeval tv = { .tv_sec = 20 };

    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    g_assert_cmpint(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

static void
send_msg(int fd, MvMessage *msg)
{
    g_assert_nonnull(msg);
    g_assert_cmpint(send(fd, msg->data, msg->len, MSG_NOSIGNAL), ==, (ssize_t)msg->len);
    mv_message_free(msg);
}

static MvMessage *
read_frame(int fd)
{
    guint8 word[4];
    guint32 len;
    MvMessage *msg;

    g_assert_cmpint(recv(fd, word, 4, MSG_WAITALL), ==, 4);
    g_assert_true(mv_message_decode_length(word, &len, NULL));
    msg = mv_message_new(len);
    memcpy(msg->data, word, 4);
    g_assert_cmpint(recv(fd, msg->data + 4, len - 4, MSG_WAITALL), ==, (ssize_t)(len - 4));
    msg->len = len;
    mv_message_decode_header(msg->data + 4, &msg->hdr);
    return msg;
}

/* Opens the test stream: CALL, then the OK REPLY. */
static MvMessageHeader
open_stream(int fd, guint32 serial)
{
    MvMessageHeader hdr = { TEST_PROGRAM, 1, PROC_UPLOAD, MV_MESSAGE_CALL, serial, MV_STATUS_OK };
    g_autoptr(MvMessage) reply = NULL;

    send_msg(fd, mv_message_encode(&hdr, NULL, NULL, NULL));
    reply = read_frame(fd);
    g_assert_cmpint(reply->hdr.type, ==, MV_MESSAGE_REPLY);
    g_assert_cmpint(reply->hdr.status, ==, MV_STATUS_OK);
    hdr.type = MV_MESSAGE_STREAM;
    hdr.status = MV_STATUS_CONTINUE;
    return hdr;
}

/* A 4 GiB hole on volume download 209, serial 9: every byte as libvirt's
 * xdr_virNetStreamHole lays it out (hyper, then unsigned int). */
static void
test_encode_golden(void)
{
    MvMessageHeader hdr = { MV_PROGRAM_REMOTE, 1, 209, MV_MESSAGE_STREAM, 9, MV_STATUS_OK };
    g_autoptr(MvMessage) msg = mv_message_encode_hole(&hdr, G_GINT64_CONSTANT(0x100000000),
                                                      MV_MESSAGE_HOLE_FLAGS_NONE);
    static const guint8 expected[] = {
        0x00, 0x00, 0x00, 0x28,                         /* 4 + 24 + 12 */
        0x20, 0x00, 0x80, 0x86, 0x00, 0x00, 0x00, 0x01, /* REMOTE, version 1 */
        0x00, 0x00, 0x00, 0xd1, 0x00, 0x00, 0x00, 0x06, /* proc 209, STREAM_HOLE */
        0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x02, /* serial 9, CONTINUE */
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, /* length */
        0x00, 0x00, 0x00, 0x00,                         /* flags */
    };
    gint64 length = 0;

    g_assert_cmpmem(msg->data, msg->len, expected, sizeof(expected));
    g_assert_true(mv_message_decode_hole(mv_message_payload(msg), mv_message_payload_len(msg),
                                         &length, NULL));
    g_assert_cmpint(length, ==, G_GINT64_CONSTANT(0x100000000));
}

static void
test_decode_rejects(void)
{
    static const guint8 negative[12] = { 0x80, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0 };
    static const guint8 flagged[12] = { 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 1 };
    static const guint8 zero[12] = { 0 };
    g_autoptr(GError) err = NULL;
    gint64 length = 77;

    g_assert_false(mv_message_decode_hole(zero, 11, &length, &err));
    g_assert_true(g_error_matches(err, MV_ERROR, MV_ERR_RPC));
    g_clear_error(&err);
    g_assert_false(mv_message_decode_hole(negative, 12, &length, &err));
    g_assert_nonnull(strstr(err->message, "negative"));
    g_clear_error(&err);
    g_assert_false(mv_message_decode_hole(flagged, 12, &length, &err));
    g_assert_nonnull(strstr(err->message, "flags"));
    g_assert_cmpint(length, ==, 77);    /* untouched on failure */
    g_assert_true(mv_message_decode_hole(zero, 12, &length, NULL));
    g_assert_cmpint(length, ==, 0);
}

static void
test_server_delivers_holes(Fixture *f, gconstpointer data)
{
    int fd = raw_connect(f->path);
    MvMessageHeader hdr = open_stream(fd, 3);
    g_autofree guint8 *bytes = g_malloc0(CHUNK);
    g_autoptr(MvMessage) ack = NULL;

    send_msg(fd, mv_message_encode_raw(&hdr, bytes, CHUNK));
    send_msg(fd, mv_message_encode_hole(&hdr, 1 << 30, 0));
    send_msg(fd, mv_message_encode_raw(&hdr, bytes, 100));
    send_msg(fd, mv_message_encode_hole(&hdr, 12345, 0));
    hdr.status = MV_STATUS_OK;
    send_msg(fd, mv_message_encode_raw(&hdr, NULL, 0));
    ack = read_frame(fd);
    g_assert_cmpint(ack->hdr.status, ==, MV_STATUS_OK);
    g_mutex_lock(&consumer.lock);
    g_assert_cmpstr(consumer.log->str, ==, "DHDHO");
    g_assert_cmpuint(consumer.data_bytes, ==, CHUNK + 100);
    g_assert_cmpuint(consumer.hole_bytes, ==, (1u << 30) + 12345u);
    g_mutex_unlock(&consumer.lock);
    close(fd);
}

/* Writes stream packets without blocking until the socket takes no more;
 * returns how many went out or started to; the rest of one that went out in
 * part is kept in *@rest (sent after the release: it would block now). */
static guint
fill_socket(int fd, const MvMessageHeader *hdr, guint max, GBytes **rest)
{
    g_autofree guint8 *bytes = g_malloc0(CHUNK);
    guint sent = 0;

    while (sent < max && !*rest) {
        g_autoptr(MvMessage) msg = mv_message_encode_raw(hdr, bytes, CHUNK);
        ssize_t n = send(fd, msg->data, msg->len, MSG_NOSIGNAL | MSG_DONTWAIT);

        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        g_assert_cmpint(n, >, 0);
        if ((gsize)n < msg->len)
            *rest = g_bytes_new(msg->data + n, msg->len - n);
        sent++;
    }
    return sent;
}

/* While the consumer holds the input, the server reads nothing more: the
 * peer's writes stop with EAGAIN long before 256 MiB, and the consumer saw
 * one packet. After the release every packet arrives. */
static void
test_hold_input(Fixture *f, gconstpointer data)
{
    int fd = raw_connect(f->path);
    MvMessageHeader hdr = open_stream(fd, 4);
    guint max = (256u * 1024u * 1024u) / CHUNK;
    guint sent;
    g_autoptr(MvMessage) ack = NULL;
    bool held = false;
    g_autoptr(GBytes) rest = NULL;

    consumer.hold_first = true;
    /* One packet, and the consumer takes its hold; then fill the socket. */
    sent = fill_socket(fd, &hdr, 1, &rest);
    g_assert_null(rest);
    for (int i = 0; i < 2000 && !held; i++) {
        g_mutex_lock(&consumer.lock);
        held = consumer.held;
        g_mutex_unlock(&consumer.lock);
        if (!held)
            g_usleep(10000);
    }
    sent += fill_socket(fd, &hdr, max - 1, &rest);
    g_assert_cmpuint(sent, <, max);
    g_mutex_lock(&consumer.lock);
    g_assert_true(consumer.held);
    g_assert_cmpuint(consumer.packets, ==, 1);
    g_mutex_unlock(&consumer.lock);

    mv_server_client_release_input(consumer.client);
    if (rest)
        g_assert_cmpint(send(fd, g_bytes_get_data(rest, NULL), g_bytes_get_size(rest),
                             MSG_NOSIGNAL), ==, (ssize_t)g_bytes_get_size(rest));
    hdr.status = MV_STATUS_OK;
    send_msg(fd, mv_message_encode_raw(&hdr, NULL, 0));
    ack = read_frame(fd);
    g_assert_cmpint(ack->hdr.status, ==, MV_STATUS_OK);
    g_mutex_lock(&consumer.lock);
    g_assert_cmpuint(consumer.packets, ==, sent + 1);
    g_assert_cmpuint(consumer.data_bytes, ==, (guint64)sent * CHUNK);
    g_mutex_unlock(&consumer.lock);
    close(fd);
}

typedef struct {
    GMutex lock;
    GCond cond;
    guint fired;
} Watch;

static void
on_drained(gpointer data, gpointer rpc)
{
    Watch *w = data;

    g_mutex_lock(&w->lock);
    w->fired++;
    g_cond_signal(&w->cond);
    g_mutex_unlock(&w->lock);
}

/* The RPC client's drain watch: at once on an empty queue; after the peer
 * read everything on a full one, never before. */
static void
test_client_drain_watch(void)
{
    int sv[2];
    MvRpcClient *rpc;
    MvMessageHeader hdr = { TEST_PROGRAM, 1, 1, MV_MESSAGE_STREAM, 1, MV_STATUS_CONTINUE };
    g_autofree guint8 *bytes = g_malloc0(CHUNK);
    g_autofree guint8 *sink = g_malloc(1u << 20);
    Watch w = { 0 };
    gint64 deadline;
    int i;

    g_mutex_init(&w.lock);
    g_cond_init(&w.cond);
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    rpc = mv_rpc_client_new_fd(sv[0], NULL);
    g_assert_nonnull(rpc);

    mv_rpc_client_add_drain_watch(rpc, on_drained, &w);
    g_assert_cmpuint(w.fired, ==, 1);

    /* The peer does not read: the queue grows past what the socket holds. */
    for (i = 0; i < 1000 && mv_rpc_client_get_queued_bytes(rpc) == 0; i++)
        g_assert_true(mv_rpc_client_queue_message(rpc, mv_message_encode_raw(&hdr, bytes,
                                                                             CHUNK), NULL));
    g_assert_cmpuint(mv_rpc_client_get_queued_bytes(rpc), >, 0);
    mv_rpc_client_add_drain_watch(rpc, on_drained, &w);
    g_mutex_lock(&w.lock);
    g_assert_cmpuint(w.fired, ==, 1);
    g_mutex_unlock(&w.lock);

    /* Read everything that was queued: the watch fires, on the writer's thread. */
    deadline = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
    g_mutex_lock(&w.lock);
    while (w.fired < 2 && g_get_monotonic_time() < deadline) {
        g_mutex_unlock(&w.lock);
        (void)recv(sv[1], sink, 1u << 20, MSG_DONTWAIT);
        g_mutex_lock(&w.lock);
        g_cond_wait_until(&w.cond, &w.lock, g_get_monotonic_time() + 1000);
    }
    g_assert_cmpuint(w.fired, ==, 2);
    g_mutex_unlock(&w.lock);
    g_assert_cmpuint(mv_rpc_client_get_queued_bytes(rpc), ==, 0);
    mv_rpc_client_free(rpc);
    close(sv[1]);
    g_mutex_clear(&w.lock);
    g_cond_clear(&w.cond);
}

#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rpc/hole/encode-golden", test_encode_golden);
    g_test_add_func("/rpc/hole/decode-rejects", test_decode_rejects);
    ADD("/rpc/hole/server-delivers", test_server_delivers_holes);
    ADD("/rpc/hole/hold-input", test_hold_input);
    g_test_add_func("/rpc/hole/client-drain-watch", test_client_drain_watch);
    return g_test_run();
}
