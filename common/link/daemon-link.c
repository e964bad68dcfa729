/* MvDaemonLink: connect (UNIX, TCP, TLS), the connection preamble, identity
 * forwarding and the close callback, for every caller of another daemon. */
#define MV_LOG_CATEGORY "link"
#include "link/daemon-link.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/error.h"
#include "util/fd.h"
#include "util/log.h"

#define FEATURE_PROGRAM_KEEPALIVE 10
#define KEEPALIVE_INTERVAL 5
#define KEEPALIVE_COUNT 5
#define AUTH_NONE 0
#define AUTH_SASL 1
#define AUTH_POLKIT 2
#define TLS_CONFIRMED 1     /* the server's one byte after the handshake (spec §5.2) */

struct _MvDaemonLink {
    MvRpcClient *rpc;
    char *program;
    char *address;
};

MvRpcClient *
mv_daemon_link_rpc(MvDaemonLink *link)
{
    return link->rpc;
}

const char *
mv_daemon_link_address(MvDaemonLink *link)
{
    return link->address;
}

const char *
mv_daemon_link_program(MvDaemonLink *link)
{
    return link->program;
}

void
mv_daemon_link_free(MvDaemonLink *link)
{
    if (!link)
        return;
    mv_rpc_client_free(link->rpc);
    g_free(link->program);
    g_free(link->address);
    g_free(link);
}

void
mv_daemon_link_close(MvDaemonLink *link)
{
    if (link && link->rpc && mv_rpc_client_is_open(link->rpc))
        mv_remote_connect_close(link->rpc, NULL);
    mv_daemon_link_free(link);
}

/* ---- connecting --------------------------------------------------------------- */

static void
default_connect_error(const MvDaemonLinkConfig *config, const char *address, int errnum,
                      GError **error)
{
    if (errnum == ENAMETOOLONG)
        mv_error_set(error, MV_FROM_RPC, MV_ERR_NO_CONNECT, "socket path %s is too long",
                     address);
    else
        mv_error_set(error, MV_FROM_RPC, MV_ERR_NO_CONNECT,
                     "cannot connect to %s at %s: %s — is the daemon running?", config->program,
                     address, g_strerror(errnum));
}

static void
connect_error(const MvDaemonLinkConfig *config, const char *address, int errnum, GError **error)
{
    if (config->connect_error)
        config->connect_error(address, errnum, config->user_data, error);
    else
        default_connect_error(config, address, errnum, error);
}

static int
connect_unix(const MvDaemonLinkConfig *config, GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    MV_AUTOCLOSE int fd = -1;

    if (strlen(config->socket) >= sizeof(addr.sun_path)) {
        connect_error(config, config->socket, ENAMETOOLONG, error);
        return -1;
    }
    strcpy(addr.sun_path, config->socket);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
        mv_error_set_errno(error, MV_FROM_RPC, errno, "cannot create a socket");
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        connect_error(config, config->socket, errno, error);
        return -1;
    }
    return mv_steal_fd(&fd);
}

static int
connect_tcp(const MvDaemonLinkConfig *config, const char *address, GError **error)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
    struct addrinfo *res = NULL;
    char port[16];
    int fd = -1, rc, saved = 0;

    g_snprintf(port, sizeof(port), "%d", config->port);
    if ((rc = getaddrinfo(config->host, port, &hints, &res)) != 0) {
        mv_error_set(error, MV_FROM_REMOTE, MV_ERR_UNKNOWN_HOST,
                     "cannot resolve host '%s': %s; check the host name in the URI",
                     config->host, gai_strerror(rc));
        return -1;
    }
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        connect_error(config, address, saved, error);
    return fd;
}

/* TLS on the connected @fd: handshake, then the server's confirmation that
 * it accepted our certificate. The RPC client then owns both. */
static MvRpcClient *
rpc_new_tls(const MvDaemonLinkConfig *config, int fd, GError **error)
{
    g_autoptr(MvTlsSession) session = NULL;
    guint8 confirm = 0;
    int flags = fcntl(fd, F_GETFL);

    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        mv_error_set_errno(error, MV_FROM_RPC, errno, "cannot make the socket non-blocking");
        close(fd);
        return NULL;
    }
    if (!(session = mv_tls_session_new_client(config->tls, fd, config->host,
                                              !config->tls_no_verify, error)) ||
        !mv_tls_session_handshake_wait(session, config->host, config->port, error)) {
        close(fd);
        return NULL;
    }
    if (mv_tls_session_recv_wait(session, &confirm, 1) != 1 || confirm != TLS_CONFIRMED) {
        mv_error_set(error, MV_FROM_REMOTE, MV_ERR_GNUTLS_ERROR,
                     "%s did not accept our client certificate (no confirmation after the "
                     "TLS handshake): ask its administrator to allow its distinguished name",
                     config->host);
        close(fd);
        return NULL;
    }
    return mv_rpc_client_new_tls(fd, g_steal_pointer(&session), error);
}

