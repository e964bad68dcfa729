/* Secret XML <-> MvSecretDef, see secret-def.h. */
#include "secret-def.h"

#include <libxml/tree.h>
#include <string.h>

#include "util/error.h"
#include "util/uuid.h"
#include "util/xml.h"

#define FROM MV_FROM_SECRET

static const char *const usage_names[MV_SECRET_USAGE_LAST] = {
    "none", "volume", "ceph", "iscsi", "tls", "vtpm",
};
/* The element holding the usage id, per type. */
static const char *const usage_elements[MV_SECRET_USAGE_LAST] = {
    NULL, "volume", "name", "target", "name", "name",
};

const char *
mv_secret_usage_type_to_string(int type)
{
    return type >= 0 && type < MV_SECRET_USAGE_LAST ? usage_names[type] : NULL;
}

int
mv_secret_usage_type_from_string(const char *str)
{
    for (int i = MV_SECRET_USAGE_VOLUME; str && i < MV_SECRET_USAGE_LAST; i++)
        if (strcmp(str, usage_names[i]) == 0)
            return i;
    return -1;
}

static bool
parse_flag(const xmlNode *root, const char *name, bool *ret, GError **error)
{
    int value = 0;

    if (!mv_xml_prop_bool(root, name, &value, FROM, error))
        return false;
    *ret = value > 0;
    return true;
}

static bool
parse_uuid(const xmlNode *node, guint8 uuid[16], GError **error)
{
    g_autofree char *text = g_strstrip(mv_xml_get_content(node));

    if (!mv_uuid_parse(text, uuid, NULL))
        return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, node,
                               "malformed UUID '%s': expected 32 hexadecimal digits, "
                               "optionally in 8-4-4-4-12 groups", text);
    return true;
}

static bool
parse_usage(const xmlNode *usage, MvSecretDef *def, GError **error)
{
    g_autofree char *type = mv_xml_get_prop(usage, "type");
    const xmlNode *id_node;
    g_autofree char *id = NULL;
    int t = mv_secret_usage_type_from_string(type);
    MvXmlChildRule rule = { NULL, 1, 1 };

    if (t < 0)      /* the schema allows none other */
        return mv_xml_error_at(error, FROM, MV_ERR_XML_ERROR, usage,
                               "unknown secret usage type '%s'", type ? type : "");
    rule.name = usage_elements[t];
    if (!mv_xml_check_children(usage, &rule, 1, MV_XML_CHILDREN_ONLY_LISTED, FROM, error))
        return false;
    id_node = mv_xml_get_child(usage, usage_elements[t]);
    id = id_node ? mv_xml_get_content(id_node) : NULL;
    if (!id || !*g_strstrip(id))
        return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, id_node ? id_node : usage,
                               "the %s usage needs a non-empty <%s>", type,
                               usage_elements[t]);
    if (t == MV_SECRET_USAGE_VOLUME && !g_path_is_absolute(id))
        return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, id_node,
                               "the volume '%s' must be an absolute path", id);
    def->usage_type = t;
    def->usage_id = g_steal_pointer(&id);
    return true;
}

static const MvXmlChildRule secret_rules[] = {
    { "uuid", 0, 1 }, { "description", 0, 1 }, { "usage", 0, 1 },
};

static bool
parse_root(const xmlNode *root, MvSecretDef *def, GError **error)
{
    bool has_uuid = false;

    if (!mv_xml_check_children(root, secret_rules, G_N_ELEMENTS(secret_rules),
                               MV_XML_CHILDREN_ONLY_LISTED, FROM, error))
        return false;
    if (!parse_flag(root, "ephemeral", &def->ephemeral, error) ||
        !parse_flag(root, "private", &def->private_value, error))
        return false;
    for (const xmlNode *child = root->children; child; child = child->next) {
        if (mv_xml_node_is(child, "uuid")) {
            if (!parse_uuid(child, def->uuid, error))
                return false;
            has_uuid = true;
        } else if (mv_xml_node_is(child, "description")) {
            g_free(def->description);
            def->description = mv_xml_get_content(child);
        } else if (mv_xml_node_is(child, "usage")) {
            if (!parse_usage(child, def, error))
                return false;
        }
    }
    if (!has_uuid)
        mv_uuid_generate(def->uuid);
    return true;
}

MvSecretDef *
mv_secret_def_parse(const char *xml, unsigned int flags, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(MvSecretDef) def = g_new0(MvSecretDef, 1);

    (void)flags;
    if (!(doc = mv_xml_parse_validated(xml, "secret", error))) {
        if (error && *error)
            mv_error_set_subsystem(*error, FROM);
        return NULL;
    }
    if (!parse_root(xmlDocGetRootElement(doc), def, error))
        return NULL;
    return g_steal_pointer(&def);
}

static void
append_escaped(GString *out, const char *text)
{
    g_autofree char *escaped = g_markup_escape_text(text, -1);

    g_string_append(out, escaped);
}

char *
mv_secret_def_format(const MvSecretDef *def)
{
    GString *out = g_string_new(NULL);
    char uuid[MV_UUID_STRING_LEN];

    mv_uuid_format(def->uuid, uuid);
    g_string_append_printf(out, "<secret ephemeral='%s' private='%s'>\n",
                           def->ephemeral ? "yes" : "no", def->private_value ? "yes" : "no");
    g_string_append_printf(out, "  <uuid>%s</uuid>\n", uuid);
    if (def->description) {
        g_string_append(out, "  <description>");
        append_escaped(out, def->description);
        g_string_append(out, "</description>\n");
    }
    if (def->usage_type > MV_SECRET_USAGE_NONE && def->usage_type < MV_SECRET_USAGE_LAST) {
        const char *element = usage_elements[def->usage_type];

        g_string_append_printf(out, "  <usage type='%s'>\n    <%s>",
                               usage_names[def->usage_type], element);
        append_escaped(out, def->usage_id ? def->usage_id : "");
        g_string_append_printf(out, "</%s>\n  </usage>\n", element);
    }
    g_string_append(out, "</secret>\n");
    return g_string_free(out, FALSE);
}

MvSecretDef *
mv_secret_def_copy(const MvSecretDef *def)
{
    MvSecretDef *copy = g_memdup2(def, sizeof(*def));

    copy->description = g_strdup(def->description);
    copy->usage_id = g_strdup(def->usage_id);
    return copy;
}

void
mv_secret_def_free(MvSecretDef *def)
{
    if (!def)
        return;
    g_free(def->description);
    g_free(def->usage_id);
    g_free(def);
}
