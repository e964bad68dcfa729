/* The typed handlers of modvirt-networkd, one per REMOTE procedure it serves.
 * main.c puts them into the generated driver vtable (remote-driver.h); their
 * parameters are the generated entry types. */
#pragma once

#include "network-driver.h"
#include "remote-driver.h"

G_BEGIN_DECLS

bool mv_network_handle_connect_list_defined_networks(MvDriverCall *call,
                                                     int maxnames,
                                                     char ***ret_names,
                                                     guint *ret_n_names,
                                                     GError **error);

bool mv_network_handle_connect_list_networks(MvDriverCall *call,
                                             int maxnames,
                                             char ***ret_names,
                                             guint *ret_n_names,
                                             GError **error);

bool mv_network_handle_network_create(MvDriverCall *call,
                                      const MvObjectRef *net_ref,
                                      GError **error);

bool mv_network_handle_network_create_xml(MvDriverCall *call,
                                          const char *xml,
                                          MvObjectRef *ret_net,
                                          GError **error);

bool mv_network_handle_network_define_xml(MvDriverCall *call,
                                          const char *xml,
                                          MvObjectRef *ret_net,
                                          GError **error);

bool mv_network_handle_network_destroy(MvDriverCall *call,
                                       const MvObjectRef *net_ref,
                                       GError **error);

bool mv_network_handle_network_get_xml_desc(MvDriverCall *call,
                                            const MvObjectRef *net_ref,
                                            unsigned int flags,
                                            char **ret_xml,
                                            GError **error);

bool mv_network_handle_network_get_autostart(MvDriverCall *call,
                                             const MvObjectRef *net_ref,
                                             int *ret_autostart,
                                             GError **error);

bool mv_network_handle_network_get_bridge_name(MvDriverCall *call,
                                               const MvObjectRef *net_ref,
                                               char **ret_name,
                                               GError **error);

bool mv_network_handle_network_lookup_by_name(MvDriverCall *call,
                                              const char *name,
                                              MvObjectRef *ret_net,
                                              GError **error);

bool mv_network_handle_network_lookup_by_uuid(MvDriverCall *call,
                                              const guint8 *uuid,
                                              MvObjectRef *ret_net,
                                              GError **error);

bool mv_network_handle_network_set_autostart(MvDriverCall *call,
                                             const MvObjectRef *net_ref,
                                             int autostart,
                                             GError **error);

bool mv_network_handle_network_undefine(MvDriverCall *call,
                                        const MvObjectRef *net_ref,
                                        GError **error);

bool mv_network_handle_connect_num_of_defined_networks(MvDriverCall *call,
                                                       int *ret_num,
                                                       GError **error);

bool mv_network_handle_connect_num_of_networks(MvDriverCall *call, int *ret_num, GError **error);

bool mv_network_handle_network_is_active(MvDriverCall *call,
                                         const MvObjectRef *net_ref,
                                         int *ret_active,
                                         GError **error);

bool mv_network_handle_network_is_persistent(MvDriverCall *call,
                                             const MvObjectRef *net_ref,
                                             int *ret_persistent,
                                             GError **error);

bool mv_network_handle_connect_list_all_networks(MvDriverCall *call,
                                                 int need_results,
                                                 unsigned int flags,
                                                 MvObjectRef **ret_nets,
                                                 guint *ret_n_nets,
                                                 unsigned int *ret_ret,
                                                 GError **error);

bool mv_network_handle_network_update(MvDriverCall *call,
                                      const MvObjectRef *net_ref,
                                      unsigned int command,
                                      unsigned int section,
                                      int parent_index,
                                      const char *xml,
                                      unsigned int flags,
                                      GError **error);

bool mv_network_handle_connect_network_event_register_any(MvDriverCall *call,
                                                          int event_id,
                                                          const MvObjectRef *net_ref,
                                                          int *ret_callback_id,
                                                          GError **error);

bool mv_network_handle_connect_network_event_deregister_any(MvDriverCall *call,
                                                            int callback_id,
                                                            GError **error);

bool mv_network_handle_network_get_dhcp_leases(MvDriverCall *call,
                                               const MvObjectRef *net_ref,
                                               const char *mac,
                                               int need_results,
                                               unsigned int flags,
                                               MvRemoteNetworkDhcpLease **ret_leases,
                                               guint *ret_n_leases,
                                               unsigned int *ret_ret,
                                               GError **error);

bool mv_network_handle_network_list_all_ports(MvDriverCall *call,
                                              const MvObjectRef *network_ref,
                                              int need_results,
                                              unsigned int flags,
                                              MvObjectRef **ret_ports,
                                              guint *ret_n_ports,
                                              unsigned int *ret_ret,
                                              GError **error);

bool mv_network_handle_network_port_lookup_by_uuid(MvDriverCall *call,
                                                   const MvObjectRef *network_ref,
                                                   const guint8 *uuid,
                                                   MvObjectRef *ret_port,
                                                   GError **error);

bool mv_network_handle_network_port_create_xml(MvDriverCall *call,
                                               const MvObjectRef *network_ref,
                                               const char *xml,
                                               unsigned int flags,
                                               MvObjectRef *ret_port,
                                               GError **error);

bool mv_network_handle_network_port_get_parameters(MvDriverCall *call,
                                                   const MvObjectRef *port_ref,
                                                   int nparams,
                                                   unsigned int flags,
                                                   MvTypedParam **ret_params,
                                                   guint *ret_n_params,
                                                   int *ret_nparams,
                                                   GError **error);

bool mv_network_handle_network_port_set_parameters(MvDriverCall *call,
                                                   const MvObjectRef *port_ref,
                                                   const MvTypedParam *params,
                                                   guint n_params,
                                                   unsigned int flags,
                                                   GError **error);

bool mv_network_handle_network_port_get_xml_desc(MvDriverCall *call,
                                                 const MvObjectRef *port_ref,
                                                 unsigned int flags,
                                                 char **ret_xml,
                                                 GError **error);

bool mv_network_handle_network_port_delete(MvDriverCall *call,
                                           const MvObjectRef *port_ref,
                                           unsigned int flags,
                                           GError **error);

bool mv_network_handle_network_define_xml_flags(MvDriverCall *call,
                                                const char *xml,
                                                unsigned int flags,
                                                MvObjectRef *ret_net,
                                                GError **error);

bool mv_network_handle_network_create_xml_flags(MvDriverCall *call,
                                                const char *xml,
                                                unsigned int flags,
                                                MvObjectRef *ret_net,
                                                GError **error);

/* ---- helpers shared by the handlers (network-handlers.c) ---- */

/**
 * mv_network_dispatch_get:
 * The network @ref names, looked up by UUID like libvirt does. Returns a new
 * reference or NULL with MV_ERR_NO_NETWORK naming the uuid and the name.
 */
MvNetworkObj *mv_network_dispatch_get(MvDriverCall *call, const MvObjectRef *ref,
                                      GError **error);

/** mv_network_dispatch_fill: @ret = a new reference of @net for the reply. */
void mv_network_dispatch_fill(MvObjectRef *ret, const MvNetworkObj *net);

/** mv_network_dispatch_check_flags: MV_ERR_INVALID_ARG for bits outside @allowed. */
bool mv_network_dispatch_check_flags(unsigned int flags, unsigned int allowed, const char *api,
                                     GError **error);

/** mv_network_dispatch_not_active: OPERATION_INVALID "network 'x' is not active". */
bool mv_network_dispatch_not_active(const MvNetworkObj *net, GError **error);

G_END_DECLS
