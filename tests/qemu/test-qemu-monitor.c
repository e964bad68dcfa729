/* qemu-monitor: the QMP client against a scripted fake peer on a socketpair
 * (chunking, garbage, ids, timeouts, close) and against a real firmware-only
 * QEMU (status, stop/cont events, errors, concurrent commands, quit, SIGKILL).
 * Without QEMU the fake-peer tests run and the real-QEMU ones skip (TAP). */
#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mv-config.h"
#include "qemu-monitor.h"
#include "util/error.h"
#include "util/spawn.h"

#define GREETING                                                                                   \
    "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}}, "             \
    "\"capabilities\": [\"oob\"]}}\r\n"

static char *qemu_path;

/* ---- what the callbacks saw ------------------------------------------- */

typedef struct {
    GMutex lock;
    GCond cond;
    GPtrArray *events;      /* "NAME" or "NAME guest=true" for SHUTDOWN */
    char *eof_reason;
    int eofs;
    gint64 eof_time;
    GThread *callback_thread;
} Seen;

static void
seen_init(Seen *s)
{
    memset(s, 0, sizeof(*s));
    g_mutex_init(&s->lock);
    g_cond_init(&s->cond);
    s->events = g_ptr_array_new_with_free_func(g_free);
}

static void
seen_clear(Seen *s)
{
    g_ptr_array_unref(s->events);
    g_free(s->eof_reason);
    g_mutex_clear(&s->lock);
    g_cond_clear(&s->cond);
}

static void
on_event(MvQemuMonitor *mon, const char *name, JsonObject *data, gint64 ts, gpointer opaque)
{
    Seen *s = opaque;
    char *text;

    g_assert_nonnull(data);
    if (g_str_equal(name, "SHUTDOWN"))
        text = g_strdup_printf("SHUTDOWN guest=%s reason=%s",
                               json_object_get_boolean_member_with_default(data, "guest", FALSE)
                                   ? "true" : "false",
                               json_object_get_string_member_with_default(data, "reason", "?"));
    else
        text = g_strdup(name);
    g_mutex_lock(&s->lock);
    g_assert_cmpint(s->eofs, ==, 0);   /* nothing after eof */
    s->callback_thread = g_thread_self();
    g_ptr_array_add(s->events, text);
    g_cond_broadcast(&s->cond);
    g_mutex_unlock(&s->lock);
}

static void
on_eof(MvQemuMonitor *mon, const char *reason, gpointer opaque)
{
    Seen *s = opaque;

    g_mutex_lock(&s->lock);
    s->eofs++;
    s->eof_time = g_get_monotonic_time();
    g_free(s->eof_reason);
    s->eof_reason = g_strdup(reason);
    s->callback_thread = g_thread_self();
    g_cond_broadcast(&s->cond);
    g_mutex_unlock(&s->lock);
}

static const MvQemuMonitorCallbacks callbacks = { .event = on_event, .eof = on_eof };

static bool
seen_has_event_locked(Seen *s, const char *prefix)
{
    for (guint i = 0; i < s->events->len; i++) {
        if (g_str_has_prefix(s->events->pdata[i], prefix))
            return true;
    }
    return false;
}

/* Waits up to @ms for an event starting with @prefix. */
static bool
seen_wait_event(Seen *s, const char *prefix, int ms)
{
    gint64 until = g_get_monotonic_time() + ms * G_TIME_SPAN_MILLISECOND;
    bool found;

    g_mutex_lock(&s->lock);
    while (!(found = seen_has_event_locked(s, prefix)) &&
           g_cond_wait_until(&s->cond, &s->lock, until))
        ;
    found = seen_has_event_locked(s, prefix);
    g_mutex_unlock(&s->lock);
    return found;
}

static bool
seen_wait_eof(Seen *s, int ms)
{
    gint64 until = g_get_monotonic_time() + ms * G_TIME_SPAN_MILLISECOND;
    bool found;

    g_mutex_lock(&s->lock);
    while (!s->eofs && g_cond_wait_until(&s->cond, &s->lock, until))
        ;
    found = s->eofs > 0;
    g_mutex_unlock(&s->lock);
    return found;
}

/* ---- a context running in its own thread ------------------------------- */

typedef struct {
    GMainContext *ctx;
    GMainLoop *loop;
    GThread *thread;
} Loop;

static gpointer
loop_run(gpointer data)
{
    Loop *l = data;

    g_main_context_push_thread_default(l->ctx);
    g_main_loop_run(l->loop);
    g_main_context_pop_thread_default(l->ctx);
    return NULL;
}

static void
loop_start(Loop *l)
{
    l->ctx = g_main_context_new();
    l->loop = g_main_loop_new(l->ctx, FALSE);
    l->thread = g_thread_new("monitor-ctx", loop_run, l);
    while (!g_main_loop_is_running(l->loop))
        g_usleep(100);
}

