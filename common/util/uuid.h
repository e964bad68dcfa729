/* UUIDs as 16 raw bytes, formatted in the canonical lowercase 36-char form. */
#pragma once

#include <glib.h>
#include <stdbool.h>

G_BEGIN_DECLS

#define MV_UUID_BUFLEN 16
/* Length of a formatted UUID including the terminating NUL. */
#define MV_UUID_STRING_LEN 37

/**
 * mv_uuid_generate:
 * Fills @ret_uuid with a random (version 4, RFC 4122 variant) UUID from
 * getrandom(). Aborts if the kernel cannot supply randomness.
 */
void mv_uuid_generate(guint8 ret_uuid[16]);

/**
 * mv_uuid_parse:
 * Parses @str, either "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" or 32 hex digits
 * without dashes (either case), into @ret_uuid. Returns false and sets @error
 * (MV_ERR_INVALID_ARG) for anything else; @ret_uuid is then untouched.
 */
bool mv_uuid_parse(const char *str, guint8 ret_uuid[16], GError **error);

/**
 * mv_uuid_format:
 * Writes @uuid as a lowercase 36-char string plus NUL into @ret_str.
 */
void mv_uuid_format(const guint8 uuid[16], char ret_str[MV_UUID_STRING_LEN]);

/**
 * mv_uuid_is_null:
 * True when all 16 bytes of @uuid are zero.
 */
bool mv_uuid_is_null(const guint8 uuid[16]);

G_END_DECLS
