/* Host facts from /proc and /sys. Every reader has an _at() form taking a root
 * prefix so the tests can run it on a fixture tree (node-priv.h). */
#include "conf/node.h"
#include "conf/node-priv.h"

#include <errno.h>
#include <netdb.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "util/error.h"

/* ---- small file helpers ------------------------------------------------ */

static char *
node_path(const char *root, const char *rel)
{
    return g_build_filename(root ? root : "/", rel, NULL);
}

/* Reads a whole file; /proc and /sys files report size 0, which GLib handles. */
static bool
node_read(const char *root, const char *rel, char **ret, GError **error)
{
    g_autofree char *path = node_path(root, rel);
    g_autoptr(GError) local = NULL;
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, &local))
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_SYSTEM_ERROR,
                            "cannot read '%s': %s", path, local->message);
    *ret = text;
    return true;
}

/* An optional file holding one integer; false when missing or unparseable. */
static bool
node_read_int(const char *root, const char *rel, gint64 *ret)
{
    g_autofree char *text = NULL;
    char *end = NULL;
    gint64 v;

    if (!node_read(root, rel, &text, NULL))
        return false;
    g_strstrip(text);
    errno = 0;
    v = g_ascii_strtoll(text, &end, 10);
    if (errno || end == text || *end)
        return false;
    *ret = v;
    return true;
}

static bool
node_exists(const char *root, const char *rel)
{
    g_autofree char *path = node_path(root, rel);
    return g_file_test(path, G_FILE_TEST_EXISTS);
}

/* ---- parsers ------------------------------------------------------------ */

bool
mv_node_parse_meminfo(const char *text, const char *key, guint64 *ret_kib, GError **error)
{
    g_auto(GStrv) lines = g_strsplit(text ? text : "", "\n", -1);
    size_t keylen = strlen(key);

    for (char **l = lines; *l; l++) {
        const char *p = *l;
        char *end = NULL;
        guint64 v;

        /* per-node files prefix every line with "Node <n> " */
        if (g_str_has_prefix(p, "Node ")) {
            p += 5;
            while (g_ascii_isdigit(*p))
                p++;
            while (*p == ' ')
                p++;
        }
        if (strncmp(p, key, keylen) != 0 || p[keylen] != ':')
            continue;
        p += keylen + 1;
        while (g_ascii_isspace(*p))
            p++;
        errno = 0;
        v = g_ascii_strtoull(p, &end, 10);
        if (errno || end == p)
            break;
        *ret_kib = v;
        return true;
    }
    return mv_error_set(error, MV_FROM_NONE, MV_ERR_INTERNAL_ERROR,
                        "no valid '%s' line in the memory information", key);
}

static gint
node_cmp_uint(gconstpointer a, gconstpointer b)
{
    guint x = *(const guint *)a, y = *(const guint *)b;
    return x < y ? -1 : x > y;
}

#define NODE_MAX_ID 65536   /* far above any real CPU or node id; bounds bad input */

bool
mv_node_parse_cpu_list(const char *text, guint **ret_ids, size_t *ret_n, GError **error)
{
    g_autofree char *copy = g_strstrip(g_strdup(text ? text : ""));
    g_auto(GStrv) parts = g_strsplit(copy, ",", -1);
    g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(guint));
    size_t n = 0;

    for (char **part = parts; *part; part++) {
        char *p = g_strstrip(*part);
        char *end = NULL;
        guint64 lo, hi;

        if (!*p) {
            if (!parts[1])          /* the empty list */
                break;
            goto bad;
        }
        if (!g_ascii_isdigit(*p))
            goto bad;
        lo = g_ascii_strtoull(p, &end, 10);
        hi = lo;
        if (*end == '-') {
            p = end + 1;
            if (!g_ascii_isdigit(*p))
                goto bad;
            hi = g_ascii_strtoull(p, &end, 10);
        }
        if (*end || hi < lo || hi >= NODE_MAX_ID)
            goto bad;
        for (guint64 i = lo; i <= hi; i++) {
            guint v = (guint)i;
            g_array_append_val(ids, v);
        }
    }

    g_array_sort(ids, node_cmp_uint);
    for (guint i = 0; i < ids->len; i++) {
        if (n > 0 && g_array_index(ids, guint, n - 1) == g_array_index(ids, guint, i))
            continue;
        g_array_index(ids, guint, n++) = g_array_index(ids, guint, i);
    }
    g_array_set_size(ids, n);
    *ret_n = n;
    *ret_ids = (guint *)g_array_free(g_steal_pointer(&ids), FALSE);
    return true;

 bad:
    return mv_error_set(error, MV_FROM_NONE, MV_ERR_INTERNAL_ERROR,
                        "malformed CPU/node list '%s'", copy);
}

