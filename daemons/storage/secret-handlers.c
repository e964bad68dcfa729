/* The secret procedures (MvRemoteSecretDriver), see secret-driver.h. Lookups
 * and lists answer from memory; define, undefine and the values go through
 * the driver's define lock and the files. */
#define MV_LOG_CATEGORY "secret"
#include "secret-driver-priv.h"

#include <string.h>

#include "daemon/secret-events.h"
#include "util/error.h"
#include "util/file.h"
#include "util/log.h"
#include "storage-crash.h"
#include "util/uuid.h"

#define FROM MV_FROM_SECRET

/* ---- helpers ---- */

static MvSecretDriver *
get_driver(GError **error)
{
    MvSecretDriver *driver = mv_secret_driver_current();

    if (!driver)
        mv_error_set(error, FROM, MV_ERR_INTERNAL_ERROR, "the secret driver is not running");
    return driver;
}

static bool
check_flags(unsigned int flags, unsigned int allowed, const char *api, GError **error)
{
    if (flags & ~allowed)
        return mv_error_set(error, FROM, MV_ERR_INVALID_ARG,
                            "unsupported flags (0x%x) in function %s", flags & ~allowed, api);
    return true;
}

static bool
no_uuid(const guint8 *uuid, GError **error)
{
    char text[MV_UUID_STRING_LEN];

    mv_uuid_format(uuid, text);
    return mv_error_set(error, FROM, MV_ERR_NO_SECRET,
                        "Secret not found: no secret with matching uuid '%s'", text);
}

/* The secret @ref names (a new reference), or NULL with MV_ERR_NO_SECRET. */
static MvSecretObj *
get_secret(MvSecretDriver *driver, const guint8 *uuid, GError **error)
{
    MvDriverObject *obj = mv_driver_list_find_by_uuid(driver->secrets, uuid);

    if (!obj)
        no_uuid(uuid, error);
    return MV_SECRET_OBJ(obj);
}

/* The reference of @secret (lock held): uuid, usage type, usage id. */
static void
fill_ref(MvObjectRef *ret, const MvSecretObj *secret)
{
    memcpy(ret->uuid, secret->uuid, 16);
    ret->id = secret->def->usage_type;
    ret->name = g_strdup(secret->def->usage_id ? secret->def->usage_id : "");
}

static void
fill_ref_locked(MvObjectRef *ret, MvSecretObj *secret)
{
    g_mutex_lock(&secret->lock);
    fill_ref(ret, secret);
    g_mutex_unlock(&secret->lock);
}

static void
emit_lifecycle(MvSecretDriver *driver, const MvSecretDef *def, int event)
{
    mv_secret_events_lifecycle(driver->events, def->uuid, def->usage_type, def->usage_id, event);
}

/* ---- lookups and lists ---- */

static bool
secret_lookup_by_uuid(MvDriverCall *call, const guint8 *uuid, MvObjectRef *ret_secret,
                      GError **error)
{
    MvSecretDriver *driver = get_driver(error);
    g_autoptr(MvSecretObj) secret = driver ? get_secret(driver, uuid, error) : NULL;

    if (!secret)
        return false;
    fill_ref_locked(ret_secret, secret);
    return true;
}

static bool
secret_lookup_by_usage(MvDriverCall *call, int usage_type, const char *usage_id,
                       MvObjectRef *ret_secret, GError **error)
{
    MvSecretDriver *driver = get_driver(error);
    g_autoptr(MvSecretObj) secret = NULL;

    if (!driver)
        return false;
    if (!(secret = mv_secret_obj_find_usage(driver, usage_type, usage_id)))
        return mv_error_set(error, FROM, MV_ERR_NO_SECRET,
                            "Secret not found: no secret with matching usage '%s'", usage_id);
    fill_ref_locked(ret_secret, secret);
    return true;
}

