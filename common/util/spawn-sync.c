/* mv_spawn_sync: run a program to completion and capture its output. */
#include "util/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/error.h"
#include "util/fd.h"

typedef struct {
    int fd;             /* read end, -1 once at EOF */
    GString *buf;       /* NULL: discard */
} MvSpawnStream;

/* Reads what is available on @s without blocking; closes it at EOF. */
static void
mv_spawn_stream_read(MvSpawnStream *s)
{
    char chunk[4096];

    for (;;) {
        ssize_t n = read(s->fd, chunk, sizeof(chunk));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0) {
            mv_close_fdp(&s->fd);
            return;
        }
        if (s->buf)
            g_string_append_len(s->buf, chunk, n);
    }
}

/* Moves output from the pipes until the child exits, then drains what is
 * already buffered (a grandchild holding the pipe open does not block us).
 * Returns false when @deadline (monotonic us, < 0: none) passes first. */
static bool
mv_spawn_collect(MvChild *child, MvSpawnStream *streams, gint64 deadline)
{
    int pidfd = mv_child_get_pidfd(child);
    bool exited = false;

    for (;;) {
        struct pollfd pfd[3];
        int nfds = 0;
        int timeout = -1;
        int ready;

        if (!exited && mv_child_get_exit_status(child, NULL))
            exited = true;
        if (!exited && mv_child_wait(child, 0, NULL, NULL))
            exited = true;
        for (int i = 0; i < 2; i++) {
            if (streams[i].fd >= 0)
                pfd[nfds++] = (struct pollfd){ .fd = streams[i].fd, .events = POLLIN };
        }
        if (exited && nfds == 0)
            return true;
        if (exited) {
            timeout = 0;
        } else {
            if (deadline >= 0) {
                gint64 left = (deadline - g_get_monotonic_time() + 999) / 1000;

                if (left <= 0)
                    return false;
                timeout = (int)MIN(left, G_MAXINT);
            }
            if (pidfd >= 0)
                pfd[nfds++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
            else
                timeout = timeout < 0 ? 10 : MIN(timeout, 10);   /* no pidfd: poll the status */
        }
        ready = poll(pfd, nfds, timeout);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0 && exited)
            return true;
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < nfds; j++) {
                if (streams[i].fd >= 0 && pfd[j].fd == streams[i].fd && pfd[j].revents)
                    mv_spawn_stream_read(&streams[i]);
            }
        }
    }
}

/* Creates a pipe whose read end (returned in @s) is non-blocking. */
static bool
mv_spawn_pipe(MvSpawnStream *s, int *ret_write, bool capture, GError **error)
{
    int p[2];

    if (pipe2(p, O_CLOEXEC) < 0)
        return mv_error_set_errno(error, MV_FROM_NONE, errno, "Cannot create a pipe");
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    s->fd = p[0];
    s->buf = capture ? g_string_new(NULL) : NULL;
    *ret_write = p[1];
    return true;
}

static void
mv_spawn_stream_clear(MvSpawnStream *s)
{
    mv_close_fdp(&s->fd);
    if (s->buf)
        g_string_free(g_steal_pointer(&s->buf), TRUE);
}

static bool
mv_spawn_check_status(const char *prog, int status, int *ret_exit_status, const GString *err,
                      GError **error)
{
    if (WIFSIGNALED(status))
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_OPERATION_FAILED,
                            "'%s' was killed by signal %d", prog, WTERMSIG(status));
    if (!ret_exit_status && WEXITSTATUS(status) != 0) {
        g_autofree char *text = g_strstrip(g_strdup(err && err->len ? err->str : ""));

        return mv_error_set(error, MV_FROM_NONE, MV_ERR_OPERATION_FAILED,
                            "'%s' exited with status %d%s%s", prog, WEXITSTATUS(status),
                            *text ? ": " : "", text);
    }
    return true;
}

bool
mv_spawn_sync(const char *const *argv, const char *const *envp, int timeout_ms,
              char **ret_stdout, char **ret_stderr, int *ret_exit_status, GError **error)
{
    /* stderr is kept even if not wanted: it explains a failed exit status. */
    MvSpawnStream streams[2] = { { -1, NULL }, { -1, NULL } };
    MV_AUTOCLOSE int out_w = -1;
    MV_AUTOCLOSE int err_w = -1;
    g_autoptr(MvChild) child = NULL;
    gint64 deadline = timeout_ms < 0 ? -1 : g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    int status = 0;
    bool ok = false;

    if (!mv_spawn_pipe(&streams[0], &out_w, ret_stdout != NULL, error) ||
        !mv_spawn_pipe(&streams[1], &err_w, true, error))
        goto cleanup;
    {
        MvChildOptions opts = {
            .argv = argv,
            .envp = envp,
            .out = { .kind = MV_CHILD_STDIO_FD, .fd = out_w },
            .err = { .kind = MV_CHILD_STDIO_FD, .fd = err_w },
        };

        if (!(child = mv_child_spawn(&opts, error)))
            goto cleanup;
    }
    mv_close_fdp(&out_w);
    mv_close_fdp(&err_w);

    if (!mv_spawn_collect(child, streams, deadline)) {
        /* Kill and reap now: nothing may outlive the call. */
        mv_child_terminate(child, 0, NULL);
        mv_error_set(error, MV_FROM_NONE, MV_ERR_OPERATION_TIMEOUT,
                     "'%s' did not finish within %d ms and was killed", argv[0], timeout_ms);
        goto cleanup;
    }
    mv_child_get_exit_status(child, &status);
    if (!mv_spawn_check_status(argv[0], status, ret_exit_status, streams[1].buf, error))
        goto cleanup;

    if (ret_stdout)
        *ret_stdout = g_string_free(g_steal_pointer(&streams[0].buf), FALSE);
    if (ret_stderr)
        *ret_stderr = g_string_free(g_steal_pointer(&streams[1].buf), FALSE);
    if (ret_exit_status)
        *ret_exit_status = WEXITSTATUS(status);
    ok = true;

 cleanup:
    mv_spawn_stream_clear(&streams[0]);
    mv_spawn_stream_clear(&streams[1]);
    return ok;
}
