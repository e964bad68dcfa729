/* Host facts: memory, CPUs, NUMA topology, CPU identity, hostname.
 *
 * Everything is read from /proc and /sys (no external commands), so these calls
 * are cheap enough to answer NODE_GET_INFO & co. on every request. Values follow
 * what libvirt reports for the same host. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

G_BEGIN_DECLS

/* The NODE_GET_INFO answer. */
typedef struct {
    char model[32];        /* architecture as uname reports it: "x86_64" */
    guint64 memory_kib;    /* /proc/meminfo MemTotal */
    int cpus;              /* online CPUs */
    int mhz;               /* current frequency of the first CPU */
    int nodes;             /* NUMA nodes with CPUs (1 without NUMA) */
    int sockets;           /* per node */
    int cores;             /* per socket */
    int threads;           /* per core */
} MvNodeInfo;

/**
 * mv_node_get_info:
 * Fills @ret with the host's facts. nodes*sockets*cores*threads == cpus; when the
 * sysfs topology does not add up (offline CPUs, odd hypervisors) the answer is
 * libvirt's fallback nodes=1, sockets=1, cores=cpus, threads=1.
 * @ret is untouched on failure.
 */
bool mv_node_get_info(MvNodeInfo *ret, GError **error);

/**
 * mv_node_get_free_memory:
 * Free host memory in bytes (/proc/meminfo MemFree).
 */
bool mv_node_get_free_memory(guint64 *ret_bytes, GError **error);

/**
 * mv_node_get_cells_free_memory:
 * Free memory in bytes of NUMA cells @start .. @start+@max-1 (clipped to the last
 * cell) into @ret_cells, which holds at least @max entries; *@ret_n is the number
 * written. A host without NUMA has one cell, 0. A @start beyond the last cell or a
 * @max < 1 is MV_ERR_INVALID_ARG.
 */
bool mv_node_get_cells_free_memory(int start, int max, guint64 *ret_cells, int *ret_n,
                                   GError **error);

/**
 * mv_node_get_hostname:
 * The host name, fully qualified when the local resolver configuration
 * (/etc/hosts) knows it; never asks DNS. Never NULL; g_free() it.
 */
char *mv_node_get_hostname(void);

/**
 * mv_node_get_uuid:
 * The host UUID: /sys/class/dmi/id/product_uuid when readable and valid, else
 * /etc/machine-id formatted as a UUID ("8-4-4-4-12", lowercase). g_free() it.
 */
char *mv_node_get_uuid(GError **error);

/* Identity of the host CPU, from the first processor in /proc/cpuinfo. */
typedef struct {
    char *vendor_id;       /* raw: "GenuineIntel"; NULL when unknown */
    char *vendor;          /* libvirt's name: "Intel", "AMD", "Hygon", else vendor_id */
    char *model_name;      /* "Intel(R) Xeon(R) ..." or NULL */
    int family;            /* -1 when unknown */
    int model;
    int stepping;
    gint64 microcode;      /* -1 when unknown */
    double mhz;            /* 0 when unknown */
    char **flags;          /* kernel flag names, in file order; never NULL */
} MvNodeCpuId;

/**
 * mv_node_get_cpu_id:
 * Parses /proc/cpuinfo. Returns a new MvNodeCpuId (free with mv_node_cpu_id_free())
 * or NULL with @error set.
 */
MvNodeCpuId *mv_node_get_cpu_id(GError **error);
void mv_node_cpu_id_free(MvNodeCpuId *id);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvNodeCpuId, mv_node_cpu_id_free)

typedef struct {
    guint id;
    guint socket_id;
    guint die_id;
    guint core_id;
    char *siblings;        /* thread siblings, kernel list syntax: "0,4" or "0-1" */
} MvNodeCpu;

typedef struct {
    guint size_kib;
    guint64 count;
} MvNodePages;

typedef struct {
    guint id;
    guint value;
} MvNodeDistance;

typedef struct {
    guint id;
    guint64 memory_kib;
    MvNodePages *pages;          /* one per entry of MvNodeTopology.page_sizes_kib */
    size_t npages;
    MvNodeDistance *distances;   /* empty without NUMA */
    size_t ndistances;
    MvNodeCpu *cpus;             /* online CPUs, ascending id */
    size_t ncpus;
} MvNodeCell;

typedef struct {
    guint *page_sizes_kib;       /* system page size first, then huge pages ascending */
    size_t npage_sizes;
    MvNodeCell *cells;           /* ascending id */
    size_t ncells;
} MvNodeTopology;

/**
 * mv_node_get_topology:
 * NUMA cells with their memory, pages, distances and online CPUs, from
 * /sys/devices/system/{node,cpu}. A host without NUMA gives one cell 0 holding all
 * memory and CPUs. Free with mv_node_topology_free().
 */
MvNodeTopology *mv_node_get_topology(GError **error);
void mv_node_topology_free(MvNodeTopology *topo);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvNodeTopology, mv_node_topology_free)

G_END_DECLS
