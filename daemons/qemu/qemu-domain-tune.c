/* virsh schedinfo, memtune, blkiotune, numatune (typed parameters) and the
 * vcpupin / emulatorpin setters (issue 13 item 6). --live changes go to the
 * guest's cgroups / thread affinity (qemu-tune.c) and the live definition,
 * --config changes to the persistent definition's <cputune>, <memtune>,
 * <blkiotune>, <numatune>. Live values are read back from the cgroup files. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-dispatch.h"

#include <string.h>

#include "driver/affect.h"
#include "qemu-handlers-tune.h"
#include "qemu-persist.h"
#include "qemu-process.h"
#include "qemu-tune.h"

#define AFFECT_LIVE MV_DRIVER_AFFECT_LIVE
#define AFFECT_CONFIG MV_DRIVER_AFFECT_CONFIG
#define STRING_OKAY 4u          /* VIR_TYPED_PARAM_STRING_OKAY */

/* ---- the frame every call shares ---- */

/* A tuning call on a domain: the job (setters), the resolved flags. */
typedef struct {
    MvQemuDriver *driver;
    MvQemuDomain *dom;
    bool job;
    bool live;
    bool config;
} TuneCall;

static bool
tune_begin(TuneCall *tc, MvDriverCall *call, const MvObjectRef *ref, const char *api,
           unsigned int *flags, bool modify, GError **error)
{
    bool ok;

    memset(tc, 0, sizeof(*tc));
    tc->driver = mv_qemu_driver_get(call);
    if (!(tc->dom = mv_qemu_dispatch_get_domain(call, ref, error)))
        return false;
    if (!mv_qemu_dispatch_begin_job(tc->dom, api, error))
        return false;
    tc->job = true;
    g_mutex_lock(&tc->dom->lock);
    ok = mv_driver_affect_resolve(&mv_qemu_domain_class, flags,
                                  mv_qemu_domain_is_active(tc->dom), tc->dom->persistent,
                                  modify ? MV_DRIVER_AFFECT_NEED_PERSISTENT
                                         : MV_DRIVER_AFFECT_EXCLUSIVE, error);
    g_mutex_unlock(&tc->dom->lock);
    tc->live = ok && (*flags & AFFECT_LIVE);
    tc->config = ok && (*flags & AFFECT_CONFIG);
    return ok;
}

static void
tune_end(TuneCall *tc)
{
    if (tc->job)
        mv_qemu_process_end_job(tc->driver, tc->dom);
    mv_qemu_domain_unref(tc->dom);
}

/* The start of a query: @flags checked (VIR_TYPED_PARAM_STRING_OKAY allowed), the
 * domain found and its lock held.  On false nothing is held. */
static bool
tune_get_begin(TuneCall *tc, MvDriverCall *call, const MvObjectRef *ref, const char *api,
               unsigned int flags, GError **error)
{
    if (!mv_qemu_dispatch_check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG | STRING_OKAY, api,
                                      error))
        return false;
    flags &= ~STRING_OKAY;
    if (!tune_begin(tc, call, ref, api, &flags, false, error)) {
        tune_end(tc);
        return false;
    }
    g_mutex_lock(&tc->dom->lock);
    return true;
}

/* The tuning of the definition the call reads (lock held): never NULL. */
static const MvDomainTuneDef *
read_tune(TuneCall *tc)
{
    static const MvDomainTuneDef empty = { 0 };
    const MvDomainDef *def = tc->live ? tc->dom->live
                                      : (tc->dom->newdef ? tc->dom->newdef : tc->dom->def);

    return def->tune ? def->tune : &empty;
}

/* Changes one definition's tuning through @edit, under the lock. LIVE first:
 * @apply puts the values on the guest, then the live definition and status are
 * updated; CONFIG: the persistent definition is rewritten. */
typedef bool (*TuneEdit)(MvDomainTuneDef *tune, gpointer data, GError **error);
typedef bool (*TuneApply)(TuneCall *tc, const MvDomainTuneDef *tune, gpointer data,
                          GError **error);

static bool
set_def_tune(MvDomainDef *def, TuneEdit edit, gpointer data, GError **error)
{
    g_autoptr(MvDomainTuneDef) tune = def->tune ? mv_domain_tune_def_copy(def->tune)
                                                : g_new0(MvDomainTuneDef, 1);

    if (!edit(tune, data, error))
        return false;
    mv_domain_tune_def_free(def->tune);
    def->tune = mv_domain_tune_def_is_empty(tune) ? NULL : g_steal_pointer(&tune);
    return true;
}

