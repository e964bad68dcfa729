/* One daemon instance per root: an exclusively locked pidfile. The lock dies
 * with the process, so a daemon killed with SIGKILL never blocks a restart. It
 * is a POSIX record lock (fcntl), which a forked child does not inherit: with
 * flock() a child forked just before a SIGKILL (not yet through its fd
 * cleanup before exec) held the lock on, and the restart was refused as
 * "already running". Nothing else in the daemon opens the pidfile (closing any
 * fd of it would drop the lock). */
#include "daemon/daemon-priv.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "util/file.h"

bool
mv_daemon_pidfile_acquire(MvDaemon *daemon, GError **error)
{
    g_autofree char *path = mv_paths_pidfile(daemon->paths, daemon->desc->name);
    g_autofree char *text = NULL;
    int fd;

    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return mv_error_set_errno(error, MV_FROM_NONE, errno, "cannot open the pidfile %s", path);
    if (fcntl(fd, F_SETLK, &(struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET }) < 0) {
        int saved = errno;
        char buf[32] = "";
        ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
        close(fd);
        if (saved == EAGAIN || saved == EACCES)
            return mv_error_set(error, MV_FROM_NONE, MV_ERR_OPERATION_INVALID,
                                "%s is already running for this root (pid %s, pidfile %s); "
                                "stop it first or use another --root",
                                daemon->desc->program_name,
                                n > 0 ? g_strstrip(buf) : "unknown", path);
        return mv_error_set_errno(error, MV_FROM_NONE, saved, "cannot lock the pidfile %s", path);
    }
    text = g_strdup_printf("%d\n", (int)getpid());
    if (ftruncate(fd, 0) < 0 || pwrite(fd, text, strlen(text), 0) != (ssize_t)strlen(text)) {
        int saved = errno;
        close(fd);
        return mv_error_set_errno(error, MV_FROM_NONE, saved, "cannot write the pidfile %s", path);
    }
    daemon->pidfile_fd = fd;
    daemon->pidfile = g_steal_pointer(&path);
    return true;
}

void
mv_daemon_pidfile_release(MvDaemon *daemon)
{
    if (daemon->pidfile_fd < 0)
        return;
    /* Unlink while still holding the lock so a new instance never loses its file. */
    unlink(daemon->pidfile);
    close(daemon->pidfile_fd);
    daemon->pidfile_fd = -1;
    g_clear_pointer(&daemon->pidfile, g_free);
}
