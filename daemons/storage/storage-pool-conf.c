/* Pool XML → MvStoragePoolDef: schema validation (schemas/storagepool.rng), the
 * element parsers and the checks per pool type (MvStoragePoolTypeInfo), the
 * generated UUID and the defaults libvirt fills in (source format, VG name,
 * target path of disk, iscsi and logical pools). Formatting: storage-pool-format.c. */
#include <string.h>

#include "storage-conf-priv.h"
#include "util/uuid.h"

#define FROM MV_STORAGE_FROM

static const MvXmlChildRule pool_rules[] = {
    { "name", 1, 1 },       { "uuid", 0, 1 },      { "capacity", 0, 1 },
    { "allocation", 0, 1 }, { "available", 0, 1 }, { "source", 0, 1 },
    { "target", 0, 1 },     { "features", 0, 1 },  { "refresh", 0, 1 },
};
static const MvXmlChildRule source_rules[] = {
    { "host", 0, G_MAXUINT }, { "device", 0, G_MAXUINT }, { "dir", 0, 1 },
    { "name", 0, 1 },         { "format", 0, 1 },         { "protocol", 0, 1 },
    { "initiator", 0, 1 },    { "auth", 0, 1 },           { "vendor", 0, 1 },
    { "product", 0, 1 },
};
static const MvXmlChildRule target_rules[] = { { "path", 0, 1 }, { "permissions", 0, 1 } };

static bool
mv_storage_parse_extent(const xmlNode *node, MvStorageExtent *ret, GError **error)
{
    g_autofree char *start = mv_storage_prop(node, "start");
    g_autofree char *end = mv_storage_prop(node, "end");

    if (!mv_xml_parse_uint(start, G_MAXUINT64, &ret->start) ||
        !mv_xml_parse_uint(end, G_MAXUINT64, &ret->end))
        return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, node,
                               "invalid extent '%s'..'%s': expected numbers", start, end);
    if (ret->end < ret->start)
        return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, node,
                               "extent end %" G_GUINT64_FORMAT " is before its start %"
                               G_GUINT64_FORMAT, ret->end, ret->start);
    return true;
}

static bool
mv_storage_parse_device(const xmlNode *node, MvStoragePoolSourceDevice *dev, GError **error)
{
    GArray *extents = NULL;

    dev->path = mv_storage_prop(node, "path");
    dev->part_separator = -1;
    if (!mv_xml_prop_bool(node, "part_separator", &dev->part_separator, FROM, error))
        return false;
    MV_STORAGE_FOR_EACH_ELEMENT(child, node) {
        MvStorageExtent ext;

        if (!mv_storage_parse_extent(child, &ext, error)) {
            if (extents)
                g_array_free(extents, TRUE);
            return false;
        }
        if (!extents)
            extents = g_array_new(FALSE, TRUE, sizeof(MvStorageExtent));
        g_array_append_val(extents, ext);
    }
    if (extents) {
        dev->nfree_extents = extents->len;
        dev->free_extents = (MvStorageExtent *)(void *)g_array_free(extents, FALSE);
    }
    return true;
}

static bool
mv_storage_parse_auth(const xmlNode *node, MvStoragePoolAuth *auth, GError **error)
{
    g_autofree char *type = mv_storage_prop(node, "type");
    const xmlNode *secret = mv_xml_get_child(node, "secret");
    g_autofree char *uuid = NULL;

    if (strcmp(type, "chap") == 0)
        auth->type = MV_STORAGE_AUTH_CHAP;
    else if (strcmp(type, "ceph") == 0)
        auth->type = MV_STORAGE_AUTH_CEPHX;
    else
        return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, node,
                               "unknown auth type '%s': expected 'chap'", type);
    auth->username = mv_storage_prop(node, "username");
    if (!secret)
        return mv_xml_error_at(error, FROM, MV_ERR_XML_ERROR, node,
                               "the required element <secret> is missing");
    uuid = mv_xml_get_prop(secret, "uuid");
    auth->secret_usage = mv_xml_get_prop(secret, "usage");
    if (uuid) {
        if (!mv_storage_parse_uuid_text(secret, uuid, auth->secret_uuid, error))
            return false;
        auth->has_secret_uuid = true;
    }
    if (!uuid == !auth->secret_usage)
        return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, secret,
                               "a secret is named by exactly one of 'uuid' and 'usage'");
    return true;
}

