/* libmodvirt domains (virtual machines).
 *
 * An MvDomain is a handle: the domain's name, UUID and id as they were when
 * the handle was made, plus a reference to its connection. Every query
 * (state, info, XML, ...) asks the daemon; only mv_domain_get_name(),
 * _get_uuid_string() and _get_id() read the handle. The daemon finds the
 * domain by UUID, so a handle stays valid across start and stop.
 *
 * Names say what happens:
 *   mv_domain_shutdown    asks the guest to power off (ACPI); returns at once
 *   mv_domain_power_off   stops the guest now, like pulling the plug
 *   mv_domain_reboot      asks the guest to reboot
 *   mv_domain_reset       resets the virtual machine now, like the reset button
 *   mv_domain_undefine    removes the persistent definition only; a running
 *                         guest keeps running (as a transient domain)
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include <modvirt/connect.h>

G_BEGIN_DECLS

typedef struct _MvDomain MvDomain;

/* The run state of a domain (the wire values). */
typedef enum {
    MV_DOMAIN_STATE_NONE = 0,
    MV_DOMAIN_STATE_RUNNING = 1,
    MV_DOMAIN_STATE_BLOCKED = 2,
    MV_DOMAIN_STATE_PAUSED = 3,
    MV_DOMAIN_STATE_SHUTDOWN = 4,       /* being shut down */
    MV_DOMAIN_STATE_SHUTOFF = 5,
    MV_DOMAIN_STATE_CRASHED = 6,
    MV_DOMAIN_STATE_PMSUSPENDED = 7,
    MV_DOMAIN_STATE_LAST
} MvDomainState;

/* What mv_domain_get_info() reports. */
typedef struct {
    MvDomainState state;
    guint64 max_memory_kib;
    guint64 memory_kib;
    unsigned int vcpus;
    guint64 cpu_time_ns;                /* CPU time used so far; 0 when shut off */
    bool persistent;                    /* has a persistent definition */
    bool autostart;                     /* started when the daemon starts */
} MvDomainInfo;

/* Flags of mv_domain_define(). */
typedef enum {
    MV_DOMAIN_DEFINE_VALIDATE = 1u << 0,    /* check the XML against the schema */
} MvDomainDefineFlags;

/* Flags of mv_domain_start() and mv_domain_start_transient(). */
typedef enum {
    MV_DOMAIN_START_PAUSED = 1u << 0,       /* start with the CPUs paused */
} MvDomainStartFlags;

/* Flags of mv_domain_power_off(). */
typedef enum {
    /* Send SIGTERM to the emulator only, never SIGKILL: fails instead of
     * killing a process that does not exit in time. */
    MV_DOMAIN_POWER_OFF_GRACEFUL = 1u << 0,
} MvDomainPowerOffFlags;

/* Flags of mv_domain_get_xml(). */
typedef enum {
    MV_DOMAIN_XML_SECURE = 1u << 0,         /* include secrets (passwords) */
    MV_DOMAIN_XML_INACTIVE = 1u << 1,       /* the persistent definition, not the live one */
} MvDomainXmlFlags;

/* Flags of mv_connect_list_domains(): each group (a pair or a set) filters
 * only when one of its bits is given; no flags lists every domain. */
typedef enum {
    MV_LIST_DOMAINS_ACTIVE = 1u << 0,
    MV_LIST_DOMAINS_INACTIVE = 1u << 1,
    MV_LIST_DOMAINS_PERSISTENT = 1u << 2,
    MV_LIST_DOMAINS_TRANSIENT = 1u << 3,
    MV_LIST_DOMAINS_RUNNING = 1u << 4,
    MV_LIST_DOMAINS_PAUSED = 1u << 5,
    MV_LIST_DOMAINS_SHUTOFF = 1u << 6,
    MV_LIST_DOMAINS_OTHER = 1u << 7,
    MV_LIST_DOMAINS_AUTOSTART = 1u << 10,
    MV_LIST_DOMAINS_NO_AUTOSTART = 1u << 11,
} MvListDomainsFlags;

/* ---- finding and defining ---------------------------------------------- */

/**
 * mv_connect_list_domains:
 * @flags: MvListDomainsFlags; 0 lists every domain.
 * @ret_count: (out) (optional) the number of domains returned.
 *
 * Lists the domains in one call to the daemon (a consistent snapshot, never
 * a count followed by a fetch).
 *
 * Returns: (transfer full) a NULL-terminated array of new handles sorted by
 *   name, empty (just the NULL) when there are none; free it with
 *   mv_domain_list_free(). NULL with @error set on failure.
 */