static void
loop_stop(Loop *l)
{
    g_main_loop_quit(l->loop);
    g_thread_join(l->thread);
    g_main_loop_unref(l->loop);
    g_main_context_unref(l->ctx);
}

/* ---- a scripted fake QEMU on a socketpair ------------------------------ */

typedef enum {
    FAKE_NORMAL,        /* replies in order, chunked byte by byte, with noise */
    FAKE_REVERSED,      /* holds two commands, answers the second first */
    FAKE_SILENT,        /* never answers commands after the handshake */
} FakeMode;

typedef struct {
    int fd;
    FakeMode mode;
    GThread *thread;
    GMutex lock;
    char *last_request;     /* the last command line received, before its reply */
} Fake;

static void
fake_send(int fd, const char *text, bool bytewise)
{
    size_t len = strlen(text);

    if (!bytewise) {
        g_assert_cmpint(write(fd, text, len), ==, (ssize_t)len);
        return;
    }
    for (size_t i = 0; i < len; i++) {
        g_assert_cmpint(write(fd, text + i, 1), ==, 1);
        if (i % 7 == 0)
            g_usleep(50);
    }
}

/* Reads one "\r\n"-terminated line; NULL at EOF. */
static char *
fake_read_line(int fd)
{
    GString *s = g_string_new(NULL);
    char c;

    for (;;) {
        ssize_t n = read(fd, &c, 1);

        if (n <= 0) {
            g_string_free(s, TRUE);
            return NULL;
        }
        if (c == '\n')
            break;
        if (c != '\r')
            g_string_append_c(s, c);
    }
    return g_string_free(s, FALSE);
}

static gint64
fake_id(const char *line, char **ret_cmd)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    JsonObject *obj;

    g_assert_true(json_parser_load_from_data(parser, line, -1, NULL));
    obj = json_node_get_object(json_parser_get_root(parser));
    *ret_cmd = g_strdup(json_object_get_string_member(obj, "execute"));
    return json_object_get_int_member(obj, "id");
}

static gpointer
fake_run(gpointer data)
{
    Fake *f = data;
    char *held_cmd = NULL;
    gint64 held_id = 0;
    char *line;

    fake_send(f->fd, GREETING, f->mode == FAKE_NORMAL);
    while ((line = fake_read_line(f->fd))) {
        g_autofree char *cmd = NULL;
        g_autofree char *reply = NULL;
        gint64 id = fake_id(line, &cmd);

        g_mutex_lock(&f->lock);
        g_free(f->last_request);
        f->last_request = line;
        g_mutex_unlock(&f->lock);
        if (g_str_equal(cmd, "qmp_capabilities")) {
            fake_send(f->fd, "{\"return\": {}, \"id\": ", false);
            reply = g_strdup_printf("%" G_GINT64_FORMAT "}\r\n", id);
            fake_send(f->fd, reply, false);
            continue;
        }
        switch (f->mode) {
        case FAKE_NORMAL:
            /* an event, a garbage line and a stale reply before the answer */
            fake_send(f->fd, "{\"event\": \"STOP\", \"timestamp\": {\"seconds\": 1, "
                             "\"microseconds\": 2}}\r\nthis is not json\r\n[1,2]\r\n"
                             "{\"return\": {}, \"id\": 999999}\n", true);
            if (g_str_equal(cmd, "fail"))
                reply = g_strdup_printf("{\"error\": {\"class\": \"GenericError\", \"desc\": "
                                        "\"it broke\"}, \"id\": %" G_GINT64_FORMAT "}\r\n", id);
            else
                reply = g_strdup_printf("{\"return\": {\"cmd\": \"%s\"}, \"id\": %"
                                        G_GINT64_FORMAT "}\r\n", cmd, id);
            fake_send(f->fd, reply, true);
            break;
        case FAKE_REVERSED:
            if (!held_cmd) {
                held_cmd = g_steal_pointer(&cmd);
                held_id = id;
                break;
            }
            reply = g_strdup_printf("{\"return\": \"%s\", \"id\": %" G_GINT64_FORMAT "}\r\n"
                                    "{\"return\": \"%s\", \"id\": %" G_GINT64_FORMAT "}\r\n",
                                    cmd, id, held_cmd, held_id);
            fake_send(f->fd, reply, false);
            g_clear_pointer(&held_cmd, g_free);
            break;
        case FAKE_SILENT:
            break;
        }
    }
    g_free(held_cmd);
    close(f->fd);
    return NULL;
}

