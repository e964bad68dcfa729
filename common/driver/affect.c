/* The AFFECT rules, see affect.h. */
#include "driver/affect.h"

#include "util/error.h"

#define AFFECT_BOTH (MV_DRIVER_AFFECT_LIVE | MV_DRIVER_AFFECT_CONFIG)

bool
mv_driver_affect_check_exclusive(const MvDriverObjectClass *klass, unsigned int flags,
                                 GError **error)
{
    if ((flags & AFFECT_BOTH) == AFFECT_BOTH)
        return mv_error_set(error, klass->conf_from, MV_ERR_INVALID_ARG,
                            "flags 'live' and 'config' are mutually exclusive");
    return true;
}

bool
mv_driver_affect_resolve(const MvDriverObjectClass *klass, unsigned int *flags, bool active,
                         bool persistent, unsigned int rules, GError **error)
{
    unsigned int resolved = *flags;

    if ((rules & MV_DRIVER_AFFECT_EXCLUSIVE) &&
        !mv_driver_affect_check_exclusive(klass, resolved, error))
        return false;
    if (!(resolved & AFFECT_BOTH))
        resolved |= active ? MV_DRIVER_AFFECT_LIVE : MV_DRIVER_AFFECT_CONFIG;
    if ((resolved & MV_DRIVER_AFFECT_LIVE) && !active)
        return mv_error_set(error, klass->error_from, MV_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: %s", klass->not_active);
    if ((rules & MV_DRIVER_AFFECT_NEED_PERSISTENT) && (resolved & MV_DRIVER_AFFECT_CONFIG) &&
        !persistent)
        return mv_error_set(error, klass->error_from, MV_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: transient %ss have no "
                            "persistent config", klass->noun);
    *flags = resolved;
    return true;
}
