/* virsh blkdeviotune (virDomainSetBlockIoTune / virDomainGetBlockIoTune, issue 13
 * item 6): a disk's <iotune>. --live goes to QEMU (QMP block_set_io_throttle) and
 * is read back from QEMU (query-block); --config changes the definition. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-dispatch.h"

#include <string.h>

#include "conf/domain-tune.h"
#include "driver/affect.h"
#include "qemu-handlers-tune.h"
#include "qemu-persist.h"
#include "qemu-process.h"
#include "qemu-tune.h"

#define AFFECT_LIVE MV_DRIVER_AFFECT_LIVE
#define AFFECT_CONFIG MV_DRIVER_AFFECT_CONFIG
#define STRING_OKAY 4u

/* The disk @name (target or source path) of @def, or NULL with an error. */
static MvDomainDiskDef *
find_disk(const MvDomainDef *def, const char *name, GError **error)
{
    for (size_t i = 0; name && i < def->ndisks; i++) {
        MvDomainDiskDef *d = def->disks[i];

        if (g_strcmp0(d->target_dev, name) == 0 || g_strcmp0(d->source, name) == 0)
            return d;
    }
    mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                 "invalid argument: disk '%s' was not found in the domain (see virsh "
                 "domblklist)", name ? name : "");
    return NULL;
}

static bool
begin(MvDriverCall *call, const MvObjectRef *ref, const char *api, unsigned int *flags,
      unsigned int rules, MvQemuDomain **ret_dom, GError **error)
{
    g_autoptr(MvQemuDomain) dom = NULL;
    bool ok;

    if (!(dom = mv_qemu_dispatch_get_domain(call, ref, error)) ||
        !mv_qemu_dispatch_begin_job(dom, api, error))
        return false;
    g_mutex_lock(&dom->lock);
    ok = mv_driver_affect_resolve(&mv_qemu_domain_class, flags, mv_qemu_domain_is_active(dom),
                                  dom->persistent, rules, error);
    g_mutex_unlock(&dom->lock);
    if (!ok) {
        mv_qemu_process_end_job(mv_qemu_driver_get(call), dom);
        return false;
    }
    *ret_dom = g_steal_pointer(&dom);
    return true;
}

bool
mv_qemu_handle_domain_get_block_io_tune(MvDriverCall *call, const MvObjectRef *dom_ref,
                                        const char *disk, int nparams, unsigned int flags,
                                        MvTypedParam **ret_params, guint *ret_n_params,
                                        int *ret_nparams, GError **error)
{
    const char *api = "virDomainGetBlockIoTune";
    g_autoptr(MvQemuDomain) dom = NULL;
    MvDomainDiskIotune values = { { 0 } };
    MvQemuMonitor *mon = NULL;
    g_autofree char *alias = NULL;
    g_autoptr(MvDomainDiskDef) live_disk = NULL;
    GArray *all;
    bool ok = true;

    if (!mv_qemu_dispatch_check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG | STRING_OKAY, api,
                                      error))
        return false;
    flags &= ~STRING_OKAY;
    if (nparams == 0) {
        /* The count: the same for every disk. */
        *ret_params = NULL;
        *ret_n_params = 0;
        *ret_nparams = MV_DOMAIN_IOTUNE_LAST;
        return true;
    }
    if (!begin(call, dom_ref, api, &flags, MV_DRIVER_AFFECT_EXCLUSIVE, &dom, error))
        return false;
    g_mutex_lock(&dom->lock);
    {
        bool live = flags & AFFECT_LIVE;
        const MvDomainDef *def = live ? dom->live : dom->newdef ? dom->newdef : dom->def;
        MvDomainDiskDef *d = def ? find_disk(def, disk, error) : NULL;

        if (!def)
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_OPERATION_INVALID,
                         "Requested operation is not valid: domain is not running");

        ok = d != NULL;
        if (ok && live)
            live_disk = mv_domain_disk_def_copy(d);
        else if (ok && d->iotune)
            values = *d->iotune;
        mon = dom->monitor;
    }
    g_mutex_unlock(&dom->lock);
    /* The job keeps the monitor alive while the lock is dropped. */
    if (ok && live_disk)
        ok = mv_qemu_tune_get_iotune(mon, live_disk, &values, error);
    mv_qemu_process_end_job(mv_qemu_driver_get(call), dom);
    if (!ok)
        return false;
    all = mv_typed_params_new();
    for (int f = 0; f < MV_DOMAIN_IOTUNE_LAST && (int)all->len < nparams; f++)
        mv_typed_params_append_ullong(all, mv_domain_iotune_name(f), values.v[f]);
    *ret_n_params = all->len;
    *ret_params = (MvTypedParam *)(void *)g_array_free(all, FALSE);
    *ret_nparams = 0;
    return true;
}

