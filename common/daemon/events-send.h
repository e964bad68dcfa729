/* What the domain and network event families share (domain-events.c,
 * network-events.c): a registry of MvServerClients and sending one encoded
 * event message to a client. Internal to common/daemon. */
#pragma once

#include <glib.h>
#include <rpc/xdr.h>

#include "driver/events.h"
#include "rpc/server.h"

G_BEGIN_DECLS

/** mv_daemon_events_new: a registry whose clients are MvServerClients (it refs them). */
MvDriverEvents *mv_daemon_events_new(void);

/**
 * mv_daemon_event_send:
 * Encodes @body with @filter as a MESSAGE of the remote program's procedure
 * @proc and sends it to @client; an encoding failure is logged and dropped.
 */
void mv_daemon_event_send(MvServerClient *client, int proc, xdrproc_t filter, const void *body);

G_END_DECLS
