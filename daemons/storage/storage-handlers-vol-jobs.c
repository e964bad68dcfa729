/* The volume calls that write: create, clone (create-from), delete, wipe,
 * resize. Each runs as a job on its own volume (storage-driver.h, "Locking"):
 * the pool's lock is held only to check and publish, never during the I/O,
 * and a long one takes one of the driver's long-job slots so it can never
 * hold every server worker. */
#define MV_LOG_CATEGORY "storage"
#include "storage-handlers.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "util/log.h"
#include "storage-crash.h"

/* ---- test-only fault point ---- */

/* MV_TEST_CRASH_AT=vol-partial: the daemon kills itself (SIGKILL) as soon as
 * an in-progress volume file appears in the pool's directory, i.e. in the
 * middle of a create or clone (tests/integration/test_storage_crash.py). */
static gpointer
crash_watch_thread(gpointer data)
{
    int fd = GPOINTER_TO_INT(data);
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *ev = (struct inotify_event *)p;
            if (ev->len && mv_storage_backend_is_partial_name(ev->name)) {
                mv_log_warning("MV_TEST_CRASH_AT=vol-partial: killing the daemon at %s",
                               ev->name);
                kill(getpid(), SIGKILL);
            }
            p += sizeof(*ev) + ev->len;
        }
    }
    close(fd);
    return NULL;
}

static void
crash_watch(const MvStoragePoolDef *pool)
{
    const char *at = g_getenv("MV_TEST_CRASH_AT");
    int fd;

    if (!at || !g_str_equal(at, "vol-partial") || !pool->target.path)
        return;
    if ((fd = inotify_init1(IN_CLOEXEC)) < 0)
        return;
    if (inotify_add_watch(fd, pool->target.path, IN_CREATE | IN_MOVED_TO) < 0) {
        close(fd);
        return;
    }
    g_thread_unref(g_thread_new("crash-watch", crash_watch_thread, GINT_TO_POINTER(fd)));
    /* Let the watch settle before the file can appear. */
    g_usleep(1000);
}

/* MV_TEST_VOL_JOB_HOLD=<file>: a long volume job waits, holding its volume
 * and its worker, while <file> exists (the tests show that queries on other
 * volumes and pools are answered meanwhile). */
static void
test_hold(void)
{
    const char *path = g_getenv("MV_TEST_VOL_JOB_HOLD");

    while (path && *path && g_file_test(path, G_FILE_TEST_EXISTS))
        g_usleep(10 * 1000);
}

/* ---- helpers ---- */

/* The active pool of @pool_ref (new ref) and a copy of its definition. */
static MvStoragePoolObj *
active_pool_def(MvStorageDriver *driver, const MvObjectRef *pool_ref,
                MvStoragePoolDef **ret_def, GError **error)
{
    g_autoptr(MvStoragePoolObj) pool = mv_storage_driver_find_pool(driver, pool_ref, error);
    bool active;

    if (!pool)
        return NULL;
    g_mutex_lock(&pool->lock);
    active = pool->active && !pool->stopping;
    if (active)
        *ret_def = mv_storage_pool_def_copy(pool->def);
    g_mutex_unlock(&pool->lock);
    if (!active) {
        mv_storage_pool_not_active(pool, error);
        return NULL;
    }
    return g_steal_pointer(&pool);
}

/* The passphrase of an encrypted @def, or NULL (none needed). */
static bool
get_passphrase(MvStorageDriver *driver, const MvStorageVolDef *def, GBytes **ret_value,
               GError **error)
{
    const MvStorageEncryption *enc = &def->target.encryption;

    *ret_value = NULL;
    if (enc->format == MV_STORAGE_ENCRYPTION_NONE)
        return true;
    if (!driver->secret_lookup)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_UNSUPPORTED,
                            "volume '%s' asks for encryption, but this storaged has no "
                            "secrets to take its passphrase from", def->name);
    return driver->secret_lookup(driver->secret_driver, enc, ret_value, error);
}

static void
wipe_bytes(GBytes *bytes)
{
    gsize len;
    gconstpointer data;

    if (!bytes)
        return;
    data = g_bytes_get_data(bytes, &len);
    if (data && len)
        explicit_bzero((gpointer)data, len);
    g_bytes_unref(bytes);
}

/* The source of a clone, held as a reader while the copy runs. */
typedef struct {
    MvStoragePoolObj *pool;
    MvStorageVolObj *vol;
    char *path;
    MvStorageVolFormat format;
    guint64 capacity;
} CloneSource;

