/* Guest information of the QEMU driver, part 2 (issue 13 item 5): the vCPU and
 * emulator CPU maps (virsh vcpupin / emulatorpin without a list, vcpuinfo of a
 * shut-off guest), virsh domblkinfo and domjobinfo. The configured map is the
 * definition's <cputune> pin, else every host CPU; the live map is the threads' affinity. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-dispatch.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/domain-tune.h"
#include "driver/affect.h"
#include "qemu-handlers-info.h"
#include "qemu-process.h"

#define QUERY_TIMEOUT_MS 10000
#define AFFECT_LIVE 1u
#define AFFECT_CONFIG 2u
#define MAPS_MAX 8388608

/* Every present host CPU set in @map (@maplen bytes). */
static void
fill_host_cpus(guint8 *map, int maplen)
{
    g_autofree char *present = NULL;

    if (!g_file_get_contents("/sys/devices/system/cpu/present", &present, NULL, NULL) ||
        !mv_qemu_parse_cpu_list(present, map, (guint)maplen * 8))
        memset(map, 0xff, maplen);
}

static void
fill_affinity(guint8 *map, int maplen, pid_t tid)
{
    cpu_set_t set;

    CPU_ZERO(&set);
    if (sched_getaffinity(tid, sizeof(set), &set) != 0) {
        fill_host_cpus(map, maplen);
        return;
    }
    for (int cpu = 0; cpu < maplen * 8 && cpu < CPU_SETSIZE; cpu++)
        if (CPU_ISSET(cpu, &set))
            map[cpu / 8] |= 1u << (cpu % 8);
}

/* @map: the configured pin @cpuset (NULL: every host CPU). */
static void
fill_pin(guint8 *map, int maplen, const char *cpuset)
{
    g_autofree guint8 *pin = NULL;

    if (!cpuset || !mv_domain_cpuset_parse(cpuset, "cpuset", &pin, NULL)) {
        fill_host_cpus(map, maplen);
        return;
    }
    memcpy(map, pin, MIN(maplen, MV_DOMAIN_CPUSET_MAX / 8));
}

/* Resolves @flags for @dom; returns whether the live maps are asked for.
 * *@ret_tune: a copy of the configured tuning (or NULL). */
static bool
resolve(MvQemuDomain *dom, unsigned int *flags, bool *ret_live, pid_t *ret_pid,
        MvQemuMonitor **ret_mon, unsigned int *ret_vcpus, MvDomainTuneDef **ret_tune,
        GError **error)
{
    const MvDomainDef *config;
    bool ok;

    g_mutex_lock(&dom->lock);
    ok = mv_driver_affect_resolve(&mv_qemu_domain_class, flags, mv_qemu_domain_is_active(dom),
                                  dom->persistent, 0, error);
    config = dom->newdef ? dom->newdef : dom->def;
    *ret_live = ok && (*flags & AFFECT_LIVE);
    *ret_pid = dom->pid;
    *ret_mon = dom->monitor;
    *ret_vcpus = *ret_live ? dom->live->vcpus : config->vcpus;
    *ret_tune = mv_domain_tune_def_copy(config->tune);
    g_mutex_unlock(&dom->lock);
    return ok;
}

