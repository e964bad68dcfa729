/* Volume file operations on real files: raw create (sparse, preallocated,
 * partial), cancel, clone keeping holes, wipe algorithms, resize rules. */
#include <stdbool.h>

#include "storage-backend.h"
#include "storage-vol-file.h"
#include "storage-test-util.h"
#include "util/error.h"

#define MiB (1024ull * 1024)

typedef struct {
    guint calls;
    guint64 last_done;
    guint64 last_total;
} Progress;

static void
on_progress(guint64 done, guint64 total, gpointer data)
{
    Progress *p = data;

    g_assert_cmpuint(done, >=, p->last_done);
    p->calls++;
    p->last_done = done;
    p->last_total = total;
}

static void
test_partial_names(void)
{
    g_autofree char *p = mv_storage_backend_partial_path("/pool/disk.img");

    g_assert_cmpstr(p, ==, "/pool/.disk.img.mvpart");
    g_assert_true(mv_storage_backend_is_partial_name(".disk.img.mvpart"));
    g_assert_false(mv_storage_backend_is_partial_name("disk.img"));
    g_assert_false(mv_storage_backend_is_partial_name(".mvpart"));
    g_assert_false(mv_storage_backend_is_partial_name(".hidden"));
}

static void
test_create_sparse(void)
{
    g_autofree char *dir = scratch_dir();
    g_autofree char *path = g_build_filename(dir, "a.img", NULL);
    g_autofree char *listing = NULL;
    g_autoptr(GError) error = NULL;
    struct stat st;

    g_assert_true(mv_storage_vol_file_create_raw(path, 64 * MiB, 0, NULL, NULL, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(file_size(path), ==, 64 * MiB);
    g_assert_cmpuint(file_allocation(path), <, 1 * MiB);
    g_assert_cmpint(stat(path, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 07777, ==, 0600);
    listing = dir_listing(dir);
    g_assert_cmpstr(listing, ==, "a.img");      /* no in-progress file left */
    remove_tree(dir);
}

static void
test_create_preallocated(void)
{
    g_autofree char *dir = scratch_dir();
    g_autofree char *path = g_build_filename(dir, "b.img", NULL);
    g_autoptr(GError) error = NULL;
    MvStorageFileOwner owner = { .mode = 0640, .uid = -1, .gid = -1 };
    Progress progress = { 0 };
    MvStorageJobCtl ctl = { .progress = on_progress, .progress_data = &progress };
    struct stat st;

    g_assert_true(mv_storage_vol_file_create_raw(path, 16 * MiB, 16 * MiB, &owner, &ctl,
                                                 &error));
    g_assert_no_error(error);
    g_assert_cmpuint(file_size(path), ==, 16 * MiB);
    g_assert_cmpuint(file_allocation(path), >=, 16 * MiB);
    g_assert_cmpint(stat(path, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 07777, ==, 0640);
    g_assert_cmpuint(progress.calls, >, 0);
    g_assert_cmpuint(progress.last_done, ==, 16 * MiB);

    /* Partly allocated: the first 4 MiB. */
    g_unlink(path);
    g_assert_true(mv_storage_vol_file_create_raw(path, 16 * MiB, 4 * MiB, NULL, NULL, &error));
    g_assert_cmpuint(file_allocation(path), >=, 4 * MiB);
    g_assert_cmpuint(file_allocation(path), <, 8 * MiB);
    remove_tree(dir);
}

static void
test_create_existing(void)
{
    g_autofree char *dir = scratch_dir();
    g_autofree char *path = g_build_filename(dir, "c.img", NULL);
    g_autofree char *listing = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_true(g_file_set_contents(path, "keep", -1, NULL));
    g_assert_false(mv_storage_vol_file_create_raw(path, MiB, 0, NULL, NULL, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_FAILED);
    g_assert_nonnull(strstr(error->message, "already exists"));
    g_assert_cmpuint(file_size(path), ==, 4);
    listing = dir_listing(dir);
    g_assert_cmpstr(listing, ==, "c.img");
    remove_tree(dir);
}

static void
test_create_cancelled(void)
{
    g_autofree char *dir = scratch_dir();
    g_autofree char *path = g_build_filename(dir, "d.img", NULL);
    g_autofree char *listing = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GCancellable) cancel = g_cancellable_new();
    MvStorageJobCtl ctl = { .cancellable = cancel };

    g_cancellable_cancel(cancel);
    g_assert_false(mv_storage_vol_file_create_raw(path, 32 * MiB, 32 * MiB, NULL, &ctl,
                                                  &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_ABORTED);
    listing = dir_listing(dir);
    g_assert_cmpstr(listing, ==, "");           /* nothing left behind */
    remove_tree(dir);
}

/* A stale in-progress file (a killed create) is replaced, never kept. */
static void
test_create_over_stale_partial(void)
{
    g_autofree char *dir = scratch_dir();
    g_autofree char *path = g_build_filename(dir, "e.img", NULL);
    g_autofree char *stale = mv_storage_backend_partial_path(path);
    g_autofree char *listing = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_true(g_file_set_contents(stale, "half", -1, NULL));
    g_assert_true(mv_storage_vol_file_create_raw(path, MiB, 0, NULL, NULL, &error));
    g_assert_no_error(error);
    listing = dir_listing(dir);
    g_assert_cmpstr(listing, ==, "e.img");
    g_assert_true(file_all_zero(path));
    remove_tree(dir);
}

static void
test_clone_keeps_holes(void)
{
    g_autofree char *dir = scratch_dir();
    g_autofree char *src = g_build_filename(dir, "src.img", NULL);
    g_autofree char *dst = g_build_filename(dir, "dst.img", NULL);
    g_autofree char *big = g_build_filename(dir, "big.img", NULL);
    g_autofree char *sum_src = NULL, *sum_dst = NULL, *listing = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_true(mv_storage_vol_file_create_raw(src, 64 * MiB, 0, NULL, NULL, &error));
    write_pattern(src, 0, 256 * 1024, 1);
    write_pattern(src, 40 * MiB, 512 * 1024, 2);
    write_pattern(src, 64 * MiB - 4096, 4096, 3);
    g_assert_true(mv_storage_vol_file_clone_raw(src, dst, 0, false, NULL, NULL, &error));
    g_assert_no_error(error);
    sum_src = file_checksum(src);
    sum_dst = file_checksum(dst);
    g_assert_cmpstr(sum_src, ==, sum_dst);
    g_assert_cmpuint(file_size(dst), ==, 64 * MiB);
    /* ~772 KiB of data: the holes stayed holes. */
    g_assert_cmpuint(file_allocation(dst), <, 4 * MiB);

    /* A larger capacity grows the copy (sparse tail). */
    g_assert_true(mv_storage_vol_file_clone_raw(src, big, 128 * MiB, false, NULL, NULL, &error));
    g_assert_cmpuint(file_size(big), ==, 128 * MiB);
    g_assert_cmpuint(file_allocation(big), <, 4 * MiB);
    listing = dir_listing(dir);
    g_assert_cmpstr(listing, ==, "big.img dst.img src.img");
    remove_tree(dir);
}

static void
test_clone_cancelled(void)
{
    g_autofree char *dir = scratch_dir();
    g_autofree char *src = g_build_filename(dir, "src.img", NULL);
    g_autofree char *dst = g_build_filename(dir, "dst.img", NULL);
    g_autofree char *listing = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GCancellable) cancel = g_cancellable_new();
    MvStorageJobCtl ctl = { .cancellable = cancel };

    write_pattern(src, 0, MiB, 7);
    g_cancellable_cancel(cancel);
    g_assert_false(mv_storage_vol_file_clone_raw(src, dst, 0, false, NULL, &ctl, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_ABORTED);
    listing = dir_listing(dir);
    g_assert_cmpstr(listing, ==, "src.img");
    remove_tree(dir);
}

static void
test_wipe_zero(void)
{
    g_autofree char *dir = scratch_dir();
    g_autofree char *dense = g_build_filename(dir, "dense.img", NULL);
    g_autofree char *sparse = g_build_filename(dir, "sparse.img", NULL);
    g_autoptr(GError) error = NULL;
    guint64 before;

    write_pattern(dense, 0, 4 * MiB, 11);
    before = file_allocation(dense);
    g_assert_true(mv_storage_vol_file_wipe(dense, MV_STORAGE_WIPE_ZERO, NULL, &error));
    g_assert_no_error(error);
    g_assert_true(file_all_zero(dense));
    g_assert_cmpuint(file_size(dense), ==, 4 * MiB);
    g_assert_cmpuint(file_allocation(dense), >=, before);   /* allocation kept */

    g_assert_true(mv_storage_vol_file_create_raw(sparse, 32 * MiB, 0, NULL, NULL, &error));
    write_pattern(sparse, 8 * MiB, 64 * 1024, 12);
    g_assert_true(mv_storage_vol_file_wipe(sparse, MV_STORAGE_WIPE_ZERO, NULL, &error));
    g_assert_true(file_all_zero(sparse));
    g_assert_cmpuint(file_allocation(sparse), <, 2 * MiB);  /* holes stayed holes */
    remove_tree(dir);
}

static void
test_wipe_random_trim(void)
{
    g_autofree char *dir = scratch_dir();
    g_autofree char *path = g_build_filename(dir, "r.img", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GError) trim_error = NULL;

    g_assert_true(mv_storage_vol_file_create_raw(path, 2 * MiB, 0, NULL, NULL, &error));
    g_assert_true(mv_storage_vol_file_wipe(path, MV_STORAGE_WIPE_RANDOM, NULL, &error));
    g_assert_no_error(error);
    g_assert_false(file_all_zero(path));
    g_assert_cmpuint(file_size(path), ==, 2 * MiB);

    if (!mv_storage_vol_file_wipe(path, MV_STORAGE_WIPE_TRIM, NULL, &trim_error)) {
        /* A filesystem without hole punching refuses it by name. */
        g_assert_error(trim_error, MV_ERROR, MV_ERR_OPERATION_UNSUPPORTED);
        g_assert_nonnull(strstr(trim_error->message, "'trim'"));
    } else {
        g_assert_true(file_all_zero(path));
        g_assert_cmpuint(file_allocation(path), ==, 0);
        g_assert_cmpuint(file_size(path), ==, 2 * MiB);
    }
    remove_tree(dir);
}

static void
test_wipe_refused(void)
{
    g_autofree char *dir = scratch_dir();
    g_autofree char *path = g_build_filename(dir, "w.img", NULL);
    g_autofree char *scrub = g_find_program_in_path("scrub");
    g_autoptr(GError) error = NULL;

    write_pattern(path, 0, 4096, 5);
    g_assert_false(mv_storage_vol_file_wipe(path, MV_STORAGE_WIPE_LAST, NULL, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_INVALID_ARG);
    g_clear_error(&error);
    if (scrub) {
        g_test_skip("scrub is installed: the refusal cannot be seen");
        remove_tree(dir);
        return;
    }
    g_assert_false(mv_storage_vol_file_wipe(path, MV_STORAGE_WIPE_DOD, NULL, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_UNSUPPORTED);
    g_assert_nonnull(strstr(error->message, "'dod'"));
    g_assert_nonnull(strstr(error->message, "scrub"));
    g_assert_false(file_all_zero(path));        /* untouched */
    remove_tree(dir);
}

static void
test_resize_compute(void)
{
    static const struct {
        guint64 capacity, arg;
        unsigned int flags;
        bool ok;
        guint64 result;
    } cases[] = {
        { 100, 200, 0, true, 200 },
        { 100, 100, 0, true, 100 },
        { 100, 50, 0, false, 0 },                           /* shrink needs the flag */
        { 100, 50, MV_STORAGE_VOL_RESIZE_SHRINK, true, 50 },
        { 100, 150, MV_STORAGE_VOL_RESIZE_SHRINK, false, 0 },
        { 100, 30, MV_STORAGE_VOL_RESIZE_DELTA, true, 130 },
        { 100, 30, MV_STORAGE_VOL_RESIZE_DELTA | MV_STORAGE_VOL_RESIZE_SHRINK, true, 70 },
        { 100, 130, MV_STORAGE_VOL_RESIZE_DELTA | MV_STORAGE_VOL_RESIZE_SHRINK, false, 0 },
        { 100, 200, MV_STORAGE_VOL_RESIZE_ALLOCATE, true, 200 },
        { 100, 50, MV_STORAGE_VOL_RESIZE_SHRINK | MV_STORAGE_VOL_RESIZE_ALLOCATE, false, 0 },
        { 100, G_MAXUINT64, MV_STORAGE_VOL_RESIZE_DELTA, false, 0 },
        { 100, 1, 1u << 5, false, 0 },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        guint64 result = 12345;
        bool ok = mv_storage_vol_resize_compute(cases[i].capacity, cases[i].arg,
                                                cases[i].flags, &result, &error);

        g_test_message("case %" G_GSIZE_FORMAT, i);
        g_assert_cmpint(ok, ==, cases[i].ok);
        if (ok) {
            g_assert_cmpuint(result, ==, cases[i].result);
        } else {
            g_assert_error(error, MV_ERROR, MV_ERR_INVALID_ARG);
            g_assert_cmpuint(result, ==, 12345);     /* untouched on failure */
        }
    }
}

static void
test_resize_raw(void)
{
    g_autofree char *dir = scratch_dir();
    g_autofree char *path = g_build_filename(dir, "z.img", NULL);
    g_autoptr(GError) error = NULL;

    write_pattern(path, 0, MiB, 9);
    g_assert_true(mv_storage_vol_file_resize_raw(path, 8 * MiB, false, NULL, &error));
    g_assert_cmpuint(file_size(path), ==, 8 * MiB);
    g_assert_cmpuint(file_allocation(path), <, 4 * MiB);
    g_assert_true(mv_storage_vol_file_resize_raw(path, 16 * MiB, true, NULL, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(file_size(path), ==, 16 * MiB);
    g_assert_cmpuint(file_allocation(path), >=, 8 * MiB);  /* the grown part allocated */
    g_assert_true(mv_storage_vol_file_resize_raw(path, 512 * 1024, false, NULL, &error));
    g_assert_cmpuint(file_size(path), ==, 512 * 1024);
    remove_tree(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/storage/vol/partial-names", test_partial_names);
    g_test_add_func("/storage/vol/create-sparse", test_create_sparse);
    g_test_add_func("/storage/vol/create-preallocated", test_create_preallocated);
    g_test_add_func("/storage/vol/create-existing", test_create_existing);
    g_test_add_func("/storage/vol/create-cancelled", test_create_cancelled);
    g_test_add_func("/storage/vol/create-over-stale-partial", test_create_over_stale_partial);
    g_test_add_func("/storage/vol/clone-keeps-holes", test_clone_keeps_holes);
    g_test_add_func("/storage/vol/clone-cancelled", test_clone_cancelled);
    g_test_add_func("/storage/vol/wipe-zero", test_wipe_zero);
    g_test_add_func("/storage/vol/wipe-random-trim", test_wipe_random_trim);
    g_test_add_func("/storage/vol/wipe-refused", test_wipe_refused);
    g_test_add_func("/storage/vol/resize-compute", test_resize_compute);
    g_test_add_func("/storage/vol/resize-raw", test_resize_raw);
    return g_test_run();
}
