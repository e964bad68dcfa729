/* Helpers shared by the storage unit tests: scratch directories, files with
 * data at given offsets, checksums, allocation. Header-only, static. */
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/wait.h>

static G_GNUC_UNUSED char *
scratch_dir(void)
{
    g_autoptr(GError) error = NULL;
    char *dir = g_dir_make_tmp("mv-storage-XXXXXX", &error);

    g_assert_no_error(error);
    return dir;
}

static G_GNUC_UNUSED void
remove_tree(const char *path)
{
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name(dir)) != NULL) {
        g_autofree char *child = g_build_filename(path, name, NULL);

        if (g_file_test(child, G_FILE_TEST_IS_DIR) && !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
            remove_tree(child);
        else
            g_unlink(child);
    }
    g_rmdir(path);
}

static G_GNUC_UNUSED gint
compare_names(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

/* Names in @dir, sorted, joined by ' ' ("" when empty). */
static G_GNUC_UNUSED char *
dir_listing(const char *path)
{
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *name;

    while (dir && (name = g_dir_read_name(dir)) != NULL)
        g_ptr_array_add(names, g_strdup(name));
    g_ptr_array_sort(names, compare_names);
    g_ptr_array_add(names, NULL);
    return g_strjoinv(" ", (char **)names->pdata);
}

/* Writes @len bytes of a pattern derived from @seed at @offset. */
static G_GNUC_UNUSED void
write_pattern(const char *path, guint64 offset, gsize len, guint32 seed)
{
    g_autofree guint8 *buf = g_malloc(len);
    int fd = open(path, O_WRONLY | O_CREAT, 0600);
    GRand *rand = g_rand_new_with_seed(seed);

    for (gsize i = 0; i < len; i++)
        buf[i] = (guint8)g_rand_int_range(rand, 1, 256);
    g_rand_free(rand);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pwrite(fd, buf, len, (off_t)offset), ==, (gssize)len);
    close(fd);
}

static G_GNUC_UNUSED char *
file_checksum(const char *path)
{
    g_autofree char *data = NULL;
    gsize len = 0;

    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    return g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)data, len);
}

static G_GNUC_UNUSED guint64
file_allocation(const char *path)
{
    struct stat st;

    g_assert_cmpint(stat(path, &st), ==, 0);
    return (guint64)st.st_blocks * 512;
}

static G_GNUC_UNUSED guint64
file_size(const char *path)
{
    struct stat st;

    g_assert_cmpint(stat(path, &st), ==, 0);
    return (guint64)st.st_size;
}

/* True when every byte of @path is zero. */
static G_GNUC_UNUSED bool
file_all_zero(const char *path)
{
    g_autofree char *data = NULL;
    gsize len = 0;

    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    for (gsize i = 0; i < len; i++) {
        if (data[i])
            return false;
    }
    return true;
}

/* Runs a command line (tests only); asserts it exits 0. */
static G_GNUC_UNUSED void
run_ok(const char *cmdline)
{
    g_autofree char *out = NULL, *err = NULL;
    g_autoptr(GError) error = NULL;
    int status = 0;

    g_assert_true(g_spawn_command_line_sync(cmdline, &out, &err, &status, &error));
    if (!g_spawn_check_wait_status(status, NULL))
        g_error("'%s' failed: %s%s", cmdline, out, err);
}
