/* Volume XML → MvStorageVolDef: schema validation (schemas/storagevol.rng), the
 * element parsers and the checks that depend on the pool type (target formats,
 * backing stores, qcow2 features, LUKS encryption). Formatting: storage-vol-format.c. */
#include <string.h>

#include "storage-conf-priv.h"
#include "util/uuid.h"

#define FROM MV_STORAGE_FROM

static const MvXmlChildRule volume_rules[] = {
    { "name", 1, 1 },     { "key", 0, 1 },      { "source", 0, 1 },
    { "capacity", 0, 1 }, { "allocation", 0, 1 }, { "physical", 0, 1 },
    { "target", 0, 1 },   { "backingStore", 0, 1 },
};
static const MvXmlChildRule target_rules[] = {
    { "path", 0, 1 },        { "format", 0, 1 },   { "permissions", 0, 1 },
    { "timestamps", 0, 1 },  { "compat", 0, 1 },   { "clusterSize", 0, 1 },
    { "nocow", 0, 1 },       { "features", 0, 1 }, { "encryption", 0, 1 },
};
static const MvXmlChildRule timestamps_rules[] = {
    { "atime", 0, 1 }, { "mtime", 0, 1 }, { "ctime", 0, 1 }, { "btime", 0, 1 },
};
static const MvXmlChildRule features_rules[] = {
    { "lazy_refcounts", 0, 1 }, { "extended_l2", 0, 1 },
};
static const MvXmlChildRule encryption_rules[] = {
    { "secret", 0, 1 }, { "cipher", 0, 1 }, { "ivgen", 0, 1 },
};
static const MvXmlChildRule backing_rules[] = {
    { "path", 1, 1 }, { "format", 0, 1 }, { "permissions", 0, 1 },
};

static bool
mv_storage_vol_parse_format(const xmlNode *node, MvStoragePoolType pool_type, bool backing,
                            MvStorageVolFormat *ret, GError **error)
{
    const MvStoragePoolTypeInfo *info = mv_storage_pool_type_info(pool_type);
    g_autofree char *type = mv_storage_prop(node, "type");
    int format = mv_storage_vol_format_from_string(type);
    g_autofree char *list = g_strjoinv("', '", (char **)info->vol_formats);

    /* A backing file of a file volume may be anything qemu reads. */
    if (backing && format >= 0 && info->volumes_are_files &&
        format < MV_STORAGE_VOL_FORMAT_PART_LINUX && format != MV_STORAGE_VOL_FORMAT_NONE) {
        *ret = (MvStorageVolFormat)format;
        return true;
    }
    if (format < 0 || !mv_storage_vol_format_allowed(pool_type, (MvStorageVolFormat)format))
        return mv_xml_error_at(error, FROM, MV_ERR_CONFIG_UNSUPPORTED, node,
                               "%s format '%s' for volumes of %s pools: expected one of '%s'",
                               format < 0 ? "unknown" : "unsupported", type,
                               mv_storage_pool_type_to_string(pool_type), list);
    *ret = (MvStorageVolFormat)format;
    return true;
}

/* "seconds[.nanoseconds]" */
static bool
mv_storage_parse_timestamp(const xmlNode *node, char **ret, GError **error)
{
    g_autofree char *text = mv_storage_node_text(node);
    const char *p = text;

    while (g_ascii_isdigit(*p))
        p++;
    if (*p == '.' && g_ascii_isdigit(p[1]))
        for (p++; g_ascii_isdigit(*p); p++)
            ;
    if (p == text || *p)
        return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, node,
                               "invalid timestamp '%s': expected seconds[.nanoseconds]", text);
    g_free(*ret);
    *ret = g_steal_pointer(&text);
    return true;
}

static bool
mv_storage_vol_parse_timestamps(const xmlNode *node, MvStorageTimestamps *ts, GError **error)
{
    if (!mv_storage_check_children(node, timestamps_rules, G_N_ELEMENTS(timestamps_rules),
                                   error))
        return false;
    MV_STORAGE_FOR_EACH_ELEMENT(child, node) {
        char **slot = mv_xml_node_is(child, "atime")   ? &ts->atime
                      : mv_xml_node_is(child, "mtime") ? &ts->mtime
                      : mv_xml_node_is(child, "ctime") ? &ts->ctime
                                                       : &ts->btime;

        if (!mv_storage_parse_timestamp(child, slot, error))
            return false;
    }
    return true;
}

