/* Disk and QEMU operations of snapshots (qemu-snapshot-disk.h). */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-snapshot-disk.h"

#include <string.h>

#include "qemu-json.h"
#include "util/error.h"
#include "util/log.h"
#include "util/spawn.h"

#define QEMU_IMG_TIMEOUT_MS (10 * 60 * 1000)
#define JOB_ID "mv-snapshot"

const char *
mv_qemu_snapshot_disk_format(const MvDomainDiskDef *disk)
{
    if (disk->driver_type)
        return disk->driver_type;
    return disk->source_format ? disk->source_format : "raw";
}

GPtrArray *
mv_qemu_snapshot_disks(const MvDomainDef *def, bool need_qcow2, GError **error)
{
    g_autoptr(GPtrArray) out = g_ptr_array_new();

    for (size_t i = 0; i < def->ndisks; i++) {
        MvDomainDiskDef *disk = def->disks[i];

        if (disk->device != MV_DOMAIN_DISK_DEVICE_DISK || disk->readonly)
            continue;
        if (!disk->source || disk->source_block || disk->source_pool) {
            mv_error_set(error, MV_FROM_DOMAIN_SNAPSHOT, MV_ERR_CONFIG_UNSUPPORTED,
                         "disk '%s': snapshots are supported for file disks only (not for "
                         "block devices or storage volumes)", disk->target_dev);
            return NULL;
        }
        if (need_qcow2 && !g_str_equal(mv_qemu_snapshot_disk_format(disk), "qcow2")) {
            mv_error_set(error, MV_FROM_DOMAIN_SNAPSHOT, MV_ERR_CONFIG_UNSUPPORTED,
                         "disk '%s' is %s: internal snapshots need qcow2 images (convert "
                         "it, or take an external snapshot with --disk-only)",
                         disk->target_dev, mv_qemu_snapshot_disk_format(disk));
            return NULL;
        }
        g_ptr_array_add(out, disk);
    }
    if (out->len == 0) {
        mv_error_set(error, MV_FROM_DOMAIN_SNAPSHOT, MV_ERR_CONFIG_UNSUPPORTED,
                     "domain '%s' has no writable file disk to snapshot", def->name);
        return NULL;
    }
    return g_steal_pointer(&out);
}

static bool
run_qemu_img(const char *const *argv, GError **error)
{
    g_autofree char *err_text = NULL;
    int status = 0;

    if (!mv_spawn_sync(argv, NULL, QEMU_IMG_TIMEOUT_MS, NULL, &err_text, &status, error))
        return false;
    if (status != 0)
        return mv_error_set(error, MV_FROM_DOMAIN_SNAPSHOT, MV_ERR_OPERATION_FAILED,
                            "qemu-img %s failed on '%s': %s", argv[1],
                            argv[g_strv_length((char **)argv) - 1],
                            err_text ? g_strstrip(err_text) : "exit status");
    return true;
}

bool
mv_qemu_snapshot_img(const char *op, const char *name, GPtrArray *disks, GError **error)
{
    for (guint i = 0; i < disks->len; i++) {
        const MvDomainDiskDef *disk = g_ptr_array_index(disks, i);
        const char *argv[] = { "qemu-img", "snapshot", op, name, disk->source, NULL };

        if (!run_qemu_img(argv, error))
            return false;
    }
    return true;
}

static bool
qdev_is(const char *qdev, const char *alias)
{
    g_autofree char *path = g_strconcat("/machine/peripheral/", alias, NULL);
    size_t n = strlen(path);

    return g_str_equal(qdev, alias) ||
           (strncmp(qdev, path, n) == 0 && (qdev[n] == '\0' || qdev[n] == '/'));
}

