/* QMP client: one socket, read on the context's thread (or inline by a waiting
 * command when nobody runs the context), replies matched to commands by id. */
#define MV_LOG_CATEGORY "qemu.monitor"

#include "qemu-monitor.h"
#include "qemu-json.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/error.h"
#include "util/fd.h"
#include "util/log.h"

/* A reply larger than this without a newline means the stream is broken. */
#define MON_MAX_LINE (64 * 1024 * 1024)
#define MON_READ_SIZE 65536
/* How often a waiting command re-checks whether it could read itself. */
#define MON_WAIT_SLICE_US (100 * 1000)

typedef struct {
    guint64 id;
    char *cmd;
    bool done;
    JsonNode *reply;    /* the "return" value */
    GError *error;
} MonPending;

typedef struct {
    char *name;
    JsonObject *data;
    gint64 timestamp_us;
} MonEvent;

struct _MvQemuMonitor {
    gint refs;
    int fd;
    GMainContext *ctx;
    MvQemuMonitorCallbacks cb;
    gpointer opaque;

    /* Reader state: touched only by the thread that owns ctx (or by open()
     * before the source is attached). */
    GString *rbuf;
    bool greeting;

    GMutex write_lock;      /* keeps each command's bytes together */

    GMutex lock;            /* everything below */
    GCond cond;             /* a command finished, or the reader role is free */
    GSource *source;
    GList *pending;         /* MonPending *, in sending order */
    GQueue events;          /* MonEvent *, read but not yet delivered */
    guint64 next_id;
    bool eof;
    bool eof_delivered;
    bool closed;
    char *eof_reason;
};

typedef struct {
    GSource base;
    MvQemuMonitor *mon;
    gpointer tag;
} MonSource;

static gint64
mon_deadline(int timeout_ms)
{
    return timeout_ms < 0 ? -1 : g_get_monotonic_time() + (gint64)timeout_ms * 1000;
}

/* Milliseconds left before @deadline for poll(): -1 forever, 0 expired. */
static int
mon_remaining_ms(gint64 deadline)
{
    gint64 left;

    if (deadline < 0)
        return -1;
    left = deadline - g_get_monotonic_time();
    if (left <= 0)
        return 0;
    return (int)MIN((left + 999) / 1000, G_MAXINT);
}

static void
mon_pending_free(MonPending *p)
{
    if (!p)
        return;
    g_free(p->cmd);
    if (p->reply)
        json_node_free(p->reply);
    g_clear_error(&p->error);
    g_free(p);
}

static void
mon_event_free(MonEvent *ev)
{
    g_free(ev->name);
    json_object_unref(ev->data);
    g_free(ev);
}

static MvQemuMonitor *
mon_ref(MvQemuMonitor *mon)
{
    g_atomic_int_inc(&mon->refs);
    return mon;
}

static void
mon_unref(MvQemuMonitor *mon)
{
    if (!g_atomic_int_dec_and_test(&mon->refs))
        return;
    g_assert(!mon->source && !mon->pending);
    mv_close_fdp(&mon->fd);
    if (mon->ctx)
        g_main_context_unref(mon->ctx);
    g_string_free(mon->rbuf, TRUE);
    g_queue_clear_full(&mon->events, (GDestroyNotify)mon_event_free);
    g_free(mon->eof_reason);
    g_mutex_clear(&mon->write_lock);
    g_mutex_clear(&mon->lock);
    g_cond_clear(&mon->cond);
    g_free(mon);
}

/* ---- reading (reader role only) --------------------------------------- */

/* Fails every unfinished command with "QEMU monitor closed: @reason". Locked. */
static void
mon_fail_pending_locked(MvQemuMonitor *mon, const char *reason)
{
    for (GList *l = mon->pending; l; l = l->next) {
        MonPending *p = l->data;

        if (p->done)
            continue;
        mv_error_set(&p->error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                     "QEMU monitor closed: %s", reason);
        p->done = true;
    }
    g_cond_broadcast(&mon->cond);
}

static MonPending *
mon_find_pending_locked(MvQemuMonitor *mon, guint64 id)
{
    for (GList *l = mon->pending; l; l = l->next) {
        MonPending *p = l->data;

        if (p->id == id)
            return p;
    }
    return NULL;
}

