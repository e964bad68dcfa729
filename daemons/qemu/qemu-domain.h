/* Domains of the QEMU driver: a driver-frame object (common/driver/object.h:
 * identity, lock, job, persistent/autostart) plus what a QEMU guest has.
 *
 * Locking: each domain has one mutex protecting its fields. A modifying
 * operation first takes the domain's *job* (mv_driver_object_begin_job); it
 * may drop the mutex while it talks to QEMU, but only the job holder changes
 * the definition or starts/stops the process. Queries (state, info, XML,
 * lists) take the mutex briefly and never wait for a job. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "conf/domain-conf.h"
#include "driver/list.h"
#include "qemu-monitor.h"
#include "util/error.h"
#include "util/spawn.h"

G_BEGIN_DECLS

/* virDomainState and the reasons we use (libvirt's numbers). */
typedef enum {
    MV_DOMAIN_NOSTATE = 0,
    MV_DOMAIN_RUNNING = 1,
    MV_DOMAIN_BLOCKED = 2,
    MV_DOMAIN_PAUSED = 3,
    MV_DOMAIN_SHUTDOWN = 4,
    MV_DOMAIN_SHUTOFF = 5,
    MV_DOMAIN_CRASHED = 6,
    MV_DOMAIN_PMSUSPENDED = 7,
} MvDomainState;

enum {
    MV_DOMAIN_RUNNING_UNKNOWN = 0,
    MV_DOMAIN_RUNNING_BOOTED = 1,
    MV_DOMAIN_RUNNING_RESTORED = 3,
    MV_DOMAIN_RUNNING_UNPAUSED = 5,
    MV_DOMAIN_PAUSED_UNKNOWN = 0,
    MV_DOMAIN_PAUSED_USER = 1,
    MV_DOMAIN_PAUSED_SAVE = 3,
    MV_DOMAIN_PAUSED_SHUTTING_DOWN = 8,
    MV_DOMAIN_PAUSED_STARTING_UP = 11,
    MV_DOMAIN_SHUTDOWN_UNKNOWN = 0,
    MV_DOMAIN_SHUTDOWN_USER = 1,
    MV_DOMAIN_SHUTOFF_UNKNOWN = 0,
    MV_DOMAIN_SHUTOFF_SHUTDOWN = 1,
    MV_DOMAIN_SHUTOFF_DESTROYED = 2,
    MV_DOMAIN_SHUTOFF_CRASHED = 3,
    MV_DOMAIN_SHUTOFF_SAVED = 5,
    MV_DOMAIN_SHUTOFF_FAILED = 6,
    MV_DOMAIN_SHUTOFF_DAEMON = 8,
};

typedef struct _MvQemuDomain MvQemuDomain;

struct _MvQemuDomain {
    /* ref, lock, cond (also: process exited), driver (the MvQemuDriver), name,
     * uuid, id (-1 when not running), persistent, autostart, removed, job */
    MV_DRIVER_OBJECT_HEADER;

    /* definition */
    MvDomainDef *def;           /* the persistent config (or the transient def) */
    MvDomainDef *newdef;        /* config changed while running; applied at stop */
    MvDomainDef *live;          /* the running definition; NULL when off */

    /* published state */
    MvDomainState state;
    int reason;

    /* the QEMU process (valid while id >= 0) */
    pid_t pid;
    guint64 start_time;         /* /proc/PID/stat field 22, to recognize it after a restart */
    MvChild *child;             /* when we started it (else adopted after a restart) */
    MvChild *tpm_child;         /* swtpm for <tpm> when we started it (qemu-tpm.c) */
    int pidfd;
    GSource *exit_source;
    MvQemuMonitor *monitor;
    char *monitor_path;
    bool exited;                /* the process is gone; cleanup pending */
    bool stopping;              /* a stop job is waiting for the exit */
    int stop_reason;            /* SHUTOFF reason to record at exit */
    bool guest_shutdown;        /* QEMU reported a SHUTDOWN by the guest */
    bool guest_shutdown_seen;   /* ... and its STOP is not a user pause */
    bool fake_reboot;           /* an ACPI reboot is in progress */
    gint64 fake_reboot_done;    /* when the daemon last reset the guest for a reboot */
    int stop_event_detail;      /* STOPPED event detail at exit */
    GPtrArray *unplugged;       /* aliases QEMU reported in DEVICE_DELETED, not yet consumed */
    GPtrArray *unplug_pending;  /* detached aliases the guest had not let go of (qemu-unplug.h) */
    gconstpointer autodestroy_conn;  /* started with AUTODESTROY by this connection */
    bool status_dirty;          /* a live change is not in the status file yet */
    struct _MvQemuCgroup *cgroup;   /* its cgroup v1 groups (qemu-cgroup.h); NULL when off */
    GSource *status_retry;      /* retries the status write (driver context) */

    /* the guest agent (qemu-agent*.c) */
    struct _MvQemuAgent *agent; /* the client of the agent channel, made at first use */
    bool agent_timeout_set;     /* virDomainAgentSetResponseTimeout was called */
    int agent_timeout;          /* its value: seconds, -2 block, -1 default, 0 no wait */
};

/* ---- objects ---- */

/* The family of qemud's domains: error texts and codes of jobs, lists, AFFECT. */
extern const MvDriverObjectClass mv_qemu_domain_class;

/** A domain from a driver object of its list (the header is at offset 0). */
#define MV_QEMU_DOMAIN(obj) ((MvQemuDomain *)(obj))

static inline MvQemuDomain *
mv_qemu_domain_ref(MvQemuDomain *dom)
{
    return MV_QEMU_DOMAIN(mv_driver_object_ref(MV_DRIVER_OBJECT(dom)));
}

static inline void
mv_qemu_domain_unref(MvQemuDomain *dom)
{
    mv_driver_object_unref(dom ? MV_DRIVER_OBJECT(dom) : NULL);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvQemuDomain, mv_qemu_domain_unref)

/** mv_qemu_domain_is_active: running or paused (lock held). */
static inline bool
mv_qemu_domain_is_active(const MvQemuDomain *dom)
{
    return dom->id >= 0;
}

/** mv_qemu_domain_set_state: updates state and reason (lock held). */
void mv_qemu_domain_set_state(MvQemuDomain *dom, MvDomainState state, int reason);

/**
 * mv_qemu_domains_add:
 * Adds a new domain for @def (ownership taken, also on failure) to @list.
 * Fails with MV_ERR_OPERATION_FAILED when another domain has the name or the
 * UUID ("domain 'x' already exists with uuid …"). Returns a new reference.
 */
MvQemuDomain *mv_qemu_domains_add(MvDriverList *list, MvDomainDef *def, bool persistent,
                                  GError **error);

G_END_DECLS
