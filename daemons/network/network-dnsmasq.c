/* Starting, supervising, reloading, stopping and reattaching dnsmasq: see
 * network-dnsmasq.h. The config text is network-dnsmasq-conf.c.
 *
 * Threads: the calls may come from any thread; exits and restarts run on the
 * options' GMainContext. dm->lock guards the process fields; every GSource
 * holds a reference on dm, and a callback whose source is no longer the
 * current one (stopped, restarted meanwhile) does nothing. */
#include "network-dnsmasq.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/error.h"
#include "util/fd.h"
#include "util/file.h"
#include "util/pidfd.h"
#include "util/proc.h"
#include "util/spawn.h"

#define MV_DNSMASQ_BACKOFF_MIN_MS 100
#define MV_DNSMASQ_BACKOFF_MAX_MS 10000
#define MV_DNSMASQ_STABLE_US (30 * G_USEC_PER_SEC)   /* ran this long: backoff resets */
#define MV_DNSMASQ_STOP_GRACE_MS 2000

struct _MvNetworkDnsmasq {
    gint ref;
    GMutex lock;
    char *network;
    MvNetworkDnsmasqFiles *files;
    char *binary;
    char *lease_helper;
    char *user;
    GMainContext *context;
    int ready_timeout_ms;
    MvNetworkDnsmasqExitFunc on_exit;
    gpointer user_data;

    MvChild *child;             /* our child; NULL when reattached or between runs */
    pid_t pid;                  /* 0 between runs */
    int pidfd;                  /* ours, -1 between runs */
    GSource *exit_source;
    GSource *restart_source;
    bool stopped;
    guint restarts;
    guint backoff_ms;
    gint64 started_at;          /* monotonic, of the current run */
};

static MvNetworkDnsmasq *
mv_network_dnsmasq_ref(MvNetworkDnsmasq *dm)
{
    g_atomic_int_inc(&dm->ref);
    return dm;
}

static void
mv_network_dnsmasq_unref(gpointer data)
{
    MvNetworkDnsmasq *dm = data;

    if (!g_atomic_int_dec_and_test(&dm->ref))
        return;
    mv_child_free(dm->child);
    mv_close_fdp(&dm->pidfd);
    g_free(dm->network);
    mv_network_dnsmasq_files_free(dm->files);
    g_free(dm->binary);
    g_free(dm->lease_helper);
    g_free(dm->user);
    if (dm->context)
        g_main_context_unref(dm->context);
    g_mutex_clear(&dm->lock);
    g_free(dm);
}

static MvNetworkDnsmasqFiles *
mv_network_dnsmasq_files_copy(const MvNetworkDnsmasqFiles *src)
{
    MvNetworkDnsmasqFiles *files = g_new0(MvNetworkDnsmasqFiles, 1);

    files->dir = g_strdup(src->dir);
    files->conf = g_strdup(src->conf);
    files->hostsfile = g_strdup(src->hostsfile);
    files->addnhosts = g_strdup(src->addnhosts);
    files->leases = g_strdup(src->leases);
    files->run_dir = g_strdup(src->run_dir);
    files->pidfile = g_strdup(src->pidfile);
    files->startfile = g_strdup(src->startfile);
    files->log = g_strdup(src->log);
    return files;
}

static MvNetworkDnsmasq *
mv_network_dnsmasq_new(const MvNetworkDef *def, const MvNetworkDnsmasqFiles *files,
                       const MvNetworkDnsmasqOptions *opts)
{
    MvNetworkDnsmasq *dm = g_new0(MvNetworkDnsmasq, 1);
    const char *user = opts->user ? opts->user : mv_network_dnsmasq_pick_user(files);

    dm->ref = 1;
    g_mutex_init(&dm->lock);
    dm->network = g_strdup(def->name);
    dm->files = mv_network_dnsmasq_files_copy(files);
    dm->binary = g_strdup(opts->binary ? opts->binary : "dnsmasq");
    dm->lease_helper = g_strdup(opts->lease_helper);
    dm->user = g_strdup(user);
    dm->context = g_main_context_ref(opts->context ? opts->context
                                                   : g_main_context_default());
    dm->ready_timeout_ms = opts->ready_timeout_ms > 0 ? opts->ready_timeout_ms : 5000;
    dm->on_exit = opts->on_exit;
    dm->user_data = opts->user_data;
    dm->pidfd = -1;
    return dm;
}