static bool
clone_source_take(MvStorageDriver *driver, const MvObjectRef *ref, CloneSource *src,
                  GError **error)
{
    MvStoragePoolObj *pool = NULL;
    MvStorageVolObj *vol = mv_storage_driver_find_vol(driver, ref, &pool, error);
    const char *busy;

    if (!vol)
        return false;
    g_mutex_lock(&pool->lock);
    busy = vol->job;
    if (!busy) {
        vol->readers++;
        src->path = g_strdup(vol->def->target.path);
        src->format = vol->def->target.format;
        src->capacity = vol->def->capacity;
    }
    g_mutex_unlock(&pool->lock);
    if (busy) {
        mv_storage_vol_unref(vol);
        mv_storage_pool_unref(pool);
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: volume '%s' is busy: %s is "
                            "running on it; wait for it to finish", ref->name, busy);
    }
    src->pool = pool;
    src->vol = vol;
    return true;
}

static void
clone_source_release(CloneSource *src)
{
    if (!src->vol)
        return;
    g_mutex_lock(&src->pool->lock);
    src->vol->readers--;
    g_mutex_unlock(&src->pool->lock);
    mv_storage_vol_unref(src->vol);
    mv_storage_pool_unref(src->pool);
    g_free(src->path);
    memset(src, 0, sizeof(*src));
}

/* Registers @def (a copy is kept) as a volume being built in @pool and takes
 * its job; refuses a taken name or path. */
static MvStorageVolObj *
register_building(MvStoragePoolObj *pool, const MvStorageVolDef *def, const char *api,
                  GError **error)
{
    MvStorageVolObj *vol;

    g_mutex_lock(&pool->lock);
    if (!pool->active || pool->stopping) {
        g_mutex_unlock(&pool->lock);
        mv_storage_pool_not_active(pool, error);
        return NULL;
    }
    if (g_hash_table_contains(pool->vols, def->name) ||
        (def->target.path && g_hash_table_contains(pool->vols_by_path, def->target.path))) {
        g_mutex_unlock(&pool->lock);
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_STORAGE_VOL_EXIST,
                     "storage volume already exists: '%s'", def->name);
        return NULL;
    }
    vol = mv_storage_vol_insert(pool, mv_storage_vol_def_copy(def));
    vol->building = true;
    mv_storage_vol_begin_job(pool, vol, api, NULL);
    mv_storage_vol_ref(vol);
    g_mutex_unlock(&pool->lock);
    return vol;
}

/* Ends the create job of @vol: published with @def (taken) or dropped. */
static void
finish_building(MvStoragePoolObj *pool, MvStorageVolObj *vol, MvStorageVolDef *def, bool ok)
{
    g_mutex_lock(&pool->lock);
    mv_storage_vol_end_job(pool, vol);
    if (ok && !vol->removed) {
        vol->building = false;
        pool->sizes.allocation += def->allocation;
        pool->sizes.available -= MIN(pool->sizes.available, def->allocation);
        pool->def->allocation = pool->sizes.allocation;
        pool->def->available = pool->sizes.available;
        mv_storage_vol_set_def(pool, vol, def);
    } else {
        mv_storage_vol_def_free(def);
        if (!vol->removed)
            mv_storage_vol_remove(pool, vol);
    }
    g_mutex_unlock(&pool->lock);
    mv_storage_vol_unref(vol);
}

/* ---- create and clone ---- */