static bool
given(const MvTypedParam *params, guint n, MvDomainIotuneField f)
{
    for (guint i = 0; i < n; i++)
        if (g_str_equal(params[i].field, mv_domain_iotune_name(f)))
            return true;
    return false;
}

/* @params applied to @iotune (a copy). */
static bool
edit(MvDomainDiskIotune *iotune, const char *disk, const MvTypedParam *params, guint n,
     GError **error)
{
    for (guint i = 0; i < n; i++) {
        int f = 0;

        while (f < MV_DOMAIN_IOTUNE_LAST &&
               !g_str_equal(mv_domain_iotune_name(f), params[i].field))
            f++;
        if (f == MV_DOMAIN_IOTUNE_LAST)
            return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                                "argument unsupported: parameter '%s' is not supported "
                                "(modvirt-qemud has the bytes/iops limits, their maxima and "
                                "size_iops_sec; no group_name or *_max_length)",
                                params[i].field);
        if (params[i].type != MV_TYPED_PARAM_ULLONG || params[i].value.ul > G_MAXINT64)
            return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                                "invalid argument: parameter '%s' must be an unsigned long "
                                "long up to %" G_GINT64_FORMAT, params[i].field, G_MAXINT64);
        iotune->v[f] = params[i].value.ul;
    }
    /* A new total replaces the old read/write pair and the reverse (triples
     * total/read/write: bytes, iops and their maxima). */
    for (int base = 0; base < 12; base += 3) {
        bool total = given(params, n, base) && iotune->v[base];
        bool pair = (given(params, n, base + 1) && iotune->v[base + 1]) ||
                    (given(params, n, base + 2) && iotune->v[base + 2]);

        if (total && !given(params, n, base + 1) && !given(params, n, base + 2))
            iotune->v[base + 1] = iotune->v[base + 2] = 0;
        if (pair && !given(params, n, base))
            iotune->v[base] = 0;
    }
    return mv_domain_iotune_check(iotune, disk, error);
}

/* Puts @iotune (copied; NULL when every value is 0) on @d. */
static void
store(MvDomainDiskDef *d, const MvDomainDiskIotune *iotune)
{
    bool any = false;

    for (int f = 0; f < MV_DOMAIN_IOTUNE_LAST; f++)
        any = any || iotune->v[f];
    g_free(d->iotune);
    d->iotune = any ? g_memdup2(iotune, sizeof(*iotune)) : NULL;
}

bool
mv_qemu_handle_domain_set_block_io_tune(MvDriverCall *call, const MvObjectRef *dom_ref,
                                        const char *disk, const MvTypedParam *params,
                                        guint n_params, unsigned int flags, GError **error)
{
    const char *api = "virDomainSetBlockIoTune";
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvQemuDomain) dom = NULL;
    bool ok = true;

    if (!mv_qemu_dispatch_check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG, api, error) ||
        !begin(call, dom_ref, api, &flags, MV_DRIVER_AFFECT_NEED_PERSISTENT, &dom, error))
        return false;
    /* Live: computed under the lock, sent to QEMU without it (the job keeps
     * the monitor), then recorded. */
    if (flags & AFFECT_LIVE) {
        g_autoptr(MvDomainDiskDef) copy = NULL;
        MvQemuMonitor *mon;
        MvDomainDiskIotune v = { { 0 } };
        MvDomainDiskDef *d;

        g_mutex_lock(&dom->lock);
        mon = dom->monitor;
        if (!dom->live)
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_OPERATION_INVALID,
                         "Requested operation is not valid: domain is not running");
        else if ((d = find_disk(dom->live, disk, error))) {
            copy = mv_domain_disk_def_copy(d);
            if (d->iotune)
                v = *d->iotune;
        }
        g_mutex_unlock(&dom->lock);
        ok = copy && edit(&v, copy->target_dev, params, n_params, error) &&
             mv_qemu_tune_set_iotune(mon, copy, &v, error);
        g_mutex_lock(&dom->lock);
        if (ok && dom->live && (d = find_disk(dom->live, copy->target_dev, NULL))) {
            store(d, &v);
            if (!mv_qemu_persist_save_status(driver, dom, NULL))
                dom->status_dirty = true;
        }
        g_mutex_unlock(&dom->lock);
    }
    g_mutex_lock(&dom->lock);
    if (ok && (flags & AFFECT_CONFIG)) {
        g_autoptr(MvDomainDef) def = mv_domain_def_copy(dom->newdef ? dom->newdef : dom->def);
        MvDomainDiskDef *d = find_disk(def, disk, error);
        MvDomainDiskIotune v = { { 0 } };

        if (d && d->iotune)
            v = *d->iotune;
        if ((ok = d && edit(&v, d->target_dev, params, n_params, error))) {
            store(d, &v);
            ok = mv_qemu_persist_replace_def(driver, dom, &def, error);
        }
    }
    g_mutex_unlock(&dom->lock);
    mv_qemu_process_end_job(driver, dom);
    return ok;
}