static bool
tune_change(TuneCall *tc, TuneEdit edit, TuneApply apply, gpointer data, GError **error)
{
    MvQemuDomain *dom = tc->dom;
    bool ok = true;

    g_mutex_lock(&dom->lock);
    if (tc->live && !dom->live) {
        g_mutex_unlock(&dom->lock);
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: domain is not running");
    }
    if (tc->live) {
        g_autoptr(MvDomainDef) live = mv_domain_def_copy(dom->live);

        ok = set_def_tune(live, edit, data, error) && mv_qemu_tune_check(live, error) &&
             apply(tc, live->tune, data, error);
        if (ok) {
            MvDomainDef *old = dom->live;

            dom->live = g_steal_pointer(&live);
            mv_domain_def_free(old);
            /* The guest has the values now: a failed status write is retried. */
            if (!mv_qemu_persist_save_status(tc->driver, dom, NULL))
                dom->status_dirty = true;
        }
    }
    if (ok && tc->config) {
        g_autoptr(MvDomainDef) def = mv_domain_def_copy(dom->newdef ? dom->newdef : dom->def);

        ok = set_def_tune(def, edit, data, error) && mv_qemu_tune_check(def, error) &&
             mv_qemu_persist_replace_def(tc->driver, dom, &def, error);
    }
    g_mutex_unlock(&dom->lock);
    return ok;
}

/* ---- typed parameters ---- */

static const MvTypedParam *
find_param(const MvTypedParam *params, guint n, const char *field)
{
    for (guint i = 0; i < n; i++)
        if (g_str_equal(params[i].field, field))
            return &params[i];
    return NULL;
}

/* Every parameter is one of @names (NULL-terminated) with type @types[i]. */
static bool
check_params(const MvTypedParam *params, guint n, const char *const *names, const int *types,
             GError **error)
{
    for (guint i = 0; i < n; i++) {
        guint j = 0;

        while (names[j] && !g_str_equal(names[j], params[i].field))
            j++;
        if (!names[j]) {
            g_autofree char *list = g_strjoinv(", ", (char **)names);

            return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                                "argument unsupported: parameter '%s' is not known here: "
                                "use %s", params[i].field, list);
        }
        if (params[i].type != types[j])
            return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                                "invalid argument: parameter '%s' has the wrong type %d "
                                "(expected %d)", params[i].field, params[i].type, types[j]);
        for (guint k = 0; k < i; k++)
            if (g_str_equal(params[k].field, params[i].field))
                return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                                    "invalid argument: parameter '%s' is given twice",
                                    params[i].field);
    }
    return true;
}

/* Frees the entries of @all from @keep on and drops them. */
static void
params_truncate(GArray *all, guint keep)
{
    for (guint i = keep; i < all->len; i++) {
        MvTypedParam *p = &g_array_index(all, MvTypedParam, i);

        g_free(p->field);
        if (p->type == MV_TYPED_PARAM_STRING)
            g_free(p->value.s);
    }
    if (keep < all->len)
        g_array_set_size(all, keep);
}

/* The reply of a two-call getter: @all (taken) cut to @nparams; 0 asks the count. */
static void
reply_params(GArray *all, int nparams, MvTypedParam **ret_params, guint *ret_n_params,
             int *ret_nparams)
{
    guint n = all->len;

    if (ret_nparams)
        *ret_nparams = nparams == 0 ? (int)n : 0;
    params_truncate(all, (nparams == 0 && ret_nparams) ? 0 : (guint)MAX(nparams, 0));
    if (!all->len) {
        g_array_unref(all);
        *ret_params = NULL;
        *ret_n_params = 0;
        return;
    }
    *ret_n_params = all->len;
    *ret_params = (MvTypedParam *)(void *)g_array_free(all, FALSE);
}

static void
append_llong(GArray *a, const char *field, gint64 v)
{
    MvTypedParam p = { .field = g_strdup(field), .type = MV_TYPED_PARAM_LLONG };

    p.value.l = v;
    g_array_append_val(a, p);
}

/* A number from a cgroup file (0 when it cannot be read: the controller is missing). */
static gint64
cgroup_num(MvQemuCgroup *cg, MvQemuCgroupController c, const char *child, const char *file)
{
    g_autofree char *text = NULL;

    if (!mv_qemu_cgroup_read(cg, c, child, file, &text, NULL))
        return 0;
    /* blkio.bfq.weight reads "default 100" */
    return g_ascii_strtoll(g_str_has_prefix(text, "default ") ? text + 8 : text, NULL, 10);
}

/* ---- schedinfo ---- */

static const char *const sched_names[] = {
    "cpu_shares", "vcpu_period", "vcpu_quota", "emulator_period", "emulator_quota",
    "global_period", "global_quota", NULL,
};
static const int sched_types[] = {
    MV_TYPED_PARAM_ULLONG, MV_TYPED_PARAM_ULLONG, MV_TYPED_PARAM_LLONG, MV_TYPED_PARAM_ULLONG,
    MV_TYPED_PARAM_LLONG, MV_TYPED_PARAM_ULLONG, MV_TYPED_PARAM_LLONG,
};
#define SCHED_NPARAMS 7

