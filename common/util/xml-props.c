/* Readers for definition parsers: typed attributes, sizes with units, child
 * cardinality and attribute checks, each error naming the node path. Neutral:
 * the domain parser uses them, and so will network, storage, nwfilter and
 * secret parsers. */
#include "util/xml.h"

#include <string.h>

bool
mv_xml_node_is(const xmlNode *node, const char *name)
{
    return node && node->type == XML_ELEMENT_NODE &&
           xmlStrEqual(node->name, (const xmlChar *)name);
}

char *
mv_xml_node_path(const xmlNode *node)
{
    xmlChar *path = node ? xmlGetNodePath(node) : NULL;
    char *ret = g_strdup(path ? (const char *)path : "?");

    xmlFree(path);
    return ret;
}

bool
mv_xml_error_at(GError **error, MvErrorSubsystem from, MvErrorCode code, const xmlNode *node,
                const char *fmt, ...)
{
    g_autofree char *path = mv_xml_node_path(node);
    g_autofree char *message = NULL;
    va_list ap;

    va_start(ap, fmt);
    message = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return mv_error_set(error, from, code, "%s: %s", path, message);
}

/* GLib makes its C locale at the first g_ascii_strto*() call of a process
 * (GLib 2.74). Threads making that first call at the same moment can see it
 * fail: g_ascii_string_to_unsigned() refused "0" in about one process of 100
 * (tests/util/test-xml-props.c), and a daemon restarted with several threads
 * refused a valid definition. The locale is made here, before main() and any
 * thread, for every such call in the process. */
__attribute__((constructor)) static void
mv_xml_props_make_c_locale(void)
{
    (void)g_ascii_strtoull("0", NULL, 10);
}

bool
mv_xml_parse_uint(const char *str, guint64 max, guint64 *ret)
{
    g_autofree char *copy = g_strstrip(g_strdup(str ? str : ""));
    const char *digits = copy;
    guint base = 10;

    if (g_str_has_prefix(copy, "0x") || g_str_has_prefix(copy, "0X")) {
        digits = copy + 2;
        base = 16;
    }
    return *digits && g_ascii_string_to_unsigned(digits, base, 0, max, ret, NULL);
}

bool
mv_xml_prop_uint(const xmlNode *node, const char *name, guint64 max, unsigned int *ret,
                 MvErrorSubsystem from, GError **error)
{
    g_autofree char *value = mv_xml_get_prop(node, name);
    guint64 limit = MIN(max, G_MAXUINT);
    guint64 parsed;

    if (!value)
        return true;
    if (!mv_xml_parse_uint(value, limit, &parsed))
        return mv_xml_error_at(error, from, MV_ERR_XML_DETAIL, node,
                               "invalid value '%s' for attribute '%s': expected a number "
                               "from 0 to %" G_GUINT64_FORMAT,
                               value, name, limit);
    *ret = (unsigned int)parsed;
    return true;
}

bool
mv_xml_prop_enum(const xmlNode *node, const char *name, MvXmlEnumFromString from_string,
                 const char *what, int *ret, MvErrorSubsystem from, GError **error)
{
    g_autofree char *value = mv_xml_get_prop(node, name);
    int parsed;

    if (!value)
        return true;
    if ((parsed = from_string(value)) < 0)
        return mv_xml_error_at(error, from, MV_ERR_XML_DETAIL, node, "unknown %s '%s'", what,
                               value);
    *ret = parsed;
    return true;
}

bool
mv_xml_prop_bool(const xmlNode *node, const char *name, int *ret, MvErrorSubsystem from,
                 GError **error)
{
    g_autofree char *value = mv_xml_get_prop(node, name);

    if (!value)
        return true;
    if (g_str_equal(value, "yes") || g_str_equal(value, "on"))
        *ret = 1;
    else if (g_str_equal(value, "no") || g_str_equal(value, "off"))
        *ret = 0;
    else
        return mv_xml_error_at(error, from, MV_ERR_XML_DETAIL, node,
                               "invalid value '%s' for attribute '%s': expected 'yes' or 'no'",
                               value, name);
    return true;
}

static const struct {
    const char *unit;
    guint64 bytes;
} mv_xml_units[] = {
    { "b", 1 },
    { "bytes", 1 },
    { "KB", 1000 },
    { "k", 1024 },
    { "KiB", 1024 },
    { "MB", 1000 * 1000 },
    { "M", 1024 * 1024 },
    { "MiB", 1024 * 1024 },
    { "GB", 1000 * 1000 * 1000 },
    { "G", 1024 * 1024 * 1024 },
    { "GiB", 1024 * 1024 * 1024 },
    { "TB", G_GUINT64_CONSTANT(1000) * 1000 * 1000 * 1000 },
    { "T", G_GUINT64_CONSTANT(1024) * 1024 * 1024 * 1024 },
    { "TiB", G_GUINT64_CONSTANT(1024) * 1024 * 1024 * 1024 },
};

