/* The nwfilter compiler (see nwfilter-compile.h): resolve the filter tree,
 * expand variables, order rules by priority in their chains, write nft
 * commands. Deterministic: the same tree and variables give the same text. */
#include "nwfilter-compile.h"

#include <string.h>

#include "nwfilter-emit.h"
#include "util/error.h"

#define MAX_DEPTH 64            /* include depth */
#define MAX_EXPANSION 4096      /* rules one rule may expand to */
#define COMMENT_MAX 127         /* nftables keeps at most 128 bytes of a comment */

/* ---- variables ---- */

struct _MvNWFilterVars {
    GHashTable *table;          /* name → GPtrArray of values */
};

MvNWFilterVars *
mv_nwfilter_vars_new(void)
{
    MvNWFilterVars *vars = g_new0(MvNWFilterVars, 1);

    vars->table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify)g_ptr_array_unref);
    return vars;
}

void
mv_nwfilter_vars_free(MvNWFilterVars *vars)
{
    if (!vars)
        return;
    g_hash_table_unref(vars->table);
    g_free(vars);
}

static GPtrArray *
vars_get(const MvNWFilterVars *vars, const char *name)
{
    return g_hash_table_lookup(vars->table, name);
}

void
mv_nwfilter_vars_add(MvNWFilterVars *vars, const char *name, const char *value)
{
    GPtrArray *list = vars_get(vars, name);

    if (!list) {
        list = g_ptr_array_new_with_free_func(g_free);
        g_hash_table_insert(vars->table, g_strdup(name), list);
    }
    g_ptr_array_add(list, g_strdup(value));
}

static MvNWFilterVars *
vars_copy(const MvNWFilterVars *vars)
{
    MvNWFilterVars *copy = mv_nwfilter_vars_new();
    GHashTableIter it;
    gpointer key, value;

    g_hash_table_iter_init(&it, vars->table);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        GPtrArray *list = value;

        for (guint i = 0; i < list->len; i++)
            mv_nwfilter_vars_add(copy, key, g_ptr_array_index(list, i));
    }
    return copy;
}

MvNWFilterVars *
mv_nwfilter_vars_for_binding(const MvNWFilterBindingDef *binding)
{
    MvNWFilterVars *vars = mv_nwfilter_vars_new();

    mv_nwfilter_vars_add(vars, "MAC", binding->mac);
    for (guint i = 0; i < binding->filterref->params->len; i++) {
        const MvNWFilterParam *p = g_ptr_array_index(binding->filterref->params, i);

        if (strcmp(p->name, "MAC") == 0)
            g_hash_table_remove(vars->table, "MAC");
    }
    for (guint i = 0; i < binding->filterref->params->len; i++) {
        const MvNWFilterParam *p = g_ptr_array_index(binding->filterref->params, i);

        mv_nwfilter_vars_add(vars, p->name, p->value);
    }
    return vars;
}

/* The variables a filterref passes: the caller's, with each parameter name
 * replaced by the parameter's values ($X passes the caller's X, $X[N] one value). */
static MvNWFilterVars *
vars_overlay(const MvNWFilterVars *vars, const MvNWFilterRef *ref, const char *filter,
             GError **error)
{
    g_autoptr(MvNWFilterVars) out = vars_copy(vars);
    g_autoptr(GHashTable) reset = g_hash_table_new(g_str_hash, g_str_equal);

    for (guint i = 0; i < ref->params->len; i++) {
        const MvNWFilterParam *p = g_ptr_array_index(ref->params, i);
        g_autofree char *var = NULL;
        int iterator, index;

        if (!g_hash_table_contains(reset, p->name)) {
            g_hash_table_remove(out->table, p->name);
            g_hash_table_add(reset, p->name);
        }
        if (mv_nwfilter_var_parse(p->value, &var, &iterator, &index)) {
            GPtrArray *list = vars_get(vars, var);

            if (!list)
                return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_INVALID_ARG,
                                    "filter '%s' passes variable '%s' to filter '%s', but "
                                    "'%s' is not set", filter, var, ref->filter, var),
                       NULL;
            if (index >= 0 && (guint)index >= list->len)
                return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_INVALID_ARG,
                                    "filter '%s': '%s' has no value %d (it has %u)", filter,
                                    p->value, index, list->len),
                       NULL;
            for (guint j = 0; j < list->len; j++) {
                if (index < 0 || (guint)index == j)
                    mv_nwfilter_vars_add(out, p->name, g_ptr_array_index(list, j));
            }
        } else {
            mv_nwfilter_vars_add(out, p->name, p->value);
        }
    }
    return g_steal_pointer(&out);
}