static bool
mv_storage_source_parse_child(const xmlNode *child, MvStoragePoolSource *src, GPtrArray *hosts,
                              GArray *devices, GError **error)
{
    if (mv_xml_node_is(child, "host")) {
        MvStoragePoolSourceHost host = { 0 };
        unsigned int port = 0;

        if (!mv_xml_prop_uint(child, "port", 65535, &port, FROM, error))
            return false;
        host.name = mv_storage_prop(child, "name");
        host.port = (int)port;
        g_ptr_array_add(hosts, g_memdup2(&host, sizeof(host)));
    } else if (mv_xml_node_is(child, "device")) {
        MvStoragePoolSourceDevice dev = { 0 };
        bool ok = mv_storage_parse_device(child, &dev, error);

        g_array_append_val(devices, dev);
        return ok;
    } else if (mv_xml_node_is(child, "dir")) {
        src->dir = mv_storage_prop(child, "path");
    } else if (mv_xml_node_is(child, "name")) {
        src->name = mv_storage_node_text(child);
    } else if (mv_xml_node_is(child, "format")) {
        src->format = mv_storage_prop(child, "type");
    } else if (mv_xml_node_is(child, "protocol")) {
        src->protocol_ver = mv_storage_prop(child, "ver");
    } else if (mv_xml_node_is(child, "initiator")) {
        const xmlNode *iqn = mv_xml_get_child(child, "iqn");

        src->initiator = iqn ? mv_storage_prop(iqn, "name") : NULL;
    } else if (mv_xml_node_is(child, "auth")) {
        return mv_storage_parse_auth(child, &src->auth, error);
    } else if (mv_xml_node_is(child, "vendor")) {
        src->vendor = mv_storage_prop(child, "name");
    } else if (mv_xml_node_is(child, "product")) {
        src->product = mv_storage_prop(child, "name");
    }
    return true;
}

bool
mv_storage_pool_source_parse(const xmlNode *node, MvStoragePoolType type, bool for_search,
                             MvStoragePoolSource *src, GError **error)
{
    g_autoptr(GPtrArray) hosts = g_ptr_array_new();
    GArray *devices = g_array_new(FALSE, TRUE, sizeof(MvStoragePoolSourceDevice));
    bool ok = mv_storage_check_children(node, source_rules, G_N_ELEMENTS(source_rules), error);

    MV_STORAGE_FOR_EACH_ELEMENT(child, node) {
        if (!ok)
            break;
        ok = mv_storage_source_parse_child(child, src, hosts, devices, error);
    }
    if (hosts->len) {
        src->nhosts = hosts->len;
        src->hosts = g_new0(MvStoragePoolSourceHost, hosts->len);
        for (guint i = 0; i < hosts->len; i++) {
            src->hosts[i] = *(MvStoragePoolSourceHost *)hosts->pdata[i];
            g_free(hosts->pdata[i]);
        }
    }
    src->ndevices = devices->len;
    src->devices = (MvStoragePoolSourceDevice *)(void *)g_array_free(devices, devices->len == 0);
    if (!ok)
        return false;
    return mv_storage_pool_source_check(node, type, src, for_search, error);
}

/* "<path>: a TYPE pool does not use <source><X>" */
static bool
mv_storage_unused(const xmlNode *node, MvStoragePoolType type, const char *what,
                  GError **error)
{
    return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, node,
                           "%s pools do not use %s: remove it",
                           mv_storage_pool_type_to_string(type), what);
}

static bool
mv_storage_missing(const xmlNode *node, MvStoragePoolType type, const char *what,
                   GError **error)
{
    return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, node,
                           "%s pools need %s", mv_storage_pool_type_to_string(type), what);
}