GPtrArray *
mv_qemu_snapshot_top_nodes(MvQemuMonitor *mon, GPtrArray *disks, GError **error)
{
    g_autoptr(JsonNode) reply = mv_qemu_monitor_command(mon, "query-block", NULL,
                                                        MV_QEMU_MONITOR_TIMEOUT_MS, error);
    g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);
    JsonArray *blocks;

    if (!reply)
        return NULL;
    blocks = JSON_NODE_HOLDS_ARRAY(reply) ? json_node_get_array(reply) : NULL;
    for (guint i = 0; i < disks->len; i++) {
        const MvDomainDiskDef *disk = g_ptr_array_index(disks, i);
        const char *node = NULL;

        for (guint j = 0; disk->alias && blocks && j < json_array_get_length(blocks); j++) {
            JsonObject *b = json_array_get_object_element(blocks, j);
            JsonObject *ins = b ? mv_qemu_json_get_object(b, "inserted") : NULL;

            if (ins && qdev_is(mv_qemu_json_get_string(b, "qdev", ""), disk->alias))
                node = mv_qemu_json_get_string(ins, "node-name", NULL);
        }
        if (!node) {
            mv_error_set(error, MV_FROM_DOMAIN_SNAPSHOT, MV_ERR_OPERATION_FAILED,
                         "disk '%s' is not among QEMU's block devices", disk->target_dev);
            return NULL;
        }
        g_ptr_array_add(out, g_strdup(node));
    }
    return g_steal_pointer(&out);
}

/* The status of job JOB_ID: NULL when QEMU no longer lists it. */
static bool
job_status(MvQemuMonitor *mon, char **ret_status, char **ret_error, GError **error)
{
    g_autoptr(JsonNode) reply = mv_qemu_monitor_command(mon, "query-jobs", NULL,
                                                        MV_QEMU_MONITOR_TIMEOUT_MS, error);
    JsonArray *jobs;

    if (!reply)
        return false;
    *ret_status = NULL;
    *ret_error = NULL;
    jobs = JSON_NODE_HOLDS_ARRAY(reply) ? json_node_get_array(reply) : NULL;
    for (guint i = 0; jobs && i < json_array_get_length(jobs); i++) {
        JsonObject *job = json_array_get_object_element(jobs, i);

        if (job && g_str_equal(mv_qemu_json_get_string(job, "id", ""), JOB_ID)) {
            *ret_status = g_strdup(mv_qemu_json_get_string(job, "status", ""));
            *ret_error = g_strdup(mv_qemu_json_get_string(job, "error", NULL));
        }
    }
    return true;
}

static void
job_dismiss(MvQemuMonitor *mon)
{
    JsonObject *args = json_object_new();
    g_autoptr(JsonNode) reply = NULL;

    json_object_set_string_member(args, "id", JOB_ID);
    reply = mv_qemu_monitor_command(mon, "job-dismiss", args, MV_QEMU_MONITOR_TIMEOUT_MS, NULL);
}

bool
mv_qemu_snapshot_job(MvQemuMonitor *mon, const char *cmd, const char *name, GPtrArray *nodes,
                     GError **error)
{
    JsonObject *args = json_object_new();
    JsonArray *devices = json_array_new();
    g_autoptr(JsonNode) reply = NULL;
    gulong sleep_us = 2000;

    for (guint i = 0; i < nodes->len; i++)
        json_array_add_string_element(devices, g_ptr_array_index(nodes, i));
    json_object_set_string_member(args, "job-id", JOB_ID);
    json_object_set_string_member(args, "tag", name);
    if (!g_str_equal(cmd, "snapshot-delete"))
        json_object_set_string_member(args, "vmstate", g_ptr_array_index(nodes, 0));
    json_object_set_array_member(args, "devices", devices);
    if (!(reply = mv_qemu_monitor_command(mon, cmd, args, MV_QEMU_MONITOR_TIMEOUT_MS, error)))
        return false;
    for (;;) {
        g_autofree char *status = NULL;
        g_autofree char *err = NULL;

        if (!job_status(mon, &status, &err, error))
            return false;
        if (!status || g_str_equal(status, "concluded") || g_str_equal(status, "null")) {
            if (status)
                job_dismiss(mon);
            if (err)
                return mv_error_set(error, MV_FROM_DOMAIN_SNAPSHOT, MV_ERR_OPERATION_FAILED,
                                    "QEMU's %s of snapshot '%s' failed: %s", cmd, name, err);
            return true;
        }
        g_usleep(sleep_us);
        sleep_us = MIN(sleep_us * 2, 50000);
    }
}