bool
mv_qemu_handle_domain_get_scheduler_type(MvDriverCall *call, const MvObjectRef *dom_ref,
                                         char **ret_type, int *ret_nparams, GError **error)
{
    g_autoptr(MvQemuDomain) dom = mv_qemu_dispatch_get_domain(call, dom_ref, error);

    if (!dom)
        return false;
    *ret_type = g_strdup("posix");
    *ret_nparams = SCHED_NPARAMS;
    return true;
}

static bool
get_sched(MvDriverCall *call, const MvObjectRef *ref, int nparams, unsigned int flags,
          const char *api, MvTypedParam **ret_params, guint *ret_n_params, GError **error)
{
    GArray *all;
    TuneCall tc;

    if (!tune_get_begin(&tc, call, ref, api, flags, error))
        return false;
    all = mv_typed_params_new();
    if (tc.live) {
        MvQemuCgroup *cg = tc.dom->cgroup;
        const MvQemuCgroupController cpu = MV_QEMU_CGROUP_CPU;

        mv_typed_params_append_ullong(all, "cpu_shares",
                                      cgroup_num(cg, cpu, NULL, "cpu.shares"));
        mv_typed_params_append_ullong(all, "vcpu_period",
                                      cgroup_num(cg, cpu, "vcpu0", "cpu.cfs_period_us"));
        append_llong(all, "vcpu_quota", cgroup_num(cg, cpu, "vcpu0", "cpu.cfs_quota_us"));
        mv_typed_params_append_ullong(all, "emulator_period",
                                      cgroup_num(cg, cpu, "emulator", "cpu.cfs_period_us"));
        append_llong(all, "emulator_quota",
                     cgroup_num(cg, cpu, "emulator", "cpu.cfs_quota_us"));
        mv_typed_params_append_ullong(all, "global_period",
                                      cgroup_num(cg, cpu, NULL, "cpu.cfs_period_us"));
        append_llong(all, "global_quota", cgroup_num(cg, cpu, NULL, "cpu.cfs_quota_us"));
    } else {
        const MvDomainTuneDef *t = read_tune(&tc);

        mv_typed_params_append_ullong(all, "cpu_shares", t->shares);
        mv_typed_params_append_ullong(all, "vcpu_period", t->period);
        append_llong(all, "vcpu_quota", t->quota);
        mv_typed_params_append_ullong(all, "emulator_period", t->emulator_period);
        append_llong(all, "emulator_quota", t->emulator_quota);
        mv_typed_params_append_ullong(all, "global_period", t->global_period);
        append_llong(all, "global_quota", t->global_quota);
    }
    g_mutex_unlock(&tc.dom->lock);
    tune_end(&tc);
    reply_params(all, nparams < 0 ? 0 : MAX(nparams, 1), ret_params, ret_n_params, NULL);
    return true;
}

bool
mv_qemu_handle_domain_get_scheduler_parameters(MvDriverCall *call, const MvObjectRef *dom_ref,
                                               int nparams, MvTypedParam **ret_params,
                                               guint *ret_n_params, GError **error)
{
    return get_sched(call, dom_ref, nparams, 0, "virDomainGetSchedulerParameters", ret_params,
                     ret_n_params, error);
}

bool
mv_qemu_handle_domain_get_scheduler_parameters_flags(MvDriverCall *call,
                                                     const MvObjectRef *dom_ref, int nparams,
                                                     unsigned int flags,
                                                     MvTypedParam **ret_params,
                                                     guint *ret_n_params, GError **error)
{
    return get_sched(call, dom_ref, nparams, flags, "virDomainGetSchedulerParametersFlags",
                     ret_params, ret_n_params, error);
}

typedef struct {
    const MvTypedParam *params;
    guint n;
} ParamSet;

/* A setter taking typed parameters: flags and parameter names/types checked,
 * then @edit on the definition and @apply to the running guest. */
static bool
tune_set(MvDriverCall *call, const MvObjectRef *ref, const char *api, unsigned int flags,
         const MvTypedParam *params, guint n, const char *const *names, const int *types,
         TuneEdit edit, TuneApply apply, GError **error)
{
    ParamSet ps = { params, n };
    TuneCall tc;
    bool ok;

    if (!mv_qemu_dispatch_check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG, api, error) ||
        !check_params(params, n, names, types, error))
        return false;
    ok = tune_begin(&tc, call, ref, api, &flags, true, error) &&
         tune_change(&tc, edit, apply, &ps, error);
    tune_end(&tc);
    return ok;
}

