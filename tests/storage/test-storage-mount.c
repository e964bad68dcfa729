/* fs pools for real, in a private mount namespace (meson runs this program
 * under `unshare -m --propagation private`; it refuses to mount anything in
 * the host's namespace): loop devices with autoclear, build with mkfs
 * (ext4, and xfs/btrfs when their mkfs is installed), start/stop, taking back
 * a pool that is already mounted and never mounting it twice, a foreign mount
 * on the target refused; a full disk (a 4 MiB tmpfs) fails creates cleanly. */
#include <stdbool.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>

#include "storage-backend.h"
#include "storage-loop.h"
#include "storage-mount.h"
#include "storage-probe.h"
#include "storage-test-util.h"
#include "storage-vol-file.h"
#include "util/error.h"

#define MiB (1024ull * 1024)

/* unshare(1) execs this program: a private namespace differs from the one
 * of the process that started it (meson, or a shell). */
static bool
private_namespace(void)
{
    g_autofree char *parent_ns = g_strdup_printf("/proc/%d/ns/mnt", (int)getppid());
    g_autofree char *mine = g_file_read_link("/proc/self/ns/mnt", NULL);
    g_autofree char *parent = g_file_read_link(parent_ns, NULL);

    return mine && parent && !g_str_equal(mine, parent);
}

static bool
can_mount(void)
{
    if (geteuid() != 0) {
        g_test_skip("needs root");
        return false;
    }
    if (!private_namespace()) {
        g_test_skip("not in a private mount namespace: run it through meson (unshare -m)");
        return false;
    }
    if (!g_file_test("/dev/loop-control", G_FILE_TEST_EXISTS)) {
        g_test_skip("no /dev/loop-control");
        return false;
    }
    return true;
}

/* Waits (bounded) until @device has no backing file: autoclear detaches it
 * at the last close, possibly from a kernel work item. */
static bool
wait_detached(const char *device)
{
    for (int i = 0; i < 500; i++) {
        g_autofree char *backing = mv_storage_loop_backing_file(device);

        if (!backing)
            return true;
        g_usleep(10000);
    }
    return false;
}

static void
test_mountinfo(void)
{
    static const char text[] =
        "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
        "36 22 7:3 / /srv/my\\040pool rw,nosuid master:2 shared:7 - xfs /dev/loop3 rw\n"
        "37 22 0:30 /sub /mnt\\134x rw - tmpfs none rw,size=4k\n";
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) mounts = mv_storage_mount_parse(text, &error);
    g_autoptr(GPtrArray) bad = NULL;
    MvStorageMount *m;

    g_assert_no_error(error);
    g_assert_cmpuint(mounts->len, ==, 3);
    m = g_ptr_array_index(mounts, 1);
    g_assert_cmpstr(m->target, ==, "/srv/my pool");
    g_assert_cmpstr(m->fstype, ==, "xfs");
    g_assert_cmpstr(m->source, ==, "/dev/loop3");
    g_assert_cmpuint(m->major, ==, 7);
    g_assert_cmpuint(m->minor, ==, 3);
    m = g_ptr_array_index(mounts, 2);
    g_assert_cmpstr(m->target, ==, "/mnt\\x");
    g_assert_cmpstr(m->root, ==, "/sub");
    bad = mv_storage_mount_parse("1 2 3:4 / /x rw shared:1 ext4 /dev/sda rw\n", &error);
    g_assert_null(bad);
    g_assert_error(error, MV_ERROR, MV_ERR_INTERNAL_ERROR);
    g_assert_nonnull(strstr(error->message, "line 1"));
}

