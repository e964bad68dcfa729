/* The network rule sets (table inet modvirt): validation, the transaction
 * text, persistence under <run>/filter/networks. */
#define MV_LOG_CATEGORY "filter"
#include "filter-netrules.h"

#include <gio/gio.h>
#include <signal.h>
#include <string.h>

#include "util/error.h"
#include "util/file.h"
#include "util/log.h"

#define KEY_MAX 200
#define IFNAME_MAX 15
#define STATE_FILE_MAX (1024 * 1024)

void
mv_filter_network_free(MvFilterNetwork *net)
{
    if (!net)
        return;
    g_free(net->name);
    g_free(net->bridge);
    g_free(net->forward_dev);
    for (guint i = 0; i < net->n_ips; i++)
        g_free(net->ips[i].address);
    g_free(net->ips);
    g_free(net->nat_address_start);
    g_free(net->nat_address_end);
    g_free(net);
}

/* ---- validation ---- */

static bool
key_char_ok(char c)
{
    return g_ascii_isalnum(c) || strchr("_.-", c);
}

char *
mv_filter_network_key(const char *name)
{
    g_autofree char *sum = NULL;
    bool plain = *name && strlen(name) <= KEY_MAX;

    for (const char *p = name; plain && *p; p++)
        plain = key_char_ok(*p);
    if (plain)
        return g_strdup(name);
    sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, name, -1);
    return g_strdup_printf("h%.16s", sum);
}

static bool
ifname_ok(const char *s)
{
    if (!s || !*s || strlen(s) > IFNAME_MAX || g_str_equal(s, ".") || g_str_equal(s, ".."))
        return false;
    for (const char *p = s; *p; p++) {
        if (!g_ascii_isgraph(*p) || *p == '/' || *p == '"' || *p == '\\' || *p == ':')
            return false;
    }
    return true;
}

static GInetAddress *
parse_address(const char *s)
{
    return s && *s ? g_inet_address_new_from_string(s) : NULL;
}

bool
mv_filter_network_validate(const MvFilterNetwork *net, GError **error)
{
    g_autoptr(GInetAddress) start = NULL;
    g_autoptr(GInetAddress) end = NULL;

    if (!net->name || !*net->name || strchr(net->name, '/') || strchr(net->name, '\n'))
        return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_INVALID_ARG,
                            "network name '%s' is not usable: it must be non-empty, without "
                            "'/' or newlines", net->name ? net->name : "");
    if (!ifname_ok(net->bridge))
        return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_INVALID_ARG,
                            "network '%s': bridge name '%s' is not a valid interface name "
                            "(1-15 printable characters, no '/', ':', '\"')", net->name,
                            net->bridge ? net->bridge : "");
    if (net->forward_dev && *net->forward_dev && !ifname_ok(net->forward_dev))
        return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_INVALID_ARG,
                            "network '%s': forward device '%s' is not a valid interface name",
                            net->name, net->forward_dev);
    if (net->forward > MV_FILTER_FORWARD_OPEN)
        return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_INVALID_ARG,
                            "network '%s': unknown forward mode %d (isolated 0, nat 1, "
                            "route 2, open 3)", net->name, (int)net->forward);
    for (guint i = 0; i < net->n_ips; i++) {
        g_autoptr(GInetAddress) addr = parse_address(net->ips[i].address);
        guint max;

        if (!addr)
            return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_INVALID_ARG,
                                "network '%s': '%s' is not an IP address", net->name,
                                net->ips[i].address ? net->ips[i].address : "");
        max = g_inet_address_get_family(addr) == G_SOCKET_FAMILY_IPV4 ? 32 : 128;
        if (net->ips[i].prefix == 0 || net->ips[i].prefix > max)
            return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_INVALID_ARG,
                                "network '%s': prefix %u of %s is out of range (1-%u)",
                                net->name, net->ips[i].prefix, net->ips[i].address, max);
    }
    if ((net->nat_address_start && *net->nat_address_start) !=
        (net->nat_address_end && *net->nat_address_end))
        return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_INVALID_ARG,
                            "network '%s': the NAT address range needs both start and end",
                            net->name);
    if (net->nat_address_start && *net->nat_address_start) {
        start = parse_address(net->nat_address_start);
        end = parse_address(net->nat_address_end);
        if (!start || !end || g_inet_address_get_family(start) != G_SOCKET_FAMILY_IPV4 ||
            g_inet_address_get_family(end) != G_SOCKET_FAMILY_IPV4)
            return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_INVALID_ARG,
                                "network '%s': NAT address range %s-%s must be two IPv4 "
                                "addresses", net->name, net->nat_address_start,
                                net->nat_address_end);
        if (memcmp(g_inet_address_to_bytes(start), g_inet_address_to_bytes(end), 4) > 0)
            return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_INVALID_ARG,
                                "network '%s': NAT address range start %s is after its end %s",
                                net->name, net->nat_address_start, net->nat_address_end);
    }
    if ((net->nat_port_start || net->nat_port_end) &&
        (net->nat_port_start == 0 || net->nat_port_end > 65535 ||
         net->nat_port_start > net->nat_port_end))
        return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_INVALID_ARG,
                            "network '%s': NAT port range %u-%u is invalid (1-65535, start "
                            "<= end)", net->name, net->nat_port_start, net->nat_port_end);
    return true;
}

