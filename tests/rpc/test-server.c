/* The RPC server and client together, in one process, over a real UNIX
 * socket: concurrent calls from many threads, inline and pool dispatch,
 * read-only refusal, unknown procedures, events, the in-flight limit and
 * keepalive. A small test program stands in for the generated tables. */
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "rpc/client.h"
#include "rpc/server.h"

#define TEST_PROGRAM 0x7e570001u

enum { PROC_ECHO = 1, PROC_SLOW = 2, PROC_WRITE = 3, PROC_EVENT = 4, PROC_FAIL = 5,
       PROC_MISSING = 6, PROC_LAST };

static const MvProcInfo test_procs[PROC_LAST] = {
    [PROC_ECHO] = { PROC_ECHO, "ECHO", "testEcho", (xdrproc_t)xdr_int, sizeof(int),
                    (xdrproc_t)xdr_int, sizeof(int), MV_ROUTE_ANY, true, MV_PRIORITY_INLINE },
    [PROC_SLOW] = { PROC_SLOW, "SLOW", "testSlow", (xdrproc_t)xdr_int, sizeof(int),
                    (xdrproc_t)xdr_int, sizeof(int), MV_ROUTE_ANY, true, MV_PRIORITY_LOW },
    [PROC_WRITE] = { PROC_WRITE, "WRITE", "testWrite", (xdrproc_t)xdr_int, sizeof(int),
                     (xdrproc_t)xdr_void, 0, MV_ROUTE_ANY, false, MV_PRIORITY_HIGH },
    [PROC_EVENT] = { PROC_EVENT, "EVENT", "testEvent", (xdrproc_t)xdr_int, sizeof(int),
                     (xdrproc_t)xdr_void, 0, MV_ROUTE_ANY, true, MV_PRIORITY_LOW,
                     MV_PROC_KIND_EVENT },
    [PROC_FAIL] = { PROC_FAIL, "FAIL", "testFail", (xdrproc_t)xdr_void, 0,
                    (xdrproc_t)xdr_void, 0, MV_ROUTE_ANY, true, MV_PRIORITY_LOW },
    [PROC_MISSING] = { PROC_MISSING, "MISSING", "testMissing", (xdrproc_t)xdr_void, 0,
                       (xdrproc_t)xdr_void, 0, MV_ROUTE_ANY, true, MV_PRIORITY_LOW },
};

static const MvProgramInfo test_program = {
    TEST_PROGRAM, 1, "TEST", test_procs, PROC_LAST,
};

static gint slow_running;
static gint slow_max_seen;

static bool
echo(MvServerCall *call, const void *args, void *ret, GError **error)
{
    *(int *)ret = *(const int *)args;
    return true;
}

static bool
slow(MvServerCall *call, const void *args, void *ret, GError **error)
{
    int now = g_atomic_int_add(&slow_running, 1) + 1;
    int seen;

    while ((seen = g_atomic_int_get(&slow_max_seen)) < now &&
           !g_atomic_int_compare_and_exchange(&slow_max_seen, seen, now))
        ;
    g_usleep(20000);
    g_atomic_int_add(&slow_running, -1);
    *(int *)ret = *(const int *)args * 2;
    return true;
}

/* Writes: and sends an event MESSAGE back to the caller first. */
static bool
write_and_notify(MvServerCall *call, const void *args, void *ret, GError **error)
{
    MvMessageHeader hdr = { TEST_PROGRAM, 1, PROC_EVENT, MV_MESSAGE_MESSAGE, 0, MV_STATUS_OK };
    int value = *(const int *)args;

    mv_server_client_send(mv_server_call_get_client(call),
                          mv_message_encode(&hdr, (xdrproc_t)xdr_int, &value, NULL));
    return true;
}

static bool
fail(MvServerCall *call, const void *args, void *ret, GError **error)
{
    return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID, "asked to fail");
}