static void
test_loop_autoclear(void)
{
    g_autofree char *dir = NULL, *image = NULL, *device = NULL;
    g_autoptr(GPtrArray) found = NULL;
    g_autoptr(GError) error = NULL;
    int fd;

    if (!can_mount())
        return;
    dir = scratch_dir();
    image = g_build_filename(dir, "disk.img", NULL);
    g_assert_true(mv_storage_vol_file_create_raw(image, 8 * MiB, 0, NULL, NULL, &error));
    fd = mv_storage_loop_attach(image, false, &device, &error);
    g_assert_no_error(error);
    g_assert_cmpint(fd, >=, 0);
    g_assert_true(mv_storage_loop_find(image, &found, &error));
    g_assert_cmpuint(found->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(found, 0), ==, device);
    {
        /* find-storage-pool-sources for fs: the attached device appears once it
         * holds a filesystem. */
        const MvStorageBackend *be = mv_storage_backend_for(MV_STORAGE_POOL_FS);
        g_autofree char *before = be->find_sources(NULL, 0, &error);
        g_autofree char *after = NULL, *want = g_strdup_printf("<device path='%s'/>", device);
        g_auto(GStrv) argv = mv_storage_mount_mkfs_argv("ext4", device, true, &error);
        g_autofree char *cmd = g_strjoinv(" ", argv);

        g_assert_no_error(error);
        g_assert_nonnull(strstr(before, "<sources"));
        g_assert_null(strstr(before, want));
        run_ok(cmd);
        after = be->find_sources(NULL, 0, &error);
        g_assert_no_error(error);
        g_test_message("%s", after);
        g_assert_nonnull(strstr(after, want));
        g_assert_nonnull(strstr(after, "<format type='ext4'/>"));
    }
    close(fd);                              /* unused: autoclear detaches it */
    g_assert_true(wait_detached(device));
    remove_tree(dir);
}

typedef struct {
    char *dir;
    char *image;
    char *target;
    MvStoragePoolDef *pool;
} FsPool;

static void
fs_pool_init(FsPool *p, const char *fstype, guint64 size)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = NULL;

    p->dir = scratch_dir();
    p->image = g_build_filename(p->dir, "fs.img", NULL);
    p->target = g_build_filename(p->dir, "mnt", NULL);
    g_assert_true(mv_storage_vol_file_create_raw(p->image, size, 0, NULL, NULL, &error));
    xml = g_strdup_printf("<pool type='fs'><name>fsp</name><source><device path='%s'/>"
                          "<format type='%s'/></source><target><path>%s</path></target>"
                          "</pool>", p->image, fstype, p->target);
    p->pool = mv_storage_pool_def_parse(xml, 0, &error);
    g_assert_no_error(error);
}

static void
fs_pool_clear(FsPool *p)
{
    umount2(p->target, MNT_DETACH);         /* only if a case failed half-way */
    remove_tree(p->dir);
    g_free(p->dir);
    g_free(p->image);
    g_free(p->target);
    mv_storage_pool_def_free(p->pool);
}

