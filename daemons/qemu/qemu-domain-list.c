/* Domain lists and lookups: answered from memory, never waiting on a job. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-dispatch.h"
#include "qemu-snapshot-store.h"
#include "qemu-save.h"

#include <string.h>

#include "util/uuid.h"

/* CONNECT_LIST_ALL_DOMAINS filter groups (libvirt's VIR_CONNECT_LIST_DOMAINS_*). */
enum {
    LIST_ACTIVE = 1 << 0,
    LIST_INACTIVE = 1 << 1,
    LIST_PERSISTENT = 1 << 2,
    LIST_TRANSIENT = 1 << 3,
    LIST_RUNNING = 1 << 4,
    LIST_PAUSED = 1 << 5,
    LIST_SHUTOFF = 1 << 6,
    LIST_OTHER = 1 << 7,
    LIST_MANAGEDSAVE = 1 << 8,
    LIST_NO_MANAGEDSAVE = 1 << 9,
    LIST_AUTOSTART = 1 << 10,
    LIST_NO_AUTOSTART = 1 << 11,
    LIST_HAS_SNAPSHOT = 1 << 12,
    LIST_NO_SNAPSHOT = 1 << 13,
    LIST_HAS_CHECKPOINT = 1 << 14,
    LIST_NO_CHECKPOINT = 1 << 15,
    LIST_ALL_FLAGS = (1 << 16) - 1,
};

/* The state group (running, paused, shut off, other): no bit set = no filter
 * (lock held). */
static bool
state_matches(const MvDriverObject *obj, unsigned int flags)
{
    const MvQemuDomain *dom = (const MvQemuDomain *)obj;
    unsigned int bit;

    if (!(flags & (LIST_RUNNING | LIST_PAUSED | LIST_SHUTOFF | LIST_OTHER)))
        return true;
    switch (dom->state) {
    case MV_DOMAIN_RUNNING:
        bit = LIST_RUNNING;
        break;
    case MV_DOMAIN_PAUSED:
        bit = LIST_PAUSED;
        break;
    case MV_DOMAIN_SHUTOFF:
        bit = LIST_SHUTOFF;
        break;
    default:
        bit = LIST_OTHER;
        break;
    }
    return (flags & bit) != 0;
}

/* Whether the domain has a managed save image (lock held). */
static bool
filter_managed_save(const MvDriverObject *obj)
{
    return mv_qemu_save_has_managed(obj->driver, obj->name);
}

static bool
filter_snapshot(const MvDriverObject *obj)
{
    return mv_qemu_snapshots_exist(obj->driver, obj->name);
}

/* The yes/no groups. Checkpoints do not exist here: every domain has none. */
static const MvDriverFilter list_filters[] = {
    { LIST_ACTIVE, LIST_INACTIVE, mv_driver_filter_active },
    { LIST_PERSISTENT, LIST_TRANSIENT, mv_driver_filter_persistent },
    { LIST_MANAGEDSAVE, LIST_NO_MANAGEDSAVE, filter_managed_save },
    { LIST_AUTOSTART, LIST_NO_AUTOSTART, mv_driver_filter_autostart },
    { LIST_HAS_SNAPSHOT, LIST_NO_SNAPSHOT, filter_snapshot },
    { LIST_HAS_CHECKPOINT, LIST_NO_CHECKPOINT, mv_driver_filter_never },
    { 0 },
};

static void
fill_domain(MvObjectRef *out, MvDriverObject *obj)
{
    out->name = g_strdup(obj->name);
    memcpy(out->uuid, obj->uuid, 16);
    out->id = obj->id;
}

bool
mv_qemu_handle_connect_list_all_domains(MvDriverCall *call,
                                        int need_results,
                                        unsigned int flags,
                                        MvObjectRef **ret_domains,
                                        guint *ret_n_domains,
                                        unsigned int *ret_ret,
                                        GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    MvDriverQuery query = { flags, list_filters, state_matches };

    /* One consistent pass under the list lock: no references, no snapshot copy. */
    return mv_qemu_dispatch_check_flags(flags, LIST_ALL_FLAGS, "virConnectListAllDomains",
                                        error) &&
           mv_driver_list_all_refs(driver->domains, &query, MV_REMOTE_DOMAIN_LIST_MAX,
                                   need_results, fill_domain, ret_domains, ret_n_domains,
                                   ret_ret, error);
}

