/* qemu-img command lines and runner (see storage-qemu-img.h). */
#include "storage-qemu-img.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/error.h"
#include "util/fd.h"
#include "util/spawn.h"
#include "storage-vol-file.h"

#define STDERR_MAX (64u << 10)

static void
add_secret_object(GPtrArray *argv, const MvQemuImgOutput *out)
{
    if (!out->encrypt)
        return;
    g_ptr_array_add(argv, g_strdup("--object"));
    g_ptr_array_add(argv, g_strdup_printf("secret,id=%s,file=/proc/self/fd/%d,format=raw",
                                          MV_QEMU_IMG_SECRET_ID, MV_QEMU_IMG_SECRET_FD));
}

static void
opt_add(GString *opts, const char *key, const char *value)
{
    if (!value)
        return;
    if (opts->len)
        g_string_append_c(opts, ',');
    g_string_append_printf(opts, "%s=", key);
    /* qemu's option syntax: a comma inside a value is doubled. */
    for (const char *p = value; *p; p++) {
        if (*p == ',')
            g_string_append_c(opts, ',');
        g_string_append_c(opts, *p);
    }
}

/* The -o list of an output image, or NULL when empty. */
static char *
output_options(const MvQemuImgOutput *out)
{
    g_autoptr(GString) opts = g_string_new(NULL);
    bool qcow2 = g_strcmp0(out->format, "qcow2") == 0;
    const char *prefix = qcow2 ? "encrypt." : "";
    g_autofree char *cluster = NULL;

    if (out->preallocation && !g_str_equal(out->preallocation, "off"))
        opt_add(opts, "preallocation", out->preallocation);
    if (qcow2) {
        opt_add(opts, "compat", out->compat);
        if (out->lazy_refcounts)
            opt_add(opts, "lazy_refcounts", "on");
        if (out->extended_l2)
            opt_add(opts, "extended_l2", "on");
    }
    if (out->cluster_size) {
        cluster = g_strdup_printf("%" G_GUINT64_FORMAT, out->cluster_size);
        opt_add(opts, "cluster_size", cluster);
    }
    if (out->nocow)
        opt_add(opts, "nocow", "on");
    if (out->encrypt) {
        g_autofree char *k_format = g_strconcat(prefix, "format", NULL);
        g_autofree char *k_secret = g_strconcat(prefix, "key-secret", NULL);
        g_autofree char *k_alg = g_strconcat(prefix, "cipher-alg", NULL);
        g_autofree char *k_mode = g_strconcat(prefix, "cipher-mode", NULL);
        g_autofree char *k_ivgen = g_strconcat(prefix, "ivgen-alg", NULL);
        g_autofree char *k_ivhash = g_strconcat(prefix, "ivgen-hash-alg", NULL);
        g_autofree char *k_hash = g_strconcat(prefix, "hash-alg", NULL);
        g_autofree char *k_iter = g_strconcat(prefix, "iter-time", NULL);
        g_autofree char *iter = out->iter_time_ms ? g_strdup_printf("%u", out->iter_time_ms)
                                                  : NULL;

        if (qcow2)
            opt_add(opts, k_format, "luks");
        opt_add(opts, k_secret, MV_QEMU_IMG_SECRET_ID);
        opt_add(opts, k_alg, out->cipher_alg);
        opt_add(opts, k_mode, out->cipher_mode);
        opt_add(opts, k_ivgen, out->ivgen_alg);
        opt_add(opts, k_ivhash, out->ivgen_hash);
        opt_add(opts, k_hash, out->hash);
        opt_add(opts, k_iter, iter);
    }
    return opts->len ? g_strdup(opts->str) : NULL;
}

static char **
finish_argv(GPtrArray *argv)
{
    g_ptr_array_add(argv, NULL);
    return (char **)g_ptr_array_free(argv, FALSE);
}

char **
mv_qemu_img_create_argv(const char *qemu_img, const MvQemuImgOutput *out, const char *path,
                        guint64 capacity, const char *backing_path,
                        const char *backing_format)
{
    GPtrArray *argv = g_ptr_array_new();
    g_autofree char *opts = output_options(out);

    g_ptr_array_add(argv, g_strdup(qemu_img));
    g_ptr_array_add(argv, g_strdup("create"));
    g_ptr_array_add(argv, g_strdup("-f"));
    g_ptr_array_add(argv, g_strdup(out->format));
    add_secret_object(argv, out);
    if (opts) {
        g_ptr_array_add(argv, g_strdup("-o"));
        g_ptr_array_add(argv, g_steal_pointer(&opts));
    }
    if (backing_path) {
        g_ptr_array_add(argv, g_strdup("-b"));
        g_ptr_array_add(argv, g_strdup(backing_path));
        if (backing_format) {
            g_ptr_array_add(argv, g_strdup("-F"));
            g_ptr_array_add(argv, g_strdup(backing_format));
        }
    }
    g_ptr_array_add(argv, g_strdup(path));
    g_ptr_array_add(argv, g_strdup_printf("%" G_GUINT64_FORMAT, capacity));
    return finish_argv(argv);
}

