/* Secret events for modvirt-storaged's secret driver: encoding and sending
 * them to the clients registered in the driver frame's registry
 * (common/driver/events.h, family MV_DRIVER_EVENT_SECRET). The wire encoding
 * lives here so the daemon's own files never see XDR or rpc/. Secret events
 * only have the callback style (CONNECT_SECRET_EVENT_REGISTER_ANY returns a
 * callback id). */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "driver/events.h"

G_BEGIN_DECLS

/* virSecretEventLifecycleType (libvirt's numbers; the detail is always 0). */
enum {
    MV_SECRET_EVENT_DEFINED = 0,
    MV_SECRET_EVENT_UNDEFINED = 1,
};

/* virSecretEventID: the ids a client may register for. */
enum {
    MV_SECRET_EVENT_ID_LIFECYCLE = 0,
    MV_SECRET_EVENT_ID_VALUE_CHANGED = 1,
    MV_SECRET_EVENT_ID_LAST = 2,
};

/** mv_secret_events_new: a registry whose clients are MvServerClients. */
MvDriverEvents *mv_secret_events_new(void);

/**
 * mv_secret_events_lifecycle:
 * Sends SECRET_EVENT_LIFECYCLE (@event, detail 0) about the secret @uuid
 * (usage @usage_type / @usage_id) to every client registered for it.
 */
void mv_secret_events_lifecycle(MvDriverEvents *events, const guint8 uuid[16], int usage_type,
                                const char *usage_id, int event);

/** mv_secret_events_value_changed: sends SECRET_EVENT_VALUE_CHANGED the same way. */
void mv_secret_events_value_changed(MvDriverEvents *events, const guint8 uuid[16],
                                    int usage_type, const char *usage_id);

G_END_DECLS