/* ---- the transaction text ---- */

/* "192.168.122.0/24" for address/prefix; "ip" or "ip6" in *@ret_family. */
static char *
subnet_of(const MvFilterNetIp *ip, const char **ret_family)
{
    g_autoptr(GInetAddress) addr = g_inet_address_new_from_string(ip->address);
    g_autoptr(GInetAddress) masked = NULL;
    gsize len = g_inet_address_get_native_size(addr);
    guint8 bytes[16];
    g_autofree char *text = NULL;

    memcpy(bytes, g_inet_address_to_bytes(addr), len);
    for (gsize i = 0; i < len; i++) {
        guint bits = ip->prefix > i * 8 ? MIN(ip->prefix - i * 8, 8) : 0;

        bytes[i] &= (guint8)(0xff00 >> bits);
    }
    masked = g_inet_address_new_from_bytes(bytes, g_inet_address_get_family(addr));
    text = g_inet_address_to_string(masked);
    *ret_family = len == 4 ? "ip" : "ip6";
    return g_strdup_printf("%s/%u", text, ip->prefix);
}

#define T "inet modvirt"

static void
add_rule(GString *out, const char *chain, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void
add_rule(GString *out, const char *chain, const char *fmt, ...)
{
    va_list ap;

    g_string_append_printf(out, "add rule " T " %s ", chain);
    va_start(ap, fmt);
    g_string_append_vprintf(out, fmt, ap);
    va_end(ap);
    g_string_append_c(out, '\n');
}

static bool
has_family(const MvFilterNetwork *net, bool v6)
{
    for (guint i = 0; i < net->n_ips; i++) {
        if ((strchr(net->ips[i].address, ':') != NULL) == v6)
            return true;
    }
    return false;
}

static void
input_rules(GString *out, const MvFilterNetwork *net, const char *chain)
{
    if ((net->services & MV_FILTER_SERVICE_DHCP) && has_family(net, false))
        add_rule(out, chain, "udp dport 67 accept");
    if ((net->services & MV_FILTER_SERVICE_DHCP) && has_family(net, true))
        add_rule(out, chain, "udp dport 547 accept");
    /* no anonymous sets ({ tcp, udp }): libnftables 1.0.6 echoes their elements
     * twice on a change, and the echo is the doctor's expectation */
    if (net->services & MV_FILTER_SERVICE_DNS) {
        add_rule(out, chain, "tcp dport 53 accept");
        add_rule(out, chain, "udp dport 53 accept");
    }
    if (net->services & MV_FILTER_SERVICE_TFTP)
        add_rule(out, chain, "udp dport 69 accept");
}

static bool
nat_family(const MvFilterNetwork *net, const char *family)
{
    return net->forward == MV_FILTER_FORWARD_NAT &&
           (g_str_equal(family, "ip") || net->nat_ipv6);
}

static void
forward_rules(GString *out, const MvFilterNetwork *net, const char *chain, const char *br)
{
    g_autofree char *in_dev = NULL;
    g_autofree char *out_dev = NULL;

    if (net->forward_dev && *net->forward_dev) {
        in_dev = g_strdup_printf("iifname \"%s\" ", net->forward_dev);
        out_dev = g_strdup_printf("oifname \"%s\" ", net->forward_dev);
    }
    if (net->forward == MV_FILTER_FORWARD_NAT || net->forward == MV_FILTER_FORWARD_ROUTE) {
        for (guint i = 0; i < net->n_ips; i++) {
            const char *fam;
            g_autofree char *subnet = subnet_of(&net->ips[i], &fam);

            /* back in: only answers to what left, when the subnet is hidden by NAT */
            add_rule(out, chain, "%soifname %s %s daddr %s %saccept", in_dev ? in_dev : "", br,
                     fam, subnet, nat_family(net, fam) ? "ct state established,related " : "");
            add_rule(out, chain, "iifname %s %s%s saddr %s accept", br, out_dev ? out_dev : "",
                     fam, subnet);
        }
    }
    add_rule(out, chain, "iifname %s oifname %s accept", br, br);
    add_rule(out, chain, "iifname %s reject", br);
    add_rule(out, chain, "oifname %s reject", br);
}

static const char *const L4[] = { "tcp", "udp" };

static void
nat_rules(GString *out, const MvFilterNetwork *net, const char *chain)
{
    g_autofree char *out_dev = NULL;
    g_autofree char *ports = NULL;
    guint pstart = net->nat_port_start ? net->nat_port_start : 1024;
    guint pend = net->nat_port_start ? net->nat_port_end : 65535;
    bool range = net->nat_address_start && *net->nat_address_start;

    if (net->forward_dev && *net->forward_dev)
        out_dev = g_strdup_printf("oifname \"%s\" ", net->forward_dev);
    ports = g_strdup_printf("%u-%u", pstart, pend);
    for (guint i = 0; i < net->n_ips; i++) {
        const char *fam;
        g_autofree char *subnet = subnet_of(&net->ips[i], &fam);
        const char *od = out_dev ? out_dev : "";
        bool v4 = g_str_equal(fam, "ip");

        if (!nat_family(net, fam))
            continue;
        /* multicast and broadcast are never masqueraded */
        add_rule(out, chain, "%s saddr %s %s daddr %s return", fam, subnet, fam,
                 v4 ? "224.0.0.0/24" : "ff00::/8");
        if (v4)
            add_rule(out, chain, "ip saddr %s ip daddr 255.255.255.255 return", subnet);
        for (guint p = 0; p < G_N_ELEMENTS(L4); p++) {
            if (range && v4)
                add_rule(out, chain, "%sip saddr %s ip daddr != %s meta l4proto %s snat ip to "
                         "%s-%s:%s", od, subnet, subnet, L4[p], net->nat_address_start,
                         net->nat_address_end, ports);
            else
                add_rule(out, chain, "%s%s saddr %s %s daddr != %s meta l4proto %s masquerade "
                         "to :%s", od, fam, subnet, fam, subnet, L4[p], ports);
        }
        if (range && v4)
            add_rule(out, chain, "%sip saddr %s ip daddr != %s snat ip to %s-%s", od, subnet,
                     subnet, net->nat_address_start, net->nat_address_end);
        else
            add_rule(out, chain, "%s%s saddr %s %s daddr != %s masquerade", od, fam, subnet,
                     fam, subnet);
    }
}

static int
compare_names(gconstpointer a, gconstpointer b)
{
    const MvFilterNetwork *na = *(MvFilterNetwork *const *)a;
    const MvFilterNetwork *nb = *(MvFilterNetwork *const *)b;

    return strcmp(na->name, nb->name);
}

#define BASE_CHAINS \
    "add chain " T " input { type filter hook input priority filter; policy accept; }\n" \
    "add chain " T " forward { type filter hook forward priority filter; policy accept; }\n" \
    "add chain " T " postrouting { type nat hook postrouting priority srcnat; " \
    "policy accept; }\n"

static const char *const SUFFIXES[] = { "in", "fwd", "nat" };
static const char *const BASE_NAMES[] = { "input", "forward", "postrouting" };

/* Whether @net has its chain of @suffix. */
static bool
has_chain(const MvFilterNetwork *net, const char *suffix)
{
    if (g_str_equal(suffix, "fwd"))
        return net->forward != MV_FILTER_FORWARD_OPEN;
    if (g_str_equal(suffix, "nat"))
        return net->forward == MV_FILTER_FORWARD_NAT;
    return true;
}

/* @net's chains and rules into @out (@fresh: the table is new, no flush needed;
 * otherwise chains it no longer has are deleted, those it has are emptied). */
static void
network_chains(GString *out, const MvFilterNetwork *net, bool fresh)
{
    g_autofree char *key = mv_filter_network_key(net->name);
    g_autofree char *br = mv_filter_nft_quote(net->bridge);

    for (guint s = 0; s < G_N_ELEMENTS(SUFFIXES); s++) {
        g_autofree char *chain = g_strdup_printf("net-%s-%s", key, SUFFIXES[s]);

        if (!has_chain(net, SUFFIXES[s])) {
            if (!fresh)
                g_string_append_printf(out, "add chain " T " %s\ndelete chain " T " %s\n",
                                       chain, chain);
            continue;
        }
        g_string_append_printf(out, "add chain " T " %s\n", chain);
        if (!fresh)
            g_string_append_printf(out, "flush chain " T " %s\n", chain);
        if (s == 0)
            input_rules(out, net, chain);
        else if (s == 1)
            forward_rules(out, net, chain, br);
        else
            nat_rules(out, net, chain);
    }
}

/* The base chains' jumps to the chains of every network of @sorted. */
static void
dispatch_rules(GString *out, GPtrArray *sorted)
{
    for (guint i = 0; i < sorted->len; i++) {
        const MvFilterNetwork *net = sorted->pdata[i];
        g_autofree char *key = mv_filter_network_key(net->name);
        g_autofree char *br = mv_filter_nft_quote(net->bridge);

        add_rule(out, "input", "iifname %s jump net-%s-in", br, key);
        if (has_chain(net, "fwd")) {
            add_rule(out, "forward", "iifname %s jump net-%s-fwd", br, key);
            add_rule(out, "forward", "oifname %s jump net-%s-fwd", br, key);
        }
        if (has_chain(net, "nat"))
            add_rule(out, "postrouting", "jump net-%s-nat", key);
    }
}

static GPtrArray *
sorted_copy(GPtrArray *nets)
{
    GPtrArray *sorted = g_ptr_array_new();

    for (guint i = 0; nets && i < nets->len; i++)
        g_ptr_array_add(sorted, nets->pdata[i]);
    g_ptr_array_sort(sorted, compare_names);
    return sorted;
}

char *
mv_filter_netrules_batch(GPtrArray *nets)
{
    GString *out = g_string_new("add table " T "\ndelete table " T "\n");
    g_autoptr(GPtrArray) sorted = sorted_copy(nets);

    if (sorted->len == 0)
        return g_string_free(out, FALSE);
    g_string_append(out, "add table " T "\n" BASE_CHAINS);
    for (guint i = 0; i < sorted->len; i++)
        network_chains(out, sorted->pdata[i], true);
    dispatch_rules(out, sorted);
    return g_string_free(out, FALSE);
}

char *
mv_filter_netrules_change_batch(GPtrArray *nets, const MvFilterNetwork *changed,
                                const char *removed)
{
    g_autoptr(GPtrArray) sorted = sorted_copy(nets);
    GString *out;

    if (sorted->len == 0)
        return mv_filter_netrules_batch(nets);
    out = g_string_new("add table " T "\n" BASE_CHAINS "flush chain " T " input\n"
                       "flush chain " T " forward\nflush chain " T " postrouting\n");
    if (removed) {
        g_autofree char *key = mv_filter_network_key(removed);

        for (guint s = 0; s < G_N_ELEMENTS(SUFFIXES); s++)
            g_string_append_printf(out, "add chain " T " net-%s-%s\n"
                                   "delete chain " T " net-%s-%s\n", key, SUFFIXES[s], key,
                                   SUFFIXES[s]);
    }
    if (changed)
        network_chains(out, changed, false);
    dispatch_rules(out, sorted);
    return g_string_free(out, FALSE);
}

/* ---- persistence ---- */

char *
mv_filter_network_to_json(const MvFilterNetwork *net)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    g_autoptr(JsonNode) root = NULL;

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "name");
    json_builder_add_string_value(b, net->name);
    json_builder_set_member_name(b, "bridge");
    json_builder_add_string_value(b, net->bridge);
    json_builder_set_member_name(b, "forward");
    json_builder_add_int_value(b, net->forward);
    json_builder_set_member_name(b, "forward_dev");
    json_builder_add_string_value(b, net->forward_dev ? net->forward_dev : "");
    json_builder_set_member_name(b, "ips");
    json_builder_begin_array(b);
    for (guint i = 0; i < net->n_ips; i++) {
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "address");
        json_builder_add_string_value(b, net->ips[i].address);
        json_builder_set_member_name(b, "prefix");
        json_builder_add_int_value(b, net->ips[i].prefix);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_set_member_name(b, "nat_address_start");
    json_builder_add_string_value(b, net->nat_address_start ? net->nat_address_start : "");
    json_builder_set_member_name(b, "nat_address_end");
    json_builder_add_string_value(b, net->nat_address_end ? net->nat_address_end : "");
    json_builder_set_member_name(b, "nat_port_start");
    json_builder_add_int_value(b, net->nat_port_start);
    json_builder_set_member_name(b, "nat_port_end");
    json_builder_add_int_value(b, net->nat_port_end);
    json_builder_set_member_name(b, "nat_ipv6");
    json_builder_add_boolean_value(b, net->nat_ipv6);
    json_builder_set_member_name(b, "services");
    json_builder_add_int_value(b, net->services);
    json_builder_end_object(b);
    root = json_builder_get_root(b);
    return json_to_string(root, TRUE);
}

