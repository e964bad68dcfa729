/* The secret side of LUKS volume creation: storaged's volume create asks
 * for the passphrase of the secret a volume's <encryption> names. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "storage-vol-def.h"

G_BEGIN_DECLS

/**
 * mv_secret_luks_lookup:
 * @secret_driver: the MvSecretDriver (the storage driver's secret_driver).
 * The value of the secret @enc names (<secret type='passphrase' uuid=…/>, or
 * usage=… for a volume-usage secret) as the passphrase of a new LUKS volume,
 * in *@ret_value (the caller wipes and frees it). Fails with
 * MV_ERR_CONFIG_UNSUPPORTED for an encryption format other than LUKS, with
 * MV_ERR_XML_DETAIL when no secret is named, with MV_ERR_NO_SECRET when the
 * secret does not exist or has no value, and for an empty value.
 */
bool mv_secret_luks_lookup(gpointer secret_driver, const MvStorageEncryption *enc,
                           GBytes **ret_value, GError **error);

G_END_DECLS
