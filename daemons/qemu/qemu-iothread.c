/* IOThreads of a guest (issue 13 item 5): virsh iothreadinfo, iothreadadd,
 * iothreaddel, iothreadset and iothreadpin. QEMU's iothread objects are named
 * "iothreadN" after <iothread id='N'>; live changes go through QMP
 * (query-iothreads, object-add, object-del, qom-set) and the threads'
 * affinity (sched_setaffinity), config changes into the persistent
 * definition. Pins are live only: <cputune><iothreadpin> is parsed with
 * <cputune> (conf/domain-iothreads.h). */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-dispatch.h"
#include "qemu-iothread.h"
#include "qemu-monitor.h"
#include "qemu-persist.h"
#include "qemu-process.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "conf/domain-iothreads.h"
#include "driver/affect.h"
#include "util/log.h"

#define AFFECT_LIVE 1u
#define AFFECT_CONFIG 2u
#define QUERY_TIMEOUT_MS 10000

/* Host CPUs: the highest present one + 1 (the CPU maps' width). */
static guint
host_cpus(void)
{
    g_autofree char *present = NULL;
    const char *last;

    if (!g_file_get_contents("/sys/devices/system/cpu/present", &present, NULL, NULL))
        return 1;
    g_strstrip(present);
    last = strrchr(present, '-') ? strrchr(present, '-') + 1 : strrchr(present, ',') ?
           strrchr(present, ',') + 1 : present;
    return (guint)g_ascii_strtoull(last, NULL, 10) + 1;
}

static bool
id_of(const char *qom_id, guint *ret)
{
    guint64 v;

    if (!g_str_has_prefix(qom_id, "iothread") ||
        !g_ascii_string_to_unsigned(qom_id + strlen("iothread"), 10, 1, G_MAXINT, &v, NULL))
        return false;
    *ret = (guint)v;
    return true;
}

/* The domain with its job taken and @flags resolved (LIVE and/or CONFIG); the
 * lock is not held. */
static MvQemuDomain *
begin(MvDriverCall *call, const MvObjectRef *ref, const char *api, unsigned int *flags,
      unsigned int rules, GError **error)
{
    g_autoptr(MvQemuDomain) dom = NULL;
    bool ok;

    if (!mv_qemu_dispatch_check_flags(*flags, AFFECT_LIVE | AFFECT_CONFIG, api, error) ||
        !(dom = mv_qemu_dispatch_get_domain(call, ref, error)) ||
        !mv_qemu_dispatch_begin_job(dom, api, error))
        return NULL;
    g_mutex_lock(&dom->lock);
    ok = mv_driver_affect_resolve(&mv_qemu_domain_class, flags,
                                  mv_qemu_domain_is_active(dom) && dom->monitor,
                                  dom->persistent, rules, error);
    g_mutex_unlock(&dom->lock);
    if (!ok) {
        mv_qemu_process_end_job(mv_qemu_driver_get(call), dom);
        return NULL;
    }
    return g_steal_pointer(&dom);
}

/* QMP on the running guest: the lock is dropped, the job held. */
static JsonNode *
qmp(MvQemuDomain *dom, const char *cmd, JsonObject *args, GError **error)
{
    MvQemuMonitor *mon;

    g_mutex_lock(&dom->lock);
    mon = mv_qemu_domain_is_active(dom) ? dom->monitor : NULL;
    g_mutex_unlock(&dom->lock);
    if (!mon) {
        if (args)
            json_object_unref(args);
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: domain is not running");
        return NULL;
    }
    return mv_qemu_monitor_command(mon, cmd, args, QUERY_TIMEOUT_MS, error);
}

/* {id: thread id} of the running guest's IOThreads (query-iothreads). */
static GHashTable *
live_threads(MvQemuDomain *dom, GError **error)
{
    g_autoptr(GHashTable) out = g_hash_table_new(g_direct_hash, g_direct_equal);
    JsonNode *reply = qmp(dom, "query-iothreads", NULL, error);
    JsonArray *a;

    if (!reply)
        return NULL;
    if (!JSON_NODE_HOLDS_ARRAY(reply)) {
        json_node_free(reply);
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "query-iothreads did not return an array");
        return NULL;
    }
    a = json_node_get_array(reply);
    for (guint i = 0; i < json_array_get_length(a); i++) {
        JsonObject *t = json_array_get_object_element(a, i);
        guint id;

        if (id_of(json_object_get_string_member_with_default(t, "id", ""), &id))
            g_hash_table_insert(out, GUINT_TO_POINTER(id), GINT_TO_POINTER(
                                    json_object_get_int_member_with_default(t, "thread-id", 0)));
    }
    json_node_free(reply);
    return g_steal_pointer(&out);
}

