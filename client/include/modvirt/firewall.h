/* libmodvirt's firewall doctor: what modvirt-filterd finds when it compares
 * the kernel's modvirt tables (nftables) with what it expects, and the
 * repair. Local connections only (the call is filterd's private program,
 * which the proxy does not forward). docs/filter.md.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include <modvirt/connect.h>

G_BEGIN_DECLS

/* One difference. kind: "table-missing", "table-unexpected", "chain-missing",
 * "chain-extra", "chain-changed", "rule-missing", "rule-extra", "rule-changed",
 * "foreign-drop". table: "inet modvirt" or the foreign table; chain may be "". */
typedef struct {
    char *kind;
    char *table;
    char *chain;
    char *text;     /* one sentence */
} MvFirewallDifference;

/* Flags of mv_connect_firewall_check(). */
typedef enum {
    MV_FIREWALL_CHECK_REPAIR = 1u << 0,     /* re-apply modvirt's tables if they differ */
} MvFirewallCheckFlags;

/**
 * mv_connect_firewall_check:
 * Asks modvirt-filterd for every difference between the kernel and its rules
 * (read-only connections may check); with MV_FIREWALL_CHECK_REPAIR (read-write
 * connections) it also re-applies modvirt's own tables in one transaction and
 * returns what it found before. Foreign tables are never changed.
 * Returns: (transfer full) an array of MvFirewallDifference (empty when clean;
 *   g_ptr_array_unref() frees it all), or NULL with @error.
 */
GPtrArray *mv_connect_firewall_check(MvConnect *conn, unsigned int flags, GError **error);

G_END_DECLS
