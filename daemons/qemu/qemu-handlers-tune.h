/* RPC handlers of the domain tuning calls (qemu-domain-tune.c, qemu-domain-pin.c):
 * schedinfo, memtune, blkiotune, numatune and the vCPU / emulator pin setters. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "remote-driver.h"

bool mv_qemu_handle_domain_get_scheduler_type(MvDriverCall *call, const MvObjectRef *dom_ref,
                                              char **ret_type, int *ret_nparams,
                                              GError **error);
bool mv_qemu_handle_domain_get_scheduler_parameters(MvDriverCall *call,
                                                    const MvObjectRef *dom_ref, int nparams,
                                                    MvTypedParam **ret_params,
                                                    guint *ret_n_params, GError **error);
bool mv_qemu_handle_domain_get_scheduler_parameters_flags(MvDriverCall *call,
                                                          const MvObjectRef *dom_ref,
                                                          int nparams, unsigned int flags,
                                                          MvTypedParam **ret_params,
                                                          guint *ret_n_params,
                                                          GError **error);
bool mv_qemu_handle_domain_set_scheduler_parameters(MvDriverCall *call,
                                                    const MvObjectRef *dom_ref,
                                                    const MvTypedParam *params,
                                                    guint n_params, GError **error);
bool mv_qemu_handle_domain_set_scheduler_parameters_flags(MvDriverCall *call,
                                                          const MvObjectRef *dom_ref,
                                                          const MvTypedParam *params,
                                                          guint n_params, unsigned int flags,
                                                          GError **error);
bool mv_qemu_handle_domain_get_memory_parameters(MvDriverCall *call, const MvObjectRef *dom_ref,
                                                 int nparams, unsigned int flags,
                                                 MvTypedParam **ret_params,
                                                 guint *ret_n_params, int *ret_nparams,
                                                 GError **error);
bool mv_qemu_handle_domain_set_memory_parameters(MvDriverCall *call, const MvObjectRef *dom_ref,
                                                 const MvTypedParam *params, guint n_params,
                                                 unsigned int flags, GError **error);
bool mv_qemu_handle_domain_get_blkio_parameters(MvDriverCall *call, const MvObjectRef *dom_ref,
                                                int nparams, unsigned int flags,
                                                MvTypedParam **ret_params,
                                                guint *ret_n_params, int *ret_nparams,
                                                GError **error);
bool mv_qemu_handle_domain_set_blkio_parameters(MvDriverCall *call, const MvObjectRef *dom_ref,
                                                const MvTypedParam *params, guint n_params,
                                                unsigned int flags, GError **error);
bool mv_qemu_handle_domain_get_numa_parameters(MvDriverCall *call, const MvObjectRef *dom_ref,
                                               int nparams, unsigned int flags,
                                               MvTypedParam **ret_params,
                                               guint *ret_n_params, int *ret_nparams,
                                               GError **error);
bool mv_qemu_handle_domain_set_numa_parameters(MvDriverCall *call, const MvObjectRef *dom_ref,
                                               const MvTypedParam *params, guint n_params,
                                               unsigned int flags, GError **error);
bool mv_qemu_handle_domain_get_block_io_tune(MvDriverCall *call, const MvObjectRef *dom_ref,
                                             const char *disk, int nparams,
                                             unsigned int flags, MvTypedParam **ret_params,
                                             guint *ret_n_params, int *ret_nparams,
                                             GError **error);
bool mv_qemu_handle_domain_set_block_io_tune(MvDriverCall *call, const MvObjectRef *dom_ref,
                                             const char *disk, const MvTypedParam *params,
                                             guint n_params, unsigned int flags,
                                             GError **error);
bool mv_qemu_handle_domain_get_interface_parameters(MvDriverCall *call,
                                                    const MvObjectRef *dom_ref,
                                                    const char *device, int nparams,
                                                    unsigned int flags,
                                                    MvTypedParam **ret_params,
                                                    guint *ret_n_params, int *ret_nparams,
                                                    GError **error);
bool mv_qemu_handle_domain_set_interface_parameters(MvDriverCall *call,
                                                    const MvObjectRef *dom_ref,
                                                    const char *device,
                                                    const MvTypedParam *params,
                                                    guint n_params, unsigned int flags,
                                                    GError **error);
bool mv_qemu_handle_domain_pin_vcpu(MvDriverCall *call, const MvObjectRef *dom_ref,
                                    unsigned int vcpu, const char *cpumap, guint n_cpumap,
                                    GError **error);
bool mv_qemu_handle_domain_pin_vcpu_flags(MvDriverCall *call, const MvObjectRef *dom_ref,
                                          unsigned int vcpu, const char *cpumap,
                                          guint n_cpumap, unsigned int flags, GError **error);
bool mv_qemu_handle_domain_pin_emulator(MvDriverCall *call, const MvObjectRef *dom_ref,
                                        const char *cpumap, guint n_cpumap,
                                        unsigned int flags, GError **error);
