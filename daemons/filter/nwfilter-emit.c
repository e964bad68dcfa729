/* One rule's protocol element with concrete values → nftables match text in the
 * bridge family. Written for the compiler (nwfilter-compile.c), which adds
 * connection state, the verdict and the comment. */
#include "nwfilter-emit.h"

#include <arpa/inet.h>
#include <string.h>

#include "util/error.h"
#include "util/xml.h"

static const char *
get(const GPtrArray *attrs, const char *name)
{
    for (guint i = 0; i < attrs->len; i++) {
        const MvNWFilterParam *p = g_ptr_array_index(attrs, i);

        if (strcmp(p->name, name) == 0)
            return p->value;
    }
    return NULL;
}

static guint64
uint_of(const char *v)
{
    guint64 n = 0;

    mv_xml_parse_uint(v, G_MAXUINT64, &n);
    return n;
}

static bool
unsupported(const char *where, const char *attr, GError **error)
{
    return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_CONFIG_UNSUPPORTED,
                        "%s: attribute '%s' is not supported by modvirt-filterd's nftables "
                        "compiler; remove it or write the rule another way", where, attr);
}

/* Parses a MAC address into 6 bytes. */
static void
mac_bytes(const char *v, guint8 out[6])
{
    g_auto(GStrv) parts = g_strsplit(v, ":", 6);

    for (int i = 0; i < 6 && parts[i]; i++)
        out[i] = (guint8)g_ascii_strtoull(parts[i], NULL, 16);
}

