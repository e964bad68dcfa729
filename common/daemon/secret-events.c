/* Secret event delivery, see secret-events.h. Numbered and kept for
 * resuming clients by the event log (event-log.h). */
#define MV_LOG_CATEGORY "events"
#include "daemon/secret-events.h"

#include <string.h>

#include "daemon/event-log.h"
#include "remote-protocol.h"
#include "util/log.h"

MvDriverEvents *
mv_secret_events_new(void)
{
    return mv_daemon_events_new_family(MV_DRIVER_EVENT_SECRET);
}

static void
fill_secret(mv_remote_nonnull_secret *secret, const guint8 uuid[16], int usage_type,
            const char *usage_id)
{
    memcpy(secret->uuid, uuid, 16);
    secret->usage_type = usage_type;
    secret->usage_id = (char *)(usage_id ? usage_id : "");
}

void
mv_secret_events_lifecycle(MvDriverEvents *events, const guint8 uuid[16], int usage_type,
                           const char *usage_id, int event)
{
    mv_remote_secret_event_lifecycle_msg msg = { .event = event, .detail = 0 };

    mv_log_debug("event: secret lifecycle %d", event);
    fill_secret(&msg.secret, uuid, usage_type, usage_id);
    /* secret events have no legacy style */
    mv_daemon_events_emit(events, MV_DRIVER_EVENT_SECRET, MV_SECRET_EVENT_ID_LIFECYCLE, uuid,
                          MV_REMOTE_PROC_SECRET_EVENT_LIFECYCLE,
                          (xdrproc_t)xdr_mv_remote_secret_event_lifecycle_msg, &msg, 0);
}

void
mv_secret_events_value_changed(MvDriverEvents *events, const guint8 uuid[16], int usage_type,
                               const char *usage_id)
{
    mv_remote_secret_event_value_changed_msg msg = { 0 };

    mv_log_debug("event: secret value changed");
    fill_secret(&msg.secret, uuid, usage_type, usage_id);
    mv_daemon_events_emit(events, MV_DRIVER_EVENT_SECRET, MV_SECRET_EVENT_ID_VALUE_CHANGED, uuid,
                          MV_REMOTE_PROC_SECRET_EVENT_VALUE_CHANGED,
                          (xdrproc_t)xdr_mv_remote_secret_event_value_changed_msg, &msg, 0);
}