static void
mon_handle_event(MvQemuMonitor *mon, JsonObject *obj)
{
    JsonNode *name = json_object_get_member(obj, "event");
    JsonNode *data = json_object_get_member(obj, "data");
    JsonNode *ts = json_object_get_member(obj, "timestamp");
    MonEvent *ev;

    if (!name || !JSON_NODE_HOLDS_VALUE(name) ||
        json_node_get_value_type(name) != G_TYPE_STRING) {
        mv_log_debug("QEMU monitor: event without a name, ignored");
        return;
    }
    ev = g_new0(MonEvent, 1);
    ev->name = g_strdup(json_node_get_string(name));
    if (data && JSON_NODE_HOLDS_OBJECT(data))
        ev->data = json_object_ref(json_node_get_object(data));
    else
        ev->data = json_object_new();
    if (ts && JSON_NODE_HOLDS_OBJECT(ts)) {
        JsonObject *t = json_node_get_object(ts);
        gint64 sec = mv_qemu_json_get_int(t, "seconds", 0);
        gint64 usec = mv_qemu_json_get_int(t, "microseconds", 0);

        /* QEMU's numbers, so anything: out of range means no timestamp. */
        if (sec >= 0 && sec <= G_MAXINT64 / G_USEC_PER_SEC - 1 && usec >= 0 &&
            usec < G_USEC_PER_SEC)
            ev->timestamp_us = sec * G_USEC_PER_SEC + usec;
    }
    mv_log_debug("QEMU monitor: event %s", ev->name);

    g_mutex_lock(&mon->lock);
    g_queue_push_tail(&mon->events, ev);
    if (mon->source)
        g_source_set_ready_time(mon->source, 0);
    g_mutex_unlock(&mon->lock);
}

static void
mon_handle_reply(MvQemuMonitor *mon, JsonObject *obj, const char *line)
{
    JsonNode *idn = json_object_get_member(obj, "id");
    JsonNode *ret = json_object_get_member(obj, "return");
    JsonNode *err = json_object_get_member(obj, "error");
    MonPending *p;

    if (!idn || !JSON_NODE_HOLDS_VALUE(idn) || json_node_get_value_type(idn) != G_TYPE_INT64) {
        mv_log_debug("QEMU monitor: reply without our id, ignored: %.200s", line);
        return;
    }
    g_mutex_lock(&mon->lock);
    p = mon_find_pending_locked(mon, (guint64)json_node_get_int(idn));
    if (!p || p->done) {
        g_mutex_unlock(&mon->lock);
        mv_log_debug("QEMU monitor: reply to a command nobody waits for: %.200s", line);
        return;
    }
    if (ret) {
        p->reply = json_node_copy(ret);
    } else {
        const char *desc = NULL;

        if (err && JSON_NODE_HOLDS_OBJECT(err))
            desc = mv_qemu_json_get_string(json_node_get_object(err), "desc", NULL);
        mv_error_set(&p->error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                     "internal error: unable to execute QEMU command '%s': %s", p->cmd,
                     desc ? desc : "unknown error");
    }
    p->done = true;
    g_cond_broadcast(&mon->cond);
    g_mutex_unlock(&mon->lock);
}

static void
mon_handle_line(MvQemuMonitor *mon, const char *line)
{
    g_autoptr(JsonParser) parser = json_parser_new_immutable();
    g_autoptr(GError) err = NULL;
    JsonNode *root;
    JsonObject *obj;

    if (!*line)
        return;
    if (!json_parser_load_from_data(parser, line, -1, &err) ||
        !(root = json_parser_get_root(parser)) || !JSON_NODE_HOLDS_OBJECT(root)) {
        mv_log_debug("QEMU monitor: ignoring a line that is not a JSON object (%s): %.200s",
                       err ? err->message : "wrong type", line);
        return;
    }
    obj = json_node_get_object(root);
    if (json_object_has_member(obj, "event"))
        mon_handle_event(mon, obj);
    else if (json_object_has_member(obj, "return") || json_object_has_member(obj, "error"))
        mon_handle_reply(mon, obj, line);
    else if (json_object_has_member(obj, "QMP"))
        mon->greeting = true;
    else
        mv_log_debug("QEMU monitor: ignoring an unknown message: %.200s", line);
}

/* Handles every complete line in the read buffer. */
static void
mon_process_buffer(MvQemuMonitor *mon)
{
    gsize start = 0;
    char *nl;

    while ((nl = memchr(mon->rbuf->str + start, '\n', mon->rbuf->len - start))) {
        char *line = mon->rbuf->str + start;
        gsize len = nl - line;

        if (len && line[len - 1] == '\r')
            len--;
        line[len] = '\0';
        mon_handle_line(mon, line);
        start = nl - mon->rbuf->str + 1;
    }
    if (start)
        g_string_erase(mon->rbuf, 0, start);
}

/* The connection is over: handle what was read, fail waiting commands and let
 * the source deliver the eof callback. */
