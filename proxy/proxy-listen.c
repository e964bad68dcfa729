/* The proxy's listeners: proxy.sock (read-write, 0600), proxy-ro.sock
 * (read-only, 0666), proxy-admin.sock (0600; no admin program yet, REMOTE
 * calls there are read-only), TLS on [tls] listen and plain TCP on
 * [tcp] listen. Sockets passed by systemd are used when they match: UNIX ones
 * by path, TCP ones by the fd name ("tls"/"tcp" in it) or by port. */
#define MV_LOG_CATEGORY "proxy"
#include "proxy.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "util/fd.h"
#include "util/log.h"

typedef struct {
    int *fds;
    char **names;
    int n;
} Passed;

static bool
socket_is_live(const struct sockaddr_un *addr)
{
    MV_AUTOCLOSE int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    return fd >= 0 && connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0;
}

static int
bind_unix(const char *path, int mode, GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        mv_error_set(error, MV_FROM_RPC, MV_ERR_INVALID_ARG,
                     "socket path %s is too long (max %zu bytes): use a shorter --root", path,
                     sizeof(addr.sun_path) - 1);
        return -1;
    }
    strcpy(addr.sun_path, path);
    if (access(path, F_OK) == 0) {
        if (socket_is_live(&addr)) {
            mv_error_set(error, MV_FROM_RPC, MV_ERR_OPERATION_INVALID,
                         "another process is serving %s; stop it first", path);
            return -1;
        }
        mv_log_info("removing the stale socket %s", path);
        unlink(path);
    }
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0 ||
        bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || chmod(path, mode) < 0 ||
        listen(fd, 256) < 0) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        mv_error_set_errno(error, MV_FROM_RPC, saved, "cannot listen on %s", path);
        return -1;
    }
    return fd;
}

/* Splits "host:port", "[v6]:port" or ":port". */
static bool
split_host_port(const char *spec, char **ret_host, char **ret_port, GError **error)
{
    const char *colon = strrchr(spec, ':');
    g_autofree char *host = NULL;

    if (!colon || !colon[1])
        return mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX,
                            "listen address '%s' is not HOST:PORT", spec);
    host = g_strndup(spec, colon - spec);
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        char *inner = g_strndup(host + 1, strlen(host) - 2);
        g_free(host);
        host = inner;
    }
    *ret_host = *host ? g_steal_pointer(&host) : NULL;
    *ret_port = g_strdup(colon + 1);
    return true;
}

static int
bind_tcp(const char *spec, GError **error)
{
    g_autofree char *host = NULL;
    g_autofree char *port = NULL;
    struct addrinfo hints = { .ai_flags = AI_PASSIVE, .ai_socktype = SOCK_STREAM };
    struct addrinfo *res = NULL;
    int saved = 0;
    int fd = -1;
    int rc;

    if (!split_host_port(spec, &host, &port, error))
        return -1;
    if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
        mv_error_set(error, MV_FROM_RPC, MV_ERR_SYSTEM_ERROR, "cannot resolve %s: %s", spec,
                     gai_strerror(rc));
        return -1;
    }
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        int one = 1;

        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 256) < 0) {
            saved = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        mv_error_set_errno(error, MV_FROM_RPC, saved, "cannot listen on %s", spec);
    return fd;
}

static char *
unix_path_of(int fd)
{
    struct sockaddr_un addr;
    socklen_t len = sizeof(addr);

    if (getsockname(fd, (struct sockaddr *)&addr, &len) < 0 || addr.sun_family != AF_UNIX ||
        len <= offsetof(struct sockaddr_un, sun_path) || !addr.sun_path[0])
        return NULL;
    return g_strndup(addr.sun_path, len - offsetof(struct sockaddr_un, sun_path));
}

static int
inet_port_of(int fd)
{
    struct sockaddr_storage addr;
    socklen_t len = sizeof(addr);

    if (getsockname(fd, (struct sockaddr *)&addr, &len) < 0)
        return -1;
    if (addr.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&addr)->sin_port);
    if (addr.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&addr)->sin6_port);
    return -1;
}

