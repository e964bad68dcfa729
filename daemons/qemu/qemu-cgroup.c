/* Guests' cgroup v1 groups: where the controllers are, making, joining,
 * adopting and removing a guest's groups (see qemu-cgroup.h for the names). */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/log.h"
#include "util/uuid.h"

#define PARTITION_PREFIX "modvirt-qemu-"
#define REMOVE_TRIES 100            /* × 10 ms: a just-reaped QEMU leaves its group late */

static const char *const controller_names[MV_QEMU_CGROUP_LAST] = {
    [MV_QEMU_CGROUP_CPU] = "cpu",
    [MV_QEMU_CGROUP_CPUACCT] = "cpuacct",
    [MV_QEMU_CGROUP_CPUSET] = "cpuset",
    [MV_QEMU_CGROUP_MEMORY] = "memory",
    [MV_QEMU_CGROUP_BLKIO] = "blkio",
};

/* Serializes making and removing the shared partition directory: one guest's
 * start must not see it vanish under another guest's removal. */
static GMutex partition_lock;

const char *
mv_qemu_cgroup_controller_name(MvQemuCgroupController c)
{
    return (guint)c < MV_QEMU_CGROUP_LAST ? controller_names[c] : "?";
}

void
mv_qemu_cgroup_free(MvQemuCgroup *cg)
{
    if (!cg)
        return;
    for (int i = 0; i < MV_QEMU_CGROUP_LAST; i++)
        g_free(cg->paths[i]);
    g_free(cg);
}

char *
mv_qemu_cgroup_partition(const char *state_dir)
{
    g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, state_dir, -1);

    return g_strdup_printf(PARTITION_PREFIX "%.16s", sum);
}

static bool
list_has(const char *list, const char *word)
{
    g_auto(GStrv) items = g_strsplit(list, ",", -1);

    return g_strv_contains((const char *const *)items, word);
}

/* The v1 mount point of @name from /proc/self/mountinfo, or NULL. */
static char *
find_mount(const char *name)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents("/proc/self/mountinfo", &text, NULL, NULL))
        return NULL;
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        g_auto(GStrv) halves = g_strsplit(*l, " - ", 2);
        g_auto(GStrv) left = NULL;
        g_auto(GStrv) right = NULL;

        if (g_strv_length(halves) != 2)
            continue;
        left = g_strsplit(halves[0], " ", -1);
        right = g_strsplit(halves[1], " ", -1);
        if (g_strv_length(left) >= 5 && g_strv_length(right) >= 3 &&
            g_str_equal(right[0], "cgroup") && list_has(right[2], name))
            return g_strdup(left[4]);
    }
    return NULL;
}

/* @pid's group path of controller @name from /proc/PID/cgroup, or NULL. */
static char *
own_group(const char *proc_cgroup, const char *name)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents(proc_cgroup, &text, NULL, NULL))
        return NULL;
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        g_auto(GStrv) f = g_strsplit(*l, ":", 3);

        if (g_strv_length(f) == 3 && list_has(f[1], name))
            return g_strdup(f[2]);
    }
    return NULL;
}

/* The guest's group of controller @c under the daemon's own group, or NULL. */
static char *
group_path(MvQemuCgroupController c, const char *partition, const char *uuid)
{
    g_autofree char *mount = find_mount(controller_names[c]);
    g_autofree char *own = mount ? own_group("/proc/self/cgroup", controller_names[c]) : NULL;

    if (!own)
        return NULL;
    return g_build_filename(mount, own, partition, uuid, NULL);
}

static bool
write_path(const char *path, const char *value, GError **error)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    size_t len = strlen(value);
    ssize_t n;
    int e;

    if (fd < 0)
        return mv_error_set_errno(error, MV_FROM_QEMU, errno, "cannot open cgroup file %s",
                                  path);
    n = write(fd, value, len);
    e = errno;
    close(fd);
    if (n != (ssize_t)len)
        return mv_error_set_errno(error, MV_FROM_QEMU, n < 0 ? e : EIO,
                                  "cannot write '%s' to cgroup file %s", value, path);
    return true;
}

/* A new cpuset group is empty: it takes its parent's CPUs and memory nodes
 * before any task may join it. */
static bool
cpuset_inherit(const char *dir, GError **error)
{
    static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };

    for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *mine = g_build_filename(dir, files[i], NULL);
        g_autofree char *parent_dir = g_path_get_dirname(dir);
        g_autofree char *parent = g_build_filename(parent_dir, files[i], NULL);
        g_autofree char *cur = NULL;
        g_autofree char *value = NULL;

        if (g_file_get_contents(mine, &cur, NULL, NULL) && *g_strstrip(cur))
            continue;
        if (!g_file_get_contents(parent, &value, NULL, NULL))
            return mv_error_set_errno(error, MV_FROM_QEMU, errno, "cannot read %s", parent);
        if (!write_path(mine, g_strstrip(value), error))
            return false;
    }
    return true;
}

