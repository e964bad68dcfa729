/* QEMU processes no domain owns, see qemu-stray.h. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-stray.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "qemu-cgroup.h"
#include "util/log.h"
#include "util/pidfd.h"
#include "util/uuid.h"

#define STRAY_KILL_WAIT_MS 10000

/* True when the command line of @pid passes "-pidfile @pidfile": a QEMU of
 * this daemon's root, for this guest. */
static bool
runs_with_pidfile(pid_t pid, const char *pidfile)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/cmdline", (int)pid);
    g_autofree char *data = NULL;
    gsize len = 0;

    if (!g_file_get_contents(path, &data, &len, NULL))
        return false;
    for (gsize off = 0; off < len;) {
        const char *arg = data + off;
        gsize arglen = strnlen(arg, len - off);

        if (g_str_equal(arg, "-pidfile") && off + arglen + 1 < len)
            return g_str_equal(arg + arglen + 1, pidfile);
        off += arglen + 1;
    }
    return false;
}

bool
mv_qemu_stray_kill(pid_t pid, guint64 start_time, const char *pidfile)
{
    struct pollfd pfd = { .events = POLLIN };
    int rc;

    if (pid <= 0 || (start_time == 0 && !pidfile))
        return true;
    /* Open the pidfd first, then check who it is: the check cannot race a reuse of the pid. */
    if ((pfd.fd = mv_pidfd_open(pid)) < 0)
        return errno == ESRCH;
    if (!mv_pid_is_alive(pid, start_time) ||
        (start_time == 0 && !runs_with_pidfile(pid, pidfile))) {
        close(pfd.fd);
        return true;
    }
    mv_log_info("killing QEMU process %d, left over from an unfinished start", (int)pid);
    if (mv_pidfd_send_signal(pfd.fd, SIGKILL) < 0 && errno != ESRCH) {
        mv_log_error("cannot kill QEMU process %d: %s", (int)pid, g_strerror(errno));
        close(pfd.fd);
        return false;
    }
    /* Readable once it exited, even while it waits as a zombie for PID 1. */
    do {
        rc = poll(&pfd, 1, STRAY_KILL_WAIT_MS);
    } while (rc < 0 && errno == EINTR);
    close(pfd.fd);
    if (rc <= 0)
        mv_log_error("QEMU process %d did not exit after SIGKILL", (int)pid);
    return rc > 0;
}

/* The monitor paths of the running domains. */
static GHashTable *
active_monitors(MvQemuDriver *driver)
{
    g_autoptr(GPtrArray) all = mv_driver_list_snapshot(driver->domains);
    GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    for (guint i = 0; i < all->len; i++) {
        MvQemuDomain *dom = all->pdata[i];
        g_mutex_lock(&dom->lock);
        if (mv_qemu_domain_is_active(dom) && dom->monitor_path)
            g_hash_table_add(set, g_strdup(dom->monitor_path));
        g_mutex_unlock(&dom->lock);
    }
    return set;
}

void
mv_qemu_stray_sweep(MvQemuDriver *driver, GHashTable *kept)
{
    g_autoptr(GHashTable) active = active_monitors(driver);
    g_autoptr(GDir) dir = g_dir_open(driver->state_dir, 0, NULL);
    const char *entry;

    if (!dir)
        return;
    while ((entry = g_dir_read_name(dir))) {
        g_autofree char *path = g_build_filename(driver->state_dir, entry, NULL);
        g_autofree char *stem = NULL;
        g_autofree char *monitor = NULL;
        g_autofree char *text = NULL;
        gint64 pid;

        if (!g_str_has_suffix(entry, ".pid") && !g_str_has_suffix(entry, ".qmp"))
            continue;
        stem = g_strndup(path, strlen(path) - 4);
        monitor = g_strconcat(stem, ".qmp", NULL);
        if (g_hash_table_contains(active, monitor) || g_hash_table_contains(kept, monitor))
            continue;
        if (g_str_has_suffix(entry, ".pid") && g_file_get_contents(path, &text, NULL, NULL) &&
            (pid = g_ascii_strtoll(g_strstrip(text), NULL, 10)) > 0 &&
            !mv_qemu_stray_kill((pid_t)pid, 0, path)) {
            continue;       /* still there: keep its pidfile for the next attempt */
        }
        mv_log_info("removing %s: no domain runs with it", path);
        {
            /* its cgroups too (qemu-cgroup.h): the file is named by the guest's UUID */
            g_autofree char *base = g_strndup(entry, strlen(entry) - 4);
            guint8 uuid[16];

            if (mv_uuid_parse(base, uuid, NULL))
                mv_qemu_cgroup_remove_for(driver->state_dir, uuid);
        }
        unlink(path);
    }
}
