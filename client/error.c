/* Argument and flag checks shared by every public call: unknown flag bits and
 * missing arguments fail with MV_ERR_INVALID_ARG before anything is sent. */
#include "mv-config.h"

#include "client-priv.h"

bool
mv_client_check_flags(unsigned int flags, unsigned int allowed, const char *func,
                      GError **error)
{
    if (flags & ~allowed)
        return mv_error_set(error, MV_FROM_REMOTE, MV_ERR_INVALID_ARG,
                            "%s: unsupported flags 0x%x (this version knows 0x%x)", func,
                            flags & ~allowed, allowed);
    return true;
}

bool
mv_client_check_arg(bool ok, const char *func, const char *what, GError **error)
{
    if (!ok)
        return mv_error_set(error, MV_FROM_REMOTE, MV_ERR_INVALID_ARG,
                            "%s: %s must not be NULL", func, what);
    return true;
}

unsigned long
mv_library_version(void)
{
    return MV_VERSION_NUMBER;
}
