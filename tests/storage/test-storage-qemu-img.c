/* qemu-img command lines (argv exactly), the passphrase never on a command
 * line, progress parsing, and real runs: LUKS creation through the memfd,
 * failure messages, cancel kills and reaps qemu-img. */
#include <stdbool.h>

#include "storage-probe.h"
#include "storage-qemu-img.h"
#include "storage-test-util.h"
#include "util/error.h"

#define MiB (1024ull * 1024)

static void
assert_argv(char **argv, const char *expected)
{
    g_autofree char *joined = g_strjoinv(" ", argv);

    g_assert_cmpstr(joined, ==, expected);
}

static void
test_create_argv(void)
{
    MvQemuImgOutput plain = { .format = "qcow2" };
    MvQemuImgOutput full = { .format = "qcow2", .preallocation = "metadata", .compat = "1.1",
                             .lazy_refcounts = true, .cluster_size = 131072 };
    MvQemuImgOutput luks = { .format = "luks", .encrypt = true, .cipher_alg = "aes-256",
                             .cipher_mode = "xts", .hash = "sha256" };
    MvQemuImgOutput qluks = { .format = "qcow2", .encrypt = true, .preallocation = "off" };
    MvQemuImgOutput comma = { .format = "qcow2", .compat = "a,b" };
    g_auto(GStrv) a = mv_qemu_img_create_argv("qemu-img", &plain, "/p/v.qcow2", 1048576,
                                              NULL, NULL);
    g_auto(GStrv) b = mv_qemu_img_create_argv("/usr/bin/qemu-img", &full, "/p/v.qcow2", 10,
                                              "/p/base.img", "raw");
    g_auto(GStrv) c = mv_qemu_img_create_argv("qemu-img", &luks, "/p/e.luks", 4096, NULL,
                                              NULL);
    g_auto(GStrv) d = mv_qemu_img_create_argv("qemu-img", &qluks, "/p/e.qcow2", 4096,
                                              "/p/b", NULL);
    g_auto(GStrv) e = mv_qemu_img_create_argv("qemu-img", &comma, "/p/x", 1, NULL, NULL);

    assert_argv(a, "qemu-img create -f qcow2 /p/v.qcow2 1048576");
    assert_argv(b, "/usr/bin/qemu-img create -f qcow2 -o preallocation=metadata,compat=1.1,"
                   "lazy_refcounts=on,cluster_size=131072 -b /p/base.img -F raw "
                   "/p/v.qcow2 10");
    assert_argv(c, "qemu-img create -f luks --object secret,id=mvsec0,file=/proc/self/fd/3,"
                   "format=raw -o key-secret=mvsec0,cipher-alg=aes-256,cipher-mode=xts,"
                   "hash-alg=sha256 /p/e.luks 4096");
    assert_argv(d, "qemu-img create -f qcow2 --object secret,id=mvsec0,file=/proc/self/fd/3,"
                   "format=raw -o encrypt.format=luks,encrypt.key-secret=mvsec0 -b /p/b "
                   "/p/e.qcow2 4096");
    assert_argv(e, "qemu-img create -f qcow2 -o compat=a,,b /p/x 1");
}

static void
test_convert_resize_argv(void)
{
    MvQemuImgOutput raw = { .format = "raw" };
    MvQemuImgOutput qcow2 = { .format = "qcow2", .preallocation = "falloc" };
    g_auto(GStrv) a = mv_qemu_img_convert_argv("qemu-img", "/s.qcow2", "qcow2", &raw, "/d.raw");
    g_auto(GStrv) b = mv_qemu_img_convert_argv("qemu-img", "/s.raw", "raw", &qcow2, "/d.q");
    g_auto(GStrv) c = mv_qemu_img_resize_argv("qemu-img", "/v.q", "qcow2", 2048, false, false);
    g_auto(GStrv) d = mv_qemu_img_resize_argv("qemu-img", "/v.q", "qcow2", 1024, true, false);
    g_auto(GStrv) e = mv_qemu_img_resize_argv("qemu-img", "/v.q", "qcow2", 4096, false, true);

    assert_argv(a, "qemu-img convert -p -f qcow2 -O raw /s.qcow2 /d.raw");
    assert_argv(b, "qemu-img convert -p -f raw -O qcow2 -o preallocation=falloc /s.raw /d.q");
    assert_argv(c, "qemu-img resize -f qcow2 /v.q 2048");
    assert_argv(d, "qemu-img resize --shrink -f qcow2 /v.q 1024");
    assert_argv(e, "qemu-img resize --preallocation=falloc -f qcow2 /v.q 4096");
}

static void
test_progress_parse(void)
{
    g_assert_cmpfloat(mv_qemu_img_parse_progress("    (0.00/100%)\r"), ==, 0.0);
    g_assert_cmpfloat(mv_qemu_img_parse_progress("    (12.50/100%)\r    (37.25/100%)\r"), ==,
                      37.25);
    g_assert_cmpfloat(mv_qemu_img_parse_progress("(100.00/100%)"), ==, 100.0);
    g_assert_cmpfloat(mv_qemu_img_parse_progress("nothing"), <, 0);
    g_assert_cmpfloat(mv_qemu_img_parse_progress("/100%)"), <, 0);
}