bool
mv_storage_pool_source_check(const xmlNode *node, MvStoragePoolType type,
                             const MvStoragePoolSource *src, bool for_search, GError **error)
{
    const MvStoragePoolTypeInfo *info = mv_storage_pool_type_info(type);

    if (src->nhosts && !info->source_host)
        return mv_storage_unused(node, type, "<source><host>", error);
    if (src->ndevices && !info->source_device)
        return mv_storage_unused(node, type, "<source><device>", error);
    if (src->dir && !info->source_dir)
        return mv_storage_unused(node, type, "<source><dir>", error);
    if (src->name && !info->source_name)
        return mv_storage_unused(node, type, "<source><name>", error);
    if (src->initiator && !info->source_initiator)
        return mv_storage_unused(node, type, "<source><initiator>", error);
    if (src->auth.type != MV_STORAGE_AUTH_NONE && !info->source_auth)
        return mv_storage_unused(node, type, "<source><auth>", error);
    if (src->auth.type == MV_STORAGE_AUTH_CEPHX)
        return mv_xml_error_at(error, FROM, MV_ERR_CONFIG_UNSUPPORTED, node,
                               "auth type 'ceph' is for rbd pools, which modvirt does not "
                               "support: iscsi pools take type 'chap'");
    if (src->protocol_ver && type != MV_STORAGE_POOL_NETFS)
        return mv_storage_unused(node, type, "<source><protocol>", error);
    if (src->format && !info->source_formats)
        return mv_storage_unused(node, type, "<source><format>", error);
    if (src->format && !g_strv_contains(info->source_formats, src->format)) {
        g_autofree char *list = g_strjoinv("', '", (char **)info->source_formats);

        return mv_xml_error_at(error, FROM, MV_ERR_CONFIG_UNSUPPORTED, node,
                               "unknown source format '%s' for %s pools: expected one of "
                               "'%s'", src->format, mv_storage_pool_type_to_string(type), list);
    }
    if (src->protocol_ver && src->format && strcmp(src->format, "auto") != 0 &&
        strcmp(src->format, "nfs") != 0)
        return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, node,
                               "<protocol ver=…> is only for nfs: the source format is '%s'",
                               src->format);
    if (for_search)
        return true;
    if (info->source_host && src->nhosts != 1)
        return src->nhosts ? mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, node,
                                             "%s pools take exactly one <host>",
                                             mv_storage_pool_type_to_string(type))
                           : mv_storage_missing(node, type, "<source><host name=…/>", error);
    if (info->source_dir && !src->dir)
        return mv_storage_missing(node, type, "<source><dir path=…/> (the exported directory)",
                                  error);
    if (info->source_device_required && src->ndevices == 0)
        return mv_storage_missing(node, type, type == MV_STORAGE_POOL_ISCSI
                                  ? "<source><device path=…/> (the target IQN)"
                                  : "<source><device path=…/>", error);
    if (src->ndevices > 1 && type != MV_STORAGE_POOL_LOGICAL)
        return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, node,
                               "%s pools take exactly one <device>",
                               mv_storage_pool_type_to_string(type));
    for (size_t i = 0; i < src->ndevices; i++) {
        if (src->devices[i].part_separator >= 0 && type != MV_STORAGE_POOL_DISK)
            return mv_storage_unused(node, type, "the part_separator attribute", error);
        if (src->devices[i].nfree_extents && type != MV_STORAGE_POOL_DISK)
            return mv_storage_unused(node, type, "<freeExtent>", error);
    }
    return true;
}

/* Fills what libvirt fills in when absent. */
static void
mv_storage_pool_defaults(MvStoragePoolDef *def)
{
    const MvStoragePoolTypeInfo *info = mv_storage_pool_type_info(def->type);

    if (!def->source.format && info->default_source_format)
        def->source.format = g_strdup(info->default_source_format);
    if (info->source_name && !def->source.name)
        def->source.name = g_strdup(def->name);
    if (!def->target.path && info->default_target_path)
        def->target.path = g_strdup(info->default_target_path);
    if (!def->target.path && def->type == MV_STORAGE_POOL_LOGICAL)
        def->target.path = g_strdup_printf("/dev/%s", def->source.name);
}

