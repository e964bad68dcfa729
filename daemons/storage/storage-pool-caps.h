/* The <storagepoolCapabilities> document (virConnectGetStoragePoolCapabilities):
 * every pool type libvirt knows, whether modvirt supports it, and the source
 * and volume formats it takes. */
#pragma once

#include <glib.h>
#include <stdbool.h>

G_BEGIN_DECLS

/**
 * mv_storage_pool_caps_format:
 * The capabilities XML. @supported (may be NULL: every modvirt type counts as
 * supported) says per MvStoragePoolType whether this host can run the type (the
 * daemon passes its backends' check_host results). Never fails.
 */
char *mv_storage_pool_caps_format(const bool *supported);

G_END_DECLS