/* Starts a fake peer in @mode; returns our end of the socketpair. */
static int
fake_start(Fake *f, FakeMode mode)
{
    int sv[2];

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    f->fd = sv[1];
    f->mode = mode;
    g_mutex_init(&f->lock);
    f->last_request = NULL;
    f->thread = g_thread_new("fake-qemu", fake_run, f);
    return sv[0];
}

static char *
fake_last_request(Fake *f)
{
    char *line;

    g_mutex_lock(&f->lock);
    line = g_strdup(f->last_request);
    g_mutex_unlock(&f->lock);
    return line;
}

/* The balloon target goes to QMP in bytes: KiB * 1024, never * 1000. */
static void
test_fake_balloon_bytes(void)
{
    static const struct {
        guint64 kib;
        gint64 bytes;
    } cases[] = {
        { 524288, G_GINT64_CONSTANT(536870912) },
        { 500000, G_GINT64_CONSTANT(512000000) },
        { 1, 1024 },
        { G_GUINT64_CONSTANT(8589934592), G_GINT64_CONSTANT(8796093022208) },
    };
    g_autoptr(GError) error = NULL;
    g_autoptr(MvQemuMonitor) mon = NULL;
    Loop loop;
    Seen seen;
    Fake fake;
    int fd;

    seen_init(&seen);
    loop_start(&loop);
    fd = fake_start(&fake, FAKE_NORMAL);
    mon = mv_qemu_monitor_open_fd(fd, loop.ctx, &callbacks, &seen, 5000, &error);
    g_assert_no_error(error);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(JsonParser) parser = json_parser_new();
        g_autofree char *line = NULL;
        JsonObject *req;
        JsonObject *args;

        g_assert_true(mv_qemu_monitor_balloon(mon, cases[i].kib, &error));
        g_assert_no_error(error);
        line = fake_last_request(&fake);
        g_assert_true(json_parser_load_from_data(parser, line, -1, NULL));
        req = json_node_get_object(json_parser_get_root(parser));
        g_assert_cmpstr(json_object_get_string_member(req, "execute"), ==, "balloon");
        args = json_object_get_object_member(req, "arguments");
        g_assert_cmpint(json_object_get_int_member(args, "value"), ==, cases[i].bytes);
    }
    g_assert_false(mv_qemu_monitor_balloon(mon, G_MAXUINT64 / 1000, &error));
    g_assert_true(mv_error_matches(error, MV_ERR_INVALID_ARG));

    shutdown(fake.fd, SHUT_RDWR);
    g_thread_join(fake.thread);
    g_assert_true(seen_wait_eof(&seen, 5000));
    g_clear_pointer(&mon, mv_qemu_monitor_free);
    loop_stop(&loop);
    g_free(fake.last_request);
    g_mutex_clear(&fake.lock);
    seen_clear(&seen);
}

static void
test_fake_chunked(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MvQemuMonitor) mon = NULL;
    g_autoptr(JsonNode) reply = NULL;
    Loop loop;
    Seen seen;
    Fake fake;
    int fd;

    seen_init(&seen);
    loop_start(&loop);
    fd = fake_start(&fake, FAKE_NORMAL);
    mon = mv_qemu_monitor_open_fd(fd, loop.ctx, &callbacks, &seen, 5000, &error);
    g_assert_no_error(error);

    reply = mv_qemu_monitor_command(mon, "hello", NULL, 5000, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(json_object_get_string_member(json_node_get_object(reply), "cmd"), ==,
                    "hello");
    g_assert_true(seen_wait_event(&seen, "STOP", 5000));
    g_assert_true(seen.callback_thread == loop.thread);

    g_assert_true(mv_qemu_monitor_stop(mon, &error));
    g_assert_false(mv_qemu_monitor_query_status(mon, NULL, NULL, &error));
    g_assert_nonnull(strstr(error->message, "unexpected reply"));
    g_clear_error(&error);

    g_assert_null(mv_qemu_monitor_command(mon, "fail", json_object_new(), 5000, &error));
    g_assert_true(mv_error_matches(error, MV_ERR_OPERATION_FAILED));
    g_assert_cmpstr(error->message, ==,
                    "internal error: unable to execute QEMU command 'fail': it broke");
    g_clear_error(&error);

    /* the peer goes away: eof once */
    shutdown(fake.fd, SHUT_RDWR);
    g_thread_join(fake.thread);
    g_clear_pointer(&fake.last_request, g_free);
    g_assert_true(seen_wait_eof(&seen, 5000));
    g_assert_null(mv_qemu_monitor_command(mon, "hello", NULL, 5000, &error));
    g_assert_true(mv_error_matches(error, MV_ERR_OPERATION_FAILED));
    g_assert_true(g_str_has_prefix(error->message, "QEMU monitor closed: "));

    g_clear_pointer(&mon, mv_qemu_monitor_free);
    loop_stop(&loop);
    g_assert_cmpint(seen.eofs, ==, 1);
    seen_clear(&seen);
}

