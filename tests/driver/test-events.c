/* Event registrations (common/driver/events.c): ids, filters, order, removal. */
#include <string.h>

#include "driver/events.h"

#define DOM MV_DRIVER_EVENT_DOMAIN
#define NET MV_DRIVER_EVENT_NETWORK

/* A client: counts its references, records what it was sent. */
typedef struct {
    const char *name;
    gint refs;
    GString *got;
} Client;

static gpointer
client_ref(gpointer p)
{
    ((Client *)p)->refs++;
    return p;
}

static void
client_unref(gpointer p)
{
    ((Client *)p)->refs--;
}

static void
deliver(gpointer p, int callback_id, gpointer data)
{
    Client *c = p;

    g_string_append_printf(c->got, "%s:%d:%s;", c->name, callback_id, (const char *)data);
}

typedef struct {
    MvDriverEvents *events;
    Client a, b;
    guint8 u1[16], u2[16];
} Fixture;

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
    f->events = mv_driver_events_new(client_ref, client_unref);
    f->a = (Client){ "a", 0, g_string_new("") };
    f->b = (Client){ "b", 0, g_string_new("") };
    memset(f->u1, 1, 16);
    memset(f->u2, 2, 16);
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
    mv_driver_events_free(f->events);
    g_assert_cmpint(f->a.refs, ==, 0);      /* every reference given back */
    g_assert_cmpint(f->b.refs, ==, 0);
    g_string_free(f->a.got, TRUE);
    g_string_free(f->b.got, TRUE);
}

/* Everything sent so far, cleared. */
static char *
sent(Fixture *f)
{
    char *s = g_strconcat(f->a.got->str, f->b.got->str, NULL);

    g_string_truncate(f->a.got, 0);
    g_string_truncate(f->b.got, 0);
    return s;
}

#define ASSERT_SENT(f, expected)                \
    do {                                        \
        g_autofree char *s_ = sent(f);          \
        g_assert_cmpstr(s_, ==, (expected));    \
    } while (0)

static void
test_ids_and_filters(Fixture *f, gconstpointer data)
{
    g_assert_cmpint(mv_driver_events_register(f->events, DOM, &f->a, 0, NULL), ==, 0);
    g_assert_cmpint(mv_driver_events_register(f->events, DOM, &f->a, 0, f->u1), ==, 1);
    g_assert_cmpint(mv_driver_events_register(f->events, DOM, &f->b, 1, NULL), ==, 2);
    g_assert_cmpint(mv_driver_events_register(f->events, NET, &f->b, 0, NULL), ==, 3);
    g_assert_true(mv_driver_events_register_legacy(f->events, DOM, &f->b, 0));
    g_assert_false(mv_driver_events_register_legacy(f->events, DOM, &f->b, 0));  /* twice */
    g_assert_true(mv_driver_events_register_legacy(f->events, NET, &f->b, 0));
    g_assert_cmpint(f->a.refs, ==, 2);
    g_assert_cmpint(f->b.refs, ==, 4);

    /* domain event 0 about u1: a's two callbacks, b's legacy one */
    mv_driver_events_emit(f->events, DOM, 0, f->u1, deliver, "e1");
    ASSERT_SENT(f, "a:0:e1;a:1:e1;b:-1:e1;");
    /* about u2: a's filtered callback stays quiet */
    mv_driver_events_emit(f->events, DOM, 0, f->u2, deliver, "e2");
    ASSERT_SENT(f, "a:0:e2;b:-1:e2;");
    /* another event id, another family */
    mv_driver_events_emit(f->events, DOM, 1, f->u2, deliver, "r");
    ASSERT_SENT(f, "b:2:r;");
    mv_driver_events_emit(f->events, NET, 0, f->u1, deliver, "n");
    ASSERT_SENT(f, "b:3:n;b:-1:n;");
    mv_driver_events_emit(f->events, MV_DRIVER_EVENT_SECRET, 0, f->u1, deliver, "s");
    ASSERT_SENT(f, "");
}

static void
test_order(Fixture *f, gconstpointer data)
{
    static const char *seq[] = { "1", "2", "3", "4", "5" };

    mv_driver_events_register(f->events, DOM, &f->a, 0, NULL);
    for (guint i = 0; i < G_N_ELEMENTS(seq); i++)
        mv_driver_events_emit(f->events, DOM, 0, f->u1, deliver, (gpointer)seq[i]);
    ASSERT_SENT(f, "a:0:1;a:0:2;a:0:3;a:0:4;a:0:5;");
}