static void
mon_handle_eof(MvQemuMonitor *mon, const char *reason)
{
    mon_process_buffer(mon);
    g_mutex_lock(&mon->lock);
    if (!mon->eof) {
        mv_log_debug("QEMU monitor: %s", reason);
        mon->eof = true;
        mon->eof_reason = g_strdup(reason);
        mon_fail_pending_locked(mon, reason);
        if (mon->source)
            g_source_set_ready_time(mon->source, 0);
    }
    g_mutex_unlock(&mon->lock);
}

/* Reads what is available without blocking (a bounded number of chunks).
 * Returns false once the connection is over. */
static bool
mon_read(MvQemuMonitor *mon)
{
    char buf[MON_READ_SIZE];

    for (int i = 0; i < 16; i++) {
        ssize_t n = recv(mon->fd, buf, sizeof(buf), MSG_DONTWAIT);

        if (n > 0) {
            g_string_append_len(mon->rbuf, buf, n);
            if (mon->rbuf->len > MON_MAX_LINE && !memchr(mon->rbuf->str, '\n', mon->rbuf->len)) {
                mon_handle_eof(mon, "QEMU sent an overlong message");
                shutdown(mon->fd, SHUT_RDWR);
                return false;
            }
            if ((size_t)n < sizeof(buf))
                return true;
            continue;
        }
        if (n == 0) {
            mon_handle_eof(mon, "QEMU closed the monitor connection");
            return false;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return true;
        {
            g_autofree char *reason = g_strdup_printf("cannot read from the QEMU monitor: %s",
                                                      g_strerror(errno));
            mon_handle_eof(mon, reason);
        }
        return false;
    }
    return true;
}

/* Waits until the socket is readable or @deadline, then reads and handles
 * complete lines. Returns false when the deadline passed. */
static bool
mon_pump_once(MvQemuMonitor *mon, gint64 deadline)
{
    struct pollfd pfd = { .fd = mon->fd, .events = POLLIN };
    int ms = mon_remaining_ms(deadline);
    int r;

    if (ms == 0)
        return false;
    r = poll(&pfd, 1, ms);
    if (r < 0 && errno != EINTR) {
        g_autofree char *reason = g_strdup_printf("cannot poll the QEMU monitor: %s",
                                                  g_strerror(errno));
        mon_handle_eof(mon, reason);
        return true;
    }
    if (r > 0 && mon_read(mon))
        mon_process_buffer(mon);
    return true;
}

/* ---- the source on the context ---------------------------------------- */

static gboolean
mon_source_dispatch(GSource *source, GSourceFunc func, gpointer data)
{
    MonSource *s = (MonSource *)source;
    MvQemuMonitor *mon = s->mon;
    bool eof;

    g_source_set_ready_time(source, -1);
    g_mutex_lock(&mon->lock);
    eof = mon->eof;
    g_mutex_unlock(&mon->lock);

    if (!eof && g_source_query_unix_fd(source, s->tag))
        mon_read(mon);
    mon_process_buffer(mon);

    for (;;) {
        MonEvent *ev;

        g_mutex_lock(&mon->lock);
        ev = mon->closed ? NULL : g_queue_pop_head(&mon->events);
        g_mutex_unlock(&mon->lock);
        if (!ev)
            break;
        if (mon->cb.event)
            mon->cb.event(mon, ev->name, ev->data, ev->timestamp_us, mon->opaque);
        mon_event_free(ev);
    }

    g_mutex_lock(&mon->lock);
    eof = mon->eof;
    if (eof && !mon->closed && !mon->eof_delivered) {
        g_autofree char *reason = g_strdup(mon->eof_reason);

        mon->eof_delivered = true;
        g_mutex_unlock(&mon->lock);
        if (mon->cb.eof)
            mon->cb.eof(mon, reason, mon->opaque);
        return G_SOURCE_REMOVE;
    }
    g_mutex_unlock(&mon->lock);
    return eof ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static void
mon_source_finalize(GSource *source)
{
    mon_unref(((MonSource *)source)->mon);
}

static GSourceFuncs mon_source_funcs = {
    .dispatch = mon_source_dispatch,
    .finalize = mon_source_finalize,
};

static void
mon_attach(MvQemuMonitor *mon)
{
    GSource *source = g_source_new(&mon_source_funcs, sizeof(MonSource));
    MonSource *s = (MonSource *)source;

    s->mon = mon_ref(mon);
    s->tag = g_source_add_unix_fd(source, mon->fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
    g_source_set_static_name(source, "qemu-monitor");
    g_mutex_lock(&mon->lock);
    mon->source = source;
    /* events or lines read during the handshake */
    if (mon->events.length || mon->rbuf->len)
        g_source_set_ready_time(source, 0);
    g_mutex_unlock(&mon->lock);
    g_source_attach(source, mon->ctx);
}

/* ---- commands --------------------------------------------------------- */

static bool
mon_closed_error(MvQemuMonitor *mon, GError **error)
{
    return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED, "QEMU monitor closed: %s",
                        mon->eof_reason ? mon->eof_reason : "not connected");
}

/* Writes all of @data before @deadline. A partial write breaks the stream for
 * everyone, so then the connection is shut down. */
/* Sends @data, with @pass_fd (>= 0) attached to its first byte as SCM_RIGHTS
 * (QMP getfd takes the fd from the message that carries the command). */
static ssize_t
mon_send(int sock, const char *data, gsize len, int pass_fd)
{
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
    struct cmsghdr *cmsg;

    if (pass_fd < 0)
        return send(sock, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    memset(&control, 0, sizeof(control));
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof(control.buf);
    cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &pass_fd, sizeof(int));
    return sendmsg(sock, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
}

static bool
mon_write(MvQemuMonitor *mon, const char *data, gsize len, int pass_fd, gint64 deadline,
          GError **error)
{
    gsize off = 0;
    bool ok = true;

    g_mutex_lock(&mon->write_lock);
    while (off < len) {
        ssize_t n = mon_send(mon->fd, data + off, len - off, off == 0 ? pass_fd : -1);
        struct pollfd pfd = { .fd = mon->fd, .events = POLLOUT };
        int ms;

        if (n >= 0) {
            off += n;
            continue;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            ok = mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                              "QEMU monitor closed: cannot write to it: %s", g_strerror(errno));
            break;
        }
        if ((ms = mon_remaining_ms(deadline)) == 0 || (poll(&pfd, 1, ms) == 0 &&
                                                       mon_remaining_ms(deadline) == 0)) {
            ok = mv_error_set(
                error, MV_FROM_QEMU, MV_ERR_OPERATION_TIMEOUT,
                "Timed out during operation: cannot send a command to the QEMU monitor");
            break;
        }
    }
    if (!ok && off > 0)
        shutdown(mon->fd, SHUT_RDWR);
    g_mutex_unlock(&mon->write_lock);
    return ok;
}

/* Registers a command and sends it; on success *@ret_p is in mon->pending. */
static bool
mon_command_send(MvQemuMonitor *mon, const char *cmd, JsonObject *args, int pass_fd,
                 gint64 deadline, MonPending **ret_p, GError **error)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autoptr(JsonNode) root = NULL;
    g_autofree char *text = NULL;
    MonPending *p = g_new0(MonPending, 1);
    GString *line;
    bool ok;

    p->cmd = g_strdup(cmd);
    g_mutex_lock(&mon->lock);
    if (mon->closed || mon->eof) {
        mon_closed_error(mon, error);
        g_mutex_unlock(&mon->lock);
        mon_pending_free(p);
        return false;
    }
    p->id = ++mon->next_id;
    mon->pending = g_list_append(mon->pending, p);
    g_mutex_unlock(&mon->lock);

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "execute");
    json_builder_add_string_value(b, cmd);
    if (args) {
        JsonNode *n = json_node_init_object(json_node_alloc(), args);

        json_builder_set_member_name(b, "arguments");
        json_builder_add_value(b, n);
    }
    json_builder_set_member_name(b, "id");
    json_builder_add_int_value(b, (gint64)p->id);
    json_builder_end_object(b);
    root = json_builder_get_root(b);
    json_generator_set_root(gen, root);
    line = json_generator_to_gstring(gen, g_string_new(NULL));
    g_string_append(line, "\r\n");
    text = g_string_free(line, FALSE);
    /* Secrets never reach the logs. */
    if (g_str_equal(cmd, "set_password"))
        mv_log_debug(
            "QEMU monitor: send set_password (arguments not logged), id %" G_GUINT64_FORMAT, p->id);
    else
        mv_log_debug("QEMU monitor: send %s", text);

    ok = mon_write(mon, text, strlen(text), pass_fd, deadline, error);
    if (!ok) {
        g_mutex_lock(&mon->lock);
        mon->pending = g_list_remove(mon->pending, p);
        g_mutex_unlock(&mon->lock);
        mon_pending_free(p);
        return false;
    }
    *ret_p = p;
    return true;
}

