/* Event watches: registration with every daemon that serves an event
 * family, and delivery in the caller's GMainContext.
 *
 * Events arrive on a link's reader thread. They are queued on their watch
 * and handed to the watch's context with an idle GSource, never run on the
 * reader thread: a callback that calls back into the library would wait for
 * a reply only that thread can read. (g_main_context_invoke() would run the
 * callback right away on the reader thread whenever the context happens to
 * be free, so it is not used here.)
 *
 * Resumable events (docs/protocol.md): every watch is registered between
 * EVENTS_HOLD and EVENTS_RESUME, so its link's events come numbered; the link
 * remembers the last number per daemon. When the link breaks and is opened
 * again (connect-link.c), the watches are registered anew and resume from
 * there: missed events are replayed, or the resume function hears of the gap
 * or of the daemon's restart. Daemons without the program: plain events. */
#include <string.h>

#include "client-priv.h"
#include "events-private.h"

#define EVENT_ID_LIFECYCLE 0
#define EVENT_ID_POOL_REFRESH 1
#define EVENT_ID_SECRET_VALUE_CHANGED 1

typedef enum {
    FAMILY_DOMAIN,
    FAMILY_NETWORK,
    FAMILY_STORAGE_POOL,
    FAMILY_SECRET,
} MvFamilyKind;

/* One event id of a family and the MESSAGE procedure that carries it. */
typedef struct {
    int event_id;
    int message_proc;
} MvEventKind;

/* An event family: how to register and deregister, and which event ids a
 * watch registers (each registration gets its own callback id). */
typedef struct {
    MvFamilyKind kind;
    const char *func;               /* the public watch function, for messages */
    int register_proc;              /* routes the watch to its daemon */
    int n_kinds;
    MvEventKind kinds[2];
} MvEventFamily;

static const MvEventFamily domain_family = {
    FAMILY_DOMAIN, "mv_connect_watch_domain_events",
    MV_REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
    1, { { EVENT_ID_LIFECYCLE, MV_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE } },
};

static const MvEventFamily network_family = {
    FAMILY_NETWORK, "mv_connect_watch_network_events",
    MV_REMOTE_PROC_CONNECT_NETWORK_EVENT_REGISTER_ANY,
    1, { { EVENT_ID_LIFECYCLE, MV_REMOTE_PROC_NETWORK_EVENT_LIFECYCLE } },
};

static const MvEventFamily pool_family = {
    FAMILY_STORAGE_POOL, "mv_connect_watch_storage_pool_events",
    MV_REMOTE_PROC_CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY,
    2, { { EVENT_ID_LIFECYCLE, MV_REMOTE_PROC_STORAGE_POOL_EVENT_LIFECYCLE },
         { EVENT_ID_POOL_REFRESH, MV_REMOTE_PROC_STORAGE_POOL_EVENT_REFRESH } },
};

static const MvEventFamily secret_family = {
    FAMILY_SECRET, "mv_connect_watch_secret_events",
    MV_REMOTE_PROC_CONNECT_SECRET_EVENT_REGISTER_ANY,
    2, { { EVENT_ID_LIFECYCLE, MV_REMOTE_PROC_SECRET_EVENT_LIFECYCLE },
         { EVENT_ID_SECRET_VALUE_CHANGED, MV_REMOTE_PROC_SECRET_EVENT_VALUE_CHANGED } },
};

typedef struct {
    MvLink *link;
    int message_proc;
    int callback_id;
} MvRegistration;

/* One event waiting for delivery: the object's wire identity (a domain's
 * id is -1 for the other families; a secret's usage type and id are @id and
 * @name) and what happened. */
typedef struct {
    char *name;
    guint8 uuid[MV_REMOTE_UUID_LEN];
    int id;
    int event;
    int detail;
} MvEventItem;

/* Any of the MvXxxEventFunc types, stored as one function pointer type and
 * cast back by family before the call. */
typedef void (*MvAnyEventFunc)(void);

typedef struct {
    gint refs;
    guint id;
    MvConnect *conn;                /* no reference: the connection removes its watches */
    const MvEventFamily *family;
    GMainContext *context;
    MvAnyEventFunc func;            /* the family's MvXxxEventFunc */
    gpointer user_data;
    GDestroyNotify destroy;
    GArray *regs;                   /* MvRegistration */
    gpointer object;                /* the watched object's handle (a reference), or NULL */
    GMutex lock;
    GQueue pending;                 /* MvEventItem */
    bool scheduled;                 /* an idle source is attached */
    gint removed;                   /* atomic */
} MvWatch;

struct _MvEventTable {
    GMutex lock;
    GHashTable *watches;            /* id -> MvWatch (a reference) */
    GHashTable *by_callback;        /* "daemon:message_proc:callback_id" -> MvWatch (weak) */
    guint next_id;
    MvEventsResumeFunc resume_func; /* mv_connect_set_events_resume_func() */
    gpointer resume_data;
    GDestroyNotify resume_destroy;
    GMainContext *resume_context;
};

static void
event_item_free(gpointer data)
{
    MvEventItem *item = data;

    g_free(item->name);
    g_free(item);
}

static MvWatch *
watch_ref(MvWatch *watch)
{
    g_atomic_int_inc(&watch->refs);
    return watch;
}