static bool
check_range(const char *field, guint64 v, guint64 min, guint64 max, GError **error)
{
    if (v < min || v > max)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "invalid argument: %s %" G_GUINT64_FORMAT " is out of range: "
                            "it must be from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT,
                            field, v, min, max);
    return true;
}

static bool
quota_value(const MvTypedParam *p, gint64 *slot, GError **error)
{
    if (p->value.l >= 0 &&
        !check_range(p->field, (guint64)p->value.l, MV_DOMAIN_TUNE_QUOTA_MIN,
                     MV_DOMAIN_TUNE_QUOTA_MAX, error))
        return false;
    *slot = p->value.l < 0 ? -1 : p->value.l;
    return true;
}

static bool
edit_sched(MvDomainTuneDef *t, gpointer data, GError **error)
{
    ParamSet *ps = data;

    for (guint i = 0; i < ps->n; i++) {
        const MvTypedParam *p = &ps->params[i];
        const char *f = p->field;

        if (g_str_equal(f, "cpu_shares")) {
            if (!check_range(f, p->value.ul, MV_DOMAIN_TUNE_SHARES_MIN,
                             MV_DOMAIN_TUNE_SHARES_MAX, error))
                return false;
            t->shares = p->value.ul;
        } else if (g_str_has_suffix(f, "_period")) {
            guint64 *slot = g_str_equal(f, "vcpu_period") ? &t->period
                            : g_str_equal(f, "emulator_period") ? &t->emulator_period
                                                                : &t->global_period;

            if (!check_range(f, p->value.ul, MV_DOMAIN_TUNE_PERIOD_MIN,
                             MV_DOMAIN_TUNE_PERIOD_MAX, error))
                return false;
            *slot = p->value.ul;
        } else {
            gint64 *slot = g_str_equal(f, "vcpu_quota") ? &t->quota
                           : g_str_equal(f, "emulator_quota") ? &t->emulator_quota
                                                              : &t->global_quota;

            if (!quota_value(p, slot, error))
                return false;
        }
    }
    return true;
}

static bool
apply_sched(TuneCall *tc, const MvDomainTuneDef *t, gpointer data, GError **error)
{
    ParamSet *ps = data;
    MvQemuCgroup *cg = tc->dom->cgroup;
    bool vcpu = find_param(ps->params, ps->n, "vcpu_period") ||
                find_param(ps->params, ps->n, "vcpu_quota");
    bool emulator = find_param(ps->params, ps->n, "emulator_period") ||
                    find_param(ps->params, ps->n, "emulator_quota");
    bool global = find_param(ps->params, ps->n, "global_period") ||
                  find_param(ps->params, ps->n, "global_quota");

    if (!t)
        return true;
    if (find_param(ps->params, ps->n, "cpu_shares") &&
        !mv_qemu_tune_set_shares(cg, t->shares, error))
        return false;
    if (global && !mv_qemu_tune_set_bandwidth(cg, NULL, t->global_period, t->global_quota,
                                              error))
        return false;
    if (emulator && !mv_qemu_tune_set_bandwidth(cg, "emulator", t->emulator_period,
                                                t->emulator_quota, error))
        return false;
    for (unsigned int i = 0; vcpu && cg && i < cg->nvcpus; i++) {
        g_autofree char *child = g_strdup_printf("vcpu%u", i);

        if (!mv_qemu_tune_set_bandwidth(cg, child, t->period, t->quota, error))
            return false;
    }
    if (vcpu && (!cg || !cg->nvcpus))
        return mv_qemu_tune_set_bandwidth(cg, "vcpu0", t->period, t->quota, error);
    return true;
}

static bool
set_sched(MvDriverCall *call, const MvObjectRef *ref, const MvTypedParam *params, guint n,
          unsigned int flags, const char *api, GError **error)
{
    return tune_set(call, ref, api, flags, params, n, sched_names, sched_types, edit_sched,
                    apply_sched, error);
}

bool
mv_qemu_handle_domain_set_scheduler_parameters(MvDriverCall *call, const MvObjectRef *dom_ref,
                                               const MvTypedParam *params, guint n_params,
                                               GError **error)
{
    return set_sched(call, dom_ref, params, n_params, 0, "virDomainSetSchedulerParameters",
                     error);
}

bool
mv_qemu_handle_domain_set_scheduler_parameters_flags(MvDriverCall *call,
                                                     const MvObjectRef *dom_ref,
                                                     const MvTypedParam *params,
                                                     guint n_params, unsigned int flags,
                                                     GError **error)
{
    return set_sched(call, dom_ref, params, n_params, flags,
                     "virDomainSetSchedulerParametersFlags", error);
}

/* ---- memtune ---- */

static const char *const mem_names[] = { "hard_limit", "soft_limit", "swap_hard_limit", NULL };
static const int mem_types[] = { MV_TYPED_PARAM_ULLONG, MV_TYPED_PARAM_ULLONG,
                                 MV_TYPED_PARAM_ULLONG };

