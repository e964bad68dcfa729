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

bool
mv_fd_write_all(int fd, const void *data, size_t len)
{
    const char *p = data;

    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EPIPE;
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}