static const struct {
    const char *id;
    const char *name;
} node_vendors[] = {
    { "GenuineIntel", "Intel" },
    { "AuthenticAMD", "AMD" },
    { "HygonGenuine", "Hygon" },
    { "  Shanghai  ", "Zhaoxin" },
    { "CentaurHauls", "Zhaoxin" },
};

static int
node_parse_small_int(const char *v)
{
    char *end = NULL;
    gint64 n = g_ascii_strtoll(v, &end, 0);
    return (end == v || n < 0 || n > G_MAXINT) ? -1 : (int)n;
}

MvNodeCpuId *
mv_node_parse_cpuinfo(const char *text, GError **error)
{
    g_autoptr(MvNodeCpuId) id = g_new0(MvNodeCpuId, 1);
    g_auto(GStrv) lines = g_strsplit(text ? text : "", "\n", -1);
    bool seen_processor = false;

    id->family = id->model = id->stepping = -1;
    id->microcode = -1;

    for (char **l = lines; *l; l++) {
        char *colon = strchr(*l, ':');
        g_autofree char *key = NULL;
        const char *value;

        if (!colon) {
            if (seen_processor && !g_strstrip(*l)[0])
                break;          /* end of the first processor's block */
            continue;
        }
        key = g_strstrip(g_strndup(*l, colon - *l));
        value = colon + 1;
        while (*value == ' ' || *value == '\t')
            value++;

        if (g_str_equal(key, "processor")) {
            if (seen_processor)
                break;
            seen_processor = true;
        } else if (g_str_equal(key, "vendor_id") && !id->vendor_id) {
            id->vendor_id = g_strdup(value);
        } else if (g_str_equal(key, "model name") && !id->model_name) {
            id->model_name = g_strstrip(g_strdup(value));
        } else if (g_str_equal(key, "cpu family")) {
            id->family = node_parse_small_int(value);
        } else if (g_str_equal(key, "model")) {
            id->model = node_parse_small_int(value);
        } else if (g_str_equal(key, "stepping")) {
            id->stepping = node_parse_small_int(value);
        } else if (g_str_equal(key, "microcode")) {
            char *end = NULL;
            guint64 v = g_ascii_strtoull(value, &end, 0);
            if (end != value && v <= G_MAXINT64)
                id->microcode = (gint64)v;
        } else if (g_str_equal(key, "cpu MHz")) {
            id->mhz = g_ascii_strtod(value, NULL);
        } else if ((g_str_equal(key, "flags") || g_str_equal(key, "Features")) && !id->flags) {
            id->flags = g_strsplit_set(g_strstrip((char *)value), " \t", -1);
        }
    }

    if (!id->flags)
        id->flags = g_new0(char *, 1);
    else {
        /* drop the empty strings left by runs of blanks */
        size_t j = 0;
        for (size_t i = 0; id->flags[i]; i++) {
            if (id->flags[i][0])
                id->flags[j++] = id->flags[i];
            else
                g_free(id->flags[i]);
        }
        id->flags[j] = NULL;
    }

    if (id->vendor_id) {
        for (size_t i = 0; i < G_N_ELEMENTS(node_vendors); i++) {
            if (g_str_equal(id->vendor_id, node_vendors[i].id))
                id->vendor = g_strdup(node_vendors[i].name);
        }
        if (!id->vendor)
            id->vendor = g_strstrip(g_strdup(id->vendor_id));
    }

    if (!seen_processor && !id->vendor_id && !id->flags[0])
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_INTERNAL_ERROR,
                            "no processor found in the CPU information"), NULL;
    return g_steal_pointer(&id);
}

