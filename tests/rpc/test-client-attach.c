/* MvRpcClient attached to a main context (mv_rpc_client_attach, the proxy's
 * fast path): its reader thread is gone; replies, events and the close
 * handler run on the thread iterating the context; a blocking call from
 * another thread still gets its reply; a hold stops the handling of frames
 * already read until it is released, then they come in order; freeing from
 * another thread while the context runs is clean. */
#include <dirent.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rpc/client.h"

#define TEST_PROGRAM 0x7e570004u

typedef struct {
    GMutex lock;
    GCond cond;
    GThread *loop_thread;
    int replies;
    bool reply_on_loop;
    int events;
    guint8 event_order[8];
    bool events_on_loop;
    bool hold_at_first;
    int closed;
    bool close_on_loop;
    int failed;
} State;

static State st;

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

/* Reads one frame from the server end; returns its header. */
static MvMessageHeader
read_call(int fd)
{
    guint8 prefix[MV_MESSAGE_PREFIX_SIZE];
    MvMessageHeader hdr;
    guint32 len;
    g_autofree guint8 *rest = NULL;

    read_exact(fd, prefix, sizeof(prefix));
    g_assert_true(mv_message_decode_length(prefix, &len, NULL));
    mv_message_decode_header(prefix + MV_MESSAGE_LEN_WORD, &hdr);
    rest = g_malloc(len - MV_MESSAGE_PREFIX_SIZE + 1);
    read_exact(fd, rest, len - MV_MESSAGE_PREFIX_SIZE);
    return hdr;
}

static void
send_msg(int fd, const MvMessageHeader *hdr, const void *payload, gsize len)
{
    g_autoptr(MvMessage) msg = mv_message_encode_raw(hdr, payload, len);

    g_assert_cmpint(send(fd, msg->data, msg->len, MSG_NOSIGNAL), ==, (ssize_t)msg->len);
}

static void
reply_to(int fd, const MvMessageHeader *call)
{
    MvMessageHeader hdr = *call;
    guint8 payload[4] = { 0, 0, 0, 42 };

    hdr.type = MV_MESSAGE_REPLY;
    send_msg(fd, &hdr, payload, sizeof(payload));
}

static bool
on_loop(void)
{
    return g_thread_self() == st.loop_thread;
}

static void
on_reply(MvRpcClient *client, const MvMessageHeader *hdr, const guint8 *payload, gsize len,
         const GError *error, gpointer data)
{
    g_mutex_lock(&st.lock);
    if (error) {
        st.failed++;
    } else {
        st.replies++;
        st.reply_on_loop = on_loop();
    }
    g_cond_broadcast(&st.cond);
    g_mutex_unlock(&st.lock);
}

static void
on_event(MvRpcClient *client, const MvMessageHeader *hdr, const guint8 *payload, gsize len,
         gpointer data)
{
    g_mutex_lock(&st.lock);
    if (st.events < (int)G_N_ELEMENTS(st.event_order))
        st.event_order[st.events] = len ? payload[0] : 0xff;
    st.events++;
    st.events_on_loop = on_loop();
    if (st.hold_at_first && st.events == 1)
        mv_rpc_client_hold_input(client);
    g_cond_broadcast(&st.cond);
    g_mutex_unlock(&st.lock);
}

static void
on_close(MvRpcClient *client, const char *reason, gpointer data)
{
    g_mutex_lock(&st.lock);
    st.closed++;
    st.close_on_loop = on_loop();
    g_cond_broadcast(&st.cond);
    g_mutex_unlock(&st.lock);
}

/* Waits (10 s at most) until *@counter reaches @n; lock held. */
static void
wait_count(int *counter, int n)
{
    gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

    while (*counter < n && g_cond_wait_until(&st.cond, &st.lock, end))
        ;
    g_assert_cmpint(*counter, >=, n);
}

static gpointer
run_loop(gpointer loop)
{
    g_main_loop_run(loop);
    return NULL;
}

static gpointer
blocking_call(gpointer client)
{
    g_autoptr(MvMessage) reply = NULL;
    g_autoptr(GError) err = NULL;

    g_assert_true(mv_rpc_client_call_raw(client, TEST_PROGRAM, 1, 2, NULL, 0, &reply, &err));
    g_assert_no_error(err);
    return GINT_TO_POINTER(reply->hdr.status == MV_STATUS_OK &&
                           mv_message_payload(reply)[3] == 42);
}

static int
count_threads_named(const char *name)
{
    DIR *dir = opendir("/proc/self/task");
    struct dirent *de;
    int n = 0;

    g_assert_nonnull(dir);
    while ((de = readdir(dir))) {
        g_autofree char *path = g_strdup_printf("/proc/self/task/%s/comm", de->d_name);
        g_autofree char *comm = NULL;

        if (de->d_name[0] != '.' && g_file_get_contents(path, &comm, NULL, NULL) &&
            g_str_equal(g_strstrip(comm), name))
            n++;
    }
    closedir(dir);
    return n;
}