/* ---- the filter tree ---- */

typedef struct {
    const MvNWFilterRule *rule;
    const MvNWFilterDef *filter;
    const MvNWFilterVars *vars;
    guint seq;
} RuleInst;

typedef struct {
    char *name;                 /* "root", "arp", "ipv4-xyz" */
    int priority;
    guint seq;
    GPtrArray *lines[2];        /* Line, [0] out of the guest, [1] into it */
} Chain;

typedef struct {
    int priority;
    guint seq, n;
    char *text;                 /* after "add rule bridge modvirt CHAIN" */
} Line;

typedef struct {
    MvNWFilterLookup lookup;
    gpointer user_data;
    unsigned int flags;
    const char *ifname;
    GPtrArray *stack;           /* filter names being walked */
    GPtrArray *rules;           /* RuleInst */
    GPtrArray *chains;          /* Chain */
    GPtrArray *vars;            /* MvNWFilterVars kept alive */
    guint seq, nlines;
} Ctx;

static void
line_free(gpointer p)
{
    Line *line = p;

    g_free(line->text);
    g_free(line);
}

static void
chain_free(gpointer p)
{
    Chain *chain = p;

    g_free(chain->name);
    g_ptr_array_unref(chain->lines[0]);
    g_ptr_array_unref(chain->lines[1]);
    g_free(chain);
}

static Chain *
chain_get(Ctx *ctx, const MvNWFilterDef *def)
{
    Chain *chain;

    for (guint i = 0; i < ctx->chains->len; i++) {
        chain = g_ptr_array_index(ctx->chains, i);
        if (strcmp(chain->name, def->chain) == 0)
            return chain;
    }
    chain = g_new0(Chain, 1);
    chain->name = g_strdup(def->chain);
    chain->priority = mv_nwfilter_def_priority(def);
    chain->seq = ctx->seq++;
    chain->lines[0] = g_ptr_array_new_with_free_func(line_free);
    chain->lines[1] = g_ptr_array_new_with_free_func(line_free);
    g_ptr_array_add(ctx->chains, chain);
    return chain;
}

static char *
stack_text(const GPtrArray *stack, const char *last)
{
    GString *out = g_string_new(NULL);

    for (guint i = 0; i < stack->len; i++)
        g_string_append_printf(out, "%s -> ", (const char *)g_ptr_array_index(stack, i));
    g_string_append(out, last);
    return g_string_free(out, FALSE);
}

static bool
walk(Ctx *ctx, const MvNWFilterDef *def, const MvNWFilterVars *vars, GError **error)
{
    if (ctx->stack->len >= MAX_DEPTH)
        return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_INVALID_ARG,
                            "filter '%s': includes nest deeper than %d filters", def->name,
                            MAX_DEPTH);
    g_ptr_array_add(ctx->stack, def->name);
    chain_get(ctx, def);
    for (guint i = 0; i < def->entries->len; i++) {
        const MvNWFilterEntry *entry = g_ptr_array_index(def->entries, i);
        const MvNWFilterDef *child;
        MvNWFilterVars *child_vars;

        if (entry->rule) {
            RuleInst *inst = g_new0(RuleInst, 1);

            inst->rule = entry->rule;
            inst->filter = def;
            inst->vars = vars;
            inst->seq = ctx->seq++;
            g_ptr_array_add(ctx->rules, inst);
            continue;
        }
        for (guint j = 0; j < ctx->stack->len; j++) {
            if (strcmp(g_ptr_array_index(ctx->stack, j), entry->ref->filter) == 0) {
                g_autofree char *cycle = stack_text(ctx->stack, entry->ref->filter);

                return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_INVALID_ARG,
                                    "filter include loop: %s", cycle);
            }
        }
        child = ctx->lookup(entry->ref->filter, ctx->user_data);
        if (!child)
            return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_NO_NWFILTER,
                                "filter '%s' includes filter '%s', which is not defined",
                                def->name, entry->ref->filter);
        if (!(child_vars = vars_overlay(vars, entry->ref, def->name, error)))
            return false;
        g_ptr_array_add(ctx->vars, child_vars);
        if (!walk(ctx, child, child_vars, error))
            return false;
    }
    g_ptr_array_remove_index(ctx->stack, ctx->stack->len - 1);
    return true;
}

