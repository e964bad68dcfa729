/* libnftables: one context, one transaction per change, JSON for reading. */
#define MV_LOG_CATEGORY "filter"
#include "filter-nft.h"

#include <nftables/libnftables.h>
#include <string.h>

#include "util/error.h"
#include "util/log.h"

struct _MvFilterNft {
    GMutex lock;
    struct nft_ctx *ctx;
};

MvFilterNft *
mv_filter_nft_new(GError **error)
{
    MvFilterNft *nft;
    struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);

    if (!ctx) {
        mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_INTERNAL_ERROR,
                     "cannot create a libnftables context");
        return NULL;
    }
    if (nft_ctx_buffer_output(ctx) < 0 || nft_ctx_buffer_error(ctx) < 0) {
        nft_ctx_free(ctx);
        mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_INTERNAL_ERROR,
                     "cannot buffer libnftables output");
        return NULL;
    }
    nft = g_new0(MvFilterNft, 1);
    g_mutex_init(&nft->lock);
    nft->ctx = ctx;
    return nft;
}

void
mv_filter_nft_free(MvFilterNft *nft)
{
    if (!nft)
        return;
    nft_ctx_free(nft->ctx);
    g_mutex_clear(&nft->lock);
    g_free(nft);
}

/* nft's error buffer in one line: each "Error: ..." with the command it is
 * about, at most three of them. */
static char *
tidy_error(const char *buf)
{
    g_auto(GStrv) lines = g_strsplit(buf && *buf ? buf : "unknown error", "\n", -1);
    GString *out = g_string_new(NULL);
    guint shown = 0, more = 0;

    for (guint i = 0; lines[i]; i++) {
        if (!g_str_has_prefix(lines[i], "Error: "))
            continue;
        if (shown == 3) {
            more++;
            continue;
        }
        if (out->len)
            g_string_append(out, "; ");
        g_string_append(out, lines[i] + strlen("Error: "));
        if (lines[i + 1] && *g_strstrip(lines[i + 1]))
            g_string_append_printf(out, " (in '%s')", lines[i + 1]);
        shown++;
    }
    if (!out->len)
        g_string_append(out, g_strstrip(lines[0]));
    if (more)
        g_string_append_printf(out, "; and %u more", more);
    return g_string_free(out, FALSE);
}

/* Runs @commands with output @flags under the lock; the output buffer's copy
 * in @ret_output when wanted. Caller holds no lock. */
static bool
run_locked(MvFilterNft *nft, const char *commands, unsigned int flags, bool dry_run,
           char **ret_output, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&nft->lock);
    int rc;

    nft_ctx_output_set_flags(nft->ctx, flags);
    nft_ctx_set_dry_run(nft->ctx, dry_run);
    rc = nft_run_cmd_from_buffer(nft->ctx, commands);
    nft_ctx_set_dry_run(nft->ctx, false);
    if (rc != 0) {
        g_autofree char *msg = tidy_error(nft_ctx_get_error_buffer(nft->ctx));

        /* reading the output buffer resets it for the next call */
        (void)nft_ctx_get_output_buffer(nft->ctx);
        mv_log_debug("nft failed: %s", msg);
        return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_OPERATION_FAILED,
                            "nftables refused the change: %s", msg);
    }
    (void)nft_ctx_get_error_buffer(nft->ctx);
    if (ret_output)
        *ret_output = g_strdup(nft_ctx_get_output_buffer(nft->ctx));
    else
        (void)nft_ctx_get_output_buffer(nft->ctx);
    return true;
}

bool
mv_filter_nft_run(MvFilterNft *nft, const char *commands, GError **error)
{
    return run_locked(nft, commands, 0, false, NULL, error);
}

/* The "nftables" array of a JSON output (NULL with @error). */
static JsonNode *
parse_output(const char *out, const char *what, GError **error)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) err = NULL;
    JsonNode *root;
    JsonObject *obj;

    if (!out || !*out) {   /* nothing to say: an empty array */
        JsonNode *empty = json_node_new(JSON_NODE_ARRAY);

        json_node_take_array(empty, json_array_new());
        return empty;
    }
    if (!json_parser_load_from_data(parser, out, -1, &err) || !(root = json_parser_get_root(parser))
        || !JSON_NODE_HOLDS_OBJECT(root) || !(obj = json_node_get_object(root)) ||
        !json_object_has_member(obj, "nftables") ||
        !JSON_NODE_HOLDS_ARRAY(json_object_get_member(obj, "nftables"))) {
        mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_INTERNAL_ERROR,
                     "cannot read the JSON output of '%s': %s", what,
                     err ? err->message : "no \"nftables\" array");
        return NULL;
    }
    return json_node_ref(json_object_get_member(obj, "nftables"));
}

bool
mv_filter_nft_run_echo(MvFilterNft *nft, const char *commands, JsonNode **ret_added,
                       GError **error)
{
    g_autofree char *out = NULL;
    JsonNode *added;

    if (!run_locked(nft, commands, NFT_CTX_OUTPUT_ECHO | NFT_CTX_OUTPUT_JSON |
                    NFT_CTX_OUTPUT_HANDLE, false, &out, error))
        return false;
    /* the transaction is in: a garbled echo is an internal error of ours only */
    if (!(added = parse_output(out, "a transaction", error)))
        return false;
    *ret_added = added;
    return true;
}

bool
mv_filter_nft_check(MvFilterNft *nft, const char *commands, GError **error)
{
    return run_locked(nft, commands, 0, true, NULL, error);
}

char *
mv_filter_nft_list_text(MvFilterNft *nft, const char *command, GError **error)
{
    char *out = NULL;

    if (!run_locked(nft, command, NFT_CTX_OUTPUT_STATELESS, false, &out, error))
        return NULL;
    return out;
}

JsonNode *
mv_filter_nft_list_json(MvFilterNft *nft, const char *command, GError **error)
{
    g_autofree char *out = NULL;

    if (!run_locked(nft, command, NFT_CTX_OUTPUT_JSON | NFT_CTX_OUTPUT_HANDLE, false, &out,
                    error))
        return NULL;
    return parse_output(out, command, error);
}

bool
mv_filter_nft_table_exists(MvFilterNft *nft, const char *family, const char *name,
                           bool *ret_exists, GError **error)
{
    g_autofree char *cmd = g_strdup_printf("list tables %s", family);
    g_autoptr(JsonNode) list = mv_filter_nft_list_json(nft, cmd, error);
    JsonArray *arr;

    if (!list)
        return false;
    arr = json_node_get_array(list);
    for (guint i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *item = json_array_get_object_element(arr, i);
        JsonObject *table;

        if (!item || !json_object_has_member(item, "table"))
            continue;
        table = json_object_get_object_member(item, "table");
        if (g_strcmp0(json_object_get_string_member_with_default(table, "name", ""), name) == 0 &&
            g_strcmp0(json_object_get_string_member_with_default(table, "family", ""),
                      family) == 0) {
            *ret_exists = true;
            return true;
        }
    }
    *ret_exists = false;
    return true;
}

char *
mv_filter_nft_quote(const char *s)
{
    return g_strdup_printf("\"%s\"", s);
}
