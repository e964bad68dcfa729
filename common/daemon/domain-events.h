/* Domain events for every hypervisor daemon (qemud now; lxcd and xend later):
 * encoding and sending them to the clients registered in the driver frame's
 * registry (common/driver/events.h, family MV_DRIVER_EVENT_DOMAIN). The wire
 * encoding lives here, beside the other connection-level code, so a daemon's
 * own files never see XDR or rpc/.
 *
 * Both registration styles stock clients use are served: the callback style
 * (CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, events carry a callback id,
 * optional per-domain filter) and the legacy style (REGISTER_ANY by event id,
 * events without a callback id, filtered by the client). */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "driver/events.h"

G_BEGIN_DECLS

/* libvirt's lifecycle event codes and the details we send. */
enum {
    MV_EVENT_DEFINED = 0,
    MV_EVENT_UNDEFINED = 1,
    MV_EVENT_STARTED = 2,
    MV_EVENT_SUSPENDED = 3,
    MV_EVENT_RESUMED = 4,
    MV_EVENT_STOPPED = 5,
    MV_EVENT_SHUTDOWN = 6,
    MV_EVENT_PMSUSPENDED = 7,
    MV_EVENT_CRASHED = 8,
};
enum {
    MV_EVENT_DEFINED_ADDED = 0,
    MV_EVENT_DEFINED_UPDATED = 1,
    MV_EVENT_DEFINED_RENAMED = 2,
    MV_EVENT_UNDEFINED_REMOVED = 0,
    MV_EVENT_UNDEFINED_RENAMED = 1,
    MV_EVENT_STARTED_BOOTED = 0,
    MV_EVENT_STARTED_RESTORED = 2,
    MV_EVENT_SUSPENDED_PAUSED = 0,
    MV_EVENT_RESUMED_UNPAUSED = 0,
    MV_EVENT_STOPPED_SHUTDOWN = 0,
    MV_EVENT_STOPPED_DESTROYED = 1,
    MV_EVENT_STOPPED_CRASHED = 2,
    MV_EVENT_STOPPED_SAVED = 4,
    MV_EVENT_STOPPED_FAILED = 5,
    MV_EVENT_SHUTDOWN_FINISHED = 0,
    MV_EVENT_SHUTDOWN_GUEST = 1,
    MV_EVENT_SHUTDOWN_HOST = 2,
};

/* Event ids (register-any). */
enum {
    MV_DOMAIN_EVENT_ID_LIFECYCLE = 0,
    MV_DOMAIN_EVENT_ID_REBOOT = 1,
    MV_DOMAIN_EVENT_ID_AGENT_LIFECYCLE = 18,
    MV_DOMAIN_EVENT_ID_LAST = 27,
};

/* Which domain an event is about (as sent on the wire). */
typedef struct {
    const char *name;
    const guint8 *uuid;
    int id;
} MvEventDomain;

/** mv_domain_events_new: a registry whose clients are MvServerClients. */
MvDriverEvents *mv_domain_events_new(void);

/** mv_domain_events_lifecycle: sends a lifecycle event to every interested client. */
void mv_domain_events_lifecycle(MvDriverEvents *events, const MvEventDomain *dom, int event,
                              int detail);

/** mv_domain_events_reboot: sends a reboot event. */
void mv_domain_events_reboot(MvDriverEvents *events, const MvEventDomain *dom);

/* Agent lifecycle states and reasons (libvirt's numbers). */
enum {
    MV_EVENT_AGENT_CONNECTED = 1,
    MV_EVENT_AGENT_DISCONNECTED = 2,
    MV_EVENT_AGENT_REASON_UNKNOWN = 0,
    MV_EVENT_AGENT_REASON_DOMAIN_STARTED = 1,
    MV_EVENT_AGENT_REASON_CHANNEL = 2,
};

/** mv_domain_events_agent_lifecycle: the guest agent (dis)connected (callback style only). */
void mv_domain_events_agent_lifecycle(MvDriverEvents *events, const MvEventDomain *dom,
                                      int state, int reason);

G_END_DECLS
