/* Filter XML and binding XML → MvNWFilterDef / MvNWFilterBindingDef and back.
 * The schemas have already refused unknown elements and attributes and
 * malformed values; this file checks what they cannot say (one protocol per
 * rule, value ranges, pairs such as a mask without its address) and writes
 * the canonical form (fixed attribute order, defaults spelled out). */
#include "nwfilter-conf.h"

#include <string.h>

#include "util/error.h"
#include "util/uuid.h"
#include "util/xml.h"

/* ---- freeing ---- */

static void
param_free(gpointer p)
{
    MvNWFilterParam *param = p;

    g_free(param->name);
    g_free(param->value);
    g_free(param);
}

void
mv_nwfilter_ref_free(MvNWFilterRef *ref)
{
    if (!ref)
        return;
    g_free(ref->filter);
    g_clear_pointer(&ref->params, g_ptr_array_unref);
    g_free(ref);
}

void
mv_nwfilter_rule_free(MvNWFilterRule *rule)
{
    if (!rule)
        return;
    g_clear_pointer(&rule->attrs, g_ptr_array_unref);
    g_free(rule);
}

static void
entry_free(gpointer p)
{
    MvNWFilterEntry *entry = p;

    mv_nwfilter_rule_free(entry->rule);
    mv_nwfilter_ref_free(entry->ref);
    g_free(entry);
}

void
mv_nwfilter_def_free(MvNWFilterDef *def)
{
    if (!def)
        return;
    g_free(def->name);
    g_free(def->chain);
    g_clear_pointer(&def->entries, g_ptr_array_unref);
    g_free(def);
}

void
mv_nwfilter_binding_def_free(MvNWFilterBindingDef *def)
{
    if (!def)
        return;
    g_free(def->owner_name);
    g_free(def->portdev);
    g_free(def->linkdev);
    g_free(def->mac);
    mv_nwfilter_ref_free(def->filterref);
    g_free(def);
}

static MvNWFilterParam *
param_new(const char *name, const char *value)
{
    MvNWFilterParam *param = g_new0(MvNWFilterParam, 1);

    param->name = g_strdup(name);
    param->value = g_strdup(value);
    return param;
}

/* ---- chains ---- */

static const struct {
    const char *prefix;
    int priority;
} chain_priorities[] = {
    { "stp", -810 }, { "mac", -800 }, { "vlan", -750 }, { "ipv4", -700 },
    { "ipv6", -600 }, { "arp", -500 }, { "rarp", -400 },
};

int
mv_nwfilter_chain_default_priority(const char *chain)
{
    for (gsize i = 0; i < G_N_ELEMENTS(chain_priorities); i++) {
        gsize n = strlen(chain_priorities[i].prefix);

        if (strncmp(chain, chain_priorities[i].prefix, n) == 0 &&
            (chain[n] == '\0' || chain[n] == '-'))
            return chain_priorities[i].priority;
    }
    return 0;
}

int
mv_nwfilter_def_priority(const MvNWFilterDef *def)
{
    return def->has_priority ? def->priority : mv_nwfilter_chain_default_priority(def->chain);
}

/* ---- parsing ---- */

static bool
parse_int_prop(const xmlNode *node, const char *name, int min, int max, int *ret,
               GError **error)
{
    g_autofree char *text = mv_xml_get_prop(node, name);
    char *end = NULL;
    gint64 v;

    if (!text)
        return true;
    v = g_ascii_strtoll(text, &end, 10);
    if (!*text || *end || v < min || v > max)
        return mv_xml_error_at(error, MV_FROM_NWFILTER, MV_ERR_XML_DETAIL, node,
                               "invalid value '%s' for attribute '%s': expected a number "
                               "from %d to %d", text, name, min, max);
    *ret = (int)v;
    return true;
}

