/* Network event delivery, see network-events.h. */
#define MV_LOG_CATEGORY "events"
#include "daemon/network-events.h"

#include <string.h>

#include "remote-protocol.h"
#include "rpc/server.h"
#include "util/log.h"

static gpointer
client_ref(gpointer client)
{
    return mv_server_client_ref(client);
}

static void
client_unref(gpointer client)
{
    mv_server_client_unref(client);
}

MvDriverEvents *
mv_network_events_new(void)
{
    return mv_driver_events_new(client_ref, client_unref);
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
    MvMessageHeader hdr = {
        .prog = MV_PROGRAM_REMOTE,
        .vers = MV_PROGRAM_VERSION,
        .proc = MV_REMOTE_PROC_NETWORK_EVENT_LIFECYCLE,
        .type = MV_MESSAGE_MESSAGE,
        .serial = 1,
        .status = MV_STATUS_OK,
    };
    g_autoptr(GError) err = NULL;
    MvMessage *msg;

    if (callback_id < 0)
        return;     /* network events have no legacy style */
    memcpy(body.net.uuid, ld->uuid, 16);
    if (!(msg = mv_message_encode(&hdr, (xdrproc_t)xdr_mv_remote_network_event_lifecycle_msg,
                                  &body, &err))) {
        mv_log_warning("cannot encode a network event: %s", err->message);
        return;
    }
    mv_server_client_send(client, msg);
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
