/* The admin socket: the ADMIN program virt-admin speaks (library version,
 * servers, log filters at runtime), on its own server so admin calls never
 * reach the object sockets and vice versa. */
#define MV_LOG_CATEGORY "daemon"
#include "daemon/daemon-priv.h"

#include <string.h>

#include "daemon/admin-protocol.h"
#include "util/log-libvirt.h"
#include "util/log.h"

/* The two "servers" virt-admin can name: the daemon's own and the admin one. */
static const char *
server_name(MvDaemon *daemon, guint i)
{
    return i == 0 ? daemon->desc->program_name : "admin";
}

static MvDaemon *
call_daemon(MvServerCall *call)
{
    return mv_server_call_get_client_data(call);
}

static bool
admin_open(MvServerCall *call, const MvAdminFlagsArgs *args, void *ret, GError **error)
{
    if (args->flags)
        return mv_error_set(error, MV_FROM_ADMIN, MV_ERR_INVALID_ARG,
                            "unsupported flags (0x%x) in function virAdmConnectOpen",
                            args->flags);
    return true;
}

static bool
admin_close(MvServerCall *call, const void *args, void *ret, GError **error)
{
    mv_server_call_close_after_reply(call);
    return true;
}

static bool
admin_get_lib_version(MvServerCall *call, const void *args, MvAdminLibVersionRet *ret,
                      GError **error)
{
    ret->lib_ver = MV_LIBVIRT_COMPAT_VERSION;
    return true;
}

static bool
admin_list_servers(MvServerCall *call, const MvAdminListServersArgs *args,
                   MvAdminListServersRet *ret, GError **error)
{
    MvDaemon *daemon = call_daemon(call);

    if (args->flags)
        return mv_error_set(error, MV_FROM_ADMIN, MV_ERR_INVALID_ARG,
                            "unsupported flags (0x%x) in function virAdmConnectListServers",
                            args->flags);
    ret->ret = 2;
    if (args->need_results) {
        ret->nservers = 2;
        ret->servers = g_new0(char *, 2);
        for (guint i = 0; i < 2; i++)
            ret->servers[i] = g_strdup(server_name(daemon, i));
    }
    return true;
}

static bool
admin_lookup_server(MvServerCall *call, const MvAdminLookupServerArgs *args,
                    MvAdminServerRet *ret, GError **error)
{
    MvDaemon *daemon = call_daemon(call);

    for (guint i = 0; i < 2; i++) {
        if (g_str_equal(args->name, server_name(daemon, i))) {
            ret->name = g_strdup(args->name);
            return true;
        }
    }
    return mv_error_set(error, MV_FROM_ADMIN, MV_ERR_NO_SERVER,
                        "server not found: no server named '%s' (try '%s' or 'admin')",
                        args->name, daemon->desc->program_name);
}

static bool
admin_get_logging_outputs(MvServerCall *call, const MvAdminFlagsArgs *args,
                          MvAdminLoggingOutputsRet *ret, GError **error)
{
    /* Everything goes to stderr (the journal under systemd). */
    ret->outputs = g_strdup("1:stderr");
    ret->noutputs = 1;
    return true;
}

static bool
admin_get_logging_filters(MvServerCall *call, const MvAdminFlagsArgs *args,
                          MvAdminLoggingFiltersRet *ret, GError **error)
{
    g_autofree char *ours = mv_log_get_filters();

    ret->filters = mv_log_filters_to_libvirt(ours, &ret->nfilters);
    return true;
}

static bool
admin_set_logging_filters(MvServerCall *call, const MvAdminSetLoggingFiltersArgs *args,
                          void *ret, GError **error)
{
    g_autofree char *current = mv_log_get_filters();
    g_autofree char *dflt = g_strndup(current, strcspn(current, ","));
    g_autofree char *ours = NULL;

    if (args->flags)
        return mv_error_set(error, MV_FROM_ADMIN, MV_ERR_INVALID_ARG,
                            "unsupported flags (0x%x) in function virAdmConnectSetLoggingFilters",
                            args->flags);
    if (args->filters && *args->filters && !mv_log_filters_is_libvirt(args->filters))
        ours = g_strdup(args->filters);     /* our own syntax works too */
    else if (!(ours = mv_log_filters_from_libvirt(args->filters, dflt, error)))
        return false;
    if (!mv_log_set_filters(ours, error))
        return false;
    mv_log_info("log filters set to '%s' through the admin socket", ours);
    return true;
}

#define ADMIN_DISPATCH(num, fn) [num] = (MvDispatchFunc)(void (*)(void))(fn)

static const MvDispatchFunc admin_handlers[MV_ADMIN_PROC_LAST] = {
    ADMIN_DISPATCH(MV_ADMIN_PROC_CONNECT_OPEN, admin_open),
    ADMIN_DISPATCH(MV_ADMIN_PROC_CONNECT_CLOSE, admin_close),
    ADMIN_DISPATCH(MV_ADMIN_PROC_CONNECT_GET_LIB_VERSION, admin_get_lib_version),
    ADMIN_DISPATCH(MV_ADMIN_PROC_CONNECT_LIST_SERVERS, admin_list_servers),
    ADMIN_DISPATCH(MV_ADMIN_PROC_CONNECT_LOOKUP_SERVER, admin_lookup_server),
    ADMIN_DISPATCH(MV_ADMIN_PROC_CONNECT_GET_LOGGING_OUTPUTS, admin_get_logging_outputs),
    ADMIN_DISPATCH(MV_ADMIN_PROC_CONNECT_GET_LOGGING_FILTERS, admin_get_logging_filters),
    ADMIN_DISPATCH(MV_ADMIN_PROC_CONNECT_SET_LOGGING_FILTERS, admin_set_logging_filters),
};

static gpointer
admin_client_new(MvServerClient *client, gpointer daemon)
{
    return daemon;      /* no per-connection state beyond the daemon */
}

void
mv_daemon_admin_server_config(MvDaemon *daemon, MvServerConfig *ret_config)
{
    *ret_config = daemon->server_config;
    /* Its own pool: read-only and read-write clients can never fill it. */
    ret_config->max_clients = daemon->admin_max_clients ? daemon->admin_max_clients
                                                        : daemon->server_config.max_clients;
    ret_config->max_readonly_clients = ret_config->max_clients;
    ret_config->max_workers = 1;
    ret_config->max_priority_workers = 1;
}

MvServer *
mv_daemon_admin_server_new(MvDaemon *daemon)
{
    MvServerHooks hooks = { .client_new = admin_client_new };
    MvServerConfig config;
    MvServer *server;

    mv_daemon_admin_server_config(daemon, &config);
    server = mv_server_new(&config, 0, &hooks, daemon);
    mv_server_add_program(server, &mv_admin_program, admin_handlers, MV_ADMIN_PROC_LAST);
    return server;
}
