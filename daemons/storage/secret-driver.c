/* The secret driver's state, loading and the value access the daemon uses
 * itself; see secret-driver.h. The handlers are in secret-handlers.c. */
#define MV_LOG_CATEGORY "secret"
#include "secret-driver-priv.h"

#include <errno.h>
#include <string.h>

#include "daemon/secret-events.h"
#include "util/error.h"
#include "util/file.h"
#include "util/log.h"
#include "util/uuid.h"

static MvSecretDriver *secret_driver_current;

static void
obj_finalize(MvDriverObject *obj)
{
    MvSecretObj *secret = MV_SECRET_OBJ(obj);

    mv_secret_def_free(secret->def);
    mv_secret_value_free(secret->value, secret->value_len);
}

/* A secret has nothing to start: "active" is never asked of it. */
static bool
obj_is_active(const MvDriverObject *obj)
{
    (void)obj;
    return true;
}

const MvDriverObjectClass mv_secret_obj_class = {
    .noun = "secret",
    .error_from = MV_FROM_SECRET,
    .conf_from = MV_FROM_SECRET,
    .no_object = MV_ERR_NO_SECRET,
    .not_found = "Secret not found",
    .not_active = "secret is not defined",
    .is_active = obj_is_active,
    .finalize = obj_finalize,
};

MvSecretDriver *
mv_secret_driver_current(void)
{
    return g_atomic_pointer_get(&secret_driver_current);
}

char *
mv_secret_obj_value_path(MvSecretDriver *driver, const MvSecretObj *secret)
{
    g_autofree char *file = g_strconcat(secret->name, ".value", NULL);

    return g_build_filename(driver->dir, file, NULL);
}

typedef struct {
    int usage_type;
    const char *usage_id;
    MvSecretObj *found;
} UsageSearch;

static void
usage_match(MvDriverObject *obj, gpointer data)
{
    UsageSearch *search = data;
    MvSecretObj *secret = MV_SECRET_OBJ(obj);

    if (search->found)
        return;
    g_mutex_lock(&secret->lock);
    if ((int)secret->def->usage_type == search->usage_type &&
        g_strcmp0(secret->def->usage_id, search->usage_id) == 0)
        search->found = MV_SECRET_OBJ(mv_driver_object_ref(obj));
    g_mutex_unlock(&secret->lock);
}

MvSecretObj *
mv_secret_obj_find_usage(MvSecretDriver *driver, int usage_type, const char *usage_id)
{
    UsageSearch search = { usage_type, usage_id, NULL };

    /* A secret without a usage is never found by it (nor in conflict). */
    if (usage_type == MV_SECRET_USAGE_NONE || !usage_id)
        return NULL;
    mv_driver_list_foreach(driver->secrets, NULL, usage_match, &search);
    return search.found;
}

bool
mv_secret_no_value(const MvSecretObj *secret, GError **error)
{
    return mv_error_set(error, MV_FROM_SECRET, MV_ERR_NO_SECRET,
                        "Secret not found: secret '%s' does not have a value", secret->name);
}

bool
mv_secret_obj_read_value(MvSecretDriver *driver, MvSecretObj *secret, guint8 **ret_value,
                         gsize *ret_len, GError **error)
{
    g_autofree char *path = NULL;
    guint8 *value = NULL;
    gsize len = 0;
    bool ephemeral, has;

    g_mutex_lock(&secret->lock);
    ephemeral = secret->def->ephemeral;
    has = secret->has_value;
    if (ephemeral && has) {
        len = secret->value_len;
        value = g_memdup2(secret->value, MAX(len, 1));
    }
    g_mutex_unlock(&secret->lock);
    if (ephemeral) {
        if (!has)
            return mv_secret_no_value(secret, error);
        *ret_value = value;
        *ret_len = len;
        return true;
    }
    path = mv_secret_obj_value_path(driver, secret);
    if (!g_file_test(path, G_FILE_TEST_EXISTS))
        return mv_secret_no_value(secret, error);
    return mv_secret_vault_read(driver->vault, path, secret->name, ret_value, ret_len, error);
}

/* ---- loading ---- */

