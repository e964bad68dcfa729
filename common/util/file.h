/* Whole-file helpers: atomic replace, bounded read, mkdir -p, remove. */
#pragma once

#include <glib.h>
#include <stdbool.h>

G_BEGIN_DECLS

/**
 * mv_file_write_atomic:
 * Replaces @path with @len bytes of @data and file mode @mode: writes a temp file
 * in the same directory (O_EXCL, random suffix), fsyncs it, renames it over
 * @path and fsyncs the directory. After a crash @path holds either the old or
 * the new content. On failure the temp file is removed and @path is untouched,
 * except when only the final directory fsync fails: the new content is then in
 * place but might not survive a crash.
 * Returns false and sets @error (MV_ERR_SYSTEM_ERROR) on failure.
 */
bool mv_file_write_atomic(const char *path, const void *data, gsize len, int mode,
                          GError **error);

/**
 * mv_file_write_replace:
 * mv_file_write_atomic() when @durable; otherwise the same temp file + rename
 * without the fsyncs: a process killed at any moment still leaves the old or
 * the new content, but a host crash may lose the update. For state that does
 * not outlive the host anyway (live status under /run).
 */
bool mv_file_write_replace(const char *path, const void *data, gsize len, int mode,
                           bool durable, GError **error);

/**
 * mv_file_read_all:
 * Reads all of @path, which must be at most @max bytes, into *@ret_data
 * (NUL-terminated, caller frees) and its length into *@ret_len (may be NULL).
 * Returns false and sets @error (MV_ERR_SYSTEM_ERROR, or MV_ERR_READ_FAILED when
 * the file is larger than @max) without touching the out-params.
 */
bool mv_file_read_all(const char *path, gsize max, char **ret_data, gsize *ret_len,
                      GError **error);

/**
 * mv_file_mkdir_p:
 * Creates @path and its missing parents with @mode. An existing directory is
 * fine; an existing non-directory is an error (MV_ERR_SYSTEM_ERROR).
 */
bool mv_file_mkdir_p(const char *path, int mode, GError **error);

/**
 * mv_file_remove:
 * Unlinks the file @path; a missing file is not an error.
 * Returns false and sets @error (MV_ERR_SYSTEM_ERROR) on any other failure.
 */
bool mv_file_remove(const char *path, GError **error);

G_END_DECLS
