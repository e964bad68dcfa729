/* swtpm for <tpm><backend type='emulator'/> (see qemu-tpm.h). */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-tpm.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/file.h"
#include "util/log.h"
#include "util/uuid.h"

#define SWTPM_SETUP_TIMEOUT_MS 60000
#define SWTPM_SOCKET_TIMEOUT_MS 10000
#define SWTPM_POLL_US 20000

char *
mv_qemu_tpm_state_dir(const char *lib_dir, const guint8 uuid[16])
{
    char str[MV_UUID_STRING_LEN];

    mv_uuid_format(uuid, str);
    return g_build_filename(lib_dir, "swtpm", str, NULL);
}

char *
mv_qemu_tpm_socket_path(const char *state_dir, const guint8 uuid[16])
{
    char str[MV_UUID_STRING_LEN];

    mv_uuid_format(uuid, str);
    return g_strdup_printf("%s/%s.swtpm", state_dir, str);
}

/* The first start manufactures the TPM (endorsement keys, PCR banks);
 * --not-overwrite keeps a TPM that already has state. */
static bool
tpm_manufacture(const char *state, const char *log_path, GError **error)
{
    g_autofree char *permall = g_build_filename(state, "tpm2-00.permall", NULL);
    const char *argv[] = {
        "swtpm_setup", "--tpm2", "--tpm-state", state, "--createek", "--not-overwrite",
        "--logfile", log_path, NULL,
    };

    if (g_file_test(permall, G_FILE_TEST_EXISTS))
        return true;
    if (!mv_file_mkdir_p(state, 0700, error))
        return false;
    if (!mv_spawn_sync(argv, NULL, SWTPM_SETUP_TIMEOUT_MS, NULL, NULL, NULL, error)) {
        g_prefix_error(error, "cannot set up the emulated TPM (swtpm_setup, package "
                       "'swtpm-tools'; log %s): ", log_path);
        return false;
    }
    return true;
}

/* Whether process @pid is a swtpm whose control option is @ctrl. */
static bool
is_swtpm_on(const char *pid, const char *ctrl)
{
    g_autofree char *path = g_strdup_printf("/proc/%s/cmdline", pid);
    g_autofree char *data = NULL;
    gsize len = 0;
    bool swtpm = false;

    if (!g_file_get_contents(path, &data, &len, NULL))
        return false;
    for (gsize off = 0; off < len; off += strlen(data + off) + 1) {
        if (off == 0) {
            g_autofree char *base = g_path_get_basename(data);

            swtpm = g_str_equal(base, "swtpm");
        } else if (swtpm && g_str_equal(data + off, ctrl)) {
            return true;
        }
    }
    return false;
}

/* A swtpm left by a start the daemon was killed in (no QEMU ever connected,
 * so --terminate never fires) still holds the guest's TPM state: stop it.
 * It is not our child: init reaps it, so "gone" means not alive or a zombie. */
static void
stop_orphans(const char *ctrl)
{
    g_autoptr(GDir) proc = g_dir_open("/proc", 0, NULL);
    const char *name;

    while (proc && (name = g_dir_read_name(proc))) {
        pid_t pid;
        gint64 deadline;

        if (!g_ascii_isdigit(name[0]) || !is_swtpm_on(name, ctrl))
            continue;
        pid = (pid_t)g_ascii_strtoll(name, NULL, 10);
        mv_log_debug("stopping the orphaned swtpm %d (%s)", (int)pid, ctrl);
        kill(pid, SIGKILL);
        deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
        while (mv_pid_is_alive(pid, 0) && g_get_monotonic_time() < deadline)
            g_usleep(SWTPM_POLL_US);
    }
}

