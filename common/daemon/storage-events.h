/* Storage pool events for modvirt-storaged: lifecycle and refresh, encoded
 * and sent to the clients registered in the driver frame's registry
 * (common/driver/events.h, family MV_DRIVER_EVENT_STORAGE_POOL). The wire
 * encoding lives here so storaged's own files never see XDR or rpc/. Pool
 * events only have the callback style (CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY
 * returns a callback id). */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "driver/events.h"

G_BEGIN_DECLS

/* virStoragePoolEventLifecycleType (libvirt's numbers; the detail is always 0). */
enum {
    MV_STORAGE_POOL_EVENT_DEFINED = 0,
    MV_STORAGE_POOL_EVENT_UNDEFINED = 1,
    MV_STORAGE_POOL_EVENT_STARTED = 2,
    MV_STORAGE_POOL_EVENT_STOPPED = 3,
    MV_STORAGE_POOL_EVENT_CREATED = 4,
    MV_STORAGE_POOL_EVENT_DELETED = 5,
};

/* virStoragePoolEventID: the ids a client may register for. */
enum {
    MV_STORAGE_POOL_EVENT_ID_LIFECYCLE = 0,
    MV_STORAGE_POOL_EVENT_ID_REFRESH = 1,
    MV_STORAGE_POOL_EVENT_ID_LAST = 2,
};

/** mv_storage_events_new: a registry whose clients are MvServerClients. */
MvDriverEvents *mv_storage_events_new(void);

/**
 * mv_storage_events_lifecycle:
 * Sends STORAGE_POOL_EVENT_LIFECYCLE (@event, detail 0) about the pool @name /
 * @uuid to every client registered for it.
 */
void mv_storage_events_lifecycle(MvDriverEvents *events, const char *name,
                                 const guint8 uuid[16], int event);

/** mv_storage_events_refresh: sends STORAGE_POOL_EVENT_REFRESH about the pool. */
void mv_storage_events_refresh(MvDriverEvents *events, const char *name,
                               const guint8 uuid[16]);

G_END_DECLS
