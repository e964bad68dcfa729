/* The typed handlers of modvirt-qemud, one per REMOTE procedure it serves.
 * main.c puts them into the generated driver vtables (remote-driver.h); their
 * parameters are the generated entry types. */
#pragma once

#include "remote-driver.h"

G_BEGIN_DECLS

bool mv_qemu_handle_connect_get_type(MvDriverCall *call, char **ret_type, GError **error);

bool mv_qemu_handle_connect_get_version(MvDriverCall *call, uint64_t *ret_hv_ver, GError **error);

bool mv_qemu_handle_connect_get_capabilities(MvDriverCall *call,
                                             char **ret_capabilities,
                                             GError **error);

bool mv_qemu_handle_connect_get_max_vcpus(MvDriverCall *call,
                                          const char *type,
                                          int *ret_max_vcpus,
                                          GError **error);

bool mv_qemu_handle_node_get_info(MvDriverCall *call,
                                  char *ret_model,
                                  uint64_t *ret_memory,
                                  int *ret_cpus,
                                  int *ret_mhz,
                                  int *ret_nodes,
                                  int *ret_sockets,
                                  int *ret_cores,
                                  int *ret_threads,
                                  GError **error);

bool mv_qemu_handle_node_get_free_memory(MvDriverCall *call,
                                         uint64_t *ret_free_mem,
                                         GError **error);

bool mv_qemu_handle_node_get_cells_free_memory(MvDriverCall *call,
                                               int start_cell,
                                               int maxcells,
                                               uint64_t **ret_cells,
                                               guint *ret_n_cells,
                                               GError **error);

bool mv_qemu_handle_node_get_security_model(MvDriverCall *call,
                                            char **ret_model,
                                            guint *ret_n_model,
                                            char **ret_doi,
                                            guint *ret_n_doi,
                                            GError **error);

bool mv_qemu_handle_domain_open_console(MvDriverCall *call,
                                        const MvObjectRef *dom_ref,
                                        const char *dev_name,
                                        unsigned int flags,
                                        GError **error);

bool mv_qemu_handle_domain_attach_device(MvDriverCall *call,
                                         const MvObjectRef *dom_ref,
                                         const char *xml,
                                         GError **error);

bool mv_qemu_handle_domain_attach_device_flags(MvDriverCall *call,
                                               const MvObjectRef *dom_ref,
                                               const char *xml,
                                               unsigned int flags,
                                               GError **error);

bool mv_qemu_handle_domain_detach_device(MvDriverCall *call,
                                         const MvObjectRef *dom_ref,
                                         const char *xml,
                                         GError **error);

bool mv_qemu_handle_domain_detach_device_flags(MvDriverCall *call,
                                               const MvObjectRef *dom_ref,
                                               const char *xml,
                                               unsigned int flags,
                                               GError **error);

bool mv_qemu_handle_domain_update_device_flags(MvDriverCall *call,
                                               const MvObjectRef *dom_ref,
                                               const char *xml,
                                               unsigned int flags,
                                               GError **error);

/* qemu-net-addresses.c */
bool mv_qemu_handle_domain_interface_addresses(MvDriverCall *call, const MvObjectRef *dom_ref,
                                               unsigned int source, unsigned int flags,
                                               MvRemoteDomainInterface **ret_ifaces,
                                               guint *ret_n_ifaces, GError **error);

bool mv_qemu_handle_connect_domain_event_callback_register_any(MvDriverCall *call,
                                                               int event_id,
                                                               const MvObjectRef *dom_ref,
                                                               int *ret_callback_id,
                                                               GError **error);

bool mv_qemu_handle_connect_domain_event_callback_deregister_any(MvDriverCall *call,
                                                                 int callback_id,
                                                                 GError **error);

bool mv_qemu_handle_connect_domain_event_register_any(MvDriverCall *call,
                                                      int event_id,
                                                      GError **error);

bool mv_qemu_handle_connect_domain_event_deregister_any(MvDriverCall *call,
                                                        int event_id,
                                                        GError **error);