static char *
opt_string(JsonObject *o, const char *member)
{
    const char *s = json_object_get_string_member_with_default(o, member, "");

    return *s ? g_strdup(s) : NULL;
}

MvFilterNetwork *
mv_filter_network_from_json(const char *text, GError **error)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(MvFilterNetwork) net = NULL;
    g_autoptr(GError) err = NULL;
    JsonNode *root;
    JsonObject *o;
    JsonArray *ips;

    if (!json_parser_load_from_data(parser, text, -1, &err) ||
        !(root = json_parser_get_root(parser)) || !JSON_NODE_HOLDS_OBJECT(root)) {
        mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_INTERNAL_ERROR, "not a JSON object: %s",
                     err ? err->message : "empty");
        return NULL;
    }
    o = json_node_get_object(root);
    net = g_new0(MvFilterNetwork, 1);
    net->name = opt_string(o, "name");
    net->bridge = opt_string(o, "bridge");
    net->forward = (MvFilterForward)json_object_get_int_member_with_default(o, "forward", 0);
    net->forward_dev = opt_string(o, "forward_dev");
    ips = json_object_has_member(o, "ips") ? json_object_get_array_member(o, "ips") : NULL;
    net->n_ips = ips ? json_array_get_length(ips) : 0;
    net->ips = g_new0(MvFilterNetIp, net->n_ips);
    for (guint i = 0; i < net->n_ips; i++) {
        JsonObject *ip = json_array_get_object_element(ips, i);

        net->ips[i].address = ip ? opt_string(ip, "address") : NULL;
        net->ips[i].prefix = ip ? json_object_get_int_member_with_default(ip, "prefix", 0) : 0;
    }
    net->nat_address_start = opt_string(o, "nat_address_start");
    net->nat_address_end = opt_string(o, "nat_address_end");
    net->nat_port_start = json_object_get_int_member_with_default(o, "nat_port_start", 0);
    net->nat_port_end = json_object_get_int_member_with_default(o, "nat_port_end", 0);
    net->nat_ipv6 = json_object_get_boolean_member_with_default(o, "nat_ipv6", FALSE);
    net->services = json_object_get_int_member_with_default(o, "services", 0);
    if (!mv_filter_network_validate(net, error))
        return NULL;
    return g_steal_pointer(&net);
}

