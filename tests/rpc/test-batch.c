/* Batching for a relay (modvirt-proxyd's fast path): a corked MvRpcClient
 * only queues and its uncork writes every frame, in order; its batch handler
 * runs once per read, after the frames of that read; the server's raw batch
 * handler runs after the CALLs of one read; a corked server client holds its
 * replies until uncorked; a frame larger than the socket buffer still
 * arrives whole when sent without a copy. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "rpc/client.h"
#include "rpc/server.h"

#define TEST_PROGRAM 0x7e570003u

enum { PROC_ECHO = 1, PROC_LAST };

static const MvProcInfo test_procs[PROC_LAST] = {
    [PROC_ECHO] = { PROC_ECHO, "ECHO", "testEcho", (xdrproc_t)xdr_int, sizeof(int),
                    (xdrproc_t)xdr_int, sizeof(int), MV_ROUTE_ANY, true, MV_PRIORITY_LOW },
};

static const MvProgramInfo test_program = {
    TEST_PROGRAM, 1, "TEST", test_procs, PROC_LAST,
};

/* Reads exactly @len bytes from @fd (blocking). */
static void
read_exact(int fd, guint8 *buf, gsize len)
{
    gsize done = 0;

    while (done < len) {
        ssize_t n = recv(fd, buf + done, len - done, 0);
        g_assert_cmpint(n, >, 0);
        done += n;
    }
}

/* Reads one frame from @fd; returns its payload (free it) and header. */
static guint8 *
read_frame(int fd, MvMessageHeader *hdr, gsize *ret_len)
{
    guint8 prefix[MV_MESSAGE_PREFIX_SIZE];
    guint32 len;
    guint8 *payload;

    read_exact(fd, prefix, sizeof(prefix));
    g_assert_true(mv_message_decode_length(prefix, &len, NULL));
    mv_message_decode_header(prefix + MV_MESSAGE_LEN_WORD, hdr);
    *ret_len = len - MV_MESSAGE_PREFIX_SIZE;
    payload = g_malloc(*ret_len + 1);
    read_exact(fd, payload, *ret_len);
    return payload;
}

typedef struct {
    GMutex lock;
    GCond cond;
    int replies;
    int batches;
    int replies_at_first_batch;
    int failed;                 /* calls failed (never answered, connection closed) */
    guint32 order[8];
} BatchState;

static void
on_reply(MvRpcClient *client, const MvMessageHeader *hdr, const guint8 *payload, gsize len,
         const GError *error, gpointer data)
{
    BatchState *st = data;

    g_mutex_lock(&st->lock);
    if (error) {
        st->failed++;
        g_mutex_unlock(&st->lock);
        return;
    }
    if (st->replies < (int)G_N_ELEMENTS(st->order))
        st->order[st->replies] = hdr->serial;
    st->replies++;
    g_mutex_unlock(&st->lock);
}

static void
on_batch(MvRpcClient *client, gpointer data)
{
    BatchState *st = data;

    g_mutex_lock(&st->lock);
    if (st->replies > 0 && st->batches++ == 0)
        st->replies_at_first_batch = st->replies;
    g_cond_signal(&st->cond);
    g_mutex_unlock(&st->lock);
}

/* Corked: nothing reaches the socket; uncorked: every frame, in order. The
 * three replies written at once come back as one batch. */
