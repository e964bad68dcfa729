/* libmodvirt events.
 *
 * A watch registers a callback for one family of events (domains, networks,
 * storage pools, secrets) with every daemon of the connection that serves that
 * family (domains: the hypervisor daemon; networks: modvirt-networkd; pools:
 * modvirt-storaged; remote URIs: the proxy) and merges what they send.
 * Callbacks run in the GMainContext given when the watch was made, in the
 * order the events happened on each daemon, whenever that context is
 * iterated (e.g. by a GMainLoop) — never on a library thread, so a callback
 * may call back into the library.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include <modvirt/domain.h>
#include <modvirt/network.h>
#include <modvirt/storage.h>
#include <modvirt/secret.h>

G_BEGIN_DECLS

/* Domain lifecycle events (the wire values). */
typedef enum {
    MV_DOMAIN_EVENT_DEFINED = 0,
    MV_DOMAIN_EVENT_UNDEFINED = 1,
    MV_DOMAIN_EVENT_STARTED = 2,
    MV_DOMAIN_EVENT_SUSPENDED = 3,
    MV_DOMAIN_EVENT_RESUMED = 4,
    MV_DOMAIN_EVENT_STOPPED = 5,
    MV_DOMAIN_EVENT_SHUTDOWN = 6,
    MV_DOMAIN_EVENT_PMSUSPENDED = 7,
    MV_DOMAIN_EVENT_CRASHED = 8,
    MV_DOMAIN_EVENT_LAST
} MvDomainEventType;

/**
 * MvDomainEventFunc:
 * @conn: the connection of the watch.
 * @dom: (transfer none) the domain, with its id as of the event (-1 after
 *   a stop); take a reference with mv_domain_ref() to keep it.
 * @event: what happened.
 * @detail: the event's detail, see mv_domain_event_detail_name().
 * @user_data: as given to mv_connect_watch_domain_events().
 */
typedef void (*MvDomainEventFunc)(MvConnect *conn, MvDomain *dom, MvDomainEventType event,
                                  int detail, gpointer user_data);

/**
 * mv_connect_watch_domain_events:
 * @dom: (nullable) only events of this domain; NULL for every domain.
 * @context: (nullable) where @func runs; NULL for the thread-default main
 *   context of the calling thread (g_main_context_ref_thread_default()).
 * @func: called once per lifecycle event.
 * @user_data: passed to @func.
 * @destroy: (nullable) called on @user_data once the watch is removed and no
 *   call of @func can follow.
 * @flags: none defined, pass 0.
 *
 * Returns: a watch id (> 0) for mv_connect_unwatch_events(), or 0 with
 *   @error set (then @destroy is not called).
 */
guint mv_connect_watch_domain_events(MvConnect *conn, MvDomain *dom, GMainContext *context,
                                     MvDomainEventFunc func, gpointer user_data,
                                     GDestroyNotify destroy, unsigned int flags,
                                     GError **error);

/**
 * MvEventsResumeStatus:
 * What a connection found when it came back after its connection to a daemon
 * broke and libmodvirt opened it again (automatically, for up to 30 s, when
 * watches use it; every watch is registered again by itself):
 * @MV_EVENTS_RESUME_COMPLETE: every event missed meanwhile was delivered, in order.
 * @MV_EVENTS_RESUME_GAP: the daemon no longer held @lost events after the last
 *   one delivered ([events] ring_size); any of them may have concerned a watch.
 *   The later ones were delivered.
 * @MV_EVENTS_RESUME_RESTARTED: the daemon restarted meanwhile: what happened
 *   before its restart is unknown; its events since were delivered (@lost:
 *   those of them it no longer held).
 * @MV_EVENTS_RESUME_FAILED: the daemon could not be reached again (or refused
 *   to resume); the watches get nothing more from it.
 * @MV_EVENTS_RESUME_UNNUMBERED: reconnected to a daemon that does not number
 *   its events: events while disconnected are unknown.
 */
typedef enum {
    MV_EVENTS_RESUME_COMPLETE = 0,
    MV_EVENTS_RESUME_GAP = 1,
    MV_EVENTS_RESUME_RESTARTED = 2,
    MV_EVENTS_RESUME_FAILED = 3,
    MV_EVENTS_RESUME_UNNUMBERED = 4,
    MV_EVENTS_RESUME_LAST
} MvEventsResumeStatus;

/**
 * MvEventsResumeFunc:
 * @conn: the connection.
 * @daemon: the daemon's program name ("modvirt-qemud").
 * @status: what the resume found.
 * @lost: how many events the daemon no longer held (GAP, RESTARTED), else 0.
 * @user_data: as given to mv_connect_set_events_resume_func().
 */
typedef void (*MvEventsResumeFunc)(MvConnect *conn, const char *daemon,
                                   MvEventsResumeStatus status, guint64 lost,
                                   gpointer user_data);

