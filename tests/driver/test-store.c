/* Persistence (common/driver/store.c): atomic files, autostart links, status
 * files and the reconcile pass at start. */
#include <sys/stat.h>
#include <unistd.h>

#include "driver/store.h"
#include "util/error.h"
#include "util/file.h"

typedef struct {
    char *root;
    char *etc;
    char *run;
    MvDriverStore *store;
} Fixture;

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;

    f->root = g_dir_make_tmp("mv-driver-store-XXXXXX", &error);
    g_assert_no_error(error);
    f->etc = g_build_filename(f->root, "etc", "test", NULL);
    f->run = g_build_filename(f->root, "run", "test", NULL);
    f->store = mv_driver_store_new(f->etc, f->run, MV_FROM_QEMU);
    g_assert_true(mv_driver_store_create_dirs(f->store, &error));
    g_assert_no_error(error);
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", f->root);

    g_assert_cmpint(system(cmd), ==, 0);
    mv_driver_store_free(f->store);
    g_free(f->etc);
    g_free(f->run);
    g_free(f->root);
}

static char *
read_file(const char *path)
{
    g_autoptr(GError) error = NULL;
    char *text = NULL;

    if (!mv_file_read_all(path, 1 << 20, &text, NULL, &error))
        return NULL;
    return text;
}

static void
write_file(const char *dir, const char *file, const char *text)
{
    g_autofree char *path = g_build_filename(dir, file, NULL);

    g_assert_true(g_file_set_contents(path, text, -1, NULL));
}

static void
test_files(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *config = mv_driver_store_config_path(f->store, "vm1");
    g_autofree char *status = mv_driver_store_status_path(f->store, "vm1");
    g_autofree char *link = g_build_filename(f->etc, "autostart", "vm1.xml", NULL);
    g_autofree char *target = NULL;
    g_autofree char *text = NULL;
    struct stat st;

    g_assert_true(g_str_has_suffix(config, "/etc/test/vm1.xml"));
    g_assert_true(g_str_has_suffix(status, "/run/test/vm1.xml"));
    g_assert_true(stat(f->run, &st) == 0 && (st.st_mode & 0777) == 0700);

    g_assert_true(mv_driver_store_save_config(f->store, "vm1", "<one/>", &error));
    g_assert_true(mv_driver_store_save_config(f->store, "vm1", "<two/>", &error));
    text = read_file(config);
    g_assert_cmpstr(text, ==, "<two/>");
    g_assert_true(stat(config, &st) == 0 && (st.st_mode & 0777) == 0600);

    g_assert_false(mv_driver_store_get_autostart(f->store, "vm1"));
    g_assert_true(mv_driver_store_set_autostart(f->store, "vm1", true, &error));
    g_assert_true(mv_driver_store_set_autostart(f->store, "vm1", true, &error));   /* again */
    g_assert_no_error(error);
    g_assert_true(mv_driver_store_get_autostart(f->store, "vm1"));
    target = g_file_read_link(link, NULL);
    g_assert_cmpstr(target, ==, "../vm1.xml");
    g_assert_true(mv_driver_store_set_autostart(f->store, "vm1", false, &error));
    g_assert_false(mv_driver_store_get_autostart(f->store, "vm1"));
    g_assert_true(mv_driver_store_set_autostart(f->store, "vm1", true, &error));

    g_assert_true(mv_driver_store_save_status(f->store, "vm1", "<status/>", &error));
    g_clear_pointer(&text, g_free);
    text = read_file(status);
    g_assert_cmpstr(text, ==, "<status/>");
    g_assert_true(mv_driver_store_delete_status(f->store, "vm1", &error));
    g_assert_true(mv_driver_store_delete_status(f->store, "vm1", &error));  /* missing: fine */
    g_assert_false(g_file_test(status, G_FILE_TEST_EXISTS));

    g_assert_true(mv_driver_store_delete_config(f->store, "vm1", &error));
    g_assert_no_error(error);
    g_assert_false(g_file_test(config, G_FILE_TEST_EXISTS));
    g_assert_false(g_file_test(link, G_FILE_TEST_IS_SYMLINK));
}

/* An autostart link that cannot be made names the link. */
static void
test_autostart_error(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_build_filename(f->etc, "autostart", NULL);

    write_file(f->etc, "autostart", "not a directory");
    g_assert_false(mv_driver_store_set_autostart(f->store, "vm1", true, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_SYSTEM_ERROR);
    g_assert_nonnull(strstr(error->message, dir));
}

typedef struct {
    GString *log;
} Seen;

static bool
on_config(const char *path, const char *xml, bool autostart, gpointer data, GError **error)
{
    Seen *seen = data;

    if (strstr(xml, "bad"))
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR, "cannot parse");
    g_string_append_printf(seen->log, "config %s%s;", strrchr(path, '/') + 1,
                           autostart ? " autostart" : "");
    return true;
}

static bool
on_status(const char *path, const char *text, bool has_config, gpointer data, GError **error)
{
    Seen *seen = data;

    if (strstr(text, "bad"))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR, "incomplete");
    g_string_append_printf(seen->log, "status %s %s;", strrchr(path, '/') + 1,
                           has_config ? "persistent" : "transient");
    return true;
}

