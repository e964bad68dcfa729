/* libmodvirt internals shared by the files of client/ and by tests/client.
 * Nothing here is exported from libmodvirt.so (see libmodvirt.syms). */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "link/daemon-link.h"
#include "modvirt/modvirt.h"
#include "remote-client.h"
#include "rpc/client.h"
#include "rpc/proc.h"
#include "util/error.h"

G_BEGIN_DECLS

/* ---- uri.c: parsing connection URIs ------------------------------------ */

typedef enum {
    MV_TRANSPORT_UNIX = 0,
    MV_TRANSPORT_TCP,
    MV_TRANSPORT_TLS,
} MvTransport;

#define MV_TCP_PORT 16509
#define MV_TLS_PORT 16514

typedef struct {
    char *driver;        /* "qemu", "network", ... */
    MvTransport transport;
    char *host;          /* NULL for local (unix) */
    int port;            /* the TCP port, defaulted from the transport */
    char *path;          /* "/system" */
    char *socket;        /* socket= */
    char *root;          /* root= */
    char *pkipath;       /* pkipath= */
    bool no_verify;      /* no_verify=1 */
    char *open_name;     /* what CONNECT_OPEN sends: driver:///path[?other params] */
} MvUri;

/**
 * mv_uri_parse:
 * Parses @text (driver[+transport]://[host[:port]]/path[?params]). Errors are
 * MV_ERR_INVALID_ARG with a sentence naming the part that is wrong.
 * Returns a new MvUri (mv_uri_free()) or NULL.
 */
MvUri *mv_uri_parse(const char *text, GError **error);
/** mv_uri_free: NULL is fine. */
void mv_uri_free(MvUri *uri);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvUri, mv_uri_free)
/** mv_uri_transport_name: "unix", "tcp", "tls". */
const char *mv_uri_transport_name(MvTransport transport);

/* ---- route.c: which daemon serves what ---------------------------------- */

/* MvDaemonKind and MvDaemonInfo are the daemon registry's (registry/registry.h). */

/** mv_route_daemon_info: the static facts of @daemon. */
const MvDaemonInfo *mv_route_daemon_info(MvDaemonKind daemon);

/**
 * mv_route_daemon_for_driver:
 * The daemon that serves URI driver @driver ("qemu" -> QEMU, "nwfilter" ->
 * FILTER). False with MV_ERR_INVALID_ARG for unknown drivers.
 */
bool mv_route_daemon_for_driver(const char *driver, MvDaemonKind *ret_daemon, GError **error);

/**
 * mv_route_daemon_for_proc:
 * Which daemon a connection whose URI names @primary sends REMOTE procedure
 * @proc to, read from the generated route table. False with
 * MV_ERR_NO_SUPPORT when no daemon can serve it on such a connection
 * (domains on network:///, secrets, ...), MV_ERR_RPC for unknown procedures.
 */
bool mv_route_daemon_for_proc(MvDaemonKind primary, int proc, MvDaemonKind *ret_daemon,
                              GError **error);

/* ---- error.c --------------------------------------------------------------- */

/**
 * mv_client_check_flags:
 * False with MV_ERR_INVALID_ARG ("FUNC: unsupported flags 0x..") when @flags
 * has bits outside @allowed.
 */
bool mv_client_check_flags(unsigned int flags, unsigned int allowed, const char *func,
                           GError **error);

/** mv_client_check_arg: false with MV_ERR_INVALID_ARG "FUNC: WHAT must not be NULL" when !@ok. */
bool mv_client_check_arg(bool ok, const char *func, const char *what, GError **error);

/* ---- connect.c / connect-link.c --------------------------------------------- */

typedef struct _MvLink MvLink;

/* Where a link's event watches are in a daemon's numbered events (resumable
 * events, events.c), per daemon behind the link (a proxy link: several). */
typedef struct {
    guint8 epoch[16];
    guint64 last_seq;           /* the last number seen (or known to be past) */
    bool known;                 /* EVENTS_HOLD answered: epoch and number are real */
} MvEventPosition;

typedef struct {
    GMutex lock;                /* the positions */
    GMutex order;               /* one hold .. register .. resume sequence at a time */
    bool unsupported;           /* the daemon does not know the EVENTS program */
    MvEventPosition pos[MV_DAEMON_LAST];
} MvLinkEvents;

/**
 * mv_connect_new_unopened:
 * A connection for @uri with no daemon connection yet; every call opens
 * what it needs. Used by mv_connect_open() and by the unit tests.
 */
MvConnect *mv_connect_new_unopened(const char *uri, unsigned int flags, GError **error);

