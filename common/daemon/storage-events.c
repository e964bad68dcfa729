/* Storage pool event delivery, see storage-events.h. Numbered and kept for
 * resuming clients by the event log (event-log.h). */
#define MV_LOG_CATEGORY "events"
#include "daemon/storage-events.h"

#include <string.h>

#include "daemon/event-log.h"
#include "remote-protocol.h"
#include "util/log.h"

MvDriverEvents *
mv_storage_events_new(void)
{
    return mv_daemon_events_new_family(MV_DRIVER_EVENT_STORAGE_POOL);
}

void
mv_storage_events_lifecycle(MvDriverEvents *events, const char *name, const guint8 uuid[16],
                            int event)
{
    mv_remote_storage_pool_event_lifecycle_msg msg = {
        .pool.name = (char *)name,
        .event = event,
        .detail = 0,
    };

    mv_log_debug("event: pool '%s' lifecycle %d", name, event);
    memcpy(msg.pool.uuid, uuid, 16);
    /* pool events have no legacy style */
    mv_daemon_events_emit(events, MV_DRIVER_EVENT_STORAGE_POOL,
                          MV_STORAGE_POOL_EVENT_ID_LIFECYCLE, uuid,
                          MV_REMOTE_PROC_STORAGE_POOL_EVENT_LIFECYCLE,
                          (xdrproc_t)xdr_mv_remote_storage_pool_event_lifecycle_msg, &msg, 0);
}

void
mv_storage_events_refresh(MvDriverEvents *events, const char *name, const guint8 uuid[16])
{
    mv_remote_storage_pool_event_refresh_msg msg = { .pool.name = (char *)name };

    mv_log_debug("event: pool '%s' refresh", name);
    memcpy(msg.pool.uuid, uuid, 16);
    mv_daemon_events_emit(events, MV_DRIVER_EVENT_STORAGE_POOL, MV_STORAGE_POOL_EVENT_ID_REFRESH,
                          uuid, MV_REMOTE_PROC_STORAGE_POOL_EVENT_REFRESH,
                          (xdrproc_t)xdr_mv_remote_storage_pool_event_refresh_msg, &msg, 0);
}
