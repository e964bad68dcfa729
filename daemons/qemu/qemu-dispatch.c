/* Helpers shared by the domain handlers, see qemu-dispatch.h. */
#include "qemu-dispatch.h"

#include <string.h>

#include "util/uuid.h"

MvQemuDomain *
mv_qemu_dispatch_get_domain(MvDriverCall *call, const MvObjectRef *ref, GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    MvQemuDomain *dom = MV_QEMU_DOMAIN(mv_driver_list_find_by_uuid(driver->domains,
                                                                   (const guint8 *)ref->uuid));
    char uuid[MV_UUID_STRING_LEN];

    if (dom)
        return dom;
    mv_uuid_format((const guint8 *)ref->uuid, uuid);
    mv_error_set(error, MV_FROM_QEMU, MV_ERR_NO_DOMAIN,
                 "Domain not found: no domain with matching uuid '%s' (%s)", uuid, ref->name);
    return NULL;
}

void
mv_qemu_dispatch_fill_dom(MvObjectRef *ret, MvQemuDomain *dom)
{
    ret->name = g_strdup(dom->name);
    memcpy(ret->uuid, dom->uuid, 16);
    g_mutex_lock(&dom->lock);
    ret->id = dom->id;
    g_mutex_unlock(&dom->lock);
}

bool
mv_qemu_dispatch_check_flags(unsigned int flags, unsigned int allowed, const char *api,
                             GError **error)
{
    if (flags & ~allowed)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "unsupported flags (0x%x) in function %s", flags & ~allowed, api);
    return true;
}

bool
mv_qemu_dispatch_begin_job(MvQemuDomain *dom, const char *api, GError **error)
{
    MvQemuDriver *driver = dom->driver;

    return mv_driver_object_begin_job(MV_DRIVER_OBJECT(dom), api, driver->job_wait_ms, error);
}

bool
mv_qemu_dispatch_require_active(MvQemuDomain *dom, GError **error)
{
    if (mv_qemu_domain_is_active(dom))
        return true;
    return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                        "Requested operation is not valid: domain is not running");
}