static char *
mac_text(const guint8 b[6])
{
    return g_strdup_printf("%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
}

static const char *
op(bool neg)
{
    return neg ? "!= " : "";
}

/* ether saddr / daddr with an optional mask. */
static void
emit_mac(GString *out, const char *field, const char *addr, const char *mask, bool neg)
{
    guint8 a[6], m[6];
    g_autofree char *at = NULL, *mt = NULL;

    mac_bytes(addr, a);
    if (!mask) {
        at = mac_text(a);
        g_string_append_printf(out, " %s %s%s", field, op(neg), at);
        return;
    }
    mac_bytes(mask, m);
    for (int i = 0; i < 6; i++)
        a[i] &= m[i];
    at = mac_text(a);
    mt = mac_text(m);
    g_string_append_printf(out, " %s & %s %s %s", field, mt, neg ? "!=" : "==", at);
}

/* An address with a mask (dotted or a prefix length) as addr/len, or with & when
 * the mask is not contiguous. */
static void
emit_ip(GString *out, const char *field, int family, const char *addr, const char *mask,
        bool neg)
{
    int af = family == 4 ? AF_INET : AF_INET6, len = family == 4 ? 4 : 16;
    guint8 a[16] = { 0 }, m[16] = { 0 };
    char text[INET6_ADDRSTRLEN], mtext[INET6_ADDRSTRLEN];
    int prefix = 0;
    bool contiguous = true;

    inet_pton(af, addr, a);
    if (!mask) {
        inet_ntop(af, a, text, sizeof(text));
        g_string_append_printf(out, " %s %s%s", field, op(neg), text);
        return;
    }
    if (strspn(mask, "0123456789") == strlen(mask)) {
        prefix = (int)uint_of(mask);
        for (int i = 0; i < len * 8; i++) {
            if (i < prefix)
                m[i / 8] |= 0x80 >> (i % 8);
        }
    } else {
        inet_pton(af, mask, m);
        for (int i = 0; i < len * 8; i++) {
            bool bit = m[i / 8] & (0x80 >> (i % 8));

            if (bit && prefix != i)
                contiguous = false;
            if (bit)
                prefix++;
        }
    }
    for (int i = 0; i < len; i++)
        a[i] &= m[i];
    inet_ntop(af, a, text, sizeof(text));
    if (!contiguous) {
        inet_ntop(af, m, mtext, sizeof(mtext));
        g_string_append_printf(out, " %s & %s %s %s", field, mtext, neg ? "!=" : "==", text);
    } else if (prefix == len * 8) {
        g_string_append_printf(out, " %s %s%s", field, op(neg), text);
    } else {
        g_string_append_printf(out, " %s %s%s/%d", field, op(neg), text, prefix);
    }
}

/* A value or a range "a-b" of numbers. */
static void
emit_range(GString *out, const char *field, const char *start, const char *end, bool neg)
{
    guint64 a = uint_of(start), b = end ? uint_of(end) : a;

    if (b <= a)
        g_string_append_printf(out, " %s %s%" G_GUINT64_FORMAT, field, op(neg), a);
    else
        g_string_append_printf(out, " %s %s%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT, field,
                               op(neg), a, b);
}

static void
emit_iprange(GString *out, const char *field, int family, const char *from, const char *to,
             bool neg)
{
    int af = family == 4 ? AF_INET : AF_INET6;
    guint8 a[16], b[16];
    char ta[INET6_ADDRSTRLEN], tb[INET6_ADDRSTRLEN];

    inet_pton(af, from, a);
    inet_ntop(af, a, ta, sizeof(ta));
    if (!to) {
        g_string_append_printf(out, " %s %s%s", field, op(neg), ta);
        return;
    }
    inet_pton(af, to, b);
    inet_ntop(af, b, tb, sizeof(tb));
    g_string_append_printf(out, " %s %s%s-%s", field, op(neg), ta, tb);
}

static guint64
ethertype_of(const char *v)
{
    if (strcmp(v, "arp") == 0)
        return 0x0806;
    if (strcmp(v, "rarp") == 0)
        return 0x8035;
    if (strcmp(v, "ipv4") == 0)
        return 0x0800;
    if (strcmp(v, "ipv6") == 0)
        return 0x86dd;
    return uint_of(v);
}

static void
emit_ethertype(GString *out, const char *field, const char *v, bool neg)
{
    guint64 t = ethertype_of(v);
    const char *word = t == 0x0806 ? "arp" : t == 0x0800 ? "ip" : t == 0x86dd ? "ip6" : NULL;

    if (word)
        g_string_append_printf(out, " %s %s%s", field, op(neg), word);
    else
        g_string_append_printf(out, " %s %s0x%04" G_GINT64_MODIFIER "x", field, op(neg), t);
}

static const struct {
    const char *name;
    int number;
} l4_numbers[] = {
    { "icmp", 1 }, { "igmp", 2 },   { "tcp", 6 },      { "udp", 17 },  { "esp", 50 },
    { "ah", 51 },  { "icmpv6", 58 }, { "sctp", 132 }, { "udplite", 136 },
};

static int
l4_number(const char *v)
{
    for (gsize i = 0; i < G_N_ELEMENTS(l4_numbers); i++) {
        if (strcmp(l4_numbers[i].name, v) == 0)
            return l4_numbers[i].number;
    }
    return (int)uint_of(v);
}

static const char *const opcodes[] = { "", "Request", "Reply", "Request_Reverse", "Reply_Reverse",
                                       "DRARP_Request", "DRARP_Reply", "DRARP_Error",
                                       "InARP_Request", "", "ARP_NAK", NULL };

static guint64
opcode_of(const char *v)
{
    for (int i = 1; opcodes[i]; i++) {
        if (strcmp(opcodes[i], v) == 0)
            return i;
    }
    return uint_of(v);
}

static const struct {
    const char *name;
    const char *nft;
} tcp_flags[] = {
    { "FIN", "fin" }, { "SYN", "syn" }, { "RST", "rst" },
    { "PSH", "psh" }, { "ACK", "ack" }, { "URG", "urg" },
};

/* "SYN,ACK" → "syn | ack" (ALL: every flag; NONE: none, written 0x0). */
static char *
tcp_flag_list(const char *list)
{
    g_auto(GStrv) words = g_strsplit(list, ",", -1);
    GString *out = g_string_new(NULL);
    bool all = g_strv_contains((const char *const *)words, "ALL");

    for (gsize i = 0; i < G_N_ELEMENTS(tcp_flags); i++) {
        if (all || g_strv_contains((const char *const *)words, tcp_flags[i].name))
            g_string_append_printf(out, "%s%s", out->len ? " | " : "", tcp_flags[i].nft);
    }
    if (!out->len)
        g_string_append(out, "0x0");
    return g_string_free(out, FALSE);
}

static void
emit_tcp_flags(GString *out, const char *v, bool neg)
{
    const char *slash = strchr(v, '/');
    g_autofree char *mask_words = g_strndup(v, slash - v);
    g_autofree char *mask = tcp_flag_list(mask_words);
    g_autofree char *set = tcp_flag_list(slash + 1);

    g_string_append_printf(out, " tcp flags & (%s) %s %s", mask, neg ? "!=" : "==", set);
}

/* ARP/RARP fields as raw payload of the network header (offsets of the
 * Ethernet/IPv4 ARP packet): used for RARP, which nft's arp expressions do not
 * cover (they imply ether type arp). */
static void
emit_raw_mac(GString *out, int offset, const char *v, bool neg)
{
    guint8 b[6];

    mac_bytes(v, b);
    g_string_append_printf(out, " @nh,%d,48 %s0x%02x%02x%02x%02x%02x%02x", offset, op(neg),
                           b[0], b[1], b[2], b[3], b[4], b[5]);
}

static void
emit_raw_ip(GString *out, int offset, const char *v, const char *mask, bool neg)
{
    guint8 a[4] = { 0 }, m[4] = { 0xff, 0xff, 0xff, 0xff };
    guint32 av, mv;

    inet_pton(AF_INET, v, a);
    if (mask && strspn(mask, "0123456789") == strlen(mask)) {
        guint64 prefix = uint_of(mask);

        for (int i = 0; i < 32; i++) {
            if ((guint64)i >= prefix)
                m[i / 8] &= ~(0x80 >> (i % 8));
        }
    } else if (mask) {
        inet_pton(AF_INET, mask, m);
    }
    av = (guint32)a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3];
    mv = (guint32)m[0] << 24 | m[1] << 16 | m[2] << 8 | m[3];
    if (mv == 0xffffffff)
        g_string_append_printf(out, " @nh,%d,32 %s0x%08x", offset, op(neg), av);
    else
        g_string_append_printf(out, " @nh,%d,32 & 0x%08x %s 0x%08x", offset, mv,
                               neg ? "!=" : "==", av & mv);
}

