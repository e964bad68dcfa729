/* mv_stream_send_file / mv_stream_recv_file: a local file through a volume
 * stream. On sparse streams the file's holes travel as STREAM_HOLE packets:
 * the sender finds them with SEEK_DATA/SEEK_HOLE and never reads them, the
 * receiver seeks over them (and extends the file past a final one), so a
 * 90 % empty image moves in time proportional to its data. Data is read
 * straight into the frame that carries it and written from the buffer it
 * arrived in: no copy in between. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client-priv.h"
#include "rpc/message.h"

#define ZERO_CHUNK (1024u * 1024u)

typedef struct {
    int fd;
    bool seekable;              /* pread/lseek work (a regular file or a block device) */
    bool holes;                 /* SEEK_DATA/SEEK_HOLE work and the stream is sparse */
    guint64 pos;                /* next byte to send (seekable files) */
    guint64 end;                /* G_MAXUINT64: up to the end of the input */
    guint64 done;
    MvStreamProgressFunc progress;
    gpointer user_data;
} SendState;

static bool
file_error(GError **error, int err, const char *what)
{
    return mv_error_set(error, MV_FROM_STREAMS, MV_ERR_SYSTEM_ERROR, "cannot %s: %s", what,
                        g_strerror(err));
}

static void
report(SendState *st, guint64 n)
{
    st->done += n;
    if (st->progress)
        st->progress(st->done, st->user_data);
}

/* Sends up to @len bytes of data from the input; *@ret_eof when it ended early. */
static bool
send_data(MvStream *stream, SendState *st, guint64 len, bool *ret_eof, GError **error)
{
    *ret_eof = false;
    while (len > 0) {
        gsize want = (gsize)MIN(len, (guint64)MV_MESSAGE_STREAM_CHUNK);
        guint8 *payload;
        MvMessage *msg = mv_stream_new_data_message(stream, want, &payload);
        ssize_t n;

        do {
            n = st->seekable ? pread(st->fd, payload, want, (off_t)st->pos)
                             : read(st->fd, payload, want);
        } while (n < 0 && errno == EINTR);
        if (n <= 0) {
            int err = errno;

            mv_message_free(msg);
            if (n < 0)
                return file_error(error, err, "read the file to upload");
            *ret_eof = true;
            return true;
        }
        mv_message_set_payload_len(msg, (gsize)n);
        if (!mv_stream_send_message(stream, msg, error))
            return false;
        st->pos += (guint64)n;
        len -= (guint64)n;
        report(st, (guint64)n);
    }
    return true;
}

/* The data section at st->pos: its start (after a hole) and end. False with
 * st->holes cleared when the file system cannot tell. */
static bool
find_section(SendState *st, guint64 *ret_data, guint64 *ret_hole)
{
    off_t data = lseek(st->fd, (off_t)st->pos, SEEK_DATA);
    off_t hole;

    if (data < 0) {
        if (errno == ENXIO) {   /* only a hole up to the end of the file */
            *ret_data = *ret_hole = MIN(st->end, (guint64)G_MAXINT64);
            return true;
        }
        st->holes = false;
        return false;
    }
    hole = lseek(st->fd, data, SEEK_HOLE);
    if (hole < 0) {
        st->holes = false;
        return false;
    }
    *ret_data = MIN((guint64)data, st->end);
    *ret_hole = MIN((guint64)hole, st->end);
    return true;
}

