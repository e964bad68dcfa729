/* Unit tests of modvirt-storaged's core (no daemon): a pool's volume tables
 * and volume jobs, the long-job slots, pool start / refresh / stop on a real
 * dir pool (partial volumes removed and reported), the take-back of active
 * pools by a new driver over the same files, the [storage] config keys. */
#include <glib/gstdio.h>
#include <string.h>

#include "storage-driver.h"
#include "storage-reconcile.h"
#include "util/error.h"

typedef struct {
    char *root;
    char *etc;
    char *run;
    char *pooldir;
    MvStorageDriver *driver;
} Fixture;

static MvStorageDriver *
new_driver(Fixture *fx, guint max_long_jobs)
{
    g_autoptr(GError) error = NULL;
    MvStorageDriver *driver = mv_storage_driver_new(NULL, fx->etc, fx->run, 0, max_long_jobs,
                                                    &error);

    g_assert_no_error(error);
    g_assert_nonnull(driver);
    return driver;
}

static void
fixture_setup(Fixture *fx, gconstpointer data)
{
    (void)data;
    fx->root = g_dir_make_tmp("mvsd-XXXXXX", NULL);
    fx->etc = g_build_filename(fx->root, "etc", NULL);
    fx->run = g_build_filename(fx->root, "run", NULL);
    fx->pooldir = g_build_filename(fx->root, "pool", NULL);
    g_assert_cmpint(g_mkdir(fx->pooldir, 0755), ==, 0);
    fx->driver = new_driver(fx, 2);
}

static void
rm_rf(const char *path)
{
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *child = g_build_filename(path, name, NULL);

        if (g_file_test(child, G_FILE_TEST_IS_DIR) && !g_file_test(child,
                                                                   G_FILE_TEST_IS_SYMLINK))
            rm_rf(child);
        else
            g_unlink(child);
    }
    g_rmdir(path);
}

static void
fixture_teardown(Fixture *fx, gconstpointer data)
{
    (void)data;
    mv_storage_driver_free(fx->driver);
    rm_rf(fx->root);
    g_free(fx->root);
    g_free(fx->etc);
    g_free(fx->run);
    g_free(fx->pooldir);
}

static MvStoragePoolObj *
add_pool(Fixture *fx, const char *name)
{
    g_autofree char *xml = g_strdup_printf("<pool type='dir'><name>%s</name><target><path>%s"
                                           "</path></target></pool>", name, fx->pooldir);
    g_autoptr(GError) error = NULL;
    MvStoragePoolDef *def = mv_storage_pool_def_parse(xml, 0, &error);
    MvStoragePoolObj *pool;

    g_assert_no_error(error);
    pool = mv_storage_pool_add(fx->driver->pools, def, true, &error);
    g_assert_no_error(error);
    g_assert_true(mv_storage_pool_save_config(fx->driver, def, &error));
    g_assert_no_error(error);
    return pool;
}

static MvStorageVolDef *
vol_def(const char *dir, const char *name)
{
    MvStorageVolDef *def = mv_storage_vol_def_new();

    def->name = g_strdup(name);
    def->target.path = g_build_filename(dir, name, NULL);
    def->key = g_strdup(def->target.path);
    return def;
}

static void
write_file(const char *dir, const char *name, gsize size)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autofree char *data = g_malloc0(size);

    g_assert_true(g_file_set_contents(path, data, (gssize)size, NULL));
}

/* ---- volume tables and jobs ---- */

static void
test_vol_tables(Fixture *fx, gconstpointer data)
{
    g_autoptr(MvStoragePoolObj) pool = add_pool(fx, "t");
    MvStorageVolObj *a, *b;
    MvStorageVolDef *moved;

    (void)data;
    a = mv_storage_vol_insert(pool, vol_def("/d", "a"));
    b = mv_storage_vol_insert(pool, vol_def("/d", "b"));
    g_assert_true(mv_storage_vol_find(pool, "a") == a);
    g_assert_true(g_hash_table_lookup(pool->vols_by_key, "/d/b") == b);
    g_assert_true(g_hash_table_lookup(pool->vols_by_path, "/d/a") == a);
    /* a volume being built is registered but never found */
    b->building = true;
    g_assert_null(mv_storage_vol_find(pool, "b"));
    g_assert_true(g_hash_table_contains(pool->vols, "b"));
    b->building = false;
    /* a new definition re-keys the tables */
    moved = vol_def("/e", "a");
    mv_storage_vol_set_def(pool, a, moved);
    g_assert_null(g_hash_table_lookup(pool->vols_by_path, "/d/a"));
    g_assert_true(g_hash_table_lookup(pool->vols_by_path, "/e/a") == a);
    g_assert_true(g_hash_table_lookup(pool->vols_by_key, "/e/a") == a);
    g_assert_true(mv_storage_vol_find(pool, "a") == a);
    /* removal takes it out of every table */
    mv_storage_vol_ref(b);
    mv_storage_vol_remove(pool, b);
    g_assert_true(b->removed);
    g_assert_null(mv_storage_vol_find(pool, "b"));
    g_assert_null(g_hash_table_lookup(pool->vols_by_key, "/d/b"));
    mv_storage_vol_unref(b);
    mv_storage_vol_clear_all(pool);
    g_assert_cmpuint(g_hash_table_size(pool->vols), ==, 0);
    g_assert_cmpuint(g_hash_table_size(pool->vols_by_key), ==, 0);
    g_assert_cmpuint(g_hash_table_size(pool->vols_by_path), ==, 0);
}

