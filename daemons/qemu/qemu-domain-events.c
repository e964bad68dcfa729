/* Domain event (de)registration calls. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-dispatch.h"

static bool
check_event_id(int event_id, GError **error)
{
    return mv_driver_events_check_id(event_id, MV_DOMAIN_EVENT_ID_LAST, MV_FROM_DOMAIN, error);
}

bool
mv_qemu_handle_connect_domain_event_callback_register_any(MvDriverCall *call,
                                                          int event_id,
                                                          const MvObjectRef *dom_ref,
                                                          int *ret_callback_id,
                                                          GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvQemuDomain) dom = NULL;

    if (!check_event_id(event_id, error))
        return false;
    if (dom_ref && !(dom = mv_qemu_dispatch_get_domain(call, dom_ref, error)))
        return false;
    (*ret_callback_id) = mv_driver_events_register(driver->events, MV_DRIVER_EVENT_DOMAIN,
                                                   mv_driver_call_client(call), event_id,
                                                   dom ? dom->uuid : NULL);
    return true;
}

bool
mv_qemu_handle_connect_domain_event_callback_deregister_any(MvDriverCall *call,
                                                            int callback_id,
                                                            GError **error)
{
    return mv_driver_events_deregister_checked(mv_qemu_driver_get(call)->events,
                                               MV_DRIVER_EVENT_DOMAIN, mv_driver_call_client(call),
                                               callback_id, MV_FROM_DOMAIN, error);
}

bool
mv_qemu_handle_connect_domain_event_register_any(MvDriverCall *call,
                                                 int event_id,
                                                 GError **error)
{
    if (!check_event_id(event_id, error))
        return false;
    if (!mv_driver_events_register_legacy(mv_qemu_driver_get(call)->events,
                                          MV_DRIVER_EVENT_DOMAIN, mv_driver_call_client(call),
                                          event_id))
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INTERNAL_ERROR,
                            "domain event %d already registered", event_id);
    return true;
}

bool
mv_qemu_handle_connect_domain_event_deregister_any(MvDriverCall *call,
                                                   int event_id,
                                                   GError **error)
{
    if (!mv_driver_events_deregister_legacy(mv_qemu_driver_get(call)->events,
                                            MV_DRIVER_EVENT_DOMAIN,
                                            mv_driver_call_client(call), event_id))
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INTERNAL_ERROR,
                            "domain event %d not registered", event_id);
    return true;
}

