/* virsh domstats (CONNECT_GET_ALL_DOMAIN_STATS): the groups, the typed
 * parameters they add, and what QEMU is asked for a running guest
 * (qemu-domain-stats.c formats, qemu-domain-stats-qmp.c asks). */
#pragma once

#include <json-glib/json-glib.h>

#include "qemu-dispatch.h"

G_BEGIN_DECLS

/* virDomainStatsTypes */
enum {
    MV_QEMU_STATS_STATE = 1 << 0,
    MV_QEMU_STATS_CPU_TOTAL = 1 << 1,
    MV_QEMU_STATS_BALLOON = 1 << 2,
    MV_QEMU_STATS_VCPU = 1 << 3,
    MV_QEMU_STATS_INTERFACE = 1 << 4,
    MV_QEMU_STATS_BLOCK = 1 << 5,
    MV_QEMU_STATS_PERF = 1 << 6,
    MV_QEMU_STATS_IOTHREAD = 1 << 7,
    MV_QEMU_STATS_MEMORY = 1 << 8,
    MV_QEMU_STATS_DIRTYRATE = 1 << 9,
    MV_QEMU_STATS_VM = 1 << 10,
    MV_QEMU_STATS_ALL = (1 << 11) - 1,
};

/* What QEMU said about one running guest; any member may be NULL (not asked,
 * not answered, or the job was busy under NOWAIT). */
typedef struct {
    JsonNode *cpus;          /* query-cpus-fast */
    JsonNode *guest_stats;   /* qom-get balloon0 guest-stats */
    JsonNode *blockstats;    /* query-blockstats */
    JsonNode *iothreads;     /* query-iothreads */
    JsonNode *dirtyrate;     /* query-dirty-rate */
} MvQemuStatsQmp;

/**
 * mv_qemu_domain_stats_ask:
 * Fills @ret with QEMU's answers for the groups in @stats of the running
 * domain @dom, under its job (not waited for with @nowait: nothing is asked
 * when another call holds it). A failed query leaves its member NULL.
 */
void mv_qemu_domain_stats_ask(MvQemuDriver *driver, MvQemuDomain *dom, unsigned int stats,
                              bool nowait, MvQemuStatsQmp *ret);

void mv_qemu_domain_stats_qmp_clear(MvQemuStatsQmp *qmp);

/* Typed parameters of a record (GArray of MvTypedParam); @field is printf-style. */
G_GNUC_PRINTF(4, 5) void mv_qemu_stats_add(GArray *params, int type, guint64 value,
                                           const char *field, ...);
G_GNUC_PRINTF(3, 4) void mv_qemu_stats_add_string(GArray *params, const char *value,
                                                  const char *field, ...);

/* What the device groups need of the definition, copied under the lock. */
typedef struct {
    char *target, *source, *format, *alias;
} MvQemuStatsDisk;

typedef struct {
    char *tap;               /* NULL: no host side (user networking) */
} MvQemuStatsNet;

typedef struct {
    bool active;
    GArray *disks;           /* MvQemuStatsDisk */
    GArray *nets;            /* MvQemuStatsNet */
} MvQemuStatsDevices;

/** mv_qemu_stats_devices_copy: the disks and NICs of @def (domain lock held). */
void mv_qemu_stats_devices_copy(const MvDomainDef *def, bool active, MvQemuStatsDevices *ret);
void mv_qemu_stats_devices_clear(MvQemuStatsDevices *devs);

/**
 * mv_qemu_stats_device_groups:
 * The interface, block, iothread and dirtyrate groups of @stats
 * (qemu-domain-stats-devices.c), in libvirt's order.
 */
void mv_qemu_stats_device_groups(const MvQemuStatsDevices *devs, const MvQemuStatsQmp *qmp,
                                 unsigned int stats, GArray *params);

G_END_DECLS
