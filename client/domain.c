/* MvDomain handles, lookups, definition and the lifecycle and query calls. */
#include <stdlib.h>
#include <string.h>

#include "client-priv.h"
#include "util/uuid.h"

struct _MvDomain {
    gint refs;
    MvConnect *conn;
    char *name;
    guint8 uuid[MV_UUID_BUFLEN];
    char uuid_string[MV_UUID_STRING_LEN];
    gint id;                    /* atomic: updated by start / power-off */
};

#define DOMAIN_OK(dom, func, error) mv_client_check_arg((dom) != NULL, func, "the domain", error)

MvDomain *
mv_domain_new_from_wire(MvConnect *conn, const mv_remote_nonnull_domain *ref)
{
    MvDomain *dom = g_new0(MvDomain, 1);

    dom->refs = 1;
    dom->conn = mv_connect_ref(conn);
    dom->name = g_strdup(ref->name);
    memcpy(dom->uuid, ref->uuid, MV_UUID_BUFLEN);
    mv_uuid_format(dom->uuid, dom->uuid_string);
    dom->id = ref->id;
    return dom;
}

void
mv_domain_to_wire(MvDomain *dom, mv_remote_nonnull_domain *ret_ref)
{
    ret_ref->name = dom->name;
    memcpy(ret_ref->uuid, dom->uuid, MV_UUID_BUFLEN);
    ret_ref->id = g_atomic_int_get(&dom->id);
}

MvDomain *
mv_domain_ref(MvDomain *dom)
{
    if (dom)
        g_atomic_int_inc(&dom->refs);
    return dom;
}

void
mv_domain_unref(MvDomain *dom)
{
    if (!dom || !g_atomic_int_dec_and_test(&dom->refs))
        return;
    mv_connect_unref(dom->conn);
    g_free(dom->name);
    g_free(dom);
}

const char *
mv_domain_get_name(MvDomain *dom)
{
    g_return_val_if_fail(dom, NULL);
    return dom->name;
}

const char *
mv_domain_get_uuid_string(MvDomain *dom)
{
    g_return_val_if_fail(dom, NULL);
    return dom->uuid_string;
}

int
mv_domain_get_id(MvDomain *dom)
{
    g_return_val_if_fail(dom, -1);
    return g_atomic_int_get(&dom->id);
}

MvConnect *
mv_domain_get_connect(MvDomain *dom)
{
    g_return_val_if_fail(dom, NULL);
    return dom->conn;
}

const char *
mv_domain_state_name(MvDomainState state)
{
    static const char *const names[MV_DOMAIN_STATE_LAST] = {
        [MV_DOMAIN_STATE_NONE] = "no state",
        [MV_DOMAIN_STATE_RUNNING] = "running",
        [MV_DOMAIN_STATE_BLOCKED] = "blocked",
        [MV_DOMAIN_STATE_PAUSED] = "paused",
        [MV_DOMAIN_STATE_SHUTDOWN] = "shutting down",
        [MV_DOMAIN_STATE_SHUTOFF] = "shut off",
        [MV_DOMAIN_STATE_CRASHED] = "crashed",
        [MV_DOMAIN_STATE_PMSUSPENDED] = "suspended by guest",
    };

    if ((int)state < 0 || state >= MV_DOMAIN_STATE_LAST)
        return "unknown";
    return names[state];
}

/* ---- lookups and definition ------------------------------------------------ */

/* Wraps the domain of a lookup/define reply in a handle on @conn and frees
 * the reply's strings (every such reply is just `mv_remote_nonnull_domain dom`). */
static MvDomain *
domain_from_reply(MvConnect *conn, mv_remote_nonnull_domain *ref)
{
    MvDomain *dom = mv_domain_new_from_wire(conn, ref);

    xdr_free((xdrproc_t)xdr_mv_remote_nonnull_domain, (char *)ref);
    return dom;
}

MvDomain *
mv_domain_lookup_by_name(MvConnect *conn, const char *name, unsigned int flags, GError **error)
{
    mv_remote_domain_lookup_by_name_args args = { .name = (char *)name };
    mv_remote_domain_lookup_by_name_ret ret = { 0 };
    MvRpcClient *rpc;

    if (!mv_client_check_flags(flags, 0, "mv_domain_lookup_by_name", error) ||
        !mv_client_check_arg(name != NULL, "mv_domain_lookup_by_name", "name", error) ||
        !(rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, error)) ||
        !mv_remote_domain_lookup_by_name(rpc, &args, &ret, error))
        return NULL;
    return domain_from_reply(conn, &ret.dom);
}

