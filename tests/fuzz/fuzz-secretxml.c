/* Fuzz target "secretxml": the secret XML parser with its schema check
 * (daemons/storage/secret-conf.c). A secret that parses must format, parse
 * back and format to the same text, keep its UUID and usage, and a deep copy
 * must format identically. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "secret-def.h"

#define FUZZ_MAX_XML (256 * 1024)

static G_NORETURN void
finding(const char *what, const char *text, const GError *err)
{
    fprintf(stderr, "fuzz-secretxml: %s%s%s\n--- document:\n%s\n", what, err ? ": " : "",
            err ? err->message : "", text);
    abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    /* Compiles and caches the schema before the first input. */
    mv_secret_def_free(mv_secret_def_parse("<secret/>", 0, NULL));
    mv_fuzz_abort_on_criticals();
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *xml = NULL;
    g_autoptr(MvSecretDef) def = NULL;
    g_autoptr(MvSecretDef) again = NULL;
    g_autoptr(MvSecretDef) copy = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *out = NULL;
    g_autofree char *out2 = NULL;
    g_autofree char *out_copy = NULL;

    if (size > FUZZ_MAX_XML)
        return 0;
    xml = g_strndup((const char *)data, size);
    if (!(def = mv_secret_def_parse(xml, 0, NULL)))
        return 0;
    if ((def->usage_type == MV_SECRET_USAGE_NONE) != (def->usage_id == NULL))
        finding("a usage type without an id (or the reverse)", xml, NULL);
    out = mv_secret_def_format(def);
    if (!(again = mv_secret_def_parse(out, 0, &err)))
        finding("a formatted secret does not parse again", out, err);
    out2 = mv_secret_def_format(again);
    if (strcmp(out, out2) != 0)
        finding("format(parse(format(x))) differs from format(x)", out2, NULL);
    if (memcmp(def->uuid, again->uuid, 16) != 0 || def->usage_type != again->usage_type ||
        g_strcmp0(def->usage_id, again->usage_id) != 0)
        finding("the UUID or usage changed in a round trip", out, NULL);
    copy = mv_secret_def_copy(def);
    g_clear_pointer(&def, mv_secret_def_free);
    out_copy = mv_secret_def_format(copy);
    if (strcmp(out, out_copy) != 0)
        finding("a deep copy formats differently", out_copy, NULL);
    return 0;
}
