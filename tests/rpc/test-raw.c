/* Raw programs (the proxy's path): the table's rules still apply, the raw
 * handler answers later from another thread with an undecoded payload, typed
 * handlers of the same program still win; asynchronous raw calls on the
 * client side and its non-blocking queue under a large payload. */
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "rpc/client.h"
#include "rpc/server.h"

#define TEST_PROGRAM 0x7e570002u

enum { PROC_ECHO = 1, PROC_WRITE = 2, PROC_TYPED = 3, PROC_LAST };

static const MvProcInfo test_procs[PROC_LAST] = {
    [PROC_ECHO] = { PROC_ECHO, "ECHO", "testEcho", (xdrproc_t)xdr_int, sizeof(int),
                    (xdrproc_t)xdr_int, sizeof(int), MV_ROUTE_ANY, true, MV_PRIORITY_LOW },
    [PROC_WRITE] = { PROC_WRITE, "WRITE", "testWrite", (xdrproc_t)xdr_int, sizeof(int),
                     (xdrproc_t)xdr_void, 0, MV_ROUTE_ANY, false, MV_PRIORITY_LOW },
    [PROC_TYPED] = { PROC_TYPED, "TYPED", "testTyped", (xdrproc_t)xdr_int, sizeof(int),
                     (xdrproc_t)xdr_int, sizeof(int), MV_ROUTE_ANY, true, MV_PRIORITY_INLINE },
};

static const MvProgramInfo test_program = {
    TEST_PROGRAM, 1, "TEST", test_procs, PROC_LAST,
};

static bool
typed(MvServerCall *call, const void *args, void *ret, GError **error)
{
    *(int *)ret = *(const int *)args + 1000;
    return true;
}

static const MvDispatchFunc handlers[PROC_LAST] = {
    [PROC_TYPED] = typed,
};

typedef struct {
    MvServerCall *call;
    GBytes *payload;
} Pending;

/* Answers still running: the server must outlive them (a raw server is never freed
 * under its answers; the daemons leave theirs to the process exit). */
static gint answers_running;

static gpointer
answer_later(gpointer data)
{
    Pending *p = data;
    gsize len;
    const guint8 *bytes = g_bytes_get_data(p->payload, &len);

    g_usleep(1000);
    mv_server_call_reply_raw(p->call, MV_STATUS_OK, bytes, len);
    g_bytes_unref(p->payload);
    g_free(p);
    g_atomic_int_dec_and_test(&answers_running);
    return NULL;
}

/* Echoes the payload from another thread. */
static void
raw(MvServerCall *call, const guint8 *payload, gsize len, gpointer data)
{
    Pending *p = g_new0(Pending, 1);

    g_assert_cmpint(mv_server_call_get_proc(call)->number, ==, PROC_ECHO);
    p->call = call;
    p->payload = g_bytes_new(payload, len);
    g_atomic_int_inc(&answers_running);
    g_thread_unref(g_thread_new("answer", answer_later, p));
}

typedef struct {
    char *dir;
    char *rw_path;
    char *ro_path;
    MvServer *server;
} Fixture;

static int
listen_at(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(listen(fd, 64), ==, 0);
    return fd;
}

static void
fixture_setup(Fixture *f, gconstpointer data)
{
    MvServerConfig config;

    mv_server_config_init_defaults(&config);
    f->dir = g_dir_make_tmp("mv-raw-XXXXXX", NULL);
    f->rw_path = g_build_filename(f->dir, "rw.sock", NULL);
    f->ro_path = g_build_filename(f->dir, "ro.sock", NULL);
    f->server = mv_server_new(&config, 0, NULL, NULL);
    mv_server_add_raw_program(f->server, &test_program, handlers, PROC_LAST, raw, NULL);
    mv_server_add_listener(f->server, listen_at(f->rw_path), false);
    mv_server_add_listener(f->server, listen_at(f->ro_path), true);
    g_assert_true(mv_server_start(f->server, NULL));
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
    /* the client may see a reply before its call is freed on the answering thread */
    for (int i = 0; i < 10000 && g_atomic_int_get(&answers_running) > 0; i++)
        g_usleep(1000);
    g_assert_cmpint(g_atomic_int_get(&answers_running), ==, 0);
    mv_server_free(f->server);
    unlink(f->rw_path);
    unlink(f->ro_path);
    rmdir(f->dir);
    g_free(f->rw_path);
    g_free(f->ro_path);
    g_free(f->dir);
}

