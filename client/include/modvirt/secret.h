/* libmodvirt secrets: handles, the list, lookups by UUID and usage,
 * definition, XML and the values. Every call routes to modvirt-storaged
 * (or the proxy for remote URIs). */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include <modvirt/connect.h>

G_BEGIN_DECLS

/* A handle to a secret: its UUID and usage (reference counted). */
typedef struct _MvSecret MvSecret;

/* What a secret unlocks (the wire values). */
typedef enum {
    MV_SECRET_USAGE_NONE = 0,
    MV_SECRET_USAGE_VOLUME = 1,     /* usage id: the path of an encrypted volume */
    MV_SECRET_USAGE_CEPH = 2,       /* usage id: a name */
    MV_SECRET_USAGE_ISCSI = 3,      /* usage id: the target */
    MV_SECRET_USAGE_TLS = 4,        /* usage id: a name */
    MV_SECRET_USAGE_VTPM = 5,       /* usage id: a name */
    MV_SECRET_USAGE_LAST
} MvSecretUsageType;

/* Flags of mv_connect_list_secrets(): each pair filters only when one of
 * its bits is given; no flags lists every secret. */
typedef enum {
    MV_LIST_SECRETS_EPHEMERAL = 1u << 0,
    MV_LIST_SECRETS_NO_EPHEMERAL = 1u << 1,
    MV_LIST_SECRETS_PRIVATE = 1u << 2,
    MV_LIST_SECRETS_NO_PRIVATE = 1u << 3,
} MvListSecretsFlags;

/**
 * mv_connect_list_secrets:
 * @flags: MvListSecretsFlags.
 * @ret_count: (out) (optional) the number of secrets.
 * Returns: (transfer full) a NULL-terminated array of handles sorted by
 *   UUID (free with mv_secret_list_free()), or NULL with @error set.
 */
MvSecret **mv_connect_list_secrets(MvConnect *conn, unsigned int flags, gsize *ret_count,
                                   GError **error);

/** mv_secret_list_free: drops every handle of @list and the array (NULL is fine). */
void mv_secret_list_free(MvSecret **list);

/**
 * mv_secret_lookup_by_uuid:
 * @uuid: the UUID as text.
 * @flags: none defined, pass 0.
 * Returns: (transfer full) a new handle, or NULL with @error set
 *   (MV_ERR_NO_SECRET when there is none).
 */
MvSecret *mv_secret_lookup_by_uuid(MvConnect *conn, const char *uuid, unsigned int flags,
                                   GError **error);

/**
 * mv_secret_lookup_by_usage:
 * @usage_type: what the secret unlocks.
 * @usage_id: the volume path, name or target.
 * @flags: none defined, pass 0.
 * Returns: (transfer full) a new handle, or NULL with @error set.
 */
MvSecret *mv_secret_lookup_by_usage(MvConnect *conn, MvSecretUsageType usage_type,
                                    const char *usage_id, unsigned int flags, GError **error);

/**
 * mv_secret_define:
 * @xml: the secret XML (libvirt's format).
 * @flags: none defined, pass 0.
 * Defines a secret or changes the definition of the one with the same UUID
 * (its usage cannot change). The value is set separately.
 * Returns: (transfer full) a handle, or NULL with @error set.
 */
MvSecret *mv_secret_define(MvConnect *conn, const char *xml, unsigned int flags,
                           GError **error);

/** mv_secret_undefine: removes the secret and its value. @flags: pass 0. */
bool mv_secret_undefine(MvSecret *secret, unsigned int flags, GError **error);

/**
 * mv_secret_get_xml:
 * @flags: none defined, pass 0.
 * Returns: (transfer full) the secret's XML (never its value), or NULL with
 *   @error set.
 */
char *mv_secret_get_xml(MvSecret *secret, unsigned int flags, GError **error);

/**
 * mv_secret_set_value:
 * @value: (array length=len) the bytes of the value.
 * @flags: none defined, pass 0.
 * Stores the value (encrypted at rest; in memory only for an ephemeral
 * secret).
 */
bool mv_secret_set_value(MvSecret *secret, const guint8 *value, gsize len, unsigned int flags,
                         GError **error);

/**
 * mv_secret_get_value:
 * @ret_len: (out) the length of the value.
 * @flags: none defined, pass 0.
 * Refused on read-only connections, to callers other than root, and for
 * private secrets (their value never leaves the daemon).
 * Returns: (transfer full) the value (NUL-terminated for convenience; free
 *   with g_free(), wiping it first), or NULL with @error set.
 */
guint8 *mv_secret_get_value(MvSecret *secret, gsize *ret_len, unsigned int flags,
                            GError **error);

/** mv_secret_ref: (transfer full) a new reference to @secret. */
MvSecret *mv_secret_ref(MvSecret *secret);
/** mv_secret_unref: drops a reference (NULL is fine). */
void mv_secret_unref(MvSecret *secret);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvSecret, mv_secret_unref)

/** mv_secret_get_uuid_string: (transfer none) the UUID as text. */
const char *mv_secret_get_uuid_string(MvSecret *secret);
/** mv_secret_get_usage_type: what the secret unlocks. */
MvSecretUsageType mv_secret_get_usage_type(MvSecret *secret);
/** mv_secret_get_usage_id: (transfer none) the usage id ("" for none). */
const char *mv_secret_get_usage_id(MvSecret *secret);
/** mv_secret_get_connect: (transfer none) the connection of @secret. */
MvConnect *mv_secret_get_connect(MvSecret *secret);

/**
 * mv_secret_usage_type_name:
 * Returns: (transfer none) "none", "volume", "ceph", "iscsi", "tls",
 *   "vtpm"; "unknown" for other values. A static string.
 */
const char *mv_secret_usage_type_name(MvSecretUsageType type);

/** mv_secret_usage_type_from_name: the type named @name, or -1. */
int mv_secret_usage_type_from_name(const char *name);

G_END_DECLS
