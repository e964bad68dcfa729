/* The backends through their vtables on parsed definitions: a dir pool's
 * build/start/refresh/delete, volumes (raw, qcow2 with a backing store, LUKS
 * with a passphrase, clone with format conversion, wipe of a qcow2, resize),
 * in-progress files hidden from refresh and listed/cleaned for the restart
 * reconcile, logical pools from recorded lvm2 reports and their clear
 * device-mapper error, netfs/disk/iscsi refusing to start naming what the
 * host lacks. */
#include <stdbool.h>

#include "storage-backend.h"
#include "storage-backend-priv.h"
#include "storage-lvm.h"
#include "storage-mount.h"
#include "storage-probe.h"
#include "storage-test-util.h"
#include "storage-vol-file.h"
#include "util/error.h"

#define MiB (1024ull * 1024)

static MvStoragePoolDef *
pool_parse(const char *fmt, ...)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = NULL;
    MvStoragePoolDef *def;
    va_list ap;

    va_start(ap, fmt);
    xml = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    def = mv_storage_pool_def_parse(xml, 0, &error);
    g_assert_no_error(error);
    return def;
}

static MvStorageVolDef *
vol_parse(const char *xml)
{
    g_autoptr(GError) error = NULL;
    MvStorageVolDef *vol = mv_storage_vol_def_parse(xml, MV_STORAGE_POOL_DIR, 0, &error);

    g_assert_no_error(error);
    return vol;
}

static MvStorageVolDef *
find_vol(GPtrArray *vols, const char *name)
{
    for (guint i = 0; i < vols->len; i++) {
        MvStorageVolDef *v = g_ptr_array_index(vols, i);

        if (g_str_equal(v->name, name))
            return v;
    }
    return NULL;
}

static MvStorageVolDef *
create_vol(const MvStorageBackend *be, const MvStoragePoolDef *pool, const char *xml,
           const MvStoragePassphrase *pass)
{
    g_autoptr(GError) error = NULL;
    MvStorageVolDef *vol = vol_parse(xml);

    g_assert_true(be->vol_prepare(pool, vol, &error));
    g_assert_no_error(error);
    be->vol_create(pool, vol, pass, 0, NULL, &error);
    g_assert_no_error(error);
    return vol;
}

