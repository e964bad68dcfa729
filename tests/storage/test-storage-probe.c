/* The header probe: formats from real images made by qemu-img (raw, qcow2
 * v2/v3 with backing file and format, luks, encrypted qcow2), an ISO magic,
 * directories, and hand-made broken qcow2 headers. */
#include <stdbool.h>

#include "storage-probe.h"
#include "storage-qemu-img.h"
#include "storage-test-util.h"
#include "util/error.h"

#define MiB (1024ull * 1024)

static const MvStoragePassphrase pass = { (const guint8 *)"s3cret-pass", 11 };

static void
qemu_img_create(const char *path, const char *format, guint64 size, const char *backing,
                const char *backing_format, const char *compat, bool encrypt)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *qemu_img = mv_qemu_img_find(&error);
    MvQemuImgOutput out = { .format = format, .compat = compat, .encrypt = encrypt,
                           .iter_time_ms = encrypt ? 200 : 0 };
    g_auto(GStrv) argv = NULL;

    g_assert_no_error(error);
    argv = mv_qemu_img_create_argv(qemu_img, &out, path, size, backing, backing_format);
    mv_qemu_img_run(argv, encrypt ? &pass : NULL, NULL, &error);
    g_assert_no_error(error);
}

static MvStorageProbe *
probe_ok(const char *path)
{
    g_autoptr(GError) error = NULL;
    MvStorageProbe *probe = mv_storage_probe_path(path, false, &error);

    g_assert_no_error(error);
    g_assert_nonnull(probe);
    return probe;
}

static void
test_raw(void)
{
    g_autofree char *dir = scratch_dir();
    g_autofree char *path = g_build_filename(dir, "raw.img", NULL);
    g_autoptr(MvStorageProbe) probe = NULL;

    write_pattern(path, 10 * MiB - 4096, 4096, 1);
    probe = probe_ok(path);
    g_assert_cmpstr(probe->format, ==, "raw");
    g_assert_cmpint(probe->type, ==, MV_STORAGE_PROBE_FILE);
    g_assert_cmpuint(probe->capacity, ==, 10 * MiB);
    g_assert_cmpuint(probe->physical, ==, 10 * MiB);
    g_assert_cmpuint(probe->allocation, ==, file_allocation(path));
    g_assert_cmpuint(probe->allocation, <, MiB);
    g_assert_null(probe->backing_path);
    g_assert_false(probe->encrypted);
    remove_tree(dir);
}

static void
test_qcow2_backing(void)
{
    g_autofree char *dir = scratch_dir();
    g_autofree char *base = g_build_filename(dir, "base.raw", NULL);
    g_autofree char *top = g_build_filename(dir, "top.qcow2", NULL);
    g_autofree char *v2 = g_build_filename(dir, "v2.qcow2", NULL);
    g_autoptr(MvStorageProbe) probe = NULL, probe2 = NULL;

    write_pattern(base, 0, 4096, 2);
    g_assert_cmpint(truncate(base, 8 * MiB), ==, 0);
    qemu_img_create(top, "qcow2", 20 * MiB, base, "raw", NULL, false);
    probe = probe_ok(top);
    g_assert_cmpstr(probe->format, ==, "qcow2");
    g_assert_cmpuint(probe->qcow2_version, ==, 3);
    g_assert_cmpuint(probe->capacity, ==, 20 * MiB);
    g_assert_cmpuint(probe->cluster_size, ==, 65536);
    g_assert_cmpstr(probe->backing_path, ==, base);
    g_assert_cmpstr(probe->backing_format, ==, "raw");
    g_assert_cmpuint(probe->physical, <, MiB);
    g_assert_false(probe->encrypted);

    qemu_img_create(v2, "qcow2", 3 * MiB, NULL, NULL, "0.10", false);
    probe2 = probe_ok(v2);
    g_assert_cmpstr(probe2->format, ==, "qcow2");
    g_assert_cmpuint(probe2->qcow2_version, ==, 2);
    g_assert_cmpuint(probe2->capacity, ==, 3 * MiB);
    g_assert_null(probe2->backing_path);
    g_assert_null(probe2->backing_format);
    remove_tree(dir);
}