static void
on_rejected(const char *path, bool is_status, const GError *error, gpointer data)
{
    Seen *seen = data;

    g_string_append_printf(seen->log, "rejected %s %s (%s);", is_status ? "status" : "config",
                           strrchr(path, '/') + 1, error->message);
}

static void
test_reconcile(Fixture *f, gconstpointer data)
{
    static const MvDriverReconcile cb = { on_config, on_status, on_rejected };
    g_autoptr(GError) error = NULL;
    Seen seen = { g_string_new("") };
    g_autofree char *tmp = g_build_filename(f->etc, "b.xml.tmp-0badc0de", NULL);
    g_autofree char *run_tmp = g_build_filename(f->run, "a.xml.tmp-12345678", NULL);
    g_autofree char *bad_status = g_build_filename(f->run, "c.xml", NULL);
    g_autofree char *bad_config = g_build_filename(f->etc, "z.xml", NULL);
    g_autofree char *log = NULL;

    g_assert_true(mv_driver_store_save_config(f->store, "b", "<b/>", &error));
    g_assert_true(mv_driver_store_save_config(f->store, "a", "<a/>", &error));
    g_assert_true(mv_driver_store_save_config(f->store, "z", "<bad/>", &error));
    g_assert_true(mv_driver_store_set_autostart(f->store, "b", true, &error));
    write_file(f->etc, "b.xml.tmp-0badc0de", "<half");      /* a killed write */
    write_file(f->etc, "notes.txt", "not a definition");
    write_file(f->run, "a.xml.tmp-12345678", "<half");
    g_assert_true(mv_driver_store_save_status(f->store, "a", "<a-live/>", &error));
    g_assert_true(mv_driver_store_save_status(f->store, "t", "<t-live/>", &error));
    g_assert_true(mv_driver_store_save_status(f->store, "c", "<bad/>", &error));

    mv_driver_store_reconcile(f->store, &cb, &seen);
    log = g_string_free(seen.log, FALSE);
    g_assert_cmpstr(log, ==,
                    "config a.xml;config b.xml autostart;rejected config z.xml (cannot parse);"
                    "status a.xml persistent;rejected status c.xml (incomplete);"
                    "status t.xml transient;");
    g_assert_false(g_file_test(tmp, G_FILE_TEST_EXISTS));
    g_assert_false(g_file_test(run_tmp, G_FILE_TEST_EXISTS));
    g_assert_false(g_file_test(bad_status, G_FILE_TEST_EXISTS));    /* rejected status: gone */
    g_assert_true(g_file_test(bad_config, G_FILE_TEST_EXISTS));     /* a definition: kept */
}

/* Missing directories are empty ones; without a status callback status files stay. */
static void
test_reconcile_empty(Fixture *f, gconstpointer data)
{
    static const MvDriverReconcile cb = { on_config, NULL, on_rejected };
    g_autoptr(MvDriverStore) none = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *missing = g_build_filename(f->root, "missing", NULL);
    g_autofree char *status = mv_driver_store_status_path(f->store, "x");
    Seen seen = { g_string_new("") };
    g_autofree char *log = NULL;

    none = mv_driver_store_new(missing, missing, MV_FROM_QEMU);
    mv_driver_store_reconcile(none, &cb, &seen);
    g_assert_true(mv_driver_store_save_status(f->store, "x", "<bad/>", &error));
    mv_driver_store_reconcile(f->store, &cb, &seen);
    log = g_string_free(seen.log, FALSE);
    g_assert_cmpstr(log, ==, "");
    g_assert_true(g_file_test(status, G_FILE_TEST_EXISTS));
}

/* A definition must sit in <name>.xml. */
static void
test_file_name(void)
{
    g_autoptr(GError) error = NULL;

    g_assert_true(mv_driver_store_check_file_name("/etc/x/net0.xml", "network", "net0",
                                                  MV_FROM_NETWORK, &error));
    g_assert_no_error(error);
    g_assert_false(mv_driver_store_check_file_name("/etc/x/net0.xml", "storage pool", "p1",
                                                   MV_FROM_STORAGE, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_INTERNAL_ERROR);
    g_assert_cmpint(mv_error_get_subsystem(error), ==, MV_FROM_STORAGE);
    g_assert_cmpstr(error->message, ==,
                    "the file holds storage pool 'p1': it should be called p1.xml");
    g_clear_error(&error);
    g_assert_false(mv_driver_store_check_file_name("/etc/x/net0.xml.bak", "network", "net0",
                                                   MV_FROM_NETWORK, &error));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/driver/store/files", Fixture, NULL, fixture_set_up, test_files,
               fixture_tear_down);
    g_test_add("/driver/store/autostart-error", Fixture, NULL, fixture_set_up,
               test_autostart_error, fixture_tear_down);
    g_test_add("/driver/store/reconcile", Fixture, NULL, fixture_set_up, test_reconcile,
               fixture_tear_down);
    g_test_add("/driver/store/reconcile-empty", Fixture, NULL, fixture_set_up,
               test_reconcile_empty, fixture_tear_down);
    g_test_add_func("/driver/store/file-name", test_file_name);
    return g_test_run();
}
