/* Definitions, autostart links and live status on disk, see store.h. */
#define MV_LOG_CATEGORY "driver"
#include "driver/store.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "util/error.h"
#include "util/file.h"
#include "util/log.h"

/* The largest definition or status file read back. */
#define STORE_FILE_MAX (16 * 1024 * 1024)

struct _MvDriverStore {
    char *config_dir;
    char *autostart_dir;
    char *status_dir;
    int error_from;
};

MvDriverStore *
mv_driver_store_new(const char *config_dir, const char *status_dir, int error_from)
{
    MvDriverStore *store = g_new0(MvDriverStore, 1);

    store->config_dir = g_strdup(config_dir);
    store->autostart_dir = g_build_filename(config_dir, "autostart", NULL);
    store->status_dir = g_strdup(status_dir);
    store->error_from = error_from;
    return store;
}

void
mv_driver_store_free(MvDriverStore *store)
{
    if (!store)
        return;
    g_free(store->config_dir);
    g_free(store->autostart_dir);
    g_free(store->status_dir);
    g_free(store);
}

bool
mv_driver_store_create_dirs(MvDriverStore *store, GError **error)
{
    return mv_file_mkdir_p(store->config_dir, 0755, error) &&
           mv_file_mkdir_p(store->status_dir, 0700, error);
}

const char *
mv_driver_store_config_dir(const MvDriverStore *store)
{
    return store->config_dir;
}

const char *
mv_driver_store_autostart_dir(const MvDriverStore *store)
{
    return store->autostart_dir;
}

const char *
mv_driver_store_status_dir(const MvDriverStore *store)
{
    return store->status_dir;
}

static char *
xml_path(const char *dir, const char *name)
{
    g_autofree char *file = g_strconcat(name, ".xml", NULL);

    return g_build_filename(dir, file, NULL);
}

char *
mv_driver_store_config_path(const MvDriverStore *store, const char *name)
{
    return xml_path(store->config_dir, name);
}

char *
mv_driver_store_status_path(const MvDriverStore *store, const char *name)
{
    return xml_path(store->status_dir, name);
}

bool
mv_driver_store_save_config(MvDriverStore *store, const char *name, const char *xml,
                            GError **error)
{
    g_autofree char *path = xml_path(store->config_dir, name);

    return mv_file_write_atomic(path, xml, strlen(xml), 0600, error);
}

bool
mv_driver_store_delete_config(MvDriverStore *store, const char *name, GError **error)
{
    g_autofree char *path = xml_path(store->config_dir, name);
    g_autofree char *link = xml_path(store->autostart_dir, name);

    return mv_file_remove(link, error) && mv_file_remove(path, error);
}

bool
mv_driver_store_set_autostart(MvDriverStore *store, const char *name, bool autostart,
                              GError **error)
{
    g_autofree char *link = xml_path(store->autostart_dir, name);
    g_autofree char *target = g_strconcat("../", name, ".xml", NULL);

    if (!autostart)
        return mv_file_remove(link, error);
    if (!mv_file_mkdir_p(store->autostart_dir, 0755, error))
        return false;
    if (symlink(target, link) < 0 && errno != EEXIST)
        return mv_error_set_errno(error, store->error_from, errno,
                                  "cannot create the autostart link %s", link);
    return true;
}

bool
mv_driver_store_get_autostart(const MvDriverStore *store, const char *name)
{
    g_autofree char *link = xml_path(store->autostart_dir, name);

    return g_file_test(link, G_FILE_TEST_EXISTS);
}

bool
mv_driver_store_save_status(MvDriverStore *store, const char *name, const char *text,
                            GError **error)
{
    g_autofree char *path = xml_path(store->status_dir, name);

    return mv_file_write_replace(path, text, strlen(text), 0600, false, error);
}

bool
mv_driver_store_delete_status(MvDriverStore *store, const char *name, GError **error)
{
    g_autofree char *path = xml_path(store->status_dir, name);

    return mv_file_remove(path, error);
}

static gint
compare_paths(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

/* The *.xml files in @dir, sorted. Temp files of a write that a killed
 * daemon never finished (mv_file_write_atomic's "<name>.tmp-XXXXXX") are
 * removed on the way. */
static GPtrArray *
list_xml_files(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
    const char *entry;

    if (!d)
        return files;
    while ((entry = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, entry, NULL);
        if (strstr(entry, ".xml.tmp-")) {
            mv_log_debug("removing %s, left by an interrupted write", path);
            unlink(path);
        } else if (g_str_has_suffix(entry, ".xml") && g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
            g_ptr_array_add(files, g_steal_pointer(&path));
        }
    }
    g_ptr_array_sort(files, compare_paths);
    return files;
}

/* The object name of @path: its file name without ".xml". */
static char *
name_of(const char *path)
{
    g_autofree char *base = g_path_get_basename(path);

    return g_strndup(base, strlen(base) - strlen(".xml"));
}

void
mv_driver_store_reconcile(MvDriverStore *store, const MvDriverReconcile *cb, gpointer data)
{
    g_autoptr(GPtrArray) configs = list_xml_files(store->config_dir);
    g_autoptr(GPtrArray) statuses = NULL;
    g_autoptr(GHashTable) defined = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    for (guint i = 0; i < configs->len; i++) {
        const char *path = configs->pdata[i];
        g_autofree char *name = name_of(path);
        g_autofree char *xml = NULL;
        g_autoptr(GError) err = NULL;

        if (!mv_file_read_all(path, STORE_FILE_MAX, &xml, NULL, &err) ||
            !cb->config(path, xml, mv_driver_store_get_autostart(store, name), data, &err)) {
            if (cb->rejected)
                cb->rejected(path, false, err, data);
            continue;
        }
        g_hash_table_add(defined, g_steal_pointer(&name));
    }
    if (!cb->status)
        return;
    statuses = list_xml_files(store->status_dir);
    for (guint i = 0; i < statuses->len; i++) {
        const char *path = statuses->pdata[i];
        g_autofree char *name = name_of(path);
        g_autofree char *text = NULL;
        g_autoptr(GError) err = NULL;

        if (!mv_file_read_all(path, STORE_FILE_MAX, &text, NULL, &err) ||
            !cb->status(path, text, g_hash_table_contains(defined, name), data, &err)) {
            if (cb->rejected)
                cb->rejected(path, true, err, data);
            unlink(path);
        }
    }
}

bool
mv_driver_store_check_file_name(const char *path, const char *noun, const char *name,
                                MvErrorSubsystem from, GError **error)
{
    g_autofree char *expect = g_strconcat(name, ".xml", NULL);
    g_autofree char *base = g_path_get_basename(path);

    if (!g_str_equal(base, expect))
        return mv_error_set(error, from, MV_ERR_INTERNAL_ERROR,
                            "the file holds %s '%s': it should be called %s", noun, name,
                            expect);
    return true;
}