static void
test_luks(void)
{
    g_autofree char *dir = scratch_dir();
    g_autofree char *luks = g_build_filename(dir, "vol.luks", NULL);
    g_autofree char *enc = g_build_filename(dir, "enc.qcow2", NULL);
    g_autoptr(MvStorageProbe) probe = NULL, probe2 = NULL;

    qemu_img_create(luks, "luks", 16 * MiB, NULL, NULL, NULL, true);
    probe = probe_ok(luks);
    g_assert_cmpstr(probe->format, ==, "luks");
    g_assert_true(probe->encrypted);
    g_assert_cmpuint(probe->capacity, ==, 16 * MiB);    /* the payload, not the header */
    g_assert_cmpuint(probe->physical, >, 16 * MiB);

    qemu_img_create(enc, "qcow2", 16 * MiB, NULL, NULL, NULL, true);
    probe2 = probe_ok(enc);
    g_assert_cmpstr(probe2->format, ==, "qcow2");
    g_assert_true(probe2->encrypted);
    g_assert_cmpuint(probe2->capacity, ==, 16 * MiB);
    remove_tree(dir);
}

static void
test_iso_and_dir(void)
{
    g_autofree char *dir = scratch_dir();
    g_autofree char *iso = g_build_filename(dir, "cd.iso", NULL);
    g_autofree char *sub = g_build_filename(dir, "sub", NULL);
    g_autoptr(MvStorageProbe) probe = NULL, probe2 = NULL;
    int fd = open(iso, O_WRONLY | O_CREAT, 0600);

    g_assert_cmpint(pwrite(fd, "\001CD001\001", 7, 32768), ==, 7);
    g_assert_cmpint(ftruncate(fd, 64 * 1024), ==, 0);
    close(fd);
    probe = probe_ok(iso);
    g_assert_cmpstr(probe->format, ==, "iso");
    g_assert_cmpuint(probe->capacity, ==, 64 * 1024);

    g_assert_cmpint(g_mkdir(sub, 0755), ==, 0);
    probe2 = probe_ok(sub);
    g_assert_cmpstr(probe2->format, ==, "dir");
    g_assert_cmpint(probe2->type, ==, MV_STORAGE_PROBE_DIR);
    remove_tree(dir);
}

/* Other formats qemu-img makes: format and virtual size from the header,
 * compared with what `qemu-img info` says. */
static void
test_other_formats(void)
{
    static const char *const formats[] = { "qed", "vmdk", "vdi", "vpc", "qcow" };
    g_autofree char *dir = scratch_dir();

    for (gsize i = 0; i < G_N_ELEMENTS(formats); i++) {
        g_autofree char *path = g_strdup_printf("%s/x.%s", dir, formats[i]);
        g_autofree char *cmd = NULL, *out = NULL, *want = NULL;
        g_autoptr(MvStorageProbe) probe = NULL;
        int status = 0;

        qemu_img_create(path, formats[i], 5 * MiB + 4096 * (i + 1), NULL, NULL, NULL, false);
        cmd = g_strdup_printf("qemu-img info --output=json -f %s %s", formats[i], path);
        g_assert_true(g_spawn_command_line_sync(cmd, &out, NULL, &status, NULL));
        probe = probe_ok(path);
        g_test_message("%s: %" G_GUINT64_FORMAT, formats[i], probe->capacity);
        g_assert_cmpstr(probe->format, ==, formats[i]);
        want = g_strdup_printf("\"virtual-size\": %" G_GUINT64_FORMAT ",", probe->capacity);
        g_assert_nonnull(strstr(out, want));
    }
    remove_tree(dir);
}

