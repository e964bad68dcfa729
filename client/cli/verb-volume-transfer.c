/* vol-upload / vol-download: a local file into or out of a volume over a
 * stream, with a progress line on a terminal (progress.h). --sparse moves
 * holes as holes both ways: the upload never reads the file's holes, the
 * download leaves them unallocated in the file it writes. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "progress.h"
#include "verbs.h"

static char *transfer_pool;
static gint64 transfer_offset;
static gint64 transfer_length;
static gboolean transfer_sparse;

const GOptionEntry mv_cli_vol_transfer_options[] = {
    { "pool", 0, 0, G_OPTION_ARG_STRING, &transfer_pool,
      "The pool of the volume (else VOLUME is a path or key)", "POOL" },
    { "offset", 0, 0, G_OPTION_ARG_INT64, &transfer_offset,
      "Where in the volume to start, in bytes (default 0)", "BYTES" },
    { "length", 0, 0, G_OPTION_ARG_INT64, &transfer_length,
      "How many bytes to move (default: all)", "BYTES" },
    { "sparse", 0, 0, G_OPTION_ARG_NONE, &transfer_sparse,
      "Move holes as holes (time follows the data, not the size)", NULL },
    { NULL },
};

/* The volume named @what: in --pool by name, else by path, else by key. */
static MvStorageVolume *
lookup_volume(MvCli *cli, const char *what)
{
    g_autoptr(GError) error = NULL;
    MvStorageVolume *vol;

    if (!mv_cli_lookup_begin(cli, what))
        return NULL;
    if (transfer_pool) {
        g_autoptr(MvStoragePool) pool = mv_storage_pool_lookup_by_name(cli->conn, transfer_pool,
                                                                       0, &error);
        if (!pool || !(vol = mv_storage_volume_lookup_by_name(pool, what, 0, &error))) {
            mv_cli_fail(cli, error);
            return NULL;
        }
        return vol;
    }
    if ((vol = mv_storage_volume_lookup_by_path(cli->conn, what, 0, NULL)))
        return vol;
    if (!(vol = mv_storage_volume_lookup_by_key(cli->conn, what, 0, &error))) {
        mv_cli_failf(cli, "no volume with path or key '%s': name a volume in a pool with "
                     "--pool POOL, or give its path ('modvirt vol-list POOL' shows them)", what);
        return NULL;
    }
    return vol;
}

static void
on_progress(guint64 done, gpointer data)
{
    mv_cli_progress_update(data, done);
}

static int
check_range(MvCli *cli)
{
    if (transfer_offset < 0 || transfer_length < 0)
        return mv_cli_usage(cli, "--offset and --length are byte counts (0 or more)");
    return MV_CLI_OK;
}

static void
print_json(MvStorageVolume *vol, const char *action, guint64 bytes, bool sparse)
{
    g_autoptr(JsonBuilder) b = json_builder_new();

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "volume");
    json_builder_add_string_value(b, mv_storage_volume_get_name(vol));
    json_builder_set_member_name(b, "pool");
    json_builder_add_string_value(b, mv_storage_volume_get_pool_name(vol));
    json_builder_set_member_name(b, "action");
    json_builder_add_string_value(b, action);
    json_builder_set_member_name(b, "bytes");
    json_builder_add_int_value(b, (gint64)bytes);
    json_builder_set_member_name(b, "sparse");
    json_builder_add_boolean_value(b, sparse);
    json_builder_end_object(b);
    mv_cli_print_json(json_builder_get_root(b), false);
}

