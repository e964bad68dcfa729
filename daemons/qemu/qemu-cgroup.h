/* Each guest's QEMU in cgroup v1 groups of its own (issue 13 item 6).
 *
 * For every v1 controller the host has mounted (cpu, cpuacct, cpuset, memory,
 * blkio), a guest's group is
 *     <mount><daemon's own group>/modvirt-qemu-<H>/<UUID>
 * where H is the first 16 hex digits of the SHA-256 of the daemon's state
 * directory (<root>/run/qemu): daemons with different --root never share a
 * group, and nothing else on the host uses the name. Under the cpu controller
 * the group has "emulator" (every QEMU thread but the vCPUs) and "vcpuN"
 * children, for <cputune> period/quota per vCPU and for the emulator.
 * Groups are made before QEMU execs (its threads start inside), removed when
 * the guest ends, and found again from /proc/PID/cgroup after a restart. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "conf/domain-tune.h"

G_BEGIN_DECLS

typedef enum {
    MV_QEMU_CGROUP_CPU = 0,
    MV_QEMU_CGROUP_CPUACCT,
    MV_QEMU_CGROUP_CPUSET,
    MV_QEMU_CGROUP_MEMORY,
    MV_QEMU_CGROUP_BLKIO,
    MV_QEMU_CGROUP_LAST,
} MvQemuCgroupController;

typedef struct _MvQemuCgroup {
    char *paths[MV_QEMU_CGROUP_LAST];   /* the guest's group; NULL: controller not there */
    unsigned int nvcpus;                /* cpu: vcpu0..vcpuN-1 children made */
} MvQemuCgroup;

void mv_qemu_cgroup_free(MvQemuCgroup *cg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvQemuCgroup, mv_qemu_cgroup_free)

/** mv_qemu_cgroup_controller_name: "cpu", "memory", … */
const char *mv_qemu_cgroup_controller_name(MvQemuCgroupController c);

/** mv_qemu_cgroup_partition: "modvirt-qemu-<H>" for @state_dir (g_free). */
char *mv_qemu_cgroup_partition(const char *state_dir);

/**
 * mv_qemu_cgroup_create:
 * Makes the groups of the guest @uuid (an existing leftover is reused) and
 * moves process @pid (all its threads) into them. A controller the host does
 * not have, or whose hierarchy the daemon may not write (EACCES, EPERM,
 * EROFS), is left out; another failure to make or join a group is an error.
 */
MvQemuCgroup *mv_qemu_cgroup_create(const char *state_dir, const guint8 uuid[16], pid_t pid,
                                    GError **error);

/**
 * mv_qemu_cgroup_adopt:
 * The groups process @pid (the guest @uuid's QEMU) is in, after a daemon
 * restart: only groups named like ours count. Never NULL.
 */
MvQemuCgroup *mv_qemu_cgroup_adopt(const char *state_dir, const guint8 uuid[16], pid_t pid);

/**
 * mv_qemu_cgroup_remove:
 * Removes the guest's groups (children first) and the partition when it is
 * empty; the process must be gone. Failures are logged at debug level.
 */
void mv_qemu_cgroup_remove(const MvQemuCgroup *cg);

/** mv_qemu_cgroup_remove_for: the same for a guest whose groups were never adopted. */
void mv_qemu_cgroup_remove_for(const char *state_dir, const guint8 uuid[16]);

/**
 * mv_qemu_cgroup_place_threads:
 * cpu controller: every thread of @pid into "emulator", vCPU thread
 * @vcpu_tids[i] into "vcpu<i>".
 */
bool mv_qemu_cgroup_place_threads(MvQemuCgroup *cg, pid_t pid, const pid_t *vcpu_tids,
                                  unsigned int nvcpus, GError **error);

/** mv_qemu_cgroup_has: the host has controller @c for this guest. */
bool mv_qemu_cgroup_has(const MvQemuCgroup *cg, MvQemuCgroupController c);

/**
 * mv_qemu_cgroup_write / read:
 * A control file of the guest's group of controller @c, or of its child
 * @child ("emulator", "vcpu0") when not NULL. Errors name the file.
 */
bool mv_qemu_cgroup_write(const MvQemuCgroup *cg, MvQemuCgroupController c, const char *child,
                          const char *file, const char *value, GError **error);
bool mv_qemu_cgroup_read(const MvQemuCgroup *cg, MvQemuCgroupController c, const char *child,
                         const char *file, char **ret_value, GError **error);

G_END_DECLS
