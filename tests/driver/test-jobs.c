/* Object jobs (common/driver/object.c): one holder at a time, a waiter is
 * woken as soon as the job is released or the object removed, a waiter that
 * times out names the holder and since when, queries never wait for a job.
 * (Moved from tests/qemu/test-qemu-jobs.c, which tested qemud's copy.)
 *
 * The waiters use a 60 s deadline and the test gives them 5 s after the
 * release: a release that does not wake the waiter (it would only notice at
 * its deadline) fails, whatever the machine's load. */
#include <string.h>

#include "driver/list.h"
#include "driver-test.h"

#define LONG_WAIT_MS 60000
#define WAKE_WITHIN_US (5 * G_USEC_PER_SEC)

typedef struct {
    MvDriverList *list;
    MvDriverObject *dom;
} Fixture;

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;

    f->list = mv_driver_list_new(&test_class, NULL);
    f->dom = MV_DRIVER_OBJECT(test_obj_new("job1", 1));
    g_assert_true(mv_driver_list_add(f->list, f->dom, &error));
    g_assert_no_error(error);
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
    mv_driver_list_remove(f->list, f->dom);
    mv_driver_object_unref(f->dom);
    mv_driver_list_free(f->list);
}

/* A writer waiting for the job in its own thread. */
typedef struct {
    MvDriverObject *dom;
    const char *api;
    GMutex lock;
    GCond cond;
    bool started;       /* about to call begin_job */
    bool done;          /* begin_job returned */
    bool ok;
    GError *error;
    gint64 done_at;
    GThread *thread;
} Waiter;

static gpointer
waiter_run(gpointer data)
{
    Waiter *w = data;
    GError *error = NULL;
    bool ok;

    g_mutex_lock(&w->lock);
    w->started = true;
    g_cond_broadcast(&w->cond);
    g_mutex_unlock(&w->lock);

    ok = mv_driver_object_begin_job(w->dom, w->api, LONG_WAIT_MS, &error);

    g_mutex_lock(&w->lock);
    w->ok = ok;
    w->error = error;
    w->done = true;
    w->done_at = g_get_monotonic_time();
    g_cond_broadcast(&w->cond);
    g_mutex_unlock(&w->lock);
    return NULL;
}

static void
waiter_start(Waiter *w, MvDriverObject *dom, const char *api)
{
    memset(w, 0, sizeof(*w));
    w->dom = dom;
    w->api = api;
    g_mutex_init(&w->lock);
    g_cond_init(&w->cond);
    w->thread = g_thread_new(api, waiter_run, w);
    g_mutex_lock(&w->lock);
    while (!w->started)
        g_cond_wait(&w->cond, &w->lock);
    g_mutex_unlock(&w->lock);
    /* Let it reach the condition wait. If it has not got there yet it sees the
     * job free on its own: the test then passes without proving the wake-up,
     * never fails wrongly. */
    g_usleep(200 * 1000);
}

/* Waits until the waiter's begin_job returned or @until (monotonic µs). */
static bool
waiter_wait(Waiter *w, gint64 until)
{
    bool done;

    g_mutex_lock(&w->lock);
    while (!w->done && g_cond_wait_until(&w->cond, &w->lock, until))
        ;
    done = w->done;
    g_mutex_unlock(&w->lock);
    return done;
}

static void
waiter_finish(Waiter *w)
{
    g_thread_join(w->thread);
    g_clear_error(&w->error);
    g_mutex_clear(&w->lock);
    g_cond_clear(&w->cond);
}

static void
test_end_wakes_waiter(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    Waiter w;
    gint64 released;

    g_assert_true(mv_driver_object_begin_job(f->dom, "holderA", 1000, &error));
    g_assert_no_error(error);
    waiter_start(&w, f->dom, "writerB");
    g_assert_false(w.done);             /* the job is held: B waits */

    released = g_get_monotonic_time();
    mv_driver_object_end_job(f->dom);
    if (!waiter_wait(&w, released + WAKE_WITHIN_US))
        g_error("the waiter was not woken by end_job within 5 s (its deadline is 60 s)");
    g_assert_no_error(w.error);
    g_assert_true(w.ok);
    g_assert_cmpint(w.done_at - released, <, WAKE_WITHIN_US);

    /* B holds the job now */
    g_mutex_lock(&f->dom->lock);
    g_assert_cmpstr(f->dom->job, ==, "writerB");
    g_mutex_unlock(&f->dom->lock);
    mv_driver_object_end_job(f->dom);
    waiter_finish(&w);
}

static guint
count_done(Waiter *w, guint n)
{
    guint done = 0;

    for (guint i = 0; i < n; i++)
        done += waiter_wait(&w[i], 0);
    return done;
}

/* Several waiters: each release hands the job to exactly one more of them. */
static void
test_chain(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    static const char *apis[] = { "w1", "w2", "w3" };
    const guint n = G_N_ELEMENTS(apis);
    Waiter w[G_N_ELEMENTS(apis)];

    g_assert_true(mv_driver_object_begin_job(f->dom, "holder", 1000, &error));
    for (guint i = 0; i < n; i++)
        waiter_start(&w[i], f->dom, apis[i]);
    g_assert_cmpuint(count_done(w, n), ==, 0);
    for (guint round = 1; round <= n; round++) {
        gint64 until = g_get_monotonic_time() + WAKE_WITHIN_US;

        mv_driver_object_end_job(f->dom);
        while (count_done(w, n) < round && g_get_monotonic_time() < until)
            g_usleep(10 * 1000);
        if (count_done(w, n) != round)
            g_error("release %u: %u waiters got the job within 5 s (expected %u)", round,
                    count_done(w, n), round);
    }
    mv_driver_object_end_job(f->dom);
    for (guint i = 0; i < n; i++) {
        g_assert_no_error(w[i].error);
        g_assert_true(w[i].ok);
        waiter_finish(&w[i]);
    }
}