static bool
make_dir(const char *dir, bool cpuset, GError **error)
{
    if (mkdir(dir, 0755) < 0 && errno != EEXIST)
        return mv_error_set_errno(error, MV_FROM_QEMU, errno, "cannot create cgroup %s", dir);
    return !cpuset || cpuset_inherit(dir, error);
}

MvQemuCgroup *
mv_qemu_cgroup_create(const char *state_dir, const guint8 uuid[16], pid_t pid, GError **error)
{
    g_autoptr(MvQemuCgroup) cg = g_new0(MvQemuCgroup, 1);
    g_autofree char *partition = mv_qemu_cgroup_partition(state_dir);
    g_autofree char *pid_text = g_strdup_printf("%d", (int)pid);
    char id[MV_UUID_STRING_LEN];
    bool ok = true;

    mv_uuid_format(uuid, id);
    g_mutex_lock(&partition_lock);
    for (int c = 0; c < MV_QEMU_CGROUP_LAST && ok; c++) {
        g_autofree char *path = group_path(c, partition, id);
        g_autofree char *parent = path ? g_path_get_dirname(path) : NULL;
        g_autofree char *procs = path ? g_build_filename(path, "cgroup.procs", NULL) : NULL;
        bool cpuset = c == MV_QEMU_CGROUP_CPUSET;

        if (!path)
            continue;
        /* A hierarchy the daemon may not write (mounted read-only in a container,
         * not delegated) is one the host does not give it: left out, as if absent. */
        if (mkdir(parent, 0755) < 0 && (errno == EACCES || errno == EPERM || errno == EROFS)) {
            mv_log_debug("cgroup %s: %s: not using the '%s' controller", parent,
                         g_strerror(errno), controller_names[c]);
            continue;
        }
        ok = make_dir(parent, cpuset, error) && make_dir(path, cpuset, error) &&
             write_path(procs, pid_text, error);
        cg->paths[c] = g_steal_pointer(&path);
    }
    g_mutex_unlock(&partition_lock);
    if (!ok) {
        g_prefix_error(error, "cannot put QEMU in its cgroup: ");
        mv_qemu_cgroup_remove(cg);
        return NULL;
    }
    return g_steal_pointer(&cg);
}

MvQemuCgroup *
mv_qemu_cgroup_adopt(const char *state_dir, const guint8 uuid[16], pid_t pid)
{
    MvQemuCgroup *cg = g_new0(MvQemuCgroup, 1);
    g_autofree char *partition = mv_qemu_cgroup_partition(state_dir);
    g_autofree char *proc = g_strdup_printf("/proc/%d/cgroup", (int)pid);
    char id[MV_UUID_STRING_LEN];
    g_autofree char *suffix = NULL;

    mv_uuid_format(uuid, id);
    suffix = g_strdup_printf("/%s/%s", partition, id);
    for (int c = 0; c < MV_QEMU_CGROUP_LAST; c++) {
        g_autofree char *mount = find_mount(controller_names[c]);
        g_autofree char *group = mount ? own_group(proc, controller_names[c]) : NULL;
        char *at = group ? strstr(group, suffix) : NULL;
        const char *rest = at ? at + strlen(suffix) : NULL;

        /* In the guest's group itself or in one of its children (cpu: emulator). */
        if (!rest || (*rest && (*rest != '/' || strchr(rest + 1, '/'))))
            continue;
        at[strlen(suffix)] = '\0';
        cg->paths[c] = g_build_filename(mount, group, NULL);
        if (c == MV_QEMU_CGROUP_CPU) {
            while (cg->nvcpus < 16384) {
                g_autofree char *v = g_strdup_printf("%s/vcpu%u", cg->paths[c], cg->nvcpus);

                if (!g_file_test(v, G_FILE_TEST_IS_DIR))
                    break;
                cg->nvcpus++;
            }
        }
    }
    return cg;
}

static void
remove_dir(const char *dir)
{
    for (int i = 0; i < REMOVE_TRIES; i++) {
        if (rmdir(dir) == 0 || errno == ENOENT)
            return;
        if (errno != EBUSY)
            break;
        g_usleep(10000);
    }
    mv_log_debug("cannot remove cgroup %s: %s", dir, g_strerror(errno));
}

/* Removes @dir's child groups, then @dir, then its parent if empty. */
static void
remove_group(const char *dir)
{
    g_autofree char *parent = g_path_get_dirname(dir);
    DIR *d = opendir(dir);
    struct dirent *e;

    while (d && (e = readdir(d))) {
        g_autofree char *child = NULL;

        if (e->d_type != DT_DIR || e->d_name[0] == '.')
            continue;
        child = g_build_filename(dir, e->d_name, NULL);
        remove_dir(child);
    }
    if (d)
        closedir(d);
    remove_dir(dir);
    if (g_str_has_prefix(strrchr(parent, '/') + 1, PARTITION_PREFIX) && rmdir(parent) < 0)
        mv_log_debug("cgroup %s stays: %s", parent, g_strerror(errno));
}

