/* find-storage-pool-sources: the source-spec argument (a <source> element for a
 * pool type) and the <sources> result document. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "storage-pool-def.h"

G_BEGIN_DECLS

/**
 * mv_storage_source_spec_parse:
 * Parses @xml, the optional srcSpec of virConnectFindStoragePoolSources for
 * @pool_type: a <source> element as in pool XML (validated by
 * schemas/storagepool.rng's source grammar); NULL or "" gives an empty source.
 * Checks the parts the type needs for a search (netfs and iscsi: a <host>).
 * Fills the zeroed @ret_source; false with @error set (MV_FROM_STORAGE).
 */
bool mv_storage_source_spec_parse(const char *xml, MvStoragePoolType pool_type,
                                  MvStoragePoolSource *ret_source, GError **error);

/**
 * mv_storage_sources_format:
 * The <sources> document listing @nsources found sources of a pool of @pool_type
 * (each formatted as a pool's <source>). Never fails.
 */
char *mv_storage_sources_format(MvStoragePoolType pool_type,
                                const MvStoragePoolSource *sources, size_t nsources);

G_END_DECLS
