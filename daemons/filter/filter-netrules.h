/* The network rule sets of modvirt-filterd (table inet modvirt): what
 * modvirt-networkd asks for over the private program, one network at a time.
 *
 * Layout (docs/filter.md): three base chains, each dispatching to one chain
 * per network and direction, so a network's rules are exactly its chains:
 *
 *   table inet modvirt
 *     chain input       hook input, priority filter (0), policy accept
 *                         iifname BR jump net-K-in
 *     chain forward     hook forward, priority filter (0), policy accept
 *                         iifname BR jump net-K-fwd; oifname BR jump net-K-fwd
 *     chain postrouting type nat, hook postrouting, priority srcnat (100)
 *                         jump net-K-nat
 *     chain net-K-in    DHCP / DNS / TFTP accepts on the bridge
 *     chain net-K-fwd   nat/route accepts, then reject in/out (isolated: reject only)
 *     chain net-K-nat   nat only: no masquerade to multicast/broadcast, masquerade
 *
 * K is the network's name when it is short and made of [A-Za-z0-9_.-] (nft
 * 1.0.6 takes no quoted chain names),
 * else "h" and 16 hex digits of its SHA-256. Every change is ONE transaction:
 * a network's change rewrites its own chains and the base chains' jumps; at
 * start, on repair, and when that is refused, the whole table is rebuilt
 * from the set of networks ("add table; delete table; add table ..."). So
 * the kernel holds exactly the rule sets of the networks filterd knows, and
 * a network removed takes exactly its chains with it. The set is persisted
 * in <run>/filter/networks/K.json before each transaction, so a restarted
 * filterd knows what it owns. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "filter-driver.h"
#include "filter-nft.h"

G_BEGIN_DECLS

typedef enum {
    MV_FILTER_FORWARD_ISOLATED = 0,
    MV_FILTER_FORWARD_NAT = 1,
    MV_FILTER_FORWARD_ROUTE = 2,
    MV_FILTER_FORWARD_OPEN = 3,
} MvFilterForward;

#define MV_FILTER_SERVICE_DHCP 1u
#define MV_FILTER_SERVICE_DNS 2u
#define MV_FILTER_SERVICE_TFTP 4u

typedef struct {
    char *address;          /* the bridge's address, "192.168.122.1" */
    guint prefix;           /* 24 */
} MvFilterNetIp;

/* One network's rule set request (plain fields; the private program's
 * mv_filter_private_network, the networkd side's MvNetworkFirewall). */
typedef struct {
    char *name;
    char *bridge;
    MvFilterForward forward;
    char *forward_dev;      /* NULL or "": any */
    MvFilterNetIp *ips;
    guint n_ips;
    char *nat_address_start;    /* NULL: masquerade */
    char *nat_address_end;
    guint nat_port_start;       /* 0 0: 1024-65535 */
    guint nat_port_end;
    bool nat_ipv6;
    guint services;             /* MV_FILTER_SERVICE_* */
} MvFilterNetwork;

void mv_filter_network_free(MvFilterNetwork *net);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvFilterNetwork, mv_filter_network_free)

/**
 * mv_filter_network_validate:
 * Checks every field (name, interface names, addresses, prefixes, the NAT
 * range's family and order, ports) with a message naming the field.
 */
bool mv_filter_network_validate(const MvFilterNetwork *net, GError **error);

/** mv_filter_network_key: the chain key K of @net's name (see above). Caller frees. */
char *mv_filter_network_key(const char *name);

/** mv_filter_network_to_json / _from_json: the persisted form. */
char *mv_filter_network_to_json(const MvFilterNetwork *net);
MvFilterNetwork *mv_filter_network_from_json(const char *text, GError **error);

/**
 * mv_filter_netrules_batch:
 * The one transaction that makes table inet modvirt hold exactly the rule sets
 * of @nets (MvFilterNetwork *, validated; any order): no table at all when
 * @nets is empty.
 */
char *mv_filter_netrules_batch(GPtrArray *nets);

/**
 * mv_filter_netrules_change_batch:
 * The one transaction that changes only what one network needs, given the
 * table holds the other networks of @nets as recorded: @changed's chains
 * (emptied and filled; those it no longer has deleted) or @removed's chains
 * deleted, and the base chains' jumps for all of @nets.
 */
char *mv_filter_netrules_change_batch(GPtrArray *nets, const MvFilterNetwork *changed,
                                      const char *removed);

typedef struct _MvFilterNetRules MvFilterNetRules;

/**
 * mv_filter_netrules_new:
 * The network rule sets of a daemon: @nft (borrowed) and @state_dir
 * (<run>/filter; its networks/ subdirectory is made). Loads what was
 * persisted and re-applies it in one transaction, so after a crash the
 * kernel holds what filterd last agreed to.
 */
MvFilterNetRules *mv_filter_netrules_new(MvFilterNft *nft, const char *state_dir,
                                         GError **error);
void mv_filter_netrules_free(MvFilterNetRules *rules);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvFilterNetRules, mv_filter_netrules_free)

/** mv_filter_netrules_apply: adds or replaces @net's rule set (takes @net). */
bool mv_filter_netrules_apply(MvFilterNetRules *rules, MvFilterNetwork *net, GError **error);

/** mv_filter_netrules_remove: removes the rule set of network @name (MV_ERR_NO_NETWORK). */
bool mv_filter_netrules_remove(MvFilterNetRules *rules, const char *name, GError **error);

/** mv_filter_netrules_reapply: rebuilds the table from what is known (repair). */
bool mv_filter_netrules_reapply(MvFilterNetRules *rules, GError **error);

/** mv_filter_netrules_owned_table: table inet modvirt as the doctor and watch see it. */
void mv_filter_netrules_owned_table(MvFilterNetRules *rules, MvFilterOwnedTable *ret_table);

/** mv_filter_netrules_names: the networks with a rule set, sorted. Free with g_strfreev. */
char **mv_filter_netrules_names(MvFilterNetRules *rules);

/**
 * mv_filter_netrules_expected:
 * The JSON listing of table inet modvirt recorded right after the last
 * transaction (a new reference), or NULL when the table is expected absent.
 */
JsonNode *mv_filter_netrules_expected(MvFilterNetRules *rules);

G_END_DECLS