/* ---- the daemon's state ---- */

struct _MvFilterNetRules {
    GMutex lock;                /* one change at a time; the table follows the set */
    MvFilterNft *nft;
    char *dir;                  /* <run>/filter/networks */
    GHashTable *nets;           /* name -> MvFilterNetwork */
    JsonNode *expected;         /* listing after the last transaction; NULL: no table */
};

static char *
state_path(MvFilterNetRules *rules, const char *name)
{
    g_autofree char *key = mv_filter_network_key(name);
    g_autofree char *file = g_strdup_printf("%s.json", key);

    return g_build_filename(rules->dir, file, NULL);
}

/* The test fault points of a network apply: MV_TEST_CRASH_AT=<point> kills
 * filterd there (netrules-before-commit: the state file is written, the
 * transaction not sent; netrules-after-commit: the kernel has the new rules,
 * no reply was sent). */
static void
fault_point(const char *point)
{
    const char *at = g_getenv("MV_TEST_CRASH_AT");

    if (at && g_str_equal(at, point)) {
        mv_log_info("MV_TEST_CRASH_AT=%s: killing myself", point);
        raise(SIGKILL);
    }
}

/* The names of @net's chains: the ones it has into @has, the others into @lacks. */
static void
chain_names(const char *name, const MvFilterNetwork *net, GHashTable *has, GHashTable *lacks)
{
    g_autofree char *key = mv_filter_network_key(name);

    for (guint s = 0; s < G_N_ELEMENTS(SUFFIXES); s++) {
        char *chain = g_strdup_printf("net-%s-%s", key, SUFFIXES[s]);

        g_hash_table_add(net && has_chain(net, SUFFIXES[s]) ? has : lacks, chain);
    }
}