bool mv_qemu_handle_domain_get_info(MvDriverCall *call,
                                    const MvObjectRef *dom_ref,
                                    unsigned char *ret_state,
                                    uint64_t *ret_max_mem,
                                    uint64_t *ret_memory,
                                    unsigned short *ret_nr_virt_cpu,
                                    uint64_t *ret_cpu_time,
                                    GError **error);

bool mv_qemu_handle_domain_get_state(MvDriverCall *call,
                                     const MvObjectRef *dom_ref,
                                     unsigned int flags,
                                     int *ret_state,
                                     int *ret_reason,
                                     GError **error);

bool mv_qemu_handle_domain_get_xml_desc(MvDriverCall *call,
                                        const MvObjectRef *dom_ref,
                                        unsigned int flags,
                                        char **ret_xml,
                                        GError **error);

bool mv_qemu_handle_domain_get_autostart(MvDriverCall *call,
                                         const MvObjectRef *dom_ref,
                                         int *ret_autostart,
                                         GError **error);

bool mv_qemu_handle_domain_is_active(MvDriverCall *call,
                                     const MvObjectRef *dom_ref,
                                     int *ret_active,
                                     GError **error);

bool mv_qemu_handle_domain_is_persistent(MvDriverCall *call,
                                         const MvObjectRef *dom_ref,
                                         int *ret_persistent,
                                         GError **error);

bool mv_qemu_handle_domain_is_updated(MvDriverCall *call,
                                      const MvObjectRef *dom_ref,
                                      int *ret_updated,
                                      GError **error);

bool mv_qemu_handle_domain_get_os_type(MvDriverCall *call,
                                       const MvObjectRef *dom_ref,
                                       char **ret_type,
                                       GError **error);

bool mv_qemu_handle_domain_get_max_memory(MvDriverCall *call,
                                          const MvObjectRef *dom_ref,
                                          uint64_t *ret_memory,
                                          GError **error);

bool mv_qemu_handle_domain_get_max_vcpus(MvDriverCall *call,
                                         const MvObjectRef *dom_ref,
                                         int *ret_num,
                                         GError **error);

bool mv_qemu_handle_domain_get_vcpus_flags(MvDriverCall *call,
                                           const MvObjectRef *dom_ref,
                                           unsigned int flags,
                                           int *ret_num,
                                           GError **error);

bool mv_qemu_handle_domain_has_managed_save_image(MvDriverCall *call,
                                                  const MvObjectRef *dom_ref,
                                                  unsigned int flags,
                                                  int *ret_result,
                                                  GError **error);

/* qemu-save.c */
bool mv_qemu_handle_domain_save(MvDriverCall *call, const MvObjectRef *dom_ref, const char *to,
                                GError **error);
bool mv_qemu_handle_domain_save_flags(MvDriverCall *call, const MvObjectRef *dom_ref,
                                      const char *to, const char *dxml, unsigned int flags,
                                      GError **error);
bool mv_qemu_handle_domain_restore(MvDriverCall *call, const char *from, GError **error);
bool mv_qemu_handle_domain_restore_flags(MvDriverCall *call, const char *from,
                                         const char *dxml, unsigned int flags, GError **error);
bool mv_qemu_handle_domain_managed_save(MvDriverCall *call, const MvObjectRef *dom_ref,
                                        unsigned int flags, GError **error);
bool mv_qemu_handle_domain_managed_save_remove(MvDriverCall *call, const MvObjectRef *dom_ref,
                                               unsigned int flags, GError **error);
bool mv_qemu_handle_domain_save_image_get_xml_desc(MvDriverCall *call, const char *file,
                                                   unsigned int flags, char **ret_xml,
                                                   GError **error);
bool mv_qemu_handle_domain_save_image_define_xml(MvDriverCall *call, const char *file,
                                                 const char *dxml, unsigned int flags,
                                                 GError **error);
bool mv_qemu_handle_domain_managed_save_get_xml_desc(MvDriverCall *call,
                                                     const MvObjectRef *dom_ref,
                                                     unsigned int flags, char **ret_xml,
                                                     GError **error);
