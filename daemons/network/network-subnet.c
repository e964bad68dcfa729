/* Subnet arithmetic, see network-subnet.h. */
#include "network-subnet.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

/* The first @prefix bits of @addr as a family + 16 raw bytes. */
static bool
subnet_of(const char *addr, unsigned int prefix, int *ret_family, guint8 ret_net[16])
{
    guint8 raw[16] = { 0 };
    int family;
    unsigned int bits;

    if (!addr)
        return false;
    family = strchr(addr, ':') ? AF_INET6 : AF_INET;
    bits = family == AF_INET ? 32 : 128;
    if (inet_pton(family, addr, raw) != 1 || prefix > bits)
        return false;
    for (unsigned int i = 0; i < 16; i++) {
        unsigned int keep = prefix > i * 8 ? MIN(prefix - i * 8, 8u) : 0;
        raw[i] &= keep ? (guint8)(0xff << (8 - keep)) : 0;
    }
    *ret_family = family;
    memcpy(ret_net, raw, 16);
    return true;
}

bool
mv_network_subnet_overlap(const MvNetworkIpDef *a, const MvNetworkIpDef *b)
{
    unsigned int common = MIN(a->prefix, b->prefix);
    guint8 na[16], nb[16];
    int fa, fb;

    return subnet_of(a->address, common, &fa, na) && subnet_of(b->address, common, &fb, nb) &&
           fa == fb && memcmp(na, nb, 16) == 0;
}

char *
mv_network_subnet_network(const char *address, unsigned int prefix)
{
    guint8 net[16];
    char text[INET6_ADDRSTRLEN];
    int family;

    if (!subnet_of(address, prefix, &family, net) ||
        !inet_ntop(family, net, text, sizeof(text)))
        return NULL;
    return g_strdup(text);
}

char *
mv_network_subnet_text(const MvNetworkIpDef *ip)
{
    g_autofree char *net = mv_network_subnet_network(ip->address, ip->prefix);

    return g_strdup_printf("%s/%u", net ? net : "?", ip->prefix);
}
