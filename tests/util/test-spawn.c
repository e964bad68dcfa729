/* Tests for util/spawn*.c: output capture, timeouts that kill and reap,
 * fd placement, exit watches, termination, /proc liveness. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/error.h"
#include "util/fd.h"
#include "util/spawn.h"

/* True when @pid is gone and was reaped by us (not a zombie waiting for us). */
static bool
reaped_and_gone(pid_t pid)
{
    g_autofree char *proc = g_strdup_printf("/proc/%d", (int)pid);

    errno = 0;
    return !g_file_test(proc, G_FILE_TEST_EXISTS) &&
           waitpid(pid, NULL, WNOHANG) == -1 && errno == ECHILD;
}

static void
test_sync_output(void)
{
    const char *argv[] = { "sh", "-c", "echo out; echo err >&2; exit 3", NULL };
    g_autoptr(GError) err = NULL;
    g_autofree char *out = NULL;
    g_autofree char *errout = NULL;
    int status = -1;

    g_assert_true(mv_spawn_sync(argv, NULL, 5000, &out, &errout, &status, &err));
    g_assert_no_error(err);
    g_assert_cmpstr(out, ==, "out\n");
    g_assert_cmpstr(errout, ==, "err\n");
    g_assert_cmpint(status, ==, 3);
}

static void
test_sync_failure(void)
{
    const char *fails[] = { "sh", "-c", "echo 'disk is full' >&2; exit 1", NULL };
    const char *missing[] = { "mv-no-such-program", NULL };
    const char *notexec[] = { "/dev/null", NULL };
    const char *killed[] = { "sh", "-c", "kill -9 $$", NULL };
    g_autoptr(GError) err = NULL;
    char *out = (char *)"untouched";
    int status = -1;

    g_assert_false(mv_spawn_sync(fails, NULL, 5000, &out, NULL, NULL, &err));
    g_assert_error(err, MV_ERROR, MV_ERR_OPERATION_FAILED);
    g_assert_nonnull(strstr(err->message, "status 1: disk is full"));
    g_assert_cmpstr(out, ==, "untouched");
    g_clear_error(&err);

    g_assert_false(mv_spawn_sync(missing, NULL, 5000, NULL, NULL, &status, &err));
    g_assert_error(err, MV_ERROR, MV_ERR_SYSTEM_ERROR);
    g_assert_cmpint(status, ==, -1);
    g_clear_error(&err);

    g_assert_false(mv_spawn_sync(notexec, NULL, 5000, NULL, NULL, &status, &err));
    g_assert_error(err, MV_ERROR, MV_ERR_SYSTEM_ERROR);
    g_assert_nonnull(strstr(err->message, "execute"));
    g_clear_error(&err);

    g_assert_false(mv_spawn_sync(killed, NULL, 5000, NULL, NULL, &status, &err));
    g_assert_error(err, MV_ERROR, MV_ERR_OPERATION_FAILED);
    g_assert_nonnull(strstr(err->message, "signal 9"));
    g_assert_cmpint(waitpid(-1, NULL, WNOHANG), ==, -1);   /* no child left unreaped */
}

static void
test_sync_timeout(void)
{
    g_autofree char *dir = g_dir_make_tmp("mvspawn-XXXXXX", NULL);
    g_autofree char *pidfile = g_build_filename(dir, "pid", NULL);
    g_autofree char *script = g_strdup_printf("echo $$ > '%s'; exec sleep 30", pidfile);
    const char *argv[] = { "sh", "-c", script, NULL };
    g_autoptr(GError) err = NULL;
    g_autofree char *pidstr = NULL;
    gint64 start = g_get_monotonic_time();
    pid_t pid;

    g_assert_false(mv_spawn_sync(argv, NULL, 500, NULL, NULL, NULL, &err));
    g_assert_error(err, MV_ERROR, MV_ERR_OPERATION_TIMEOUT);
    g_assert_cmpint(g_get_monotonic_time() - start, <, 3 * G_USEC_PER_SEC);
    g_assert_true(g_file_get_contents(pidfile, &pidstr, NULL, NULL));
    pid = atoi(pidstr);
    g_assert_cmpint(pid, >, 0);
    g_assert_true(reaped_and_gone(pid));
    unlink(pidfile);
    rmdir(dir);
}