void
mv_node_cpu_id_free(MvNodeCpuId *id)
{
    if (!id)
        return;
    g_free(id->vendor_id);
    g_free(id->vendor);
    g_free(id->model_name);
    g_strfreev(id->flags);
    g_free(id);
}

/* ---- topology ----------------------------------------------------------- */

static void
node_cell_clear(MvNodeCell *cell)
{
    for (size_t i = 0; i < cell->ncpus; i++)
        g_free(cell->cpus[i].siblings);
    g_free(cell->cpus);
    g_free(cell->pages);
    g_free(cell->distances);
}

void
mv_node_topology_free(MvNodeTopology *topo)
{
    if (!topo)
        return;
    for (size_t i = 0; i < topo->ncells; i++)
        node_cell_clear(&topo->cells[i]);
    g_free(topo->cells);
    g_free(topo->page_sizes_kib);
    g_free(topo);
}

/* Huge page sizes offered by the kernel: directories "hugepages-<N>kB". */
static void
node_read_page_sizes(const char *root, guint page_size_kib, MvNodeTopology *topo)
{
    g_autofree char *path = node_path(root, "sys/kernel/mm/hugepages");
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    g_autoptr(GArray) sizes = g_array_new(FALSE, FALSE, sizeof(guint));
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        char *end = NULL;
        guint64 kib;

        if (!g_str_has_prefix(name, "hugepages-"))
            continue;
        kib = g_ascii_strtoull(name + 10, &end, 10);
        if (end == name + 10 || !g_str_equal(end, "kB") || kib == 0 || kib > G_MAXUINT)
            continue;
        guint v = (guint)kib;
        g_array_append_val(sizes, v);
    }
    g_array_sort(sizes, node_cmp_uint);
    g_array_prepend_val(sizes, page_size_kib);
    topo->npage_sizes = sizes->len;
    topo->page_sizes_kib = (guint *)g_array_free(g_steal_pointer(&sizes), FALSE);
}

/* Page counts of one cell: huge pages from @hugedir, the rest in system pages. */
static void
node_fill_pages(const char *root, const char *hugedir, const MvNodeTopology *topo,
                MvNodeCell *cell)
{
    guint64 huge_kib = 0;

    cell->npages = topo->npage_sizes;
    cell->pages = g_new0(MvNodePages, cell->npages);
    for (size_t i = 0; i < topo->npage_sizes; i++)
        cell->pages[i].size_kib = topo->page_sizes_kib[i];
    for (size_t i = 1; i < topo->npage_sizes; i++) {
        g_autofree char *rel = g_strdup_printf("%s/hugepages-%ukB/nr_hugepages", hugedir,
                                               topo->page_sizes_kib[i]);
        gint64 n = 0;
        if (node_read_int(root, rel, &n) && n > 0)
            cell->pages[i].count = (guint64)n;
        huge_kib += cell->pages[i].count * topo->page_sizes_kib[i];
    }
    if (cell->npages && cell->memory_kib > huge_kib && topo->page_sizes_kib[0])
        cell->pages[0].count = (cell->memory_kib - huge_kib) / topo->page_sizes_kib[0];
}

