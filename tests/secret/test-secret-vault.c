/* The secret value vault (daemons/storage/secret-vault.c), the driver's own
 * value access (mv_secret_driver_get_value) and the LUKS glue: values
 * round-trip, are not readable in the files, are bound to their secret's UUID
 * and to the host key, the key is made once with mode 0600 and a damaged key
 * is an error; a volume's <encryption> finds its secret by UUID or usage. */
#include <string.h>
#include <sys/stat.h>

#include "secret-driver.h"
#include "secret-luks.h"
#include "secret-vault.h"
#include "util/error.h"
#include "util/file.h"
#include "util/paths.h"
#include "util/uuid.h"

#define UUID_A "0a81f5b2-8403-4b23-88d6-21ccc2f80d6f"
#define UUID_B "7c3f5d2e-1a9b-4c8d-9e0f-112233445566"
#define VALUE "correct horse battery staple"

typedef struct {
    char *dir;
    char *key;
} Fixture;

static void
setup(Fixture *f, gconstpointer data)
{
    f->dir = g_dir_make_tmp("secret-vault-XXXXXX", NULL);
    g_assert_nonnull(f->dir);
    f->key = g_build_filename(f->dir, "lib", "secrets", "host.key", NULL);
}

static void
teardown(Fixture *f, gconstpointer data)
{
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);

    g_assert_cmpint(system(cmd), ==, 0);
    g_free(f->dir);
    g_free(f->key);
}

static char *
read_file(const char *path, gsize *len)
{
    char *data = NULL;

    g_assert_true(g_file_get_contents(path, &data, len, NULL));
    return data;
}