bool
mv_xml_unit_scale(const char *unit, guint64 *ret_bytes)
{
    for (size_t i = 0; unit && i < G_N_ELEMENTS(mv_xml_units); i++) {
        if (strcmp(unit, mv_xml_units[i].unit) == 0) {
            *ret_bytes = mv_xml_units[i].bytes;
            return true;
        }
    }
    return false;
}

bool
mv_xml_content_scaled(const xmlNode *node, const char *default_unit, guint64 scale,
                      guint64 max, const char *what, guint64 *ret, MvErrorSubsystem from,
                      GError **error)
{
    g_autofree char *attr = mv_xml_get_prop(node, "unit");
    g_autofree char *text = g_strstrip(mv_xml_get_content(node));
    const char *unit = attr ? attr : default_unit;
    guint64 mult;
    guint64 value;
    guint64 result;

    g_return_val_if_fail(scale > 0, false);
    if (!mv_xml_unit_scale(unit, &mult))
        return mv_xml_error_at(error, from, MV_ERR_XML_DETAIL, node, "unknown %s unit '%s'",
                               what, unit);
    if (!text || !g_ascii_string_to_unsigned(text, 10, 0, G_MAXUINT64, &value, NULL))
        return mv_xml_error_at(error, from, MV_ERR_XML_DETAIL, node, "invalid %s size '%s'",
                               what, text ? text : "");
    if (mult % scale == 0) {
        /* Exact: compare before multiplying so nothing overflows. */
        if (value > max / (mult / scale))
            goto too_large;
        result = value * (mult / scale);
    } else {
        if (value > G_MAXUINT64 / mult)
            goto too_large;
        result = value * mult / scale + (value * mult % scale != 0);
        if (result > max)
            goto too_large;
    }
    *ret = result;
    return true;

too_large:
    return mv_xml_error_at(error, from, MV_ERR_XML_DETAIL, node, "%s size %s %s is too large",
                           what, text, unit);
}

static const MvXmlChildRule *
mv_xml_child_rule_find(const MvXmlChildRule *rules, size_t nrules, const xmlNode *child)
{
    for (size_t i = 0; i < nrules; i++) {
        if (mv_xml_node_is(child, rules[i].name))
            return &rules[i];
    }
    return NULL;
}

bool
mv_xml_check_children(const xmlNode *node, const MvXmlChildRule *rules, size_t nrules,
                      unsigned int flags, MvErrorSubsystem from, GError **error)
{
    const char *parent = (const char *)node->name;

    if (flags & MV_XML_CHILDREN_ONLY_LISTED) {
        for (const xmlNode *child = node->children; child; child = child->next) {
            if (child->type == XML_ELEMENT_NODE && !mv_xml_child_rule_find(rules, nrules, child))
                return mv_xml_error_at(error, from, MV_ERR_XML_ERROR, child,
                                       "unknown element <%s> in <%s>",
                                       (const char *)child->name, parent);
        }
    }
    for (size_t i = 0; i < nrules; i++) {
        unsigned int count = 0;

        for (const xmlNode *child = node->children; child; child = child->next) {
            if (!mv_xml_node_is(child, rules[i].name) || ++count <= rules[i].max)
                continue;
            if (rules[i].max == 1)
                return mv_xml_error_at(error, from, MV_ERR_XML_ERROR, child,
                                       "element <%s> may appear only once in <%s>",
                                       rules[i].name, parent);
            return mv_xml_error_at(error, from, MV_ERR_XML_ERROR, child,
                                   "element <%s> may appear at most %u times in <%s>",
                                   rules[i].name, rules[i].max, parent);
        }
        if (count < rules[i].min)
            return mv_xml_error_at(error, from, MV_ERR_XML_ERROR, node,
                                   "the required element <%s> is missing", rules[i].name);
    }
    return true;
}

bool
mv_xml_check_attributes(const xmlNode *node, const char *const *allowed, MvErrorSubsystem from,
                        GError **error)
{
    for (const xmlAttr *attr = node->properties; attr; attr = attr->next) {
        const char *name = (const char *)attr->name;

        if (!g_strv_contains(allowed, name))
            return mv_xml_error_at(error, from, MV_ERR_XML_ERROR, node,
                                   "unknown attribute '%s' of <%s>", name,
                                   (const char *)node->name);
    }
    return true;
}
