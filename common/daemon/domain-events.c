/* Domain event delivery, see domain-events.h. Numbered and kept for
 * resuming clients by the event log (event-log.h). */
#define MV_LOG_CATEGORY "events"
#include "daemon/domain-events.h"

#include <string.h>

#include "daemon/event-log.h"
#include "remote-protocol.h"
#include "util/log.h"

MvDriverEvents *
mv_domain_events_new(void)
{
    return mv_daemon_events_new_family(MV_DRIVER_EVENT_DOMAIN);
}

static void
fill_dom(mv_remote_nonnull_domain *ret, const MvEventDomain *dom)
{
    ret->name = (char *)dom->name;
    memcpy(ret->uuid, dom->uuid, 16);
    ret->id = dom->id;
}

void
mv_domain_events_lifecycle(MvDriverEvents *events, const MvEventDomain *dom, int event,
                         int detail)
{
    /* The legacy message (DOMAIN_EVENT_LIFECYCLE) is this one without the callback id. */
    mv_remote_domain_event_callback_lifecycle_msg msg = {
        .msg = { .event = event, .detail = detail },
    };

    mv_log_debug("event: domain '%s' lifecycle %d/%d", dom->name, event, detail);
    fill_dom(&msg.msg.dom, dom);
    mv_daemon_events_emit(events, MV_DRIVER_EVENT_DOMAIN, MV_DOMAIN_EVENT_ID_LIFECYCLE, dom->uuid,
                          MV_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE,
                          (xdrproc_t)xdr_mv_remote_domain_event_callback_lifecycle_msg, &msg,
                          MV_REMOTE_PROC_DOMAIN_EVENT_LIFECYCLE);
}

void
mv_domain_events_reboot(MvDriverEvents *events, const MvEventDomain *dom)
{
    mv_remote_domain_event_callback_reboot_msg msg = { 0 };

    fill_dom(&msg.msg.dom, dom);
    /* The legacy reboot event (proc 108) is not in our protocol. */
    mv_daemon_events_emit(events, MV_DRIVER_EVENT_DOMAIN, MV_DOMAIN_EVENT_ID_REBOOT, dom->uuid,
                          MV_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_REBOOT,
                          (xdrproc_t)xdr_mv_remote_domain_event_callback_reboot_msg, &msg, 0);
}

void
mv_domain_events_agent_lifecycle(MvDriverEvents *events, const MvEventDomain *dom, int state,
                                 int reason)
{
    mv_remote_domain_event_callback_agent_lifecycle_msg msg = {
        .state = state,
        .reason = reason,
    };

    mv_log_debug("event: domain '%s' agent %d/%d", dom->name, state, reason);
    fill_dom(&msg.dom, dom);
    /* the agent event exists in the callback style only */
    mv_daemon_events_emit(events, MV_DRIVER_EVENT_DOMAIN, MV_DOMAIN_EVENT_ID_AGENT_LIFECYCLE,
                          dom->uuid, MV_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_AGENT_LIFECYCLE,
                          (xdrproc_t)xdr_mv_remote_domain_event_callback_agent_lifecycle_msg,
                          &msg, 0);
}
