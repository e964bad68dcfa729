/* MvStorageVolDef → canonical volume XML (what virStorageVolGetXMLDesc returns). */
#include "storage-conf-priv.h"
#include "util/uuid.h"

static void
mv_storage_vol_format_format(GString *out, int indent, MvStorageVolFormat format)
{
    /* A bare LUKS file is a raw volume with LUKS encryption in libvirt's terms. */
    if (format == MV_STORAGE_VOL_FORMAT_LUKS)
        format = MV_STORAGE_VOL_FORMAT_RAW;
    mv_storage_format_indent(out, indent);
    g_string_append(out, "<format");
    mv_storage_format_attr(out, "type", mv_storage_vol_format_to_string(format));
    g_string_append(out, "/>\n");
}

static void
mv_storage_vol_format_encryption(GString *out, int indent, const MvStorageVolTarget *t)
{
    const MvStorageEncryption *enc = &t->encryption;
    MvStorageEncryptionFormat format = enc->format;
    bool children = enc->has_secret_uuid || enc->secret_usage || enc->cipher_name ||
                    enc->ivgen_name;
    char uuid[MV_UUID_STRING_LEN];

    if (format == MV_STORAGE_ENCRYPTION_NONE && t->format == MV_STORAGE_VOL_FORMAT_LUKS)
        format = MV_STORAGE_ENCRYPTION_LUKS;
    if (format == MV_STORAGE_ENCRYPTION_NONE)
        return;
    mv_storage_format_indent(out, indent);
    g_string_append(out, "<encryption");
    mv_storage_format_attr(out, "format", mv_storage_encryption_format_to_string(format));
    g_string_append(out, children ? ">\n" : "/>\n");
    if (!children)
        return;
    if (enc->has_secret_uuid || enc->secret_usage) {
        mv_storage_format_indent(out, indent + 2);
        g_string_append(out, "<secret type='passphrase'");
        if (enc->has_secret_uuid) {
            mv_uuid_format(enc->secret_uuid, uuid);
            mv_storage_format_attr(out, "uuid", uuid);
        } else {
            mv_storage_format_attr(out, "usage", enc->secret_usage);
        }
        g_string_append(out, "/>\n");
    }
    if (enc->cipher_name) {
        mv_storage_format_indent(out, indent + 2);
        g_string_append(out, "<cipher");
        mv_storage_format_attr(out, "name", enc->cipher_name);
        g_string_append_printf(out, " size='%u'", enc->cipher_size);
        mv_storage_format_attr(out, "mode", enc->cipher_mode);
        mv_storage_format_attr(out, "hash", enc->cipher_hash);
        g_string_append(out, "/>\n");
    }
    if (enc->ivgen_name) {
        mv_storage_format_indent(out, indent + 2);
        g_string_append(out, "<ivgen");
        mv_storage_format_attr(out, "name", enc->ivgen_name);
        mv_storage_format_attr(out, "hash", enc->ivgen_hash);
        g_string_append(out, "/>\n");
    }
    mv_storage_format_indent(out, indent);
    g_string_append(out, "</encryption>\n");
}

static void
mv_storage_vol_format_timestamps(GString *out, int indent, const MvStorageTimestamps *ts)
{
    if (!ts->atime && !ts->mtime && !ts->ctime && !ts->btime)
        return;
    mv_storage_format_indent(out, indent);
    g_string_append(out, "<timestamps>\n");
    mv_storage_format_text(out, indent + 2, "atime", ts->atime);
    mv_storage_format_text(out, indent + 2, "mtime", ts->mtime);
    mv_storage_format_text(out, indent + 2, "ctime", ts->ctime);
    mv_storage_format_text(out, indent + 2, "btime", ts->btime);
    mv_storage_format_indent(out, indent);
    g_string_append(out, "</timestamps>\n");
}

