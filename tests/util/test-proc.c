/* Tests for util/proc.c (/proc/PID/stat) and util/pidfd.c. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/error.h"
#include "util/pidfd.h"
#include "util/proc.h"
#include "util/spawn.h"

/* 52 fields as the kernel writes them; comm holds spaces, parentheses and ") S". */
#define STAT_TAIL " 1 2 3 4 5 6 7 8 9 10 1234 567 13 14 15 16 17 18 987654 20 21 22 23 24 25 " \
                  "26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50\n"

static void
test_parse(void)
{
    MvProcStat st = { .state = '?' };

    g_assert_true(mv_proc_stat_parse("4242 (qemu-system-x86) S" STAT_TAIL, &st));
    g_assert_cmpint(st.state, ==, 'S');
    g_assert_cmpuint(st.utime, ==, 1234);
    g_assert_cmpuint(st.stime, ==, 567);
    g_assert_cmpuint(st.start_time, ==, 987654);

    memset(&st, 0, sizeof(st));
    g_assert_true(mv_proc_stat_parse("7 (a) R 9 (b) c)) Z" STAT_TAIL, &st));
    g_assert_cmpint(st.state, ==, 'Z');
    g_assert_cmpuint(st.utime, ==, 1234);
    g_assert_cmpuint(st.start_time, ==, 987654);

    st.state = 'x';
    g_assert_false(mv_proc_stat_parse("7 (a) R 1 2 3", &st));          /* truncated */
    g_assert_false(mv_proc_stat_parse("7 a R" STAT_TAIL, &st));        /* no comm */
    g_assert_false(mv_proc_stat_parse("7 (a) RR" STAT_TAIL, &st));     /* bad state */
    g_assert_false(mv_proc_stat_parse("7 (a) R 1 2 3 4 5 6 7 8 9 10 x 567 13 14 15 16 17 18 1 "
                                      "20 21", &st));
    g_assert_false(mv_proc_stat_parse("", &st));
    g_assert_false(mv_proc_stat_parse(NULL, &st));
    g_assert_cmpint(st.state, ==, 'x');                                 /* untouched */
}

/* The real kernel file, with our own comm renamed to something hostile. */
static void
test_read_self(void)
{
    g_autoptr(GError) err = NULL;
    char saved[17] = { 0 };
    MvProcStat st;
    guint64 start = 0;

    g_assert_cmpint(prctl(PR_GET_NAME, saved), ==, 0);
    g_assert_cmpint(prctl(PR_SET_NAME, "x) Z 1 (y) S 2"), ==, 0);
    g_assert_true(mv_proc_stat_read(getpid(), &st, &err));
    g_assert_no_error(err);
    g_assert_true(mv_pid_get_start_time(getpid(), &start, &err));
    g_assert_true(mv_pid_is_alive(getpid(), start));
    prctl(PR_SET_NAME, saved);
    g_assert_cmpint(st.state, ==, 'R');
    g_assert_cmpuint(st.start_time, ==, start);
    g_assert_cmpuint(st.start_time, >, 0);
    g_assert_cmpuint(mv_proc_ticks_to_ns(1) * (guint64)sysconf(_SC_CLK_TCK), ==, 1000000000);

    g_assert_false(mv_proc_stat_read(0, &st, &err));
    g_assert_error(err, MV_ERROR, MV_ERR_SYSTEM_ERROR);
    g_assert_true(g_str_has_prefix(err->message, "Cannot read '/proc/0/stat'"));
}

/* A zombie child: stat says 'Z', mv_pid_is_alive says no, its pidfd still signals ESRCH. */
static void
test_pidfd_zombie(void)
{
    struct pollfd pfd = { .events = POLLIN };
    MvProcStat st = { 0 };
    pid_t pid = fork();
    int status;

    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        pause();
        _exit(0);
    }
    pfd.fd = mv_pidfd_open(pid);
    if (pfd.fd < 0 && errno == ENOSYS) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        g_test_skip("no pidfd_open() here");
        return;
    }
    g_assert_cmpint(pfd.fd, >=, 0);
    g_assert_cmpint(mv_pidfd_send_signal(pfd.fd, 0), ==, 0);
    g_assert_cmpint(mv_pidfd_send_signal(pfd.fd, SIGKILL), ==, 0);
    g_assert_cmpint(poll(&pfd, 1, 10000), ==, 1);     /* readable once it exited */
    g_assert_true(mv_proc_stat_read(pid, &st, NULL));
    g_assert_cmpint(st.state, ==, 'Z');
    g_assert_false(mv_pid_is_alive(pid, 0));
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    g_assert_cmpint(mv_pidfd_send_signal(pfd.fd, 0), ==, -1);
    g_assert_cmpint(errno, ==, ESRCH);
    close(pfd.fd);
    g_assert_cmpint(mv_pidfd_open(pid), ==, -1);
    g_assert_cmpint(errno, ==, ESRCH);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proc/parse", test_parse);
    g_test_add_func("/proc/read-self", test_read_self);
    g_test_add_func("/proc/pidfd-zombie", test_pidfd_zombie);
    return g_test_run();
}
