/* Fuzz target "domainxml": the domain XML parser with its schema check
 * (common/conf), as define, create and the status files use it, and the
 * single-device parser of attach/detach/update.
 *
 * The input is the XML text. A document that parses (as a definition, then as
 * live status) must format, parse back and format to the same text, and a deep
 * copy must format identically: a definition the daemon accepted once must
 * never become unreadable after it wrote it to disk. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain-conf.h"
#include "fuzz.h"

/* Larger documents are refused before parsing by the daemon (4 MiB). */
#define FUZZ_MAX_XML (1024 * 1024)

static G_NORETURN void
finding(const char *what, const char *text, const GError *err)
{
    fprintf(stderr, "fuzz-domainxml: %s%s%s\n--- document:\n%s\n", what,
            err ? ": " : "", err ? err->message : "", text);
    abort();
}

static void
round_trip(const char *xml, unsigned int parse_flags, int id)
{
    const unsigned int format_flags = MV_DOMAIN_DEF_FORMAT_SECURE;
    g_autoptr(MvDomainDef) def = NULL;
    g_autoptr(MvDomainDef) again = NULL;
    g_autoptr(MvDomainDef) copy = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *out = NULL;
    g_autofree char *out2 = NULL;
    g_autofree char *out_copy = NULL;
    g_autofree char *inactive = NULL;

    if (!(def = mv_domain_def_parse_string(xml, parse_flags, &err)))
        return;
    out = mv_domain_def_format(def, id, format_flags);
    if (!(again = mv_domain_def_parse_string(out, parse_flags, &err)))
        finding("a formatted definition does not parse again", out, err);
    out2 = mv_domain_def_format(again, id, format_flags);
    if (strcmp(out, out2) != 0)
        finding("format(parse(format(x))) differs from format(x)", out2, NULL);
    copy = mv_domain_def_copy(def);
    g_clear_pointer(&def, mv_domain_def_free);
    out_copy = mv_domain_def_format(copy, id, format_flags);
    if (strcmp(out, out_copy) != 0)
        finding("a deep copy formats differently", out_copy, NULL);
    /* What a persistent definition is written as. */
    inactive = mv_domain_def_format(copy, -1, format_flags | MV_DOMAIN_DEF_FORMAT_INACTIVE);
    g_clear_pointer(&again, mv_domain_def_free);
    if (!(again = mv_domain_def_parse_string(inactive, 0, &err)))
        finding("an inactive definition does not parse again", inactive, err);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    /* Compiles and caches the schemas before the first input. */
    mv_domain_def_free(mv_domain_def_parse_string("<domain/>", 0, NULL));
    mv_domain_device_def_free(mv_domain_device_def_parse_string("<disk/>", 0, NULL));
    mv_fuzz_abort_on_criticals();
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *xml = NULL;
    g_autoptr(MvDomainDeviceDef) dev = NULL;

    if (size > FUZZ_MAX_XML)
        return 0;
    xml = g_strndup((const char *)data, size);
    round_trip(xml, 0, -1);
    round_trip(xml, MV_DOMAIN_DEF_PARSE_STATUS, 7);
    dev = mv_domain_device_def_parse_string(xml, 0, NULL);
    return 0;
}
