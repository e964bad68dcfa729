/* MvQemuProps, see qemu-props.h. */
#include "qemu-props.h"

#include <string.h>

typedef enum { PROP_STR, PROP_UINT, PROP_BOOL } PropType;

typedef struct {
    char *key;
    PropType type;
    char *str;
    guint64 num;
} Prop;

struct _MvQemuProps {
    GPtrArray *items;   /* of Prop *, owned */
};

static void
prop_free(Prop *prop)
{
    g_free(prop->key);
    g_free(prop->str);
    g_free(prop);
}

MvQemuProps *
mv_qemu_props_new(void)
{
    MvQemuProps *props = g_new0(MvQemuProps, 1);

    props->items = g_ptr_array_new_with_free_func((GDestroyNotify)prop_free);
    return props;
}

void
mv_qemu_props_free(MvQemuProps *props)
{
    if (!props)
        return;
    g_ptr_array_unref(props->items);
    g_free(props);
}

static Prop *
props_append(MvQemuProps *props, const char *key, PropType type)
{
    Prop *prop = g_new0(Prop, 1);

    prop->key = g_strdup(key);
    prop->type = type;
    g_ptr_array_add(props->items, prop);
    return prop;
}

void
mv_qemu_props_add_str(MvQemuProps *props, const char *key, const char *value)
{
    props_append(props, key, PROP_STR)->str = g_strdup(value);
}

void
mv_qemu_props_add_strf(MvQemuProps *props, const char *key, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    props_append(props, key, PROP_STR)->str = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

void
mv_qemu_props_add_uint(MvQemuProps *props, const char *key, guint64 value)
{
    props_append(props, key, PROP_UINT)->num = value;
}

void
mv_qemu_props_add_bool(MvQemuProps *props, const char *key, bool value)
{
    props_append(props, key, PROP_BOOL)->num = value;
}

const char *
mv_qemu_props_get_str(const MvQemuProps *props, const char *key)
{
    for (guint i = 0; i < props->items->len; i++) {
        const Prop *prop = props->items->pdata[i];

        if (prop->type == PROP_STR && g_str_equal(prop->key, key))
            return prop->str;
    }
    return NULL;
}

static void
props_escape(GString *buf, const char *s)
{
    for (; *s; s++) {
        if (*s == ',')
            g_string_append_c(buf, ',');
        g_string_append_c(buf, *s);
    }
}

static void
prop_format_value(const Prop *prop, GString *buf)
{
    switch (prop->type) {
    case PROP_STR:
        props_escape(buf, prop->str);
        break;
    case PROP_UINT:
        g_string_append_printf(buf, "%" G_GUINT64_FORMAT, prop->num);
        break;
    case PROP_BOOL:
        g_string_append(buf, prop->num ? "on" : "off");
        break;
    }
}

void
mv_qemu_props_format(const MvQemuProps *props, bool bare_first, GString *buf)
{
    for (guint i = 0; i < props->items->len; i++) {
        const Prop *prop = props->items->pdata[i];

        if (i > 0)
            g_string_append_c(buf, ',');
        if (i > 0 || !bare_first) {
            g_string_append(buf, prop->key);
            g_string_append_c(buf, '=');
        }
        prop_format_value(prop, buf);
    }
}

/* The object a dotted @key lives in, created on the way; *ret_leaf is the last part. */
static JsonObject *
json_parent(JsonObject *root, const char *key, const char **ret_leaf)
{
    const char *dot;

    while ((dot = strchr(key, '.'))) {
        g_autofree char *part = g_strndup(key, (gsize)(dot - key));
        JsonObject *child = json_object_has_member(root, part)
                                ? json_object_get_object_member(root, part)
                                : NULL;

        if (!child) {
            child = json_object_new();
            json_object_set_object_member(root, part, child);
        }
        root = child;
        key = dot + 1;
    }
    *ret_leaf = key;
    return root;
}

JsonObject *
mv_qemu_props_to_json(const MvQemuProps *props)
{
    JsonObject *root = json_object_new();

    for (guint i = 0; i < props->items->len; i++) {
        const Prop *prop = props->items->pdata[i];
        const char *leaf;
        JsonObject *obj = json_parent(root, prop->key, &leaf);

        switch (prop->type) {
        case PROP_STR:
            json_object_set_string_member(obj, leaf, prop->str);
            break;
        case PROP_UINT:
            json_object_set_int_member(obj, leaf, (gint64)prop->num);
            break;
        case PROP_BOOL:
            json_object_set_boolean_member(obj, leaf, prop->num != 0);
            break;
        }
    }
    return root;
}
