/* The guest agent client, see qemu-agent.h. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-agent.h"
#include "qemu-json.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/error.h"
#include "util/log.h"

/* The sync gets this long when the command itself may wait without a limit. */
#define SYNC_TIMEOUT_MS 10000
/* A reply larger than this is not the agent's: the connection is dropped. */
#define REPLY_MAX (16 * 1024 * 1024)
/* The byte qemu-ga sends before the reply to guest-sync-delimited. */
#define SYNC_DELIMITER 0xff

struct _MvQemuAgent {
    gint ref;
    GMutex lock;                /* one call at a time; guards everything below */
    char *path;
    int fd;                     /* -1: not connected */
    GString *buf;               /* bytes read and not consumed yet */
    guint64 sync_id;
    gint reset;                 /* (atomic) drop the connection before the next call */
};

MvQemuAgent *
mv_qemu_agent_new(const char *path)
{
    MvQemuAgent *agent = g_new0(MvQemuAgent, 1);

    agent->ref = 1;
    g_mutex_init(&agent->lock);
    agent->path = g_strdup(path);
    agent->fd = -1;
    agent->buf = g_string_new(NULL);
    /* Distinct ids across daemon restarts: a stale reply never matches. */
    agent->sync_id = ((guint64)g_random_int() << 20) | 1;
    return agent;
}

MvQemuAgent *
mv_qemu_agent_ref(MvQemuAgent *agent)
{
    g_atomic_int_inc(&agent->ref);
    return agent;
}

static void
disconnect(MvQemuAgent *agent)
{
    if (agent->fd >= 0)
        close(agent->fd);
    agent->fd = -1;
    g_string_truncate(agent->buf, 0);
}

void
mv_qemu_agent_unref(MvQemuAgent *agent)
{
    if (!agent || !g_atomic_int_dec_and_test(&agent->ref))
        return;
    disconnect(agent);
    g_string_free(agent->buf, TRUE);
    g_free(agent->path);
    g_mutex_clear(&agent->lock);
    g_free(agent);
}

void
mv_qemu_agent_close(MvQemuAgent *agent)
{
    /* Never waits for a call in progress (the caller may be the driver's event
     * context): the next call drops the connection itself. */
    g_atomic_int_set(&agent->reset, 1);
}

/* Milliseconds left until @deadline (monotonic µs; 0: none): -1 for no limit. */
static int
remaining_ms(gint64 deadline)
{
    gint64 left;

    if (!deadline)
        return -1;
    left = deadline - g_get_monotonic_time();
    return left <= 0 ? 0 : (int)MIN((left + 999) / 1000, G_MAXINT);
}

