/* The daemon registry: which daemons exist, the URI scheme, sockets and
 * program of each, and which routes (object families) each owns. The data is
 * generated from common/registry/daemons.ini (daemon-registry.h: MvRoute,
 * MvDaemonKind, MvDaemonInfo, mv_daemon_registry[]); the client's routing,
 * the proxy's backends, the server's route checks, the generator and the
 * systemd units all read it. See docs/protocol.md. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "registry/daemon-registry.h"
#include "util/error.h"

G_BEGIN_DECLS

/**
 * mv_route_name:
 * The name of @route as used in remote.x's @route: annotations, logs and
 * messages: "any", "hypervisor", "domain", "network", ...; "none" for an
 * unused table slot (MV_ROUTE_NONE). A static string, or NULL for a value
 * outside MvRoute.
 */
const char *mv_route_name(MvRoute route);

/**
 * mv_route_subsystem:
 * The error subsystem of errors about @route's objects (MV_FROM_NETWORK for
 * MV_ROUTE_NETWORK, MV_FROM_DOMAIN for domains and hypervisor calls);
 * MV_FROM_NONE for "any" and values outside MvRoute.
 */
MvErrorSubsystem mv_route_subsystem(MvRoute route);

/** mv_daemon_info: the registry row of @daemon; NULL outside MvDaemonKind. */
const MvDaemonInfo *mv_daemon_info(MvDaemonKind daemon);

/**
 * mv_daemon_for_scheme:
 * The daemon that serves URI scheme @scheme ("nwfilter" -> MV_DAEMON_FILTER).
 * False for NULL and unknown schemes (the proxy has none).
 */
bool mv_daemon_for_scheme(const char *scheme, MvDaemonKind *ret_daemon);

/**
 * mv_daemon_owner:
 * The one daemon that owns the objects of @route (MV_ROUTE_NETWORK ->
 * MV_DAEMON_NETWORK). False for routes no single daemon owns: "any",
 * "hypervisor" and "domain" (the hypervisor the URI names answers them) and
 * families no modvirt daemon serves yet (secrets, ...).
 */
bool mv_daemon_owner(MvRoute route, MvDaemonKind *ret_daemon);

/**
 * mv_daemon_schemes_text:
 * Every URI scheme of the registry as a phrase for messages:
 * "qemu, lxc, xen, network, storage or nwfilter". Free with g_free().
 */
char *mv_daemon_schemes_text(void);

G_END_DECLS
