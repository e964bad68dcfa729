/* The backend table and the helpers every backend shares (storage-backend.h). */
#include "storage-backend-priv.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/file.h"
#include "util/spawn.h"

#define PARTIAL_PREFIX "."
#define PARTIAL_SUFFIX ".mvpart"
#define DEFAULT_POOL_MODE 0711
#define PROGRAM_TIMEOUT_MS (10 * 60 * 1000)

static const MvStorageBackend *const backends[MV_STORAGE_POOL_TYPE_LAST] = {
    [MV_STORAGE_POOL_DIR] = &mv_storage_backend_dir,
    [MV_STORAGE_POOL_FS] = &mv_storage_backend_fs,
    [MV_STORAGE_POOL_NETFS] = &mv_storage_backend_netfs,
    [MV_STORAGE_POOL_LOGICAL] = &mv_storage_backend_logical,
    [MV_STORAGE_POOL_DISK] = &mv_storage_backend_disk,
    [MV_STORAGE_POOL_ISCSI] = &mv_storage_backend_iscsi,
};

const MvStorageBackend *
mv_storage_backend_for(MvStoragePoolType type)
{
    if ((unsigned int)type >= MV_STORAGE_POOL_TYPE_LAST)
        return NULL;
    return backends[type];
}

char *
mv_storage_backend_partial_path(const char *path)
{
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *base = g_path_get_basename(path);
    g_autofree char *name = g_strconcat(PARTIAL_PREFIX, base, PARTIAL_SUFFIX, NULL);

    return g_build_filename(dir, name, NULL);
}

bool
mv_storage_backend_is_partial_name(const char *name)
{
    size_t len = strlen(name);

    return len > strlen(PARTIAL_PREFIX) + strlen(PARTIAL_SUFFIX) &&
           g_str_has_prefix(name, PARTIAL_PREFIX) && g_str_has_suffix(name, PARTIAL_SUFFIX);
}

static bool
pool_file_dir(const MvStoragePoolDef *pool, const char **ret_dir)
{
    const MvStoragePoolTypeInfo *info = mv_storage_pool_type_info(pool->type);

    *ret_dir = info && info->volumes_are_files ? pool->target.path : NULL;
    return *ret_dir != NULL;
}

bool
mv_storage_backend_list_partial(const MvStoragePoolDef *pool, GPtrArray **ret_paths,
                                GError **error)
{
    g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) local = NULL;
    g_autoptr(GDir) dir = NULL;
    const char *target, *name;

    if (pool_file_dir(pool, &target) && !(dir = g_dir_open(target, 0, &local)) &&
        !g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_SYSTEM_ERROR,
                            "cannot list pool directory '%s': %s", target, local->message);
    while (dir && (name = g_dir_read_name(dir)) != NULL) {
        if (mv_storage_backend_is_partial_name(name))
            g_ptr_array_add(paths, g_build_filename(target, name, NULL));
    }
    *ret_paths = g_steal_pointer(&paths);
    return true;
}

bool
mv_storage_backend_clean_partial(const MvStoragePoolDef *pool, GPtrArray **ret_names,
                                 GError **error)
{
    g_autoptr(GPtrArray) paths = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);

    if (!mv_storage_backend_list_partial(pool, &paths, error))
        return false;
    for (guint i = 0; i < paths->len; i++) {
        const char *path = g_ptr_array_index(paths, i);
        g_autofree char *base = g_path_get_basename(path);

        if (!mv_file_remove(path, error))
            return false;
        g_ptr_array_add(names, g_strndup(base + strlen(PARTIAL_PREFIX),
                                         strlen(base) - strlen(PARTIAL_PREFIX) -
                                         strlen(PARTIAL_SUFFIX)));
    }
    if (ret_names)
        *ret_names = g_steal_pointer(&names);
    return true;
}

const char *
mv_storage_backend_wipe_algorithm_to_string(unsigned int algorithm)
{
    static const char *const names[MV_STORAGE_WIPE_LAST] = {
        "zero", "nnsa", "dod", "bsi", "gutmann", "schneier", "pfitzner7", "pfitzner33",
        "random", "trim",
    };

    return algorithm < MV_STORAGE_WIPE_LAST ? names[algorithm] : NULL;
}

bool
mv_storage_backend_run(char **argv, char **ret_stdout, GError **error)
{
    g_autofree char *out = NULL, *err = NULL;
    int status = 0;

    g_debug("running %s", argv[0]);
    if (!mv_spawn_sync((const char *const *)argv, NULL, PROGRAM_TIMEOUT_MS, &out, &err,
                       &status, error))
        return false;
    if (status != 0)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_FAILED,
                            "operation failed: %s exited with status %d: %s", argv[0],
                            status, err ? g_strstrip(err) : "");
    if (ret_stdout)
        *ret_stdout = g_steal_pointer(&out);
    return true;
}

bool
mv_storage_backend_mkdir_target(const MvStoragePoolDef *def, GError **error)
{
    const MvStoragePerms *perms = &def->target.perms;
    int mode = perms->mode >= 0 ? perms->mode : DEFAULT_POOL_MODE;

    if (!def->target.path)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                            "pool '%s' has no target path", def->name);
    if (!mv_file_mkdir_p(def->target.path, 0755, error))
        return false;
    if (chmod(def->target.path, (mode_t)mode) < 0)
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno,
                                  "cannot set mode %04o on '%s'", mode, def->target.path);
    if ((perms->owner >= 0 || perms->group >= 0) &&
        chown(def->target.path, perms->owner >= 0 ? (uid_t)perms->owner : (uid_t)-1,
              perms->group >= 0 ? (gid_t)perms->group : (gid_t)-1) < 0)
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno,
                                  "cannot set the owner of '%s'", def->target.path);
    return true;
}