bool mv_qemu_handle_domain_managed_save_define_xml(MvDriverCall *call,
                                                   const MvObjectRef *dom_ref,
                                                   const char *dxml, unsigned int flags,
                                                   GError **error);

bool mv_qemu_handle_domain_snapshot_num(MvDriverCall *call,
                                        const MvObjectRef *dom_ref,
                                        unsigned int flags,
                                        int *ret_num,
                                        GError **error);

bool mv_qemu_handle_domain_get_security_label(MvDriverCall *call,
                                              const MvObjectRef *dom_ref,
                                              char **ret_label,
                                              guint *ret_n_label,
                                              int *ret_enforcing,
                                              GError **error);

bool mv_qemu_handle_domain_get_messages(MvDriverCall *call,
                                        const MvObjectRef *dom_ref,
                                        unsigned int flags,
                                        char ***ret_msgs,
                                        guint *ret_n_msgs,
                                        GError **error);

bool mv_qemu_handle_domain_set_memory(MvDriverCall *call,
                                      const MvObjectRef *dom_ref,
                                      uint64_t memory,
                                      GError **error);

bool mv_qemu_handle_domain_set_memory_flags(MvDriverCall *call,
                                            const MvObjectRef *dom_ref,
                                            uint64_t memory,
                                            unsigned int flags,
                                            GError **error);

bool mv_qemu_handle_domain_set_max_memory(MvDriverCall *call,
                                          const MvObjectRef *dom_ref,
                                          uint64_t memory,
                                          GError **error);

bool mv_qemu_handle_domain_set_vcpus(MvDriverCall *call,
                                     const MvObjectRef *dom_ref,
                                     unsigned int nvcpus,
                                     GError **error);

bool mv_qemu_handle_domain_set_vcpus_flags(MvDriverCall *call,
                                           const MvObjectRef *dom_ref,
                                           unsigned int nvcpus,
                                           unsigned int flags,
                                           GError **error);

/* qemu-domain-live.c: live changes (issue 13 item 6) */
bool mv_qemu_handle_domain_set_vcpu(MvDriverCall *call, const MvObjectRef *dom_ref,
                                    const char *cpumap, int state, unsigned int flags,
                                    GError **error);
bool mv_qemu_handle_domain_block_resize(MvDriverCall *call, const MvObjectRef *dom_ref,
                                        const char *disk, uint64_t size, unsigned int flags,
                                        GError **error);

bool mv_qemu_handle_domain_define_xml(MvDriverCall *call,
                                      const char *xml,
                                      MvObjectRef *ret_dom,
                                      GError **error);

bool mv_qemu_handle_domain_define_xml_flags(MvDriverCall *call,
                                            const char *xml,
                                            unsigned int flags,
                                            MvObjectRef *ret_dom,
                                            GError **error);

bool mv_qemu_handle_domain_undefine(MvDriverCall *call,
                                    const MvObjectRef *dom_ref,
                                    GError **error);

bool mv_qemu_handle_domain_undefine_flags(MvDriverCall *call,
                                          const MvObjectRef *dom_ref,
                                          unsigned int flags,
                                          GError **error);

/* qemu-domain-rename.c */
bool mv_qemu_handle_domain_rename(MvDriverCall *call,
                                  const MvObjectRef *dom_ref,
                                  const char *new_name,
                                  unsigned int flags,
                                  int *ret_retcode,
                                  GError **error);

bool mv_qemu_handle_domain_create(MvDriverCall *call, const MvObjectRef *dom_ref, GError **error);

bool mv_qemu_handle_domain_create_with_flags(MvDriverCall *call,
                                             const MvObjectRef *dom_ref,
                                             unsigned int flags,
                                             MvObjectRef *ret_dom,
                                             GError **error);

bool mv_qemu_handle_domain_create_xml(MvDriverCall *call,
                                      const char *xml,
                                      unsigned int flags,
                                      MvObjectRef *ret_dom,
                                      GError **error);

bool mv_qemu_handle_domain_destroy(MvDriverCall *call,
                                   const MvObjectRef *dom_ref,
                                   GError **error);