char **
mv_qemu_img_convert_argv(const char *qemu_img, const char *src, const char *src_format,
                         const MvQemuImgOutput *out, const char *dst)
{
    GPtrArray *argv = g_ptr_array_new();
    g_autofree char *opts = output_options(out);

    g_ptr_array_add(argv, g_strdup(qemu_img));
    g_ptr_array_add(argv, g_strdup("convert"));
    g_ptr_array_add(argv, g_strdup("-p"));
    if (src_format) {
        g_ptr_array_add(argv, g_strdup("-f"));
        g_ptr_array_add(argv, g_strdup(src_format));
    }
    g_ptr_array_add(argv, g_strdup("-O"));
    g_ptr_array_add(argv, g_strdup(out->format));
    add_secret_object(argv, out);
    if (opts) {
        g_ptr_array_add(argv, g_strdup("-o"));
        g_ptr_array_add(argv, g_steal_pointer(&opts));
    }
    g_ptr_array_add(argv, g_strdup(src));
    g_ptr_array_add(argv, g_strdup(dst));
    return finish_argv(argv);
}

char **
mv_qemu_img_resize_argv(const char *qemu_img, const char *path, const char *format,
                        guint64 capacity, bool shrink, bool allocate)
{
    GPtrArray *argv = g_ptr_array_new();

    g_ptr_array_add(argv, g_strdup(qemu_img));
    g_ptr_array_add(argv, g_strdup("resize"));
    if (shrink)
        g_ptr_array_add(argv, g_strdup("--shrink"));
    if (allocate)
        g_ptr_array_add(argv, g_strdup("--preallocation=falloc"));
    g_ptr_array_add(argv, g_strdup("-f"));
    g_ptr_array_add(argv, g_strdup(format));
    g_ptr_array_add(argv, g_strdup(path));
    g_ptr_array_add(argv, g_strdup_printf("%" G_GUINT64_FORMAT, capacity));
    return finish_argv(argv);
}

char *
mv_qemu_img_find(GError **error)
{
    const char *env = g_getenv("MV_QEMU_IMG");
    char *path = env && *env ? g_strdup(env) : g_find_program_in_path("qemu-img");

    if (!path)
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                     "this volume format needs 'qemu-img', which is not installed: "
                     "install qemu-utils");
    return path;
}

double
mv_qemu_img_parse_progress(const char *text)
{
    const char *p = text, *last = NULL;

    while ((p = strstr(p, "/100%)")) != NULL) {
        last = p;
        p++;
    }
    if (!last)
        return -1;
    for (p = last; p > text && p[-1] != '('; p--)
        ;
    if (p == text)
        return -1;
    return g_ascii_strtod(p, NULL);
}

/* A sealed memfd holding the passphrase, positioned at 0. */
static int
passphrase_memfd(const MvStoragePassphrase *pass, GError **error)
{
    MV_AUTOCLOSE int fd = memfd_create("mv-luks-secret", MFD_CLOEXEC | MFD_ALLOW_SEALING);

    if (fd < 0) {
        mv_error_set_errno(error, MV_FROM_STORAGE, errno, "memfd_create failed");
        return -1;
    }
    if (!mv_fd_write_all(fd, pass->data, pass->len) || lseek(fd, 0, SEEK_SET) < 0 ||
        fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
        mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot prepare the passphrase");
        return -1;
    }
    return mv_steal_fd(&fd);
}

static char *
read_fd_text(int fd)
{
    g_autoptr(GString) s = g_string_new(NULL);
    char buf[4096];
    ssize_t n;

    if (lseek(fd, 0, SEEK_SET) < 0)
        return g_strdup("");
    while ((n = read(fd, buf, sizeof(buf))) > 0 && s->len < STDERR_MAX)
        g_string_append_len(s, buf, n);
    return g_strstrip(g_string_free(g_steal_pointer(&s), FALSE));
}

