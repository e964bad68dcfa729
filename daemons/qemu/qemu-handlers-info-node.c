/* Host statistics of the QEMU driver (issue 13 item 5): virsh nodecpustats,
 * nodememstats, nodecpumap and sysinfo. Values come from /proc/stat,
 * /proc/meminfo, /sys/devices/system/node/nodeN/meminfo, /sys/devices/system/cpu
 * and /sys/class/dmi/id, read afresh on every call. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-dispatch.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "qemu-handlers-info.h"

#define CPU_STATS_ALL (-1)      /* VIR_NODE_CPU_STATS_ALL_CPUS */
#define MEMORY_STATS_ALL (-1)   /* VIR_NODE_MEMORY_STATS_ALL_CELLS */
#define N_CPU_STATS 4
#define N_MEMORY_STATS_ALL 4
#define N_MEMORY_STATS_CELL 2

static bool
read_file(const char *path, char **ret_text, GError **error)
{
    g_autoptr(GError) local = NULL;

    if (g_file_get_contents(path, ret_text, NULL, &local))
        return true;
    return mv_error_set(error, MV_FROM_NONE, MV_ERR_INTERNAL_ERROR,
                        "cannot read %s: %s", path, local->message);
}

/* The "cpu" (@cpunum < 0) or "cpuN" line of /proc/stat as the four values
 * libvirt reports, in nanoseconds. */
bool
mv_qemu_node_cpu_stats_parse(const char *stat, int cpunum, guint64 ret_ns[N_CPU_STATS],
                             GError **error)
{
    g_autofree char *head = cpunum < 0 ? g_strdup("cpu ") : g_strdup_printf("cpu%d ", cpunum);
    g_auto(GStrv) lines = g_strsplit(stat, "\n", -1);
    long hz = sysconf(_SC_CLK_TCK);
    guint64 ns_per_tick = hz > 0 ? 1000000000ull / (guint64)hz : 10000000ull;

    for (char **l = lines; *l; l++) {
        unsigned long long usr, nice, sys, idle, iowait, irq = 0, softirq = 0;

        if (!g_str_has_prefix(*l, head))
            continue;
        if (sscanf(*l + strlen(head), "%llu %llu %llu %llu %llu %llu %llu", &usr, &nice, &sys,
                   &idle, &iowait, &irq, &softirq) < 5)
            break;
        ret_ns[0] = (sys + irq + softirq) * ns_per_tick;    /* kernel */
        ret_ns[1] = (usr + nice) * ns_per_tick;             /* user */
        ret_ns[2] = idle * ns_per_tick;                     /* idle */
        ret_ns[3] = iowait * ns_per_tick;                   /* iowait */
        return true;
    }
    return mv_error_set(error, MV_FROM_NONE, MV_ERR_INVALID_ARG,
                        "Invalid cpuNum in virNodeGetCPUStats: CPU %d is not in /proc/stat",
                        cpunum);
}

bool
mv_qemu_handle_node_get_cpu_stats(MvDriverCall *call, int cpunum, int nparams,
                                  unsigned int flags, MvRemoteNodeCpuStat **ret_params,
                                  guint *ret_n_params, int *ret_nparams, GError **error)
{
    static const char *const fields[N_CPU_STATS] = { "kernel", "user", "idle", "iowait" };
    g_autofree char *stat = NULL;
    guint64 ns[N_CPU_STATS];

    if (!mv_qemu_dispatch_check_flags(flags, 0, "virNodeGetCPUStats", error))
        return false;
    if (cpunum < CPU_STATS_ALL)
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_INVALID_ARG,
                            "Invalid cpuNum in virNodeGetCPUStats: %d", cpunum);
    if (nparams == 0) {
        (*ret_nparams) = N_CPU_STATS;
        return true;
    }
    if (nparams != N_CPU_STATS)
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_INVALID_ARG,
                            "nparams in virNodeGetCPUStats must be %d, not %d",
                            N_CPU_STATS, nparams);
    if (!read_file("/proc/stat", &stat, error) ||
        !mv_qemu_node_cpu_stats_parse(stat, cpunum, ns, error))
        return false;
    (*ret_params) = g_new0(MvRemoteNodeCpuStat, N_CPU_STATS);
    for (int i = 0; i < N_CPU_STATS; i++) {
        (*ret_params)[i].field = g_strdup(fields[i]);
        (*ret_params)[i].value = ns[i];
    }
    (*ret_n_params) = N_CPU_STATS;
    (*ret_nparams) = N_CPU_STATS;
    return true;
}

