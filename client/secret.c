/* MvSecret handles, the secret list, lookups, definition and values. Every
 * call routes to the daemon owning the 'secret' route (modvirt-storaged). */
#include <string.h>

#include "client-priv.h"
#include "util/uuid.h"

struct _MvSecret {
    gint refs;
    MvConnect *conn;
    guint8 uuid[MV_UUID_BUFLEN];
    char uuid_string[MV_UUID_STRING_LEN];
    int usage_type;
    char *usage_id;
};

#define SECRET_OK(secret, func, error) \
    mv_client_check_arg((secret) != NULL, func, "the secret", error)

#define LIST_ALLOWED (MV_LIST_SECRETS_EPHEMERAL | MV_LIST_SECRETS_NO_EPHEMERAL | \
                      MV_LIST_SECRETS_PRIVATE | MV_LIST_SECRETS_NO_PRIVATE)

MvSecret *
mv_secret_new_from_wire(MvConnect *conn, const mv_remote_nonnull_secret *ref)
{
    MvSecret *secret = g_new0(MvSecret, 1);

    secret->refs = 1;
    secret->conn = mv_connect_ref(conn);
    memcpy(secret->uuid, ref->uuid, MV_UUID_BUFLEN);
    mv_uuid_format(secret->uuid, secret->uuid_string);
    secret->usage_type = ref->usage_type;
    secret->usage_id = g_strdup(ref->usage_id ? ref->usage_id : "");
    return secret;
}

void
mv_secret_to_wire(MvSecret *secret, mv_remote_nonnull_secret *ret_ref)
{
    memcpy(ret_ref->uuid, secret->uuid, MV_UUID_BUFLEN);
    ret_ref->usage_type = secret->usage_type;
    ret_ref->usage_id = secret->usage_id;
}

/* A handle for the secret of a lookup/define reply; frees the reply's strings. */
static MvSecret *
secret_from_reply(MvConnect *conn, mv_remote_nonnull_secret *ref)
{
    MvSecret *secret = mv_secret_new_from_wire(conn, ref);

    xdr_free((xdrproc_t)xdr_mv_remote_nonnull_secret, (char *)ref);
    return secret;
}

MvSecret *
mv_secret_ref(MvSecret *secret)
{
    if (secret)
        g_atomic_int_inc(&secret->refs);
    return secret;
}

void
mv_secret_unref(MvSecret *secret)
{
    if (!secret || !g_atomic_int_dec_and_test(&secret->refs))
        return;
    mv_connect_unref(secret->conn);
    g_free(secret->usage_id);
    g_free(secret);
}

const char *
mv_secret_get_uuid_string(MvSecret *secret)
{
    g_return_val_if_fail(secret, NULL);
    return secret->uuid_string;
}

MvSecretUsageType
mv_secret_get_usage_type(MvSecret *secret)
{
    g_return_val_if_fail(secret, MV_SECRET_USAGE_NONE);
    return secret->usage_type;
}

const char *
mv_secret_get_usage_id(MvSecret *secret)
{
    g_return_val_if_fail(secret, NULL);
    return secret->usage_id;
}

MvConnect *
mv_secret_get_connect(MvSecret *secret)
{
    g_return_val_if_fail(secret, NULL);
    return secret->conn;
}

static const char *const usage_names[MV_SECRET_USAGE_LAST] = {
    "none", "volume", "ceph", "iscsi", "tls", "vtpm",
};

const char *
mv_secret_usage_type_name(MvSecretUsageType type)
{
    if ((int)type < 0 || type >= MV_SECRET_USAGE_LAST)
        return "unknown";
    return usage_names[type];
}

int
mv_secret_usage_type_from_name(const char *name)
{
    for (int i = 0; name && i < MV_SECRET_USAGE_LAST; i++)
        if (strcmp(name, usage_names[i]) == 0)
            return i;
    return -1;
}

/* ---- list, lookups and definition ------------------------------------------ */

