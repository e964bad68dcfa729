/* Remote transports: a TCP connection to the proxy daemon, optionally inside
 * TLS (x509 client certificates from pkipath). The RPC client only knows
 * file descriptors, so a TLS connection is handed to it as one end of a
 * socketpair; a relay thread moves bytes between that pair and the TLS
 * session. After the handshake the server sends one byte, 0x01, to say our
 * certificate passed its checks (spec §5.2); RPC traffic starts after it. */
#include <errno.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <netdb.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client-priv.h"
#include "util/fd.h"

#define TLS_RELAY_BUF 65536

static int
transport_tcp_connect(const MvUri *uri, GError **error)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
    struct addrinfo *res = NULL;
    char port[16];
    int fd = -1, rc, saved = 0;

    g_snprintf(port, sizeof(port), "%d", uri->port);
    if ((rc = getaddrinfo(uri->host, port, &hints, &res)) != 0) {
        mv_error_set(error, MV_FROM_REMOTE, MV_ERR_UNKNOWN_HOST,
                     "cannot resolve host '%s': %s; check the host name in the URI", uri->host,
                     gai_strerror(rc));
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
        mv_error_set(error, MV_FROM_REMOTE, MV_ERR_NO_CONNECT,
                     "cannot connect to %s port %d (%s): is modvirt-proxyd listening there?",
                     uri->host, uri->port, g_strerror(saved));
    return fd;
}

typedef struct {
    gnutls_session_t session;
    gnutls_certificate_credentials_t creds;
    int net_fd;                 /* the TCP socket */
    int local_fd;               /* our end of the socketpair */
} MvTlsRelay;

static void
tls_relay_free(MvTlsRelay *relay)
{
    gnutls_deinit(relay->session);
    gnutls_certificate_free_credentials(relay->creds);
    if (relay->net_fd >= 0)
        close(relay->net_fd);
    if (relay->local_fd >= 0)
        close(relay->local_fd);
    g_free(relay);
}

