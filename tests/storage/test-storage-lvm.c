/* lvm2 for logical pools: the JSON reports recorded from lvm2 2.03.16 on a
 * loop device (tests/storage/lvm/, see README there) parsed, segments merged,
 * garbage refused; the command lines built; the device-mapper check against a
 * fake sysfs and /proc/misc, and against this host. */
#include <stdbool.h>

#include "storage-lvm.h"
#include "storage-test-util.h"
#include "util/error.h"

static char *
recorded(const char *name)
{
    const char *dir = g_getenv("MV_STORAGE_TEST_DATA");
    g_autofree char *path = g_build_filename(dir ? dir : ".", "lvm", name, NULL);
    char *text = NULL;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    return text;
}

static void
test_vgs(void)
{
    g_autofree char *json = recorded("vgs.json");
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) vgs = mv_lvm_parse_vgs(json, &error);
    MvLvmVg *vg;

    g_assert_no_error(error);
    g_assert_cmpuint(vgs->len, ==, 1);
    vg = g_ptr_array_index(vgs, 0);
    g_assert_cmpstr(vg->name, ==, "vgtest");
    g_assert_cmpstr(vg->uuid, ==, "TeyrNJ-85dh-qe6I-FYDw-VLDT-A20s-iYvJbz");
    g_assert_cmpuint(vg->size, ==, 62914560);
    g_assert_cmpuint(vg->free, ==, 37748736);   /* 6 extents in data + swap */
    g_assert_cmpuint(vg->extent_size, ==, 4194304);
}

static void
test_vgs_empty(void)
{
    g_autofree char *json = recorded("vgs-missing.json");
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) vgs = mv_lvm_parse_vgs(json, &error);

    g_assert_no_error(error);
    g_assert_cmpuint(vgs->len, ==, 0);
}

static void
test_lvs(void)
{
    g_autofree char *json = recorded("lvs.json");
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) lvs = mv_lvm_parse_lvs(json, &error);
    MvLvmLv *data, *swap;

    g_assert_no_error(error);
    g_assert_cmpuint(lvs->len, ==, 2);
    data = g_ptr_array_index(lvs, 0);
    swap = g_ptr_array_index(lvs, 1);
    g_assert_cmpstr(data->name, ==, "data");
    g_assert_cmpstr(data->vg, ==, "vgtest");
    g_assert_cmpstr(data->path, ==, "/dev/vgtest/data");
    g_assert_cmpstr(data->attr, ==, "-wi-XX----");
    g_assert_cmpstr(data->segtype, ==, "linear");
    g_assert_null(data->origin);
    g_assert_cmpuint(data->size, ==, 16777216);
    g_assert_cmpuint(data->allocated, ==, 16777216);
    g_assert_cmpuint(data->devices->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(data->devices, 0), ==, "/dev/loop0(0)");
    g_assert_cmpstr(swap->name, ==, "swap");
    g_assert_cmpuint(swap->size, ==, 8388608);
    g_assert_cmpstr(g_ptr_array_index(swap->devices, 0), ==, "/dev/loop0(4)");
}

/* lvs prints one row per segment: rows of one LV are merged. */
static void
test_lvs_segments(void)
{
    static const char json[] =
        "{\"report\": [{\"lv\": ["
        "{\"lv_name\":\"big\", \"vg_name\":\"vg\", \"lv_uuid\":\"U1\", \"lv_size\":\"12582912\","
        " \"lv_attr\":\"-wi-a-----\", \"lv_path\":\"/dev/vg/big\", \"origin\":\"\","
        " \"seg_size\":\"8388608\", \"devices\":\"/dev/sda(0)\", \"segtype\":\"linear\"},"
        "{\"lv_name\":\"big\", \"vg_name\":\"vg\", \"lv_uuid\":\"U1\", \"lv_size\":\"12582912\","
        " \"lv_attr\":\"-wi-a-----\", \"lv_path\":\"/dev/vg/big\", \"origin\":\"\","
        " \"seg_size\":\"4194304\", \"devices\":\"/dev/sdb(10)\", \"segtype\":\"linear\"},"
        "{\"lv_name\":\"snap\", \"vg_name\":\"vg\", \"lv_uuid\":\"U2\", \"lv_size\":\"12582912\","
        " \"lv_attr\":\"swi-a-s---\", \"lv_path\":\"/dev/vg/snap\", \"origin\":\"big\","
        " \"seg_size\":\"4194304\", \"devices\":\"/dev/sda(2)\", \"segtype\":\"linear\"}"
        "]}]}";
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) lvs = mv_lvm_parse_lvs(json, &error);
    MvLvmLv *big, *snap;

    g_assert_no_error(error);
    g_assert_cmpuint(lvs->len, ==, 2);
    big = g_ptr_array_index(lvs, 0);
    snap = g_ptr_array_index(lvs, 1);
    g_assert_cmpuint(big->allocated, ==, 12582912);
    g_assert_cmpuint(big->devices->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(big->devices, 1), ==, "/dev/sdb(10)");
    g_assert_cmpstr(snap->origin, ==, "big");
    g_assert_cmpuint(snap->allocated, ==, 4194304);
}

