/* libvirt-style log filters, see log-libvirt.h. */
#include "util/log-libvirt.h"

#include <string.h>

#include "util/error.h"
#include "util/log.h"

static const char *const level_names[] = { NULL, "debug", "info", "warning", "error" };

bool
mv_log_filters_is_libvirt(const char *filters)
{
    return filters && strchr(filters, ':') != NULL;
}

char *
mv_log_filters_from_libvirt(const char *filters, const char *default_level, GError **error)
{
    g_auto(GStrv) tokens = g_strsplit_set(filters ? filters : "", " \t\n", -1);
    g_autoptr(GString) out = g_string_new(default_level ? default_level : "info");

    for (char **t = tokens; *t; t++) {
        const char *colon;
        const char *name;
        char *end;
        long level;

        if (!**t)
            continue;
        colon = strchr(*t, ':');
        level = colon ? strtol(*t, &end, 10) : 0;
        if (!colon || end != colon || level < 1 || level > 4 || !colon[1]) {
            mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX,
                         "Invalid log filter '%s': use LEVEL:NAME with LEVEL 1 (debug) to 4 "
                         "(error)", *t);
            return NULL;
        }
        name = colon[1] == '+' ? colon + 2 : colon + 1;     /* '+' asks for stack traces */
        g_string_append_printf(out, ",%s=%s", name, level_names[level]);
    }
    return g_string_free(g_steal_pointer(&out), FALSE);
}

char *
mv_log_filters_to_libvirt(const char *filters, guint *ret_count)
{
    g_auto(GStrv) tokens = g_strsplit(filters ? filters : "", ",", -1);
    g_autoptr(GString) out = g_string_new(NULL);
    guint n = 0;

    for (char **t = tokens; *t; t++) {
        char *eq = strchr(*t, '=');
        MvLogLevel level;

        if (!eq)
            continue;       /* the default level is not a filter */
        *eq = '\0';
        level = mv_log_level_from_string(eq + 1);
        if (!level)
            continue;
        for (int i = 1; i <= 4; i++) {
            if (g_str_equal(level_names[i], mv_log_level_to_string(level)))
                g_string_append_printf(out, "%s%d:%s", out->len ? " " : "", i, *t);
        }
        n++;
    }
    if (ret_count)
        *ret_count = n;
    return g_string_free(g_steal_pointer(&out), FALSE);
}
