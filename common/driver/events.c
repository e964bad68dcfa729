/* Event registrations, see events.h. */
#include "driver/events.h"

#include <string.h>

typedef struct {
    gpointer client;            /* holds a reference until deregistered or closed */
    MvDriverEventFamily family;
    int callback_id;            /* -1 for legacy registrations */
    int event_id;
    bool has_uuid;
    guint8 uuid[16];
} Registration;

struct _MvDriverEvents {
    GMutex lock;
    GPtrArray *regs;            /* Registration*, in registration order */
    int next_callback_id;
    gpointer (*client_ref)(gpointer client);
    void (*client_unref)(gpointer client);
};

MvDriverEvents *
mv_driver_events_new(gpointer (*client_ref)(gpointer client), void (*client_unref)(gpointer client))
{
    MvDriverEvents *events = g_new0(MvDriverEvents, 1);

    g_mutex_init(&events->lock);
    events->regs = g_ptr_array_new();
    events->client_ref = client_ref;
    events->client_unref = client_unref;
    return events;
}

static void
registration_free(MvDriverEvents *events, Registration *reg)
{
    if (events->client_unref)
        events->client_unref(reg->client);
    g_free(reg);
}

void
mv_driver_events_free(MvDriverEvents *events)
{
    if (!events)
        return;
    for (guint i = 0; i < events->regs->len; i++)
        registration_free(events, events->regs->pdata[i]);
    g_ptr_array_unref(events->regs);
    g_mutex_clear(&events->lock);
    g_free(events);
}

static void
add(MvDriverEvents *events, MvDriverEventFamily family, gpointer client, int callback_id,
    int event_id, const guint8 *uuid)
{
    Registration *reg = g_new0(Registration, 1);

    reg->client = events->client_ref ? events->client_ref(client) : client;
    reg->family = family;
    reg->callback_id = callback_id;
    reg->event_id = event_id;
    if (uuid) {
        reg->has_uuid = true;
        memcpy(reg->uuid, uuid, 16);
    }
    g_ptr_array_add(events->regs, reg);
}

/* Removes registration @i, keeping the order of the others (lock held). */
static void
remove_at(MvDriverEvents *events, guint i)
{
    Registration *reg = events->regs->pdata[i];

    g_ptr_array_remove_index(events->regs, i);
    registration_free(events, reg);
}

int
mv_driver_events_register(MvDriverEvents *events, MvDriverEventFamily family, gpointer client,
                          int event_id, const guint8 *uuid)
{
    int id;

    g_mutex_lock(&events->lock);
    id = events->next_callback_id++;
    add(events, family, client, id, event_id, uuid);
    g_mutex_unlock(&events->lock);
    return id;
}

/* Removes the first registration matching; false when none. */
static bool
remove_match(MvDriverEvents *events, MvDriverEventFamily family, gpointer client,
             int callback_id, int event_id)
{
    bool found = false;

    g_mutex_lock(&events->lock);
    for (guint i = 0; i < events->regs->len; i++) {
        Registration *reg = events->regs->pdata[i];
        if (reg->client == client && reg->family == family && reg->callback_id == callback_id &&
            (callback_id >= 0 || reg->event_id == event_id)) {
            remove_at(events, i);
            found = true;
            break;
        }
    }
    g_mutex_unlock(&events->lock);
    return found;
}

bool
mv_driver_events_deregister(MvDriverEvents *events, MvDriverEventFamily family, gpointer client,
                            int callback_id)
{
    return callback_id >= 0 && remove_match(events, family, client, callback_id, -1);
}

bool
mv_driver_events_register_legacy(MvDriverEvents *events, MvDriverEventFamily family,
                                 gpointer client, int event_id)
{
    bool exists = false;

    g_mutex_lock(&events->lock);
    for (guint i = 0; i < events->regs->len; i++) {
        Registration *reg = events->regs->pdata[i];
        if (reg->client == client && reg->family == family && reg->callback_id < 0 &&
            reg->event_id == event_id)
            exists = true;
    }
    if (!exists)
        add(events, family, client, -1, event_id, NULL);
    g_mutex_unlock(&events->lock);
    return !exists;
}

bool
mv_driver_events_deregister_legacy(MvDriverEvents *events, MvDriverEventFamily family,
                                   gpointer client, int event_id)
{
    return remove_match(events, family, client, -1, event_id);
}

void
mv_driver_events_client_closed(MvDriverEvents *events, gpointer client)
{
    g_mutex_lock(&events->lock);
    for (guint i = events->regs->len; i > 0; i--) {
        Registration *reg = events->regs->pdata[i - 1];
        if (reg->client == client)
            remove_at(events, i - 1);
    }
    g_mutex_unlock(&events->lock);
}

guint
mv_driver_events_count(MvDriverEvents *events, gpointer client)
{
    guint n = 0;

    g_mutex_lock(&events->lock);
    for (guint i = 0; i < events->regs->len; i++) {
        Registration *reg = events->regs->pdata[i];
        n += !client || reg->client == client;
    }
    g_mutex_unlock(&events->lock);
    return n;
}

void
mv_driver_events_emit(MvDriverEvents *events, MvDriverEventFamily family, int event_id,
                      const guint8 uuid[16], MvDriverEventDeliver deliver, gpointer data)
{
    mv_driver_events_emit_to(events, family, event_id, uuid, NULL, deliver, data);
}

void
mv_driver_events_emit_to(MvDriverEvents *events, MvDriverEventFamily family, int event_id,
                         const guint8 uuid[16], gpointer client, MvDriverEventDeliver deliver,
                         gpointer data)
{
    g_mutex_lock(&events->lock);
    for (guint i = 0; i < events->regs->len; i++) {
        Registration *reg = events->regs->pdata[i];
        if (reg->family != family || reg->event_id != event_id)
            continue;
        if (client && reg->client != client)
            continue;
        if (reg->has_uuid && memcmp(reg->uuid, uuid, 16) != 0)
            continue;
        /* Queue while locked so events keep their order per client. */
        deliver(reg->client, reg->callback_id, data);
    }
    g_mutex_unlock(&events->lock);
}

bool
mv_driver_events_check_id(int event_id, int id_last, MvErrorSubsystem from, GError **error)
{
    if (event_id < 0 || event_id >= id_last)
        return mv_error_set(error, from, MV_ERR_INVALID_ARG, "unsupported event ID %d",
                            event_id);
    return true;
}

bool
mv_driver_events_deregister_checked(MvDriverEvents *events, MvDriverEventFamily family,
                                    gpointer client, int callback_id,
                                    MvErrorSubsystem from, GError **error)
{
    if (!mv_driver_events_deregister(events, family, client, callback_id))
        return mv_error_set(error, from, MV_ERR_INVALID_ARG,
                            "callback %d is not registered on this connection", callback_id);
    return true;
}