bool
mv_qemu_handle_domain_get_vcpu_pin_info(MvDriverCall *call, const MvObjectRef *dom_ref,
                                        int ncpumaps, int maplen, unsigned int flags,
                                        char **ret_cpumaps, guint *ret_n_cpumaps, int *ret_num,
                                        GError **error)
{
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autoptr(MvDomainTuneDef) tune = NULL;
    MvQemuMonitor *mon = NULL;
    unsigned int vcpus = 0;
    pid_t pid = 0;
    bool live = false;
    guint8 *maps;
    int n;

    if (!mv_qemu_dispatch_check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG,
                                      "virDomainGetVcpuPinInfo", error))
        return false;
    if (ncpumaps < 1 || maplen < 1 || (gint64)ncpumaps * maplen > MAPS_MAX)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "virDomainGetVcpuPinInfo: ncpumaps and maplen must be positive "
                            "and their product at most %d (got %d, %d)", MAPS_MAX, ncpumaps,
                            maplen);
    if (!(dom = mv_qemu_dispatch_get_domain(call, dom_ref, error)) ||
        !mv_qemu_dispatch_begin_job(dom, "virDomainGetVcpuPinInfo", error))
        return false;
    if (!resolve(dom, &flags, &live, &pid, &mon, &vcpus, &tune, error)) {
        mv_qemu_process_end_job(mv_qemu_driver_get(call), dom);
        return false;
    }
    n = MIN((int)vcpus, ncpumaps);
    maps = g_malloc0((gsize)ncpumaps * (gsize)maplen);
    for (int i = 0; i < n; i++)
        fill_pin(maps + (gsize)i * maplen, maplen, mv_domain_tune_vcpupin(tune, (guint)i));
    if (live) {
        JsonNode *reply = mv_qemu_monitor_command(mon, "query-cpus-fast", NULL,
                                                  QUERY_TIMEOUT_MS, error);

        if (!reply) {
            g_free(maps);
            mv_qemu_process_end_job(mv_qemu_driver_get(call), dom);
            return false;
        }
        if (JSON_NODE_HOLDS_ARRAY(reply)) {
            JsonArray *a = json_node_get_array(reply);

            for (guint i = 0; i < json_array_get_length(a); i++) {
                JsonObject *c = json_array_get_object_element(a, i);
                gint64 idx = json_object_get_int_member_with_default(c, "cpu-index", -1);
                gint64 tid = json_object_get_int_member_with_default(c, "thread-id", 0);

                if (idx < 0 || idx >= n || tid <= 0)
                    continue;
                memset(maps + (gsize)idx * maplen, 0, maplen);
                fill_affinity(maps + (gsize)idx * maplen, maplen, (pid_t)tid);
            }
        }
        json_node_free(reply);
    }
    mv_qemu_process_end_job(mv_qemu_driver_get(call), dom);
    (*ret_cpumaps) = (char *)maps;
    (*ret_n_cpumaps) = (guint)ncpumaps * (guint)maplen;
    (*ret_num) = n;
    return true;
}

bool
mv_qemu_handle_domain_get_emulator_pin_info(MvDriverCall *call, const MvObjectRef *dom_ref,
                                            int maplen, unsigned int flags, char **ret_cpumaps,
                                            guint *ret_n_cpumaps, int *ret_ret, GError **error)
{
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autoptr(MvDomainTuneDef) tune = NULL;
    MvQemuMonitor *mon = NULL;
    unsigned int vcpus = 0;
    pid_t pid = 0;
    bool live = false;
    guint8 *map;

    if (!mv_qemu_dispatch_check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG,
                                      "virDomainGetEmulatorPinInfo", error))
        return false;
    if (maplen < 1 || maplen > MAPS_MAX)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "virDomainGetEmulatorPinInfo: maplen must be 1 to %d, not %d",
                            MAPS_MAX, maplen);
    if (!(dom = mv_qemu_dispatch_get_domain(call, dom_ref, error)) ||
        !resolve(dom, &flags, &live, &pid, &mon, &vcpus, &tune, error))
        return false;
    map = g_malloc0(maplen);
    if (live && pid > 0)
        fill_affinity(map, maplen, pid);
    else
        fill_pin(map, maplen, tune ? tune->emulatorpin : NULL);
    (*ret_cpumaps) = (char *)map;
    (*ret_n_cpumaps) = (guint)maplen;
    (*ret_ret) = 1;
    return true;
}

/* A qcow2 image's virtual size from its header (big-endian u64 at offset 24). */
static bool
qcow2_size(int fd, guint64 *ret_size)
{
    guint8 hdr[32];

    if (pread(fd, hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr) || memcmp(hdr, "QFI\xfb", 4) != 0)
        return false;
    *ret_size = 0;
    for (int i = 24; i < 32; i++)
        *ret_size = (*ret_size << 8) | hdr[i];
    return true;
}