static void
test_attach(void)
{
    g_autoptr(GMainContext) ctx = g_main_context_new();
    g_autoptr(GMainLoop) loop = g_main_loop_new(ctx, FALSE);
    MvMessageHeader ev = { TEST_PROGRAM, 1, 3, MV_MESSAGE_MESSAGE, 0, MV_STATUS_OK };
    g_autoptr(GByteArray) burst = g_byte_array_new();
    MvMessageHeader call;
    MvRpcClient *client;
    GThread *caller;
    int sv[2];

    g_mutex_init(&st.lock);
    g_cond_init(&st.cond);
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    client = mv_rpc_client_new_fd(sv[0], NULL);
    g_assert_nonnull(client);
    mv_rpc_client_set_event_handler(client, on_event, NULL);
    mv_rpc_client_set_close_handler(client, on_close, NULL);
    /* the reader names itself once running */
    for (int i = 0; i < 500 && count_threads_named("rpc-client") != 1; i++)
        g_usleep(10 * 1000);
    g_assert_cmpint(count_threads_named("rpc-client"), ==, 1);
    st.loop_thread = g_thread_new("loop", run_loop, loop);
    g_assert_true(mv_rpc_client_attach(client, ctx));
    g_assert_cmpint(count_threads_named("rpc-client"), ==, 0);

    /* an asynchronous call: its reply is handled on the loop */
    g_assert_true(mv_rpc_client_call_raw_async(client, TEST_PROGRAM, 1, 1, NULL, 0, on_reply,
                                               NULL, NULL, NULL));
    call = read_call(sv[1]);
    g_assert_cmpint(call.proc, ==, 1);
    reply_to(sv[1], &call);
    g_mutex_lock(&st.lock);
    wait_count(&st.replies, 1);
    g_assert_true(st.reply_on_loop);
    g_mutex_unlock(&st.lock);

    /* a blocking call from another thread: the loop hands it its reply */
    caller = g_thread_new("caller", blocking_call, client);
    call = read_call(sv[1]);
    g_assert_cmpint(call.proc, ==, 2);
    reply_to(sv[1], &call);
    g_assert_true(GPOINTER_TO_INT(g_thread_join(caller)));

    /* three events in one write; the first takes a hold: the other two wait
     * in the buffer until it is released, then arrive in order */
    st.hold_at_first = true;
    for (guint8 i = 0; i < 3; i++) {
        g_autoptr(MvMessage) msg = mv_message_encode_raw(&ev, &i, 1);

        g_byte_array_append(burst, msg->data, msg->len);
    }
    g_assert_cmpint(send(sv[1], burst->data, burst->len, 0), ==, (ssize_t)burst->len);
    g_mutex_lock(&st.lock);
    wait_count(&st.events, 1);
    g_mutex_unlock(&st.lock);
    g_usleep(200 * 1000);   /* time for the held frames to (wrongly) come through */
    g_mutex_lock(&st.lock);
    g_assert_cmpint(st.events, ==, 1);
    g_mutex_unlock(&st.lock);
    mv_rpc_client_release_input(client);
    g_mutex_lock(&st.lock);
    wait_count(&st.events, 3);
    g_assert_cmpint(st.events, ==, 3);
    g_assert_cmpuint(st.event_order[0], ==, 0);
    g_assert_cmpuint(st.event_order[1], ==, 1);
    g_assert_cmpuint(st.event_order[2], ==, 2);
    g_assert_true(st.events_on_loop);
    g_mutex_unlock(&st.lock);

    /* the server goes away with a call in flight: it fails, the close handler runs on the loop */
    g_assert_true(mv_rpc_client_call_raw_async(client, TEST_PROGRAM, 1, 1, NULL, 0, on_reply,
                                               NULL, NULL, NULL));
    read_call(sv[1]);
    close(sv[1]);
    g_mutex_lock(&st.lock);
    wait_count(&st.closed, 1);
    wait_count(&st.failed, 1);
    g_assert_true(st.close_on_loop);
    g_mutex_unlock(&st.lock);
    g_assert_false(mv_rpc_client_is_open(client));

    /* freed from this thread while the loop still runs */
    mv_rpc_client_free(client);
    g_main_loop_quit(loop);
    g_thread_join(st.loop_thread);
    g_assert_cmpint(st.closed, ==, 1);
    g_mutex_clear(&st.lock);
    g_cond_clear(&st.cond);
}

/* Freed (from another thread) while attached and busy: no handler runs
 * afterwards and the close handler is not called. */
static void
test_free_while_attached(void)
{
    g_autoptr(GMainContext) ctx = g_main_context_new();
    g_autoptr(GMainLoop) loop = g_main_loop_new(ctx, FALSE);
    MvMessageHeader ev = { TEST_PROGRAM, 1, 3, MV_MESSAGE_MESSAGE, 0, MV_STATUS_OK };
    MvRpcClient *client;
    guint8 b = 7;
    int seen;
    int sv[2];

    memset(&st, 0, sizeof(st));
    g_mutex_init(&st.lock);
    g_cond_init(&st.cond);
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    client = mv_rpc_client_new_fd(sv[0], NULL);
    mv_rpc_client_set_event_handler(client, on_event, NULL);
    mv_rpc_client_set_close_handler(client, on_close, NULL);
    st.loop_thread = g_thread_new("loop", run_loop, loop);
    g_assert_true(mv_rpc_client_attach(client, ctx));
    for (int i = 0; i < 200; i++)
        send_msg(sv[1], &ev, &b, 1);
    mv_rpc_client_free(client);
    g_mutex_lock(&st.lock);
    seen = st.events;
    g_mutex_unlock(&st.lock);
    g_usleep(100 * 1000);   /* a turn that was waiting must not run a handler now */
    g_main_loop_quit(loop);
    g_thread_join(st.loop_thread);
    g_assert_cmpint(st.events, ==, seen);
    g_assert_cmpint(st.closed, ==, 0);
    close(sv[1]);
    g_mutex_clear(&st.lock);
    g_cond_clear(&st.cond);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rpc/client-attach/attach", test_attach);
    g_test_add_func("/rpc/client-attach/free-while-attached", test_free_while_attached);
    return g_test_run();
}