static void
test_pvs(void)
{
    g_autofree char *json = recorded("pvs.json");
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) pvs = mv_lvm_parse_pvs(json, &error);
    MvLvmPv *pv;

    g_assert_no_error(error);
    g_assert_cmpuint(pvs->len, ==, 1);
    pv = g_ptr_array_index(pvs, 0);
    g_assert_cmpstr(pv->name, ==, "/dev/loop0");
    g_assert_cmpstr(pv->vg, ==, "vgtest");
    g_assert_cmpuint(pv->size, ==, 62914560);
    g_assert_cmpuint(pv->free, ==, 37748736);
}

static void
test_garbage(void)
{
    static const struct {
        const char *json;
        const char *message;
    } cases[] = {
        { "not json", "cannot parse the lvm2 vgs report" },
        { "[1, 2]", "no \"report\" array" },
        { "{\"report\": {}}", "no \"report\" array" },
        { "{\"report\": [{\"vg\": {}}]}", "is not an array" },
        { "{\"report\": [{\"vg\": [7]}]}", "row 0: not an object" },
        { "{\"report\": [{\"vg\": [{\"vg_size\":\"1\"}]}]}", "row 0: vg_name" },
        { "{\"report\": [{\"vg\": [{\"vg_name\":\"a\", \"vg_size\":\"12.5g\","
          " \"vg_free\":\"0\", \"vg_extent_size\":\"1\"}]}]}", "vg_size is not a byte count" },
        { "{\"report\": [{\"vg\": [{\"vg_name\":\"a\", \"vg_size\":1,"
          " \"vg_free\":\"0\", \"vg_extent_size\":\"1\"}]}]}", "row 0: vg_size" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) vgs = mv_lvm_parse_vgs(cases[i].json, &error);

        g_test_message("case %" G_GSIZE_FORMAT ": %s", i, cases[i].json);
        g_assert_null(vgs);
        g_assert_error(error, MV_ERROR, MV_ERR_INTERNAL_ERROR);
        g_assert_nonnull(strstr(error->message, cases[i].message));
    }
}

static void
assert_argv(char **argv, const char *expected)
{
    g_autofree char *joined = g_strjoinv(" ", argv);

    g_assert_cmpstr(joined, ==, expected);
    g_strfreev(argv);
}