static void
node_fill_cpu(const char *root, guint id, MvNodeCpu *cpu)
{
    g_autofree char *base = g_strdup_printf("sys/devices/system/cpu/cpu%u/topology", id);
    g_autofree char *rel = NULL;
    g_autofree char *siblings = NULL;
    gint64 v;

    cpu->id = id;
    /* physical_package_id is -1 on some virtual and ARM systems: one socket then */
    rel = g_strdup_printf("%s/physical_package_id", base);
    cpu->socket_id = node_read_int(root, rel, &v) && v >= 0 && v <= G_MAXUINT ? (guint)v : 0;
    g_free(rel);
    rel = g_strdup_printf("%s/die_id", base);          /* absent before Linux 5.2 */
    cpu->die_id = node_read_int(root, rel, &v) && v >= 0 && v <= G_MAXUINT ? (guint)v : 0;
    g_free(rel);
    rel = g_strdup_printf("%s/core_id", base);
    cpu->core_id = node_read_int(root, rel, &v) && v >= 0 && v <= G_MAXUINT ? (guint)v : id;
    g_free(rel);
    rel = g_strdup_printf("%s/thread_siblings_list", base);
    if (node_read(root, rel, &siblings, NULL) && g_strstrip(siblings)[0])
        cpu->siblings = g_steal_pointer(&siblings);
    else
        cpu->siblings = g_strdup_printf("%u", id);
}

/* The CPUs of a cell: @ids intersected with the online set. */
static void
node_fill_cpus(const char *root, const guint *ids, size_t n, const guint *online,
               size_t nonline, MvNodeCell *cell)
{
    cell->cpus = g_new0(MvNodeCpu, n);
    for (size_t i = 0; i < n; i++) {
        bool is_online = false;
        for (size_t j = 0; j < nonline && !is_online; j++)
            is_online = online[j] == ids[i];
        if (is_online)
            node_fill_cpu(root, ids[i], &cell->cpus[cell->ncpus++]);
    }
}

MvNodeTopology *
mv_node_get_topology_at(const char *root, guint page_size_kib, GError **error)
{
    g_autoptr(MvNodeTopology) topo = g_new0(MvNodeTopology, 1);
    g_autofree char *text = NULL;
    g_autofree guint *online = NULL;
    size_t nonline = 0;

    if (!node_read(root, "sys/devices/system/cpu/online", &text, error) ||
        !mv_node_parse_cpu_list(text, &online, &nonline, error))
        return NULL;
    g_clear_pointer(&text, g_free);
    node_read_page_sizes(root, page_size_kib, topo);

    if (!node_exists(root, "sys/devices/system/node/node0") &&
        !node_exists(root, "sys/devices/system/node/online")) {
        /* no NUMA: one cell with everything */
        MvNodeCell *cell;

        topo->ncells = 1;
        topo->cells = cell = g_new0(MvNodeCell, 1);
        if (!node_read(root, "proc/meminfo", &text, error) ||
            !mv_node_parse_meminfo(text, "MemTotal", &cell->memory_kib, error))
            return NULL;
        node_fill_pages(root, "sys/kernel/mm/hugepages", topo, cell);
        node_fill_cpus(root, online, nonline, online, nonline, cell);
        return g_steal_pointer(&topo);
    }

    g_autofree guint *nodes = NULL;
    size_t nnodes = 0;
    if (!node_read(root, "sys/devices/system/node/online", &text, error) ||
        !mv_node_parse_cpu_list(text, &nodes, &nnodes, error))
        return NULL;
    g_clear_pointer(&text, g_free);

    topo->cells = g_new0(MvNodeCell, nnodes);
    for (size_t i = 0; i < nnodes; i++) {
        MvNodeCell *cell = &topo->cells[topo->ncells++];
        g_autofree char *dir = g_strdup_printf("sys/devices/system/node/node%u", nodes[i]);
        g_autofree char *rel = NULL;
        g_autofree guint *ids = NULL;
        g_auto(GStrv) dist = NULL;
        size_t nids = 0;

        cell->id = nodes[i];
        rel = g_strdup_printf("%s/meminfo", dir);
        if (!node_read(root, rel, &text, error) ||
            !mv_node_parse_meminfo(text, "MemTotal", &cell->memory_kib, error))
            return NULL;
        g_clear_pointer(&text, g_free);
        g_free(rel);

        rel = g_strdup_printf("%s/hugepages", dir);
        node_fill_pages(root, rel, topo, cell);
        g_free(rel);

        /* "10 21 ...": one value per online node, in node order */
        rel = g_strdup_printf("%s/distance", dir);
        if (node_read(root, rel, &text, NULL)) {
            dist = g_strsplit_set(g_strstrip(text), " \t", -1);
            cell->distances = g_new0(MvNodeDistance, nnodes);
            for (size_t j = 0; dist[j] && cell->ndistances < nnodes; j++) {
                if (!dist[j][0])
                    continue;
                cell->distances[cell->ndistances].id = nodes[cell->ndistances];
                cell->distances[cell->ndistances].value =
                    (guint)g_ascii_strtoull(dist[j], NULL, 10);
                cell->ndistances++;
            }
            g_clear_pointer(&text, g_free);
        }
        g_free(rel);

        rel = g_strdup_printf("%s/cpulist", dir);
        if (!node_read(root, rel, &text, error) ||
            !mv_node_parse_cpu_list(text, &ids, &nids, error))
            return NULL;
        g_clear_pointer(&text, g_free);
        node_fill_cpus(root, ids, nids, online, nonline, cell);
    }
    return g_steal_pointer(&topo);
}