/**
 * mv_connect_set_events_resume_func:
 * @context: (nullable) where @func runs; NULL for the thread-default main
 *   context of the calling thread.
 * @func: (nullable) called once per daemon each time the connection came back
 *   (after the replayed events were queued for the watches); NULL removes it.
 * @destroy: (nullable) called on @user_data when replaced or the connection goes.
 * @flags: none defined, pass 0.
 * Watches resume on their own; this only tells the application how it went.
 * Returns: true; false with @error set for bad arguments.
 */
bool mv_connect_set_events_resume_func(MvConnect *conn, GMainContext *context,
                                       MvEventsResumeFunc func, gpointer user_data,
                                       GDestroyNotify destroy, unsigned int flags,
                                       GError **error);

/**
 * mv_events_resume_status_name:
 * Returns: (transfer none) "complete", "gap", "restarted", "failed",
 *   "unnumbered"; "unknown" for other values. A static string.
 */
const char *mv_events_resume_status_name(MvEventsResumeStatus status);

/**
 * mv_connect_unwatch_events:
 * @watch_id: from mv_connect_watch_domain_events(), _watch_network_events(),
 *   _watch_storage_pool_events() or _watch_secret_events().
 * @flags: none defined, pass 0.
 * Removes the watch. Events not yet delivered are dropped; @func is never
 * called again once this returns (when called from the watch's context).
 * Returns: true; false with @error set for an unknown @watch_id. The watch is
 *   removed locally even when a daemon cannot be told (the connection broke).
 */
bool mv_connect_unwatch_events(MvConnect *conn, guint watch_id, unsigned int flags,
                               GError **error);

/**
 * mv_domain_event_type_name:
 * Returns: (transfer none) "defined", "started", "stopped", ...; "unknown"
 *   for other values. A static string.
 */
const char *mv_domain_event_type_name(MvDomainEventType event);

/**
 * mv_domain_event_detail_name:
 * Returns: (transfer none) the detail of @event as a word ("booted",
 *   "destroyed", "shutdown", ...), or "unknown". A static string.
 */
const char *mv_domain_event_detail_name(MvDomainEventType event, int detail);

/* ---- networks ------------------------------------------------------------ */

/* Network lifecycle events (the wire values). */
typedef enum {
    MV_NETWORK_EVENT_DEFINED = 0,
    MV_NETWORK_EVENT_UNDEFINED = 1,
    MV_NETWORK_EVENT_STARTED = 2,
    MV_NETWORK_EVENT_STOPPED = 3,
    MV_NETWORK_EVENT_LAST
} MvNetworkEventType;

/**
 * MvNetworkEventFunc:
 * @conn: the connection of the watch.
 * @net: (transfer none) the network; take a reference with mv_network_ref()
 *   to keep it.
 * @event: what happened.
 * @detail: the event's detail (0 for every network event so far).
 * @user_data: as given to mv_connect_watch_network_events().
 */
typedef void (*MvNetworkEventFunc)(MvConnect *conn, MvNetwork *net, MvNetworkEventType event,
                                   int detail, gpointer user_data);

/**
 * mv_connect_watch_network_events:
 * @net: (nullable) only events of this network; NULL for every network.
 * @context: (nullable) where @func runs; NULL for the thread-default main
 *   context of the calling thread.
 * @func: called once per lifecycle event.
 * @user_data: passed to @func.
 * @destroy: (nullable) called on @user_data once the watch is removed and no
 *   call of @func can follow.
 * @flags: none defined, pass 0.
 *
 * Watches network lifecycle events (registers with modvirt-networkd, or the
 * proxy). Delivery as for mv_connect_watch_domain_events().
 *
 * Returns: a watch id (> 0) for mv_connect_unwatch_events(), or 0 with
 *   @error set (MV_ERROR_NO_CONNECT when modvirt-networkd cannot be reached;
 *   then @destroy is not called).
 */
guint mv_connect_watch_network_events(MvConnect *conn, MvNetwork *net, GMainContext *context,
                                      MvNetworkEventFunc func, gpointer user_data,
                                      GDestroyNotify destroy, unsigned int flags,
                                      GError **error);

/**
 * mv_network_event_type_name:
 * Returns: (transfer none) "defined", "undefined", "started", "stopped";
 *   "unknown" for other values. A static string.
 */
const char *mv_network_event_type_name(MvNetworkEventType event);

/* ---- storage pools --------------------------------------------------------- */

/* Storage pool events: the lifecycle events (wire values 0-5) and, as
 * MV_STORAGE_POOL_EVENT_REFRESHED, the pool's separate refresh event. */