MvDomain **mv_connect_list_domains(MvConnect *conn, unsigned int flags, gsize *ret_count,
                                   GError **error);

/**
 * mv_domain_list_free:
 * Unrefs every handle of a NULL-terminated @list and frees the array. NULL is fine.
 */
void mv_domain_list_free(MvDomain **list);

/**
 * mv_domain_lookup_by_name:
 * @flags: none defined, pass 0.
 * Returns: (transfer full) a new handle, or NULL with @error set
 *   (MV_ERROR_NO_DOMAIN when there is no such domain).
 */
MvDomain *mv_domain_lookup_by_name(MvConnect *conn, const char *name, unsigned int flags,
                                   GError **error);

/**
 * mv_domain_lookup_by_uuid:
 * @uuid: the UUID as a string, with or without dashes.
 * @flags: none defined, pass 0.
 * Returns: (transfer full) a new handle, or NULL with @error set
 *   (MV_ERROR_INVALID_ARG for a malformed UUID, MV_ERROR_NO_DOMAIN).
 */
MvDomain *mv_domain_lookup_by_uuid(MvConnect *conn, const char *uuid, unsigned int flags,
                                   GError **error);

/**
 * mv_domain_lookup_by_id:
 * @id: the id of a running domain.
 * @flags: none defined, pass 0.
 * Returns: (transfer full) a new handle, or NULL with @error set.
 */
MvDomain *mv_domain_lookup_by_id(MvConnect *conn, int id, unsigned int flags, GError **error);

/**
 * mv_domain_lookup:
 * @what: a name, a UUID or a numeric id, tried in the order id (all
 *   digits), UUID (when it parses as one), name.
 * @flags: none defined, pass 0.
 * Returns: (transfer full) a new handle, or NULL with @error set
 *   (MV_ERROR_NO_DOMAIN naming @what when nothing matches).
 */
MvDomain *mv_domain_lookup(MvConnect *conn, const char *what, unsigned int flags,
                           GError **error);

/**
 * mv_domain_define:
 * @xml: a domain XML document.
 * @flags: MvDomainDefineFlags.
 *
 * Creates or replaces (same name and UUID) a persistent domain definition.
 * Does not start the domain. A running domain keeps running with its old
 * configuration; the new one applies from its next start.
 *
 * Returns: (transfer full) a handle of the defined domain, or NULL with
 *   @error set (MV_ERROR_XML / MV_ERROR_XML_INVALID_SCHEMA naming the
 *   offending element; nothing is changed then).
 */
MvDomain *mv_domain_define(MvConnect *conn, const char *xml, unsigned int flags,
                           GError **error);

/**
 * mv_domain_start_transient:
 * @xml: a domain XML document.
 * @flags: MvDomainStartFlags.
 * Starts a domain that has no persistent definition: it disappears when it
 * stops.
 * Returns: (transfer full) a handle of the running domain, or NULL with @error set.
 */
MvDomain *mv_domain_start_transient(MvConnect *conn, const char *xml, unsigned int flags,
                                    GError **error);

/* ---- the handle ---------------------------------------------------------- */

/** mv_domain_ref: adds a reference to @dom; returns it. NULL is returned unchanged. */
MvDomain *mv_domain_ref(MvDomain *dom);

/** mv_domain_unref: drops a reference to @dom. NULL is fine. */
void mv_domain_unref(MvDomain *dom);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvDomain, mv_domain_unref)

/** mv_domain_get_name: (transfer none) the domain's name, owned by @dom. */
const char *mv_domain_get_name(MvDomain *dom);

/** mv_domain_get_uuid_string: (transfer none) the UUID, 36 characters, owned by @dom. */
const char *mv_domain_get_uuid_string(MvDomain *dom);

/**
 * mv_domain_get_id:
 * Returns: the id the domain had when this handle was made or last updated
 *   by a call on it (start, power-off, ...), -1 when it was not running.
 *   Makes no call; use mv_domain_get_state() for the current state.
 */
int mv_domain_get_id(MvDomain *dom);

/** mv_domain_get_connect: (transfer none) the connection of @dom. */
MvConnect *mv_domain_get_connect(MvDomain *dom);

/* ---- lifecycle ----------------------------------------------------------- */

/**
 * mv_domain_start:
 * @flags: MvDomainStartFlags.
 * Starts a defined domain and updates the handle's id.
 * Returns: true on success; false with @error set (MV_ERROR_OPERATION_INVALID
 *   when it is already running).
 */