static void
test_client_cork(void)
{
    int sv[2];
    g_autoptr(MvRpcClient) client = NULL;
    BatchState st = { 0 };
    guint32 serials[3];
    guint8 probe;
    g_autofree guint8 *replies = NULL;
    gsize rlen = 0;

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    client = mv_rpc_client_new_fd(sv[0], NULL);
    g_mutex_init(&st.lock);
    g_cond_init(&st.cond);
    mv_rpc_client_set_batch_handler(client, on_batch, &st);

    mv_rpc_client_cork(client);
    for (int i = 0; i < 3; i++) {
        guint8 payload[4] = { 0, 0, 0, (guint8)(10 + i) };

        g_assert_true(mv_rpc_client_call_raw_async(client, TEST_PROGRAM, 1, PROC_ECHO, payload,
                                                   sizeof(payload), on_reply, &st, &serials[i],
                                                   NULL));
    }
    g_assert_cmpint(recv(sv[1], &probe, 1, MSG_DONTWAIT | MSG_PEEK), ==, -1);
    g_assert_cmpint(errno, ==, EAGAIN);
    g_assert_cmpuint(mv_rpc_client_get_queued_bytes(client), ==, 3 * 32);
    mv_rpc_client_uncork(client);
    g_assert_cmpuint(mv_rpc_client_get_queued_bytes(client), ==, 0);

    for (int i = 0; i < 3; i++) {
        MvMessageHeader hdr;
        gsize len;
        g_autofree guint8 *payload = read_frame(sv[1], &hdr, &len);
        MvMessageHeader rhdr = hdr;
        g_autoptr(MvMessage) reply = NULL;

        g_assert_cmpuint(hdr.serial, ==, serials[i]);
        g_assert_cmpuint(len, ==, 4);
        g_assert_cmpuint(payload[3], ==, 10 + i);
        rhdr.type = MV_MESSAGE_REPLY;
        reply = mv_message_encode_raw(&rhdr, payload, len);
        replies = g_realloc(replies, rlen + reply->len);
        memcpy(replies + rlen, reply->data, reply->len);
        rlen += reply->len;
    }
    /* all three replies in one write: one read on the client side, one batch */
    g_assert_cmpint(send(sv[1], replies, rlen, 0), ==, (ssize_t)rlen);
    g_mutex_lock(&st.lock);
    while (st.batches < 1)
        g_cond_wait(&st.cond, &st.lock);
    g_assert_cmpint(st.replies_at_first_batch, ==, 3);
    g_assert_cmpint(st.failed, ==, 0);
    for (int i = 0; i < 3; i++)
        g_assert_cmpuint(st.order[i], ==, serials[i]);
    g_mutex_unlock(&st.lock);
    close(sv[1]);
    g_clear_pointer(&client, mv_rpc_client_free);
    g_mutex_clear(&st.lock);
    g_cond_clear(&st.cond);
}

/* A frame four times the socket buffer, sent without a copy while the peer
 * does not read yet: what the socket does not take is queued and written
 * later; the peer gets it whole. */
static void
test_client_big_frame(void)
{
    int sv[2];
    int sndbuf = 32 * 1024;
    g_autoptr(MvRpcClient) client = NULL;
    gsize big = 512 * 1024;
    g_autofree guint8 *data = g_malloc(big);
    g_autofree guint8 *got = NULL;
    BatchState st = { 0 };
    MvMessageHeader hdr;
    gsize len;

    for (gsize i = 0; i < big; i++)
        data[i] = (guint8)(i * 7 + 3);
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    g_assert_cmpint(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)), ==, 0);
    client = mv_rpc_client_new_fd(sv[0], NULL);
    g_mutex_init(&st.lock);
    g_cond_init(&st.cond);
    g_assert_true(mv_rpc_client_call_raw_async(client, TEST_PROGRAM, 1, PROC_ECHO, data, big,
                                               on_reply, &st, NULL, NULL));
    g_assert_cmpuint(mv_rpc_client_get_queued_bytes(client), >, 0);
    memset(data, 0, 16);    /* the caller's buffer is free once the call returned */
    got = read_frame(sv[1], &hdr, &len);
    g_assert_cmpuint(len, ==, big);
    for (gsize i = 16; i < big; i++)
        g_assert_cmpuint(got[i], ==, (guint8)(i * 7 + 3));
    for (gsize i = 0; i < 16; i++)
        g_assert_cmpuint(got[i], ==, (guint8)(i * 7 + 3));
    /* a stream packet the same way (mv_rpc_client_queue_frame), then a small one behind it */
    {
        MvMessageHeader shdr = { TEST_PROGRAM, 1, PROC_ECHO, MV_MESSAGE_STREAM, 77,
                                 MV_STATUS_CONTINUE };
        g_autofree guint8 *got2 = NULL;
        g_autofree guint8 *got3 = NULL;

        for (gsize i = 0; i < big; i++)
            data[i] = (guint8)(i * 5 + 1);
        g_assert_true(mv_rpc_client_queue_frame(client, &shdr, data, big, NULL));
        g_assert_true(mv_rpc_client_queue_frame(client, &shdr, data, 8, NULL));
        memset(data, 0, big);
        got2 = read_frame(sv[1], &hdr, &len);
        g_assert_cmpint(hdr.type, ==, MV_MESSAGE_STREAM);
        g_assert_cmpuint(hdr.serial, ==, 77);
        g_assert_cmpuint(len, ==, big);
        for (gsize i = 0; i < big; i++)
            g_assert_cmpuint(got2[i], ==, (guint8)(i * 5 + 1));
        got3 = read_frame(sv[1], &hdr, &len);
        g_assert_cmpuint(len, ==, 8);
        for (gsize i = 0; i < 8; i++)
            g_assert_cmpuint(got3[i], ==, (guint8)(i * 5 + 1));
    }
    close(sv[1]);
    g_clear_pointer(&client, mv_rpc_client_free);
    g_assert_cmpint(st.failed, ==, 1);     /* never answered: failed once, at the close */
    g_mutex_clear(&st.lock);
    g_cond_clear(&st.cond);
}