static bool
connect_num_of_secrets(MvDriverCall *call, int *ret_num, GError **error)
{
    MvSecretDriver *driver = get_driver(error);

    if (!driver)
        return false;
    *ret_num = (int)mv_driver_list_count(driver->secrets);
    return true;
}

static bool
connect_list_secrets(MvDriverCall *call, int maxuuids, char ***ret_uuids, guint *ret_n_uuids,
                     GError **error)
{
    MvSecretDriver *driver = get_driver(error);
    g_autoptr(GPtrArray) all = NULL;
    char **uuids;
    guint n;

    if (!driver)
        return false;
    if (maxuuids < 0 || maxuuids > MV_REMOTE_SECRET_LIST_MAX)
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC, "maximum %d out of range (0..%d)",
                            maxuuids, MV_REMOTE_SECRET_LIST_MAX);
    all = mv_driver_list_snapshot(driver->secrets);
    n = MIN(all->len, (guint)maxuuids);
    uuids = g_new0(char *, MAX(n, 1));
    for (guint i = 0; i < n; i++)
        uuids[i] = g_strdup(MV_SECRET_OBJ(all->pdata[i])->name);
    *ret_uuids = uuids;
    *ret_n_uuids = n;
    return true;
}

/* CONNECT_LIST_ALL_SECRETS filter groups (VIR_CONNECT_LIST_SECRETS_*). */
enum {
    LIST_EPHEMERAL = 1 << 0,
    LIST_NO_EPHEMERAL = 1 << 1,
    LIST_PRIVATE = 1 << 2,
    LIST_NO_PRIVATE = 1 << 3,
    LIST_ALL_FLAGS = (1 << 4) - 1,
};

static bool
filter_ephemeral(const MvDriverObject *obj)
{
    return ((const MvSecretObj *)obj)->def->ephemeral;
}

static bool
filter_private(const MvDriverObject *obj)
{
    return ((const MvSecretObj *)obj)->def->private_value;
}

static const MvDriverFilter list_filters[] = {
    { LIST_EPHEMERAL, LIST_NO_EPHEMERAL, filter_ephemeral },
    { LIST_PRIVATE, LIST_NO_PRIVATE, filter_private },
    { 0 },
};

static void
fill_secret(MvObjectRef *ret, MvDriverObject *obj)
{
    fill_ref(ret, MV_SECRET_OBJ(obj));
}

static bool
connect_list_all_secrets(MvDriverCall *call, int need_results, unsigned int flags,
                         MvObjectRef **ret_secrets, guint *ret_n_secrets, unsigned int *ret_ret,
                         GError **error)
{
    MvSecretDriver *driver = get_driver(error);
    MvDriverQuery query = { flags, list_filters, NULL };

    return driver &&
           check_flags(flags, LIST_ALL_FLAGS, "virConnectListAllSecrets", error) &&
           mv_driver_list_all_refs(driver->secrets, &query, MV_REMOTE_SECRET_LIST_MAX,
                                   need_results, fill_secret, ret_secrets, ret_n_secrets,
                                   ret_ret, error);
}

static bool
secret_get_xml_desc(MvDriverCall *call, const MvObjectRef *secret_ref, unsigned int flags,
                    char **ret_xml, GError **error)
{
    MvSecretDriver *driver = get_driver(error);
    g_autoptr(MvSecretObj) secret = NULL;

    if (!driver || !check_flags(flags, 0, "virSecretGetXMLDesc", error) ||
        !(secret = get_secret(driver, secret_ref->uuid, error)))
        return false;
    g_mutex_lock(&secret->lock);
    *ret_xml = mv_secret_def_format(secret->def);
    g_mutex_unlock(&secret->lock);
    return true;
}

/* ---- define and undefine ---- */

/* libvirt's rules for a definition against the existing secrets (define
 * lock held): the same UUID keeps its usage and stays private once private;
 * a usage belongs to one secret. */
