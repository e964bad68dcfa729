/* A client of the QEMU guest agent (qemu-ga) on one guest's virtio-serial
 * channel: the host end is a UNIX socket QEMU serves (<channel type='unix'>
 * with <target type='virtio' name='org.qemu.guest_agent.0'/>).
 *
 * Calls are synchronous and bounded: each connects when needed, resynchronizes
 * with guest-sync-delimited (the agent may still owe replies to an earlier
 * call that timed out: everything up to the 0xFF byte that precedes the sync
 * reply is discarded) and waits for its reply no longer than asked. A call that
 * times out drops the connection, so the next one starts clean. One call at a
 * time per agent (calls from several threads queue on a mutex, each within its
 * own deadline). */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

G_BEGIN_DECLS

/* The name of the virtio port qemu-ga opens in the guest. */
#define MV_QEMU_AGENT_PORT_NAME "org.qemu.guest_agent.0"

typedef struct _MvQemuAgent MvQemuAgent;

/** mv_qemu_agent_new: an agent client for the socket at @path (not connected yet). */
MvQemuAgent *mv_qemu_agent_new(const char *path);

/** mv_qemu_agent_ref / _unref: reference counting; unref of NULL is a no-op. */
MvQemuAgent *mv_qemu_agent_ref(MvQemuAgent *agent);
void mv_qemu_agent_unref(MvQemuAgent *agent);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvQemuAgent, mv_qemu_agent_unref)

/* How a command's reply is awaited. */
typedef enum {
    MV_QEMU_AGENT_REPLY = 0,        /* wait for "return" or "error" */
    MV_QEMU_AGENT_NO_REPLY,         /* guest-shutdown: success sends nothing */
} MvQemuAgentReply;

/**
 * mv_qemu_agent_command:
 * Runs agent command @cmd with @args (may be NULL; ownership taken, also on
 * failure). The whole call (waiting for another call on this agent, connect,
 * sync, command) ends within @timeout_ms; < 0 waits for the reply without a
 * limit (the sync is still bounded). Returns the "return" member (caller
 * frees; a null node for MV_QEMU_AGENT_NO_REPLY) or NULL with @error:
 * MV_ERR_AGENT_UNRESPONSIVE (no agent listening, no reply in time, connection
 * lost), MV_ERR_INTERNAL_ERROR with the agent's own description for an error
 * reply.
 */
JsonNode *mv_qemu_agent_command(MvQemuAgent *agent, const char *cmd, JsonObject *args,
                                MvQemuAgentReply reply, int timeout_ms, GError **error);

/**
 * mv_qemu_agent_command_text:
 * Like mv_qemu_agent_command() for a whole command given as JSON text (the
 * qemu-agent-command API): the reply object ({"return": …} or {"error": …})
 * as text in *@ret_text (caller frees).
 */
bool mv_qemu_agent_command_text(MvQemuAgent *agent, const char *json, int timeout_ms,
                                char **ret_text, GError **error);

/**
 * mv_qemu_agent_close:
 * The guest went away: the next call drops the connection and reconnects.
 * Never blocks (a call in progress keeps its connection until it ends).
 */
void mv_qemu_agent_close(MvQemuAgent *agent);

G_END_DECLS
