/* Live changes of a running guest's vCPUs, memory and block sizes (issue 13
 * item 6): vCPU hot-plug/unplug through QMP query-hotpluggable-cpus +
 * device_add/device_del, block_resize. The callers hold the domain's job. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "qemu-domain.h"
#include "qemu-driver.h"

G_BEGIN_DECLS

/**
 * mv_qemu_hotplug_vcpus_set:
 * Plugs or unplugs vCPUs of running @dom (job held, lock not held) until
 * @count are online: the lowest absent ones are added, the highest hot-plugged
 * ones removed (a vCPU present since the start cannot be unplugged: refused
 * before anything changes). An unplug waits for the guest to release the
 * vCPU. Updates the live definition's current count and the status file.
 */
bool mv_qemu_hotplug_vcpus_set(MvQemuDriver *driver, MvQemuDomain *dom, unsigned int count,
                               GError **error);

/**
 * mv_qemu_hotplug_vcpus_boot:
 * At start, before the guest runs: plugs the vCPUs that <vcpus> enables and marks
 * hotpluggable (-smp booted the others). Nothing to do without <vcpus>.
 */
bool mv_qemu_hotplug_vcpus_boot(MvQemuMonitor *mon, const MvDomainDef *live, GError **error);

/**
 * mv_qemu_hotplug_vcpu_set_state:
 * Enables (@enable) or disables the vCPUs in @ids (indices, each < the
 * maximum) of running @dom: each one is plugged or unplugged on its own;
 * vCPUs already in that state are left alone. Same rules as above.
 */
bool mv_qemu_hotplug_vcpu_set_state(MvQemuDriver *driver, MvQemuDomain *dom, GArray *ids,
                                    bool enable, GError **error);

/**
 * mv_qemu_hotplug_memory_change:
 * attach-device (@attach) or detach-device of DIMM @mem, live and/or config as
 * @flags (resolved AFFECT_LIVE/CONFIG) say; job held, lock not held. <memory>
 * and <currentMemory> follow the DIMMs. A live detach waits for the guest to
 * release the memory.
 */
bool mv_qemu_hotplug_memory_change(MvQemuDriver *driver, MvQemuDomain *dom,
                                   const MvDomainMemdevDef *mem, bool attach,
                                   unsigned int flags, GError **error);

/**
 * mv_qemu_hotplug_parse_cpumap:
 * Parses libvirt's vCPU list syntax ("0-3,^2,5") into sorted unique indices
 * below @max. INVALID_ARG naming the text otherwise.
 */
GArray *mv_qemu_hotplug_parse_cpumap(const char *text, unsigned int max, GError **error);

G_END_DECLS