/* Replaces @path with @text unless it holds exactly that; *@changed says which. */
static bool
mv_network_dnsmasq_write(const char *path, const char *text, bool *changed, GError **error)
{
    g_autofree char *old = NULL;

    if (mv_file_read_all(path, 16 * 1024 * 1024, &old, NULL, NULL) && strcmp(old, text) == 0) {
        *changed = false;
        return true;
    }
    *changed = true;
    /* not fsynced: regenerated from the definition whenever it is needed */
    return mv_file_write_replace(path, text, strlen(text), 0644, false, error);
}

/* Writes the config and both hosts files of @def. */
static bool
mv_network_dnsmasq_write_files(MvNetworkDnsmasq *dm, const MvNetworkDef *def,
                               bool *ret_conf_changed, bool *ret_hosts_changed, GError **error)
{
    MvNetworkDnsmasqOptions opts = { .lease_helper = dm->lease_helper, .user = dm->user };
    g_autofree char *conf = NULL;
    g_autofree char *hosts = mv_network_dnsmasq_hostsfile(def);
    g_autofree char *addn = mv_network_dnsmasq_addnhosts(def);
    bool c1, c2, c3;

    if (!def->bridge)
        return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_INTERNAL_ERROR,
                            "Network '%s' has no bridge name for dnsmasq", def->name);
    conf = mv_network_dnsmasq_config(def, dm->files, &opts);
    if (!mv_file_mkdir_p(dm->files->dir, 0755, error) ||
        !mv_file_mkdir_p(dm->files->run_dir, 0755, error))
        return false;
    if (!mv_network_dnsmasq_write(dm->files->hostsfile, hosts, &c2, error) ||
        !mv_network_dnsmasq_write(dm->files->addnhosts, addn, &c3, error) ||
        !mv_network_dnsmasq_write(dm->files->conf, conf, &c1, error))
        return false;
    *ret_conf_changed = c1;
    *ret_hosts_changed = c2 || c3;
    return true;
}

static void
mv_network_dnsmasq_remove_runfiles(const MvNetworkDnsmasqFiles *files)
{
    (void)unlink(files->pidfile);
    (void)unlink(files->startfile);
}

/* The pid in @path, or 0. */
static pid_t
mv_network_dnsmasq_read_pid(const char *path)
{
    g_autofree char *text = NULL;
    gint64 pid;
    char *end;

    if (!mv_file_read_all(path, 64, &text, NULL, NULL))
        return 0;
    pid = g_ascii_strtoll(text, &end, 10);
    if (end == text || (*end && *end != '\n' && *end != ' ') || pid <= 0 || pid > G_MAXINT32)
        return 0;
    return (pid_t)pid;
}

/* Records "PID STARTTIME" of the current run for a later reattach. */
static void
mv_network_dnsmasq_write_startfile(MvNetworkDnsmasq *dm)
{
    g_autofree char *text = NULL;
    guint64 start = 0;

    if (!mv_pid_get_start_time(dm->pid, &start, NULL))
        return;
    text = g_strdup_printf("%d %" G_GUINT64_FORMAT "\n", (int)dm->pid, start);
    (void)mv_file_write_replace(dm->files->startfile, text, strlen(text), 0644, false, NULL);
}

/* Sends @sig to the current process (lock held): through the pidfd, or to
 * the pid of our unreaped child when there is no pidfd (it cannot be reused
 * before we reap it). 0, or -1 with errno. */
static int
mv_network_dnsmasq_signal(MvNetworkDnsmasq *dm, int sig)
{
    if (dm->pidfd >= 0)
        return mv_pidfd_send_signal(dm->pidfd, sig);
    if (dm->child && !mv_child_get_exit_status(dm->child, NULL))
        return kill(dm->pid, sig);
    errno = ESRCH;
    return -1;
}