static void
watch_unref(gpointer data)
{
    MvWatch *watch = data;

    if (!watch || !g_atomic_int_dec_and_test(&watch->refs))
        return;
    if (watch->destroy)
        watch->destroy(watch->user_data);
    g_queue_clear_full(&watch->pending, event_item_free);
    if (watch->object) {
        switch (watch->family->kind) {
        case FAMILY_DOMAIN:
            mv_domain_unref(watch->object);
            break;
        case FAMILY_NETWORK:
            mv_network_unref(watch->object);
            break;
        case FAMILY_STORAGE_POOL:
            mv_storage_pool_unref(watch->object);
            break;
        case FAMILY_SECRET:
            mv_secret_unref(watch->object);
            break;
        }
    }
    g_array_unref(watch->regs);
    g_main_context_unref(watch->context);
    g_mutex_clear(&watch->lock);
    g_free(watch);
}

/* Callback ids are only unique per daemon and family (a daemon may count
 * domain and network callbacks separately), hence the message procedure. */
static char *
callback_key(MvLink *link, int message_proc, int callback_id)
{
    return g_strdup_printf("%d:%d:%d", (int)mv_link_daemon(link), message_proc, callback_id);
}

MvEventTable *
mv_event_table_new(void)
{
    MvEventTable *table = g_new0(MvEventTable, 1);

    g_mutex_init(&table->lock);
    table->watches = g_hash_table_new_full(NULL, NULL, NULL, watch_unref);
    table->by_callback = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    table->next_id = 1;
    return table;
}

void
mv_event_table_free(MvEventTable *table)
{
    if (!table)
        return;
    if (table->resume_destroy)
        table->resume_destroy(table->resume_data);
    if (table->resume_context)
        g_main_context_unref(table->resume_context);
    g_hash_table_unref(table->by_callback);
    g_hash_table_unref(table->watches);
    g_mutex_clear(&table->lock);
    g_free(table);
}

/* ---- delivery ------------------------------------------------------------------ */

/* Calls the watch's function with a fresh handle for @item's object. */
static void
watch_deliver(MvWatch *watch, const MvEventItem *item)
{
    switch (watch->family->kind) {
    case FAMILY_DOMAIN: {
        mv_remote_nonnull_domain ref = { .name = item->name, .id = item->id };
        g_autoptr(MvDomain) dom = NULL;

        memcpy(ref.uuid, item->uuid, sizeof(ref.uuid));
        dom = mv_domain_new_from_wire(watch->conn, &ref);
        ((MvDomainEventFunc)watch->func)(watch->conn, dom, (MvDomainEventType)item->event,
                                         item->detail, watch->user_data);
        break;
    }
    case FAMILY_NETWORK: {
        mv_remote_nonnull_network ref = { .name = item->name };
        g_autoptr(MvNetwork) net = NULL;

        memcpy(ref.uuid, item->uuid, sizeof(ref.uuid));
        net = mv_network_new_from_wire(watch->conn, &ref);
        ((MvNetworkEventFunc)watch->func)(watch->conn, net, (MvNetworkEventType)item->event,
                                          item->detail, watch->user_data);
        break;
    }
    case FAMILY_STORAGE_POOL: {
        mv_remote_nonnull_storage_pool ref = { .name = item->name };
        g_autoptr(MvStoragePool) pool = NULL;

        memcpy(ref.uuid, item->uuid, sizeof(ref.uuid));
        pool = mv_storage_pool_new_from_wire(watch->conn, &ref);
        ((MvStoragePoolEventFunc)watch->func)(watch->conn, pool,
                                              (MvStoragePoolEventType)item->event,
                                              item->detail, watch->user_data);
        break;
    }
    case FAMILY_SECRET: {
        mv_remote_nonnull_secret ref = { .usage_type = item->id, .usage_id = item->name };
        g_autoptr(MvSecret) secret = NULL;

        memcpy(ref.uuid, item->uuid, sizeof(ref.uuid));
        secret = mv_secret_new_from_wire(watch->conn, &ref);
        ((MvSecretEventFunc)watch->func)(watch->conn, secret, (MvSecretEventType)item->event,
                                         item->detail, watch->user_data);
        break;
    }
    }
}

/* Runs in the watch's context: delivers everything queued, in order. */
static gboolean
watch_dispatch(gpointer data)
{
    MvWatch *watch = data;
    GQueue items = G_QUEUE_INIT;
    MvEventItem *item;

    g_mutex_lock(&watch->lock);
    items = watch->pending;
    g_queue_init(&watch->pending);
    watch->scheduled = false;
    g_mutex_unlock(&watch->lock);
    while ((item = g_queue_pop_head(&items))) {
        if (!g_atomic_int_get(&watch->removed))
            watch_deliver(watch, item);
        event_item_free(item);
    }
    return G_SOURCE_REMOVE;
}

static void
watch_queue(MvWatch *watch, MvEventItem *item)
{
    GSource *source;

    g_mutex_lock(&watch->lock);
    g_queue_push_tail(&watch->pending, item);
    if (!watch->scheduled) {
        watch->scheduled = true;
        source = g_idle_source_new();
        g_source_set_priority(source, G_PRIORITY_DEFAULT);
        g_source_set_callback(source, watch_dispatch, watch_ref(watch), watch_unref);
        g_source_set_static_name(source, "modvirt-events");
        g_source_attach(source, watch->context);
        g_source_unref(source);
    }
    g_mutex_unlock(&watch->lock);
}

/* Decodes an event MESSAGE of a watchable kind into a new item and its
 * callback id. NULL for other events and for payloads that do not decode. */