static void
test_round_trip(Fixture *f, gconstpointer data)
{
    g_autoptr(MvSecretVault) vault = mv_secret_vault_new(f->key);
    g_autoptr(MvSecretVault) again = NULL;
    g_autofree char *path = g_build_filename(f->dir, UUID_A ".value", NULL);
    g_autofree char *raw = NULL;
    g_autofree char *key1 = NULL;
    g_autofree char *key2 = NULL;
    g_autoptr(GError) error = NULL;
    guint8 *value = NULL;
    gsize len = 0, raw_len = 0;
    struct stat st;

    g_assert_false(g_file_test(f->key, G_FILE_TEST_EXISTS));
    g_assert_true(mv_secret_vault_write(vault, path, UUID_A, (const guint8 *)VALUE,
                                        strlen(VALUE), &error));
    g_assert_no_error(error);

    /* The key: made on first use, 32 bytes, 0600 in a 0700 directory. */
    g_assert_cmpint(stat(f->key, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0600);
    g_assert_cmpint(st.st_size, ==, 32);
    g_assert_cmpint(stat(path, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0600);
    key1 = read_file(f->key, NULL);

    /* Not readable in the file: neither the value nor its base64. */
    raw = read_file(path, &raw_len);
    g_assert_null(g_strstr_len(raw, raw_len, VALUE));
    g_assert_null(g_strstr_len(raw, raw_len, "Y29ycmVjdCBob3Jz"));
    g_assert_cmpuint(raw_len, ==, 10 + 12 + strlen(VALUE) + 16);

    /* A new vault (a restarted daemon) reads it with the same key. */
    again = mv_secret_vault_new(f->key);
    g_assert_true(mv_secret_vault_read(again, path, UUID_A, &value, &len, &error));
    g_assert_no_error(error);
    g_assert_cmpmem(value, len, VALUE, strlen(VALUE));
    mv_secret_value_free(value, len);
    g_assert_true(mv_secret_vault_write(again, path, UUID_A, (const guint8 *)"", 0, &error));
    key2 = read_file(f->key, NULL);
    g_assert_cmpmem(key1, 32, key2, 32);
    g_assert_true(mv_secret_vault_read(again, path, UUID_A, &value, &len, &error));
    g_assert_cmpuint(len, ==, 0);
    mv_secret_value_free(value, len);
}

static void
test_bound(Fixture *f, gconstpointer data)
{
    g_autoptr(MvSecretVault) vault = mv_secret_vault_new(f->key);
    g_autoptr(MvSecretVault) other = NULL;
    g_autofree char *path = g_build_filename(f->dir, UUID_A ".value", NULL);
    g_autofree char *raw = NULL;
    g_autoptr(GError) error = NULL;
    guint8 *value = NULL;
    gsize len = 0, raw_len = 0;

    g_assert_true(mv_secret_vault_write(vault, path, UUID_A, (const guint8 *)VALUE,
                                        strlen(VALUE), &error));
    /* Copied to another secret: does not decrypt. */
    g_assert_false(mv_secret_vault_read(vault, path, UUID_B, &value, &len, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_INTERNAL_ERROR);
    g_assert_nonnull(strstr(error->message, "cannot decrypt"));
    g_clear_error(&error);

    /* One flipped bit of ciphertext: refused. */
    raw = read_file(path, &raw_len);
    raw[raw_len - 20] ^= 1;
    g_assert_true(g_file_set_contents(path, raw, raw_len, NULL));
    g_assert_false(mv_secret_vault_read(vault, path, UUID_A, &value, &len, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_INTERNAL_ERROR);
    g_clear_error(&error);

    /* Another host key: refused. */
    g_assert_true(mv_secret_vault_write(vault, path, UUID_A, (const guint8 *)VALUE,
                                        strlen(VALUE), &error));
    g_assert_cmpint(unlink(f->key), ==, 0);
    other = mv_secret_vault_new(f->key);
    g_assert_false(mv_secret_vault_read(other, path, UUID_A, &value, &len, &error));
    g_assert_nonnull(strstr(error->message, "host key"));
    g_clear_error(&error);
    g_assert_true(mv_secret_vault_write(other, path, UUID_B, (const guint8 *)"x", 1, &error));
    g_clear_pointer(&other, mv_secret_vault_free);
    other = mv_secret_vault_new(f->key);
    g_assert_false(mv_secret_vault_read(vault, path, UUID_B, &value, &len, &error));
    g_clear_error(&error);
    g_assert_true(mv_secret_vault_read(other, path, UUID_B, &value, &len, &error));
    mv_secret_value_free(value, len);

    /* Not a value file at all. */
    g_assert_true(g_file_set_contents(path, "hello", -1, NULL));
    g_assert_false(mv_secret_vault_read(other, path, UUID_B, &value, &len, &error));
    g_assert_nonnull(strstr(error->message, "damaged"));
}

static void
test_damaged_key(Fixture *f, gconstpointer data)
{
    g_autoptr(MvSecretVault) vault = mv_secret_vault_new(f->key);
    g_autofree char *path = g_build_filename(f->dir, UUID_A ".value", NULL);
    g_autofree char *keydir = g_path_get_dirname(f->key);
    g_autoptr(GError) error = NULL;

    g_assert_true(mv_file_mkdir_p(keydir, 0700, NULL));
    g_assert_true(g_file_set_contents(f->key, "short", -1, NULL));
    g_assert_false(mv_secret_vault_write(vault, path, UUID_A, (const guint8 *)VALUE,
                                         strlen(VALUE), &error));
    g_assert_nonnull(strstr(error->message, "damaged"));
    /* Never replaced: the old values would be lost. */
    g_assert_true(g_file_test(f->key, G_FILE_TEST_EXISTS));
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
}

/* The daemon's own access: a defined secret's value from its file, after a
 * "restart" (a new driver on the same root), private or not. */
static void
test_driver_get_value(Fixture *f, gconstpointer data)
{
    g_autoptr(MvPaths) paths = mv_paths_new(f->dir);
    g_autofree char *etc = g_build_filename(f->dir, "etc", "secrets", NULL);
    g_autofree char *xml_path = g_build_filename(etc, UUID_A ".xml", NULL);
    g_autofree char *value_path = g_build_filename(etc, UUID_A ".value", NULL);
    g_autoptr(MvSecretVault) vault = mv_secret_vault_new(f->key);
    g_autoptr(MvSecretDriver) driver = NULL;
    g_autoptr(GError) error = NULL;
    guint8 uuid_a[16], uuid_b[16];
    guint8 *value = NULL;
    gsize len = 0;

    g_assert_true(mv_file_mkdir_p(etc, 0755, NULL));
    g_assert_true(g_file_set_contents(xml_path, "<secret private='yes'><uuid>" UUID_A
                                      "</uuid></secret>", -1, NULL));
    g_assert_true(mv_secret_vault_write(vault, value_path, UUID_A, (const guint8 *)VALUE,
                                        strlen(VALUE), &error));
    driver = mv_secret_driver_new(paths, &error);
    g_assert_no_error(error);
    g_assert_true(mv_uuid_parse(UUID_A, uuid_a, NULL));
    g_assert_true(mv_uuid_parse(UUID_B, uuid_b, NULL));
    g_assert_true(mv_secret_driver_get_value(driver, uuid_a, &value, &len, &error));
    g_assert_cmpmem(value, len, VALUE, strlen(VALUE));
    mv_secret_value_free(value, len);
    g_assert_false(mv_secret_driver_get_value(driver, uuid_b, &value, &len, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_NO_SECRET);
    g_clear_error(&error);
    g_assert_cmpint(unlink(value_path), ==, 0);
    g_assert_false(mv_secret_driver_get_value(driver, uuid_a, &value, &len, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_NO_SECRET);
    g_assert_nonnull(strstr(error->message, "does not have a value"));
}

/* The LUKS glue: which secret an <encryption> names, and its refusals. */
static void
test_luks_lookup(Fixture *f, gconstpointer data)
{
    g_autoptr(MvPaths) paths = mv_paths_new(f->dir);
    g_autofree char *etc = g_build_filename(f->dir, "etc", "secrets", NULL);
    g_autofree char *xml_a = g_build_filename(etc, UUID_A ".xml", NULL);
    g_autofree char *xml_b = g_build_filename(etc, UUID_B ".xml", NULL);
    g_autofree char *value_a = g_build_filename(etc, UUID_A ".value", NULL);
    g_autofree char *value_b = g_build_filename(etc, UUID_B ".value", NULL);
    g_autoptr(MvSecretVault) vault = mv_secret_vault_new(f->key);
    g_autoptr(MvSecretDriver) driver = NULL;
    g_autoptr(GError) error = NULL;
    MvStorageEncryption enc = { .format = MV_STORAGE_ENCRYPTION_LUKS };
    GBytes *value = NULL;

    g_assert_true(mv_file_mkdir_p(etc, 0755, NULL));
    g_assert_true(g_file_set_contents(xml_a, "<secret private='yes'><uuid>" UUID_A "</uuid>"
                                      "<usage type='volume'><volume>/p/a.qcow2</volume></usage>"
                                      "</secret>", -1, NULL));
    g_assert_true(g_file_set_contents(xml_b, "<secret><uuid>" UUID_B "</uuid></secret>", -1,
                                      NULL));
    g_assert_true(mv_secret_vault_write(vault, value_a, UUID_A, (const guint8 *)VALUE,
                                        strlen(VALUE), &error));
    g_assert_true(mv_secret_vault_write(vault, value_b, UUID_B, (const guint8 *)"", 0, &error));
    driver = mv_secret_driver_new(paths, &error);
    g_assert_no_error(error);

    /* by UUID (a private secret: the daemon itself may use it) */
    enc.has_secret_uuid = true;
    g_assert_true(mv_uuid_parse(UUID_A, enc.secret_uuid, NULL));
    g_assert_true(mv_secret_luks_lookup(driver, &enc, &value, &error));
    g_assert_cmpmem(g_bytes_get_data(value, NULL), g_bytes_get_size(value), VALUE,
                    strlen(VALUE));
    g_clear_pointer(&value, g_bytes_unref);
    /* by the volume usage */
    enc.has_secret_uuid = false;
    enc.secret_usage = (char *)"/p/a.qcow2";
    g_assert_true(mv_secret_luks_lookup(driver, &enc, &value, &error));
    g_assert_cmpuint(g_bytes_get_size(value), ==, strlen(VALUE));
    g_clear_pointer(&value, g_bytes_unref);
    enc.secret_usage = (char *)"/p/other.qcow2";
    g_assert_false(mv_secret_luks_lookup(driver, &enc, &value, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_NO_SECRET);
    g_clear_error(&error);
    /* none named */
    enc.secret_usage = NULL;
    g_assert_false(mv_secret_luks_lookup(driver, &enc, &value, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_XML_DETAIL);
    g_clear_error(&error);
    /* an empty value is no passphrase */
    enc.has_secret_uuid = true;
    g_assert_true(mv_uuid_parse(UUID_B, enc.secret_uuid, NULL));
    g_assert_false(mv_secret_luks_lookup(driver, &enc, &value, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_INVALID_SECRET);
    g_clear_error(&error);
    /* only LUKS */
    enc.format = MV_STORAGE_ENCRYPTION_QCOW;
    g_assert_true(mv_uuid_parse(UUID_A, enc.secret_uuid, NULL));
    g_assert_false(mv_secret_luks_lookup(driver, &enc, &value, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_CONFIG_UNSUPPORTED);
    g_assert_null(value);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (!g_getenv("MV_SCHEMA_DIR"))
        g_setenv("MV_SCHEMA_DIR", MV_TEST_SOURCE_ROOT "/schemas", TRUE);
    g_test_add("/secret/vault/round-trip", Fixture, NULL, setup, test_round_trip, teardown);
    g_test_add("/secret/vault/bound", Fixture, NULL, setup, test_bound, teardown);
    g_test_add("/secret/vault/damaged-key", Fixture, NULL, setup, test_damaged_key, teardown);
    g_test_add("/secret/driver/get-value", Fixture, NULL, setup, test_driver_get_value,
               teardown);
    g_test_add("/secret/luks/lookup", Fixture, NULL, setup, test_luks_lookup, teardown);
    return g_test_run();
}