typedef struct {
    MvQemuMonitor *mon;
    const char *cmd;
    int timeout_ms;
    JsonNode *reply;
    GError *error;
} CommandArgs;

static gpointer
command_thread(gpointer data)
{
    CommandArgs *a = data;

    a->reply = mv_qemu_monitor_command(a->mon, a->cmd, NULL, a->timeout_ms, &a->error);
    return NULL;
}

static void
test_fake_reversed(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MvQemuMonitor) mon = NULL;
    CommandArgs a = { .cmd = "first", .timeout_ms = 5000 };
    CommandArgs b = { .cmd = "second", .timeout_ms = 5000 };
    GThread *ta;
    Loop loop;
    Fake fake;
    int fd;

    loop_start(&loop);
    fd = fake_start(&fake, FAKE_REVERSED);
    mon = mv_qemu_monitor_open_fd(fd, loop.ctx, NULL, NULL, 5000, &error);
    g_assert_no_error(error);
    a.mon = b.mon = mon;
    ta = g_thread_new("first", command_thread, &a);
    g_usleep(20000);    /* "first" is held by the peer */
    command_thread(&b);
    g_thread_join(ta);
    g_assert_no_error(a.error);
    g_assert_no_error(b.error);
    g_assert_cmpstr(json_node_get_string(a.reply), ==, "first");
    g_assert_cmpstr(json_node_get_string(b.reply), ==, "second");
    json_node_free(a.reply);
    json_node_free(b.reply);

    g_clear_pointer(&mon, mv_qemu_monitor_free);
    g_thread_join(fake.thread);
    g_clear_pointer(&fake.last_request, g_free);
    loop_stop(&loop);
}

static void
test_fake_timeout_and_close(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MvQemuMonitor) mon = NULL;
    CommandArgs a = { .cmd = "forever", .timeout_ms = -1 };
    GThread *ta;
    gint64 t0;
    Loop loop;
    Seen seen;
    Fake fake;
    int fd;

    seen_init(&seen);
    loop_start(&loop);
    fd = fake_start(&fake, FAKE_SILENT);
    mon = mv_qemu_monitor_open_fd(fd, loop.ctx, &callbacks, &seen, 5000, &error);
    g_assert_no_error(error);

    t0 = g_get_monotonic_time();
    g_assert_null(mv_qemu_monitor_command(mon, "slow-one", NULL, 150, &error));
    g_assert_true(mv_error_matches(error, MV_ERR_OPERATION_TIMEOUT));
    g_assert_nonnull(strstr(error->message, "'slow-one'"));
    g_assert_cmpint(g_get_monotonic_time() - t0, >=, 140 * 1000);
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 2000 * 1000);
    g_clear_error(&error);

    /* a waiter without a timeout is released by close, and no eof follows */
    a.mon = mon;
    ta = g_thread_new("forever", command_thread, &a);
    g_usleep(20000);
    mv_qemu_monitor_close(mon);
    g_thread_join(ta);
    g_assert_null(a.reply);
    g_assert_true(mv_error_matches(a.error, MV_ERR_OPERATION_FAILED));
    g_assert_true(g_str_has_prefix(a.error->message, "QEMU monitor closed: "));
    g_clear_error(&a.error);
    mv_qemu_monitor_close(mon);
    g_assert_false(mv_qemu_monitor_cont(mon, &error));
    g_assert_true(mv_error_matches(error, MV_ERR_OPERATION_FAILED));

    g_clear_pointer(&mon, mv_qemu_monitor_free);
    g_thread_join(fake.thread);
    g_clear_pointer(&fake.last_request, g_free);
    g_assert_false(seen_wait_eof(&seen, 100));
    loop_stop(&loop);
    seen_clear(&seen);
}

static void
test_fake_no_greeting(void)
{
    g_autoptr(GError) error = NULL;
    int sv[2];
    gint64 t0 = g_get_monotonic_time();

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    g_assert_null(mv_qemu_monitor_open_fd(sv[0], NULL, NULL, NULL, 100, &error));
    g_assert_true(mv_error_matches(error, MV_ERR_OPERATION_TIMEOUT));
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 1000 * 1000);
    g_clear_error(&error);
    /* the peer hangs up before the greeting */
    close(sv[1]);
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    close(sv[1]);
    g_assert_null(mv_qemu_monitor_open_fd(sv[0], NULL, NULL, NULL, 1000, &error));
    g_assert_true(mv_error_matches(error, MV_ERR_OPERATION_FAILED));
}