static MvNWFilterRef *
parse_filterref(const xmlNode *node, GError **error)
{
    g_autoptr(MvNWFilterRef) ref = g_new0(MvNWFilterRef, 1);

    ref->filter = mv_xml_get_prop(node, "filter");
    ref->params = g_ptr_array_new_with_free_func(param_free);
    for (const xmlNode *c = node->children; c; c = c->next) {
        g_autofree char *name = NULL;
        g_autofree char *value = NULL;

        if (!mv_xml_node_is(c, "parameter"))
            continue;
        name = mv_xml_get_prop(c, "name");
        value = mv_xml_get_prop(c, "value");
        if (value[0] == '$' && !mv_nwfilter_var_parse(value, NULL, NULL, NULL))
            return mv_xml_error_at(error, MV_FROM_NWFILTER, MV_ERR_XML_DETAIL, c,
                                   "invalid variable reference '%s'", value),
                   NULL;
        g_ptr_array_add(ref->params, param_new(name, value));
    }
    return g_steal_pointer(&ref);
}

static const char *const action_names[] = { "drop", "reject", "accept", "return", "continue",
                                            NULL };
static const char *const direction_names[] = { "in", "out", "inout", NULL };

static int
word_index(const char *const *words, const char *word)
{
    for (int i = 0; word && words[i]; i++) {
        if (strcmp(words[i], word) == 0)
            return i;
    }
    return -1;
}

/* A mask, an end or an upper bound needs the attribute it qualifies. */
static const char *const attr_needs[][2] = {
    { "srcmacmask", "srcmacaddr" },     { "dstmacmask", "dstmacaddr" },
    { "srcipmask", "srcipaddr" },       { "dstipmask", "dstipaddr" },
    { "srcipto", "srcipfrom" },         { "dstipto", "dstipfrom" },
    { "srcportend", "srcportstart" },   { "dstportend", "dstportstart" },
    { "arpsrcipmask", "arpsrcipaddr" }, { "arpdstipmask", "arpdstipaddr" },
    { "typeend", "type" },              { "codeend", "code" },
    { "ipsetflags", "ipset" },          { "ipset", "ipsetflags" },
};

static bool
parse_proto(MvNWFilterRule *rule, const xmlNode *node, GError **error)
{
    g_autofree char *match = mv_xml_get_prop(node, "match");
    g_autofree char *where = mv_xml_node_path(node);
    const MvNWFilterProtoInfo *proto = mv_nwfilter_proto_find((const char *)node->name);

    if (!proto)
        return mv_xml_error_at(error, MV_FROM_NWFILTER, MV_ERR_XML_ERROR, node,
                               "unknown protocol element <%s>", node->name);
    rule->proto = proto;
    rule->match_no = match && strcmp(match, "no") == 0;
    for (const MvNWFilterAttrInfo *a = proto->attrs; a->name; a++) {
        g_autofree char *value = mv_xml_get_prop(node, a->name);

        if (!value)
            continue;
        if (value[0] == '$') {
            if (!mv_nwfilter_var_parse(value, NULL, NULL, NULL))
                return mv_xml_error_at(error, MV_FROM_NWFILTER, MV_ERR_XML_DETAIL, node,
                                       "invalid variable reference '%s' in attribute '%s'",
                                       value, a->name);
        } else if (!mv_nwfilter_value_check(a, value, where, error)) {
            return false;
        }
        g_ptr_array_add(rule->attrs, param_new(a->name, value));
    }
    for (gsize i = 0; i < G_N_ELEMENTS(attr_needs); i++) {
        bool has = false, needed = false;

        for (guint j = 0; j < rule->attrs->len; j++) {
            const MvNWFilterParam *p = g_ptr_array_index(rule->attrs, j);

            has |= strcmp(p->name, attr_needs[i][0]) == 0;
            needed |= strcmp(p->name, attr_needs[i][1]) == 0;
        }
        if (has && !needed)
            return mv_xml_error_at(error, MV_FROM_NWFILTER, MV_ERR_XML_DETAIL, node,
                                   "attribute '%s' needs attribute '%s'", attr_needs[i][0],
                                   attr_needs[i][1]);
    }
    return true;
}

