/* lvm2 reports and command lines (see storage-lvm.h). */
#include "storage-lvm.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

static const char *const report_fields[] = {
    [MV_LVM_REPORT_VGS] = "vg_name,vg_uuid,vg_size,vg_free,vg_extent_size",
    [MV_LVM_REPORT_LVS] = "lv_name,vg_name,lv_uuid,lv_size,lv_attr,lv_path,origin,"
                          "seg_size,devices,segtype",
    [MV_LVM_REPORT_PVS] = "pv_name,vg_name,pv_size,pv_free,pv_uuid",
};

static const char *const report_programs[] = {
    [MV_LVM_REPORT_VGS] = "vgs",
    [MV_LVM_REPORT_LVS] = "lvs",
    [MV_LVM_REPORT_PVS] = "pvs",
};

static const char *const report_keys[] = {
    [MV_LVM_REPORT_VGS] = "vg",
    [MV_LVM_REPORT_LVS] = "lv",
    [MV_LVM_REPORT_PVS] = "pv",
};

void
mv_lvm_vg_free(MvLvmVg *vg)
{
    if (!vg)
        return;
    g_free(vg->name);
    g_free(vg->uuid);
    g_free(vg);
}

void
mv_lvm_lv_free(MvLvmLv *lv)
{
    if (!lv)
        return;
    g_free(lv->name);
    g_free(lv->vg);
    g_free(lv->uuid);
    g_free(lv->path);
    g_free(lv->attr);
    g_free(lv->origin);
    g_free(lv->segtype);
    if (lv->devices)
        g_ptr_array_unref(lv->devices);
    g_free(lv);
}

void
mv_lvm_pv_free(MvLvmPv *pv)
{
    if (!pv)
        return;
    g_free(pv->name);
    g_free(pv->vg);
    g_free(pv->uuid);
    g_free(pv);
}

/* ---- parsing ---------------------------------------------------------------- */

static bool
report_error(GError **error, const char *what, guint row, const char *field)
{
    return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                        "cannot parse the lvm2 %s report: row %u: %s", what, row, field);
}

/* The rows of {"report": [{"KEY": [ {...}, … ]}, …]} (every report section). */
static GPtrArray *
report_rows(JsonParser *parser, const char *json, MvLvmReport kind, GError **error)
{
    g_autoptr(GPtrArray) rows = g_ptr_array_new();
    g_autoptr(GError) local = NULL;
    JsonNode *root;
    JsonArray *report;

    if (!json_parser_load_from_data(parser, json, -1, &local)) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                     "cannot parse the lvm2 %s report: %s", report_programs[kind],
                     local->message);
        return NULL;
    }
    root = json_parser_get_root(parser);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root) ||
        !json_object_has_member(json_node_get_object(root), "report") ||
        !JSON_NODE_HOLDS_ARRAY(json_object_get_member(json_node_get_object(root), "report"))) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                     "cannot parse the lvm2 %s report: no \"report\" array",
                     report_programs[kind]);
        return NULL;
    }
    report = json_object_get_array_member(json_node_get_object(root), "report");
    for (guint i = 0; i < json_array_get_length(report); i++) {
        JsonNode *section = json_array_get_element(report, i);
        JsonNode *list;

        if (!JSON_NODE_HOLDS_OBJECT(section))
            continue;
        list = json_object_get_member(json_node_get_object(section), report_keys[kind]);
        if (!list)
            continue;
        if (!JSON_NODE_HOLDS_ARRAY(list)) {
            mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                         "cannot parse the lvm2 %s report: \"%s\" is not an array",
                         report_programs[kind], report_keys[kind]);
            return NULL;
        }
        for (guint j = 0; j < json_array_get_length(json_node_get_array(list)); j++) {
            JsonNode *row = json_array_get_element(json_node_get_array(list), j);

            if (!JSON_NODE_HOLDS_OBJECT(row)) {
                report_error(error, report_programs[kind], j, "not an object");
                return NULL;
            }
            g_ptr_array_add(rows, json_node_get_object(row));
        }
    }
    return g_steal_pointer(&rows);
}

/* A string field; lvm2 writes every value as a string. NULL when missing. */
static const char *
field_str(JsonObject *row, const char *name)
{
    JsonNode *node = json_object_get_member(row, name);

    if (!node || !JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING)
        return NULL;
    return json_node_get_string(node);
}

static char *
field_dup(JsonObject *row, const char *name)
{
    const char *s = field_str(row, name);

    return s && *s ? g_strdup(s) : NULL;
}