/* Counts or lists active (ids) or inactive (names) domains, the legacy way. */
static guint
collect(MvQemuDriver *driver, bool active, int max, int *ids, char **names)
{
    g_autoptr(GPtrArray) all = mv_driver_list_snapshot(driver->domains);
    guint n = 0;

    for (guint i = 0; i < all->len && (max < 0 || (int)n < max); i++) {
        MvQemuDomain *dom = all->pdata[i];
        bool is_active;
        int id;

        g_mutex_lock(&dom->lock);
        is_active = mv_qemu_domain_is_active(dom);
        id = dom->id;
        g_mutex_unlock(&dom->lock);
        if (is_active != active)
            continue;
        if (ids)
            ids[n] = id;
        if (names)
            names[n] = g_strdup(dom->name);
        n++;
    }
    return n;
}

bool
mv_qemu_handle_connect_num_of_domains(MvDriverCall *call, int *ret_num, GError **error)
{
    (*ret_num) = (int)collect(mv_qemu_driver_get(call), true, -1, NULL, NULL);
    return true;
}

bool
mv_qemu_handle_connect_num_of_defined_domains(MvDriverCall *call,
                                              int *ret_num,
                                              GError **error)
{
    (*ret_num) = (int)collect(mv_qemu_driver_get(call), false, -1, NULL, NULL);
    return true;
}

static bool
check_max(int max, GError **error)
{
    return mv_driver_list_check_max(max, MV_REMOTE_DOMAIN_LIST_MAX, error);
}

bool
mv_qemu_handle_connect_list_domains(MvDriverCall *call,
                                    int maxids,
                                    int **ret_ids,
                                    guint *ret_n_ids,
                                    GError **error)
{
    if (!check_max(maxids, error))
        return false;
    *ret_ids = g_new0(int, MAX(maxids, 1));
    *ret_n_ids = collect(mv_qemu_driver_get(call), true, maxids,
                               *ret_ids, NULL);
    return true;
}

bool
mv_qemu_handle_connect_list_defined_domains(MvDriverCall *call,
                                            int maxnames,
                                            char ***ret_names,
                                            guint *ret_n_names,
                                            GError **error)
{
    if (!check_max(maxnames, error))
        return false;
    *ret_names = g_new0(char *, MAX(maxnames, 1));
    *ret_n_names = collect(mv_qemu_driver_get(call), false, maxnames, NULL,
                                   *ret_names);
    return true;
}

bool
mv_qemu_handle_domain_lookup_by_name(MvDriverCall *call,
                                     const char *name,
                                     MvObjectRef *ret_dom,
                                     GError **error)
{
    g_autoptr(MvQemuDomain) dom =
        MV_QEMU_DOMAIN(mv_driver_list_find_by_name(mv_qemu_driver_get(call)->domains, name));

    if (!dom)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_NO_DOMAIN,
                            "Domain not found: no domain with matching name '%s'", name);
    mv_qemu_dispatch_fill_dom(ret_dom, dom);
    return true;
}

bool
mv_qemu_handle_domain_lookup_by_uuid(MvDriverCall *call,
                                     const guint8 *uuid,
                                     MvObjectRef *ret_dom,
                                     GError **error)
{
    g_autoptr(MvQemuDomain) dom =
        MV_QEMU_DOMAIN(mv_driver_list_find_by_uuid(mv_qemu_driver_get(call)->domains, uuid));
    char text[MV_UUID_STRING_LEN];

    if (!dom) {
        mv_uuid_format(uuid, text);
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_NO_DOMAIN,
                            "Domain not found: no domain with matching uuid '%s'", text);
    }
    mv_qemu_dispatch_fill_dom(ret_dom, dom);
    return true;
}

bool
mv_qemu_handle_domain_lookup_by_id(MvDriverCall *call,
                                   int id,
                                   MvObjectRef *ret_dom,
                                   GError **error)
{
    g_autoptr(MvQemuDomain) dom =
        MV_QEMU_DOMAIN(mv_driver_list_find_by_id(mv_qemu_driver_get(call)->domains, id));

    if (!dom)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_NO_DOMAIN,
                            "Domain not found: no domain with matching id %d", id);
    mv_qemu_dispatch_fill_dom(ret_dom, dom);
    return true;
}