void
mv_qemu_cgroup_remove(const MvQemuCgroup *cg)
{
    if (!cg)
        return;
    g_mutex_lock(&partition_lock);
    for (int c = 0; c < MV_QEMU_CGROUP_LAST; c++)
        if (cg->paths[c])
            remove_group(cg->paths[c]);
    g_mutex_unlock(&partition_lock);
}

void
mv_qemu_cgroup_remove_for(const char *state_dir, const guint8 uuid[16])
{
    g_autoptr(MvQemuCgroup) cg = g_new0(MvQemuCgroup, 1);
    g_autofree char *partition = mv_qemu_cgroup_partition(state_dir);
    char id[MV_UUID_STRING_LEN];

    mv_uuid_format(uuid, id);
    for (int c = 0; c < MV_QEMU_CGROUP_LAST; c++) {
        g_autofree char *path = group_path(c, partition, id);

        if (path && g_file_test(path, G_FILE_TEST_IS_DIR))
            cg->paths[c] = g_steal_pointer(&path);
    }
    mv_qemu_cgroup_remove(cg);
}

bool
mv_qemu_cgroup_has(const MvQemuCgroup *cg, MvQemuCgroupController c)
{
    return cg && (guint)c < MV_QEMU_CGROUP_LAST && cg->paths[c];
}

static char *
file_path(const MvQemuCgroup *cg, MvQemuCgroupController c, const char *child,
          const char *file, GError **error)
{
    if (!mv_qemu_cgroup_has(cg, c)) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                     "the host has no cgroup v1 '%s' controller for this guest: mount it "
                     "under /sys/fs/cgroup, or remove the setting that needs it",
                     mv_qemu_cgroup_controller_name(c));
        return NULL;
    }
    return child ? g_build_filename(cg->paths[c], child, file, NULL)
                 : g_build_filename(cg->paths[c], file, NULL);
}

bool
mv_qemu_cgroup_write(const MvQemuCgroup *cg, MvQemuCgroupController c, const char *child,
                     const char *file, const char *value, GError **error)
{
    g_autofree char *path = file_path(cg, c, child, file, error);

    return path && write_path(path, value, error);
}

bool
mv_qemu_cgroup_read(const MvQemuCgroup *cg, MvQemuCgroupController c, const char *child,
                    const char *file, char **ret_value, GError **error)
{
    g_autofree char *path = file_path(cg, c, child, file, error);
    g_autoptr(GError) err = NULL;
    char *text = NULL;

    if (!path)
        return false;
    if (!g_file_get_contents(path, &text, NULL, &err))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                            "cannot read cgroup file %s: %s", path, err->message);
    *ret_value = g_strstrip(text);
    return true;
}

bool
mv_qemu_cgroup_place_threads(MvQemuCgroup *cg, pid_t pid, const pid_t *vcpu_tids,
                             unsigned int nvcpus, GError **error)
{
    g_autofree char *task_dir = g_strdup_printf("/proc/%d/task", (int)pid);
    g_autofree char *emulator = NULL;
    GDir *dir;
    const char *name;

    if (!mv_qemu_cgroup_has(cg, MV_QEMU_CGROUP_CPU))
        return true;
    emulator = g_build_filename(cg->paths[MV_QEMU_CGROUP_CPU], "emulator", NULL);
    if (!make_dir(emulator, false, error))
        return false;
    if (!(dir = g_dir_open(task_dir, 0, NULL)))
        return mv_error_set_errno(error, MV_FROM_QEMU, errno, "cannot list %s", task_dir);
    while ((name = g_dir_read_name(dir))) {
        g_autoptr(GError) err = NULL;

        /* A thread that ended meanwhile (ESRCH) is fine. */
        if (!mv_qemu_cgroup_write(cg, MV_QEMU_CGROUP_CPU, "emulator", "tasks", name, &err))
            mv_log_debug("thread %s: %s", name, err->message);
    }
    g_dir_close(dir);
    for (unsigned int i = 0; i < nvcpus; i++) {
        g_autofree char *child = g_strdup_printf("vcpu%u", i);
        g_autofree char *path = g_build_filename(cg->paths[MV_QEMU_CGROUP_CPU], child, NULL);
        g_autofree char *tid = g_strdup_printf("%d", (int)vcpu_tids[i]);

        if (!vcpu_tids[i])
            continue;       /* not plugged */
        if (!make_dir(path, false, error) ||
            !mv_qemu_cgroup_write(cg, MV_QEMU_CGROUP_CPU, child, "tasks", tid, error))
            return false;
        cg->nvcpus = MAX(cg->nvcpus, i + 1);
    }
    return true;
}
