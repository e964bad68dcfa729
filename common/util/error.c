/* The MV_ERROR domain: a GLib extended error whose private part records the
 * subsystem (libvirt's "error domain") next to the error number. */
#include "util/error.h"

#include <errno.h>
#include <gio/gio.h>
#include <string.h>

typedef struct {
    MvErrorSubsystem from;
} MvErrorPrivate;

static void
mv_error_private_init(MvErrorPrivate *priv)
{
    priv->from = MV_FROM_NONE;
}

static void
mv_error_private_copy(const MvErrorPrivate *src, MvErrorPrivate *dest)
{
    dest->from = src->from;
}

static void
mv_error_private_clear(MvErrorPrivate *priv)
{
}

G_DEFINE_EXTENDED_ERROR(MvError, mv_error)

/* Stores a new error in @error unless it is NULL or already set. */
static void
mv_error_store(GError **error, MvErrorSubsystem from, MvErrorCode code, char *message)
{
    GError *err;

    if (!error || *error) {
        g_free(message);
        return;
    }
    err = g_error_new_literal(MV_ERROR, code, message);
    mv_error_get_private(err)->from = from;
    g_free(message);
    *error = err;
}

bool
mv_error_set(GError **error, MvErrorSubsystem from, MvErrorCode code, const char *fmt, ...)
{
    va_list ap;

    if (!error || *error)
        return false;
    va_start(ap, fmt);
    mv_error_store(error, from, code, g_strdup_vprintf(fmt, ap));
    va_end(ap);
    return false;
}

bool
mv_error_set_errno(GError **error, MvErrorSubsystem from, int errnum, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    if (!error || *error)
        return false;
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    mv_error_store(error, from, MV_ERR_SYSTEM_ERROR,
                   g_strdup_printf("%s: %s", msg, g_strerror(errnum)));
    return false;
}

MvErrorSubsystem
mv_error_get_subsystem(const GError *error)
{
    if (!error || error->domain != MV_ERROR)
        return MV_FROM_NONE;
    return mv_error_get_private(error)->from;
}

MvErrorCode
mv_error_get_code(const GError *error)
{
    if (!error)
        return MV_ERR_OK;
    if (error->domain == MV_ERROR)
        return (MvErrorCode)error->code;
    if (error->domain == G_IO_ERROR || error->domain == G_FILE_ERROR)
        return MV_ERR_SYSTEM_ERROR;
    return MV_ERR_INTERNAL_ERROR;
}

void
mv_error_set_subsystem(GError *error, MvErrorSubsystem from)
{
    if (!error || error->domain != MV_ERROR)
        return;
    mv_error_get_private(error)->from = from;
}

bool
mv_error_matches(const GError *error, MvErrorCode code)
{
    return error && error->domain == MV_ERROR && error->code == (int)code;
}
