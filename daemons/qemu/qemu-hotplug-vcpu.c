/* vCPU hot-plug and unplug of a running guest (setvcpus --live, setvcpu).
 *
 * QEMU starts with -smp CURRENT,maxcpus=MAX: vCPUs 0..CURRENT-1 exist from the
 * start and cannot be unplugged. QMP query-hotpluggable-cpus lists every slot
 * with its topology properties (and a qom-path when occupied); a vCPU is added
 * with device_add of the slot's type and properties and the id "vcpuN", and
 * removed with device_del of that id once the guest has ejected it. The vCPU
 * index N is the slot's position in the topology, the order of -smp.
 *
 * Unplugging is refused under TCG (<domain type='qemu'>): QEMU 7.2 corrupts its
 * heap when a TCG vCPU that has run is removed, and aborts ("double free or
 * corruption") at a later allocation, e.g. the next device_add (reproduced with
 * QEMU alone, with and without thread=single). */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-hotplug.h"
#include "qemu-unplug.h"

#include <stdlib.h>
#include <string.h>

#include "conf/domain-conf.h"
#include "qemu-json.h"
#include "qemu-monitor.h"
#include "qemu-persist.h"
#include "util/error.h"
#include "util/log.h"

#define VCPU_UNPLUG_WAIT_MS 10000
#define PERIPHERAL_PREFIX   "/machine/peripheral/"

typedef struct {
    unsigned int index;
    JsonObject *props;      /* borrowed from the reply */
    const char *type;
    const char *qom_path;   /* NULL: the slot is empty */
} VcpuSlot;

/* The topology's dies, cores and threads (what -smp was given). */
static void
vcpu_topology(const MvDomainDef *def, unsigned int *dies, unsigned int *cores,
              unsigned int *threads)
{
    const MvDomainCpuDef *cpu = &def->cpu;
    bool given = cpu->sockets && cpu->cores && cpu->threads;

    *dies = given && cpu->dies ? cpu->dies : 1;
    *cores = given ? cpu->cores : 1;
    *threads = given ? cpu->threads : 1;
}

/* The slots of query-hotpluggable-cpus, by vCPU index (a slot array of def->vcpus). */
static VcpuSlot *
vcpu_slots(JsonNode *reply, const MvDomainDef *def, GError **error)
{
    g_autofree VcpuSlot *slots = g_new0(VcpuSlot, def->vcpus);
    unsigned int dies, cores, threads;
    JsonArray *arr;
    guint i;

    vcpu_topology(def, &dies, &cores, &threads);
    if (!reply || !JSON_NODE_HOLDS_ARRAY(reply))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                            "query-hotpluggable-cpus: unexpected reply"), NULL;
    arr = json_node_get_array(reply);
    for (i = 0; i < def->vcpus; i++)
        slots[i].index = G_MAXUINT;
    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *slot = json_array_get_object_element(arr, i);
        JsonObject *props = slot ? mv_qemu_json_get_object(slot, "props") : NULL;
        gint64 socket, die, core, thread, index;

        if (!props)
            continue;
        socket = mv_qemu_json_get_int(props, "socket-id", 0);
        die = mv_qemu_json_get_int(props, "die-id", 0);
        core = mv_qemu_json_get_int(props, "core-id", 0);
        thread = mv_qemu_json_get_int(props, "thread-id", 0);
        index = ((socket * dies + die) * cores + core) * threads + thread;
        if (index < 0 || index >= def->vcpus ||
            mv_qemu_json_get_int(slot, "vcpus-count", 1) != 1)
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                                "query-hotpluggable-cpus: a slot does not fit the "
                                "topology of %u vCPUs", def->vcpus), NULL;
        slots[index].index = (unsigned int)index;
        slots[index].props = props;
        slots[index].type = mv_qemu_json_get_string(slot, "type", NULL);
        slots[index].qom_path = mv_qemu_json_get_string(slot, "qom-path", NULL);
    }
    for (i = 0; i < def->vcpus; i++)
        if (slots[i].index == G_MAXUINT || !slots[i].type)
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                                "query-hotpluggable-cpus: no slot for vCPU %u", i), NULL;
    return g_steal_pointer(&slots);
}

