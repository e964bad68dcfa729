/* Fuzz target "domainsnapshotxml": the domain snapshot XML parser with its
 * schema check (common/conf/domain-snapshot.c). A snapshot that parses must
 * format, parse back and format to the same text and keep its name, parent and
 * disks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain-snapshot.h"
#include "fuzz.h"

#define FUZZ_MAX_XML (256 * 1024)
#define FORMAT_ALL (MV_SNAPSHOT_FORMAT_SECURE | MV_SNAPSHOT_FORMAT_ACTIVE)

static G_NORETURN void
finding(const char *what, const char *text, const GError *err)
{
    fprintf(stderr, "fuzz-domainsnapshotxml: %s%s%s\n--- document:\n%s\n", what,
            err ? ": " : "", err ? err->message : "", text);
    abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    /* Compiles and caches the schema before the first input. */
    mv_snapshot_def_free(mv_snapshot_def_parse_string("<domainsnapshot/>", NULL));
    mv_fuzz_abort_on_criticals();
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *xml = NULL;
    g_autoptr(MvSnapshotDef) def = NULL;
    g_autoptr(MvSnapshotDef) again = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *out = NULL;
    g_autofree char *out2 = NULL;

    if (size > FUZZ_MAX_XML)
        return 0;
    xml = g_strndup((const char *)data, size);
    if (!(def = mv_snapshot_def_parse_string(xml, NULL)))
        return 0;
    for (size_t i = 0; i < def->ndisks; i++)
        if (def->disks[i]->source && def->disks[i]->snapshot != MV_SNAPSHOT_LOCATION_EXTERNAL)
            finding("a disk with a source file that is not external", xml, NULL);
    out = mv_snapshot_def_format(def, FORMAT_ALL);
    if (!(again = mv_snapshot_def_parse_string(out, &err)))
        finding("a formatted snapshot does not parse again", out, err);
    out2 = mv_snapshot_def_format(again, FORMAT_ALL);
    if (strcmp(out, out2) != 0)
        finding("format(parse(format(x))) differs from format(x)", out2, NULL);
    if (g_strcmp0(def->name, again->name) != 0 || g_strcmp0(def->parent, again->parent) != 0 ||
        def->ndisks != again->ndisks || (def->dom == NULL) != (again->dom == NULL))
        finding("the name, parent, disks or domain changed in a round trip", out, NULL);
    return 0;
}
