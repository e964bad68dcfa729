/* <domainsnapshot> ↔ MvSnapshotDef (domain-snapshot.h). The schema
 * (schemas/domainsnapshot.rng) refuses unknown elements, attributes and values;
 * this file converts and checks what a schema cannot say. */
#include <libxml/tree.h>
#include <string.h>

#include "conf/domain-snapshot.h"
#include "util/xml.h"

#define FROM MV_FROM_DOMAIN_SNAPSHOT

static const MvXmlChildRule snapshot_rules[] = {
    { "name", 0, 1 },   { "description", 0, 1 }, { "state", 0, 1 },
    { "creationTime", 0, 1 }, { "parent", 0, 1 }, { "active", 0, 1 },
    { "memory", 0, 1 }, { "disks", 0, 1 },       { "domain", 0, 1 },
};
static const MvXmlChildRule disk_rules[] = {
    { "source", 0, 1 }, { "driver", 0, 1 },
};

static const char *const locations[] = { NULL, "no", "internal", "external" };

const char *
mv_snapshot_location_to_string(MvSnapshotLocation loc)
{
    return (unsigned int)loc < G_N_ELEMENTS(locations) ? locations[loc] : NULL;
}

static MvSnapshotLocation
location_from_string(const char *str)
{
    for (guint i = 1; str && i < G_N_ELEMENTS(locations); i++)
        if (g_str_equal(str, locations[i]))
            return i;
    return MV_SNAPSHOT_LOCATION_DEFAULT;
}

void
mv_snapshot_disk_def_free(MvSnapshotDiskDef *disk)
{
    if (!disk)
        return;
    g_free(disk->name);
    g_free(disk->source);
    g_free(disk->driver_type);
    g_free(disk);
}

void
mv_snapshot_def_free(MvSnapshotDef *def)
{
    if (!def)
        return;
    g_free(def->name);
    g_free(def->description);
    g_free(def->state);
    g_free(def->parent);
    g_free(def->memory_file);
    for (size_t i = 0; i < def->ndisks; i++)
        mv_snapshot_disk_def_free(def->disks[i]);
    g_free(def->disks);
    mv_domain_def_free(def->dom);
    g_free(def);
}

int
mv_snapshot_def_find_disk(const MvSnapshotDef *def, const char *name)
{
    for (size_t i = 0; i < def->ndisks; i++)
        if (g_str_equal(def->disks[i]->name, name))
            return (int)i;
    return -1;
}

/* ---- parse ---- */

static char *
text_of(const xmlNode *node)
{
    return node ? g_strstrip(mv_xml_get_content(node)) : NULL;
}

/* Kept verbatim (white space included), as the domain's description is. */
static char *
description_of(const xmlNode *node)
{
    return node ? mv_xml_get_content(node) : NULL;
}

static bool
parse_disk(MvSnapshotDef *def, const xmlNode *node, GError **error)
{
    MvSnapshotDiskDef *disk;
    g_autofree char *snap = mv_xml_get_prop(node, "snapshot");
    const xmlNode *source = mv_xml_get_child(node, "source");
    const xmlNode *driver = mv_xml_get_child(node, "driver");

    if (!mv_xml_check_children(node, disk_rules, G_N_ELEMENTS(disk_rules), 0, FROM, error))
        return false;
    disk = g_new0(MvSnapshotDiskDef, 1);
    disk->name = mv_xml_get_prop(node, "name");
    disk->snapshot = location_from_string(snap);
    disk->source = source ? mv_xml_get_prop(source, "file") : NULL;
    disk->driver_type = driver ? mv_xml_get_prop(driver, "type") : NULL;
    if (mv_snapshot_def_find_disk(def, disk->name) >= 0) {
        mv_xml_error_at(error, FROM, MV_ERR_XML_ERROR, node,
                        "disk '%s' is named more than once", disk->name);
        mv_snapshot_disk_def_free(disk);
        return false;
    }
    if ((disk->source || disk->driver_type) && disk->snapshot != MV_SNAPSHOT_LOCATION_EXTERNAL &&
        disk->snapshot != MV_SNAPSHOT_LOCATION_DEFAULT) {
        mv_snapshot_disk_def_free(disk);
        return mv_xml_error_at(error, FROM, MV_ERR_XML_ERROR, node,
                               "a <source> or <driver> is only valid with snapshot='external'");
    }
    if (disk->source && disk->snapshot == MV_SNAPSHOT_LOCATION_DEFAULT)
        disk->snapshot = MV_SNAPSHOT_LOCATION_EXTERNAL;     /* a file implies external */
    def->disks = g_renew(MvSnapshotDiskDef *, def->disks, def->ndisks + 1);
    def->disks[def->ndisks++] = disk;
    return true;
}

/* The embedded <domain>: serialized and read by the domain parser (its schema too). */
static bool
parse_domain(MvSnapshotDef *def, xmlNode *node, GError **error)
{
    xmlBuffer *buf = xmlBufferCreate();
    g_autofree char *xml = NULL;

    if (!buf)
        g_error("Cannot allocate an XML buffer");
    xmlNodeDump(buf, node->doc, node, 0, 0);
    xml = g_strndup((const char *)xmlBufferContent(buf), xmlBufferLength(buf));
    xmlBufferFree(buf);
    if (!(def->dom = mv_domain_def_parse_string(xml, 0, error))) {
        g_prefix_error(error, "/domainsnapshot/domain: ");
        return false;
    }
    return true;
}