MvDomain *
mv_domain_lookup_by_uuid(MvConnect *conn, const char *uuid, unsigned int flags, GError **error)
{
    mv_remote_domain_lookup_by_uuid_args args;
    mv_remote_domain_lookup_by_uuid_ret ret = { 0 };
    guint8 raw[MV_UUID_BUFLEN];
    MvRpcClient *rpc;

    if (!mv_client_check_flags(flags, 0, "mv_domain_lookup_by_uuid", error) ||
        !mv_client_check_arg(uuid != NULL, "mv_domain_lookup_by_uuid", "uuid", error) ||
        !mv_uuid_parse(uuid, raw, error))
        return NULL;
    memcpy(args.uuid, raw, sizeof(raw));
    if (!(rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID, error)) ||
        !mv_remote_domain_lookup_by_uuid(rpc, &args, &ret, error))
        return NULL;
    return domain_from_reply(conn, &ret.dom);
}

MvDomain *
mv_domain_lookup_by_id(MvConnect *conn, int id, unsigned int flags, GError **error)
{
    mv_remote_domain_lookup_by_id_args args = { .id = id };
    mv_remote_domain_lookup_by_id_ret ret = { 0 };
    MvRpcClient *rpc;

    if (!mv_client_check_flags(flags, 0, "mv_domain_lookup_by_id", error) ||
        !(rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_DOMAIN_LOOKUP_BY_ID, error)) ||
        !mv_remote_domain_lookup_by_id(rpc, &args, &ret, error))
        return NULL;
    return domain_from_reply(conn, &ret.dom);
}

MvDomain *
mv_domain_lookup(MvConnect *conn, const char *what, unsigned int flags, GError **error)
{
    g_autoptr(GError) local = NULL;
    guint8 raw[MV_UUID_BUFLEN];
    MvDomain *dom = NULL;

    if (!mv_client_check_flags(flags, 0, "mv_domain_lookup", error) ||
        !mv_client_check_arg(what != NULL && *what, "mv_domain_lookup", "the domain name", error))
        return NULL;
    if (strspn(what, "0123456789") == strlen(what) && strlen(what) < 10)
        dom = mv_domain_lookup_by_id(conn, atoi(what), 0, &local);
    else if (mv_uuid_parse(what, raw, NULL))
        dom = mv_domain_lookup_by_uuid(conn, what, 0, &local);
    if (dom)
        return dom;
    if (local && !mv_error_matches(local, MV_ERR_NO_DOMAIN)) {
        g_propagate_error(error, g_steal_pointer(&local));
        return NULL;
    }
    g_clear_error(&local);
    if ((dom = mv_domain_lookup_by_name(conn, what, 0, &local)))
        return dom;
    if (mv_error_matches(local, MV_ERR_NO_DOMAIN)) {
        mv_error_set(error, mv_error_get_subsystem(local), MV_ERR_NO_DOMAIN,
                     "no domain with name, UUID or id '%s'", what);
        return NULL;
    }
    g_propagate_error(error, g_steal_pointer(&local));
    return NULL;
}

MvDomain *
mv_domain_define(MvConnect *conn, const char *xml, unsigned int flags, GError **error)
{
    mv_remote_domain_define_xml_flags_args args = { .xml = (char *)xml, .flags = flags };
    mv_remote_domain_define_xml_flags_ret ret = { 0 };
    MvRpcClient *rpc;

    if (!mv_client_check_flags(flags, MV_DOMAIN_DEFINE_VALIDATE, "mv_domain_define", error) ||
        !mv_client_check_arg(xml != NULL, "mv_domain_define", "xml", error) ||
        !(rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_DOMAIN_DEFINE_XML_FLAGS, error)) ||
        !mv_remote_domain_define_xml_flags(rpc, &args, &ret, error))
        return NULL;
    return domain_from_reply(conn, &ret.dom);
}

MvDomain *
mv_domain_start_transient(MvConnect *conn, const char *xml, unsigned int flags, GError **error)
{
    mv_remote_domain_create_xml_args args = { .xml = (char *)xml, .flags = flags };
    mv_remote_domain_create_xml_ret ret = { 0 };
    MvRpcClient *rpc;

    if (!mv_client_check_flags(flags, MV_DOMAIN_START_PAUSED, "mv_domain_start_transient",
                               error) ||
        !mv_client_check_arg(xml != NULL, "mv_domain_start_transient", "xml", error) ||
        !(rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_DOMAIN_CREATE_XML, error)) ||
        !mv_remote_domain_create_xml(rpc, &args, &ret, error))
        return NULL;
    return domain_from_reply(conn, &ret.dom);
}

/* ---- lifecycle ------------------------------------------------------------- */

/* What every call on a domain does before sending: checks @dom and @flags
 * (bits outside @allowed) for @func, fills @ret_ref and returns the RPC
 * client of the daemon serving @proc. NULL with @error set. */
