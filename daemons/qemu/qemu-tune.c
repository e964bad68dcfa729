/* A definition's tuning applied to its QEMU: cgroup v1 files and CPU affinity. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-tune.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "network-bandwidth.h"
#include "util/error.h"
#include "util/log.h"
#include "util/netlink.h"

#define QUERY_TIMEOUT_MS 10000
#define MAX_VCPUS 16384

bool
mv_qemu_tune_check(const MvDomainDef *def, GError **error)
{
    const MvDomainTuneDef *tune = def->tune;

    if (tune && tune->numa_mode != MV_DOMAIN_NUMATUNE_NONE &&
        tune->numa_mode != MV_DOMAIN_NUMATUNE_STRICT &&
        tune->numa_mode != MV_DOMAIN_NUMATUNE_RESTRICTIVE)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                            "/domain/numatune/memory: mode '%s' is not supported by "
                            "modvirt-qemud (it confines memory with the cpuset controller): "
                            "use mode='strict' or mode='restrictive'",
                            mv_domain_numatune_mode_to_string(tune->numa_mode));
    return true;
}

static bool
write_u64(MvQemuCgroup *cg, MvQemuCgroupController c, const char *child, const char *file,
          guint64 value, GError **error)
{
    g_autofree char *text = g_strdup_printf("%" G_GUINT64_FORMAT, value);

    return mv_qemu_cgroup_write(cg, c, child, file, text, error);
}

bool
mv_qemu_tune_set_shares(MvQemuCgroup *cg, guint64 shares, GError **error)
{
    return !shares || write_u64(cg, MV_QEMU_CGROUP_CPU, NULL, "cpu.shares", shares, error);
}

bool
mv_qemu_tune_set_bandwidth(MvQemuCgroup *cg, const char *child, guint64 period, gint64 quota,
                           GError **error)
{
    g_autofree char *q = g_strdup_printf("%" G_GINT64_FORMAT, quota < 0 ? -1 : quota);

    if (period && !write_u64(cg, MV_QEMU_CGROUP_CPU, child, "cpu.cfs_period_us", period, error))
        return false;
    return !quota || mv_qemu_cgroup_write(cg, MV_QEMU_CGROUP_CPU, child, "cpu.cfs_quota_us", q,
                                          error);
}

/* KiB → the file's bytes; "unlimited" → -1. */
static bool
write_limit(MvQemuCgroup *cg, const char *file, guint64 kib, GError **error)
{
    if (kib >= MV_DOMAIN_TUNE_MEMORY_UNLIMITED)
        return mv_qemu_cgroup_write(cg, MV_QEMU_CGROUP_MEMORY, NULL, file, "-1", error);
    return write_u64(cg, MV_QEMU_CGROUP_MEMORY, NULL, file, kib * 1024, error);
}

bool
mv_qemu_tune_set_memory(MvQemuCgroup *cg, guint64 hard_kib, guint64 soft_kib,
                        guint64 swap_kib, GError **error)
{
    /* memsw (memory + swap) may never be below the memory limit: lift it
     * first, so any order of old and new values is accepted. */
    if (swap_kib &&
        !mv_qemu_cgroup_write(cg, MV_QEMU_CGROUP_MEMORY, NULL, "memory.memsw.limit_in_bytes",
                              "-1", error))
        return false;
    return (!hard_kib || write_limit(cg, "memory.limit_in_bytes", hard_kib, error)) &&
           (!soft_kib || write_limit(cg, "memory.soft_limit_in_bytes", soft_kib, error)) &&
           (!swap_kib || write_limit(cg, "memory.memsw.limit_in_bytes", swap_kib, error));
}

/* The blkio weight file: BFQ's on current kernels, CFQ's on old ones. */
static const char *
weight_file(MvQemuCgroup *cg, bool device)
{
    g_autofree char *bfq = NULL;

    if (mv_qemu_cgroup_has(cg, MV_QEMU_CGROUP_BLKIO)) {
        bfq = g_build_filename(cg->paths[MV_QEMU_CGROUP_BLKIO], "blkio.bfq.weight", NULL);
        if (g_file_test(bfq, G_FILE_TEST_EXISTS))
            return device ? "blkio.bfq.weight_device" : "blkio.bfq.weight";
    }
    return device ? "blkio.weight_device" : "blkio.weight";
}

