/* The guest agent of a domain: its channel in the live definition, the
 * channel's state from QEMU (VSERPORT_CHANGE), the response timeout, and the
 * begin/end of an agent call for the handlers in qemu-agent-handlers*.c. */
#pragma once

#include <json-glib/json-glib.h>
#include <stdbool.h>

#include "daemon/driver-call.h"
#include "qemu-agent.h"
#include "qemu-domain.h"
#include "qemu-driver.h"

G_BEGIN_DECLS

/* virDomainAgentSetResponseTimeout's special values (seconds otherwise). */
enum {
    MV_QEMU_AGENT_TIMEOUT_BLOCK = -2,
    MV_QEMU_AGENT_TIMEOUT_DEFAULT = -1,
    MV_QEMU_AGENT_TIMEOUT_NOWAIT = 0,
};
/* What DEFAULT means here: a call never waits without a limit unless asked. */
#define MV_QEMU_AGENT_DEFAULT_TIMEOUT_S 30

/**
 * mv_qemu_agent_prepare_live:
 * Before a start: gives each unix channel without a path its socket under
 * @channel_dir (<dir>/<domain>.<target name>, QEMU listens there) and marks
 * the agent channel disconnected until the guest opens it.
 */
void mv_qemu_agent_prepare_live(const char *channel_dir, MvDomainDef *live);

/** mv_qemu_agent_find_channel: the agent's unix channel of @def and its index, or NULL. */
MvDomainChrDef *mv_qemu_agent_find_channel(const MvDomainDef *def, size_t *ret_index);

/**
 * mv_qemu_agent_vserport_change:
 * QMP VSERPORT_CHANGE (driver context): the guest opened or closed a port. For
 * the agent's port: the live XML's state='connected|disconnected', the status
 * file and the agent lifecycle event.
 */
void mv_qemu_agent_vserport_change(MvQemuDriver *driver, MvQemuDomain *dom, JsonObject *data);

/**
 * mv_qemu_agent_recover_state:
 * After a daemon restart: the agent channel's state from QEMU (query-chardev's
 * frontend-open), since events sent while the daemon was away are lost. Best
 * effort: on failure the recorded state stays.
 */
void mv_qemu_agent_recover_state(MvQemuMonitor *mon, MvDomainDef *live);

/** mv_qemu_agent_domain_stopped: drops the agent client of a stopped domain (lock held). */
void mv_qemu_agent_domain_stopped(MvQemuDomain *dom);

/** mv_qemu_agent_timeout_ms: the wait for a reply, in ms (< 0: no limit), for @seconds. */
int mv_qemu_agent_timeout_ms(int seconds);

/* One agent call of a handler. */
typedef struct {
    MvQemuDriver *driver;
    MvQemuDomain *dom;          /* a reference */
    MvQemuAgent *agent;         /* a reference */
    int timeout_ms;             /* the domain's response timeout */
    bool job;                   /* the domain's job is held */
} MvQemuAgentCall;

/**
 * mv_qemu_agent_call_begin:
 * Finds the domain of @ref, checks that it runs and that its agent is
 * configured and connected, and, when @modify, takes the domain's job (waiting
 * no longer than the response timeout allows). Queries take no job: the agent
 * serializes them itself. On failure nothing is held.
 */
bool mv_qemu_agent_call_begin(MvQemuAgentCall *ac, MvDriverCall *call, const MvObjectRef *ref,
                              const char *api, bool modify, GError **error);

/** mv_qemu_agent_call_end: releases what mv_qemu_agent_call_begin() took. */
void mv_qemu_agent_call_end(MvQemuAgentCall *ac);

/** mv_qemu_agent_call_run: runs @cmd (@args taken) on @ac's agent within its timeout. */
JsonNode *mv_qemu_agent_call_run(MvQemuAgentCall *ac, const char *cmd, JsonObject *args,
                                 GError **error);

G_END_DECLS