static MvEventItem *
event_item_decode(int proc, const guint8 *payload, gsize len, int *ret_callback_id)
{
    union {
        mv_remote_domain_event_callback_lifecycle_msg dom;
        mv_remote_network_event_lifecycle_msg net;
        mv_remote_storage_pool_event_lifecycle_msg pool;
        mv_remote_storage_pool_event_refresh_msg refresh;
        mv_remote_secret_event_lifecycle_msg secret;
        mv_remote_secret_event_value_changed_msg value;
    } msg;
    MvEventItem *item;

    if (proc != MV_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE &&
        proc != MV_REMOTE_PROC_NETWORK_EVENT_LIFECYCLE &&
        proc != MV_REMOTE_PROC_STORAGE_POOL_EVENT_LIFECYCLE &&
        proc != MV_REMOTE_PROC_STORAGE_POOL_EVENT_REFRESH &&
        proc != MV_REMOTE_PROC_SECRET_EVENT_LIFECYCLE &&
        proc != MV_REMOTE_PROC_SECRET_EVENT_VALUE_CHANGED)
        return NULL;            /* events of kinds nobody can watch yet */
    memset(&msg, 0, sizeof(msg));
    if (!mv_remote_decode_event(proc, payload, len, &msg, NULL))
        return NULL;
    item = g_new0(MvEventItem, 1);
    item->id = -1;
    switch (proc) {
    case MV_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE:
        *ret_callback_id = msg.dom.callback_id;
        item->name = g_strdup(msg.dom.msg.dom.name);
        memcpy(item->uuid, msg.dom.msg.dom.uuid, sizeof(item->uuid));
        item->id = msg.dom.msg.dom.id;
        item->event = msg.dom.msg.event;
        item->detail = msg.dom.msg.detail;
        break;
    case MV_REMOTE_PROC_NETWORK_EVENT_LIFECYCLE:
        *ret_callback_id = msg.net.callback_id;
        item->name = g_strdup(msg.net.net.name);
        memcpy(item->uuid, msg.net.net.uuid, sizeof(item->uuid));
        item->event = msg.net.event;
        item->detail = msg.net.detail;
        break;
    case MV_REMOTE_PROC_STORAGE_POOL_EVENT_LIFECYCLE:
        *ret_callback_id = msg.pool.callback_id;
        item->name = g_strdup(msg.pool.pool.name);
        memcpy(item->uuid, msg.pool.pool.uuid, sizeof(item->uuid));
        item->event = msg.pool.event;
        item->detail = msg.pool.detail;
        break;
    case MV_REMOTE_PROC_SECRET_EVENT_LIFECYCLE:
        *ret_callback_id = msg.secret.callback_id;
        item->name = g_strdup(msg.secret.secret.usage_id);
        memcpy(item->uuid, msg.secret.secret.uuid, sizeof(item->uuid));
        item->id = msg.secret.secret.usage_type;
        item->event = msg.secret.event;
        item->detail = msg.secret.detail;
        break;
    case MV_REMOTE_PROC_SECRET_EVENT_VALUE_CHANGED:
        *ret_callback_id = msg.value.callback_id;
        item->name = g_strdup(msg.value.secret.usage_id);
        memcpy(item->uuid, msg.value.secret.uuid, sizeof(item->uuid));
        item->id = msg.value.secret.usage_type;
        item->event = MV_SECRET_EVENT_VALUE_CHANGED;
        break;
    default:
        *ret_callback_id = msg.refresh.callback_id;
        item->name = g_strdup(msg.refresh.pool.name);
        memcpy(item->uuid, msg.refresh.pool.uuid, sizeof(item->uuid));
        item->event = MV_STORAGE_POOL_EVENT_REFRESHED;
        break;
    }
    xdr_free(mv_remote_program.procs[proc].args_filter, (char *)&msg);
    return item;
}

/* ---- numbered events ------------------------------------------------------------ */

static const MvEventFamily *const families[] = {
    &domain_family, &network_family, &pool_family, &secret_family,
};

/* The family whose events travel in MESSAGE procedure @proc, or NULL. */
static const MvEventFamily *
family_of_message(int proc)
{
    for (guint i = 0; i < G_N_ELEMENTS(families); i++) {
        for (int k = 0; k < families[i]->n_kinds; k++) {
            if (families[i]->kinds[k].message_proc == proc)
                return families[i];
        }
    }
    return NULL;
}

/* Which daemon behind @link sends @family's events (the link's own daemon,
 * or through a proxy the route's owner): its numbers are counted apart. */
static MvDaemonKind
family_daemon(MvLink *link, const MvEventFamily *family)
{
    MvDaemonKind daemon = mv_link_daemon(link);

    mv_route_daemon_for_proc(daemon, family->register_proc, &daemon, NULL);
    return daemon;
}

/* The route naming @family's daemon in EVENTS calls (the proxy routes by it). */
static char *
family_route(const MvEventFamily *family)
{
    return (char *)mv_route_name(mv_remote_program.procs[family->register_proc].route);
}

void
mv_link_events_init(MvLinkEvents *events)
{
    g_mutex_init(&events->lock);
    g_mutex_init(&events->order);
}

void
mv_link_events_clear(MvLinkEvents *events)
{
    g_mutex_clear(&events->lock);
    g_mutex_clear(&events->order);
}

/* Moves @daemon's position on @link to @epoch / @seq (never back within an epoch). */
static void
position_advance(MvLink *link, MvDaemonKind daemon, const void *epoch, guint64 seq)
{
    MvLinkEvents *ev = mv_link_events(link);
    MvEventPosition *pos = &ev->pos[daemon];

    g_mutex_lock(&ev->lock);
    if (!pos->known || memcmp(pos->epoch, epoch, 16) != 0) {
        memcpy(pos->epoch, epoch, 16);
        pos->last_seq = seq;
        pos->known = true;
    } else if (seq > pos->last_seq) {
        pos->last_seq = seq;
    }
    g_mutex_unlock(&ev->lock);
}

