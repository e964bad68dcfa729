/* qemud's domain objects: the driver-frame class and how a domain is made. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-domain.h"
#include "qemu-cgroup.h"

#include <unistd.h>


static void
domain_finalize(MvDriverObject *obj)
{
    MvQemuDomain *dom = MV_QEMU_DOMAIN(obj);

    if (dom->exit_source) {
        g_source_destroy(dom->exit_source);
        g_source_unref(dom->exit_source);
    }
    if (dom->pidfd >= 0)
        close(dom->pidfd);
    mv_qemu_monitor_free(dom->monitor);
    mv_child_free(dom->child);
    mv_domain_def_free(dom->def);
    mv_domain_def_free(dom->newdef);
    mv_domain_def_free(dom->live);
    g_free(dom->monitor_path);
    mv_qemu_cgroup_free(dom->cgroup);
    g_clear_pointer(&dom->unplugged, g_ptr_array_unref);
    g_clear_pointer(&dom->unplug_pending, g_ptr_array_unref);
}

const MvDriverObjectClass mv_qemu_domain_class = {
    .noun = "domain",
    .error_from = MV_FROM_QEMU,
    .conf_from = MV_FROM_DOMAIN,
    .no_object = MV_ERR_NO_DOMAIN,
    .not_found = "Domain not found",
    .not_active = "domain is not running",
    .finalize = domain_finalize,
};

void
mv_qemu_domain_set_state(MvQemuDomain *dom, MvDomainState state, int reason)
{
    dom->state = state;
    dom->reason = reason;
}

MvQemuDomain *
mv_qemu_domains_add(MvDriverList *list, MvDomainDef *def, bool persistent, GError **error)
{
    MvQemuDomain *dom = g_new0(MvQemuDomain, 1);

    mv_driver_object_init(MV_DRIVER_OBJECT(dom), &mv_qemu_domain_class, def->name, def->uuid);
    dom->def = def;
    dom->persistent = persistent;
    dom->pid = -1;
    dom->pidfd = -1;
    dom->state = MV_DOMAIN_SHUTOFF;
    dom->reason = MV_DOMAIN_SHUTOFF_UNKNOWN;
    if (!mv_driver_list_add(list, MV_DRIVER_OBJECT(dom), error)) {
        mv_qemu_domain_unref(dom);
        return NULL;
    }
    return dom;
}