/* The passphrase reaches qemu-img (the image opens with it) and appears in
 * no argument. */
static void
test_luks_passphrase(void)
{
    static const char secret[] = "Tr0ub4dor&3-not-in-argv";
    MvStoragePassphrase pass = { (const guint8 *)secret, strlen(secret) };
    g_autofree char *dir = scratch_dir();
    g_autofree char *path = g_build_filename(dir, "e.luks", NULL);
    g_autofree char *qemu_img = NULL, *cmd = NULL, *out = NULL, *err = NULL;
    g_autofree char *secret_file = g_build_filename(dir, "secret", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(MvStorageProbe) probe = NULL;
    MvQemuImgOutput luks = { .format = "luks", .encrypt = true, .iter_time_ms = 200 };
    g_auto(GStrv) argv = NULL;
    int status;

    qemu_img = mv_qemu_img_find(&error);
    g_assert_no_error(error);
    argv = mv_qemu_img_create_argv(qemu_img, &luks, path, 4 * MiB, NULL, NULL);
    for (guint i = 0; argv[i]; i++)
        g_assert_null(strstr(argv[i], secret));
    g_assert_true(mv_qemu_img_run(argv, &pass, NULL, &error));
    g_assert_no_error(error);
    probe = mv_storage_probe_path(path, false, &error);
    g_assert_cmpstr(probe->format, ==, "luks");
    g_assert_cmpuint(probe->capacity, ==, 4 * MiB);

    /* The right passphrase opens it; a wrong one does not. */
    g_assert_true(g_file_set_contents(secret_file, secret, -1, NULL));
    /* (convert reads the data: `info` would not need the key) */
    cmd = g_strdup_printf("%s convert --object secret,id=s,file=%s --image-opts "
                          "driver=luks,key-secret=s,file.filename=%s -O raw %s/plain.raw",
                          qemu_img, secret_file, path, dir);
    g_assert_true(g_spawn_command_line_sync(cmd, &out, &err, &status, NULL));
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    g_clear_pointer(&out, g_free);
    g_clear_pointer(&err, g_free);
    g_assert_true(g_file_set_contents(secret_file, "wrong", -1, NULL));
    g_assert_true(g_spawn_command_line_sync(cmd, &out, &err, &status, NULL));
    g_assert_false(g_spawn_check_wait_status(status, NULL));
    remove_tree(dir);
}

static void
test_run_failure(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *qemu_img = mv_qemu_img_find(&error);
    MvQemuImgOutput out = { .format = "qcow2" };
    g_auto(GStrv) argv = mv_qemu_img_create_argv(qemu_img, &out, "/nonexistent-dir/x.qcow2",
                                                 MiB, NULL, NULL);

    g_assert_false(mv_qemu_img_run(argv, NULL, NULL, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_FAILED);
    g_assert_nonnull(strstr(error->message, "qemu-img create failed"));
    g_assert_nonnull(strstr(error->message, "/nonexistent-dir/x.qcow2"));
}

typedef struct {
    GCancellable *cancel;
    guint calls;
} CancelOnProgress;

static void
cancel_on_progress(guint64 done, guint64 total, gpointer data)
{
    CancelOnProgress *c = data;

    (void)done;
    g_assert_cmpuint(total, ==, 10000);
    c->calls++;
    g_cancellable_cancel(c->cancel);
}

/* A convert cancelled at its first progress line: qemu-img is killed and
 * reaped (no child left), the error is ABORTED. */
static void
test_run_cancel(void)
{
    g_autofree char *dir = scratch_dir();
    g_autofree char *src = g_build_filename(dir, "src.raw", NULL);
    g_autofree char *dst = g_build_filename(dir, "dst.qcow2", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GCancellable) cancel = g_cancellable_new();
    g_autofree char *qemu_img = mv_qemu_img_find(&error);
    CancelOnProgress c = { cancel, 0 };
    MvStorageJobCtl ctl = { .progress = cancel_on_progress, .progress_data = &c,
                            .cancellable = cancel };
    MvQemuImgOutput out = { .format = "qcow2" };
    g_auto(GStrv) argv = NULL;

    for (int i = 0; i < 64; i++)
        write_pattern(src, (guint64)i * 4 * MiB, 64 * 1024, (guint32)i);
    argv = mv_qemu_img_convert_argv(qemu_img, src, "raw", &out, dst);
    g_assert_false(mv_qemu_img_run(argv, NULL, &ctl, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_ABORTED);
    g_assert_cmpuint(c.calls, >=, 1);
    /* Every child was reaped: waitpid finds none. */
    g_assert_cmpint(waitpid(-1, NULL, WNOHANG), ==, -1);
    remove_tree(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/storage/qemu-img/create-argv", test_create_argv);
    g_test_add_func("/storage/qemu-img/convert-resize-argv", test_convert_resize_argv);
    g_test_add_func("/storage/qemu-img/progress-parse", test_progress_parse);
    g_test_add_func("/storage/qemu-img/luks-passphrase", test_luks_passphrase);
    g_test_add_func("/storage/qemu-img/run-failure", test_run_failure);
    g_test_add_func("/storage/qemu-img/run-cancel", test_run_cancel);
    return g_test_run();
}