static void
map_from_affinity(guint8 *map, guint nbits, int tid)
{
    cpu_set_t set;

    CPU_ZERO(&set);
    if (tid <= 0 || sched_getaffinity(tid, sizeof(set), &set) != 0) {
        memset(map, 0xff, (nbits + 7) / 8);
        return;
    }
    for (guint cpu = 0; cpu < nbits && cpu < CPU_SETSIZE; cpu++) {
        if (CPU_ISSET(cpu, &set))
            map[cpu / 8] |= 1u << (cpu % 8);
    }
}

static void
map_from_cpuset(guint8 *map, guint nbits, const char *cpuset)
{
    if (!cpuset || !mv_qemu_parse_cpu_list(cpuset, map, nbits))
        memset(map, 0xff, (nbits + 7) / 8);
}

bool
mv_qemu_handle_domain_get_iothread_info(MvDriverCall *call, const MvObjectRef *dom_ref,
                                        unsigned int flags, MvRemoteDomainIothreadInfo **ret_info,
                                        guint *ret_n_info, unsigned int *ret_ret, GError **error)
{
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autoptr(GHashTable) live = NULL;
    g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(guint));
    g_autoptr(GPtrArray) pins = g_ptr_array_new_with_free_func(g_free);
    guint ncpus = host_cpus(), maplen = (ncpus + 7) / 8;

    if (!(dom = begin(call, dom_ref, "virDomainGetIOThreadInfo", &flags,
                      MV_DRIVER_AFFECT_EXCLUSIVE, error)))
        return false;
    if (flags & AFFECT_LIVE)
        live = live_threads(dom, error);
    g_mutex_lock(&dom->lock);
    {
        const MvDomainDef *def = (flags & AFFECT_LIVE) ? dom->live
                                 : dom->newdef ? dom->newdef : dom->def;
        const MvDomainIOThreads *t = def ? def->iothreads : NULL;

        for (guint i = 0; t && i < t->ids->len; i++) {
            guint id = g_array_index(t->ids, guint, i);

            g_array_append_val(ids, id);
            g_ptr_array_add(pins, g_strdup(mv_domain_iothreads_pin_of(t, id)));
        }
    }
    g_mutex_unlock(&dom->lock);
    mv_qemu_process_end_job(mv_qemu_driver_get(call), dom);
    if ((flags & AFFECT_LIVE) && !live)
        return false;
    *ret_info = g_new0(MvRemoteDomainIothreadInfo, MAX(ids->len, 1));
    for (guint i = 0; i < ids->len; i++) {
        MvRemoteDomainIothreadInfo *info = &(*ret_info)[i];
        guint id = g_array_index(ids, guint, i);

        info->iothread_id = id;
        info->cpumap = g_malloc0(maplen);
        info->n_cpumap = maplen;
        if (live)
            map_from_affinity((guint8 *)info->cpumap, ncpus,
                              GPOINTER_TO_INT(g_hash_table_lookup(live, GUINT_TO_POINTER(id))));
        else
            map_from_cpuset((guint8 *)info->cpumap, ncpus, pins->pdata[i]);
    }
    *ret_n_info = ids->len;
    *ret_ret = ids->len;
    return true;
}

/* "0-1,3" for the set bits of @map. */
static char *
cpuset_text(const guint8 *map, guint nbits)
{
    GString *out = g_string_new(NULL);

    for (guint cpu = 0; cpu < nbits; cpu++) {
        guint end = cpu;

        if (!(map[cpu / 8] & (1u << (cpu % 8))))
            continue;
        while (end + 1 < nbits && (map[(end + 1) / 8] & (1u << ((end + 1) % 8))))
            end++;
        g_string_append_printf(out, "%s%u", out->len ? "," : "", cpu);
        if (end > cpu)
            g_string_append_printf(out, "-%u", end);
        cpu = end;
    }
    return g_string_free(out, FALSE);
}

