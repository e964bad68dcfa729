/* The daemon's listening sockets: taken from systemd socket activation when
 * passed (recognized by their path, or by their fd name), bound otherwise.
 * A descriptor's prepare_server hook may claim other passed sockets (TCP)
 * first; those nobody claims are closed.
 * A socket file left by a daemon that died is replaced; a socket someone
 * still answers on is never stolen. */
#define MV_LOG_CATEGORY "daemon"
#include "daemon/daemon-priv.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "util/fd.h"
#include "util/log.h"

typedef struct {
    MvSocketKind kind;
    bool readonly;
    int mode;
} SocketSpec;

static const SocketSpec socket_specs[] = {
    { MV_SOCKET_RW, false, 0600 },
    { MV_SOCKET_RO, true, 0666 },
    { MV_SOCKET_ADMIN, false, 0600 },
};

static bool
fill_sockaddr(struct sockaddr_un *addr, const char *path, GError **error)
{
    memset(addr, 0, sizeof(*addr));
    addr->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(addr->sun_path))
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_INVALID_ARG,
                            "socket path %s is too long (max %zu bytes): use a shorter --root",
                            path, sizeof(addr->sun_path) - 1);
    strcpy(addr->sun_path, path);
    return true;
}

/* True when something accepts connections on @path right now. */
static bool
socket_is_live(const struct sockaddr_un *addr)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool live;

    if (fd < 0)
        return false;
    live = connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0;
    close(fd);
    return live;
}

static int
bind_socket(const char *path, int mode, GError **error)
{
    struct sockaddr_un addr;
    int fd;

    if (!fill_sockaddr(&addr, path, error))
        return -1;
    if (access(path, F_OK) == 0) {
        /* The pidfile is ours: no other instance serves this root. A socket
         * that still accepts belongs to a child a killed predecessor forked
         * just before it died (not yet through its fd cleanup): replaced. */
        if (socket_is_live(&addr))
            mv_log_info("replacing the socket %s (held by no running instance)", path);
        else
            mv_log_info("removing the stale socket %s", path);
        unlink(path);
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        mv_error_set_errno(error, MV_FROM_RPC, errno, "cannot create a socket for %s", path);
        return -1;
    }
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || chmod(path, mode) < 0 ||
        listen(fd, 256) < 0) {
        int saved = errno;
        close(fd);
        mv_error_set_errno(error, MV_FROM_RPC, saved, "cannot listen on %s", path);
        return -1;
    }
    return fd;
}

/* The path a passed socket is bound to, or NULL. */
static char *
socket_path_of(int fd)
{
    struct sockaddr_un addr;
    socklen_t len = sizeof(addr);

    if (getsockname(fd, (struct sockaddr *)&addr, &len) < 0 || addr.sun_family != AF_UNIX ||
        len <= offsetof(struct sockaddr_un, sun_path) || !addr.sun_path[0])
        return NULL;
    return g_strndup(addr.sun_path, len - offsetof(struct sockaddr_un, sun_path));
}

static bool
match_path(int fd, const char *name, gpointer path)
{
    g_autofree char *bound = socket_path_of(fd);

    return bound && strcmp(bound, path) == 0;
}

/* A passed socket bound to no path, named "...ro" for read-only and
 * anything else (but "...admin") for read-write. */
static bool
match_name(int fd, const char *name, gpointer readonly)
{
    g_autofree char *bound = socket_path_of(fd);

    if (bound || !name || strcmp(name, "unknown") == 0)
        return false;
    if (g_str_has_suffix(name, "admin"))
        return false;       /* admin sockets are only recognized by their path */
    return g_str_has_suffix(name, "ro") == GPOINTER_TO_INT(readonly);
}

int
mv_daemon_take_passed_fd(MvDaemon *daemon, MvDaemonFdMatch match, gpointer data)
{
    for (int i = 0; i < daemon->npassed; i++) {
        int fd = daemon->passed_fds[i];
        if (fd >= 0 && match(fd, daemon->passed_names ? daemon->passed_names[i] : NULL, data))
            return mv_steal_fd(&daemon->passed_fds[i]);
    }
    return -1;
}

void
mv_daemon_sockets_collect(MvDaemon *daemon)
{
    int n = sd_listen_fds_with_names(1, &daemon->passed_names);

    if (n < 0) {
        mv_log_warning("ignoring invalid socket activation variables: %s", g_strerror(-n));
        n = 0;
    }
    daemon->passed_fds = g_new(int, MAX(n, 1));
    for (int i = 0; i < n; i++)
        daemon->passed_fds[i] = SD_LISTEN_FDS_START + i;
    daemon->npassed = n;
}

/* Closes the passed sockets nobody took. */
static void
close_unclaimed(MvDaemon *daemon)
{
    for (int i = 0; i < daemon->npassed; i++) {
        if (daemon->passed_fds[i] >= 0) {
            mv_log_warning("closing passed socket fd %d (%s): not one of ours",
                           daemon->passed_fds[i],
                           daemon->passed_names && daemon->passed_names[i]
                               ? daemon->passed_names[i] : "unnamed");
            close(daemon->passed_fds[i]);
            daemon->passed_fds[i] = -1;
        }
    }
}

bool
mv_daemon_sockets_setup(MvDaemon *daemon, GError **error)
{
    for (guint i = 0; i < G_N_ELEMENTS(socket_specs); i++) {
        const SocketSpec *spec = &socket_specs[i];
        g_autofree char *path = mv_paths_socket(daemon->paths, daemon->desc->name, spec->kind);
        int fd = mv_daemon_take_passed_fd(daemon, match_path, path);

        if (fd < 0 && spec->kind != MV_SOCKET_ADMIN)
            fd = mv_daemon_take_passed_fd(daemon, match_name, GINT_TO_POINTER(spec->readonly));
        if (fd >= 0) {
            mv_log_debug("serving %s on the socket passed by the service manager", path);
        } else {
            if ((fd = bind_socket(path, spec->mode, error)) < 0)
                return false;
            g_ptr_array_add(daemon->bound_sockets, g_strdup(path));
        }
        mv_server_add_listener(spec->kind == MV_SOCKET_ADMIN ? daemon->admin_server
                                                            : daemon->server,
                               fd, spec->readonly);
    }
    close_unclaimed(daemon);
    return true;
}

void
mv_daemon_sockets_cleanup(MvDaemon *daemon)
{
    for (int i = 0; i < daemon->npassed; i++) {
        if (daemon->passed_fds[i] >= 0)
            close(daemon->passed_fds[i]);
    }
    g_clear_pointer(&daemon->passed_fds, g_free);
    g_clear_pointer(&daemon->passed_names, g_strfreev);
    daemon->npassed = 0;
    for (guint i = 0; i < daemon->bound_sockets->len; i++)
        unlink(daemon->bound_sockets->pdata[i]);
    g_ptr_array_set_size(daemon->bound_sockets, 0);
}
