/* The secret driver's state, see secret-driver.h. */
#define MV_LOG_CATEGORY "secret"
#include "secret-driver.h"

#include <string.h>

#include "util/error.h"

struct _MvSecretDriver {
    char *dir;                  /* <etc>/secrets */
};

static MvSecretDriver *secret_driver_current;

MvSecretDriver *
mv_secret_driver_new(const MvPaths *paths, GError **error)
{
    MvSecretDriver *driver = g_new0(MvSecretDriver, 1);

    driver->dir = mv_paths_definitions_dir(paths, "secrets");
    secret_driver_current = driver;
    return driver;
}

void
mv_secret_driver_free(MvSecretDriver *driver)
{
    if (!driver)
        return;
    if (secret_driver_current == driver)
        secret_driver_current = NULL;
    g_free(driver->dir);
    g_free(driver);
}

void
mv_secret_driver_fill(MvRemoteSecretDriver *vtable)
{
    memset(vtable, 0, sizeof(*vtable));
}

void
mv_secret_driver_conn_closed(MvSecretDriver *driver, MvServerClient *client)
{
    (void)driver;
    (void)client;
}

bool
mv_secret_driver_get_value(MvSecretDriver *driver, const guint8 uuid[16], guint8 **ret_value,
                           gsize *ret_len, GError **error)
{
    return mv_error_set(error, MV_FROM_SECRET, MV_ERR_NO_SECRET,
                        "Secret not found: secrets are not implemented yet");
}

void
mv_secret_value_free(guint8 *value, gsize len)
{
    if (!value)
        return;
    explicit_bzero(value, len);
    g_free(value);
}