static const MvNWFilterDef *
loops_lookup(const char *name, gpointer user_data)
{
    gpointer *data = user_data;
    const MvNWFilterDef *def = data[2];

    if (strcmp(name, def->name) == 0)
        return def;
    return ((MvNWFilterLookup)data[0])(name, data[1]);
}

/* Like walk() but only follows includes; unknown filters are fine here. */
static bool
walk_refs(GPtrArray *stack, const MvNWFilterDef *def, MvNWFilterLookup lookup,
          gpointer user_data, GError **error)
{
    if (stack->len >= MAX_DEPTH)
        return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_INVALID_ARG,
                            "filter '%s': includes nest deeper than %d filters", def->name,
                            MAX_DEPTH);
    g_ptr_array_add(stack, def->name);
    for (guint i = 0; i < def->entries->len; i++) {
        const MvNWFilterEntry *entry = g_ptr_array_index(def->entries, i);
        const MvNWFilterDef *child;

        if (!entry->ref)
            continue;
        for (guint j = 0; j < stack->len; j++) {
            if (strcmp(g_ptr_array_index(stack, j), entry->ref->filter) == 0) {
                g_autofree char *cycle = stack_text(stack, entry->ref->filter);

                return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_INVALID_ARG,
                                    "filter include loop: %s", cycle);
            }
        }
        child = lookup(entry->ref->filter, user_data);
        if (child && !walk_refs(stack, child, lookup, user_data, error))
            return false;
    }
    g_ptr_array_remove_index(stack, stack->len - 1);
    return true;
}

bool
mv_nwfilter_check_loops(const MvNWFilterDef *def, MvNWFilterLookup lookup, gpointer user_data,
                        GError **error)
{
    g_autoptr(GPtrArray) stack = g_ptr_array_new();
    gpointer data[3] = { (gpointer)lookup, user_data, (gpointer)def };

    return walk_refs(stack, def, loops_lookup, data, error);
}

/* ---- rules → lines ---- */

static const char *
verdict(const Ctx *ctx, MvNWFilterAction action, int dir)
{
    switch (action) {
    case MV_NWFILTER_ACTION_ACCEPT:
        return "accept";
    case MV_NWFILTER_ACTION_DROP:
        return "drop";
    case MV_NWFILTER_ACTION_REJECT:
        /* The bridge family rejects only where frames enter (out of the guest). */
        return (ctx->flags & MV_NWFILTER_COMPILE_REJECT) && dir == 0 ? "reject" : "drop";
    case MV_NWFILTER_ACTION_RETURN:
        return "return";
    case MV_NWFILTER_ACTION_CONTINUE:
        return "continue";
    }
    return "drop";
}

static const char *
get(const GPtrArray *attrs, const char *name)
{
    for (guint i = 0; i < attrs->len; i++) {
        const MvNWFilterParam *p = g_ptr_array_index(attrs, i);

        if (strcmp(p->name, name) == 0)
            return p->value;
    }
    return NULL;
}

static void
add_line(Ctx *ctx, Chain *chain, int dir, int priority, guint seq, char *text)
{
    Line *line = g_new0(Line, 1);

    line->priority = priority;
    line->seq = seq;
    line->n = ctx->nlines++;
    line->text = text;
    g_ptr_array_add(chain->lines[dir], line);
}

