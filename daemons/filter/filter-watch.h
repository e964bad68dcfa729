/* Noticing that modvirt's tables vanished (`nft flush ruleset`, `nft delete
 * table inet modvirt`) and re-applying them at once.
 *
 * filterd joins the nftables netlink event group (NFNLGRP_NFTABLES on a
 * NETLINK_NETFILTER socket, plain netlink: no libmnl): every table deletion
 * in the namespace wakes it; a short debounce later it checks whether a
 * table it expects is missing and, if so, rebuilds it in one transaction.
 * Its own transactions delete and re-add the table too; the check then
 * finds the table present and does nothing. When the group cannot be
 * joined, a check every MV_FILTER_WATCH_POLL_S seconds stands in. */
#pragma once

#include <glib.h>

#include "filter-driver.h"

G_BEGIN_DECLS

#define MV_FILTER_WATCH_POLL_S 5
#define MV_FILTER_WATCH_DEBOUNCE_MS 50

/** mv_filter_watch_new: starts watching on the main context. */
MvFilterWatch *mv_filter_watch_new(MvFilterDriver *driver);

/** mv_filter_watch_free: stops; NULL is fine. */
void mv_filter_watch_free(MvFilterWatch *watch);

G_END_DECLS
