/* Network ports: the piece of an active network handed to one guest NIC.
 * Created by the hypervisor daemon (qemud) with NETWORK_PORT_CREATE_XML,
 * answered with the plug (the bridge to put the tap in). Ports exist only on
 * active networks; each is kept in <run>/network/ports/<network>/<uuid>.xml
 * so a restarted daemon still knows them. Destroying a network deletes its
 * ports (libvirt does the same). */
#pragma once

#include "network-driver.h"

G_BEGIN_DECLS

/**
 * mv_network_ports_load:
 * Reads back the port files of @net (lock held, live) into net->ports; a
 * file that does not parse is logged and removed.
 */
void mv_network_ports_load(MvNetworkDriver *driver, MvNetworkObj *net);

/** mv_network_ports_delete_all: forgets every port of @net, files included (lock held). */
void mv_network_ports_delete_all(MvNetworkDriver *driver, MvNetworkObj *net);

/** mv_network_ports_count: ports in use on @net (lock held). */
guint mv_network_ports_count(const MvNetworkObj *net);

G_END_DECLS
