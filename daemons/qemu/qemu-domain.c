/* Domain objects, the domain list and jobs. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-domain.h"

#include <string.h>
#include <unistd.h>

#include "util/log.h"
#include "util/uuid.h"

struct _MvQemuDomains {
    GMutex lock;
    GHashTable *by_uuid;        /* 16-byte uuid -> MvQemuDomain* (holds a reference) */
    GHashTable *by_name;        /* name -> MvQemuDomain* (borrowed) */
    GPtrArray *all;             /* every domain (borrowed), dense for fast listing */
    gint next_id;
    gpointer driver;
};

static guint
uuid_hash(gconstpointer key)
{
    guint h;

    memcpy(&h, key, sizeof(h));     /* UUIDs are random: any 4 bytes hash well */
    return h;
}

static gboolean
uuid_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, 16) == 0;
}

static void
domain_free(MvQemuDomain *dom)
{
    if (dom->exit_source) {
        g_source_destroy(dom->exit_source);
        g_source_unref(dom->exit_source);
    }
    if (dom->pidfd >= 0)
        close(dom->pidfd);
    mv_qemu_monitor_free(dom->monitor);
    mv_child_free(dom->child);
    mv_domain_def_free(dom->def);
    mv_domain_def_free(dom->newdef);
    mv_domain_def_free(dom->live);
    g_free(dom->monitor_path);
    g_clear_pointer(&dom->unplugged, g_ptr_array_unref);
    g_free(dom->name);
    g_mutex_clear(&dom->lock);
    g_cond_clear(&dom->cond);
    g_free(dom);
}

MvQemuDomain *
mv_qemu_domain_ref(MvQemuDomain *dom)
{
    g_atomic_int_inc(&dom->ref);
    return dom;
}

void
mv_qemu_domain_unref(MvQemuDomain *dom)
{
    if (dom && g_atomic_int_dec_and_test(&dom->ref))
        domain_free(dom);
}

bool
mv_qemu_domain_begin_job(MvQemuDomain *dom, const char *api, int timeout_ms, GError **error)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    bool ok = true;

    g_mutex_lock(&dom->lock);
    while (dom->job && !dom->removed) {
        if (!g_cond_wait_until(&dom->cond, &dom->lock, deadline)) {
            if (!dom->job)
                break;
            ok = mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_TIMEOUT,
                              "Timed out during operation: cannot acquire state change lock "
                              "of domain '%s' (held by %s for %.1f s)", dom->name, dom->job,
                              (g_get_monotonic_time() - dom->job_since) / 1e6);
            break;
        }
    }
    if (ok && dom->removed)
        ok = mv_error_set(error, MV_FROM_QEMU, MV_ERR_NO_DOMAIN,
                          "Domain not found: domain '%s' was removed", dom->name);
    if (ok) {
        dom->job = api;
        dom->job_since = g_get_monotonic_time();
    }
    g_mutex_unlock(&dom->lock);
    return ok;
}

void
mv_qemu_domain_end_job(MvQemuDomain *dom)
{
    g_mutex_lock(&dom->lock);
    dom->job = NULL;
    g_cond_broadcast(&dom->cond);
    g_mutex_unlock(&dom->lock);
}

void
mv_qemu_domain_set_state(MvQemuDomain *dom, MvDomainState state, int reason)
{
    dom->state = state;
    dom->reason = reason;
}

/* ---- the list ---- */

MvQemuDomains *
mv_qemu_domains_new(gpointer driver)
{
    MvQemuDomains *list = g_new0(MvQemuDomains, 1);

    list->driver = driver;
    g_mutex_init(&list->lock);
    list->by_uuid = g_hash_table_new_full(uuid_hash, uuid_equal, NULL,
                                          (GDestroyNotify)mv_qemu_domain_unref);
    list->by_name = g_hash_table_new(g_str_hash, g_str_equal);
    list->all = g_ptr_array_new();
    list->next_id = 1;
    return list;
}

void
mv_qemu_domains_free(MvQemuDomains *list)
{
    if (!list)
        return;
    g_ptr_array_unref(list->all);
    g_hash_table_unref(list->by_name);
    g_hash_table_unref(list->by_uuid);
    g_mutex_clear(&list->lock);
    g_free(list);
}

