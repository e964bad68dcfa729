/* Helpers pool and volume XML share: sizes with units, permissions, the small
 * readers and writers of storage_conf_lib. */
#include <string.h>

#include "storage-conf-priv.h"
#include "util/uuid.h"

#define FROM MV_STORAGE_FROM

/* ---- sizes ---- */

bool
mv_storage_unit_scale(const char *unit, guint64 *ret_bytes)
{
    static const char powers[] = "kmgtpe";
    const char *p;
    guint64 base, scale = 1;

    if (!unit || !*unit || g_ascii_strcasecmp(unit, "b") == 0 ||
        g_ascii_strcasecmp(unit, "byte") == 0 || g_ascii_strcasecmp(unit, "bytes") == 0) {
        *ret_bytes = 1;
        return true;
    }
    p = strchr(powers, g_ascii_tolower(unit[0]));
    if (!p || !unit[0])
        return false;
    if (!unit[1] || g_ascii_strcasecmp(unit + 1, "iB") == 0)
        base = 1024;
    else if (g_ascii_strcasecmp(unit + 1, "B") == 0)
        base = 1000;
    else
        return false;
    for (ptrdiff_t i = 0; i <= p - powers; i++)
        scale *= base;
    *ret_bytes = scale;
    return true;
}

bool
mv_storage_parse_size(const char *num, const char *unit, guint64 *ret_bytes, GError **error)
{
    g_autofree char *text = g_strstrip(g_strdup(num ? num : ""));
    guint64 value = 0, scale;

    if (!*text)
        return mv_error_set(error, FROM, MV_ERR_INVALID_ARG, "invalid size '': expected a "
                            "decimal number of bytes or of the given unit");
    for (const char *p = text; *p; p++) {
        if (!g_ascii_isdigit(*p))
            return mv_error_set(error, FROM, MV_ERR_INVALID_ARG,
                                "invalid size '%s': expected a decimal number", text);
        if (value > (G_MAXUINT64 - (guint64)(*p - '0')) / 10)
            return mv_error_set(error, FROM, MV_ERR_INVALID_ARG, "size %s %s is too large",
                                text, unit ? unit : "bytes");
        value = value * 10 + (guint64)(*p - '0');
    }
    if (!mv_storage_unit_scale(unit, &scale))
        return mv_error_set(error, FROM, MV_ERR_INVALID_ARG,
                            "unknown size unit '%s': use bytes, KiB, MiB, GiB, TiB, PiB, EiB "
                            "(or k, M, G, T, P, E), or KB, MB, GB, TB, PB, EB", unit);
    if (value && scale > G_MAXUINT64 / value)
        return mv_error_set(error, FROM, MV_ERR_INVALID_ARG, "size %s %s is too large", text,
                            unit);
    *ret_bytes = value * scale;
    return true;
}

bool
mv_storage_parse_size_string(const char *str, guint64 *ret_bytes, GError **error)
{
    g_autofree char *text = g_strstrip(g_strdup(str ? str : ""));
    char *unit = text;

    while (g_ascii_isdigit(*unit))
        unit++;
    if (unit == text)
        return mv_error_set(error, FROM, MV_ERR_INVALID_ARG,
                            "invalid size '%s': expected a decimal number and an optional "
                            "unit, such as 10G or 512MiB", text);
    g_autofree char *num = g_strndup(text, (gsize)(unit - text));
    return mv_storage_parse_size(num, g_strstrip(unit), ret_bytes, error);
}

bool
mv_storage_parse_size_node(const xmlNode *node, guint64 *ret_bytes, GError **error)
{
    g_autofree char *unit = mv_xml_get_prop(node, "unit");
    g_autofree char *text = mv_storage_node_text(node);
    g_autoptr(GError) err = NULL;

    if (!mv_storage_parse_size(text, unit, ret_bytes, &err))
        return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, node, "%s", err->message);
    return true;
}

/* ---- small readers ---- */

bool
mv_storage_check_children(const xmlNode *node, const MvXmlChildRule *rules, size_t nrules,
                          GError **error)
{
    return mv_xml_check_children(node, rules, nrules, MV_XML_CHILDREN_ONLY_LISTED, FROM, error);
}

char *
mv_storage_node_text(const xmlNode *node)
{
    char *text = mv_xml_get_content(node);

    return text ? g_strstrip(text) : g_strdup("");
}

char *
mv_storage_clean_path(const char *path)
{
    GString *out = g_string_sized_new(strlen(path) + 1);
    g_auto(GStrv) parts = g_strsplit(path, "/", -1);

    for (size_t i = 0; parts[i]; i++) {
        if (!*parts[i] || g_str_equal(parts[i], "."))
            continue;
        g_string_append_c(out, '/');
        g_string_append(out, parts[i]);
    }
    if (!out->len)
        g_string_append_c(out, '/');
    return g_string_free(out, FALSE);
}

char *
mv_storage_prop(const xmlNode *node, const char *name)
{
    char *value = mv_xml_get_prop(node, name);

    return value ? value : g_strdup("");
}