static JsonObject *
member_object(JsonObject *o, const char *member)
{
    JsonNode *n = json_object_get_member(o, member);

    return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

/* The new expectation: the objects of @old (a listing's array, may be NULL)
 * minus the rules of @flushed chains and the @deleted chains with their rules
 * (NULL sets: the whole @old goes), plus what the transaction @added (its
 * echo), chains replaced by name. */
static JsonNode *
expected_update(JsonNode *old, GHashTable *flushed, GHashTable *deleted, JsonNode *added)
{
    JsonArray *out = json_array_new();
    JsonArray *prev = old && flushed ? json_node_get_array(old) : NULL;
    JsonArray *echo = json_node_get_array(added);
    g_autoptr(GHashTable) chain_at = g_hash_table_new(g_str_hash, g_str_equal);
    JsonNode *node;

    for (guint i = 0; prev && i < json_array_get_length(prev); i++) {
        JsonObject *o = json_array_get_object_element(prev, i);
        JsonObject *c = o ? member_object(o, "chain") : NULL;
        JsonObject *r = o ? member_object(o, "rule") : NULL;

        if (c) {
            const char *name = json_object_get_string_member_with_default(c, "name", "");

            if (g_hash_table_contains(deleted, name))
                continue;
            g_hash_table_insert(chain_at, (gpointer)name,
                                GUINT_TO_POINTER(json_array_get_length(out) + 1));
        } else if (r) {
            const char *chain = json_object_get_string_member_with_default(r, "chain", "");

            if (g_hash_table_contains(flushed, chain) || g_hash_table_contains(deleted, chain))
                continue;
        } else if (!o || !member_object(o, "table")) {
            continue;
        }
        json_array_add_element(out, json_node_copy(json_array_get_element(prev, i)));
    }
    for (guint i = 0; i < json_array_get_length(echo); i++) {
        JsonObject *o = json_array_get_object_element(echo, i);
        JsonObject *add = o ? member_object(o, "add") : NULL;
        JsonObject *c = add ? member_object(add, "chain") : NULL;
        JsonObject *r = add ? member_object(add, "rule") : NULL;
        JsonObject *item;
        const char *name;
        guint at;

        if (!c && !r)
            continue;
        item = json_object_new();
        json_object_set_member(item, c ? "chain" : "rule",
                               json_node_copy(json_object_get_member(add, c ? "chain" : "rule")));
        if (!c) {
            json_array_add_object_element(out, item);
            continue;
        }
        name = json_object_get_string_member_with_default(c, "name", "");
        if (deleted && g_hash_table_contains(deleted, name)) {
            json_object_unref(item);
            continue;
        }
        at = GPOINTER_TO_UINT(g_hash_table_lookup(chain_at, name));
        if (at) {
            json_array_remove_element(out, at - 1);
            json_array_add_object_element(out, item);
        } else {
            json_array_add_object_element(out, item);
        }
        /* positions moved: recompute lazily (chains are few) */
        g_hash_table_remove_all(chain_at);
        for (guint k = 0; k < json_array_get_length(out); k++) {
            JsonObject *e = json_array_get_object_element(out, k);
            JsonObject *ec = e ? member_object(e, "chain") : NULL;

            if (ec)
                g_hash_table_insert(chain_at, (gpointer)json_object_get_string_member_with_default(
                                                  ec, "name", ""),
                                    GUINT_TO_POINTER(k + 1));
        }
    }
    node = json_node_new(JSON_NODE_ARRAY);
    json_node_take_array(node, out);
    return node;
}

/* Makes the table hold @nets (the set about to be current) and records what
 * it then holds: from a change's echo (a listing of the whole table costs
 * more than a change), or by listing a rebuilt table. A change of one network
 * (@changed, or @removed by name) touches only its chains and the base
 * chains' jumps, when the table is there as recorded; otherwise, and when
 * that transaction fails, the whole table is rebuilt. Lock held. */
static bool
commit_locked(MvFilterNetRules *rules, GPtrArray *nets, const MvFilterNetwork *changed,
              const char *removed, GError **error)
{
    g_autofree char *batch = NULL;
    g_autoptr(JsonNode) added = NULL;
    g_autoptr(GError) err = NULL;

    if (rules->expected && nets->len && (changed || removed)) {
        g_autoptr(GHashTable) flushed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                              NULL);
        g_autoptr(GHashTable) deleted = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                              NULL);

        batch = mv_filter_netrules_change_batch(nets, changed, removed);
        if (mv_filter_nft_run_echo(rules->nft, batch, &added, &err)) {
            JsonNode *next;

            for (guint i = 0; i < G_N_ELEMENTS(BASE_NAMES); i++)
                g_hash_table_add(flushed, g_strdup(BASE_NAMES[i]));
            if (removed)
                chain_names(removed, NULL, flushed, deleted);
            if (changed)
                chain_names(changed->name, changed, flushed, deleted);
            next = expected_update(rules->expected, flushed, deleted, added);
            json_node_unref(rules->expected);
            rules->expected = next;
            return true;
        }
        mv_log_debug("the change alone was refused (%s): rebuilding the table", err->message);
    }
    /* the whole table: its echo costs more than a listing once there are
     * thousands of rules (libnftables 1.0.6), so the table is listed */
    g_clear_pointer(&batch, g_free);
    batch = mv_filter_netrules_batch(nets);
    if (!mv_filter_nft_run(rules->nft, batch, error))
        return false;
    g_clear_pointer(&rules->expected, json_node_unref);
    if (nets->len &&
        !(rules->expected = mv_filter_nft_list_json(rules->nft, "list table " T, error)))
        return false;
    return true;
}