int
mv_cli_run_vol_upload(MvCli *cli, int argc, char **argv)
{
    g_autoptr(MvStorageVolume) vol = NULL;
    g_autoptr(MvStream) stream = NULL;
    g_autoptr(MvCliProgress) progress = NULL;
    g_autoptr(GError) error = NULL;
    struct stat sb;
    guint64 total;
    int fd, rc;
    bool ok;

    if ((rc = check_range(cli)) != MV_CLI_OK)
        return rc;
    if ((fd = open(argv[1], O_RDONLY | O_CLOEXEC)) < 0)
        return mv_cli_failf(cli, "cannot open '%s': %s", argv[1], g_strerror(errno));
    if (fstat(fd, &sb) < 0 || !(vol = lookup_volume(cli, argv[0]))) {
        close(fd);
        return MV_CLI_FAILED;
    }
    total = transfer_length ? (guint64)transfer_length
                            : S_ISREG(sb.st_mode) ? (guint64)sb.st_size : 0;
    if (!(stream = mv_storage_volume_upload(vol, (guint64)transfer_offset,
                                            (guint64)transfer_length,
                                            transfer_sparse ? MV_STORAGE_VOLUME_TRANSFER_SPARSE
                                                            : 0, &error))) {
        close(fd);
        return mv_cli_fail(cli, error);
    }
    progress = mv_cli_progress_new("upload", total, stderr, !cli->json && isatty(2));
    ok = mv_stream_send_file(stream, fd, (guint64)transfer_length, on_progress, progress,
                             &error) &&
         mv_stream_finish(stream, 0, &error);
    close(fd);
    if (!ok) {
        mv_stream_abort(stream);
        if (!cli->json)
            mv_cli_progress_finish(progress, false);
        return mv_cli_fail(cli, error);
    }
    if (cli->json)
        print_json(vol, "upload", mv_cli_progress_get_done(progress), transfer_sparse);
    else
        mv_cli_progress_finish(progress, true);
    return MV_CLI_OK;
}

int
mv_cli_run_vol_download(MvCli *cli, int argc, char **argv)
{
    g_autoptr(MvStorageVolume) vol = NULL;
    g_autoptr(MvStream) stream = NULL;
    g_autoptr(MvCliProgress) progress = NULL;
    g_autoptr(GError) error = NULL;
    MvStorageVolumeInfo info = { 0 };
    bool to_stdout = g_str_equal(argv[1], "-");
    guint64 total = 0;
    guint64 done = 0;
    int fd, rc;
    bool ok;

    if ((rc = check_range(cli)) != MV_CLI_OK)
        return rc;
    if (!(vol = lookup_volume(cli, argv[0])))
        return MV_CLI_FAILED;
    if (mv_storage_volume_get_info(vol, 0, &info, NULL) &&
        info.capacity > (guint64)transfer_offset)
        total = info.capacity - (guint64)transfer_offset;
    if (transfer_length)
        total = total ? MIN(total, (guint64)transfer_length) : (guint64)transfer_length;
    fd = to_stdout ? 1 : open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return mv_cli_failf(cli, "cannot create '%s': %s", argv[1], g_strerror(errno));
    if (!(stream = mv_storage_volume_download(vol, (guint64)transfer_offset,
                                              (guint64)transfer_length,
                                              transfer_sparse ? MV_STORAGE_VOLUME_TRANSFER_SPARSE
                                                              : 0, &error))) {
        if (!to_stdout) {
            close(fd);
            unlink(argv[1]);
        }
        return mv_cli_fail(cli, error);
    }
    progress = mv_cli_progress_new("download", total, stderr, !cli->json && isatty(2));
    ok = mv_stream_recv_file(stream, fd, on_progress, progress, &error) &&
         mv_stream_finish(stream, 0, &error);
    if (!to_stdout && close(fd) < 0 && ok) {
        ok = false;
        g_set_error(&error, MV_ERROR, MV_ERROR_SYSTEM, "cannot write '%s': %s", argv[1],
                    g_strerror(errno));
    }
    if (!ok) {
        mv_stream_abort(stream);
        if (!to_stdout)
            unlink(argv[1]);    /* a partial copy would pass for the volume */
        if (!cli->json)
            mv_cli_progress_finish(progress, false);
        return mv_cli_fail(cli, error);
    }
    done = mv_cli_progress_get_done(progress);
    if (cli->json)
        print_json(vol, "download", done, transfer_sparse);
    else
        mv_cli_progress_finish(progress, true);
    return MV_CLI_OK;
}