MvQemuDomain *
mv_qemu_domains_add(MvQemuDomains *list, MvDomainDef *def, bool persistent, GError **error)
{
    g_autoptr(MvDomainDef) owned = def;
    MvQemuDomain *dom;
    MvQemuDomain *other;
    char uuid[MV_UUID_STRING_LEN];

    g_mutex_lock(&list->lock);
    if ((other = g_hash_table_lookup(list->by_name, def->name)) ||
        (other = g_hash_table_lookup(list->by_uuid, def->uuid))) {
        mv_uuid_format(other->uuid, uuid);
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_OPERATION_FAILED,
                     "domain '%s' already exists with uuid %s", other->name, uuid);
        g_mutex_unlock(&list->lock);
        return NULL;
    }
    dom = g_new0(MvQemuDomain, 1);
    dom->ref = 2;   /* the list's and the caller's */
    g_mutex_init(&dom->lock);
    g_cond_init(&dom->cond);
    dom->driver = list->driver;
    dom->name = g_strdup(def->name);
    memcpy(dom->uuid, def->uuid, 16);
    dom->def = g_steal_pointer(&owned);
    dom->persistent = persistent;
    dom->id = -1;
    dom->pid = -1;
    dom->pidfd = -1;
    dom->state = MV_DOMAIN_SHUTOFF;
    dom->reason = MV_DOMAIN_SHUTOFF_UNKNOWN;
    g_hash_table_insert(list->by_uuid, dom->uuid, dom);
    g_hash_table_insert(list->by_name, dom->name, dom);
    dom->list_index = list->all->len;
    g_ptr_array_add(list->all, dom);
    g_mutex_unlock(&list->lock);
    return dom;
}

void
mv_qemu_domains_remove(MvQemuDomains *list, MvQemuDomain *dom)
{
    g_mutex_lock(&dom->lock);
    dom->removed = true;
    g_cond_broadcast(&dom->cond);
    g_mutex_unlock(&dom->lock);

    g_mutex_lock(&list->lock);
    if (g_hash_table_lookup(list->by_uuid, dom->uuid) == dom) {
        MvQemuDomain *last = list->all->pdata[list->all->len - 1];
        /* O(1): the last domain takes the removed one's slot. */
        list->all->pdata[dom->list_index] = last;
        last->list_index = dom->list_index;
        g_ptr_array_set_size(list->all, list->all->len - 1);
        g_hash_table_remove(list->by_name, dom->name);
        g_hash_table_remove(list->by_uuid, dom->uuid);   /* drops the list's reference */
    }
    g_mutex_unlock(&list->lock);
}

static MvQemuDomain *
ref_or_null(MvQemuDomain *dom)
{
    return dom ? mv_qemu_domain_ref(dom) : NULL;
}

MvQemuDomain *
mv_qemu_domains_find_by_uuid(MvQemuDomains *list, const guint8 uuid[16])
{
    MvQemuDomain *dom;

    g_mutex_lock(&list->lock);
    dom = ref_or_null(g_hash_table_lookup(list->by_uuid, uuid));
    g_mutex_unlock(&list->lock);
    return dom;
}

MvQemuDomain *
mv_qemu_domains_find_by_name(MvQemuDomains *list, const char *name)
{
    MvQemuDomain *dom;

    g_mutex_lock(&list->lock);
    dom = ref_or_null(g_hash_table_lookup(list->by_name, name));
    g_mutex_unlock(&list->lock);
    return dom;
}

MvQemuDomain *
mv_qemu_domains_find_by_id(MvQemuDomains *list, int id)
{
    MvQemuDomain *found = NULL;

    if (id < 0)
        return NULL;
    g_mutex_lock(&list->lock);
    for (guint i = 0; !found && i < list->all->len; i++) {
        MvQemuDomain *dom = list->all->pdata[i];
        /* id is published under the domain lock; an int read is atomic here */
        if (g_atomic_int_get(&dom->id) == id)
            found = mv_qemu_domain_ref(dom);
    }
    g_mutex_unlock(&list->lock);
    return found;
}

GPtrArray *
mv_qemu_domains_snapshot(MvQemuDomains *list)
{
    GPtrArray *copy;

    g_mutex_lock(&list->lock);
    copy = g_ptr_array_new_full(list->all->len, (GDestroyNotify)mv_qemu_domain_unref);
    for (guint i = 0; i < list->all->len; i++)
        g_ptr_array_add(copy, mv_qemu_domain_ref(list->all->pdata[i]));
    g_mutex_unlock(&list->lock);
    return copy;
}

bool
mv_qemu_domains_foreach(MvQemuDomains *list, MvQemuDomainsBeginFunc begin,
                        MvQemuDomainsFunc func, gpointer data)
{
    bool ok = true;

    g_mutex_lock(&list->lock);
    if (begin)
        ok = begin(list->all->len, data);
    for (guint i = 0; ok && i < list->all->len; i++)
        func(list->all->pdata[i], data);
    g_mutex_unlock(&list->lock);
    return ok;
}

guint
mv_qemu_domains_count(MvQemuDomains *list)
{
    guint n;

    g_mutex_lock(&list->lock);
    n = list->all->len;
    g_mutex_unlock(&list->lock);
    return n;
}

int
mv_qemu_domains_next_id(MvQemuDomains *list)
{
    return g_atomic_int_add(&list->next_id, 1);
}

void
mv_qemu_domains_reserve_id(MvQemuDomains *list, int id)
{
    int cur;

    while ((cur = g_atomic_int_get(&list->next_id)) <= id &&
           !g_atomic_int_compare_and_exchange(&list->next_id, cur, id + 1))
        ;
}