/* The value in KiB of "KEY:" in a meminfo text (lines may start "Node N "). */
static bool
meminfo_value(const char *text, const char *key, guint64 *ret_kib)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    gsize klen = strlen(key);

    for (char **l = lines; *l; l++) {
        const char *s = *l;

        if (g_str_has_prefix(s, "Node ")) {         /* "Node 0 MemTotal: ..." */
            s += 5;
            while (g_ascii_isdigit(*s))
                s++;
            while (*s == ' ')
                s++;
        }
        if (strncmp(s, key, klen) == 0 && s[klen] == ':')
            return sscanf(s + klen + 1, "%" G_GUINT64_FORMAT, ret_kib) == 1;
    }
    return false;
}

bool
mv_qemu_node_memory_stats_parse(const char *meminfo, bool cell, guint64 *ret_kib,
                                GError **error)
{
    static const char *const keys[N_MEMORY_STATS_ALL] = {
        "MemTotal", "MemFree", "Buffers", "Cached",
    };
    int n = cell ? N_MEMORY_STATS_CELL : N_MEMORY_STATS_ALL;

    for (int i = 0; i < n; i++)
        if (!meminfo_value(meminfo, keys[i], &ret_kib[i]))
            return mv_error_set(error, MV_FROM_NONE, MV_ERR_INTERNAL_ERROR,
                                "no %s line in the kernel's meminfo", keys[i]);
    return true;
}

bool
mv_qemu_handle_node_get_memory_stats(MvDriverCall *call, int nparams, int cell_num,
                                     unsigned int flags, MvRemoteNodeMemoryStat **ret_params,
                                     guint *ret_n_params, int *ret_nparams, GError **error)
{
    static const char *const fields[N_MEMORY_STATS_ALL] = { "total", "free", "buffers",
                                                            "cached" };
    bool cell = cell_num != MEMORY_STATS_ALL;
    int n = cell ? N_MEMORY_STATS_CELL : N_MEMORY_STATS_ALL;
    g_autofree char *path = NULL;
    g_autofree char *text = NULL;
    guint64 kib[N_MEMORY_STATS_ALL];

    if (!mv_qemu_dispatch_check_flags(flags, 0, "virNodeGetMemoryStats", error))
        return false;
    if (cell_num < MEMORY_STATS_ALL)
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_INVALID_ARG,
                            "Invalid cellNum in virNodeGetMemoryStats: %d", cell_num);
    path = cell ? g_strdup_printf("/sys/devices/system/node/node%d/meminfo", cell_num)
                : g_strdup("/proc/meminfo");
    if (cell && !g_file_test(path, G_FILE_TEST_EXISTS))
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_INVALID_ARG,
                            "Invalid cellNum in virNodeGetMemoryStats: NUMA cell %d does "
                            "not exist on this host", cell_num);
    if (nparams == 0) {
        (*ret_nparams) = n;
        return true;
    }
    if (nparams != n)
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_INVALID_ARG,
                            "nparams in virNodeGetMemoryStats must be %d, not %d", n, nparams);
    if (!read_file(path, &text, error) ||
        !mv_qemu_node_memory_stats_parse(text, cell, kib, error))
        return false;
    (*ret_params) = g_new0(MvRemoteNodeMemoryStat, n);
    for (int i = 0; i < n; i++) {
        (*ret_params)[i].field = g_strdup(fields[i]);
        (*ret_params)[i].value = kib[i];
    }
    (*ret_n_params) = n;
    (*ret_nparams) = n;
    return true;
}

/* "0-3,5" -> bits set in @map (of @nbits). Returns false on a malformed list. */
bool
mv_qemu_parse_cpu_list(const char *list, guint8 *map, guint nbits)
{
    g_auto(GStrv) parts = g_strsplit(list, ",", -1);

    for (char **p = parts; *p; p++) {
        unsigned int a, b;
        g_autofree char *s = g_strstrip(g_strdup(*p));

        if (!*s)
            continue;
        if (sscanf(s, "%u-%u", &a, &b) != 2) {
            if (sscanf(s, "%u", &a) != 1)
                return false;
            b = a;
        }
        for (unsigned int i = a; i <= b && i < nbits; i++)
            map[i / 8] |= 1u << (i % 8);
    }
    return true;
}