static bool
emit_arp(GString *out, const GPtrArray *attrs, bool rarp, bool neg, const char *where,
         GError **error)
{
    const char *v;

    if (get(attrs, "gratuitous"))
        return unsupported(where, "gratuitous", error);
    if ((v = get(attrs, "hwtype")))
        g_string_append_printf(out, rarp ? " @nh,0,16 %s%" G_GUINT64_FORMAT
                                         : " arp htype %s%" G_GUINT64_FORMAT, op(neg),
                               uint_of(v));
    if ((v = get(attrs, "protocoltype")))
        g_string_append_printf(out, rarp ? " @nh,16,16 %s0x%04" G_GINT64_MODIFIER "x"
                                         : " arp ptype %s0x%04" G_GINT64_MODIFIER "x", op(neg),
                               uint_of(v));
    if ((v = get(attrs, "opcode")))
        g_string_append_printf(out, rarp ? " @nh,48,16 %s%" G_GUINT64_FORMAT
                                         : " arp operation %s%" G_GUINT64_FORMAT, op(neg),
                               opcode_of(v));
    if (rarp) {
        if ((v = get(attrs, "arpsrcmacaddr")))
            emit_raw_mac(out, 64, v, neg);
        if ((v = get(attrs, "arpsrcipaddr")))
            emit_raw_ip(out, 112, v, get(attrs, "arpsrcipmask"), neg);
        if ((v = get(attrs, "arpdstmacaddr")))
            emit_raw_mac(out, 144, v, neg);
        if ((v = get(attrs, "arpdstipaddr")))
            emit_raw_ip(out, 192, v, get(attrs, "arpdstipmask"), neg);
        return true;
    }
    if ((v = get(attrs, "arpsrcmacaddr")))
        emit_mac(out, "arp saddr ether", v, NULL, neg);
    if ((v = get(attrs, "arpsrcipaddr")))
        emit_ip(out, "arp saddr ip", 4, v, get(attrs, "arpsrcipmask"), neg);
    if ((v = get(attrs, "arpdstmacaddr")))
        emit_mac(out, "arp daddr ether", v, NULL, neg);
    if ((v = get(attrs, "arpdstipaddr")))
        emit_ip(out, "arp daddr ip", 4, v, get(attrs, "arpdstipmask"), neg);
    return true;
}

static const char *const stp_supported[] = { "srcmacaddr", "srcmacmask", "type", "flags",
                                             "comment", NULL };