static void
check_fs_pool(const char *fstype, guint64 size, bool auto_format)
{
    const MvStorageBackend *be = mv_storage_backend_for(MV_STORAGE_POOL_FS);
    g_autoptr(MvStorageMount) m = NULL;
    g_autoptr(MvStorageVolDef) vol = mv_storage_vol_def_new();
    g_autoptr(GPtrArray) vols = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *device = NULL;
    MvStoragePoolSizes sizes;
    bool started = true;
    FsPool p;

    /* btrfs is not in libvirt's list of fs pool formats: such a pool says
     * 'auto' and the superblock tells. */
    fs_pool_init(&p, auto_format ? "auto" : fstype, size);
    /* Without a filesystem start refuses. */
    g_assert_true(be->build(p.pool, 0, &error));
    g_assert_false(be->start(p.pool, &error));
    g_assert_nonnull(error);
    g_clear_error(&error);
    if (auto_format) {
        g_auto(GStrv) argv = mv_storage_mount_mkfs_argv(fstype, p.image, false, &error);
        g_autofree char *cmd = g_strjoinv(" ", argv);

        run_ok(cmd);
    } else {
        /* NO_OVERWRITE formats an empty image... */
        g_assert_true(be->build(p.pool, MV_STORAGE_BUILD_NO_OVERWRITE, &error));
        g_assert_no_error(error);
    }
    g_assert_cmpstr(mv_storage_mount_probe_fs(p.image, NULL), ==,
                    g_str_has_prefix(fstype, "ext") ? "ext4" : fstype);
    /* ...and refuses to format it again. */
    g_assert_false(be->build(p.pool, MV_STORAGE_BUILD_NO_OVERWRITE, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_INVALID);
    g_assert_nonnull(strstr(error->message, "--overwrite"));
    g_clear_error(&error);

    g_assert_true(be->is_started(p.pool, &started, &error));
    g_assert_false(started);
    g_assert_true(be->start(p.pool, &error));
    g_assert_no_error(error);
    g_assert_true(mv_storage_mount_find(p.target, &m, &error));
    g_assert_nonnull(m);
    g_assert_cmpstr(m->fstype, ==, fstype);
    g_assert_true(g_str_has_prefix(m->source, "/dev/loop"));
    device = g_strdup(m->source);

    /* A pool found mounted is taken back: started, and never mounted twice. */
    g_assert_true(be->is_started(p.pool, &started, &error));
    g_assert_true(started);
    g_assert_false(be->start(p.pool, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_INVALID);
    g_assert_nonnull(strstr(error->message, "already mounted"));
    g_clear_error(&error);

    /* mkfs never runs under a mounted pool. */
    g_assert_false(be->build(p.pool, MV_STORAGE_BUILD_OVERWRITE, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_INVALID);
    g_assert_nonnull(strstr(error->message, "mounted"));
    g_clear_error(&error);

    vol->name = g_strdup("v.img");
    vol->capacity = 4 * MiB;
    vol->has_capacity = true;
    g_assert_true(be->vol_prepare(p.pool, vol, &error));
    g_assert_true(be->vol_create(p.pool, vol, NULL, 0, NULL, &error));
    g_assert_no_error(error);
    g_assert_true(be->refresh(p.pool, &vols, &sizes, &error));
    g_assert_cmpuint(vols->len, >=, 1);
    g_assert_cmpuint(sizes.capacity, >, 0);
    g_assert_cmpuint(sizes.capacity, <=, size);

    g_assert_true(be->stop(p.pool, &error));
    g_assert_no_error(error);
    g_assert_true(wait_detached(device));
    g_assert_true(be->is_started(p.pool, &started, &error));
    g_assert_false(started);
    g_assert_false(g_file_test(vol->target.path, G_FILE_TEST_EXISTS));
    g_assert_true(be->stop(p.pool, &error));        /* stopping twice is fine */

    /* The volume lives in the image: there again after a new start. */
    g_assert_true(be->start(p.pool, &error));
    g_assert_true(g_file_test(vol->target.path, G_FILE_TEST_IS_REGULAR));
    g_assert_true(be->stop(p.pool, &error));
    g_assert_no_error(error);
    fs_pool_clear(&p);
}

static void
test_fs_ext4(void)
{
    if (!can_mount())
        return;
    check_fs_pool("ext4", 32 * MiB, false);
}

static void
test_fs_other(gconstpointer data)
{
    const char *fstype = data;
    g_autofree char *mkfs_name = g_strconcat("mkfs.", fstype, NULL);
    g_autofree char *mkfs = g_find_program_in_path(mkfs_name);

    if (!can_mount())
        return;
    if (!mkfs || !mv_storage_mount_fs_supported(fstype)) {
        g_test_skip("mkfs or kernel support missing (scripts/install-deps.sh installs "
                    "xfsprogs and btrfs-progs)");
        return;
    }
    /* xfs wants at least 300 MiB; the image is sparse. */
    check_fs_pool(fstype, 320 * MiB, g_str_equal(fstype, "btrfs"));
}

/* <features><cow state='no'/> on btrfs: the mounted root and so every new
 * volume have copy-on-write off; <refresh><volume allocation='capacity'/>
 * reports a sparse volume as fully allocated. */
static void
test_btrfs_nocow(void)
{
    const MvStorageBackend *be = mv_storage_backend_for(MV_STORAGE_POOL_FS);
    g_autofree char *dir = NULL, *image = NULL, *target = NULL, *xml = NULL;
    g_autofree char *mkfs = g_find_program_in_path("mkfs.btrfs"), *cmd = NULL;
    g_autoptr(MvStoragePoolDef) pool = NULL;
    g_autoptr(MvStorageVolDef) vol = mv_storage_vol_def_new();
    g_autoptr(GPtrArray) vols = NULL;
    g_autoptr(GError) error = NULL;
    MvStoragePoolSizes sizes;
    int fd, flags = 0;

    if (!can_mount())
        return;
    if (!mkfs || !mv_storage_mount_fs_supported("btrfs")) {
        g_test_skip("mkfs.btrfs or the kernel's btrfs missing");
        return;
    }
    dir = scratch_dir();
    image = g_build_filename(dir, "b.img", NULL);
    target = g_build_filename(dir, "mnt", NULL);
    g_assert_true(mv_storage_vol_file_create_raw(image, 320 * MiB, 0, NULL, NULL, &error));
    cmd = g_strdup_printf("%s -q %s", mkfs, image);
    run_ok(cmd);
    xml = g_strdup_printf("<pool type='fs'><name>nocow</name><features><cow state='no'/>"
                          "</features><source><device path='%s'/><format type='auto'/>"
                          "</source><target><path>%s</path></target><refresh>"
                          "<volume allocation='capacity'/></refresh></pool>", image, target);
    pool = mv_storage_pool_def_parse(xml, 0, &error);
    g_assert_no_error(error);
    g_assert_true(be->build(pool, 0, &error));
    g_assert_true(be->start(pool, &error));
    g_assert_no_error(error);
    vol->name = g_strdup("v.img");
    vol->capacity = 8 * MiB;
    vol->has_capacity = true;
    vol->allocation = 0;
    vol->has_allocation = true;
    g_assert_true(be->vol_prepare(pool, vol, &error));
    g_assert_true(be->vol_create(pool, vol, NULL, 0, NULL, &error));
    g_assert_no_error(error);
    fd = open(vol->target.path, O_RDONLY);
    g_assert_cmpint(ioctl(fd, FS_IOC_GETFLAGS, &flags), ==, 0);
    close(fd);
    g_assert_true(flags & FS_NOCOW_FL);
    g_assert_true(be->refresh(pool, &vols, &sizes, &error));
    g_assert_cmpuint(vols->len, ==, 1);
    g_assert_cmpuint(((MvStorageVolDef *)g_ptr_array_index(vols, 0))->allocation, ==, 8 * MiB);
    g_assert_true(be->stop(pool, &error));
    g_assert_no_error(error);
    remove_tree(dir);
}

/* A block device as the source (here a loop device attached by hand): mounted
 * directly, taken back by device number, left attached at stop. */
static void
test_fs_block_device(void)
{
    const MvStorageBackend *be = mv_storage_backend_for(MV_STORAGE_POOL_FS);
    g_autofree char *dir = NULL, *image = NULL, *target = NULL, *device = NULL;
    g_autofree char *xml = NULL, *backing = NULL, *cmd = NULL;
    g_autoptr(MvStoragePoolDef) pool = NULL;
    g_autoptr(MvStorageMount) m = NULL;
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) argv = NULL;
    bool started = false;
    int fd;

    if (!can_mount())
        return;
    dir = scratch_dir();
    image = g_build_filename(dir, "blk.img", NULL);
    target = g_build_filename(dir, "mnt", NULL);
    g_assert_true(mv_storage_vol_file_create_raw(image, 16 * MiB, 0, NULL, NULL, &error));
    fd = mv_storage_loop_attach(image, false, &device, &error);
    g_assert_no_error(error);
    xml = g_strdup_printf("<pool type='fs'><name>blk</name><source><device path='%s'/>"
                          "<format type='ext4'/></source><target><path>%s</path></target>"
                          "</pool>", device, target);
    pool = mv_storage_pool_def_parse(xml, 0, &error);
    g_assert_no_error(error);
    argv = mv_storage_mount_mkfs_argv("ext4", device, true, &error);
    cmd = g_strjoinv(" ", argv);
    run_ok(cmd);
    g_assert_true(be->build(pool, 0, &error));
    g_assert_true(be->start(pool, &error));
    g_assert_no_error(error);
    g_assert_true(mv_storage_mount_find(target, &m, &error));
    g_assert_cmpstr(m->source, ==, device);
    g_assert_true(be->is_started(pool, &started, &error));
    g_assert_true(started);
    g_assert_true(be->stop(pool, &error));
    g_assert_no_error(error);
    g_assert_true(be->is_started(pool, &started, &error));
    g_assert_false(started);
    close(fd);                  /* ours: autoclear detaches it now */
    g_assert_true(wait_detached(device));
    remove_tree(dir);
}

/* Another device mounted on the target: refused, left alone. */
static void
test_foreign_mount(void)
{
    const MvStorageBackend *be = mv_storage_backend_for(MV_STORAGE_POOL_FS);
    g_autoptr(GError) error = NULL;
    bool started = false;
    FsPool p;

    if (!can_mount())
        return;
    fs_pool_init(&p, "ext4", 16 * MiB);
    g_assert_true(be->build(p.pool, MV_STORAGE_BUILD_OVERWRITE, &error));
    g_assert_cmpint(mount("none", p.target, "tmpfs", 0, "size=64k"), ==, 0);
    g_assert_false(be->is_started(p.pool, &started, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_INVALID);
    g_assert_nonnull(strstr(error->message, "not the pool's source"));
    g_clear_error(&error);
    g_assert_false(be->stop(p.pool, &error));
    g_assert_nonnull(strstr(error->message, "leaving it alone"));
    g_assert_cmpint(umount(p.target), ==, 0);       /* still mounted: stop left it */
    fs_pool_clear(&p);
}

/* A full disk: creates fail with a clear error and leave nothing behind. */
static void
test_full_disk(void)
{
    const MvStorageBackend *be = mv_storage_backend_for(MV_STORAGE_POOL_DIR);
    g_autofree char *dir = NULL, *xml = NULL, *listing = NULL, *src = NULL;
    g_autoptr(MvStoragePoolDef) pool = NULL;
    g_autoptr(GError) error = NULL;
    const char *const vols[] = {
        "<volume><name>raw</name><capacity unit='M'>8</capacity></volume>",
        "<volume><name>q</name><capacity unit='M'>8</capacity><allocation unit='M'>8"
        "</allocation><target><format type='qcow2'/></target></volume>",
    };

    if (!can_mount())
        return;
    dir = scratch_dir();
    g_assert_cmpint(mount("none", dir, "tmpfs", 0, "size=4m"), ==, 0);
    xml = g_strdup_printf("<pool type='dir'><name>full</name><target><path>%s</path>"
                          "</target></pool>", dir);
    pool = mv_storage_pool_def_parse(xml, 0, &error);
    g_assert_no_error(error);
    for (gsize i = 0; i < G_N_ELEMENTS(vols); i++) {
        g_autoptr(MvStorageVolDef) vol = mv_storage_vol_def_parse(vols[i], MV_STORAGE_POOL_DIR,
                                                                  0, &error);

        g_assert_no_error(error);
        g_assert_true(be->vol_prepare(pool, vol, &error));
        g_assert_false(be->vol_create(pool, vol, NULL, 0, NULL, &error));
        g_test_message("%s", error->message);
        g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_FAILED);
        g_assert_true(strstr(error->message, "space") || strstr(error->message, "Space"));
        g_clear_error(&error);
        listing = dir_listing(dir);
        g_assert_cmpstr(listing, ==, "");
        g_clear_pointer(&listing, g_free);
    }
    /* A clone bigger than the space left: the same. */
    src = g_build_filename(g_get_tmp_dir(), "mv-storage-full-src.img", NULL);
    g_unlink(src);
    write_pattern(src, 0, 6 * MiB, 77);
    {
        g_autoptr(MvStorageVolDef) clone = mv_storage_vol_def_new();

        clone->name = g_strdup("clone");
        g_assert_true(be->vol_prepare(pool, clone, &error));
        g_assert_false(be->vol_create_from(pool, clone, src, MV_STORAGE_VOL_FORMAT_RAW, NULL,
                                           0, NULL, &error));
        g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_FAILED);
        g_assert_nonnull(strstr(error->message, "space"));
    }
    g_unlink(src);
    listing = dir_listing(dir);
    g_assert_cmpstr(listing, ==, "");
    g_assert_cmpint(umount(dir), ==, 0);
    remove_tree(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/storage/mount/mountinfo", test_mountinfo);
    g_test_add_func("/storage/mount/loop-autoclear", test_loop_autoclear);
    g_test_add_func("/storage/mount/fs-ext4", test_fs_ext4);
    g_test_add_data_func("/storage/mount/fs-xfs", "xfs", test_fs_other);
    g_test_add_data_func("/storage/mount/fs-btrfs", "btrfs", test_fs_other);
    g_test_add_func("/storage/mount/fs-block-device", test_fs_block_device);
    g_test_add_func("/storage/mount/btrfs-nocow", test_btrfs_nocow);
    g_test_add_func("/storage/mount/foreign-mount", test_foreign_mount);
    g_test_add_func("/storage/mount/full-disk", test_full_disk);
    return g_test_run();
}