bool
mv_qemu_tpm_start(const MvDomainDef *def, const char *lib_dir, const char *log_dir,
                  const char *socket_path, MvChild **ret_child, GError **error)
{
    g_autofree char *dir = NULL;
    g_autofree char *state = NULL;
    g_autofree char *log_path = NULL;
    g_autofree char *tpmstate = NULL;
    g_autofree char *ctrl = NULL;
    g_autofree char *logopt = NULL;
    g_autoptr(MvChild) child = NULL;
    MvChildOptions opts = { 0 };
    gint64 deadline;

    *ret_child = NULL;
    if (!def->tpm)
        return true;
    if (g_strcmp0(def->tpm->backend, "emulator") != 0 || g_strcmp0(def->tpm->version, "2.0"))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "tpm: only <backend type='emulator' version='2.0'/> is supported");
    dir = mv_qemu_tpm_state_dir(lib_dir, def->uuid);
    state = g_build_filename(dir, "tpm2", NULL);
    log_path = g_strdup_printf("%s/%s-swtpm.log", log_dir, def->name);
    if (!tpm_manufacture(state, log_path, error))
        return false;
    tpmstate = g_strdup_printf("dir=%s,mode=0600", state);
    ctrl = g_strdup_printf("type=unixio,path=%s,mode=0600", socket_path);
    stop_orphans(ctrl);
    unlink(socket_path);
    logopt = g_strdup_printf("file=%s,level=1", log_path);
    {
        /* --terminate: swtpm exits when QEMU closes the control connection, so a
         * guest that outlives a daemon restart never leaves its TPM behind */
        const char *argv[] = {
            "swtpm", "socket", "--tpm2", "--tpmstate", tpmstate, "--ctrl", ctrl,
            "--log", logopt, "--terminate", NULL,
        };

        opts.argv = argv;
        opts.out = (MvChildStdio){ .kind = MV_CHILD_STDIO_FILE, .path = log_path };
        opts.err = opts.out;
        opts.setsid = true;
        if (!(child = mv_child_spawn(&opts, error))) {
            g_prefix_error(error, "cannot start swtpm (package 'swtpm'): ");
            return false;
        }
    }
    deadline = g_get_monotonic_time() + (gint64)SWTPM_SOCKET_TIMEOUT_MS * 1000;
    while (!g_file_test(socket_path, G_FILE_TEST_EXISTS)) {
        g_autoptr(GError) err = NULL;
        int status = 0;

        if (mv_child_wait(child, 0, &status, &err))
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                                "swtpm exited at start (status %d): see %s", status,
                                log_path);
        if (g_get_monotonic_time() > deadline) {
            mv_child_terminate(child, 1000, NULL);
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_TIMEOUT,
                                "swtpm did not create %s in time: see %s", socket_path,
                                log_path);
        }
        g_usleep(SWTPM_POLL_US);
    }
    mv_log_debug("domain '%s': swtpm pid %d on %s", def->name, (int)mv_child_get_pid(child),
                 socket_path);
    *ret_child = g_steal_pointer(&child);
    return true;
}

/* Removes @path and everything under it (the TPM state is two levels deep). */
static bool
remove_tree(const char *path, GError **error)
{
    g_autoptr(GDir) dir = NULL;
    const char *name;
    struct stat st;

    if (lstat(path, &st) < 0)
        return errno == ENOENT ? true
                               : mv_error_set_errno(error, MV_FROM_QEMU, errno,
                                                    "cannot remove %s", path);
    if (!S_ISDIR(st.st_mode))
        return mv_file_remove(path, error);
    if (!(dir = g_dir_open(path, 0, NULL)))
        return mv_error_set_errno(error, MV_FROM_QEMU, errno, "cannot read %s", path);
    while ((name = g_dir_read_name(dir))) {
        g_autofree char *child = g_build_filename(path, name, NULL);

        if (!remove_tree(child, error))
            return false;
    }
    if (rmdir(path) < 0)
        return mv_error_set_errno(error, MV_FROM_QEMU, errno, "cannot remove %s", path);
    return true;
}

bool
mv_qemu_tpm_remove_state(const char *lib_dir, const guint8 uuid[16], GError **error)
{
    g_autofree char *dir = mv_qemu_tpm_state_dir(lib_dir, uuid);

    if (!remove_tree(dir, error)) {
        g_prefix_error(error, "cannot remove the TPM state: ");
        return false;
    }
    return true;
}