typedef enum {
    MV_STORAGE_POOL_EVENT_DEFINED = 0,
    MV_STORAGE_POOL_EVENT_UNDEFINED = 1,
    MV_STORAGE_POOL_EVENT_STARTED = 2,
    MV_STORAGE_POOL_EVENT_STOPPED = 3,
    MV_STORAGE_POOL_EVENT_CREATED = 4,      /* its storage was built */
    MV_STORAGE_POOL_EVENT_DELETED = 5,      /* its storage was deleted */
    MV_STORAGE_POOL_EVENT_REFRESHED = 6,    /* its volumes were rescanned */
    MV_STORAGE_POOL_EVENT_LAST
} MvStoragePoolEventType;

/**
 * MvStoragePoolEventFunc:
 * @conn: the connection of the watch.
 * @pool: (transfer none) the pool; take a reference with mv_storage_pool_ref()
 *   to keep it.
 * @event: what happened.
 * @detail: the event's detail (0 for every pool event so far).
 * @user_data: as given to mv_connect_watch_storage_pool_events().
 */
typedef void (*MvStoragePoolEventFunc)(MvConnect *conn, MvStoragePool *pool,
                                       MvStoragePoolEventType event, int detail,
                                       gpointer user_data);

/**
 * mv_connect_watch_storage_pool_events:
 * @pool: (nullable) only events of this pool; NULL for every pool.
 * @context: (nullable) where @func runs; NULL for the thread-default main
 *   context of the calling thread.
 * @func: called once per event, lifecycle and refresh alike.
 * @user_data: passed to @func.
 * @destroy: (nullable) called on @user_data once the watch is removed and no
 *   call of @func can follow.
 * @flags: none defined, pass 0.
 *
 * Watches storage pool events (registers for lifecycle and refresh events
 * with modvirt-storaged, or the proxy). Delivery as for
 * mv_connect_watch_domain_events().
 *
 * Returns: a watch id (> 0) for mv_connect_unwatch_events(), or 0 with
 *   @error set (MV_ERROR_NO_CONNECT when modvirt-storaged cannot be
 *   reached; then @destroy is not called).
 */
guint mv_connect_watch_storage_pool_events(MvConnect *conn, MvStoragePool *pool,
                                           GMainContext *context, MvStoragePoolEventFunc func,
                                           gpointer user_data, GDestroyNotify destroy,
                                           unsigned int flags, GError **error);

/**
 * mv_storage_pool_event_type_name:
 * Returns: (transfer none) "defined", "undefined", "started", "stopped",
 *   "created", "deleted", "refreshed"; "unknown" for other values. A static
 *   string.
 */
const char *mv_storage_pool_event_type_name(MvStoragePoolEventType event);

/* ---- secrets ------------------------------------------------------------------ */

/* Secret events: the lifecycle events (wire values 0-1) and, as
 * MV_SECRET_EVENT_VALUE_CHANGED, the secret's separate value-changed event. */
typedef enum {
    MV_SECRET_EVENT_DEFINED = 0,            /* defined or redefined */
    MV_SECRET_EVENT_UNDEFINED = 1,
    MV_SECRET_EVENT_VALUE_CHANGED = 2,      /* a new value was set */
    MV_SECRET_EVENT_LAST
} MvSecretEventType;

/**
 * MvSecretEventFunc:
 * @conn: the connection of the watch.
 * @secret: (transfer none) the secret; take a reference with mv_secret_ref()
 *   to keep it.
 * @event: what happened.
 * @detail: the event's detail (0 for every secret event so far).
 * @user_data: as given to mv_connect_watch_secret_events().
 */
typedef void (*MvSecretEventFunc)(MvConnect *conn, MvSecret *secret, MvSecretEventType event,
                                  int detail, gpointer user_data);

/**
 * mv_connect_watch_secret_events:
 * @secret: (nullable) only events of this secret; NULL for every secret.
 * @context: (nullable) where @func runs; NULL for the thread-default main
 *   context of the calling thread.
 * @func: called once per event, lifecycle and value changes alike (never
 *   with the value).
 * @user_data: passed to @func.
 * @destroy: (nullable) called on @user_data once the watch is removed and no
 *   call of @func can follow.
 * @flags: none defined, pass 0.
 *
 * Watches secret events (registers for lifecycle and value-changed events
 * with modvirt-storaged, or the proxy). Delivery as for
 * mv_connect_watch_domain_events().
 *
 * Returns: a watch id (> 0) for mv_connect_unwatch_events(), or 0 with
 *   @error set (then @destroy is not called).
 */
guint mv_connect_watch_secret_events(MvConnect *conn, MvSecret *secret, GMainContext *context,
                                     MvSecretEventFunc func, gpointer user_data,
                                     GDestroyNotify destroy, unsigned int flags,
                                     GError **error);

/**
 * mv_secret_event_type_name:
 * Returns: (transfer none) "defined", "undefined", "value-changed"; "unknown"
 *   for other values. A static string.
 */
const char *mv_secret_event_type_name(MvSecretEventType event);

G_END_DECLS
