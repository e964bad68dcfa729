/* Child processes that we always reap ourselves.
 *
 * Never judge a child "gone" with kill(pid, 0): an unreaped child is a zombie
 * and PID 1 on our hosts reaps orphans late. Every child started here is reaped
 * by waitpid() in this process: by mv_spawn_sync(), a watch, mv_child_wait()
 * or mv_child_terminate(). */
#pragma once

#include <gio/gio.h>
#include <stdbool.h>
#include <sys/types.h>

G_BEGIN_DECLS

/**
 * mv_spawn_sync:
 * Runs @argv (argv[0] is looked up in $PATH unless it contains a '/'; no shell)
 * with environment @envp (NULL: ours), stdin from /dev/null and no other fds,
 * and waits at most @timeout_ms (< 0: forever). Captures stdout and stderr into
 * *@ret_stdout / *@ret_stderr (caller frees; pass NULL to discard).
 * With @ret_exit_status non-NULL it receives the exit code (0-255); with NULL a
 * non-zero exit code is an error (MV_ERR_OPERATION_FAILED, message has stderr).
 * Death by a signal is always an error. On timeout the child is killed with
 * SIGKILL and reaped, and the error is MV_ERR_OPERATION_TIMEOUT.
 * The child is always reaped before returning; out-params are set only on success.
 */
bool mv_spawn_sync(const char *const *argv, const char *const *envp, int timeout_ms,
                   char **ret_stdout, char **ret_stderr, int *ret_exit_status,
                   GError **error);

typedef enum {
    MV_CHILD_STDIO_NULL = 0,   /* /dev/null (the default) */
    MV_CHILD_STDIO_FD,         /* dup of .fd (the caller keeps .fd) */
    MV_CHILD_STDIO_FILE,       /* .path opened O_APPEND|O_CREAT, mode 0600 */
    MV_CHILD_STDIO_INHERIT,    /* the parent's own fd 0/1/2 */
} MvChildStdioKind;

typedef struct {
    MvChildStdioKind kind;
    int fd;
    const char *path;
} MvChildStdio;

/* Pass the parent's @parent_fd to the child as @child_fd (>= 3). */
typedef struct {
    int parent_fd;
    int child_fd;
} MvChildFd;

/* Zero-initialized options mean: stdio on /dev/null, inherit environment. */
typedef struct {
    const char *const *argv;    /* required; argv[0] looked up in $PATH if no '/' */
    const char *const *envp;    /* NULL: the parent's environment */
    const MvChildFd *fds;       /* extra fds; every other fd is closed */
    gsize n_fds;
    MvChildStdio in, out, err;
    const char *cwd;            /* NULL: the parent's working directory */
    bool setsid;                /* start a new session (no controlling tty) */
    bool gated;                 /* the child waits before exec until mv_child_release() */
    bool die_with_parent;       /* SIGKILLed when the spawning thread or process dies
                                 * (PR_SET_PDEATHSIG): a job never outlives its daemon */
} MvChildOptions;

typedef struct _MvChild MvChild;

/* Called on the watch's context once the child exited and was reaped. */
typedef void (*MvChildExitFunc)(MvChild *child, int wait_status, gpointer data);

/**
 * mv_child_spawn:
 * Starts a child per @opts (fork + exec; signal dispositions and mask reset).
 * Returns the new child (free with mv_child_free()), or NULL with @error set
 * when the program cannot be found or executed; nothing is left running then.
 */
MvChild *mv_child_spawn(const MvChildOptions *opts, GError **error);

/**
 * mv_child_release:
 * Lets a child spawned with .gated exec its program, and waits until it did
 * (true) or could not (false with @error; the child is reaped then). Until
 * this call the child waits with only its own fds open; when the parent dies
 * or frees @child first, the child exits without ever running the program,
 * so a caller can record the pid before the program runs. A no-op for a
 * child that was not gated or was already released.
 */
bool mv_child_release(MvChild *child, GError **error);

/**
 * mv_child_get_pid:
 * The child's pid (stays valid as an identifier after it was reaped).
 */
pid_t mv_child_get_pid(const MvChild *child);

/**
 * mv_child_get_pidfd:
 * The child's pidfd, owned by @child, or -1 when the kernel lacks pidfd_open().
 */
int mv_child_get_pidfd(const MvChild *child);

/**
 * mv_child_watch:
 * Calls @func(child, wait_status, @data) once on @ctx (NULL: the global default
 * context) as soon as the child exits, after reaping it. Uses the pidfd (falls
 * back to a GLib child watch). If the child was already reaped, @func runs at the
 * next iteration of @ctx. One watch per child; returns false if one is set.
 * Destroy the child (mv_child_free()) from @ctx's thread or after @func ran.
 */
bool mv_child_watch(MvChild *child, GMainContext *ctx, MvChildExitFunc func, gpointer data);

/**
 * mv_child_wait:
 * Waits up to @timeout_ms (< 0: forever) for the child to exit, reaps it and
 * stores its wait status in *@ret_status (may be NULL). On timeout returns false
 * with MV_ERR_OPERATION_TIMEOUT and the child keeps running.
 */
bool mv_child_wait(MvChild *child, int timeout_ms, int *ret_status, GError **error);

/**
 * mv_child_terminate:
 * Sends SIGTERM, waits up to @grace_ms for the child to exit, then sends SIGKILL,
 * and reaps it. Returns true once the child is reaped (also when it had already
 * exited); false with @error only if signalling or reaping failed.
 */
bool mv_child_terminate(MvChild *child, int grace_ms, GError **error);

/**
 * mv_child_get_exit_status:
 * True and the wait status in *@ret_status once the child was reaped.
 */
bool mv_child_get_exit_status(MvChild *child, int *ret_status);

/**
 * mv_child_free:
 * Reaps the child if it already exited, removes a pending watch and frees
 * @child. A child that is still running is NOT killed (nor ever reaped by us):
 * terminate or wait first unless it should outlive us. NULL is a no-op.
 */
void mv_child_free(MvChild *child);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvChild, mv_child_free)

/**
 * mv_pid_get_start_time:
 * The start time of process @pid (field 22 of /proc/PID/stat, clock ticks after
 * boot) in *@ret. Returns false with @error (MV_ERR_SYSTEM_ERROR) if it is gone.
 */
bool mv_pid_get_start_time(pid_t pid, guint64 *ret, GError **error);

/**
 * mv_pid_is_alive:
 * True when @pid exists, is not a zombie, and (unless @start_time is 0) started
 * at @start_time, i.e. it is still the process we recorded and not a reused pid.
 */
bool mv_pid_is_alive(pid_t pid, guint64 start_time);

G_END_DECLS
