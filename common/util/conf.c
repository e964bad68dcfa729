/* Daemon configuration files. */
#include "util/conf.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "util/error.h"
#include "util/file.h"

#define MV_CONF_MAX_SIZE (1024 * 1024)

/* GKeyFile does not report line numbers, so check the line grammar first. */
static bool
mv_conf_check_syntax(const char *path, const char *data, GError **error)
{
    g_auto(GStrv) lines = g_strsplit(data, "\n", -1);
    bool in_group = false;

    for (guint i = 0; lines[i]; i++) {
        const char *line = g_strchug(lines[i]);
        gsize len = strlen(g_strchomp(lines[i]));

        if (len == 0 || line[0] == '#')
            continue;
        if (line[0] == '[') {
            if (line[len - 1] != ']' || len == 2 || strpbrk(line + 1, "[") ||
                memchr(line + 1, ']', len - 2))
                return mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX,
                                    "%s:%u: invalid group header '%s'", path, i + 1, line);
            in_group = true;
            continue;
        }
        if (!strchr(line, '=') || line[0] == '=')
            return mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX,
                                "%s:%u: expected 'key = value', '[group]' or '# comment', got '%s'",
                                path, i + 1, line);
        if (!in_group)
            return mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX,
                                "%s:%u: key outside of a [group]", path, i + 1);
    }
    return true;
}

GKeyFile *
mv_conf_load(const char *path, GError **error)
{
    g_autoptr(GKeyFile) conf = g_key_file_new();
    g_autoptr(GError) local = NULL;
    g_autofree char *data = NULL;
    gsize len;

    if (!g_file_test(path, G_FILE_TEST_EXISTS))
        return g_steal_pointer(&conf);
    if (!mv_file_read_all(path, MV_CONF_MAX_SIZE, &data, &len, error))
        return NULL;
    if (memchr(data, '\0', len)) {
        mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX, "%s: contains a NUL byte", path);
        return NULL;
    }
    if (!mv_conf_check_syntax(path, data, error))
        return NULL;
    if (!g_key_file_load_from_data(conf, data, len, G_KEY_FILE_NONE, &local)) {
        mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX, "%s: %s", path, local->message);
        return NULL;
    }
    return g_steal_pointer(&conf);
}

/* The raw value of @key, or NULL when the group or key is absent. */
static char *
mv_conf_get_raw(GKeyFile *conf, const char *group, const char *key)
{
    return g_key_file_get_value(conf, group, key, NULL);
}

int
mv_conf_get_int(GKeyFile *conf, const char *group, const char *key, int dflt, GError **error)
{
    g_autofree char *raw = mv_conf_get_raw(conf, group, key);
    gint64 value;

    if (!raw)
        return dflt;
    g_strstrip(raw);
    if (!g_ascii_string_to_signed(raw, 10, INT_MIN, INT_MAX, &value, NULL)) {
        mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX,
                     "Invalid value '%s' for '%s' in [%s]: expected an integer", raw, key, group);
        return dflt;
    }
    return (int)value;
}

char *
mv_conf_get_string(GKeyFile *conf, const char *group, const char *key, const char *dflt,
                   GError **error)
{
    g_autoptr(GError) local = NULL;
    char *value;

    if (!g_key_file_has_key(conf, group, key, NULL))
        return g_strdup(dflt);
    if (!(value = g_key_file_get_string(conf, group, key, &local))) {
        mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX,
                     "Invalid value for '%s' in [%s]: %s", key, group, local->message);
        return NULL;
    }
    return value;
}

bool
mv_conf_get_bool(GKeyFile *conf, const char *group, const char *key, bool dflt, GError **error)
{
    static const char *const yes[] = { "true", "yes", "on", "1" };
    static const char *const no[] = { "false", "no", "off", "0" };
    g_autofree char *raw = mv_conf_get_raw(conf, group, key);

    if (!raw)
        return dflt;
    g_strstrip(raw);
    for (gsize i = 0; i < G_N_ELEMENTS(yes); i++) {
        if (g_ascii_strcasecmp(raw, yes[i]) == 0)
            return true;
        if (g_ascii_strcasecmp(raw, no[i]) == 0)
            return false;
    }
    mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX,
                 "Invalid value '%s' for '%s' in [%s]: expected true or false", raw, key, group);
    return dflt;
}

char **
mv_conf_get_string_list(GKeyFile *conf, const char *group, const char *key,
                        const char *const *dflt, GError **error)
{
    g_autoptr(GError) local = NULL;
    char **value;

    if (!g_key_file_has_key(conf, group, key, NULL))
        return g_strdupv((char **)dflt);
    if (!(value = g_key_file_get_string_list(conf, group, key, NULL, &local))) {
        /* An empty value is an empty list, not an error. */
        if (g_error_matches(local, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE) ||
            !local) {
            mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX,
                         "Invalid value for '%s' in [%s]: %s", key, group,
                         local ? local->message : "unreadable list");
            return NULL;
        }
        return g_new0(char *, 1);
    }
    return value;
}