bool mv_qemu_handle_domain_destroy_flags(MvDriverCall *call,
                                         const MvObjectRef *dom_ref,
                                         unsigned int flags,
                                         GError **error);

bool mv_qemu_handle_domain_shutdown(MvDriverCall *call,
                                    const MvObjectRef *dom_ref,
                                    GError **error);

bool mv_qemu_handle_domain_shutdown_flags(MvDriverCall *call,
                                          const MvObjectRef *dom_ref,
                                          unsigned int flags,
                                          GError **error);

bool mv_qemu_handle_domain_reboot(MvDriverCall *call,
                                  const MvObjectRef *dom_ref,
                                  unsigned int flags,
                                  GError **error);

bool mv_qemu_handle_domain_reset(MvDriverCall *call,
                                 const MvObjectRef *dom_ref,
                                 unsigned int flags,
                                 GError **error);

bool mv_qemu_handle_domain_suspend(MvDriverCall *call,
                                   const MvObjectRef *dom_ref,
                                   GError **error);

bool mv_qemu_handle_domain_resume(MvDriverCall *call, const MvObjectRef *dom_ref, GError **error);

bool mv_qemu_handle_domain_set_autostart(MvDriverCall *call,
                                         const MvObjectRef *dom_ref,
                                         int autostart,
                                         GError **error);

bool mv_qemu_handle_connect_list_all_domains(MvDriverCall *call,
                                             int need_results,
                                             unsigned int flags,
                                             MvObjectRef **ret_domains,
                                             guint *ret_n_domains,
                                             unsigned int *ret_ret,
                                             GError **error);

bool mv_qemu_handle_connect_num_of_domains(MvDriverCall *call, int *ret_num, GError **error);

bool mv_qemu_handle_connect_list_domains(MvDriverCall *call,
                                         int maxids,
                                         int **ret_ids,
                                         guint *ret_n_ids,
                                         GError **error);

bool mv_qemu_handle_connect_num_of_defined_domains(MvDriverCall *call,
                                                   int *ret_num,
                                                   GError **error);

bool mv_qemu_handle_connect_list_defined_domains(MvDriverCall *call,
                                                 int maxnames,
                                                 char ***ret_names,
                                                 guint *ret_n_names,
                                                 GError **error);

bool mv_qemu_handle_domain_lookup_by_name(MvDriverCall *call,
                                          const char *name,
                                          MvObjectRef *ret_dom,
                                          GError **error);

bool mv_qemu_handle_domain_lookup_by_uuid(MvDriverCall *call,
                                          const guint8 *uuid,
                                          MvObjectRef *ret_dom,
                                          GError **error);

bool mv_qemu_handle_domain_lookup_by_id(MvDriverCall *call,
                                        int id,
                                        MvObjectRef *ret_dom,
                                        GError **error);

bool mv_qemu_handle_domain_set_metadata(MvDriverCall *call,
                                        const MvObjectRef *dom_ref,
                                        int type,
                                        const char *metadata,
                                        const char *key,
                                        const char *uri,
                                        unsigned int flags,
                                        GError **error);

bool mv_qemu_handle_domain_get_metadata(MvDriverCall *call,
                                        const MvObjectRef *dom_ref,
                                        int type,
                                        const char *uri,
                                        unsigned int flags,
                                        char **ret_metadata,
                                        GError **error);

bool mv_qemu_handle_connect_get_all_domain_stats(MvDriverCall *call,
                                                 const MvObjectRef *doms,
                                                 guint n_doms,
                                                 unsigned int stats,
                                                 unsigned int flags,
                                                 MvRemoteDomainStatsRecord **ret_ret_stats,
                                                 guint *ret_n_ret_stats,
                                                 GError **error);

bool mv_qemu_handle_connect_get_domain_capabilities(MvDriverCall *call,
                                                    const char *emulatorbin,
                                                    const char *arch,
                                                    const char *machine,
                                                    const char *virttype,
                                                    unsigned int flags,
                                                    char **ret_capabilities,
                                                    GError **error);

G_END_DECLS