/* Unregisters @p and turns it into the result. */
static JsonNode *
mon_command_finish(MvQemuMonitor *mon, MonPending *p, GError **error)
{
    JsonNode *reply = NULL;

    g_mutex_lock(&mon->lock);
    mon->pending = g_list_remove(mon->pending, p);
    if (p->done && p->error)
        g_propagate_error(error, g_steal_pointer(&p->error));
    else if (p->done)
        reply = g_steal_pointer(&p->reply);
    else
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_TIMEOUT,
                     "Timed out during operation: QEMU command '%s' got no reply", p->cmd);
    g_mutex_unlock(&mon->lock);
    mon_pending_free(p);
    return reply;
}

static bool
mon_pending_done(MvQemuMonitor *mon, MonPending *p)
{
    bool done;

    g_mutex_lock(&mon->lock);
    done = p->done;
    g_mutex_unlock(&mon->lock);
    return done;
}

/* Waits for @p: reads the socket itself whenever it can own the context
 * (nobody runs it, or this thread does), else sleeps until the context's
 * thread delivers the reply. */
static void
mon_command_wait(MvQemuMonitor *mon, MonPending *p, gint64 deadline)
{
    for (;;) {
        gint64 now = g_get_monotonic_time();
        gint64 until;

        if (mon_pending_done(mon, p) || (deadline >= 0 && now >= deadline))
            return;
        if (g_main_context_acquire(mon->ctx)) {
            while (!mon_pending_done(mon, p) && mon_pump_once(mon, deadline))
                ;
            g_main_context_release(mon->ctx);
            g_mutex_lock(&mon->lock);
            g_cond_broadcast(&mon->cond);    /* the reader role is free again */
            g_mutex_unlock(&mon->lock);
            continue;
        }
        until = now + MON_WAIT_SLICE_US;
        if (deadline >= 0 && deadline < until)
            until = deadline;
        g_mutex_lock(&mon->lock);
        if (!p->done)
            g_cond_wait_until(&mon->cond, &mon->lock, until);
        g_mutex_unlock(&mon->lock);
    }
}