bool
mv_qemu_tune_set_blkio_weight(MvQemuCgroup *cg, unsigned int weight, GError **error)
{
    return !weight || write_u64(cg, MV_QEMU_CGROUP_BLKIO, NULL, weight_file(cg, false), weight,
                                error);
}

/* The control file of a blkio device parameter ("device_weight", "device_read_iops_sec", …). */
static const char *
device_file(MvQemuCgroup *cg, const char *param)
{
    static const char *const map[][2] = {
        { "device_read_bytes_sec", "blkio.throttle.read_bps_device" },
        { "device_write_bytes_sec", "blkio.throttle.write_bps_device" },
        { "device_read_iops_sec", "blkio.throttle.read_iops_device" },
        { "device_write_iops_sec", "blkio.throttle.write_iops_device" },
    };

    for (guint i = 0; i < G_N_ELEMENTS(map); i++)
        if (g_str_equal(param, map[i][0]))
            return map[i][1];
    return weight_file(cg, true);
}

bool
mv_qemu_tune_set_blkio_device_value(MvQemuCgroup *cg, const char *path, const char *param,
                                    guint64 value, GError **error)
{
    g_autofree char *v = NULL;
    struct stat st;

    if (stat(path, &st) < 0)
        return mv_error_set_errno(error, MV_FROM_QEMU, errno, "blkiotune device '%s'", path);
    if (!S_ISBLK(st.st_mode))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                            "blkiotune device '%s' is not a block device", path);
    v = g_strdup_printf("%u:%u %" G_GUINT64_FORMAT, major(st.st_rdev), minor(st.st_rdev),
                        value);
    if (!mv_qemu_cgroup_write(cg, MV_QEMU_CGROUP_BLKIO, NULL, device_file(cg, param), v,
                              error)) {
        if (g_str_equal(param, "device_weight"))
            g_prefix_error(error, "a device weight needs the bfq I/O scheduler on '%s': ",
                           path);
        return false;
    }
    return true;
}

bool
mv_qemu_tune_set_blkio_device(MvQemuCgroup *cg, const MvDomainBlkioDevice *dev,
                              GError **error)
{
    const struct {
        const char *param;
        guint64 value;
    } values[] = {
        { "device_weight", dev->weight },
        { "device_read_bytes_sec", dev->read_bytes_sec },
        { "device_write_bytes_sec", dev->write_bytes_sec },
        { "device_read_iops_sec", dev->read_iops_sec },
        { "device_write_iops_sec", dev->write_iops_sec },
    };

    for (guint i = 0; i < G_N_ELEMENTS(values); i++)
        if (values[i].value &&
            !mv_qemu_tune_set_blkio_device_value(cg, dev->path, values[i].param,
                                                 values[i].value, error))
            return false;
    return true;
}

bool
mv_qemu_tune_set_numa_nodes(MvQemuCgroup *cg, const char *nodeset, GError **error)
{
    return !nodeset || mv_qemu_cgroup_write(cg, MV_QEMU_CGROUP_CPUSET, NULL, "cpuset.mems",
                                            nodeset, error);
}

bool
mv_qemu_tune_apply_process(MvQemuCgroup *cg, const MvDomainTuneDef *tune, GError **error)
{
    if (!tune)
        return true;
    if (!mv_qemu_tune_set_shares(cg, tune->shares, error) ||
        !mv_qemu_tune_set_bandwidth(cg, NULL, tune->global_period, tune->global_quota, error) ||
        !mv_qemu_tune_set_memory(cg, tune->hard_limit, tune->soft_limit, tune->swap_hard_limit,
                                 error) ||
        !mv_qemu_tune_set_blkio_weight(cg, tune->blkio_weight, error))
        return false;
    for (size_t i = 0; i < tune->nblkio_devices; i++)
        if (!mv_qemu_tune_set_blkio_device(cg, &tune->blkio_devices[i], error))
            return false;
    return tune->numa_mode == MV_DOMAIN_NUMATUNE_NONE ||
           mv_qemu_tune_set_numa_nodes(cg, tune->numa_nodeset, error);
}

