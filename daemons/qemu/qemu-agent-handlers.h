/* The RPC handlers that talk to the guest agent (qemu-agent-handlers.c,
 * qemu-agent-guestinfo.c) and the agent paths of shutdown, reboot and
 * interface addresses, used by their handlers elsewhere. */
#pragma once

#include "daemon/driver-call.h"
#include "remote-driver.h"

G_BEGIN_DECLS

bool mv_qemu_handle_domain_fsfreeze(MvDriverCall *call, const MvObjectRef *dom_ref,
                                    const char *const *mountpoints, guint n_mountpoints,
                                    unsigned int flags, int *ret_filesystems, GError **error);
bool mv_qemu_handle_domain_fsthaw(MvDriverCall *call, const MvObjectRef *dom_ref,
                                  const char *const *mountpoints, guint n_mountpoints,
                                  unsigned int flags, int *ret_filesystems, GError **error);
bool mv_qemu_handle_domain_get_time(MvDriverCall *call, const MvObjectRef *dom_ref,
                                    unsigned int flags, int64_t *ret_seconds,
                                    unsigned int *ret_nseconds, GError **error);
bool mv_qemu_handle_domain_set_time(MvDriverCall *call, const MvObjectRef *dom_ref,
                                    int64_t seconds, unsigned int nseconds, unsigned int flags,
                                    GError **error);
bool mv_qemu_handle_domain_get_fsinfo(MvDriverCall *call, const MvObjectRef *dom_ref,
                                      unsigned int flags, MvRemoteDomainFsinfo **ret_info,
                                      guint *ret_n_info, unsigned int *ret_ret, GError **error);
bool mv_qemu_handle_domain_set_user_password(MvDriverCall *call, const MvObjectRef *dom_ref,
                                             const char *user, const char *password,
                                             unsigned int flags, GError **error);
bool mv_qemu_handle_domain_get_guest_vcpus(MvDriverCall *call, const MvObjectRef *dom_ref,
                                           unsigned int flags, MvTypedParam **ret_params,
                                           guint *ret_n_params, GError **error);
bool mv_qemu_handle_domain_set_guest_vcpus(MvDriverCall *call, const MvObjectRef *dom_ref,
                                           const char *cpumap, int state, unsigned int flags,
                                           GError **error);
bool mv_qemu_handle_domain_get_hostname(MvDriverCall *call, const MvObjectRef *dom_ref,
                                        unsigned int flags, char **ret_hostname,
                                        GError **error);
bool mv_qemu_handle_domain_agent_set_response_timeout(MvDriverCall *call,
                                                      const MvObjectRef *dom_ref, int timeout,
                                                      unsigned int flags, int *ret_result,
                                                      GError **error);
bool mv_qemu_handle_domain_get_guest_info(MvDriverCall *call, const MvObjectRef *dom_ref,
                                          unsigned int types, unsigned int flags,
                                          MvTypedParam **ret_params, guint *ret_n_params,
                                          GError **error);

/* virDomainQemuAgentCommand (the QEMU program's procedure 3): @cmd is the whole
 * agent command as JSON, the reply the agent's JSON object. */
bool mv_qemu_handle_domain_qemu_agent_command(MvDriverCall *call, const MvObjectRef *dom_ref,
                                              const char *cmd, int timeout,
                                              unsigned int flags, char **ret_result,
                                              GError **error);

/**
 * mv_qemu_agent_shutdown:
 * Shutdown (@reboot false) or reboot of the guest through the agent
 * (guest-shutdown), holding the domain's job within the agent timeout.
 */
bool mv_qemu_agent_shutdown(MvDriverCall *call, const MvObjectRef *dom_ref, bool reboot,
                            const char *api, GError **error);

/**
 * mv_qemu_agent_usable:
 * Whether the domain of @dom_ref runs with its agent channel connected: the
 * default shutdown/reboot mode then uses the agent first.
 */
bool mv_qemu_agent_usable(MvDriverCall *call, const MvObjectRef *dom_ref);

/**
 * mv_qemu_agent_interface_addresses:
 * virDomainInterfaceAddresses with source AGENT: the guest's own interfaces
 * and addresses (guest-network-get-interfaces), named as the guest names them.
 */
bool mv_qemu_agent_interface_addresses(MvDriverCall *call, const MvObjectRef *dom_ref,
                                       MvRemoteDomainInterface **ret_ifaces,
                                       guint *ret_n_ifaces, GError **error);

G_END_DECLS