static bool
vcpu_plug(MvQemuMonitor *mon, const VcpuSlot *slot, GError **error)
{
    JsonObject *props = json_object_new();
    g_autoptr(GList) members = json_object_get_members(slot->props);
    g_autofree char *id = g_strdup_printf("vcpu%u", slot->index);

    json_object_set_string_member(props, "driver", slot->type);
    json_object_set_string_member(props, "id", id);
    for (GList *l = members; l; l = l->next)
        json_object_set_member(props, l->data,
                               json_node_copy(json_object_get_member(slot->props, l->data)));
    return mv_qemu_monitor_device_add(mon, props, error);
}

/* Whether slot @index of query-hotpluggable-cpus is empty now. */
static bool
vcpu_slot_empty(MvQemuMonitor *mon, const MvDomainDef *def, unsigned int index)
{
    g_autoptr(JsonNode) reply = mv_qemu_monitor_command(mon, "query-hotpluggable-cpus", NULL,
                                                        MV_QEMU_MONITOR_TIMEOUT_MS, NULL);
    g_autofree VcpuSlot *slots = reply ? vcpu_slots(reply, def, NULL) : NULL;

    return slots && !slots[index].qom_path;
}

/* device_del, then wait until the guest ejected the vCPU. QEMU 7.2 reports
 * DEVICE_DELETED only for the vCPU's lapic child, not for the vCPU itself: its
 * slot turning empty in query-hotpluggable-cpus is the sign. */
static bool
vcpu_unplug(MvQemuDomain *dom, MvQemuMonitor *mon, const MvDomainDef *def,
            const VcpuSlot *slot, GError **error)
{
    g_autofree char *alias = g_strdup_printf("vcpu%u", slot->index);
    gint64 deadline = g_get_monotonic_time() + (gint64)VCPU_UNPLUG_WAIT_MS * 1000;

    if (!mv_qemu_monitor_device_del(mon, alias, error))
        return false;
    while (!mv_qemu_unplug_wait(dom, alias, 200)) {
        if (vcpu_slot_empty(mon, def, slot->index))
            return true;
        if (g_get_monotonic_time() > deadline)
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_TIMEOUT,
                                "the guest did not release vCPU %u within %d s: the unplug is "
                                "still in progress (does the guest support CPU hot-unplug?)",
                                slot->index, VCPU_UNPLUG_WAIT_MS / 1000);
    }
    return true;
}

/* Whether a slot's vCPU was hot-plugged by us (and so can be unplugged). */
static bool
vcpu_unpluggable(const VcpuSlot *slot)
{
    return slot->qom_path && g_str_has_prefix(slot->qom_path, PERIPHERAL_PREFIX);
}

static guint
vcpu_count_online(const VcpuSlot *slots, unsigned int n)
{
    guint online = 0;

    for (unsigned int i = 0; i < n; i++)
        online += slots[i].qom_path != NULL;
    return online;
}

/* The running guest's definition, monitor and vCPU slots (job held, lock not held). */
static bool
vcpus_query(MvQemuDomain *dom, MvDomainDef **ret_def, MvQemuMonitor **ret_mon,
            VcpuSlot **ret_slots, JsonNode **ret_reply, GError **error)
{
    g_autoptr(MvDomainDef) def = NULL;
    g_autoptr(JsonNode) reply = NULL;
    MvQemuMonitor *mon;
    VcpuSlot *slots;

    g_mutex_lock(&dom->lock);
    if (!mv_qemu_domain_is_active(dom) || !dom->monitor || !dom->live) {
        g_mutex_unlock(&dom->lock);
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: domain is not running");
    }
    def = mv_domain_def_copy(dom->live);
    mon = dom->monitor;         /* lives as long as the process, which the job keeps */
    g_mutex_unlock(&dom->lock);
    if (!(reply = mv_qemu_monitor_command(mon, "query-hotpluggable-cpus", NULL,
                                          MV_QEMU_MONITOR_TIMEOUT_MS, error)) ||
        !(slots = vcpu_slots(reply, def, error)))
        return false;
    *ret_def = g_steal_pointer(&def);
    *ret_mon = mon;
    *ret_slots = slots;
    *ret_reply = g_steal_pointer(&reply);    /* the slots borrow from it */
    return true;
}