static void
test_vol_jobs(Fixture *fx, gconstpointer data)
{
    g_autoptr(MvStoragePoolObj) pool = add_pool(fx, "j");
    MvStorageVolObj *v = mv_storage_vol_insert(pool, vol_def("/d", "v"));
    g_autoptr(GError) error = NULL;

    (void)data;
    g_assert_true(mv_storage_pool_check_no_async(pool, "refresh", NULL));
    g_assert_true(mv_storage_vol_begin_job(pool, v, "virStorageVolWipe", &error));
    g_assert_cmpuint(pool->async_jobs, ==, 1);
    /* a second job on the same volume is refused at once, naming the first */
    g_assert_false(mv_storage_vol_begin_job(pool, v, "virStorageVolResize", &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_INVALID);
    g_assert_nonnull(strstr(error->message, "virStorageVolWipe"));
    g_clear_error(&error);
    g_assert_false(mv_storage_pool_check_no_async(pool, "refresh", &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_INVALID);
    g_assert_nonnull(strstr(error->message, "1 volume operation(s)"));
    g_clear_error(&error);
    mv_storage_vol_end_job(pool, v);
    g_assert_cmpuint(pool->async_jobs, ==, 0);
    g_assert_true(mv_storage_vol_begin_job(pool, v, "virStorageVolResize", NULL));
    mv_storage_vol_end_job(pool, v);
}

static void
test_long_job_slots(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;

    (void)data;
    g_assert_true(mv_storage_driver_long_job_begin(fx->driver, "a", NULL));
    g_assert_true(mv_storage_driver_long_job_begin(fx->driver, "b", NULL));
    g_assert_false(mv_storage_driver_long_job_begin(fx->driver, "virStorageVolWipe", &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_FAILED);
    g_assert_nonnull(strstr(error->message, "max_long_jobs"));
    mv_storage_driver_long_job_end(fx->driver);
    g_assert_true(mv_storage_driver_long_job_begin(fx->driver, "c", NULL));
    mv_storage_driver_long_job_end(fx->driver);
    mv_storage_driver_long_job_end(fx->driver);
    g_assert_cmpuint(fx->driver->long_jobs, ==, 0);
}

/* ---- pool lifecycle on a dir pool ---- */

static void
test_pool_start_refresh_stop(Fixture *fx, gconstpointer data)
{
    g_autoptr(MvStoragePoolObj) pool = add_pool(fx, "p");
    g_autoptr(GError) error = NULL;
    g_autofree char *status = g_build_filename(fx->run, "p.xml", NULL);
    g_autofree char *partial = g_build_filename(fx->pooldir, ".half.mvpart", NULL);
    MvStorageVolObj *vol;

    (void)data;
    write_file(fx->pooldir, "a.img", 4096);
    write_file(fx->pooldir, ".half.mvpart", 512);
    g_assert_true(mv_storage_pool_start(fx->driver, pool, &error));
    g_assert_no_error(error);
    g_assert_true(pool->active);
    g_assert_true(g_file_test(status, G_FILE_TEST_EXISTS));
    /* the partial file of a killed create is removed and reported, never listed */
    g_assert_false(g_file_test(partial, G_FILE_TEST_EXISTS));
    g_assert_cmpuint(fx->driver->partial_removed->len, ==, 1);
    g_assert_cmpstr(fx->driver->partial_removed->pdata[0], ==, "p/half");
    g_assert_nonnull(vol = mv_storage_vol_find(pool, "a.img"));
    g_assert_cmpuint(vol->def->capacity, ==, 4096);
    g_assert_cmpuint(g_hash_table_size(pool->vols), ==, 1);
    /* starting twice is refused */
    g_assert_false(mv_storage_pool_start(fx->driver, pool, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_INVALID);
    g_clear_error(&error);
    /* refresh sees new files, and refuses while a volume job runs */
    write_file(fx->pooldir, "b.img", 8192);
    g_assert_true(mv_storage_vol_begin_job(pool, vol, "virStorageVolWipe", NULL));
    g_assert_false(mv_storage_pool_refresh(fx->driver, pool, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_INVALID);
    g_clear_error(&error);
    g_assert_false(mv_storage_pool_stop(fx->driver, pool, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_INVALID);
    g_clear_error(&error);
    mv_storage_vol_end_job(pool, vol);
    g_assert_true(mv_storage_pool_refresh(fx->driver, pool, &error));
    g_assert_nonnull(mv_storage_vol_find(pool, "b.img"));
    /* stop: no volumes, no status file; a second stop is refused */
    g_assert_true(mv_storage_pool_stop(fx->driver, pool, &error));
    g_assert_false(pool->active);
    g_assert_cmpuint(g_hash_table_size(pool->vols), ==, 0);
    g_assert_false(g_file_test(status, G_FILE_TEST_EXISTS));
    g_assert_false(mv_storage_pool_stop(fx->driver, pool, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_INVALID);
}

static void
test_take_back(Fixture *fx, gconstpointer data)
{
    g_autoptr(MvStoragePoolObj) pool = add_pool(fx, "tb");
    g_autoptr(MvStoragePoolObj) back = NULL;
    g_autoptr(MvStoragePoolObj) other = add_pool(fx, "idle");
    g_autoptr(GError) error = NULL;
    g_autofree char *stray = g_build_filename(fx->etc, "wrong-name.xml", NULL);
    g_autofree char *text = NULL;
    g_autofree char *idle = g_build_filename(fx->etc, "idle.xml", NULL);

    (void)data;
    write_file(fx->pooldir, "v.img", 1024);
    g_assert_true(mv_storage_pool_start(fx->driver, pool, &error));
    g_assert_no_error(error);
    /* a definition under the wrong file name is refused (and kept) */
    g_assert_true(g_file_get_contents(idle, &text, NULL, NULL));
    g_assert_true(g_file_set_contents(stray, text, -1, NULL));
    /* the "killed" daemon: a new driver over the same files */
    g_clear_pointer(&pool, mv_storage_pool_unref);
    g_clear_pointer(&other, mv_storage_pool_unref);
    mv_storage_driver_free(fx->driver);
    fx->driver = new_driver(fx, 2);
    write_file(fx->pooldir, ".late.mvpart", 10);
    mv_storage_reconcile(fx->driver);
    back = MV_STORAGE_POOL_OBJ(mv_driver_list_find_by_name(fx->driver->pools, "tb"));
    g_assert_nonnull(back);
    g_assert_true(back->active);
    g_assert_true(back->persistent);
    g_assert_nonnull(mv_storage_vol_find(back, "v.img"));
    g_assert_cmpuint(fx->driver->partial_removed->len, ==, 1);
    g_assert_cmpstr(fx->driver->partial_removed->pdata[0], ==, "tb/late");
    other = MV_STORAGE_POOL_OBJ(mv_driver_list_find_by_name(fx->driver->pools, "idle"));
    g_assert_nonnull(other);
    g_assert_false(other->active);
    g_assert_cmpuint(mv_driver_list_count(fx->driver->pools), ==, 2);
    g_assert_true(g_file_test(stray, G_FILE_TEST_EXISTS));
}

/* ---- config ---- */

static void
test_config(void)
{
    static const struct {
        const char *text;
        bool ok;
        int long_jobs;
    } cases[] = {
        { "", true, 0 },
        { "[storage]\nmax_long_jobs = 4\n", true, 4 },
        { "[storage]\nmax_long_jobs = 0\n", false, 0 },
        { "[storage]\njob_wait_ms = -5\n", false, 0 },
        { "[storage]\nmax_long_jobs = lots\n", false, 0 },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GKeyFile) kf = g_key_file_new();
        g_autoptr(GError) error = NULL;
        MvStorageConfig *conf;

        g_test_message("%s", cases[i].text);
        g_assert_true(g_key_file_load_from_data(kf, cases[i].text, -1, 0, NULL));
        conf = mv_storage_config_read(NULL, kf, &error);
        g_assert_cmpint(conf != NULL, ==, cases[i].ok);
        if (conf)
            g_assert_cmpint(conf->max_long_jobs, ==, cases[i].long_jobs);
        else
            g_assert_nonnull(strstr(error->message, "[storage]"));
        mv_storage_config_free(conf);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/storaged/vol-tables", Fixture, NULL, fixture_setup, test_vol_tables,
               fixture_teardown);
    g_test_add("/storaged/vol-jobs", Fixture, NULL, fixture_setup, test_vol_jobs,
               fixture_teardown);
    g_test_add("/storaged/long-job-slots", Fixture, NULL, fixture_setup, test_long_job_slots,
               fixture_teardown);
    g_test_add("/storaged/pool-start-refresh-stop", Fixture, NULL, fixture_setup,
               test_pool_start_refresh_stop, fixture_teardown);
    g_test_add("/storaged/take-back", Fixture, NULL, fixture_setup, test_take_back,
               fixture_teardown);
    g_test_add_func("/storaged/config", test_config);
    return g_test_run();
}