static MvNWFilterRule *
parse_rule(const xmlNode *node, GError **error)
{
    MvNWFilterRule *rule = g_new0(MvNWFilterRule, 1);
    g_autofree char *action = mv_xml_get_prop(node, "action");
    g_autofree char *direction = mv_xml_get_prop(node, "direction");
    g_autofree char *statematch = mv_xml_get_prop(node, "statematch");
    const xmlNode *proto = NULL;
    int nproto = 0;

    rule->attrs = g_ptr_array_new_with_free_func(param_free);
    rule->priority = 500;
    rule->statematch = !statematch || (strcmp(statematch, "0") != 0 &&
                                       strcmp(statematch, "false") != 0 &&
                                       strcmp(statematch, "no") != 0);
    rule->action = word_index(action_names, action);
    rule->direction = word_index(direction_names, direction);
    if ((int)rule->action < 0 || (int)rule->direction < 0) {
        mv_xml_error_at(error, MV_FROM_NWFILTER, MV_ERR_XML_DETAIL, node,
                        "unknown action '%s' or direction '%s'", action, direction);
        goto error;
    }
    if (!parse_int_prop(node, "priority", -1000, 1000, &rule->priority, error))
        goto error;
    for (const xmlNode *c = node->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (nproto++ == 0)
            proto = c;
    }
    if (nproto > 1) {
        mv_xml_error_at(error, MV_FROM_NWFILTER, MV_ERR_XML_DETAIL, node,
                        "a rule has %d protocol elements; modvirt accepts one per rule "
                        "(write one rule for each)", nproto);
        goto error;
    }
    if (proto && !parse_proto(rule, proto, error))
        goto error;
    return rule;

error:
    mv_nwfilter_rule_free(rule);
    return NULL;
}

MvNWFilterDef *
mv_nwfilter_def_parse(const char *xml, GError **error)
{
    g_autoptr(xmlDoc) doc = mv_xml_parse_validated(xml, "nwfilter", error);
    g_autoptr(MvNWFilterDef) def = NULL;
    const xmlNode *root;
    int nuuid = 0;

    if (!doc)
        return NULL;
    root = xmlDocGetRootElement(doc);
    def = g_new0(MvNWFilterDef, 1);
    def->entries = g_ptr_array_new_with_free_func(entry_free);
    def->name = mv_xml_get_prop(root, "name");
    def->chain = mv_xml_get_prop(root, "chain");
    if (!def->chain)
        def->chain = g_strdup("root");
    if (xmlHasProp(root, (const xmlChar *)"priority")) {
        if (!parse_int_prop(root, "priority", -1000, 1000, &def->priority, error))
            return NULL;
        def->has_priority = true;
    }
    for (const xmlNode *c = root->children; c; c = c->next) {
        MvNWFilterEntry *entry;

        if (mv_xml_node_is(c, "uuid")) {
            g_autofree char *text = g_strstrip(mv_xml_get_content(c));

            if (nuuid++ > 0)
                return mv_xml_error_at(error, MV_FROM_NWFILTER, MV_ERR_XML_ERROR, c,
                                       "element <uuid> may appear only once in <filter>"),
                       NULL;
            if (!mv_uuid_parse(text, def->uuid, error))
                return NULL;
            def->has_uuid = true;
            continue;
        }
        if (!mv_xml_node_is(c, "rule") && !mv_xml_node_is(c, "filterref"))
            continue;
        entry = g_new0(MvNWFilterEntry, 1);
        g_ptr_array_add(def->entries, entry);
        if (mv_xml_node_is(c, "rule"))
            entry->rule = parse_rule(c, error);
        else
            entry->ref = parse_filterref(c, error);
        if (!entry->rule && !entry->ref)
            return NULL;
        if (entry->ref && strcmp(entry->ref->filter, def->name) == 0)
            return mv_xml_error_at(error, MV_FROM_NWFILTER, MV_ERR_XML_DETAIL, c,
                                   "filter '%s' includes itself", def->name),
                   NULL;
    }
    return g_steal_pointer(&def);
}

MvNWFilterBindingDef *
mv_nwfilter_binding_def_parse(const char *xml, GError **error)
{
    g_autoptr(xmlDoc) doc = mv_xml_parse_validated(xml, "nwfilterbinding", error);
    g_autoptr(MvNWFilterBindingDef) def = NULL;
    const xmlNode *root, *owner, *node;
    g_autofree char *uuid = NULL;
    g_autofree char *mac = NULL;

    if (!doc)
        return NULL;
    root = xmlDocGetRootElement(doc);
    def = g_new0(MvNWFilterBindingDef, 1);
    owner = mv_xml_get_child(root, "owner");
    def->owner_name = mv_xml_get_content(mv_xml_get_child(owner, "name"));
    uuid = g_strstrip(mv_xml_get_content(mv_xml_get_child(owner, "uuid")));
    if (!mv_uuid_parse(uuid, def->owner_uuid, error))
        return NULL;
    def->portdev = mv_xml_get_prop(mv_xml_get_child(root, "portdev"), "name");
    if ((node = mv_xml_get_child(root, "linkdev")))
        def->linkdev = mv_xml_get_prop(node, "name");
    mac = mv_xml_get_prop(mv_xml_get_child(root, "mac"), "address");
    def->mac = g_ascii_strdown(mac, -1);
    if (!(def->filterref = parse_filterref(mv_xml_get_child(root, "filterref"), error)))
        return NULL;
    return g_steal_pointer(&def);
}

