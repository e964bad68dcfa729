/* The numbered event ring (common/driver/event-ring.c): numbering, what is
 * replayed after a number, wrap-around and the gap it reports. */
#include <string.h>

#include "driver/event-ring.h"

/* Pushes event @n (its payload says "n") into @ring. */
static guint64
push(MvEventRing *ring, int n)
{
    g_autofree char *text = g_strdup_printf("%d", n);
    g_autoptr(GBytes) payload = g_bytes_new(text, strlen(text));
    MvEventRecord rec = {
        .family = MV_DRIVER_EVENT_DOMAIN,
        .event_id = n % 3,
        .proc = 318,
        .payload = payload,
    };

    memset(rec.uuid, n, 16);
    return mv_event_ring_push(ring, &rec);
}

static void
collect(const MvEventRecord *rec, gpointer data)
{
    GString *s = data;
    gsize len;
    const char *text = g_bytes_get_data(rec->payload, &len);

    /* the number, the payload it was pushed with, the fields kept */
    g_string_append_printf(s, "%" G_GUINT64_FORMAT "=%.*s/%d/%d;", rec->seq, (int)len, text,
                           rec->event_id, rec->uuid[0]);
}

/* What the ring gives after @after: "seq=payload/event_id/uuid;..." and the gap. */
static char *
since(MvEventRing *ring, guint64 after, guint64 *ret_lost)
{
    GString *s = g_string_new("");
    g_autoptr(GError) err = NULL;

    *ret_lost = 12345;
    g_assert_true(mv_event_ring_since(ring, after, collect, s, ret_lost, &err));
    g_assert_no_error(err);
    return g_string_free(s, FALSE);
}

static void
test_numbering(void)
{
    g_autoptr(MvEventRing) ring = mv_event_ring_new(4);
    g_autofree char *all = NULL;
    g_autofree char *none = NULL;
    guint64 lost;

    g_assert_cmpuint(mv_event_ring_last_seq(ring), ==, 0);
    g_assert_cmpuint(mv_event_ring_first_seq(ring), ==, 1);
    none = since(ring, 0, &lost);
    g_assert_cmpstr(none, ==, "");
    g_assert_cmpuint(lost, ==, 0);
    for (int i = 1; i <= 3; i++)
        g_assert_cmpuint(push(ring, i), ==, (guint64)i);
    g_assert_cmpuint(mv_event_ring_last_seq(ring), ==, 3);
    g_assert_cmpuint(mv_event_ring_first_seq(ring), ==, 1);
    all = since(ring, 0, &lost);
    g_assert_cmpstr(all, ==, "1=1/1/1;2=2/2/2;3=3/0/3;");
    g_assert_cmpuint(lost, ==, 0);
}

static void
test_after(void)
{
    g_autoptr(MvEventRing) ring = mv_event_ring_new(8);
    g_autofree char *tail = NULL;
    g_autofree char *empty = NULL;
    guint64 lost;

    for (int i = 1; i <= 5; i++)
        push(ring, i);
    tail = since(ring, 3, &lost);
    g_assert_cmpstr(tail, ==, "4=4/1/4;5=5/2/5;");
    g_assert_cmpuint(lost, ==, 0);
    empty = since(ring, 5, &lost);         /* up to date */
    g_assert_cmpstr(empty, ==, "");
    g_assert_cmpuint(lost, ==, 0);
}

/* Many times around a small ring: the newest records, in order, each with its
 * own payload (an overwritten slot never shows an older event). */
static void
test_wrap_around(void)
{
    g_autoptr(MvEventRing) ring = mv_event_ring_new(3);
    g_autofree char *last3 = NULL;
    g_autofree char *last2 = NULL;
    guint64 lost;

    for (int i = 1; i <= 100; i++)
        push(ring, i);
    g_assert_cmpuint(mv_event_ring_capacity(ring), ==, 3);
    g_assert_cmpuint(mv_event_ring_last_seq(ring), ==, 100);
    g_assert_cmpuint(mv_event_ring_first_seq(ring), ==, 98);
    last3 = since(ring, 97, &lost);        /* exactly what the ring holds */
    g_assert_cmpstr(last3, ==, "98=98/2/98;99=99/0/99;100=100/1/100;");
    g_assert_cmpuint(lost, ==, 0);
    last2 = since(ring, 98, &lost);
    g_assert_cmpstr(last2, ==, "99=99/0/99;100=100/1/100;");
    g_assert_cmpuint(lost, ==, 0);
}

/* Asked from further back than the ring reaches: what it holds, and exactly
 * how many numbers in between are gone. */
static void
test_gap(void)
{
    g_autoptr(MvEventRing) ring = mv_event_ring_new(4);
    g_autofree char *from0 = NULL;
    g_autofree char *from5 = NULL;
    g_autofree char *from6 = NULL;
    guint64 lost;

    for (int i = 1; i <= 10; i++)
        push(ring, i);
    from0 = since(ring, 0, &lost);
    g_assert_cmpstr(from0, ==, "7=7/1/7;8=8/2/8;9=9/0/9;10=10/1/10;");
    g_assert_cmpuint(lost, ==, 6);         /* 1..6 */
    from5 = since(ring, 5, &lost);
    g_assert_cmpstr(from5, ==, "7=7/1/7;8=8/2/8;9=9/0/9;10=10/1/10;");
    g_assert_cmpuint(lost, ==, 1);         /* 6 */
    from6 = since(ring, 6, &lost);         /* the oldest held is the next one: no gap */
    g_assert_cmpstr(from6, ==, "7=7/1/7;8=8/2/8;9=9/0/9;10=10/1/10;");
    g_assert_cmpuint(lost, ==, 0);
}

static void
test_future_refused(void)
{
    g_autoptr(MvEventRing) ring = mv_event_ring_new(4);
    g_autoptr(GError) err = NULL;
    guint64 lost = 7;

    push(ring, 1);
    g_assert_false(mv_event_ring_since(ring, 2, collect, NULL, &lost, &err));
    g_assert_error(err, MV_ERROR, MV_ERR_INVALID_ARG);
    g_assert_nonnull(strstr(err->message, "event 2 was never sent: the latest is 1"));
    g_assert_cmpuint(lost, ==, 7);         /* untouched on failure */
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/driver/event-ring/numbering", test_numbering);
    g_test_add_func("/driver/event-ring/after", test_after);
    g_test_add_func("/driver/event-ring/wrap-around", test_wrap_around);
    g_test_add_func("/driver/event-ring/gap", test_gap);
    g_test_add_func("/driver/event-ring/future-refused", test_future_refused);
    return g_test_run();
}