static GPtrArray *
current_set(MvFilterNetRules *rules, const char *skip, MvFilterNetwork *extra)
{
    GPtrArray *set = g_ptr_array_new();
    GHashTableIter it;
    gpointer value;

    g_hash_table_iter_init(&it, rules->nets);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        MvFilterNetwork *net = value;

        if (!skip || !g_str_equal(net->name, skip))
            g_ptr_array_add(set, net);
    }
    if (extra)
        g_ptr_array_add(set, extra);
    return set;
}

static bool
load_dir(MvFilterNetRules *rules, GError **error)
{
    g_autoptr(GDir) dir = g_dir_open(rules->dir, 0, error);
    const char *entry;

    if (!dir)
        return false;
    while ((entry = g_dir_read_name(dir))) {
        g_autofree char *path = g_build_filename(rules->dir, entry, NULL);
        g_autofree char *text = NULL;
        g_autoptr(GError) err = NULL;
        MvFilterNetwork *net;

        if (!g_str_has_suffix(entry, ".json"))
            continue;
        if (!mv_file_read_all(path, STATE_FILE_MAX, &text, NULL, &err) ||
            !(net = mv_filter_network_from_json(text, &err))) {
            mv_log_warning("ignoring the network rule state %s: %s", path, err->message);
            continue;
        }
        g_hash_table_replace(rules->nets, net->name, net);
    }
    return true;
}

