/* libmodvirt connections.
 *
 * An MvConnect is one logical connection to a modvirt host. Behind it sit
 * one RPC connection per daemon: calls on domains go to the hypervisor
 * daemon the URI names, calls on networks, storage and network filters to
 * their own daemons, opened on first use. Remote URIs (+tls, +tcp) use a
 * single connection to the proxy daemon, which routes on the server side.
 *
 * An MvConnect is reference counted and safe to use from several threads at
 * once: calls from different threads run concurrently.
 *
 * URIs: driver[+transport]://[host[:port]]/path[?param=value&...]
 *   driver     qemu, lxc, xen (hypervisors); network, storage, nwfilter
 *   transport  unix (default without a host), tls (default with a host), tcp
 *   socket=P   the hypervisor daemon's socket; the other daemons' sockets are
 *              looked for next to it (DIR/network.sock, ...)
 *   root=DIR   every daemon socket under a private root: DIR/run/NAME.sock
 *   pkipath=D  TLS files D/cacert.pem, D/clientcert.pem, D/clientkey.pem
 *   no_verify=1  do not verify the server certificate (TLS; testing only)
 * Without socket= and root=, sockets are /run/modvirt/NAME.sock.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include <modvirt/error.h>

G_BEGIN_DECLS

typedef struct _MvConnect MvConnect;

/* Flags of mv_connect_open(). */
typedef enum {
    /* Open read-only: use the daemons' -ro sockets; state changes fail
     * with MV_ERROR_OPERATION_DENIED. */
    MV_CONNECT_READ_ONLY = 1u << 0,
} MvConnectFlags;

/**
 * mv_connect_open:
 * @uri: the URI (see above); NULL or "" means $MODVIRT_DEFAULT_URI, and
 *   "qemu:///system" when that is unset.
 * @flags: MvConnectFlags.
 *
 * Parses @uri, connects to the daemon that serves its driver (the proxy
 * daemon for remote transports) and opens the connection. Connections to
 * the other daemons are made later, on the first call that needs them.
 *
 * Returns: (transfer full) a new connection; release it with
 *   mv_connect_unref(). NULL with @error set on failure: MV_ERROR_INVALID_ARG
 *   for a malformed URI or unknown flags, MV_ERROR_NO_CONNECT when the daemon
 *   cannot be reached (the message names the socket), MV_ERROR_TLS for TLS
 *   failures, or the daemon's own error.
 */
MvConnect *mv_connect_open(const char *uri, unsigned int flags, GError **error);

/**
 * mv_connect_ref:
 * Adds a reference to @conn. Returns @conn. NULL is returned unchanged.
 */
MvConnect *mv_connect_ref(MvConnect *conn);

/**
 * mv_connect_unref:
 * Drops a reference to @conn. The last reference closes every daemon
 * connection (politely: CONNECT_CLOSE first) and removes every event watch
 * still registered. NULL is fine.
 */
void mv_connect_unref(MvConnect *conn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvConnect, mv_connect_unref)

/**
 * mv_connect_get_uri:
 * Returns: (transfer none) the URI @conn was opened with, after defaults
 *   were applied ("qemu:///system" when none was given). Valid as long as
 *   @conn is. Never NULL.
 */
const char *mv_connect_get_uri(MvConnect *conn);

/**
 * mv_connect_is_read_only:
 * Returns: whether @conn was opened with MV_CONNECT_READ_ONLY.
 */
bool mv_connect_is_read_only(MvConnect *conn);

/**
 * mv_connect_is_alive:
 * Returns: false once the connection to the hypervisor (or proxy) daemon
 *   has been closed or broken (daemon restarted, keepalive timeout). A dead
 *   connection stays dead: open a new one.
 */
bool mv_connect_is_alive(MvConnect *conn);

/**
 * mv_connect_get_hostname:
 * @flags: none defined, pass 0.
 * Returns: (transfer full) the host name of the machine the hypervisor
 *   daemon runs on; g_free() it. NULL with @error set on failure.
 */
char *mv_connect_get_hostname(MvConnect *conn, unsigned int flags, GError **error);

/**
 * mv_connect_get_hypervisor_version:
 * @flags: none defined, pass 0.
 * @ret_version: (out) major * 1000000 + minor * 1000 + micro of the
 *   hypervisor (QEMU's version for qemu:// URIs). Untouched on failure.
 * Returns: true on success, false with @error set.
 */
bool mv_connect_get_hypervisor_version(MvConnect *conn, unsigned int flags,
                                       guint64 *ret_version, GError **error);

/**
 * mv_connect_get_capabilities:
 * @flags: none defined, pass 0.
 * Returns: (transfer full) the host capabilities XML document; g_free() it.
 *   NULL with @error set on failure.
 */
char *mv_connect_get_capabilities(MvConnect *conn, unsigned int flags, GError **error);

G_END_DECLS