/* A byte count written by --units b --nosuffix ("62914560"; "" counts as 0). */
static bool
field_u64(JsonObject *row, const char *name, guint64 *ret, const char *what, guint index,
          GError **error)
{
    const char *s = field_str(row, name);
    char *end = NULL;
    guint64 v;

    if (!s)
        return report_error(error, what, index, name);
    if (!*s) {
        *ret = 0;
        return true;
    }
    errno = 0;
    v = g_ascii_strtoull(s, &end, 10);
    if (errno || *end || !g_ascii_isdigit(*s)) {
        g_autofree char *msg = g_strdup_printf("%s is not a byte count: '%s'", name, s);

        return report_error(error, what, index, msg);
    }
    *ret = v;
    return true;
}

GPtrArray *
mv_lvm_parse_vgs(const char *json, GError **error)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GPtrArray) rows = report_rows(parser, json, MV_LVM_REPORT_VGS, error);
    g_autoptr(GPtrArray) vgs = NULL;

    if (!rows)
        return NULL;
    vgs = g_ptr_array_new_with_free_func((GDestroyNotify)mv_lvm_vg_free);
    for (guint i = 0; i < rows->len; i++) {
        JsonObject *row = g_ptr_array_index(rows, i);
        MvLvmVg *vg = g_new0(MvLvmVg, 1);

        g_ptr_array_add(vgs, vg);
        if (!(vg->name = field_dup(row, "vg_name"))) {
            report_error(error, "vgs", i, "vg_name");
            return NULL;
        }
        vg->uuid = field_dup(row, "vg_uuid");
        if (!field_u64(row, "vg_size", &vg->size, "vgs", i, error) ||
            !field_u64(row, "vg_free", &vg->free, "vgs", i, error) ||
            !field_u64(row, "vg_extent_size", &vg->extent_size, "vgs", i, error))
            return NULL;
    }
    return g_steal_pointer(&vgs);
}

static MvLvmLv *
find_lv(GPtrArray *lvs, const char *uuid)
{
    for (guint i = 0; i < lvs->len; i++) {
        MvLvmLv *lv = g_ptr_array_index(lvs, i);

        if (g_str_equal(lv->uuid, uuid))
            return lv;
    }
    return NULL;
}

GPtrArray *
mv_lvm_parse_lvs(const char *json, GError **error)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GPtrArray) rows = report_rows(parser, json, MV_LVM_REPORT_LVS, error);
    g_autoptr(GPtrArray) lvs = NULL;

    if (!rows)
        return NULL;
    lvs = g_ptr_array_new_with_free_func((GDestroyNotify)mv_lvm_lv_free);
    for (guint i = 0; i < rows->len; i++) {
        JsonObject *row = g_ptr_array_index(rows, i);
        const char *uuid = field_str(row, "lv_uuid");
        const char *devices = field_str(row, "devices");
        guint64 seg_size = 0;
        MvLvmLv *lv;

        if (!uuid || !*uuid) {
            report_error(error, "lvs", i, "lv_uuid");
            return NULL;
        }
        if (!field_u64(row, "seg_size", &seg_size, "lvs", i, error))
            return NULL;
        if (!(lv = find_lv(lvs, uuid))) {       /* the first segment of this LV */
            lv = g_new0(MvLvmLv, 1);
            g_ptr_array_add(lvs, lv);
            lv->uuid = g_strdup(uuid);
            lv->devices = g_ptr_array_new_with_free_func(g_free);
            lv->name = field_dup(row, "lv_name");
            lv->vg = field_dup(row, "vg_name");
            lv->path = field_dup(row, "lv_path");
            lv->attr = field_dup(row, "lv_attr");
            lv->origin = field_dup(row, "origin");
            lv->segtype = field_dup(row, "segtype");
            if (!lv->name || !lv->vg) {
                report_error(error, "lvs", i, !lv->name ? "lv_name" : "vg_name");
                return NULL;
            }
            if (!lv->path)      /* hidden LVs have no path */
                lv->path = g_strdup_printf("/dev/%s/%s", lv->vg, lv->name);
            if (!field_u64(row, "lv_size", &lv->size, "lvs", i, error))
                return NULL;
        }
        lv->allocated += seg_size;
        if (devices && *devices) {
            g_auto(GStrv) parts = g_strsplit(devices, ",", -1);

            for (guint j = 0; parts[j]; j++)
                g_ptr_array_add(lv->devices, g_strdup(parts[j]));
        }
    }
    return g_steal_pointer(&lvs);
}

GPtrArray *
mv_lvm_parse_pvs(const char *json, GError **error)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GPtrArray) rows = report_rows(parser, json, MV_LVM_REPORT_PVS, error);
    g_autoptr(GPtrArray) pvs = NULL;

    if (!rows)
        return NULL;
    pvs = g_ptr_array_new_with_free_func((GDestroyNotify)mv_lvm_pv_free);
    for (guint i = 0; i < rows->len; i++) {
        JsonObject *row = g_ptr_array_index(rows, i);
        MvLvmPv *pv = g_new0(MvLvmPv, 1);

        g_ptr_array_add(pvs, pv);
        if (!(pv->name = field_dup(row, "pv_name"))) {
            report_error(error, "pvs", i, "pv_name");
            return NULL;
        }
        pv->vg = field_dup(row, "vg_name");
        pv->uuid = field_dup(row, "pv_uuid");
        if (!field_u64(row, "pv_size", &pv->size, "pvs", i, error) ||
            !field_u64(row, "pv_free", &pv->free, "pvs", i, error))
            return NULL;
    }
    return g_steal_pointer(&pvs);
}