static int mv_network_dnsmasq_collect(MvNetworkDnsmasq *dm);

/* Test-only fault point (MV_TEST_CRASH_AT=dnsmasq-spawned): dnsmasq runs, no
 * pidfile of its own yet. */
static void
crash_point(const char *point)
{
    const char *at = g_getenv("MV_TEST_CRASH_AT");

    if (G_UNLIKELY(at) && g_str_equal(at, point))
        raise(SIGKILL);
}

/* Starts dnsmasq (lock held); does not wait for it to serve. */
static bool
mv_network_dnsmasq_spawn(MvNetworkDnsmasq *dm, GError **error)
{
    g_autofree char *conf_arg = g_strconcat("--conf-file=", dm->files->conf, NULL);
    const char *argv[] = { dm->binary, conf_arg, "--keep-in-foreground", NULL };
    g_auto(GStrv) envp = g_environ_setenv(g_get_environ(), "MV_LEASE_FILE", dm->files->leases,
                                          TRUE);
    MvChildOptions opts = {
        .argv = argv,
        .envp = (const char *const *)envp,
        .err = { .kind = MV_CHILD_STDIO_FILE, .path = dm->files->log },
        .setsid = true,
        .gated = true,      /* no exec before the start file names it */
    };
    MvChild *child;
    int pidfd;

    mv_network_dnsmasq_remove_runfiles(dm->files);
    if (!(child = mv_child_spawn(&opts, error))) {
        g_prefix_error(error, "Cannot start dnsmasq for network '%s': ", dm->network);
        return false;
    }
    pidfd = mv_child_get_pidfd(child);
    dm->child = child;
    dm->pid = mv_child_get_pid(child);
    dm->pidfd = pidfd >= 0 ? fcntl(pidfd, F_DUPFD_CLOEXEC, 3) : -1;
    dm->started_at = g_get_monotonic_time();
    /* Recorded before dnsmasq runs: a networkd killed from here on finds it
     * through the start file, also before dnsmasq wrote its pidfile. */
    mv_network_dnsmasq_write_startfile(dm);
    if (!mv_child_release(child, error)) {
        g_prefix_error(error, "Cannot start dnsmasq for network '%s': ", dm->network);
        (void)mv_network_dnsmasq_collect(dm);
        mv_network_dnsmasq_remove_runfiles(dm->files);
        return false;
    }
    crash_point("dnsmasq-spawned");
    return true;
}

/* What dnsmasq wrote to its stderr log from @offset on, trimmed. */
static char *
mv_network_dnsmasq_log_since(MvNetworkDnsmasq *dm, goffset offset)
{
    g_autofree char *data = NULL;
    gsize len = 0;

    if (!mv_file_read_all(dm->files->log, 1024 * 1024, &data, &len, NULL) ||
        (gsize)offset >= len)
        return g_strdup("(no message)");
    return g_strstrip(g_strdup(data + offset));
}

static goffset
mv_network_dnsmasq_log_size(MvNetworkDnsmasq *dm)
{
    struct stat st;

    return stat(dm->files->log, &st) == 0 ? st.st_size : 0;
}

/* Reaps or forgets the current process (lock held) after it exited. */
static int
mv_network_dnsmasq_collect(MvNetworkDnsmasq *dm)
{
    int status = -1;

    if (dm->child) {
        (void)mv_child_wait(dm->child, 5000, &status, NULL);
        g_clear_pointer(&dm->child, mv_child_free);
    }
    mv_close_fdp(&dm->pidfd);
    dm->pid = 0;
    return status;
}

/* Terminates a process that is not our child (reattached, or left by an
 * earlier networkd) and waits until it exited: its exit makes the pidfd
 * readable; PID 1 reaps it whenever it does. */
