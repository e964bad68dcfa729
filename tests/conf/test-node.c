/* Host facts: parsers on fixture text, readers on fixture trees, and the live host. */
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "conf/node.h"
#include "conf/node-priv.h"
#include "util/error.h"

#define DATA MV_TEST_DATA_DIR

static void
test_meminfo(void)
{
    g_autoptr(GError) error = NULL;
    guint64 kib = 7;

    g_assert_true(mv_node_parse_meminfo("MemTotal:       24684084 kB\nMemFree:  1 kB\n",
                                        "MemTotal", &kib, &error));
    g_assert_cmpuint(kib, ==, 24684084);
    g_assert_true(mv_node_parse_meminfo("MemTotal: 5 kB\nMemFree:  1 kB\n", "MemFree", &kib, NULL));
    g_assert_cmpuint(kib, ==, 1);
    /* per-node files prefix the key; a key must match whole */
    g_assert_true(mv_node_parse_meminfo("Node 12 MemFreeX: 3 kB\nNode 12 MemFree:  42 kB\n",
                                        "MemFree", &kib, NULL));
    g_assert_cmpuint(kib, ==, 42);

    kib = 7;
    g_assert_false(mv_node_parse_meminfo("MemFree: 1 kB\n", "MemTotal", &kib, &error));
    g_assert_true(mv_error_matches(error, MV_ERR_INTERNAL_ERROR));
    g_assert_cmpuint(kib, ==, 7);
    g_clear_error(&error);
    g_assert_false(mv_node_parse_meminfo("MemTotal: lots\n", "MemTotal", &kib, &error));
    g_clear_error(&error);
    g_assert_false(mv_node_parse_meminfo("", "MemTotal", &kib, NULL));
}

static void
test_cpu_list(void)
{
    static const struct {
        const char *text;
        const char *expect;     /* ids joined by ',' ; NULL = parse error */
    } cases[] = {
        { "0-3\n", "0,1,2,3" },
        { "0", "0" },
        { "", "" },
        { "\n", "" },
        { "0-1,4-5", "0,1,4,5" },
        { "8,2-3,3,0", "0,2,3,8" },
        { " 1 , 2 ", "1,2" },
        { "3-1", NULL },
        { "1,,2", NULL },
        { "a", NULL },
        { "1-", NULL },
        { "-1", NULL },
        { "0-99999999", NULL },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        g_autofree guint *ids = NULL;
        size_t n = 99;
        bool ok = mv_node_parse_cpu_list(cases[i].text, &ids, &n, &error);

        if (!cases[i].expect) {
            g_assert_false(ok);
            g_assert_nonnull(error);
            g_assert_cmpuint(n, ==, 99);
            continue;
        }
        g_assert_no_error(error);
        g_autoptr(GString) s = g_string_new(NULL);
        for (size_t j = 0; j < n; j++)
            g_string_append_printf(s, "%s%u", j ? "," : "", ids[j]);
        g_assert_cmpstr(s->str, ==, cases[i].expect);
    }
}