static void
test_sync_env_and_fds(void)
{
    const char *env[] = { "FOO=bar baz", NULL };
    MV_AUTOCLOSE int leak = open("/dev/null", O_RDONLY);   /* no O_CLOEXEC on purpose */
    g_autofree char *script = g_strdup_printf(
        "echo \"$FOO\"; test -e /proc/$$/fd/%d && echo leaked; readlink /proc/$$/fd/0", leak);
    const char *argv[] = { "sh", "-c", script, NULL };
    g_autoptr(GError) err = NULL;
    g_autofree char *out = NULL;

    g_assert_cmpint(leak, >=, 3);
    g_assert_true(mv_spawn_sync(argv, env, 5000, &out, NULL, NULL, &err));
    g_assert_no_error(err);
    g_assert_cmpstr(out, ==, "bar baz\n/dev/null\n");
}

static void
test_sync_signals_reset(void)
{
    const char *argv[] = { "grep", "-E", "^Sig(Ign|Blk)", "/proc/self/status", NULL };
    g_autofree char *out = NULL;
    sigset_t block, old;
    void (*prev)(int) = signal(SIGPIPE, SIG_IGN);

    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    g_assert_true(mv_spawn_sync(argv, NULL, 5000, &out, NULL, NULL, NULL));
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    signal(SIGPIPE, prev);
    g_assert_cmpstr(out, ==, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
}

typedef struct {
    GMainLoop *loop;
    int status;
    gint64 fired_at;
    int calls;
} WatchData;

static void
on_exit_cb(MvChild *child, int status, gpointer data)
{
    WatchData *wd = data;

    wd->status = status;
    wd->fired_at = g_get_monotonic_time();
    wd->calls++;
    g_main_loop_quit(wd->loop);
}

static gboolean
on_too_late(gpointer data)
{
    g_main_loop_quit(data);
    return G_SOURCE_REMOVE;
}

static void
test_child_watch(void)
{
    const char *argv[] = { "sleep", "0.2", NULL };
    MvChildOptions opts = { .argv = argv };
    g_autoptr(GMainContext) ctx = g_main_context_new();
    WatchData wd = { .loop = g_main_loop_new(ctx, FALSE) };
    g_autoptr(GError) err = NULL;
    g_autoptr(MvChild) child = NULL;
    g_autoptr(GSource) guard = g_timeout_source_new(5000);
    gint64 start = g_get_monotonic_time();
    int status = -1;

    child = mv_child_spawn(&opts, &err);
    g_assert_no_error(err);
    if (mv_child_get_pidfd(child) < 0)
        g_test_message("no pidfd: testing the GLib child watch fallback");
    g_assert_true(mv_child_watch(child, ctx, on_exit_cb, &wd));
    g_assert_false(mv_child_watch(child, ctx, on_exit_cb, &wd));   /* one watch */
    g_source_set_callback(guard, on_too_late, wd.loop, NULL);
    g_source_attach(guard, ctx);
    g_main_loop_run(wd.loop);
    g_source_destroy(guard);

    g_assert_cmpint(wd.calls, ==, 1);
    g_assert_true(WIFEXITED(wd.status) && WEXITSTATUS(wd.status) == 0);
    /* sleep 0.2 plus slack: the watch fires on exit, not on a slow poll. */
    g_assert_cmpint(wd.fired_at - start, >=, 150 * 1000);
    g_assert_cmpint(wd.fired_at - start, <, 1000 * 1000);
    g_assert_true(reaped_and_gone(mv_child_get_pid(child)));
    g_assert_true(mv_child_get_exit_status(child, &status));
    g_assert_cmpint(status, ==, wd.status);
    g_main_loop_unref(wd.loop);
}

static void
test_child_watch_after_exit(void)
{
    const char *argv[] = { "true", NULL };
    MvChildOptions opts = { .argv = argv };
    g_autoptr(GMainContext) ctx = g_main_context_new();
    WatchData wd = { .loop = g_main_loop_new(ctx, FALSE) };
    g_autoptr(MvChild) child = mv_child_spawn(&opts, NULL);

    g_assert_true(mv_child_wait(child, 5000, NULL, NULL));
    g_assert_true(mv_child_watch(child, ctx, on_exit_cb, &wd));
    g_main_loop_run(wd.loop);
    g_assert_cmpint(wd.calls, ==, 1);
    g_assert_true(WIFEXITED(wd.status));
    g_main_loop_unref(wd.loop);
}

static void
test_child_terminate(void)
{
    const char *argv[] = { "sleep", "30", NULL };
    MvChildOptions opts = { .argv = argv, .setsid = true };
    g_autoptr(GError) err = NULL;
    g_autoptr(MvChild) child = mv_child_spawn(&opts, &err);
    pid_t pid;
    int status = 0;

    g_assert_no_error(err);
    pid = mv_child_get_pid(child);
    g_assert_cmpint(getsid(pid), ==, pid);
    g_assert_true(mv_pid_is_alive(pid, 0));
    g_assert_false(mv_child_wait(child, 100, &status, &err));
    g_assert_error(err, MV_ERROR, MV_ERR_OPERATION_TIMEOUT);
    g_assert_true(mv_pid_is_alive(pid, 0));             /* a timed-out wait kills nothing */
    g_assert_true(mv_child_terminate(child, 5000, NULL));
    g_assert_true(mv_child_get_exit_status(child, &status));
    g_assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
    g_assert_true(reaped_and_gone(pid));
    g_assert_true(mv_child_terminate(child, 0, NULL));  /* already reaped: fine */
}

static void
test_child_terminate_escalates(void)
{
    const char *argv[] = { "sh", "-c", "trap '' TERM; echo ready; exec sleep 30", NULL };
    int p[2];
    char buf[8];
    gint64 start;
    int status = 0;

    g_assert_cmpint(pipe2(p, O_CLOEXEC), ==, 0);
    {
        MvChildOptions opts = { .argv = argv, .out = { .kind = MV_CHILD_STDIO_FD, .fd = p[1] } };
        g_autoptr(MvChild) child = mv_child_spawn(&opts, NULL);

        close(p[1]);
        g_assert_cmpint(read(p[0], buf, sizeof(buf)), >, 0);   /* the trap is in place */
        start = g_get_monotonic_time();
        g_assert_true(mv_child_terminate(child, 300, NULL));
        g_assert_cmpint(g_get_monotonic_time() - start, >=, 250 * 1000);
        g_assert_true(mv_child_get_exit_status(child, &status));
        g_assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        g_assert_true(reaped_and_gone(mv_child_get_pid(child)));
    }
    close(p[0]);
}

static void
test_child_fds(void)
{
    int a[2], b[2];
    char buf[16] = { 0 };

    g_assert_cmpint(pipe2(a, O_CLOEXEC), ==, 0);
    g_assert_cmpint(pipe2(b, O_CLOEXEC), ==, 0);
    {
        /* Swap the two write ends: each source number is the other's target. */
        g_autofree char *script = g_strdup_printf("echo A >&%d; echo B >&%d", b[1], a[1]);
        const char *argv[] = { "sh", "-c", script, NULL };
        MvChildFd fds[] = { { a[1], b[1] }, { b[1], a[1] } };
        MvChildOptions opts = { .argv = argv, .fds = fds, .n_fds = 2 };
        g_autoptr(GError) err = NULL;
        g_autoptr(MvChild) child = mv_child_spawn(&opts, &err);
        int status = -1;

        g_assert_no_error(err);
        g_assert_true(mv_child_wait(child, 5000, &status, NULL));
        g_assert_cmpint(status, ==, 0);
    }
    close(a[1]);
    close(b[1]);
    g_assert_cmpint(read(a[0], buf, sizeof(buf) - 1), ==, 2);
    g_assert_cmpstr(buf, ==, "A\n");
    memset(buf, 0, sizeof(buf));
    g_assert_cmpint(read(b[0], buf, sizeof(buf) - 1), ==, 2);
    g_assert_cmpstr(buf, ==, "B\n");
    close(a[0]);
    close(b[0]);
}

static void
test_child_log_file(void)
{
    g_autofree char *dir = g_dir_make_tmp("mvspawn-XXXXXX", NULL);
    g_autofree char *log = g_build_filename(dir, "guest.log", NULL);
    g_autofree char *content = NULL;
    const char *argv[] = { "sh", "-c", "echo new; echo err >&2", NULL };
    MvChildOptions opts = {
        .argv = argv,
        .out = { .kind = MV_CHILD_STDIO_FILE, .path = log },
        .err = { .kind = MV_CHILD_STDIO_FILE, .path = log },
    };
    g_autoptr(MvChild) child = NULL;

    g_assert_true(g_file_set_contents(log, "old\n", -1, NULL));
    child = mv_child_spawn(&opts, NULL);
    g_assert_true(mv_child_wait(child, 5000, NULL, NULL));
    g_assert_true(g_file_get_contents(log, &content, NULL, NULL));
    g_assert_cmpstr(content, ==, "old\nnew\nerr\n");
    unlink(log);
    rmdir(dir);
}

static void
test_child_bad_options(void)
{
    const char *argv[] = { "true", NULL };
    MvChildFd low[] = { { 0, 2 } };
    MvChildFd twice[] = { { 0, 5 }, { 1, 5 } };
    MvChildOptions opts = { .argv = argv, .fds = low, .n_fds = 1 };
    g_autoptr(GError) err = NULL;

    g_assert_null(mv_child_spawn(&opts, &err));
    g_assert_error(err, MV_ERROR, MV_ERR_INVALID_ARG);
    g_clear_error(&err);
    opts.fds = twice;
    opts.n_fds = 2;
    g_assert_null(mv_child_spawn(&opts, &err));
    g_assert_error(err, MV_ERROR, MV_ERR_INVALID_ARG);
}

/* die_with_parent: the child of a process that dies gets SIGKILL. The test
 * is the subreaper of the dead parent's child, so it reaps it and sees how it
 * ended (a `sleep 60` that outlived its parent is a failure). */
static void
test_child_die_with_parent(void)
{
    int pipefd[2], status = -1;
    pid_t mid, orphan = 0, got = 0;

    g_assert_cmpint(prctl(PR_SET_CHILD_SUBREAPER, 1), ==, 0);
    g_assert_cmpint(pipe(pipefd), ==, 0);
    mid = fork();
    g_assert_cmpint(mid, >=, 0);
    if (mid == 0) {
        const char *argv[] = { "sleep", "60", NULL };
        MvChildOptions opts = { .argv = argv, .die_with_parent = true };
        MvChild *child = mv_child_spawn(&opts, NULL);
        pid_t pid = child ? mv_child_get_pid(child) : 0;

        if (write(pipefd[1], &pid, sizeof(pid)) != sizeof(pid))
            _exit(1);
        _exit(0);
    }
    close(pipefd[1]);
    g_assert_cmpint(read(pipefd[0], &orphan, sizeof(orphan)), ==, sizeof(orphan));
    close(pipefd[0]);
    g_assert_cmpint(orphan, >, 0);
    g_assert_cmpint(waitpid(mid, &status, 0), ==, mid);
    for (int i = 0; i < 500 && got != orphan; i++) {
        got = waitpid(orphan, &status, WNOHANG);
        if (got != orphan)
            g_usleep(20 * 1000);
    }
    if (got != orphan) {
        kill(orphan, SIGKILL);
        waitpid(orphan, NULL, 0);
    }
    g_assert_cmpint(prctl(PR_SET_CHILD_SUBREAPER, 0), ==, 0);
    g_assert_cmpint(got, ==, orphan);
    g_assert_true(WIFSIGNALED(status));
    g_assert_cmpint(WTERMSIG(status), ==, SIGKILL);
}

/* A gated child runs its program only once released; freed unreleased (or
 * its parent dead), it exits without ever running it. */
static void
test_child_gated(void)
{
    g_autofree char *dir = g_dir_make_tmp("mvspawn-XXXXXX", NULL);
    g_autofree char *mark = g_build_filename(dir, "ran", NULL);
    g_autofree char *script = g_strdup_printf("echo ran > %s", mark);
    const char *argv[] = { "sh", "-c", script, NULL };
    const char *bad_argv[] = { "/nonexistent/program", NULL };
    MvChildOptions opts = { .argv = argv, .gated = true };
    g_autoptr(GError) err = NULL;
    MvChild *child;
    int status = -1;
    pid_t pid;

    /* never released: exits 127 without exec */
    child = mv_child_spawn(&opts, &err);
    g_assert_no_error(err);
    pid = mv_child_get_pid(child);
    mv_child_free(child);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 127);
    g_assert_false(g_file_test(mark, G_FILE_TEST_EXISTS));

    /* released: runs */
    child = mv_child_spawn(&opts, &err);
    g_assert_no_error(err);
    g_assert_false(g_file_test(mark, G_FILE_TEST_EXISTS));
    g_assert_true(mv_child_release(child, &err));
    g_assert_no_error(err);
    g_assert_true(mv_child_release(child, &err));       /* a second release is a no-op */
    g_assert_true(mv_child_wait(child, 5000, &status, NULL));
    g_assert_cmpint(status, ==, 0);
    g_assert_true(g_file_test(mark, G_FILE_TEST_EXISTS));
    mv_child_free(child);

    /* an exec failure is reported by the release, and the child is reaped */
    opts.argv = bad_argv;
    child = mv_child_spawn(&opts, &err);
    g_assert_no_error(err);
    pid = mv_child_get_pid(child);
    g_assert_false(mv_child_release(child, &err));
    g_assert_error(err, MV_ERROR, MV_ERR_SYSTEM_ERROR);
    g_assert_nonnull(strstr(err->message, "/nonexistent/program"));
    g_assert_true(mv_child_get_exit_status(child, NULL));
    g_assert_true(reaped_and_gone(pid));
    mv_child_free(child);
    unlink(mark);
    rmdir(dir);
}