static void
mv_network_dnsmasq_kill_pidfd(int pidfd)
{
    struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

    if (mv_pidfd_send_signal(pidfd, SIGTERM) == 0 &&
        poll(&pfd, 1, MV_DNSMASQ_STOP_GRACE_MS) == 0) {
        (void)mv_pidfd_send_signal(pidfd, SIGKILL);
        (void)poll(&pfd, 1, 5000);
    }
}

/* Terminates the current process (lock held) and waits until it is gone. */
static void
mv_network_dnsmasq_kill(MvNetworkDnsmasq *dm)
{
    if (dm->child)
        (void)mv_child_terminate(dm->child, MV_DNSMASQ_STOP_GRACE_MS, NULL);
    else if (dm->pidfd >= 0)
        mv_network_dnsmasq_kill_pidfd(dm->pidfd);
    (void)mv_network_dnsmasq_collect(dm);
    mv_network_dnsmasq_remove_runfiles(dm->files);
}

/* Waits (lock held) until the current dnsmasq wrote its pidfile, which it
 * does after binding its DHCP and DNS sockets; an inotify watch on the run
 * directory wakes us, the pidfd tells of an early exit. */
static bool
mv_network_dnsmasq_wait_ready(MvNetworkDnsmasq *dm, goffset log_offset, GError **error)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)dm->ready_timeout_ms * 1000;
    MV_AUTOCLOSE int ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);

    if (ino >= 0)
        (void)inotify_add_watch(ino, dm->files->run_dir, IN_CLOSE_WRITE | IN_MOVED_TO);
    for (;;) {
        struct pollfd pfd[2] = {
            { .fd = dm->pidfd, .events = POLLIN },
            { .fd = ino, .events = POLLIN },
        };
        gint64 left_ms = (deadline - g_get_monotonic_time()) / 1000;
        char buf[4096];

        if (mv_network_dnsmasq_read_pid(dm->files->pidfile) == dm->pid)
            return true;
        if (left_ms <= 0) {
            mv_network_dnsmasq_kill(dm);
            return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_OPERATION_TIMEOUT,
                                "dnsmasq for network '%s' did not start serving within %d ms",
                                dm->network, dm->ready_timeout_ms);
        }
        /* without inotify (or pidfd) poll the pidfile every 2 ms */
        (void)poll(pfd, 2, ino >= 0 && dm->pidfd >= 0 ? (int)MIN(left_ms, 1000) : 2);
        if (ino >= 0)
            while (read(ino, buf, sizeof(buf)) > 0)
                ;
        if (pfd[0].revents & POLLIN) {
            g_autofree char *msg = mv_network_dnsmasq_log_since(dm, log_offset);
            int status = mv_network_dnsmasq_collect(dm);

            mv_network_dnsmasq_remove_runfiles(dm->files);
            return mv_error_set(error, MV_FROM_NETWORK, MV_ERR_OPERATION_FAILED,
                                "dnsmasq for network '%s' exited (status %d) before serving: %s",
                                dm->network, WIFEXITED(status) ? WEXITSTATUS(status) : status,
                                msg);
        }
    }
}

static gboolean mv_network_dnsmasq_on_exit(gint fd, GIOCondition cond, gpointer data);

/* Watches the current process (lock held). */
static void
mv_network_dnsmasq_watch(MvNetworkDnsmasq *dm)
{
    GSource *src;

    if (dm->pidfd < 0)
        return;   /* no pidfd (very old kernel): no supervision */
    src = g_unix_fd_source_new(dm->pidfd, G_IO_IN | G_IO_HUP | G_IO_ERR);
    g_source_set_callback(src, G_SOURCE_FUNC(mv_network_dnsmasq_on_exit),
                          mv_network_dnsmasq_ref(dm), mv_network_dnsmasq_unref);
    g_source_attach(src, dm->context);
    dm->exit_source = src;
}

static void
mv_network_dnsmasq_unwatch(MvNetworkDnsmasq *dm)
{
    if (dm->exit_source) {
        g_source_destroy(dm->exit_source);
        g_clear_pointer(&dm->exit_source, g_source_unref);
    }
    if (dm->restart_source) {
        g_source_destroy(dm->restart_source);
        g_clear_pointer(&dm->restart_source, g_source_unref);
    }
}

