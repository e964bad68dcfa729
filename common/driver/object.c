/* Driver objects: header, references and jobs, see object.h. */
#include "driver/object.h"

#include <string.h>

#include "util/error.h"

void
mv_driver_object_init(MvDriverObject *obj, const MvDriverObjectClass *klass, const char *name,
                      const guint8 uuid[16])
{
    obj->klass = klass;
    obj->ref = 1;
    g_mutex_init(&obj->lock);
    g_cond_init(&obj->cond);
    obj->name = g_strdup(name);
    if (uuid)
        memcpy(obj->uuid, uuid, 16);
    obj->id = -1;
}

MvDriverObject *
mv_driver_object_ref(MvDriverObject *obj)
{
    g_atomic_int_inc(&obj->ref);
    return obj;
}

void
mv_driver_object_unref(MvDriverObject *obj)
{
    if (!obj || !g_atomic_int_dec_and_test(&obj->ref))
        return;
    if (obj->klass->finalize)
        obj->klass->finalize(obj);
    g_free(obj->name);
    g_mutex_clear(&obj->lock);
    g_cond_clear(&obj->cond);
    g_free(obj);
}

bool
mv_driver_object_is_active(const MvDriverObject *obj)
{
    return obj->klass->is_active ? obj->klass->is_active(obj) : obj->id >= 0;
}

bool
mv_driver_object_begin_job(MvDriverObject *obj, const char *api, int timeout_ms, GError **error)
{
    const MvDriverObjectClass *klass = obj->klass;
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    bool ok = true;

    g_mutex_lock(&obj->lock);
    while (obj->job && !obj->removed) {
        if (!g_cond_wait_until(&obj->cond, &obj->lock, deadline)) {
            if (!obj->job)
                break;
            ok = mv_error_set(error, klass->error_from, MV_ERR_OPERATION_TIMEOUT,
                              "Timed out during operation: cannot acquire state change lock "
                              "of %s '%s' (held by %s for %.1f s)", klass->noun, obj->name,
                              obj->job, (g_get_monotonic_time() - obj->job_since) / 1e6);
            break;
        }
    }
    if (ok && obj->removed)
        ok = mv_error_set(error, klass->error_from, klass->no_object, "%s: %s '%s' was removed",
                          klass->not_found, klass->noun, obj->name);
    if (ok) {
        obj->job = api;
        obj->job_since = g_get_monotonic_time();
    }
    g_mutex_unlock(&obj->lock);
    return ok;
}

void
mv_driver_object_end_job(MvDriverObject *obj)
{
    g_mutex_lock(&obj->lock);
    obj->job = NULL;
    g_cond_broadcast(&obj->cond);
    g_mutex_unlock(&obj->lock);
}
