/* Network event delivery, see network-events.h. Numbered and kept for
 * resuming clients by the event log (event-log.h). */
#define MV_LOG_CATEGORY "events"
#include "daemon/network-events.h"

#include <string.h>

#include "daemon/event-log.h"
#include "remote-protocol.h"
#include "util/log.h"

MvDriverEvents *
mv_network_events_new(void)
{
    return mv_daemon_events_new_family(MV_DRIVER_EVENT_NETWORK);
}

void
mv_network_events_lifecycle(MvDriverEvents *events, const char *name, const guint8 uuid[16],
                            int event)
{
    mv_remote_network_event_lifecycle_msg msg = {
        .net.name = (char *)name,
        .event = event,
        .detail = 0,
    };

    mv_log_debug("event: network '%s' lifecycle %d", name, event);
    memcpy(msg.net.uuid, uuid, 16);
    /* network events have no legacy style */
    mv_daemon_events_emit(events, MV_DRIVER_EVENT_NETWORK, MV_NETWORK_EVENT_ID_LIFECYCLE, uuid,
                          MV_REMOTE_PROC_NETWORK_EVENT_LIFECYCLE,
                          (xdrproc_t)xdr_mv_remote_network_event_lifecycle_msg, &msg, 0);
}
