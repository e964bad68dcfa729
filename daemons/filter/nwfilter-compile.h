/* The nwfilter compiler: a filter tree plus variables in, nftables commands
 * out. Pure (no kernel, no files): filterd hands the text to libnftables in one
 * transaction (filter-nft.h); the goldens in tests/nwfilter2nft/ compare it.
 *
 * Layout in table `bridge modvirt` (docs/filter.md, "Network filters"):
 *   map nwf-out, nwf-in           ifname : verdict, one element per filtered port
 *   chain nwf-prerouting          hook prerouting: iifname vmap @nwf-out (frames out of
 *                                 the guest, entering the bridge from its tap)
 *   chain nwf-postrouting         hook postrouting: oifname vmap @nwf-in (frames
 *                                 leaving the bridge towards the tap)
 *   chain nwf-<dev>-o / -i        the port's root chains (out of / into the guest)
 *   chain nwf-<dev>-o-<chain>     its protocol sub-chains (arp, ipv4, mac-xyz...),
 *                                 entered from the root chain by ether type */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "nwfilter-conf.h"

G_BEGIN_DECLS

/* What the kernel offers in the bridge family (filterd probes it at start). */
typedef enum {
    /* nf_conntrack_bridge: statematch/state become `ct state` matches; without
     * it an accepting L4 rule also accepts the mirrored reply statelessly. */
    MV_NWFILTER_COMPILE_CONNTRACK = 1 << 0,
    /* nft_reject_bridge: reject out of the guest sends a reject; without it
     * (and always towards the guest) reject drops. */
    MV_NWFILTER_COMPILE_REJECT = 1 << 1,
} MvNWFilterCompileFlags;

/* Variables: a name and its list of values (a list makes one rule per value). */
typedef struct _MvNWFilterVars MvNWFilterVars;

MvNWFilterVars *mv_nwfilter_vars_new(void);
void mv_nwfilter_vars_free(MvNWFilterVars *vars);
/** mv_nwfilter_vars_add: appends @value to the list of @name. */
void mv_nwfilter_vars_add(MvNWFilterVars *vars, const char *name, const char *value);

/**
 * mv_nwfilter_vars_for_binding:
 * The variables a binding gives its filter: MAC (the port's address) and the
 * filterref's parameters (literal values; a repeated name is a list).
 */
MvNWFilterVars *mv_nwfilter_vars_for_binding(const MvNWFilterBindingDef *binding);

/* Finds a defined filter by name (borrowed), NULL when there is none. */
typedef const MvNWFilterDef *(*MvNWFilterLookup)(const char *name, gpointer user_data);

/**
 * mv_nwfilter_check_loops:
 * Walks the includes reachable from @def (the lookup resolving the others;
 * unknown filters are skipped) and fails naming the cycle
 * ("filter include loop: a -> b -> a") when one leads back.
 */
bool mv_nwfilter_check_loops(const MvNWFilterDef *def, MvNWFilterLookup lookup,
                             gpointer user_data, GError **error);

/**
 * mv_nwfilter_compile:
 * Compiles filter @filter with @vars for port device @ifname: the commands that
 * create the port's chains, fill them and add its map elements (run them after
 * mv_nwfilter_nft_base() and after removing the port's previous chains).
 * @ret_chains gets the names of the chains created (for mv_nwfilter_nft_remove()).
 * Errors name the filter and the variable or include at fault.
 */
char *mv_nwfilter_compile(const char *ifname, const char *filter, const MvNWFilterVars *vars,
                          MvNWFilterLookup lookup, gpointer user_data, unsigned int flags,
                          GStrv *ret_chains, GError **error);

/** mv_nwfilter_nft_base: commands creating the table's maps and base chains (idempotent). */
char *mv_nwfilter_nft_base(void);

/** mv_nwfilter_nft_remove: commands removing port @ifname's map elements and @chains. */
char *mv_nwfilter_nft_remove(const char *ifname, const char *const *chains);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvNWFilterVars, mv_nwfilter_vars_free)

G_END_DECLS
