/* Event watches: registration with every daemon that serves an event
 * family, and delivery in the caller's GMainContext.
 *
 * Events arrive on a link's reader thread. They are queued on their watch
 * and handed to the watch's context with an idle GSource, never run on the
 * reader thread: a callback that calls back into the library would wait for
 * a reply only that thread can read. (g_main_context_invoke() would run the
 * callback right away on the reader thread whenever the context happens to
 * be free, so it is not used here.) */
#include <string.h>

#include "client-priv.h"

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

void
mv_events_link_message(MvLink *link, const MvMessageHeader *hdr, const guint8 *payload,
                       gsize len)
{
    MvEventTable *table = mv_connect_events(mv_link_connect(link));
    g_autofree char *key = NULL;
    MvEventItem *item;
    MvWatch *watch;
    int callback_id = 0;

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

/* Registers one event id of @watch's family on @link; @object is the
 * family's nullable wire reference (filtering on the daemon's side). */
static bool
watch_register(MvWatch *watch, MvLink *link, const MvEventKind *kind, gpointer object,
               GError **error)
{
    MvRpcClient *rpc = mv_link_rpc(link);
    MvRegistration reg = { .link = link, .message_proc = kind->message_proc };
    bool ok = false;

    switch (watch->family->kind) {
    case FAMILY_DOMAIN: {
        mv_remote_connect_domain_event_callback_register_any_args args = {
            .event_id = kind->event_id, .dom = object,
        };
        mv_remote_connect_domain_event_callback_register_any_ret ret = { 0 };

        ok = mv_remote_connect_domain_event_callback_register_any(rpc, &args, &ret, error);
        reg.callback_id = ret.callback_id;
        break;
    }
    case FAMILY_NETWORK: {
        mv_remote_connect_network_event_register_any_args args = {
            .event_id = kind->event_id, .net = object,
        };
        mv_remote_connect_network_event_register_any_ret ret = { 0 };

        ok = mv_remote_connect_network_event_register_any(rpc, &args, &ret, error);
        reg.callback_id = ret.callback_id;
        break;
    }
    case FAMILY_STORAGE_POOL: {
        mv_remote_connect_storage_pool_event_register_any_args args = {
            .event_id = kind->event_id, .pool = object,
        };
        mv_remote_connect_storage_pool_event_register_any_ret ret = { 0 };

        ok = mv_remote_connect_storage_pool_event_register_any(rpc, &args, &ret, error);
        reg.callback_id = ret.callback_id;
        break;
    }
    case FAMILY_SECRET: {
        mv_remote_connect_secret_event_register_any_args args = {
            .event_id = kind->event_id, .secret = object,
        };
        mv_remote_connect_secret_event_register_any_ret ret = { 0 };

        ok = mv_remote_connect_secret_event_register_any(rpc, &args, &ret, error);
        reg.callback_id = ret.callback_id;
        break;
    }
    }
    if (ok)
        g_array_append_val(watch->regs, reg);
    return ok;
}

/* Makes a watch of @family: registers every event id of the family with the
 * daemon that serves it (one link per connection: the family's daemon, or
 * the proxy) and enters the watch in the connection's table. */
static guint
watch_add(MvConnect *conn, const MvEventFamily *family, gpointer object,
          GMainContext *context, MvAnyEventFunc func, gpointer user_data, GDestroyNotify destroy,
          unsigned int flags, GError **error)
{
    MvEventTable *table;
    MvWatch *watch;
    MvLink *link;

    if (!mv_client_check_arg(conn != NULL && func != NULL, family->func,
                             "the connection or callback", error) ||
        !mv_client_check_flags(flags, 0, family->func, error) ||
        !(link = mv_connect_link(conn, family->register_proc, error)))
        return 0;

    watch = g_new0(MvWatch, 1);
    watch->refs = 1;
    watch->conn = conn;
    watch->family = family;
    watch->func = func;
    watch->regs = g_array_new(FALSE, FALSE, sizeof(MvRegistration));
    g_mutex_init(&watch->lock);
    g_queue_init(&watch->pending);
    watch->context = context ? g_main_context_ref(context) : g_main_context_ref_thread_default();
    for (int i = 0; i < family->n_kinds; i++) {
        if (!watch_register(watch, link, &family->kinds[i], object, error)) {
            watch_deregister(watch);        /* the ids that did register */
            watch_unref(watch);             /* no destroy notify: not set yet */
            return 0;
        }
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
    mv_remote_nonnull_domain ref;

    if (dom)
        mv_domain_to_wire(dom, &ref);
    return watch_add(conn, &domain_family, dom ? &ref : NULL, context, (MvAnyEventFunc)func,
                     user_data, destroy, flags, error);
}

guint
mv_connect_watch_network_events(MvConnect *conn, MvNetwork *net, GMainContext *context,
                                MvNetworkEventFunc func, gpointer user_data,
                                GDestroyNotify destroy, unsigned int flags, GError **error)
{
    mv_remote_nonnull_network ref;

    if (net)
        mv_network_to_wire(net, &ref);
    return watch_add(conn, &network_family, net ? &ref : NULL, context, (MvAnyEventFunc)func,
                     user_data, destroy, flags, error);
}

guint
mv_connect_watch_storage_pool_events(MvConnect *conn, MvStoragePool *pool,
                                     GMainContext *context, MvStoragePoolEventFunc func,
                                     gpointer user_data, GDestroyNotify destroy,
                                     unsigned int flags, GError **error)
{
    mv_remote_nonnull_storage_pool ref;

    if (pool)
        mv_storage_pool_to_wire(pool, &ref);
    return watch_add(conn, &pool_family, pool ? &ref : NULL, context, (MvAnyEventFunc)func,
                     user_data, destroy, flags, error);
}

guint
mv_connect_watch_secret_events(MvConnect *conn, MvSecret *secret, GMainContext *context,
                               MvSecretEventFunc func, gpointer user_data,
                               GDestroyNotify destroy, unsigned int flags, GError **error)
{
    mv_remote_nonnull_secret ref;

    if (secret)
        mv_secret_to_wire(secret, &ref);
    return watch_add(conn, &secret_family, secret ? &ref : NULL, context,
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