/* ---- formatting ---- */

static void
format_ref(GString *out, const MvNWFilterRef *ref, int indent)
{
    g_autofree char *filter = g_markup_printf_escaped("%s", ref->filter);

    g_string_append_printf(out, "%*s<filterref filter='%s'", indent, "", filter);
    if (!ref->params->len) {
        g_string_append(out, "/>\n");
        return;
    }
    g_string_append(out, ">\n");
    for (guint i = 0; i < ref->params->len; i++) {
        const MvNWFilterParam *p = g_ptr_array_index(ref->params, i);
        g_autofree char *value = g_markup_printf_escaped("%s", p->value);

        g_string_append_printf(out, "%*s<parameter name='%s' value='%s'/>\n", indent + 2, "",
                               p->name, value);
    }
    g_string_append_printf(out, "%*s</filterref>\n", indent, "");
}

static void
format_rule(GString *out, const MvNWFilterRule *rule)
{
    g_string_append_printf(out, "  <rule action='%s' direction='%s' priority='%d'",
                           action_names[rule->action], direction_names[rule->direction],
                           rule->priority);
    if (!rule->statematch)
        g_string_append(out, " statematch='false'");
    if (!rule->proto) {
        g_string_append(out, "/>\n");
        return;
    }
    g_string_append_printf(out, ">\n    <%s", rule->proto->name);
    if (rule->match_no)
        g_string_append(out, " match='no'");
    for (guint i = 0; i < rule->attrs->len; i++) {
        const MvNWFilterParam *p = g_ptr_array_index(rule->attrs, i);
        g_autofree char *value = g_markup_printf_escaped("%s", p->value);

        g_string_append_printf(out, " %s='%s'", p->name, value);
    }
    g_string_append(out, "/>\n  </rule>\n");
}

char *
mv_nwfilter_def_format(const MvNWFilterDef *def)
{
    GString *out = g_string_new(NULL);

    g_string_append_printf(out, "<filter name='%s' chain='%s'", def->name, def->chain);
    if (def->has_priority)
        g_string_append_printf(out, " priority='%d'", def->priority);
    g_string_append(out, ">\n");
    if (def->has_uuid) {
        char uuid[MV_UUID_STRING_LEN];

        mv_uuid_format(def->uuid, uuid);
        g_string_append_printf(out, "  <uuid>%s</uuid>\n", uuid);
    }
    for (guint i = 0; i < def->entries->len; i++) {
        const MvNWFilterEntry *entry = g_ptr_array_index(def->entries, i);

        if (entry->rule)
            format_rule(out, entry->rule);
        else
            format_ref(out, entry->ref, 2);
    }
    g_string_append(out, "</filter>\n");
    return g_string_free(out, FALSE);
}

char *
mv_nwfilter_binding_def_format(const MvNWFilterBindingDef *def)
{
    GString *out = g_string_new("<filterbinding>\n  <owner>\n");
    g_autofree char *owner = g_markup_printf_escaped("%s", def->owner_name);
    char uuid[MV_UUID_STRING_LEN];

    mv_uuid_format(def->owner_uuid, uuid);
    g_string_append_printf(out, "    <name>%s</name>\n    <uuid>%s</uuid>\n  </owner>\n", owner,
                           uuid);
    g_string_append_printf(out, "  <portdev name='%s'/>\n", def->portdev);
    if (def->linkdev)
        g_string_append_printf(out, "  <linkdev name='%s'/>\n", def->linkdev);
    g_string_append_printf(out, "  <mac address='%s'/>\n", def->mac);
    format_ref(out, def->filterref, 2);
    g_string_append(out, "</filterbinding>\n");
    return g_string_free(out, FALSE);
}
