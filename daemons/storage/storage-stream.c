/* Volume upload and download over the stream protocol (storage-stream.h). */
#define MV_LOG_CATEGORY "storage"
#include "storage-stream.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "util/log.h"

/* How often a waiting transfer looks whether its client went away. */
#define POLL_US (500 * G_TIME_SPAN_MILLISECOND)
#define ZERO_CHUNK (1024u * 1024u)

typedef enum {
    OP_DATA,
    OP_HOLE,
    OP_FINISH,                  /* the client sent STREAM OK */
    OP_ABORT,                   /* the client sent STREAM ERROR */
    OP_FAIL,                    /* a protocol error found on the I/O thread */
} OpKind;

typedef struct {
    OpKind kind;
    guint64 offset;
    guint64 length;             /* OP_HOLE; OP_DATA: bytes in @data */
    guint8 *data;               /* OP_DATA: a buffer of BUF_SIZE (from the free list) */
    GError *error;              /* OP_FAIL */
} Op;

/* Upload data buffers: one frame's payload each, reused (a fresh 256 KiB
 * allocation per frame costs its page faults every time). */
#define BUF_SIZE MV_MESSAGE_STREAM_CHUNK
#define BUF_KEEP (MV_STORAGE_STREAM_UPLOAD_QUEUE_MAX / BUF_SIZE + 4)

typedef struct {
    gint ref;
    GMutex lock;
    GCond cond;
    bool upload;
    MvServerClient *client;     /* a reference */
    MvMessageHeader hdr;        /* the opening call's prog, vers, proc, serial; type STREAM */
    int fd;
    guint64 start;
    guint64 end;                /* download: last byte + 1; upload: limit (G_MAXUINT64: none) */
    bool sparse;
    char *name;
    MvStorageStreamEndFunc end_func;
    gpointer user_data;
    GDestroyNotify destroy;

    /* under lock */
    guint64 next;               /* upload: offset of the next incoming byte */
    GQueue ops;                 /* upload: Op*, oldest first */
    GPtrArray *free_bufs;       /* upload: spare data buffers (BUF_SIZE) */
    gsize queued;               /* upload: data bytes in ops */
    bool held;                  /* upload: we hold the client's input */
    bool refused;               /* upload: a protocol error was queued; ignore the rest */
    bool client_finished;       /* download: the client sent STREAM OK */
    bool client_aborted;        /* download: the client sent STREAM ERROR */
    bool drained;               /* download: the drain watch fired */
    bool ended;                 /* @end ran (exactly once) */
} Transfer;

static Transfer *
transfer_ref(Transfer *t)
{
    g_atomic_int_inc(&t->ref);
    return t;
}

static void
op_free(gpointer data)
{
    Op *op = data;

    g_free(op->data);
    g_clear_error(&op->error);
    g_free(op);
}

/* A data buffer for @len bytes (t->lock held). */
static guint8 *
buf_take_locked(Transfer *t, gsize len)
{
    if (len <= BUF_SIZE && t->free_bufs->len > 0)
        return g_ptr_array_steal_index_fast(t->free_bufs, t->free_bufs->len - 1);
    return g_malloc(MAX(len, (gsize)BUF_SIZE));
}

/* Gives the buffer of a written @op back (t->lock held). */
static void
buf_return_locked(Transfer *t, Op *op)
{
    if (op->length <= BUF_SIZE && t->free_bufs->len < BUF_KEEP)
        g_ptr_array_add(t->free_bufs, g_steal_pointer(&op->data));
}

static void
transfer_unref(Transfer *t)
{
    if (!t || !g_atomic_int_dec_and_test(&t->ref))
        return;
    if (t->fd >= 0)
        close(t->fd);
    g_queue_clear_full(&t->ops, op_free);
    g_ptr_array_unref(t->free_bufs);
    if (t->destroy)
        t->destroy(t->user_data);
    mv_server_client_unref(t->client);
    g_free(t->name);
    g_mutex_clear(&t->lock);
    g_cond_clear(&t->cond);
    g_free(t);
}