static bool
mv_storage_vol_parse_secret(const xmlNode *node, MvStorageEncryption *enc, GError **error)
{
    g_autofree char *type = mv_xml_get_prop(node, "type");
    g_autofree char *uuid = mv_xml_get_prop(node, "uuid");

    if (type && strcmp(type, "passphrase") != 0)
        return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, node,
                               "unknown secret type '%s': expected 'passphrase'", type);
    enc->secret_usage = mv_xml_get_prop(node, "usage");
    if (uuid) {
        if (!mv_storage_parse_uuid_text(node, uuid, enc->secret_uuid, error))
            return false;
        enc->has_secret_uuid = true;
    }
    if (!uuid == !enc->secret_usage)
        return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, node,
                               "a secret is named by exactly one of 'uuid' and 'usage'");
    return true;
}

static bool
mv_storage_vol_parse_encryption(const xmlNode *node, MvStorageEncryption *enc, GError **error)
{
    g_autofree char *format = mv_storage_prop(node, "format");
    int f = mv_storage_encryption_format_from_string(format);

    if (f == MV_STORAGE_ENCRYPTION_QCOW)
        return mv_xml_error_at(error, FROM, MV_ERR_CONFIG_UNSUPPORTED, node,
                               "qcow encryption is insecure and not supported: use "
                               "<encryption format='luks'>");
    if (f <= 0)
        return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, node,
                               "unknown encryption format '%s': expected 'luks'", format);
    enc->format = (MvStorageEncryptionFormat)f;
    if (!mv_storage_check_children(node, encryption_rules, G_N_ELEMENTS(encryption_rules),
                                   error))
        return false;
    MV_STORAGE_FOR_EACH_ELEMENT(child, node) {
        if (mv_xml_node_is(child, "secret")) {
            if (!mv_storage_vol_parse_secret(child, enc, error))
                return false;
        } else if (mv_xml_node_is(child, "cipher")) {
            unsigned int size = 0;

            if (!mv_xml_prop_uint(child, "size", G_MAXUINT, &size, FROM, error))
                return false;
            enc->cipher_name = mv_storage_prop(child, "name");
            enc->cipher_size = size;
            enc->cipher_mode = mv_xml_get_prop(child, "mode");
            enc->cipher_hash = mv_xml_get_prop(child, "hash");
        } else {
            enc->ivgen_name = mv_storage_prop(child, "name");
            enc->ivgen_hash = mv_xml_get_prop(child, "hash");
        }
    }
    if ((enc->cipher_name || enc->ivgen_name) && enc->format != MV_STORAGE_ENCRYPTION_LUKS)
        return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, node,
                               "<cipher> and <ivgen> are only for format='luks'");
    return true;
}

static bool
mv_storage_vol_parse_target_child(const xmlNode *child, MvStoragePoolType pool_type,
                                  MvStorageVolTarget *target, GError **error)
{
    if (mv_xml_node_is(child, "path")) {
        target->path = mv_storage_node_text(child);
    } else if (mv_xml_node_is(child, "format")) {
        return mv_storage_vol_parse_format(child, pool_type, false, &target->format, error);
    } else if (mv_xml_node_is(child, "permissions")) {
        return mv_storage_parse_perms(child, &target->perms, error);
    } else if (mv_xml_node_is(child, "timestamps")) {
        return mv_storage_vol_parse_timestamps(child, &target->timestamps, error);
    } else if (mv_xml_node_is(child, "compat")) {
        target->compat = mv_storage_node_text(child);
        if (strcmp(target->compat, "0.10") != 0 && strcmp(target->compat, "1.1") != 0)
            return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, child,
                                   "unknown qcow2 compat '%s': expected '0.10' or '1.1'",
                                   target->compat);
    } else if (mv_xml_node_is(child, "clusterSize")) {
        return mv_storage_parse_size_node(child, &target->cluster_size, error);
    } else if (mv_xml_node_is(child, "nocow")) {
        target->nocow = true;
    } else if (mv_xml_node_is(child, "features")) {
        if (!mv_storage_check_children(child, features_rules, G_N_ELEMENTS(features_rules),
                                       error))
            return false;
        target->lazy_refcounts = mv_xml_get_child(child, "lazy_refcounts") != NULL;
        target->extended_l2 = mv_xml_get_child(child, "extended_l2") != NULL;
    } else if (mv_xml_node_is(child, "encryption")) {
        return mv_storage_vol_parse_encryption(child, &target->encryption, error);
    }
    return true;
}

