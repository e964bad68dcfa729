/* pidfd system calls, wrapped once. A pidfd names one process for its whole
 * life: signalling or polling it cannot hit a reused pid. */
#pragma once

#include <sys/types.h>

/**
 * mv_pidfd_open:
 * A new pidfd (close-on-exec) for @pid, or -1 with errno set (ENOSYS when the
 * kernel or libc headers lack pidfd_open, ESRCH when @pid does not exist).
 */
int mv_pidfd_open(pid_t pid);

/**
 * mv_pidfd_send_signal:
 * Sends @sig to the process of @pidfd. 0, or -1 with errno set (ESRCH once the
 * process exited, even if it is an unreaped zombie).
 */
int mv_pidfd_send_signal(int pidfd, int sig);
