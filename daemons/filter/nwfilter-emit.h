/* One protocol element with concrete values → nftables matches (bridge family). */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "nwfilter-conf.h"

G_BEGIN_DECLS

/**
 * mv_nwfilter_emit_matches:
 * Appends to @out (each match preceded by a blank) the matches of @proto with
 * the concrete @attrs (MvNWFilterParam), each negated when @neg (match='no').
 * With @reverse, the mirrored reply: source and destination swapped, only the
 * protocol, addresses and ports. Leaves out state, connlimit-above and comment
 * (the compiler's). False for an attribute the compiler does not support,
 * naming @where.
 */
bool mv_nwfilter_emit_matches(GString *out, const MvNWFilterProtoInfo *proto, bool neg,
                              const GPtrArray *attrs, bool reverse, const char *where,
                              GError **error);

G_END_DECLS