static void
put32(guint8 *p, guint32 v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

static void
put64(guint8 *p, guint64 v)
{
    put32(p, (guint32)(v >> 32));
    put32(p + 4, (guint32)v);
}

/* A minimal qcow2 v3 header with a backing format extension and a backing
 * name right after it. */
static gsize
make_qcow2(guint8 *buf, gsize size, const char *backing, const char *bfmt)
{
    gsize ext = 104, off;

    memset(buf, 0, size);
    put32(buf, 0x514649fb);
    put32(buf + 4, 3);
    put32(buf + 20, 16);                /* 64 KiB clusters */
    put64(buf + 24, 5 * MiB);
    put32(buf + 100, 104);
    put32(buf + ext, 0xe2792aca);
    put32(buf + ext + 4, (guint32)strlen(bfmt));
    memcpy(buf + ext + 8, bfmt, strlen(bfmt));
    off = ext + 8 + ((strlen(bfmt) + 7) & ~7u);
    put32(buf + off, 0);                /* end of extensions */
    put32(buf + off + 4, 0);
    off += 8;
    put64(buf + 8, off);
    put32(buf + 16, (guint32)strlen(backing));
    memcpy(buf + off, backing, strlen(backing));
    return off + strlen(backing);
}

static void
test_buffer(void)
{
    guint8 buf[1024];
    gsize len = make_qcow2(buf, sizeof(buf), "../base image.qcow2", "qcow2"), need = 0;
    MvStorageProbe probe = { 0 };
    g_autoptr(GError) error = NULL;

    g_assert_true(mv_storage_probe_buffer(buf, len, 4096, &probe, &need, &error));
    g_assert_cmpuint(need, ==, 0);
    g_assert_cmpstr(probe.format, ==, "qcow2");
    g_assert_cmpuint(probe.capacity, ==, 5 * MiB);
    g_assert_cmpstr(probe.backing_path, ==, "../base image.qcow2");
    g_assert_cmpstr(probe.backing_format, ==, "qcow2");
    g_clear_pointer(&probe.backing_path, g_free);
    g_clear_pointer(&probe.backing_format, g_free);

    /* Short read: the probe asks for more instead of guessing. */
    g_assert_true(mv_storage_probe_buffer(buf, 110, 4096, &probe, &need, &error));
    g_assert_cmpuint(need, >, 110);
    g_clear_pointer(&probe.backing_path, g_free);
    g_clear_pointer(&probe.backing_format, g_free);

    /* A backing name past the first cluster is refused. */
    put64(buf + 8, 65536 - 4);
    g_assert_false(mv_storage_probe_buffer(buf, len, 4096, &probe, &need, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_INTERNAL_ERROR);
    g_assert_nonnull(strstr(error->message, "first cluster"));
    g_clear_error(&error);

    /* Bad cluster bits and versions. */
    make_qcow2(buf, sizeof(buf), "b", "raw");
    put32(buf + 20, 40);
    g_assert_false(mv_storage_probe_buffer(buf, len, 4096, &probe, &need, &error));
    g_assert_nonnull(strstr(error->message, "cluster_bits"));
    g_clear_error(&error);
    make_qcow2(buf, sizeof(buf), "b", "raw");
    put32(buf + 4, 7);
    g_assert_false(mv_storage_probe_buffer(buf, len, 4096, &probe, &need, &error));
    g_assert_nonnull(strstr(error->message, "version 7"));
    g_clear_error(&error);

    /* A NUL inside the backing name. */
    len = make_qcow2(buf, sizeof(buf), "abc", "raw");
    buf[len - 2] = '\0';
    g_assert_false(mv_storage_probe_buffer(buf, len, 4096, &probe, &need, &error));
    g_assert_nonnull(strstr(error->message, "NUL"));
    g_clear_pointer(&probe.backing_format, g_free);
}

static void
test_truncated_file(void)
{
    g_autofree char *dir = scratch_dir();
    g_autofree char *path = g_build_filename(dir, "short.qcow2", NULL);
    g_autofree char *missing = g_build_filename(dir, "missing", NULL);
    g_autoptr(GError) error = NULL;
    guint8 buf[1024];
    gsize len = make_qcow2(buf, sizeof(buf), "base", "raw");

    /* The header says the backing name is there, the file ends before it. */
    g_assert_true(g_file_set_contents(path, (const char *)buf, (gssize)len - 3, NULL));
    g_assert_null(mv_storage_probe_path(path, false, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_INTERNAL_ERROR);
    g_assert_nonnull(strstr(error->message, "truncated"));
    g_clear_error(&error);
    g_assert_null(mv_storage_probe_path(missing, false, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_NO_STORAGE_VOL);
    remove_tree(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/storage/probe/raw", test_raw);
    g_test_add_func("/storage/probe/qcow2-backing", test_qcow2_backing);
    g_test_add_func("/storage/probe/luks", test_luks);
    g_test_add_func("/storage/probe/iso-and-dir", test_iso_and_dir);
    g_test_add_func("/storage/probe/other-formats", test_other_formats);
    g_test_add_func("/storage/probe/buffer", test_buffer);
    g_test_add_func("/storage/probe/truncated-file", test_truncated_file);
    return g_test_run();
}