/* A memory cgroup limit in KiB; "no limit" (PAGE_COUNTER_MAX pages) is unlimited. */
static guint64
cgroup_kib(MvQemuCgroup *cg, const char *file)
{
    g_autofree char *text = NULL;
    guint64 bytes;

    if (!mv_qemu_cgroup_read(cg, MV_QEMU_CGROUP_MEMORY, NULL, file, &text, NULL))
        return MV_DOMAIN_TUNE_MEMORY_UNLIMITED;
    bytes = g_ascii_strtoull(text, NULL, 10);
    return bytes >= (G_MAXINT64 / 2) ? MV_DOMAIN_TUNE_MEMORY_UNLIMITED : bytes / 1024;
}

static guint64
or_unlimited(guint64 kib)
{
    return kib ? kib : MV_DOMAIN_TUNE_MEMORY_UNLIMITED;
}

bool
mv_qemu_handle_domain_get_memory_parameters(MvDriverCall *call, const MvObjectRef *dom_ref,
                                            int nparams, unsigned int flags,
                                            MvTypedParam **ret_params, guint *ret_n_params,
                                            int *ret_nparams, GError **error)
{
    const char *api = "virDomainGetMemoryParameters";
    GArray *all;
    TuneCall tc;

    if (!tune_get_begin(&tc, call, dom_ref, api, flags, error))
        return false;
    all = mv_typed_params_new();
    if (tc.live) {
        MvQemuCgroup *cg = tc.dom->cgroup;

        mv_typed_params_append_ullong(all, "hard_limit",
                                      cgroup_kib(cg, "memory.limit_in_bytes"));
        mv_typed_params_append_ullong(all, "soft_limit",
                                      cgroup_kib(cg, "memory.soft_limit_in_bytes"));
        mv_typed_params_append_ullong(all, "swap_hard_limit",
                                      cgroup_kib(cg, "memory.memsw.limit_in_bytes"));
    } else {
        const MvDomainTuneDef *t = read_tune(&tc);

        mv_typed_params_append_ullong(all, "hard_limit", or_unlimited(t->hard_limit));
        mv_typed_params_append_ullong(all, "soft_limit", or_unlimited(t->soft_limit));
        mv_typed_params_append_ullong(all, "swap_hard_limit",
                                      or_unlimited(t->swap_hard_limit));
    }
    g_mutex_unlock(&tc.dom->lock);
    tune_end(&tc);
    reply_params(all, nparams, ret_params, ret_n_params, ret_nparams);
    return true;
}

static bool
edit_mem(MvDomainTuneDef *t, gpointer data, GError **error)
{
    ParamSet *ps = data;
    const MvTypedParam *hard = find_param(ps->params, ps->n, "hard_limit");
    const MvTypedParam *soft = find_param(ps->params, ps->n, "soft_limit");
    const MvTypedParam *swap = find_param(ps->params, ps->n, "swap_hard_limit");

    /* "unlimited" (or anything above it) clears the element. */
#define MEM_SET(p, slot) \
    if (p) (slot) = (p)->value.ul >= MV_DOMAIN_TUNE_MEMORY_UNLIMITED ? 0 : (p)->value.ul
    MEM_SET(hard, t->hard_limit);
    MEM_SET(soft, t->soft_limit);
    MEM_SET(swap, t->swap_hard_limit);
#undef MEM_SET
    if (t->hard_limit && t->swap_hard_limit && t->swap_hard_limit < t->hard_limit)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "invalid argument: swap_hard_limit (%" G_GUINT64_FORMAT " KiB) "
                            "must be at least hard_limit (%" G_GUINT64_FORMAT " KiB)",
                            t->swap_hard_limit, t->hard_limit);
    return true;
}

static bool
apply_mem(TuneCall *tc, const MvDomainTuneDef *t, gpointer data, GError **error)
{
    ParamSet *ps = data;

#define MEM_VALUE(name, v) \
    (find_param(ps->params, ps->n, name) ? or_unlimited(t ? (v) : 0) : 0)
    return mv_qemu_tune_set_memory(tc->dom->cgroup,
                                   MEM_VALUE("hard_limit", t->hard_limit),
                                   MEM_VALUE("soft_limit", t->soft_limit),
                                   MEM_VALUE("swap_hard_limit", t->swap_hard_limit), error);
#undef MEM_VALUE
}

bool
mv_qemu_handle_domain_set_memory_parameters(MvDriverCall *call, const MvObjectRef *dom_ref,
                                            const MvTypedParam *params, guint n_params,
                                            unsigned int flags, GError **error)
{
    return tune_set(call, dom_ref, "virDomainSetMemoryParameters", flags, params, n_params,
                    mem_names, mem_types, edit_mem, apply_mem, error);
}