static bool
needs_conntrack(const Ctx *ctx, const char *where, const char *attr, GError **error)
{
    if (ctx->flags & MV_NWFILTER_COMPILE_CONNTRACK)
        return true;
    return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_CONFIG_UNSUPPORTED,
                        "%s: attribute '%s' needs connection tracking in the bridge family "
                        "(nf_conntrack_bridge), which this kernel does not offer", where, attr);
}

/* One concrete rule (variables substituted) into its chain(s). */
static bool
emit_rule(Ctx *ctx, const RuleInst *inst, const GPtrArray *attrs, GError **error)
{
    const MvNWFilterRule *rule = inst->rule;
    Chain *chain = chain_get(ctx, inst->filter);
    g_autofree char *where = g_strdup_printf("filter '%s', rule priority %d",
                                             inst->filter->name, rule->priority);
    const char *state = get(attrs, "state");
    const char *connlimit = get(attrs, "connlimit-above");
    const char *comment = get(attrs, "comment");
    g_autofree char *comment_text = NULL;
    bool stateful = rule->proto && rule->proto->layer == MV_NWFILTER_LAYER_L4 &&
                    rule->action == MV_NWFILTER_ACTION_ACCEPT && rule->statematch && !state &&
                    rule->direction != MV_NWFILTER_DIR_INOUT;

    if (state && strcmp(state, "NONE") == 0)
        state = NULL;
    if (state && !needs_conntrack(ctx, where, "state", error))
        return false;
    if (connlimit && !needs_conntrack(ctx, where, "connlimit-above", error))
        return false;
    if (comment)
        comment_text = g_strdup_printf(" comment \"%.*s\"", COMMENT_MAX, comment);
    for (int dir = 0; dir < 2; dir++) {
        bool primary = rule->direction == MV_NWFILTER_DIR_INOUT ||
                       (int)rule->direction == (dir == 0 ? MV_NWFILTER_DIR_OUT
                                                         : MV_NWFILTER_DIR_IN);
        g_autoptr(GString) text = g_string_new(NULL);

        if (!primary && !stateful)
            continue;
        if (rule->proto && !mv_nwfilter_emit_matches(text, rule->proto, rule->match_no, attrs,
                                                     !primary, where, error))
            return false;
        if (primary && state) {
            g_autofree char *lower = g_ascii_strdown(state, -1);
            g_string_append_printf(text, " ct state %s", lower);
        } else if (stateful && (ctx->flags & MV_NWFILTER_COMPILE_CONNTRACK)) {
            g_string_append(text, primary ? " ct state new,established" : " ct state established");
        }
        if (primary && connlimit)
            g_string_append_printf(text, " ct count over %s", connlimit);
        g_string_append_printf(text, " %s%s", verdict(ctx, rule->action, dir),
                               comment_text ? comment_text : "");
        add_line(ctx, chain, dir, rule->priority, inst->seq, g_string_free(g_steal_pointer(&text),
                                                                         FALSE));
    }
    return true;
}

typedef struct {
    guint attr;                 /* index in the rule's attrs */
    char *name;
    int iterator, index;
    int group;                  /* -1 for an index */
} VarRef;

typedef struct {
    char *key;                  /* "$NAME" or "@N" */
    guint len;
} Group;

static void
varref_clear(gpointer p)
{
    g_free(((VarRef *)p)->name);
}

static void
group_clear(gpointer p)
{
    g_free(((Group *)p)->key);
}

static bool
var_unset(const RuleInst *inst, const char *name, bool *skip, GError **error)
{
    GPtrArray *learning = vars_get(inst->vars, "CTRL_IP_LEARNING");
    bool ip = strcmp(name, "IP") == 0 || strcmp(name, "IPV6") == 0;

    if (ip && learning && learning->len &&
        g_ascii_strcasecmp(g_ptr_array_index(learning, 0), "none") == 0) {
        *skip = true;   /* no learning: the rules that need the address are left out */
        return true;
    }
    if (ip)
        return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_INVALID_ARG,
                            "filter '%s' uses variable '%s', which is not set: modvirt-filterd "
                            "does not learn addresses; give the parameter %s in the binding (or "
                            "CTRL_IP_LEARNING='none' to leave out the rules that use it)",
                            inst->filter->name, name, name);
    return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_INVALID_ARG,
                        "filter '%s' uses variable '%s', which is not set; give it as a "
                        "parameter", inst->filter->name, name);
}

