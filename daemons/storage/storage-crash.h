/* Test-only fault points of modvirt-storaged: MV_TEST_CRASH_AT=<point> in the
 * daemon's environment makes it die by SIGKILL when it reaches <point>, right
 * after a step that changed disk state, so the tests can prove that a
 * restarted daemon finds every pool, volume and secret whole (old or new,
 * never half-made). Never set outside the tests. The points are listed in
 * docs/storage.md and driven by tests/integration/test_storage_killany.py. */
#pragma once

#include <glib.h>
#include <signal.h>

#include "util/log.h"

static inline void
mv_storage_crash_point(const char *point)
{
    const char *at = g_getenv("MV_TEST_CRASH_AT");

    if (G_UNLIKELY(at != NULL) && g_str_equal(at, point)) {
        mv_log_warning("MV_TEST_CRASH_AT=%s: killing the daemon", point);
        raise(SIGKILL);
    }
}
