/* TLS contexts and sessions (gnutls) for both ends of an RPC connection:
 * the server's listeners and the client side of every link (libmodvirt,
 * the proxy, daemon-to-daemon calls). */
#define MV_LOG_CATEGORY "rpc"
#include "rpc/tls.h"

#include <errno.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <poll.h>
#include <string.h>

#include "util/error.h"
#include "util/log.h"

struct _MvTlsContext {
    gint ref;
    gnutls_certificate_credentials_t cred;
    gnutls_priority_t priority;
    char **allowed_dn;              /* NULL = any certificate from the CA */
    bool client;                    /* the client side of connections */
};

struct _MvTlsSession {
    MvTlsContext *ctx;
    gnutls_session_t session;
    int fd;                         /* not owned */
    int last_rc;                    /* the handshake's last gnutls result */
    char *dn;
};

static bool
tls_error(GError **error, int rc, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static bool
tls_error(GError **error, int rc, const char *fmt, ...)
{
    g_autofree char *what = NULL;
    va_list ap;

    va_start(ap, fmt);
    what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return mv_error_set(error, MV_FROM_RPC, MV_ERR_GNUTLS_ERROR, "%s: %s", what,
                        gnutls_strerror(rc));
}

/* Reads a PEM file's certificates (at most @max). */
static bool
load_certs(const char *path, gnutls_x509_crt_t **ret_certs, unsigned *ret_n, GError **error)
{
    gnutls_datum_t data = { NULL, 0 };
    int rc;

    if ((rc = gnutls_load_file(path, &data)) < 0)
        return tls_error(error, rc, "cannot read %s", path);
    rc = gnutls_x509_crt_list_import2(ret_certs, ret_n, &data, GNUTLS_X509_FMT_PEM, 0);
    gnutls_free(data.data);
    if (rc < 0)
        return tls_error(error, rc, "cannot parse the certificate(s) in %s", path);
    return true;
}

static void
free_certs(gnutls_x509_crt_t *certs, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        gnutls_x509_crt_deinit(certs[i]);
    gnutls_free(certs);
}

/* The server certificate chains to the CA and is valid now: better to fail
 * at start (or reload) than at each client's handshake. */
static bool
check_server_cert(const MvTlsConfig *config, GError **error)
{
    gnutls_x509_crt_t *certs = NULL, *cas = NULL;
    unsigned ncerts = 0, ncas = 0, status = 0;
    time_t now = time(NULL);
    bool ok = false;
    int rc;

    if (!load_certs(config->cert, &certs, &ncerts, error))
        return false;
    if (!load_certs(config->ca, &cas, &ncas, error))
        goto out;
    if (ncerts == 0) {
        mv_error_set(error, MV_FROM_RPC, MV_ERR_GNUTLS_ERROR, "no certificate in %s",
                     config->cert);
        goto out;
    }
    if (gnutls_x509_crt_get_activation_time(certs[0]) > now) {
        mv_error_set(error, MV_FROM_RPC, MV_ERR_GNUTLS_ERROR,
                     "the server certificate %s is not active yet", config->cert);
        goto out;
    }
    if (gnutls_x509_crt_get_expiration_time(certs[0]) < now) {
        mv_error_set(error, MV_FROM_RPC, MV_ERR_GNUTLS_ERROR,
                     "the server certificate %s has expired", config->cert);
        goto out;
    }
    rc = gnutls_x509_crt_list_verify(certs, ncerts, cas, ncas, NULL, 0, 0, &status);
    if (rc < 0) {
        tls_error(error, rc, "cannot verify %s against %s", config->cert, config->ca);
        goto out;
    }
    if (status) {
        gnutls_datum_t out = { NULL, 0 };
        gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &out, 0);
        mv_error_set(error, MV_FROM_RPC, MV_ERR_GNUTLS_ERROR,
                     "the server certificate %s does not verify against the CA %s: %s",
                     config->cert, config->ca, out.data ? (char *)out.data : "?");
        gnutls_free(out.data);
        goto out;
    }
    ok = true;
out:
    free_certs(certs, ncerts);
    free_certs(cas, ncas);
    return ok;
}