static gpointer
tls_relay_thread(gpointer data)
{
    MvTlsRelay *relay = data;
    g_autofree guint8 *buf = g_malloc(TLS_RELAY_BUF);

    for (;;) {
        struct pollfd fds[2] = {
            { .fd = relay->net_fd, .events = POLLIN },
            { .fd = relay->local_fd, .events = POLLIN },
        };
        ssize_t n;

        if (gnutls_record_check_pending(relay->session) == 0 && poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (gnutls_record_check_pending(relay->session) > 0 || fds[0].revents) {
            n = gnutls_record_recv(relay->session, buf, TLS_RELAY_BUF);
            if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
                continue;
            if (n <= 0 || !mv_fd_write_all(relay->local_fd, buf, (gsize)n))
                break;
        }
        if (fds[1].revents) {
            n = read(relay->local_fd, buf, TLS_RELAY_BUF);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            for (ssize_t off = 0; off < n;) {
                ssize_t w = gnutls_record_send(relay->session, buf + off, (size_t)(n - off));

                if (w == GNUTLS_E_AGAIN || w == GNUTLS_E_INTERRUPTED)
                    continue;
                if (w < 0)
                    goto out;
                off += w;
            }
        }
    }
out:
    gnutls_bye(relay->session, GNUTLS_SHUT_WR);
    tls_relay_free(relay);
    return NULL;
}

static char *
tls_default_pkipath(void)
{
    if (geteuid() == 0)
        return g_strdup("/etc/pki/modvirt");
    return g_build_filename(g_get_home_dir(), ".pki", "modvirt", NULL);
}

#define TLS_FAIL(error, ...) mv_error_set(error, MV_FROM_REMOTE, MV_ERR_GNUTLS_ERROR, __VA_ARGS__)

static bool
tls_setup(MvTlsRelay *relay, const MvUri *uri, GError **error)
{
    g_autofree char *dir = uri->pkipath ? g_strdup(uri->pkipath) : tls_default_pkipath();
    g_autofree char *ca = g_build_filename(dir, "cacert.pem", NULL);
    g_autofree char *cert = g_build_filename(dir, "clientcert.pem", NULL);
    g_autofree char *key = g_build_filename(dir, "clientkey.pem", NULL);
    int rc;

    if ((rc = gnutls_certificate_allocate_credentials(&relay->creds)) < 0)
        return TLS_FAIL(error, "cannot set up TLS: %s", gnutls_strerror(rc));
    if ((rc = gnutls_certificate_set_x509_trust_file(relay->creds, ca, GNUTLS_X509_FMT_PEM)) <= 0)
        return TLS_FAIL(error, "cannot load the CA certificate %s (%s): put cacert.pem in the "
                        "pkipath directory", ca, rc < 0 ? gnutls_strerror(rc) : "no certificate");
    if ((rc = gnutls_certificate_set_x509_key_file(relay->creds, cert, key,
                                                   GNUTLS_X509_FMT_PEM)) < 0)
        return TLS_FAIL(error, "cannot load the client certificate %s and key %s (%s): put "
                        "clientcert.pem and clientkey.pem in the pkipath directory", cert, key,
                        gnutls_strerror(rc));
    if ((rc = gnutls_init(&relay->session, GNUTLS_CLIENT)) < 0 ||
        (rc = gnutls_set_default_priority(relay->session)) < 0 ||
        (rc = gnutls_credentials_set(relay->session, GNUTLS_CRD_CERTIFICATE, relay->creds)) < 0 ||
        (rc = gnutls_server_name_set(relay->session, GNUTLS_NAME_DNS, uri->host,
                                     strlen(uri->host))) < 0)
        return TLS_FAIL(error, "cannot set up TLS: %s", gnutls_strerror(rc));
    if (!uri->no_verify)
        gnutls_session_set_verify_cert(relay->session, uri->host, 0);
    gnutls_transport_set_int(relay->session, relay->net_fd);
    return true;
}

static bool
tls_handshake(MvTlsRelay *relay, const MvUri *uri, GError **error)
{
    guint8 confirm = 0;
    ssize_t n;
    int rc;

    do {
        rc = gnutls_handshake(relay->session);
    } while (rc < 0 && !gnutls_error_is_fatal(rc));
    if (rc < 0) {
        if (rc == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR)
            return TLS_FAIL(error, "the certificate of %s does not verify against our CA "
                            "(or does not name that host): check cacert.pem in pkipath",
                            uri->host);
        return TLS_FAIL(error, "TLS handshake with %s:%d failed: %s", uri->host, uri->port,
                        gnutls_strerror(rc));
    }
    do {
        n = gnutls_record_recv(relay->session, &confirm, 1);
    } while (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED);
    if (n != 1 || confirm != 1)
        return TLS_FAIL(error, "%s did not accept our client certificate (no confirmation "
                        "after the TLS handshake): ask its administrator to allow its "
                        "distinguished name", uri->host);
    return true;
}

int
mv_transport_connect(const MvUri *uri, GError **error)
{
    MvTlsRelay *relay;
    int pair[2];
    int fd;

    if ((fd = transport_tcp_connect(uri, error)) < 0)
        return -1;
    if (uri->transport == MV_TRANSPORT_TCP)
        return fd;

    relay = g_new0(MvTlsRelay, 1);
    relay->net_fd = fd;
    relay->local_fd = -1;
    if (!tls_setup(relay, uri, error) || !tls_handshake(relay, uri, error)) {
        tls_relay_free(relay);
        return -1;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
        mv_error_set_errno(error, MV_FROM_REMOTE, errno, "cannot create a socket pair");
        tls_relay_free(relay);
        return -1;
    }
    relay->local_fd = pair[1];
    g_thread_unref(g_thread_new("modvirt-tls", tls_relay_thread, relay));
    return pair[0];
}