/* ---- blkiotune ---- */

static const char *const blkio_names[] = {
    "weight", "device_weight", "device_read_iops_sec", "device_write_iops_sec",
    "device_read_bytes_sec", "device_write_bytes_sec", NULL,
};
static const int blkio_types[] = {
    MV_TYPED_PARAM_UINT, MV_TYPED_PARAM_STRING, MV_TYPED_PARAM_STRING, MV_TYPED_PARAM_STRING,
    MV_TYPED_PARAM_STRING, MV_TYPED_PARAM_STRING,
};

/* The offset of the device field a blkio parameter names (not "weight"). */
static size_t
blkio_field(const char *name)
{
    if (g_str_equal(name, "device_read_iops_sec"))
        return G_STRUCT_OFFSET(MvDomainBlkioDevice, read_iops_sec);
    if (g_str_equal(name, "device_write_iops_sec"))
        return G_STRUCT_OFFSET(MvDomainBlkioDevice, write_iops_sec);
    if (g_str_equal(name, "device_read_bytes_sec"))
        return G_STRUCT_OFFSET(MvDomainBlkioDevice, read_bytes_sec);
    return G_STRUCT_OFFSET(MvDomainBlkioDevice, write_bytes_sec);
}

/* "path,value,path,value" of one device field over @t's devices. */
static char *
blkio_list(const MvDomainTuneDef *t, const char *name)
{
    GString *out = g_string_new(NULL);

    for (size_t i = 0; i < t->nblkio_devices; i++) {
        const MvDomainBlkioDevice *d = &t->blkio_devices[i];
        guint64 v = g_str_equal(name, "device_weight")
                        ? d->weight
                        : G_STRUCT_MEMBER(guint64, d, blkio_field(name));

        if (!v)
            continue;
        g_string_append_printf(out, "%s%s,%" G_GUINT64_FORMAT, out->len ? "," : "", d->path, v);
    }
    return g_string_free(out, FALSE);
}

bool
mv_qemu_handle_domain_get_blkio_parameters(MvDriverCall *call, const MvObjectRef *dom_ref,
                                           int nparams, unsigned int flags,
                                           MvTypedParam **ret_params, guint *ret_n_params,
                                           int *ret_nparams, GError **error)
{
    const char *api = "virDomainGetBlkioParameters";
    bool strings = flags & STRING_OKAY;
    GArray *all;
    TuneCall tc;

    if (!tune_get_begin(&tc, call, dom_ref, api, flags, error))
        return false;
    all = mv_typed_params_new();
    {
        const MvDomainTuneDef *t = read_tune(&tc);
        unsigned int weight = t->blkio_weight;

        if (tc.live && mv_qemu_cgroup_has(tc.dom->cgroup, MV_QEMU_CGROUP_BLKIO)) {
            g_autofree char *bfq = g_build_filename(tc.dom->cgroup->paths[MV_QEMU_CGROUP_BLKIO],
                                                    "blkio.bfq.weight", NULL);

            weight = (unsigned int)cgroup_num(tc.dom->cgroup, MV_QEMU_CGROUP_BLKIO, NULL,
                                              g_file_test(bfq, G_FILE_TEST_EXISTS)
                                                  ? "blkio.bfq.weight" : "blkio.weight");
        }
        mv_typed_params_append_uint(all, "weight", weight);
        /* A client that cannot take strings gets the weight only (as libvirt does). */
        for (guint i = 1; strings && blkio_names[i]; i++) {
            g_autofree char *list = blkio_list(t, blkio_names[i]);

            mv_typed_params_append_string(all, blkio_names[i], list);
        }
    }
    g_mutex_unlock(&tc.dom->lock);
    tune_end(&tc);
    reply_params(all, nparams, ret_params, ret_n_params, ret_nparams);
    return true;
}

static MvDomainBlkioDevice *
blkio_device(MvDomainTuneDef *t, const char *path)
{
    MvDomainBlkioDevice *d;

    for (size_t i = 0; i < t->nblkio_devices; i++)
        if (g_str_equal(t->blkio_devices[i].path, path))
            return &t->blkio_devices[i];
    t->blkio_devices = g_renew(MvDomainBlkioDevice, t->blkio_devices, t->nblkio_devices + 1);
    d = &t->blkio_devices[t->nblkio_devices++];
    memset(d, 0, sizeof(*d));
    d->path = g_strdup(path);
    return d;
}

/* Drops devices with nothing set. */
static void
blkio_compact(MvDomainTuneDef *t)
{
    size_t j = 0;

    for (size_t i = 0; i < t->nblkio_devices; i++) {
        MvDomainBlkioDevice *d = &t->blkio_devices[i];

        if (!d->weight && !d->read_bytes_sec && !d->write_bytes_sec && !d->read_iops_sec &&
            !d->write_iops_sec) {
            g_free(d->path);
            continue;
        }
        t->blkio_devices[j++] = *d;
    }
    t->nblkio_devices = j;
}