MvTlsContext *
mv_tls_context_new(const MvTlsConfig *config, GError **error)
{
    MvTlsContext *ctx;
    const char *errpos = NULL;
    int rc;

    if (!config->cert || !config->key || !config->ca) {
        mv_error_set(error, MV_FROM_RPC, MV_ERR_INVALID_ARG,
                     "TLS needs a certificate, its key and a CA certificate");
        return NULL;
    }
    if (!check_server_cert(config, error))
        return NULL;
    ctx = g_new0(MvTlsContext, 1);
    ctx->ref = 1;
    if ((rc = gnutls_certificate_allocate_credentials(&ctx->cred)) < 0) {
        tls_error(error, rc, "cannot allocate TLS credentials");
        goto fail;
    }
    if ((rc = gnutls_certificate_set_x509_trust_file(ctx->cred, config->ca,
                                                     GNUTLS_X509_FMT_PEM)) <= 0) {
        if (rc == 0)
            mv_error_set(error, MV_FROM_RPC, MV_ERR_GNUTLS_ERROR, "no CA certificate in %s",
                         config->ca);
        else
            tls_error(error, rc, "cannot load the CA certificate %s", config->ca);
        goto fail;
    }
    if (config->crl && (rc = gnutls_certificate_set_x509_crl_file(ctx->cred, config->crl,
                                                                  GNUTLS_X509_FMT_PEM)) < 0) {
        tls_error(error, rc, "cannot load the certificate revocation list %s", config->crl);
        goto fail;
    }
    if ((rc = gnutls_certificate_set_x509_key_file(ctx->cred, config->cert, config->key,
                                                   GNUTLS_X509_FMT_PEM)) < 0) {
        tls_error(error, rc, "cannot load the server certificate %s with key %s", config->cert,
                  config->key);
        goto fail;
    }
    gnutls_certificate_set_known_dh_params(ctx->cred, GNUTLS_SEC_PARAM_MEDIUM);
    if ((rc = gnutls_priority_init(&ctx->priority, config->priority ? config->priority : "NORMAL",
                                   &errpos)) < 0) {
        tls_error(error, rc, "invalid TLS priority string at '%s'", errpos ? errpos : "");
        goto fail;
    }
    if (config->allowed_dn)
        ctx->allowed_dn = g_strdupv((char **)config->allowed_dn);
    return ctx;

fail:
    mv_tls_context_unref(ctx);
    return NULL;
}

MvTlsContext *
mv_tls_context_ref(MvTlsContext *ctx)
{
    g_atomic_int_inc(&ctx->ref);
    return ctx;
}

void
mv_tls_context_unref(MvTlsContext *ctx)
{
    if (!ctx || !g_atomic_int_dec_and_test(&ctx->ref))
        return;
    if (ctx->cred)
        gnutls_certificate_free_credentials(ctx->cred);
    if (ctx->priority)
        gnutls_priority_deinit(ctx->priority);
    g_strfreev(ctx->allowed_dn);
    g_free(ctx);
}

MvTlsSession *
mv_tls_session_new(MvTlsContext *ctx, int fd, GError **error)
{
    MvTlsSession *s = g_new0(MvTlsSession, 1);
    int rc;

    if ((rc = gnutls_init(&s->session, GNUTLS_SERVER | GNUTLS_NONBLOCK)) < 0) {
        tls_error(error, rc, "cannot start a TLS session");
        g_free(s);
        return NULL;
    }
    s->ctx = mv_tls_context_ref(ctx);
    s->fd = fd;
    if ((rc = gnutls_priority_set(s->session, ctx->priority)) < 0 ||
        (rc = gnutls_credentials_set(s->session, GNUTLS_CRD_CERTIFICATE, ctx->cred)) < 0) {
        tls_error(error, rc, "cannot set up a TLS session");
        mv_tls_session_free(s);
        return NULL;
    }
    /* Client certificates are mandatory: a client without one fails the handshake. */
    gnutls_certificate_server_set_request(s->session, GNUTLS_CERT_REQUIRE);
    gnutls_transport_set_int(s->session, fd);
    return s;
}

void
mv_tls_session_free(MvTlsSession *s)
{
    if (!s)
        return;
    gnutls_deinit(s->session);
    mv_tls_context_unref(s->ctx);
    g_free(s->dn);
    g_free(s);
}

int
mv_tls_session_handshake(MvTlsSession *s, GError **error)
{
    for (;;) {
        int rc = gnutls_handshake(s->session);

        s->last_rc = rc;
        if (rc == GNUTLS_E_SUCCESS)
            return 1;
        if (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED)
            return 0;
        if (gnutls_error_is_fatal(rc)) {
            tls_error(error, rc, "TLS handshake failed");
            return -1;
        }
        /* a warning alert: carry on */
    }
}

bool
mv_tls_session_wants_write(MvTlsSession *s)
{
    return gnutls_record_get_direction(s->session) == 1;
}