static bool
create_vol(MvDriverCall *call, const MvObjectRef *pool_ref, const char *xml,
           const MvObjectRef *clone_ref, unsigned int flags, MvObjectRef *ret_vol,
           GError **error)
{
    MvStorageDriver *driver = mv_storage_driver_get(call);
    const char *api = clone_ref ? "virStorageVolCreateXMLFrom" : "virStorageVolCreateXML";
    g_autoptr(MvStoragePoolDef) pooldef = NULL;
    g_autoptr(MvStoragePoolObj) pool = NULL;
    g_autoptr(MvStorageVolDef) def = NULL;
    const MvStorageBackend *backend;
    MvStorageJobCtl ctl = { 0 };
    CloneSource src = { 0 };
    GBytes *passphrase = NULL;
    MvStoragePassphrase pass = { 0 };
    MvStorageVolObj *vol;
    bool ok;

    if (!(pool = active_pool_def(driver, pool_ref, &pooldef, error)) ||
        !(def = mv_storage_vol_def_parse(xml, pooldef->type,
                                         clone_ref ? MV_STORAGE_VOL_PARSE_NO_CAPACITY : 0,
                                         error)))
        return false;
    backend = mv_storage_backend_for(pooldef->type);
    if (!backend->vol_prepare ||
        (clone_ref ? backend->vol_create_from == NULL : backend->vol_create == NULL))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                            "this function is not supported by the connection driver: "
                            "storage pool type '%s' cannot create volumes",
                            mv_storage_pool_type_to_string(pooldef->type));
    if (clone_ref) {
        if (!clone_source_take(driver, clone_ref, &src, error))
            return false;
        if (!def->has_capacity) {
            def->capacity = src.capacity;
            def->has_capacity = true;
        }
    }
    if (mv_storage_pool_type_info(pooldef->type)->volumes_are_files) {
        /* libvirt places a file volume in the pool's directory whatever path
         * the XML names (virsh vol-clone passes the source's): so do we. */
        g_clear_pointer(&def->target.path, g_free);
        g_clear_pointer(&def->key, g_free);
    }
    if (!backend->vol_prepare(pooldef, def, error) || !get_passphrase(driver, def, &passphrase,
                                                                      error)) {
        clone_source_release(&src);
        wipe_bytes(passphrase);
        return false;
    }
    if (!mv_storage_driver_long_job_begin(driver, api, error)) {
        clone_source_release(&src);
        wipe_bytes(passphrase);
        return false;
    }
    if (!(vol = register_building(pool, def, api, error))) {
        mv_storage_driver_long_job_end(driver);
        clone_source_release(&src);
        wipe_bytes(passphrase);
        return false;
    }
    if (passphrase)
        pass.data = g_bytes_get_data(passphrase, &pass.len);

    crash_watch(pooldef);
    test_hold();
    if (clone_ref)
        ok = backend->vol_create_from(pooldef, def, src.path, src.format,
                                      passphrase ? &pass : NULL, flags, &ctl, error);
    else
        ok = backend->vol_create(pooldef, def, passphrase ? &pass : NULL, flags, &ctl, error);
    wipe_bytes(passphrase);
    clone_source_release(&src);
    if (ok)
        mv_storage_crash_point(clone_ref ? "vol-clone-done" : "vol-create-done");

    if (ok)
        mv_storage_driver_fill_vol(ret_vol, pool, &(MvStorageVolObj){ .def = def });
    finish_building(pool, vol, ok ? g_steal_pointer(&def) : NULL, ok);
    mv_storage_driver_long_job_end(driver);
    if (ok)
        mv_log_info("volume '%s' created in storage pool '%s'", ret_vol->name, pool->name);
    return ok;
}

/* virStorageVolCreateFlags the daemon accepts. */
#define CREATE_FLAGS (MV_STORAGE_VOL_CREATE_PREALLOC_METADATA | MV_STORAGE_VOL_CREATE_VALIDATE)
#define CLONE_FLAGS (CREATE_FLAGS | MV_STORAGE_VOL_CREATE_REFLINK)

bool
mv_storage_handle_storage_vol_create_xml(MvDriverCall *call, const MvObjectRef *pool_ref,
                                         const char *xml, unsigned int flags,
                                         MvObjectRef *ret_vol, GError **error)
{
    if (!mv_storage_dispatch_check_flags(flags, CREATE_FLAGS, "virStorageVolCreateXML", error))
        return false;
    return create_vol(call, pool_ref, xml, NULL, flags, ret_vol, error);
}

bool
mv_storage_handle_storage_vol_create_xml_from(MvDriverCall *call, const MvObjectRef *pool_ref,
                                              const char *xml, const MvObjectRef *clonevol_ref,
                                              unsigned int flags, MvObjectRef *ret_vol,
                                              GError **error)
{
    if (!mv_storage_dispatch_check_flags(flags, CLONE_FLAGS, "virStorageVolCreateXMLFrom",
                                         error))
        return false;
    return create_vol(call, pool_ref, xml, clonevol_ref, flags, ret_vol, error);
}

/* ---- jobs on an existing volume ---- */

typedef struct {
    MvStoragePoolObj *pool;
    MvStorageVolObj *vol;
    MvStoragePoolDef *pooldef;
    MvStorageVolDef *def;       /* a copy the backend works on */
    bool long_job;
} VolJob;

/* Takes the job @api of the volume @ref (refused while it is busy or read by
 * a clone), with a long-job slot when @long_job. */
