/* modvirt-filterd's process-wide state and its life: start (state directory,
 * nftables context, the rule sets it owns re-applied from run/filter), stop.
 *
 * Everything that writes netfilter rules goes through driver->nft (one
 * libnftables context, one transaction per change, see filter-nft.h). */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "daemon/daemon.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _MvFilterNft MvFilterNft;
typedef struct _MvFilterNetRules MvFilterNetRules;
typedef struct _MvFilterWatch MvFilterWatch;

/* A table modvirt owns, as its owner describes it to the doctor and to the
 * watch that restores vanished tables: network rules own "inet modvirt"
 * (filter-netrules.c); the nwfilter part registers "bridge modvirt". */
typedef struct {
    const char *family;             /* "inet", "bridge" */
    const char *name;               /* "modvirt" */
    /* The JSON listing ("nftables" array, with handles) recorded right after the
     * owner's last transaction on the table, a new reference; NULL when the
     * table is expected absent. */
    JsonNode *(*expected)(gpointer data);
    /* Whether the table is expected present: cheap, no listing (the idle hold and
     * the vanished-table watch ask after every change). NULL: expected != NULL. */
    bool (*present)(gpointer data);
    /* Rebuilds the whole table from the owner's state in ONE transaction (and
     * records the new expectation). */
    bool (*reapply)(gpointer data, GError **error);
    gpointer data;
} MvFilterOwnedTable;

/* Whether @table's owner expects it in the kernel now (without a listing when it can). */
bool mv_filter_owned_table_present(const MvFilterOwnedTable *table);

typedef struct {
    MvDaemon *daemon;
    char *state_dir;                /* <run>/filter: what filterd owns, for a restart */
    MvFilterNft *nft;               /* the only writer of netfilter rules */
    MvFilterNetRules *netrules;     /* the network rule sets (table inet modvirt) */
    MvFilterWatch *watch;           /* notices our tables vanishing (flush ruleset) */
    GArray *tables;                 /* MvFilterOwnedTable: what the doctor checks */
    GMutex hold_lock;
    bool held;                      /* an idle hold is taken (mv_daemon_hold_idle), see below */
    /* The nwfilter part's state (daemons/filter/nwfilter-*.c), NULL without it. */
    gpointer nwfilter;
} MvFilterDriver;

/**
 * mv_filter_driver_add_table:
 * Registers a table modvirt owns (copied), at start before serving: the
 * doctor compares it, the watch restores it when it vanishes.
 */
void mv_filter_driver_add_table(MvFilterDriver *driver, const MvFilterOwnedTable *table);

/**
 * mv_filter_driver_owned_changed:
 * Call after a change of what filterd owns. While any owned table is expected
 * in the kernel, filterd takes an idle hold (mv_daemon_hold_idle) so that the
 * daemon frame's idle exit (--timeout; the unit passes --timeout 120) does
 * not end the process that restores vanished tables; without rules it drops
 * the hold and may exit when idle.
 */
void mv_filter_driver_owned_changed(MvFilterDriver *driver);

/** mv_filter_driver_start: the descriptor's start hook. */
bool mv_filter_driver_start(MvDaemon *daemon, GError **error);

/** mv_filter_driver_stop: the descriptor's stop hook (leaves the kernel's rules in place). */
void mv_filter_driver_stop(MvDaemon *daemon);

/** mv_filter_driver_get: the driver of @daemon. */
MvFilterDriver *mv_filter_driver_get(MvDaemon *daemon);

G_END_DECLS