static bool
auth_error(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static bool
auth_error(GError **error, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return mv_error_set(error, MV_FROM_RPC, MV_ERR_AUTH_FAILED, "%s", msg);
}

/* Key usage and purpose allow a TLS client (when the certificate states them). */
static bool
check_client_usage(gnutls_x509_crt_t crt, GError **error)
{
    unsigned usage = 0, critical = 0;
    bool has_purpose = false, client_purpose = false;
    int rc = gnutls_x509_crt_get_key_usage(crt, &usage, &critical);

    if (rc >= 0 && !(usage & GNUTLS_KEY_DIGITAL_SIGNATURE))
        return auth_error(error, "the client certificate's key usage does not allow "
                                 "digital signatures");
    for (unsigned i = 0;; i++) {
        char oid[128];
        size_t size = sizeof(oid);

        rc = gnutls_x509_crt_get_key_purpose_oid(crt, i, oid, &size, &critical);
        if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
            break;
        if (rc < 0)
            return auth_error(error, "cannot read the client certificate's key purpose: %s",
                              gnutls_strerror(rc));
        has_purpose = true;
        if (strcmp(oid, GNUTLS_KP_TLS_WWW_CLIENT) == 0 || strcmp(oid, GNUTLS_KP_ANY) == 0)
            client_purpose = true;
    }
    if (has_purpose && !client_purpose)
        return auth_error(error, "the client certificate is not for TLS client use");
    return true;
}

static bool
dn_allowed(MvTlsContext *ctx, const char *dn)
{
    if (!ctx->allowed_dn)
        return true;
    for (char **p = ctx->allowed_dn; *p; p++) {
        if (g_pattern_match_simple(*p, dn))
            return true;
    }
    return false;
}

bool
mv_tls_session_check_peer(MvTlsSession *s, GError **error)
{
    const gnutls_datum_t *certs;
    unsigned ncerts = 0, status = 0;
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t dn = { NULL, 0 };
    time_t now = time(NULL);
    bool ok = false;
    int rc;

    if ((rc = gnutls_certificate_verify_peers3(s->session, NULL, &status)) < 0)
        return auth_error(error, "cannot verify the client certificate: %s", gnutls_strerror(rc));
    if (status) {
        gnutls_datum_t out = { NULL, 0 };
        gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &out, 0);
        auth_error(error, "the client certificate failed verification: %s",
                   out.data ? (char *)out.data : "?");
        gnutls_free(out.data);
        return false;
    }
    certs = gnutls_certificate_get_peers(s->session, &ncerts);
    if (!certs || ncerts == 0)
        return auth_error(error, "the client sent no certificate");
    if (gnutls_x509_crt_init(&crt) < 0 ||
        (rc = gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER)) < 0) {
        auth_error(error, "cannot parse the client certificate");
        goto out;
    }
    /* verify_peers3 checks the times too; keep the explicit checks for clear messages */
    if (gnutls_x509_crt_get_expiration_time(crt) < now) {
        auth_error(error, "the client certificate has expired");
        goto out;
    }
    if (gnutls_x509_crt_get_activation_time(crt) > now) {
        auth_error(error, "the client certificate is not active yet");
        goto out;
    }
    if (!check_client_usage(crt, error))
        goto out;
    if ((rc = gnutls_x509_crt_get_dn2(crt, &dn)) < 0) {
        auth_error(error, "cannot read the client certificate's distinguished name: %s",
                   gnutls_strerror(rc));
        goto out;
    }
    if (!dn_allowed(s->ctx, (const char *)dn.data)) {
        auth_error(error, "the client's distinguished name '%s' is not on the allowed_dn list",
                   (const char *)dn.data);
        goto out;
    }
    s->dn = g_strndup((const char *)dn.data, dn.size);
    ok = true;
out:
    gnutls_free(dn.data);
    if (crt)
        gnutls_x509_crt_deinit(crt);
    return ok;
}

const char *
mv_tls_session_get_dn(MvTlsSession *s)
{
    return s->dn;
}

static ssize_t
map_result(ssize_t rc)
{
    if (rc >= 0)
        return rc;
    if (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED) {
        errno = EAGAIN;
        return -1;
    }
    mv_log_debug("TLS error: %s", gnutls_strerror((int)rc));
    errno = EIO;
    return -1;
}

ssize_t
mv_tls_session_recv(MvTlsSession *s, void *buf, size_t len)
{
    ssize_t rc = gnutls_record_recv(s->session, buf, len);

    /* A peer that vanishes without close_notify is an EOF to us. */
    if (rc == GNUTLS_E_PREMATURE_TERMINATION)
        return 0;
    return map_result(rc);
}

ssize_t
mv_tls_session_send(MvTlsSession *s, const void *buf, size_t len)
{
    return map_result(gnutls_record_send(s->session, buf, len));
}

size_t
mv_tls_session_pending(MvTlsSession *s)
{
    return gnutls_record_check_pending(s->session);
}

/* ---- the client side -------------------------------------------------------- */

#define CLIENT_FAIL(error, ...) \
    mv_error_set(error, MV_FROM_REMOTE, MV_ERR_GNUTLS_ERROR, __VA_ARGS__)

