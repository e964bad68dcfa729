/* Typed reads of members of JSON objects QEMU sent (see qemu-json.h). */
#include "qemu-json.h"

/* The member @key of @obj when it is a plain value of GType @type, else NULL. */
static JsonNode *
json_value_member(JsonObject *obj, const char *key, GType type)
{
    JsonNode *node = obj ? json_object_get_member(obj, key) : NULL;

    if (!node || !JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != type)
        return NULL;
    return node;
}

const char *
mv_qemu_json_get_string(JsonObject *obj, const char *key, const char *dflt)
{
    JsonNode *node = json_value_member(obj, key, G_TYPE_STRING);

    return node ? json_node_get_string(node) : dflt;
}

gint64
mv_qemu_json_get_int(JsonObject *obj, const char *key, gint64 dflt)
{
    JsonNode *node = json_value_member(obj, key, G_TYPE_INT64);

    return node ? json_node_get_int(node) : dflt;
}

bool
mv_qemu_json_get_bool(JsonObject *obj, const char *key, bool dflt)
{
    JsonNode *node = json_value_member(obj, key, G_TYPE_BOOLEAN);

    return node ? json_node_get_boolean(node) : dflt;
}

JsonObject *
mv_qemu_json_get_object(JsonObject *obj, const char *key)
{
    JsonNode *node = obj ? json_object_get_member(obj, key) : NULL;

    return node && JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
}