static MvRpcClient *
rpc_connect(const MvDaemonLinkConfig *config, const char *address, GError **error)
{
    int fd;

    if (config->socket)
        fd = connect_unix(config, error);
    else
        fd = connect_tcp(config, address, error);
    if (fd < 0)
        return NULL;
    if (config->tls)
        return rpc_new_tls(config, fd, error);
    return mv_rpc_client_new_fd(fd, error);
}

/* ---- the preamble ------------------------------------------------------------- */

/* AUTH_LIST and, when the daemon asks for it, polkit. */
static bool
link_authenticate(MvDaemonLink *link, GError **error)
{
    mv_remote_auth_list_ret auth = { 0 };
    g_autoptr(GError) local = NULL;
    bool ok = true;

    if (!mv_remote_auth_list(link->rpc, &auth, &local)) {
        if (mv_error_matches(local, MV_ERR_NO_SUPPORT))
            return true;
        g_propagate_error(error, g_steal_pointer(&local));
        return false;
    }
    if (auth.types.types_len > 0 && auth.types.types_val[0] != AUTH_NONE) {
        if (auth.types.types_val[0] == AUTH_POLKIT) {
            mv_remote_auth_polkit_ret pk = { 0 };

            ok = mv_remote_auth_polkit(link->rpc, &pk, error);
        } else {
            ok = mv_error_set(error, MV_FROM_REMOTE, MV_ERR_AUTH_UNAVAILABLE,
                              "%s at %s asks for %s authentication, which libmodvirt does not "
                              "support: configure it with auth none or polkit", link->program,
                              link->address,
                              auth.types.types_val[0] == AUTH_SASL ? "SASL" : "unknown");
        }
    }
    xdr_free((xdrproc_t)xdr_mv_remote_auth_list_ret, (char *)&auth);
    return ok;
}

static void
add_param(GArray *params, const char *field, int type, guint64 num, const char *str)
{
    mv_remote_typed_param p = { .field = g_strdup(field) };

    p.value.type = type;
    switch (type) {
    case MV_REMOTE_TYPED_PARAM_ULLONG:
        p.value.mv_remote_typed_param_value_u.ul = num;
        break;
    case MV_REMOTE_TYPED_PARAM_LLONG:
        p.value.mv_remote_typed_param_value_u.l = (gint64)num;
        break;
    default:
        p.value.mv_remote_typed_param_value_u.s = g_strdup(str);
        break;
    }
    g_array_append_val(params, p);
}

/* @identity as CONNECT_SET_IDENTITY's typed params. */
static void
identity_params(const MvDaemonLinkIdentity *identity, GArray *params)
{
    char buf[4096];
    struct passwd pw, *pwp = NULL;
    struct group gr, *grp = NULL;

    if (identity->x509_dn) {
        add_param(params, "x509-distinguished-name", MV_REMOTE_TYPED_PARAM_STRING, 0,
                  identity->x509_dn);
        return;
    }
    if (!identity->has_unix)
        return;
    if (getpwuid_r(identity->uid, &pw, buf, sizeof(buf), &pwp) == 0 && pwp)
        add_param(params, "user-name", MV_REMOTE_TYPED_PARAM_STRING, 0, pwp->pw_name);
    add_param(params, "unix-user-id", MV_REMOTE_TYPED_PARAM_ULLONG, identity->uid, NULL);
    if (getgrgid_r(identity->gid, &gr, buf, sizeof(buf), &grp) == 0 && grp)
        add_param(params, "group-name", MV_REMOTE_TYPED_PARAM_STRING, 0, grp->gr_name);
    add_param(params, "unix-group-id", MV_REMOTE_TYPED_PARAM_ULLONG, identity->gid, NULL);
    add_param(params, "process-id", MV_REMOTE_TYPED_PARAM_LLONG, (guint64)identity->pid, NULL);
}

