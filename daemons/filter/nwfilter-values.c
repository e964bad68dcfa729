/* Literal values of nwfilter attributes and variable references: the checks
 * shared by the parser (literals in the XML) and the compiler (values that
 * variables bring in). */
#include "nwfilter-conf.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/xml.h"

bool
mv_nwfilter_var_parse(const char *value, char **ret_name, int *ret_iterator, int *ret_index)
{
    const char *p = value;
    const char *start;
    int iterator = -1, index = -1;

    if (!value || *p != '$')
        return false;
    start = ++p;
    if (!g_ascii_isalpha(*p) && *p != '_')
        return false;
    while (g_ascii_isalnum(*p) || *p == '_')
        p++;
    if (*p == '[') {
        const char *num = p + 1;
        char *end = NULL;
        gboolean at = *num == '@';
        guint64 n;

        if (at)
            num++;
        if (!g_ascii_isdigit(*num))
            return false;
        n = g_ascii_strtoull(num, &end, 10);
        if (*end != ']' || end[1] != '\0' || n > 1000)
            return false;
        if (at)
            iterator = (int)n;
        else
            index = (int)n;
    } else if (*p != '\0') {
        return false;
    }
    if (ret_name)
        *ret_name = g_strndup(start, strcspn(start, "["));
    if (ret_iterator)
        *ret_iterator = iterator;
    if (ret_index)
        *ret_index = index;
    return true;
}

static bool
value_mac(const char *v)
{
    int n = 0;

    for (const char *p = v;; p++) {
        int digits = 0;

        while (g_ascii_isxdigit(*p) && digits < 3) {
            p++;
            digits++;
        }
        if (digits < 1 || digits > 2)
            return false;
        n++;
        if (*p == '\0')
            return n == 6;
        if (*p != ':')
            return false;
    }
}

static bool
value_uint(const char *v, guint64 max)
{
    guint64 n;

    return mv_xml_parse_uint(v, max, &n) && !g_ascii_isspace(*v) && *v;
}

static bool
value_prefix_or(const char *v, int family)
{
    guint8 buf[16];

    if (value_uint(v, family == 4 ? 32 : 128) && strspn(v, "0123456789") == strlen(v))
        return true;
    return inet_pton(family == 4 ? AF_INET : AF_INET6, v, buf) == 1;
}

static bool
value_words(const char *v, const char *const *words, char sep)
{
    g_auto(GStrv) parts = g_strsplit(v, (char[]){ sep, 0 }, -1);

    if (!*v)
        return false;
    for (char **p = parts; *p; p++) {
        if (!g_strv_contains(words, *p))
            return false;
    }
    return true;
}

static const char *const state_words[] = { "NEW", "ESTABLISHED", "RELATED", "INVALID", "NONE",
                                           NULL };
static const char *const tcpflag_words[] = { "SYN", "ACK", "URG", "PSH", "FIN", "RST", "ALL",
                                             "NONE", NULL };
static const char *const opcode_words[] = { "Request", "Reply", "Request_Reverse",
                                            "Reply_Reverse", "DRARP_Request", "DRARP_Reply",
                                            "DRARP_Error", "InARP_Request", "ARP_NAK", NULL };
static const char *const protoid_words[] = { "arp", "rarp", "ipv4", "ipv6", NULL };
static const char *const l4_words[] = { "tcp", "udp", "udplite", "esp", "ah", "icmp", "igmp",
                                        "sctp", "icmpv6", NULL };
static const char *const bool_words[] = { "true", "false", "yes", "no", "1", "0", NULL };
static const char *const ipsetflag_words[] = { "src", "dst", NULL };