static bool
edit_blkio_list(MvDomainTuneDef *t, const MvTypedParam *p, GError **error)
{
    g_auto(GStrv) items = g_strsplit(p->value.s ? p->value.s : "", ",", -1);
    guint n = g_strv_length(items);

    if (n == 1 && !*items[0])
        return true;
    if (n % 2)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "invalid argument: %s '%s': expected 'path,value' pairs "
                            "(/dev/sda,100)", p->field, p->value.s);
    for (guint i = 0; i < n; i += 2) {
        bool weight = g_str_equal(p->field, "device_weight");
        guint64 v;

        if (!g_path_is_absolute(items[i]) ||
            !g_ascii_string_to_unsigned(items[i + 1], 10, 0,
                                        weight ? MV_DOMAIN_TUNE_BLKIO_WEIGHT_MAX : G_MAXINT64,
                                        &v, NULL) ||
            (weight && v && v < MV_DOMAIN_TUNE_BLKIO_WEIGHT_MIN))
            return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                                "invalid argument: %s: '%s,%s' needs an absolute device path "
                                "and %s", p->field, items[i], items[i + 1],
                                weight ? "a weight from 100 to 1000 (0 removes it)"
                                       : "a number (0 removes the limit)");
        if (weight)
            blkio_device(t, items[i])->weight = (unsigned int)v;
        else
            G_STRUCT_MEMBER(guint64, blkio_device(t, items[i]), blkio_field(p->field)) = v;
    }
    return true;
}

static bool
edit_blkio(MvDomainTuneDef *t, gpointer data, GError **error)
{
    ParamSet *ps = data;

    for (guint i = 0; i < ps->n; i++) {
        const MvTypedParam *p = &ps->params[i];

        if (g_str_equal(p->field, "weight")) {
            if (!check_range("weight", p->value.ui, MV_DOMAIN_TUNE_BLKIO_WEIGHT_MIN,
                             MV_DOMAIN_TUNE_BLKIO_WEIGHT_MAX, error))
                return false;
            t->blkio_weight = p->value.ui;
        } else if (!edit_blkio_list(t, p, error)) {
            return false;
        }
    }
    blkio_compact(t);
    return true;
}

static bool
apply_blkio(TuneCall *tc, const MvDomainTuneDef *t, gpointer data, GError **error)
{
    ParamSet *ps = data;
    MvQemuCgroup *cg = tc->dom->cgroup;

    if (find_param(ps->params, ps->n, "weight") &&
        !mv_qemu_tune_set_blkio_weight(cg, t ? t->blkio_weight : 0, error))
        return false;
    /* Every device named in the call gets its value written, 0 included: a 0
     * removes the kernel's rule. The values were checked by edit_blkio. */
    for (guint i = 0; i < ps->n; i++) {
        g_auto(GStrv) items = NULL;

        if (ps->params[i].type != MV_TYPED_PARAM_STRING)
            continue;
        items = g_strsplit(ps->params[i].value.s ? ps->params[i].value.s : "", ",", -1);
        for (guint k = 0; items[k] && items[k + 1]; k += 2)
            if (!mv_qemu_tune_set_blkio_device_value(cg, items[k], ps->params[i].field,
                                                     g_ascii_strtoull(items[k + 1], NULL, 10),
                                                     error))
                return false;
    }
    return true;
}

bool
mv_qemu_handle_domain_set_blkio_parameters(MvDriverCall *call, const MvObjectRef *dom_ref,
                                           const MvTypedParam *params, guint n_params,
                                           unsigned int flags, GError **error)
{
    return tune_set(call, dom_ref, "virDomainSetBlkioParameters", flags, params, n_params,
                    blkio_names, blkio_types, edit_blkio, apply_blkio, error);
}

/* ---- numatune ---- */

/* virDomainNumatuneMemMode: 0 strict, 1 preferred, 2 interleave, 3 restrictive. */
static int
numa_mode_to_wire(MvDomainNumatuneMode m)
{
    return m == MV_DOMAIN_NUMATUNE_NONE ? 0 : (int)m - 1;
}

static const char *const numa_names[] = { "numa_mode", "numa_nodeset", NULL };
static const int numa_types[] = { MV_TYPED_PARAM_INT, MV_TYPED_PARAM_STRING };

