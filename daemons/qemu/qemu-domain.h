/* Domains of the QEMU driver: the object, the list, and jobs.
 *
 * Locking: each domain has one mutex protecting its fields. A modifying
 * operation first takes the domain's *job* (at most one at a time, waited for
 * with a deadline); it may drop the mutex while it talks to QEMU, but only the
 * job holder changes the definition or starts/stops the process. Queries
 * (state, info, XML, lists) take the mutex briefly and never wait for a job. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "conf/domain-conf.h"
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
    MV_DOMAIN_RUNNING_UNPAUSED = 5,
    MV_DOMAIN_PAUSED_UNKNOWN = 0,
    MV_DOMAIN_PAUSED_USER = 1,
    MV_DOMAIN_PAUSED_SHUTTING_DOWN = 8,
    MV_DOMAIN_PAUSED_STARTING_UP = 11,
    MV_DOMAIN_SHUTDOWN_UNKNOWN = 0,
    MV_DOMAIN_SHUTDOWN_USER = 1,
    MV_DOMAIN_SHUTOFF_UNKNOWN = 0,
    MV_DOMAIN_SHUTOFF_SHUTDOWN = 1,
    MV_DOMAIN_SHUTOFF_DESTROYED = 2,
    MV_DOMAIN_SHUTOFF_CRASHED = 3,
    MV_DOMAIN_SHUTOFF_FAILED = 6,
    MV_DOMAIN_SHUTOFF_DAEMON = 8,
};

typedef struct _MvQemuDomain MvQemuDomain;

struct _MvQemuDomain {
    gint ref;
    GMutex lock;
    GCond cond;                 /* job released, process exited */
    gpointer driver;            /* the MvQemuDriver (set when added to the list) */
    guint list_index;           /* position in the list's dense array (list lock) */

    /* identity: changes only under the list lock too */
    char *name;
    guint8 uuid[16];

    /* definition */
    MvDomainDef *def;           /* the persistent config (or the transient def) */
    MvDomainDef *newdef;        /* config changed while running; applied at stop */
    MvDomainDef *live;          /* the running definition; NULL when off */
    bool persistent;
    bool autostart;
    bool removed;               /* undefined and gone from the list */

    /* published state */
    int id;                     /* -1 when not running */
    MvDomainState state;
    int reason;

    /* the job */
    const char *job;            /* the API holding the domain, NULL when free */
    gint64 job_since;           /* monotonic µs */

    /* the QEMU process (valid while id >= 0) */
    pid_t pid;
    guint64 start_time;         /* /proc/PID/stat field 22, to recognize it after a restart */
    MvChild *child;             /* when we started it (else adopted after a restart) */
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
    gconstpointer autodestroy_conn;  /* started with AUTODESTROY by this connection */
    bool status_dirty;          /* a live change is not in the status file yet */
    GSource *status_retry;      /* retries the status write (driver context) */
};

/* ---- objects ---- */

MvQemuDomain *mv_qemu_domain_ref(MvQemuDomain *dom);
void mv_qemu_domain_unref(MvQemuDomain *dom);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvQemuDomain, mv_qemu_domain_unref)

/**
 * mv_qemu_domain_begin_job:
 * Takes the job of @dom for @api (a static string) waiting at most
 * @timeout_ms. Returns false with MV_ERR_OPERATION_TIMEOUT naming the API
 * holding the domain and since when, or MV_ERR_NO_DOMAIN when the domain was
 * removed meanwhile. Called without the lock held.
 */
bool mv_qemu_domain_begin_job(MvQemuDomain *dom, const char *api, int timeout_ms, GError **error);

/** mv_qemu_domain_end_job: releases the job (without the lock held). */
void mv_qemu_domain_end_job(MvQemuDomain *dom);

/** mv_qemu_domain_is_active: running or paused (lock held). */
static inline bool
mv_qemu_domain_is_active(const MvQemuDomain *dom)
{
    return dom->id >= 0;
}

/** mv_qemu_domain_set_state: updates state and reason (lock held). */
void mv_qemu_domain_set_state(MvQemuDomain *dom, MvDomainState state, int reason);

/* ---- the list ---- */

typedef struct _MvQemuDomains MvQemuDomains;

/** mv_qemu_domains_new: an empty list; every domain added gets @driver as its driver. */
MvQemuDomains *mv_qemu_domains_new(gpointer driver);
void mv_qemu_domains_free(MvQemuDomains *list);

/**
 * mv_qemu_domains_add:
 * Adds a new domain for @def (ownership taken). Fails with MV_ERR_OPERATION_FAILED
 * when another domain has the name or the UUID ("domain 'x' already exists with
 * uuid …"). Returns a new reference.
 */
MvQemuDomain *mv_qemu_domains_add(MvQemuDomains *list, MvDomainDef *def, bool persistent,
                                  GError **error);

/** mv_qemu_domains_remove: takes @dom out of the list (marks it removed). */
void mv_qemu_domains_remove(MvQemuDomains *list, MvQemuDomain *dom);

/** Lookups return a new reference or NULL. */
MvQemuDomain *mv_qemu_domains_find_by_uuid(MvQemuDomains *list, const guint8 uuid[16]);
MvQemuDomain *mv_qemu_domains_find_by_name(MvQemuDomains *list, const char *name);
MvQemuDomain *mv_qemu_domains_find_by_id(MvQemuDomains *list, int id);

/** mv_qemu_domains_snapshot: references to every domain (free with g_ptr_array_unref). */
GPtrArray *mv_qemu_domains_snapshot(MvQemuDomains *list);

/**
 * mv_qemu_domains_foreach:
 * One consistent pass over the list under its lock: @begin (may be NULL) learns
 * how many domains there are and may stop the pass by returning false, then
 * @func sees every domain. Both may take a domain's lock, but must not call
 * back into the list or block. Returns what @begin returned (true without it).
 */
typedef bool (*MvQemuDomainsBeginFunc)(guint count, gpointer data);
typedef void (*MvQemuDomainsFunc)(MvQemuDomain *dom, gpointer data);
bool mv_qemu_domains_foreach(MvQemuDomains *list, MvQemuDomainsBeginFunc begin,
                             MvQemuDomainsFunc func, gpointer data);

/** mv_qemu_domains_count: number of domains. */
guint mv_qemu_domains_count(MvQemuDomains *list);

/** mv_qemu_domains_next_id: a new running id (1, 2, …). */
int mv_qemu_domains_next_id(MvQemuDomains *list);
/** mv_qemu_domains_reserve_id: make later ids larger than @id (recovery). */
void mv_qemu_domains_reserve_id(MvQemuDomains *list, int id);

G_END_DECLS
