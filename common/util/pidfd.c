/* pidfd_open and pidfd_send_signal through syscall(2): glibc has no wrappers
 * for them on every system we build on. */
#include "util/pidfd.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

int
mv_pidfd_open(pid_t pid)
{
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    errno = ENOSYS;
    return -1;
#endif
}

int
mv_pidfd_send_signal(int pidfd, int sig)
{
#ifdef SYS_pidfd_send_signal
    return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
#else
    errno = ENOSYS;
    return -1;
#endif
}
