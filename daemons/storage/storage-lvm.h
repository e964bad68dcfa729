/* lvm2 for logical pools: the JSON reports (`vgs`/`lvs`/`pvs --reportformat
 * json --units b --nosuffix`) parsed into plain structs, and the command lines
 * of the lvm2 tools built as argv arrays (no shell). Running them is the
 * logical backend's job (storage-backend-logical.c). */
#pragma once

#include <glib.h>
#include <stdbool.h>

G_BEGIN_DECLS

typedef struct {
    char *name;
    char *uuid;
    guint64 size;
    guint64 free;
    guint64 extent_size;
} MvLvmVg;

typedef struct {
    char *name;
    char *vg;
    char *uuid;
    char *path;             /* /dev/VG/LV */
    char *attr;             /* lv_attr, e.g. "-wi-a-----" */
    char *origin;           /* the origin of a snapshot, or NULL */
    char *segtype;          /* of the first segment: "linear", "striped", "thin"… */
    guint64 size;           /* bytes */
    guint64 allocated;      /* bytes in segments (the sum of seg_size) */
    GPtrArray *devices;     /* "/dev/loop0(4)" entries of every segment */
} MvLvmLv;

typedef struct {
    char *name;             /* /dev/… */
    char *vg;               /* NULL when in no VG */
    char *uuid;
    guint64 size;
    guint64 free;
} MvLvmPv;

void mv_lvm_vg_free(MvLvmVg *vg);
void mv_lvm_lv_free(MvLvmLv *lv);
void mv_lvm_pv_free(MvLvmPv *pv);

/**
 * mv_lvm_parse_vgs / mv_lvm_parse_lvs / mv_lvm_parse_pvs:
 * Parse the stdout of the report commands mv_lvm_report_argv() builds into a
 * new array of structs (free funcs set). lvs rows of one LV (one per segment)
 * are merged. Anything that is not such a report is MV_ERR_INTERNAL_ERROR
 * naming the field.
 */
GPtrArray *mv_lvm_parse_vgs(const char *json, GError **error);
GPtrArray *mv_lvm_parse_lvs(const char *json, GError **error);
GPtrArray *mv_lvm_parse_pvs(const char *json, GError **error);

typedef enum {
    MV_LVM_REPORT_VGS,
    MV_LVM_REPORT_LVS,
    MV_LVM_REPORT_PVS,
} MvLvmReport;

/**
 * mv_lvm_report_argv:
 * `vgs|lvs|pvs --reportformat json --units b --nosuffix -o FIELDS [VG]` with the
 * fields the parsers read; @vg may be NULL (every VG). Caller frees.
 */
char **mv_lvm_report_argv(MvLvmReport report, const char *vg);

/** `pvcreate --yes [--force] DEV` */
char **mv_lvm_pvcreate_argv(const char *device, bool force);
/** `vgcreate VG DEV…` (@devices NULL-terminated) */
char **mv_lvm_vgcreate_argv(const char *vg, const char *const *devices);
/** `vgremove --force VG` */
char **mv_lvm_vgremove_argv(const char *vg);
/** `vgchange -aay VG` or `vgchange -an VG` */
char **mv_lvm_vgchange_argv(const char *vg, bool activate);

/**
 * mv_lvm_lvcreate_argv:
 * A new LV @name in @vg of @capacity bytes: `lvcreate --yes --name NAME
 * --size NB VG`; with 0 < @allocation < @capacity a sparse one (`--virtualsize
 * CAPb --size ALLOCb`, a thin snapshot of zeros); with @origin (a backing
 * store: /dev/VG/LV) a snapshot of it (`--snapshot --size ALLOCb ORIGIN`).
 */
char **mv_lvm_lvcreate_argv(const char *vg, const char *name, guint64 capacity,
                            guint64 allocation, const char *origin);
/** `lvremove --force VG/NAME` */
char **mv_lvm_lvremove_argv(const char *vg, const char *name);
/** `lvresize --yes [--force] --size NB VG/NAME` (@shrink adds --force) */
char **mv_lvm_lvresize_argv(const char *vg, const char *name, guint64 capacity, bool shrink);

/**
 * mv_lvm_check_device_mapper:
 * True when the kernel has device-mapper (/sys/class/misc/device-mapper, or
 * "device-mapper" in /proc/misc; @sysfs_root and @proc_misc override the
 * paths for the tests, NULL: the real ones). False with MV_ERR_NO_SUPPORT
 * naming the missing kernel feature.
 */
bool mv_lvm_check_device_mapper(const char *sysfs_root, const char *proc_misc,
                                GError **error);

G_END_DECLS
