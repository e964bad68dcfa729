/* libmodvirt events.
 *
 * A watch registers a callback for one family of events with every daemon
 * of the connection that serves that family (domains: the hypervisor
 * daemon) and merges what they send. Callbacks run in the GMainContext given
 * when the watch was made, in the order the events happened on each daemon,
 * whenever that context is iterated (e.g. by a GMainLoop) — never on a
 * library thread, so a callback may call back into the library.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include <modvirt/domain.h>

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
 * mv_connect_unwatch_events:
 * @watch_id: from mv_connect_watch_domain_events().
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

G_END_DECLS
