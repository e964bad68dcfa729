/* Logging: filters, the per-category threshold cache, and the stderr writer. */
#include "util/log.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/error.h"

typedef struct {
    char *name;
    MvLogLevel level;
} MvLogRule;

typedef struct {
    MvLogLevel dflt;
    GPtrArray *rules;   /* MvLogRule*, sorted by name */
} MvLogFilters;

static GMutex mv_log_lock;
static MvLogFilters mv_log_active = { MV_LOG_INFO, NULL };
/* Bumped under mv_log_lock whenever filters change; starts above the
 * zero-initialized per-file caches so they refresh on first use. */
gint mv_log_generation_ = 1;

static const char *const mv_log_level_names[] = {
    [MV_LOG_ERROR] = "error",
    [MV_LOG_WARNING] = "warning",
    [MV_LOG_INFO] = "info",
    [MV_LOG_DEBUG] = "debug",
};

MvLogLevel
mv_log_level_from_string(const char *str)
{
    for (int i = MV_LOG_ERROR; i <= MV_LOG_DEBUG; i++) {
        if (g_ascii_strcasecmp(str, mv_log_level_names[i]) == 0)
            return (MvLogLevel)i;
    }
    return 0;
}

const char *
mv_log_level_to_string(MvLogLevel level)
{
    if (level < MV_LOG_ERROR || level > MV_LOG_DEBUG)
        return "unknown";
    return mv_log_level_names[level];
}

static void
mv_log_rule_free(gpointer p)
{
    MvLogRule *rule = p;

    g_free(rule->name);
    g_free(rule);
}

static int
mv_log_rule_compare(gconstpointer a, gconstpointer b)
{
    const MvLogRule *ra = *(MvLogRule *const *)a;
    const MvLogRule *rb = *(MvLogRule *const *)b;

    return strcmp(ra->name, rb->name);
}

static bool
mv_log_category_name_valid(const char *name)
{
    if (!*name)
        return false;
    for (const char *p = name; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-_.", *p))
            return false;
    }
    return true;
}

/* Parses @str into @ret (rules array allocated here). */
static bool
mv_log_filters_parse(const char *str, MvLogFilters *ret, GError **error)
{
    g_autoptr(GPtrArray) rules = g_ptr_array_new_with_free_func(mv_log_rule_free);
    g_auto(GStrv) items = NULL;
    MvLogLevel dflt = MV_LOG_INFO;

    if (!str || !str[strspn(str, " \t")])
        str = MV_LOG_DEFAULT_FILTERS;
    items = g_strsplit(str, ",", -1);
    for (char **it = items; *it; it++) {
        char *item = g_strstrip(*it);
        char *eq = strchr(item, '=');
        const char *lvl_str = eq ? g_strstrip(eq + 1) : item;
        MvLogLevel level = mv_log_level_from_string(lvl_str);
        MvLogRule *rule;

        if (!level)
            return mv_error_set(
                error, MV_FROM_NONE, MV_ERR_CONF_SYNTAX,
                "Invalid log level '%s' in log filters '%s': use error, warning, info or debug",
                lvl_str, str);
        if (!eq) {
            dflt = level;
            continue;
        }
        *eq = '\0';
        g_strstrip(item);
        if (!mv_log_category_name_valid(item))
            return mv_error_set(error, MV_FROM_NONE, MV_ERR_CONF_SYNTAX,
                                "Invalid log category '%s' in log filters '%s'", item, str);
        for (guint i = 0; i < rules->len; i++) {
            if (strcmp(((MvLogRule *)rules->pdata[i])->name, item) == 0) {
                g_ptr_array_remove_index(rules, i);
                break;
            }
        }
        rule = g_new0(MvLogRule, 1);
        rule->name = g_strdup(item);
        rule->level = level;
        g_ptr_array_add(rules, rule);
    }
    g_ptr_array_sort(rules, mv_log_rule_compare);
    ret->dflt = dflt;
    ret->rules = g_steal_pointer(&rules);
    return true;
}

/* The threshold for @category; call with mv_log_lock held. */
static MvLogLevel
mv_log_threshold_locked(const char *category)
{
    if (mv_log_active.rules) {
        for (guint i = 0; i < mv_log_active.rules->len; i++) {
            MvLogRule *rule = mv_log_active.rules->pdata[i];

            if (strcmp(rule->name, category) == 0)
                return rule->level;
        }
    }
    return mv_log_active.dflt;
}

bool
mv_log_set_filters(const char *filters, GError **error)
{
    MvLogFilters parsed;
    GPtrArray *old;

    if (!mv_log_filters_parse(filters, &parsed, error))
        return false;
    g_mutex_lock(&mv_log_lock);
    old = mv_log_active.rules;
    mv_log_active = parsed;
    g_atomic_int_inc(&mv_log_generation_);
    g_mutex_unlock(&mv_log_lock);
    if (old)
        g_ptr_array_unref(old);
    return true;
}