static bool
check_define(MvSecretDriver *driver, const MvSecretDef *def, MvSecretObj *same,
             GError **error)
{
    g_autoptr(MvSecretObj) other = NULL;
    char uuid[MV_UUID_STRING_LEN];

    mv_uuid_format(def->uuid, uuid);
    if (same) {
        const MvSecretDef *old = same->def;

        if (old->usage_type != def->usage_type || g_strcmp0(old->usage_id, def->usage_id))
            return mv_error_set(error, FROM, MV_ERR_INTERNAL_ERROR,
                                "a secret with UUID %s is already defined for use with %s "
                                "'%s': undefine it first to change its usage", uuid,
                                mv_secret_usage_type_to_string(old->usage_type),
                                old->usage_id ? old->usage_id : "");
        if (old->private_value && !def->private_value)
            return mv_error_set(error, FROM, MV_ERR_INTERNAL_ERROR,
                                "cannot change the private flag of the existing secret %s: "
                                "undefine it first", uuid);
        return true;
    }
    if ((other = mv_secret_obj_find_usage(driver, def->usage_type, def->usage_id)))
        return mv_error_set(error, FROM, MV_ERR_INTERNAL_ERROR,
                            "a secret with UUID %s is already defined for use with %s '%s' "
                            "(a usage belongs to one secret)", other->name,
                            mv_secret_usage_type_to_string(def->usage_type), def->usage_id);
    return true;
}

/* Moves the value of @secret where its new definition keeps it (define lock
 * and nothing else held): to memory when it becomes ephemeral (the files go),
 * to its file when it becomes persistent. */
static bool
move_value(MvSecretDriver *driver, MvSecretObj *secret, const MvSecretDef *def,
           GError **error)
{
    g_autofree char *path = mv_secret_obj_value_path(driver, secret);
    guint8 *value = NULL;
    gsize len = 0;
    bool has = false;

    if (def->ephemeral == secret->def->ephemeral)
        return true;
    if (def->ephemeral) {
        if (g_file_test(path, G_FILE_TEST_EXISTS)) {
            if (!mv_secret_obj_read_value(driver, secret, &value, &len, error))
                return false;
            has = true;
        }
        if (!mv_driver_store_delete_config(driver->store, secret->name, error) ||
            !mv_file_remove(path, error)) {
            mv_secret_value_free(value, len);
            return false;
        }
        g_mutex_lock(&secret->lock);
        secret->value = value;
        secret->value_len = len;
        secret->has_value = has;
        g_mutex_unlock(&secret->lock);
        return true;
    }
    if (secret->has_value &&
        !mv_secret_vault_write(driver->vault, path, secret->name, secret->value,
                               secret->value_len, error))
        return false;
    g_mutex_lock(&secret->lock);
    mv_secret_value_free(secret->value, secret->value_len);
    secret->value = NULL;
    secret->value_len = 0;
    secret->has_value = false;
    g_mutex_unlock(&secret->lock);
    return true;
}

