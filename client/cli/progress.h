/* A progress line for long transfers (vol-upload, vol-download). On a
 * terminal: one line redrawn in place at most every 200 ms, with a bar, the
 * bytes done, the rate and the time left. Elsewhere (a pipe, a log, a test):
 * nothing while it runs, one summary line at the end, so scripts parse it. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdio.h>

G_BEGIN_DECLS

typedef struct _MvCliProgress MvCliProgress;

/**
 * mv_cli_progress_new:
 * @what: the verb's noun ("upload", "download"), shown in the summary.
 * @total: the bytes expected (0: unknown: no bar, no ETA).
 * @out: where to draw (stderr); @tty: draw in place (isatty of @out, or forced).
 */
MvCliProgress *mv_cli_progress_new(const char *what, guint64 total, FILE *out, bool tty);

/** mv_cli_progress_update: @done bytes so far; redraws when due (terminal only). */
void mv_cli_progress_update(MvCliProgress *p, guint64 done);

/** mv_cli_progress_finish: the final line (terminal: the full bar, then a newline;
 * elsewhere: "upload: N bytes in S s (R/s)"). @ok false: the line says it stopped. */
void mv_cli_progress_finish(MvCliProgress *p, bool ok);

/** mv_cli_progress_get_done: the bytes of the last update. */
guint64 mv_cli_progress_get_done(MvCliProgress *p);

void mv_cli_progress_free(MvCliProgress *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvCliProgress, mv_cli_progress_free)

/** mv_cli_progress_format_size: "1.5 GiB", "512 KiB", "17 B" (caller frees). */
char *mv_cli_progress_format_size(guint64 bytes);

/** mv_cli_progress_format_eta: "1:02:03", "2:03" for @seconds (caller frees). */
char *mv_cli_progress_format_eta(guint64 seconds);

G_END_DECLS