/* ---- server side ---- */

typedef struct {
    GMutex lock;
    int calls;
    int batches;
    int calls_at_first_batch;
    gsize reply_len;            /* bytes of payload each reply carries */
    bool cork;                  /* cork the client on the first call of a read */
    bool corked;
    gsize event_len;            /* > 0: an event with a 4-byte head before each reply */
} ServerState;

static ServerState server_state;

/* Answers at once (I/O thread) with reply_len bytes. */
static void
raw(MvServerCall *call, const guint8 *payload, gsize len, gpointer data)
{
    ServerState *st = &server_state;
    g_autofree guint8 *out = g_malloc0(MAX(st->reply_len, 4));

    g_mutex_lock(&st->lock);
    st->calls++;
    if (st->cork && !st->corked) {
        mv_server_client_cork(mv_server_call_get_client(call));
        st->corked = true;
    }
    g_mutex_unlock(&st->lock);
    if (len >= 4)
        memcpy(out, payload, 4);
    if (st->event_len) {
        /* The relay's event: a new first word, the rest sent from where it is. */
        MvMessageHeader ehdr = { TEST_PROGRAM, 1, PROC_ECHO, MV_MESSAGE_MESSAGE, 0,
                                 MV_STATUS_OK };
        g_autofree guint8 *body = g_malloc(st->event_len);

        for (gsize i = 0; i < st->event_len; i++)
            body[i] = (guint8)(i * 7 + 3);
        mv_server_client_send_frame_head(mv_server_call_get_client(call), &ehdr, out, 4, body,
                                         st->event_len);
        memset(body, 0, st->event_len);     /* whatever was queued was copied */
    }
    for (gsize i = 4; i < st->reply_len; i++)
        out[i] = (guint8)(i * 13 + 1);
    mv_server_call_reply_raw(call, MV_STATUS_OK, out, MAX(st->reply_len, 4));
}

static void
raw_batch(MvServerClient *client, gpointer data)
{
    ServerState *st = &server_state;

    g_mutex_lock(&st->lock);
    if (st->batches++ == 0)
        st->calls_at_first_batch = st->calls;
    if (st->corked) {
        st->corked = false;
        mv_server_client_uncork(client);
    }
    g_mutex_unlock(&st->lock);
}

typedef struct {
    char *dir;
    char *path;
    MvServer *server;
} Fixture;

static void
fixture_setup(Fixture *f, gconstpointer data)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    MvServerConfig config;
    int fd;

    memset(&server_state, 0, sizeof(server_state));
    g_mutex_init(&server_state.lock);
    mv_server_config_init_defaults(&config);
    config.max_client_requests = 16;
    f->dir = g_dir_make_tmp("mv-batch-XXXXXX", NULL);
    f->path = g_build_filename(f->dir, "rw.sock", NULL);
    f->server = mv_server_new(&config, 0, NULL, NULL);
    mv_server_add_raw_program(f->server, &test_program, NULL, 0, raw, NULL);
    mv_server_set_raw_batch_handler(f->server, TEST_PROGRAM, raw_batch);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_strlcpy(addr.sun_path, f->path, sizeof(addr.sun_path));
    g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(listen(fd, 8), ==, 0);
    mv_server_add_listener(f->server, fd, false);
    g_assert_true(mv_server_start(f->server, NULL));
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
    mv_server_free(f->server);
    unlink(f->path);
    rmdir(f->dir);
    g_free(f->path);
    g_free(f->dir);
    g_mutex_clear(&server_state.lock);
}

