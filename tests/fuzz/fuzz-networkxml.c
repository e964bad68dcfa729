/* Fuzz target "networkxml": the network and network port XML parsers with
 * their schema checks (daemons/network/network_conf_lib), and virNetworkUpdate
 * on a parsed network.
 *
 * The input is a document, optionally followed by a NUL byte, three bytes
 * (update command, section, parent index + 1) and the XML of one update. A
 * network or port that parses must format, parse back and format to the same
 * text, and a deep copy must format identically. The update is applied to the
 * network of the input (or to a fixed one when the input is not a network);
 * whether it succeeds or fails, the network must then format to a document
 * that parses back to the same text (a failed update changes nothing). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "network-def.h"
#include "network-port-def.h"

#define FUZZ_MAX_XML (1024 * 1024)

static const char base_network[] =
    "<network><name>fuzz</name><uuid>0a0b0c0d-0e0f-1011-1213-141516171819</uuid>"
    "<forward mode='route'/><bridge name='fz0'/><mac address='52:54:00:12:34:56'/>"
    "<dns><host ip='192.168.9.2'><hostname>a</hostname></host><txt name='t' value='v'/>"
    "<srv service='s' protocol='tcp' port='1'/></dns>"
    "<ip address='192.168.9.1' prefix='24'><dhcp><range start='192.168.9.10' "
    "end='192.168.9.20'/><host mac='52:54:00:00:00:01' ip='192.168.9.5'/></dhcp></ip>"
    "<ip family='ipv6' address='fd00:9::1' prefix='64'/>"
    "<portgroup name='p' default='yes'/></network>";

static G_NORETURN void
finding(const char *what, const char *text, const GError *err)
{
    fprintf(stderr, "fuzz-networkxml: %s%s%s\n--- document:\n%s\n", what, err ? ": " : "",
            err ? err->message : "", text);
    abort();
}

/* format(parse(format(def))) == format(def), for live and inactive XML. */
static void
check_network(const MvNetworkDef *def)
{
    for (unsigned int flags = 0; flags <= MV_NETWORK_FORMAT_INACTIVE; flags++) {
        g_autofree char *out = mv_network_def_format(def, flags);
        g_autoptr(MvNetworkDef) again = NULL;
        g_autofree char *out2 = NULL;
        g_autoptr(GError) err = NULL;

        if (!(again = mv_network_def_parse(out, 0, &err)))
            finding("a formatted network does not parse again", out, err);
        out2 = mv_network_def_format(again, flags);
        if (strcmp(out, out2) != 0)
            finding("format(parse(format(x))) differs from format(x)", out2, NULL);
    }
}

static MvNetworkDef *
network_round_trip(const char *xml)
{
    g_autoptr(MvNetworkDef) def = NULL;
    g_autoptr(MvNetworkDef) copy = NULL;
    g_autofree char *out = NULL;
    g_autofree char *out_copy = NULL;

    if (!(def = mv_network_def_parse(xml, 0, NULL)))
        return NULL;
    check_network(def);
    out = mv_network_def_format(def, 0);
    copy = mv_network_def_copy(def);
    g_clear_pointer(&def, mv_network_def_free);
    out_copy = mv_network_def_format(copy, 0);
    if (strcmp(out, out_copy) != 0)
        finding("a deep copy formats differently", out_copy, NULL);
    return g_steal_pointer(&copy);
}

static void
port_round_trip(const char *xml)
{
    g_autoptr(MvNetworkPortDef) def = NULL;
    g_autoptr(MvNetworkPortDef) again = NULL;
    g_autoptr(MvNetworkPortDef) copy = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *out = NULL;
    g_autofree char *out2 = NULL;
    g_autofree char *out_copy = NULL;

    if (!(def = mv_network_port_def_parse(xml, 0, NULL)))
        return;
    out = mv_network_port_def_format(def, 0);
    if (!(again = mv_network_port_def_parse(out, 0, &err)))
        finding("a formatted network port does not parse again", out, err);
    out2 = mv_network_port_def_format(again, 0);
    if (strcmp(out, out2) != 0)
        finding("port format(parse(format(x))) differs from format(x)", out2, NULL);
    copy = mv_network_port_def_copy(def);
    g_clear_pointer(&def, mv_network_port_def_free);
    out_copy = mv_network_port_def_format(copy, 0);
    if (strcmp(out, out_copy) != 0)
        finding("a deep copy of a port formats differently", out_copy, NULL);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    /* Compiles and caches the schemas before the first input. */
    mv_network_def_free(mv_network_def_parse(base_network, 0, NULL));
    mv_network_port_def_free(mv_network_port_def_parse("<networkport/>", 0, NULL));
    mv_fuzz_abort_on_criticals();
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *xml = NULL;
    g_autoptr(MvNetworkDef) def = NULL;
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    const uint8_t *nul;
    size_t len;

    if (size > FUZZ_MAX_XML)
        return 0;
    nul = memchr(data, 0, size);
    len = nul ? (size_t)(nul - data) : size;
    xml = g_strndup((const char *)data, len);
    def = network_round_trip(xml);
    port_round_trip(xml);
    if (!nul || size - len < 4)
        return 0;

    if (!def && !(def = mv_network_def_parse(base_network, 0, NULL)))
        finding("the base network does not parse", base_network, NULL);
    {
        const uint8_t *spec = nul + 1;
        g_autofree char *update = g_strndup((const char *)spec + 3, size - len - 4);
        g_autoptr(GError) err = NULL;
        bool ok;

        before = mv_network_def_format(def, 0);
        ok = mv_network_def_update(def, spec[0] % 6, spec[1] % 14, (int)spec[2] - 1, update, 0,
                                   &err);
        if (ok == (err != NULL))
            finding("update result and error disagree", update, err);
        after = mv_network_def_format(def, 0);
        if (!ok && strcmp(before, after) != 0)
            finding("a failed update changed the network", after, err);
        check_network(def);
    }
    return 0;
}
