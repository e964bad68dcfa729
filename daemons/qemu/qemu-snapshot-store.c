/* Snapshot metadata files (qemu-snapshot-store.h). */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-snapshot-store.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "util/file.h"
#include "util/log.h"

#define SNAPSHOT_FILE_MAX (8 * 1024 * 1024)
#define CURRENT_FILE "current"

char *
mv_qemu_snapshots_dir(MvQemuDriver *driver, const char *domname)
{
    return g_build_filename(driver->lib_dir, "snapshot", domname, NULL);
}

void
mv_qemu_snapshots_free(MvQemuSnapshots *s)
{
    if (!s)
        return;
    g_free(s->dir);
    g_ptr_array_unref(s->snaps);
    g_free(s->current);
    g_free(s);
}

static gint
by_creation(gconstpointer a, gconstpointer b)
{
    const MvSnapshotDef *x = *(MvSnapshotDef *const *)a;
    const MvSnapshotDef *y = *(MvSnapshotDef *const *)b;

    if (x->creation_time != y->creation_time)
        return x->creation_time < y->creation_time ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* A snapshot name that can be a file name here (the schema says the same). */
static bool
name_is_file_safe(const char *name)
{
    return name && *name && name[0] != '.' && !strchr(name, '/') && strlen(name) <= 255;
}

static char *
file_of(MvQemuSnapshots *s, const char *name)
{
    g_autofree char *base = g_strconcat(name, ".xml", NULL);
    return g_build_filename(s->dir, base, NULL);
}

MvQemuSnapshots *
mv_qemu_snapshots_load(MvQemuDriver *driver, const char *domname, const guint8 *uuid,
                       GError **error)
{
    g_autoptr(MvQemuSnapshots) s = g_new0(MvQemuSnapshots, 1);
    g_autoptr(GDir) dir = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *current_path = NULL;
    const char *file;

    s->dir = mv_qemu_snapshots_dir(driver, domname);
    s->snaps = g_ptr_array_new_with_free_func((GDestroyNotify)mv_snapshot_def_free);
    if (!(dir = g_dir_open(s->dir, 0, &err))) {
        if (g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return g_steal_pointer(&s);
        mv_error_set(error, MV_FROM_DOMAIN_SNAPSHOT, MV_ERR_OPERATION_FAILED,
                     "cannot read the snapshot metadata of domain '%s': %s", domname,
                     err->message);
        return NULL;
    }
    while ((file = g_dir_read_name(dir))) {
        g_autofree char *path = NULL;
        g_autofree char *xml = NULL;
        g_autoptr(GError) perr = NULL;
        MvSnapshotDef *def;

        if (!g_str_has_suffix(file, ".xml") || file[0] == '.')
            continue;           /* "current", temporary files of atomic writes */
        path = g_build_filename(s->dir, file, NULL);
        if (!mv_file_read_all(path, SNAPSHOT_FILE_MAX, &xml, NULL, &perr) ||
            !(def = mv_snapshot_def_parse_string(xml, &perr))) {
            mv_log_warning("snapshot metadata %s ignored: %s", path, perr->message);
            continue;
        }
        if (!def->name || strlen(def->name) + 4 != strlen(file) ||
            strncmp(def->name, file, strlen(def->name)) != 0) {
            mv_log_warning("snapshot metadata %s ignored: it names snapshot '%s'", path,
                           def->name ? def->name : "");
            mv_snapshot_def_free(def);
            continue;
        }
        if (uuid && def->dom && memcmp(def->dom->uuid, uuid, 16) != 0) {
            mv_log_debug("snapshot metadata %s belongs to another domain '%s'", path,
                         domname);
            mv_snapshot_def_free(def);
            continue;
        }
        g_ptr_array_add(s->snaps, def);
    }
    g_ptr_array_sort(s->snaps, by_creation);
    current_path = g_build_filename(s->dir, CURRENT_FILE, NULL);
    if (mv_file_read_all(current_path, 4096, &s->current, NULL, NULL)) {
        g_strchomp(s->current);
        if (!mv_qemu_snapshots_find(s, s->current))
            g_clear_pointer(&s->current, g_free);
    }
    return g_steal_pointer(&s);
}

MvSnapshotDef *
mv_qemu_snapshots_find(MvQemuSnapshots *s, const char *name)
{
    for (guint i = 0; name && i < s->snaps->len; i++) {
        MvSnapshotDef *def = g_ptr_array_index(s->snaps, i);
        if (g_str_equal(def->name, name))
            return def;
    }
    return NULL;
}

MvSnapshotDef *
mv_qemu_snapshots_get(MvQemuSnapshots *s, const char *domname, const char *name,
                      GError **error)
{
    MvSnapshotDef *def = mv_qemu_snapshots_find(s, name);

    if (!def)
        mv_error_set(error, MV_FROM_DOMAIN_SNAPSHOT, MV_ERR_NO_DOMAIN_SNAPSHOT,
                     "Domain snapshot not found: no domain snapshot with matching name '%s' "
                     "(domain '%s')", name ? name : "", domname);
    return def;
}

bool
mv_qemu_snapshots_put(MvQemuSnapshots *s, MvSnapshotDef *def, GError **error)
{
    g_autofree char *xml = NULL;
    g_autofree char *path = NULL;
    MvSnapshotDef *old;

    if (!name_is_file_safe(def->name)) {
        mv_snapshot_def_free(def);
        return mv_error_set(error, MV_FROM_DOMAIN_SNAPSHOT, MV_ERR_INVALID_ARG,
                            "invalid snapshot name: it must not be empty, contain '/' or "
                            "start with '.'");
    }
    xml = mv_snapshot_def_format(def, MV_SNAPSHOT_FORMAT_SECURE);
    path = file_of(s, def->name);
    if (!mv_file_mkdir_p(s->dir, 0700, error) ||
        !mv_file_write_atomic(path, xml, strlen(xml), 0600, error)) {
        mv_snapshot_def_free(def);
        return false;
    }
    if ((old = mv_qemu_snapshots_find(s, def->name)))
        g_ptr_array_remove(s->snaps, old);
    g_ptr_array_add(s->snaps, def);
    g_ptr_array_sort(s->snaps, by_creation);
    return true;
}

bool
mv_qemu_snapshots_remove(MvQemuSnapshots *s, const char *name, GError **error)
{
    g_autofree char *path = file_of(s, name);
    MvSnapshotDef *def = mv_qemu_snapshots_find(s, name);

    if (!mv_file_remove(path, error))
        return false;
    if (def)
        g_ptr_array_remove(s->snaps, def);
    if (g_strcmp0(s->current, name) == 0)
        return mv_qemu_snapshots_set_current(s, NULL, error);
    return true;
}

bool
mv_qemu_snapshots_set_current(MvQemuSnapshots *s, const char *name, GError **error)
{
    g_autofree char *path = g_build_filename(s->dir, CURRENT_FILE, NULL);

    if (name) {
        g_autofree char *text = g_strconcat(name, "\n", NULL);
        if (!mv_file_mkdir_p(s->dir, 0700, error) ||
            !mv_file_write_atomic(path, text, strlen(text), 0600, error))
            return false;
    } else if (!mv_file_remove(path, error)) {
        return false;
    }
    g_free(s->current);
    s->current = g_strdup(name);
    return true;
}

static void
add_children(MvQemuSnapshots *s, const char *name, bool descendants, GPtrArray *out)
{
    for (guint i = 0; i < s->snaps->len; i++) {
        MvSnapshotDef *def = g_ptr_array_index(s->snaps, i);

        if (g_strcmp0(def->parent, name) != 0 &&
            !(name == NULL && def->parent && !mv_qemu_snapshots_find(s, def->parent)))
            continue;       /* a snapshot whose parent is gone counts as a root */
        if (g_ptr_array_find(out, def, NULL))
            continue;
        g_ptr_array_add(out, def);
        if (descendants)
            add_children(s, def->name, true, out);
    }
}

GPtrArray *
mv_qemu_snapshots_children(MvQemuSnapshots *s, const char *name, bool descendants)
{
    GPtrArray *out = g_ptr_array_new();

    add_children(s, name, descendants, out);
    return out;
}

bool
mv_qemu_snapshot_is_external(const MvSnapshotDef *def)
{
    if (def->memory == MV_SNAPSHOT_LOCATION_EXTERNAL)
        return true;
    for (size_t i = 0; i < def->ndisks; i++)
        if (def->disks[i]->snapshot == MV_SNAPSHOT_LOCATION_EXTERNAL)
            return true;
    return false;
}

guint
mv_qemu_snapshots_count(MvQemuDriver *driver, const char *domname, const guint8 *uuid)
{
    g_autoptr(MvQemuSnapshots) s = mv_qemu_snapshots_load(driver, domname, uuid, NULL);

    return s ? s->snaps->len : 0;
}

bool
mv_qemu_snapshots_exist(MvQemuDriver *driver, const char *domname)
{
    g_autofree char *path = mv_qemu_snapshots_dir(driver, domname);
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    const char *file;

    while (dir && (file = g_dir_read_name(dir)))
        if (file[0] != '.' && g_str_has_suffix(file, ".xml"))
            return true;
    return false;
}

bool
mv_qemu_snapshots_purge(MvQemuDriver *driver, const char *domname, GError **error)
{
    g_autofree char *path = mv_qemu_snapshots_dir(driver, domname);
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    const char *file;

    if (!dir)
        return true;
    while ((file = g_dir_read_name(dir))) {
        g_autofree char *f = g_build_filename(path, file, NULL);
        if (!mv_file_remove(f, error))
            return false;
    }
    if (rmdir(path) < 0 && errno != ENOENT)
        return mv_error_set_errno(error, MV_FROM_DOMAIN_SNAPSHOT, errno,
                                  "cannot remove the snapshot directory '%s'", path);
    return true;
}