static int
connect_to(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    g_assert_cmpint(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    return fd;
}

/* @n CALLs with serials 100.. in one write; returns the socket. */
static int
send_calls(Fixture *f, int n)
{
    int fd = connect_to(f->path);
    g_autoptr(GByteArray) out = g_byte_array_new();

    for (int i = 0; i < n; i++) {
        MvMessageHeader hdr = { TEST_PROGRAM, 1, PROC_ECHO, MV_MESSAGE_CALL, 100 + i,
                                MV_STATUS_OK };
        guint8 payload[4] = { 0, 0, 0, (guint8)i };
        g_autoptr(MvMessage) msg = mv_message_encode_raw(&hdr, payload, 4);

        g_byte_array_append(out, msg->data, msg->len);
    }
    g_assert_cmpint(send(fd, out->data, out->len, 0), ==, (ssize_t)out->len);
    return fd;
}

static void
check_one_reply(int fd, int i, gsize reply_len)
{
    MvMessageHeader hdr;
    gsize len;
    g_autofree guint8 *payload = read_frame(fd, &hdr, &len);

    g_assert_cmpint(hdr.type, ==, MV_MESSAGE_REPLY);
    g_assert_cmpuint(hdr.serial, ==, 100 + i);
    g_assert_cmpuint(len, ==, MAX(reply_len, 4));
    g_assert_cmpuint(payload[3], ==, (guint8)i);
    for (gsize j = 4; j < reply_len; j++)
        g_assert_cmpuint(payload[j], ==, (guint8)(j * 13 + 1));
}

static void
check_replies(int fd, int n, gsize reply_len)
{
    for (int i = 0; i < n; i++)
        check_one_reply(fd, i, reply_len);
}

/* Eight CALLs in one write: the raw batch handler runs after all of them
 * (the relay's one write to the backend), and corked replies all arrive. */
static void
test_server_batch(Fixture *f, gconstpointer data)
{
    int fd;

    server_state.cork = true;
    fd = send_calls(f, 8);
    check_replies(fd, 8, 0);
    g_mutex_lock(&server_state.lock);
    g_assert_cmpint(server_state.calls, ==, 8);
    g_assert_cmpint(server_state.batches, >=, 1);
    g_assert_cmpint(server_state.calls_at_first_batch, >=, 2);
    g_assert_false(server_state.corked);
    g_mutex_unlock(&server_state.lock);
    close(fd);
}

/* Replies much larger than the socket buffer, sent without a copy to a client
 * that does not read yet: each arrives whole and in order. */
static void
test_server_big_replies(Fixture *f, gconstpointer data)
{
    int fd;

    server_state.reply_len = 700 * 1024;
    fd = send_calls(f, 3);
    g_usleep(100 * 1000);   /* let the server fill the socket before we read */
    check_replies(fd, 3, server_state.reply_len);
    close(fd);
}

/* Events made of a head and a body larger than the socket buffer
 * (mv_server_client_send_frame_head), to a client that does not read yet:
 * each arrives whole, head first, before its reply. */
static void
test_server_event_head(Fixture *f, gconstpointer data)
{
    int fd;

    server_state.event_len = 600 * 1024;
    fd = send_calls(f, 3);
    g_usleep(100 * 1000);   /* let the server fill the socket before we read */
    for (int i = 0; i < 3; i++) {
        MvMessageHeader hdr;
        gsize len;
        g_autofree guint8 *ev = read_frame(fd, &hdr, &len);

        g_assert_cmpint(hdr.type, ==, MV_MESSAGE_MESSAGE);
        g_assert_cmpuint(len, ==, 4 + server_state.event_len);
        g_assert_cmpuint(ev[3], ==, (guint8)i);
        for (gsize j = 0; j < server_state.event_len; j++)
            g_assert_cmpuint(ev[4 + j], ==, (guint8)(j * 7 + 3));
        check_one_reply(fd, i, 0);
    }
    close(fd);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rpc/batch/client-cork", test_client_cork);
    g_test_add_func("/rpc/batch/client-big-frame", test_client_big_frame);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
    ADD("/rpc/batch/server-batch", test_server_batch);
    ADD("/rpc/batch/server-big-replies", test_server_big_replies);
    ADD("/rpc/batch/server-event-head", test_server_event_head);
    return g_test_run();
}
