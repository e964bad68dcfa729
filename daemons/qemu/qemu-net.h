/* A guest NIC's host side, for the whole of its life: at start (or hot-plug)
 * the tap is created and plugged into its bridge — the one named in
 * <source bridge='…'/>, or the one modvirt-networkd names when it hands out a
 * port of <source network='…'/> — and a <filterref> becomes an nwfilter
 * binding in modvirt-filterd; at stop (or unplug) the port and the binding are
 * deleted again. qemud never creates bridges or firewall rules itself. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "qemu-driver.h"

G_BEGIN_DECLS

/**
 * mv_qemu_net_connect:
 * Makes the host side of interface @net of domain @def. For 'bridge' and
 * 'network' interfaces: a tap (named <target dev> or vnetN), plugged and up
 * (down with <link state='down'/>); *@ret_fd is its fd, which the caller
 * hands to QEMU and closes. 'user' and 'ethernet' interfaces get no fd
 * (*@ret_fd = -1). Records the live data in @net: target_dev, and for a
 * network its port_id and bridge. On failure nothing is left behind.
 */
bool mv_qemu_net_connect(MvQemuDriver *driver, const MvDomainDef *def, MvDomainNetDef *net,
                         int *ret_fd, GError **error);

/**
 * mv_qemu_net_disconnect:
 * Undoes mv_qemu_net_connect() for @net once QEMU let go of it: deletes its
 * filter binding and its network port (best effort: failures are logged, the
 * guest is gone either way). The tap itself disappears with QEMU's fd.
 */
void mv_qemu_net_disconnect(MvQemuDriver *driver, const MvDomainDef *def,
                            const MvDomainNetDef *net);

/** mv_qemu_net_disconnect_all: mv_qemu_net_disconnect() for every interface of @def. */
void mv_qemu_net_disconnect_all(MvQemuDriver *driver, const MvDomainDef *def);

/**
 * mv_qemu_net_set_link:
 * Sets the link of the running interface @net (alias set) up or down: in the
 * guest's NIC through QMP set_link and on the host side of its tap.
 */
bool mv_qemu_net_set_link(MvQemuMonitor *mon, const MvDomainNetDef *net, bool up, GError **error);

G_END_DECLS