/**
 * mv_connect_link:
 * The daemon connection serving procedure @proc, opened now if needed
 * (lazily: preamble AUTH_LIST, keepalive feature, CONNECT_OPEN with the
 * daemon's own URI). The link lives as long as @conn. NULL with @error set
 * (a missing daemon is named with its socket).
 */
MvLink *mv_connect_link(MvConnect *conn, int proc, GError **error);

/**
 * mv_connect_link_daemon:
 * The link to @daemon (the proxy's link on remote connections), opened now
 * if needed with the daemon's own URI (network:///system, ...).
 */
MvLink *mv_connect_link_daemon(MvConnect *conn, MvDaemonKind daemon, GError **error);

/**
 * mv_connect_rpc:
 * mv_connect_link() and then its RPC client. Every call of libmodvirt is
 * this and then the typed stub: mv_remote_<proc>(mv_connect_rpc(conn, PROC), ...).
 */
MvRpcClient *mv_connect_rpc(MvConnect *conn, int proc, GError **error);

/** mv_link_rpc: the RPC client of an open link. */
MvRpcClient *mv_link_rpc(MvLink *link);
/** mv_link_daemon: which daemon @link talks to. */
MvDaemonKind mv_link_daemon(MvLink *link);
/** mv_link_socket: the socket path or host:port @link was opened on (for messages). */
const char *mv_link_address(MvLink *link);

/** mv_link_connect: the connection @link belongs to (no reference added). */
MvConnect *mv_link_connect(MvLink *link);

/**
 * mv_connect_try_ref:
 * A new reference to @conn, or NULL when its last one is already gone (it is
 * being freed): for library threads that may outlive the application's use.
 */
MvConnect *mv_connect_try_ref(MvConnect *conn);

/** mv_connect_get_uri_parsed: the parsed URI of @conn, owned by @conn. */
const MvUri *mv_connect_get_uri_parsed(MvConnect *conn);

/* connect-link.c: one RPC connection to one daemon, opened on demand. */
/**
 * mv_link_new: an unopened link of @conn to @daemon; @primary when it is the
 * daemon the URI names (it then uses the URI's socket= or host).
 */
MvLink *mv_link_new(MvConnect *conn, MvDaemonKind daemon, bool primary);
/**
 * mv_link_free: closes the link (CONNECT_CLOSE, then the socket). NULL is fine.
 * Every stream and watch of the link must be gone.
 */
void mv_link_free(MvLink *link);
/**
 * mv_link_open:
 * Opens @link unless it is open already (thread-safe; one opener, the others
 * wait): connects, then AUTH_LIST, the keepalive feature and CONNECT_OPEN
 * with @open_name. @flags: MvConnectFlags. Returns the RPC client or NULL.
 */
MvRpcClient *mv_link_open(MvLink *link, const char *open_name, unsigned int flags,
                          GError **error);
/** mv_link_peek_rpc: the RPC client when the link is open, else NULL. */
MvRpcClient *mv_link_peek_rpc(MvLink *link);
/** mv_link_events: the link's numbered-events state (events.c). */
MvLinkEvents *mv_link_events(MvLink *link);

/* ---- domain.c -------------------------------------------------------------------- */

/** mv_domain_new_from_wire: a new handle for @ref on @conn (copies everything). */
MvDomain *mv_domain_new_from_wire(MvConnect *conn, const mv_remote_nonnull_domain *ref);
/** mv_domain_to_wire: fills @ret_ref pointing into @dom (nothing to free; valid while @dom is). */
void mv_domain_to_wire(MvDomain *dom, mv_remote_nonnull_domain *ret_ref);

/* ---- network.c, storage-pool.c, storage-volume.c, nwfilter.c ------------------------- */

/** mv_network_new_from_wire: a new handle for @ref on @conn (copies everything). */
MvNetwork *mv_network_new_from_wire(MvConnect *conn, const mv_remote_nonnull_network *ref);
/** mv_network_to_wire: fills @ret_ref pointing into @net (valid while @net is). */
void mv_network_to_wire(MvNetwork *net, mv_remote_nonnull_network *ret_ref);
/**
 * mv_network_list_flags_to_wire:
 * MvListNetworksFlags -> the wire's list flags (ACTIVE and INACTIVE are
 * swapped there: 1 INACTIVE, 2 ACTIVE). Only known bits may be set.
 */
unsigned int mv_network_list_flags_to_wire(unsigned int flags);

/** mv_storage_pool_new_from_wire: a new handle for @ref on @conn (copies everything). */
MvStoragePool *mv_storage_pool_new_from_wire(MvConnect *conn,
                                             const mv_remote_nonnull_storage_pool *ref);