bool
mv_qemu_handle_domain_get_block_info(MvDriverCall *call, const MvObjectRef *dom_ref,
                                     const char *path, unsigned int flags,
                                     uint64_t *ret_allocation, uint64_t *ret_capacity,
                                     uint64_t *ret_physical, GError **error)
{
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autofree char *source = NULL;
    g_autofree char *format = NULL;
    bool found = false;
    struct stat st;
    off_t end;
    int fd;

    if (!mv_qemu_dispatch_check_flags(flags, 0, "virDomainGetBlockInfo", error) ||
        !(dom = mv_qemu_dispatch_get_domain(call, dom_ref, error)))
        return false;
    g_mutex_lock(&dom->lock);
    {
        const MvDomainDef *def = mv_qemu_domain_is_active(dom) ? dom->live : dom->def;

        for (size_t i = 0; i < def->ndisks && !found; i++) {
            const MvDomainDiskDef *d = def->disks[i];

            if (g_strcmp0(d->target_dev, path) == 0 || g_strcmp0(d->source, path) == 0) {
                found = true;
                source = g_strdup(d->source);
                format = g_strdup(d->driver_type ? d->driver_type : d->source_format);
            }
        }
    }
    g_mutex_unlock(&dom->lock);
    if (!found)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "invalid argument: invalid path %s not assigned to domain "
                            "(see virsh domblklist)", path);
    if (!source)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "disk '%s' has no source (an empty drive)", path);
    if ((fd = open(source, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) < 0) {
        int e = errno;

        if (fd >= 0)
            close(fd);
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                            "cannot read disk '%s' (%s): %s", path, source, g_strerror(e));
    }
    end = lseek(fd, 0, SEEK_END);
    (*ret_physical) = S_ISREG(st.st_mode) ? (guint64)st.st_size : (guint64)MAX(end, 0);
    (*ret_allocation) = S_ISREG(st.st_mode) ? (guint64)st.st_blocks * 512 : *ret_physical;
    if (g_strcmp0(format, "qcow2") != 0 || !qcow2_size(fd, ret_capacity))
        (*ret_capacity) = *ret_physical;
    close(fd);
    return true;
}

/* virsh domjobinfo: no job of this driver is an asynchronous job with progress
 * (lifecycle calls are short synchronous jobs), so a running domain reports
 * VIR_DOMAIN_JOB_NONE, and there is never a completed job to report. */
#define JOB_STATS_COMPLETED 1u
#define JOB_STATS_KEEP_COMPLETED 2u

static bool
check_job_domain(MvDriverCall *call, const MvObjectRef *dom_ref, bool completed,
                 GError **error)
{
    g_autoptr(MvQemuDomain) dom = NULL;
    bool active;

    if (!(dom = mv_qemu_dispatch_get_domain(call, dom_ref, error)))
        return false;
    g_mutex_lock(&dom->lock);
    active = mv_qemu_domain_is_active(dom);
    g_mutex_unlock(&dom->lock);
    if (!active && !completed)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: domain is not running");
    return true;
}

bool
mv_qemu_handle_domain_get_job_info(MvDriverCall *call, const MvObjectRef *dom_ref,
                                   int *ret_type, uint64_t *ret_time_elapsed,
                                   uint64_t *ret_time_remaining, uint64_t *ret_data_total,
                                   uint64_t *ret_data_processed, uint64_t *ret_data_remaining,
                                   uint64_t *ret_mem_total, uint64_t *ret_mem_processed,
                                   uint64_t *ret_mem_remaining, uint64_t *ret_file_total,
                                   uint64_t *ret_file_processed, uint64_t *ret_file_remaining,
                                   GError **error)
{
    if (!check_job_domain(call, dom_ref, false, error))
        return false;
    (*ret_type) = 0;            /* VIR_DOMAIN_JOB_NONE; the ret is zeroed */
    return true;
}

bool
mv_qemu_handle_domain_get_job_stats(MvDriverCall *call, const MvObjectRef *dom_ref,
                                    unsigned int flags, int *ret_type,
                                    MvTypedParam **ret_params, guint *ret_n_params,
                                    GError **error)
{
    if (!mv_qemu_dispatch_check_flags(flags, JOB_STATS_COMPLETED | JOB_STATS_KEEP_COMPLETED,
                                      "virDomainGetJobStats", error))
        return false;
    if ((flags & JOB_STATS_KEEP_COMPLETED) && !(flags & JOB_STATS_COMPLETED))
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "invalid argument: VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED needs "
                            "VIR_DOMAIN_JOB_STATS_COMPLETED");
    if (!check_job_domain(call, dom_ref, flags & JOB_STATS_COMPLETED, error))
        return false;
    (*ret_type) = 0;
    (*ret_n_params) = 0;
    return true;
}