static bool
reconcile_config(const char *path, const char *xml, bool autostart, gpointer data,
                 GError **error)
{
    MvSecretDriver *driver = data;
    g_autoptr(MvSecretDef) def = NULL;
    g_autoptr(MvSecretObj) other = NULL;
    g_autofree char *base = g_path_get_basename(path);
    char uuid[MV_UUID_STRING_LEN];
    g_autofree char *expect = NULL;
    MvSecretObj *secret;

    (void)autostart;
    if (!(def = mv_secret_def_parse(xml, 0, error)))
        return false;
    mv_uuid_format(def->uuid, uuid);
    expect = g_strconcat(uuid, ".xml", NULL);
    if (!g_str_equal(base, expect))
        return mv_error_set(error, MV_FROM_SECRET, MV_ERR_INTERNAL_ERROR,
                            "the file holds secret %s: it should be called %s", uuid, expect);
    if (def->ephemeral)
        return mv_error_set(error, MV_FROM_SECRET, MV_ERR_INTERNAL_ERROR,
                            "an ephemeral secret is never stored: the file was not written by "
                            "modvirt-storaged");
    if ((other = mv_secret_obj_find_usage(driver, def->usage_type, def->usage_id)))
        return mv_error_set(error, MV_FROM_SECRET, MV_ERR_INTERNAL_ERROR,
                            "secret %s already has the usage %s '%s'", other->name,
                            mv_secret_usage_type_to_string(def->usage_type), def->usage_id);
    secret = g_new0(MvSecretObj, 1);
    mv_driver_object_init(MV_DRIVER_OBJECT(secret), &mv_secret_obj_class, uuid, def->uuid);
    secret->persistent = true;
    secret->def = g_steal_pointer(&def);
    if (!mv_driver_list_add(driver->secrets, MV_DRIVER_OBJECT(secret), error)) {
        mv_driver_object_unref(MV_DRIVER_OBJECT(secret));
        return false;
    }
    mv_driver_object_unref(MV_DRIVER_OBJECT(secret));
    return true;
}

static void
reconcile_rejected(const char *path, bool is_status, const GError *error, gpointer data)
{
    (void)is_status;
    (void)data;
    mv_log_error("ignoring the secret definition %s: %s", path, error->message);
}

/* Temp files of value writes a killed daemon never finished. */
static void
remove_stale_temps(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *entry;

    while (d && (entry = g_dir_read_name(d))) {
        if (strstr(entry, ".value.tmp-")) {
            g_autofree char *path = g_build_filename(dir, entry, NULL);

            if (unlink(path) < 0 && errno != ENOENT)
                mv_log_warning("cannot remove %s: %s", path, g_strerror(errno));
        }
    }
}

/* Value files whose secret is not defined: an undefine (or a move to
 * ephemeral) the daemon was killed in removed the definition but not the
 * value yet. Left there, a later define of the same UUID would find the old
 * value again: remove them (after the definitions are loaded). */
static void
remove_orphan_values(MvSecretDriver *driver)
{
    g_autoptr(GDir) d = g_dir_open(driver->dir, 0, NULL);
    const char *entry;

    while (d && (entry = g_dir_read_name(d))) {
        g_autofree char *uuid = NULL;
        g_autofree char *path = NULL;
        MvDriverObject *obj;

        if (!g_str_has_suffix(entry, ".value"))
            continue;
        uuid = g_strndup(entry, strlen(entry) - strlen(".value"));
        if ((obj = mv_driver_list_find_by_name(driver->secrets, uuid))) {
            mv_driver_object_unref(obj);
            continue;
        }
        path = g_build_filename(driver->dir, entry, NULL);
        if (unlink(path) < 0 && errno != ENOENT)
            mv_log_warning("cannot remove %s: %s", path, g_strerror(errno));
        else
            mv_log_warning("removed the value of secret %s, which is not defined (its "
                           "undefine was interrupted)", uuid);
    }
}