bool
mv_qemu_handle_domain_pin_iothread(MvDriverCall *call, const MvObjectRef *dom_ref,
                                   unsigned int id, const char *cpumap, guint n_cpumap,
                                   unsigned int flags, GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autoptr(GHashTable) live = NULL;
    g_autofree char *cpuset = NULL;
    guint nbits = MIN(n_cpumap * 8, host_cpus());
    cpu_set_t set;
    int tid;

    if (!(dom = begin(call, dom_ref, "virDomainPinIOThread", &flags, 0, error)))
        return false;
    if (flags & AFFECT_CONFIG) {
        mv_qemu_process_end_job(driver, dom);
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_UNSUPPORTED,
                            "pinning an IOThread in the persistent definition (--config, "
                            "<cputune><iothreadpin>) is not supported yet: use --live");
    }
    cpuset = cpuset_text((const guint8 *)cpumap, nbits);
    CPU_ZERO(&set);
    for (guint cpu = 0; cpu < nbits && cpu < CPU_SETSIZE; cpu++) {
        if (((const guint8 *)cpumap)[cpu / 8] & (1u << (cpu % 8)))
            CPU_SET(cpu, &set);
    }
    if (!*cpuset) {
        mv_qemu_process_end_job(driver, dom);
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "invalid argument: the CPU map names no host CPU");
    }
    if (!(live = live_threads(dom, error))) {
        mv_qemu_process_end_job(driver, dom);
        return false;
    }
    tid = GPOINTER_TO_INT(g_hash_table_lookup(live, GUINT_TO_POINTER(id)));
    if (tid <= 0) {
        mv_qemu_process_end_job(driver, dom);
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "invalid argument: the domain has no IOThread %u (see virsh "
                            "iothreadinfo)", id);
    }
    if (sched_setaffinity(tid, sizeof(set), &set) != 0) {
        int e = errno;

        mv_qemu_process_end_job(driver, dom);
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_SYSTEM_ERROR,
                            "cannot pin IOThread %u (thread %d) to CPUs %s: %s", id, tid, cpuset,
                            g_strerror(e));
    }
    g_mutex_lock(&dom->lock);
    if (dom->live && dom->live->iothreads)
        mv_domain_iothreads_pin(dom->live->iothreads, id, cpuset);
    g_mutex_unlock(&dom->lock);
    mv_qemu_process_end_job(driver, dom);
    return true;
}

/* The disk that runs in IOThread @id, or NULL. */
static const char *
disk_using(const MvDomainDef *def, unsigned int id)
{
    for (size_t i = 0; def && i < def->ndisks; i++) {
        if (def->disks[i]->iothread == id)
            return def->disks[i]->target_dev;
    }
    return NULL;
}

/* Adds (@add) or removes IOThread @id in the persistent definition. */
static bool
change_config(MvQemuDriver *driver, MvQemuDomain *dom, unsigned int id, bool add,
              GError **error)
{
    g_autoptr(MvDomainDef) def = NULL;
    bool ok;

    g_mutex_lock(&dom->lock);
    def = mv_domain_def_copy(dom->newdef ? dom->newdef : dom->def);
    if (add)
        mv_domain_iothreads_add(&def->iothreads, id);
    else
        mv_domain_iothreads_remove(&def->iothreads, id);
    ok = mv_qemu_persist_replace_def(driver, dom, &def, error);
    g_mutex_unlock(&dom->lock);
    return ok;
}

static bool
change_live(MvQemuDriver *driver, MvQemuDomain *dom, unsigned int id, bool add,
            GError **error)
{
    g_autofree char *qom_id = g_strdup_printf("iothread%u", id);
    JsonObject *args = json_object_new();
    g_autoptr(GError) local = NULL;
    JsonNode *reply;

    if (add) {
        json_object_set_string_member(args, "qom-type", "iothread");
        json_object_set_string_member(args, "id", qom_id);
    } else {
        json_object_set_string_member(args, "id", qom_id);
    }
    if (!(reply = qmp(dom, add ? "object-add" : "object-del", args, error)))
        return false;
    json_node_free(reply);
    g_mutex_lock(&dom->lock);
    if (dom->live) {
        if (add)
            mv_domain_iothreads_add(&dom->live->iothreads, id);
        else
            mv_domain_iothreads_remove(&dom->live->iothreads, id);
        /* QEMU changed: a failed status write only loses the live XML's record */
        if (!mv_qemu_persist_save_status(driver, dom, &local))
            mv_log_warning("domain %s: IOThread %u %s but not recorded: %s", dom->name, id,
                           add ? "added" : "removed", local->message);
    }
    g_mutex_unlock(&dom->lock);
    return true;
}