static bool
unresponsive(MvQemuAgent *agent, GError **error, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* Fails the call: the connection is in an unknown state, so it goes. */
static bool
unresponsive(MvQemuAgent *agent, GError **error, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    disconnect(agent);
    return mv_error_set(error, MV_FROM_QEMU, MV_ERR_AGENT_UNRESPONSIVE,
                        "Guest agent is not responding: %s", msg);
}

static bool
connect_agent(MvQemuAgent *agent, GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;

    if (g_atomic_int_compare_and_exchange(&agent->reset, 1, 0))
        disconnect(agent);
    if (agent->fd >= 0)
        return true;
    if (strlen(agent->path) >= sizeof(addr.sun_path))
        return unresponsive(agent, error, "the channel path %s is too long", agent->path);
    strcpy(addr.sun_path, agent->path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return mv_error_set_errno(error, MV_FROM_QEMU, errno, "cannot create a socket");
    /* QEMU listens (server=on): a UNIX connect completes at once or fails. */
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        int err = errno;

        close(fd);
        return unresponsive(agent, error, "cannot connect to the agent channel %s: %s",
                            agent->path, g_strerror(err));
    }
    agent->fd = fd;
    g_string_truncate(agent->buf, 0);
    return true;
}

static bool
send_all(MvQemuAgent *agent, const char *data, size_t len, gint64 deadline, GError **error)
{
    while (len) {
        struct pollfd pfd = { .fd = agent->fd, .events = POLLOUT };
        ssize_t n = send(agent->fd, data, len, MSG_NOSIGNAL);

        if (n > 0) {
            data += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            return unresponsive(agent, error, "cannot write to the agent channel: %s",
                                g_strerror(errno));
        if (poll(&pfd, 1, remaining_ms(deadline)) == 0)
            return unresponsive(agent, error, "the agent channel accepts no data");
    }
    return true;
}

/* Reads more bytes into the buffer, waiting until @deadline. */
static bool
read_more(MvQemuAgent *agent, gint64 deadline, const char *what, GError **error)
{
    char chunk[4096];

    for (;;) {
        struct pollfd pfd = { .fd = agent->fd, .events = POLLIN };
        ssize_t n = recv(agent->fd, chunk, sizeof(chunk), 0);
        int ready;

        if (n > 0) {
            if (agent->buf->len + (size_t)n > REPLY_MAX)
                return unresponsive(agent, error, "the reply to '%s' is too large", what);
            g_string_append_len(agent->buf, chunk, n);
            return true;
        }
        if (n == 0)
            return unresponsive(agent, error, "the agent channel closed while waiting for '%s'",
                                what);
        if (errno != EAGAIN && errno != EINTR)
            return unresponsive(agent, error, "cannot read the agent channel: %s",
                                g_strerror(errno));
        ready = poll(&pfd, 1, remaining_ms(deadline));
        if (ready == 0)
            return unresponsive(agent, error,
                                "no reply to '%s' in time; check that qemu-ga runs in the "
                                "guest, or allow more time with 'virsh guest-agent-timeout'",
                                what);
        if (ready < 0 && errno != EINTR)
            return unresponsive(agent, error, "cannot wait for the agent: %s",
                                g_strerror(errno));
    }
}

/* The next non-empty line of the buffer (without its newline), reading as needed. */
static char *
read_line(MvQemuAgent *agent, gint64 deadline, const char *what, GError **error)
{
    for (;;) {
        char *nl = memchr(agent->buf->str, '\n', agent->buf->len);

        if (nl) {
            size_t len = (size_t)(nl - agent->buf->str);
            char *line = g_strndup(agent->buf->str, len);

            g_string_erase(agent->buf, 0, (gssize)len + 1);
            if (*g_strstrip(line))
                return line;
            g_free(line);
            continue;
        }
        if (!read_more(agent, deadline, what, error))
            return NULL;
    }
}

static JsonObject *
parse_object(const char *line, JsonParser *parser)
{
    JsonNode *root;

    if (!json_parser_load_from_data(parser, line, -1, NULL))
        return NULL;
    root = json_parser_get_root(parser);
    return root && JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : NULL;
}

/* guest-sync-delimited: afterwards the stream is in step with our requests. */
static bool
sync_agent(MvQemuAgent *agent, gint64 deadline, GError **error)
{
    guint64 id = ++agent->sync_id;
    g_autofree char *req = g_strdup_printf("{\"execute\":\"guest-sync-delimited\","
                                           "\"arguments\":{\"id\":%" G_GUINT64_FORMAT "}}\n",
                                           id);

    g_string_truncate(agent->buf, 0);
    if (!send_all(agent, req, strlen(req), deadline, error))
        return false;
    for (;;) {
        g_autoptr(JsonParser) parser = json_parser_new();
        g_autofree char *line = NULL;
        char *mark = memchr(agent->buf->str, SYNC_DELIMITER, agent->buf->len);
        JsonObject *obj;
        JsonNode *ret;

        if (!mark) {
            g_string_truncate(agent->buf, 0);   /* stale output before the delimiter */
            if (!read_more(agent, deadline, "guest-sync-delimited", error))
                return false;
            continue;
        }
        g_string_erase(agent->buf, 0, mark - agent->buf->str + 1);
        if (!(line = read_line(agent, deadline, "guest-sync-delimited", error)))
            return false;
        obj = parse_object(line, parser);
        ret = obj ? json_object_get_member(obj, "return") : NULL;
        if (ret && JSON_NODE_HOLDS_VALUE(ret) &&
            json_node_get_value_type(ret) == G_TYPE_INT64 &&
            (guint64)json_node_get_int(ret) == id)
            return true;
        mv_log_debug("agent %s: skipping a stale sync reply: %s", agent->path, line);
    }
}

/* Sends @request (one JSON line) and reads its reply object into @parser. */
static JsonObject *
transact(MvQemuAgent *agent, const char *request, const char *what, MvQemuAgentReply reply,
         int timeout_ms, JsonParser *parser, GError **error)
{
    gint64 start = g_get_monotonic_time();
    gint64 deadline = timeout_ms >= 0 ? start + (gint64)timeout_ms * 1000 : 0;
    gint64 sync_deadline = deadline ? deadline : start + (gint64)SYNC_TIMEOUT_MS * 1000;
    g_autofree char *line = NULL;
    JsonObject *obj;

    if (!connect_agent(agent, error) || !sync_agent(agent, sync_deadline, error) ||
        !send_all(agent, request, strlen(request), deadline, error))
        return NULL;
    if (reply == MV_QEMU_AGENT_NO_REPLY)
        return json_object_new();
    if (!(line = read_line(agent, deadline, what, error)))
        return NULL;
    if (!(obj = parse_object(line, parser))) {
        unresponsive(agent, error, "the reply to '%s' is not a JSON object", what);
        return NULL;
    }
    return json_object_ref(obj);
}

/* Takes the agent's lock within @timeout_ms (< 0: waits). */
static bool
lock_agent(MvQemuAgent *agent, int timeout_ms, const char *what, GError **error)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

    if (timeout_ms < 0) {
        g_mutex_lock(&agent->lock);
        return true;
    }
    while (!g_mutex_trylock(&agent->lock)) {
        if (g_get_monotonic_time() >= deadline)
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_AGENT_UNRESPONSIVE,
                                "Guest agent is not responding: another agent call is still "
                                "waiting, '%s' was not sent", what);
        g_usleep(10 * 1000);
    }
    return true;
}