static bool
mv_storage_vol_parse_target(const xmlNode *node, MvStoragePoolType pool_type,
                            MvStorageVolDef *def, GError **error)
{
    if (!mv_storage_check_children(node, target_rules, G_N_ELEMENTS(target_rules), error))
        return false;
    MV_STORAGE_FOR_EACH_ELEMENT(child, node) {
        if (!mv_storage_vol_parse_target_child(child, pool_type, &def->target, error))
            return false;
    }
    return true;
}

static bool
mv_storage_vol_parse_backing(const xmlNode *node, MvStoragePoolType pool_type,
                             MvStorageVolDef *def, GError **error)
{
    if (!mv_storage_check_children(node, backing_rules, G_N_ELEMENTS(backing_rules), error))
        return false;
    MV_STORAGE_FOR_EACH_ELEMENT(child, node) {
        if (mv_xml_node_is(child, "path")) {
            def->backing.path = mv_storage_node_text(child);
        } else if (mv_xml_node_is(child, "format")) {
            if (!mv_storage_vol_parse_format(child, pool_type, true, &def->backing.format,
                                             error))
                return false;
        } else if (!mv_storage_parse_perms(child, &def->backing.perms, error)) {
            return false;
        }
    }
    return true;
}

static bool
mv_storage_vol_parse_source(const xmlNode *node, MvStorageVolDef *def, GError **error)
{
    GArray *devs = g_array_new(FALSE, TRUE, sizeof(MvStorageVolSourceDevice));
    bool ok = true;

    MV_STORAGE_FOR_EACH_ELEMENT(child, node) {
        MvStorageVolSourceDevice dev = { .path = mv_storage_prop(child, "path") };
        GArray *exts = g_array_new(FALSE, TRUE, sizeof(MvStorageExtent));

        MV_STORAGE_FOR_EACH_ELEMENT(e, child) {
            g_autofree char *start = mv_storage_prop(e, "start");
            g_autofree char *end = mv_storage_prop(e, "end");
            MvStorageExtent ext;

            if (ok && (!mv_xml_parse_uint(start, G_MAXUINT64, &ext.start) ||
                       !mv_xml_parse_uint(end, G_MAXUINT64, &ext.end) || ext.end < ext.start))
                ok = mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, e,
                                     "invalid extent start='%s' end='%s': expected numbers, "
                                     "the end not before the start", start, end);
            if (ok)
                g_array_append_val(exts, ext);
        }
        dev.nextents = exts->len;
        dev.extents = (MvStorageExtent *)(void *)g_array_free(exts, exts->len == 0);
        g_array_append_val(devs, dev);
    }
    def->nsource_devices = devs->len;
    def->source_devices = (MvStorageVolSourceDevice *)(void *)g_array_free(devs, devs->len == 0);
    return ok;
}

static bool
mv_storage_vol_parse_child(const xmlNode *child, MvStoragePoolType pool_type,
                           MvStorageVolDef *def, GError **error)
{
    if (mv_xml_node_is(child, "name")) {
        def->name = mv_storage_node_text(child);
        if (!*def->name || strchr(def->name, '/') || strcmp(def->name, ".") == 0 ||
            strcmp(def->name, "..") == 0)
            return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, child,
                                   "invalid volume name '%s': it must not be empty, '.', '..' "
                                   "or contain '/'", def->name);
    } else if (mv_xml_node_is(child, "key")) {
        def->key = mv_storage_node_text(child);
    } else if (mv_xml_node_is(child, "source")) {
        return mv_storage_vol_parse_source(child, def, error);
    } else if (mv_xml_node_is(child, "capacity")) {
        def->has_capacity = true;
        return mv_storage_parse_size_node(child, &def->capacity, error);
    } else if (mv_xml_node_is(child, "allocation")) {
        def->has_allocation = true;
        return mv_storage_parse_size_node(child, &def->allocation, error);
    } else if (mv_xml_node_is(child, "physical")) {
        def->has_physical = true;
        return mv_storage_parse_size_node(child, &def->physical, error);
    } else if (mv_xml_node_is(child, "target")) {
        return mv_storage_vol_parse_target(child, pool_type, def, error);
    } else if (mv_xml_node_is(child, "backingStore")) {
        return mv_storage_vol_parse_backing(child, pool_type, def, error);
    }
    return true;
}