static void
send_status(Transfer *t, int status, const GError *err)
{
    MvMessageHeader hdr = t->hdr;

    hdr.status = status;
    mv_server_client_send(t->client, err ? mv_message_encode_error(&hdr, err)
                                         : mv_message_encode_raw(&hdr, NULL, 0));
}

/* How a transfer ends, for the last packet it sends. */
typedef enum {
    END_FINISH,                 /* the client finished: OK, or ERROR if storing failed */
    END_ACK,                    /* the client aborted (or left): OK, acknowledging it */
    END_FAIL,                   /* we failed mid-way: ERROR */
} EndKind;

/*
 * Ends the transfer once: the daemon's @end first (it may still fail a
 * finish), then the last packet, then no more packets are routed to us.
 */
static void
transfer_end(Transfer *t, GError *err, guint64 bytes, EndKind kind)
{
    g_autoptr(GError) owned = err;
    g_autoptr(GError) end_err = NULL;
    bool held;

    g_mutex_lock(&t->lock);
    if (t->ended) {
        g_mutex_unlock(&t->lock);
        return;
    }
    t->ended = true;
    held = t->held;
    t->held = false;
    g_mutex_unlock(&t->lock);
    if (t->fd >= 0) {
        close(t->fd);
        t->fd = -1;
    }
    if (t->end_func && !t->end_func(owned, bytes, t->user_data, &end_err) && !owned)
        owned = g_steal_pointer(&end_err);
    mv_server_client_remove_stream(t->client, t->hdr.proc, t->hdr.serial);
    if (kind == END_ACK || !owned)
        send_status(t, MV_STATUS_OK, NULL);
    else
        send_status(t, MV_STATUS_ERROR, owned);
    if (held)
        mv_server_client_release_input(t->client);
    mv_log_debug("%s of volume '%s' ended: %s", t->upload ? "upload" : "download", t->name,
                 owned ? owned->message : "complete");
}

static bool
transfer_error(GError **error, int err, const char *what, const char *name)
{
    return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_SYSTEM_ERROR,
                        "cannot %s volume '%s': %s", what, name, g_strerror(err));
}

/* ---- upload ---------------------------------------------------------------------- */

/* Queues @op for the writer; t->lock held. */
static void
push_op_locked(Transfer *t, Op *op)
{
    g_queue_push_tail(&t->ops, op);
    g_cond_signal(&t->cond);
}

static void
refuse_locked(Transfer *t, GError *err)
{
    Op *op = g_new0(Op, 1);

    op->kind = OP_FAIL;
    op->error = err;
    t->refused = true;
    push_op_locked(t, op);
}

/* A packet of the client's (RPC I/O thread). */
static void
on_upload_packet(MvServerClient *client, const MvMessageHeader *hdr, const guint8 *data,
                 gsize len, gpointer stream_data)
{
    Transfer *t = stream_data;
    GError *err = NULL;
    Op *op;

    g_mutex_lock(&t->lock);
    if (t->refused || t->ended) {
        g_mutex_unlock(&t->lock);
        return;
    }
    if (hdr->type == MV_MESSAGE_STREAM_HOLE) {
        gint64 length;

        if (!t->sparse) {
            mv_error_set(&err, MV_FROM_STREAMS, MV_ERR_RPC,
                         "Unexpected stream hole: the upload of volume '%s' was not opened "
                         "with the sparse flag", t->name);
            refuse_locked(t, err);
        } else if (!mv_message_decode_hole(data, len, &length, &err)) {
            refuse_locked(t, err);
        } else if ((guint64)length > t->end - t->next) {
            mv_error_set(&err, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                         "the upload to volume '%s' goes past the %" G_GUINT64_FORMAT
                         " bytes requested", t->name, t->end - t->start);
            refuse_locked(t, err);
        } else if (length > 0) {
            op = g_new0(Op, 1);
            op->kind = OP_HOLE;
            op->offset = t->next;
            op->length = (guint64)length;
            t->next += (guint64)length;
            push_op_locked(t, op);
        }
        g_mutex_unlock(&t->lock);
        return;
    }
    switch (hdr->status) {
    case MV_STATUS_CONTINUE:
        if (len == 0)
            break;
        if ((guint64)len > t->end - t->next) {
            mv_error_set(&err, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                         "the upload to volume '%s' goes past the %" G_GUINT64_FORMAT
                         " bytes requested", t->name, t->end - t->start);
            refuse_locked(t, err);
            break;
        }
        op = g_new0(Op, 1);
        op->kind = OP_DATA;
        op->offset = t->next;
        op->length = len;
        op->data = buf_take_locked(t, len);
        memcpy(op->data, data, len);
        t->next += len;
        t->queued += len;
        push_op_locked(t, op);
        if (t->queued >= MV_STORAGE_STREAM_UPLOAD_QUEUE_MAX && !t->held) {
            /* The disk does not keep up: stop reading this client. */
            t->held = true;
            mv_server_client_hold_input(client);
        }
        break;
    case MV_STATUS_OK:
        op = g_new0(Op, 1);
        op->kind = OP_FINISH;
        t->refused = true;      /* nothing may follow the finish */
        push_op_locked(t, op);
        break;
    default:
        op = g_new0(Op, 1);
        op->kind = OP_ABORT;
        t->refused = true;
        push_op_locked(t, op);
        break;
    }
    g_mutex_unlock(&t->lock);
}

