/* The daemon's numbered event log and the EVENTS program, see event-log.h. */
#define MV_LOG_CATEGORY "events"
#include "daemon/event-log.h"

#include <string.h>

#include "driver/event-ring.h"
#include "events-private.h"
#include "util/log.h"
#include "util/uuid.h"

/* What a connection asked of the EVENTS program (none: a stock client). */
typedef struct {
    bool held;              /* EVENTS_HOLD until EVENTS_RESUME: send nothing */
} ClientState;

typedef struct {
    GMutex lock;            /* before any registry's lock */
    guint8 epoch[MV_EVENTS_PRIVATE_EPOCH_LEN];
    MvEventRing *ring;
    MvDriverEvents *registries[MV_DRIVER_EVENT_FAMILY_LAST];
    GHashTable *clients;    /* MvServerClient* (no reference) -> ClientState* */
} EventLog;

static guint ring_size = MV_EVENT_RING_SIZE_DEFAULT;

/* The process's log, made on first use (after the config was read). */
static EventLog *
event_log(void)
{
    static gsize once;
    static EventLog *log;

    if (g_once_init_enter(&once)) {
        EventLog *l = g_new0(EventLog, 1);

        g_mutex_init(&l->lock);
        mv_uuid_generate(l->epoch);
        l->ring = mv_event_ring_new(ring_size);
        l->clients = g_hash_table_new_full(NULL, NULL, NULL, g_free);
        log = l;
        g_once_init_leave(&once, 1);
    }
    return log;
}

void
mv_daemon_event_log_init(guint size)
{
    static gsize once;

    if (g_once_init_enter(&once)) {
        ring_size = size;
        g_once_init_leave(&once, 1);
    } else if (size != mv_event_ring_capacity(event_log()->ring)) {
        mv_log_info("[events] ring_size %u applies at the next start (now %u)", size,
                    mv_event_ring_capacity(event_log()->ring));
    }
}

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
mv_daemon_events_new_family(MvDriverEventFamily family)
{
    EventLog *log = event_log();
    MvDriverEvents *events = mv_driver_events_new(client_ref, client_unref);

    g_mutex_lock(&log->lock);
    log->registries[family] = events;
    g_mutex_unlock(&log->lock);
    return events;
}

/* ---- delivery --------------------------------------------------------------------- */

typedef struct {
    const MvEventRecord *rec;
    bool replay;            /* to a held client that resumes: send anyway */
    guint sent;
} Delivery;