bool
mv_stream_send_file(MvStream *stream, int fd, guint64 length, MvStreamProgressFunc progress,
                    gpointer user_data, GError **error)
{
    SendState st = { .fd = fd, .progress = progress, .user_data = user_data };
    struct stat sb;
    off_t cur;

    if (!mv_client_check_arg(stream != NULL && fd >= 0, "mv_stream_send_file",
                             "the stream or file", error))
        return false;
    if (fstat(fd, &sb) < 0)
        return file_error(error, errno, "inspect the file to upload");
    cur = lseek(fd, 0, SEEK_CUR);
    st.seekable = cur >= 0 && (S_ISREG(sb.st_mode) || S_ISBLK(sb.st_mode));
    st.pos = st.seekable ? (guint64)cur : 0;
    st.holes = st.seekable && S_ISREG(sb.st_mode) && mv_stream_is_sparse(stream);
    if (length)
        st.end = st.pos + length;
    else if (S_ISREG(sb.st_mode))
        st.end = MAX((guint64)sb.st_size, st.pos);
    else
        st.end = G_MAXUINT64;

    for (;;) {
        guint64 section, data, hole;
        bool eof;

        if (st.seekable) {
            if (st.pos >= st.end)
                break;
            section = st.end - st.pos;
            if (st.holes && find_section(&st, &data, &hole)) {
                if (data > st.pos) {
                    if (!mv_stream_send_hole(stream, data - st.pos, 0, error))
                        return false;
                    report(&st, data - st.pos);
                    st.pos = data;
                    continue;
                }
                section = hole - st.pos;
            }
        } else {
            if (length && st.done >= length)
                break;
            section = length ? length - st.done : G_MAXUINT64;
        }
        if (!send_data(stream, &st, section, &eof, error))
            return false;
        if (eof)
            break;
    }
    if (length && st.done < length)
        return mv_error_set(error, MV_FROM_STREAMS, MV_ERR_INVALID_ARG,
                            "the file ended after %" G_GUINT64_FORMAT " of the %"
                            G_GUINT64_FORMAT " bytes to upload", st.done, length);
    if (st.seekable)
        lseek(fd, (off_t)st.pos, SEEK_SET);
    return true;
}

static bool
write_all(int fd, const guint8 *buf, gsize len, GError **error)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return file_error(error, errno, "write the downloaded data");
        buf += n;
        len -= (gsize)n;
    }
    return true;
}

/* A hole where seeking is not possible (a pipe, a terminal): zeros. */
static bool
write_zeros(int fd, guint64 len, GError **error)
{
    g_autofree guint8 *zeros = g_malloc0(MIN(len, (guint64)ZERO_CHUNK));

    while (len > 0) {
        gsize n = (gsize)MIN(len, (guint64)ZERO_CHUNK);

        if (!write_all(fd, zeros, n, error))
            return false;
        len -= n;
    }
    return true;
}

bool
mv_stream_recv_file(MvStream *stream, int fd, MvStreamProgressFunc progress,
                    gpointer user_data, GError **error)
{
    struct stat sb;
    off_t cur;
    bool regular;
    guint64 pos, done = 0;

    if (!mv_client_check_arg(stream != NULL && fd >= 0, "mv_stream_recv_file",
                             "the stream or file", error))
        return false;
    if (fstat(fd, &sb) < 0)
        return file_error(error, errno, "inspect the download target");
    cur = lseek(fd, 0, SEEK_CUR);
    regular = S_ISREG(sb.st_mode) && cur >= 0;
    pos = regular ? (guint64)cur : 0;

    for (;;) {
        g_autoptr(GBytes) data = NULL;
        guint64 hole = 0;
        gssize n = mv_stream_take_chunk(stream, &data, &hole, error);

        if (n < 0)
            return false;
        if (data) {
            gsize len;
            const guint8 *buf = g_bytes_get_data(data, &len);

            if (!write_all(fd, buf, len, error))
                return false;
            pos += len;
            done += len;
        } else if (hole) {
            if (regular) {
                pos += hole;
                if (lseek(fd, (off_t)pos, SEEK_SET) < 0)
                    return file_error(error, errno, "skip a hole in the download target");
            } else if (!write_zeros(fd, hole, error)) {
                return false;
            }
            done += hole;
        } else {
            break;      /* the end of the stream */
        }
        if (progress)
            progress(done, user_data);
    }
    /* A final hole only moved the offset: make the file that long. */
    if (regular && fstat(fd, &sb) == 0 && (guint64)sb.st_size < pos &&
        ftruncate(fd, (off_t)pos) < 0)
        return file_error(error, errno, "extend the download target over its final hole");
    return true;
}
