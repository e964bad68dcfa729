/* The private EVENTS program (protocol/events-private.x): resumable events.
 * Its procedure table for every daemon's server and the proxy, and typed
 * client stubs for libmodvirt. docs/protocol.md, "Resumable events". */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "events-private-protocol.h"
#include "rpc/client.h"
#include "rpc/proc.h"

G_BEGIN_DECLS

#define MV_PROGRAM_EVENTS_PRIVATE 0x4d564556u   /* "MVEV" */
#define MV_EVENTS_PRIVATE_PROC_LAST 4

extern const MvProgramInfo mv_events_private_program;

/* @ret: zeroed; nothing to free */
bool mv_events_private_hold(MvRpcClient *client, const mv_events_private_hold_args *args,
                            mv_events_private_hold_ret *ret, GError **error);
bool mv_events_private_resume(MvRpcClient *client, const mv_events_private_resume_args *args,
                              mv_events_private_resume_ret *ret, GError **error);

/**
 * mv_events_private_decode_event:
 * Decodes the payload of an EVENT message into @ret (zeroed; free with
 * xdr_free((xdrproc_t)xdr_mv_events_private_event_msg, ret)). False on bad bytes.
 */
bool mv_events_private_decode_event(const guint8 *payload, gsize len,
                                    mv_events_private_event_msg *ret);

G_END_DECLS
