/* The server's per-client bounds, over a real UNIX socket with a raw peer:
 * a reply over the frame cap becomes an error reply (never an oversized
 * frame), reply buffers hold what they carry, a client that never reads has
 * its queue bounded (reading pauses), its events overflow into a disconnect,
 * and a stream producer is held back by the drain watch. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "rpc/server-priv.h"

#define TEST_PROGRAM 0x7e570002u
#define QUEUE_LIMIT  (64u * 1024u)
#define EVENT_SIZE   1024u
#define NEVENTS      4000
#define STREAM_CHUNK (16u * 1024u)
#define STREAM_TOTAL (8u * 1024u * 1024u)

enum { PROC_BLOB = 1, PROC_ECHO = 2, PROC_FLOOD = 3, PROC_STREAM = 4, PROC_LAST };

typedef struct {
    u_int len;
    char *data;
} Blob;

static bool_t
xdr_blob(XDR *xdr, Blob *b, ...)
{
    return xdr_bytes(xdr, &b->data, &b->len, ~0u);
}

static const MvProcInfo test_procs[PROC_LAST] = {
    [PROC_BLOB] = { PROC_BLOB, "BLOB", "testBlob", (xdrproc_t)xdr_u_int, sizeof(u_int),
                    (xdrproc_t)xdr_blob, sizeof(Blob), MV_ROUTE_ANY, true, MV_PRIORITY_LOW },
    [PROC_ECHO] = { PROC_ECHO, "ECHO", "testEcho", (xdrproc_t)xdr_int, sizeof(int),
                    (xdrproc_t)xdr_int, sizeof(int), MV_ROUTE_ANY, true, MV_PRIORITY_INLINE },
    [PROC_FLOOD] = { PROC_FLOOD, "FLOOD", "testFlood", (xdrproc_t)xdr_void, 0,
                     (xdrproc_t)xdr_void, 0, MV_ROUTE_ANY, true, MV_PRIORITY_LOW },
    [PROC_STREAM] = { PROC_STREAM, "STREAM", "testStream", (xdrproc_t)xdr_void, 0,
                      (xdrproc_t)xdr_void, 0, MV_ROUTE_ANY, true, MV_PRIORITY_LOW },
};

static const MvProgramInfo test_program = {
    TEST_PROGRAM, 1, "TEST", test_procs, PROC_LAST,
};

/* A reply whose payload is @args bytes long (an XDR opaque: 4 + padded). */
static bool
blob(MvServerCall *call, const void *args, void *ret, GError **error)
{
    Blob *b = ret;

    b->len = *(const u_int *)args;
    b->data = g_malloc0(b->len);
    return true;
}

static bool
echo(MvServerCall *call, const void *args, void *ret, GError **error)
{
    *(int *)ret = *(const int *)args;
    return true;
}

static gint flood_refused;
static gint flood_done;

/* NEVENTS events of EVENT_SIZE bytes to a caller that does not read them. */
static bool
flood(MvServerCall *call, const void *args, void *ret, GError **error)
{
    MvMessageHeader hdr = { TEST_PROGRAM, 1, 99, MV_MESSAGE_MESSAGE, 0, MV_STATUS_OK };
    g_autofree guint8 *body = g_malloc0(EVENT_SIZE);

    for (int i = 0; i < NEVENTS; i++) {
        if (!mv_server_client_send(mv_server_call_get_client(call),
                                   mv_message_encode_raw(&hdr, body, EVENT_SIZE)))
            g_atomic_int_inc(&flood_refused);
    }
    g_atomic_int_set(&flood_done, 1);
    return true;
}

/* A producer of STREAM data the way a console relay is written: send while
 * the client is not congested, then wait for a drain watch. */
typedef struct {
    MvServerClient *client;
    MvMessageHeader hdr;
    gint chunks;            /* chunks sent (atomic: the test reads it on its own thread) */
    gsize max_queued;       /* the most queued bytes seen right after a send */
} Producer;

static Producer *producer;

