/* Object lists and list-all filters, see list.h. */
#include "driver/list.h"

#include <string.h>

#include "util/error.h"
#include "util/uuid.h"

struct _MvDriverList {
    const MvDriverObjectClass *klass;
    GMutex lock;
    GHashTable *by_uuid;        /* 16-byte uuid -> MvDriverObject* (holds a reference) */
    GHashTable *by_name;        /* name -> MvDriverObject* (borrowed) */
    GPtrArray *all;             /* every object (borrowed), dense for fast listing */
    gint next_id;
    gpointer driver;
    GPtrArray *old_names;       /* names objects had before a rename (see list.h) */
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

MvDriverList *
mv_driver_list_new(const MvDriverObjectClass *klass, gpointer driver)
{
    MvDriverList *list = g_new0(MvDriverList, 1);

    list->klass = klass;
    list->driver = driver;
    g_mutex_init(&list->lock);
    list->by_uuid = g_hash_table_new_full(uuid_hash, uuid_equal, NULL,
                                          (GDestroyNotify)mv_driver_object_unref);
    list->by_name = g_hash_table_new(g_str_hash, g_str_equal);
    list->all = g_ptr_array_new();
    list->next_id = 1;
    list->old_names = g_ptr_array_new_with_free_func(g_free);
    return list;
}

void
mv_driver_list_free(MvDriverList *list)
{
    if (!list)
        return;
    g_ptr_array_unref(list->all);
    g_ptr_array_unref(list->old_names);
    g_hash_table_unref(list->by_name);
    g_hash_table_unref(list->by_uuid);
    g_mutex_clear(&list->lock);
    g_free(list);
}

bool
mv_driver_list_add(MvDriverList *list, MvDriverObject *obj, GError **error)
{
    MvDriverObject *other;
    char uuid[MV_UUID_STRING_LEN];

    g_mutex_lock(&list->lock);
    if ((other = g_hash_table_lookup(list->by_name, obj->name)) ||
        (other = g_hash_table_lookup(list->by_uuid, obj->uuid))) {
        mv_uuid_format(other->uuid, uuid);
        mv_error_set(error, list->klass->conf_from, MV_ERR_OPERATION_FAILED,
                     "%s '%s' already exists with uuid %s", list->klass->noun, other->name,
                     uuid);
        g_mutex_unlock(&list->lock);
        return false;
    }
    obj->driver = list->driver;
    mv_driver_object_ref(obj);
    g_hash_table_insert(list->by_uuid, obj->uuid, obj);
    g_hash_table_insert(list->by_name, obj->name, obj);
    obj->list_index = list->all->len;
    g_ptr_array_add(list->all, obj);
    g_mutex_unlock(&list->lock);
    return true;
}

void
mv_driver_list_remove(MvDriverList *list, MvDriverObject *obj)
{
    g_mutex_lock(&obj->lock);
    obj->removed = true;
    g_cond_broadcast(&obj->cond);
    g_mutex_unlock(&obj->lock);

    g_mutex_lock(&list->lock);
    if (g_hash_table_lookup(list->by_uuid, obj->uuid) == obj) {
        MvDriverObject *last = list->all->pdata[list->all->len - 1];
        /* O(1): the last object takes the removed one's slot. */
        list->all->pdata[obj->list_index] = last;
        last->list_index = obj->list_index;
        g_ptr_array_set_size(list->all, list->all->len - 1);
        g_hash_table_remove(list->by_name, obj->name);
        g_hash_table_remove(list->by_uuid, obj->uuid);   /* drops the list's reference */
    }
    g_mutex_unlock(&list->lock);
}

bool
mv_driver_list_rename(MvDriverList *list, MvDriverObject *obj, const char *new_name,
                       GError **error)
{
    MvDriverObject *other;

    g_mutex_lock(&list->lock);
    if ((other = g_hash_table_lookup(list->by_name, new_name)) && other != obj) {
        mv_error_set(error, list->klass->conf_from, MV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: %s with name '%s' already exists",
                     list->klass->noun, new_name);
        g_mutex_unlock(&list->lock);
        return false;
    }
    if (g_hash_table_lookup(list->by_uuid, obj->uuid) == obj) {
        g_hash_table_remove(list->by_name, obj->name);
        g_mutex_lock(&obj->lock);
        g_ptr_array_add(list->old_names, obj->name);
        obj->name = g_strdup(new_name);
        g_mutex_unlock(&obj->lock);
        g_hash_table_insert(list->by_name, obj->name, obj);
    }
    g_mutex_unlock(&list->lock);
    return true;
}

static MvDriverObject *
ref_or_null(MvDriverObject *obj)
{
    return obj ? mv_driver_object_ref(obj) : NULL;
}

MvDriverObject *
mv_driver_list_find_by_uuid(MvDriverList *list, const guint8 uuid[16])
{
    MvDriverObject *obj;

    g_mutex_lock(&list->lock);
    obj = ref_or_null(g_hash_table_lookup(list->by_uuid, uuid));
    g_mutex_unlock(&list->lock);
    return obj;
}

MvDriverObject *
mv_driver_list_find_by_name(MvDriverList *list, const char *name)
{
    MvDriverObject *obj;

    g_mutex_lock(&list->lock);
    obj = ref_or_null(g_hash_table_lookup(list->by_name, name));
    g_mutex_unlock(&list->lock);
    return obj;
}

MvDriverObject *
mv_driver_list_find_by_id(MvDriverList *list, int id)
{
    MvDriverObject *found = NULL;

    if (id < 0)
        return NULL;
    g_mutex_lock(&list->lock);
    for (guint i = 0; !found && i < list->all->len; i++) {
        MvDriverObject *obj = list->all->pdata[i];
        /* id is published under the object lock; an int read is atomic here */
        if (g_atomic_int_get(&obj->id) == id)
            found = mv_driver_object_ref(obj);
    }
    g_mutex_unlock(&list->lock);
    return found;
}

GPtrArray *
mv_driver_list_snapshot(MvDriverList *list)
{
    GPtrArray *copy;

    g_mutex_lock(&list->lock);
    copy = g_ptr_array_new_full(list->all->len, (GDestroyNotify)mv_driver_object_unref);
    for (guint i = 0; i < list->all->len; i++)
        g_ptr_array_add(copy, mv_driver_object_ref(list->all->pdata[i]));
    g_mutex_unlock(&list->lock);
    return copy;
}

guint
mv_driver_list_count(MvDriverList *list)
{
    guint n;

    g_mutex_lock(&list->lock);
    n = list->all->len;
    g_mutex_unlock(&list->lock);
    return n;
}

bool
mv_driver_list_foreach(MvDriverList *list, MvDriverListBeginFunc begin, MvDriverListFunc func,
                       gpointer data)
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

int
mv_driver_list_next_id(MvDriverList *list)
{
    return g_atomic_int_add(&list->next_id, 1);
}

void
mv_driver_list_reserve_id(MvDriverList *list, int id)
{
    int cur;

    while ((cur = g_atomic_int_get(&list->next_id)) <= id &&
           !g_atomic_int_compare_and_exchange(&list->next_id, cur, id + 1))
        ;
}

/* ---- list-all filters ---- */

bool
mv_driver_filter_active(const MvDriverObject *obj)
{
    return mv_driver_object_is_active(obj);
}

bool
mv_driver_filter_persistent(const MvDriverObject *obj)
{
    return obj->persistent;
}

bool
mv_driver_filter_autostart(const MvDriverObject *obj)
{
    return obj->autostart;
}

bool
mv_driver_filter_never(const MvDriverObject *obj)
{
    return false;
}

bool
mv_driver_query_matches(const MvDriverQuery *query, const MvDriverObject *obj)
{
    unsigned int flags = query->flags;

    if (query->match && !query->match(obj, flags))
        return false;
    for (const MvDriverFilter *f = query->filters; f && (f->yes | f->no); f++) {
        if (!(flags & (f->yes | f->no)))
            continue;
        if (!(flags & (f->has(obj) ? f->yes : f->no)))
            return false;
    }
    return true;
}

typedef struct {
    const MvDriverQuery *query;
    guint max;
    MvDriverListAlloc alloc;
    MvDriverListEmit emit;
    gpointer data;
    guint count;
    guint n;
} Select;

static bool
select_begin(guint count, gpointer data)
{
    Select *s = data;

    s->count = count;
    if (count > s->max)
        return false;
    if (s->alloc)
        s->alloc(count, s->data);
    return true;
}

static void
select_one(MvDriverObject *obj, gpointer data)
{
    Select *s = data;

    g_mutex_lock(&obj->lock);
    if (!obj->removed && mv_driver_query_matches(s->query, obj))
        s->emit(obj, s->n++, s->data);
    g_mutex_unlock(&obj->lock);
}

bool
mv_driver_list_select(MvDriverList *list, const MvDriverQuery *query, guint max,
                      MvDriverListAlloc alloc, MvDriverListEmit emit, gpointer data,
                      guint *ret_count, GError **error)
{
    Select s = { query, max, alloc, emit, data, 0, 0 };

    if (!mv_driver_list_foreach(list, select_begin, select_one, &s))
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC,
                            "too many %ss (%u) for one reply (max %u)", list->klass->noun,
                            s.count, max);
    *ret_count = s.n;
    return true;
}

guint
mv_driver_list_names(MvDriverList *list, bool active, int max, char **names)
{
    g_autoptr(GPtrArray) all = mv_driver_list_snapshot(list);
    guint n = 0;

    for (guint i = 0; i < all->len && (max < 0 || (int)n < max); i++) {
        MvDriverObject *obj = all->pdata[i];
        bool is_active;

        g_mutex_lock(&obj->lock);
        is_active = mv_driver_object_is_active(obj);
        g_mutex_unlock(&obj->lock);
        if (is_active != active)
            continue;
        if (names)
            names[n] = g_strdup(obj->name);
        n++;
    }
    return n;
}

bool
mv_driver_list_check_max(int max, int limit, GError **error)
{
    if (max < 0 || max > limit)
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC, "maximum %d out of range (0..%d)",
                            max, limit);
    return true;
}