static bool
add_or_del(MvDriverCall *call, const MvObjectRef *dom_ref, unsigned int id,
           unsigned int flags, bool add, GError **error)
{
    const char *api = add ? "virDomainAddIOThread" : "virDomainDelIOThread";
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvQemuDomain) dom = NULL;
    bool ok = true;

    if (id == 0 || id > G_MAXINT)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "invalid argument: IOThread ids start at 1 (got %u)", id);
    if (!(dom = begin(call, dom_ref, api, &flags, MV_DRIVER_AFFECT_NEED_PERSISTENT, error)))
        return false;
    g_mutex_lock(&dom->lock);
    for (int pass = 0; pass < 2 && ok; pass++) {
        unsigned int which = pass ? AFFECT_CONFIG : AFFECT_LIVE;
        const MvDomainDef *def = pass ? (dom->newdef ? dom->newdef : dom->def) : dom->live;
        const char *disk;

        if (!(flags & which))
            continue;
        if (add && mv_domain_iothreads_has(def->iothreads, id))
            ok = mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                              "invalid argument: an IOThread is already using iothread_id "
                              "'%u'%s", id, pass ? " in the persistent definition" : "");
        else if (!add && !mv_domain_iothreads_has(def->iothreads, id))
            ok = mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                              "invalid argument: cannot find IOThread '%u'%s (see virsh "
                              "iothreadinfo)", id, pass ? " in the persistent definition" : "");
        else if (!add && (disk = disk_using(def, id)))
            ok = mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                              "invalid argument: cannot remove IOThread %u since it is being "
                              "used by disk '%s'", id, disk);
        else if (add && def->iothreads && def->iothreads->ids->len >= MV_DOMAIN_IOTHREADS_MAX)
            ok = mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                              "invalid argument: the domain has %d IOThreads already",
                              MV_DOMAIN_IOTHREADS_MAX);
    }
    g_mutex_unlock(&dom->lock);
    if (ok && (flags & AFFECT_LIVE))
        ok = change_live(driver, dom, id, add, error);
    if (ok && (flags & AFFECT_CONFIG))
        ok = change_config(driver, dom, id, add, error);
    mv_qemu_process_end_job(driver, dom);
    return ok;
}

bool
mv_qemu_handle_domain_add_iothread(MvDriverCall *call, const MvObjectRef *dom_ref,
                                   unsigned int iothread_id, unsigned int flags, GError **error)
{
    return add_or_del(call, dom_ref, iothread_id, flags, true, error);
}

bool
mv_qemu_handle_domain_del_iothread(MvDriverCall *call, const MvObjectRef *dom_ref,
                                   unsigned int iothread_id, unsigned int flags, GError **error)
{
    return add_or_del(call, dom_ref, iothread_id, flags, false, error);
}

/* virsh iothreadset: libvirt's parameter → QEMU's iothread property. */
static const struct {
    const char *name;
    int type;
    const char *qom;
} params_known[] = {
    { "poll_max_ns", MV_TYPED_PARAM_ULLONG, "poll-max-ns" },
    { "poll_grow", MV_TYPED_PARAM_UINT, "poll-grow" },
    { "poll_shrink", MV_TYPED_PARAM_UINT, "poll-shrink" },
};

bool
mv_qemu_handle_domain_set_iothread_params(MvDriverCall *call, const MvObjectRef *dom_ref,
                                          unsigned int iothread_id, const MvTypedParam *params,
                                          guint n_params, unsigned int flags, GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autofree char *path = g_strdup_printf("/objects/iothread%u", iothread_id);
    bool ok = true;

    for (guint i = 0; i < n_params; i++) {
        gsize k = 0;

        while (k < G_N_ELEMENTS(params_known) && strcmp(params_known[k].name, params[i].field))
            k++;
        if (k == G_N_ELEMENTS(params_known))
            return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                                "invalid argument: IOThread parameter '%s' is not supported "
                                "(poll_max_ns, poll_grow, poll_shrink are)", params[i].field);
        if (params[i].type != params_known[k].type)
            return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                                "invalid argument: IOThread parameter '%s' has the wrong type",
                                params[i].field);
    }
    if (!(dom = begin(call, dom_ref, "virDomainSetIOThreadParams", &flags, 0, error)))
        return false;
    if (flags & AFFECT_CONFIG) {
        mv_qemu_process_end_job(driver, dom);
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_UNSUPPORTED,
                            "IOThread polling parameters are not kept in the persistent "
                            "definition (--config): use --live");
    }
    g_mutex_lock(&dom->lock);
    if (!mv_domain_iothreads_has(dom->live->iothreads, iothread_id))
        ok = mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                          "invalid argument: the domain has no IOThread %u (see virsh "
                          "iothreadinfo)", iothread_id);
    g_mutex_unlock(&dom->lock);
    for (guint i = 0; ok && i < n_params; i++) {
        JsonObject *args = json_object_new();
        JsonNode *reply;
        gsize k = 0;

        while (strcmp(params_known[k].name, params[i].field))
            k++;
        json_object_set_string_member(args, "path", path);
        json_object_set_string_member(args, "property", params_known[k].qom);
        json_object_set_int_member(args, "value", params[i].type == MV_TYPED_PARAM_ULLONG
                                                      ? (gint64)params[i].value.ul
                                                      : (gint64)params[i].value.ui);
        if ((ok = (reply = qmp(dom, "qom-set", args, error)) != NULL))
            json_node_free(reply);
    }
    mv_qemu_process_end_job(driver, dom);
    return ok;
}