static void
test_open_nobody_listens(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp("mv-monitor-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "nobody.sock", NULL);
    gint64 t0 = g_get_monotonic_time();
    gint64 took;

    g_assert_null(mv_qemu_monitor_open(path, NULL, NULL, NULL, 300, &error));
    took = g_get_monotonic_time() - t0;
    g_assert_true(mv_error_matches(error, MV_ERR_OPERATION_TIMEOUT));
    g_assert_nonnull(strstr(error->message, path));
    g_assert_cmpint(took, >=, 290 * 1000);
    g_assert_cmpint(took, <, 1500 * 1000);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
}

/* ---- a real QEMU ------------------------------------------------------- */

typedef struct {
    char *dir;
    char *sock;
    MvChild *child;
    gint64 exec_time;
} Qemu;

static void
qemu_start(Qemu *q)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *chardev = NULL;
    const char *argv[] = {
        qemu_path, "-machine", "pc,accel=tcg", "-m", "64", "-nodefaults", "-display", "none",
        "-S", "-chardev", NULL, "-mon", "chardev=monitor,mode=control", NULL,
    };
    MvChildOptions opts = { .argv = argv, .err = { .kind = MV_CHILD_STDIO_INHERIT } };

    q->dir = g_dir_make_tmp("mv-monitor-XXXXXX", NULL);
    q->sock = g_build_filename(q->dir, "qmp.sock", NULL);
    chardev = g_strdup_printf("socket,id=monitor,path=%s,server=on,wait=off", q->sock);
    argv[10] = chardev;
    q->exec_time = g_get_monotonic_time();
    q->child = mv_child_spawn(&opts, &error);
    g_assert_no_error(error);
}

/* Always kills and reaps QEMU, then cleans the directory. */
static void
qemu_finish(Qemu *q, int *ret_status)
{
    g_autoptr(GError) error = NULL;
    int status = -1;

    g_assert_true(mv_child_terminate(q->child, 2000, &error));
    g_assert_no_error(error);
    g_assert_true(mv_child_get_exit_status(q->child, &status));
    if (ret_status)
        *ret_status = status;
    mv_child_free(q->child);
    g_unlink(q->sock);
    g_rmdir(q->dir);
    g_free(q->sock);
    g_free(q->dir);
}

static gpointer
kind_thread(gpointer data)
{
    CommandArgs *a = data;
    const char *const member[] = { "status", "kvm-enabled", "qemu", "enabled" };
    const char *const cmds[] = { "query-status", "query-machines", "query-version", "query-kvm" };
    int k;

    for (k = 0; k < 4 && !g_str_equal(cmds[k], a->cmd); k++)
        ;
    g_assert_cmpint(k, <, 4);
    for (int i = 0; i < 40; i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(JsonNode) reply = mv_qemu_monitor_command(a->mon, a->cmd, NULL, 10000, &error);

        g_assert_no_error(error);
        if (k == 1) {    /* an array of machines */
            g_assert_true(JSON_NODE_HOLDS_ARRAY(reply));
            continue;
        }
        g_assert_true(JSON_NODE_HOLDS_OBJECT(reply));
        g_assert_true(json_object_has_member(json_node_get_object(reply), member[k]));
    }
    return NULL;
}