MvNodeTopology *
mv_node_get_topology(GError **error)
{
    return mv_node_get_topology_at("/", (guint)(sysconf(_SC_PAGESIZE) / 1024), error);
}

/* ---- NODE_GET_INFO ------------------------------------------------------ */

static size_t
node_count_distinct(const guint *vals, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j;
        for (j = 0; j < i && vals[j] != vals[i]; j++)
            ;
        if (j == i)
            count++;
    }
    return count;
}

void
mv_node_info_from_topology(const MvNodeTopology *topo, int cpus, MvNodeInfo *ret)
{
    int nodes = 0, sockets = 0, cores = 0, threads = 0;

    for (size_t c = 0; topo && c < topo->ncells; c++) {
        const MvNodeCell *cell = &topo->cells[c];
        g_autofree guint *socket_ids = g_new0(guint, cell->ncpus + 1);
        g_autofree guint *core_ids = g_new0(guint, cell->ncpus + 1);

        if (!cell->ncpus)
            continue;
        nodes++;
        for (size_t i = 0; i < cell->ncpus; i++)
            socket_ids[i] = cell->cpus[i].socket_id;
        sockets = MAX(sockets, (int)node_count_distinct(socket_ids, cell->ncpus));

        for (size_t i = 0; i < cell->ncpus; i++) {
            /* the cores of the socket of CPU i, then the threads of its core */
            size_t ncore = 0, nthread = 0;
            for (size_t j = 0; j < cell->ncpus; j++) {
                const MvNodeCpu *a = &cell->cpus[i], *b = &cell->cpus[j];
                if (a->socket_id != b->socket_id)
                    continue;
                core_ids[ncore++] = (b->die_id << 16) ^ b->core_id;
                if (a->die_id == b->die_id && a->core_id == b->core_id)
                    nthread++;
            }
            cores = MAX(cores, (int)node_count_distinct(core_ids, ncore));
            threads = MAX(threads, (int)nthread);
        }
    }

    if (nodes == 0 || (gint64)nodes * sockets * cores * threads != cpus) {
        nodes = 1;
        sockets = 1;
        cores = cpus;
        threads = 1;
    }
    ret->nodes = nodes;
    ret->sockets = sockets;
    ret->cores = cores;
    ret->threads = threads;
}

