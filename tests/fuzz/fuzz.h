/* The two entry points of a libFuzzer target (tests/fuzz/fuzz-<target>.c).
 * In the fuzzing build (meson -Dfuzzing=true, clang) libFuzzer's main() calls
 * them; in the normal build fuzz-main.c feeds them every corpus file. */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Called once before the first input (libFuzzer calls it when defined;
 * every target here defines it). */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Runs one input; returns 0. A crash, sanitizer report or abort() is a finding. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* GLib criticals (a g_return_if_fail() that failed, in our code or in a
 * library we call wrongly) and errors are findings: print and abort(), so that
 * libFuzzer saves the input (GLib's own fatal path raises SIGTRAP, which
 * libFuzzer does not catch). Everything else is dropped. */
static inline void
mv_fuzz_log_handler(const char *domain, GLogLevelFlags level, const char *message,
                    gpointer data)
{
    if (!(level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR)))
        return;
    fprintf(stderr, "%s-CRITICAL: %s\n", domain ? domain : "(none)", message);
    abort();
}

static inline void
mv_fuzz_abort_on_criticals(void)
{
    g_log_set_default_handler(mv_fuzz_log_handler, NULL);
}