char *
mv_log_get_filters(void)
{
    GString *str;

    g_mutex_lock(&mv_log_lock);
    str = g_string_new(mv_log_level_to_string(mv_log_active.dflt));
    if (mv_log_active.rules) {
        for (guint i = 0; i < mv_log_active.rules->len; i++) {
            MvLogRule *rule = mv_log_active.rules->pdata[i];

            g_string_append_printf(str, ",%s=%s", rule->name, mv_log_level_to_string(rule->level));
        }
    }
    g_mutex_unlock(&mv_log_lock);
    return g_string_free(str, FALSE);
}

bool
mv_log_category_refresh_(MvLogCategory *cat, MvLogLevel level)
{
    MvLogLevel threshold;

    g_mutex_lock(&mv_log_lock);
    threshold = mv_log_threshold_locked(cat->name);
    g_atomic_int_set(&cat->state, (g_atomic_int_get(&mv_log_generation_) << 3) | (gint)threshold);
    g_mutex_unlock(&mv_log_lock);
    return level <= threshold;
}

/* Writes one formatted line to stderr with a single write(). */
static void
mv_log_emit(const char *category, MvLogLevel level, const char *msg)
{
    g_autoptr(GString) line = g_string_sized_new(128);
    gint64 now = g_get_real_time();
    time_t secs = (time_t)(now / G_USEC_PER_SEC);
    struct tm tm;
    char stamp[32];
    gsize done = 0;

    localtime_r(&secs, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
    g_string_append_printf(line, "%s.%03d %d %s %s: ", stamp,
                           (int)((now % G_USEC_PER_SEC) / 1000), (int)getpid(),
                           mv_log_level_to_string(level), category);
    for (const char *p = msg; *p; p++)
        g_string_append_c(line, (*p == '\n' || *p == '\r') ? ' ' : *p);
    while (line->len > 0 && line->str[line->len - 1] == ' ')
        g_string_truncate(line, line->len - 1);
    g_string_append_c(line, '\n');

    while (done < line->len) {
        ssize_t n = write(STDERR_FILENO, line->str + done, line->len - done);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (gsize)n;
    }
}

static void
mv_log_vwrite(const char *category, MvLogLevel level, const char *fmt, va_list ap)
    G_GNUC_PRINTF(3, 0);

static void
mv_log_vwrite(const char *category, MvLogLevel level, const char *fmt, va_list ap)
{
    int saved = errno;
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);

    mv_log_emit(category, level, msg);
    errno = saved;
}

void
mv_log_write_(const char *category, MvLogLevel level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    mv_log_vwrite(category, level, fmt, ap);
    va_end(ap);
}

void
mv_log_message(const char *category, MvLogLevel level, const char *fmt, ...)
{
    MvLogLevel threshold;
    va_list ap;

    g_mutex_lock(&mv_log_lock);
    threshold = mv_log_threshold_locked(category);
    g_mutex_unlock(&mv_log_lock);
    if (level > threshold)
        return;
    va_start(ap, fmt);
    mv_log_vwrite(category, level, fmt, ap);
    va_end(ap);
}

static MvLogLevel
mv_log_level_from_glib(GLogLevelFlags flags)
{
    if (flags & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
        return MV_LOG_ERROR;
    if (flags & G_LOG_LEVEL_WARNING)
        return MV_LOG_WARNING;
    if (flags & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO))
        return MV_LOG_INFO;
    return MV_LOG_DEBUG;
}

/* GLib writer: g_warning() & co. land in the same stream, filtered by domain. */
static GLogWriterOutput
mv_log_glib_writer(GLogLevelFlags flags, const GLogField *fields, gsize n_fields, gpointer data)
{
    const char *domain = "glib";
    g_autofree char *message = NULL;

    for (gsize i = 0; i < n_fields; i++) {
        if (strcmp(fields[i].key, "GLIB_DOMAIN") == 0 && fields[i].value)
            domain = fields[i].value;
        else if (strcmp(fields[i].key, "MESSAGE") == 0 && fields[i].value)
            message = fields[i].length < 0 ? g_strdup(fields[i].value)
                                           : g_strndup(fields[i].value, (gsize)fields[i].length);
    }
    mv_log_message(domain, mv_log_level_from_glib(flags), "%s", message ? message : "");
    return G_LOG_WRITER_HANDLED;
}

bool
mv_log_init(const char *progname, bool verbose, const char *filters, GError **error)
{
    static gsize writer_installed;

    if (progname && !g_get_prgname())
        g_set_prgname(progname);
    if (g_once_init_enter(&writer_installed)) {
        g_log_set_writer_func(mv_log_glib_writer, NULL, NULL);
        g_once_init_leave(&writer_installed, 1);
    }
    if (filters && !mv_log_set_filters(filters, error))
        return false;
    if (verbose)
        return mv_log_set_filters("debug", error);
    return true;
}