/* ---- command lines --------------------------------------------------------- */

static char **
argv_new(const char *first, ...)
{
    GPtrArray *argv = g_ptr_array_new();
    va_list ap;

    va_start(ap, first);
    for (const char *a = first; a; a = va_arg(ap, const char *))
        g_ptr_array_add(argv, g_strdup(a));
    va_end(ap);
    g_ptr_array_add(argv, NULL);
    return (char **)g_ptr_array_free(argv, FALSE);
}

static char *
bytes_arg(guint64 n)
{
    return g_strdup_printf("%" G_GUINT64_FORMAT "b", n);
}

char **
mv_lvm_report_argv(MvLvmReport report, const char *vg)
{
    return argv_new(report_programs[report], "--reportformat", "json", "--units", "b",
                    "--nosuffix", "-o", report_fields[report], vg, NULL);
}

char **
mv_lvm_pvcreate_argv(const char *device, bool force)
{
    return force ? argv_new("pvcreate", "--yes", "--force", device, NULL)
                 : argv_new("pvcreate", "--yes", device, NULL);
}

char **
mv_lvm_vgcreate_argv(const char *vg, const char *const *devices)
{
    GPtrArray *argv = g_ptr_array_new();

    g_ptr_array_add(argv, g_strdup("vgcreate"));
    g_ptr_array_add(argv, g_strdup(vg));
    for (gsize i = 0; devices && devices[i]; i++)
        g_ptr_array_add(argv, g_strdup(devices[i]));
    g_ptr_array_add(argv, NULL);
    return (char **)g_ptr_array_free(argv, FALSE);
}

char **
mv_lvm_vgremove_argv(const char *vg)
{
    return argv_new("vgremove", "--force", vg, NULL);
}

char **
mv_lvm_vgchange_argv(const char *vg, bool activate)
{
    return argv_new("vgchange", activate ? "-aay" : "-an", vg, NULL);
}

char **
mv_lvm_lvcreate_argv(const char *vg, const char *name, guint64 capacity, guint64 allocation,
                     const char *origin)
{
    g_autofree char *cap = bytes_arg(capacity);
    g_autofree char *alloc = bytes_arg(allocation ? allocation : capacity);

    if (origin)
        return argv_new("lvcreate", "--yes", "--name", name, "--snapshot", "--size", alloc,
                        origin, NULL);
    if (allocation && allocation < capacity)
        return argv_new("lvcreate", "--yes", "--name", name, "--virtualsize", cap, "--size",
                        alloc, vg, NULL);
    return argv_new("lvcreate", "--yes", "--name", name, "--size", cap, vg, NULL);
}

char **
mv_lvm_lvremove_argv(const char *vg, const char *name)
{
    g_autofree char *lv = g_strdup_printf("%s/%s", vg, name);

    return argv_new("lvremove", "--force", lv, NULL);
}

char **
mv_lvm_lvresize_argv(const char *vg, const char *name, guint64 capacity, bool shrink)
{
    g_autofree char *lv = g_strdup_printf("%s/%s", vg, name);
    g_autofree char *cap = bytes_arg(capacity);

    return shrink ? argv_new("lvresize", "--yes", "--force", "--size", cap, lv, NULL)
                  : argv_new("lvresize", "--yes", "--size", cap, lv, NULL);
}

bool
mv_lvm_check_device_mapper(const char *sysfs_root, const char *proc_misc, GError **error)
{
    g_autofree char *sys = g_build_filename(sysfs_root ? sysfs_root : "/sys", "class", "misc",
                                            "device-mapper", NULL);
    g_autofree char *misc = NULL;

    if (g_file_test(sys, G_FILE_TEST_EXISTS))
        return true;
    if (g_file_get_contents(proc_misc ? proc_misc : "/proc/misc", &misc, NULL, NULL)) {
        g_auto(GStrv) lines = g_strsplit(misc, "\n", -1);

        for (guint i = 0; lines[i]; i++) {
            const char *name = strchr(g_strstrip(lines[i]), ' ');

            if (name && g_str_equal(name + 1, "device-mapper"))
                return true;
        }
    }
    return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                        "logical (LVM) pools need the kernel's device-mapper, which this "
                        "host does not have (no /sys/class/misc/device-mapper, no "
                        "device-mapper in /proc/misc): load the dm-mod module or use a "
                        "kernel built with CONFIG_BLK_DEV_DM");
}
