/* The firewall doctor: the kernel's modvirt tables against the expectation. */
#define MV_LOG_CATEGORY "filter"
#include "filter-doctor.h"

#include <string.h>

#include "filter-nft.h"
#include "util/error.h"
#include "util/log.h"

void
mv_filter_difference_free(MvFilterDifference *diff)
{
    if (!diff)
        return;
    g_free(diff->kind);
    g_free(diff->table);
    g_free(diff->chain);
    g_free(diff->text);
    g_free(diff);
}

static void
add_diff(GPtrArray *diffs, const char *kind, const char *table, const char *chain,
         const char *fmt, ...) G_GNUC_PRINTF(5, 6);

static void
add_diff(GPtrArray *diffs, const char *kind, const char *table, const char *chain,
         const char *fmt, ...)
{
    MvFilterDifference *d = g_new0(MvFilterDifference, 1);
    va_list ap;

    d->kind = g_strdup(kind);
    d->table = g_strdup(table);
    d->chain = g_strdup(chain);
    va_start(ap, fmt);
    d->text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_ptr_array_add(diffs, d);
}

/* ---- reading a listing ---- */

typedef struct {
    GHashTable *chains;     /* name -> JsonObject (chain) */
    GPtrArray *chain_order; /* names, in listing order */
    GHashTable *rules;      /* handle (GINT_TO_POINTER) -> JsonObject (rule) */
    GPtrArray *rule_order;  /* JsonObject (rule), in listing order */
} Listing;

static void
listing_clear(Listing *l)
{
    g_clear_pointer(&l->chains, g_hash_table_unref);
    g_clear_pointer(&l->chain_order, g_ptr_array_unref);
    g_clear_pointer(&l->rules, g_hash_table_unref);
    g_clear_pointer(&l->rule_order, g_ptr_array_unref);
}

static void
listing_read(Listing *l, JsonNode *node)
{
    JsonArray *arr = node ? json_node_get_array(node) : NULL;

    l->chains = g_hash_table_new(g_str_hash, g_str_equal);
    l->chain_order = g_ptr_array_new();
    l->rules = g_hash_table_new(NULL, NULL);
    l->rule_order = g_ptr_array_new();
    for (guint i = 0; arr && i < json_array_get_length(arr); i++) {
        JsonObject *item = json_array_get_object_element(arr, i);

        if (!item)
            continue;
        if (json_object_has_member(item, "chain")) {
            JsonObject *c = json_object_get_object_member(item, "chain");
            const char *name = json_object_get_string_member_with_default(c, "name", "");

            g_hash_table_insert(l->chains, (gpointer)name, c);
            g_ptr_array_add(l->chain_order, (gpointer)name);
        } else if (json_object_has_member(item, "rule")) {
            JsonObject *r = json_object_get_object_member(item, "rule");
            gint64 handle = json_object_get_int_member_with_default(r, "handle", 0);

            g_hash_table_insert(l->rules, GINT_TO_POINTER((int)handle), r);
            g_ptr_array_add(l->rule_order, r);
        }
    }
}

/* A member as canonical text ("" when absent). */
static char *
member_text(JsonObject *o, const char *member)
{
    JsonNode *n = json_object_get_member(o, member);

    return n ? json_to_string(n, FALSE) : g_strdup("");
}

/* What a rule does, as JSON text: its expressions and comment. */
static char *
rule_body(JsonObject *r)
{
    g_autofree char *expr = member_text(r, "expr");
    g_autofree char *comment = member_text(r, "comment");

    return g_strdup_printf("%s %s", expr, comment);
}

/* A short readable form of a rule for messages: its JSON expressions. */
static char *
rule_show(JsonObject *r)
{
    g_autofree char *expr = member_text(r, "expr");

    return g_strdup_printf("handle %" G_GINT64_FORMAT " %s",
                           json_object_get_int_member_with_default(r, "handle", 0), expr);
}

static const char *
rule_chain(JsonObject *r)
{
    return json_object_get_string_member_with_default(r, "chain", "");
}

/* ---- comparing ---- */

static const char *const BASE_KEYS[] = { "type", "hook", "prio", "policy", NULL };

