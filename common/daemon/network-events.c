/* Network event delivery, see network-events.h. */
#define MV_LOG_CATEGORY "events"
#include "daemon/network-events.h"

#include <string.h>

#include "daemon/events-send.h"
#include "remote-protocol.h"
#include "util/log.h"

MvDriverEvents *
mv_network_events_new(void)
{
    return mv_daemon_events_new();
}

typedef struct {
    const char *name;
    const guint8 *uuid;
    int event;
} LifecycleData;

static void
deliver_lifecycle(gpointer client, int callback_id, gpointer data)
{
    LifecycleData *ld = data;
    mv_remote_network_event_lifecycle_msg body = {
        .callback_id = callback_id,
        .net.name = (char *)ld->name,
        .event = ld->event,
        .detail = 0,
    };

    if (callback_id < 0)
        return;     /* network events have no legacy style */
    memcpy(body.net.uuid, ld->uuid, 16);
    mv_daemon_event_send(client, MV_REMOTE_PROC_NETWORK_EVENT_LIFECYCLE,
                         (xdrproc_t)xdr_mv_remote_network_event_lifecycle_msg, &body);
}

void
mv_network_events_lifecycle(MvDriverEvents *events, const char *name, const guint8 uuid[16],
                            int event)
{
    LifecycleData ld = { name, uuid, event };

    mv_log_debug("event: network '%s' lifecycle %d", name, event);
    mv_driver_events_emit(events, MV_DRIVER_EVENT_NETWORK, MV_NETWORK_EVENT_ID_LIFECYCLE, uuid,
                          deliver_lifecycle, &ld);
}