/* The virtual size of @path (opened with shared locks: QEMU may have it open). */
static bool
image_size(const char *path, const char *fmt, guint64 *ret_size, GError **error)
{
    const char *argv[] = { "qemu-img", "info", "-U", "--output=json", "-f", fmt, path, NULL };
    g_autofree char *out = NULL;
    g_autofree char *err_text = NULL;
    g_autoptr(JsonParser) parser = json_parser_new();
    JsonNode *root;
    int status = 0;

    if (!mv_spawn_sync(argv, NULL, QEMU_IMG_TIMEOUT_MS, &out, &err_text, &status, error))
        return false;
    if (status != 0 || !json_parser_load_from_data(parser, out, -1, NULL) ||
        !(root = json_parser_get_root(parser)) || !JSON_NODE_HOLDS_OBJECT(root))
        return mv_error_set(error, MV_FROM_DOMAIN_SNAPSHOT, MV_ERR_OPERATION_FAILED,
                            "cannot read the size of '%s': %s", path,
                            err_text && *err_text ? g_strstrip(err_text) : "no answer");
    *ret_size = mv_qemu_json_get_int(json_node_get_object(root), "virtual-size", 0);
    return true;
}

bool
mv_qemu_snapshot_overlay_create(const char *base, const char *base_fmt, const char *overlay,
                                bool reuse, GError **error)
{
    g_autofree char *size = NULL;
    guint64 bytes = 0;

    if (reuse) {
        if (!g_file_test(overlay, G_FILE_TEST_IS_REGULAR))
            return mv_error_set(error, MV_FROM_DOMAIN_SNAPSHOT, MV_ERR_INVALID_ARG,
                                "--reuse-external: the overlay '%s' does not exist", overlay);
        return true;
    }
    if (g_file_test(overlay, G_FILE_TEST_EXISTS))
        return mv_error_set(error, MV_FROM_DOMAIN_SNAPSHOT, MV_ERR_OPERATION_INVALID,
                            "external snapshot file '%s' already exists (remove it, choose "
                            "another file with --diskspec, or pass --reuse-external)",
                            overlay);
    if (!image_size(base, base_fmt, &bytes, error))
        return false;
    size = g_strdup_printf("%" G_GUINT64_FORMAT, bytes);
    {
        const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-u", "-b", base,
                               "-F", base_fmt, overlay, size, NULL };
        return run_qemu_img(argv, error);
    }
}

bool
mv_qemu_snapshot_overlay_add(MvQemuMonitor *mon, const char *overlay, char **ret_node,
                             GError **error)
{
    static gint counter;
    g_autofree char *node = g_strdup_printf("mv-snap%d-%" G_GINT64_FORMAT,
                                            g_atomic_int_add(&counter, 1),
                                            g_get_real_time() % 1000000000);
    JsonObject *file = json_object_new();
    JsonObject *add = json_object_new();
    g_autoptr(JsonNode) reply = NULL;

    json_object_set_string_member(file, "driver", "file");
    json_object_set_string_member(file, "filename", overlay);
    json_object_set_string_member(add, "driver", "qcow2");
    json_object_set_string_member(add, "node-name", node);
    json_object_set_object_member(add, "file", file);
    json_object_set_null_member(add, "backing");
    if (!(reply = mv_qemu_monitor_command(mon, "blockdev-add", add, MV_QEMU_MONITOR_TIMEOUT_MS,
                                          error)))
        return false;
    *ret_node = g_steal_pointer(&node);
    return true;
}

bool
mv_qemu_snapshot_overlays_switch(MvQemuMonitor *mon, GPtrArray *tops, GPtrArray *nodes,
                                 GError **error)
{
    JsonObject *args = json_object_new();
    JsonArray *actions = json_array_new();
    g_autoptr(JsonNode) reply = NULL;

    for (guint i = 0; i < nodes->len; i++) {
        JsonObject *action = json_object_new();
        JsonObject *data = json_object_new();

        json_object_set_string_member(data, "node", g_ptr_array_index(tops, i));
        json_object_set_string_member(data, "overlay", g_ptr_array_index(nodes, i));
        json_object_set_string_member(action, "type", "blockdev-snapshot");
        json_object_set_object_member(action, "data", data);
        json_array_add_object_element(actions, action);
    }
    json_object_set_array_member(args, "actions", actions);
    reply = mv_qemu_monitor_command(mon, "transaction", args, MV_QEMU_MONITOR_TIMEOUT_MS, error);
    return reply != NULL;
}