static bool
write_at(Transfer *t, const guint8 *buf, gsize len, guint64 offset, GError **error)
{
    while (len > 0) {
        ssize_t n = pwrite(t->fd, buf, len, (off_t)offset);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return transfer_error(error, errno, "write to", t->name);
        buf += n;
        len -= (gsize)n;
        offset += (guint64)n;
    }
    return true;
}

/*
 * A hole of @len bytes at @offset must read as zeros afterwards, without
 * writing zeros: nothing to do past the end of the file, else the range is
 * punched (cheap where it is a hole already; a preallocated volume gives its
 * blocks back). Only a file system that cannot punch gets zeros, and only
 * over the data SEEK_DATA finds there.
 */
static bool
apply_hole(Transfer *t, guint64 offset, guint64 len, GError **error)
{
    struct stat sb;
    guint64 end;
    off_t data;

    if (fstat(t->fd, &sb) < 0)
        return transfer_error(error, errno, "inspect", t->name);
    if (!S_ISREG(sb.st_mode))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_UNSUPPORTED,
                            "sparse upload to volume '%s' needs a file", t->name);
    if (offset >= (guint64)sb.st_size)
        return true;
    end = MIN(offset + len, (guint64)sb.st_size);
    if (fallocate(t->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)offset,
                  (off_t)(end - offset)) == 0)
        return true;
    if (errno != EOPNOTSUPP && errno != ENOSYS)
        return transfer_error(error, errno, "punch a hole in", t->name);
    while (offset < end) {
        g_autofree guint8 *zeros = NULL;
        off_t hole;

        data = lseek(t->fd, (off_t)offset, SEEK_DATA);
        if ((data < 0 && errno == ENXIO) || (data >= 0 && (guint64)data >= end))
            return true;
        if (data < 0)
            data = (off_t)offset;   /* no SEEK_DATA either: zero it all */
        hole = lseek(t->fd, data, SEEK_HOLE);
        hole = hole < 0 ? (off_t)end : MIN(hole, (off_t)end);
        zeros = g_malloc0(ZERO_CHUNK);
        for (guint64 pos = (guint64)data; pos < (guint64)hole;) {
            gsize n = (gsize)MIN((guint64)hole - pos, (guint64)ZERO_CHUNK);

            if (!write_at(t, zeros, n, pos, error))
                return false;
            pos += n;
        }
        offset = (guint64)hole;
    }
    return true;
}

/* After the last packet: a final hole past the end of the file extends it. */
static bool
upload_complete(Transfer *t, guint64 last, GError **error)
{
    struct stat sb;

    if (fstat(t->fd, &sb) < 0)
        return transfer_error(error, errno, "inspect", t->name);
    if (S_ISREG(sb.st_mode) && (guint64)sb.st_size < last && ftruncate(t->fd, (off_t)last) < 0)
        return transfer_error(error, errno, "extend", t->name);
    return true;
}

