/* Storage pool event delivery, see storage-events.h. */
#define MV_LOG_CATEGORY "events"
#include "daemon/storage-events.h"

#include <string.h>

#include "daemon/events-send.h"
#include "remote-protocol.h"
#include "util/log.h"

MvDriverEvents *
mv_storage_events_new(void)
{
    return mv_daemon_events_new();
}

typedef struct {
    const char *name;
    const guint8 *uuid;
    int event;
} PoolEventData;

static void
deliver_lifecycle(gpointer client, int callback_id, gpointer data)
{
    PoolEventData *pd = data;
    mv_remote_storage_pool_event_lifecycle_msg body = {
        .callback_id = callback_id,
        .pool.name = (char *)pd->name,
        .event = pd->event,
        .detail = 0,
    };

    if (callback_id < 0)
        return;     /* pool events have no legacy style */
    memcpy(body.pool.uuid, pd->uuid, 16);
    mv_daemon_event_send(client, MV_REMOTE_PROC_STORAGE_POOL_EVENT_LIFECYCLE,
                         (xdrproc_t)xdr_mv_remote_storage_pool_event_lifecycle_msg, &body);
}

static void
deliver_refresh(gpointer client, int callback_id, gpointer data)
{
    PoolEventData *pd = data;
    mv_remote_storage_pool_event_refresh_msg body = {
        .callback_id = callback_id,
        .pool.name = (char *)pd->name,
    };

    if (callback_id < 0)
        return;
    memcpy(body.pool.uuid, pd->uuid, 16);
    mv_daemon_event_send(client, MV_REMOTE_PROC_STORAGE_POOL_EVENT_REFRESH,
                         (xdrproc_t)xdr_mv_remote_storage_pool_event_refresh_msg, &body);
}

void
mv_storage_events_lifecycle(MvDriverEvents *events, const char *name, const guint8 uuid[16],
                            int event)
{
    PoolEventData pd = { name, uuid, event };

    mv_log_debug("event: pool '%s' lifecycle %d", name, event);
    mv_driver_events_emit(events, MV_DRIVER_EVENT_STORAGE_POOL,
                          MV_STORAGE_POOL_EVENT_ID_LIFECYCLE, uuid, deliver_lifecycle, &pd);
}

void
mv_storage_events_refresh(MvDriverEvents *events, const char *name, const guint8 uuid[16])
{
    PoolEventData pd = { name, uuid, 0 };

    mv_log_debug("event: pool '%s' refresh", name);
    mv_driver_events_emit(events, MV_DRIVER_EVENT_STORAGE_POOL, MV_STORAGE_POOL_EVENT_ID_REFRESH,
                          uuid, deliver_refresh, &pd);
}
