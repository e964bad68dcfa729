/* Domain event (de)registration calls. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-dispatch.h"

static bool
check_event_id(int event_id, GError **error)
{
    if (event_id < 0 || event_id >= MV_DOMAIN_EVENT_ID_LAST)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "unsupported event ID %d", event_id);
    return true;
}

static bool
register_any(MvServerCall *call,
             const mv_remote_connect_domain_event_callback_register_any_args *args,
             mv_remote_connect_domain_event_callback_register_any_ret *ret, GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvQemuDomain) dom = NULL;

    if (!check_event_id(args->event_id, error))
        return false;
    if (args->dom && !(dom = mv_qemu_dispatch_get_domain(call, args->dom, error)))
        return false;
    ret->callback_id = mv_driver_events_register(driver->events, MV_DRIVER_EVENT_DOMAIN,
                                                 mv_server_call_get_client(call), args->event_id,
                                                 dom ? dom->uuid : NULL);
    return true;
}

static bool
deregister_any(MvServerCall *call,
               const mv_remote_connect_domain_event_callback_deregister_any_args *args,
               void *ret, GError **error)
{
    if (!mv_driver_events_deregister(mv_qemu_driver_get(call)->events, MV_DRIVER_EVENT_DOMAIN,
                                     mv_server_call_get_client(call), args->callback_id))
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "callback %d is not registered on this connection",
                            args->callback_id);
    return true;
}

static bool
register_legacy(MvServerCall *call, const mv_remote_connect_domain_event_register_any_args *args,
                void *ret, GError **error)
{
    if (!check_event_id(args->event_id, error))
        return false;
    if (!mv_driver_events_register_legacy(mv_qemu_driver_get(call)->events, MV_DRIVER_EVENT_DOMAIN,
                                          mv_server_call_get_client(call), args->event_id))
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INTERNAL_ERROR,
                            "domain event %d already registered", args->event_id);
    return true;
}

static bool
deregister_legacy(MvServerCall *call,
                  const mv_remote_connect_domain_event_deregister_any_args *args, void *ret,
                  GError **error)
{
    if (!mv_driver_events_deregister_legacy(mv_qemu_driver_get(call)->events,
                                            MV_DRIVER_EVENT_DOMAIN,
                                            mv_server_call_get_client(call), args->event_id))
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INTERNAL_ERROR,
                            "domain event %d not registered", args->event_id);
    return true;
}

const MvDispatchFunc mv_qemu_domain_event_handlers[MV_REMOTE_PROC_LAST] = {
    MV_REMOTE_DISPATCH(CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, register_any),
    MV_REMOTE_DISPATCH(CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY, deregister_any),
    MV_REMOTE_DISPATCH(CONNECT_DOMAIN_EVENT_REGISTER_ANY, register_legacy),
    MV_REMOTE_DISPATCH(CONNECT_DOMAIN_EVENT_DEREGISTER_ANY, deregister_legacy),
};
