/* Fuzz target "storagexml": the storage pool and volume XML parsers with their
 * schema checks (daemons/storage/storage_conf_lib), the find-storage-pool-sources
 * spec parser and the size parser.
 *
 * The input is a document, optionally followed by a NUL byte and a size string
 * ("10G"). The document is parsed as a pool, as a volume of a pool of each type
 * (with and without NO_CAPACITY) and as a source spec of each pool type. What
 * parses must format, parse back and format to the same text, and a deep copy
 * must format identically; a source spec that parses must format inside a
 * <sources> document that is well-formed. A size that parses must parse again
 * from its decimal form to the same number of bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "storage-sources.h"
#include "storage-vol-def.h"
#include "util/xml.h"

#define FUZZ_MAX_XML (1024 * 1024)

static G_NORETURN void
finding(const char *what, const char *text, const GError *err)
{
    fprintf(stderr, "fuzz-storagexml: %s%s%s\n--- document:\n%s\n", what, err ? ": " : "",
            err ? err->message : "", text);
    abort();
}

static void
pool_round_trip(const char *xml)
{
    g_autoptr(MvStoragePoolDef) def = mv_storage_pool_def_parse(xml, 0, NULL);

    if (!def)
        return;
    for (unsigned int flags = 0; flags <= MV_STORAGE_POOL_FORMAT_INACTIVE; flags++) {
        g_autofree char *out = mv_storage_pool_def_format(def, flags);
        g_autoptr(MvStoragePoolDef) again = NULL;
        g_autoptr(MvStoragePoolDef) copy = NULL;
        g_autofree char *out2 = NULL;
        g_autofree char *out_copy = NULL;
        g_autoptr(GError) err = NULL;

        if (!(again = mv_storage_pool_def_parse(out, 0, &err)))
            finding("a formatted pool does not parse again", out, err);
        out2 = mv_storage_pool_def_format(again, flags);
        if (strcmp(out, out2) != 0)
            finding("pool format(parse(format(x))) differs from format(x)", out2, NULL);
        copy = mv_storage_pool_def_copy(def);
        out_copy = mv_storage_pool_def_format(copy, flags);
        if (strcmp(out, out_copy) != 0)
            finding("a deep copy of a pool formats differently", out_copy, NULL);
    }
}

static void
vol_round_trip(const char *xml, MvStoragePoolType type, unsigned int flags)
{
    g_autoptr(MvStorageVolDef) def = mv_storage_vol_def_parse(xml, type, flags, NULL);
    g_autoptr(MvStorageVolDef) again = NULL;
    g_autoptr(MvStorageVolDef) copy = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *out = NULL;
    g_autofree char *out2 = NULL;
    g_autofree char *out_copy = NULL;

    if (!def)
        return;
    out = mv_storage_vol_def_format(def, type, 0);
    if (!(again = mv_storage_vol_def_parse(out, type, flags, &err)))
        finding("a formatted volume does not parse again", out, err);
    out2 = mv_storage_vol_def_format(again, type, 0);
    if (strcmp(out, out2) != 0)
        finding("volume format(parse(format(x))) differs from format(x)", out2, NULL);
    copy = mv_storage_vol_def_copy(def);
    g_clear_pointer(&def, mv_storage_vol_def_free);
    out_copy = mv_storage_vol_def_format(copy, type, 0);
    if (strcmp(out, out_copy) != 0)
        finding("a deep copy of a volume formats differently", out_copy, NULL);
}

static void
source_spec(const char *xml, MvStoragePoolType type)
{
    MvStoragePoolSource src = { 0 };
    g_autofree char *out = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(GError) err = NULL;

    if (!mv_storage_source_spec_parse(xml, type, &src, NULL))
        return;
    out = mv_storage_sources_format(type, &src, 1);
    mv_storage_pool_source_clear(&src);
    if (!(doc = mv_xml_parse_string(out, NULL, &err)))
        finding("a <sources> document is not well-formed", out, err);
}

static void
size_round_trip(const char *text)
{
    guint64 bytes, again;
    g_autofree char *dec = NULL;
    g_autoptr(GError) err = NULL;

    if (!mv_storage_parse_size_string(text, &bytes, NULL))
        return;
    dec = g_strdup_printf("%" G_GUINT64_FORMAT, bytes);
    if (!mv_storage_parse_size_string(dec, &again, &err) || again != bytes)
        finding("a parsed size does not parse again from its bytes", dec, err);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    /* Compiles and caches the schemas before the first input. */
    mv_storage_pool_def_free(mv_storage_pool_def_parse("<pool/>", 0, NULL));
    mv_storage_vol_def_free(mv_storage_vol_def_parse("<volume/>", MV_STORAGE_POOL_DIR, 0, NULL));
    mv_storage_pool_source_clear(&(MvStoragePoolSource){ 0 });
    mv_fuzz_abort_on_criticals();
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *xml = NULL;
    const uint8_t *nul;
    size_t len;

    if (size > FUZZ_MAX_XML)
        return 0;
    nul = memchr(data, 0, size);
    len = nul ? (size_t)(nul - data) : size;
    xml = g_strndup((const char *)data, len);
    pool_round_trip(xml);
    for (int t = 0; t < MV_STORAGE_POOL_TYPE_LAST; t++) {
        vol_round_trip(xml, (MvStoragePoolType)t, 0);
        vol_round_trip(xml, (MvStoragePoolType)t, MV_STORAGE_VOL_PARSE_NO_CAPACITY);
        source_spec(xml, (MvStoragePoolType)t);
    }
    if (nul) {
        g_autofree char *text = g_strndup((const char *)nul + 1, size - len - 1);

        size_round_trip(text);
    }
    return 0;
}