bool
mv_storage_parse_uuid_text(const xmlNode *node, const char *text, guint8 uuid[16],
                           GError **error)
{
    if (!mv_uuid_parse(text, uuid, NULL))
        return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, node,
                               "malformed UUID '%s': expected 32 hexadecimal digits, "
                               "optionally in 8-4-4-4-12 groups", text);
    return true;
}

/* A uid or gid: a number, or -1 for "unset". */
static bool
mv_storage_parse_id(const xmlNode *node, gint64 *ret, GError **error)
{
    g_autofree char *text = mv_storage_node_text(node);
    guint64 value;

    if (strcmp(text, "-1") == 0) {
        *ret = -1;
        return true;
    }
    if (!mv_xml_parse_uint(text, G_MAXUINT32 - 1, &value) || (text[0] == '0' && text[1]))
        return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, node,
                               "invalid %s '%s': expected a decimal number (or -1)",
                               (const char *)node->name, text);
    *ret = (gint64)value;
    return true;
}

static const MvXmlChildRule perms_rules[] = {
    { "mode", 0, 1 }, { "owner", 0, 1 }, { "group", 0, 1 }, { "label", 0, 1 },
};

bool
mv_storage_parse_perms(const xmlNode *node, MvStoragePerms *perms, GError **error)
{
    if (!mv_storage_check_children(node, perms_rules, G_N_ELEMENTS(perms_rules), error))
        return false;
    MV_STORAGE_FOR_EACH_ELEMENT(child, node) {
        if (mv_xml_node_is(child, "mode")) {
            g_autofree char *text = mv_storage_node_text(child);
            char *end = NULL;
            guint64 mode = g_ascii_strtoull(text, &end, 8);

            if (!*text || *end || text[0] == '-' || text[0] == '+' || mode > 07777)
                return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, child,
                                       "invalid mode '%s': expected an octal number from 0 "
                                       "to 7777", text);
            perms->mode = (int)mode;
        } else if (mv_xml_node_is(child, "owner")) {
            if (!mv_storage_parse_id(child, &perms->owner, error))
                return false;
        } else if (mv_xml_node_is(child, "group")) {
            if (!mv_storage_parse_id(child, &perms->group, error))
                return false;
        } else {
            g_free(perms->label);
            perms->label = mv_storage_node_text(child);
            if (!*perms->label)
                g_clear_pointer(&perms->label, g_free);
        }
    }
    return true;
}

/* ---- permissions ---- */

void
mv_storage_perms_init(MvStoragePerms *perms)
{
    perms->mode = -1;
    perms->owner = -1;
    perms->group = -1;
    perms->label = NULL;
}

void
mv_storage_perms_clear(MvStoragePerms *perms)
{
    g_free(perms->label);
    mv_storage_perms_init(perms);
}

void
mv_storage_perms_copy(MvStoragePerms *dst, const MvStoragePerms *src)
{
    dst->mode = src->mode;
    dst->owner = src->owner;
    dst->group = src->group;
    dst->label = g_strdup(src->label);
}

bool
mv_storage_perms_is_set(const MvStoragePerms *perms)
{
    return perms->mode >= 0 || perms->owner >= 0 || perms->group >= 0 || perms->label;
}

/* ---- writers ---- */

void
mv_storage_format_indent(GString *out, int indent)
{
    g_string_append_printf(out, "%*s", indent, "");
}

void
mv_storage_format_attr(GString *out, const char *name, const char *value)
{
    g_autofree char *esc = NULL;

    if (!value)
        return;
    esc = g_markup_escape_text(value, -1);
    g_string_append_printf(out, " %s='%s'", name, esc);
}

void
mv_storage_format_text(GString *out, int indent, const char *name, const char *text)
{
    g_autofree char *esc = NULL;

    if (!text)
        return;
    esc = g_markup_escape_text(text, -1);
    mv_storage_format_indent(out, indent);
    g_string_append_printf(out, "<%s>%s</%s>\n", name, esc, name);
}

void
mv_storage_format_size(GString *out, int indent, const char *name, guint64 bytes)
{
    mv_storage_format_indent(out, indent);
    g_string_append_printf(out, "<%s unit='bytes'>%" G_GUINT64_FORMAT "</%s>\n", name, bytes,
                           name);
}

void
mv_storage_format_perms(GString *out, int indent, const MvStoragePerms *perms)
{
    if (!mv_storage_perms_is_set(perms))
        return;
    mv_storage_format_indent(out, indent);
    g_string_append(out, "<permissions>\n");
    if (perms->mode >= 0) {
        mv_storage_format_indent(out, indent + 2);
        g_string_append_printf(out, "<mode>%04o</mode>\n", (unsigned int)perms->mode);
    }
    if (perms->owner >= 0) {
        mv_storage_format_indent(out, indent + 2);
        g_string_append_printf(out, "<owner>%" G_GINT64_FORMAT "</owner>\n", perms->owner);
    }
    if (perms->group >= 0) {
        mv_storage_format_indent(out, indent + 2);
        g_string_append_printf(out, "<group>%" G_GINT64_FORMAT "</group>\n", perms->group);
    }
    mv_storage_format_text(out, indent + 2, "label", perms->label);
    mv_storage_format_indent(out, indent);
    g_string_append(out, "</permissions>\n");
}