bool
mv_node_get_info_at(const char *root, const char *arch, MvNodeInfo *ret, GError **error)
{
    MvNodeInfo info = { 0 };
    g_autofree char *meminfo = NULL;
    g_autofree char *cpuinfo = NULL;
    g_autoptr(MvNodeTopology) topo = NULL;
    gint64 khz;

    g_strlcpy(info.model, arch, sizeof(info.model));
    if (!node_read(root, "proc/meminfo", &meminfo, error) ||
        !mv_node_parse_meminfo(meminfo, "MemTotal", &info.memory_kib, error))
        return false;
    if (!(topo = mv_node_get_topology_at(root, 4, error)))
        return false;
    for (size_t i = 0; i < topo->ncells; i++)
        info.cpus += (int)topo->cells[i].ncpus;
    mv_node_info_from_topology(topo, info.cpus, &info);

    /* "cpu MHz" of the first CPU; cpufreq (kHz) when cpuinfo has none (ARM) */
    if (node_read(root, "proc/cpuinfo", &cpuinfo, NULL)) {
        g_autoptr(MvNodeCpuId) id = mv_node_parse_cpuinfo(cpuinfo, NULL);
        if (id && id->mhz > 0)
            info.mhz = (int)id->mhz;
    }
    if (!info.mhz &&
        node_read_int(root, "sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", &khz) &&
        khz > 0)
        info.mhz = (int)(khz / 1000);

    *ret = info;
    return true;
}

bool
mv_node_get_info(MvNodeInfo *ret, GError **error)
{
    struct utsname uts;

    if (uname(&uts) < 0)
        return mv_error_set_errno(error, MV_FROM_NONE, errno, "uname failed");
    return mv_node_get_info_at("/", uts.machine, ret, error);
}

/* ---- memory ------------------------------------------------------------- */

bool
mv_node_get_free_memory_at(const char *root, guint64 *ret_bytes, GError **error)
{
    g_autofree char *text = NULL;
    guint64 kib;

    if (!node_read(root, "proc/meminfo", &text, error) ||
        !mv_node_parse_meminfo(text, "MemFree", &kib, error))
        return false;
    *ret_bytes = kib * 1024;
    return true;
}

bool
mv_node_get_free_memory(guint64 *ret_bytes, GError **error)
{
    return mv_node_get_free_memory_at("/", ret_bytes, error);
}

bool
mv_node_get_cells_free_memory_at(const char *root, int start, int max,
                                 guint64 *ret_cells, int *ret_n, GError **error)
{
    g_autofree char *text = NULL;
    g_autofree guint *nodes = NULL;
    size_t nnodes = 0;
    int last, n = 0;

    if (!node_exists(root, "sys/devices/system/node/online")) {
        nnodes = 1;
        nodes = g_new0(guint, 1);
    } else if (!node_read(root, "sys/devices/system/node/online", &text, error) ||
               !mv_node_parse_cpu_list(text, &nodes, &nnodes, error)) {
        return false;
    }
    g_clear_pointer(&text, g_free);
    last = nnodes ? (int)nodes[nnodes - 1] : 0;

    if (start < 0 || start > last)
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_INVALID_ARG,
                            "start cell %d out of range (0-%d)", start, last);
    if (max < 1)
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_INVALID_ARG,
                            "maximum number of cells %d must be at least 1", max);

    g_autofree guint64 *cells = g_new0(guint64, max);
    for (int id = start; id <= last && n < max; id++, n++) {
        g_autofree char *rel = NULL;
        bool is_online = false;
        guint64 kib = 0;

        for (size_t j = 0; j < nnodes && !is_online; j++)
            is_online = nodes[j] == (guint)id;
        if (!is_online)
            continue;           /* a hole in the node ids: no memory */
        if (!node_exists(root, "sys/devices/system/node/online"))
            rel = g_strdup("proc/meminfo");
        else
            rel = g_strdup_printf("sys/devices/system/node/node%d/meminfo", id);
        if (!node_read(root, rel, &text, error) ||
            !mv_node_parse_meminfo(text, "MemFree", &kib, error))
            return false;
        g_clear_pointer(&text, g_free);
        cells[n] = kib * 1024;
    }
    memcpy(ret_cells, cells, sizeof(guint64) * n);
    *ret_n = n;
    return true;
}