/* Reads progress from @out_fd until EOF or cancel; true on EOF. */
static bool
follow_progress(int out_fd, const MvStorageJobCtl *ctl)
{
    int cancel_fd = ctl && ctl->cancellable ? g_cancellable_get_fd(ctl->cancellable) : -1;
    char buf[512];
    bool eof = false;

    while (!eof) {
        struct pollfd fds[2] = { { out_fd, POLLIN, 0 }, { cancel_fd, POLLIN, 0 } };
        int n = poll(fds, cancel_fd >= 0 ? 2 : 1, -1);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        if (cancel_fd >= 0 && fds[1].revents) {
            g_cancellable_release_fd(ctl->cancellable);
            return false;
        }
        if (fds[0].revents) {
            ssize_t r = read(out_fd, buf, sizeof(buf) - 1);
            double pct;

            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0) {
                eof = true;
                break;
            }
            buf[r] = '\0';
            if ((pct = mv_qemu_img_parse_progress(buf)) >= 0)
                mv_storage_vol_file_progress(ctl, (guint64)(pct * 100), 10000);
        }
    }
    if (cancel_fd >= 0)
        g_cancellable_release_fd(ctl->cancellable);
    return true;
}

static bool
qemu_img_run_once(char **argv, const MvStoragePassphrase *passphrase,
                  const MvStorageJobCtl *ctl, char **ret_stderr, GError **error)
{
    MV_AUTOCLOSE int secret_fd = -1, err_fd = -1, out_read = -1, out_write = -1;
    g_autoptr(MvChild) child = NULL;
    MvChildFd fds[1];
    MvChildOptions opts = { .argv = (const char *const *)argv, .die_with_parent = true };
    g_autofree char *cmd = g_strjoinv(" ", argv);
    g_autofree char *stderr_text = NULL;
    int pipefd[2], status = 0;
    bool finished;

    if (mv_storage_vol_file_cancelled(ctl, error))
        return false;
    if (passphrase) {
        if ((secret_fd = passphrase_memfd(passphrase, error)) < 0)
            return false;
        fds[0] = (MvChildFd){ secret_fd, MV_QEMU_IMG_SECRET_FD };
        opts.fds = fds;
        opts.n_fds = 1;
    }
    if ((err_fd = memfd_create("mv-qemu-img-stderr", MFD_CLOEXEC)) < 0 ||
        pipe2(pipefd, O_CLOEXEC) < 0)
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot run qemu-img");
    out_read = pipefd[0];
    out_write = pipefd[1];
    opts.out = (MvChildStdio){ .kind = MV_CHILD_STDIO_FD, .fd = out_write };
    opts.err = (MvChildStdio){ .kind = MV_CHILD_STDIO_FD, .fd = err_fd };
    g_debug("running %s", cmd);
    if (!(child = mv_child_spawn(&opts, error)))
        return false;
    mv_close_fdp(&out_write);
    mv_close_fdp(&secret_fd);
    finished = follow_progress(out_read, ctl);
    if (!finished) {
        mv_child_terminate(child, 2000, NULL);
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_ABORTED,
                            "operation aborted: the volume job was cancelled");
    }
    if (!mv_child_wait(child, -1, &status, error))
        return false;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return true;
    stderr_text = read_fd_text(err_fd);
    mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_FAILED,
                 "operation failed: qemu-img %s failed%s%s", argv[1],
                 *stderr_text ? ": " : "", stderr_text);
    *ret_stderr = g_steal_pointer(&stderr_text);
    return false;
}

/* QEMU times its LUKS key derivation with the thread's CPU clock and gives up
 * ("Unable to get accurate CPU usage") when a loaded host shows no progress:
 * such a run is repeated, after a pause that grows (four quick tries were seen
 * failing in a row on this CI host). */
#define LUKS_BENCH_FAILURE "Unable to get accurate CPU usage"
#define LUKS_BENCH_TRIES 8
#define LUKS_BENCH_PAUSE_US 50000

bool
mv_qemu_img_run(char **argv, const MvStoragePassphrase *passphrase,
                const MvStorageJobCtl *ctl, GError **error)
{
    for (int tries = 1;; tries++) {
        g_autofree char *stderr_text = NULL;
        g_autoptr(GError) local = NULL;

        if (qemu_img_run_once(argv, passphrase, ctl, &stderr_text, &local))
            return true;
        if (!passphrase || tries >= LUKS_BENCH_TRIES || !stderr_text ||
            !strstr(stderr_text, LUKS_BENCH_FAILURE)) {
            g_propagate_error(error, g_steal_pointer(&local));
            return false;
        }
        g_debug("qemu-img %s: %s; trying again", argv[1], stderr_text);
        g_usleep((gulong)tries * LUKS_BENCH_PAUSE_US);
    }
}
