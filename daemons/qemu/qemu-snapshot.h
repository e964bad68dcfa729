/* Domain snapshots in modvirt-qemud (docs/qemud.md, "Snapshots"): the
 * handlers of the snapshot procedures. qemu-snapshot.c creates,
 * qemu-snapshot-revert.c reverts and deletes, qemu-snapshot-query.c answers
 * lookups and lists. */
#pragma once

#include "qemu-driver.h"
#include "qemu-snapshot-store.h"

G_BEGIN_DECLS

/* virDomainSnapshotCreateFlags */
#define MV_SNAPSHOT_CREATE_REDEFINE    (1u << 0)
#define MV_SNAPSHOT_CREATE_CURRENT     (1u << 1)
#define MV_SNAPSHOT_CREATE_NO_METADATA (1u << 2)
#define MV_SNAPSHOT_CREATE_HALT        (1u << 3)
#define MV_SNAPSHOT_CREATE_DISK_ONLY   (1u << 4)
#define MV_SNAPSHOT_CREATE_REUSE_EXT   (1u << 5)
#define MV_SNAPSHOT_CREATE_QUIESCE     (1u << 6)
#define MV_SNAPSHOT_CREATE_ATOMIC      (1u << 7)
#define MV_SNAPSHOT_CREATE_LIVE        (1u << 8)
#define MV_SNAPSHOT_CREATE_VALIDATE    (1u << 9)

/** mv_qemu_snapshot_fill_ref: @ret names snapshot @name of @dom. */
void mv_qemu_snapshot_fill_ref(MvObjectRef *ret, MvQemuDomain *dom, const char *name);

bool mv_qemu_handle_domain_snapshot_create_xml(MvDriverCall *call, const MvObjectRef *dom_ref,
                                               const char *xml_desc, unsigned int flags,
                                               MvObjectRef *ret_snap, GError **error);
bool mv_qemu_handle_domain_revert_to_snapshot(MvDriverCall *call, const MvObjectRef *snap_ref,
                                              unsigned int flags, GError **error);
bool mv_qemu_handle_domain_snapshot_delete(MvDriverCall *call, const MvObjectRef *snap_ref,
                                           unsigned int flags, GError **error);

bool mv_qemu_handle_domain_snapshot_get_xml_desc(MvDriverCall *call,
                                                 const MvObjectRef *snap_ref,
                                                 unsigned int flags, char **ret_xml,
                                                 GError **error);
bool mv_qemu_handle_domain_snapshot_list_names(MvDriverCall *call, const MvObjectRef *dom_ref,
                                               int maxnames, unsigned int flags,
                                               char ***ret_names, guint *ret_n_names,
                                               GError **error);
bool mv_qemu_handle_domain_snapshot_lookup_by_name(MvDriverCall *call,
                                                   const MvObjectRef *dom_ref,
                                                   const char *name, unsigned int flags,
                                                   MvObjectRef *ret_snap, GError **error);
bool mv_qemu_handle_domain_has_current_snapshot(MvDriverCall *call, const MvObjectRef *dom_ref,
                                                unsigned int flags, int *ret_result,
                                                GError **error);
bool mv_qemu_handle_domain_snapshot_current(MvDriverCall *call, const MvObjectRef *dom_ref,
                                            unsigned int flags, MvObjectRef *ret_snap,
                                            GError **error);
bool mv_qemu_handle_domain_snapshot_get_parent(MvDriverCall *call, const MvObjectRef *snap_ref,
                                               unsigned int flags, MvObjectRef *ret_snap,
                                               GError **error);
bool mv_qemu_handle_domain_snapshot_num_children(MvDriverCall *call,
                                                 const MvObjectRef *snap_ref,
                                                 unsigned int flags, int *ret_num,
                                                 GError **error);
bool mv_qemu_handle_domain_snapshot_list_children_names(MvDriverCall *call,
                                                        const MvObjectRef *snap_ref,
                                                        int maxnames, unsigned int flags,
                                                        char ***ret_names, guint *ret_n_names,
                                                        GError **error);
bool mv_qemu_handle_domain_snapshot_is_current(MvDriverCall *call, const MvObjectRef *snap_ref,
                                               unsigned int flags, int *ret_current,
                                               GError **error);
bool mv_qemu_handle_domain_snapshot_has_metadata(MvDriverCall *call,
                                                 const MvObjectRef *snap_ref,
                                                 unsigned int flags, int *ret_metadata,
                                                 GError **error);
bool mv_qemu_handle_domain_list_all_snapshots(MvDriverCall *call, const MvObjectRef *dom_ref,
                                              int need_results, unsigned int flags,
                                              MvObjectRef **ret_snapshots,
                                              guint *ret_n_snapshots, int *ret_ret,
                                              GError **error);
bool mv_qemu_handle_domain_snapshot_list_all_children(MvDriverCall *call,
                                                      const MvObjectRef *snapshot_ref,
                                                      int need_results, unsigned int flags,
                                                      MvObjectRef **ret_snapshots,
                                                      guint *ret_n_snapshots, int *ret_ret,
                                                      GError **error);
/** mv_qemu_snapshot_num: virDomainSnapshotNum (the handler of 187 calls it). */
bool mv_qemu_snapshot_num(MvDriverCall *call, const MvObjectRef *dom_ref, unsigned int flags,
                          int *ret_num, GError **error);

G_END_DECLS