/* Waits until our unreaped child @pid is a zombie (state Z in /proc). */
static bool
wait_zombie(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);

    for (int i = 0; i < 500; i++) {
        g_autofree char *stat = NULL;
        const char *paren;

        if (g_file_get_contents(path, &stat, NULL, NULL) && (paren = strrchr(stat, ')')) &&
            paren[2] == 'Z')
            return true;
        g_usleep(10 * 1000);
    }
    return false;
}

static void
test_pid_alive(void)
{
    const char *argv[] = { "true", NULL };
    MvChildOptions opts = { .argv = argv };
    g_autoptr(GError) err = NULL;
    g_autoptr(MvChild) child = NULL;
    guint64 start = 0;
    guint64 child_start = 0;
    pid_t pid;

    g_assert_true(mv_pid_get_start_time(getpid(), &start, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(start, >, 0);
    g_assert_true(mv_pid_is_alive(getpid(), start));
    g_assert_true(mv_pid_is_alive(getpid(), 0));
    g_assert_false(mv_pid_is_alive(getpid(), start + 1));

    /* An exited but unreaped child is a zombie: not alive. */
    child = mv_child_spawn(&opts, NULL);
    pid = mv_child_get_pid(child);
    g_assert_true(mv_pid_get_start_time(pid, &child_start, NULL));
    g_assert_true(wait_zombie(pid));
    g_assert_false(mv_pid_is_alive(pid, 0));
    g_assert_false(mv_pid_is_alive(pid, child_start));
    g_assert_true(mv_child_wait(child, 0, NULL, NULL));
    g_assert_false(mv_pid_is_alive(pid, 0));
    g_assert_false(mv_pid_get_start_time(pid, &start, &err));
    g_assert_error(err, MV_ERROR, MV_ERR_SYSTEM_ERROR);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/spawn/sync/output", test_sync_output);
    g_test_add_func("/spawn/sync/failure", test_sync_failure);
    g_test_add_func("/spawn/sync/timeout", test_sync_timeout);
    g_test_add_func("/spawn/sync/env-and-fds", test_sync_env_and_fds);
    g_test_add_func("/spawn/sync/signals-reset", test_sync_signals_reset);
    g_test_add_func("/spawn/child/watch", test_child_watch);
    g_test_add_func("/spawn/child/watch-after-exit", test_child_watch_after_exit);
    g_test_add_func("/spawn/child/terminate", test_child_terminate);
    g_test_add_func("/spawn/child/terminate-escalates", test_child_terminate_escalates);
    g_test_add_func("/spawn/child/fds", test_child_fds);
    g_test_add_func("/spawn/child/log-file", test_child_log_file);
    g_test_add_func("/spawn/child/bad-options", test_child_bad_options);
    g_test_add_func("/spawn/child/gated", test_child_gated);
    g_test_add_func("/spawn/child/die-with-parent", test_child_die_with_parent);
    g_test_add_func("/spawn/pid-alive", test_pid_alive);
    return g_test_run();
}