static void
produce(gpointer data, gpointer unused)
{
    Producer *p = data;
    g_autofree guint8 *chunk = g_malloc0(STREAM_CHUNK);

    while ((gsize)g_atomic_int_get(&p->chunks) < STREAM_TOTAL / STREAM_CHUNK) {
        if (mv_server_client_is_congested(p->client)) {
            mv_server_client_add_drain_watch(p->client, produce, p, NULL);
            return;
        }
        mv_server_client_send(p->client, mv_message_encode_raw(&p->hdr, chunk, STREAM_CHUNK));
        p->max_queued = MAX(p->max_queued, mv_server_client_get_queued_bytes(p->client));
        g_atomic_int_inc(&p->chunks);
    }
}

static bool
stream(MvServerCall *call, const void *args, void *ret, GError **error)
{
    producer = g_new0(Producer, 1);
    producer->client = mv_server_call_get_client(call);
    producer->hdr = *mv_server_call_get_header(call);
    producer->hdr.type = MV_MESSAGE_STREAM;
    producer->hdr.status = MV_STATUS_CONTINUE;
    mv_server_call_after_reply(call, produce, producer, NULL);
    return true;
}

static const MvDispatchFunc test_handlers[PROC_LAST] = {
    [PROC_BLOB] = blob,
    [PROC_ECHO] = echo,
    [PROC_FLOOD] = flood,
    [PROC_STREAM] = stream,
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

    mv_server_config_init_defaults(&config);
    config.max_client_queue = QUEUE_LIMIT;
    config.keepalive_interval = -1;
    f->dir = g_dir_make_tmp("mv-rpclim-XXXXXX", NULL);
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
    g_clear_pointer(&producer, g_free);
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
raw_call(int fd, int proc, guint32 serial, xdrproc_t filter, const void *args)
{
    MvMessageHeader hdr = { TEST_PROGRAM, 1, proc, MV_MESSAGE_CALL, serial, MV_STATUS_OK };
    g_autoptr(MvMessage) msg = mv_message_encode(&hdr, filter, args, NULL);

    g_assert_nonnull(msg);
    g_assert_cmpint(send(fd, msg->data, msg->len, MSG_NOSIGNAL), ==, (ssize_t)msg->len);
}

static bool
read_exact(int fd, guint8 *buf, gsize len)
{
    gsize done = 0;

    while (done < len) {
        ssize_t n = recv(fd, buf + done, len - done, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += n;
    }
    return true;
}

/* Reads one frame; its length word is checked against the cap BEFORE the
 * body is read, so an oversized frame fails the test as such. */
static MvMessage *
raw_read_frame(int fd)
{
    guint8 word[4];
    guint32 len;
    MvMessage *msg;

    if (!read_exact(fd, word, 4))
        return NULL;
    len = ((guint32)word[0] << 24) | ((guint32)word[1] << 16) | ((guint32)word[2] << 8) | word[3];
    g_assert_cmpuint(len, <=, MV_MESSAGE_MAX);
    g_assert_cmpuint(len, >=, MV_MESSAGE_LEN_WORD + MV_MESSAGE_HEADER_SIZE);
    msg = mv_message_new(len);
    memcpy(msg->data, word, 4);
    g_assert_true(read_exact(fd, msg->data + 4, len - 4));
    msg->len = len;
    mv_message_decode_header(msg->data + 4, &msg->hdr);
    return msg;
}

/* The payload length that makes a BLOB reply frame exactly @frame bytes. */
static u_int
blob_len_for_frame(gsize frame)
{
    return (u_int)(frame - MV_MESSAGE_LEN_WORD - MV_MESSAGE_HEADER_SIZE - 4);
}

/* Issue 20: a reply whose frame would be over the cap (by 4 bytes, by 1 MiB)
 * is answered with an ERROR reply; one exactly at the cap goes out whole. */
static void
test_oversized_reply(Fixture *f, gconstpointer data)
{
    gsize overs[] = { MV_MESSAGE_MAX + 4, MV_MESSAGE_MAX + 512 * 1024,
                      MV_MESSAGE_MAX + 1024 * 1024 - 4 };
    int fd = raw_connect(f->path);
    u_int at_cap = blob_len_for_frame(MV_MESSAGE_MAX);
    g_autoptr(MvMessage) ok = NULL;

    for (guint i = 0; i < G_N_ELEMENTS(overs); i++) {
        u_int n = blob_len_for_frame(overs[i]);
        g_autoptr(MvMessage) reply = NULL;
        g_autoptr(GError) err = NULL;

        g_assert_cmpuint(n % 4, ==, 0);
        raw_call(fd, PROC_BLOB, 10 + i, (xdrproc_t)xdr_u_int, &n);
        reply = raw_read_frame(fd);
        g_assert_nonnull(reply);
        g_assert_cmpuint(reply->hdr.serial, ==, 10 + i);
        g_assert_cmpint(reply->hdr.type, ==, MV_MESSAGE_REPLY);
        g_assert_cmpint(reply->hdr.status, ==, MV_STATUS_ERROR);
        err = mv_message_decode_error(mv_message_payload(reply), mv_message_payload_len(reply));
        g_assert_true(g_error_matches(err, MV_ERROR, MV_ERR_RPC));
        g_assert_nonnull(strstr(err->message, "limit"));
    }
    /* Exactly the cap: allowed, and the connection still works. */
    raw_call(fd, PROC_BLOB, 20, (xdrproc_t)xdr_u_int, &at_cap);
    ok = raw_read_frame(fd);
    g_assert_nonnull(ok);
    g_assert_cmpint(ok->hdr.status, ==, MV_STATUS_OK);
    g_assert_cmpuint(ok->len, ==, MV_MESSAGE_MAX);
    close(fd);
}

/* The encoder as well: over the cap is an error, never a frame. */
static void
test_encode_over_cap(void)
{
    MvMessageHeader hdr = { TEST_PROGRAM, 1, PROC_BLOB, MV_MESSAGE_REPLY, 1, MV_STATUS_OK };
    Blob b = { .len = blob_len_for_frame(MV_MESSAGE_MAX + 1024 * 1024 - 4) };
    g_autoptr(GError) err = NULL;
    MvMessage *msg;

    b.data = g_malloc0(b.len);
    msg = mv_message_encode(&hdr, (xdrproc_t)xdr_blob, &b, &err);
    g_assert_null(msg);
    g_assert_true(g_error_matches(err, MV_ERROR, MV_ERR_RPC));
    b.len = blob_len_for_frame(MV_MESSAGE_MAX + 4);
    g_clear_error(&err);
    g_assert_null(mv_message_encode(&hdr, (xdrproc_t)xdr_blob, &b, &err));
    g_free(b.data);
}

/* A 36-byte reply holds about 36 bytes, not the encoder's first guess. */
static void
test_reply_buffer_size(void)
{
    MvMessageHeader hdr = { TEST_PROGRAM, 1, PROC_ECHO, MV_MESSAGE_REPLY, 1, MV_STATUS_OK };
    int v = 7;
    g_autoptr(MvMessage) msg = mv_message_encode(&hdr, (xdrproc_t)xdr_int, &v, NULL);
    g_autoptr(MvMessage) empty = mv_message_encode(&hdr, NULL, NULL, NULL);

    g_assert_cmpuint(msg->len, ==, 32);
    g_assert_cmpuint(msg->alloc, <=, 64);
    g_assert_cmpuint(empty->alloc, <=, 64);
}

static void
get_first_client(MvServerClient *client, gpointer data)
{
    *(MvServerClient **)data = mv_server_client_ref(client);
}

/* Pipelined calls, nothing read: the server stops reading the client once
 * its replies fill max_client_queue, so its queue stays bounded. */
static void
test_unread_replies_bounded(Fixture *f, gconstpointer data)
{
    int fd = raw_connect(f->path);
    g_autoptr(MvServerClient) client = NULL;
    MvMessageHeader hdr = { TEST_PROGRAM, 1, PROC_ECHO, MV_MESSAGE_CALL, 0, MV_STATUS_OK };
    int v = 1;
    g_autoptr(MvMessage) call = mv_message_encode(&hdr, (xdrproc_t)xdr_int, &v, NULL);
    g_autoptr(GByteArray) batch = g_byte_array_new();
    struct timeval tv = { .tv_sec = 2 };
    gsize sent = 0, total = 0;
    guint replies = 0;
    guint8 buf[65536];

    for (int i = 0; i < 1000; i++)
        g_byte_array_append(batch, call->data, call->len);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    /* Up to 200,000 calls (6.4 MB); a bounded server stops reading long before. */
    while (sent < 200 * batch->len) {
        ssize_t n = send(fd, batch->data, batch->len, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        sent += n;
    }
    g_assert_cmpuint(sent, <, 200 * batch->len);
    mv_server_foreach_client(f->server, get_first_client, &client);
    g_assert_nonnull(client);
    g_assert_cmpuint(mv_server_client_get_queued_bytes(client), <=, QUEUE_LIMIT + 4096);
    /* Every call is still answered once the client reads. */
    while (replies < sent / call->len) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        g_assert_cmpint(n, >, 0);
        total += n;
        replies = total / call->len;    /* an ECHO reply is as long as its call */
    }
    g_assert_cmpuint(total, ==, sent);
    close(fd);
}

/* A client that never reads its events is dropped, not buffered forever. */
static void
test_event_overflow_disconnects(Fixture *f, gconstpointer data)
{
    int fd = raw_connect(f->path);
    gsize events = 0;
    guint8 buf[65536];
    gsize got = 0;
    bool closed = false;

    g_atomic_int_set(&flood_done, 0);
    g_atomic_int_set(&flood_refused, 0);
    raw_call(fd, PROC_FLOOD, 1, NULL, NULL);
    for (int i = 0; i < 2000 && !g_atomic_int_get(&flood_done); i++)
        g_usleep(10000);
    g_assert_true(g_atomic_int_get(&flood_done));
    g_assert_cmpint(g_atomic_int_get(&flood_refused), >, 0);
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n == 0) {
            closed = true;
            break;
        }
        if (n < 0)
            break;      /* timeout: still open */
        got += n;
    }
    g_assert_true(closed);
    events = got / (MV_MESSAGE_LEN_WORD + MV_MESSAGE_HEADER_SIZE + EVENT_SIZE);
    g_assert_cmpuint(events, <, NEVENTS);
    g_assert_cmpuint(mv_server_get_nclients(f->server), ==, 0);
    close(fd);
}