static bool
expand_rule(Ctx *ctx, const RuleInst *inst, GError **error)
{
    const MvNWFilterRule *rule = inst->rule;
    g_autoptr(GArray) refs = g_array_new(FALSE, TRUE, sizeof(VarRef));
    g_autoptr(GArray) groups = g_array_new(FALSE, TRUE, sizeof(Group));
    g_autofree guint *pos = NULL;
    guint total = 1;

    g_array_set_clear_func(refs, varref_clear);
    g_array_set_clear_func(groups, group_clear);
    for (guint i = 0; i < rule->attrs->len; i++) {
        const MvNWFilterParam *p = g_ptr_array_index(rule->attrs, i);
        VarRef ref = { .attr = i, .group = -1 };
        GPtrArray *list;
        g_autofree char *key = NULL;
        bool skip = false;

        if (!mv_nwfilter_var_parse(p->value, &ref.name, &ref.iterator, &ref.index))
            continue;
        g_array_append_val(refs, ref);
        if (!(list = vars_get(inst->vars, ref.name))) {
            if (!var_unset(inst, ref.name, &skip, error))
                return false;
            if (skip)
                return true;
        }
        if (ref.index >= 0) {
            if ((guint)ref.index >= list->len)
                return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_INVALID_ARG,
                                    "filter '%s': '%s' has no value %d (it has %u)",
                                    inst->filter->name, p->value, ref.index, list->len);
            continue;
        }
        key = ref.iterator >= 0 ? g_strdup_printf("@%d", ref.iterator)
                                : g_strdup_printf("$%s", ref.name);
        for (guint g = 0; g < groups->len; g++) {
            Group *group = &g_array_index(groups, Group, g);

            if (strcmp(group->key, key) != 0)
                continue;
            g_array_index(refs, VarRef, refs->len - 1).group = (int)g;
            if (group->len != list->len)
                return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_INVALID_ARG,
                                    "filter '%s': the variables iterated together by [%s] "
                                    "have different numbers of values (%u and %u)",
                                    inst->filter->name, key, group->len, list->len);
        }
        if (g_array_index(refs, VarRef, refs->len - 1).group < 0) {
            Group group = { .key = g_steal_pointer(&key), .len = list->len };

            g_array_index(refs, VarRef, refs->len - 1).group = (int)groups->len;
            g_array_append_val(groups, group);
            if (group.len == 0)
                return true;
            if (total > MAX_EXPANSION / group.len)
                return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_INVALID_ARG,
                                    "filter '%s': a rule would expand to more than %d rules",
                                    inst->filter->name, MAX_EXPANSION);
            total *= group.len;
        }
    }
    pos = g_new0(guint, groups->len + 1);
    for (guint n = 0; n < total; n++) {
        g_autoptr(GPtrArray) attrs = g_ptr_array_new_with_free_func(g_free);

        for (guint i = 0, r = 0; i < rule->attrs->len; i++) {
            const MvNWFilterParam *p = g_ptr_array_index(rule->attrs, i);
            MvNWFilterParam *concrete = g_new0(MvNWFilterParam, 1);

            concrete->name = p->name;
            concrete->value = p->value;
            if (r < refs->len && g_array_index(refs, VarRef, r).attr == i) {
                const VarRef *ref = &g_array_index(refs, VarRef, r++);
                GPtrArray *list = vars_get(inst->vars, ref->name);
                guint at = ref->index >= 0 ? (guint)ref->index : pos[ref->group];
                g_autofree char *where = g_strdup_printf("filter '%s', variable '%s'",
                                                         inst->filter->name, ref->name);

                concrete->value = g_ptr_array_index(list, at);
                if (!mv_nwfilter_value_check(mv_nwfilter_proto_attr(rule->proto, p->name),
                                             concrete->value, where, error)) {
                    g_free(concrete);
                    return false;
                }
            }
            g_ptr_array_add(attrs, concrete);
        }
        if (!emit_rule(ctx, inst, attrs, error))
            return false;
        for (guint g = groups->len; g-- > 0;) {     /* odometer, last group fastest */
            if (++pos[g] < g_array_index(groups, Group, g).len)
                break;
            pos[g] = 0;
        }
    }
    return true;
}