static bool
vol_job_begin(MvStorageDriver *driver, const MvObjectRef *ref, const char *api, bool long_job,
              VolJob *job, GError **error)
{
    MvStoragePoolObj *pool = NULL;
    MvStorageVolObj *vol = mv_storage_driver_find_vol(driver, ref, &pool, error);
    bool ok;

    if (!vol)
        return false;
    if (long_job && !mv_storage_driver_long_job_begin(driver, api, error)) {
        mv_storage_vol_unref(vol);
        mv_storage_pool_unref(pool);
        return false;
    }
    g_mutex_lock(&pool->lock);
    if (vol->readers > 0)
        ok = mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                          "Requested operation is not valid: volume '%s' is being cloned; "
                          "wait for the clone to finish", vol->def->name);
    else if (pool->stopping)
        ok = mv_storage_pool_not_active(pool, error);
    else
        ok = mv_storage_vol_begin_job(pool, vol, api, error);
    if (ok) {
        job->pooldef = mv_storage_pool_def_copy(pool->def);
        job->def = mv_storage_vol_def_copy(vol->def);
    }
    g_mutex_unlock(&pool->lock);
    if (!ok) {
        if (long_job)
            mv_storage_driver_long_job_end(driver);
        mv_storage_vol_unref(vol);
        mv_storage_pool_unref(pool);
        return false;
    }
    job->pool = pool;
    job->vol = vol;
    job->long_job = long_job;
    return true;
}

/* Ends @job: the volume gets the backend's updated def (@ok), or leaves the
 * pool (@removed). */
static void
vol_job_end(MvStorageDriver *driver, VolJob *job, bool ok, bool removed)
{
    MvStoragePoolObj *pool = job->pool;

    g_mutex_lock(&pool->lock);
    mv_storage_vol_end_job(pool, job->vol);
    if (removed && !job->vol->removed) {
        guint64 alloc = job->vol->def->allocation;
        pool->sizes.allocation -= MIN(pool->sizes.allocation, alloc);
        pool->sizes.available += alloc;
        pool->def->allocation = pool->sizes.allocation;
        pool->def->available = pool->sizes.available;
        mv_storage_vol_remove(pool, job->vol);
    } else if (ok && !job->vol->removed) {
        mv_storage_vol_set_def(pool, job->vol, g_steal_pointer(&job->def));
    }
    g_mutex_unlock(&pool->lock);
    if (job->long_job)
        mv_storage_driver_long_job_end(driver);
    mv_storage_vol_def_free(job->def);
    mv_storage_pool_def_free(job->pooldef);
    mv_storage_vol_unref(job->vol);
    mv_storage_pool_unref(pool);
    memset(job, 0, sizeof(*job));
}

bool
mv_storage_handle_storage_vol_delete(MvDriverCall *call, const MvObjectRef *vol_ref,
                                     unsigned int flags, GError **error)
{
    MvStorageDriver *driver = mv_storage_driver_get(call);
    const unsigned int allowed = MV_STORAGE_VOL_DELETE_ZEROED |
                                 MV_STORAGE_VOL_DELETE_WITH_SNAPSHOTS;
    VolJob job = { 0 };
    const MvStorageBackend *backend;
    bool ok;

    if (!mv_storage_dispatch_check_flags(flags, allowed, "virStorageVolDelete", error) ||
        !vol_job_begin(driver, vol_ref, "virStorageVolDelete",
                       (flags & MV_STORAGE_VOL_DELETE_ZEROED) != 0, &job, error))
        return false;
    backend = mv_storage_backend_for(job.pooldef->type);
    if (!backend->vol_delete)
        ok = mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                          "this function is not supported by the connection driver: storage "
                          "pool type '%s' cannot delete volumes",
                          mv_storage_pool_type_to_string(job.pooldef->type));
    else
        ok = backend->vol_delete(job.pooldef, job.def, flags, error);
    if (ok)
        mv_storage_crash_point("vol-delete-done");
    if (ok)
        mv_log_info("volume '%s' deleted from storage pool '%s'", vol_ref->name,
                    job.pool->name);
    vol_job_end(driver, &job, ok, ok);
    return ok;
}

static bool
wipe(MvDriverCall *call, const MvObjectRef *vol_ref, unsigned int algorithm, const char *api,
     GError **error)
{
    MvStorageDriver *driver = mv_storage_driver_get(call);
    VolJob job = { 0 };
    const MvStorageBackend *backend;
    MvStorageJobCtl ctl = { 0 };
    bool ok;

    if (algorithm >= MV_STORAGE_WIPE_LAST)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                            "wiping algorithm %u not supported", algorithm);
    if (!vol_job_begin(driver, vol_ref, api, true, &job, error))
        return false;
    test_hold();
    backend = mv_storage_backend_for(job.pooldef->type);
    if (!backend->vol_wipe)
        ok = mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                          "this function is not supported by the connection driver: storage "
                          "pool type '%s' cannot wipe volumes",
                          mv_storage_pool_type_to_string(job.pooldef->type));
    else
        ok = backend->vol_wipe(job.pooldef, job.def, algorithm, &ctl, error);
    if (ok && backend->vol_refresh) {
        g_autoptr(GError) err = NULL;
        if (!backend->vol_refresh(job.pooldef, job.def, &err))
            mv_log_warning("volume '%s': cannot re-read it after the wipe: %s", vol_ref->name,
                           err->message);
    }
    if (ok)
        mv_storage_crash_point("vol-wipe-done");
    vol_job_end(driver, &job, ok, false);
    return ok;
}

