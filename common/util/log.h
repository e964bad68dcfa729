/* Logging with levels and runtime filters.
 *
 * Each .c file may `#define MV_LOG_CATEGORY "rpc"` before its first #include
 * (the default category is "modvirt"); headers must not define it. A filter string sets a
 * default level and per-category levels: "info" or "warning,rpc=debug,qemu=info". A message is
 * written when its level is at or above the threshold of its category.
 * Output goes to stderr, one line per message:
 *     2026-11-22 01:02:03.456 12345 info rpc: message
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

G_BEGIN_DECLS

#ifndef MV_LOG_CATEGORY
#define MV_LOG_CATEGORY "modvirt"
#endif

/* Ordered from most to least severe; a threshold of DEBUG shows everything. */
typedef enum {
    MV_LOG_ERROR = 1,
    MV_LOG_WARNING = 2,
    MV_LOG_INFO = 3,
    MV_LOG_DEBUG = 4,
} MvLogLevel;

/* The threshold used when no filter names a level. */
#define MV_LOG_DEFAULT_FILTERS "info"

/**
 * mv_log_init:
 * Configures logging for the program @progname: @verbose forces debug for all
 * categories; otherwise @filters (usually $MODVIRT_LOG, may be NULL) applies.
 * Also routes GLib's own g_warning()/g_critical()/... through this logger (the
 * GLib log domain becomes the category). Call once from main(), before threads.
 * Returns false and sets @error (MV_ERR_CONF_SYNTAX) when @filters is malformed;
 * logging then keeps its default filters.
 */
bool mv_log_init(const char *progname, bool verbose, const char *filters, GError **error);

/**
 * mv_log_set_filters:
 * Replaces the active filters with @filters (NULL or "" means the default).
 * Thread-safe; takes effect for every thread at its next message.
 * Returns false and sets @error (MV_ERR_CONF_SYNTAX) if @filters is malformed,
 * leaving the active filters unchanged.
 */
bool mv_log_set_filters(const char *filters, GError **error);

/**
 * mv_log_get_filters:
 * The active filters in canonical form ("info,rpc=debug"). Caller frees.
 */
char *mv_log_get_filters(void);

/**
 * mv_log_level_from_string:
 * Parses "error", "warning", "info" or "debug"; returns 0 if unknown.
 */
MvLogLevel mv_log_level_from_string(const char *str);

/**
 * mv_log_level_to_string:
 * The name of @level ("debug", ...), a static string.
 */
const char *mv_log_level_to_string(MvLogLevel level);

/**
 * mv_log_message:
 * Writes one message for @category at @level if the filters let it through.
 * Prefer the mv_log_*() macros, which skip formatting cheaply.
 */
void mv_log_message(const char *category, MvLogLevel level, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

/* ---- internals used by the macros below ---- */

/* Per-file cache of the category's threshold: state = generation << 3 | level. */
typedef struct {
    const char *name;
    gint state;
} MvLogCategory;

extern gint mv_log_generation_;
bool mv_log_category_refresh_(MvLogCategory *cat, MvLogLevel level);
void mv_log_write_(const char *category, MvLogLevel level, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

G_GNUC_UNUSED static MvLogCategory mv_log_category_ = { MV_LOG_CATEGORY, 0 };

/* Cheap check: two atomic loads and a compare unless the filters changed. */
static inline bool
mv_log_category_enabled_(MvLogCategory *cat, MvLogLevel level)
{
    gint state = g_atomic_int_get(&cat->state);

    if (G_LIKELY((state >> 3) == g_atomic_int_get(&mv_log_generation_)))
        return (gint)level <= (state & 7);
    return mv_log_category_refresh_(cat, level);
}

/* True when a message at @level in this file's category would be written. */
#define mv_log_enabled(level) mv_log_category_enabled_(&mv_log_category_, (level))

#define mv_log_at_(level, ...) \
    do { \
        if (mv_log_enabled(level)) \
            mv_log_write_(mv_log_category_.name, (level), __VA_ARGS__); \
    } while (0)

#define mv_log_debug(...) mv_log_at_(MV_LOG_DEBUG, __VA_ARGS__)
#define mv_log_info(...) mv_log_at_(MV_LOG_INFO, __VA_ARGS__)
#define mv_log_warning(...) mv_log_at_(MV_LOG_WARNING, __VA_ARGS__)
#define mv_log_error(...) mv_log_at_(MV_LOG_ERROR, __VA_ARGS__)

G_END_DECLS
