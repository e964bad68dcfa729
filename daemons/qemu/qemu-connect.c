/* Connection- and node-level calls of the QEMU driver: type, version,
 * capabilities, node facts. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-dispatch.h"

#include <string.h>

#include "conf/node.h"

bool
mv_qemu_handle_connect_get_type(MvDriverCall *call, char **ret_type, GError **error)
{
    (*ret_type) = g_strdup("QEMU");
    return true;
}

bool
mv_qemu_handle_connect_get_version(MvDriverCall *call,
                                   uint64_t *ret_hv_ver,
                                   GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);

    if (!mv_qemu_driver_need_probe(driver, error))
        return false;
    (*ret_hv_ver) = driver->probe->version;
    return true;
}

bool
mv_qemu_handle_connect_get_capabilities(MvDriverCall *call,
                                        char **ret_capabilities,
                                        GError **error)
{
    (*ret_capabilities) = g_strdup(mv_qemu_driver_get(call)->capabilities_xml);
    return true;
}

bool
mv_qemu_handle_connect_get_max_vcpus(MvDriverCall *call,
                                     const char *type,
                                     int *ret_max_vcpus,
                                     GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    int max = 0;

    if (!mv_qemu_driver_need_probe(driver, error))
        return false;
    if (type && g_ascii_strcasecmp(type, "qemu") != 0 && g_ascii_strcasecmp(type, "kvm") != 0)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                            "unknown virtualization type '%s': use 'qemu' or 'kvm'", type);
    for (size_t i = 0; i < driver->probe->nmachines; i++)
        max = MAX(max, driver->probe->machines[i].max_cpus);
    (*ret_max_vcpus) = max;
    return true;
}

bool
mv_qemu_handle_node_get_info(MvDriverCall *call,
                             char *ret_model,
                             uint64_t *ret_memory,
                             int *ret_cpus,
                             int *ret_mhz,
                             int *ret_nodes,
                             int *ret_sockets,
                             int *ret_cores,
                             int *ret_threads,
                             GError **error)
{
    MvNodeInfo info;

    if (!mv_node_get_info(&info, error))
        return false;
    memset(ret_model, 0, MV_REMOTE_NODE_MODEL_LEN);
    g_strlcpy(ret_model, info.model, MV_REMOTE_NODE_MODEL_LEN);
    (*ret_memory) = info.memory_kib;
    (*ret_cpus) = info.cpus;
    (*ret_mhz) = info.mhz;
    (*ret_nodes) = info.nodes;
    (*ret_sockets) = info.sockets;
    (*ret_cores) = info.cores;
    (*ret_threads) = info.threads;
    return true;
}

bool
mv_qemu_handle_node_get_free_memory(MvDriverCall *call,
                                    uint64_t *ret_free_mem,
                                    GError **error)
{
    guint64 bytes;

    if (!mv_node_get_free_memory(&bytes, error))
        return false;
    (*ret_free_mem) = bytes;
    return true;
}

bool
mv_qemu_handle_node_get_cells_free_memory(MvDriverCall *call,
                                          int start_cell,
                                          int maxcells,
                                          uint64_t **ret_cells,
                                          guint *ret_n_cells,
                                          GError **error)
{
    int n = 0;

    if (start_cell < 0 || maxcells <= 0 || maxcells > MV_REMOTE_NODE_CELLS_MAX)
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_INVALID_ARG,
                            "invalid cell range: start %d, count %d (1..%d)", start_cell,
                            maxcells, MV_REMOTE_NODE_CELLS_MAX);
    *ret_cells = g_new0(guint64, maxcells);
    if (!mv_node_get_cells_free_memory(start_cell, maxcells,
                                       (guint64 *)*ret_cells, &n, error))
        return false;
    *ret_n_cells = n;
    return true;
}

/* A char<> array on the wire: every byte including the trailing NUL. */
static void
set_char_array(guint *ret_len, char **ret_val, const char *text)
{
    *ret_len = strlen(text) + 1;
    *ret_val = g_strdup(text);
}

bool
mv_qemu_handle_node_get_security_model(MvDriverCall *call,
                                       char **ret_model,
                                       guint *ret_n_model,
                                       char **ret_doi,
                                       guint *ret_n_doi,
                                       GError **error)
{
    /* No security driver is active on hosts without SELinux. */
    set_char_array(ret_n_model, ret_model, "none");
    set_char_array(ret_n_doi, ret_doi, "0");
    return true;
}