bool
mv_storage_handle_storage_vol_wipe(MvDriverCall *call, const MvObjectRef *vol_ref,
                                   unsigned int flags, GError **error)
{
    if (!mv_storage_dispatch_check_flags(flags, 0, "virStorageVolWipe", error))
        return false;
    return wipe(call, vol_ref, MV_STORAGE_WIPE_ZERO, "virStorageVolWipe", error);
}

bool
mv_storage_handle_storage_vol_wipe_pattern(MvDriverCall *call, const MvObjectRef *vol_ref,
                                           unsigned int algorithm, unsigned int flags,
                                           GError **error)
{
    if (!mv_storage_dispatch_check_flags(flags, 0, "virStorageVolWipePattern", error))
        return false;
    return wipe(call, vol_ref, algorithm, "virStorageVolWipePattern", error);
}

/* The new capacity of a resize, checked as libvirt does. */
static bool
resize_target(const MvStorageVolDef *def, guint64 capacity, unsigned int flags,
              guint64 *ret_capacity, GError **error)
{
    guint64 target = capacity;

    if (flags & MV_STORAGE_VOL_RESIZE_DELTA) {
        if (flags & MV_STORAGE_VOL_RESIZE_SHRINK) {
            if (capacity > def->capacity)
                return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                                    "invalid argument: can't shrink capacity below size zero");
            target = def->capacity - capacity;
        } else {
            if (capacity > G_MAXUINT64 - def->capacity)
                return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                                    "capacity %" G_GUINT64_FORMAT " + %" G_GUINT64_FORMAT
                                    " overflows", def->capacity, capacity);
            target = def->capacity + capacity;
        }
    }
    if (target < def->capacity && !(flags & MV_STORAGE_VOL_RESIZE_SHRINK))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                            "invalid argument: Can't shrink capacity below current capacity "
                            "unless shrink flag explicitly specified");
    if (target > def->capacity && (flags & MV_STORAGE_VOL_RESIZE_SHRINK))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                            "invalid argument: can't grow capacity with the shrink flag "
                            "(%" G_GUINT64_FORMAT " > %" G_GUINT64_FORMAT ")", target,
                            def->capacity);
    *ret_capacity = target;
    return true;
}

bool
mv_storage_handle_storage_vol_resize(MvDriverCall *call, const MvObjectRef *vol_ref,
                                     uint64_t capacity, unsigned int flags, GError **error)
{
    MvStorageDriver *driver = mv_storage_driver_get(call);
    const unsigned int allowed = MV_STORAGE_VOL_RESIZE_ALLOCATE | MV_STORAGE_VOL_RESIZE_DELTA |
                                 MV_STORAGE_VOL_RESIZE_SHRINK;
    const MvStorageBackend *backend;
    MvStorageJobCtl ctl = { 0 };
    VolJob job = { 0 };
    guint64 target = 0;
    bool ok;

    if (!mv_storage_dispatch_check_flags(flags, allowed, "virStorageVolResize", error) ||
        !vol_job_begin(driver, vol_ref, "virStorageVolResize",
                       (flags & MV_STORAGE_VOL_RESIZE_ALLOCATE) != 0, &job, error))
        return false;
    backend = mv_storage_backend_for(job.pooldef->type);
    if (!resize_target(job.def, capacity, flags, &target, error))
        ok = false;
    else if (!backend->vol_resize)
        ok = mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                          "this function is not supported by the connection driver: storage "
                          "pool type '%s' cannot resize volumes",
                          mv_storage_pool_type_to_string(job.pooldef->type));
    else
        ok = backend->vol_resize(job.pooldef, job.def, target,
                                 flags & ~MV_STORAGE_VOL_RESIZE_DELTA, &ctl, error);
    if (ok)
        mv_storage_crash_point("vol-resize-done");
    vol_job_end(driver, &job, ok, false);
    return ok;
}
