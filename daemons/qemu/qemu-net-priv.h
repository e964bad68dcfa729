/* The other daemons a guest NIC needs (qemu-net.c's helpers):
 * qemu-net-port.c asks modvirt-networkd for network ports,
 * qemu-net-filter.c asks modvirt-filterd for nwfilter bindings. */
#pragma once

#include "qemu-net.h"
#include "link/daemon-link.h"

G_BEGIN_DECLS

/**
 * mv_qemu_net_link_open:
 * A connection to the daemon @kind (MV_DAEMON_NETWORK or MV_DAEMON_FILTER)
 * at @socket, opened with its URI. An unreachable daemon is MV_ERR_NO_CONNECT
 * naming the program and the socket.
 */
MvDaemonLink *mv_qemu_net_link_open(MvDaemonKind kind, const char *socket, GError **error);

/**
 * mv_qemu_net_port_create:
 * Creates a port of network @net->source for @net of domain @def in
 * modvirt-networkd; records its UUID in @net->port_id and the bridge to plug
 * the tap into in @net->bridge. An unreachable networkd is an error naming it
 * and its socket.
 */
bool mv_qemu_net_port_create(MvQemuDriver *driver, const MvDomainDef *def, MvDomainNetDef *net,
                             GError **error);

/** mv_qemu_net_port_delete: deletes @net's port (best effort, logged); no-op without one. */
void mv_qemu_net_port_delete(MvQemuDriver *driver, const MvDomainNetDef *net);

/**
 * mv_qemu_net_filter_bind:
 * Creates the nwfilter binding of @net (its tap @net->target_dev, MAC,
 * filter and parameters) in modvirt-filterd. An unreachable filterd is an
 * error naming it and its socket.
 */
bool mv_qemu_net_filter_bind(MvQemuDriver *driver, const MvDomainDef *def,
                             const MvDomainNetDef *net, GError **error);

/** mv_qemu_net_filter_unbind: deletes the binding of @net's tap (best effort, logged). */
void mv_qemu_net_filter_unbind(MvQemuDriver *driver, const MvDomainDef *def,
                               const MvDomainNetDef *net);

G_END_DECLS
