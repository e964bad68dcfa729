/* MvEventRing: the last N events a daemon emitted, numbered, so that a client
 * that comes back can be given what it missed (resumable events,
 * docs/protocol.md).
 *
 * Numbers start at 1 and grow by one per event; the ring keeps the newest
 * @capacity records and forgets the oldest. Asked for everything after a
 * number, it answers with the records it still holds and how many numbers in
 * between it no longer holds (the gap). Not thread-safe: its owner locks. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "driver/events.h"
#include "util/error.h"

G_BEGIN_DECLS

/* One emitted event as the daemon can send it again: which registrations
 * want it (family, event id, object) and its encoded message. */
typedef struct {
    guint64 seq;
    MvDriverEventFamily family;
    int event_id;
    guint8 uuid[16];
    int proc;               /* the callback-style message procedure */
    int legacy_proc;        /* the legacy-style one (no callback id), 0: none */
    GBytes *payload;        /* the callback-style payload, callback id 0 */
} MvEventRecord;

typedef struct _MvEventRing MvEventRing;

/** mv_event_ring_new: an empty ring holding at most @capacity (>= 1) records. */
MvEventRing *mv_event_ring_new(guint capacity);
/** mv_event_ring_free: NULL is fine. */
void mv_event_ring_free(MvEventRing *ring);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvEventRing, mv_event_ring_free)

/**
 * mv_event_ring_push:
 * Numbers @record (its seq is set to the next number, which is returned) and
 * keeps it, forgetting the oldest record when the ring is full. The ring
 * takes a reference on the payload.
 */
guint64 mv_event_ring_push(MvEventRing *ring, MvEventRecord *record);

guint mv_event_ring_capacity(MvEventRing *ring);
/** mv_event_ring_last_seq: the newest number given, 0 before the first push. */
guint64 mv_event_ring_last_seq(MvEventRing *ring);
/** mv_event_ring_first_seq: the oldest number held; last_seq + 1 when empty. */
guint64 mv_event_ring_first_seq(MvEventRing *ring);

/**
 * mv_event_ring_since:
 * The records numbered after @after_seq that the ring still holds, oldest
 * first, through @func (the records are the ring's: valid during the call),
 * and in *@ret_lost how many numbers after @after_seq it no longer holds (0:
 * nothing missing). False with MV_ERR_INVALID_ARG when @after_seq is newer
 * than any number given (not from this ring).
 */
bool mv_event_ring_since(MvEventRing *ring, guint64 after_seq,
                         void (*func)(const MvEventRecord *record, gpointer data), gpointer data,
                         guint64 *ret_lost, GError **error);

G_END_DECLS
