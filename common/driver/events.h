/* Event registrations of connected clients, for every family (domain,
 * network, storage pool, nwfilter, secret, node device…).
 *
 * Two registration styles, both as stock clients use them: the callback
 * style (a callback id per registration, optionally limited to one object
 * by UUID) and the legacy style (one registration per client and event id,
 * events carry no callback id). The registry does the bookkeeping only: the
 * caller delivers (encodes and queues) each event in its deliver function,
 * called under the registry lock in registration order, so every client
 * sees the events in the order they were emitted. A client is an opaque
 * pointer kept alive with the ref/unref functions given at creation. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "util/error.h"

G_BEGIN_DECLS

/* The event families (libvirt's: one set of procedures each). */
typedef enum {
    MV_DRIVER_EVENT_DOMAIN,
    MV_DRIVER_EVENT_NETWORK,
    MV_DRIVER_EVENT_STORAGE_POOL,
    MV_DRIVER_EVENT_NODE_DEVICE,
    MV_DRIVER_EVENT_SECRET,
    MV_DRIVER_EVENT_NWFILTER,
    MV_DRIVER_EVENT_FAMILY_LAST,
} MvDriverEventFamily;

typedef struct _MvDriverEvents MvDriverEvents;

/**
 * mv_driver_events_new:
 * An empty registry. Each registration holds a reference to its client
 * (@client_ref / @client_unref, e.g. mv_server_client_ref/unref).
 */
MvDriverEvents *mv_driver_events_new(gpointer (*client_ref)(gpointer client),
                                     void (*client_unref)(gpointer client));
void mv_driver_events_free(MvDriverEvents *events);

/**
 * mv_driver_events_register:
 * A callback-style registration of @client for @event_id of @family,
 * limited to the object @uuid when non-NULL. Returns the new callback id
 * (0, 1, …, unique in the registry).
 */
int mv_driver_events_register(MvDriverEvents *events, MvDriverEventFamily family,
                              gpointer client, int event_id, const guint8 *uuid);

/** mv_driver_events_deregister: false when @client has no callback @callback_id. */
bool mv_driver_events_deregister(MvDriverEvents *events, MvDriverEventFamily family,
                                 gpointer client, int callback_id);

/**
 * mv_driver_events_check_id:
 * What an event registration call checks first: false with "unsupported event
 * ID" (MV_ERR_INVALID_ARG from @from) unless 0 <= @event_id < @id_last.
 */
bool mv_driver_events_check_id(int event_id, int id_last, MvErrorSubsystem from,
                               GError **error);

/**
 * mv_driver_events_deregister_checked:
 * mv_driver_events_deregister() for a deregistration call: a @callback_id that
 * @client did not register is an error (MV_ERR_INVALID_ARG from @from).
 */
bool mv_driver_events_deregister_checked(MvDriverEvents *events, MvDriverEventFamily family,
                                         gpointer client, int callback_id,
                                         MvErrorSubsystem from, GError **error);

/** Legacy registrations: one per (client, family, event id). False when not registered. */
bool mv_driver_events_register_legacy(MvDriverEvents *events, MvDriverEventFamily family,
                                      gpointer client, int event_id);
bool mv_driver_events_deregister_legacy(MvDriverEvents *events, MvDriverEventFamily family,
                                        gpointer client, int event_id);

/** mv_driver_events_client_closed: drops every registration of @client. */
void mv_driver_events_client_closed(MvDriverEvents *events, gpointer client);

/** mv_driver_events_count: the registrations of @client (NULL: of everyone). */
guint mv_driver_events_count(MvDriverEvents *events, gpointer client);

/**
 * mv_driver_events_emit:
 * Calls @deliver for every registration for @event_id of @family whose
 * filter lets the object @uuid through, in registration order, under the
 * registry lock (@deliver queues, it must not block or call back into the
 * registry). @callback_id is -1 for legacy registrations.
 */
typedef void (*MvDriverEventDeliver)(gpointer client, int callback_id, gpointer data);
void mv_driver_events_emit(MvDriverEvents *events, MvDriverEventFamily family, int event_id,
                           const guint8 uuid[16], MvDriverEventDeliver deliver, gpointer data);

/**
 * mv_driver_events_emit_to:
 * mv_driver_events_emit() for the registrations of @client only (NULL: of
 * everyone): a replay of missed events to one client (common/daemon).
 */
void mv_driver_events_emit_to(MvDriverEvents *events, MvDriverEventFamily family, int event_id,
                              const guint8 uuid[16], gpointer client,
                              MvDriverEventDeliver deliver, gpointer data);

G_END_DECLS