static bool
mv_storage_vol_check_qcow2(const xmlNode *target_node, const MvStorageVolDef *def,
                           GError **error)
{

    const MvStorageVolTarget *t = &def->target;
    bool qcow2 = t->format == MV_STORAGE_VOL_FORMAT_QCOW2;

    if (!qcow2 && (t->compat || t->lazy_refcounts || t->extended_l2 || t->cluster_size))
        return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, target_node,
                               "<compat>, <clusterSize> and <features> are only for qcow2 "
                               "volumes: the format is '%s'",
                               mv_storage_vol_format_to_string(t->format));
    if (t->compat && strcmp(t->compat, "0.10") == 0 && (t->lazy_refcounts || t->extended_l2))
        return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, target_node,
                               "qcow2 features need <compat>1.1</compat>");
    if (t->cluster_size &&
        (t->cluster_size < 512 || t->cluster_size > 2 * 1024 * 1024 ||
         (t->cluster_size & (t->cluster_size - 1))))
        return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, target_node,
                               "invalid qcow2 cluster size %" G_GUINT64_FORMAT " bytes: expected "
                               "a power of two from 512 bytes to 2 MiB", t->cluster_size);
    return true;
}

static bool
mv_storage_vol_check(const xmlNode *root, MvStoragePoolType pool_type,
                     const MvStorageVolDef *def, unsigned int flags, GError **error)
{
    const MvStoragePoolTypeInfo *info = mv_storage_pool_type_info(pool_type);
    const MvStorageVolTarget *t = &def->target;
    bool cap_optional = flags & (MV_STORAGE_VOL_PARSE_NO_CAPACITY |
                                 MV_STORAGE_VOL_PARSE_OPT_CAPACITY);

    if (!def->has_capacity && !cap_optional && !def->backing.path)
        return mv_xml_error_at(error, FROM, MV_ERR_XML_ERROR, root,
                               "the required element <capacity> is missing");
    const xmlNode *target_node = mv_xml_get_child(root, "target");
    const xmlNode *backing_node = mv_xml_get_child(root, "backingStore");

    if (!mv_storage_vol_check_qcow2(target_node ? target_node : root, def, error))
        return false;
    if (def->backing.path && info->volumes_are_files &&
        !mv_storage_vol_format_has_backing(t->format))
        return mv_xml_error_at(error, FROM, MV_ERR_CONFIG_UNSUPPORTED, backing_node,
                               "a volume of format '%s' cannot have a backing store: use "
                               "qcow2", mv_storage_vol_format_to_string(t->format));
    if (def->backing.path && !info->volumes_are_files && pool_type != MV_STORAGE_POOL_LOGICAL)
        return mv_xml_error_at(error, FROM, MV_ERR_CONFIG_UNSUPPORTED, backing_node,
                               "volumes of %s pools cannot have a backing store",
                               mv_storage_pool_type_to_string(pool_type));
    if (t->encryption.format == MV_STORAGE_ENCRYPTION_NONE)
        return true;
    if (!info->volumes_are_files || (t->format != MV_STORAGE_VOL_FORMAT_RAW &&
                                     t->format != MV_STORAGE_VOL_FORMAT_QCOW2))
        return mv_xml_error_at(error, FROM, MV_ERR_CONFIG_UNSUPPORTED, target_node,
                               "LUKS encryption is for raw and qcow2 volumes of dir, fs and "
                               "netfs pools, not for format '%s' in %s pools",
                               mv_storage_vol_format_to_string(t->format),
                               mv_storage_pool_type_to_string(pool_type));
    return true;
}

MvStorageVolDef *
mv_storage_vol_def_parse(const char *xml, MvStoragePoolType pool_type, unsigned int flags,
                         GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(MvStorageVolDef) def = NULL;
    const MvStoragePoolTypeInfo *info = mv_storage_pool_type_info(pool_type);
    const xmlNode *root;
    g_autofree char *type = NULL;

    if (!info) {
        mv_error_set(error, FROM, MV_ERR_INTERNAL_ERROR, "unknown pool type %d", pool_type);
        return NULL;
    }
    doc = mv_xml_parse_validated(xml, "storagevol", error);
    if (!doc)
        return NULL;
    root = xmlDocGetRootElement(doc);
    def = mv_storage_vol_def_new();
    def->target.format = mv_storage_vol_default_format(pool_type);
    def->type = info->volumes_are_files ? MV_STORAGE_VOL_FILE : MV_STORAGE_VOL_BLOCK;
    type = mv_xml_get_prop(root, "type");
    if (type) {
        int t = mv_storage_vol_type_from_string(type);

        if (t != MV_STORAGE_VOL_FILE && t != MV_STORAGE_VOL_BLOCK && t != MV_STORAGE_VOL_DIR) {
            mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, root,
                            "unknown volume type '%s': expected file, block or dir", type);
            return NULL;
        }
        def->type = (MvStorageVolType)t;
        def->type_set = true;
    }
    if (!mv_storage_check_children(root, volume_rules, G_N_ELEMENTS(volume_rules), error))
        return NULL;
    MV_STORAGE_FOR_EACH_ELEMENT(child, root) {
        if (!mv_storage_vol_parse_child(child, pool_type, def, error))
            return NULL;
    }
    if (!mv_storage_vol_check(root, pool_type, def, flags, error))
        return NULL;
    return g_steal_pointer(&def);
}