/* A stream producer that respects congestion never queues much beyond the
 * limit, and the drain watch resumes it until all data went out. */
static void
test_stream_backpressure(Fixture *f, gconstpointer data)
{
    int fd = raw_connect(f->path);
    g_autoptr(MvMessage) reply = NULL;
    gsize got = 0;
    gsize frame = MV_MESSAGE_LEN_WORD + MV_MESSAGE_HEADER_SIZE + STREAM_CHUNK;

    raw_call(fd, PROC_STREAM, 5, NULL, NULL);
    reply = raw_read_frame(fd);
    g_assert_nonnull(reply);
    g_assert_cmpint(reply->hdr.status, ==, MV_STATUS_OK);
    g_usleep(500000);       /* not reading: the producer must stop at the limit */
    g_assert_nonnull(producer);
    g_assert_cmpuint(g_atomic_int_get(&producer->chunks), <, STREAM_TOTAL / STREAM_CHUNK);
    while (got < STREAM_TOTAL / STREAM_CHUNK) {
        g_autoptr(MvMessage) m = raw_read_frame(fd);
        g_assert_nonnull(m);
        g_assert_cmpuint(m->len, ==, frame);
        g_assert_cmpint(m->hdr.type, ==, MV_MESSAGE_STREAM);
        got++;
    }
    /* The last frame can arrive before the producer thread counts it. */
    for (int i = 0; i < 1000 && (gsize)g_atomic_int_get(&producer->chunks) < got; i++)
        g_usleep(10000);
    g_assert_cmpuint(g_atomic_int_get(&producer->chunks), ==, STREAM_TOTAL / STREAM_CHUNK);
    g_assert_cmpuint(producer->max_queued, <=, QUEUE_LIMIT + 2 * (frame + 256));
    close(fd);
}

#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rpc/limits/encode-over-cap", test_encode_over_cap);
    g_test_add_func("/rpc/limits/reply-buffer-size", test_reply_buffer_size);
    ADD("/rpc/limits/oversized-reply", test_oversized_reply);
    ADD("/rpc/limits/unread-replies-bounded", test_unread_replies_bounded);
    ADD("/rpc/limits/event-overflow", test_event_overflow_disconnects);
    ADD("/rpc/limits/stream-backpressure", test_stream_backpressure);
    return g_test_run();
}