static gint
secret_compare(gconstpointer a, gconstpointer b)
{
    return strcmp((*(MvSecret *const *)a)->uuid_string, (*(MvSecret *const *)b)->uuid_string);
}

MvSecret **
mv_connect_list_secrets(MvConnect *conn, unsigned int flags, gsize *ret_count, GError **error)
{
    mv_remote_connect_list_all_secrets_args args = { .need_results = 1, .flags = flags };
    mv_remote_connect_list_all_secrets_ret ret = { 0 };
    MvRpcClient *rpc;
    GPtrArray *list;
    gsize count;

    if (!mv_client_check_flags(flags, LIST_ALLOWED, "mv_connect_list_secrets", error) ||
        !(rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_CONNECT_LIST_ALL_SECRETS, error)) ||
        !mv_remote_connect_list_all_secrets(rpc, &args, &ret, error))
        return NULL;
    list = g_ptr_array_sized_new(ret.secrets.secrets_len + 1);
    for (u_int i = 0; i < ret.secrets.secrets_len; i++)
        g_ptr_array_add(list, mv_secret_new_from_wire(conn, &ret.secrets.secrets_val[i]));
    xdr_free((xdrproc_t)xdr_mv_remote_connect_list_all_secrets_ret, (char *)&ret);
    g_ptr_array_sort(list, secret_compare);
    count = list->len;
    g_ptr_array_add(list, NULL);
    if (ret_count)
        *ret_count = count;
    return (MvSecret **)g_ptr_array_free(list, FALSE);
}

void
mv_secret_list_free(MvSecret **list)
{
    if (!list)
        return;
    for (MvSecret **p = list; *p; p++)
        mv_secret_unref(*p);
    g_free(list);
}

MvSecret *
mv_secret_lookup_by_uuid(MvConnect *conn, const char *uuid, unsigned int flags, GError **error)
{
    mv_remote_secret_lookup_by_uuid_args args;
    mv_remote_secret_lookup_by_uuid_ret ret = { 0 };
    MvRpcClient *rpc;

    if (!mv_client_check_flags(flags, 0, "mv_secret_lookup_by_uuid", error) ||
        !mv_client_check_arg(uuid != NULL, "mv_secret_lookup_by_uuid", "uuid", error) ||
        !mv_uuid_parse(uuid, (guint8 *)args.uuid, error) ||
        !(rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_SECRET_LOOKUP_BY_UUID, error)) ||
        !mv_remote_secret_lookup_by_uuid(rpc, &args, &ret, error))
        return NULL;
    return secret_from_reply(conn, &ret.secret);
}

MvSecret *
mv_secret_lookup_by_usage(MvConnect *conn, MvSecretUsageType usage_type, const char *usage_id,
                          unsigned int flags, GError **error)
{
    mv_remote_secret_lookup_by_usage_args args = {
        .usage_type = usage_type, .usage_id = (char *)usage_id,
    };
    mv_remote_secret_lookup_by_usage_ret ret = { 0 };
    MvRpcClient *rpc;

    if (!mv_client_check_flags(flags, 0, "mv_secret_lookup_by_usage", error) ||
        !mv_client_check_arg(usage_id != NULL, "mv_secret_lookup_by_usage", "usage_id",
                             error) ||
        !(rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_SECRET_LOOKUP_BY_USAGE, error)) ||
        !mv_remote_secret_lookup_by_usage(rpc, &args, &ret, error))
        return NULL;
    return secret_from_reply(conn, &ret.secret);
}

MvSecret *
mv_secret_define(MvConnect *conn, const char *xml, unsigned int flags, GError **error)
{
    mv_remote_secret_define_xml_args args = { .xml = (char *)xml, .flags = flags };
    mv_remote_secret_define_xml_ret ret = { 0 };
    MvRpcClient *rpc;

    if (!mv_client_check_flags(flags, 0, "mv_secret_define", error) ||
        !mv_client_check_arg(xml != NULL, "mv_secret_define", "xml", error) ||
        !(rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_SECRET_DEFINE_XML, error)) ||
        !mv_remote_secret_define_xml(rpc, &args, &ret, error))
        return NULL;
    return secret_from_reply(conn, &ret.secret);
}