/* A numbered EVENT: the position moves on (the epoch is the one of the last
 * hold or resume), then the REMOTE event inside is handled as any other. */
static void
numbered_message(MvLink *link, const guint8 *payload, gsize len)
{
    mv_events_private_event_msg msg = { 0 };
    const MvEventFamily *family;
    MvMessageHeader inner = {
        .prog = MV_PROGRAM_REMOTE, .vers = MV_PROGRAM_VERSION, .type = MV_MESSAGE_MESSAGE,
    };

    if (!mv_events_private_decode_event(payload, len, &msg))
        return;
    if ((family = family_of_message(msg.proc))) {
        MvLinkEvents *ev = mv_link_events(link);
        MvEventPosition *pos = &ev->pos[family_daemon(link, family)];

        g_mutex_lock(&ev->lock);
        if (msg.seq > pos->last_seq)
            pos->last_seq = msg.seq;
        g_mutex_unlock(&ev->lock);
    }
    inner.proc = msg.proc;
    mv_events_link_message(link, &inner, (const guint8 *)msg.body.body_val, msg.body.body_len);
    xdr_free((xdrproc_t)xdr_mv_events_private_event_msg, (char *)&msg);
}

void
mv_events_link_message(MvLink *link, const MvMessageHeader *hdr, const guint8 *payload,
                       gsize len)
{
    MvEventTable *table = mv_connect_events(mv_link_connect(link));
    g_autofree char *key = NULL;
    MvEventItem *item;
    MvWatch *watch;
    int callback_id = 0;

    if (hdr->prog == MV_PROGRAM_EVENTS_PRIVATE && hdr->proc == MV_EVENTS_PRIVATE_PROC_EVENT) {
        numbered_message(link, payload, len);
        return;
    }
    if (hdr->prog != MV_PROGRAM_REMOTE ||
        !(item = event_item_decode(hdr->proc, payload, len, &callback_id)))
        return;
    key = callback_key(link, hdr->proc, callback_id);
    g_mutex_lock(&table->lock);
    watch = g_hash_table_lookup(table->by_callback, key);
    if (watch)
        watch_ref(watch);
    g_mutex_unlock(&table->lock);
    if (watch && !g_atomic_int_get(&watch->removed))
        watch_queue(watch, g_steal_pointer(&item));
    if (item)
        event_item_free(item);
    if (watch)
        watch_unref(watch);
}

/* ---- watch and unwatch ------------------------------------------------------------- */

/* Deregisters every registration of @watch from its daemon (best effort:
 * errors are dropped, the watch goes either way). */
static void
watch_deregister(MvWatch *watch)
{
    for (guint i = 0; i < watch->regs->len; i++) {
        MvRegistration *reg = &g_array_index(watch->regs, MvRegistration, i);
        MvRpcClient *rpc = mv_link_peek_rpc(reg->link);

        if (!rpc || !mv_rpc_client_is_open(rpc))
            continue;
        switch (watch->family->kind) {
        case FAMILY_DOMAIN: {
            mv_remote_connect_domain_event_callback_deregister_any_args args = {
                .callback_id = reg->callback_id,
            };

            mv_remote_connect_domain_event_callback_deregister_any(rpc, &args, NULL);
            break;
        }
        case FAMILY_NETWORK: {
            mv_remote_connect_network_event_deregister_any_args args = {
                .callback_id = reg->callback_id,
            };

            mv_remote_connect_network_event_deregister_any(rpc, &args, NULL);
            break;
        }
        case FAMILY_STORAGE_POOL: {
            mv_remote_connect_storage_pool_event_deregister_any_args args = {
                .callback_id = reg->callback_id,
            };

            mv_remote_connect_storage_pool_event_deregister_any(rpc, &args, NULL);
            break;
        }
        case FAMILY_SECRET: {
            mv_remote_connect_secret_event_deregister_any_args args = {
                .callback_id = reg->callback_id,
            };

            mv_remote_connect_secret_event_deregister_any(rpc, &args, NULL);
            break;
        }
        }
    }
}

/* The watched object's wire reference in @buf, NULL for every object. */
typedef union {
    mv_remote_nonnull_domain dom;
    mv_remote_nonnull_network net;
    mv_remote_nonnull_storage_pool pool;
    mv_remote_nonnull_secret secret;
} MvWireObject;

static gpointer
watch_object(MvWatch *watch, MvWireObject *buf)
{
    if (!watch->object)
        return NULL;
    switch (watch->family->kind) {
    case FAMILY_DOMAIN:
        mv_domain_to_wire(watch->object, &buf->dom);
        return &buf->dom;
    case FAMILY_NETWORK:
        mv_network_to_wire(watch->object, &buf->net);
        return &buf->net;
    case FAMILY_STORAGE_POOL:
        mv_storage_pool_to_wire(watch->object, &buf->pool);
        return &buf->pool;
    case FAMILY_SECRET:
        mv_secret_to_wire(watch->object, &buf->secret);
        return &buf->secret;
    }
    return NULL;
}

/* Registers one event id of @watch's family on @link (filtered by the
 * watch's object on the daemon's side); its callback id in *@ret_id. */