MvFilterNetRules *
mv_filter_netrules_new(MvFilterNft *nft, const char *state_dir, GError **error)
{
    g_autoptr(MvFilterNetRules) rules = g_new0(MvFilterNetRules, 1);

    g_mutex_init(&rules->lock);
    rules->nft = nft;
    rules->dir = g_build_filename(state_dir, "networks", NULL);
    rules->nets = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify)mv_filter_network_free);
    if (!mv_file_mkdir_p(rules->dir, 0700, error) || !load_dir(rules, error) ||
        !mv_filter_netrules_reapply(rules, error))
        return NULL;
    return g_steal_pointer(&rules);
}

void
mv_filter_netrules_free(MvFilterNetRules *rules)
{
    if (!rules)
        return;
    g_hash_table_unref(rules->nets);
    g_clear_pointer(&rules->expected, json_node_unref);
    g_free(rules->dir);
    g_mutex_clear(&rules->lock);
    g_free(rules);
}

bool
mv_filter_netrules_apply(MvFilterNetRules *rules, MvFilterNetwork *net, GError **error)
{
    g_autoptr(MvFilterNetwork) owned = net;
    g_autoptr(GMutexLocker) locker = NULL;
    g_autoptr(GPtrArray) set = NULL;
    g_autofree char *path = NULL;
    g_autofree char *json = NULL;
    g_autofree char *old = NULL;

    if (!mv_filter_network_validate(net, error))
        return false;
    locker = g_mutex_locker_new(&rules->lock);
    path = state_path(rules, net->name);
    json = mv_filter_network_to_json(net);
    g_file_get_contents(path, &old, NULL, NULL);
    /* first on disk, then the kernel: a crash in between re-applies at start */
    if (!mv_file_write_replace(path, json, strlen(json), 0600, false, error))
        return false;
    set = current_set(rules, net->name, net);
    fault_point("netrules-before-commit");
    if (!commit_locked(rules, set, net, NULL, error)) {
        /* the kernel kept the old rules: so does the state file */
        if (old)
            mv_file_write_replace(path, old, strlen(old), 0600, false, NULL);
        else
            mv_file_remove(path, NULL);
        return false;
    }
    fault_point("netrules-after-commit");
    g_hash_table_replace(rules->nets, net->name, g_steal_pointer(&owned));
    return true;
}

