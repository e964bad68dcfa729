/* UUID generation, parsing and formatting. */
#include "util/uuid.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "util/error.h"

void
mv_uuid_generate(guint8 ret_uuid[16])
{
    gsize done = 0;

    while (done < 16) {
        ssize_t n = getrandom(ret_uuid + done, 16 - done, 0);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            g_error("getrandom() failed: %s", g_strerror(errno));
        done += (gsize)n;
    }
    ret_uuid[6] = (ret_uuid[6] & 0x0f) | 0x40;   /* version 4 */
    ret_uuid[8] = (ret_uuid[8] & 0x3f) | 0x80;   /* RFC 4122 variant */
}

bool
mv_uuid_parse(const char *str, guint8 ret_uuid[16], GError **error)
{
    size_t len = str ? strlen(str) : 0;
    bool dashed = len == 36;
    guint8 uuid[16];
    const char *p = str;

    if (len != 36 && len != 32)
        goto invalid;
    for (int i = 0; i < 16; i++) {
        int hi, lo;

        /* Dashes sit before bytes 4, 6, 8 and 10 (string offsets 8, 13, 18, 23). */
        if (dashed && (i == 4 || i == 6 || i == 8 || i == 10)) {
            if (*p++ != '-')
                goto invalid;
        }
        hi = g_ascii_xdigit_value(p[0]);
        lo = hi < 0 ? -1 : g_ascii_xdigit_value(p[1]);
        if (lo < 0)
            goto invalid;
        uuid[i] = (guint8)(hi << 4 | lo);
        p += 2;
    }
    memcpy(ret_uuid, uuid, 16);
    return true;

 invalid:
    return mv_error_set(error, MV_FROM_NONE, MV_ERR_INVALID_ARG,
                        "Invalid UUID '%s': expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
                        str ? str : "");
}

void
mv_uuid_format(const guint8 uuid[16], char ret_str[MV_UUID_STRING_LEN])
{
    static const char hex[] = "0123456789abcdef";
    char *p = ret_str;

    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex[uuid[i] >> 4];
        *p++ = hex[uuid[i] & 0xf];
    }
    *p = '\0';
}

bool
mv_uuid_is_null(const guint8 uuid[16])
{
    for (int i = 0; i < 16; i++) {
        if (uuid[i])
            return false;
    }
    return true;
}