static bool
register_kind(MvWatch *watch, MvLink *link, const MvEventKind *kind, int *ret_id,
              GError **error)
{
    MvRpcClient *rpc = mv_link_rpc(link);
    MvWireObject buf;
    gpointer object = watch_object(watch, &buf);
    bool ok = false;

    switch (watch->family->kind) {
    case FAMILY_DOMAIN: {
        mv_remote_connect_domain_event_callback_register_any_args args = {
            .event_id = kind->event_id, .dom = object,
        };
        mv_remote_connect_domain_event_callback_register_any_ret ret = { 0 };

        ok = mv_remote_connect_domain_event_callback_register_any(rpc, &args, &ret, error);
        *ret_id = ret.callback_id;
        break;
    }
    case FAMILY_NETWORK: {
        mv_remote_connect_network_event_register_any_args args = {
            .event_id = kind->event_id, .net = object,
        };
        mv_remote_connect_network_event_register_any_ret ret = { 0 };

        ok = mv_remote_connect_network_event_register_any(rpc, &args, &ret, error);
        *ret_id = ret.callback_id;
        break;
    }
    case FAMILY_STORAGE_POOL: {
        mv_remote_connect_storage_pool_event_register_any_args args = {
            .event_id = kind->event_id, .pool = object,
        };
        mv_remote_connect_storage_pool_event_register_any_ret ret = { 0 };

        ok = mv_remote_connect_storage_pool_event_register_any(rpc, &args, &ret, error);
        *ret_id = ret.callback_id;
        break;
    }
    case FAMILY_SECRET: {
        mv_remote_connect_secret_event_register_any_args args = {
            .event_id = kind->event_id, .secret = object,
        };
        mv_remote_connect_secret_event_register_any_ret ret = { 0 };

        ok = mv_remote_connect_secret_event_register_any(rpc, &args, &ret, error);
        *ret_id = ret.callback_id;
        break;
    }
    }
    return ok;
}

static bool
watch_register(MvWatch *watch, MvLink *link, const MvEventKind *kind, GError **error)
{
    MvRegistration reg = { .link = link, .message_proc = kind->message_proc };

    if (!register_kind(watch, link, kind, &reg.callback_id, error))
        return false;
    g_array_append_val(watch->regs, reg);
    return true;
}

/* EVENTS_HOLD for @family's daemon on @link: its events wait (in the daemon's
 * ring) until resume_numbered(). False when the daemon does not number
 * events (a daemon without the program: the watch works unnumbered). */
static bool
hold_numbered(MvLink *link, const MvEventFamily *family, mv_events_private_hold_ret *ret)
{
    MvLinkEvents *ev = mv_link_events(link);
    mv_events_private_hold_args args = { .route = family_route(family) };
    g_autoptr(GError) err = NULL;

    if (ev->unsupported)
        return false;
    memset(ret, 0, sizeof(*ret));
    if (!mv_events_private_hold(mv_link_rpc(link), &args, ret, &err)) {
        g_debug("events of %s are not numbered: %s", mv_link_address(link), err->message);
        ev->unsupported = true;
        return false;
    }
    return true;
}

/* EVENTS_RESUME for @family's daemon from @epoch / @after: the missed events
 * arrive (and move the position) before the reply; then the position is at
 * least the daemon's latest number. */
static bool
resume_numbered(MvLink *link, const MvEventFamily *family, const void *epoch, guint64 after,
                mv_events_private_resume_ret *ret, GError **error)
{
    mv_events_private_resume_args args = { .route = family_route(family), .after_seq = after };

    memcpy(args.epoch, epoch, sizeof(args.epoch));
    memset(ret, 0, sizeof(*ret));
    if (!mv_events_private_resume(mv_link_rpc(link), &args, ret, error))
        return false;
    position_advance(link, family_daemon(link, family), ret->epoch, ret->last_seq);
    return true;
}

/* Registers every event id of a new @watch on @link, between a hold and a
 * resume when the daemon numbers its events: the other watches of the link
 * lose nothing meanwhile and get nothing twice. */
static bool
watch_register_all(MvWatch *watch, MvLink *link, GError **error)
{
    MvLinkEvents *ev = mv_link_events(link);
    mv_events_private_hold_ret hold;
    mv_events_private_resume_ret res;
    g_autoptr(GError) err = NULL;
    bool numbered;
    bool ok = true;

    g_mutex_lock(&ev->order);
    if ((numbered = hold_numbered(link, watch->family, &hold)))
        position_advance(link, family_daemon(link, watch->family), hold.epoch, hold.last_seq);
    for (int i = 0; ok && i < watch->family->n_kinds; i++)
        ok = watch_register(watch, link, &watch->family->kinds[i], error);
    if (numbered &&
        !resume_numbered(link, watch->family, hold.epoch, hold.last_seq, &res, &err))
        g_debug("resuming the events of %s failed: %s", mv_link_address(link), err->message);
    g_mutex_unlock(&ev->order);
    return ok;
}

/* Makes a watch of @family: registers every event id of the family with the
 * daemon that serves it (one link per connection: the family's daemon, or
 * the proxy) and enters the watch in the connection's table. @object (a new
 * reference, or NULL) limits it to one object. */