static void
test_cpuinfo(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *text = NULL;
    g_autoptr(MvNodeCpuId) id = NULL;

    g_assert_true(g_file_get_contents(DATA "/host-numa/proc/cpuinfo", &text, NULL, NULL));
    id = mv_node_parse_cpuinfo(text, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(id->vendor_id, ==, "GenuineIntel");
    g_assert_cmpstr(id->vendor, ==, "Intel");
    g_assert_cmpstr(id->model_name, ==, "Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz");
    g_assert_cmpint(id->family, ==, 6);
    g_assert_cmpint(id->model, ==, 85);
    g_assert_cmpint(id->stepping, ==, 4);
    g_assert_cmpint(id->microcode, ==, 0x2006e05);
    g_assert_cmpfloat(id->mhz, ==, 2100.0);
    g_assert_cmpstr(id->flags[0], ==, "fpu");
    g_assert_true(g_strv_contains((const char *const *)id->flags, "avx512_vnni"));
    g_clear_pointer(&text, g_free);
    g_clear_pointer(&id, mv_node_cpu_id_free);

    /* AMD, runs of blanks in the flags, only the first processor counts */
    g_assert_true(g_file_get_contents(DATA "/host-flat/proc/cpuinfo", &text, NULL, NULL));
    id = mv_node_parse_cpuinfo(text, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(id->vendor, ==, "AMD");
    g_assert_cmpint(id->family, ==, 25);
    g_assert_cmpint(id->microcode, ==, -1);
    g_assert_cmpint((int)id->mhz, ==, 1996);
    g_assert_cmpuint(g_strv_length(id->flags), ==, 6);
    g_assert_cmpstr(id->flags[1], ==, "vme");
    g_clear_pointer(&id, mv_node_cpu_id_free);

    /* an unknown vendor keeps its raw id; no flags gives an empty list */
    id = mv_node_parse_cpuinfo("processor : 0\nvendor_id : WeirdVendor\n", &error);
    g_assert_no_error(error);
    g_assert_cmpstr(id->vendor, ==, "WeirdVendor");
    g_assert_nonnull(id->flags);
    g_assert_null(id->flags[0]);
    g_assert_cmpint(id->family, ==, -1);
    g_clear_pointer(&id, mv_node_cpu_id_free);

    g_assert_null(mv_node_parse_cpuinfo("garbage\n", &error));
    g_assert_nonnull(error);
}

static void
test_fixture_numa(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MvNodeTopology) topo = NULL;
    MvNodeInfo info;
    guint64 bytes = 0;
    guint64 cells[4] = { 0 };
    int n = 0;

    g_assert_true(mv_node_get_info_at(DATA "/host-numa", "x86_64", &info, &error));
    g_assert_no_error(error);
    g_assert_cmpstr(info.model, ==, "x86_64");
    g_assert_cmpuint(info.memory_kib, ==, 32768000);
    g_assert_cmpint(info.cpus, ==, 8);
    g_assert_cmpint(info.mhz, ==, 2100);
    g_assert_cmpint(info.nodes, ==, 2);
    g_assert_cmpint(info.sockets, ==, 1);
    g_assert_cmpint(info.cores, ==, 2);
    g_assert_cmpint(info.threads, ==, 2);

    topo = mv_node_get_topology_at(DATA "/host-numa", 4, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(topo->npage_sizes, ==, 3);
    g_assert_cmpuint(topo->page_sizes_kib[1], ==, 2048);
    g_assert_cmpuint(topo->page_sizes_kib[2], ==, 1048576);
    g_assert_cmpuint(topo->ncells, ==, 2);
    g_assert_cmpuint(topo->cells[1].id, ==, 1);
    g_assert_cmpuint(topo->cells[1].ncpus, ==, 4);
    g_assert_cmpuint(topo->cells[1].cpus[2].id, ==, 6);
    g_assert_cmpuint(topo->cells[1].cpus[2].socket_id, ==, 1);
    g_assert_cmpstr(topo->cells[1].cpus[2].siblings, ==, "2,6");
    g_assert_cmpuint(topo->cells[1].ndistances, ==, 2);
    g_assert_cmpuint(topo->cells[1].distances[0].value, ==, 21);
    g_assert_cmpuint(topo->cells[0].pages[1].count, ==, 8);
    g_assert_cmpuint(topo->cells[0].pages[0].count, ==, (16384000 - 8 * 2048) / 4);

    g_assert_true(mv_node_get_free_memory_at(DATA "/host-numa", &bytes, &error));
    g_assert_cmpuint(bytes, ==, G_GUINT64_CONSTANT(30000000) * 1024);

    g_assert_true(mv_node_get_cells_free_memory_at(DATA "/host-numa", 0, 4, cells, &n, &error));
    g_assert_no_error(error);
    g_assert_cmpint(n, ==, 2);
    g_assert_cmpuint(cells[0], ==, G_GUINT64_CONSTANT(15000000) * 1024);
    g_assert_cmpuint(cells[1], ==, G_GUINT64_CONSTANT(15000001) * 1024);
    g_assert_true(mv_node_get_cells_free_memory_at(DATA "/host-numa", 1, 1, cells, &n, &error));
    g_assert_cmpint(n, ==, 1);
    g_assert_cmpuint(cells[0], ==, G_GUINT64_CONSTANT(15000001) * 1024);
    n = 77;
    g_assert_false(mv_node_get_cells_free_memory_at(DATA "/host-numa", 2, 1, cells, &n, &error));
    g_assert_true(mv_error_matches(error, MV_ERR_INVALID_ARG));
    g_assert_cmpint(n, ==, 77);
    g_clear_error(&error);
    g_assert_false(mv_node_get_cells_free_memory_at(DATA "/host-numa", 0, 0, cells, &n, &error));
    g_assert_true(mv_error_matches(error, MV_ERR_INVALID_ARG));
}

static void
test_fixture_flat(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MvNodeTopology) topo = NULL;
    g_autofree char *uuid = NULL;
    MvNodeInfo info;
    guint64 cells[2] = { 0 };
    int n = 0;

    /* 3 online CPUs, two of them sharing a core: 1*1*2*2 != 3, so the fallback */
    g_assert_true(mv_node_get_info_at(DATA "/host-flat", "x86_64", &info, &error));
    g_assert_no_error(error);
    g_assert_cmpint(info.cpus, ==, 3);
    g_assert_cmpint(info.nodes, ==, 1);
    g_assert_cmpint(info.sockets, ==, 1);
    g_assert_cmpint(info.cores, ==, 3);
    g_assert_cmpint(info.threads, ==, 1);
    g_assert_cmpint(info.mhz, ==, 1996);

    topo = mv_node_get_topology_at(DATA "/host-flat", 4, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(topo->ncells, ==, 1);
    g_assert_cmpuint(topo->cells[0].memory_kib, ==, 2048000);
    g_assert_cmpuint(topo->cells[0].ncpus, ==, 3);
    g_assert_cmpuint(topo->cells[0].ndistances, ==, 0);
    g_assert_cmpuint(topo->npage_sizes, ==, 1);
    g_assert_cmpuint(topo->cells[0].pages[0].count, ==, 512000);
    g_assert_cmpuint(topo->cells[0].cpus[2].die_id, ==, 0);   /* no die_id file */

    g_assert_true(mv_node_get_cells_free_memory_at(DATA "/host-flat", 0, 2, cells, &n, &error));
    g_assert_cmpint(n, ==, 1);
    g_assert_cmpuint(cells[0], ==, G_GUINT64_CONSTANT(512000) * 1024);

    /* an all-zero product_uuid is unset firmware: machine-id instead */
    uuid = mv_node_get_uuid_at(DATA "/host-flat", &error);
    g_assert_no_error(error);
    g_assert_cmpstr(uuid, ==, "fedcba98-7654-3210-fedc-ba9876543210");
    g_clear_pointer(&uuid, g_free);
    uuid = mv_node_get_uuid_at(DATA "/host-numa", &error);
    g_assert_cmpstr(uuid, ==, "5d7e2c40-1b2a-4c3d-9e8f-0123456789ab");
    g_clear_pointer(&uuid, g_free);
    g_assert_null(mv_node_get_uuid_at(DATA "/does-not-exist", &error));
    g_assert_nonnull(error);
}

static void
test_topology_fallback(void)
{
    MvNodeCpu cpus[4] = {
        { .id = 0, .socket_id = 0, .core_id = 0 },
        { .id = 1, .socket_id = 0, .core_id = 1 },
        { .id = 2, .socket_id = 1, .core_id = 0 },
        { .id = 3, .socket_id = 1, .core_id = 1 },
    };
    MvNodeCell cell = { .cpus = cpus, .ncpus = 4 };
    MvNodeTopology topo = { .cells = &cell, .ncells = 1 };
    MvNodeInfo info = { 0 };

    mv_node_info_from_topology(&topo, 4, &info);
    g_assert_cmpint(info.nodes * info.sockets * info.cores * info.threads, ==, 4);
    g_assert_cmpint(info.sockets, ==, 2);
    g_assert_cmpint(info.cores, ==, 2);
    g_assert_cmpint(info.threads, ==, 1);

    /* one more CPU online than the topology explains */
    mv_node_info_from_topology(&topo, 5, &info);
    g_assert_cmpint(info.nodes, ==, 1);
    g_assert_cmpint(info.sockets, ==, 1);
    g_assert_cmpint(info.cores, ==, 5);
    g_assert_cmpint(info.threads, ==, 1);

    /* dies: same core id on two dies of one socket are two cores */
    cpus[2].socket_id = 0;
    cpus[2].die_id = 1;
    cpus[3].socket_id = 0;
    cpus[3].die_id = 1;
    mv_node_info_from_topology(&topo, 4, &info);
    g_assert_cmpint(info.sockets, ==, 1);
    g_assert_cmpint(info.cores, ==, 4);

    mv_node_info_from_topology(NULL, 2, &info);
    g_assert_cmpint(info.cores, ==, 2);
}

static void
test_live(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *host = mv_node_get_hostname();
    g_autofree char *uuid = NULL;
    MvNodeInfo info;
    struct utsname uts;
    guint64 free_bytes = 0;
    guint64 cells[64];
    int n = 0;

    g_assert_true(mv_node_get_info(&info, &error));
    g_assert_no_error(error);
    g_assert_cmpint(uname(&uts), ==, 0);
    g_assert_cmpstr(info.model, ==, uts.machine);
    g_assert_cmpint(info.cpus, ==, (int)sysconf(_SC_NPROCESSORS_ONLN));
    g_assert_cmpint(info.nodes * info.sockets * info.cores * info.threads, ==, info.cpus);
    g_assert_cmpuint(info.memory_kib, >, 0);
    g_test_message("nodeinfo: %s %" G_GUINT64_FORMAT " KiB cpus=%d mhz=%d %d/%d/%d/%d",
                   info.model, info.memory_kib, info.cpus, info.mhz, info.nodes,
                   info.sockets, info.cores, info.threads);

    g_assert_true(mv_node_get_free_memory(&free_bytes, &error));
    g_assert_cmpuint(free_bytes, >, 0);
    g_assert_cmpuint(free_bytes, <=, info.memory_kib * 1024);
    g_assert_true(mv_node_get_cells_free_memory(0, G_N_ELEMENTS(cells), cells, &n, &error));
    g_assert_cmpint(n, >=, 1);

    g_assert_nonnull(host);
    g_assert_cmpstr(host, !=, "");
    uuid = mv_node_get_uuid(&error);
    g_assert_no_error(error);
    g_assert_cmpuint(strlen(uuid), ==, 36);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/node/meminfo", test_meminfo);
    g_test_add_func("/node/cpu-list", test_cpu_list);
    g_test_add_func("/node/cpuinfo", test_cpuinfo);
    g_test_add_func("/node/fixture-numa", test_fixture_numa);
    g_test_add_func("/node/fixture-flat", test_fixture_flat);
    g_test_add_func("/node/topology-fallback", test_topology_fallback);
    g_test_add_func("/node/live", test_live);
    return g_test_run();
}
