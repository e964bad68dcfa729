/* Re-apply modvirt's tables when they vanish: nftables netlink events. */
#define MV_LOG_CATEGORY "filter"
#include "filter-watch.h"

#include <errno.h>
#include <glib-unix.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include "filter-nft.h"
#include "util/log.h"

struct _MvFilterWatch {
    MvFilterDriver *driver;
    int fd;
    guint fd_source;
    guint timer;            /* debounce, or the periodic check */
    bool polling;
};

/* Restores every owned table that is expected but gone. */
static void
check_now(MvFilterWatch *watch)
{
    MvFilterDriver *driver = watch->driver;

    for (guint i = 0; driver->tables && i < driver->tables->len; i++) {
        const MvFilterOwnedTable *t = &g_array_index(driver->tables, MvFilterOwnedTable, i);
        g_autoptr(GError) err = NULL;
        bool exists = true;

        if (!mv_filter_owned_table_present(t))
            continue;
        if (!mv_filter_nft_table_exists(driver->nft, t->family, t->name, &exists, &err)) {
            mv_log_warning("cannot list the tables: %s", err->message);
            return;
        }
        if (exists)
            continue;
        /* the owner rebuilds from its current state: a table it removed on purpose
         * meanwhile stays removed */
        if (!t->reapply(t->data, &err))
            mv_log_warning("cannot restore table %s %s: %s", t->family, t->name, err->message);
        else
            mv_log_warning("table %s %s vanished from the kernel (nft flush ruleset?): "
                           "re-applied", t->family, t->name);
    }
}

static gboolean
on_timer(gpointer data)
{
    MvFilterWatch *watch = data;

    check_now(watch);
    if (watch->polling)
        return G_SOURCE_CONTINUE;
    watch->timer = 0;
    return G_SOURCE_REMOVE;
}

static gboolean
on_event(int fd, GIOCondition cond, gpointer data)
{
    MvFilterWatch *watch = data;
    char buf[65536];
    bool deleted = false;
    ssize_t n;

    while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
             h = NLMSG_NEXT(h, n)) {
            if (NFNL_SUBSYS_ID(h->nlmsg_type) == NFNL_SUBSYS_NFTABLES &&
                (NFNL_MSG_TYPE(h->nlmsg_type) == NFT_MSG_DELTABLE ||
                 NFNL_MSG_TYPE(h->nlmsg_type) == NFT_MSG_DELCHAIN))
                deleted = true;
        }
    }
    if (n < 0 && errno == ENOBUFS)
        deleted = true;     /* events were lost: check anyway */
    if (deleted && !watch->timer)
        watch->timer = g_timeout_add(MV_FILTER_WATCH_DEBOUNCE_MS, on_timer, watch);
    return G_SOURCE_CONTINUE;
}

static int
open_events(void)
{
    struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
    int group = NFNLGRP_NFTABLES;
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_NETFILTER);

    if (fd < 0)
        return -1;
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0) {
        int saved = errno;

        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

MvFilterWatch *
mv_filter_watch_new(MvFilterDriver *driver)
{
    MvFilterWatch *watch = g_new0(MvFilterWatch, 1);

    watch->driver = driver;
    watch->fd = open_events();
    if (watch->fd >= 0) {
        watch->fd_source = g_unix_fd_add(watch->fd, G_IO_IN, on_event, watch);
        mv_log_debug("watching nftables events for vanished tables");
    } else {
        mv_log_warning("cannot join the nftables netlink events (%s): checking the tables "
                       "every %d s instead", g_strerror(errno), MV_FILTER_WATCH_POLL_S);
        watch->polling = true;
        watch->timer = g_timeout_add_seconds(MV_FILTER_WATCH_POLL_S, on_timer, watch);
    }
    return watch;
}

void
mv_filter_watch_free(MvFilterWatch *watch)
{
    if (!watch)
        return;
    if (watch->fd_source)
        g_source_remove(watch->fd_source);
    if (watch->timer)
        g_source_remove(watch->timer);
    if (watch->fd >= 0)
        close(watch->fd);
    g_free(watch);
}