static guint
watch_add(MvConnect *conn, const MvEventFamily *family, gpointer object,
          GMainContext *context, MvAnyEventFunc func, gpointer user_data, GDestroyNotify destroy,
          unsigned int flags, GError **error)
{
    MvEventTable *table;
    MvWatch *watch;
    MvLink *link = NULL;

    watch = g_new0(MvWatch, 1);
    watch->refs = 1;
    watch->conn = conn;
    watch->family = family;
    watch->func = func;
    watch->object = object;
    watch->regs = g_array_new(FALSE, FALSE, sizeof(MvRegistration));
    g_mutex_init(&watch->lock);
    g_queue_init(&watch->pending);
    if (!mv_client_check_arg(conn != NULL && func != NULL, family->func,
                             "the connection or callback", error) ||
        !mv_client_check_flags(flags, 0, family->func, error) ||
        !(link = mv_connect_link(conn, family->register_proc, error))) {
        watch->context = g_main_context_ref_thread_default();
        watch_unref(watch);
        return 0;
    }
    watch->context = context ? g_main_context_ref(context) : g_main_context_ref_thread_default();
    if (!watch_register_all(watch, link, error)) {
        watch_deregister(watch);        /* the ids that did register */
        watch_unref(watch);             /* no destroy notify: not set yet */
        return 0;
    }
    watch->user_data = user_data;
    watch->destroy = destroy;

    table = mv_connect_events(conn);
    g_mutex_lock(&table->lock);
    watch->id = table->next_id++;
    g_hash_table_insert(table->watches, GUINT_TO_POINTER(watch->id), watch);
    for (guint i = 0; i < watch->regs->len; i++) {
        MvRegistration *reg = &g_array_index(watch->regs, MvRegistration, i);

        g_hash_table_insert(table->by_callback,
                            callback_key(reg->link, reg->message_proc, reg->callback_id), watch);
    }
    g_mutex_unlock(&table->lock);
    return watch->id;
}

guint
mv_connect_watch_domain_events(MvConnect *conn, MvDomain *dom, GMainContext *context,
                               MvDomainEventFunc func, gpointer user_data,
                               GDestroyNotify destroy, unsigned int flags, GError **error)
{
    return watch_add(conn, &domain_family, mv_domain_ref(dom), context, (MvAnyEventFunc)func,
                     user_data, destroy, flags, error);
}

guint
mv_connect_watch_network_events(MvConnect *conn, MvNetwork *net, GMainContext *context,
                                MvNetworkEventFunc func, gpointer user_data,
                                GDestroyNotify destroy, unsigned int flags, GError **error)
{
    return watch_add(conn, &network_family, net ? mv_network_ref(net) : NULL, context,
                     (MvAnyEventFunc)func, user_data, destroy, flags, error);
}

guint
mv_connect_watch_storage_pool_events(MvConnect *conn, MvStoragePool *pool,
                                     GMainContext *context, MvStoragePoolEventFunc func,
                                     gpointer user_data, GDestroyNotify destroy,
                                     unsigned int flags, GError **error)
{
    return watch_add(conn, &pool_family, mv_storage_pool_ref(pool), context,
                     (MvAnyEventFunc)func, user_data, destroy, flags, error);
}

guint
mv_connect_watch_secret_events(MvConnect *conn, MvSecret *secret, GMainContext *context,
                               MvSecretEventFunc func, gpointer user_data,
                               GDestroyNotify destroy, unsigned int flags, GError **error)
{
    return watch_add(conn, &secret_family, secret ? mv_secret_ref(secret) : NULL, context,
                     (MvAnyEventFunc)func, user_data, destroy, flags, error);
}

bool
mv_connect_unwatch_events(MvConnect *conn, guint watch_id, unsigned int flags, GError **error)
{
    MvEventTable *table;
    MvWatch *watch;

    if (!mv_client_check_arg(conn != NULL, "mv_connect_unwatch_events", "the connection",
                             error) ||
        !mv_client_check_flags(flags, 0, "mv_connect_unwatch_events", error))
        return false;
    table = mv_connect_events(conn);
    g_mutex_lock(&table->lock);
    if (!g_hash_table_steal_extended(table->watches, GUINT_TO_POINTER(watch_id), NULL,
                                     (gpointer *)&watch)) {
        g_mutex_unlock(&table->lock);
        return mv_error_set(error, MV_FROM_REMOTE, MV_ERR_INVALID_ARG,
                            "mv_connect_unwatch_events: no event watch %u on this connection",
                            watch_id);
    }
    for (guint i = 0; i < watch->regs->len; i++) {
        MvRegistration *reg = &g_array_index(watch->regs, MvRegistration, i);
        g_autofree char *key = callback_key(reg->link, reg->message_proc, reg->callback_id);

        g_hash_table_remove(table->by_callback, key);
    }
    g_atomic_int_set(&watch->removed, 1);
    g_mutex_unlock(&table->lock);
    watch_deregister(watch);
    watch_unref(watch);
    return true;
}

void
mv_events_unwatch_all(MvConnect *conn)
{
    MvEventTable *table = mv_connect_events(conn);
    g_autoptr(GList) ids = NULL;

    g_mutex_lock(&table->lock);
    ids = g_hash_table_get_keys(table->watches);
    g_mutex_unlock(&table->lock);
    for (GList *l = ids; l; l = l->next)
        mv_connect_unwatch_events(conn, GPOINTER_TO_UINT(l->data), 0, NULL);
}

/* ---- after a reconnect ---------------------------------------------------------------- */

typedef struct {
    MvConnect *conn;            /* a reference */
    MvDaemonKind daemon;
    MvEventsResumeStatus status;
    guint64 lost;
} ResumeNote;

static gboolean
resume_note_dispatch(gpointer data)
{
    ResumeNote *note = data;
    MvEventTable *table = mv_connect_events(note->conn);
    MvEventsResumeFunc func;
    gpointer user_data;

    g_mutex_lock(&table->lock);
    func = table->resume_func;
    user_data = table->resume_data;
    g_mutex_unlock(&table->lock);
    if (func)
        func(note->conn, mv_route_daemon_info(note->daemon)->program, note->status, note->lost,
             user_data);
    return G_SOURCE_REMOVE;
}