bool
mv_node_get_cells_free_memory(int start, int max, guint64 *ret_cells, int *ret_n,
                              GError **error)
{
    return mv_node_get_cells_free_memory_at("/", start, max, ret_cells, ret_n, error);
}

MvNodeCpuId *
mv_node_get_cpu_id_at(const char *root, GError **error)
{
    g_autofree char *text = NULL;

    if (!node_read(root, "proc/cpuinfo", &text, error))
        return NULL;
    return mv_node_parse_cpuinfo(text, error);
}

MvNodeCpuId *
mv_node_get_cpu_id(GError **error)
{
    return mv_node_get_cpu_id_at("/", error);
}

/* ---- identity ----------------------------------------------------------- */

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" from 32 hex digits, dashes optional. */
static char *
node_format_uuid(const char *text)
{
    char hex[33];
    size_t n = 0;
    bool all_same = true;

    for (const char *p = text; *p; p++) {
        if (*p == '-')
            continue;
        if (!g_ascii_isxdigit(*p) || n == 32)
            return NULL;
        hex[n] = g_ascii_tolower(*p);
        all_same = all_same && hex[n] == hex[0];
        n++;
    }
    if (n != 32 || all_same)
        return NULL;
    hex[32] = '\0';
    return g_strdup_printf("%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
                           hex + 20);
}

char *
mv_node_get_uuid_at(const char *root, GError **error)
{
    g_autofree char *text = NULL;
    char *uuid;

    /* root-only readable on most hosts; an unprivileged daemon uses machine-id */
    if (node_read(root, "sys/class/dmi/id/product_uuid", &text, NULL) &&
        strlen(g_strstrip(text)) == 36 && (uuid = node_format_uuid(text)))
        return uuid;
    g_clear_pointer(&text, g_free);
    if (!node_read(root, "etc/machine-id", &text, error))
        return NULL;
    g_strstrip(text);
    if (strlen(text) != 32 || !(uuid = node_format_uuid(text)))
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_INTERNAL_ERROR,
                            "no usable host UUID: /etc/machine-id is malformed"), NULL;
    return uuid;
}

char *
mv_node_get_uuid(GError **error)
{
    return mv_node_get_uuid_at("/", error);
}

/* True when /etc/hosts names @host: then the "files" NSS source answers a
 * canonical-name lookup locally and getaddrinfo() never waits for DNS. */
static bool
node_hosts_file_knows(const char *host)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents("/etc/hosts", &text, NULL, NULL))
        return false;
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        char *hash = strchr(*l, '#');
        g_auto(GStrv) words = NULL;

        if (hash)
            *hash = '\0';
        words = g_strsplit_set(*l, " \t", -1);
        for (size_t i = 1; words[0] && words[i]; i++) {
            if (g_ascii_strcasecmp(words[i], host) == 0)
                return true;
        }
    }
    return false;
}

char *
mv_node_get_hostname(void)
{
    char host[HOST_NAME_MAX + 1] = "";
    struct addrinfo hints = { .ai_flags = AI_CANONNAME, .ai_family = AF_UNSPEC };
    struct addrinfo *info = NULL;
    char *result;

    if (gethostname(host, sizeof(host) - 1) < 0 || !host[0])
        return g_strdup("localhost");
    if (strchr(host, '.') || !node_hosts_file_knows(host))
        return g_strdup(host);
    if (getaddrinfo(host, NULL, &hints, &info) != 0 || !info)
        return g_strdup(host);
    if (info->ai_canonname && info->ai_canonname[0] &&
        !g_str_has_prefix(info->ai_canonname, "localhost"))
        result = g_strdup(info->ai_canonname);
    else
        result = g_strdup(host);
    freeaddrinfo(info);
    return result;
}
