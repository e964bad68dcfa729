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
