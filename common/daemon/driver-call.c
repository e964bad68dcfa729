/* The neutral call handle of typed driver handlers (driver-call.h). An
 * MvDriverCall is the MvServerCall it stands for: the generated glue passes
 * one as the other, and only this file and the glue know. */
#include "daemon/driver-call.h"

#include "daemon/daemon.h"

MvDaemon *
mv_driver_call_daemon(MvDriverCall *call)
{
    return mv_daemon_call_daemon((MvServerCall *)call);
}

gpointer
mv_driver_call_driver_data(MvDriverCall *call)
{
    return mv_daemon_get_driver_data(mv_driver_call_daemon(call));
}

MvDaemonConn *
mv_driver_call_conn(MvDriverCall *call)
{
    return mv_daemon_call_conn((MvServerCall *)call);
}

bool
mv_driver_call_is_readonly(MvDriverCall *call)
{
    return mv_server_client_is_readonly(mv_driver_call_client(call));
}

MvServerClient *
mv_driver_call_client(MvDriverCall *call)
{
    return mv_server_call_get_client((MvServerCall *)call);
}

bool
mv_driver_call_caller_uid(MvDriverCall *call, uid_t *ret_uid)
{
    MvDaemonConn *conn = mv_driver_call_conn(call);
    const char *forwarded = conn->identity ? g_hash_table_lookup(conn->identity, "unix-user-id")
                                           : NULL;
    guint64 v;
    uid_t uid;

    if (conn->identity) {
        /* Someone else's: a forwarded identity without a UNIX uid (a TLS
         * client of the proxy) is not a local user at all. */
        if (!forwarded || !g_ascii_string_to_unsigned(forwarded, 10, 0, G_MAXUINT32 - 1, &v,
                                                      NULL))
            return false;
        *ret_uid = (uid_t)v;
        return true;
    }
    if (!mv_server_client_get_identity(mv_driver_call_client(call), NULL, &uid, NULL))
        return false;
    *ret_uid = uid;
    return true;
}

MvServerCall *
mv_driver_call_server_call(MvDriverCall *call)
{
    return (MvServerCall *)call;
}

void
mv_object_ref_clear(MvObjectRef *ref)
{
    g_clear_pointer(&ref->name, g_free);
    g_clear_pointer(&ref->pool, g_free);
    g_clear_pointer(&ref->key, g_free);
}

typedef struct {
    bool need_results;
    MvObjectRefFill fill;
    MvObjectRef *refs;          /* NULL: count only */
} ListAll;

static void
list_alloc(guint count, gpointer data)
{
    ListAll *la = data;

    if (la->need_results)
        la->refs = g_new0(MvObjectRef, MAX(count, 1));
}

static void
list_emit(MvDriverObject *obj, guint index, gpointer data)
{
    ListAll *la = data;

    if (la->refs)
        la->fill(&la->refs[index], obj);
}

bool
mv_driver_list_all_refs(MvDriverList *list, const MvDriverQuery *query, guint max,
                        int need_results, MvObjectRefFill fill, MvObjectRef **ret_refs,
                        guint *ret_n_refs, unsigned int *ret_ret, GError **error)
{
    ListAll la = { .need_results = need_results != 0, .fill = fill };
    guint n;

    if (!mv_driver_list_select(list, query, max, list_alloc, list_emit, &la, &n, error))
        return false;
    *ret_refs = la.refs;
    *ret_n_refs = la.refs ? n : 0;
    *ret_ret = n;
    return true;
}

GArray *
mv_typed_params_new(void)
{
    return g_array_new(FALSE, TRUE, sizeof(MvTypedParam));
}

static void
append(GArray *params, const char *field, int type, MvTypedParam *p)
{
    p->field = g_strdup(field);
    p->type = type;
    g_array_append_vals(params, p, 1);
}

void
mv_typed_params_append_int(GArray *params, const char *field, int value)
{
    MvTypedParam p = { .value.i = value };
    append(params, field, MV_TYPED_PARAM_INT, &p);
}

void
mv_typed_params_append_uint(GArray *params, const char *field, unsigned int value)
{
    MvTypedParam p = { .value.ui = value };
    append(params, field, MV_TYPED_PARAM_UINT, &p);
}

void
mv_typed_params_append_ullong(GArray *params, const char *field, uint64_t value)
{
    MvTypedParam p = { .value.ul = value };
    append(params, field, MV_TYPED_PARAM_ULLONG, &p);
}

void
mv_typed_params_append_string(GArray *params, const char *field, const char *s)
{
    MvTypedParam p = { .value.s = g_strdup(s) };
    append(params, field, MV_TYPED_PARAM_STRING, &p);
}