/* Applies @want (a bool per vCPU index) to @slots. Refuses unplugging a vCPU present
 * from the start before any change. Records the live count, also after a failure. */
static bool
vcpus_apply(MvQemuDriver *driver, MvQemuDomain *dom, MvQemuMonitor *mon,
            const MvDomainDef *def, VcpuSlot *slots, const bool *want, GError **error)
{
    bool ok = true;
    unsigned int i;

    for (i = 0; i < def->vcpus; i++)
        if (!want[i] && slots[i].qom_path && !vcpu_unpluggable(&slots[i]))
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_UNSUPPORTED,
                                "vCPU %u was present when the guest started and cannot be "
                                "unplugged: only hot-plugged vCPUs can be removed", i);
    for (i = 0; def->virt_type == MV_DOMAIN_VIRT_QEMU && i < def->vcpus; i++)
        if (!want[i] && slots[i].qom_path)
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_UNSUPPORTED,
                                "cannot remove vCPU %u: QEMU under TCG (<domain type='qemu'>) "
                                "corrupts its memory when a vCPU is unplugged; use "
                                "'setvcpus --config' and restart the guest", i);
    /* plug in ascending order, unplug in descending order */
    for (i = 0; ok && i < def->vcpus; i++)
        if (want[i] && !slots[i].qom_path && (ok = vcpu_plug(mon, &slots[i], error)))
            slots[i].qom_path = PERIPHERAL_PREFIX;
    for (i = def->vcpus; ok && i-- > 0;)
        if (!want[i] && slots[i].qom_path && (ok = vcpu_unplug(dom, mon, def, &slots[i], error)))
            slots[i].qom_path = NULL;

    g_mutex_lock(&dom->lock);
    if (dom->live) {
        /* the live XML says which vCPUs are on (<vcpus>) */
        mv_domain_vcpus_ensure(dom->live);
        for (i = 0; i < def->vcpus && i < dom->live->vcpus; i++)
            dom->live->vcpu_list[i].enabled = slots[i].qom_path != NULL;
        dom->live->vcpus_current = vcpu_count_online(slots, def->vcpus);
        mv_qemu_persist_update_status(driver, dom);
    }
    g_mutex_unlock(&dom->lock);
    mv_log_debug("domain %s: %u vCPUs online", dom->name, vcpu_count_online(slots, def->vcpus));
    return ok;
}

bool
mv_qemu_hotplug_vcpus_boot(MvQemuMonitor *mon, const MvDomainDef *live, GError **error)
{
    g_autoptr(JsonNode) reply = NULL;
    g_autofree VcpuSlot *slots = NULL;

    if (!live->vcpu_list || mv_domain_vcpus_boot_count(live) == live->vcpus_current)
        return true;
    if (!(reply = mv_qemu_monitor_command(mon, "query-hotpluggable-cpus", NULL,
                                          MV_QEMU_MONITOR_TIMEOUT_MS, error)) ||
        !(slots = vcpu_slots(reply, live, error)))
        return false;
    for (unsigned int i = 0; i < live->vcpus; i++)
        if (live->vcpu_list[i].enabled && !slots[i].qom_path && !vcpu_plug(mon, &slots[i], error))
            return false;
    return true;
}