static void
test_timeout_names_holder(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;

    g_assert_true(mv_driver_object_begin_job(f->dom, "virDomainDetachDevice", 1000, &error));
    g_assert_false(mv_driver_object_begin_job(f->dom, "virDomainSuspend", 50, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_TIMEOUT);
    g_assert_nonnull(strstr(error->message, "cannot acquire state change lock"));
    g_assert_nonnull(strstr(error->message, "'job1'"));
    g_assert_nonnull(strstr(error->message, "held by virDomainDetachDevice"));
    /* the whole text, as qemud has always written it */
    if (!g_regex_match_simple("^Timed out during operation: cannot acquire state change lock "
                              "of domain 'job1' \\(held by virDomainDetachDevice for "
                              "[0-9]+\\.[0-9] s\\)$", error->message, 0, 0))
        g_error("unexpected timeout text: %s", error->message);
    g_assert_cmpint(mv_error_get_subsystem(error), ==, MV_FROM_QEMU);
    /* the holder is unchanged */
    g_mutex_lock(&f->dom->lock);
    g_assert_cmpstr(f->dom->job, ==, "virDomainDetachDevice");
    g_mutex_unlock(&f->dom->lock);
    mv_driver_object_end_job(f->dom);
    g_clear_error(&error);
    g_assert_true(mv_driver_object_begin_job(f->dom, "virDomainSuspend", 50, &error));
    mv_driver_object_end_job(f->dom);
}

static void
test_remove_wakes_waiter(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    Waiter w;
    gint64 removed;

    g_assert_true(mv_driver_object_begin_job(f->dom, "virDomainUndefine", 1000, &error));
    waiter_start(&w, f->dom, "writerB");
    removed = g_get_monotonic_time();
    mv_driver_list_remove(f->list, f->dom);
    if (!waiter_wait(&w, removed + WAKE_WITHIN_US))
        g_error("the waiter was not woken by the removal within 5 s");
    g_assert_false(w.ok);
    g_assert_error(w.error, MV_ERROR, MV_ERR_NO_DOMAIN);
    mv_driver_object_end_job(f->dom);
    waiter_finish(&w);
}

/* A query in another thread while the job is held: it takes the lock and
 * the list, never the job, so it finishes while the holder still holds. */
typedef struct {
    Fixture *f;
    char *name;
    guint listed;
    bool active;
} Query;

static void
count_emit(MvDriverObject *obj, guint index, gpointer data)
{
    ((Query *)data)->listed++;
}

static gpointer
query_run(gpointer data)
{
    Query *q = data;
    MvDriverQuery query = { 0 };
    MvDriverObject *obj = mv_driver_list_find_by_name(q->f->list, "job1");
    guint n = 0;

    g_mutex_lock(&obj->lock);
    q->name = g_strdup(obj->name);
    q->active = mv_driver_object_is_active(obj);
    g_mutex_unlock(&obj->lock);
    mv_driver_object_unref(obj);
    g_assert_true(mv_driver_list_select(q->f->list, &query, 10, NULL, count_emit, q, &n, NULL));
    return NULL;
}

static void
test_query_during_job(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    Query q = { f };
    GThread *thread;

    g_assert_true(mv_driver_object_begin_job(f->dom, "virDomainShutdown", 1000, &error));
    thread = g_thread_new("query", query_run, &q);
    g_thread_join(thread);      /* would hang (test timeout) if a query waited for the job */
    g_assert_cmpstr(q.name, ==, "job1");
    g_assert_false(q.active);
    g_assert_cmpuint(q.listed, ==, 1);
    g_mutex_lock(&f->dom->lock);
    g_assert_cmpstr(f->dom->job, ==, "virDomainShutdown");     /* still held */
    g_mutex_unlock(&f->dom->lock);
    mv_driver_object_end_job(f->dom);
    g_free(q.name);
}

/* The removed-object error names the family and the object. */
static void
test_removed_error(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;

    mv_driver_list_remove(f->list, f->dom);
    g_assert_false(mv_driver_object_begin_job(f->dom, "virDomainCreate", 1000, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_NO_DOMAIN);
    g_assert_cmpstr(error->message, ==, "Domain not found: domain 'job1' was removed");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/driver/jobs/end-wakes-waiter", Fixture, NULL, fixture_set_up,
               test_end_wakes_waiter, fixture_tear_down);
    g_test_add("/driver/jobs/chain", Fixture, NULL, fixture_set_up, test_chain,
               fixture_tear_down);
    g_test_add("/driver/jobs/timeout-names-holder", Fixture, NULL, fixture_set_up,
               test_timeout_names_holder, fixture_tear_down);
    g_test_add("/driver/jobs/remove-wakes-waiter", Fixture, NULL, fixture_set_up,
               test_remove_wakes_waiter, fixture_tear_down);
    g_test_add("/driver/jobs/query-during-job", Fixture, NULL, fixture_set_up,
               test_query_during_job, fixture_tear_down);
    g_test_add("/driver/jobs/removed-error", Fixture, NULL, fixture_set_up,
               test_removed_error, fixture_tear_down);
    return g_test_run();
}
