/* The libnftables layer of modvirt-filterd: the only code of modvirt that
 * writes netfilter rules.
 *
 * One libnftables context per daemon, used under a lock. A change is one
 * buffer of nft commands run by one nft_run_cmd_from_buffer() call: libnftables
 * sends it as one netlink batch, which the kernel commits as a whole or not at
 * all (a failing command, a SIGKILL before the batch's end: nothing changes).
 * Callers only ever name the tables modvirt owns (MV_FILTER_NFT_TABLE_*);
 * reading is JSON (NFT_CTX_OUTPUT_JSON) parsed with json-glib, or the text
 * listing for goldens. docs/filter.md. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

G_BEGIN_DECLS

/* The tables modvirt owns (family, name): nothing else is ever written. */
#define MV_FILTER_NFT_TABLE_NAME "modvirt"
#define MV_FILTER_NFT_INET "inet modvirt"      /* network rules (filter-netrules.c) */
#define MV_FILTER_NFT_BRIDGE "bridge modvirt"  /* nwfilter's per-interface chains */

typedef struct _MvFilterNft MvFilterNft;

/** mv_filter_nft_new: a libnftables context, or NULL with @error. */
MvFilterNft *mv_filter_nft_new(GError **error);

/** mv_filter_nft_free: NULL is fine. */
void mv_filter_nft_free(MvFilterNft *nft);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvFilterNft, mv_filter_nft_free)

/**
 * mv_filter_nft_run:
 * Runs @commands (nft syntax, one command a line) as ONE transaction: on
 * failure nothing of it is in the kernel and @error carries nft's message
 * (MV_ERR_OPERATION_FAILED, "nftables refused the change: ..."). Thread-safe.
 */
bool mv_filter_nft_run(MvFilterNft *nft, const char *commands, GError **error);

/**
 * mv_filter_nft_run_echo:
 * Like mv_filter_nft_run() and also returns what the kernel added, with the
 * handles it gave (NFT_CTX_OUTPUT_ECHO, JSON): the "nftables" array of
 * {"add": {"table"|"chain"|"rule": {...}}} objects, in batch order; objects
 * added and deleted again in the same batch are listed too. Rule
 * expressions are in the form a listing gives. Free with json_node_unref().
 */
bool mv_filter_nft_run_echo(MvFilterNft *nft, const char *commands, JsonNode **ret_added,
                            GError **error);

/**
 * mv_filter_nft_check:
 * Like mv_filter_nft_run() in dry-run mode: parses and evaluates @commands
 * without sending them (kernel objects they reference must exist).
 */
bool mv_filter_nft_check(MvFilterNft *nft, const char *commands, GError **error);

/**
 * mv_filter_nft_list_text:
 * The text output of a list command (@command, e.g. "list table inet modvirt"),
 * stateless (no counter values). NULL with @error when nft fails (a missing
 * table too: ask mv_filter_nft_table_exists() first).
 */
char *mv_filter_nft_list_text(MvFilterNft *nft, const char *command, GError **error);

/**
 * mv_filter_nft_list_json:
 * The "nftables" array of the JSON output of @command with rule handles, or
 * NULL with @error. Free with json_node_unref().
 */
JsonNode *mv_filter_nft_list_json(MvFilterNft *nft, const char *command, GError **error);

/**
 * mv_filter_nft_table_exists:
 * Whether table @family @name (e.g. "inet", "modvirt") is in the kernel.
 */
bool mv_filter_nft_table_exists(MvFilterNft *nft, const char *family, const char *name,
                                bool *ret_exists, GError **error);

/**
 * mv_filter_nft_quote:
 * @s as a double-quoted nft string (chain names, comments, interface names).
 * Only characters nft accepts in a quoted string are allowed: letters, digits
 * and " _.-:+=@,/" ; anything else is refused by the callers' validation.
 */
char *mv_filter_nft_quote(const char *s);

G_END_DECLS
