/* File descriptor ownership helpers (GLib 2.74 has no g_autofd). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/**
 * mv_close_fdp:
 * Closes *@fdp when it is >= 0 and sets it to -1; errno is preserved.
 * Used as the cleanup function of MV_AUTOCLOSE.
 */
void mv_close_fdp(int *fdp);

/**
 * mv_steal_fd:
 * Returns *@fdp and sets it to -1: ownership of the fd moves to the caller.
 */
int mv_steal_fd(int *fdp);

/* `MV_AUTOCLOSE int fd = -1;` closes fd when it goes out of scope. */
#define MV_AUTOCLOSE __attribute__((cleanup(mv_close_fdp)))

/**
 * mv_fd_write_all:
 * Writes all @len bytes of @data to the blocking @fd, retrying on EINTR and
 * short writes. Returns false with errno set when the fd fails (0 written
 * counts as a failure, errno EPIPE).
 */
bool mv_fd_write_all(int fd, const void *data, size_t len);
