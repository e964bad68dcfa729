/* Daemon configuration files: GKeyFile ini ("[group]", "key=value", "# comment").
 * Getters return the default when the group or key is absent and fail only on a
 * malformed value (MV_ERR_CONF_SYNTAX). */
#pragma once

#include <glib.h>
#include <stdbool.h>

G_BEGIN_DECLS

/**
 * mv_conf_load:
 * Loads @path. A missing file gives an empty keyfile; a syntax error fails with
 * MV_ERR_CONF_SYNTAX and a message "PATH:LINE: ..."; an unreadable file fails
 * with MV_ERR_SYSTEM_ERROR. Caller frees with g_key_file_unref().
 */
GKeyFile *mv_conf_load(const char *path, GError **error);

/**
 * mv_conf_get_int:
 * The integer @key of @group, or @dflt when absent. On a malformed or
 * out-of-range value returns @dflt and sets @error.
 */
int mv_conf_get_int(GKeyFile *conf, const char *group, const char *key, int dflt,
                    GError **error);

/**
 * mv_conf_get_string:
 * The string @key of @group (escapes decoded), or a copy of @dflt (may be NULL)
 * when absent. Caller frees. Returns NULL and sets @error on an invalid escape.
 */
char *mv_conf_get_string(GKeyFile *conf, const char *group, const char *key, const char *dflt,
                         GError **error);

/**
 * mv_conf_get_bool:
 * The boolean @key of @group (true/false, yes/no, on/off, 1/0; any case), or
 * @dflt when absent. On a malformed value returns @dflt and sets @error.
 */
bool mv_conf_get_bool(GKeyFile *conf, const char *group, const char *key, bool dflt,
                      GError **error);

/**
 * mv_conf_get_string_list:
 * The ';'-separated list @key of @group ("a;b;c"), or a copy of @dflt (may be
 * NULL) when absent. Caller frees with g_strfreev(). Returns NULL and sets
 * @error on an invalid escape.
 */
char **mv_conf_get_string_list(GKeyFile *conf, const char *group, const char *key,
                               const char *const *dflt, GError **error);

G_END_DECLS
