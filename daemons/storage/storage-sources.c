/* find-storage-pool-sources: the srcSpec argument (a pool <source> element,
 * schemas/storagepoolsource.rng) and the <sources> result document. */
#include "storage-sources.h"
#include "storage-conf-priv.h"

#define FROM MV_STORAGE_FROM

bool
mv_storage_source_spec_parse(const char *xml, MvStoragePoolType pool_type,
                             MvStoragePoolSource *ret_source, GError **error)
{
    const MvStoragePoolTypeInfo *info = mv_storage_pool_type_info(pool_type);
    g_autoptr(xmlDoc) doc = NULL;
    MvStoragePoolSource src = { 0 };
    const xmlNode *root;

    if (!info)
        return mv_error_set(error, FROM, MV_ERR_INTERNAL_ERROR, "unknown pool type %d",
                            pool_type);
    if (xml && *xml) {
        doc = mv_xml_parse_validated(xml, "storagepoolsource", error);
        if (!doc)
            return false;
        root = xmlDocGetRootElement(doc);
        if (!mv_storage_pool_source_parse(root, pool_type, true, &src, error)) {
            mv_storage_pool_source_clear(&src);
            return false;
        }
    }
    /* Searching a remote server needs to know which one. */
    if (info->source_host && src.nhosts != 1) {
        mv_storage_pool_source_clear(&src);
        return mv_error_set(error, FROM, MV_ERR_INVALID_ARG,
                            "finding %s pool sources needs a source spec naming one server: "
                            "<source><host name='…'/></source>",
                            mv_storage_pool_type_to_string(pool_type));
    }
    *ret_source = src;
    return true;
}

char *
mv_storage_sources_format(MvStoragePoolType pool_type, const MvStoragePoolSource *sources,
                          size_t nsources)
{
    GString *out = g_string_new(NULL);

    (void)pool_type;
    if (!nsources) {
        g_string_append(out, "<sources/>\n");
        return g_string_free(out, FALSE);
    }
    g_string_append(out, "<sources>\n");
    for (size_t i = 0; i < nsources; i++)
        mv_storage_pool_source_format(out, 2, &sources[i], 0);
    g_string_append(out, "</sources>\n");
    return g_string_free(out, FALSE);
}
