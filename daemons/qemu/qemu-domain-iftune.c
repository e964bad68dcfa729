/* virsh domiftune (virDomainSetInterfaceParameters / GetInterfaceParameters,
 * issue 13 item 6): a NIC's <bandwidth>. --live shapes the guest's tap with tc
 * (qemu-tune.c), --config changes the definition. Rates KiB/s, bursts KiB. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-dispatch.h"

#include <stdio.h>
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

static const struct {
    const char *name;
    bool in;
    size_t offset;
} params_table[] = {
    { "inbound.average", true, G_STRUCT_OFFSET(MvDomainNetRate, average) },
    { "inbound.peak", true, G_STRUCT_OFFSET(MvDomainNetRate, peak) },
    { "inbound.burst", true, G_STRUCT_OFFSET(MvDomainNetRate, burst) },
    { "inbound.floor", true, G_STRUCT_OFFSET(MvDomainNetRate, floor) },
    { "outbound.average", false, G_STRUCT_OFFSET(MvDomainNetRate, average) },
    { "outbound.peak", false, G_STRUCT_OFFSET(MvDomainNetRate, peak) },
    { "outbound.burst", false, G_STRUCT_OFFSET(MvDomainNetRate, burst) },
};

static guint64 *
slot(MvDomainNetBandwidth *bw, guint i)
{
    MvDomainNetRate *r = params_table[i].in ? &bw->in : &bw->out;

    return &G_STRUCT_MEMBER(guint64, r, params_table[i].offset);
}

/* "52:54:00:12:34:56" into @mac. */
static bool
parse_mac(const char *text, guint8 mac[6])
{
    unsigned int b[6];
    char end;

    if (sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
               &end) != 6)
        return false;
    for (int i = 0; i < 6; i++)
        mac[i] = (guint8)b[i];
    return true;
}

/* The NIC @device (tap name or MAC) of @def, or NULL with an error. */
static MvDomainNetDef *
find_net(const MvDomainDef *def, const char *device, GError **error)
{
    guint8 mac[6];
    bool is_mac = parse_mac(device, mac);

    for (size_t i = 0; def && i < def->nnets; i++) {
        MvDomainNetDef *n = def->nets[i];

        if (g_strcmp0(n->target_dev, device) == 0 || (is_mac && !memcmp(n->mac, mac, 6)))
            return n;
    }
    mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                 "invalid argument: interface '%s' was not found in the domain: give its "
                 "tap name or MAC address (see virsh domiflist)", device);
    return NULL;
}

bool
mv_qemu_handle_domain_get_interface_parameters(MvDriverCall *call, const MvObjectRef *dom_ref,
                                               const char *device, int nparams,
                                               unsigned int flags, MvTypedParam **ret_params,
                                               guint *ret_n_params, int *ret_nparams,
                                               GError **error)
{
    const char *api = "virDomainGetInterfaceParameters";
    g_autoptr(MvQemuDomain) dom = NULL;
    MvDomainNetBandwidth bw;
    MvDomainNetDef *net;
    GArray *all;
    bool ok;

    if (!mv_qemu_dispatch_check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG | STRING_OKAY, api,
                                      error) ||
        !(dom = mv_qemu_dispatch_get_domain(call, dom_ref, error)))
        return false;
    flags &= ~STRING_OKAY;
    memset(&bw, 0, sizeof(bw));
    g_mutex_lock(&dom->lock);
    ok = mv_driver_affect_resolve(&mv_qemu_domain_class, &flags, mv_qemu_domain_is_active(dom),
                                  dom->persistent, MV_DRIVER_AFFECT_EXCLUSIVE, error);
    if (ok) {
        const MvDomainDef *def = (flags & AFFECT_LIVE) ? dom->live
                                 : dom->newdef ? dom->newdef : dom->def;

        if ((ok = (net = find_net(def, device, error)) != NULL) && net->bandwidth) {
            bw.in = net->bandwidth->in;
            bw.out = net->bandwidth->out;
        }
    }
    g_mutex_unlock(&dom->lock);
    if (!ok)
        return false;
    if (nparams == 0) {
        *ret_params = NULL;
        *ret_n_params = 0;
        *ret_nparams = G_N_ELEMENTS(params_table);
        return true;
    }
    all = mv_typed_params_new();
    for (guint i = 0; i < G_N_ELEMENTS(params_table) && (int)all->len < nparams; i++)
        mv_typed_params_append_uint(all, params_table[i].name,
                                    (unsigned int)MIN(*slot(&bw, i), G_MAXUINT));
    *ret_n_params = all->len;
    *ret_params = (MvTypedParam *)(void *)g_array_free(all, FALSE);
    *ret_nparams = 0;
    return true;
}

