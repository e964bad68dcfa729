/* The firewall doctor: compares the kernel's modvirt tables with what
 * filterd expects (the listing recorded right after its last transaction)
 * and names every difference; repair re-applies in one transaction.
 *
 * Kinds of difference (MvFilterDifference.kind):
 *   table-missing     an expected table is gone (nft flush ruleset, nft delete table)
 *   table-unexpected  our table exists though filterd expects none
 *   chain-missing / chain-extra / chain-changed (a base chain's type, hook,
 *                     priority or policy)
 *   rule-missing / rule-extra / rule-changed (matched by rule handle: an edited
 *                     rule keeps its handle, `nft replace rule`)
 *   foreign-drop      another table's base chain on the same hook, at the same or
 *                     an earlier priority, drops (policy drop, or a drop/reject rule)
 * docs/filter.md, "The doctor". */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

#include "filter-driver.h"

G_BEGIN_DECLS

typedef struct {
    char *kind;
    char *table;        /* "inet modvirt", "ip foreign" */
    char *chain;        /* NULL for a table */
    char *text;         /* a sentence for people */
} MvFilterDifference;

void mv_filter_difference_free(MvFilterDifference *diff);

/**
 * mv_filter_doctor_compare:
 * Appends to @diffs (MvFilterDifference) how @actual differs from @expected,
 * both the "nftables" array of a JSON listing of table @table ("inet
 * modvirt") with handles, either NULL for "no such table".
 */
void mv_filter_doctor_compare(const char *table, JsonNode *expected, JsonNode *actual,
                              GPtrArray *diffs);

/**
 * mv_filter_doctor_foreign:
 * Appends a foreign-drop difference for each base chain of a table other than
 * modvirt's in @ruleset (a JSON listing of the whole ruleset) that can drop
 * packets on a hook of @ours (a JSON listing of our table) before or together
 * with our chain there.
 */
void mv_filter_doctor_foreign(JsonNode *ruleset, JsonNode *ours, GPtrArray *diffs);

/**
 * mv_filter_doctor_check:
 * Every difference between the kernel and filterd's expectation, a new array
 * (empty when clean), or NULL with @error when the kernel cannot be read.
 */
GPtrArray *mv_filter_doctor_check(MvFilterDriver *driver, GError **error);

/**
 * mv_filter_doctor_repair:
 * Checks, then re-applies modvirt's tables when anything of ours differs (one
 * transaction per table); foreign tables are never touched (their
 * differences stay reported). Returns what was found before the repair.
 */
GPtrArray *mv_filter_doctor_repair(MvFilterDriver *driver, GError **error);

G_END_DECLS