/* ---- calls on a secret ------------------------------------------------------ */

/* Checks @secret and @flags for @func, fills @ret_ref and returns the RPC
 * client of the daemon serving @proc; NULL with @error set. */
static MvRpcClient *
secret_prepare(MvSecret *secret, int proc, unsigned int flags, const char *func,
               mv_remote_nonnull_secret *ret_ref, GError **error)
{
    if (!SECRET_OK(secret, func, error) || !mv_client_check_flags(flags, 0, func, error))
        return NULL;
    mv_secret_to_wire(secret, ret_ref);
    return mv_connect_rpc(secret->conn, proc, error);
}

bool
mv_secret_undefine(MvSecret *secret, unsigned int flags, GError **error)
{
    mv_remote_secret_undefine_args args;
    MvRpcClient *rpc = secret_prepare(secret, MV_REMOTE_PROC_SECRET_UNDEFINE, flags,
                                      "mv_secret_undefine", &args.secret, error);

    return rpc && mv_remote_secret_undefine(rpc, &args, error);
}

char *
mv_secret_get_xml(MvSecret *secret, unsigned int flags, GError **error)
{
    mv_remote_secret_get_xml_desc_args args = { .flags = flags };
    mv_remote_secret_get_xml_desc_ret ret = { 0 };
    MvRpcClient *rpc = secret_prepare(secret, MV_REMOTE_PROC_SECRET_GET_XML_DESC, flags,
                                      "mv_secret_get_xml", &args.secret, error);
    char *xml;

    if (!rpc || !mv_remote_secret_get_xml_desc(rpc, &args, &ret, error))
        return NULL;
    xml = g_strdup(ret.xml);
    xdr_free((xdrproc_t)xdr_mv_remote_secret_get_xml_desc_ret, (char *)&ret);
    return xml;
}

bool
mv_secret_set_value(MvSecret *secret, const guint8 *value, gsize len, unsigned int flags,
                    GError **error)
{
    mv_remote_secret_set_value_args args = { .flags = flags };
    MvRpcClient *rpc;

    if (!mv_client_check_arg(value != NULL || len == 0, "mv_secret_set_value", "value",
                             error))
        return false;
    if (len > MV_REMOTE_SECRET_VALUE_MAX)
        return mv_error_set(error, MV_FROM_REMOTE, MV_ERR_INVALID_ARG,
                            "mv_secret_set_value: a value holds at most %d bytes",
                            MV_REMOTE_SECRET_VALUE_MAX);
    rpc = secret_prepare(secret, MV_REMOTE_PROC_SECRET_SET_VALUE, flags, "mv_secret_set_value",
                         &args.secret, error);
    args.value.value_len = len;
    args.value.value_val = (char *)value;
    return rpc && mv_remote_secret_set_value(rpc, &args, error);
}

guint8 *
mv_secret_get_value(MvSecret *secret, gsize *ret_len, unsigned int flags, GError **error)
{
    mv_remote_secret_get_value_args args = { .flags = flags };
    mv_remote_secret_get_value_ret ret = { 0 };
    MvRpcClient *rpc = secret_prepare(secret, MV_REMOTE_PROC_SECRET_GET_VALUE, flags,
                                      "mv_secret_get_value", &args.secret, error);
    guint8 *value;

    if (!mv_client_check_arg(ret_len != NULL, "mv_secret_get_value", "ret_len", error) ||
        !rpc || !mv_remote_secret_get_value(rpc, &args, &ret, error))
        return NULL;
    value = g_malloc(ret.value.value_len + 1);
    memcpy(value, ret.value.value_val, ret.value.value_len);
    value[ret.value.value_len] = 0;
    *ret_len = ret.value.value_len;
    if (ret.value.value_val)
        explicit_bzero(ret.value.value_val, ret.value.value_len);
    xdr_free((xdrproc_t)xdr_mv_remote_secret_get_value_ret, (char *)&ret);
    return value;
}