bool
mv_qemu_tune_vcpu_threads(MvQemuMonitor *mon, pid_t **ret_tids, unsigned int *ret_n,
                          GError **error)
{
    g_autoptr(JsonNode) reply = mv_qemu_monitor_command(mon, "query-cpus-fast", NULL,
                                                        QUERY_TIMEOUT_MS, error);
    g_autofree pid_t *tids = NULL;
    JsonArray *a;
    guint n = 0;

    if (!reply)
        return false;
    if (!JSON_NODE_HOLDS_ARRAY(reply))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                            "unexpected reply to query-cpus-fast");
    /* Indexed by cpu-index; a vCPU that is not plugged has thread 0. */
    a = json_node_get_array(reply);
    tids = g_new0(pid_t, MAX_VCPUS);
    for (guint i = 0; i < json_array_get_length(a); i++) {
        JsonObject *c = json_array_get_object_element(a, i);
        gint64 idx = c ? json_object_get_int_member_with_default(c, "cpu-index", -1) : -1;
        gint64 tid = c ? json_object_get_int_member_with_default(c, "thread-id", 0) : 0;

        if (idx < 0 || idx >= MAX_VCPUS || tid <= 0)
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                                "query-cpus-fast: vCPU entry %u has no index or thread", i);
        tids[idx] = (pid_t)tid;
        n = MAX(n, (guint)idx + 1);
    }
    *ret_tids = g_steal_pointer(&tids);
    *ret_n = n;
    return true;
}

/* @cpuset (NULL: every CPU) as a cpu_set_t. */
static bool
cpuset_to_set(const char *cpuset, cpu_set_t *set, GError **error)
{
    g_autofree guint8 *map = NULL;

    CPU_ZERO(set);
    if (cpuset && !mv_domain_cpuset_parse(cpuset, "cpuset", &map, error))
        return false;
    for (int cpu = 0; cpu < CPU_SETSIZE && cpu < MV_DOMAIN_CPUSET_MAX; cpu++)
        if (!map || (map[cpu / 8] & (1u << (cpu % 8))))
            CPU_SET(cpu, set);
    return true;
}

bool
mv_qemu_tune_pin_thread(pid_t tid, const char *cpuset, GError **error)
{
    cpu_set_t set;

    if (!cpuset_to_set(cpuset, &set, error))
        return false;
    if (sched_setaffinity(tid, sizeof(set), &set) < 0)
        return mv_error_set_errno(error, MV_FROM_QEMU, errno,
                                  "cannot pin thread %d to CPUs '%s'", (int)tid,
                                  cpuset ? cpuset : "all");
    return true;
}

bool
mv_qemu_tune_pin_emulator(pid_t pid, const pid_t *vcpu_tids, unsigned int nvcpus,
                          const char *cpuset, GError **error)
{
    g_autofree char *task_dir = g_strdup_printf("/proc/%d/task", (int)pid);
    const char *name;
    cpu_set_t set;
    GDir *dir;

    if (!cpuset_to_set(cpuset, &set, error))
        return false;
    if (!(dir = g_dir_open(task_dir, 0, NULL)))
        return mv_error_set_errno(error, MV_FROM_QEMU, errno, "cannot list %s", task_dir);
    while ((name = g_dir_read_name(dir))) {
        pid_t tid = (pid_t)g_ascii_strtoll(name, NULL, 10);
        bool vcpu = false;

        for (unsigned int i = 0; i < nvcpus; i++)
            vcpu = vcpu || vcpu_tids[i] == tid;
        /* A thread that ended since the listing (ESRCH) is not an error. */
        if (!vcpu && sched_setaffinity(tid, sizeof(set), &set) < 0 && errno != ESRCH) {
            int e = errno;

            g_dir_close(dir);
            return mv_error_set_errno(error, MV_FROM_QEMU, e,
                                      "cannot pin emulator thread %d to CPUs '%s'", (int)tid,
                                      cpuset ? cpuset : "all");
        }
    }
    g_dir_close(dir);
    return true;
}