static guint
highest_cpu(const char *list)
{
    const char *p = list;
    guint max = 0;

    while (*p) {
        if (g_ascii_isdigit(*p)) {
            guint v = (guint)g_ascii_strtoull(p, (char **)&p, 10);

            max = MAX(max, v);
        } else {
            p++;
        }
    }
    return max;
}

bool
mv_qemu_handle_node_get_cpu_map(MvDriverCall *call, int need_map, int need_online,
                                unsigned int flags, char **ret_cpumap, guint *ret_n_cpumap,
                                unsigned int *ret_online, int *ret_ret, GError **error)
{
    g_autofree char *present = NULL;
    g_autofree char *online = NULL;
    g_autofree guint8 *map = NULL;
    guint ncpus, nbytes, count = 0;

    if (!mv_qemu_dispatch_check_flags(flags, 0, "virNodeGetCPUMap", error))
        return false;
    if (!read_file("/sys/devices/system/cpu/present", &present, error) ||
        !read_file("/sys/devices/system/cpu/online", &online, error))
        return false;
    ncpus = highest_cpu(present) + 1;
    nbytes = (ncpus + 7) / 8;
    map = g_new0(guint8, nbytes);
    if (!mv_qemu_parse_cpu_list(online, map, ncpus))
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_INTERNAL_ERROR,
                            "cannot parse /sys/devices/system/cpu/online: %s", online);
    for (guint i = 0; i < ncpus; i++)
        count += (map[i / 8] >> (i % 8)) & 1;
    if (need_map) {
        (*ret_cpumap) = (char *)g_steal_pointer(&map);
        (*ret_n_cpumap) = nbytes;
    }
    if (need_online)
        (*ret_online) = count;
    (*ret_ret) = (int)ncpus;
    return true;
}

static void
append_entries(GString *xml, const char *section, const char *const *names,
               const char *const *files, gsize n)
{
    bool opened = false;

    for (gsize i = 0; i < n; i++) {
        g_autofree char *path = g_build_filename("/sys/class/dmi/id", files[i], NULL);
        g_autofree char *value = NULL;
        g_autofree char *escaped = NULL;

        if (!g_file_get_contents(path, &value, NULL, NULL))
            continue;                   /* absent, or readable by root only */
        g_strstrip(value);
        if (!*value)
            continue;
        if (!opened) {
            g_string_append_printf(xml, "  <%s>\n", section);
            opened = true;
        }
        escaped = g_markup_escape_text(value, -1);
        g_string_append_printf(xml, "    <entry name='%s'>%s</entry>\n", names[i], escaped);
    }
    if (opened)
        g_string_append_printf(xml, "  </%s>\n", section);
}

/* The host's SMBIOS facts from /sys/class/dmi/id, as virsh sysinfo shows them. */
bool
mv_qemu_handle_connect_get_sysinfo(MvDriverCall *call, unsigned int flags, char **ret_sysinfo,
                                   GError **error)
{
    static const char *const bios_names[] = { "vendor", "version", "date", "release" };
    static const char *const bios_files[] = { "bios_vendor", "bios_version", "bios_date",
                                              "bios_release" };
    static const char *const sys_names[] = { "manufacturer", "product", "version", "serial",
                                             "uuid", "sku", "family" };
    static const char *const sys_files[] = { "sys_vendor", "product_name", "product_version",
                                             "product_serial", "product_uuid", "product_sku",
                                             "product_family" };
    static const char *const board_names[] = { "manufacturer", "product", "version",
                                               "serial", "asset" };
    static const char *const board_files[] = { "board_vendor", "board_name", "board_version",
                                               "board_serial", "board_asset_tag" };
    GString *xml;

    if (!mv_qemu_dispatch_check_flags(flags, 0, "virConnectGetSysinfo", error))
        return false;
    if (!g_file_test("/sys/class/dmi/id", G_FILE_TEST_IS_DIR))
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_INTERNAL_ERROR,
                            "Host SMBIOS information is not available: "
                            "/sys/class/dmi/id does not exist");
    xml = g_string_new("<sysinfo type='smbios'>\n");
    append_entries(xml, "bios", bios_names, bios_files, G_N_ELEMENTS(bios_names));
    append_entries(xml, "system", sys_names, sys_files, G_N_ELEMENTS(sys_names));
    append_entries(xml, "baseBoard", board_names, board_files, G_N_ELEMENTS(board_names));
    g_string_append(xml, "</sysinfo>\n");
    (*ret_sysinfo) = g_string_free(xml, FALSE);
    return true;
}
