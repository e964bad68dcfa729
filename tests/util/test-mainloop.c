/* mv_main_loop_run_owned(): a loop thread starting while another thread owns
 * its context waits for it instead of failing (qemud's recovery reads QMP
 * replies on the driver context while the driver thread starts). */
#include <glib.h>

#include "util/mainloop.h"

typedef struct {
    GMainLoop *loop;
    GThread *ran_on;        /* the thread the idle callback ran on */
} Fixture;

static gboolean
note_and_quit(gpointer data)
{
    Fixture *f = data;

    f->ran_on = g_thread_self();
    g_main_loop_quit(f->loop);
    return G_SOURCE_REMOVE;
}

static gpointer
loop_thread(gpointer data)
{
    Fixture *f = data;

    mv_main_loop_run_owned(f->loop);
    return NULL;
}

static void
test_waits_for_the_owner(void)
{
    GMainContext *ctx = g_main_context_new();
    Fixture f = { g_main_loop_new(ctx, FALSE), NULL };
    GSource *idle = g_idle_source_new();
    GThread *thread;

    g_assert_true(g_main_context_acquire(ctx));     /* this thread owns it first */
    g_source_set_callback(idle, note_and_quit, &f, NULL);
    g_source_attach(idle, ctx);
    g_source_unref(idle);
    thread = g_thread_new("loop", loop_thread, &f);
    g_usleep(50000);                    /* the loop thread is waiting to own it */
    g_assert_null(f.ran_on);
    g_main_context_release(ctx);
    g_thread_join(thread);
    g_assert_nonnull(f.ran_on);
    g_assert_true(f.ran_on == thread);
    g_assert_true(g_main_context_acquire(ctx));     /* released when the loop ended */
    g_main_context_release(ctx);
    g_main_loop_unref(f.loop);
    g_main_context_unref(ctx);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/mainloop/waits-for-the-owner", test_waits_for_the_owner);
    return g_test_run();
}