static int
take_unix(Passed *p, const char *path)
{
    for (int i = 0; i < p->n; i++) {
        g_autofree char *bound = p->fds[i] >= 0 ? unix_path_of(p->fds[i]) : NULL;
        if (bound && strcmp(bound, path) == 0)
            return mv_steal_fd(&p->fds[i]);
    }
    return -1;
}

/* A passed TCP socket for @kind ("tls"/"tcp"): by name, else by @spec's port. */
static int
take_inet(Passed *p, const char *kind, const char *spec)
{
    const char *colon = spec ? strrchr(spec, ':') : NULL;
    int port = colon ? atoi(colon + 1) : -1;

    for (int i = 0; i < p->n; i++) {
        if (p->fds[i] >= 0 && inet_port_of(p->fds[i]) >= 0 && p->names && p->names[i] &&
            strstr(p->names[i], kind))
            return mv_steal_fd(&p->fds[i]);
    }
    for (int i = 0; i < p->n; i++) {
        if (p->fds[i] >= 0 && port > 0 && inet_port_of(p->fds[i]) == port)
            return mv_steal_fd(&p->fds[i]);
    }
    return -1;
}

static bool
add_unix(MvProxy *proxy, Passed *p, MvSocketKind kind, int mode, bool readonly, GError **error)
{
    g_autofree char *path = mv_paths_socket(proxy->paths, "proxy", kind);
    int fd = take_unix(p, path);

    if (fd < 0) {
        if ((fd = bind_unix(path, mode, error)) < 0)
            return false;
        g_ptr_array_add(proxy->bound_sockets, g_steal_pointer(&path));
    }
    mv_server_add_listener(proxy->server, fd, readonly);
    return true;
}

bool
mv_proxy_listen(MvProxy *proxy, GError **error)
{
    g_auto(GStrv) names = NULL;
    g_autofree int *fds = NULL;
    Passed p;
    int n = sd_listen_fds_with_names(1, &names);
    int fd;

    if (n < 0) {
        mv_log_warning("ignoring invalid socket activation variables: %s", g_strerror(-n));
        n = 0;
    }
    fds = g_new(int, MAX(n, 1));
    for (int i = 0; i < n; i++)
        fds[i] = SD_LISTEN_FDS_START + i;
    p = (Passed){ fds, names, n };

    if (!add_unix(proxy, &p, MV_SOCKET_RW, 0600, false, error) ||
        !add_unix(proxy, &p, MV_SOCKET_RO, 0666, true, error) ||
        /* no admin program yet: REMOTE calls there can only read */
        !add_unix(proxy, &p, MV_SOCKET_ADMIN, 0600, true, error))
        return false;
    fd = take_inet(&p, "tls", proxy->conf.tls.listen);
    if (fd < 0 && proxy->conf.tls.listen && (fd = bind_tcp(proxy->conf.tls.listen, error)) < 0)
        return false;
    if (fd >= 0) {
        mv_server_add_tls_listener(proxy->server, fd, false);
        mv_log_info("serving TLS on %s (port %d)",
                    proxy->conf.tls.listen ? proxy->conf.tls.listen : "a passed socket",
                    inet_port_of(fd));
    }
    fd = take_inet(&p, "tcp", proxy->conf.tcp_listen);
    if (fd < 0 && proxy->conf.tcp_listen && (fd = bind_tcp(proxy->conf.tcp_listen, error)) < 0)
        return false;
    if (fd >= 0) {
        mv_server_add_listener(proxy->server, fd, false);
        mv_log_warning("serving plain TCP without encryption or authentication on %s",
                       proxy->conf.tcp_listen ? proxy->conf.tcp_listen : "a passed socket");
    }
    for (int i = 0; i < n; i++) {
        if (fds[i] >= 0) {
            mv_log_warning("closing passed socket fd %d (%s): not one of ours", fds[i],
                           names && names[i] ? names[i] : "unnamed");
            close(fds[i]);
        }
    }
    return true;
}

void
mv_proxy_listen_cleanup(MvProxy *proxy)
{
    for (guint i = 0; i < proxy->bound_sockets->len; i++)
        unlink(proxy->bound_sockets->pdata[i]);
    g_ptr_array_set_size(proxy->bound_sockets, 0);
}
