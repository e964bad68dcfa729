/* A secret's definition (libvirt's secret XML, schemas/secret.rng): its
 * flags, UUID, description and usage. The value is not part of it. */
#pragma once

#include <glib.h>
#include <stdbool.h>

G_BEGIN_DECLS

/* virSecretUsageType (the numbers are the wire's). */
typedef enum {
    MV_SECRET_USAGE_NONE = 0,
    MV_SECRET_USAGE_VOLUME = 1,     /* <volume>: the path of an encrypted volume */
    MV_SECRET_USAGE_CEPH = 2,       /* <name> */
    MV_SECRET_USAGE_ISCSI = 3,      /* <target> */
    MV_SECRET_USAGE_TLS = 4,        /* <name> */
    MV_SECRET_USAGE_VTPM = 5,       /* <name> */
    MV_SECRET_USAGE_LAST,
} MvSecretUsageType;

/** mv_secret_usage_type_to_string: "none", "volume", "ceph"…; NULL when out of range. */
const char *mv_secret_usage_type_to_string(int type);
/** mv_secret_usage_type_from_string: the type, or -1 (also for "none": never in XML). */
int mv_secret_usage_type_from_string(const char *str);

typedef struct {
    bool ephemeral;             /* kept in memory only, value included */
    bool private_value;         /* the value never leaves the daemon */
    guint8 uuid[16];            /* generated when the XML has none */
    char *description;          /* NULL when none */
    MvSecretUsageType usage_type;
    char *usage_id;             /* the volume path / name / target; NULL for NONE */
} MvSecretDef;

/**
 * mv_secret_def_parse:
 * Parses and validates @xml (flags: none yet). Errors name the element
 * ("<path>: message", MV_FROM_SECRET): MV_ERR_XML_ERROR for what the schema
 * refuses, MV_ERR_XML_DETAIL for a malformed UUID or usage id.
 */
MvSecretDef *mv_secret_def_parse(const char *xml, unsigned int flags, GError **error);

/** mv_secret_def_format: the canonical XML of @def (never the value). */
char *mv_secret_def_format(const MvSecretDef *def);

MvSecretDef *mv_secret_def_copy(const MvSecretDef *def);
void mv_secret_def_free(MvSecretDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvSecretDef, mv_secret_def_free)

G_END_DECLS