/* The next op, or NULL when the client went away while we waited. */
static Op *
next_op(Transfer *t)
{
    Op *op;

    g_mutex_lock(&t->lock);
    while (!(op = g_queue_pop_head(&t->ops))) {
        if (mv_server_client_is_closed(t->client)) {
            g_mutex_unlock(&t->lock);
            return NULL;
        }
        g_cond_wait_until(&t->cond, &t->lock, g_get_monotonic_time() + POLL_US);
    }
    if (op->kind == OP_DATA) {
        t->queued -= op->length;
        if (t->held && t->queued <= MV_STORAGE_STREAM_UPLOAD_QUEUE_MAX / 2) {
            t->held = false;
            mv_server_client_release_input(t->client);
        }
    }
    g_mutex_unlock(&t->lock);
    return op;
}

static gpointer
upload_thread(gpointer data)
{
    Transfer *t = data;
    guint64 last = t->start;        /* the end of what the client sent so far */
    GError *err = NULL;

    for (;;) {
        Op *op = next_op(t);

        if (!op) {
            mv_error_set(&err, MV_FROM_STORAGE, MV_ERR_OPERATION_ABORTED,
                         "the client of the upload to volume '%s' went away", t->name);
            transfer_end(t, err, last - t->start, END_ACK);
            break;
        }
        switch (op->kind) {
        case OP_DATA:
            if (write_at(t, op->data, op->length, op->offset, &err))
                last = op->offset + op->length;
            g_mutex_lock(&t->lock);
            buf_return_locked(t, op);
            g_mutex_unlock(&t->lock);
            break;
        case OP_HOLE:
            if (apply_hole(t, op->offset, op->length, &err))
                last = op->offset + op->length;
            break;
        case OP_FINISH:
            upload_complete(t, last, &err);
            transfer_end(t, g_steal_pointer(&err), last - t->start, END_FINISH);
            op_free(op);
            goto out;
        case OP_ABORT:
            mv_error_set(&err, MV_FROM_STORAGE, MV_ERR_OPERATION_ABORTED,
                         "the client aborted the upload to volume '%s'", t->name);
            transfer_end(t, err, last - t->start, END_ACK);
            op_free(op);
            goto out;
        case OP_FAIL:
            err = g_steal_pointer(&op->error);
            break;
        }
        op_free(op);
        if (err) {
            transfer_end(t, err, last - t->start, END_FAIL);
            break;
        }
    }
out:
    transfer_unref(t);
    return NULL;
}

/* ---- download -------------------------------------------------------------------- */

static void
on_download_packet(MvServerClient *client, const MvMessageHeader *hdr, const guint8 *data,
                   gsize len, gpointer stream_data)
{
    Transfer *t = stream_data;

    if (hdr->type != MV_MESSAGE_STREAM || hdr->status == MV_STATUS_CONTINUE)
        return;     /* a downloading client sends nothing but its finish or abort */
    g_mutex_lock(&t->lock);
    if (hdr->status == MV_STATUS_OK)
        t->client_finished = true;
    else
        t->client_aborted = true;
    g_cond_signal(&t->cond);
    g_mutex_unlock(&t->lock);
}

static void
on_drained(gpointer data, gpointer client)
{
    Transfer *t = data;

    g_mutex_lock(&t->lock);
    t->drained = true;
    g_cond_signal(&t->cond);
    g_mutex_unlock(&t->lock);
}

/* True when the client's queue has room; false when the client finished,
 * aborted or went away meanwhile. */
static bool
wait_for_room(Transfer *t)
{
    bool go;

    if (!mv_server_client_is_congested(t->client))
        return true;
    g_mutex_lock(&t->lock);
    t->drained = false;
    g_mutex_unlock(&t->lock);
    mv_server_client_add_drain_watch(t->client, on_drained, transfer_ref(t),
                                     (GDestroyNotify)transfer_unref);
    g_mutex_lock(&t->lock);
    while (!t->drained && !t->client_finished && !t->client_aborted &&
           !mv_server_client_is_closed(t->client))
        g_cond_wait_until(&t->cond, &t->lock, g_get_monotonic_time() + POLL_US);
    go = t->drained && !t->client_finished && !t->client_aborted;
    g_mutex_unlock(&t->lock);
    return go;
}

