/* Test seams of node.c: parsers over file contents and readers under a root prefix. */
#pragma once

#include "conf/node.h"

G_BEGIN_DECLS

/**
 * mv_node_parse_meminfo:
 * Finds @key ("MemTotal", "MemFree", ...) in /proc/meminfo or
 * /sys/devices/system/node/nodeN/meminfo text ("Node 0 MemFree: 12 kB") and
 * stores its value in KiB.
 */
bool mv_node_parse_meminfo(const char *text, const char *key, guint64 *ret_kib,
                           GError **error);

/**
 * mv_node_parse_cpu_list:
 * Parses kernel list syntax ("0-3,8,10-11\n") into a sorted, de-duplicated
 * array of ids (g_free()). An empty list is valid.
 */
bool mv_node_parse_cpu_list(const char *text, guint **ret_ids, size_t *ret_n,
                            GError **error);

/**
 * mv_node_parse_cpuinfo:
 * Parses /proc/cpuinfo text (x86 layout; other layouts give what they have).
 */
MvNodeCpuId *mv_node_parse_cpuinfo(const char *text, GError **error);

/**
 * mv_node_info_from_topology:
 * The nodes/sockets/cores/threads part of NODE_GET_INFO for @cpus online CPUs,
 * with libvirt's fallback when the topology does not multiply out to @cpus.
 */
void mv_node_info_from_topology(const MvNodeTopology *topo, int cpus, MvNodeInfo *ret);

/* The public readers, with every path under @root ("/" for the host). */
bool mv_node_get_info_at(const char *root, const char *arch, MvNodeInfo *ret,
                         GError **error);
bool mv_node_get_free_memory_at(const char *root, guint64 *ret_bytes, GError **error);
bool mv_node_get_cells_free_memory_at(const char *root, int start, int max,
                                      guint64 *ret_cells, int *ret_n, GError **error);
MvNodeCpuId *mv_node_get_cpu_id_at(const char *root, GError **error);
MvNodeTopology *mv_node_get_topology_at(const char *root, guint page_size_kib,
                                        GError **error);

/* mv_node_get_uuid() under @root. A product_uuid made of one repeated digit
 * (all zeros, all f's: unset firmware fields) counts as invalid. */
char *mv_node_get_uuid_at(const char *root, GError **error);

G_END_DECLS