static bool
mv_storage_pool_parse_type(const xmlNode *root, MvStoragePoolDef *def, GError **error)
{
    g_autofree char *type = mv_xml_get_prop(root, "type");
    int t = mv_storage_pool_type_from_string(type);

    if (!type)
        return mv_xml_error_at(error, FROM, MV_ERR_XML_ERROR, root,
                               "the pool type is missing: add type='dir' (or fs, netfs, "
                               "logical, disk, iscsi)");

    if (t >= 0) {
        def->type = (MvStoragePoolType)t;
        return true;
    }
    if (g_strv_contains(mv_storage_pool_unsupported_types, type))
        return mv_xml_error_at(error, FROM, MV_ERR_CONFIG_UNSUPPORTED, root,
                               "storage pool type '%s' is not supported by modvirt: use dir, "
                               "fs, netfs, logical, disk or iscsi", type);
    return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, root,
                           "unknown storage pool type '%s': expected dir, fs, netfs, logical, "
                           "disk or iscsi", type);
}

static bool
mv_storage_pool_parse_target(const xmlNode *node, MvStoragePoolDef *def, GError **error)
{
    if (!mv_storage_check_children(node, target_rules, G_N_ELEMENTS(target_rules), error))
        return false;
    MV_STORAGE_FOR_EACH_ELEMENT(child, node) {
        if (mv_xml_node_is(child, "path")) {
            g_autofree char *typed = mv_storage_node_text(child);

            if (typed[0] != '/')
                return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, child,
                                       "the target path '%s' must be absolute", typed);
            /* '/dir/' and '/dir' are one directory: one pool, one lookup key. */
            def->target.path = mv_storage_clean_path(typed);
        } else if (!mv_storage_parse_perms(child, &def->target.perms, error)) {
            return false;
        }
    }
    return true;
}

static bool
mv_storage_pool_parse_child(const xmlNode *child, MvStoragePoolDef *def, GError **error)
{
    if (mv_xml_node_is(child, "name")) {
        def->name = mv_storage_node_text(child);
        if (strchr(def->name, '/') || !*def->name)
            return mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, child,
                                   "invalid pool name '%s': it must not be empty or contain "
                                   "'/'", def->name);
    } else if (mv_xml_node_is(child, "uuid")) {
        g_autofree char *text = mv_storage_node_text(child);

        return mv_storage_parse_uuid_text(child, text, def->uuid, error);
    } else if (mv_xml_node_is(child, "capacity")) {
        return mv_storage_parse_size_node(child, &def->capacity, error);
    } else if (mv_xml_node_is(child, "allocation")) {
        return mv_storage_parse_size_node(child, &def->allocation, error);
    } else if (mv_xml_node_is(child, "available")) {
        return mv_storage_parse_size_node(child, &def->available, error);
    } else if (mv_xml_node_is(child, "source")) {
        return mv_storage_pool_source_parse(child, def->type, false, &def->source, error);
    } else if (mv_xml_node_is(child, "target")) {
        return mv_storage_pool_parse_target(child, def, error);
    } else if (mv_xml_node_is(child, "features")) {
        const xmlNode *cow = mv_xml_get_child(child, "cow");

        if (cow && def->type != MV_STORAGE_POOL_DIR && def->type != MV_STORAGE_POOL_FS)
            return mv_xml_error_at(error, FROM, MV_ERR_CONFIG_UNSUPPORTED, cow,
                                   "only dir and fs pools have the cow feature");
        return !cow || mv_xml_prop_bool(cow, "state", &def->cow, FROM, error);
    } else if (mv_xml_node_is(child, "refresh")) {
        g_autofree char *alloc = mv_storage_prop(mv_xml_get_child(child, "volume"),
                                                 "allocation");

        def->refresh_alloc_capacity = strcmp(alloc, "capacity") == 0;
    }
    return true;
}

