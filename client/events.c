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

/* An event family: how to register and which MESSAGE carries it. Only the
 * domain family exists in the protocol so far; networks and pools join here
 * with their own procedures. */
typedef struct {
    int register_proc;
    int deregister_proc;
    int message_proc;
} MvEventFamily;

static const MvEventFamily domain_family = {
    MV_REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
    MV_REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
    MV_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE,
};

typedef struct {
    MvLink *link;
    int callback_id;
} MvRegistration;

typedef struct {
    mv_remote_nonnull_domain dom;   /* owned copy */
    int event;
    int detail;
} MvEventItem;

typedef struct {
    gint refs;
    guint id;
    MvConnect *conn;                /* no reference: the connection removes its watches */
    const MvEventFamily *family;
    GMainContext *context;
    MvDomainEventFunc func;
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
    GHashTable *by_callback;        /* "daemon:callback_id" -> MvWatch (weak) */
    guint next_id;
};

static void
event_item_free(gpointer data)
{
    MvEventItem *item = data;

    g_free(item->dom.name);
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

static char *
callback_key(MvLink *link, int callback_id)
{
    return g_strdup_printf("%d:%d", (int)mv_link_daemon(link), callback_id);
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
        if (!g_atomic_int_get(&watch->removed)) {
            g_autoptr(MvDomain) dom = mv_domain_new_from_wire(watch->conn, &item->dom);

            watch->func(watch->conn, dom, (MvDomainEventType)item->event, item->detail,
                        watch->user_data);
        }
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

void
mv_events_link_message(MvLink *link, const MvMessageHeader *hdr, const guint8 *payload,
                       gsize len)
{
    MvEventTable *table = mv_connect_events(mv_link_connect(link));
    mv_remote_domain_event_callback_lifecycle_msg msg = { 0 };
    g_autofree char *key = NULL;
    MvEventItem *item;
    MvWatch *watch;

    if (hdr->prog != MV_PROGRAM_REMOTE || hdr->proc != domain_family.message_proc)
        return;             /* events of kinds nobody can watch yet */
    if (!mv_remote_decode_event(hdr->proc, payload, len, &msg, NULL))
        return;
    key = callback_key(link, msg.callback_id);
    g_mutex_lock(&table->lock);
    watch = g_hash_table_lookup(table->by_callback, key);
    if (watch)
        watch_ref(watch);
    g_mutex_unlock(&table->lock);
    if (watch) {
        item = g_new0(MvEventItem, 1);
        item->dom.name = g_strdup(msg.msg.dom.name);
        memcpy(item->dom.uuid, msg.msg.dom.uuid, sizeof(item->dom.uuid));
        item->dom.id = msg.msg.dom.id;
        item->event = msg.msg.event;
        item->detail = msg.msg.detail;
        if (!g_atomic_int_get(&watch->removed))
            watch_queue(watch, item);
        else
            event_item_free(item);
        watch_unref(watch);
    }
    xdr_free((xdrproc_t)xdr_mv_remote_domain_event_callback_lifecycle_msg, (char *)&msg);
}

/* ---- watch and unwatch ------------------------------------------------------------- */

static void
watch_deregister(MvWatch *watch)
{
    for (guint i = 0; i < watch->regs->len; i++) {
        MvRegistration *reg = &g_array_index(watch->regs, MvRegistration, i);
        mv_remote_connect_domain_event_callback_deregister_any_args args = {
            .callback_id = reg->callback_id,
        };
        MvRpcClient *rpc = mv_link_peek_rpc(reg->link);

        if (rpc && mv_rpc_client_is_open(rpc))
            mv_rpc_client_call(rpc, &mv_remote_program,
                               &mv_remote_program.procs[watch->family->deregister_proc],
                               &args, NULL, NULL);
    }
}

guint
mv_connect_watch_domain_events(MvConnect *conn, MvDomain *dom, GMainContext *context,
                               MvDomainEventFunc func, gpointer user_data,
                               GDestroyNotify destroy, unsigned int flags, GError **error)
{
    mv_remote_connect_domain_event_callback_register_any_args args = {
        .event_id = EVENT_ID_LIFECYCLE,
    };
    mv_remote_connect_domain_event_callback_register_any_ret ret = { 0 };
    mv_remote_nonnull_domain ref;
    MvEventTable *table;
    MvRegistration reg;
    MvWatch *watch;
    MvLink *link;

    if (!mv_client_check_arg(conn != NULL && func != NULL, "mv_connect_watch_domain_events",
                             "the connection or callback", error) ||
        !mv_client_check_flags(flags, 0, "mv_connect_watch_domain_events", error))
        return 0;
    /* Every daemon serving domain events; with one hypervisor per connection
     * that is one link (the proxy's for remote URIs). */
    if (!(link = mv_connect_link(conn, domain_family.register_proc, error)))
        return 0;
    if (dom) {
        mv_domain_to_wire(dom, &ref);
        args.dom = &ref;
    }
    if (!mv_remote_connect_domain_event_callback_register_any(mv_link_rpc(link), &args, &ret,
                                                              error))
        return 0;

    watch = g_new0(MvWatch, 1);
    watch->refs = 1;
    watch->conn = conn;
    watch->family = &domain_family;
    watch->context = context ? g_main_context_ref(context) : g_main_context_ref_thread_default();
    watch->func = func;
    watch->user_data = user_data;
    watch->destroy = destroy;
    watch->regs = g_array_new(FALSE, FALSE, sizeof(MvRegistration));
    g_mutex_init(&watch->lock);
    g_queue_init(&watch->pending);
    reg.link = link;
    reg.callback_id = ret.callback_id;
    g_array_append_val(watch->regs, reg);

    table = mv_connect_events(conn);
    g_mutex_lock(&table->lock);
    watch->id = table->next_id++;
    g_hash_table_insert(table->watches, GUINT_TO_POINTER(watch->id), watch);
    g_hash_table_insert(table->by_callback, callback_key(link, ret.callback_id), watch);
    g_mutex_unlock(&table->lock);
    return watch->id;
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
        g_autofree char *key = callback_key(reg->link, reg->callback_id);

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
