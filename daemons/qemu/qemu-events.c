/* Event registrations and delivery, see qemu-events.h. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-events.h"

#include <string.h>

#include "remote-protocol.h"
#include "rpc/server.h"
#include "util/log.h"

typedef struct {
    MvServerClient *client;     /* holds a reference until deregistered or closed */
    int callback_id;            /* -1 for legacy registrations */
    int event_id;
    bool has_uuid;
    guint8 uuid[16];
} Registration;

struct _MvQemuEvents {
    GMutex lock;
    GPtrArray *regs;            /* Registration* */
    int next_callback_id;
};

static void
registration_free(Registration *reg)
{
    mv_server_client_unref(reg->client);
    g_free(reg);
}

MvQemuEvents *
mv_qemu_events_new(void)
{
    MvQemuEvents *events = g_new0(MvQemuEvents, 1);

    g_mutex_init(&events->lock);
    events->regs = g_ptr_array_new_with_free_func((GDestroyNotify)registration_free);
    return events;
}

void
mv_qemu_events_free(MvQemuEvents *events)
{
    if (!events)
        return;
    g_ptr_array_unref(events->regs);
    g_mutex_clear(&events->lock);
    g_free(events);
}

static void
add(MvQemuEvents *events, MvServerClient *client, int callback_id, int event_id,
    const guint8 *uuid)
{
    Registration *reg = g_new0(Registration, 1);

    reg->client = mv_server_client_ref(client);
    reg->callback_id = callback_id;
    reg->event_id = event_id;
    if (uuid) {
        reg->has_uuid = true;
        memcpy(reg->uuid, uuid, 16);
    }
    g_ptr_array_add(events->regs, reg);
}

int
mv_qemu_events_register(MvQemuEvents *events, MvServerClient *client, int event_id,
                        const guint8 *uuid)
{
    int id;

    g_mutex_lock(&events->lock);
    id = events->next_callback_id++;
    add(events, client, id, event_id, uuid);
    g_mutex_unlock(&events->lock);
    return id;
}

/* Removes the first registration matching; false when none. */
static bool
remove_match(MvQemuEvents *events, MvServerClient *client, int callback_id, int event_id)
{
    bool found = false;

    g_mutex_lock(&events->lock);
    for (guint i = 0; i < events->regs->len; i++) {
        Registration *reg = events->regs->pdata[i];
        if (reg->client == client && reg->callback_id == callback_id &&
            (callback_id >= 0 || reg->event_id == event_id)) {
            g_ptr_array_remove_index_fast(events->regs, i);
            found = true;
            break;
        }
    }
    g_mutex_unlock(&events->lock);
    return found;
}

bool
mv_qemu_events_deregister(MvQemuEvents *events, MvServerClient *client, int callback_id)
{
    return callback_id >= 0 && remove_match(events, client, callback_id, -1);
}

bool
mv_qemu_events_register_legacy(MvQemuEvents *events, MvServerClient *client, int event_id)
{
    bool exists = false;

    g_mutex_lock(&events->lock);
    for (guint i = 0; i < events->regs->len; i++) {
        Registration *reg = events->regs->pdata[i];
        if (reg->client == client && reg->callback_id < 0 && reg->event_id == event_id)
            exists = true;
    }
    if (!exists)
        add(events, client, -1, event_id, NULL);
    g_mutex_unlock(&events->lock);
    return !exists;
}

bool
mv_qemu_events_deregister_legacy(MvQemuEvents *events, MvServerClient *client, int event_id)
{
    return remove_match(events, client, -1, event_id);
}

void
mv_qemu_events_client_closed(MvQemuEvents *events, MvServerClient *client)
{
    g_mutex_lock(&events->lock);
    for (guint i = events->regs->len; i > 0; i--) {
        Registration *reg = events->regs->pdata[i - 1];
        if (reg->client == client)
            g_ptr_array_remove_index_fast(events->regs, i - 1);
    }
    g_mutex_unlock(&events->lock);
}

static void
fill_dom(mv_remote_nonnull_domain *ret, const MvEventDomain *dom)
{
    ret->name = (char *)dom->name;
    memcpy(ret->uuid, dom->uuid, 16);
    ret->id = dom->id;
}

static void
send_event(MvServerClient *client, int proc, xdrproc_t filter, const void *body)
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

/* Calls @deliver for every registration for @event_id that matches @dom. */
static void
dispatch(MvQemuEvents *events, int event_id, const MvEventDomain *dom,
         void (*deliver)(MvServerClient *client, int callback_id, gpointer data), gpointer data)
{
    g_mutex_lock(&events->lock);
    for (guint i = 0; i < events->regs->len; i++) {
        Registration *reg = events->regs->pdata[i];
        if (reg->event_id != event_id)
            continue;
        if (reg->has_uuid && memcmp(reg->uuid, dom->uuid, 16) != 0)
            continue;
        /* Queue while locked so events keep their order per client. */
        deliver(reg->client, reg->callback_id, data);
    }
    g_mutex_unlock(&events->lock);
}

typedef struct {
    const MvEventDomain *dom;
    int event;
    int detail;
} LifecycleData;

static void
deliver_lifecycle(MvServerClient *client, int callback_id, gpointer data)
{
    LifecycleData *ld = data;
    mv_remote_domain_event_lifecycle_msg body = { .event = ld->event, .detail = ld->detail };

    fill_dom(&body.dom, ld->dom);
    if (callback_id < 0) {
        send_event(client, MV_REMOTE_PROC_DOMAIN_EVENT_LIFECYCLE,
             (xdrproc_t)xdr_mv_remote_domain_event_lifecycle_msg, &body);
    } else {
        mv_remote_domain_event_callback_lifecycle_msg msg = {
            .callback_id = callback_id,
            .msg = body,
        };
        send_event(client, MV_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE,
             (xdrproc_t)xdr_mv_remote_domain_event_callback_lifecycle_msg, &msg);
    }
}

void
mv_qemu_events_lifecycle(MvQemuEvents *events, const MvEventDomain *dom, int event, int detail)
{
    LifecycleData ld = { dom, event, detail };

    mv_log_debug("event: domain '%s' lifecycle %d/%d", dom->name, event, detail);
    dispatch(events, MV_DOMAIN_EVENT_ID_LIFECYCLE, dom, deliver_lifecycle, &ld);
}

static void
deliver_reboot(MvServerClient *client, int callback_id, gpointer data)
{
    mv_remote_domain_event_callback_reboot_msg msg = { .callback_id = callback_id };

    if (callback_id < 0)
        return;     /* the legacy reboot event (proc 108) is not in our protocol */
    fill_dom(&msg.msg.dom, data);
    send_event(client, MV_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_REBOOT,
         (xdrproc_t)xdr_mv_remote_domain_event_callback_reboot_msg, &msg);
}

void
mv_qemu_events_reboot(MvQemuEvents *events, const MvEventDomain *dom)
{
    dispatch(events, MV_DOMAIN_EVENT_ID_REBOOT, dom, deliver_reboot, (gpointer)dom);
}