MvSecretDriver *
mv_secret_driver_new(const MvPaths *paths, GError **error)
{
    g_autoptr(MvSecretDriver) driver = g_new0(MvSecretDriver, 1);
    g_autofree char *run_dir = mv_paths_state_dir(paths, "secrets");
    g_autofree char *lib_dir = mv_paths_data_dir(paths, "secrets");
    g_autofree char *key_path = g_build_filename(lib_dir, "host.key", NULL);
    static const MvDriverReconcile cb = {
        .config = reconcile_config,
        .rejected = reconcile_rejected,
    };

    g_mutex_init(&driver->define_lock);
    driver->dir = mv_paths_definitions_dir(paths, "secrets");
    driver->store = mv_driver_store_new(driver->dir, run_dir, MV_FROM_SECRET);
    driver->vault = mv_secret_vault_new(key_path);
    driver->secrets = mv_driver_list_new(&mv_secret_obj_class, driver);
    driver->events = mv_secret_events_new();
    if (!mv_driver_store_create_dirs(driver->store, error))
        return NULL;
    remove_stale_temps(driver->dir);
    mv_driver_store_reconcile(driver->store, &cb, driver);
    remove_orphan_values(driver);
    mv_log_debug("%u secrets loaded from %s", mv_driver_list_count(driver->secrets), driver->dir);
    g_atomic_pointer_set(&secret_driver_current, driver);
    return g_steal_pointer(&driver);
}

void
mv_secret_driver_free(MvSecretDriver *driver)
{
    if (!driver)
        return;
    g_atomic_pointer_compare_and_exchange(&secret_driver_current, driver, NULL);
    if (driver->secrets) {
        g_autoptr(GPtrArray) all = mv_driver_list_snapshot(driver->secrets);

        for (guint i = 0; i < all->len; i++)
            mv_driver_list_remove(driver->secrets, all->pdata[i]);
        mv_driver_list_free(driver->secrets);
    }
    if (driver->events)
        mv_driver_events_free(driver->events);
    mv_secret_vault_free(driver->vault);
    mv_driver_store_free(driver->store);
    g_free(driver->dir);
    g_mutex_clear(&driver->define_lock);
    g_free(driver);
}

void
mv_secret_driver_set_daemon(MvSecretDriver *driver, MvDaemon *daemon)
{
    if (driver)
        driver->daemon = daemon;
}

static void
count_ephemeral(MvDriverObject *obj, gpointer data)
{
    guint *count = data;

    g_mutex_lock(&obj->lock);
    if (!obj->persistent)
        (*count)++;
    g_mutex_unlock(&obj->lock);
}

void
mv_secret_driver_idle_update(MvSecretDriver *driver)
{
    guint ephemeral = 0;
    bool hold;

    mv_driver_list_foreach(driver->secrets, NULL, count_ephemeral, &ephemeral);
    hold = ephemeral > 0;
    if (!driver->daemon || hold == driver->idle_held)
        return;
    driver->idle_held = hold;
    mv_daemon_hold_idle(driver->daemon, hold);
}

void
mv_secret_driver_conn_closed(MvSecretDriver *driver, MvServerClient *client)
{
    if (driver && driver->events)
        mv_driver_events_client_closed(driver->events, client);
}

bool
mv_secret_driver_get_value(MvSecretDriver *driver, const guint8 uuid[16], guint8 **ret_value,
                           gsize *ret_len, GError **error)
{
    g_autoptr(MvSecretObj) secret = NULL;
    char text[MV_UUID_STRING_LEN];
    g_autoptr(GMutexLocker) locker = NULL;
    guint8 *value = NULL;
    gsize len = 0;

    if (!driver)
        return mv_error_set(error, MV_FROM_SECRET, MV_ERR_INTERNAL_ERROR,
                            "the secret driver is not running");
    secret = MV_SECRET_OBJ(mv_driver_list_find_by_uuid(driver->secrets, uuid));
    if (!secret) {
        mv_uuid_format(uuid, text);
        return mv_error_set(error, MV_FROM_SECRET, MV_ERR_NO_SECRET,
                            "Secret not found: no secret with matching uuid '%s'", text);
    }
    locker = g_mutex_locker_new(&driver->define_lock);
    if (!mv_secret_obj_read_value(driver, secret, &value, &len, error))
        return false;
    *ret_value = value;
    *ret_len = len;
    return true;
}

void
mv_secret_value_free(guint8 *value, gsize len)
{
    if (!value)
        return;
    explicit_bzero(value, len);
    g_free(value);
}