bool
mv_filter_netrules_remove(MvFilterNetRules *rules, const char *name, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&rules->lock);
    g_autoptr(GPtrArray) set = NULL;
    g_autofree char *path = NULL;
    g_autofree char *old = NULL;

    if (!g_hash_table_contains(rules->nets, name))
        return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_NO_NETWORK,
                            "no firewall rules for network '%s'", name);
    path = state_path(rules, name);
    g_file_get_contents(path, &old, NULL, NULL);
    if (!mv_file_remove(path, error))
        return false;
    set = current_set(rules, name, NULL);
    if (!commit_locked(rules, set, NULL, name, error)) {
        if (old)
            mv_file_write_replace(path, old, strlen(old), 0600, false, NULL);
        return false;
    }
    g_hash_table_remove(rules->nets, name);
    return true;
}

bool
mv_filter_netrules_reapply(MvFilterNetRules *rules, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&rules->lock);
    g_autoptr(GPtrArray) set = current_set(rules, NULL, NULL);

    return commit_locked(rules, set, NULL, NULL, error);
}

static JsonNode *
owned_expected(gpointer data)
{
    return mv_filter_netrules_expected(data);
}

static bool
owned_reapply(gpointer data, GError **error)
{
    return mv_filter_netrules_reapply(data, error);
}

void
mv_filter_netrules_owned_table(MvFilterNetRules *rules, MvFilterOwnedTable *ret_table)
{
    *ret_table = (MvFilterOwnedTable){
        .family = "inet", .name = MV_FILTER_NFT_TABLE_NAME,
        .expected = owned_expected, .reapply = owned_reapply, .data = rules,
    };
}

static int
compare_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **
mv_filter_netrules_names(MvFilterNetRules *rules)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&rules->lock);
    GPtrArray *names = g_ptr_array_new();
    GHashTableIter it;
    gpointer key;

    g_hash_table_iter_init(&it, rules->nets);
    while (g_hash_table_iter_next(&it, &key, NULL))
        g_ptr_array_add(names, g_strdup(key));
    g_ptr_array_sort(names, compare_strings);
    g_ptr_array_add(names, NULL);
    return (char **)g_ptr_array_free(names, FALSE);
}

JsonNode *
mv_filter_netrules_expected(MvFilterNetRules *rules)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&rules->lock);

    return rules->expected ? json_node_ref(rules->expected) : NULL;
}
