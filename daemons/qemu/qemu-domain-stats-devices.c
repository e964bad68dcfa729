/* virsh domstats groups of devices: interface (the taps' counters, guest's
 * view), block (QEMU's counters, the images' sizes), iothread (query-iothreads)
 * and dirtyrate (query-dirty-rate), with libvirt's parameter names. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-domain-stats.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void
mv_qemu_stats_devices_copy(const MvDomainDef *def, bool active, MvQemuStatsDevices *ret)
{
    ret->active = active;
    ret->disks = g_array_new(FALSE, TRUE, sizeof(MvQemuStatsDisk));
    ret->nets = g_array_new(FALSE, TRUE, sizeof(MvQemuStatsNet));
    for (size_t i = 0; i < def->ndisks; i++) {
        const MvDomainDiskDef *d = def->disks[i];
        MvQemuStatsDisk disk = {
            .target = g_strdup(d->target_dev),
            .source = g_strdup(d->source),
            .format = g_strdup(d->driver_type ? d->driver_type : d->source_format),
            .alias = g_strdup(d->alias),
        };

        g_array_append_val(ret->disks, disk);
    }
    for (size_t i = 0; i < def->nnets; i++) {
        MvQemuStatsNet net = { .tap = g_strdup(def->nets[i]->target_dev) };

        g_array_append_val(ret->nets, net);
    }
}

void
mv_qemu_stats_devices_clear(MvQemuStatsDevices *devs)
{
    for (guint i = 0; devs->disks && i < devs->disks->len; i++) {
        MvQemuStatsDisk *d = &g_array_index(devs->disks, MvQemuStatsDisk, i);

        g_free(d->target);
        g_free(d->source);
        g_free(d->format);
        g_free(d->alias);
    }
    for (guint i = 0; devs->nets && i < devs->nets->len; i++)
        g_free(g_array_index(devs->nets, MvQemuStatsNet, i).tap);
    g_clear_pointer(&devs->disks, g_array_unref);
    g_clear_pointer(&devs->nets, g_array_unref);
}

static bool
tap_counter(const char *tap, const char *name, guint64 *ret)
{
    g_autofree char *path = g_strdup_printf("/sys/class/net/%s/statistics/%s", tap, name);
    g_autofree char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return false;
    *ret = g_ascii_strtoull(text, NULL, 10);
    return true;
}

/* Running guests only, as libvirt: net.count, then per NIC with a tap its
 * name and counters, the tap's receive side being what the guest sent. */
static void
interface_group(const MvQemuStatsDevices *devs, GArray *params)
{
    static const char *const fields[][2] = {
        { "rx.bytes", "tx_bytes" }, { "rx.pkts", "tx_packets" },
        { "rx.errs", "tx_errors" }, { "rx.drop", "tx_dropped" },
        { "tx.bytes", "rx_bytes" }, { "tx.pkts", "rx_packets" },
        { "tx.errs", "rx_errors" }, { "tx.drop", "rx_dropped" },
    };

    if (!devs->active)
        return;
    mv_qemu_stats_add(params, MV_TYPED_PARAM_UINT, devs->nets->len, "net.count");
    for (guint i = 0; i < devs->nets->len; i++) {
        const char *tap = g_array_index(devs->nets, MvQemuStatsNet, i).tap;
        guint64 v;

        if (!tap)
            continue;
        mv_qemu_stats_add_string(params, tap, "net.%u.name", i);
        for (gsize f = 0; f < G_N_ELEMENTS(fields); f++) {
            if (tap_counter(tap, fields[f][1], &v))
                mv_qemu_stats_add(params, MV_TYPED_PARAM_ULLONG, v, "net.%u.%s", i,
                                  fields[f][0]);
        }
    }
}

static bool
qdev_is(const char *qdev, const char *alias)
{
    g_autofree char *periph = g_strdup_printf("/machine/peripheral/%s", alias);
    gsize n = strlen(periph);

    return g_strcmp0(qdev, alias) == 0 ||
           (qdev && strncmp(qdev, periph, n) == 0 && (qdev[n] == '\0' || qdev[n] == '/'));
}

static JsonObject *
blockstats_of(const MvQemuStatsQmp *qmp, const char *alias)
{
    JsonArray *a;

    if (!alias || !qmp->blockstats || !JSON_NODE_HOLDS_ARRAY(qmp->blockstats))
        return NULL;
    a = json_node_get_array(qmp->blockstats);
    for (guint i = 0; i < json_array_get_length(a); i++) {
        JsonObject *e = json_array_get_object_element(a, i);

        if (qdev_is(json_object_get_string_member_with_default(e, "qdev", NULL), alias) &&
            json_object_has_member(e, "stats"))
            return json_object_get_object_member(e, "stats");
    }
    return NULL;
}

/* allocation, capacity (a qcow2 header's virtual size), physical of an image. */
static bool
image_sizes(const char *path, const char *format, guint64 ret[3])
{
    struct stat st;
    guint8 hdr[32];
    off_t end;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return false;
    if (fstat(fd, &st) < 0) {
        close(fd);
        return false;
    }
    end = lseek(fd, 0, SEEK_END);
    ret[2] = S_ISREG(st.st_mode) ? (guint64)st.st_size : (guint64)MAX(end, 0);
    ret[0] = S_ISREG(st.st_mode) ? (guint64)st.st_blocks * 512 : ret[2];
    ret[1] = ret[2];
    if (g_strcmp0(format, "qcow2") == 0 && pread(fd, hdr, sizeof(hdr), 0) == sizeof(hdr) &&
        memcmp(hdr, "QFI\xfb", 4) == 0) {
        ret[1] = 0;
        for (int i = 24; i < 32; i++)
            ret[1] = (ret[1] << 8) | hdr[i];
    }
    close(fd);
    return true;
}

