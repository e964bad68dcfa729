/* The QEMU program (0x20008087, libvirt-qemu.so's calls) for the daemons that
 * run QEMU guests: its wire layouts and table live here, beside the other
 * connection-level code, so a daemon's own files see only the typed hook.
 *
 * Served: 3 DOMAIN_AGENT_COMMAND (virDomainQemuAgentCommand, `virsh
 * qemu-agent-command`). The other procedures of the program answer
 * VIR_ERR_NO_SUPPORT naming their API. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "daemon/driver-call.h"

G_BEGIN_DECLS

typedef struct _MvServer MvServer;

/* virDomainQemuAgentCommand: runs the agent command @cmd (JSON text) with
 * @timeout (seconds; -2 block, -1 default, 0 no wait) and returns the
 * agent's reply as JSON text in *@ret_result (caller frees). */
typedef bool (*MvQemuAgentCommandFunc)(MvDriverCall *call, const MvObjectRef *dom_ref,
                                       const char *cmd, int timeout, unsigned int flags,
                                       char **ret_result, GError **error);

/**
 * mv_daemon_qemu_program_add:
 * Serves the QEMU program on @server (from the descriptor's prepare_server)
 * with @agent_command for procedure 3. The function pointer is kept.
 */
void mv_daemon_qemu_program_add(MvServer *server, MvQemuAgentCommandFunc agent_command);

G_END_DECLS