/* mv_qemu_monitor_command() with @pass_fd (>= 0) passed along (SCM_RIGHTS). */
static JsonNode *
mon_command_fd(MvQemuMonitor *mon, const char *cmd, JsonObject *args, int pass_fd,
               int timeout_ms, GError **error)
{
    g_autoptr(JsonObject) owned = args;
    gint64 deadline = mon_deadline(timeout_ms);
    MonPending *p = NULL;
    JsonNode *reply;

    mon_ref(mon);
    if (!mon_command_send(mon, cmd, owned, pass_fd, deadline, &p, error)) {
        mon_unref(mon);
        return NULL;
    }
    mon_command_wait(mon, p, deadline);
    reply = mon_command_finish(mon, p, error);
    mon_unref(mon);
    return reply;
}

JsonNode *
mv_qemu_monitor_command(MvQemuMonitor *mon, const char *cmd, JsonObject *args,
                        int timeout_ms, GError **error)
{
    return mon_command_fd(mon, cmd, args, -1, timeout_ms, error);
}

/* ---- opening and closing ---------------------------------------------- */

static MvQemuMonitor *
mon_new(int fd, GMainContext *ctx, const MvQemuMonitorCallbacks *cb, gpointer opaque)
{
    MvQemuMonitor *mon = g_new0(MvQemuMonitor, 1);

    mon->refs = 1;
    mon->fd = fd;
    mon->ctx = g_main_context_ref(ctx ? ctx : g_main_context_default());
    if (cb)
        mon->cb = *cb;
    mon->opaque = opaque;
    mon->rbuf = g_string_sized_new(4096);
    g_mutex_init(&mon->write_lock);
    g_mutex_init(&mon->lock);
    g_cond_init(&mon->cond);
    g_queue_init(&mon->events);
    return mon;
}

/* Greeting, then qmp_capabilities, before @deadline; then attach. */
static MvQemuMonitor *
mon_handshake(int fd, GMainContext *ctx, const MvQemuMonitorCallbacks *cb, gpointer opaque,
              gint64 deadline, GError **error)
{
    g_autoptr(MvQemuMonitor) mon = NULL;
    g_autoptr(JsonNode) reply = NULL;
    MonPending *p = NULL;
    int flags = fcntl(fd, F_GETFL);

    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        mv_error_set_errno(error, MV_FROM_QEMU, errno, "cannot use the QEMU monitor socket");
        close(fd);
        return NULL;
    }
    mon = mon_new(fd, ctx, cb, opaque);

    while (!mon->greeting && !mon->eof) {
        if (!mon_pump_once(mon, deadline)) {
            mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_TIMEOUT,
                         "Timed out during operation: no greeting from the QEMU monitor");
            return NULL;
        }
    }
    if (mon->eof) {
        mon_closed_error(mon, error);
        return NULL;
    }
    if (!mon_command_send(mon, "qmp_capabilities", NULL, -1, deadline, &p, error))
        return NULL;
    while (!mon_pending_done(mon, p) && mon_pump_once(mon, deadline))
        ;
    if (!(reply = mon_command_finish(mon, p, error)))
        return NULL;
    mon_attach(mon);
    return g_steal_pointer(&mon);
}