/* ---- new, free and copy ---- */

MvStorageVolDef *
mv_storage_vol_def_new(void)
{
    MvStorageVolDef *def = g_new0(MvStorageVolDef, 1);

    mv_storage_perms_init(&def->target.perms);
    mv_storage_perms_init(&def->backing.perms);
    return def;
}

static void
mv_storage_encryption_clear(MvStorageEncryption *enc)
{
    g_free(enc->secret_usage);
    g_free(enc->cipher_name);
    g_free(enc->cipher_mode);
    g_free(enc->cipher_hash);
    g_free(enc->ivgen_name);
    g_free(enc->ivgen_hash);
}

static void
mv_storage_encryption_copy(MvStorageEncryption *dst, const MvStorageEncryption *src)
{
    *dst = *src;
    dst->secret_usage = g_strdup(src->secret_usage);
    dst->cipher_name = g_strdup(src->cipher_name);
    dst->cipher_mode = g_strdup(src->cipher_mode);
    dst->cipher_hash = g_strdup(src->cipher_hash);
    dst->ivgen_name = g_strdup(src->ivgen_name);
    dst->ivgen_hash = g_strdup(src->ivgen_hash);
}

MvStorageVolDef *
mv_storage_vol_def_copy(const MvStorageVolDef *def)
{
    MvStorageVolDef *copy = g_new0(MvStorageVolDef, 1);
    MvStorageVolTarget *t = &copy->target;

    *copy = *def;
    copy->name = g_strdup(def->name);
    copy->key = g_strdup(def->key);
    copy->source_devices = def->nsource_devices
                           ? g_new0(MvStorageVolSourceDevice, def->nsource_devices) : NULL;
    for (size_t i = 0; i < def->nsource_devices; i++) {
        const MvStorageVolSourceDevice *d = &def->source_devices[i];

        copy->source_devices[i].path = g_strdup(d->path);
        copy->source_devices[i].nextents = d->nextents;
        copy->source_devices[i].extents = g_memdup2(d->extents,
                                                    d->nextents * sizeof(MvStorageExtent));
    }
    t->path = g_strdup(def->target.path);
    mv_storage_perms_copy(&t->perms, &def->target.perms);
    t->timestamps.atime = g_strdup(def->target.timestamps.atime);
    t->timestamps.mtime = g_strdup(def->target.timestamps.mtime);
    t->timestamps.ctime = g_strdup(def->target.timestamps.ctime);
    t->timestamps.btime = g_strdup(def->target.timestamps.btime);
    t->compat = g_strdup(def->target.compat);
    mv_storage_encryption_copy(&t->encryption, &def->target.encryption);
    copy->backing.path = g_strdup(def->backing.path);
    mv_storage_perms_copy(&copy->backing.perms, &def->backing.perms);
    return copy;
}

void
mv_storage_vol_def_free(MvStorageVolDef *def)
{
    if (!def)
        return;
    g_free(def->name);
    g_free(def->key);
    for (size_t i = 0; i < def->nsource_devices; i++) {
        g_free(def->source_devices[i].path);
        g_free(def->source_devices[i].extents);
    }
    g_free(def->source_devices);
    g_free(def->target.path);
    g_free(def->target.perms.label);
    g_free(def->target.timestamps.atime);
    g_free(def->target.timestamps.mtime);
    g_free(def->target.timestamps.ctime);
    g_free(def->target.timestamps.btime);
    g_free(def->target.compat);
    mv_storage_encryption_clear(&def->target.encryption);
    g_free(def->backing.path);
    g_free(def->backing.perms.label);
    g_free(def);
}
