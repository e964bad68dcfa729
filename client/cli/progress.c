/* The progress line of vol-upload / vol-download (progress.h). */
#include "progress.h"

#include <string.h>

#define REDRAW_US (200 * G_TIME_SPAN_MILLISECOND)
#define BAR_WIDTH 30
/* The rate is smoothed over about this long, so the ETA does not jump. */
#define RATE_WINDOW_US (2 * G_USEC_PER_SEC)

struct _MvCliProgress {
    char *what;
    guint64 total;
    FILE *out;
    bool tty;
    gint64 started;
    gint64 last_draw;
    gint64 sample_time;         /* the start of the rate window */
    guint64 sample_done;
    double rate;                /* bytes per second */
    guint64 done;
};

char *
mv_cli_progress_format_size(guint64 bytes)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
    double v = (double)bytes;
    guint u = 0;

    while (v >= 1024.0 && u + 1 < G_N_ELEMENTS(units)) {
        v /= 1024.0;
        u++;
    }
    if (u == 0)
        return g_strdup_printf("%" G_GUINT64_FORMAT " B", bytes);
    return g_strdup_printf(v < 10.0 ? "%.1f %s" : "%.0f %s", v, units[u]);
}

char *
mv_cli_progress_format_eta(guint64 seconds)
{
    if (seconds >= 3600)
        return g_strdup_printf("%" G_GUINT64_FORMAT ":%02u:%02u", seconds / 3600,
                               (unsigned)(seconds / 60 % 60), (unsigned)(seconds % 60));
    return g_strdup_printf("%u:%02u", (unsigned)(seconds / 60), (unsigned)(seconds % 60));
}

MvCliProgress *
mv_cli_progress_new(const char *what, guint64 total, FILE *out, bool tty)
{
    MvCliProgress *p = g_new0(MvCliProgress, 1);

    p->what = g_strdup(what);
    p->total = total;
    p->out = out;
    p->tty = tty;
    p->started = p->sample_time = g_get_monotonic_time();
    return p;
}

guint64
mv_cli_progress_get_done(MvCliProgress *p)
{
    return p->done;
}

void
mv_cli_progress_free(MvCliProgress *p)
{
    if (!p)
        return;
    g_free(p->what);
    g_free(p);
}

static void
update_rate(MvCliProgress *p, gint64 now)
{
    gint64 span = now - p->sample_time;

    if (span < REDRAW_US)
        return;
    double current = (double)(p->done - p->sample_done) * G_USEC_PER_SEC / (double)span;
    p->rate = p->rate == 0.0 ? current : 0.7 * p->rate + 0.3 * current;
    if (span >= RATE_WINDOW_US || p->rate == current) {
        p->sample_time = now;
        p->sample_done = p->done;
    }
}

static void
draw(MvCliProgress *p, bool final)
{
    g_autofree char *done = mv_cli_progress_format_size(p->done);
    g_autofree char *rate = mv_cli_progress_format_size((guint64)p->rate);
    g_autofree char *eta = NULL;
    char bar[BAR_WIDTH + 1];
    guint percent = 0;

    if (p->total) {
        guint64 shown = MIN(p->done, p->total);
        guint filled = (guint)(shown * BAR_WIDTH / p->total);

        percent = (guint)(shown * 100 / p->total);
        memset(bar, '#', filled);
        memset(bar + filled, '-', BAR_WIDTH - filled);
        bar[BAR_WIDTH] = '\0';
        if (final)
            eta = g_strdup("done");
        else if (p->rate > 0)
            eta = mv_cli_progress_format_eta((guint64)((double)(p->total - shown) / p->rate));
        else
            eta = g_strdup("--:--");
        fprintf(p->out, "\r[%s] %3u%% %10s %10s/s ETA %s\033[K", bar, percent, done, rate,
                eta);
    } else {
        fprintf(p->out, "\r%s %10s %10s/s\033[K", p->what, done, rate);
    }
    fflush(p->out);
}

void
mv_cli_progress_update(MvCliProgress *p, guint64 done)
{
    gint64 now = g_get_monotonic_time();

    p->done = done;
    if (!p->tty || now - p->last_draw < REDRAW_US)
        return;
    update_rate(p, now);
    p->last_draw = now;
    draw(p, false);
}

void
mv_cli_progress_finish(MvCliProgress *p, bool ok)
{
    gint64 elapsed = MAX(g_get_monotonic_time() - p->started, 1);
    g_autofree char *size = mv_cli_progress_format_size(p->done);
    g_autofree char *rate = NULL;

    p->rate = (double)p->done * G_USEC_PER_SEC / (double)elapsed;
    rate = mv_cli_progress_format_size((guint64)p->rate);
    if (p->tty) {
        draw(p, ok);
        fputc('\n', p->out);
    }
    fprintf(p->out, "%s %s: %" G_GUINT64_FORMAT " bytes (%s) in %.1f s (%s/s)\n", p->what,
            ok ? "complete" : "stopped", p->done, size, (double)elapsed / G_USEC_PER_SEC, rate);
    fflush(p->out);
}