JsonNode *
mv_qemu_agent_command(MvQemuAgent *agent, const char *cmd, JsonObject *args,
                      MvQemuAgentReply reply, int timeout_ms, GError **error)
{
    g_autoptr(JsonObject) owned_args = args;
    g_autoptr(JsonObject) msg = json_object_new();
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(JsonNode) root = json_node_new(JSON_NODE_OBJECT);
    g_autoptr(JsonObject) obj = NULL;
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autofree char *text = NULL;
    g_autofree char *request = NULL;
    gint64 start = g_get_monotonic_time();
    JsonObject *err;
    JsonNode *ret;

    json_object_set_string_member(msg, "execute", cmd);
    if (owned_args)
        json_object_set_object_member(msg, "arguments", g_steal_pointer(&owned_args));
    json_node_set_object(root, msg);
    json_generator_set_root(gen, root);
    text = json_generator_to_data(gen, NULL);
    request = g_strconcat(text, "\n", NULL);

    if (!lock_agent(agent, timeout_ms, cmd, error))
        return NULL;
    if (timeout_ms >= 0)    /* the wait for the lock counts */
        timeout_ms = MAX(0, timeout_ms - (int)((g_get_monotonic_time() - start) / 1000));
    obj = transact(agent, request, cmd, reply, timeout_ms, parser, error);
    g_mutex_unlock(&agent->lock);
    if (!obj)
        return NULL;
    if (reply == MV_QEMU_AGENT_NO_REPLY)
        return json_node_new(JSON_NODE_NULL);
    if ((err = mv_qemu_json_get_object(obj, "error"))) {
        const char *desc = mv_qemu_json_get_string(err, "desc", NULL);

        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "internal error: unable to execute QEMU agent command '%s': %s", cmd,
                     desc ? desc : "the agent gave no description");
        return NULL;
    }
    if (!(ret = json_object_get_member(obj, "return"))) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "internal error: the guest agent's reply to '%s' has no result", cmd);
        return NULL;
    }
    return json_node_copy(ret);
}

bool
mv_qemu_agent_command_text(MvQemuAgent *agent, const char *json, int timeout_ms,
                           char **ret_text, GError **error)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(JsonParser) reply_parser = json_parser_new();
    g_autoptr(JsonObject) obj = NULL;
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autoptr(JsonNode) root = json_node_new(JSON_NODE_OBJECT);
    g_autofree char *request = NULL;
    g_autofree char *compact = NULL;
    gint64 start = g_get_monotonic_time();
    JsonObject *cmd;
    const char *name;

    /* One line on the channel: re-serialized, so newlines inside cannot split it. */
    if (!(cmd = parse_object(json, parser)) ||
        !(name = mv_qemu_json_get_string(cmd, "execute", NULL)))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                            "invalid argument: the agent command must be a JSON object with "
                            "an \"execute\" member");
    json_node_set_object(root, cmd);
    json_generator_set_root(gen, root);
    compact = json_generator_to_data(gen, NULL);
    request = g_strconcat(compact, "\n", NULL);
    if (!lock_agent(agent, timeout_ms, name, error))
        return false;
    if (timeout_ms >= 0)
        timeout_ms = MAX(0, timeout_ms - (int)((g_get_monotonic_time() - start) / 1000));
    obj = transact(agent, request, name, MV_QEMU_AGENT_REPLY, timeout_ms, reply_parser, error);
    g_mutex_unlock(&agent->lock);
    if (!obj)
        return false;
    json_node_set_object(root, obj);
    json_generator_set_root(gen, root);
    *ret_text = json_generator_to_data(gen, NULL);
    return true;
}