/* ---- output ---- */

static int
line_cmp(gconstpointer a, gconstpointer b)
{
    const Line *x = *(Line *const *)a, *y = *(Line *const *)b;

    if (x->priority != y->priority)
        return x->priority < y->priority ? -1 : 1;
    if (x->seq != y->seq)
        return x->seq < y->seq ? -1 : 1;
    return x->n < y->n ? -1 : x->n > y->n;
}

static int
chain_cmp(gconstpointer a, gconstpointer b)
{
    const Chain *x = *(Chain *const *)a, *y = *(Chain *const *)b;

    if (x->priority != y->priority)
        return x->priority < y->priority ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The frames a protocol sub-chain sees: by its name's prefix. */
static const char *
chain_match(const char *name)
{
    static const char *const matches[][2] = {
        { "stp", " ether daddr 01:80:c2:00:00:00" },
        { "mac", "" },
        { "vlan", " ether type 8021q" },
        { "ipv4", " ether type ip" },
        { "ipv6", " ether type ip6" },
        { "arp", " ether type arp" },
        { "rarp", " ether type 0x8035" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(matches); i++) {
        gsize n = strlen(matches[i][0]);

        if (strncmp(name, matches[i][0], n) == 0 && (name[n] == '\0' || name[n] == '-'))
            return matches[i][1];
    }
    return "";
}

static char *
chain_nft_name(const char *ifname, int dir, const char *chain)
{
    if (strcmp(chain, "root") == 0)
        return g_strdup_printf("nwf-%s-%c", ifname, dir == 0 ? 'o' : 'i');
    return g_strdup_printf("nwf-%s-%c-%s", ifname, dir == 0 ? 'o' : 'i', chain);
}

static bool
ifname_ok(const char *ifname, GError **error)
{
    if (ifname && *ifname && strlen(ifname) < 16 &&
        strspn(ifname, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
            strlen(ifname))
        return true;
    return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_CONFIG_UNSUPPORTED,
                        "port device name '%s' is not supported for filtering: use at most 15 "
                        "letters, digits, '_', '.' or '-'", ifname ? ifname : "");
}

char *
mv_nwfilter_compile(const char *ifname, const char *filter, const MvNWFilterVars *vars,
                    MvNWFilterLookup lookup, gpointer user_data, unsigned int flags,
                    GStrv *ret_chains, GError **error)
{
    Ctx ctx = { .lookup = lookup, .user_data = user_data, .flags = flags, .ifname = ifname };
    g_autoptr(GPtrArray) stack = g_ptr_array_new();
    g_autoptr(GPtrArray) rules = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) chains = g_ptr_array_new_with_free_func(chain_free);
    g_autoptr(GPtrArray) pool = g_ptr_array_new_with_free_func(
        (GDestroyNotify)mv_nwfilter_vars_free);
    g_autoptr(GStrvBuilder) names = g_strv_builder_new();
    g_autoptr(GString) out = g_string_new(NULL);
    const MvNWFilterDef *top;
    Chain *root;

    if (!ifname_ok(ifname, error))
        return NULL;
    ctx.stack = stack;
    ctx.rules = rules;
    ctx.chains = chains;
    ctx.vars = pool;
    if (!(top = lookup(filter, user_data)))
        return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_NO_NWFILTER,
                            "filter '%s' is not defined", filter),
               NULL;
    if (!walk(&ctx, top, vars, error))
        return NULL;
    for (guint i = 0; i < rules->len; i++) {
        if (!expand_rule(&ctx, g_ptr_array_index(rules, i), error))
            return NULL;
    }
    /* The root chain first, the sub-chains by priority; jumps into them from root. */
    g_ptr_array_sort(chains, chain_cmp);
    root = NULL;
    for (guint i = 0; i < chains->len; i++) {
        Chain *c = g_ptr_array_index(chains, i);

        if (strcmp(c->name, "root") == 0) {
            root = c;
            g_ptr_array_steal_index(chains, i);
            g_ptr_array_insert(chains, 0, root);
            break;
        }
    }
    if (!root) {
        MvNWFilterDef fake = { .name = (char *)"root", .chain = (char *)"root" };

        chain_get(&ctx, &fake);
        root = g_ptr_array_steal_index(chains, chains->len - 1);
        g_ptr_array_insert(chains, 0, root);
    }
    for (guint i = 1; i < chains->len; i++) {
        Chain *c = g_ptr_array_index(chains, i);

        for (int dir = 0; dir < 2; dir++) {
            g_autofree char *target = chain_nft_name(ifname, dir, c->name);

            add_line(&ctx, root, dir, c->priority, c->seq,
                     g_strdup_printf("%s jump %s", chain_match(c->name), target));
        }
    }
    g_string_append_printf(out, "# modvirt nwfilter: %s on %s\n", filter, ifname);
    for (guint i = 0; i < chains->len; i++) {
        Chain *c = g_ptr_array_index(chains, i);

        for (int dir = 0; dir < 2; dir++) {
            g_autofree char *name = chain_nft_name(ifname, dir, c->name);

            g_string_append_printf(out, "add chain bridge modvirt %s\n", name);
            g_strv_builder_add(names, name);
        }
    }
    for (guint i = 0; i < chains->len; i++) {
        Chain *c = g_ptr_array_index(chains, i);

        for (int dir = 0; dir < 2; dir++) {
            g_autofree char *name = chain_nft_name(ifname, dir, c->name);

            g_ptr_array_sort(c->lines[dir], line_cmp);
            for (guint j = 0; j < c->lines[dir]->len; j++) {
                const Line *line = g_ptr_array_index(c->lines[dir], j);

                g_string_append_printf(out, "add rule bridge modvirt %s%s\n", name, line->text);
            }
        }
    }
    g_string_append_printf(out, "add element bridge modvirt nwf-out { \"%s\" : jump nwf-%s-o }\n",
                           ifname, ifname);
    g_string_append_printf(out, "add element bridge modvirt nwf-in { \"%s\" : jump nwf-%s-i }\n",
                           ifname, ifname);
    if (ret_chains)
        *ret_chains = g_strv_builder_end(names);
    return g_string_free(g_steal_pointer(&out), FALSE);
}