static bool
value_ok(const MvNWFilterAttrInfo *attr, const char *v)
{
    switch (attr->type) {
    case MV_NWFILTER_VALUE_MAC:
        return value_mac(v);
    case MV_NWFILTER_VALUE_IPV4: {
        struct in_addr a;
        return inet_pton(AF_INET, v, &a) == 1;
    }
    case MV_NWFILTER_VALUE_IPV6: {
        struct in6_addr a;
        return inet_pton(AF_INET6, v, &a) == 1;
    }
    case MV_NWFILTER_VALUE_IPV4MASK:
        return value_prefix_or(v, 4);
    case MV_NWFILTER_VALUE_IPV6MASK:
        return value_prefix_or(v, 6);
    case MV_NWFILTER_VALUE_UINT:
        return value_uint(v, attr->max);
    case MV_NWFILTER_VALUE_PROTOID:
        return g_strv_contains(protoid_words, v) || value_uint(v, 0xffff);
    case MV_NWFILTER_VALUE_L4PROTO:
        return g_strv_contains(l4_words, v) || value_uint(v, 255);
    case MV_NWFILTER_VALUE_STATE:
        return value_words(v, state_words, ',');
    case MV_NWFILTER_VALUE_TCPFLAGS: {
        const char *slash = strchr(v, '/');
        g_autofree char *mask = slash ? g_strndup(v, slash - v) : NULL;

        return slash && value_words(mask, tcpflag_words, ',') &&
               value_words(slash + 1, tcpflag_words, ',');
    }
    case MV_NWFILTER_VALUE_OPCODE:
        return g_strv_contains(opcode_words, v) || value_uint(v, 0xffff);
    case MV_NWFILTER_VALUE_BOOL:
        return g_strv_contains(bool_words, v);
    case MV_NWFILTER_VALUE_STRING:
        return strlen(v) <= 256 && !strpbrk(v, "\"\\\n\r\t");
    case MV_NWFILTER_VALUE_IPSET:
        return *v && strlen(v) < 32;
    case MV_NWFILTER_VALUE_IPSETFLAGS:
        return value_words(v, ipsetflag_words, ',');
    }
    return false;
}

static const char *
value_expected(const MvNWFilterAttrInfo *attr)
{
    switch (attr->type) {
    case MV_NWFILTER_VALUE_MAC:
        return "a MAC address";
    case MV_NWFILTER_VALUE_IPV4:
        return "an IPv4 address";
    case MV_NWFILTER_VALUE_IPV6:
        return "an IPv6 address";
    case MV_NWFILTER_VALUE_IPV4MASK:
        return "an IPv4 mask or a prefix length up to 32";
    case MV_NWFILTER_VALUE_IPV6MASK:
        return "an IPv6 mask or a prefix length up to 128";
    case MV_NWFILTER_VALUE_UINT:
        return NULL;
    case MV_NWFILTER_VALUE_PROTOID:
        return "arp, rarp, ipv4, ipv6 or a number up to 0xffff";
    case MV_NWFILTER_VALUE_L4PROTO:
        return "a protocol name (tcp, udp, icmp, ...) or a number up to 255";
    case MV_NWFILTER_VALUE_STATE:
        return "a comma-separated list of NEW, ESTABLISHED, RELATED, INVALID, NONE";
    case MV_NWFILTER_VALUE_TCPFLAGS:
        return "MASK/SET, each a comma-separated list of SYN, ACK, URG, PSH, FIN, RST, ALL, "
               "NONE";
    case MV_NWFILTER_VALUE_OPCODE:
        return "an ARP opcode name (Request, Reply, ...) or a number";
    case MV_NWFILTER_VALUE_BOOL:
        return "true or false";
    case MV_NWFILTER_VALUE_STRING:
        return "at most 256 characters without quotes, backslashes or control characters";
    case MV_NWFILTER_VALUE_IPSET:
        return "an ipset name";
    case MV_NWFILTER_VALUE_IPSETFLAGS:
        return "a comma-separated list of src, dst";
    }
    return "?";
}

bool
mv_nwfilter_value_check(const MvNWFilterAttrInfo *attr, const char *value, const char *where,
                        GError **error)
{
    const char *expected = value_expected(attr);

    if (value_ok(attr, value))
        return true;
    if (expected)
        return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_XML_DETAIL,
                            "%s: invalid value '%s' for attribute '%s': expected %s", where, value,
                            attr->name, expected);
    return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_XML_DETAIL,
                        "%s: invalid value '%s' for attribute '%s': expected a number from 0 "
                        "to %u", where, value, attr->name, attr->max);
}
