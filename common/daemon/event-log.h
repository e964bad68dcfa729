/* Resumable events (docs/protocol.md, "Resumable events"): the daemon's
 * numbered event log and the private EVENTS program that reads it.
 *
 * One log per daemon process: a random epoch made at start, the sequence
 * and a bounded ring (common/driver/event-ring.h) of the last [events]
 * ring_size events. Every event every family emits goes through
 * mv_daemon_events_emit(): numbered, kept in the ring, then delivered to the
 * registered clients — plain REMOTE messages to connections that never
 * called EVENTS_HOLD (stock clients: unchanged), EVENT messages with the
 * number to those that did, nothing while such a connection is held. The log
 * lock is taken before any registry's lock, so numbering, the ring and the
 * order each client sees are one. Internal to common/daemon. */
#pragma once

#include <glib.h>
#include <rpc/xdr.h>

#include "driver/events.h"
#include "rpc/proc.h"
#include "rpc/server.h"

G_BEGIN_DECLS

#define MV_EVENT_RING_SIZE_DEFAULT 1024
#define MV_EVENT_RING_SIZE_MAX 1048576

/**
 * mv_daemon_event_log_init:
 * Sets the ring size before the first event (the driver's start); later
 * calls (a reload) change nothing: the size is read at start.
 */
void mv_daemon_event_log_init(guint ring_size);

/**
 * mv_daemon_events_new_family:
 * A registry of MvServerClients for @family whose events the log numbers,
 * keeps and replays. One per family and process.
 */
MvDriverEvents *mv_daemon_events_new_family(MvDriverEventFamily family);

/**
 * mv_daemon_events_emit:
 * Numbers one event and delivers it: @msg is the callback-style message of
 * REMOTE procedure @proc (encoded with @filter; its callback id, the first
 * word, is replaced per registration), sent to callback registrations for
 * @event_id of @family whose filter lets @uuid through; legacy registrations
 * get procedure @legacy_proc with the same payload minus the callback id
 * (0: they get nothing).
 */
void mv_daemon_events_emit(MvDriverEvents *events, MvDriverEventFamily family, int event_id,
                           const guint8 uuid[16], int proc, xdrproc_t filter, const void *msg,
                           int legacy_proc);

/** mv_daemon_event_log_client_closed: forgets @client's EVENTS state (I/O thread). */
void mv_daemon_event_log_client_closed(MvServerClient *client);

/* The EVENTS program's handlers, indexed by procedure (events-private.h). */
extern const MvDispatchFunc mv_daemon_events_private_handlers[];

G_END_DECLS
