/* libmodvirt streams: a guest console, volume upload and download
 * (mv_storage_volume_upload() / _download() in storage.h).
 *
 * An MvStream is a two-way byte pipe multiplexed on the connection. Reads
 * and writes block, reads with a timeout; they may run in two different
 * threads at the same time (one reader, one writer), which is all a console
 * needs. Bytes the daemon sends are buffered in the library until read.
 *
 * End of a stream: mv_stream_read() returns 0 once the daemon has sent its
 * end of data (the guest went away, a download is complete). Either way,
 * finish with mv_stream_finish() (orderly: the daemon confirms it has
 * everything) or mv_stream_abort(), then mv_stream_unref().
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include <modvirt/domain.h>

G_BEGIN_DECLS

typedef struct _MvStream MvStream;

/* Flags of mv_domain_open_console(). */
typedef enum {
    /* Take the console over from another client that has it open. */
    MV_CONSOLE_FORCE = 1u << 0,
    /* Fail unless the daemon can guarantee exclusive access. */
    MV_CONSOLE_SAFE = 1u << 1,
} MvConsoleFlags;

/**
 * mv_domain_open_console:
 * @dev_name: (nullable) the console or serial device alias; NULL for the first console.
 * @flags: MvConsoleFlags.
 * Connects to the text console of a running domain.
 * Returns: (transfer full) a stream: what is written reaches the guest's
 *   console, what the guest prints is read. NULL with @error set
 *   (MV_ERROR_OPERATION_INVALID when the domain is not running,
 *   MV_ERROR_RESOURCE_BUSY when someone else has the console).
 */
MvStream *mv_domain_open_console(MvDomain *dom, const char *dev_name, unsigned int flags,
                                 GError **error);

/**
 * mv_stream_read:
 * @buf: where to store up to @len bytes.
 * @timeout_ms: how long to wait for data; -1 waits forever, 0 never waits.
 * Returns up to @len bytes that have arrived, waiting for at least one.
 * Returns: the number of bytes stored, 0 at the end of the stream, -1 with
 *   @error set: MV_ERROR_TIMEOUT when nothing arrived in time (the stream is
 *   still usable), otherwise the stream failed (the daemon's error, or
 *   MV_ERROR_RPC when the connection broke).
 */
gssize mv_stream_read(MvStream *stream, void *buf, gsize len, int timeout_ms,
                      GError **error);

/**
 * mv_stream_write:
 * Sends all @len bytes of @buf (in packets of at most 256 KiB).
 * Returns: true when sent; false with @error set when the stream is
 *   finished, failed or the connection broke.
 */
bool mv_stream_write(MvStream *stream, const void *buf, gsize len, GError **error);

/**
 * mv_stream_read_sparse:
 * @ret_hole: (out) the length of a hole, when one is next.
 * Like mv_stream_read(), but stops at a hole instead of returning zeros
 * (sparse volume downloads; libvirt's virStreamRecvFlags(STOP_AT_HOLE) +
 * virStreamRecvHole() in one call).
 * Returns: bytes of data stored (> 0, *@ret_hole = 0); 0 with *@ret_hole > 0
 *   when the next section is a hole (it counts as read); 0 with
 *   *@ret_hole = 0 at the end of the stream; -1 with @error set as
 *   mv_stream_read().
 */
gssize mv_stream_read_sparse(MvStream *stream, void *buf, gsize len, guint64 *ret_hole,
                             int timeout_ms, GError **error);

/**
 * mv_stream_send_hole:
 * @length: bytes of zeros the receiver skips; 0 sends nothing.
 * @flags: none defined, pass 0.
 * Sends a hole on a sparse stream (one opened with
 * MV_STORAGE_VOLUME_TRANSFER_SPARSE): the daemon leaves @length bytes
 * unallocated instead of writing zeros.
 * Returns: true when sent; false with @error set (MV_ERROR_OPERATION_INVALID
 *   on a stream that is not sparse).
 */
bool mv_stream_send_hole(MvStream *stream, guint64 length, unsigned int flags, GError **error);

/** mv_stream_is_sparse: true when holes travel on @stream. */
bool mv_stream_is_sparse(MvStream *stream);

/* Progress of mv_stream_send_file() / mv_stream_recv_file(): @done bytes of
 * the transfer covered so far (data and holes). Called after each packet. */
typedef void (*MvStreamProgressFunc)(guint64 done, gpointer user_data);

/**
 * mv_stream_send_file:
 * @fd: a file open for reading, positioned where sending starts.
 * @length: bytes to send; 0 up to the end of the file.
 * @progress: (nullable) called as the data goes out.
 * Sends the file's data in packets of at most 256 KiB. On a sparse stream
 * the file's holes (SEEK_HOLE/SEEK_DATA) go as holes and are never read; a
 * file system without hole support, or a pipe, sends everything as data.
 * Does not finish the stream: call mv_stream_finish() afterwards.
 * Returns: true when everything was sent; false with @error set.
 */
bool mv_stream_send_file(MvStream *stream, int fd, guint64 length,
                         MvStreamProgressFunc progress, gpointer user_data, GError **error);

/**
 * mv_stream_recv_file:
 * @fd: a file open for writing, positioned where the data goes.
 * @progress: (nullable) called as the data comes in.
 * Writes what the stream brings until its end. Holes become holes in a
 * regular file (the file is extended past a final hole; the caller
 * passes an empty or freshly truncated file so skipped ranges read as zeros);
 * a pipe or device gets them as zeros. Does not finish the stream: call
 * mv_stream_finish() afterwards.
 * Returns: true at the end of the stream; false with @error set.
 */
bool mv_stream_recv_file(MvStream *stream, int fd, MvStreamProgressFunc progress,
                         gpointer user_data, GError **error);

/**
 * mv_stream_finish:
 * @flags: none defined, pass 0.
 * Tells the daemon there is nothing more to send and waits (up to 30 s)
 * until it confirms. Data still unread is discarded.
 * Returns: true when the daemon confirmed; false with @error set
 *   (for uploads: the daemon's error if it could not store the data).
 */
bool mv_stream_finish(MvStream *stream, unsigned int flags, GError **error);

/**
 * mv_stream_abort:
 * Cancels the stream without waiting; data in flight is dropped. Safe on a
 * stream that is already finished, failed or NULL.
 */
void mv_stream_abort(MvStream *stream);

/** mv_stream_ref: adds a reference to @stream; returns it. NULL is returned unchanged. */
MvStream *mv_stream_ref(MvStream *stream);

/**
 * mv_stream_unref:
 * Drops a reference. The last one aborts the stream if it was neither
 * finished nor aborted. NULL is fine.
 */
void mv_stream_unref(MvStream *stream);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvStream, mv_stream_unref)

G_END_DECLS