bool
mv_qemu_hotplug_vcpus_set(MvQemuDriver *driver, MvQemuDomain *dom, unsigned int count,
                          GError **error)
{
    g_autoptr(JsonNode) reply = NULL;
    g_autofree VcpuSlot *slots = NULL;
    g_autofree bool *want = NULL;
    g_autoptr(MvDomainDef) def = NULL;
    MvQemuMonitor *mon;
    unsigned int online, i;

    if (!vcpus_query(dom, &def, &mon, &slots, &reply, error))
        return false;
    if (count == 0 || count > def->vcpus)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "requested vcpus is greater than max allowable vcpus for the live "
                            "domain: %u > %u", count, def->vcpus);
    want = g_new0(bool, def->vcpus);
    for (i = 0; i < def->vcpus; i++)
        want[i] = slots[i].qom_path != NULL;
    online = vcpu_count_online(slots, def->vcpus);
    for (i = 0; online < count && i < def->vcpus; i++)
        if (!want[i]) {
            want[i] = true;
            online++;
        }
    for (i = def->vcpus; online > count && i-- > 0;)
        if (want[i]) {
            if (!vcpu_unpluggable(&slots[i]))
                return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_UNSUPPORTED,
                                    "cannot go down to %u vCPUs: vCPU %u was present when the "
                                    "guest started and cannot be unplugged", count, i);
            want[i] = false;
            online--;
        }
    return vcpus_apply(driver, dom, mon, def, slots, want, error);
}

bool
mv_qemu_hotplug_vcpu_set_state(MvQemuDriver *driver, MvQemuDomain *dom, GArray *ids,
                               bool enable, GError **error)
{
    g_autoptr(JsonNode) reply = NULL;
    g_autofree VcpuSlot *slots = NULL;
    g_autofree bool *want = NULL;
    g_autoptr(MvDomainDef) def = NULL;
    MvQemuMonitor *mon;
    bool any = false;
    unsigned int i;

    if (!vcpus_query(dom, &def, &mon, &slots, &reply, error))
        return false;
    want = g_new0(bool, def->vcpus);
    for (i = 0; i < def->vcpus; i++)
        want[i] = slots[i].qom_path != NULL;
    for (i = 0; i < ids->len; i++) {
        unsigned int id = g_array_index(ids, unsigned int, i);
        if (id >= def->vcpus)
            return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                                "vCPU %u does not exist: the domain has %u", id, def->vcpus);
        want[id] = enable;
    }
    for (i = 0; i < def->vcpus; i++)
        any = any || want[i];
    if (!any)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "a domain needs at least one vCPU");
    return vcpus_apply(driver, dom, mon, def, slots, want, error);
}

GArray *
mv_qemu_hotplug_parse_cpumap(const char *text, unsigned int max, GError **error)
{
    g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(unsigned int));
    g_autofree bool *set = g_new0(bool, max ? max : 1);
    g_auto(GStrv) parts = g_strsplit(text ? text : "", ",", -1);
    bool any = false;

    for (guint p = 0; parts[p]; p++) {
        const char *s = g_strstrip(parts[p]);
        bool negate = *s == '^';
        guint64 a, b;
        char *end;

        if (negate)
            s++;
        if (!g_ascii_isdigit(*s))
            goto bad;
        a = g_ascii_strtoull(s, &end, 10);
        b = a;
        if (*end == '-' && !negate) {
            if (!g_ascii_isdigit(end[1]))
                goto bad;
            b = g_ascii_strtoull(end + 1, &end, 10);
        }
        if (*end || b < a)
            goto bad;
        if (b >= max)
            return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                                "vCPU %" G_GUINT64_FORMAT " in '%s' does not exist: the "
                                "domain has %u", b, text, max), NULL;
        for (guint64 i = a; i <= b; i++)
            set[i] = !negate;
        any = true;
    }
    if (!any)
        goto bad;
    for (unsigned int i = 0; i < max; i++)
        if (set[i])
            g_array_append_val(ids, i);
    if (ids->len == 0)
        goto bad;
    return g_steal_pointer(&ids);
bad:
    return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                        "invalid vCPU list '%s': expected indices and ranges such as "
                        "'1', '1-3' or '0-3,^2'", text ? text : ""), NULL;
}
