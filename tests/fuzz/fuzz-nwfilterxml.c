/* Fuzz target "nwfilterxml": the nwfilter and filter binding XML parsers with
 * their schemas (daemons/filter/nwfilter-conf.c) and the compiler to nftables
 * (nwfilter-compile.c), as define, binding create and filterd's restart use them.
 *
 * The input is the XML text. A filter that parses must format, parse back and
 * format to the same text, and compile (alone, with MAC and IP set, and with
 * lists) without crashing; a binding that parses must round-trip too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "nwfilter-compile.h"
#include "nwfilter-conf.h"

/* Larger documents are refused before parsing by the daemon (4 MiB). */
#define FUZZ_MAX_XML (1024 * 1024)

static G_NORETURN void
finding(const char *what, const char *text, const GError *err)
{
    fprintf(stderr, "fuzz-nwfilterxml: %s%s%s\n--- document:\n%s\n", what, err ? ": " : "",
            err ? err->message : "", text);
    abort();
}

static const MvNWFilterDef *
lookup(const char *name, gpointer user_data)
{
    const MvNWFilterDef *def = user_data;

    return strcmp(name, def->name) == 0 ? def : NULL;
}

static void
compile(const MvNWFilterDef *def, unsigned int flags)
{
    g_autoptr(MvNWFilterVars) vars = mv_nwfilter_vars_new();
    g_autofree char *text = NULL;
    g_auto(GStrv) chains = NULL;

    mv_nwfilter_vars_add(vars, "MAC", "52:54:00:00:00:01");
    mv_nwfilter_vars_add(vars, "IP", "10.0.0.1");
    mv_nwfilter_vars_add(vars, "IP", "10.0.0.2");
    mv_nwfilter_vars_add(vars, "A", "1");
    mv_nwfilter_vars_add(vars, "A", "2");
    text = mv_nwfilter_compile("vnet0", def->name, vars, lookup, (gpointer)def, flags, &chains,
                               NULL);
    if (text && (!chains || !chains[0]))
        finding("a compiled filter lists no chains", text, NULL);
}

static void
filter_round_trip(const char *xml)
{
    g_autoptr(MvNWFilterDef) def = NULL;
    g_autoptr(MvNWFilterDef) again = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *out = NULL;
    g_autofree char *out2 = NULL;

    if (!(def = mv_nwfilter_def_parse(xml, &err)))
        return;
    out = mv_nwfilter_def_format(def);
    if (!(again = mv_nwfilter_def_parse(out, &err)))
        finding("a formatted filter does not parse again", out, err);
    out2 = mv_nwfilter_def_format(again);
    if (strcmp(out, out2) != 0)
        finding("format(parse(format(x))) differs from format(x)", out2, NULL);
    compile(def, 0);
    compile(def, MV_NWFILTER_COMPILE_CONNTRACK | MV_NWFILTER_COMPILE_REJECT);
}

static void
binding_round_trip(const char *xml)
{
    g_autoptr(MvNWFilterBindingDef) def = NULL;
    g_autoptr(MvNWFilterBindingDef) again = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *out = NULL;
    g_autofree char *out2 = NULL;

    if (!(def = mv_nwfilter_binding_def_parse(xml, &err)))
        return;
    out = mv_nwfilter_binding_def_format(def);
    if (!(again = mv_nwfilter_binding_def_parse(out, &err)))
        finding("a formatted binding does not parse again", out, err);
    out2 = mv_nwfilter_binding_def_format(again);
    if (strcmp(out, out2) != 0)
        finding("binding format(parse(format(x))) differs from format(x)", out2, NULL);
    mv_nwfilter_vars_free(mv_nwfilter_vars_for_binding(def));
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    /* Compiles and caches the schemas before the first input. */
    mv_nwfilter_def_free(mv_nwfilter_def_parse("<filter/>", NULL));
    mv_nwfilter_binding_def_free(mv_nwfilter_binding_def_parse("<filterbinding/>", NULL));
    mv_fuzz_abort_on_criticals();
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *xml = NULL;

    if (size > FUZZ_MAX_XML)
        return 0;
    xml = g_strndup((const char *)data, size);
    filter_round_trip(xml);
    binding_round_trip(xml);
    return 0;
}