static void
test_dir_pool(void)
{
    g_autofree char *dir = scratch_dir();
    g_autofree char *target = g_build_filename(dir, "pool", NULL);
    g_autoptr(MvStoragePoolDef) pool = pool_parse(
        "<pool type='dir'><name>p</name><target><path>%s</path></target></pool>", target);
    const MvStorageBackend *be = mv_storage_backend_for(MV_STORAGE_POOL_DIR);
    g_autoptr(GPtrArray) vols = NULL;
    g_autoptr(MvStorageVolDef) raw = NULL, top = NULL;
    g_autoptr(GError) error = NULL;
    MvStoragePoolSizes sizes = { 0 };
    MvStorageVolDef *v;
    bool started = true;
    struct stat st;

    g_assert_nonnull(be);
    g_assert_false(be->start(pool, &error));        /* not built yet */
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_INVALID);
    g_assert_nonnull(strstr(error->message, "pool-build"));
    g_clear_error(&error);
    g_assert_true(be->build(pool, 0, &error));
    g_assert_cmpint(stat(target, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 07777, ==, 0711);
    g_assert_true(be->start(pool, &error));
    g_assert_true(be->is_started(pool, &started, &error));
    g_assert_false(started);

    raw = create_vol(be, pool, "<volume><name>a.img</name><capacity unit='M'>8</capacity>"
                               "<allocation>0</allocation></volume>", NULL);
    g_assert_cmpstr(raw->key, ==, raw->target.path);
    g_assert_cmpuint(raw->capacity, ==, 8 * MiB);
    top = create_vol(be, pool,
                     "<volume><name>top.qcow2</name><capacity unit='M'>16</capacity>"
                     "<target><format type='qcow2'/></target>"
                     "<backingStore><path>a.img</path><format type='raw'/></backingStore>"
                     "</volume>", NULL);
    g_assert_cmpint(top->target.format, ==, MV_STORAGE_VOL_FORMAT_QCOW2);
    g_assert_cmpstr(top->backing.path, ==, "a.img");

    /* A refresh runs no program: it works with none to be found. */
    {
        g_autofree char *path_env = g_strdup(g_getenv("PATH"));

        g_setenv("PATH", "/nonexistent", TRUE);
        g_setenv("MV_QEMU_IMG", "/nonexistent/qemu-img", TRUE);
        g_assert_true(be->refresh(pool, &vols, &sizes, &error));
        g_setenv("PATH", path_env, TRUE);
        g_unsetenv("MV_QEMU_IMG");
    }
    g_assert_no_error(error);
    g_assert_cmpuint(vols->len, ==, 2);
    v = find_vol(vols, "top.qcow2");
    g_assert_cmpint(stat(v->target.path, &st), ==, 0);
    {
        g_autofree char *mtime = g_strdup_printf("%lld.%09ld", (long long)st.st_mtim.tv_sec,
                                                 (long)st.st_mtim.tv_nsec);

        g_assert_cmpstr(v->target.timestamps.mtime, ==, mtime);
        g_assert_nonnull(v->target.timestamps.atime);
        g_assert_nonnull(v->target.timestamps.ctime);
    }
    g_assert_nonnull(v);
    g_assert_cmpuint(v->capacity, ==, 16 * MiB);
    g_assert_cmpint(v->target.format, ==, MV_STORAGE_VOL_FORMAT_QCOW2);
    g_assert_cmpstr(v->backing.path, ==, "a.img");
    g_assert_cmpint(v->backing.format, ==, MV_STORAGE_VOL_FORMAT_RAW);
    v = find_vol(vols, "a.img");
    g_assert_cmpint(v->target.format, ==, MV_STORAGE_VOL_FORMAT_RAW);
    g_assert_cmpint(v->target.perms.mode, ==, 0600);
    g_assert_cmpuint(sizes.capacity, >, 0);
    g_assert_cmpuint(sizes.available, <=, sizes.capacity);

    /* Delete of a non-empty pool is refused, then works once empty. */
    g_assert_false(be->delete(pool, 0, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_INVALID);
    g_clear_error(&error);
    g_assert_true(be->vol_delete(pool, top, 0, &error));
    g_assert_true(be->vol_delete(pool, raw, MV_STORAGE_VOL_DELETE_ZEROED, &error));
    g_assert_true(be->vol_delete(pool, raw, 0, &error));     /* gone already: fine */
    g_assert_true(be->delete(pool, 0, &error));
    g_assert_no_error(error);
    g_assert_false(g_file_test(target, G_FILE_TEST_EXISTS));
    remove_tree(dir);
}

static void
test_prepare_refusals(void)
{
    g_autoptr(MvStoragePoolDef) pool = pool_parse(
        "<pool type='dir'><name>p</name><target><path>/tmp/x</path></target></pool>");
    const MvStorageBackend *be = mv_storage_backend_for(MV_STORAGE_POOL_DIR);
    const char *names[] = { "a/b", "..", ".x.mvpart" };

    for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(MvStorageVolDef) vol = mv_storage_vol_def_new();

        vol->name = g_strdup(names[i]);
        vol->capacity = 1;
        g_assert_false(be->vol_prepare(pool, vol, &error));
        g_assert_error(error, MV_ERROR, MV_ERR_INVALID_ARG);
        g_assert_nonnull(strstr(error->message, names[i]));
    }
}