/* Whether volumes of @pool_type show a <format> even when it is "none". */
static bool
mv_storage_vol_shows_format(MvStoragePoolType pool_type)
{
    const MvStoragePoolTypeInfo *info = mv_storage_pool_type_info(pool_type);

    return info && (info->volumes_are_files || pool_type == MV_STORAGE_POOL_DISK);
}

static void
mv_storage_vol_format_target(GString *out, const MvStorageVolDef *def,
                             MvStoragePoolType pool_type)
{
    const MvStorageVolTarget *t = &def->target;

    g_string_append(out, "  <target>\n");
    mv_storage_format_text(out, 4, "path", t->path);
    if (t->format != MV_STORAGE_VOL_FORMAT_NONE || mv_storage_vol_shows_format(pool_type))
        mv_storage_vol_format_format(out, 4, t->format);
    mv_storage_format_perms(out, 4, &t->perms);
    mv_storage_vol_format_timestamps(out, 4, &t->timestamps);
    mv_storage_vol_format_encryption(out, 4, t);
    mv_storage_format_text(out, 4, "compat", t->compat);
    if (t->cluster_size)
        mv_storage_format_size(out, 4, "clusterSize", t->cluster_size);
    if (t->nocow)
        g_string_append(out, "    <nocow/>\n");
    if (t->lazy_refcounts || t->extended_l2) {
        g_string_append(out, "    <features>\n");
        if (t->lazy_refcounts)
            g_string_append(out, "      <lazy_refcounts/>\n");
        if (t->extended_l2)
            g_string_append(out, "      <extended_l2/>\n");
        g_string_append(out, "    </features>\n");
    }
    g_string_append(out, "  </target>\n");
}

static void
mv_storage_vol_format_source(GString *out, const MvStorageVolDef *def)
{
    if (!def->nsource_devices)
        return;
    g_string_append(out, "  <source>\n");
    for (size_t i = 0; i < def->nsource_devices; i++) {
        const MvStorageVolSourceDevice *d = &def->source_devices[i];

        g_string_append(out, "    <device");
        mv_storage_format_attr(out, "path", d->path);
        if (!d->nextents) {
            g_string_append(out, "/>\n");
            continue;
        }
        g_string_append(out, ">\n");
        for (size_t j = 0; j < d->nextents; j++)
            g_string_append_printf(out, "      <extent start='%" G_GUINT64_FORMAT "' end='%"
                                   G_GUINT64_FORMAT "'/>\n", d->extents[j].start,
                                   d->extents[j].end);
        g_string_append(out, "    </device>\n");
    }
    g_string_append(out, "  </source>\n");
}

char *
mv_storage_vol_def_format(const MvStorageVolDef *def, MvStoragePoolType pool_type,
                          unsigned int flags)
{
    GString *out = g_string_new(NULL);

    (void)flags;
    g_string_append(out, "<volume");
    mv_storage_format_attr(out, "type", mv_storage_vol_type_to_string(def->type));
    g_string_append(out, ">\n");
    mv_storage_format_text(out, 2, "name", def->name);
    mv_storage_format_text(out, 2, "key", def->key);
    mv_storage_vol_format_source(out, def);
    if (def->has_capacity)
        mv_storage_format_size(out, 2, "capacity", def->capacity);
    if (def->has_allocation)
        mv_storage_format_size(out, 2, "allocation", def->allocation);
    if (def->has_physical)
        mv_storage_format_size(out, 2, "physical", def->physical);
    mv_storage_vol_format_target(out, def, pool_type);
    if (def->backing.path) {
        g_string_append(out, "  <backingStore>\n");
        mv_storage_format_text(out, 4, "path", def->backing.path);
        if (def->backing.format != MV_STORAGE_VOL_FORMAT_NONE)
            mv_storage_vol_format_format(out, 4, def->backing.format);
        mv_storage_format_perms(out, 4, &def->backing.perms);
        g_string_append(out, "  </backingStore>\n");
    }
    g_string_append(out, "</volume>\n");
    return g_string_free(out, FALSE);
}