void
mv_filter_doctor_compare(const char *table, JsonNode *expected, JsonNode *actual,
                         GPtrArray *diffs)
{
    Listing want = { 0 }, have = { 0 };

    if (!expected && !actual)
        return;
    if (!actual) {
        add_diff(diffs, "table-missing", table, NULL,
                 "table %s is missing from the kernel (removed by 'nft flush ruleset' or "
                 "'nft delete table'?): modvirt's rules are not in force", table);
        return;
    }
    if (!expected) {
        add_diff(diffs, "table-unexpected", table, NULL,
                 "table %s exists but modvirt-filterd has no rules in it", table);
        return;
    }
    listing_read(&want, expected);
    listing_read(&have, actual);
    for (guint i = 0; i < want.chain_order->len; i++) {
        const char *name = want.chain_order->pdata[i];
        JsonObject *w = g_hash_table_lookup(want.chains, name);
        JsonObject *h = g_hash_table_lookup(have.chains, name);

        if (!h) {
            add_diff(diffs, "chain-missing", table, name, "chain %s of table %s is missing",
                     name, table);
            continue;
        }
        for (guint k = 0; BASE_KEYS[k]; k++) {
            g_autofree char *a = member_text(w, BASE_KEYS[k]);
            g_autofree char *b = member_text(h, BASE_KEYS[k]);

            if (!g_str_equal(a, b))
                add_diff(diffs, "chain-changed", table, name,
                         "chain %s of table %s has %s %s instead of %s", name, table,
                         BASE_KEYS[k], *b ? b : "(none)", *a ? a : "(none)");
        }
    }
    for (guint i = 0; i < have.chain_order->len; i++) {
        const char *name = have.chain_order->pdata[i];

        if (!g_hash_table_contains(want.chains, name))
            add_diff(diffs, "chain-extra", table, name,
                     "chain %s of table %s was not made by modvirt", name, table);
    }
    for (guint i = 0; i < want.rule_order->len; i++) {
        JsonObject *w = want.rule_order->pdata[i];
        gint64 handle = json_object_get_int_member_with_default(w, "handle", 0);
        JsonObject *h = g_hash_table_lookup(have.rules, GINT_TO_POINTER((int)handle));
        g_autofree char *wb = rule_body(w);
        g_autofree char *ws = rule_show(w);

        if (!g_hash_table_contains(have.chains, rule_chain(w)))
            continue;   /* reported with its chain */
        if (!h || !g_str_equal(rule_chain(h), rule_chain(w))) {
            add_diff(diffs, "rule-missing", table, rule_chain(w),
                     "rule %s of chain %s (table %s) is missing", ws, rule_chain(w), table);
        } else {
            g_autofree char *hb = rule_body(h);
            g_autofree char *hs = rule_show(h);

            if (!g_str_equal(wb, hb))
                add_diff(diffs, "rule-changed", table, rule_chain(w),
                         "rule handle %" G_GINT64_FORMAT " of chain %s (table %s) was "
                         "changed: it is %s, modvirt made %s", handle, rule_chain(w), table,
                         hs, ws);
        }
    }
    for (guint i = 0; i < have.rule_order->len; i++) {
        JsonObject *h = have.rule_order->pdata[i];
        gint64 handle = json_object_get_int_member_with_default(h, "handle", 0);
        JsonObject *w = g_hash_table_lookup(want.rules, GINT_TO_POINTER((int)handle));
        g_autofree char *hs = rule_show(h);

        if (!g_hash_table_contains(want.chains, rule_chain(h)))
            continue;   /* reported with its chain */
        if (!w || !g_str_equal(rule_chain(h), rule_chain(w)))
            add_diff(diffs, "rule-extra", table, rule_chain(h),
                     "rule %s in chain %s (table %s) was not made by modvirt", hs,
                     rule_chain(h), table);
    }
    listing_clear(&want);
    listing_clear(&have);
}

/* ---- foreign tables ---- */

/* Families whose hooks see the packets of an inet base chain. */
static bool
family_overlaps(const char *ours, const char *theirs)
{
    if (g_str_equal(ours, theirs))
        return true;
    if (g_str_equal(ours, "inet"))
        return g_str_equal(theirs, "ip") || g_str_equal(theirs, "ip6");
    return false;
}

static bool
chain_drops(JsonArray *arr, JsonObject *chain, const char **ret_how)
{
    const char *family = json_object_get_string_member_with_default(chain, "family", "");
    const char *table = json_object_get_string_member_with_default(chain, "table", "");
    const char *name = json_object_get_string_member_with_default(chain, "name", "");

    if (g_strcmp0(json_object_get_string_member_with_default(chain, "policy", ""), "drop") == 0) {
        *ret_how = "its policy is drop";
        return true;
    }
    for (guint i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *item = json_array_get_object_element(arr, i);
        JsonObject *r;
        g_autofree char *expr = NULL;

        if (!item || !json_object_has_member(item, "rule"))
            continue;
        r = json_object_get_object_member(item, "rule");
        if (g_strcmp0(json_object_get_string_member_with_default(r, "family", ""), family) ||
            g_strcmp0(json_object_get_string_member_with_default(r, "table", ""), table) ||
            g_strcmp0(json_object_get_string_member_with_default(r, "chain", ""), name))
            continue;
        expr = member_text(r, "expr");
        if (strstr(expr, "{\"drop\":") || strstr(expr, "{\"reject\":")) {
            *ret_how = "it has drop or reject rules";
            return true;
        }
    }
    return false;
}