static gboolean mv_network_dnsmasq_on_restart(gpointer data);

/* Schedules the next start (lock held), backing off while it keeps dying. */
static guint
mv_network_dnsmasq_schedule(MvNetworkDnsmasq *dm)
{
    GSource *src;

    if (dm->backoff_ms == 0 || g_get_monotonic_time() - dm->started_at > MV_DNSMASQ_STABLE_US)
        dm->backoff_ms = MV_DNSMASQ_BACKOFF_MIN_MS;
    else
        dm->backoff_ms = MIN(dm->backoff_ms * 2, MV_DNSMASQ_BACKOFF_MAX_MS);
    src = g_timeout_source_new(dm->backoff_ms);
    g_source_set_callback(src, mv_network_dnsmasq_on_restart, mv_network_dnsmasq_ref(dm),
                          mv_network_dnsmasq_unref);
    g_source_attach(src, dm->context);
    dm->restart_source = src;
    return dm->backoff_ms;
}

static gboolean
mv_network_dnsmasq_on_exit(gint fd, GIOCondition cond, gpointer data)
{
    MvNetworkDnsmasq *dm = data;
    MvNetworkDnsmasqExitFunc func;
    pid_t pid;
    int status;
    guint delay;

    g_mutex_lock(&dm->lock);
    if (dm->stopped || g_main_current_source() != dm->exit_source) {
        g_mutex_unlock(&dm->lock);
        return G_SOURCE_REMOVE;
    }
    g_clear_pointer(&dm->exit_source, g_source_unref);
    pid = dm->pid;
    status = mv_network_dnsmasq_collect(dm);
    g_debug("dnsmasq %d of network '%s' exited (status %d)", (int)pid, dm->network, status);
    delay = mv_network_dnsmasq_schedule(dm);
    func = dm->on_exit;
    g_mutex_unlock(&dm->lock);
    if (func)
        func(dm->network, pid, status, delay, dm->user_data);
    return G_SOURCE_REMOVE;
}

static gboolean
mv_network_dnsmasq_on_restart(gpointer data)
{
    MvNetworkDnsmasq *dm = data;
    g_autoptr(GError) error = NULL;

    g_mutex_lock(&dm->lock);
    if (dm->stopped || g_main_current_source() != dm->restart_source) {
        g_mutex_unlock(&dm->lock);
        return G_SOURCE_REMOVE;
    }
    g_clear_pointer(&dm->restart_source, g_source_unref);
    if (mv_network_dnsmasq_spawn(dm, &error)) {
        dm->restarts++;
        mv_network_dnsmasq_watch(dm);
    } else {
        g_debug("%s; trying again", error->message);
        dm->started_at = g_get_monotonic_time();
        mv_network_dnsmasq_schedule(dm);
    }
    g_mutex_unlock(&dm->lock);
    return G_SOURCE_REMOVE;
}

/* Starts and waits (lock held). */
static bool
mv_network_dnsmasq_run(MvNetworkDnsmasq *dm, GError **error)
{
    goffset offset = mv_network_dnsmasq_log_size(dm);

    if (!mv_network_dnsmasq_spawn(dm, error) ||
        !mv_network_dnsmasq_wait_ready(dm, offset, error))
        return false;
    mv_network_dnsmasq_watch(dm);
    return true;
}

MvNetworkDnsmasq *
mv_network_dnsmasq_start(const MvNetworkDef *def, const MvNetworkDnsmasqFiles *files,
                         const MvNetworkDnsmasqOptions *opts, GError **error)
{
    MvNetworkDnsmasq *dm;
    bool conf_changed, hosts_changed;
    bool ok;

    /* one left by an earlier networkd (killed while starting this network)
     * would hold the addresses and ports */
    if (!mv_network_dnsmasq_kill_stale(files, error))
        return NULL;
    (void)unlink(files->log);
    dm = mv_network_dnsmasq_new(def, files, opts);
    g_mutex_lock(&dm->lock);
    ok = mv_network_dnsmasq_write_files(dm, def, &conf_changed, &hosts_changed, error) &&
         mv_network_dnsmasq_run(dm, error);
    g_mutex_unlock(&dm->lock);
    if (!ok) {
        mv_network_dnsmasq_unref(dm);
        return NULL;
    }
    return dm;
}