static void
test_argv(void)
{
    const char *devices[] = { "/dev/sdb", "/dev/sdc", NULL };

    assert_argv(mv_lvm_report_argv(MV_LVM_REPORT_VGS, "vg0"),
                "vgs --reportformat json --units b --nosuffix -o vg_name,vg_uuid,vg_size,"
                "vg_free,vg_extent_size vg0");
    assert_argv(mv_lvm_report_argv(MV_LVM_REPORT_LVS, "vg0"),
                "lvs --reportformat json --units b --nosuffix -o lv_name,vg_name,lv_uuid,"
                "lv_size,lv_attr,lv_path,origin,seg_size,devices,segtype vg0");
    assert_argv(mv_lvm_report_argv(MV_LVM_REPORT_PVS, NULL),
                "pvs --reportformat json --units b --nosuffix -o pv_name,vg_name,pv_size,"
                "pv_free,pv_uuid");
    assert_argv(mv_lvm_pvcreate_argv("/dev/sdb", false), "pvcreate --yes /dev/sdb");
    assert_argv(mv_lvm_pvcreate_argv("/dev/sdb", true), "pvcreate --yes --force /dev/sdb");
    assert_argv(mv_lvm_vgcreate_argv("vg0", devices), "vgcreate vg0 /dev/sdb /dev/sdc");
    assert_argv(mv_lvm_vgremove_argv("vg0"), "vgremove --force vg0");
    assert_argv(mv_lvm_vgchange_argv("vg0", true), "vgchange -aay vg0");
    assert_argv(mv_lvm_vgchange_argv("vg0", false), "vgchange -an vg0");
    assert_argv(mv_lvm_lvcreate_argv("vg0", "disk", 1073741824, 1073741824, NULL),
                "lvcreate --yes --name disk --size 1073741824b vg0");
    assert_argv(mv_lvm_lvcreate_argv("vg0", "disk", 1073741824, 0, NULL),
                "lvcreate --yes --name disk --size 1073741824b vg0");
    assert_argv(mv_lvm_lvcreate_argv("vg0", "thin", 1073741824, 4194304, NULL),
                "lvcreate --yes --name thin --virtualsize 1073741824b --size 4194304b vg0");
    assert_argv(mv_lvm_lvcreate_argv("vg0", "snap", 1073741824, 8388608, "/dev/vg0/disk"),
                "lvcreate --yes --name snap --snapshot --size 8388608b /dev/vg0/disk");
    assert_argv(mv_lvm_lvremove_argv("vg0", "disk"), "lvremove --force vg0/disk");
    assert_argv(mv_lvm_lvresize_argv("vg0", "disk", 2147483648, false),
                "lvresize --yes --size 2147483648b vg0/disk");
    assert_argv(mv_lvm_lvresize_argv("vg0", "disk", 1048576, true),
                "lvresize --yes --force --size 1048576b vg0/disk");
}

static void
test_device_mapper(void)
{
    g_autofree char *dir = scratch_dir();
    g_autofree char *misc = g_build_filename(dir, "misc", NULL);
    g_autofree char *sysdm = g_build_filename(dir, "class", "misc", "device-mapper", NULL);
    g_autofree char *real_misc = NULL;
    g_autoptr(GError) error = NULL;
    bool host_has_dm;

    /* Neither sysfs nor /proc/misc: refused naming the kernel feature. */
    g_assert_true(g_file_set_contents(misc, "234 btrfs-control\n237 loop-control\n", -1, NULL));
    g_assert_false(mv_lvm_check_device_mapper(dir, misc, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_NO_SUPPORT);
    g_assert_nonnull(strstr(error->message, "device-mapper"));
    g_assert_nonnull(strstr(error->message, "logical (LVM) pools"));
    g_clear_error(&error);
    /* /proc/misc has it. */
    g_assert_true(g_file_set_contents(misc, " 59 cpu\n236 device-mapper\n", -1, NULL));
    g_assert_true(mv_lvm_check_device_mapper(dir, misc, &error));
    /* sysfs has it. */
    g_assert_true(g_file_set_contents(misc, "", -1, NULL));
    g_assert_cmpint(g_mkdir_with_parents(sysdm, 0755), ==, 0);
    g_assert_true(mv_lvm_check_device_mapper(dir, misc, &error));
    g_assert_no_error(error);

    /* This host: the answer matches /proc/misc. */
    g_assert_true(g_file_get_contents("/proc/misc", &real_misc, NULL, NULL));
    host_has_dm = strstr(real_misc, "device-mapper") != NULL ||
                  g_file_test("/sys/class/misc/device-mapper", G_FILE_TEST_EXISTS);
    g_assert_cmpint(mv_lvm_check_device_mapper(NULL, NULL, NULL), ==, host_has_dm);
    remove_tree(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/storage/lvm/vgs", test_vgs);
    g_test_add_func("/storage/lvm/vgs-empty", test_vgs_empty);
    g_test_add_func("/storage/lvm/lvs", test_lvs);
    g_test_add_func("/storage/lvm/lvs-segments", test_lvs_segments);
    g_test_add_func("/storage/lvm/pvs", test_pvs);
    g_test_add_func("/storage/lvm/garbage", test_garbage);
    g_test_add_func("/storage/lvm/argv", test_argv);
    g_test_add_func("/storage/lvm/device-mapper", test_device_mapper);
    return g_test_run();
}
