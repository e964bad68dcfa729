/* storaged's start-up pass over its files: definitions, the pools that were
 * active when the daemon last stopped or died (taken back, never started a
 * second time: an fs pool still mounted stays mounted), partial volumes of
 * killed creates and clones (removed and reported), then autostart. */
#pragma once

#include "storage-driver.h"

G_BEGIN_DECLS

/** mv_storage_reconcile: loads definitions and status files (before serving). */
void mv_storage_reconcile(MvStorageDriver *driver);

/** mv_storage_autostart: starts the inactive pools marked autostart. */
void mv_storage_autostart(MvStorageDriver *driver);

G_END_DECLS
