/* The object every object-owning daemon keeps: a domain, a network, a pool,
 * a volume, an nwfilter, a secret... Each family's struct starts with
 * MV_DRIVER_OBJECT_HEADER, which holds the identity (name, UUID, id), the
 * reference count, the lock and the job, and the flags every family lists by
 * (persistent, autostart).
 *
 * Locking: @lock protects the object's fields. A modifying operation first
 * takes the object's *job* (at most one at a time, waited for with a
 * deadline); it may drop the lock while it works, but only the job holder
 * changes the definition or the running state. Queries take the lock briefly
 * and never wait for a job. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "util/error.h"

G_BEGIN_DECLS

typedef struct _MvDriverObject MvDriverObject;

/* What the frame needs to know about a family of objects (one per daemon
 * and family, static const). */
typedef struct {
    const char *noun;           /* "domain", "network": in messages */
    MvErrorSubsystem error_from;    /* errors of the driver (jobs, AFFECT) */
    MvErrorSubsystem conf_from;     /* errors of definitions (duplicates) */
    MvErrorCode no_object;          /* MV_ERR_NO_DOMAIN, MV_ERR_NO_NETWORK, ... */
    const char *not_found;      /* "Domain not found": the prefix of @no_object errors */
    const char *not_active;     /* "domain is not running": LIVE on an inactive object */
    /* Running or started (lock held). NULL: id >= 0. */
    bool (*is_active)(const MvDriverObject *obj);
    /* Frees the family's own fields (not the header, not the object). May be NULL. */
    void (*finalize)(MvDriverObject *obj);
} MvDriverObjectClass;

#define MV_DRIVER_OBJECT_FIELDS                                                          \
    const MvDriverObjectClass *klass;                                                    \
    gint ref;                                                                            \
    GMutex lock;                                                                         \
    GCond cond;             /* job released, object removed, family events */            \
    gpointer driver;        /* the owning list's driver (set when added) */              \
    guint list_index;       /* position in the list's dense array (list lock) */         \
    char *name;             /* identity: changes only under the list lock too */         \
    guint8 uuid[16];                                                                     \
    int id;                 /* -1 when none (not running) */                             \
    bool persistent;                                                                     \
    bool autostart;                                                                      \
    bool removed;           /* gone from the list */                                     \
    const char *job;        /* the API holding the object, NULL when free */             \
    gint64 job_since;       /* monotonic µs */

struct _MvDriverObject {
    MV_DRIVER_OBJECT_FIELDS
};

/* First member of every family's object struct: the header both as a whole
 * (`obj`, for the frame) and as plain fields (`dom->name`, `dom->lock`). */
#define MV_DRIVER_OBJECT_HEADER \
    union {                     \
        MvDriverObject obj;     \
        struct {                \
            MV_DRIVER_OBJECT_FIELDS \
        };                      \
    }

/* The object a family struct embeds, and back (the header is at offset 0). */
#define MV_DRIVER_OBJECT(p) (&(p)->obj)

/**
 * mv_driver_object_init:
 * Sets up the header of a zeroed object of @klass: one reference (the
 * caller's), no id, not persistent. The object must have been allocated
 * with g_malloc (it is g_free()d after @klass->finalize at the last unref).
 */
void mv_driver_object_init(MvDriverObject *obj, const MvDriverObjectClass *klass,
                           const char *name, const guint8 uuid[16]);

/** mv_driver_object_ref: a new reference to @obj; returns @obj. */
MvDriverObject *mv_driver_object_ref(MvDriverObject *obj);

/** mv_driver_object_unref: drops a reference; frees at the last (NULL is fine). */
void mv_driver_object_unref(MvDriverObject *obj);

/** mv_driver_object_is_active: running or started (lock held). */
bool mv_driver_object_is_active(const MvDriverObject *obj);

/**
 * mv_driver_object_begin_job:
 * Takes the job of @obj for @api (a static string), waiting at most
 * @timeout_ms for the current holder. Returns false with
 * MV_ERR_OPERATION_TIMEOUT naming the API holding the object and since when,
 * or with the family's not-found error when the object was removed meanwhile.
 * Called without the lock held.
 */
bool mv_driver_object_begin_job(MvDriverObject *obj, const char *api, int timeout_ms,
                                GError **error);

/** mv_driver_object_end_job: releases the job and wakes a waiter (lock not held). */
void mv_driver_object_end_job(MvDriverObject *obj);

G_END_DECLS