char *
mv_nwfilter_nft_base(void)
{
    return g_strdup(
        "add table bridge modvirt\n"
        "add map bridge modvirt nwf-out { type ifname : verdict; }\n"
        "add map bridge modvirt nwf-in { type ifname : verdict; }\n"
        "add chain bridge modvirt nwf-prerouting "
        "{ type filter hook prerouting priority -150; policy accept; }\n"
        "add chain bridge modvirt nwf-postrouting "
        "{ type filter hook postrouting priority -150; policy accept; }\n"
        "flush chain bridge modvirt nwf-prerouting\n"
        "add rule bridge modvirt nwf-prerouting iifname vmap @nwf-out\n"
        "flush chain bridge modvirt nwf-postrouting\n"
        "add rule bridge modvirt nwf-postrouting oifname vmap @nwf-in\n");
}

char *
mv_nwfilter_nft_remove(const char *ifname, const char *const *chains)
{
    GString *out = g_string_new(NULL);

    g_string_append_printf(out, "delete element bridge modvirt nwf-out { \"%s\" }\n", ifname);
    g_string_append_printf(out, "delete element bridge modvirt nwf-in { \"%s\" }\n", ifname);
    for (gsize i = 0; chains && chains[i]; i++)
        g_string_append_printf(out, "flush chain bridge modvirt %s\n", chains[i]);
    for (gsize i = 0; chains && chains[i]; i++)
        g_string_append_printf(out, "delete chain bridge modvirt %s\n", chains[i]);
    return g_string_free(out, FALSE);
}
