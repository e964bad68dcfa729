/* TLS for RPC connections (gnutls). Server side: x509 credentials with client
 * certificates required and verified, a DN allow-list, and per-connection
 * sessions driven non-blocking by the server's I/O thread. Client side (every
 * link to a daemon or proxy): credentials from a pkipath directory and a
 * session the RPC client reads and writes directly (no relay thread).
 *
 * A context is immutable once made; reloading certificates means making a
 * new context and handing it to the server for new connections
 * (mv_server_set_tls_context), while live sessions keep the old one. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

G_BEGIN_DECLS

typedef struct _MvTlsContext MvTlsContext;
typedef struct _MvTlsSession MvTlsSession;

typedef struct {
    const char *cert;               /* server certificate (PEM) */
    const char *key;                /* its private key (PEM) */
    const char *ca;                 /* CA certificate(s) clients must chain to (PEM) */
    const char *crl;                /* optional certificate revocation list (PEM); NULL = none */
    const char *const *allowed_dn; /* glob patterns on the client DN; NULL = any; {NULL} = nobody */
    const char *priority;           /* gnutls priority string; NULL = "NORMAL" */
} MvTlsConfig;

/**
 * mv_tls_context_new:
 * Loads the files named by @config and checks the server certificate
 * (chains to the CA, valid now, usable for a TLS server). Returns a new
 * context (reference count 1) or NULL with @error naming the file at fault.
 */
MvTlsContext *mv_tls_context_new(const MvTlsConfig *config, GError **error);
MvTlsContext *mv_tls_context_ref(MvTlsContext *ctx);
/** mv_tls_context_unref: NULL is fine. */
void mv_tls_context_unref(MvTlsContext *ctx);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvTlsContext, mv_tls_context_unref)

/**
 * mv_tls_session_new:
 * A server session on the connected non-blocking socket @fd (not owned).
 */
MvTlsSession *mv_tls_session_new(MvTlsContext *ctx, int fd, GError **error);
/** mv_tls_session_free: NULL is fine; does not close the socket. */
void mv_tls_session_free(MvTlsSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvTlsSession, mv_tls_session_free)

/**
 * mv_tls_session_handshake:
 * Advances the handshake. Returns 1 when done, 0 when it waits for the
 * socket (see mv_tls_session_wants_write), -1 with @error set on failure.
 */
int mv_tls_session_handshake(MvTlsSession *session, GError **error);

/** mv_tls_session_wants_write: the pending handshake step waits to write (else to read). */
bool mv_tls_session_wants_write(MvTlsSession *session);

/**
 * mv_tls_session_check_peer:
 * After the handshake: the client certificate verifies against the CA (and
 * CRL), is valid now, may be used by a TLS client, and its DN matches the
 * allow-list. False with @error (MV_ERR_AUTH_FAILED) saying why.
 */
bool mv_tls_session_check_peer(MvTlsSession *session, GError **error);

/** mv_tls_session_get_dn: the client DN ("C=..,O=..,CN=..") once checked, else NULL. */
const char *mv_tls_session_get_dn(MvTlsSession *session);

/**
 * mv_tls_session_recv / send:
 * Like recv()/send() on a non-blocking socket: bytes moved, 0 on EOF (recv),
 * -1 with errno (EAGAIN when the socket is not ready; EIO on a TLS error).
 * One thread may send while another receives. After EAGAIN, send must be
 * called again with the same data.
 */
ssize_t mv_tls_session_recv(MvTlsSession *session, void *buf, size_t len);
ssize_t mv_tls_session_send(MvTlsSession *session, const void *buf, size_t len);

/** mv_tls_session_pending: decrypted bytes buffered inside the session (poll will not see them). */
size_t mv_tls_session_pending(MvTlsSession *session);

/* ---- the client side ------------------------------------------------------ */

/**
 * mv_tls_context_new_client:
 * Client credentials from the pkipath directory @pkidir: cacert.pem (the CA
 * the server's certificate must chain to), clientcert.pem and clientkey.pem.
 * Errors (MV_ERR_GNUTLS_ERROR) name the file to put there.
 */
MvTlsContext *mv_tls_context_new_client(const char *pkidir, GError **error);

/**
 * mv_tls_session_new_client:
 * A client session on the connected socket @fd (not owned; it must be
 * non-blocking), for server @host (SNI; with @verify its certificate must
 * chain to the context's CA and name @host).
 */
MvTlsSession *mv_tls_session_new_client(MvTlsContext *ctx, int fd, const char *host,
                                        bool verify, GError **error);

/**
 * mv_tls_session_handshake_wait:
 * Runs the whole handshake, waiting on the socket. False with @error naming
 * @host (and @port) and saying what to check.
 */
bool mv_tls_session_handshake_wait(MvTlsSession *session, const char *host, int port,
                                   GError **error);

/**
 * mv_tls_session_recv_wait / send_wait:
 * mv_tls_session_recv()/send() that wait for the socket instead of failing
 * with EAGAIN.
 */
ssize_t mv_tls_session_recv_wait(MvTlsSession *session, void *buf, size_t len);
ssize_t mv_tls_session_send_wait(MvTlsSession *session, const void *buf, size_t len);

/** mv_tls_session_bye: sends close_notify without waiting (before closing the socket). */
void mv_tls_session_bye(MvTlsSession *session);

G_END_DECLS