void
mv_filter_doctor_foreign(JsonNode *ruleset, JsonNode *ours, GPtrArray *diffs)
{
    JsonArray *all = ruleset ? json_node_get_array(ruleset) : NULL;
    JsonArray *mine = ours ? json_node_get_array(ours) : NULL;

    for (guint i = 0; mine && i < json_array_get_length(mine); i++) {
        JsonObject *item = json_array_get_object_element(mine, i);
        JsonObject *c;
        const char *hook, *family;
        gint64 prio;

        if (!item || !json_object_has_member(item, "chain"))
            continue;
        c = json_object_get_object_member(item, "chain");
        if (!json_object_has_member(c, "hook") ||
            g_strcmp0(json_object_get_string_member_with_default(c, "type", ""), "filter"))
            continue;
        hook = json_object_get_string_member(c, "hook");
        family = json_object_get_string_member_with_default(c, "family", "");
        prio = json_object_get_int_member_with_default(c, "prio", 0);
        for (guint j = 0; all && j < json_array_get_length(all); j++) {
            JsonObject *o = json_array_get_object_element(all, j);
            JsonObject *f;
            const char *ffam, *ftable, *how = NULL;
            gint64 fprio;

            if (!o || !json_object_has_member(o, "chain"))
                continue;
            f = json_object_get_object_member(o, "chain");
            ffam = json_object_get_string_member_with_default(f, "family", "");
            ftable = json_object_get_string_member_with_default(f, "table", "");
            fprio = json_object_get_int_member_with_default(f, "prio", 0);
            if (g_str_equal(ftable, MV_FILTER_NFT_TABLE_NAME) && g_str_equal(ffam, family))
                continue;
            if (g_strcmp0(json_object_get_string_member_with_default(f, "hook", ""), hook) ||
                !family_overlaps(family, ffam) || fprio > prio || !chain_drops(all, f, &how))
                continue;
            {
                g_autofree char *label = g_strdup_printf("%s %s", ffam, ftable);

                add_diff(diffs, "foreign-drop", label,
                         json_object_get_string_member_with_default(f, "name", ""),
                         "table %s chain %s (hook %s, priority %" G_GINT64_FORMAT ") can drop "
                         "packets before modvirt's chain %s (priority %" G_GINT64_FORMAT "): "
                         "%s; modvirt's accepts cannot override it", label,
                         json_object_get_string_member_with_default(f, "name", ""), hook, fprio,
                         json_object_get_string_member_with_default(c, "name", ""), prio, how);
            }
        }
    }
}

/* ---- the daemon's doctor ---- */

static GPtrArray *
diffs_new(void)
{
    return g_ptr_array_new_with_free_func((GDestroyNotify)mv_filter_difference_free);
}

/* Every owned table's differences land in @diffs; *@ret_ours counts those of our
 * tables (repairable), per table in @ret_dirty (TRUE where one differs). */
static bool
check_tables(MvFilterDriver *driver, GPtrArray *diffs, gboolean *ret_dirty, guint *ret_ours,
             GError **error)
{
    g_autoptr(JsonNode) ruleset = NULL;
    guint ours = 0;

    if (!(ruleset = mv_filter_nft_list_json(driver->nft, "list ruleset", error)))
        return false;
    for (guint i = 0; driver->tables && i < driver->tables->len; i++) {
        const MvFilterOwnedTable *t = &g_array_index(driver->tables, MvFilterOwnedTable, i);
        g_autofree char *label = g_strdup_printf("%s %s", t->family, t->name);
        g_autofree char *cmd = g_strdup_printf("list table %s", label);
        g_autoptr(JsonNode) expected = t->expected(t->data);
        g_autoptr(JsonNode) actual = NULL;
        bool exists = false;
        guint before = diffs->len;

        if (!mv_filter_nft_table_exists(driver->nft, t->family, t->name, &exists, error))
            return false;
        if (exists && !(actual = mv_filter_nft_list_json(driver->nft, cmd, error)))
            return false;
        mv_filter_doctor_compare(label, expected, actual, diffs);
        ret_dirty[i] = diffs->len > before;
        ours += diffs->len - before;
        mv_filter_doctor_foreign(ruleset, expected, diffs);
    }
    *ret_ours = ours;
    return true;
}

static gboolean *
dirty_new(MvFilterDriver *driver)
{
    return g_new0(gboolean, driver->tables ? driver->tables->len + 1 : 1);
}

GPtrArray *
mv_filter_doctor_check(MvFilterDriver *driver, GError **error)
{
    g_autoptr(GPtrArray) diffs = diffs_new();
    g_autofree gboolean *dirty = dirty_new(driver);
    guint ours = 0;

    if (!check_tables(driver, diffs, dirty, &ours, error))
        return NULL;
    return g_steal_pointer(&diffs);
}

GPtrArray *
mv_filter_doctor_repair(MvFilterDriver *driver, GError **error)
{
    g_autoptr(GPtrArray) diffs = diffs_new();
    g_autofree gboolean *dirty = dirty_new(driver);
    guint ours = 0;

    if (!check_tables(driver, diffs, dirty, &ours, error))
        return NULL;
    for (guint i = 0; driver->tables && i < driver->tables->len; i++) {
        const MvFilterOwnedTable *t = &g_array_index(driver->tables, MvFilterOwnedTable, i);

        if (!dirty[i])
            continue;
        if (!t->reapply(t->data, error))
            return NULL;
        mv_log_info("firewall doctor: table %s %s re-applied", t->family, t->name);
    }
    return g_steal_pointer(&diffs);
}
