/* Network filter (nwfilter) and filter binding definitions: the parsed form of
 * schemas/nwfilter.rng and schemas/nwfilterbinding.rng, their canonical XML,
 * and the attribute table shared by the parser and the compiler
 * (nwfilter-compile.h). docs/filter.md, "Network filters". */
#pragma once

#include <glib.h>
#include <stdbool.h>

G_BEGIN_DECLS

typedef enum {
    MV_NWFILTER_ACTION_DROP,
    MV_NWFILTER_ACTION_REJECT,
    MV_NWFILTER_ACTION_ACCEPT,
    MV_NWFILTER_ACTION_RETURN,
    MV_NWFILTER_ACTION_CONTINUE,
} MvNWFilterAction;

typedef enum {
    MV_NWFILTER_DIR_IN,         /* towards the guest */
    MV_NWFILTER_DIR_OUT,        /* out of the guest */
    MV_NWFILTER_DIR_INOUT,
} MvNWFilterDirection;

/* What an attribute's value is (literal values are checked against it). */
typedef enum {
    MV_NWFILTER_VALUE_MAC,
    MV_NWFILTER_VALUE_IPV4,
    MV_NWFILTER_VALUE_IPV4MASK,     /* dotted mask or prefix length */
    MV_NWFILTER_VALUE_IPV6,
    MV_NWFILTER_VALUE_IPV6MASK,     /* mask or prefix length */
    MV_NWFILTER_VALUE_UINT,         /* decimal or 0x hex, at most the attribute's max */
    MV_NWFILTER_VALUE_PROTOID,      /* ether type: number or arp, rarp, ipv4, ipv6 */
    MV_NWFILTER_VALUE_L4PROTO,      /* IP protocol: number or name */
    MV_NWFILTER_VALUE_STATE,        /* NEW,ESTABLISHED,RELATED,INVALID,NONE */
    MV_NWFILTER_VALUE_TCPFLAGS,     /* MASK/SET, e.g. SYN,ACK/SYN */
    MV_NWFILTER_VALUE_OPCODE,       /* ARP opcode: number or name */
    MV_NWFILTER_VALUE_BOOL,
    MV_NWFILTER_VALUE_STRING,       /* comment */
    MV_NWFILTER_VALUE_IPSET,
    MV_NWFILTER_VALUE_IPSETFLAGS,
} MvNWFilterValueType;

typedef struct {
    const char *name;
    MvNWFilterValueType type;
    guint32 max;                    /* MV_NWFILTER_VALUE_UINT only */
} MvNWFilterAttrInfo;

typedef enum {
    MV_NWFILTER_LAYER_L2,           /* mac, vlan, stp, arp, rarp */
    MV_NWFILTER_LAYER_IP,           /* ip, ipv6: the header, no connection state */
    MV_NWFILTER_LAYER_L4,           /* tcp, udp, icmp, all, ... (with connection state) */
} MvNWFilterLayer;

typedef struct {
    const char *name;               /* the element: "tcp", "udp-ipv6", "icmpv6" ... */
    MvNWFilterLayer layer;
    int family;                     /* 0 (L2), 4 or 6 */
    const char *l4;                 /* nft protocol word ("tcp"), NULL for ip/ipv6/all */
    const MvNWFilterAttrInfo *attrs;    /* NULL-name terminated, canonical order */
} MvNWFilterProtoInfo;

/** mv_nwfilter_proto_find: the protocol element called @name, or NULL. */
const MvNWFilterProtoInfo *mv_nwfilter_proto_find(const char *name);

/** mv_nwfilter_proto_attr: attribute @name of @proto, or NULL. */
const MvNWFilterAttrInfo *mv_nwfilter_proto_attr(const MvNWFilterProtoInfo *proto,
                                                 const char *name);

/**
 * mv_nwfilter_value_check:
 * Checks a literal @value of attribute @attr; false with a message in @error
 * (MV_ERR_XML_DETAIL, MV_FROM_NWFILTER) that names @where, the attribute and the value.
 */
bool mv_nwfilter_value_check(const MvNWFilterAttrInfo *attr, const char *value,
                             const char *where, GError **error);

/**
 * mv_nwfilter_var_parse:
 * When @value is a variable reference ($NAME, $NAME[@N], $NAME[N]) sets
 * @ret_name (caller frees), @ret_iterator (N of [@N], else -1) and @ret_index
 * (N of [N], else -1) and returns true; false for a literal.
 */
bool mv_nwfilter_var_parse(const char *value, char **ret_name, int *ret_iterator,
                           int *ret_index);

typedef struct {
    char *name;
    char *value;
} MvNWFilterParam;

typedef struct {
    char *filter;
    GPtrArray *params;              /* MvNWFilterParam, in document order */
} MvNWFilterRef;

typedef struct {
    MvNWFilterAction action;
    MvNWFilterDirection direction;
    int priority;                   /* -1000..1000, default 500 */
    bool statematch;                /* default true */
    const MvNWFilterProtoInfo *proto;   /* NULL: the rule matches every frame */
    bool match_no;                  /* match='no': each attribute's match negated */
    GPtrArray *attrs;               /* MvNWFilterParam (name = attribute), canonical order */
} MvNWFilterRule;

typedef struct {
    MvNWFilterRule *rule;           /* one of rule, ref */
    MvNWFilterRef *ref;
} MvNWFilterEntry;

typedef struct {
    char *name;
    guint8 uuid[16];
    bool has_uuid;
    char *chain;                    /* "root", "arp", "ipv4-xyz" ... */
    int priority;                   /* the chain's priority */
    bool has_priority;
    GPtrArray *entries;             /* MvNWFilterEntry, in document order */
} MvNWFilterDef;

typedef struct {
    char *owner_name;
    guint8 owner_uuid[16];
    char *portdev;
    char *linkdev;                  /* optional */
    char *mac;                      /* lower case */
    MvNWFilterRef *filterref;
} MvNWFilterBindingDef;

void mv_nwfilter_ref_free(MvNWFilterRef *ref);
void mv_nwfilter_rule_free(MvNWFilterRule *rule);
void mv_nwfilter_def_free(MvNWFilterDef *def);
void mv_nwfilter_binding_def_free(MvNWFilterBindingDef *def);

/**
 * mv_nwfilter_def_parse:
 * Parses and validates filter XML (schemas/nwfilter.rng plus the checks the
 * schema cannot make). A filter without <uuid> keeps has_uuid false.
 */
MvNWFilterDef *mv_nwfilter_def_parse(const char *xml, GError **error);

/** mv_nwfilter_def_format: the canonical XML of @def. */
char *mv_nwfilter_def_format(const MvNWFilterDef *def);

/** mv_nwfilter_chain_default_priority: libvirt's default priority of a chain name. */
int mv_nwfilter_chain_default_priority(const char *chain);

/** mv_nwfilter_def_priority: the chain priority of @def (given or the default). */
int mv_nwfilter_def_priority(const MvNWFilterDef *def);

/** mv_nwfilter_binding_def_parse: parses and validates binding XML. */
MvNWFilterBindingDef *mv_nwfilter_binding_def_parse(const char *xml, GError **error);

/** mv_nwfilter_binding_def_format: the canonical XML of @def. */
char *mv_nwfilter_binding_def_format(const MvNWFilterBindingDef *def);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvNWFilterDef, mv_nwfilter_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvNWFilterBindingDef, mv_nwfilter_binding_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvNWFilterRef, mv_nwfilter_ref_free)

G_END_DECLS
