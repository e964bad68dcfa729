/* The <storagepoolCapabilities> document: every pool type libvirt documents,
 * whether modvirt runs it here, and for the types modvirt has the source
 * formats (poolOptions) and volume target formats (volOptions) it takes. */
#include "storage-pool-caps.h"
#include "storage-conf-priv.h"

static void
mv_storage_caps_options(GString *out, const char *element, const char *enum_name,
                        const char *default_format, const char *const *formats)
{
    g_string_append_printf(out, "    <%s>\n", element);
    if (default_format)
        g_string_append_printf(out, "      <defaultFormat type='%s'/>\n", default_format);
    g_string_append_printf(out, "      <enum name='%s'>\n", enum_name);
    for (size_t i = 0; formats[i]; i++)
        g_string_append_printf(out, "        <value>%s</value>\n", formats[i]);
    g_string_append(out, "      </enum>\n");
    g_string_append_printf(out, "    </%s>\n", element);
}

/* Logical and iscsi volumes have no format a caller chooses (libvirt lists no
 * volOptions for them either). */
static bool
mv_storage_caps_has_vol_options(MvStoragePoolType type)
{
    return type != MV_STORAGE_POOL_LOGICAL && type != MV_STORAGE_POOL_ISCSI;
}

char *
mv_storage_pool_caps_format(const bool *supported)
{
    GString *out = g_string_new("<storagepoolCapabilities>\n");

    for (int t = 0; t < MV_STORAGE_POOL_TYPE_LAST; t++) {
        const MvStoragePoolTypeInfo *info = mv_storage_pool_type_info((MvStoragePoolType)t);
        bool yes = supported ? supported[t] : true;
        bool vol = mv_storage_caps_has_vol_options((MvStoragePoolType)t);

        g_string_append_printf(out, "  <pool type='%s' supported='%s'",
                               mv_storage_pool_type_to_string((MvStoragePoolType)t),
                               yes ? "yes" : "no");
        if (!info->source_formats && !vol) {
            g_string_append(out, "/>\n");
            continue;
        }
        g_string_append(out, ">\n");
        if (info->source_formats)
            mv_storage_caps_options(out, "poolOptions", "sourceFormatType",
                                    info->default_source_format, info->source_formats);
        if (vol)
            mv_storage_caps_options(out, "volOptions", "targetFormatType",
                                    info->default_vol_format, info->vol_formats);
        g_string_append(out, "  </pool>\n");
    }
    for (size_t i = 0; mv_storage_pool_unsupported_types[i]; i++)
        g_string_append_printf(out, "  <pool type='%s' supported='no'/>\n",
                               mv_storage_pool_unsupported_types[i]);
    g_string_append(out, "</storagepoolCapabilities>\n");
    return g_string_free(out, FALSE);
}