static const MvDispatchFunc test_handlers[PROC_LAST] = {
    [PROC_ECHO] = echo,
    [PROC_SLOW] = slow,
    [PROC_WRITE] = write_and_notify,
    [PROC_FAIL] = fail,
};

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
    config.max_client_requests = 3;
    config.max_workers = 8;
    config.keepalive_interval = 1;
    config.keepalive_count = 1;
    f->dir = g_dir_make_tmp("mv-rpc-XXXXXX", NULL);
    f->rw_path = g_build_filename(f->dir, "rw.sock", NULL);
    f->ro_path = g_build_filename(f->dir, "ro.sock", NULL);
    f->server = mv_server_new(&config, 0, NULL, NULL);
    mv_server_add_program(f->server, &test_program, test_handlers, PROC_LAST);
    mv_server_add_listener(f->server, listen_at(f->rw_path), false);
    mv_server_add_listener(f->server, listen_at(f->ro_path), true);
    g_assert_true(mv_server_start(f->server, NULL));
    g_atomic_int_set(&slow_max_seen, 0);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
    mv_server_free(f->server);
    unlink(f->rw_path);
    unlink(f->ro_path);
    rmdir(f->dir);
    g_free(f->rw_path);
    g_free(f->ro_path);
    g_free(f->dir);
}

static bool
call_int(MvRpcClient *client, int proc, int in, int *out, GError **error)
{
    return mv_rpc_client_call(client, &test_program, &test_procs[proc], &in, out, error);
}

static void
test_echo(Fixture *f, gconstpointer data)
{
    g_autoptr(MvRpcClient) client = mv_rpc_client_new_unix(f->rw_path, NULL);
    int out = 0;

    g_assert_nonnull(client);
    g_assert_true(call_int(client, PROC_ECHO, 42, &out, NULL));
    g_assert_cmpint(out, ==, 42);
    g_assert_true(call_int(client, PROC_SLOW, 21, &out, NULL));
    g_assert_cmpint(out, ==, 42);
}

typedef struct {
    MvRpcClient *client;
    int base;
    gint *failures;
} Worker;

static gpointer
hammer(gpointer data)
{
    Worker *w = data;

    for (int i = 0; i < 200; i++) {
        int out = -1;
        int proc = i % 10 == 0 ? PROC_SLOW : PROC_ECHO;
        int want = proc == PROC_SLOW ? (w->base + i) * 2 : w->base + i;
        if (!call_int(w->client, proc, w->base + i, &out, NULL) || out != want)
            g_atomic_int_inc(w->failures);
    }
    return NULL;
}

/* Eight threads on one connection: every reply reaches its own caller. */
static void
test_concurrent_callers(Fixture *f, gconstpointer data)
{
    g_autoptr(MvRpcClient) client = mv_rpc_client_new_unix(f->rw_path, NULL);
    GThread *threads[8];
    Worker workers[8];
    gint failures = 0;

    for (int i = 0; i < 8; i++) {
        workers[i] = (Worker){ client, i * 100000, &failures };
        threads[i] = g_thread_new("hammer", hammer, &workers[i]);
    }
    for (int i = 0; i < 8; i++)
        g_thread_join(threads[i]);
    g_assert_cmpint(failures, ==, 0);
    /* The per-client in-flight limit (3) held while 8 threads pushed slow calls. */
    g_assert_cmpint(g_atomic_int_get(&slow_max_seen), <=, 3);
    g_assert_cmpint(g_atomic_int_get(&slow_max_seen), >=, 1);
}

static void
test_errors(Fixture *f, gconstpointer data)
{
    g_autoptr(MvRpcClient) client = mv_rpc_client_new_unix(f->rw_path, NULL);
    g_autoptr(GError) err = NULL;
    MvProcInfo unknown = test_procs[PROC_ECHO];
    int out;

    g_assert_false(mv_rpc_client_call(client, &test_program, &test_procs[PROC_FAIL], NULL, NULL,
                                      &err));
    g_assert_true(g_error_matches(err, MV_ERROR, MV_ERR_OPERATION_INVALID));
    g_assert_cmpint(mv_error_get_subsystem(err), ==, MV_FROM_QEMU);
    g_clear_error(&err);

    /* Defined in the table, no handler: "not supported". */
    g_assert_false(mv_rpc_client_call(client, &test_program, &test_procs[PROC_MISSING], NULL,
                                      NULL, &err));
    g_assert_true(g_error_matches(err, MV_ERROR, MV_ERR_NO_SUPPORT));
    g_clear_error(&err);

    /* Not in the table at all: RPC error 39 "unknown procedure: 77". */
    unknown.number = 77;
    g_assert_false(mv_rpc_client_call(client, &test_program, &unknown, &(int){ 1 }, &out, &err));
    g_assert_true(g_error_matches(err, MV_ERROR, MV_ERR_RPC));
    g_assert_cmpint(mv_error_get_subsystem(err), ==, MV_FROM_RPC);
    g_assert_cmpstr(err->message, ==, "unknown procedure: 77");
    g_clear_error(&err);

    /* The connection is still fine. */
    g_assert_true(call_int(client, PROC_ECHO, 5, &out, NULL));
    g_assert_cmpint(out, ==, 5);
}

