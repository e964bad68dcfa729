/* Applying a definition's tuning (conf/domain-tune.h) to a running QEMU:
 * cgroup files (qemu-cgroup.c) for CPU bandwidth, memory, block I/O and NUMA
 * memory nodes, and sched_setaffinity for the vCPU and emulator pins. Used at
 * start and by the live setters (qemu-domain-tune.c). */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "conf/domain-conf.h"
#include "conf/domain-tune.h"
#include "qemu-cgroup.h"
#include "qemu-monitor.h"

G_BEGIN_DECLS

/**
 * mv_qemu_tune_check:
 * Refuses tuning qemud cannot honour (numatune modes other than strict and
 * restrictive), naming the element. Called at define and at start.
 */
bool mv_qemu_tune_check(const MvDomainDef *def, GError **error);

/** mv_qemu_tune_apply_process: the whole-guest settings (before QEMU execs). */
bool mv_qemu_tune_apply_process(MvQemuCgroup *cg, const MvDomainTuneDef *tune,
                                GError **error);

/**
 * mv_qemu_tune_vcpu_threads:
 * The host thread of each vCPU (index = vCPU number) from QMP query-cpus-fast;
 * *@ret_n is the number of vCPUs.
 */
bool mv_qemu_tune_vcpu_threads(MvQemuMonitor *mon, pid_t **ret_tids, unsigned int *ret_n,
                               GError **error);

/**
 * mv_qemu_tune_apply_threads:
 * Once QEMU runs (paused): threads into the emulator/vCPU groups, their
 * period/quota, and the pins.
 */
bool mv_qemu_tune_apply_threads(MvQemuCgroup *cg, MvQemuMonitor *mon, pid_t pid,
                                const MvDomainTuneDef *tune, GError **error);

/* The single settings, for the live setters. */
bool mv_qemu_tune_set_shares(MvQemuCgroup *cg, guint64 shares, GError **error);
/* @child: NULL (the whole guest), "emulator" or "vcpuN"; 0 leaves a value alone. */
bool mv_qemu_tune_set_bandwidth(MvQemuCgroup *cg, const char *child, guint64 period,
                                gint64 quota, GError **error);
bool mv_qemu_tune_set_memory(MvQemuCgroup *cg, guint64 hard_kib, guint64 soft_kib,
                             guint64 swap_kib, GError **error);
bool mv_qemu_tune_set_blkio_weight(MvQemuCgroup *cg, unsigned int weight, GError **error);
bool mv_qemu_tune_set_blkio_device(MvQemuCgroup *cg, const MvDomainBlkioDevice *dev,
                                   GError **error);
/* One value of one device: @param is a blkiotune parameter name ("device_weight",
 * "device_read_iops_sec", …); 0 removes the kernel's rule. */
bool mv_qemu_tune_set_blkio_device_value(MvQemuCgroup *cg, const char *path, const char *param,
                                         guint64 value, GError **error);
bool mv_qemu_tune_set_numa_nodes(MvQemuCgroup *cg, const char *nodeset, GError **error);

/**
 * mv_qemu_tune_set_iotune:
 * QMP block_set_io_throttle of @disk (by its alias, the device's id) to
 * @iotune (NULL: no limits).
 */
bool mv_qemu_tune_set_iotune(MvQemuMonitor *mon, const MvDomainDiskDef *disk,
                             const MvDomainDiskIotune *iotune, GError **error);

/** mv_qemu_tune_get_iotune: the limits QEMU applies to @disk (QMP query-block). */
bool mv_qemu_tune_get_iotune(MvQemuMonitor *mon, const MvDomainDiskDef *disk,
                             MvDomainDiskIotune *ret, GError **error);

/** mv_qemu_tune_apply_disks: every disk's <iotune> of @def (at start). */
bool mv_qemu_tune_apply_disks(MvQemuMonitor *mon, const MvDomainDef *def, GError **error);

/**
 * mv_qemu_tune_set_net_bandwidth:
 * Shapes the tap of @net (live) to @bw (NULL or empty: no shaping) with tc
 * (networkd's network-bandwidth.c: HTB on the tap for inbound, an ifb device
 * for outbound, whose name is kept in @bw->ifb). @net must have a tap.
 */
bool mv_qemu_tune_set_net_bandwidth(const MvDomainNetDef *net, MvDomainNetBandwidth *bw,
                                    GError **error);

/** mv_qemu_tune_apply_nets: every NIC's <bandwidth> of the live @def (at start). */
bool mv_qemu_tune_apply_nets(MvDomainDef *def, GError **error);

/** mv_qemu_tune_release_nets: deletes the ifb devices of @def's NICs (the guest is gone). */
void mv_qemu_tune_release_nets(const MvDomainDef *def);

/** mv_qemu_tune_recover_nets: after a restart, finds the ifb devices of @def's NICs again. */
void mv_qemu_tune_recover_nets(MvDomainDef *def);

/** mv_qemu_tune_pin_thread: sched_setaffinity of @tid to @cpuset (NULL: every host CPU). */
bool mv_qemu_tune_pin_thread(pid_t tid, const char *cpuset, GError **error);

/** mv_qemu_tune_pin_emulator: every thread of @pid that is not a vCPU to @cpuset. */
bool mv_qemu_tune_pin_emulator(pid_t pid, const pid_t *vcpu_tids, unsigned int nvcpus,
                               const char *cpuset, GError **error);

G_END_DECLS
