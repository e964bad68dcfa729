/* Test seams of capabilities.c. */
#pragma once

#include "conf/capabilities.h"

G_BEGIN_DECLS

/**
 * mv_capabilities_new_host_at:
 * mv_capabilities_new_host() reading every file under @root, reporting @arch and
 * @page_size_kib as the system page size (so fixtures do not depend on the host).
 */
MvCapabilities *mv_capabilities_new_host_at(const char *root, const char *arch,
                                            guint page_size_kib, GError **error);

/**
 * mv_capabilities_cpu_feature_name:
 * The CPU feature name (QEMU/libvirt spelling, new string) for a /proc/cpuinfo flag, or NULL
 * for flags that only describe the kernel's view (constant_tsc, ...).
 */
char *mv_capabilities_cpu_feature_name(const char *flag);

G_END_DECLS