bool
mv_nwfilter_emit_matches(GString *out, const MvNWFilterProtoInfo *proto, bool neg,
                         const GPtrArray *attrs, bool reverse, const char *where,
                         GError **error)
{
    const char *s = reverse ? "dst" : "src", *d = reverse ? "src" : "dst";
    const char *ipf = proto->family == 6 ? "ip6" : "ip";
    const char *portf;
    const char *v;
    char name[32], name2[32];

    if (get(attrs, "ipset"))
        return unsupported(where, "ipset", error);
    /* The protocol: the ether type and, above IP, the transport protocol. */
    if (strcmp(proto->name, "vlan") == 0)
        g_string_append(out, " ether type 8021q");
    else if (strcmp(proto->name, "stp") == 0)
        g_string_append(out, " ether daddr 01:80:c2:00:00:00");
    else if (strcmp(proto->name, "arp") == 0)
        g_string_append(out, " ether type arp");
    else if (strcmp(proto->name, "rarp") == 0)
        g_string_append(out, " ether type 0x8035");
    else if (proto->family)
        g_string_append_printf(out, " ether type %s", ipf);
    if (proto->l4)
        g_string_append_printf(out, " meta l4proto %d", l4_number(proto->l4));

    /* Addresses (swapped for the reply direction of a stateful rule). */
    g_snprintf(name, sizeof(name), "%smacaddr", s);
    g_snprintf(name2, sizeof(name2), "%smacmask", s);
    if ((v = get(attrs, name)))
        emit_mac(out, "ether saddr", v, get(attrs, name2), neg);
    g_snprintf(name, sizeof(name), "%smacaddr", d);
    g_snprintf(name2, sizeof(name2), "%smacmask", d);
    if ((v = get(attrs, name)))
        emit_mac(out, "ether daddr", v, get(attrs, name2), neg);
    if (strcmp(proto->name, "stp") == 0) {
        for (guint i = 0; i < attrs->len; i++) {
            const MvNWFilterParam *p = g_ptr_array_index(attrs, i);

            if (!g_strv_contains(stp_supported, p->name))
                return unsupported(where, p->name, error);
        }
        if ((v = get(attrs, "type")))
            g_string_append_printf(out, " @ll,160,8 %s%" G_GUINT64_FORMAT, op(neg), uint_of(v));
        if ((v = get(attrs, "flags")))
            g_string_append_printf(out, " @ll,168,8 %s%" G_GUINT64_FORMAT, op(neg), uint_of(v));
        return true;
    }
    if ((v = get(attrs, "protocolid")))
        emit_ethertype(out, "ether type", v, neg);
    if ((v = get(attrs, "vlanid")))
        g_string_append_printf(out, " vlan id %s%" G_GUINT64_FORMAT, op(neg), uint_of(v));
    if ((v = get(attrs, "encap-protocol")))
        emit_ethertype(out, "vlan type", v, neg);
    if (strcmp(proto->name, "arp") == 0 || strcmp(proto->name, "rarp") == 0)
        return emit_arp(out, attrs, strcmp(proto->name, "rarp") == 0, neg, where, error);

    g_snprintf(name, sizeof(name), "%sipaddr", s);
    g_snprintf(name2, sizeof(name2), "%sipmask", s);
    if ((v = get(attrs, name)))
        emit_ip(out, proto->family == 6 ? "ip6 saddr" : "ip saddr",
                proto->family, v, get(attrs, name2), neg);
    g_snprintf(name, sizeof(name), "%sipaddr", d);
    g_snprintf(name2, sizeof(name2), "%sipmask", d);
    if ((v = get(attrs, name)))
        emit_ip(out, proto->family == 6 ? "ip6 daddr" : "ip daddr",
                proto->family, v, get(attrs, name2), neg);
    g_snprintf(name, sizeof(name), "%sipfrom", s);
    g_snprintf(name2, sizeof(name2), "%sipto", s);
    if ((v = get(attrs, name)))
        emit_iprange(out, proto->family == 6 ? "ip6 saddr" : "ip saddr",
                     proto->family, v, get(attrs, name2), neg);
    g_snprintf(name, sizeof(name), "%sipfrom", d);
    g_snprintf(name2, sizeof(name2), "%sipto", d);
    if ((v = get(attrs, name)))
        emit_iprange(out, proto->family == 6 ? "ip6 daddr" : "ip daddr",
                     proto->family, v, get(attrs, name2), neg);
    if ((v = get(attrs, "protocol")))
        g_string_append_printf(out, " meta l4proto %s%d", op(neg), l4_number(v));

    /* Ports: the transport header of tcp/udp/sctp, any transport for ip/ipv6. */
    portf = proto->l4 && (strcmp(proto->l4, "tcp") == 0 || strcmp(proto->l4, "udp") == 0 ||
                          strcmp(proto->l4, "sctp") == 0)
                ? proto->l4 : "th";
    g_snprintf(name, sizeof(name), "%sportstart", s);
    g_snprintf(name2, sizeof(name2), "%sportend", s);
    if ((v = get(attrs, name))) {
        g_autofree char *field = g_strdup_printf("%s sport", portf);
        emit_range(out, field, v, get(attrs, name2), neg);
    }
    g_snprintf(name, sizeof(name), "%sportstart", d);
    g_snprintf(name2, sizeof(name2), "%sportend", d);
    if ((v = get(attrs, name))) {
        g_autofree char *field = g_strdup_printf("%s dport", portf);
        emit_range(out, field, v, get(attrs, name2), neg);
    }
    if (reverse)
        return true;    /* the reply: addresses and ports only */
    if ((v = get(attrs, "dscp")))
        g_string_append_printf(out, " %s dscp %s%" G_GUINT64_FORMAT, ipf, op(neg), uint_of(v));
    if ((v = get(attrs, "flags")))
        emit_tcp_flags(out, v, neg);
    if ((v = get(attrs, "type"))) {
        const char *icmp = proto->family == 6 ? "icmpv6" : "icmp";
        g_autofree char *field = g_strdup_printf("%s type", icmp);

        emit_range(out, field, v, get(attrs, "typeend"), neg);
    }
    if ((v = get(attrs, "code"))) {
        const char *icmp = proto->family == 6 ? "icmpv6" : "icmp";
        g_autofree char *field = g_strdup_printf("%s code", icmp);

        emit_range(out, field, v, get(attrs, "codeend"), neg);
    }
    return true;
}
