/* The proxy's network listeners (the descriptor's prepare_server): TLS on
 * [tls] listen and plain TCP on [tcp] listen. Sockets passed by systemd are
 * used when they match: by the fd name ("tls"/"tcp" in it) or by port. The
 * UNIX sockets (proxy.sock, proxy-ro.sock, proxy-admin.sock) are the shared
 * daemon main's. */
#define MV_LOG_CATEGORY "proxy"
#include "proxy.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "events-private.h"
#include "util/log.h"

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

typedef struct {
    const char *kind;           /* "tls" or "tcp" */
    int port;                   /* of the configured address, or -1 */
} InetMatch;

static bool
match_inet_name(int fd, const char *name, gpointer data)
{
    const InetMatch *m = data;

    return inet_port_of(fd) >= 0 && name && strstr(name, m->kind);
}

static bool
match_inet_port(int fd, const char *name, gpointer data)
{
    const InetMatch *m = data;

    return m->port > 0 && inet_port_of(fd) == m->port;
}

/* A listening socket for @kind: passed by systemd (by name, else by @spec's
 * port), else bound to @spec; -1 when off (or with @error on failure). */
static int
inet_listener(MvDaemon *daemon, const char *kind, const char *spec, GError **error)
{
    const char *colon = spec ? strrchr(spec, ':') : NULL;
    InetMatch m = { kind, colon ? atoi(colon + 1) : -1 };
    int fd = mv_daemon_take_passed_fd(daemon, match_inet_name, &m);

    if (fd < 0)
        fd = mv_daemon_take_passed_fd(daemon, match_inet_port, &m);
    if (fd < 0 && spec)
        fd = bind_tcp(spec, error);
    return fd;
}

bool
mv_proxy_listen(MvDaemon *daemon, MvServer *server, GError **error)
{
    MvProxy *proxy = mv_daemon_get_driver_data(daemon);
    const MvProxyConf *conf = mv_daemon_get_driver_config(daemon);
    g_autoptr(GError) err = NULL;
    int fd;

    proxy->server = server;
    /* every forwarded program: a read's calls are counted per backend (batch_note) */
    mv_server_set_raw_batch_handler(server, MV_PROGRAM_REMOTE, mv_proxy_forward_batch_end);
    mv_server_set_raw_batch_handler(server, MV_PROGRAM_EVENTS_PRIVATE, mv_proxy_forward_batch_end);
    if ((fd = inet_listener(daemon, "tls", conf->tls.listen, &err)) >= 0) {
        g_autoptr(MvTlsContext) tls = NULL;

        if (!(tls = mv_proxy_tls_context_new(&conf->tls, error))) {
            close(fd);
            return false;
        }
        mv_server_set_tls_context(server, tls, conf->tls.handshake_ms);
        mv_server_add_tls_listener(server, fd, false);
        proxy->tls = true;
        mv_log_info("serving TLS on %s (port %d)",
                    conf->tls.listen ? conf->tls.listen : "a passed socket", inet_port_of(fd));
    } else if (err) {
        g_propagate_error(error, g_steal_pointer(&err));
        return false;
    }
    if ((fd = inet_listener(daemon, "tcp", conf->tcp_listen, &err)) >= 0) {
        mv_server_add_listener(server, fd, false);
        mv_log_warning("serving plain TCP without encryption or authentication on %s",
                       conf->tcp_listen ? conf->tcp_listen : "a passed socket");
    } else if (err) {
        g_propagate_error(error, g_steal_pointer(&err));
        return false;
    }
    return true;
}
