/* What secret-driver.c and secret-handlers.c share: the driver state and
 * the secret objects. See secret-driver.h.
 *
 * Locking: @define_lock serializes every change (define, undefine, set
 * value) and the value reads, which touch the files; the list lock keeps
 * lookups and lists consistent; an object's lock protects its @def (replaced
 * by a redefine) and its in-memory value. */
#pragma once

#include "driver/events.h"
#include "driver/list.h"
#include "driver/store.h"
#include "secret-def.h"
#include "secret-driver.h"
#include "secret-vault.h"

G_BEGIN_DECLS

typedef struct {
    /* name (the UUID as text), uuid, persistent (not ephemeral), lock… */
    MV_DRIVER_OBJECT_HEADER;

    MvSecretDef *def;
    /* The value of an ephemeral secret (memory only); a persistent secret's
     * value is in its file. */
    guint8 *value;
    gsize value_len;
    bool has_value;             /* ephemeral: @value is set */
} MvSecretObj;

#define MV_SECRET_OBJ(o) ((MvSecretObj *)(o))

static inline void
mv_secret_obj_unref(MvSecretObj *secret)
{
    mv_driver_object_unref(secret ? MV_DRIVER_OBJECT(secret) : NULL);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvSecretObj, mv_secret_obj_unref)

struct _MvSecretDriver {
    MvDriverStore *store;       /* <etc>/secrets/<uuid>.xml, <run>/secrets (unused) */
    char *dir;                  /* <etc>/secrets: also <uuid>.value */
    MvSecretVault *vault;       /* host key <lib>/secrets/host.key */
    MvDriverList *secrets;
    MvDriverEvents *events;
    GMutex define_lock;
    MvDaemon *daemon;           /* idle exit held while an ephemeral secret exists */
    bool idle_held;
};

extern const MvDriverObjectClass mv_secret_obj_class;

/** mv_secret_driver_current: the driver the handlers serve (NULL when none). */
MvSecretDriver *mv_secret_driver_current(void);

/** mv_secret_obj_value_path: <etc>/secrets/<uuid>.value (caller frees). */
char *mv_secret_obj_value_path(MvSecretDriver *driver, const MvSecretObj *secret);

/** mv_secret_obj_find_usage: the secret with this usage (a new reference), or NULL. */
MvSecretObj *mv_secret_obj_find_usage(MvSecretDriver *driver, int usage_type,
                                      const char *usage_id);

/**
 * mv_secret_obj_read_value:
 * The value of @secret (define_lock held): memory for an ephemeral secret,
 * its file otherwise. MV_ERR_NO_SECRET when none was set.
 */
bool mv_secret_obj_read_value(MvSecretDriver *driver, MvSecretObj *secret, guint8 **ret_value,
                              gsize *ret_len, GError **error);

/**
 * mv_secret_driver_idle_update:
 * Takes or drops the daemon's idle hold (define_lock held) so that the daemon
 * never exits idle while an ephemeral secret (memory only) exists.
 */
void mv_secret_driver_idle_update(MvSecretDriver *driver);

/** mv_secret_no_value: the error of a secret without a value. */
bool mv_secret_no_value(const MvSecretObj *secret, GError **error);

G_END_DECLS