/** mv_storage_pool_to_wire: fills @ret_ref pointing into @pool (valid while @pool is). */
void mv_storage_pool_to_wire(MvStoragePool *pool, mv_remote_nonnull_storage_pool *ret_ref);
/** mv_storage_pool_list_flags_to_wire: as mv_network_list_flags_to_wire(), for pools. */
unsigned int mv_storage_pool_list_flags_to_wire(unsigned int flags);

/** mv_storage_volume_new_from_wire: a new handle for @ref on @conn (copies everything). */
MvStorageVolume *mv_storage_volume_new_from_wire(MvConnect *conn,
                                                 const mv_remote_nonnull_storage_vol *ref);
/** mv_storage_volume_to_wire: fills @ret_ref pointing into @vol (valid while @vol is). */
void mv_storage_volume_to_wire(MvStorageVolume *vol, mv_remote_nonnull_storage_vol *ret_ref);

/** mv_network_filter_new_from_wire: a new handle for @ref on @conn (copies everything). */
MvNetworkFilter *mv_network_filter_new_from_wire(MvConnect *conn,
                                                 const mv_remote_nonnull_nwfilter *ref);

/** mv_secret_new_from_wire: a new handle for @ref on @conn (copies everything). */
MvSecret *mv_secret_new_from_wire(MvConnect *conn, const mv_remote_nonnull_secret *ref);
/** mv_secret_to_wire: @secret's wire reference (borrows its strings). */
void mv_secret_to_wire(MvSecret *secret, mv_remote_nonnull_secret *ret_ref);

/* ---- stream.c ---------------------------------------------------------------------- */

/**
 * mv_stream_link_packet:
 * Handles one STREAM packet arriving on @link (called on the link's reader
 * thread): hands it to the stream with that serial, or keeps it until the
 * stream is registered (its first packets may beat the REPLY's return).
 */
void mv_stream_link_packet(MvLink *link, const MvMessageHeader *hdr, const guint8 *payload,
                           gsize len);

/**
 * mv_stream_new:
 * The stream the daemon opened on @link when it answered call @serial of
 * stream procedure @proc with OK; packets that arrived before are kept.
 * Takes a reference on @conn. Returns a new stream (mv_stream_unref()).
 */
MvStream *mv_stream_new(MvConnect *conn, MvLink *link, int proc, guint32 serial, bool sparse);

/**
 * mv_stream_take_chunk:
 * Waits for the next section of a stream: data (*@ret_data, a reference,
 * returns its size), a hole (returns 0 with *@ret_hole set) or the end
 * (returns 0, both unset). -1 with @error when the stream failed. Saves the
 * copy mv_stream_read() makes (stream-file.c writes the bytes as they came).
 */
gssize mv_stream_take_chunk(MvStream *stream, GBytes **ret_data, guint64 *ret_hole,
                            GError **error);

/* A STREAM data frame of @len bytes for @stream, filled in place through
 * @ret_payload, then sent with mv_stream_send_message() (which takes it). */
MvMessage *mv_stream_new_data_message(MvStream *stream, gsize len, guint8 **ret_payload);
bool mv_stream_send_message(MvStream *stream, MvMessage *msg, GError **error);

/* Per-link stream bookkeeping, owned by the link (stream.c). */
typedef struct _MvStreamTable MvStreamTable;
MvStreamTable *mv_stream_table_new(void);
void mv_stream_table_free(MvStreamTable *table);
MvStreamTable *mv_link_streams(MvLink *link);

/* ---- events.c ------------------------------------------------------------------------ */

/** mv_events_link_message: an event MESSAGE arrived on @link (reader thread). */
void mv_events_link_message(MvLink *link, const MvMessageHeader *hdr, const guint8 *payload,
                            gsize len);

/* Per-connection watch table (events.c). */
typedef struct _MvEventTable MvEventTable;
MvEventTable *mv_event_table_new(void);
/** mv_event_table_free: drops every watch (no calls to the daemons). */
void mv_event_table_free(MvEventTable *table);
MvEventTable *mv_connect_events(MvConnect *conn);
/** mv_events_unwatch_all: deregisters every watch of @conn (before closing). */
void mv_events_unwatch_all(MvConnect *conn);

void mv_link_events_init(MvLinkEvents *events);
void mv_link_events_clear(MvLinkEvents *events);
/** mv_events_link_has_watches: a watch registered through @link (any thread). */
bool mv_events_link_has_watches(MvLink *link);
/**
 * mv_events_link_reopened:
 * @link broke and was opened again (its reconnect thread): registers every
 * watch anew and resumes each daemon's events where the watches were; tells
 * the connection's resume function what it found.
 */
void mv_events_link_reopened(MvLink *link);
/** mv_events_link_lost: @link broke for good (the reconnect gave up): tells the resume function. */
void mv_events_link_lost(MvLink *link);

G_END_DECLS
