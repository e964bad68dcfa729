/* Secret values at rest: each value in its own file, encrypted with
 * AES-256-GCM (gnutls) under one per-host key.
 *
 * The key is 32 random bytes in <key_path> (mode 0600, its directory 0700),
 * made on the first value written and never replaced: a key file of the
 * wrong size is an error, not a reason to make a new one (that would lose
 * every stored value). A value file is "MVSECRET1\n", a 12-byte random nonce,
 * the ciphertext and the 16-byte tag; the secret's UUID is the associated
 * data, so a value file copied to another secret's name does not decrypt.
 * Files are written atomically (temp file, fsync, rename). */
#pragma once

#include <glib.h>
#include <stdbool.h>

G_BEGIN_DECLS

typedef struct _MvSecretVault MvSecretVault;

/** mv_secret_vault_new: a vault with its key at @key_path (read or made at first need). */
MvSecretVault *mv_secret_vault_new(const char *key_path);
void mv_secret_vault_free(MvSecretVault *vault);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvSecretVault, mv_secret_vault_free)

/** mv_secret_vault_write: encrypts @value for @uuid_str into @path (mode 0600). */
bool mv_secret_vault_write(MvSecretVault *vault, const char *path, const char *uuid_str,
                           const guint8 *value, gsize len, GError **error);

/**
 * mv_secret_vault_read:
 * Decrypts @path, written for @uuid_str. False with MV_ERR_INTERNAL_ERROR
 * naming the file when it is damaged, was written for another secret or
 * under another key.
 */
bool mv_secret_vault_read(MvSecretVault *vault, const char *path, const char *uuid_str,
                          guint8 **ret_value, gsize *ret_len, GError **error);

G_END_DECLS