MvQemuMonitor *
mv_qemu_monitor_open_fd(int fd, GMainContext *ctx, const MvQemuMonitorCallbacks *cb,
                        gpointer opaque, int timeout_ms, GError **error)
{
    return mon_handshake(fd, ctx, cb, opaque, mon_deadline(timeout_ms), error);
}

/* @socket_path as a UNIX address; false (error set) when it is too long. */
static bool
mon_address(const char *socket_path, struct sockaddr_un *addr, GError **error)
{
    if (strlen(socket_path) >= sizeof(addr->sun_path))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                            "QEMU monitor socket path '%s' is too long", socket_path);
    strcpy(addr->sun_path, socket_path);
    return true;
}

MvQemuMonitor *
mv_qemu_monitor_open_child(const char *socket_path, int pidfd, GMainContext *ctx,
                           const MvQemuMonitorCallbacks *cb, gpointer opaque, int timeout_ms,
                           GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    gint64 deadline = mon_deadline(timeout_ms);
    int attempts = 0;

    if (!mon_address(socket_path, &addr, error))
        return NULL;

    /* QEMU creates the socket a few milliseconds after exec: retry quickly at
     * first, then less often; a pidfd becomes readable when QEMU exits. */
    for (;;) {
        MV_AUTOCLOSE int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
        int wait_ms = attempts++ < 200 ? 1 : 10;
        int err;

        if (fd < 0) {
            mv_error_set_errno(error, MV_FROM_QEMU, errno, "cannot create a socket");
            return NULL;
        }
        if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
            return mon_handshake(mv_steal_fd(&fd), ctx, cb, opaque, deadline, error);
        err = errno;
        if (err != ENOENT && err != ECONNREFUSED && err != EAGAIN && err != EINTR) {
            mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                         "cannot connect to the QEMU monitor at '%s': %s", socket_path,
                         g_strerror(err));
            return NULL;
        }
        if (mon_remaining_ms(deadline) == 0) {
            mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_TIMEOUT,
                         "Timed out during operation: cannot connect to the QEMU monitor at '%s' "
                         "within %d ms: %s", socket_path, timeout_ms, g_strerror(err));
            return NULL;
        }
        if (pidfd >= 0 && poll(&pfd, 1, wait_ms) > 0) {
            mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                         "QEMU exited before its monitor at '%s' accepted connections",
                         socket_path);
            return NULL;
        }
        if (pidfd < 0)
            g_usleep(wait_ms * 1000);
    }
}

MvQemuMonitor *
mv_qemu_monitor_open(const char *socket_path, GMainContext *ctx,
                     const MvQemuMonitorCallbacks *cb, gpointer opaque, int timeout_ms,
                     GError **error)
{
    return mv_qemu_monitor_open_child(socket_path, -1, ctx, cb, opaque, timeout_ms, error);
}

MvQemuMonitor *
mv_qemu_monitor_reopen(const char *socket_path, GMainContext *ctx,
                       const MvQemuMonitorCallbacks *cb, gpointer opaque, int timeout_ms,
                       GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    MV_AUTOCLOSE int fd = -1;

    if (!mon_address(socket_path, &addr, error))
        return NULL;
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
        mv_error_set_errno(error, MV_FROM_QEMU, errno, "cannot create a socket");
        return NULL;
    }
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                     "cannot connect to the QEMU monitor at '%s': %s", socket_path,
                     g_strerror(errno));
        return NULL;
    }
    return mon_handshake(mv_steal_fd(&fd), ctx, cb, opaque, mon_deadline(timeout_ms), error);
}

void
mv_qemu_monitor_close(MvQemuMonitor *mon)
{
    GSource *source;

    g_mutex_lock(&mon->lock);
    if (mon->closed) {
        g_mutex_unlock(&mon->lock);
        return;
    }
    mon->closed = true;
    if (!mon->eof) {
        mon->eof = true;
        mon->eof_reason = g_strdup("the monitor was closed");
    }
    mon_fail_pending_locked(mon, mon->eof_reason);
    source = g_steal_pointer(&mon->source);
    g_mutex_unlock(&mon->lock);

    /* Wakes a thread reading inline; the fd itself stays open until the last
     * reference goes, so it is never reused under a reader. */
    shutdown(mon->fd, SHUT_RDWR);
    if (source) {
        g_source_destroy(source);
        g_source_unref(source);
    }
}

void
mv_qemu_monitor_free(MvQemuMonitor *mon)
{
    if (!mon)
        return;
    mv_qemu_monitor_close(mon);
    mon_unref(mon);
}