MvTlsContext *
mv_tls_context_new_client(const char *pkidir, GError **error)
{
    g_autofree char *ca = g_build_filename(pkidir, "cacert.pem", NULL);
    g_autofree char *cert = g_build_filename(pkidir, "clientcert.pem", NULL);
    g_autofree char *key = g_build_filename(pkidir, "clientkey.pem", NULL);
    g_autoptr(MvTlsContext) ctx = g_new0(MvTlsContext, 1);
    int rc;

    ctx->ref = 1;
    ctx->client = true;
    if ((rc = gnutls_certificate_allocate_credentials(&ctx->cred)) < 0) {
        CLIENT_FAIL(error, "cannot set up TLS: %s", gnutls_strerror(rc));
        return NULL;
    }
    if ((rc = gnutls_certificate_set_x509_trust_file(ctx->cred, ca, GNUTLS_X509_FMT_PEM)) <= 0) {
        CLIENT_FAIL(error, "cannot load the CA certificate %s (%s): put cacert.pem in the "
                    "pkipath directory", ca, rc < 0 ? gnutls_strerror(rc) : "no certificate");
        return NULL;
    }
    if ((rc = gnutls_certificate_set_x509_key_file(ctx->cred, cert, key,
                                                   GNUTLS_X509_FMT_PEM)) < 0) {
        CLIENT_FAIL(error, "cannot load the client certificate %s and key %s (%s): put "
                    "clientcert.pem and clientkey.pem in the pkipath directory", cert, key,
                    gnutls_strerror(rc));
        return NULL;
    }
    return g_steal_pointer(&ctx);
}

MvTlsSession *
mv_tls_session_new_client(MvTlsContext *ctx, int fd, const char *host, bool verify,
                          GError **error)
{
    MvTlsSession *s = g_new0(MvTlsSession, 1);
    int rc;

    g_return_val_if_fail(ctx->client, NULL);
    /* NO_SIGNAL: a peer that went away must not kill the client's process with SIGPIPE. */
    if ((rc = gnutls_init(&s->session, GNUTLS_CLIENT | GNUTLS_NONBLOCK | GNUTLS_NO_SIGNAL)) < 0) {
        CLIENT_FAIL(error, "cannot set up TLS: %s", gnutls_strerror(rc));
        g_free(s);
        return NULL;
    }
    s->ctx = mv_tls_context_ref(ctx);
    s->fd = fd;
    if ((rc = gnutls_set_default_priority(s->session)) < 0 ||
        (rc = gnutls_credentials_set(s->session, GNUTLS_CRD_CERTIFICATE, ctx->cred)) < 0 ||
        (rc = gnutls_server_name_set(s->session, GNUTLS_NAME_DNS, host, strlen(host))) < 0) {
        CLIENT_FAIL(error, "cannot set up TLS: %s", gnutls_strerror(rc));
        mv_tls_session_free(s);
        return NULL;
    }
    /* The server's certificate must chain to our CA and name @host. */
    if (verify)
        gnutls_session_set_verify_cert(s->session, host, 0);
    gnutls_transport_set_int(s->session, fd);
    return s;
}

/* Waits until @s's socket is ready for what @s waits for. */
static void
session_wait(MvTlsSession *s, bool write)
{
    struct pollfd pfd = { .fd = s->fd, .events = write ? POLLOUT : POLLIN };

    while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
        ;
}

bool
mv_tls_session_handshake_wait(MvTlsSession *s, const char *host, int port, GError **error)
{
    g_autoptr(GError) local = NULL;
    int r;

    while ((r = mv_tls_session_handshake(s, &local)) == 0)
        session_wait(s, mv_tls_session_wants_write(s));
    if (r > 0)
        return true;
    if (s->last_rc == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR)
        return CLIENT_FAIL(error, "the certificate of %s does not verify against our CA "
                           "(or does not name that host): check cacert.pem in pkipath", host);
    return CLIENT_FAIL(error, "TLS handshake with %s:%d failed: %s", host, port,
                       gnutls_strerror(s->last_rc));
}

ssize_t
mv_tls_session_recv_wait(MvTlsSession *s, void *buf, size_t len)
{
    for (;;) {
        ssize_t n = mv_tls_session_recv(s, buf, len);

        if (n >= 0 || errno != EAGAIN)
            return n;
        session_wait(s, gnutls_record_get_direction(s->session) == 1);
    }
}

ssize_t
mv_tls_session_send_wait(MvTlsSession *s, const void *buf, size_t len)
{
    for (;;) {
        ssize_t n = mv_tls_session_send(s, buf, len);

        if (n >= 0 || errno != EAGAIN)
            return n;
        session_wait(s, true);
    }
}

void
mv_tls_session_bye(MvTlsSession *s)
{
    /* Best effort and never blocking: the socket is about to close anyway. */
    if (s)
        gnutls_bye(s->session, GNUTLS_SHUT_WR);
}