static void
send_message(MvServerClient *client, guint32 prog, int proc, xdrproc_t filter, const void *body)
{
    MvMessageHeader hdr = {
        .prog = prog,
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

static bool
xdr_raw_body(XDR *xdr, mv_events_private_event_msg *m)
{
    return xdr_opaque(xdr, m->body.body_val, m->body.body_len);
}

/* One registration wants the event (log and registry locks held). */
static void
deliver(gpointer client, int callback_id, gpointer data)
{
    Delivery *d = data;
    const MvEventRecord *rec = d->rec;
    ClientState *state = g_hash_table_lookup(event_log()->clients, client);
    gsize len;
    const guint8 *payload = g_bytes_get_data(rec->payload, &len);
    g_autofree guint8 *copy = NULL;
    mv_events_private_event_msg m = { .seq = rec->seq };

    if (state && state->held && !d->replay)
        return;
    if (callback_id >= 0) {
        guint32 id = GUINT32_TO_BE((guint32)callback_id);

        copy = g_memdup2(payload, len);
        memcpy(copy, &id, 4);
        m.proc = rec->proc;
        m.body.body_val = (char *)copy;
        m.body.body_len = (u_int)len;
    } else if (rec->legacy_proc) {
        m.proc = rec->legacy_proc;
        m.body.body_val = (char *)payload + 4;
        m.body.body_len = (u_int)len - 4;
    } else {
        return;             /* this kind has no legacy style */
    }
    if (state)
        send_message(client, MV_PROGRAM_EVENTS_PRIVATE, MV_EVENTS_PRIVATE_PROC_EVENT,
                     (xdrproc_t)xdr_mv_events_private_event_msg, &m);
    else
        send_message(client, MV_PROGRAM_REMOTE, m.proc, (xdrproc_t)xdr_raw_body, &m);
    d->sent++;
}

void
mv_daemon_events_emit(MvDriverEvents *events, MvDriverEventFamily family, int event_id,
                      const guint8 uuid[16], int proc, xdrproc_t filter, const void *msg,
                      int legacy_proc)
{
    EventLog *log = event_log();
    MvMessageHeader hdr = { .prog = MV_PROGRAM_REMOTE, .proc = proc };
    g_autoptr(GError) err = NULL;
    g_autoptr(MvMessage) encoded = mv_message_encode(&hdr, filter, msg, &err);
    g_autoptr(GBytes) payload = NULL;
    MvEventRecord rec = {
        .family = family,
        .event_id = event_id,
        .proc = proc,
        .legacy_proc = legacy_proc,
    };
    Delivery d = { .rec = &rec };

    if (!encoded || encoded->len < MV_MESSAGE_LEN_WORD + MV_MESSAGE_HEADER_SIZE + 4) {
        mv_log_warning("cannot encode event %d: %s", proc, err ? err->message : "too short");
        return;
    }
    payload = g_bytes_new(encoded->data + MV_MESSAGE_LEN_WORD + MV_MESSAGE_HEADER_SIZE,
                          encoded->len - MV_MESSAGE_LEN_WORD - MV_MESSAGE_HEADER_SIZE);
    rec.payload = payload;
    memcpy(rec.uuid, uuid, 16);
    g_mutex_lock(&log->lock);
    mv_event_ring_push(log->ring, &rec);
    mv_driver_events_emit(events, family, event_id, uuid, deliver, &d);
    g_mutex_unlock(&log->lock);
}

void
mv_daemon_event_log_client_closed(MvServerClient *client)
{
    EventLog *log = event_log();

    g_mutex_lock(&log->lock);
    g_hash_table_remove(log->clients, client);
    g_mutex_unlock(&log->lock);
}

/* ---- the EVENTS program ------------------------------------------------------------ */

/* The connection's state, made when it first asks (log lock held). */
static ClientState *
client_state(EventLog *log, MvServerClient *client)
{
    ClientState *state = g_hash_table_lookup(log->clients, client);

    if (!state) {
        state = g_new0(ClientState, 1);
        g_hash_table_insert(log->clients, client, state);
    }
    return state;
}

static bool
events_hold(MvServerCall *call, const void *args, void *ret, GError **error)
{
    const mv_events_private_hold_args *a = args;
    mv_events_private_hold_ret *r = ret;
    EventLog *log = event_log();

    if (a->flags)
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_INVALID_ARG,
                            "mvEventsHold: unsupported flags 0x%x", a->flags);
    g_mutex_lock(&log->lock);
    client_state(log, mv_server_call_get_client(call))->held = true;
    memcpy(r->epoch, log->epoch, sizeof(r->epoch));
    r->last_seq = mv_event_ring_last_seq(log->ring);
    r->ring_size = mv_event_ring_capacity(log->ring);
    g_mutex_unlock(&log->lock);
    return true;
}

typedef struct {
    EventLog *log;
    MvServerClient *client;
    guint replayed;
} Replay;

/* One record the ring still holds after the client's number (log lock held). */
static void
replay_record(const MvEventRecord *rec, gpointer data)
{
    Replay *rp = data;
    MvDriverEvents *events = rp->log->registries[rec->family];
    Delivery d = { .rec = rec, .replay = true };

    if (!events)
        return;
    mv_driver_events_emit_to(events, rec->family, rec->event_id, rec->uuid, rp->client,
                             deliver, &d);
    rp->replayed += d.sent;
}

static bool
events_resume(MvServerCall *call, const void *args, void *ret, GError **error)
{
    static const guint8 none[MV_EVENTS_PRIVATE_EPOCH_LEN];
    const mv_events_private_resume_args *a = args;
    mv_events_private_resume_ret *r = ret;
    EventLog *log = event_log();
    Replay rp = { .log = log, .client = mv_server_call_get_client(call) };
    ClientState *state;
    bool restarted;
    guint64 after;
    guint64 lost = 0;

    if (a->flags)
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_INVALID_ARG,
                            "mvEventsResume: unsupported flags 0x%x", a->flags);
    restarted = memcmp(a->epoch, none, sizeof(none)) != 0 &&
                memcmp(a->epoch, log->epoch, sizeof(log->epoch)) != 0;
    after = restarted ? 0 : a->after_seq;
    g_mutex_lock(&log->lock);
    state = client_state(log, rp.client);   /* numbered from now on */
    /* The replay ignores a hold; a refused resume keeps it. */
    if (!mv_event_ring_since(log->ring, after, replay_record, &rp, &lost, error)) {
        g_mutex_unlock(&log->lock);
        g_prefix_error(error, "mvEventsResume: ");
        return false;
    }
    /* Live from now on (under the same lock: nothing in between). */
    state->held = false;
    r->status = restarted ? MV_EVENTS_PRIVATE_RESUME_RESTARTED
                : lost ? MV_EVENTS_PRIVATE_RESUME_GAP : MV_EVENTS_PRIVATE_RESUME_COMPLETE;
    memcpy(r->epoch, log->epoch, sizeof(r->epoch));
    r->first_seq = mv_event_ring_first_seq(log->ring);
    r->last_seq = mv_event_ring_last_seq(log->ring);
    r->lost = lost;
    r->replayed = rp.replayed;
    g_mutex_unlock(&log->lock);
    mv_log_debug("client %" G_GUINT64_FORMAT " resumed after %" G_GUINT64_FORMAT
                 ": %u replayed, %" G_GUINT64_FORMAT " lost%s",
                 mv_server_client_get_id(rp.client), after, rp.replayed, lost,
                 restarted ? " (the daemon restarted)" : "");
    return true;
}

const MvDispatchFunc mv_daemon_events_private_handlers[MV_EVENTS_PRIVATE_PROC_LAST] = {
    [MV_EVENTS_PRIVATE_PROC_EVENTS_HOLD] = events_hold,
    [MV_EVENTS_PRIVATE_PROC_EVENTS_RESUME] = events_resume,
};
