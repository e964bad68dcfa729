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

bool mv_qemu_handle_domain_get_vcpus(MvDriverCall *call, const MvObjectRef *dom_ref,
                                     int maxinfo, int maplen, MvRemoteVcpuInfo **ret_info,
                                     guint *ret_n_info, char **ret_cpumaps,
                                     guint *ret_n_cpumaps, GError **error);
bool mv_qemu_handle_domain_memory_stats(MvDriverCall *call, const MvObjectRef *dom_ref,
                                        unsigned int max_stats, unsigned int flags,
                                        MvRemoteDomainMemoryStat **ret_stats,
                                        guint *ret_n_stats, GError **error);
bool mv_qemu_handle_domain_set_memory_stats_period(MvDriverCall *call,
                                                   const MvObjectRef *dom_ref, int period,
                                                   unsigned int flags, GError **error);
bool mv_qemu_handle_domain_block_stats(MvDriverCall *call, const MvObjectRef *dom_ref,
                                       const char *path, int64_t *ret_rd_req,
                                       int64_t *ret_rd_bytes, int64_t *ret_wr_req,
                                       int64_t *ret_wr_bytes, int64_t *ret_errs,
                                       GError **error);
bool mv_qemu_handle_domain_interface_stats(MvDriverCall *call, const MvObjectRef *dom_ref,
                                           const char *device, int64_t *ret_rx_bytes,
                                           int64_t *ret_rx_packets, int64_t *ret_rx_errs,
                                           int64_t *ret_rx_drop, int64_t *ret_tx_bytes,
                                           int64_t *ret_tx_packets, int64_t *ret_tx_errs,
                                           int64_t *ret_tx_drop, GError **error);
bool mv_qemu_handle_domain_get_vcpu_pin_info(MvDriverCall *call, const MvObjectRef *dom_ref,
                                             int ncpumaps, int maplen, unsigned int flags,
                                             char **ret_cpumaps, guint *ret_n_cpumaps,
                                             int *ret_num, GError **error);
bool mv_qemu_handle_domain_get_emulator_pin_info(MvDriverCall *call,
                                                 const MvObjectRef *dom_ref, int maplen,
                                                 unsigned int flags, char **ret_cpumaps,
                                                 guint *ret_n_cpumaps, int *ret_ret,
                                                 GError **error);
bool mv_qemu_handle_domain_get_block_info(MvDriverCall *call, const MvObjectRef *dom_ref,
                                          const char *path, unsigned int flags,
                                          uint64_t *ret_allocation, uint64_t *ret_capacity,
                                          uint64_t *ret_physical, GError **error);
bool mv_qemu_handle_domain_get_job_info(MvDriverCall *call, const MvObjectRef *dom_ref,
                                        int *ret_type, uint64_t *ret_time_elapsed,
                                        uint64_t *ret_time_remaining,
                                        uint64_t *ret_data_total,
                                        uint64_t *ret_data_processed,
                                        uint64_t *ret_data_remaining, uint64_t *ret_mem_total,
                                        uint64_t *ret_mem_processed,
                                        uint64_t *ret_mem_remaining,
                                        uint64_t *ret_file_total,
                                        uint64_t *ret_file_processed,
                                        uint64_t *ret_file_remaining, GError **error);
bool mv_qemu_handle_domain_get_job_stats(MvDriverCall *call, const MvObjectRef *dom_ref,
                                         unsigned int flags, int *ret_type,
                                         MvTypedParam **ret_params, guint *ret_n_params,
                                         GError **error);
bool mv_qemu_keycode_to_qnum(unsigned int codeset, unsigned int code, unsigned int *ret_qnum);
bool mv_qemu_handle_domain_send_key(MvDriverCall *call, const MvObjectRef *dom_ref,
                                    unsigned int codeset, unsigned int holdtime,
                                    const unsigned int *keycodes, guint n_keycodes,
                                    unsigned int flags, GError **error);
bool mv_qemu_handle_domain_block_stats_flags(MvDriverCall *call, const MvObjectRef *dom_ref,
                                             const char *path, int nparams,
                                             unsigned int flags, MvTypedParam **ret_params,
                                             guint *ret_n_params, int *ret_nparams,
                                             GError **error);