static void
test_luks_clone_wipe_resize(void)
{
    static const MvStoragePassphrase pass = { (const guint8 *)"pw-1234", 7 };
    g_autofree char *dir = scratch_dir();
    g_autoptr(MvStoragePoolDef) pool = pool_parse(
        "<pool type='dir'><name>p</name><target><path>%s</path></target></pool>", dir);
    const MvStorageBackend *be = mv_storage_backend_for(MV_STORAGE_POOL_DIR);
    g_autoptr(MvStorageVolDef) src = NULL, conv = NULL, back = NULL, enc = NULL;
    g_autoptr(MvStorageVolDef) noenc = vol_parse(
        "<volume><name>e2</name><capacity unit='M'>4</capacity><target><format type='raw'/>"
        "<encryption format='luks'><secret type='passphrase' "
        "uuid='0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f'/></encryption></target></volume>");
    g_autoptr(MvStorageProbe) probe = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *sum_src = NULL, *sum_back = NULL, *listing = NULL;

    src = create_vol(be, pool, "<volume><name>src.img</name><capacity unit='M'>32</capacity>"
                               "<allocation>0</allocation></volume>", NULL);
    write_pattern(src->target.path, 5 * MiB, 300 * 1024, 41);

    /* raw -> qcow2 -> raw: the data survives both conversions. */
    conv = vol_parse("<volume><name>conv.qcow2</name><capacity unit='M'>32</capacity>"
                     "<target><format type='qcow2'/></target></volume>");
    g_assert_true(be->vol_prepare(pool, conv, &error));
    g_assert_true(be->vol_create_from(pool, conv, src->target.path, MV_STORAGE_VOL_FORMAT_RAW,
                                      NULL, 0, NULL, &error));
    g_assert_no_error(error);
    g_assert_cmpint(conv->target.format, ==, MV_STORAGE_VOL_FORMAT_QCOW2);
    back = vol_parse("<volume><name>back.img</name><capacity unit='M'>32</capacity>"
                     "</volume>");
    g_assert_true(be->vol_prepare(pool, back, &error));
    g_assert_true(be->vol_create_from(pool, back, conv->target.path,
                                      MV_STORAGE_VOL_FORMAT_QCOW2, NULL, 0, NULL, &error));
    g_assert_no_error(error);
    sum_src = file_checksum(src->target.path);
    sum_back = file_checksum(back->target.path);
    g_assert_cmpstr(sum_src, ==, sum_back);
    g_assert_cmpuint(file_allocation(back->target.path), <, 4 * MiB);

    /* Wiping a qcow2 leaves a valid empty qcow2 of the same size. */
    g_assert_true(be->vol_wipe(pool, conv, MV_STORAGE_WIPE_ZERO, NULL, &error));
    g_assert_no_error(error);
    probe = mv_storage_probe_path(conv->target.path, false, &error);
    g_assert_cmpstr(probe->format, ==, "qcow2");
    g_assert_cmpuint(probe->capacity, ==, 32 * MiB);

    /* qcow2 resize through qemu-img: grow, then shrink needs the flag. */
    g_assert_true(be->vol_resize(pool, conv, 64 * MiB, 0, NULL, &error));
    g_assert_cmpuint(conv->capacity, ==, 64 * MiB);
    g_assert_false(be->vol_resize(pool, conv, 16 * MiB, 0, NULL, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_true(be->vol_resize(pool, conv, 48 * MiB,
                                 MV_STORAGE_VOL_RESIZE_SHRINK | MV_STORAGE_VOL_RESIZE_DELTA,
                                 NULL, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(conv->capacity, ==, 16 * MiB);

    /* LUKS: refused without a passphrase (nothing left), made with one. */
    g_assert_true(be->vol_prepare(pool, noenc, &error));
    g_assert_false(be->vol_create(pool, noenc, NULL, 0, NULL, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_INVALID_ARG);
    g_assert_nonnull(strstr(error->message, "secret"));
    g_assert_false(g_file_test(noenc->target.path, G_FILE_TEST_EXISTS));
    g_clear_error(&error);
    enc = vol_parse("<volume><name>enc</name><capacity unit='M'>4</capacity><target>"
                    "<format type='raw'/><encryption format='luks'><secret type='passphrase' "
                    "uuid='0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f'/></encryption></target>"
                    "</volume>");
    g_assert_true(be->vol_prepare(pool, enc, &error));
    g_assert_true(be->vol_create(pool, enc, &pass, 0, NULL, &error));
    g_assert_no_error(error);
    g_assert_cmpint(enc->target.encryption.format, ==, MV_STORAGE_ENCRYPTION_LUKS);
    g_assert_cmpint(enc->target.format, ==, MV_STORAGE_VOL_FORMAT_RAW);
    g_assert_cmpuint(enc->capacity, ==, 4 * MiB);
    g_assert_false(be->vol_wipe(pool, enc, MV_STORAGE_WIPE_ZERO, NULL, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_UNSUPPORTED);

    listing = dir_listing(dir);
    g_assert_cmpstr(listing, ==, "back.img conv.qcow2 enc src.img");
    remove_tree(dir);
}

/* In-progress files: never listed by refresh, listed and removed for the
 * daemon's restart reconcile (their volume names reported). */
static void
test_partials(void)
{
    g_autofree char *dir = scratch_dir();
    g_autoptr(MvStoragePoolDef) pool = pool_parse(
        "<pool type='dir'><name>p</name><target><path>%s</path></target></pool>", dir);
    const MvStorageBackend *be = mv_storage_backend_for(MV_STORAGE_POOL_DIR);
    g_autofree char *done = g_build_filename(dir, "done.img", NULL);
    g_autofree char *half = g_build_filename(dir, ".half.img.mvpart", NULL);
    g_autofree char *hidden = g_build_filename(dir, ".hidden", NULL);
    g_autoptr(GPtrArray) vols = NULL, paths = NULL, names = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *listing = NULL;
    MvStoragePoolSizes sizes;

    g_autofree char *fifo = g_build_filename(dir, "fifo", NULL);
    g_autofree char *link = g_build_filename(dir, "link", NULL);

    write_pattern(done, 0, 4096, 1);
    write_pattern(half, 0, 4096, 2);
    write_pattern(hidden, 0, 4096, 3);
    /* Neither a FIFO (opening it must not block) nor a symlink is a volume. */
    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
    g_assert_cmpint(symlink("done.img", link), ==, 0);
    g_assert_true(be->refresh(pool, &vols, &sizes, &error));
    g_assert_cmpuint(vols->len, ==, 2);
    g_assert_nonnull(find_vol(vols, "done.img"));
    g_assert_nonnull(find_vol(vols, ".hidden"));
    g_assert_null(find_vol(vols, ".half.img.mvpart"));

    g_assert_true(mv_storage_backend_list_partial(pool, &paths, &error));
    g_assert_cmpuint(paths->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(paths, 0), ==, half);
    g_assert_true(mv_storage_backend_clean_partial(pool, &names, &error));
    g_assert_cmpuint(names->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(names, 0), ==, "half.img");
    listing = dir_listing(dir);
    g_assert_cmpstr(listing, ==, ".hidden done.img fifo link");
    remove_tree(dir);
}

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
test_logical(void)
{
    g_autoptr(MvStoragePoolDef) pool = pool_parse(
        "<pool type='logical'><name>lp</name><source><device path='/dev/loop0'/>"
        "<name>vgtest</name><format type='lvm2'/></source>"
        "<target><path>/dev/vgtest</path></target></pool>");
    g_autoptr(MvStoragePoolDef) other = pool_parse(
        "<pool type='logical'><name>vgother</name><source><device path='/dev/loop0'/>"
        "</source><target><path>/dev/vgother</path></target></pool>");
    const MvStorageBackend *be = mv_storage_backend_for(MV_STORAGE_POOL_LOGICAL);
    g_autofree char *lvs = recorded("lvs.json"), *vgs = recorded("vgs.json");
    g_autoptr(GPtrArray) vols = NULL, none = NULL;
    g_autoptr(GError) error = NULL;
    MvStoragePoolSizes sizes;
    MvStorageVolDef *v;

    g_assert_true(mv_storage_logical_vols_from_reports(pool, lvs, vgs, &vols, &sizes, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(vols->len, ==, 2);
    v = find_vol(vols, "data");
    g_assert_cmpstr(v->key, ==, "Qm3kfd-9XrT-2vZe-Ld0c-7aXp-Uq1B-c8LkQw");
    g_assert_cmpstr(v->target.path, ==, "/dev/vgtest/data");
    g_assert_cmpint(v->type, ==, MV_STORAGE_VOL_BLOCK);
    g_assert_cmpuint(v->capacity, ==, 16777216);
    g_assert_cmpuint(v->nsource_devices, ==, 1);
    g_assert_cmpstr(v->source_devices[0].path, ==, "/dev/loop0");
    g_assert_cmpuint(sizes.capacity, ==, 62914560);
    g_assert_cmpuint(sizes.available, ==, 37748736);
    g_assert_cmpuint(sizes.allocation, ==, 62914560 - 37748736);

    g_assert_false(mv_storage_logical_vols_from_reports(other, lvs, vgs, &none, &sizes,
                                                        &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_INVALID);
    g_assert_nonnull(strstr(error->message, "vgother"));
    g_clear_error(&error);

    /* This host has no device-mapper: build and start say so. */
    if (mv_lvm_check_device_mapper(NULL, NULL, NULL)) {
        g_test_skip("this host has device-mapper");
        return;
    }
    g_assert_false(be->build(pool, 0, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_NO_SUPPORT);
    g_assert_nonnull(strstr(error->message, "device-mapper"));
    g_clear_error(&error);
    g_assert_false(be->start(pool, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_NO_SUPPORT);
    g_assert_nonnull(strstr(error->message, "device-mapper"));
}

static void
test_unsupported(void)
{
    g_autofree char *dir = scratch_dir();
    g_autofree char *params = g_build_filename(dir, "module", "loop", "parameters", NULL);
    g_autofree char *max_part = g_build_filename(params, "max_part", NULL);
    g_autoptr(MvStoragePoolDef) netfs = pool_parse(
        "<pool type='netfs'><name>n</name><source><host name='nfs.example'/>"
        "<dir path='/export'/><format type='nfs'/></source>"
        "<target><path>%s/n</path></target></pool>", dir);
    g_autoptr(MvStoragePoolDef) disk = pool_parse(
        "<pool type='disk'><name>d</name><source><device path='/dev/loop5'/>"
        "<format type='gpt'/></source><target><path>/dev</path></target></pool>");
    g_autoptr(MvStoragePoolDef) iscsi = pool_parse(
        "<pool type='iscsi'><name>i</name><source><host name='iscsi.example'/>"
        "<device path='iqn.2026-12.example:t1'/></source>"
        "<target><path>/dev/disk/by-path</path></target></pool>");
    g_autoptr(GError) error = NULL;
    const MvStorageBackend *be;

    /* A fake sysfs: no iSCSI transport, loop max_part 0. */
    g_assert_cmpint(g_mkdir_with_parents(params, 0755), ==, 0);
    g_assert_true(g_file_set_contents(max_part, "0\n", -1, NULL));
    g_setenv("MV_STORAGE_SYSFS", dir, TRUE);

    be = mv_storage_backend_for(MV_STORAGE_POOL_NETFS);
    if (!mv_storage_mount_fs_supported("nfs")) {
        g_assert_false(be->start(netfs, &error));
        g_assert_error(error, MV_ERROR, MV_ERR_NO_SUPPORT);
        g_assert_nonnull(strstr(error->message, "/proc/filesystems"));
        g_clear_error(&error);
        g_assert_false(be->build(netfs, 0, &error));
        g_assert_error(error, MV_ERROR, MV_ERR_NO_SUPPORT);
        g_clear_error(&error);
    }
    be = mv_storage_backend_for(MV_STORAGE_POOL_DISK);
    g_assert_false(be->start(disk, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_NO_SUPPORT);
    g_assert_nonnull(strstr(error->message, "max_part"));
    g_clear_error(&error);
    g_assert_false(be->build(disk, 0, &error));
    g_assert_nonnull(strstr(error->message, "partition tables on loop devices"));
    g_clear_error(&error);

    be = mv_storage_backend_for(MV_STORAGE_POOL_ISCSI);
    g_assert_false(be->start(iscsi, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_NO_SUPPORT);
    g_assert_nonnull(strstr(error->message, "iSCSI initiator"));
    g_unsetenv("MV_STORAGE_SYSFS");
    remove_tree(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/storage/backend/dir-pool", test_dir_pool);
    g_test_add_func("/storage/backend/prepare-refusals", test_prepare_refusals);
    g_test_add_func("/storage/backend/luks-clone-wipe-resize", test_luks_clone_wipe_resize);
    g_test_add_func("/storage/backend/partials", test_partials);
    g_test_add_func("/storage/backend/logical", test_logical);
    g_test_add_func("/storage/backend/unsupported", test_unsupported);
    return g_test_run();
}
