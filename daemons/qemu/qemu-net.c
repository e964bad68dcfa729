/* Guest NICs' host side, see qemu-net.h. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-net.h"
#include "qemu-net-priv.h"
#include "qemu-net-tap.h"

#include <unistd.h>

#include "util/log.h"
#include "util/netlink.h"

MvDaemonLink *
mv_qemu_net_link_open(MvDaemonKind kind, const char *socket, GError **error)
{
    const MvDaemonInfo *info = mv_daemon_info(kind);
    MvDaemonLinkConfig config = {
        .program = info->program,
        .socket = socket,
        .uri = info->default_uri,
    };

    return mv_daemon_link_open(&config, error);
}

/* The bridge @net is to be plugged into: its own, or a network port's. */
static const char *
net_bridge(const MvDomainNetDef *net)
{
    return net->type == MV_DOMAIN_NET_BRIDGE ? net->source : net->bridge;
}

bool
mv_qemu_net_connect(MvQemuDriver *driver, const MvDomainDef *def, MvDomainNetDef *net, int *ret_fd,
                    GError **error)
{
    g_autofree char *tap = NULL;
    bool isolated = false;
    int fd = -1;

    if (net->type == MV_DOMAIN_NET_USER || net->type == MV_DOMAIN_NET_ETHERNET) {
        /* An ethernet interface's tap is the user's own; only a filter is ours. */
        if (net->filter && net->type == MV_DOMAIN_NET_ETHERNET &&
            !mv_qemu_net_filter_bind(driver, def, net, error))
            return false;
        *ret_fd = -1;
        return true;
    }
    if (net->type == MV_DOMAIN_NET_NETWORK &&
        !mv_qemu_net_port_create(driver, def, net, &isolated, error))
        return false;
    if ((fd = mv_qemu_net_tap_create(net->target_dev, &tap, error)) < 0)
        goto error;
    if (!mv_qemu_net_tap_plug(tap, net->mac, net_bridge(net), net->mtu,
                              net->link_state != MV_DOMAIN_NET_LINK_DOWN, error) ||
        (isolated && !mv_netlink_bridge_port_set_isolated(tap, error)))
        goto error;
    g_free(net->target_dev);
    net->target_dev = g_steal_pointer(&tap);
    if (net->filter && !mv_qemu_net_filter_bind(driver, def, net, error))
        goto error;
    *ret_fd = fd;
    return true;

error:
    if (fd >= 0)
        close(fd); /* the tap goes with it */
    if (net->type == MV_DOMAIN_NET_NETWORK)
        mv_qemu_net_port_delete(driver, net);
    return false;
}

void
mv_qemu_net_disconnect(MvQemuDriver *driver, const MvDomainDef *def, const MvDomainNetDef *net)
{
    if (net->filter && net->target_dev)
        mv_qemu_net_filter_unbind(driver, def, net);
    if (net->type == MV_DOMAIN_NET_NETWORK && net->port_id)
        mv_qemu_net_port_delete(driver, net);
}

void
mv_qemu_net_disconnect_all(MvQemuDriver *driver, const MvDomainDef *def)
{
    for (size_t i = 0; def && i < def->nnets; i++)
        mv_qemu_net_disconnect(driver, def, def->nets[i]);
}

bool
mv_qemu_net_set_link(MvQemuMonitor *mon, const MvDomainNetDef *net, bool up, GError **error)
{
    if (!net->alias)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                            "the interface has no device alias: its link cannot be set");
    if (!mv_qemu_monitor_set_link(mon, net->alias, up, error))
        return false;
    /* The host side follows, as libvirt does, so the bridge stops sending to it too. */
    if (net->target_dev &&
        (net->type == MV_DOMAIN_NET_BRIDGE || net->type == MV_DOMAIN_NET_NETWORK)) {
        g_autoptr(GError) err = NULL;
        if (!mv_netlink_link_set_up(net->target_dev, up, &err))
            mv_log_warning("interface %s: %s", net->alias, err->message);
    }
    return true;
}
