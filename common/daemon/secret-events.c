/* Secret event delivery, see secret-events.h. */
#define MV_LOG_CATEGORY "events"
#include "daemon/secret-events.h"

#include <string.h>

#include "daemon/events-send.h"
#include "remote-protocol.h"
#include "util/log.h"

MvDriverEvents *
mv_secret_events_new(void)
{
    return mv_daemon_events_new();
}

typedef struct {
    const guint8 *uuid;
    int usage_type;
    const char *usage_id;
    int event;
} SecretEventData;

static void
fill_secret(mv_remote_nonnull_secret *secret, const SecretEventData *d)
{
    memcpy(secret->uuid, d->uuid, 16);
    secret->usage_type = d->usage_type;
    secret->usage_id = (char *)(d->usage_id ? d->usage_id : "");
}

static void
deliver_lifecycle(gpointer client, int callback_id, gpointer data)
{
    SecretEventData *d = data;
    mv_remote_secret_event_lifecycle_msg body = {
        .callback_id = callback_id,
        .event = d->event,
        .detail = 0,
    };

    if (callback_id < 0)
        return;     /* secret events have no legacy style */
    fill_secret(&body.secret, d);
    mv_daemon_event_send(client, MV_REMOTE_PROC_SECRET_EVENT_LIFECYCLE,
                         (xdrproc_t)xdr_mv_remote_secret_event_lifecycle_msg, &body);
}

static void
deliver_value_changed(gpointer client, int callback_id, gpointer data)
{
    mv_remote_secret_event_value_changed_msg body = { .callback_id = callback_id };

    if (callback_id < 0)
        return;
    fill_secret(&body.secret, data);
    mv_daemon_event_send(client, MV_REMOTE_PROC_SECRET_EVENT_VALUE_CHANGED,
                         (xdrproc_t)xdr_mv_remote_secret_event_value_changed_msg, &body);
}

void
mv_secret_events_lifecycle(MvDriverEvents *events, const guint8 uuid[16], int usage_type,
                           const char *usage_id, int event)
{
    SecretEventData d = { uuid, usage_type, usage_id, event };

    mv_log_debug("event: secret lifecycle %d", event);
    mv_driver_events_emit(events, MV_DRIVER_EVENT_SECRET, MV_SECRET_EVENT_ID_LIFECYCLE, uuid,
                          deliver_lifecycle, &d);
}

void
mv_secret_events_value_changed(MvDriverEvents *events, const guint8 uuid[16], int usage_type,
                               const char *usage_id)
{
    SecretEventData d = { uuid, usage_type, usage_id, 0 };

    mv_log_debug("event: secret value changed");
    mv_driver_events_emit(events, MV_DRIVER_EVENT_SECRET, MV_SECRET_EVENT_ID_VALUE_CHANGED, uuid,
                          deliver_value_changed, &d);
}
