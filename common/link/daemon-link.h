/* MvDaemonLink: the one way to call another daemon (or the proxy).
 *
 * libmodvirt's per-daemon links, the proxy's backends and daemon-to-daemon
 * calls (qemud -> networkd, ...) all open their connection here: connect a
 * UNIX socket, or TCP with optional TLS (common/rpc/tls.c; the RPC client
 * reads and writes the TLS session itself), then the preamble (AUTH_LIST,
 * keepalive, CONNECT_OPEN with URI and flags, CONNECT_SET_IDENTITY with the
 * identity of the caller being served), then the close callback. Calls are
 * made with the generated typed stubs on mv_daemon_link_rpc():
 *     mv_remote_network_lookup_by_name(mv_daemon_link_rpc(link), &args, &ret, error)
 * See docs/hacking.md "Calling another daemon". */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "remote-client.h"
#include "rpc/client.h"
#include "rpc/server.h"
#include "rpc/tls.h"

G_BEGIN_DECLS

typedef struct _MvDaemonLink MvDaemonLink;

/* CONNECT_OPEN's read-only flag on the wire (VIR_CONNECT_RO). */
#define MV_DAEMON_LINK_OPEN_READ_ONLY 1u

/* Who a link speaks for (CONNECT_SET_IDENTITY). A certificate DN, when set,
 * is sent alone; otherwise the UNIX credentials with user and group names. */
typedef struct {
    char *x509_dn;
    bool has_unix;
    pid_t pid;
    uid_t uid;
    gid_t gid;
} MvDaemonLinkIdentity;

/**
 * MvDaemonLinkConnectErrorFunc:
 * Words the error for a socket that cannot be reached: @address is the
 * socket path (or "host:port"), @errnum the errno (ENAMETOOLONG for a UNIX
 * path too long). Must set @error.
 */
typedef void (*MvDaemonLinkConnectErrorFunc)(const char *address, int errnum,
                                             gpointer user_data, GError **error);

typedef struct {
    const char *program;        /* who is called, for messages: "modvirt-networkd" */
    /* where: a UNIX socket, or a TCP host and port (inside TLS when @tls is set) */
    const char *socket;
    const char *host;
    int port;
    MvTlsContext *tls;          /* mv_tls_context_new_client(); NULL = plain TCP */
    bool tls_no_verify;         /* do not check the server's certificate */
    /* the preamble, in this order */
    bool authenticate;          /* AUTH_LIST first (polkit when asked; no SASL) */
    bool keepalive;             /* start keepalive when the daemon supports it */
    const char *uri;            /* CONNECT_OPEN's name: "network:///system" */
    unsigned int open_flags;    /* CONNECT_OPEN's flags (MV_DAEMON_LINK_OPEN_READ_ONLY) */
    const MvDaemonLinkIdentity *identity;   /* forwarded after CONNECT_OPEN; NULL = none */
    /* messages and handlers (all optional) */
    MvDaemonLinkConnectErrorFunc connect_error;    /* NULL: "cannot connect to PROGRAM at .." */
    MvRpcEventFunc on_event;    /* event MESSAGEs (set before the preamble) */
    MvRpcStreamFunc on_stream;  /* STREAM packets (set before the preamble) */
    MvRpcCloseFunc on_close;    /* the daemon went away (set once open) */
    gpointer user_data;         /* for the four functions above */
} MvDaemonLinkConfig;

/**
 * mv_daemon_link_open:
 * mv_daemon_link_connect() and then mv_daemon_link_start(): what a daemon
 * calling another one uses. Returns a new link (mv_daemon_link_free()) or NULL.
 */
MvDaemonLink *mv_daemon_link_open(const MvDaemonLinkConfig *config, GError **error);

/**
 * mv_daemon_link_connect:
 * Connects as @config says (UNIX socket, TCP, TLS with the server's
 * confirmation) and installs the event and stream handlers. Errors:
 * MV_ERR_NO_CONNECT (worded by @config->connect_error), MV_ERR_UNKNOWN_HOST,
 * MV_ERR_GNUTLS_ERROR. Returns a new link (mv_daemon_link_free()) or NULL.
 */
MvDaemonLink *mv_daemon_link_connect(const MvDaemonLinkConfig *config, GError **error);

/**
 * mv_daemon_link_start:
 * The preamble on a connected @link: AUTH_LIST, keepalive, CONNECT_OPEN,
 * CONNECT_SET_IDENTITY as @config says, then the close handler. On failure
 * @error is the daemon's own, unprefixed (the caller says who answered);
 * free @link then.
 */
bool mv_daemon_link_start(MvDaemonLink *link, const MvDaemonLinkConfig *config,
                          GError **error);

/** mv_daemon_link_rpc: the RPC client to pass to the typed stubs mv_remote_<proc>(). */
MvRpcClient *mv_daemon_link_rpc(MvDaemonLink *link);
/** mv_daemon_link_address: the socket path or "host:port" the link is connected to. */
const char *mv_daemon_link_address(MvDaemonLink *link);
/** mv_daemon_link_program: who the link talks to ("modvirt-networkd"). */
const char *mv_daemon_link_program(MvDaemonLink *link);

/**
 * mv_daemon_link_close:
 * Says CONNECT_CLOSE when the connection is still up, then frees @link.
 * NULL is fine.
 */
void mv_daemon_link_close(MvDaemonLink *link);

/**
 * mv_daemon_link_free:
 * Closes the connection without a word (calls still waiting fail) and frees
 * @link; the close callback is not called. NULL is fine.
 */
void mv_daemon_link_free(MvDaemonLink *link);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvDaemonLink, mv_daemon_link_free)

/**
 * mv_daemon_link_identity_from_client:
 * The identity of @client (a daemon's caller) to forward: its verified
 * certificate DN, else its SO_PEERCRED. False when it has neither.
 */
bool mv_daemon_link_identity_from_client(MvServerClient *client,
                                         MvDaemonLinkIdentity *ret_identity);

/** mv_daemon_link_identity_clear: frees what @identity holds. */
void mv_daemon_link_identity_clear(MvDaemonLinkIdentity *identity);

G_END_DECLS