bool
mv_qemu_tune_apply_threads(MvQemuCgroup *cg, MvQemuMonitor *mon, pid_t pid,
                           const MvDomainTuneDef *tune, GError **error)
{
    g_autofree pid_t *tids = NULL;
    unsigned int n = 0;

    if (!mv_qemu_cgroup_has(cg, MV_QEMU_CGROUP_CPU) && !tune)
        return true;
    if (!mv_qemu_tune_vcpu_threads(mon, &tids, &n, error) ||
        !mv_qemu_cgroup_place_threads(cg, pid, tids, n, error))
        return false;
    if (!tune)
        return true;
    if ((tune->emulator_period || tune->emulator_quota) &&
        !mv_qemu_tune_set_bandwidth(cg, "emulator", tune->emulator_period,
                                    tune->emulator_quota, error))
        return false;
    for (unsigned int i = 0; i < n; i++) {
        g_autofree char *child = g_strdup_printf("vcpu%u", i);
        const char *pin = mv_domain_tune_vcpupin(tune, i);

        if (!tids[i])
            continue;       /* not plugged */
        if (((tune->period || tune->quota) &&
             !mv_qemu_tune_set_bandwidth(cg, child, tune->period, tune->quota, error)) ||
            (pin && !mv_qemu_tune_pin_thread(tids[i], pin, error)))
            return false;
    }
    return !tune->emulatorpin ||
           mv_qemu_tune_pin_emulator(pid, tids, n, tune->emulatorpin, error);
}

/* ---- disk I/O throttling (QMP) ---- */

/* Whether query-block's @qdev ("virtio-disk0" or "/machine/peripheral/virtio-disk0/…")
 * is the device @alias. */
static bool
qdev_is(const char *qdev, const char *alias)
{
    static const char prefix[] = "/machine/peripheral/";
    size_t n = strlen(alias);

    if (g_str_equal(qdev, alias))
        return true;
    return g_str_has_prefix(qdev, prefix) && strncmp(qdev + strlen(prefix), alias, n) == 0 &&
           (qdev[strlen(prefix) + n] == '/' || qdev[strlen(prefix) + n] == '\0');
}

/* query-block's entry of @disk in @reply, or NULL with an error. */
static JsonObject *
find_block(JsonNode *reply, const MvDomainDiskDef *disk, GError **error)
{
    JsonArray *a = JSON_NODE_HOLDS_ARRAY(reply) ? json_node_get_array(reply) : NULL;

    for (guint i = 0; a && disk->alias && i < json_array_get_length(a); i++) {
        JsonObject *b = json_array_get_object_element(a, i);
        const char *qdev = b ? json_object_get_string_member_with_default(b, "qdev", "") : "";

        if (qdev_is(qdev, disk->alias))
            return b;
    }
    mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                 "QEMU does not list disk '%s' (%s)", disk->target_dev,
                 disk->alias ? disk->alias : "no id");
    return NULL;
}

bool
mv_qemu_tune_get_iotune(MvQemuMonitor *mon, const MvDomainDiskDef *disk,
                        MvDomainDiskIotune *ret, GError **error)
{
    g_autoptr(JsonNode) reply = mv_qemu_monitor_command(mon, "query-block", NULL,
                                                        QUERY_TIMEOUT_MS, error);
    JsonObject *b;
    JsonObject *ins;

    if (!reply || !(b = find_block(reply, disk, error)))
        return false;
    if (!json_object_has_member(b, "inserted") ||
        !(ins = json_object_get_object_member(b, "inserted")))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                            "disk '%s' has no medium", disk->target_dev);
    memset(ret, 0, sizeof(*ret));
    for (int f = 0; f < MV_DOMAIN_IOTUNE_LAST; f++)
        ret->v[f] = (guint64)MAX(json_object_get_int_member_with_default(
                                     ins, mv_domain_iotune_qmp_name(f), 0), 0);
    return true;
}

bool
mv_qemu_tune_set_iotune(MvQemuMonitor *mon, const MvDomainDiskDef *disk,
                        const MvDomainDiskIotune *iotune, GError **error)
{
    g_autoptr(JsonNode) reply = NULL;
    g_autoptr(JsonNode) blocks = NULL;
    JsonObject *args;
    JsonObject *b;

    /* The id QEMU takes is the QOM path of the device that owns the block
     * backend (virtio-blk-pci's is its "virtio-backend" child): query-block has it. */
    if (!(blocks = mv_qemu_monitor_command(mon, "query-block", NULL, QUERY_TIMEOUT_MS, error)))
        return false;
    if (!(b = find_block(blocks, disk, error)))
        return false;
    args = json_object_new();
    json_object_set_string_member(args, "id", json_object_get_string_member(b, "qdev"));
    /* The six base limits are required by QEMU, the others optional; 0 is "none". */
    for (int f = 0; f < MV_DOMAIN_IOTUNE_LAST; f++)
        if (f <= MV_DOMAIN_IOTUNE_WRITE_IOPS_SEC || (iotune && iotune->v[f]))
            json_object_set_int_member(args, mv_domain_iotune_qmp_name(f),
                                       iotune ? (gint64)iotune->v[f] : 0);
    if (!(reply = mv_qemu_monitor_command(mon, "block_set_io_throttle", args,
                                          QUERY_TIMEOUT_MS, error))) {
        g_prefix_error(error, "cannot set the I/O limits of disk '%s': ", disk->target_dev);
        return false;
    }
    return true;
}