/* True when /proc/@pid/cmdline has the argument "--conf-file=@conf". */
static bool
mv_network_dnsmasq_cmdline_matches(pid_t pid, const char *conf)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/cmdline", (int)pid);
    g_autofree char *want = g_strconcat("--conf-file=", conf, NULL);
    g_autofree char *data = NULL;
    gsize len = 0;

    if (!mv_file_read_all(path, 64 * 1024, &data, &len, NULL))
        return false;
    for (gsize i = 0; i < len; i += strlen(data + i) + 1) {
        if (strcmp(data + i, want) == 0)
            return true;
    }
    return false;
}

/* The start time recorded for @pid in the start file, or 0 if none is. */
static guint64
mv_network_dnsmasq_recorded_start(const MvNetworkDnsmasqFiles *files, pid_t pid)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) parts = NULL;

    if (!mv_file_read_all(files->startfile, 128, &text, NULL, NULL))
        return 0;
    parts = g_strsplit(g_strstrip(text), " ", 2);
    if (g_strv_length(parts) != 2 || g_ascii_strtoll(parts[0], NULL, 10) != pid)
        return 0;
    return g_ascii_strtoull(parts[1], NULL, 10);
}

/* Is @pid our network's dnsmasq? Checked again after opening a pidfd, so the
 * pidfd cannot name a process that took a reused pid meanwhile. */
static bool
mv_network_dnsmasq_is_ours(const MvNetworkDnsmasqFiles *files, pid_t pid, guint64 start)
{
    return mv_pid_is_alive(pid, start) && mv_network_dnsmasq_cmdline_matches(pid, files->conf);
}

/* A pidfd on @pid when it is the dnsmasq of @files (started at the recorded
 * time, when one is recorded), else -1. */
static int
mv_network_dnsmasq_open_ours(const MvNetworkDnsmasqFiles *files, pid_t pid)
{
    guint64 start = pid ? mv_network_dnsmasq_recorded_start(files, pid) : 0;
    int pidfd;

    if (!pid || !mv_network_dnsmasq_is_ours(files, pid, start) ||
        (pidfd = mv_pidfd_open(pid)) < 0)
        return -1;
    if (!mv_network_dnsmasq_is_ours(files, pid, start)) {
        close(pidfd);
        return -1;
    }
    return pidfd;
}

bool
mv_network_dnsmasq_kill_stale(const MvNetworkDnsmasqFiles *files, GError **error)
{
    g_autofree char *text = NULL;
    pid_t pids[2] = { mv_network_dnsmasq_read_pid(files->pidfile), 0 };

    /* the start file names a dnsmasq that never got to write its pidfile */
    if (mv_file_read_all(files->startfile, 128, &text, NULL, NULL))
        pids[1] = (pid_t)g_ascii_strtoll(text, NULL, 10);
    for (gsize i = 0; i < G_N_ELEMENTS(pids); i++) {
        int pidfd;

        if (pids[i] <= 0 || (i == 1 && pids[1] == pids[0]))
            continue;
        if ((pidfd = mv_network_dnsmasq_open_ours(files, pids[i])) >= 0) {
            g_debug("stopping dnsmasq %d left running for '%s'", (int)pids[i], files->conf);
            mv_network_dnsmasq_kill_pidfd(pidfd);
            close(pidfd);
        }
    }
    mv_network_dnsmasq_remove_runfiles(files);
    return true;
}