bool mv_domain_start(MvDomain *dom, unsigned int flags, GError **error);

/**
 * mv_domain_shutdown:
 * @flags: none defined, pass 0.
 * Asks the guest to shut down (ACPI power button) and returns without
 * waiting; a guest may ignore it. Watch for the STOPPED event or poll the state.
 * Returns: true when the request was delivered; false with @error set.
 */
bool mv_domain_shutdown(MvDomain *dom, unsigned int flags, GError **error);

/**
 * mv_domain_power_off:
 * @flags: MvDomainPowerOffFlags.
 * Stops the domain at once, without asking the guest (unsaved guest data is
 * lost). The definition stays; a transient domain disappears.
 * Returns: true on success; false with @error set.
 */
bool mv_domain_power_off(MvDomain *dom, unsigned int flags, GError **error);

/**
 * mv_domain_reboot:
 * @flags: none defined, pass 0.
 * Asks the guest to reboot and returns without waiting.
 * Returns: true when the request was delivered; false with @error set.
 */
bool mv_domain_reboot(MvDomain *dom, unsigned int flags, GError **error);

/**
 * mv_domain_reset:
 * @flags: none defined, pass 0.
 * Resets the virtual machine at once, without asking the guest.
 * Returns: true on success; false with @error set.
 */
bool mv_domain_reset(MvDomain *dom, unsigned int flags, GError **error);

/**
 * mv_domain_suspend:
 * @flags: none defined, pass 0.
 * Pauses the domain's virtual CPUs (it keeps its memory).
 * Returns: true on success; false with @error set.
 */
bool mv_domain_suspend(MvDomain *dom, unsigned int flags, GError **error);

/**
 * mv_domain_resume:
 * @flags: none defined, pass 0.
 * Resumes a domain paused by mv_domain_suspend() or started paused.
 * Returns: true on success; false with @error set.
 */
bool mv_domain_resume(MvDomain *dom, unsigned int flags, GError **error);

/**
 * mv_domain_undefine:
 * @flags: none defined, pass 0.
 * Removes the persistent definition. A running domain keeps running and
 * disappears when it stops.
 * Returns: true on success; false with @error set.
 */
bool mv_domain_undefine(MvDomain *dom, unsigned int flags, GError **error);

/* ---- queries and settings ------------------------------------------------ */

/**
 * mv_domain_get_state:
 * @flags: none defined, pass 0.
 * @ret_state: (out) the state. @ret_reason: (out) (optional) why it is in
 *   that state (a per-state number, e.g. 1 "destroyed" for SHUTOFF).
 * Out-parameters are untouched on failure.
 * Returns: true on success; false with @error set.
 */
bool mv_domain_get_state(MvDomain *dom, unsigned int flags, MvDomainState *ret_state,
                         int *ret_reason, GError **error);

/**
 * mv_domain_get_info:
 * @flags: none defined, pass 0.
 * @ret_info: (out) filled on success, untouched on failure.
 * Returns: true on success; false with @error set.
 */
bool mv_domain_get_info(MvDomain *dom, unsigned int flags, MvDomainInfo *ret_info,
                        GError **error);

/**
 * mv_domain_get_xml:
 * @flags: MvDomainXmlFlags.
 * Returns: (transfer full) the domain XML (the live one while it runs,
 *   unless MV_DOMAIN_XML_INACTIVE); g_free() it. NULL with @error set.
 */
char *mv_domain_get_xml(MvDomain *dom, unsigned int flags, GError **error);

/**
 * mv_domain_get_autostart:
 * @flags: none defined, pass 0.
 * @ret_autostart: (out) untouched on failure.
 * Returns: true on success; false with @error set.
 */
bool mv_domain_get_autostart(MvDomain *dom, unsigned int flags, bool *ret_autostart,
                             GError **error);

/**
 * mv_domain_set_autostart:
 * @autostart: whether the daemon starts the domain when it starts.
 * @flags: none defined, pass 0.
 * Returns: true on success; false with @error set (a transient domain
 *   cannot autostart).
 */
bool mv_domain_set_autostart(MvDomain *dom, bool autostart, unsigned int flags,
                             GError **error);

/**
 * mv_domain_state_name:
 * Returns: (transfer none) "running", "paused", "shut off", ... for @state;
 *   "unknown" for values outside MvDomainState. A static string.
 */
const char *mv_domain_state_name(MvDomainState state);

G_END_DECLS
