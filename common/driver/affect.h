/* libvirt's AFFECT flags (VIR_DOMAIN_AFFECT_*, VIR_NETWORK_UPDATE_AFFECT_*, …),
 * resolved once for every family:
 *   CURRENT (neither bit)  → LIVE when the object is active, else CONFIG;
 *   LIVE on an inactive object → "Requested operation is not valid: <not_active>";
 *   LIVE|CONFIG            → both, when the caller allows it (a change to both);
 *                            "flags 'live' and 'config' are mutually exclusive"
 *                            otherwise (a query answers one of them);
 *   CONFIG on a transient object → an error when the caller asks for it. */
#pragma once

#include "driver/object.h"

G_BEGIN_DECLS

#define MV_DRIVER_AFFECT_CURRENT 0u
#define MV_DRIVER_AFFECT_LIVE (1u << 0)
#define MV_DRIVER_AFFECT_CONFIG (1u << 1)

typedef enum {
    MV_DRIVER_AFFECT_EXCLUSIVE = 1 << 0,   /* LIVE|CONFIG together is an error */
    MV_DRIVER_AFFECT_NEED_PERSISTENT = 1 << 1,  /* CONFIG on a transient object is an error */
} MvDriverAffectRules;

/**
 * mv_driver_affect_check_exclusive:
 * With MV_DRIVER_AFFECT_EXCLUSIVE semantics: false with MV_ERR_INVALID_ARG
 * (from @klass->conf_from) when @flags has both LIVE and CONFIG. Needs no
 * object, so a call can check it before looking the object up.
 */
bool mv_driver_affect_check_exclusive(const MvDriverObjectClass *klass, unsigned int flags,
                                      GError **error);

/**
 * mv_driver_affect_resolve:
 * Resolves the AFFECT bits of *@flags for an object of @klass that is
 * @active and @persistent, following @rules (MvDriverAffectRules). On
 * success *@flags has LIVE and/or CONFIG set (other bits kept); on failure
 * it is untouched and @error says why (MV_ERR_OPERATION_INVALID from
 * @klass->error_from, MV_ERR_INVALID_ARG for an exclusive pair).
 */
bool mv_driver_affect_resolve(const MvDriverObjectClass *klass, unsigned int *flags,
                              bool active, bool persistent, unsigned int rules,
                              GError **error);

G_END_DECLS