bool
mv_network_dnsmasq_reattach(const MvNetworkDef *def, const MvNetworkDnsmasqFiles *files,
                            const MvNetworkDnsmasqOptions *opts, MvNetworkDnsmasq **ret,
                            GError **error)
{
    pid_t pid = mv_network_dnsmasq_read_pid(files->pidfile);
    int pidfd = mv_network_dnsmasq_open_ours(files, pid);
    MvNetworkDnsmasq *dm;
    bool conf_changed = false, hosts_changed = false;
    bool ok;

    if (pidfd < 0) {
        /* nothing serving; one still starting (no pidfile yet) is stopped */
        if (!mv_network_dnsmasq_kill_stale(files, error))
            return false;
        *ret = NULL;
        return true;
    }
    dm = mv_network_dnsmasq_new(def, files, opts);
    g_mutex_lock(&dm->lock);
    dm->pid = pid;
    dm->pidfd = pidfd;
    dm->started_at = g_get_monotonic_time();
    if (!mv_network_dnsmasq_recorded_start(files, pid))
        mv_network_dnsmasq_write_startfile(dm);
    ok = mv_network_dnsmasq_write_files(dm, def, &conf_changed, &hosts_changed, error);
    if (ok && conf_changed) {
        /* it runs an older config: start it over with the current one */
        mv_network_dnsmasq_kill(dm);
        ok = mv_network_dnsmasq_run(dm, error);
    } else if (ok) {
        if (hosts_changed)
            (void)mv_network_dnsmasq_signal(dm, SIGHUP);
        mv_network_dnsmasq_watch(dm);
    }
    g_mutex_unlock(&dm->lock);
    if (!ok) {
        mv_network_dnsmasq_stop(dm, NULL);
        return false;
    }
    *ret = dm;
    return true;
}

bool
mv_network_dnsmasq_update(MvNetworkDnsmasq *dm, const MvNetworkDef *def, GError **error)
{
    bool conf_changed, hosts_changed;
    bool ok = true;

    g_mutex_lock(&dm->lock);
    if (!mv_network_dnsmasq_write_files(dm, def, &conf_changed, &hosts_changed, error)) {
        g_mutex_unlock(&dm->lock);
        return false;
    }
    if (conf_changed) {
        mv_network_dnsmasq_unwatch(dm);
        if (dm->pid)
            mv_network_dnsmasq_kill(dm);
        ok = mv_network_dnsmasq_run(dm, error);
        if (!ok) {
            /* keep trying in the background, as after a crash */
            dm->started_at = g_get_monotonic_time();
            mv_network_dnsmasq_schedule(dm);
        }
    } else if (hosts_changed && dm->pid) {
        if (mv_network_dnsmasq_signal(dm, SIGHUP) < 0 && errno != ESRCH)
            ok = mv_error_set_errno(error, MV_FROM_NETWORK, errno,
                                    "Cannot tell dnsmasq of network '%s' to reload", dm->network);
    }
    g_mutex_unlock(&dm->lock);
    return ok;
}

bool
mv_network_dnsmasq_stop(MvNetworkDnsmasq *dm, GError **error)
{
    g_mutex_lock(&dm->lock);
    dm->stopped = true;
    mv_network_dnsmasq_unwatch(dm);
    if (dm->pid)
        mv_network_dnsmasq_kill(dm);
    mv_network_dnsmasq_remove_runfiles(dm->files);
    g_mutex_unlock(&dm->lock);
    mv_network_dnsmasq_unref(dm);
    return true;
}

void
mv_network_dnsmasq_detach(MvNetworkDnsmasq *dm)
{
    if (!dm)
        return;
    g_mutex_lock(&dm->lock);
    dm->stopped = true;
    mv_network_dnsmasq_unwatch(dm);
    g_mutex_unlock(&dm->lock);
    mv_network_dnsmasq_unref(dm);
}

pid_t
mv_network_dnsmasq_get_pid(MvNetworkDnsmasq *dm)
{
    pid_t pid;

    g_mutex_lock(&dm->lock);
    pid = dm->pid;
    g_mutex_unlock(&dm->lock);
    return pid;
}

guint
mv_network_dnsmasq_get_restarts(MvNetworkDnsmasq *dm)
{
    guint n;

    g_mutex_lock(&dm->lock);
    n = dm->restarts;
    g_mutex_unlock(&dm->lock);
    return n;
}