static void
test_qemu_lifecycle(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MvQemuMonitor) mon = NULL;
    g_autofree char *status = NULL;
    g_autofree char *text = NULL;
    g_autofree char *pty = NULL;
    CommandArgs args[4] = {
        { .cmd = "query-status" }, { .cmd = "query-machines" },
        { .cmd = "query-version" }, { .cmd = "query-kvm" },
    };
    GThread *threads[4];
    bool running = true;
    int wstatus;
    gint64 t0;
    Loop loop;
    Seen seen;
    Qemu q;

    seen_init(&seen);
    loop_start(&loop);
    qemu_start(&q);
    mon = mv_qemu_monitor_open(q.sock, loop.ctx, &callbacks, &seen, 10000, &error);
    g_assert_no_error(error);
    g_test_message("QEMU exec -> QMP ready: %.1f ms",
                   (g_get_monotonic_time() - q.exec_time) / 1000.0);

    g_assert_true(mv_qemu_monitor_query_status(mon, &status, &running, &error));
    g_assert_no_error(error);
    g_assert_cmpstr(status, ==, "prelaunch");
    g_assert_false(running);
    g_clear_pointer(&status, g_free);

    t0 = g_get_monotonic_time();
    g_assert_true(mv_qemu_monitor_cont(mon, &error));
    g_assert_no_error(error);
    g_assert_true(seen_wait_event(&seen, "RESUME", 5000));
    g_test_message("cont -> RESUME: %.2f ms", (g_get_monotonic_time() - t0) / 1000.0);
    g_assert_true(seen.callback_thread == loop.thread);
    g_assert_true(mv_qemu_monitor_query_status(mon, &status, &running, &error));
    g_assert_cmpstr(status, ==, "running");
    g_assert_true(running);
    g_clear_pointer(&status, g_free);

    g_assert_true(mv_qemu_monitor_stop(mon, &error));
    g_assert_true(seen_wait_event(&seen, "STOP", 5000));
    g_assert_true(mv_qemu_monitor_query_status(mon, &status, &running, &error));
    g_assert_cmpstr(status, ==, "paused");
    g_assert_false(running);

    g_assert_null(mv_qemu_monitor_command(mon, "no-such-command", NULL, 5000, &error));
    g_assert_true(mv_error_matches(error, MV_ERR_OPERATION_FAILED));
    g_assert_true(g_str_has_prefix(error->message, "internal error: unable to execute QEMU "
                                                   "command 'no-such-command': "));
    g_assert_nonnull(strstr(error->message, "not been found"));
    g_clear_error(&error);
    g_assert_false(mv_qemu_monitor_device_del(mon, "nosuchdev", &error));
    g_assert_nonnull(strstr(error->message, "nosuchdev"));
    g_clear_error(&error);

    g_assert_true(mv_qemu_monitor_human_command(mon, "info status", &text, &error));
    g_assert_no_error(error);
    g_assert_nonnull(strstr(text, "paused"));
    g_assert_false(mv_qemu_monitor_query_chardev_pty(mon, "monitor", &pty, &error));
    g_assert_nonnull(strstr(error->message, "not a pty"));
    g_clear_error(&error);
    g_assert_false(mv_qemu_monitor_query_chardev_pty(mon, "nosuch", &pty, &error));
    g_clear_error(&error);
    g_assert_null(pty);

    for (size_t i = 0; i < G_N_ELEMENTS(threads); i++) {
        args[i].mon = mon;
        threads[i] = g_thread_new("cmd", kind_thread, &args[i]);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(threads); i++)
        g_thread_join(threads[i]);

    g_assert_true(mv_qemu_monitor_quit(mon, &error));
    g_assert_no_error(error);
    g_assert_true(seen_wait_eof(&seen, 5000));
    g_assert_true(seen_has_event_locked(&seen, "SHUTDOWN guest=false reason=host-qmp-quit"));
    g_assert_true(mv_child_wait(q.child, 5000, &wstatus, &error));
    g_assert_true(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);

    g_clear_pointer(&mon, mv_qemu_monitor_free);
    qemu_finish(&q, NULL);
    loop_stop(&loop);
    g_assert_cmpint(seen.eofs, ==, 1);
    seen_clear(&seen);
}

/* Hot-plug plumbing on QEMU 7.2 (no guest OS, so device_del is only requested). */
static void
test_qemu_devices(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MvQemuMonitor) mon = NULL;
    g_autofree char *qcow2 = NULL;
    g_autofree char *raw = NULL;
    g_autofree char *text = NULL;
    const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", NULL, "16M", NULL };
    JsonObject *props;
    Qemu q;

    qemu_start(&q);
    mon = mv_qemu_monitor_open(q.sock, NULL, NULL, NULL, 10000, &error);
    g_assert_no_error(error);
    qcow2 = g_build_filename(q.dir, "disk.qcow2", NULL);
    raw = g_build_filename(q.dir, "empty.raw", NULL);
    argv[5] = qcow2;
    g_assert_true(mv_spawn_sync(argv, NULL, 10000, NULL, NULL, NULL, &error));
    g_assert_no_error(error);
    g_assert_true(g_file_set_contents(raw, "", 0, NULL));

    /* a failing format node leaves no file node behind */
    g_assert_false(mv_qemu_monitor_blockdev_add_file(mon, "disk1", raw, "qcow2", false, &error));
    g_assert_true(mv_error_matches(error, MV_ERR_OPERATION_FAILED));
    g_assert_nonnull(strstr(error->message, "'blockdev-add'"));
    g_clear_error(&error);
    g_assert_false(mv_qemu_monitor_blockdev_add_file(mon, "disk1", "/nonexistent.qcow2", "qcow2",
                                                     false, &error));
    g_clear_error(&error);
    g_assert_true(mv_qemu_monitor_blockdev_add_file(mon, "disk1", qcow2, "qcow2", false, &error));
    g_assert_no_error(error);

    props = json_object_new();
    json_object_set_string_member(props, "driver", "virtio-blk-pci");
    json_object_set_string_member(props, "drive", "disk1");
    json_object_set_string_member(props, "id", "virtio-disk1");
    g_assert_true(mv_qemu_monitor_device_add(mon, props, &error));
    g_assert_no_error(error);
    g_assert_true(mv_qemu_monitor_human_command(mon, "info block", &text, &error));
    g_assert_nonnull(strstr(text, "disk.qcow2"));
    g_assert_false(mv_qemu_monitor_blockdev_del_file(mon, "disk1", &error));    /* in use */
    g_clear_error(&error);
    g_assert_true(mv_qemu_monitor_device_del(mon, "virtio-disk1", &error));
    g_assert_no_error(error);

    props = json_object_new();
    json_object_set_string_member(props, "type", "user");
    json_object_set_string_member(props, "id", "net0");
    g_assert_true(mv_qemu_monitor_netdev_add(mon, props, &error));
    g_assert_no_error(error);
    g_assert_true(mv_qemu_monitor_netdev_del(mon, "net0", &error));
    g_assert_no_error(error);

    g_assert_false(mv_qemu_monitor_balloon(mon, 32 << 20, &error));
    g_assert_nonnull(strstr(error->message, "'balloon'"));
    g_clear_error(&error);
    props = json_object_new();
    json_object_set_string_member(props, "driver", "virtio-balloon-pci");
    json_object_set_string_member(props, "id", "balloon0");
    g_assert_true(mv_qemu_monitor_device_add(mon, props, &error));
    g_assert_true(mv_qemu_monitor_balloon(mon, 32 << 20, &error));
    g_assert_no_error(error);

    g_assert_true(mv_qemu_monitor_system_reset(mon, &error));
    g_assert_true(mv_qemu_monitor_system_powerdown(mon, &error));
    g_assert_no_error(error);

    g_clear_pointer(&mon, mv_qemu_monitor_free);
    g_unlink(qcow2);
    g_unlink(raw);
    qemu_finish(&q, NULL);
}

