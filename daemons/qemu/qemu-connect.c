/* Connection- and node-level calls of the QEMU driver: type, version,
 * capabilities, node facts. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-driver.h"

#include <string.h>

#include "conf/node.h"

static bool
connect_get_type(MvServerCall *call, const void *args, mv_remote_connect_get_type_ret *ret,
                 GError **error)
{
    ret->type = g_strdup("QEMU");
    return true;
}

static bool
connect_get_version(MvServerCall *call, const void *args,
                    mv_remote_connect_get_version_ret *ret, GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);

    if (!mv_qemu_driver_need_probe(driver, error))
        return false;
    ret->hv_ver = driver->probe->version;
    return true;
}

static bool
connect_get_capabilities(MvServerCall *call, const void *args,
                         mv_remote_connect_get_capabilities_ret *ret, GError **error)
{
    ret->capabilities = g_strdup(mv_qemu_driver_get(call)->capabilities_xml);
    return true;
}

static bool
connect_get_max_vcpus(MvServerCall *call, const mv_remote_connect_get_max_vcpus_args *args,
                      mv_remote_connect_get_max_vcpus_ret *ret, GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    const char *type = args->type ? *args->type : NULL;
    int max = 0;

    if (!mv_qemu_driver_need_probe(driver, error))
        return false;
    if (type && g_ascii_strcasecmp(type, "qemu") != 0 && g_ascii_strcasecmp(type, "kvm") != 0)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                            "unknown virtualization type '%s': use 'qemu' or 'kvm'", type);
    for (size_t i = 0; i < driver->probe->nmachines; i++)
        max = MAX(max, driver->probe->machines[i].max_cpus);
    ret->max_vcpus = max;
    return true;
}

static bool
node_get_info(MvServerCall *call, const void *args, mv_remote_node_get_info_ret *ret,
              GError **error)
{
    MvNodeInfo info;

    if (!mv_node_get_info(&info, error))
        return false;
    memset(ret->model, 0, sizeof(ret->model));
    g_strlcpy(ret->model, info.model, sizeof(ret->model));
    ret->memory = info.memory_kib;
    ret->cpus = info.cpus;
    ret->mhz = info.mhz;
    ret->nodes = info.nodes;
    ret->sockets = info.sockets;
    ret->cores = info.cores;
    ret->threads = info.threads;
    return true;
}

static bool
node_get_free_memory(MvServerCall *call, const void *args,
                     mv_remote_node_get_free_memory_ret *ret, GError **error)
{
    guint64 bytes;

    if (!mv_node_get_free_memory(&bytes, error))
        return false;
    ret->free_mem = bytes;
    return true;
}

static bool
node_get_cells_free_memory(MvServerCall *call,
                           const mv_remote_node_get_cells_free_memory_args *args,
                           mv_remote_node_get_cells_free_memory_ret *ret, GError **error)
{
    int n = 0;

    if (args->start_cell < 0 || args->maxcells <= 0 || args->maxcells > MV_REMOTE_NODE_CELLS_MAX)
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_INVALID_ARG,
                            "invalid cell range: start %d, count %d (1..%d)", args->start_cell,
                            args->maxcells, MV_REMOTE_NODE_CELLS_MAX);
    ret->cells.cells_val = g_new0(guint64, args->maxcells);
    if (!mv_node_get_cells_free_memory(args->start_cell, args->maxcells,
                                       (guint64 *)ret->cells.cells_val, &n, error))
        return false;
    ret->cells.cells_len = n;
    return true;
}

/* A char<> array on the wire: every byte including the trailing NUL. */
static void
set_char_array(u_int *ret_len, char **ret_val, const char *text)
{
    *ret_len = strlen(text) + 1;
    *ret_val = g_strdup(text);
}

static bool
node_get_security_model(MvServerCall *call, const void *args,
                        mv_remote_node_get_security_model_ret *ret, GError **error)
{
    /* No security driver is active on hosts without SELinux. */
    set_char_array(&ret->model.model_len, &ret->model.model_val, "none");
    set_char_array(&ret->doi.doi_len, &ret->doi.doi_val, "0");
    return true;
}

const MvDispatchFunc mv_qemu_connect_handlers[MV_REMOTE_PROC_LAST] = {
    MV_REMOTE_DISPATCH(CONNECT_GET_TYPE, connect_get_type),
    MV_REMOTE_DISPATCH(CONNECT_GET_VERSION, connect_get_version),
    MV_REMOTE_DISPATCH(CONNECT_GET_CAPABILITIES, connect_get_capabilities),
    MV_REMOTE_DISPATCH(CONNECT_GET_MAX_VCPUS, connect_get_max_vcpus),
    MV_REMOTE_DISPATCH(NODE_GET_INFO, node_get_info),
    MV_REMOTE_DISPATCH(NODE_GET_FREE_MEMORY, node_get_free_memory),
    MV_REMOTE_DISPATCH(NODE_GET_CELLS_FREE_MEMORY, node_get_cells_free_memory),
    MV_REMOTE_DISPATCH(NODE_GET_SECURITY_MODEL, node_get_security_model),
};
