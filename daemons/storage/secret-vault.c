/* Encrypted secret values, see secret-vault.h. */
#include "secret-vault.h"

#include <errno.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <string.h>
#include <sys/stat.h>

#include "util/error.h"
#include "util/file.h"

#define FROM MV_FROM_SECRET
#define VAULT_MAGIC "MVSECRET1\n"
#define VAULT_MAGIC_LEN (sizeof(VAULT_MAGIC) - 1)
#define VAULT_KEY_LEN 32
#define VAULT_NONCE_LEN 12
#define VAULT_TAG_LEN 16
#define VAULT_VALUE_MAX (1024 * 1024)

struct _MvSecretVault {
    GMutex lock;
    char *key_path;
    bool have_key;
    guint8 key[VAULT_KEY_LEN];
};

MvSecretVault *
mv_secret_vault_new(const char *key_path)
{
    MvSecretVault *vault = g_new0(MvSecretVault, 1);

    g_mutex_init(&vault->lock);
    vault->key_path = g_strdup(key_path);
    return vault;
}

void
mv_secret_vault_free(MvSecretVault *vault)
{
    if (!vault)
        return;
    explicit_bzero(vault->key, sizeof(vault->key));
    g_mutex_clear(&vault->lock);
    g_free(vault->key_path);
    g_free(vault);
}

/* Reads the key, or makes it when @create and there is none (lock held). */
static bool
vault_load_key(MvSecretVault *vault, bool create, GError **error)
{
    g_autofree char *dir = NULL;
    char *data = NULL;
    gsize len = 0;
    int rc;

    if (vault->have_key)
        return true;
    if (g_file_test(vault->key_path, G_FILE_TEST_EXISTS)) {
        if (!mv_file_read_all(vault->key_path, 4096, &data, &len, error))
            return false;
        if (len != VAULT_KEY_LEN) {
            explicit_bzero(data, len);
            g_free(data);
            return mv_error_set(error, FROM, MV_ERR_INTERNAL_ERROR,
                                "the secrets' host key %s is damaged (%zu bytes, expected %d): "
                                "restore it from a backup; stored secret values cannot be "
                                "read without it", vault->key_path, len, VAULT_KEY_LEN);
        }
        memcpy(vault->key, data, VAULT_KEY_LEN);
        explicit_bzero(data, len);
        g_free(data);
        vault->have_key = true;
        return true;
    }
    if (!create)
        return mv_error_set(error, FROM, MV_ERR_INTERNAL_ERROR,
                            "the secrets' host key %s is missing: stored secret values cannot "
                            "be read without it", vault->key_path);
    dir = g_path_get_dirname(vault->key_path);
    if (!mv_file_mkdir_p(dir, 0700, error))
        return false;
    if ((rc = gnutls_rnd(GNUTLS_RND_KEY, vault->key, VAULT_KEY_LEN)) < 0)
        return mv_error_set(error, FROM, MV_ERR_INTERNAL_ERROR,
                            "cannot generate the secrets' host key: %s", gnutls_strerror(rc));
    if (!mv_file_write_atomic(vault->key_path, vault->key, VAULT_KEY_LEN, 0600, error)) {
        explicit_bzero(vault->key, sizeof(vault->key));
        return false;
    }
    vault->have_key = true;
    return true;
}

static bool
vault_cipher(MvSecretVault *vault, gnutls_aead_cipher_hd_t *ret, GError **error)
{
    gnutls_datum_t key = { vault->key, VAULT_KEY_LEN };
    int rc = gnutls_aead_cipher_init(ret, GNUTLS_CIPHER_AES_256_GCM, &key);

    if (rc < 0)
        return mv_error_set(error, FROM, MV_ERR_INTERNAL_ERROR,
                            "cannot set up AES-256-GCM: %s", gnutls_strerror(rc));
    return true;
}

bool
mv_secret_vault_write(MvSecretVault *vault, const char *path, const char *uuid_str,
                      const guint8 *value, gsize len, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&vault->lock);
    gsize head = VAULT_MAGIC_LEN + VAULT_NONCE_LEN;
    gsize total = head + len + VAULT_TAG_LEN;
    g_autofree guint8 *out = NULL;
    gnutls_aead_cipher_hd_t cipher;
    size_t out_len = len + VAULT_TAG_LEN;
    bool ok;
    int rc;

    if (len > VAULT_VALUE_MAX)
        return mv_error_set(error, FROM, MV_ERR_INVALID_ARG,
                            "a secret value holds at most %d bytes", VAULT_VALUE_MAX);
    if (!vault_load_key(vault, true, error) || !vault_cipher(vault, &cipher, error))
        return false;
    out = g_malloc(total);
    memcpy(out, VAULT_MAGIC, VAULT_MAGIC_LEN);
    if ((rc = gnutls_rnd(GNUTLS_RND_NONCE, out + VAULT_MAGIC_LEN, VAULT_NONCE_LEN)) < 0 ||
        (rc = gnutls_aead_cipher_encrypt(cipher, out + VAULT_MAGIC_LEN, VAULT_NONCE_LEN,
                                         uuid_str, strlen(uuid_str), VAULT_TAG_LEN, value, len,
                                         out + head, &out_len)) < 0) {
        gnutls_aead_cipher_deinit(cipher);
        return mv_error_set(error, FROM, MV_ERR_INTERNAL_ERROR,
                            "cannot encrypt the value of secret %s: %s", uuid_str,
                            gnutls_strerror(rc));
    }
    gnutls_aead_cipher_deinit(cipher);
    ok = mv_file_write_atomic(path, out, head + out_len, 0600, error);
    return ok;
}

bool
mv_secret_vault_read(MvSecretVault *vault, const char *path, const char *uuid_str,
                     guint8 **ret_value, gsize *ret_len, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&vault->lock);
    gsize head = VAULT_MAGIC_LEN + VAULT_NONCE_LEN;
    g_autofree char *data = NULL;
    gnutls_aead_cipher_hd_t cipher;
    guint8 *plain;
    size_t plain_len;
    gsize len = 0;
    int rc;

    if (!mv_file_read_all(path, VAULT_VALUE_MAX + 4096, &data, &len, error))
        return false;
    if (len < head + VAULT_TAG_LEN || memcmp(data, VAULT_MAGIC, VAULT_MAGIC_LEN) != 0)
        return mv_error_set(error, FROM, MV_ERR_INTERNAL_ERROR,
                            "the value file %s of secret %s is damaged (not a modvirt "
                            "secret value)", path, uuid_str);
    if (!vault_load_key(vault, false, error) || !vault_cipher(vault, &cipher, error))
        return false;
    plain_len = len - head;
    plain = g_malloc(plain_len + 1);
    rc = gnutls_aead_cipher_decrypt(cipher, data + VAULT_MAGIC_LEN, VAULT_NONCE_LEN, uuid_str,
                                    strlen(uuid_str), VAULT_TAG_LEN, data + head, len - head,
                                    plain, &plain_len);
    gnutls_aead_cipher_deinit(cipher);
    if (rc < 0) {
        explicit_bzero(plain, len - head + 1);
        g_free(plain);
        return mv_error_set(error, FROM, MV_ERR_INTERNAL_ERROR,
                            "cannot decrypt the value file %s of secret %s: it was damaged, "
                            "written for another secret or under another host key", path,
                            uuid_str);
    }
    *ret_value = plain;
    *ret_len = plain_len;
    return true;
}