bool
mv_qemu_tune_apply_disks(MvQemuMonitor *mon, const MvDomainDef *def, GError **error)
{
    for (size_t i = 0; i < def->ndisks; i++)
        if (def->disks[i]->iotune &&
            !mv_qemu_tune_set_iotune(mon, def->disks[i], def->disks[i]->iotune, error))
            return false;
    return true;
}

/* ---- NIC bandwidth (tc on the tap) ---- */

static MvNetworkBandwidthRate *
net_rate(const MvDomainNetRate *r)
{
    MvNetworkBandwidthRate *ret;

    if (!r->average && !r->peak && !r->burst)
        return NULL;
    ret = g_new0(MvNetworkBandwidthRate, 1);
    ret->average = r->average;
    ret->peak = r->peak;
    ret->burst = r->burst;
    return ret;
}

bool
mv_qemu_tune_set_net_bandwidth(const MvDomainNetDef *net, MvDomainNetBandwidth *bw,
                               GError **error)
{
    g_autoptr(MvNetworkBandwidth) nbw = g_new0(MvNetworkBandwidth, 1);

    if (!net->target_dev)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_UNSUPPORTED,
                            "interface %02x:%02x:%02x:%02x:%02x:%02x has no host device to "
                            "shape (user networking): bandwidth needs a network, bridge or "
                            "ethernet interface", net->mac[0], net->mac[1], net->mac[2],
                            net->mac[3], net->mac[4], net->mac[5]);
    if (!mv_domain_net_bandwidth_check(bw, error))
        return false;
    if (bw) {
        nbw->in = net_rate(&bw->in);
        nbw->out = net_rate(&bw->out);
    }
    if (!mv_network_bandwidth_set(net->target_dev, nbw, error)) {
        g_prefix_error(error, "interface '%s': ", net->target_dev);
        return false;
    }
    if (bw) {
        g_free(bw->ifb);
        bw->ifb = nbw->out ? mv_network_bandwidth_ifb_name(net->target_dev) : NULL;
    }
    return true;
}

bool
mv_qemu_tune_apply_nets(MvDomainDef *def, GError **error)
{
    for (size_t i = 0; i < def->nnets; i++)
        if (!mv_domain_net_bandwidth_is_empty(def->nets[i]->bandwidth) &&
            !mv_qemu_tune_set_net_bandwidth(def->nets[i], def->nets[i]->bandwidth, error))
            return false;
    return true;
}

void
mv_qemu_tune_release_nets(const MvDomainDef *def)
{
    for (size_t i = 0; def && i < def->nnets; i++) {
        const MvDomainNetBandwidth *bw = def->nets[i]->bandwidth;
        g_autoptr(GError) err = NULL;
        bool exists = false;

        if (!bw || !bw->ifb)
            continue;
        if (mv_netlink_link_exists(bw->ifb, &exists, &err) && exists &&
            !mv_netlink_link_delete(bw->ifb, &err))
            mv_log_debug("cannot delete %s: %s", bw->ifb, err->message);
    }
}

void
mv_qemu_tune_recover_nets(MvDomainDef *def)
{
    for (size_t i = 0; def && i < def->nnets; i++) {
        MvDomainNetBandwidth *bw = def->nets[i]->bandwidth;

        if (bw && def->nets[i]->target_dev && (bw->out.average || bw->out.peak)) {
            g_free(bw->ifb);
            bw->ifb = mv_network_bandwidth_ifb_name(def->nets[i]->target_dev);
        }
    }
}
