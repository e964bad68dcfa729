/* Tests for util/file.c and util/fd.h. */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/fd.h"
#include "util/file-priv.h"
#include "util/file.h"

typedef struct {
    char *dir;
} Fixture;

static void
fixture_setup(Fixture *f, gconstpointer data)
{
    f->dir = g_dir_make_tmp("mvfile-XXXXXX", NULL);
    g_assert_nonnull(f->dir);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);

    g_assert_cmpint(system(cmd), ==, 0);
    g_free(f->dir);
    mv_file_set_write_failure_(G_MAXSIZE);
}

static int
compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names in @dir, joined by spaces. */
static char *
list_dir(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *name;

    while ((name = g_dir_read_name(d)))
        g_ptr_array_add(names, g_strdup(name));
    g_ptr_array_sort(names, compare_names);
    g_ptr_array_add(names, NULL);
    return g_strjoinv(" ", (char **)names->pdata);
}

static char *
read_file(const char *path)
{
    char *data = NULL;

    g_assert_true(g_file_get_contents(path, &data, NULL, NULL));
    return data;
}

static void
test_write_atomic(Fixture *f, gconstpointer data)
{
    g_autofree char *path = g_build_filename(f->dir, "a.xml", NULL);
    g_autofree char *content = NULL;
    g_autofree char *listing = NULL;
    g_autoptr(GError) err = NULL;
    struct stat st;

    g_assert_true(mv_file_write_atomic(path, "first", 5, 0600, &err));
    g_assert_no_error(err);
    g_assert_true(mv_file_write_atomic(path, "second\n", 7, 0666, &err));
    content = read_file(path);
    g_assert_cmpstr(content, ==, "second\n");
    g_assert_cmpint(stat(path, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0666);     /* not filtered by the umask */
    listing = list_dir(f->dir);
    g_assert_cmpstr(listing, ==, "a.xml");
}

static void
test_write_atomic_fails_midway(Fixture *f, gconstpointer data)
{
    g_autofree char *path = g_build_filename(f->dir, "a.xml", NULL);
    g_autofree char *content = NULL;
    g_autofree char *listing = NULL;
    g_autoptr(GError) err = NULL;
    const char *big = "new content that is longer than three bytes";

    g_assert_true(mv_file_write_atomic(path, "old", 3, 0600, NULL));
    mv_file_set_write_failure_(3);
    g_assert_false(mv_file_write_atomic(path, big, strlen(big), 0600, &err));
    g_assert_error(err, MV_ERROR, MV_ERR_SYSTEM_ERROR);
    g_assert_nonnull(strstr(err->message, path));
    content = read_file(path);
    g_assert_cmpstr(content, ==, "old");
    listing = list_dir(f->dir);
    g_assert_cmpstr(listing, ==, "a.xml");              /* temp file removed */
}

static void
test_write_atomic_rename_fails(Fixture *f, gconstpointer data)
{
    g_autofree char *path = g_build_filename(f->dir, "sub", NULL);
    g_autofree char *inner = g_build_filename(path, "keep", NULL);
    g_autofree char *listing = NULL;
    g_autoptr(GError) err = NULL;

    /* The target is a non-empty directory: rename() must fail. */
    g_assert_cmpint(g_mkdir(path, 0755), ==, 0);
    g_assert_true(g_file_set_contents(inner, "x", 1, NULL));
    g_assert_false(mv_file_write_atomic(path, "data", 4, 0600, &err));
    g_assert_error(err, MV_ERROR, MV_ERR_SYSTEM_ERROR);
    g_assert_true(g_file_test(inner, G_FILE_TEST_IS_REGULAR));
    listing = list_dir(f->dir);
    g_assert_cmpstr(listing, ==, "sub");
}

static void
test_write_atomic_no_dir(Fixture *f, gconstpointer data)
{
    g_autofree char *path = g_build_filename(f->dir, "missing", "a.xml", NULL);
    g_autoptr(GError) err = NULL;

    g_assert_false(mv_file_write_atomic(path, "data", 4, 0600, &err));
    g_assert_error(err, MV_ERROR, MV_ERR_SYSTEM_ERROR);
}

static void
test_read_all(Fixture *f, gconstpointer data)
{
    g_autofree char *path = g_build_filename(f->dir, "r", NULL);
    g_autofree char *missing = g_build_filename(f->dir, "nope", NULL);
    g_autoptr(GError) err = NULL;
    g_autofree char *out = NULL;
    char *untouched = (char *)"sentinel";
    gsize len = 99;

    g_assert_true(g_file_set_contents(path, "abc\0def", 7, NULL));
    g_assert_true(mv_file_read_all(path, 7, &out, &len, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(len, ==, 7);
    g_assert_cmpmem(out, 8, "abc\0def\0", 8);          /* NUL-terminated */

    len = 99;
    g_assert_false(mv_file_read_all(path, 6, &untouched, &len, &err));
    g_assert_error(err, MV_ERROR, MV_ERR_READ_FAILED);
    g_assert_cmpstr(untouched, ==, "sentinel");
    g_assert_cmpuint(len, ==, 99);
    g_clear_error(&err);

    g_assert_false(mv_file_read_all(missing, 100, &untouched, NULL, &err));
    g_assert_error(err, MV_ERROR, MV_ERR_SYSTEM_ERROR);
    g_assert_cmpstr(untouched, ==, "sentinel");
}

static void
test_mkdir_p(Fixture *f, gconstpointer data)
{
    g_autofree char *deep = g_build_filename(f->dir, "a", "b", "c", NULL);
    g_autofree char *file = g_build_filename(f->dir, "file", NULL);
    g_autoptr(GError) err = NULL;

    g_assert_true(mv_file_mkdir_p(deep, 0700, &err));
    g_assert_no_error(err);
    g_assert_true(g_file_test(deep, G_FILE_TEST_IS_DIR));
    g_assert_true(mv_file_mkdir_p(deep, 0700, &err));   /* existing is fine */
    g_assert_true(g_file_set_contents(file, "", 0, NULL));
    g_assert_false(mv_file_mkdir_p(file, 0700, &err));
    g_assert_error(err, MV_ERROR, MV_ERR_SYSTEM_ERROR);
}

static void
test_remove(Fixture *f, gconstpointer data)
{
    g_autofree char *file = g_build_filename(f->dir, "file", NULL);
    g_autofree char *deep = g_build_filename(f->dir, "no", "such", NULL);
    g_autoptr(GError) err = NULL;

    g_assert_true(g_file_set_contents(file, "x", 1, NULL));
    g_assert_true(mv_file_remove(file, &err));
    g_assert_false(g_file_test(file, G_FILE_TEST_EXISTS));
    g_assert_true(mv_file_remove(file, &err));           /* missing: fine */
    g_assert_true(mv_file_remove(deep, &err));
    g_assert_no_error(err);
    g_assert_false(mv_file_remove(f->dir, &err));        /* a directory */
    g_assert_error(err, MV_ERROR, MV_ERR_SYSTEM_ERROR);
}

static void
test_autoclose(void)
{
    int copy;

    {
        MV_AUTOCLOSE int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

        g_assert_cmpint(fd, >=, 0);
        copy = fd;
    }
    g_assert_cmpint(fcntl(copy, F_GETFD), ==, -1);
    g_assert_cmpint(errno, ==, EBADF);

    {
        MV_AUTOCLOSE int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

        copy = mv_steal_fd(&fd);
        g_assert_cmpint(fd, ==, -1);
    }
    g_assert_cmpint(fcntl(copy, F_GETFD), >=, 0);       /* stolen: still open */
    mv_close_fdp(&copy);
    g_assert_cmpint(copy, ==, -1);
    mv_close_fdp(&copy);                                /* -1: no-op */
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    umask(022);
#define ADD(name, fn) g_test_add(name, Fixture, NULL, fixture_setup, fn, fixture_teardown)
    ADD("/file/write-atomic", test_write_atomic);
    ADD("/file/write-atomic/fails-midway", test_write_atomic_fails_midway);
    ADD("/file/write-atomic/rename-fails", test_write_atomic_rename_fails);
    ADD("/file/write-atomic/no-dir", test_write_atomic_no_dir);
    ADD("/file/read-all", test_read_all);
    ADD("/file/mkdir-p", test_mkdir_p);
    ADD("/file/remove", test_remove);
    g_test_add_func("/file/autoclose", test_autoclose);
    return g_test_run();
}
