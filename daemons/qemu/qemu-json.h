/* Typed reads of members of the JSON objects QEMU sends (QMP replies and
 * events). A member that is absent, null or of another type gives the
 * default: json-glib's *_member_with_default() getters log a critical for a
 * member that is an object or an array instead, so they must not read what
 * QEMU (or a guest that steers QEMU's output) decides. */
#pragma once

#include <json-glib/json-glib.h>
#include <stdbool.h>

G_BEGIN_DECLS

/* The string member @key of @obj (borrowed from @obj), or @dflt. */
const char *mv_qemu_json_get_string(JsonObject *obj, const char *key, const char *dflt);
/* The integer member @key of @obj, or @dflt (also for a number with a fraction). */
gint64 mv_qemu_json_get_int(JsonObject *obj, const char *key, gint64 dflt);
/* The boolean member @key of @obj, or @dflt. */
bool mv_qemu_json_get_bool(JsonObject *obj, const char *key, bool dflt);
/* The object member @key of @obj (borrowed), or NULL. */
JsonObject *mv_qemu_json_get_object(JsonObject *obj, const char *key);

G_END_DECLS
