/* MvChild: fork + exec with exact fd placement, pidfd-based waiting, and
 * reaping that is done exactly once, by us. */
#include "util/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/error.h"
#include "util/fd.h"
#include "util/pidfd.h"

struct _MvChild {
    pid_t pid;
    int pidfd;
    GMutex lock;        /* guards reaped/status and signalling by pid */
    bool reaped;
    int status;
    GSource *watch;
    MvChildExitFunc func;
    gpointer func_data;
    /* a gated child, until released */
    int gate_w;         /* one byte: exec; EOF: exit without exec */
    int report_r;       /* the exec report, read by mv_child_release() */
    char *path;
};

/* What the child reports through the exec pipe when it cannot exec. */
typedef struct {
    int stage;
    int err;
} MvChildFailure;

enum { MV_CHILD_STAGE_SETSID, MV_CHILD_STAGE_DUP, MV_CHILD_STAGE_CHDIR, MV_CHILD_STAGE_EXEC };
static const char *const mv_child_stage_names[] = {
    "start a new session for", "set up the file descriptors of",
    "change to the working directory of", "execute",
};

/* One fd the child gets: @src (>= all targets, owned by us) becomes @target. */
typedef struct {
    int src;
    int target;
} MvChildPlacement;

/* Opens the parent-side fd for one stdio stream; returns -1 with errno set. */
static int
mv_child_open_stdio(const MvChildStdio *stdio, int target, bool *ret_owned)
{
    *ret_owned = true;
    switch (stdio->kind) {
    case MV_CHILD_STDIO_NULL:
        return open("/dev/null", (target == 0 ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
    case MV_CHILD_STDIO_FILE:
        return open(stdio->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
    case MV_CHILD_STDIO_FD:
        *ret_owned = false;
        return stdio->fd;
    case MV_CHILD_STDIO_INHERIT:
        *ret_owned = false;
        return target;
    }
    errno = EINVAL;
    return -1;
}

static void
mv_child_report(int fd, int stage)
{
    MvChildFailure failure = { stage, errno };

    (void)!write(fd, &failure, sizeof(failure));
    _exit(127);
}

/* Closes every fd above @from except the (close-on-exec) @keep_a and @keep_b
 * (-1: none), which lie above @from. */
static void
mv_child_close_above(int from, int keep_a, int keep_b)
{
    int keep[2] = { MIN(keep_a, keep_b), MAX(keep_a, keep_b) };

    for (int i = 0; i < 2; i++) {
        if (keep[i] < 0)
            continue;
        if (keep[i] > from)
            (void)close_range((unsigned)from, (unsigned)keep[i] - 1, 0);
        from = keep[i] + 1;
    }
    (void)close_range((unsigned)from, ~0U, 0);
}

/* Runs in the forked child: only async-signal-safe calls from here on. */
static G_NORETURN void
mv_child_exec(const char *path, const MvChildOptions *opts, char *const *envp,
              const MvChildPlacement *place, gsize n_place, int max_target, int report_fd,
              int gate_fd, pid_t parent)
{
    sigset_t empty;
    char go;
    ssize_t n;
    struct sigaction dfl = { .sa_handler = SIG_DFL };

    for (int sig = 1; sig < NSIG; sig++)
        (void)sigaction(sig, &dfl, NULL);
    if (opts->setsid && setsid() < 0)
        mv_child_report(report_fd, MV_CHILD_STAGE_SETSID);
    /* The parent may have died before the prctl: then never run. */
    if (opts->die_with_parent &&
        (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent))
        _exit(127);
    for (gsize i = 0; i < n_place; i++) {
        /* dup2() onto a different number clears FD_CLOEXEC on the target. */
        if (dup2(place[i].src, place[i].target) < 0)
            mv_child_report(report_fd, MV_CHILD_STAGE_DUP);
    }
    for (int fd = 3; fd <= max_target; fd++) {
        bool keep = false;

        for (gsize i = 0; i < n_place; i++)
            keep = keep || place[i].target == fd;
        if (!keep)
            (void)close(fd);
    }
    /* Everything above the targets goes, except the report and gate pipes. */
    mv_child_close_above(max_target + 1, report_fd, gate_fd);
    if (opts->cwd && chdir(opts->cwd) < 0)
        mv_child_report(report_fd, MV_CHILD_STAGE_CHDIR);
    sigemptyset(&empty);
    (void)sigprocmask(SIG_SETMASK, &empty, NULL);
    if (gate_fd >= 0) {
        /* EOF: the parent died or gave up before recording us; never run. */
        do {
            n = read(gate_fd, &go, 1);
        } while (n < 0 && errno == EINTR);
        if (n != 1)
            _exit(127);
        (void)close(gate_fd);
    }
    execve(path, (char *const *)opts->argv, envp);
    mv_child_report(report_fd, MV_CHILD_STAGE_EXEC);
    _exit(127);
}

/* Waits for the exec report of @pid on @report_r: EOF means exec succeeded (the
 * pipe is close-on-exec); a failure report reaps the child and sets @error. */
static bool
mv_child_wait_exec(pid_t pid, int report_r, const char *path, int *ret_status, GError **error)
{
    MvChildFailure failure;
    int status = 0;
    ssize_t n;

    do {
        n = read(report_r, &failure, sizeof(failure));
    } while (n < 0 && errno == EINTR);
    if (n == (ssize_t)sizeof(failure)) {
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        *ret_status = status;
        return mv_error_set_errno(error, MV_FROM_NONE, failure.err, "Cannot %s '%s'",
                                  mv_child_stage_names[failure.stage], path);
    }
    return true;
}

/* Checks the fd map, and finds the highest fd number the child will use. */
static bool
mv_child_check_fds(const MvChildOptions *opts, int *ret_max, GError **error)
{
    int max_target = 2;

    for (gsize i = 0; i < opts->n_fds; i++) {
        if (opts->fds[i].child_fd < 3 || opts->fds[i].parent_fd < 0)
            return mv_error_set(error, MV_FROM_NONE, MV_ERR_INVALID_ARG,
                                "Invalid fd mapping %d -> %d for a child process",
                                opts->fds[i].parent_fd, opts->fds[i].child_fd);
        for (gsize j = 0; j < i; j++) {
            if (opts->fds[j].child_fd == opts->fds[i].child_fd)
                return mv_error_set(error, MV_FROM_NONE, MV_ERR_INVALID_ARG,
                                    "Child fd %d is mapped twice", opts->fds[i].child_fd);
        }
        max_target = MAX(max_target, opts->fds[i].child_fd);
    }
    *ret_max = max_target;
    return true;
}

static void
mv_child_close_placements(MvChildPlacement *place, gsize n)
{
    for (gsize i = 0; i < n; i++)
        mv_close_fdp(&place[i].src);
}

MvChild *
mv_child_spawn(const MvChildOptions *opts, GError **error)
{
    const MvChildStdio *stdio[3] = { &opts->in, &opts->out, &opts->err };
    gsize n_place = 3 + opts->n_fds;
    g_autofree MvChildPlacement *place = g_new0(MvChildPlacement, n_place);
    g_autofree char *path = NULL;
    MV_AUTOCLOSE int report_r = -1;
    MV_AUTOCLOSE int report_w = -1;
    MV_AUTOCLOSE int gate_r = -1;
    MV_AUTOCLOSE int gate_w = -1;
    char *const *envp = (char *const *)(opts->envp ? opts->envp : (const char *const *)environ);
    sigset_t all, old;
    MvChild *child;
    int max_target = 2;
    int pipefd[2];
    int status;
    pid_t pid, parent;

    g_return_val_if_fail(opts->argv && opts->argv[0], NULL);
    if (!mv_child_check_fds(opts, &max_target, error))
        return NULL;
    if (strchr(opts->argv[0], '/'))
        path = g_strdup(opts->argv[0]);
    else if (!(path = g_find_program_in_path(opts->argv[0])))
        return mv_error_set_errno(error, MV_FROM_NONE, ENOENT, "Cannot find program '%s' in $PATH",
                                  opts->argv[0]), NULL;

    /* Move every source fd above all targets so no dup2() in the child can
     * overwrite a source that is still needed. */
    for (gsize i = 0; i < n_place; i++) {
        bool owned = false;
        int fd;

        place[i].src = -1;
        place[i].target = i < 3 ? (int)i : opts->fds[i - 3].child_fd;
        fd = i < 3 ? mv_child_open_stdio(stdio[i], (int)i, &owned) : opts->fds[i - 3].parent_fd;
        if (fd < 0) {
            int err = errno;

            mv_child_close_placements(place, i);
            return mv_error_set_errno(error, MV_FROM_NONE, err, "Cannot open %s for '%s'",
                                      stdio[i]->kind == MV_CHILD_STDIO_FILE ? stdio[i]->path
                                                                           : "/dev/null",
                                      opts->argv[0]), NULL;
        }
        place[i].src = fcntl(fd, F_DUPFD_CLOEXEC, max_target + 1);
        if (owned)
            close(fd);
        if (place[i].src < 0) {
            int err = errno;

            mv_child_close_placements(place, i);
            return mv_error_set_errno(error, MV_FROM_NONE, err,
                                      "Cannot pass fd %d to '%s'", fd, opts->argv[0]), NULL;
        }
    }
    if (pipe2(pipefd, O_CLOEXEC) < 0) {
        mv_child_close_placements(place, n_place);
        return mv_error_set_errno(error, MV_FROM_NONE, errno, "Cannot create a pipe"), NULL;
    }
    report_r = pipefd[0];
    report_w = fcntl(pipefd[1], F_DUPFD_CLOEXEC, max_target + 1);
    close(pipefd[1]);
    if (opts->gated) {
        if (pipe2(pipefd, O_CLOEXEC) < 0) {
            mv_child_close_placements(place, n_place);
            return mv_error_set_errno(error, MV_FROM_NONE, errno, "Cannot create a pipe"), NULL;
        }
        gate_w = pipefd[1];
        gate_r = fcntl(pipefd[0], F_DUPFD_CLOEXEC, max_target + 1);
        close(pipefd[0]);
    }

    /* Block signals so the child runs no handler before it resets them. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    parent = getpid();
    pid = report_w < 0 || (opts->gated && gate_r < 0) ? -1 : fork();
    if (pid == 0)
        mv_child_exec(path, opts, envp, place, n_place, max_target, report_w, gate_r,
                      parent);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    mv_close_fdp(&report_w);
    mv_close_fdp(&gate_r);
    mv_child_close_placements(place, n_place);
    if (pid < 0)
        return mv_error_set_errno(error, MV_FROM_NONE, errno, "Cannot fork to run '%s'",
                                  opts->argv[0]), NULL;

    if (!opts->gated && !mv_child_wait_exec(pid, report_r, path, &status, error))
        return NULL;

    child = g_new0(MvChild, 1);
    g_mutex_init(&child->lock);
    child->pid = pid;
    child->pidfd = mv_pidfd_open(pid);
    child->gate_w = -1;
    child->report_r = -1;
    if (opts->gated) {
        child->gate_w = g_steal_fd(&gate_w);
        child->report_r = g_steal_fd(&report_r);
        child->path = g_steal_pointer(&path);
    }
    return child;
}

bool
mv_child_release(MvChild *child, GError **error)
{
    int status = 0;
    ssize_t n;
    bool ok;

    if (child->gate_w < 0)
        return true;
    do {
        n = write(child->gate_w, "x", 1);
    } while (n < 0 && errno == EINTR);
    mv_close_fdp(&child->gate_w);
    /* A failed write means the child is gone: its report pipe then reads EOF. */
    ok = mv_child_wait_exec(child->pid, child->report_r, child->path, &status, error);
    mv_close_fdp(&child->report_r);
    if (!ok) {
        g_mutex_lock(&child->lock);
        child->reaped = true;
        child->status = status;
        g_mutex_unlock(&child->lock);
        return false;
    }
    if (n != 1)
        return mv_error_set_errno(error, MV_FROM_NONE, EPIPE,
                                  "Process %d exited before it could run '%s'", (int)child->pid,
                                  child->path);
    return true;
}

pid_t
mv_child_get_pid(const MvChild *child)
{
    return child->pid;
}

int
mv_child_get_pidfd(const MvChild *child)
{
    return child->pidfd;
}

/* Reaps the child if it exited (or waits for that without WNOHANG). Returns
 * true once reaped, now or earlier; the status is then in child->status. */
static bool
mv_child_reap(MvChild *child, int flags)
{
    bool reaped;
    int status;
    pid_t r;

    g_mutex_lock(&child->lock);
    if (!child->reaped) {
        do {
            r = waitpid(child->pid, &status, flags);
        } while (r < 0 && errno == EINTR);
        if (r == child->pid) {
            child->reaped = true;
            child->status = status;
        } else if (r < 0 && errno == ECHILD) {
            /* Someone else reaped it (only possible with the GLib fallback watch
             * racing a wait); the status is lost. */
            child->reaped = true;
            child->status = W_EXITCODE(255, 0);
        }
    }
    reaped = child->reaped;
    g_mutex_unlock(&child->lock);
    return reaped;
}

bool
mv_child_get_exit_status(MvChild *child, int *ret_status)
{
    bool reaped;

    g_mutex_lock(&child->lock);
    reaped = child->reaped;
    if (reaped && ret_status)
        *ret_status = child->status;
    g_mutex_unlock(&child->lock);
    return reaped;
}

/* Waits up to @timeout_ms (< 0: forever) and reaps; false on timeout. */
static bool
mv_child_wait_reaped(MvChild *child, int timeout_ms)
{
    gint64 deadline = timeout_ms < 0 ? -1 : g_get_monotonic_time() + (gint64)timeout_ms * 1000;

    for (;;) {
        gint64 left_ms = deadline < 0 ? -1 : (deadline - g_get_monotonic_time() + 999) / 1000;

        if (mv_child_reap(child, WNOHANG))
            return true;
        if (deadline >= 0 && left_ms <= 0)
            return false;
        if (child->pidfd >= 0) {
            struct pollfd pfd = { .fd = child->pidfd, .events = POLLIN };

            (void)poll(&pfd, 1, (int)MIN(left_ms, G_MAXINT));
        } else {
            /* No pidfd (old kernel): poll the status every 10 ms. */
            g_usleep(10 * 1000);
        }
    }
}

bool
mv_child_wait(MvChild *child, int timeout_ms, int *ret_status, GError **error)
{
    if (!mv_child_wait_reaped(child, timeout_ms))
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_OPERATION_TIMEOUT,
                            "Process %d did not exit within %d ms", (int)child->pid, timeout_ms);
    mv_child_get_exit_status(child, ret_status);
    return true;
}

/* Signals the child unless it was reaped; pidfd_send_signal cannot hit a reused pid. */
static bool
mv_child_signal(MvChild *child, int sig, GError **error)
{
    int rc = 0;

    g_mutex_lock(&child->lock);
    if (!child->reaped) {
        if (child->pidfd >= 0)
            rc = mv_pidfd_send_signal(child->pidfd, sig);
        else
            rc = kill(child->pid, sig);
    }
    g_mutex_unlock(&child->lock);
    if (rc < 0 && errno != ESRCH)
        return mv_error_set_errno(error, MV_FROM_NONE, errno, "Cannot send signal %d to process %d",
                                  sig, (int)child->pid);
    return true;
}

bool
mv_child_terminate(MvChild *child, int grace_ms, GError **error)
{
    if (mv_child_reap(child, WNOHANG))
        return true;
    if (!mv_child_signal(child, SIGTERM, error))
        return false;
    if (mv_child_wait_reaped(child, MAX(grace_ms, 0)))
        return true;
    if (!mv_child_signal(child, SIGKILL, error))
        return false;
    mv_child_wait_reaped(child, -1);
    return true;
}

/* Detaches the watch and calls the user's function; @child may be freed by it. */
static void
mv_child_dispatch_exit(MvChild *child)
{
    GSource *watch = g_steal_pointer(&child->watch);
    int status = 0;

    mv_child_get_exit_status(child, &status);
    g_source_unref(watch);   /* the dispatching main loop still holds a ref */
    child->func(child, status, child->func_data);
}

static gboolean
mv_child_on_pidfd(gint fd, GIOCondition cond, gpointer data)
{
    MvChild *child = data;

    /* A readable pidfd means the child is a zombie: WNOHANG reaps it. */
    if (!mv_child_reap(child, WNOHANG))
        return G_SOURCE_CONTINUE;
    mv_child_dispatch_exit(child);
    return G_SOURCE_REMOVE;
}

static gboolean
mv_child_on_already_reaped(gpointer data)
{
    mv_child_dispatch_exit(data);
    return G_SOURCE_REMOVE;
}

static void
mv_child_on_glib_exit(GPid pid, gint status, gpointer data)
{
    MvChild *child = data;

    g_mutex_lock(&child->lock);
    if (!child->reaped) {
        child->reaped = true;
        child->status = status;
    }
    g_mutex_unlock(&child->lock);
    mv_child_dispatch_exit(child);
}

bool
mv_child_watch(MvChild *child, GMainContext *ctx, MvChildExitFunc func, gpointer data)
{
    if (child->watch)
        return false;
    child->func = func;
    child->func_data = data;
    if (mv_child_get_exit_status(child, NULL)) {
        child->watch = g_idle_source_new();
        g_source_set_callback(child->watch, mv_child_on_already_reaped, child, NULL);
    } else if (child->pidfd >= 0) {
        child->watch = g_unix_fd_source_new(child->pidfd, G_IO_IN);
        g_source_set_callback(child->watch, G_SOURCE_FUNC(mv_child_on_pidfd), child, NULL);
    } else {
        child->watch = g_child_watch_source_new(child->pid);
        g_source_set_callback(child->watch, G_SOURCE_FUNC(mv_child_on_glib_exit), child, NULL);
    }
    g_source_attach(child->watch, ctx);
    return true;
}

void
mv_child_free(MvChild *child)
{
    if (!child)
        return;
    if (child->watch) {
        g_source_destroy(child->watch);
        g_source_unref(child->watch);
    }
    mv_close_fdp(&child->gate_w);       /* a gated child then exits without exec */
    mv_close_fdp(&child->report_r);
    g_free(child->path);
    (void)mv_child_reap(child, WNOHANG);
    mv_close_fdp(&child->pidfd);
    g_mutex_clear(&child->lock);
    g_free(child);
}
