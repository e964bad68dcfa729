/* A list of the objects of one family, indexed by UUID and name, with a
 * dense array for listing and an id counter. The list holds a reference to
 * each object it contains. */
#pragma once

#include "driver/object.h"

G_BEGIN_DECLS

typedef struct _MvDriverList MvDriverList;

/** mv_driver_list_new: an empty list; objects added get @driver as their driver. */
MvDriverList *mv_driver_list_new(const MvDriverObjectClass *klass, gpointer driver);
void mv_driver_list_free(MvDriverList *list);

/**
 * mv_driver_list_add:
 * Adds @obj (a new object with a name and UUID) and takes a reference.
 * Fails with MV_ERR_OPERATION_FAILED ("domain 'x' already exists with uuid …")
 * when another object has the name or the UUID; @obj is then not touched.
 */
bool mv_driver_list_add(MvDriverList *list, MvDriverObject *obj, GError **error);

/**
 * mv_driver_list_remove:
 * Marks @obj removed (waking job waiters, who then fail) and takes it out of
 * the list, dropping the list's reference. O(1). Removing twice is harmless.
 */
void mv_driver_list_remove(MvDriverList *list, MvDriverObject *obj);

/**
 * mv_driver_list_rename:
 * Gives @obj, which is in @list, the name @new_name (under the list's and the
 * object's lock). Fails with MV_ERR_OPERATION_INVALID ("domain with name 'x'
 * already exists") when another object has it. The old name string stays
 * allocated until the list is freed, so code that reads obj->name without a
 * lock never sees freed memory.
 */
bool mv_driver_list_rename(MvDriverList *list, MvDriverObject *obj, const char *new_name,
                           GError **error);

/** Lookups return a new reference or NULL (an id < 0 finds nothing). */
MvDriverObject *mv_driver_list_find_by_uuid(MvDriverList *list, const guint8 uuid[16]);
MvDriverObject *mv_driver_list_find_by_name(MvDriverList *list, const char *name);
MvDriverObject *mv_driver_list_find_by_id(MvDriverList *list, int id);

/** mv_driver_list_snapshot: references to every object (free with g_ptr_array_unref). */
GPtrArray *mv_driver_list_snapshot(MvDriverList *list);

/**
 * mv_driver_list_names:
 * For the legacy count and list calls: counts (@names NULL) or names (new
 * strings into @names) the objects that are active (@active) or inactive, at
 * most @max (-1: no limit), by the class's is_active under each object's lock.
 */
guint mv_driver_list_names(MvDriverList *list, bool active, int max, char **names);

/** mv_driver_list_check_max: a legacy list call's @max: "maximum N out of range (0..LIMIT)"
 * (MV_ERR_RPC) unless 0 <= @max <= @limit. */
bool mv_driver_list_check_max(int max, int limit, GError **error);

/** mv_driver_list_count: number of objects. */
guint mv_driver_list_count(MvDriverList *list);

/**
 * mv_driver_list_foreach:
 * One consistent pass over the list under its lock: @begin (may be NULL) learns
 * how many objects there are and may stop the pass by returning false, then
 * @func sees every object. Both may take an object's lock, but must not call
 * back into the list or block. Returns what @begin returned (true without it).
 */
typedef bool (*MvDriverListBeginFunc)(guint count, gpointer data);
typedef void (*MvDriverListFunc)(MvDriverObject *obj, gpointer data);
bool mv_driver_list_foreach(MvDriverList *list, MvDriverListBeginFunc begin,
                            MvDriverListFunc func, gpointer data);

/** mv_driver_list_next_id: a new running id (1, 2, …). */
int mv_driver_list_next_id(MvDriverList *list);
/** mv_driver_list_reserve_id: make later ids larger than @id (recovery). */
void mv_driver_list_reserve_id(MvDriverList *list, int id);

/* ---- list-all filters ---- */

/* One of libvirt's filter groups: @yes lists the objects that have the
 * property, @no those that do not; neither bit set means no filter. @has is
 * asked with the object's lock held. */
typedef struct {
    unsigned int yes;
    unsigned int no;
    bool (*has)(const MvDriverObject *obj);
} MvDriverFilter;

/* Ready-made properties. */
bool mv_driver_filter_active(const MvDriverObject *obj);
bool mv_driver_filter_persistent(const MvDriverObject *obj);
bool mv_driver_filter_autostart(const MvDriverObject *obj);
bool mv_driver_filter_never(const MvDriverObject *obj);      /* e.g. no snapshots here */

/* The query of a list-all call. @filters ends with a { 0 } entry; @match
 * (may be NULL) checks what the groups cannot express (lock held). */
typedef struct {
    unsigned int flags;
    const MvDriverFilter *filters;
    bool (*match)(const MvDriverObject *obj, unsigned int flags);
} MvDriverQuery;

/** mv_driver_query_matches: whether @obj passes @query (lock held). */
bool mv_driver_query_matches(const MvDriverQuery *query, const MvDriverObject *obj);

/**
 * mv_driver_list_select:
 * libvirt's list-all in one pass, without references or copies: @alloc
 * (may be NULL) is called once with the number of objects, an upper bound of
 * the results, so the caller can size a dense output array; then @emit is
 * called for every object that passes @query, with its lock held and its
 * index in the output (0, 1, …). Fails with MV_ERR_RPC when the list has more
 * than @max objects ("too many domains (N) for one reply (max M)").
 * *@ret_count gets the number of matches.
 */
typedef void (*MvDriverListAlloc)(guint count, gpointer data);
typedef void (*MvDriverListEmit)(MvDriverObject *obj, guint index, gpointer data);
bool mv_driver_list_select(MvDriverList *list, const MvDriverQuery *query, guint max,
                           MvDriverListAlloc alloc, MvDriverListEmit emit, gpointer data,
                           guint *ret_count, GError **error);

G_END_DECLS