static bool
link_send_identity(MvDaemonLink *link, const MvDaemonLinkConfig *config, GError **error)
{
    GArray *params = g_array_new(FALSE, TRUE, sizeof(mv_remote_typed_param));
    mv_remote_connect_set_identity_args args = { 0 };
    g_autoptr(GError) err = NULL;
    bool ok;

    identity_params(config->identity, params);
    if (params->len == 0) {
        g_array_unref(params);
        return true;
    }
    args.params.params_len = params->len;
    /* xdr_free() below frees the array's data (GLib and XDR share malloc). */
    args.params.params_val = (mv_remote_typed_param *)g_array_free(params, FALSE);
    ok = mv_remote_connect_set_identity(link->rpc, &args, &err);
    if (!ok && (config->open_flags & MV_DAEMON_LINK_OPEN_READ_ONLY) &&
        g_error_matches(err, MV_ERROR, MV_ERR_OPERATION_DENIED)) {
        /* The daemons take an identity from root peers only: a caller not
         * running as root still serves read-only clients, unnamed. */
        mv_log_debug("%s does not take an identity on a read-only connection: %s",
                     link->program, err->message);
        ok = true;
    } else if (!ok) {
        g_propagate_error(error, g_steal_pointer(&err));
    }
    xdr_free((xdrproc_t)xdr_mv_remote_connect_set_identity_args, (char *)&args);
    return ok;
}

static bool
link_preamble(MvDaemonLink *link, const MvDaemonLinkConfig *config, GError **error)
{
    mv_remote_connect_supports_feature_args feat = { .feature = FEATURE_PROGRAM_KEEPALIVE };
    mv_remote_connect_supports_feature_ret feat_ret = { 0 };
    mv_remote_nonnull_string name = (char *)config->uri;
    mv_remote_connect_open_args open = { .name = &name, .flags = config->open_flags };

    if (config->authenticate && !link_authenticate(link, error))
        return false;
    if (config->keepalive &&
        mv_remote_connect_supports_feature(link->rpc, &feat, &feat_ret, NULL) &&
        feat_ret.supported)
        mv_rpc_client_start_keepalive(link->rpc, KEEPALIVE_INTERVAL, KEEPALIVE_COUNT);
    if (!mv_remote_connect_open(link->rpc, &open, error))
        return false;
    return !config->identity || link_send_identity(link, config, error);
}

MvDaemonLink *
mv_daemon_link_connect(const MvDaemonLinkConfig *config, GError **error)
{
    g_autoptr(MvDaemonLink) link = g_new0(MvDaemonLink, 1);

    g_return_val_if_fail(config->program, NULL);
    g_return_val_if_fail(config->socket || config->host, NULL);
    link->program = g_strdup(config->program);
    link->address = config->socket ? g_strdup(config->socket)
                                   : g_strdup_printf("%s:%d", config->host, config->port);
    if (!(link->rpc = rpc_connect(config, link->address, error)))
        return NULL;
    mv_rpc_client_set_event_handler(link->rpc, config->on_event, config->user_data);
    mv_rpc_client_set_stream_handler(link->rpc, config->on_stream, config->user_data);
    return g_steal_pointer(&link);
}

bool
mv_daemon_link_start(MvDaemonLink *link, const MvDaemonLinkConfig *config, GError **error)
{
    g_return_val_if_fail(config->uri, false);
    if (!link_preamble(link, config, error))
        return false;
    if (config->on_close)
        mv_rpc_client_set_close_handler(link->rpc, config->on_close, config->user_data);
    mv_log_debug("opened %s on %s", config->uri, link->address);
    return true;
}

MvDaemonLink *
mv_daemon_link_open(const MvDaemonLinkConfig *config, GError **error)
{
    g_autoptr(MvDaemonLink) link = NULL;

    if (!(link = mv_daemon_link_connect(config, error)) ||
        !mv_daemon_link_start(link, config, error))
        return NULL;
    return g_steal_pointer(&link);
}

/* ---- identity ------------------------------------------------------------------ */

bool
mv_daemon_link_identity_from_client(MvServerClient *client, MvDaemonLinkIdentity *ret_identity)
{
    const char *dn = mv_server_client_get_tls_dn(client);
    MvDaemonLinkIdentity id = { 0 };

    if (dn)
        id.x509_dn = g_strdup(dn);
    else if (!(id.has_unix = mv_server_client_get_identity(client, &id.pid, &id.uid, &id.gid)))
        return false;
    *ret_identity = id;
    return true;
}

void
mv_daemon_link_identity_clear(MvDaemonLinkIdentity *identity)
{
    g_clear_pointer(&identity->x509_dn, g_free);
    identity->has_unix = false;
}
