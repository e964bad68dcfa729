/* Test-only entry points of network-bandwidth.c. */
#pragma once

#include <glib.h>
#include <stdbool.h>

/**
 * mv_network_bandwidth_root_qdisc_add_:
 * Adds a root qdisc of @kind (handle 1:) to link @ifindex: the path every
 * qdisc takes, so tests can ask for one the kernel lacks and read the error.
 */
bool mv_network_bandwidth_root_qdisc_add_(int ifindex, const char *kind, GError **error);
