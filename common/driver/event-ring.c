/* The numbered ring of recent events, see event-ring.h. */
#include "driver/event-ring.h"

struct _MvEventRing {
    MvEventRecord *slots;   /* slots[seq % capacity] holds record seq */
    guint capacity;
    guint count;            /* records held: the newest min(last, capacity) */
    guint64 last;           /* newest number given */
};

MvEventRing *
mv_event_ring_new(guint capacity)
{
    MvEventRing *ring = g_new0(MvEventRing, 1);

    ring->capacity = MAX(capacity, 1);
    ring->slots = g_new0(MvEventRecord, ring->capacity);
    return ring;
}

void
mv_event_ring_free(MvEventRing *ring)
{
    if (!ring)
        return;
    for (guint i = 0; i < ring->capacity; i++)
        g_clear_pointer(&ring->slots[i].payload, g_bytes_unref);
    g_free(ring->slots);
    g_free(ring);
}

guint64
mv_event_ring_push(MvEventRing *ring, MvEventRecord *record)
{
    MvEventRecord *slot;

    record->seq = ++ring->last;
    slot = &ring->slots[record->seq % ring->capacity];
    g_clear_pointer(&slot->payload, g_bytes_unref);     /* the oldest, when full */
    *slot = *record;
    slot->payload = record->payload ? g_bytes_ref(record->payload) : NULL;
    if (ring->count < ring->capacity)
        ring->count++;
    return record->seq;
}

guint
mv_event_ring_capacity(MvEventRing *ring)
{
    return ring->capacity;
}

guint64
mv_event_ring_last_seq(MvEventRing *ring)
{
    return ring->last;
}

guint64
mv_event_ring_first_seq(MvEventRing *ring)
{
    return ring->last - ring->count + 1;
}

bool
mv_event_ring_since(MvEventRing *ring, guint64 after_seq,
                    void (*func)(const MvEventRecord *record, gpointer data), gpointer data,
                    guint64 *ret_lost, GError **error)
{
    guint64 first = mv_event_ring_first_seq(ring);
    guint64 from;

    if (after_seq > ring->last)
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_INVALID_ARG,
                            "event %" G_GUINT64_FORMAT " was never sent: the latest is %"
                            G_GUINT64_FORMAT, after_seq, ring->last);
    *ret_lost = after_seq + 1 < first ? first - after_seq - 1 : 0;
    from = MAX(after_seq + 1, first);
    for (guint64 seq = from; seq <= ring->last; seq++)
        func(&ring->slots[seq % ring->capacity], data);
    return true;
}