static MvRpcClient *
domain_prepare(MvDomain *dom, int proc, unsigned int flags, unsigned int allowed,
               const char *func, mv_remote_nonnull_domain *ret_ref, GError **error)
{
    if (!DOMAIN_OK(dom, func, error) || !mv_client_check_flags(flags, allowed, func, error))
        return NULL;
    mv_domain_to_wire(dom, ret_ref);
    return mv_connect_rpc(dom->conn, proc, error);
}

bool
mv_domain_start(MvDomain *dom, unsigned int flags, GError **error)
{
    mv_remote_domain_create_with_flags_args args = { .flags = flags };
    mv_remote_domain_create_with_flags_ret ret = { 0 };
    MvRpcClient *rpc = domain_prepare(dom, MV_REMOTE_PROC_DOMAIN_CREATE_WITH_FLAGS, flags,
                                      MV_DOMAIN_START_PAUSED, "mv_domain_start", &args.dom,
                                      error);

    if (!rpc || !mv_remote_domain_create_with_flags(rpc, &args, &ret, error))
        return false;
    g_atomic_int_set(&dom->id, ret.dom.id);
    xdr_free((xdrproc_t)xdr_mv_remote_domain_create_with_flags_ret, (char *)&ret);
    return true;
}

bool
mv_domain_shutdown(MvDomain *dom, unsigned int flags, GError **error)
{
    mv_remote_domain_shutdown_flags_args args = { .flags = flags };
    MvRpcClient *rpc = domain_prepare(dom, MV_REMOTE_PROC_DOMAIN_SHUTDOWN_FLAGS, flags, 0,
                                      "mv_domain_shutdown", &args.dom, error);

    return rpc && mv_remote_domain_shutdown_flags(rpc, &args, error);
}

bool
mv_domain_power_off(MvDomain *dom, unsigned int flags, GError **error)
{
    mv_remote_domain_destroy_flags_args args = { .flags = flags };
    MvRpcClient *rpc = domain_prepare(dom, MV_REMOTE_PROC_DOMAIN_DESTROY_FLAGS, flags,
                                      MV_DOMAIN_POWER_OFF_GRACEFUL, "mv_domain_power_off",
                                      &args.dom, error);

    if (!rpc || !mv_remote_domain_destroy_flags(rpc, &args, error))
        return false;
    g_atomic_int_set(&dom->id, -1);
    return true;
}

bool
mv_domain_reboot(MvDomain *dom, unsigned int flags, GError **error)
{
    mv_remote_domain_reboot_args args = { .flags = flags };
    MvRpcClient *rpc = domain_prepare(dom, MV_REMOTE_PROC_DOMAIN_REBOOT, flags, 0,
                                      "mv_domain_reboot", &args.dom, error);

    return rpc && mv_remote_domain_reboot(rpc, &args, error);
}

bool
mv_domain_reset(MvDomain *dom, unsigned int flags, GError **error)
{
    mv_remote_domain_reset_args args = { .flags = flags };
    MvRpcClient *rpc = domain_prepare(dom, MV_REMOTE_PROC_DOMAIN_RESET, flags, 0,
                                      "mv_domain_reset", &args.dom, error);

    return rpc && mv_remote_domain_reset(rpc, &args, error);
}

bool
mv_domain_suspend(MvDomain *dom, unsigned int flags, GError **error)
{
    mv_remote_domain_suspend_args args;
    MvRpcClient *rpc = domain_prepare(dom, MV_REMOTE_PROC_DOMAIN_SUSPEND, flags, 0,
                                      "mv_domain_suspend", &args.dom, error);

    return rpc && mv_remote_domain_suspend(rpc, &args, error);
}

bool
mv_domain_resume(MvDomain *dom, unsigned int flags, GError **error)
{
    mv_remote_domain_resume_args args;
    MvRpcClient *rpc = domain_prepare(dom, MV_REMOTE_PROC_DOMAIN_RESUME, flags, 0,
                                      "mv_domain_resume", &args.dom, error);

    return rpc && mv_remote_domain_resume(rpc, &args, error);
}

bool
mv_domain_undefine(MvDomain *dom, unsigned int flags, GError **error)
{
    mv_remote_domain_undefine_flags_args args = { .flags = flags };
    MvRpcClient *rpc = domain_prepare(dom, MV_REMOTE_PROC_DOMAIN_UNDEFINE_FLAGS, flags, 0,
                                      "mv_domain_undefine", &args.dom, error);

    return rpc && mv_remote_domain_undefine_flags(rpc, &args, error);
}

/* ---- queries and settings ------------------------------------------------------- */

