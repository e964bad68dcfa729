/* Running a GMainLoop as its context's thread. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * mv_main_loop_run_owned:
 * Runs @loop on the calling thread with its context as the thread default.
 * Other threads may own the context for a moment (a QMP command waiting for
 * its reply reads the socket itself while nobody runs the context): this
 * waits until it can own it first, where g_main_context_push_thread_default()
 * alone fails with a critical when another thread holds it.
 */
void mv_main_loop_run_owned(GMainLoop *loop);

G_END_DECLS