static void
test_removal(Fixture *f, gconstpointer data)
{
    int a0 = mv_driver_events_register(f->events, DOM, &f->a, 0, NULL);
    int a1 = mv_driver_events_register(f->events, DOM, &f->a, 0, NULL);
    int a2 = mv_driver_events_register(f->events, DOM, &f->a, 0, NULL);
    int b0 = mv_driver_events_register(f->events, DOM, &f->b, 0, NULL);

    /* only the owner, only the family, only once */
    g_assert_false(mv_driver_events_deregister(f->events, DOM, &f->b, a1));
    g_assert_false(mv_driver_events_deregister(f->events, NET, &f->a, a1));
    g_assert_false(mv_driver_events_deregister(f->events, DOM, &f->a, -1));
    g_assert_true(mv_driver_events_deregister(f->events, DOM, &f->a, a1));
    g_assert_false(mv_driver_events_deregister(f->events, DOM, &f->a, a1));
    g_assert_cmpint(f->a.refs, ==, 2);
    /* the others keep their order */
    g_autofree char *x = g_strdup_printf("a:%d:x;a:%d:x;b:%d:x;", a0, a2, b0);
    g_autofree char *y = g_strdup_printf("b:%d:y;", b0);
    mv_driver_events_emit(f->events, DOM, 0, f->u1, deliver, "x");
    ASSERT_SENT(f, x);

    g_assert_true(mv_driver_events_register_legacy(f->events, DOM, &f->a, 3));
    g_assert_false(mv_driver_events_deregister_legacy(f->events, DOM, &f->a, 4));
    g_assert_true(mv_driver_events_deregister_legacy(f->events, DOM, &f->a, 3));
    g_assert_false(mv_driver_events_deregister_legacy(f->events, DOM, &f->a, 3));

    /* a dropped client: everything of it goes, its references are given back */
    mv_driver_events_register_legacy(f->events, NET, &f->a, 0);
    g_assert_cmpuint(mv_driver_events_count(f->events, &f->a), ==, 3);
    mv_driver_events_client_closed(f->events, &f->a);
    g_assert_cmpuint(mv_driver_events_count(f->events, &f->a), ==, 0);
    g_assert_cmpint(f->a.refs, ==, 0);
    g_assert_cmpuint(mv_driver_events_count(f->events, NULL), ==, 1);
    mv_driver_events_emit(f->events, DOM, 0, f->u1, deliver, "y");
    ASSERT_SENT(f, y);
    /* callback ids are never reused */
    g_assert_cmpint(mv_driver_events_register(f->events, DOM, &f->a, 0, NULL), ==, b0 + 1);
}

/* The checks every event (de)registration call makes, with the caller's subsystem. */
static void
test_checked(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    int id = mv_driver_events_register(f->events, NET, &f->a, 0, NULL);
    g_autofree char *unknown = g_strdup_printf("callback %d is not registered on this "
                                               "connection", id);

    g_assert_true(mv_driver_events_check_id(0, 2, MV_FROM_NETWORK, &error));
    g_assert_true(mv_driver_events_check_id(1, 2, MV_FROM_NETWORK, &error));
    g_assert_no_error(error);
    g_assert_false(mv_driver_events_check_id(-1, 2, MV_FROM_NETWORK, &error));
    g_assert_cmpstr(error->message, ==, "unsupported event ID -1");
    g_clear_error(&error);
    g_assert_false(mv_driver_events_check_id(2, 2, MV_FROM_STORAGE, &error));
    g_assert_true(mv_error_matches(error, MV_ERR_INVALID_ARG));
    g_assert_cmpint(mv_error_get_subsystem(error), ==, MV_FROM_STORAGE);
    g_assert_cmpstr(error->message, ==, "unsupported event ID 2");
    g_clear_error(&error);

    /* Only the client that registered it, in its family, may deregister it. */
    g_assert_false(mv_driver_events_deregister_checked(f->events, NET, &f->b, id,
                                                       MV_FROM_NETWORK, &error));
    g_assert_cmpint(mv_error_get_subsystem(error), ==, MV_FROM_NETWORK);
    g_assert_cmpstr(error->message, ==, unknown);
    g_clear_error(&error);
    g_assert_false(mv_driver_events_deregister_checked(f->events, DOM, &f->a, id,
                                                       MV_FROM_DOMAIN, &error));
    g_clear_error(&error);
    g_assert_true(mv_driver_events_deregister_checked(f->events, NET, &f->a, id,
                                                      MV_FROM_NETWORK, &error));
    g_assert_no_error(error);
    g_assert_false(mv_driver_events_deregister_checked(f->events, NET, &f->a, id,
                                                       MV_FROM_NETWORK, &error));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/driver/events/ids-and-filters", Fixture, NULL, fixture_set_up,
               test_ids_and_filters, fixture_tear_down);
    g_test_add("/driver/events/order", Fixture, NULL, fixture_set_up, test_order,
               fixture_tear_down);
    g_test_add("/driver/events/removal", Fixture, NULL, fixture_set_up, test_removal,
               fixture_tear_down);
    g_test_add("/driver/events/checked", Fixture, NULL, fixture_set_up, test_checked,
               fixture_tear_down);
    return g_test_run();
}