MvStoragePoolDef *
mv_storage_pool_def_parse_node(const xmlNode *root, unsigned int flags, GError **error)
{
    g_autoptr(MvStoragePoolDef) def = g_new0(MvStoragePoolDef, 1);
    const MvStoragePoolTypeInfo *info;
    const xmlNode *source = mv_xml_get_child(root, "source");

    (void)flags;
    mv_storage_perms_init(&def->target.perms);
    def->cow = -1;
    if (!mv_storage_pool_parse_type(root, def, error) ||
        !mv_storage_check_children(root, pool_rules, G_N_ELEMENTS(pool_rules), error))
        return NULL;
    MV_STORAGE_FOR_EACH_ELEMENT(child, root) {
        if (!mv_storage_pool_parse_child(child, def, error))
            return NULL;
    }
    info = mv_storage_pool_type_info(def->type);
    /* A type that needs source parts needs a <source>, too. */
    if (!source && !mv_storage_pool_source_check(root, def->type, &def->source, false, error))
        return NULL;
    if (!def->target.path && info->target_path_required) {
        mv_xml_error_at(error, FROM, MV_ERR_XML_DETAIL, root,
                        "%s pools need <target><path> (the directory of their volumes)",
                        mv_storage_pool_type_to_string(def->type));
        return NULL;
    }
    if (mv_uuid_is_null(def->uuid))
        mv_uuid_generate(def->uuid);
    mv_storage_pool_defaults(def);
    return g_steal_pointer(&def);
}

MvStoragePoolDef *
mv_storage_pool_def_parse(const char *xml, unsigned int flags, GError **error)
{
    g_autoptr(xmlDoc) doc = mv_xml_parse_validated(xml, "storagepool", error);

    if (!doc)
        return NULL;
    return mv_storage_pool_def_parse_node(xmlDocGetRootElement(doc), flags, error);
}

/* ---- free and copy ---- */

void
mv_storage_pool_source_clear(MvStoragePoolSource *src)
{
    for (size_t i = 0; i < src->nhosts; i++)
        g_free(src->hosts[i].name);
    g_free(src->hosts);
    for (size_t i = 0; i < src->ndevices; i++) {
        g_free(src->devices[i].path);
        g_free(src->devices[i].free_extents);
    }
    g_free(src->devices);
    g_free(src->dir);
    g_free(src->name);
    g_free(src->format);
    g_free(src->initiator);
    g_free(src->auth.username);
    g_free(src->auth.secret_usage);
    g_free(src->protocol_ver);
    g_free(src->vendor);
    g_free(src->product);
    memset(src, 0, sizeof(*src));
}

void
mv_storage_pool_source_copy(MvStoragePoolSource *dst, const MvStoragePoolSource *src)
{
    *dst = *src;
    dst->hosts = src->nhosts ? g_new0(MvStoragePoolSourceHost, src->nhosts) : NULL;
    for (size_t i = 0; i < src->nhosts; i++) {
        dst->hosts[i].name = g_strdup(src->hosts[i].name);
        dst->hosts[i].port = src->hosts[i].port;
    }
    dst->devices = src->ndevices ? g_new0(MvStoragePoolSourceDevice, src->ndevices) : NULL;
    for (size_t i = 0; i < src->ndevices; i++) {
        dst->devices[i] = src->devices[i];
        dst->devices[i].path = g_strdup(src->devices[i].path);
        dst->devices[i].free_extents = g_memdup2(src->devices[i].free_extents,
                                                 src->devices[i].nfree_extents *
                                                 sizeof(MvStorageExtent));
    }
    dst->dir = g_strdup(src->dir);
    dst->name = g_strdup(src->name);
    dst->format = g_strdup(src->format);
    dst->initiator = g_strdup(src->initiator);
    dst->auth.username = g_strdup(src->auth.username);
    dst->auth.secret_usage = g_strdup(src->auth.secret_usage);
    dst->protocol_ver = g_strdup(src->protocol_ver);
    dst->vendor = g_strdup(src->vendor);
    dst->product = g_strdup(src->product);
}

MvStoragePoolDef *
mv_storage_pool_def_copy(const MvStoragePoolDef *def)
{
    MvStoragePoolDef *copy = g_new0(MvStoragePoolDef, 1);

    *copy = *def;
    copy->name = g_strdup(def->name);
    mv_storage_pool_source_copy(&copy->source, &def->source);
    copy->target.path = g_strdup(def->target.path);
    mv_storage_perms_copy(&copy->target.perms, &def->target.perms);
    return copy;
}

void
mv_storage_pool_def_free(MvStoragePoolDef *def)
{
    if (!def)
        return;
    g_free(def->name);
    mv_storage_pool_source_clear(&def->source);
    g_free(def->target.path);
    g_free(def->target.perms.label);
    g_free(def);
}