/* ---- convenience wrappers --------------------------------------------- */

static bool
mon_simple(MvQemuMonitor *mon, const char *cmd, JsonObject *args, GError **error)
{
    JsonNode *reply = mv_qemu_monitor_command(mon, cmd, args, MV_QEMU_MONITOR_TIMEOUT_MS, error);

    if (!reply)
        return false;
    json_node_free(reply);
    return true;
}

static JsonObject *
mon_args_string(const char *key, const char *value)
{
    JsonObject *args = json_object_new();

    json_object_set_string_member(args, key, value);
    return args;
}

bool
mv_qemu_monitor_cont(MvQemuMonitor *mon, GError **error)
{
    return mon_simple(mon, "cont", NULL, error);
}

bool
mv_qemu_monitor_stop(MvQemuMonitor *mon, GError **error)
{
    return mon_simple(mon, "stop", NULL, error);
}

bool
mv_qemu_monitor_system_powerdown(MvQemuMonitor *mon, GError **error)
{
    return mon_simple(mon, "system_powerdown", NULL, error);
}

bool
mv_qemu_monitor_system_reset(MvQemuMonitor *mon, GError **error)
{
    return mon_simple(mon, "system_reset", NULL, error);
}

bool
mv_qemu_monitor_quit(MvQemuMonitor *mon, GError **error)
{
    return mon_simple(mon, "quit", NULL, error);
}

static bool
mon_bad_reply(const char *cmd, GError **error)
{
    return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                        "internal error: unexpected reply to QEMU command '%s'", cmd);
}

bool
mv_qemu_monitor_query_status(MvQemuMonitor *mon, char **ret_status, bool *ret_running,
                             GError **error)
{
    g_autoptr(JsonNode) reply = mv_qemu_monitor_command(mon, "query-status", NULL,
                                                        MV_QEMU_MONITOR_TIMEOUT_MS, error);
    JsonObject *obj;
    const char *status;

    if (!reply)
        return false;
    if (!JSON_NODE_HOLDS_OBJECT(reply) ||
        !(status = mv_qemu_json_get_string(obj = json_node_get_object(reply), "status", NULL)))
        return mon_bad_reply("query-status", error);
    if (ret_running)
        *ret_running = mv_qemu_json_get_bool(obj, "running", false);
    if (ret_status)
        *ret_status = g_strdup(status);
    return true;
}

bool
mv_qemu_monitor_query_chardev_pty(MvQemuMonitor *mon, const char *chardev_id,
                                  char **ret_path, GError **error)
{
    g_autoptr(JsonNode) reply = mv_qemu_monitor_command(mon, "query-chardev", NULL,
                                                        MV_QEMU_MONITOR_TIMEOUT_MS, error);
    JsonArray *list;

    if (!reply)
        return false;
    if (!JSON_NODE_HOLDS_ARRAY(reply))
        return mon_bad_reply("query-chardev", error);
    list = json_node_get_array(reply);
    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonNode *n = json_array_get_element(list, i);
        const char *label, *filename;

        if (!JSON_NODE_HOLDS_OBJECT(n))
            continue;
        label = mv_qemu_json_get_string(json_node_get_object(n), "label", NULL);
        if (g_strcmp0(label, chardev_id) != 0)
            continue;
        filename = mv_qemu_json_get_string(json_node_get_object(n), "filename", NULL);
        if (!filename || !g_str_has_prefix(filename, "pty:"))
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                                "internal error: chardev '%s' is not a pty (%s)", chardev_id,
                                filename ? filename : "no filename");
        *ret_path = g_strdup(filename + strlen("pty:"));
        return true;
    }
    return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                        "internal error: QEMU has no chardev '%s'", chardev_id);
}

bool
mv_qemu_monitor_balloon(MvQemuMonitor *mon, guint64 kib, GError **error)
{
    JsonObject *args;

    if (kib > (guint64)G_MAXINT64 / 1024)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                            "balloon target %" G_GUINT64_FORMAT " KiB is too large", kib);
    args = json_object_new();
    json_object_set_int_member(args, "value", (gint64)(kib * 1024));
    return mon_simple(mon, "balloon", args, error);
}

bool
mv_qemu_monitor_device_add(MvQemuMonitor *mon, JsonObject *props, GError **error)
{
    return mon_simple(mon, "device_add", props, error);
}

bool
mv_qemu_monitor_device_del(MvQemuMonitor *mon, const char *id, GError **error)
{
    return mon_simple(mon, "device_del", mon_args_string("id", id), error);
}

bool
mv_qemu_monitor_blockdev_add(MvQemuMonitor *mon, JsonObject *props, GError **error)
{
    return mon_simple(mon, "blockdev-add", props, error);
}