bool
mv_qemu_handle_domain_get_numa_parameters(MvDriverCall *call, const MvObjectRef *dom_ref,
                                          int nparams, unsigned int flags,
                                          MvTypedParam **ret_params, guint *ret_n_params,
                                          int *ret_nparams, GError **error)
{
    const char *api = "virDomainGetNumaParameters";
    bool strings = flags & STRING_OKAY;
    GArray *all;
    TuneCall tc;

    if (!tune_get_begin(&tc, call, dom_ref, api, flags, error))
        return false;
    all = mv_typed_params_new();
    {
        const MvDomainTuneDef *t = read_tune(&tc);
        g_autofree char *nodeset = g_strdup(t->numa_nodeset ? t->numa_nodeset : "");

        if (tc.live && mv_qemu_cgroup_has(tc.dom->cgroup, MV_QEMU_CGROUP_CPUSET) &&
            t->numa_mode != MV_DOMAIN_NUMATUNE_NONE) {
            g_free(nodeset);
            nodeset = NULL;
            if (!mv_qemu_cgroup_read(tc.dom->cgroup, MV_QEMU_CGROUP_CPUSET, NULL,
                                     "cpuset.mems", &nodeset, NULL))
                nodeset = g_strdup("");
        }
        mv_typed_params_append_int(all, "numa_mode", numa_mode_to_wire(t->numa_mode));
        if (strings)
            mv_typed_params_append_string(all, "numa_nodeset", nodeset);
    }
    g_mutex_unlock(&tc.dom->lock);
    tune_end(&tc);
    reply_params(all, nparams, ret_params, ret_n_params, ret_nparams);
    return true;
}

typedef struct {
    ParamSet ps;
    bool live;
    MvDomainNumatuneMode old_mode;
} NumaSet;

static bool
edit_numa(MvDomainTuneDef *t, gpointer data, GError **error)
{
    NumaSet *ns = data;
    const MvTypedParam *mode = find_param(ns->ps.params, ns->ps.n, "numa_mode");
    const MvTypedParam *nodeset = find_param(ns->ps.params, ns->ps.n, "numa_nodeset");

    ns->old_mode = t->numa_mode;
    if (mode) {
        if (mode->value.i < 0 || mode->value.i > 3)
            return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                                "invalid argument: unknown numa_mode %d: use 0 (strict), "
                                "1 (preferred), 2 (interleave) or 3 (restrictive)",
                                mode->value.i);
        if (ns->live && (MvDomainNumatuneMode)(mode->value.i + 1) !=
                            (t->numa_mode ? t->numa_mode : MV_DOMAIN_NUMATUNE_STRICT))
            return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_OPERATION_INVALID,
                                "Requested operation is not valid: the numatune mode of a "
                                "running domain cannot change: use --config");
        t->numa_mode = (MvDomainNumatuneMode)(mode->value.i + 1);
    }
    if (nodeset) {
        g_autofree guint8 *map = NULL;

        if (!mv_domain_cpuset_parse(nodeset->value.s, "numa_nodeset", &map, error))
            return false;
        g_free(t->numa_nodeset);
        t->numa_nodeset = mv_domain_cpuset_format(map, MV_DOMAIN_CPUSET_MAX);
        if (t->numa_mode == MV_DOMAIN_NUMATUNE_NONE)
            t->numa_mode = MV_DOMAIN_NUMATUNE_STRICT;
    }
    if (t->numa_mode != MV_DOMAIN_NUMATUNE_NONE && !t->numa_nodeset)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "invalid argument: a numatune mode needs a nodeset "
                            "(numatune DOM --nodeset 0)");
    return true;
}

static bool
apply_numa(TuneCall *tc, const MvDomainTuneDef *t, gpointer data, GError **error)
{
    (void)data;
    return !t || mv_qemu_tune_set_numa_nodes(tc->dom->cgroup, t->numa_nodeset, error);
}

bool
mv_qemu_handle_domain_set_numa_parameters(MvDriverCall *call, const MvObjectRef *dom_ref,
                                          const MvTypedParam *params, guint n_params,
                                          unsigned int flags, GError **error)
{
    const char *api = "virDomainSetNumaParameters";
    NumaSet ns = { { params, n_params }, false, 0 };
    TuneCall tc;
    bool ok;

    if (!mv_qemu_dispatch_check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG, api, error) ||
        !check_params(params, n_params, numa_names, numa_types, error))
        return false;
    if (!tune_begin(&tc, call, dom_ref, api, &flags, true, error)) {
        tune_end(&tc);
        return false;
    }
    /* The live and config passes check the mode against their own definition. */
    ns.live = tc.live;
    if (tc.live && tc.config) {
        tc.config = false;
        ok = tune_change(&tc, edit_numa, apply_numa, &ns, error);
        tc.config = true;
        tc.live = ns.live = false;
        ok = ok && tune_change(&tc, edit_numa, apply_numa, &ns, error);
    } else {
        ok = tune_change(&tc, edit_numa, apply_numa, &ns, error);
    }
    tune_end(&tc);
    return ok;
}