static bool
secret_define_xml(MvDriverCall *call, const char *xml, unsigned int flags,
                  MvObjectRef *ret_secret, GError **error)
{
    MvSecretDriver *driver = get_driver(error);
    g_autoptr(MvSecretDef) def = NULL;
    g_autoptr(MvSecretObj) secret = NULL;
    g_autoptr(GMutexLocker) locker = NULL;
    g_autofree char *formatted = NULL;
    char uuid[MV_UUID_STRING_LEN];

    if (!driver || !check_flags(flags, 0, "virSecretDefineXML", error) ||
        !(def = mv_secret_def_parse(xml, 0, error)))
        return false;
    mv_uuid_format(def->uuid, uuid);
    locker = g_mutex_locker_new(&driver->define_lock);
    secret = MV_SECRET_OBJ(mv_driver_list_find_by_uuid(driver->secrets, def->uuid));
    if (!check_define(driver, def, secret, error))
        return false;
    formatted = mv_secret_def_format(def);
    if (secret && !move_value(driver, secret, def, error))
        return false;
    if (!def->ephemeral && !mv_driver_store_save_config(driver->store, uuid, formatted, error))
        return false;
    mv_storage_crash_point("secret-define-saved");
    if (!secret) {
        secret = g_new0(MvSecretObj, 1);
        mv_driver_object_init(MV_DRIVER_OBJECT(secret), &mv_secret_obj_class, uuid, def->uuid);
        secret->persistent = !def->ephemeral;
        secret->def = mv_secret_def_copy(def);
        if (!mv_driver_list_add(driver->secrets, MV_DRIVER_OBJECT(secret), error)) {
            if (!def->ephemeral)
                mv_driver_store_delete_config(driver->store, uuid, NULL);
            return false;
        }
    } else {
        g_mutex_lock(&secret->lock);
        mv_secret_def_free(secret->def);
        secret->def = mv_secret_def_copy(def);
        secret->persistent = !def->ephemeral;
        g_mutex_unlock(&secret->lock);
    }
    fill_ref_locked(ret_secret, secret);
    mv_secret_driver_idle_update(driver);
    emit_lifecycle(driver, def, MV_SECRET_EVENT_DEFINED);
    mv_log_debug("secret %s defined", uuid);
    return true;
}

static bool
secret_undefine(MvDriverCall *call, const MvObjectRef *secret_ref, GError **error)
{
    MvSecretDriver *driver = get_driver(error);
    g_autoptr(MvSecretObj) secret = NULL;
    g_autoptr(GMutexLocker) locker = NULL;
    g_autoptr(MvSecretDef) def = NULL;
    g_autofree char *path = NULL;

    if (!driver)
        return false;
    locker = g_mutex_locker_new(&driver->define_lock);
    if (!(secret = get_secret(driver, secret_ref->uuid, error)))
        return false;
    path = mv_secret_obj_value_path(driver, secret);
    if (!mv_driver_store_delete_config(driver->store, secret->name, error))
        return false;
    mv_storage_crash_point("secret-undefine-config");
    if (!mv_file_remove(path, error))
        return false;
    mv_storage_crash_point("secret-undefine-done");
    g_mutex_lock(&secret->lock);
    def = mv_secret_def_copy(secret->def);
    g_mutex_unlock(&secret->lock);
    mv_driver_list_remove(driver->secrets, MV_DRIVER_OBJECT(secret));
    mv_secret_driver_idle_update(driver);
    emit_lifecycle(driver, def, MV_SECRET_EVENT_UNDEFINED);
    return true;
}

/* ---- values ---- */

static bool
secret_set_value(MvDriverCall *call, const MvObjectRef *secret_ref, const char *value,
                 guint n_value, unsigned int flags, GError **error)
{
    MvSecretDriver *driver = get_driver(error);
    g_autoptr(MvSecretObj) secret = NULL;
    g_autoptr(GMutexLocker) locker = NULL;
    g_autoptr(MvSecretDef) def = NULL;
    g_autofree char *path = NULL;

    if (!driver || !check_flags(flags, 0, "virSecretSetValue", error))
        return false;
    locker = g_mutex_locker_new(&driver->define_lock);
    if (!(secret = get_secret(driver, secret_ref->uuid, error)))
        return false;
    g_mutex_lock(&secret->lock);
    def = mv_secret_def_copy(secret->def);
    g_mutex_unlock(&secret->lock);
    if (def->ephemeral) {
        guint8 *copy = g_memdup2(value, MAX(n_value, 1));

        g_mutex_lock(&secret->lock);
        mv_secret_value_free(secret->value, secret->value_len);
        secret->value = copy;
        secret->value_len = n_value;
        secret->has_value = true;
        g_mutex_unlock(&secret->lock);
    } else {
        path = mv_secret_obj_value_path(driver, secret);
        if (!mv_secret_vault_write(driver->vault, path, secret->name, (const guint8 *)value,
                                   n_value, error))
            return false;
        mv_storage_crash_point("secret-value-saved");
    }
    mv_secret_events_value_changed(driver->events, def->uuid, def->usage_type, def->usage_id);
    return true;
}