static void
resume_note_free(gpointer data)
{
    ResumeNote *note = data;

    mv_connect_unref(note->conn);
    g_free(note);
}

/* Tells the connection's resume function (in its context), if it has one. */
static void
resume_notify(MvLink *link, MvDaemonKind daemon, MvEventsResumeStatus status, guint64 lost)
{
    MvConnect *conn = mv_link_connect(link);
    MvEventTable *table = mv_connect_events(conn);
    ResumeNote *note;
    GSource *source;

    g_mutex_lock(&table->lock);
    if (!table->resume_func || !mv_connect_try_ref(conn)) {
        g_mutex_unlock(&table->lock);
        return;
    }
    note = g_new0(ResumeNote, 1);
    note->conn = conn;          /* the reference just taken */
    note->daemon = daemon;
    note->status = status;
    note->lost = lost;
    source = g_idle_source_new();
    g_source_set_callback(source, resume_note_dispatch, note, resume_note_free);
    g_source_set_static_name(source, "modvirt-events-resume");
    g_source_attach(source, table->resume_context);
    g_source_unref(source);
    g_mutex_unlock(&table->lock);
}

/* The watches with registrations on @link (new references), in id order. */
static GPtrArray *
link_watches(MvLink *link)
{
    MvEventTable *table = mv_connect_events(mv_link_connect(link));
    GPtrArray *found = g_ptr_array_new_with_free_func(watch_unref);
    GHashTableIter iter;
    gpointer value;

    g_mutex_lock(&table->lock);
    g_hash_table_iter_init(&iter, table->watches);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        MvWatch *watch = value;

        for (guint i = 0; i < watch->regs->len; i++) {
            if (g_array_index(watch->regs, MvRegistration, i).link == link) {
                g_ptr_array_add(found, watch_ref(watch));
                break;
            }
        }
    }
    g_mutex_unlock(&table->lock);
    return found;
}

bool
mv_events_link_has_watches(MvLink *link)
{
    g_autoptr(GPtrArray) watches = link_watches(link);

    return watches->len > 0;
}

/* Registers @watch's event ids on @link again: new callback ids. */
static void
watch_reregister(MvWatch *watch, MvLink *link)
{
    MvEventTable *table = mv_connect_events(mv_link_connect(link));

    for (guint i = 0; i < watch->regs->len; i++) {
        MvRegistration *reg = &g_array_index(watch->regs, MvRegistration, i);
        g_autoptr(GError) err = NULL;
        g_autofree char *old_key = NULL;
        MvEventKind kind = { .message_proc = reg->message_proc };
        int id;

        if (reg->link != link)
            continue;
        for (int k = 0; k < watch->family->n_kinds; k++) {
            if (watch->family->kinds[k].message_proc == reg->message_proc)
                kind.event_id = watch->family->kinds[k].event_id;
        }
        if (!register_kind(watch, link, &kind, &id, &err)) {
            g_debug("watch %u could not register again on %s: %s", watch->id,
                    mv_link_address(link), err->message);
            continue;
        }
        old_key = callback_key(link, reg->message_proc, reg->callback_id);
        g_mutex_lock(&table->lock);
        g_hash_table_remove(table->by_callback, old_key);
        reg->callback_id = id;
        if (!g_atomic_int_get(&watch->removed))
            g_hash_table_insert(table->by_callback, callback_key(link, reg->message_proc, id),
                                watch);
        g_mutex_unlock(&table->lock);
    }
}

void
mv_events_link_reopened(MvLink *link)
{
    MvLinkEvents *ev = mv_link_events(link);
    g_autoptr(GPtrArray) watches = link_watches(link);
    const MvEventFamily *held[MV_DAEMON_LAST] = { NULL };
    MvEventPosition from[MV_DAEMON_LAST];

    g_mutex_lock(&ev->order);
    ev->unsupported = false;                /* perhaps a newer daemon */
    /* Hold each daemon's events first, then register, then resume: nothing
     * that happens meanwhile is lost or comes twice. */
    for (guint i = 0; i < watches->len; i++) {
        const MvEventFamily *family = ((MvWatch *)watches->pdata[i])->family;
        MvDaemonKind daemon = family_daemon(link, family);
        mv_events_private_hold_ret hold;

        if (held[daemon] || !hold_numbered(link, family, &hold))
            continue;
        held[daemon] = family;
        g_mutex_lock(&ev->lock);
        from[daemon] = ev->pos[daemon];
        /* The replay moves the position on from the daemon's own start. */
        memcpy(ev->pos[daemon].epoch, hold.epoch, 16);
        ev->pos[daemon].last_seq = 0;
        ev->pos[daemon].known = true;
        g_mutex_unlock(&ev->lock);
        if (!from[daemon].known) {          /* never numbered before: nothing to replay */
            memcpy(from[daemon].epoch, hold.epoch, 16);
            from[daemon].last_seq = hold.last_seq;
        }
    }
    for (guint i = 0; i < watches->len; i++)
        watch_reregister(watches->pdata[i], link);
    for (int daemon = 0; daemon < MV_DAEMON_LAST; daemon++) {
        mv_events_private_resume_ret res;
        g_autoptr(GError) err = NULL;

        if (!held[daemon])
            continue;
        if (!resume_numbered(link, held[daemon], from[daemon].epoch, from[daemon].last_seq,
                             &res, &err)) {
            g_debug("resuming the events of %s failed: %s", mv_link_address(link),
                    err->message);
            resume_notify(link, (MvDaemonKind)daemon, MV_EVENTS_RESUME_FAILED, 0);
            continue;
        }
        resume_notify(link, (MvDaemonKind)daemon, (MvEventsResumeStatus)res.status, res.lost);
    }
    if (watches->len && !held[family_daemon(link, ((MvWatch *)watches->pdata[0])->family)])
        resume_notify(link, mv_link_daemon(link), MV_EVENTS_RESUME_UNNUMBERED, 0);
    g_mutex_unlock(&ev->order);
}