static void
test_readonly(Fixture *f, gconstpointer data)
{
    g_autoptr(MvRpcClient) client = mv_rpc_client_new_unix(f->ro_path, NULL);
    g_autoptr(GError) err = NULL;
    int out;

    g_assert_true(call_int(client, PROC_ECHO, 9, &out, NULL));
    g_assert_false(mv_rpc_client_call(client, &test_program, &test_procs[PROC_WRITE], &(int){ 1 },
                                      NULL, &err));
    g_assert_true(g_error_matches(err, MV_ERROR, MV_ERR_OPERATION_DENIED));
    g_assert_cmpstr(err->message, ==, "operation forbidden: read only access prevents testWrite");
}

typedef struct {
    GMutex lock;
    GCond cond;
    int value;
} EventBox;

static void
on_event(MvRpcClient *client, const MvMessageHeader *hdr, const guint8 *payload, gsize len,
         gpointer data)
{
    EventBox *box = data;
    int value = 0;

    g_assert_cmpint(hdr->proc, ==, PROC_EVENT);
    g_assert_true(mv_message_decode_payload(payload, len, (xdrproc_t)xdr_int, &value, NULL));
    g_mutex_lock(&box->lock);
    box->value = value;
    g_cond_signal(&box->cond);
    g_mutex_unlock(&box->lock);
}

static void
test_event(Fixture *f, gconstpointer data)
{
    g_autoptr(MvRpcClient) client = mv_rpc_client_new_unix(f->rw_path, NULL);
    EventBox box = { .value = 0 };
    gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

    g_mutex_init(&box.lock);
    g_cond_init(&box.cond);
    mv_rpc_client_set_event_handler(client, on_event, &box);
    g_assert_true(mv_rpc_client_call(client, &test_program, &test_procs[PROC_WRITE], &(int){ 77 },
                                     NULL, NULL));
    g_mutex_lock(&box.lock);
    while (box.value != 77 && g_cond_wait_until(&box.cond, &box.lock, deadline))
        ;
    g_mutex_unlock(&box.lock);
    g_assert_cmpint(box.value, ==, 77);
    mv_rpc_client_set_event_handler(client, NULL, NULL);
}

/* Raw socket helpers for the misbehaving-peer tests. */
static int
raw_connect(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    g_assert_cmpint(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    return fd;
}

/* True when the server closed the connection within 5 s. */
static bool
raw_wait_closed(int fd)
{
    struct timeval tv = { .tv_sec = 5 };
    char buf[256];

    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n == 0)
            return true;
        if (n < 0)
            return false;
    }
}

static void
test_hostile_peers(Fixture *f, gconstpointer data)
{
    g_autoptr(MvRpcClient) good = mv_rpc_client_new_unix(f->rw_path, NULL);
    guint8 oversized[4] = { 0x02, 0x00, 0x00, 0x05 };
    guint8 truncated[12] = { 0x00, 0x00, 0x03, 0xe8 };
    int out, fd;

    /* Too long a frame: closed at once. */
    fd = raw_connect(f->rw_path);
    g_assert_cmpint(write(fd, oversized, sizeof(oversized)), ==, 4);
    g_assert_true(raw_wait_closed(fd));
    close(fd);

    /* A frame cut short by the peer's EOF. */
    fd = raw_connect(f->rw_path);
    g_assert_cmpint(write(fd, truncated, sizeof(truncated)), ==, 12);
    shutdown(fd, SHUT_WR);
    g_assert_true(raw_wait_closed(fd));
    close(fd);

    /* The well-behaved client never noticed. */
    g_assert_true(call_int(good, PROC_ECHO, 3, &out, NULL));
    g_assert_cmpint(out, ==, 3);
}