bool
mv_domain_get_state(MvDomain *dom, unsigned int flags, MvDomainState *ret_state,
                    int *ret_reason, GError **error)
{
    MvRpcClient *rpc;
    mv_remote_domain_get_state_args args;
    mv_remote_domain_get_state_ret ret = { 0 };

    if (!DOMAIN_OK(dom, "mv_domain_get_state", error) ||
        !mv_client_check_flags(flags, 0, "mv_domain_get_state", error) ||
        !mv_client_check_arg(ret_state != NULL, "mv_domain_get_state", "ret_state", error))
        return false;
    mv_domain_to_wire(dom, &args.dom);
    args.flags = 0;
    if (!((rpc = mv_connect_rpc(dom->conn, MV_REMOTE_PROC_DOMAIN_GET_STATE, error)) &&
          mv_remote_domain_get_state(rpc, &args, &ret, error)))
        return false;
    *ret_state = (MvDomainState)ret.state;
    if (ret_reason)
        *ret_reason = ret.reason;
    return true;
}

bool
mv_domain_get_autostart(MvDomain *dom, unsigned int flags, bool *ret_autostart,
                        GError **error)
{
    MvRpcClient *rpc;
    mv_remote_domain_get_autostart_args args;
    mv_remote_domain_get_autostart_ret ret = { 0 };

    if (!DOMAIN_OK(dom, "mv_domain_get_autostart", error) ||
        !mv_client_check_flags(flags, 0, "mv_domain_get_autostart", error) ||
        !mv_client_check_arg(ret_autostart != NULL, "mv_domain_get_autostart",
                             "ret_autostart", error))
        return false;
    mv_domain_to_wire(dom, &args.dom);
    if (!((rpc = mv_connect_rpc(dom->conn, MV_REMOTE_PROC_DOMAIN_GET_AUTOSTART, error)) &&
          mv_remote_domain_get_autostart(rpc, &args, &ret, error)))
        return false;
    *ret_autostart = ret.autostart != 0;
    return true;
}

bool
mv_domain_set_autostart(MvDomain *dom, bool autostart, unsigned int flags, GError **error)
{
    mv_remote_domain_set_autostart_args args = { .autostart = autostart ? 1 : 0 };
    MvRpcClient *rpc = domain_prepare(dom, MV_REMOTE_PROC_DOMAIN_SET_AUTOSTART, flags, 0,
                                      "mv_domain_set_autostart", &args.dom, error);

    return rpc && mv_remote_domain_set_autostart(rpc, &args, error);
}

bool
mv_domain_get_info(MvDomain *dom, unsigned int flags, MvDomainInfo *ret_info, GError **error)
{
    MvRpcClient *rpc;
    mv_remote_domain_get_info_args args;
    mv_remote_domain_get_info_ret ret = { 0 };
    mv_remote_domain_is_persistent_args pargs;
    mv_remote_domain_is_persistent_ret pret = { 0 };
    MvDomainInfo info = { 0 };
    bool autostart = false;

    if (!DOMAIN_OK(dom, "mv_domain_get_info", error) ||
        !mv_client_check_flags(flags, 0, "mv_domain_get_info", error) ||
        !mv_client_check_arg(ret_info != NULL, "mv_domain_get_info", "ret_info", error))
        return false;
    mv_domain_to_wire(dom, &args.dom);
    pargs.dom = args.dom;
    if (!((rpc = mv_connect_rpc(dom->conn, MV_REMOTE_PROC_DOMAIN_GET_INFO, error)) &&
          mv_remote_domain_get_info(rpc, &args, &ret, error)) ||
        !((rpc = mv_connect_rpc(dom->conn, MV_REMOTE_PROC_DOMAIN_IS_PERSISTENT, error)) &&
          mv_remote_domain_is_persistent(rpc, &pargs, &pret, error)))
        return false;
    info.persistent = pret.persistent != 0;
    if (info.persistent && !mv_domain_get_autostart(dom, 0, &autostart, error))
        return false;
    info.state = (MvDomainState)ret.state;
    info.max_memory_kib = ret.max_mem;
    info.memory_kib = ret.memory;
    info.vcpus = ret.nr_virt_cpu;
    info.cpu_time_ns = ret.cpu_time;
    info.autostart = autostart;
    *ret_info = info;
    return true;
}

char *
mv_domain_get_xml(MvDomain *dom, unsigned int flags, GError **error)
{
    mv_remote_domain_get_xml_desc_args args = { .flags = flags };
    mv_remote_domain_get_xml_desc_ret ret = { 0 };
    MvRpcClient *rpc = domain_prepare(dom, MV_REMOTE_PROC_DOMAIN_GET_XML_DESC, flags,
                                      MV_DOMAIN_XML_SECURE | MV_DOMAIN_XML_INACTIVE,
                                      "mv_domain_get_xml", &args.dom, error);

    if (!rpc || !mv_remote_domain_get_xml_desc(rpc, &args, &ret, error))
        return NULL;
    return ret.xml;
}