static bool
stopped(Transfer *t)
{
    bool stop;

    g_mutex_lock(&t->lock);
    stop = t->client_finished || t->client_aborted;
    g_mutex_unlock(&t->lock);
    return stop;
}

/* Sends @len bytes of data from @pos, read straight into the frames. */
static bool
send_data(Transfer *t, guint64 pos, guint64 len, GError **error)
{
    while (len > 0) {
        gsize want = (gsize)MIN(len, (guint64)MV_MESSAGE_STREAM_CHUNK);
        guint8 *payload;
        MvMessage *msg;
        ssize_t n;

        if (stopped(t) || !wait_for_room(t))
            return true;
        msg = mv_message_new_stream(&t->hdr, want, &payload);
        do {
            n = pread(t->fd, payload, want, (off_t)pos);
        } while (n < 0 && errno == EINTR);
        if (n <= 0) {
            int e = errno;

            mv_message_free(msg);
            if (n == 0)
                return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_FAILED,
                                    "volume '%s' shrank while being downloaded", t->name);
            return transfer_error(error, e, "read", t->name);
        }
        mv_message_set_payload_len(msg, (gsize)n);
        if (!mv_server_client_send(t->client, msg))
            return true;    /* the client went away: noticed by the caller */
        pos += (guint64)n;
        len -= (guint64)n;
    }
    return true;
}

/* Sends the range: data, and holes as holes in sparse mode. */
static bool
download_range(Transfer *t, GError **error)
{
    guint64 pos = t->start;
    bool holes = t->sparse;

    while (pos < t->end && !stopped(t) && !mv_server_client_is_closed(t->client)) {
        guint64 section = t->end - pos;

        if (holes) {
            off_t data = lseek(t->fd, (off_t)pos, SEEK_DATA);
            off_t hole;

            if (data < 0 && errno == ENXIO)
                data = (off_t)t->end;
            if (data < 0) {
                holes = false;      /* the file system cannot tell: all data */
                continue;
            }
            if ((guint64)data > pos) {
                guint64 skip = MIN((guint64)data, t->end) - pos;

                if (!wait_for_room(t))
                    break;
                mv_server_client_send(t->client, mv_message_encode_hole(&t->hdr, (gint64)skip,
                                                                        0));
                pos += skip;
                continue;
            }
            hole = lseek(t->fd, (off_t)pos, SEEK_HOLE);
            if (hole >= 0)
                section = MIN((guint64)hole, t->end) - pos;
        }
        if (!send_data(t, pos, section, error))
            return false;
        pos += section;
    }
    return true;
}

static gpointer
download_thread(gpointer data)
{
    Transfer *t = data;
    GError *err = NULL;

    if (!download_range(t, &err)) {
        transfer_end(t, err, 0, END_FAIL);
        transfer_unref(t);
        return NULL;
    }
    if (!stopped(t))
        send_status(t, MV_STATUS_CONTINUE, NULL);   /* end of data */
    g_mutex_lock(&t->lock);
    while (!t->client_finished && !t->client_aborted && !mv_server_client_is_closed(t->client))
        g_cond_wait_until(&t->cond, &t->lock, g_get_monotonic_time() + POLL_US);
    g_mutex_unlock(&t->lock);
    if (!t->client_finished) {
        mv_error_set(&err, MV_FROM_STORAGE, MV_ERR_OPERATION_ABORTED,
                     t->client_aborted ? "the client aborted the download of volume '%s'"
                                       : "the client of the download of volume '%s' went away",
                     t->name);
    }
    transfer_end(t, err, t->end - t->start, t->client_finished ? END_FINISH : END_ACK);
    transfer_unref(t);
    return NULL;
}

