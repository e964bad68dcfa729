/* Network lifecycle events for modvirt-networkd: encoding and sending them to
 * the clients registered in the driver frame's registry
 * (common/driver/events.h, family MV_DRIVER_EVENT_NETWORK). Like
 * domain-events.h, the wire encoding lives here so the daemon's own files
 * never see XDR or rpc/. Network events only have the callback style
 * (CONNECT_NETWORK_EVENT_REGISTER_ANY returns a callback id). */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "driver/events.h"

G_BEGIN_DECLS

/* virNetworkEventLifecycleType (libvirt's numbers; the detail is always 0). */
enum {
    MV_NETWORK_EVENT_DEFINED = 0,
    MV_NETWORK_EVENT_UNDEFINED = 1,
    MV_NETWORK_EVENT_STARTED = 2,
    MV_NETWORK_EVENT_STOPPED = 3,
};

/* virNetworkEventID: the ids a client may register for. */
enum {
    MV_NETWORK_EVENT_ID_LIFECYCLE = 0,
    MV_NETWORK_EVENT_ID_LAST = 1,
};

/** mv_network_events_new: a registry whose clients are MvServerClients. */
MvDriverEvents *mv_network_events_new(void);

/**
 * mv_network_events_lifecycle:
 * Sends NETWORK_EVENT_LIFECYCLE (@event, detail 0) about the network @name /
 * @uuid to every client registered for it.
 */
void mv_network_events_lifecycle(MvDriverEvents *events, const char *name,
                                 const guint8 uuid[16], int event);

G_END_DECLS