static void
test_raw_echo(Fixture *f, gconstpointer data)
{
    g_autoptr(MvRpcClient) client = mv_rpc_client_new_unix(f->rw_path, NULL);
    g_autoptr(MvMessage) reply = NULL;
    g_autoptr(GError) err = NULL;
    int in = 7, out = 0;
    const guint8 payload[] = { 1, 2, 3, 4, 5, 6, 7, 8 };

    /* typed handlers of a raw program still run */
    g_assert_true(mv_rpc_client_call(client, &test_program, &test_procs[PROC_TYPED], &in, &out,
                                     NULL));
    g_assert_cmpint(out, ==, 1007);
    /* the rest is echoed undecoded, from another thread */
    g_assert_true(mv_rpc_client_call_raw(client, TEST_PROGRAM, 1, PROC_ECHO, payload,
                                         sizeof(payload), &reply, &err));
    g_assert_no_error(err);
    g_assert_cmpint(reply->hdr.status, ==, MV_STATUS_OK);
    g_assert_cmpint(reply->hdr.type, ==, MV_MESSAGE_REPLY);
    g_assert_cmpmem(mv_message_payload(reply), mv_message_payload_len(reply), payload,
                    sizeof(payload));
}

static void
test_raw_readonly(Fixture *f, gconstpointer data)
{
    g_autoptr(MvRpcClient) client = mv_rpc_client_new_unix(f->ro_path, NULL);
    g_autoptr(GError) err = NULL;
    int in = 1;

    /* the table's read-only rule holds before the raw handler */
    g_assert_false(mv_rpc_client_call(client, &test_program, &test_procs[PROC_WRITE], &in, NULL,
                                      &err));
    g_assert_error(err, MV_ERROR, MV_ERR_OPERATION_DENIED);
}

typedef struct {
    GMutex lock;
    GCond cond;
    int done;
    int bad;
} AsyncState;

static void
on_reply(MvRpcClient *client, const MvMessageHeader *hdr, const guint8 *payload, gsize len,
         const GError *error, gpointer data)
{
    AsyncState *st = data;

    g_mutex_lock(&st->lock);
    if (error || hdr->status != MV_STATUS_OK || len != 256 * 1024)
        st->bad++;
    st->done++;
    g_cond_signal(&st->cond);
    g_mutex_unlock(&st->lock);
}

/* Many large asynchronous calls at once: the caller never blocks, every
 * reply arrives exactly once. */
static void
test_async_many(Fixture *f, gconstpointer data)
{
    g_autoptr(MvRpcClient) client = mv_rpc_client_new_unix(f->rw_path, NULL);
    g_autofree guint8 *big = g_malloc0(256 * 1024);
    AsyncState st = { 0 };
    const int n = 40;

    g_mutex_init(&st.lock);
    g_cond_init(&st.cond);
    for (int i = 0; i < n; i++)
        g_assert_true(mv_rpc_client_call_raw_async(client, TEST_PROGRAM, 1, PROC_ECHO, big,
                                                   256 * 1024, on_reply, &st, NULL, NULL));
    g_mutex_lock(&st.lock);
    while (st.done < n)
        g_cond_wait(&st.cond, &st.lock);
    g_mutex_unlock(&st.lock);
    g_assert_cmpint(st.bad, ==, 0);
    g_mutex_clear(&st.lock);
    g_cond_clear(&st.cond);
}

/* A call in flight when the server goes away completes with an error. */
static void
test_async_broken(Fixture *f, gconstpointer data)
{
    int sv[2];
    g_autoptr(MvRpcClient) client = NULL;
    AsyncState st = { 0 };
    const guint8 payload[4] = { 0 };

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    client = mv_rpc_client_new_fd(sv[0], NULL);
    g_mutex_init(&st.lock);
    g_cond_init(&st.cond);
    g_assert_true(mv_rpc_client_call_raw_async(client, TEST_PROGRAM, 1, PROC_ECHO, payload, 4,
                                               on_reply, &st, NULL, NULL));
    close(sv[1]);   /* the peer goes away without answering */
    g_mutex_lock(&st.lock);
    while (st.done < 1)
        g_cond_wait(&st.cond, &st.lock);
    g_mutex_unlock(&st.lock);
    g_assert_cmpint(st.done, ==, 1);
    g_assert_cmpint(st.bad, ==, 1);
    g_mutex_clear(&st.lock);
    g_cond_clear(&st.cond);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
    ADD("/rpc/raw/echo", test_raw_echo);
    ADD("/rpc/raw/readonly", test_raw_readonly);
    ADD("/rpc/raw/async-many", test_async_many);
    ADD("/rpc/raw/async-broken", test_async_broken);
    return g_test_run();
}