/* ---- start ----------------------------------------------------------------------- */

/* The REPLY that opens the stream is out: the transfer's thread may start. */
static void
start_thread(gpointer data, gpointer unused)
{
    Transfer *t = data;
    GThread *thread = g_thread_new(t->upload ? "vol-upload" : "vol-download",
                                   t->upload ? upload_thread : download_thread, t);

    g_thread_unref(thread);     /* it holds the after-reply reference */
}

/* The call failed after all: no stream. */
static void
drop_transfer(gpointer data)
{
    Transfer *t = data;
    g_autoptr(GError) err = NULL;

    mv_server_client_remove_stream(t->client, t->hdr.proc, t->hdr.serial);
    mv_error_set(&err, MV_FROM_STORAGE, MV_ERR_OPERATION_ABORTED, "the stream was not opened");
    if (t->end_func && !t->ended) {
        t->ended = true;
        t->end_func(err, 0, t->user_data, NULL);
    }
    transfer_unref(t);
}

/* No stream after all: the daemon's @end still runs (it undoes its preparations). */
static bool
start_failed(Transfer *t, GError **error)
{
    t->ended = true;
    if (t->end_func)
        t->end_func(error ? *error : NULL, 0, t->user_data, NULL);
    transfer_unref(t);
    return false;
}

static bool
start(MvDriverCall *call, const MvStorageStreamSpec *spec, bool upload, GError **error)
{
    MvServerCall *scall = mv_driver_call_server_call(call);
    Transfer *t = g_new0(Transfer, 1);
    struct stat sb;

    t->ref = 1;
    g_mutex_init(&t->lock);
    g_cond_init(&t->cond);
    g_queue_init(&t->ops);
    t->free_bufs = g_ptr_array_new_with_free_func(g_free);
    t->upload = upload;
    t->client = mv_server_client_ref(mv_driver_call_client(call));
    t->hdr = *mv_server_call_get_header(scall);
    t->hdr.type = MV_MESSAGE_STREAM;
    t->hdr.status = MV_STATUS_CONTINUE;
    t->fd = spec->fd;
    t->sparse = spec->sparse;
    t->name = g_strdup(spec->name);
    t->end_func = spec->end;
    t->user_data = spec->user_data;
    t->destroy = spec->destroy;
    t->start = t->next = spec->offset;

    if (fstat(t->fd, &sb) < 0) {
        transfer_error(error, errno, "inspect", t->name);
        return start_failed(t, error);
    }
    if (upload) {
        t->end = spec->length ? spec->offset + spec->length : G_MAXUINT64;
    } else {
        guint64 size = (guint64)sb.st_size;

        if (S_ISBLK(sb.st_mode)) {
            off_t end = lseek(t->fd, 0, SEEK_END);
            size = end > 0 ? (guint64)end : 0;
        }
        if (spec->offset > size) {
            mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                         "offset %" G_GUINT64_FORMAT " is past the end of volume '%s' (%"
                         G_GUINT64_FORMAT " bytes)", spec->offset, t->name, size);
            return start_failed(t, error);
        }
        t->end = spec->length ? MIN(spec->offset + spec->length, size) : size;
        /* The kernel reads ahead further for a file read from start to end. */
        posix_fadvise(t->fd, (off_t)t->start, (off_t)(t->end - t->start),
                      POSIX_FADV_SEQUENTIAL);
    }
    mv_server_client_add_stream_full(t->client, t->hdr.proc, t->hdr.serial,
                                     upload ? on_upload_packet : on_download_packet, t,
                                     (MvRefFunc)transfer_ref, (GDestroyNotify)transfer_unref);
    mv_server_call_after_reply(scall, start_thread, t, drop_transfer);
    return true;
}

bool
mv_storage_stream_start_upload(MvDriverCall *call, const MvStorageStreamSpec *spec,
                               GError **error)
{
    return start(call, spec, true, error);
}

bool
mv_storage_stream_start_download(MvDriverCall *call, const MvStorageStreamSpec *spec,
                                 GError **error)
{
    return start(call, spec, false, error);
}