void
mv_events_link_lost(MvLink *link)
{
    resume_notify(link, mv_link_daemon(link), MV_EVENTS_RESUME_FAILED, 0);
}

bool
mv_connect_set_events_resume_func(MvConnect *conn, GMainContext *context,
                                  MvEventsResumeFunc func, gpointer user_data,
                                  GDestroyNotify destroy, unsigned int flags, GError **error)
{
    MvEventTable *table;
    GDestroyNotify old_destroy;
    gpointer old_data;
    GMainContext *old_context;

    if (!mv_client_check_arg(conn != NULL, "mv_connect_set_events_resume_func",
                             "the connection", error) ||
        !mv_client_check_flags(flags, 0, "mv_connect_set_events_resume_func", error))
        return false;
    table = mv_connect_events(conn);
    g_mutex_lock(&table->lock);
    old_destroy = table->resume_destroy;
    old_data = table->resume_data;
    old_context = table->resume_context;
    table->resume_func = func;
    table->resume_data = user_data;
    table->resume_destroy = func ? destroy : NULL;
    table->resume_context = !func ? NULL
                            : context ? g_main_context_ref(context)
                                      : g_main_context_ref_thread_default();
    g_mutex_unlock(&table->lock);
    if (old_destroy)
        old_destroy(old_data);
    if (old_context)
        g_main_context_unref(old_context);
    return true;
}

const char *
mv_events_resume_status_name(MvEventsResumeStatus status)
{
    static const char *const names[MV_EVENTS_RESUME_LAST] = {
        "complete", "gap", "restarted", "failed", "unnumbered",
    };

    if ((int)status < 0 || status >= MV_EVENTS_RESUME_LAST)
        return "unknown";
    return names[status];
}

/* ---- names ----------------------------------------------------------------------------- */

const char *
mv_domain_event_type_name(MvDomainEventType event)
{
    static const char *const names[MV_DOMAIN_EVENT_LAST] = {
        "defined", "undefined", "started", "suspended", "resumed", "stopped", "shutdown",
        "pmsuspended", "crashed",
    };

    if ((int)event < 0 || event >= MV_DOMAIN_EVENT_LAST)
        return "unknown";
    return names[event];
}

const char *
mv_network_event_type_name(MvNetworkEventType event)
{
    static const char *const names[MV_NETWORK_EVENT_LAST] = {
        "defined", "undefined", "started", "stopped",
    };

    if ((int)event < 0 || event >= MV_NETWORK_EVENT_LAST)
        return "unknown";
    return names[event];
}

const char *
mv_storage_pool_event_type_name(MvStoragePoolEventType event)
{
    static const char *const names[MV_STORAGE_POOL_EVENT_LAST] = {
        "defined", "undefined", "started", "stopped", "created", "deleted", "refreshed",
    };

    if ((int)event < 0 || event >= MV_STORAGE_POOL_EVENT_LAST)
        return "unknown";
    return names[event];
}

const char *
mv_secret_event_type_name(MvSecretEventType event)
{
    static const char *const names[MV_SECRET_EVENT_LAST] = {
        "defined", "undefined", "value-changed",
    };

    if ((int)event < 0 || event >= MV_SECRET_EVENT_LAST)
        return "unknown";
    return names[event];
}

const char *
mv_domain_event_detail_name(MvDomainEventType event, int detail)
{
    static const char *const defined[] = { "added", "updated", "renamed", "from snapshot" };
    static const char *const undefined[] = { "removed", "renamed" };
    static const char *const started[] = { "booted", "migrated", "restored", "from snapshot",
                                           "wakeup" };
    static const char *const suspended[] = { "paused", "migrated", "I/O error", "watchdog",
                                             "restored", "from snapshot", "API error",
                                             "postcopy", "postcopy failed" };
    static const char *const resumed[] = { "unpaused", "migrated", "from snapshot",
                                           "postcopy" };
    static const char *const stopped[] = { "shutdown", "destroyed", "crashed", "migrated",
                                           "saved", "failed", "from snapshot" };
    static const char *const shutdown[] = { "finished", "guest", "host" };
    static const char *const pmsuspended[] = { "memory", "disk" };
    static const char *const crashed[] = { "panicked", "crashloaded" };
    static const struct {
        const char *const *names;
        int count;
    } table[MV_DOMAIN_EVENT_LAST] = {
#define DETAILS(a) { a, G_N_ELEMENTS(a) }
        DETAILS(defined), DETAILS(undefined), DETAILS(started), DETAILS(suspended),
        DETAILS(resumed), DETAILS(stopped), DETAILS(shutdown), DETAILS(pmsuspended),
        DETAILS(crashed),
#undef DETAILS
    };

    if ((int)event < 0 || event >= MV_DOMAIN_EVENT_LAST || detail < 0 ||
        detail >= table[event].count)
        return "unknown";
    return table[event].names[detail];
}
