/* Domain event delivery, see domain-events.h. */
#define MV_LOG_CATEGORY "events"
#include "daemon/domain-events.h"

#include <string.h>

#include "daemon/events-send.h"
#include "remote-protocol.h"
#include "util/log.h"

MvDriverEvents *
mv_domain_events_new(void)
{
    return mv_daemon_events_new();
}

static void
fill_dom(mv_remote_nonnull_domain *ret, const MvEventDomain *dom)
{
    ret->name = (char *)dom->name;
    memcpy(ret->uuid, dom->uuid, 16);
    ret->id = dom->id;
}

typedef struct {
    const MvEventDomain *dom;
    int event;
    int detail;
} LifecycleData;

static void
deliver_lifecycle(gpointer client, int callback_id, gpointer data)
{
    LifecycleData *ld = data;
    mv_remote_domain_event_lifecycle_msg body = { .event = ld->event, .detail = ld->detail };

    fill_dom(&body.dom, ld->dom);
    if (callback_id < 0) {
        mv_daemon_event_send(client, MV_REMOTE_PROC_DOMAIN_EVENT_LIFECYCLE,
                             (xdrproc_t)xdr_mv_remote_domain_event_lifecycle_msg, &body);
    } else {
        mv_remote_domain_event_callback_lifecycle_msg msg = {
            .callback_id = callback_id,
            .msg = body,
        };
        mv_daemon_event_send(client, MV_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE,
                             (xdrproc_t)xdr_mv_remote_domain_event_callback_lifecycle_msg, &msg);
    }
}

void
mv_domain_events_lifecycle(MvDriverEvents *events, const MvEventDomain *dom, int event,
                         int detail)
{
    LifecycleData ld = { dom, event, detail };

    mv_log_debug("event: domain '%s' lifecycle %d/%d", dom->name, event, detail);
    mv_driver_events_emit(events, MV_DRIVER_EVENT_DOMAIN, MV_DOMAIN_EVENT_ID_LIFECYCLE, dom->uuid,
                          deliver_lifecycle, &ld);
}

static void
deliver_reboot(gpointer client, int callback_id, gpointer data)
{
    mv_remote_domain_event_callback_reboot_msg msg = { .callback_id = callback_id };

    if (callback_id < 0)
        return;     /* the legacy reboot event (proc 108) is not in our protocol */
    fill_dom(&msg.msg.dom, data);
    mv_daemon_event_send(client, MV_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_REBOOT,
                         (xdrproc_t)xdr_mv_remote_domain_event_callback_reboot_msg, &msg);
}

void
mv_domain_events_reboot(MvDriverEvents *events, const MvEventDomain *dom)
{
    mv_driver_events_emit(events, MV_DRIVER_EVENT_DOMAIN, MV_DOMAIN_EVENT_ID_REBOOT, dom->uuid,
                          deliver_reboot, (gpointer)dom);
}

typedef struct {
    const MvEventDomain *dom;
    int state;
    int reason;
} AgentLifecycleData;

static void
deliver_agent_lifecycle(gpointer client, int callback_id, gpointer data)
{
    AgentLifecycleData *ad = data;
    mv_remote_domain_event_callback_agent_lifecycle_msg msg = {
        .callback_id = callback_id,
        .state = ad->state,
        .reason = ad->reason,
    };

    if (callback_id < 0)
        return;     /* the agent event exists in the callback style only */
    fill_dom(&msg.dom, ad->dom);
    mv_daemon_event_send(client, MV_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_AGENT_LIFECYCLE,
                         (xdrproc_t)xdr_mv_remote_domain_event_callback_agent_lifecycle_msg,
                         &msg);
}

void
mv_domain_events_agent_lifecycle(MvDriverEvents *events, const MvEventDomain *dom, int state,
                                 int reason)
{
    AgentLifecycleData ad = { dom, state, reason };

    mv_log_debug("event: domain '%s' agent %d/%d", dom->name, state, reason);
    mv_driver_events_emit(events, MV_DRIVER_EVENT_DOMAIN, MV_DOMAIN_EVENT_ID_AGENT_LIFECYCLE,
                          dom->uuid, deliver_agent_lifecycle, &ad);
}
