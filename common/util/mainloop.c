/* Running a GMainLoop as its context's thread: mainloop.h. */
#include "util/mainloop.h"

#define OWN_RETRY_US 1000

void
mv_main_loop_run_owned(GMainLoop *loop)
{
    GMainContext *ctx = g_main_loop_get_context(loop);

    while (!g_main_context_acquire(ctx))
        g_usleep(OWN_RETRY_US);
    g_main_context_push_thread_default(ctx);    /* owned by us: cannot fail */
    g_main_loop_run(loop);
    g_main_context_pop_thread_default(ctx);
    g_main_context_release(ctx);
}
