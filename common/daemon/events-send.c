/* Event registry and sending shared by the event families, see events-send.h. */
#define MV_LOG_CATEGORY "events"
#include "daemon/events-send.h"

#include "remote-protocol.h"
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
mv_daemon_events_new(void)
{
    return mv_driver_events_new(client_ref, client_unref);
}

void
mv_daemon_event_send(MvServerClient *client, int proc, xdrproc_t filter, const void *body)
{
    MvMessageHeader hdr = {
        .prog = MV_PROGRAM_REMOTE,
        .vers = MV_PROGRAM_VERSION,
        .proc = proc,
        .type = MV_MESSAGE_MESSAGE,
        .serial = 1,
        .status = MV_STATUS_OK,
    };
    g_autoptr(GError) err = NULL;
    MvMessage *msg = mv_message_encode(&hdr, filter, body, &err);

    if (!msg) {
        mv_log_warning("cannot encode event %d: %s", proc, err->message);
        return;
    }
    mv_server_client_send(client, msg);
}
