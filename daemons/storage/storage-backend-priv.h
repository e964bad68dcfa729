/* What the backends share inside storage_backend_lib: the volume operations
 * of pools whose volumes are files in the target directory (dir, fs), the
 * conversion of a probe into a volume definition, running a host program. */
#pragma once

#include "storage-backend.h"
#include "storage-probe.h"

G_BEGIN_DECLS

extern const MvStorageBackend mv_storage_backend_dir;
extern const MvStorageBackend mv_storage_backend_fs;
extern const MvStorageBackend mv_storage_backend_logical;
extern const MvStorageBackend mv_storage_backend_netfs;
extern const MvStorageBackend mv_storage_backend_disk;
extern const MvStorageBackend mv_storage_backend_iscsi;

/* The file-pool operations (storage-backend-dir.c); fs reuses them. */
bool mv_storage_file_pool_refresh(const MvStoragePoolDef *def, GPtrArray **ret_vols,
                                  MvStoragePoolSizes *ret_sizes, GError **error);
bool mv_storage_file_vol_prepare(const MvStoragePoolDef *pool, MvStorageVolDef *vol,
                                 GError **error);
bool mv_storage_file_vol_create(const MvStoragePoolDef *pool, MvStorageVolDef *vol,
                                const MvStoragePassphrase *passphrase, unsigned int flags,
                                const MvStorageJobCtl *ctl, GError **error);
bool mv_storage_file_vol_create_from(const MvStoragePoolDef *pool, MvStorageVolDef *vol,
                                     const char *src_path, MvStorageVolFormat src_format,
                                     const MvStoragePassphrase *passphrase,
                                     unsigned int flags, const MvStorageJobCtl *ctl,
                                     GError **error);
bool mv_storage_file_vol_delete(const MvStoragePoolDef *pool, const MvStorageVolDef *vol,
                                unsigned int flags, GError **error);
bool mv_storage_file_vol_wipe(const MvStoragePoolDef *pool, const MvStorageVolDef *vol,
                              unsigned int algorithm, const MvStorageJobCtl *ctl,
                              GError **error);
bool mv_storage_file_vol_resize(const MvStoragePoolDef *pool, MvStorageVolDef *vol,
                                guint64 capacity, unsigned int flags,
                                const MvStorageJobCtl *ctl, GError **error);
bool mv_storage_file_vol_refresh(const MvStoragePoolDef *pool, MvStorageVolDef *vol,
                                 GError **error);

/**
 * mv_storage_vol_def_fill_probe:
 * Copies what @probe found about the volume at @path into @vol (type,
 * target path, format, sizes, backing store, permissions, encryption).
 */
void mv_storage_vol_def_fill_probe(MvStorageVolDef *vol, const char *path,
                                   const MvStorageProbe *probe);

/**
 * mv_storage_backend_run:
 * Runs the host program @argv (no shell) and returns its stdout in
 * *@ret_stdout (optional); failures are MV_ERR_OPERATION_FAILED with the
 * program's stderr.
 */
bool mv_storage_backend_run(char **argv, char **ret_stdout, GError **error);

/**
 * mv_storage_backend_mkdir_target:
 * Creates the pool's target directory (and parents) with the pool's
 * permissions (mode 0711 when unset, owner when set).
 */
bool mv_storage_backend_mkdir_target(const MvStoragePoolDef *def, GError **error);

G_END_DECLS

G_BEGIN_DECLS

/**
 * mv_storage_logical_vols_from_reports:
 * The volumes and sizes of logical pool @def from the stdout of the `lvs`
 * and `vgs` reports (storage-lvm.h), as the logical backend's refresh gives
 * them. Exposed for the tests, which feed recorded lvm2 outputs.
 */
bool mv_storage_logical_vols_from_reports(const MvStoragePoolDef *def, const char *lvs_json,
                                          const char *vgs_json, GPtrArray **ret_vols,
                                          MvStoragePoolSizes *ret_sizes, GError **error);

G_END_DECLS
