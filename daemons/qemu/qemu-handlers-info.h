/* Host and guest information calls of the QEMU driver (issue 13 item 5). */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "remote-driver.h"

bool mv_qemu_node_cpu_stats_parse(const char *stat, int cpunum, guint64 ret_ns[4],
                                  GError **error);
bool mv_qemu_node_memory_stats_parse(const char *meminfo, bool cell, guint64 *ret_kib,
                                     GError **error);
bool mv_qemu_parse_cpu_list(const char *list, guint8 *map, guint nbits);

bool mv_qemu_handle_node_get_cpu_stats(MvDriverCall *call, int cpunum, int nparams,
                                       unsigned int flags, MvRemoteNodeCpuStat **ret_params,
                                       guint *ret_n_params, int *ret_nparams, GError **error);
bool mv_qemu_handle_node_get_memory_stats(MvDriverCall *call, int nparams, int cell_num,
                                          unsigned int flags,
                                          MvRemoteNodeMemoryStat **ret_params,
                                          guint *ret_n_params, int *ret_nparams,
                                          GError **error);
bool mv_qemu_handle_node_get_cpu_map(MvDriverCall *call, int need_map, int need_online,
                                     unsigned int flags, char **ret_cpumap,
                                     guint *ret_n_cpumap, unsigned int *ret_online,
                                     int *ret_ret, GError **error);
bool mv_qemu_handle_connect_get_sysinfo(MvDriverCall *call, unsigned int flags,
                                        char **ret_sysinfo, GError **error);
