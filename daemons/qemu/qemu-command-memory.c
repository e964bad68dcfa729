/* Memory devices on the command line and at hot-plug: <memory model='dimm'>
 * becomes a RAM backend object (id mem<alias>) and a pc-dimm device (id
 * <alias>: the user's "ua-" alias or dimm<i>). The same property lists go to
 * -object/-device at start and to QMP object-add/device_add at hot-plug. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-command-priv.h"

#include "conf/domain-conf.h"
#include "util/error.h"

char *
mv_qemu_command_memdev_alias(const MvDomainDef *def, size_t index)
{
    const MvDomainMemdevDef *mem = def->memdevs[index];

    return mem->alias ? g_strdup(mem->alias) : g_strdup_printf("dimm%zu", index);
}

void
mv_qemu_command_memdev_props(const MvDomainMemdevDef *mem, const char *alias,
                             MvQemuProps **ret_backend, MvQemuProps **ret_device)
{
    MvQemuProps *backend = mv_qemu_props_new();
    MvQemuProps *device = mv_qemu_props_new();

    mv_qemu_props_add_str(backend, "qom-type", "memory-backend-ram");
    mv_qemu_props_add_strf(backend, "id", "mem%s", alias);
    mv_qemu_props_add_uint(backend, "size", mem->size * 1024);
    mv_qemu_props_add_str(device, "driver", "pc-dimm");
    mv_qemu_props_add_strf(device, "memdev", "mem%s", alias);
    mv_qemu_props_add_str(device, "id", alias);
    if (mem->slot >= 0)
        mv_qemu_props_add_uint(device, "slot", (guint64)mem->slot);
    if (mem->node >= 0)
        mv_qemu_props_add_uint(device, "node", (guint64)mem->node);
    *ret_backend = backend;
    *ret_device = device;
}

bool
qemu_command_memdevs_add(QemuCmd *cmd, GError **error)
{
    const MvDomainDef *def = cmd->def;

    if (def->nmemdevs && !mv_domain_def_check_memdevs(def, error))
        return false;
    for (size_t i = 0; i < def->nmemdevs; i++) {
        g_autofree char *alias = mv_qemu_command_memdev_alias(def, i);
        g_autoptr(MvQemuProps) backend = NULL;
        g_autoptr(MvQemuProps) device = NULL;
        GString *buf;

        if (def->memdevs[i]->node > 0)
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                                "memory device %zu: NUMA node %d does not exist (the guest "
                                "has no <numa> cells: use node 0 or none)",
                                i + 1, def->memdevs[i]->node);
        mv_qemu_command_memdev_props(def->memdevs[i], alias, &backend, &device);
        buf = g_string_new(NULL);
        mv_qemu_props_format(backend, true, buf);
        qemu_command_add_take(cmd, "-object", buf);
        buf = g_string_new(NULL);
        mv_qemu_props_format(device, true, buf);
        qemu_command_add_take(cmd, "-device", buf);
    }
    return true;
}