bool
mv_qemu_monitor_blockdev_del(MvQemuMonitor *mon, const char *node_name, GError **error)
{
    return mon_simple(mon, "blockdev-del", mon_args_string("node-name", node_name), error);
}

bool
mv_qemu_monitor_change_medium(MvQemuMonitor *mon, const char *qdev_id, const char *path,
                              const char *format, GError **error)
{
    JsonObject *args = mon_args_string("id", qdev_id);

    json_object_set_string_member(args, "filename", path);
    json_object_set_string_member(args, "format", format);
    json_object_set_string_member(args, "read-only-mode", "read-only");
    json_object_set_boolean_member(args, "force", TRUE);
    return mon_simple(mon, "blockdev-change-medium", args, error);
}

bool
mv_qemu_monitor_eject(MvQemuMonitor *mon, const char *qdev_id, GError **error)
{
    JsonObject *args = mon_args_string("id", qdev_id);

    json_object_set_boolean_member(args, "force", TRUE);
    return mon_simple(mon, "eject", args, error);
}

bool
mv_qemu_monitor_blockdev_add_file(MvQemuMonitor *mon, const char *node_name, const char *path,
                                  const char *format, bool read_only, GError **error)
{
    g_autofree char *file_node = g_strdup_printf("%s-file", node_name);
    JsonObject *file = json_object_new();
    JsonObject *fmt = json_object_new();

    json_object_set_string_member(file, "driver", "file");
    json_object_set_string_member(file, "node-name", file_node);
    json_object_set_string_member(file, "filename", path);
    json_object_set_boolean_member(file, "read-only", read_only);
    json_object_set_string_member(fmt, "driver", format);
    json_object_set_string_member(fmt, "node-name", node_name);
    json_object_set_string_member(fmt, "file", file_node);
    json_object_set_boolean_member(fmt, "read-only", read_only);

    if (!mv_qemu_monitor_blockdev_add(mon, file, error)) {
        json_object_unref(fmt);
        return false;
    }
    if (!mv_qemu_monitor_blockdev_add(mon, fmt, error)) {
        mv_qemu_monitor_blockdev_del(mon, file_node, NULL);
        return false;
    }
    return true;
}

bool
mv_qemu_monitor_blockdev_del_file(MvQemuMonitor *mon, const char *node_name, GError **error)
{
    g_autofree char *file_node = g_strdup_printf("%s-file", node_name);

    if (!mv_qemu_monitor_blockdev_del(mon, node_name, error))
        return false;
    return mv_qemu_monitor_blockdev_del(mon, file_node, error);
}

bool
mv_qemu_monitor_netdev_add(MvQemuMonitor *mon, JsonObject *props, GError **error)
{
    return mon_simple(mon, "netdev_add", props, error);
}

bool
mv_qemu_monitor_netdev_del(MvQemuMonitor *mon, const char *id, GError **error)
{
    return mon_simple(mon, "netdev_del", mon_args_string("id", id), error);
}

bool
mv_qemu_monitor_human_command(MvQemuMonitor *mon, const char *hmp, char **ret_text,
                              GError **error)
{
    g_autoptr(JsonNode) reply = mv_qemu_monitor_command(mon, "human-monitor-command",
                                                        mon_args_string("command-line", hmp),
                                                        MV_QEMU_MONITOR_TIMEOUT_MS, error);

    if (!reply)
        return false;
    if (!JSON_NODE_HOLDS_VALUE(reply) || json_node_get_value_type(reply) != G_TYPE_STRING)
        return mon_bad_reply("human-monitor-command", error);
    if (ret_text)
        *ret_text = g_strdup(json_node_get_string(reply));
    return true;
}

bool
mv_qemu_monitor_getfd(MvQemuMonitor *mon, const char *fdname, int fd, GError **error)
{
    g_autoptr(JsonNode) reply = NULL;

    if (fd < 0)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                            "no file descriptor to pass to QEMU as '%s'", fdname);
    reply = mon_command_fd(mon, "getfd", mon_args_string("fdname", fdname), fd,
                           MV_QEMU_MONITOR_TIMEOUT_MS, error);
    return reply != NULL;
}

bool
mv_qemu_monitor_closefd(MvQemuMonitor *mon, const char *fdname, GError **error)
{
    return mon_simple(mon, "closefd", mon_args_string("fdname", fdname), error);
}

bool
mv_qemu_monitor_set_link(MvQemuMonitor *mon, const char *name, bool up, GError **error)
{
    JsonObject *args = mon_args_string("name", name);

    json_object_set_boolean_member(args, "up", up);
    return mon_simple(mon, "set_link", args, error);
}