/* The listening socket is ours, handed to QEMU as an fd: connecting succeeds
 * at once and the greeting comes when QEMU accepts (no retry loop). */
static void
test_qemu_passed_socket(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MvQemuMonitor) mon = NULL;
    g_autofree char *dir = g_dir_make_tmp("mv-monitor-XXXXXX", NULL);
    g_autofree char *sock = g_build_filename(dir, "qmp.sock", NULL);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    const char *argv[] = {
        qemu_path, "-machine", "pc,accel=tcg", "-m", "64", "-nodefaults", "-display", "none",
        "-S", "-chardev", "socket,id=monitor,fd=3,server=on,wait=off",
        "-mon", "chardev=monitor,mode=control", NULL,
    };
    MvChildFd fds[1] = { { .child_fd = 3 } };
    MvChildOptions opts = { .argv = argv, .fds = fds, .n_fds = 1,
                            .err = { .kind = MV_CHILD_STDIO_INHERIT } };
    g_autoptr(MvChild) child = NULL;
    bool running = true;
    int lfd, cfd, wstatus = -1;
    gint64 t0;

    g_assert_cmpuint(strlen(sock), <, sizeof(addr.sun_path));
    strcpy(addr.sun_path, sock);
    lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(bind(lfd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(listen(lfd, 1), ==, 0);
    fds[0].parent_fd = lfd;

    t0 = g_get_monotonic_time();
    child = mv_child_spawn(&opts, &error);
    g_assert_no_error(error);
    close(lfd);
    cfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(connect(cfd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    mon = mv_qemu_monitor_open_fd(cfd, NULL, NULL, NULL, 10000, &error);
    g_assert_no_error(error);
    g_test_message("QEMU exec -> QMP ready (passed listening socket): %.1f ms",
                   (g_get_monotonic_time() - t0) / 1000.0);
    g_assert_true(mv_qemu_monitor_query_status(mon, NULL, &running, &error));
    g_assert_false(running);
    g_assert_true(mv_qemu_monitor_quit(mon, &error));
    g_assert_no_error(error);
    g_assert_true(mv_child_wait(child, 5000, &wstatus, &error));
    g_assert_true(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
    g_unlink(sock);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
}

/* QEMU dies before it listens: open_child fails at once, not at the timeout. */
static void
test_qemu_exits_early(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp("mv-monitor-XXXXXX", NULL);
    g_autofree char *sock = g_build_filename(dir, "qmp.sock", NULL);
    g_autofree char *qmp = g_strdup_printf("unix:%s,server=on,wait=off", sock);
    const char *argv[] = { qemu_path, "-machine", "no-such-machine", "-qmp", qmp, NULL };
    MvChildOptions opts = { .argv = argv };
    g_autoptr(MvChild) child = mv_child_spawn(&opts, &error);
    gint64 t0 = g_get_monotonic_time();

    g_assert_no_error(error);
    if (mv_child_get_pidfd(child) < 0) {
        g_test_skip("no pidfd_open() here");
    } else {
        g_assert_null(mv_qemu_monitor_open_child(sock, mv_child_get_pidfd(child), NULL, NULL,
                                                 NULL, 20000, &error));
        g_assert_true(mv_error_matches(error, MV_ERR_OPERATION_FAILED));
        g_assert_nonnull(strstr(error->message, "QEMU exited"));
        g_assert_cmpint(g_get_monotonic_time() - t0, <, 5000 * 1000);
    }
    g_assert_true(mv_child_terminate(child, 1000, NULL));
    g_unlink(sock);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
}

/* Nobody runs the context: the command's thread reads its reply itself and the
 * events wait for the context. */
static void
test_qemu_inline(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MvQemuMonitor) mon = NULL;
    g_autoptr(GMainContext) ctx = g_main_context_new();
    bool running = false;
    Seen seen;
    Qemu q;

    seen_init(&seen);
    qemu_start(&q);
    mon = mv_qemu_monitor_open(q.sock, ctx, &callbacks, &seen, 10000, &error);
    g_assert_no_error(error);
    g_assert_true(mv_qemu_monitor_cont(mon, &error));
    g_assert_true(mv_qemu_monitor_query_status(mon, NULL, &running, &error));
    g_assert_no_error(error);
    g_assert_true(running);
    g_assert_cmpuint(seen.events->len, ==, 0);
    while (!seen_has_event_locked(&seen, "RESUME"))
        g_main_context_iteration(ctx, TRUE);

    g_clear_pointer(&mon, mv_qemu_monitor_free);
    qemu_finish(&q, NULL);
    seen_clear(&seen);
}

static void
test_qemu_killed(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MvQemuMonitor) mon = NULL;
    int wstatus = 0;
    gint64 t0;
    Loop loop;
    Seen seen;
    Qemu q;

    seen_init(&seen);
    loop_start(&loop);
    qemu_start(&q);
    mon = mv_qemu_monitor_open(q.sock, loop.ctx, &callbacks, &seen, 10000, &error);
    g_assert_no_error(error);
    g_assert_true(mv_qemu_monitor_cont(mon, &error));

    t0 = g_get_monotonic_time();
    g_assert_cmpint(kill(mv_child_get_pid(q.child), SIGKILL), ==, 0);
    g_assert_true(seen_wait_eof(&seen, 2000));
    g_test_message("SIGKILL -> eof: %.2f ms", (seen.eof_time - t0) / 1000.0);
    g_assert_nonnull(seen.eof_reason);
    g_assert_false(mv_qemu_monitor_stop(mon, &error));
    g_assert_true(g_str_has_prefix(error->message, "QEMU monitor closed: "));

    g_clear_pointer(&mon, mv_qemu_monitor_free);
    qemu_finish(&q, &wstatus);
    g_assert_true(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL);
    loop_stop(&loop);
    seen_clear(&seen);
}

/* Registered in place of each test that needs the real QEMU: a visible skip. */
static void
test_no_qemu(void)
{
    g_test_skip(MV_QEMU_BINARY " is not installed (scripts/install-deps.sh installs it)");
}

int
main(int argc, char **argv)
{
    int rc;

    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qemu-monitor/fake/chunked", test_fake_chunked);
    g_test_add_func("/qemu-monitor/fake/balloon-bytes", test_fake_balloon_bytes);
    g_test_add_func("/qemu-monitor/fake/reversed", test_fake_reversed);
    g_test_add_func("/qemu-monitor/fake/timeout-and-close", test_fake_timeout_and_close);
    g_test_add_func("/qemu-monitor/fake/no-greeting", test_fake_no_greeting);
    g_test_add_func("/qemu-monitor/open-nobody-listens", test_open_nobody_listens);

    qemu_path = g_find_program_in_path(MV_QEMU_BINARY);
    g_test_add_func("/qemu-monitor/qemu/lifecycle",
                    qemu_path ? test_qemu_lifecycle : test_no_qemu);
    g_test_add_func("/qemu-monitor/qemu/devices",
                    qemu_path ? test_qemu_devices : test_no_qemu);
    g_test_add_func("/qemu-monitor/qemu/exits-early",
                    qemu_path ? test_qemu_exits_early : test_no_qemu);
    g_test_add_func("/qemu-monitor/qemu/passed-socket",
                    qemu_path ? test_qemu_passed_socket : test_no_qemu);
    g_test_add_func("/qemu-monitor/qemu/inline",
                    qemu_path ? test_qemu_inline : test_no_qemu);
    g_test_add_func("/qemu-monitor/qemu/killed",
                    qemu_path ? test_qemu_killed : test_no_qemu);
    rc = g_test_run();
    g_free(qemu_path);
    return rc;
}
