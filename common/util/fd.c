/* File descriptor ownership helpers. */
#include "util/fd.h"

#include <errno.h>
#include <unistd.h>

void
mv_close_fdp(int *fdp)
{
    int saved = errno;

    if (*fdp >= 0) {
        /* Linux always releases the fd, even when close() fails with EINTR. */
        (void)close(*fdp);
        *fdp = -1;
    }
    errno = saved;
}

int
mv_steal_fd(int *fdp)
{
    int fd = *fdp;

    *fdp = -1;
    return fd;
}
