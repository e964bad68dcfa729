/* Read-only node devices answered by qemud (qemu-nodedev.c): the typed
 * handlers of the nodedev route (remote-driver.h, MvRemoteNodeDeviceDriver). */
#pragma once

#include "qemu-dispatch.h"

G_BEGIN_DECLS

bool mv_qemu_handle_node_num_of_devices(MvDriverCall *call, const char *cap,
                                        unsigned int flags, int *ret_num, GError **error);
bool mv_qemu_handle_node_list_devices(MvDriverCall *call, const char *cap, int maxnames,
                                      unsigned int flags, char ***ret_names,
                                      guint *ret_n_names, GError **error);
bool mv_qemu_handle_connect_list_all_node_devices(MvDriverCall *call, int need_results,
                                                  unsigned int flags,
                                                  MvObjectRef **ret_devices,
                                                  guint *ret_n_devices, guint *ret_ret,
                                                  GError **error);
bool mv_qemu_handle_node_device_lookup_by_name(MvDriverCall *call, const char *name,
                                               MvObjectRef *ret_dev, GError **error);
bool mv_qemu_handle_node_device_get_xml_desc(MvDriverCall *call, const char *name,
                                             unsigned int flags, char **ret_xml,
                                             GError **error);
bool mv_qemu_handle_node_device_get_parent(MvDriverCall *call, const char *name,
                                           char **ret_parent_name, GError **error);
bool mv_qemu_handle_node_device_num_of_caps(MvDriverCall *call, const char *name,
                                            int *ret_num, GError **error);
bool mv_qemu_handle_node_device_list_caps(MvDriverCall *call, const char *name, int maxnames,
                                          char ***ret_names, guint *ret_n_names,
                                          GError **error);
bool mv_qemu_handle_node_device_get_autostart(MvDriverCall *call, const char *name,
                                              int *ret_autostart, GError **error);
bool mv_qemu_handle_node_device_is_persistent(MvDriverCall *call, const char *name,
                                              int *ret_persistent, GError **error);
bool mv_qemu_handle_node_device_is_active(MvDriverCall *call, const char *name,
                                          int *ret_active, GError **error);

G_END_DECLS