/* @params applied to @bw. A direction whose average becomes 0 is removed whole. */
static bool
edit(MvDomainNetBandwidth *bw, const MvTypedParam *params, guint n, GError **error)
{
    for (guint i = 0; i < n; i++) {
        guint j = 0;

        while (j < G_N_ELEMENTS(params_table) && !g_str_equal(params_table[j].name,
                                                               params[i].field))
            j++;
        if (j == G_N_ELEMENTS(params_table))
            return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                                "argument unsupported: parameter '%s' is not known: use "
                                "inbound./outbound. average, peak, burst", params[i].field);
        if (params[i].type != MV_TYPED_PARAM_UINT)
            return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                                "invalid argument: parameter '%s' must be an unsigned int",
                                params[i].field);
        *slot(bw, j) = params[i].value.ui;
    }
    if (!bw->in.average)
        memset(&bw->in, 0, sizeof(bw->in));
    if (!bw->out.average)
        memset(&bw->out, 0, sizeof(bw->out));
    return mv_domain_net_bandwidth_check(bw, error);
}

static void
store(MvDomainNetDef *net, MvDomainNetBandwidth *bw)
{
    mv_domain_net_bandwidth_free(net->bandwidth);
    net->bandwidth = mv_domain_net_bandwidth_is_empty(bw) ? NULL
                                                         : mv_domain_net_bandwidth_copy(bw);
}

bool
mv_qemu_handle_domain_set_interface_parameters(MvDriverCall *call, const MvObjectRef *dom_ref,
                                               const char *device, const MvTypedParam *params,
                                               guint n_params, unsigned int flags,
                                               GError **error)
{
    const char *api = "virDomainSetInterfaceParameters";
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvQemuDomain) dom = NULL;
    bool ok;

    if (!mv_qemu_dispatch_check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG, api, error) ||
        !(dom = mv_qemu_dispatch_get_domain(call, dom_ref, error)) ||
        !mv_qemu_dispatch_begin_job(dom, api, error))
        return false;
    g_mutex_lock(&dom->lock);
    ok = mv_driver_affect_resolve(&mv_qemu_domain_class, &flags, mv_qemu_domain_is_active(dom),
                                  dom->persistent, MV_DRIVER_AFFECT_NEED_PERSISTENT, error);
    if (ok && (flags & AFFECT_LIVE)) {
        MvDomainNetDef *net = find_net(dom->live, device, error);
        g_autoptr(MvDomainNetBandwidth) bw = NULL;

        if ((ok = net != NULL)) {
            bw = net->bandwidth ? mv_domain_net_bandwidth_copy(net->bandwidth)
                                : g_new0(MvDomainNetBandwidth, 1);
            /* tc through netlink only: no QMP, so the lock may stay held. */
            ok = edit(bw, params, n_params, error) &&
                 mv_qemu_tune_set_net_bandwidth(net, bw, error);
        }
        if (ok) {
            store(net, bw);
            if (!mv_qemu_persist_save_status(driver, dom, NULL))
                dom->status_dirty = true;
        }
    }
    if (ok && (flags & AFFECT_CONFIG)) {
        bool active = mv_qemu_domain_is_active(dom);
        g_autoptr(MvDomainDef) def = mv_domain_def_copy(dom->newdef ? dom->newdef : dom->def);
        MvDomainNetDef *net = find_net(def, device, error);
        g_autoptr(MvDomainNetBandwidth) bw = NULL;

        if ((ok = net != NULL)) {
            bw = net->bandwidth ? mv_domain_net_bandwidth_copy(net->bandwidth)
                                : g_new0(MvDomainNetBandwidth, 1);
            ok = edit(bw, params, n_params, error);
        }
        if (ok) {
            store(net, bw);
            if ((ok = mv_qemu_persist_save_def(driver, def, error))) {
                MvDomainDef **slot_def = active ? &dom->newdef : &dom->def;

                mv_domain_def_free(*slot_def);
                *slot_def = g_steal_pointer(&def);
            }
        }
    }
    g_mutex_unlock(&dom->lock);
    mv_qemu_process_end_job(driver, dom);
    return ok;
}
