/* MvStoragePoolDef → canonical pool XML (what virStoragePoolGetXMLDesc returns). */
#include "storage-conf-priv.h"
#include "util/uuid.h"

static void
mv_storage_format_device(GString *out, int indent, const MvStoragePoolSourceDevice *dev,
                         unsigned int flags)
{
    bool extents = dev->nfree_extents && !(flags & MV_STORAGE_POOL_FORMAT_INACTIVE);

    mv_storage_format_indent(out, indent);
    g_string_append(out, "<device");
    mv_storage_format_attr(out, "path", dev->path);
    if (dev->part_separator >= 0)
        mv_storage_format_attr(out, "part_separator", dev->part_separator ? "yes" : "no");
    if (!extents) {
        g_string_append(out, "/>\n");
        return;
    }
    g_string_append(out, ">\n");
    for (size_t i = 0; i < dev->nfree_extents; i++) {
        mv_storage_format_indent(out, indent + 2);
        g_string_append_printf(out, "<freeExtent start='%" G_GUINT64_FORMAT "' end='%"
                               G_GUINT64_FORMAT "'/>\n", dev->free_extents[i].start,
                               dev->free_extents[i].end);
    }
    mv_storage_format_indent(out, indent);
    g_string_append(out, "</device>\n");
}

/* <X name='value'/> */
static void
mv_storage_format_empty(GString *out, int indent, const char *element, const char *attr,
                        const char *value)
{
    if (!value)
        return;
    mv_storage_format_indent(out, indent);
    g_string_append_printf(out, "<%s", element);
    mv_storage_format_attr(out, attr, value);
    g_string_append(out, "/>\n");
}

static void
mv_storage_format_auth(GString *out, int indent, const MvStoragePoolAuth *auth)
{
    char uuid[MV_UUID_STRING_LEN];

    if (auth->type != MV_STORAGE_AUTH_CHAP)
        return;
    mv_storage_format_indent(out, indent);
    g_string_append(out, "<auth type='chap'");
    mv_storage_format_attr(out, "username", auth->username);
    g_string_append(out, ">\n");
    mv_storage_format_indent(out, indent + 2);
    g_string_append(out, "<secret");
    if (auth->has_secret_uuid) {
        mv_uuid_format(auth->secret_uuid, uuid);
        mv_storage_format_attr(out, "uuid", uuid);
    } else {
        mv_storage_format_attr(out, "usage", auth->secret_usage);
    }
    g_string_append(out, "/>\n");
    mv_storage_format_indent(out, indent);
    g_string_append(out, "</auth>\n");
}

static bool
mv_storage_source_is_empty(const MvStoragePoolSource *src)
{
    return !src->nhosts && !src->ndevices && !src->dir && !src->name && !src->format &&
           !src->protocol_ver && !src->initiator && src->auth.type == MV_STORAGE_AUTH_NONE &&
           !src->vendor && !src->product;
}

void
mv_storage_pool_source_format(GString *out, int indent, const MvStoragePoolSource *src,
                              unsigned int flags)
{
    int in = indent + 2;

    if (mv_storage_source_is_empty(src)) {
        mv_storage_format_indent(out, indent);
        g_string_append(out, "<source/>\n");
        return;
    }
    mv_storage_format_indent(out, indent);
    g_string_append(out, "<source>\n");
    for (size_t i = 0; i < src->nhosts; i++) {
        mv_storage_format_indent(out, in);
        g_string_append(out, "<host");
        mv_storage_format_attr(out, "name", src->hosts[i].name);
        if (src->hosts[i].port)
            g_string_append_printf(out, " port='%d'", src->hosts[i].port);
        g_string_append(out, "/>\n");
    }
    for (size_t i = 0; i < src->ndevices; i++)
        mv_storage_format_device(out, in, &src->devices[i], flags);
    mv_storage_format_empty(out, in, "dir", "path", src->dir);
    mv_storage_format_text(out, in, "name", src->name);
    mv_storage_format_empty(out, in, "format", "type", src->format);
    mv_storage_format_empty(out, in, "protocol", "ver", src->protocol_ver);
    if (src->initiator) {
        mv_storage_format_indent(out, in);
        g_string_append(out, "<initiator>\n");
        mv_storage_format_empty(out, in + 2, "iqn", "name", src->initiator);
        mv_storage_format_indent(out, in);
        g_string_append(out, "</initiator>\n");
    }
    mv_storage_format_auth(out, in, &src->auth);
    mv_storage_format_empty(out, in, "vendor", "name", src->vendor);
    mv_storage_format_empty(out, in, "product", "name", src->product);
    mv_storage_format_indent(out, indent);
    g_string_append(out, "</source>\n");
}

char *
mv_storage_pool_def_format(const MvStoragePoolDef *def, unsigned int flags)
{
    GString *out = g_string_new(NULL);
    char uuid[MV_UUID_STRING_LEN];

    g_string_append(out, "<pool");
    mv_storage_format_attr(out, "type", mv_storage_pool_type_to_string(def->type));
    g_string_append(out, ">\n");
    mv_storage_format_text(out, 2, "name", def->name);
    mv_uuid_format(def->uuid, uuid);
    mv_storage_format_text(out, 2, "uuid", uuid);
    mv_storage_format_size(out, 2, "capacity", def->capacity);
    mv_storage_format_size(out, 2, "allocation", def->allocation);
    mv_storage_format_size(out, 2, "available", def->available);
    if (def->cow >= 0)
        g_string_append_printf(out, "  <features>\n    <cow state='%s'/>\n  </features>\n",
                               def->cow ? "yes" : "no");
    mv_storage_pool_source_format(out, 2, &def->source, flags);
    if (def->target.path || mv_storage_perms_is_set(&def->target.perms)) {
        g_string_append(out, "  <target>\n");
        mv_storage_format_text(out, 4, "path", def->target.path);
        mv_storage_format_perms(out, 4, &def->target.perms);
        g_string_append(out, "  </target>\n");
    }
    if (def->refresh_alloc_capacity)
        g_string_append(out, "  <refresh>\n    <volume allocation='capacity'/>\n"
                             "  </refresh>\n");
    g_string_append(out, "</pool>\n");
    return g_string_free(out, FALSE);
}