/* The server pings a silent client that enabled keepalive and drops it. */
static void
test_keepalive_drop(Fixture *f, gconstpointer data)
{
    g_autoptr(MvRpcClient) client = mv_rpc_client_new_unix(f->rw_path, NULL);
    int fd = raw_connect(f->rw_path);
    guint8 ping[28];
    ssize_t n;
    struct timeval tv = { .tv_sec = 3 };
    gint64 start = g_get_monotonic_time();

    /* Our client answers PINGs by itself and survives; the raw peer does not. */
    mv_rpc_client_start_keepalive(client, 1, 3);
    while (mv_server_get_nclients(f->server) < 2)
        g_usleep(1000);
    mv_server_foreach_client(f->server, (void (*)(MvServerClient *, gpointer))
                             mv_server_client_enable_keepalive, NULL);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    n = recv(fd, ping, sizeof(ping), MSG_WAITALL);
    g_assert_cmpint(n, ==, 28);
    g_assert_cmpuint(GUINT32_FROM_BE(*(guint32 *)(ping + 4)), ==, MV_PROGRAM_KEEPALIVE);
    g_assert_cmpuint(GUINT32_FROM_BE(*(guint32 *)(ping + 12)), ==, MV_KEEPALIVE_PROC_PING);
    g_assert_true(raw_wait_closed(fd));
    g_assert_cmpint(g_get_monotonic_time() - start, <, 6 * G_USEC_PER_SEC);
    close(fd);
    g_assert_true(mv_rpc_client_is_open(client));
    g_assert_true(call_int(client, PROC_ECHO, 1, &(int){ 0 }, NULL));
}

/* The client side of keepalive: a peer that never answers PINGs is given up on
 * after @count unanswered ones, and the close handler says so. */
typedef struct {
    GMutex lock;
    GCond cond;
    char *reason;
} CloseWait;

static void
on_client_closed(MvRpcClient *client, const char *reason, gpointer data)
{
    CloseWait *w = data;

    g_mutex_lock(&w->lock);
    w->reason = g_strdup(reason ? reason : "(no reason)");
    g_cond_broadcast(&w->cond);
    g_mutex_unlock(&w->lock);
}

static void
test_client_keepalive_gives_up(void)
{
    CloseWait w = { 0 };
    int sv[2];
    MvRpcClient *client;
    guint8 ping[28];
    gint64 deadline;

    g_mutex_init(&w.lock);
    g_cond_init(&w.cond);
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    client = mv_rpc_client_new_fd(sv[0], NULL);
    g_assert_nonnull(client);
    mv_rpc_client_set_close_handler(client, on_client_closed, &w);
    mv_rpc_client_start_keepalive(client, 1, 2);

    /* The silent peer sees a PING, answers nothing, and stays connected: only the
     * missing PONGs can make the client give up. The deadline is a liveness bound
     * (three pings take about 3 s), not a speed claim. */
    g_assert_cmpint(recv(sv[1], ping, sizeof(ping), MSG_WAITALL), ==, 28);
    g_assert_cmpuint(GUINT32_FROM_BE(*(guint32 *)(ping + 4)), ==, MV_PROGRAM_KEEPALIVE);
    g_assert_cmpuint(GUINT32_FROM_BE(*(guint32 *)(ping + 12)), ==, MV_KEEPALIVE_PROC_PING);
    deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
    g_mutex_lock(&w.lock);
    while (!w.reason && g_cond_wait_until(&w.cond, &w.lock, deadline))
        ;
    g_mutex_unlock(&w.lock);
    g_assert_nonnull(w.reason);
    g_assert_false(mv_rpc_client_is_open(client));

    mv_rpc_client_free(client);
    close(sv[1]);
    g_free(w.reason);
    g_cond_clear(&w.cond);
    g_mutex_clear(&w.lock);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
    ADD("/rpc/server/echo", test_echo);
    ADD("/rpc/server/concurrent-callers", test_concurrent_callers);
    ADD("/rpc/server/errors", test_errors);
    ADD("/rpc/server/readonly", test_readonly);
    ADD("/rpc/server/event", test_event);
    ADD("/rpc/server/hostile-peers", test_hostile_peers);
    ADD("/rpc/server/keepalive-drop", test_keepalive_drop);
    g_test_add_func("/rpc/client/keepalive-gives-up", test_client_keepalive_gives_up);
    return g_test_run();
}