static bool
parse_root(MvSnapshotDef *def, xmlNode *root, GError **error)
{
    const xmlNode *node;

    if (!mv_xml_check_children(root, snapshot_rules, G_N_ELEMENTS(snapshot_rules), 0, FROM,
                               error))
        return false;
    def->name = text_of(mv_xml_get_child(root, "name"));
    def->description = description_of(mv_xml_get_child(root, "description"));
    def->state = text_of(mv_xml_get_child(root, "state"));
    if ((node = mv_xml_get_child(root, "creationTime"))) {
        g_autofree char *text = text_of(node);
        if (!mv_xml_parse_uint(text, G_MAXINT64, &def->creation_time))
            return mv_xml_error_at(error, FROM, MV_ERR_XML_ERROR, node,
                                   "invalid creation time '%s'", text);
    }
    if ((node = mv_xml_get_child(root, "parent")))
        def->parent = text_of(mv_xml_get_child(node, "name"));
    def->active = -1;
    if ((node = mv_xml_get_child(root, "active"))) {
        g_autofree char *text = text_of(node);
        def->active = g_str_equal(text, "1");
    }
    if ((node = mv_xml_get_child(root, "memory"))) {
        g_autofree char *snap = mv_xml_get_prop(node, "snapshot");
        def->memory = location_from_string(snap);
        def->memory_file = mv_xml_get_prop(node, "file");
        if (def->memory_file && def->memory != MV_SNAPSHOT_LOCATION_EXTERNAL)
            return mv_xml_error_at(error, FROM, MV_ERR_XML_ERROR, node,
                                   "a memory file is only valid with snapshot='external'");
    }
    if ((node = mv_xml_get_child(root, "disks"))) {
        def->has_disks = true;
        for (const xmlNode *c = node->children; c; c = c->next)
            if (c->type == XML_ELEMENT_NODE && !parse_disk(def, c, error))
                return false;
    }
    if ((node = mv_xml_get_child(root, "domain")) && !parse_domain(def, (xmlNode *)node, error))
        return false;
    return true;
}

MvSnapshotDef *
mv_snapshot_def_parse_string(const char *xml, GError **error)
{
    g_autoptr(xmlDoc) doc = mv_xml_parse_validated(xml, "domainsnapshot", error);
    g_autoptr(MvSnapshotDef) def = NULL;

    if (!doc)
        return NULL;
    def = g_new0(MvSnapshotDef, 1);
    if (!parse_root(def, xmlDocGetRootElement(doc), error))
        return NULL;
    return g_steal_pointer(&def);
}

/* ---- format ---- */

static void
text_element(GString *out, const char *name, const char *text)
{
    g_autofree char *esc = NULL;

    if (!text)
        return;
    esc = g_markup_escape_text(text, -1);
    g_string_append_printf(out, "  <%s>%s</%s>\n", name, esc, name);
}

static void
format_disk(GString *out, const MvSnapshotDiskDef *disk)
{
    g_autofree char *name = g_markup_escape_text(disk->name, -1);
    const char *loc = mv_snapshot_location_to_string(disk->snapshot);

    g_string_append_printf(out, "    <disk name='%s'", name);
    if (loc)
        g_string_append_printf(out, " snapshot='%s'", loc);
    if (!disk->source && !disk->driver_type) {
        g_string_append(out, "/>\n");
        return;
    }
    g_string_append(out, ">\n");
    if (disk->driver_type)
        g_string_append_printf(out, "      <driver type='%s'/>\n", disk->driver_type);
    if (disk->source) {
        g_autofree char *file = g_markup_escape_text(disk->source, -1);
        g_string_append_printf(out, "      <source file='%s'/>\n", file);
    }
    g_string_append(out, "    </disk>\n");
}

char *
mv_snapshot_def_format(const MvSnapshotDef *def, unsigned int flags)
{
    GString *out = g_string_new("<domainsnapshot>\n");

    text_element(out, "name", def->name);
    text_element(out, "description", def->description);
    text_element(out, "state", def->state);
    if (def->parent) {
        g_autofree char *esc = g_markup_escape_text(def->parent, -1);
        g_string_append_printf(out, "  <parent>\n    <name>%s</name>\n  </parent>\n", esc);
    }
    if (def->creation_time)
        g_string_append_printf(out, "  <creationTime>%" G_GUINT64_FORMAT "</creationTime>\n",
                               def->creation_time);
    if (def->memory) {
        g_string_append_printf(out, "  <memory snapshot='%s'",
                               mv_snapshot_location_to_string(def->memory));
        if (def->memory_file) {
            g_autofree char *file = g_markup_escape_text(def->memory_file, -1);
            g_string_append_printf(out, " file='%s'", file);
        }
        g_string_append(out, "/>\n");
    }
    if (def->ndisks) {
        g_string_append(out, "  <disks>\n");
        for (size_t i = 0; i < def->ndisks; i++)
            format_disk(out, def->disks[i]);
        g_string_append(out, "  </disks>\n");
    } else if (def->has_disks) {
        g_string_append(out, "  <disks/>\n");
    }
    if ((flags & MV_SNAPSHOT_FORMAT_ACTIVE) && def->active >= 0)
        g_string_append_printf(out, "  <active>%d</active>\n", def->active);
    if (def->dom) {
        g_autofree char *dom = mv_domain_def_format(def->dom, -1, MV_DOMAIN_DEF_FORMAT_INACTIVE |
                                                    ((flags & MV_SNAPSHOT_FORMAT_SECURE) ?
                                                         MV_DOMAIN_DEF_FORMAT_SECURE : 0));
        g_string_append(out, dom);     /* not re-indented: text content stays as it is */
    }
    g_string_append(out, "</domainsnapshot>\n");
    return g_string_free(out, FALSE);
}
