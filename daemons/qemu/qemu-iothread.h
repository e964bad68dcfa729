/* virsh iothreadinfo/-add/-del/-set/-pin (qemu-iothread.c). */
#pragma once

#include "qemu-dispatch.h"
#include "qemu-handlers-info.h"

G_BEGIN_DECLS

bool mv_qemu_handle_domain_get_iothread_info(MvDriverCall *call, const MvObjectRef *dom_ref,
                                             unsigned int flags,
                                             MvRemoteDomainIothreadInfo **ret_info,
                                             guint *ret_n_info, unsigned int *ret_ret,
                                             GError **error);
bool mv_qemu_handle_domain_pin_iothread(MvDriverCall *call, const MvObjectRef *dom_ref,
                                        unsigned int id, const char *cpumap, guint n_cpumap,
                                        unsigned int flags, GError **error);
bool mv_qemu_handle_domain_add_iothread(MvDriverCall *call, const MvObjectRef *dom_ref,
                                        unsigned int iothread_id, unsigned int flags,
                                        GError **error);
bool mv_qemu_handle_domain_del_iothread(MvDriverCall *call, const MvObjectRef *dom_ref,
                                        unsigned int iothread_id, unsigned int flags,
                                        GError **error);
bool mv_qemu_handle_domain_set_iothread_params(MvDriverCall *call, const MvObjectRef *dom_ref,
                                               unsigned int iothread_id,
                                               const MvTypedParam *params, guint n_params,
                                               unsigned int flags, GError **error);

G_END_DECLS
