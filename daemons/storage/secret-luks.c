/* LUKS passphrases from the secrets, see secret-luks.h. */
#define MV_LOG_CATEGORY "secret"
#include "secret-luks.h"

#include <string.h>

#include "secret-driver-priv.h"
#include "util/error.h"
#include "util/uuid.h"

#define FROM MV_FROM_STORAGE

static bool
luks_free_value(guint8 *value, gsize len, bool ok)
{
    mv_secret_value_free(value, len);
    return ok;
}

bool
mv_secret_luks_lookup(gpointer secret_driver, const MvStorageEncryption *enc,
                      GBytes **ret_value, GError **error)
{
    MvSecretDriver *driver = secret_driver;
    guint8 uuid[16];
    guint8 *value = NULL;
    gsize len = 0;

    if (enc->format != MV_STORAGE_ENCRYPTION_LUKS)
        return mv_error_set(error, FROM, MV_ERR_CONFIG_UNSUPPORTED,
                            "unsupported configuration: only LUKS encryption "
                            "(<encryption format='luks'>) is supported for new volumes");
    if (enc->has_secret_uuid) {
        memcpy(uuid, enc->secret_uuid, 16);
    } else if (enc->secret_usage) {
        g_autoptr(MvSecretObj) secret = driver ? mv_secret_obj_find_usage(
                                                     driver, MV_SECRET_USAGE_VOLUME,
                                                     enc->secret_usage)
                                               : NULL;

        if (!secret)
            return mv_error_set(error, MV_FROM_SECRET, MV_ERR_NO_SECRET,
                                "Secret not found: no secret with matching usage '%s': "
                                "define a volume secret for it and set its value first",
                                enc->secret_usage);
        memcpy(uuid, secret->uuid, 16);
    } else {
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_XML_DETAIL,
                            "a LUKS volume needs its passphrase: name a secret with "
                            "<encryption format='luks'><secret type='passphrase' "
                            "uuid='…'/></encryption> (define it and set its value first)");
    }
    if (!mv_secret_driver_get_value(driver, uuid, &value, &len, error))
        return false;
    if (len == 0) {
        char text[MV_UUID_STRING_LEN];

        mv_uuid_format(uuid, text);
        return luks_free_value(value, len,
                               mv_error_set(error, MV_FROM_SECRET, MV_ERR_INVALID_SECRET,
                                            "Invalid secret: the value of secret %s is empty: "
                                            "a LUKS passphrase needs at least one byte", text));
    }
    *ret_value = g_bytes_new_take(value, len);
    return true;
}