static bool
secret_get_value(MvDriverCall *call, const MvObjectRef *secret_ref, unsigned int flags,
                 char **ret_value, guint *ret_n_value, GError **error)
{
    MvSecretDriver *driver = get_driver(error);
    g_autoptr(MvSecretObj) secret = NULL;
    g_autoptr(GMutexLocker) locker = NULL;
    guint8 *value = NULL;
    gsize len = 0;
    bool is_private;
    uid_t uid;

    if (!driver || !check_flags(flags, 0, "virSecretGetValue", error))
        return false;
    /* Read-only connections never get here (remote.x); other users neither. */
    if (!mv_driver_call_caller_uid(call, &uid) || uid != 0)
        return mv_error_set(error, MV_FROM_ACCESS, MV_ERR_ACCESS_DENIED,
                            "access denied: only root may read secret values "
                            "(virSecretGetValue)");
    if (!(secret = get_secret(driver, secret_ref->uuid, error)))
        return false;
    g_mutex_lock(&secret->lock);
    is_private = secret->def->private_value;
    g_mutex_unlock(&secret->lock);
    if (is_private)
        return mv_error_set(error, FROM, MV_ERR_INVALID_SECRET,
                            "Invalid secret: secret %s is private: its value never leaves "
                            "modvirt-storaged", secret->name);
    locker = g_mutex_locker_new(&driver->define_lock);
    if (!mv_secret_obj_read_value(driver, secret, &value, &len, error))
        return false;
    /* The glue hands the buffer to XDR, which frees it without wiping. */
    *ret_value = (char *)value;
    *ret_n_value = (guint)len;
    return true;
}

/* ---- events ---- */

static bool
connect_secret_event_register_any(MvDriverCall *call, int event_id, const MvObjectRef *secret_ref,
                                  int *ret_callback_id, GError **error)
{
    MvSecretDriver *driver = get_driver(error);
    g_autoptr(MvSecretObj) secret = NULL;

    if (!driver)
        return false;
    if (!mv_driver_events_check_id(event_id, MV_SECRET_EVENT_ID_LAST, FROM, error))
        return false;
    if (secret_ref && !(secret = get_secret(driver, secret_ref->uuid, error)))
        return false;
    *ret_callback_id = mv_driver_events_register(driver->events, MV_DRIVER_EVENT_SECRET,
                                                 mv_driver_call_client(call), event_id,
                                                 secret ? secret->uuid : NULL);
    return true;
}

static bool
connect_secret_event_deregister_any(MvDriverCall *call, int callback_id, GError **error)
{
    MvSecretDriver *driver = get_driver(error);

    if (!driver)
        return false;
    return mv_driver_events_deregister_checked(driver->events, MV_DRIVER_EVENT_SECRET,
                                               mv_driver_call_client(call), callback_id, FROM,
                                               error);
}

void
mv_secret_driver_fill(MvRemoteSecretDriver *vtable)
{
    *vtable = (MvRemoteSecretDriver){
        .connect_num_of_secrets = connect_num_of_secrets,
        .connect_list_secrets = connect_list_secrets,
        .secret_lookup_by_uuid = secret_lookup_by_uuid,
        .secret_define_xml = secret_define_xml,
        .secret_get_xml_desc = secret_get_xml_desc,
        .secret_set_value = secret_set_value,
        .secret_get_value = secret_get_value,
        .secret_undefine = secret_undefine,
        .secret_lookup_by_usage = secret_lookup_by_usage,
        .connect_list_all_secrets = connect_list_all_secrets,
        .connect_secret_event_register_any = connect_secret_event_register_any,
        .connect_secret_event_deregister_any = connect_secret_event_deregister_any,
    };
}