static void
block_group(const MvQemuStatsDevices *devs, const MvQemuStatsQmp *qmp, GArray *params)
{
    static const char *const counters[][2] = {
        { "rd.reqs", "rd_operations" }, { "rd.bytes", "rd_bytes" },
        { "rd.times", "rd_total_time_ns" }, { "wr.reqs", "wr_operations" },
        { "wr.bytes", "wr_bytes" }, { "wr.times", "wr_total_time_ns" },
        { "fl.reqs", "flush_operations" }, { "fl.times", "flush_total_time_ns" },
    };
    static const char *const sizes[] = { "allocation", "capacity", "physical" };

    mv_qemu_stats_add(params, MV_TYPED_PARAM_UINT, devs->disks->len, "block.count");
    for (guint i = 0; i < devs->disks->len; i++) {
        const MvQemuStatsDisk *d = &g_array_index(devs->disks, MvQemuStatsDisk, i);
        JsonObject *st = devs->active ? blockstats_of(qmp, d->alias) : NULL;
        guint64 v[3];

        mv_qemu_stats_add_string(params, d->target, "block.%u.name", i);
        if (d->source)
            mv_qemu_stats_add_string(params, d->source, "block.%u.path", i);
        for (gsize f = 0; st && f < G_N_ELEMENTS(counters); f++)
            mv_qemu_stats_add(params, MV_TYPED_PARAM_ULLONG,
                              (guint64)json_object_get_int_member_with_default(
                                  st, counters[f][1], 0),
                              "block.%u.%s", i, counters[f][0]);
        if (d->source && image_sizes(d->source, d->format, v)) {
            for (gsize f = 0; f < G_N_ELEMENTS(sizes); f++)
                mv_qemu_stats_add(params, MV_TYPED_PARAM_ULLONG, v[f], "block.%u.%s", i,
                                  sizes[f]);
        }
    }
}

/* Nothing when the guest has no iothreads (libvirt adds no iothread.count then). */
static void
iothread_group(const MvQemuStatsQmp *qmp, GArray *params)
{
    static const char *const fields[] = { "poll-max-ns", "poll-grow", "poll-shrink" };
    JsonArray *a;
    guint n;

    if (!qmp->iothreads || !JSON_NODE_HOLDS_ARRAY(qmp->iothreads))
        return;
    a = json_node_get_array(qmp->iothreads);
    if (!(n = json_array_get_length(a)))
        return;
    mv_qemu_stats_add(params, MV_TYPED_PARAM_UINT, n, "iothread.count");
    for (guint i = 0; i < n; i++) {
        JsonObject *t = json_array_get_object_element(a, i);
        const char *id = json_object_get_string_member_with_default(t, "id", "");
        guint64 num;

        /* qemud names them "iothreadN" after <iothread id='N'> */
        if (!g_str_has_prefix(id, "iothread") ||
            !g_ascii_string_to_unsigned(id + strlen("iothread"), 10, 1, G_MAXUINT, &num, NULL))
            continue;
        for (gsize f = 0; f < G_N_ELEMENTS(fields); f++)
            mv_qemu_stats_add(params, MV_TYPED_PARAM_ULLONG,
                              (guint64)json_object_get_int_member_with_default(t, fields[f], 0),
                              "iothread.%" G_GUINT64_FORMAT ".%s", num, fields[f]);
    }
}

/* The last dirty-rate measurement (virsh domdirtyrate-calc starts one). */
static void
dirtyrate_group(const MvQemuStatsQmp *qmp, GArray *params)
{
    static const char *const states[] = { "unstarted", "measuring", "measured" };
    JsonObject *o;
    const char *status, *mode;
    int code = -1;

    if (!qmp->dirtyrate || !JSON_NODE_HOLDS_OBJECT(qmp->dirtyrate))
        return;
    o = json_node_get_object(qmp->dirtyrate);
    status = json_object_get_string_member_with_default(o, "status", "");
    for (gsize i = 0; i < G_N_ELEMENTS(states); i++) {
        if (strcmp(status, states[i]) == 0)
            code = (int)i;
    }
    if (code < 0)
        return;
    mv_qemu_stats_add(params, MV_TYPED_PARAM_INT, (guint64)code, "dirtyrate.calc_status");
    mv_qemu_stats_add(params, MV_TYPED_PARAM_LLONG,
                      (guint64)json_object_get_int_member_with_default(o, "start-time", 0),
                      "dirtyrate.calc_start_time");
    mv_qemu_stats_add(params, MV_TYPED_PARAM_INT,
                      (guint64)json_object_get_int_member_with_default(o, "calc-time", 0),
                      "dirtyrate.calc_period");
    mode = json_object_get_string_member_with_default(o, "mode", NULL);
    if (mode)
        mv_qemu_stats_add_string(params, mode, "dirtyrate.calc_mode");
    if (code == 2 && json_object_has_member(o, "dirty-rate"))
        mv_qemu_stats_add(params, MV_TYPED_PARAM_LLONG,
                          (guint64)json_object_get_int_member(o, "dirty-rate"),
                          "dirtyrate.megabytes_per_second");
}

void
mv_qemu_stats_device_groups(const MvQemuStatsDevices *devs, const MvQemuStatsQmp *qmp,
                            unsigned int stats, GArray *params)
{
    if (stats & MV_QEMU_STATS_INTERFACE)
        interface_group(devs, params);
    if (stats & MV_QEMU_STATS_BLOCK)
        block_group(devs, qmp, params);
    if (stats & MV_QEMU_STATS_IOTHREAD)
        iothread_group(qmp, params);
    if (stats & MV_QEMU_STATS_DIRTYRATE)
        dirtyrate_group(qmp, params);
}
