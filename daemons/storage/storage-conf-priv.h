/* Internals of storage_conf_lib shared by its files (pool and volume parse and
 * format, capabilities, <sources>). Not for the daemon. */
#pragma once

#include <libxml/tree.h>

#include "storage-vol-def.h"
#include "util/error.h"
#include "util/xml.h"

G_BEGIN_DECLS

#define MV_STORAGE_FROM MV_FROM_STORAGE

/* Iterates over the element children of @parent. */
#define MV_STORAGE_FOR_EACH_ELEMENT(child, parent) \
    for (const xmlNode *child = (parent)->children; child; child = child->next) \
        if (child->type == XML_ELEMENT_NODE)

/* ---- readers (storage-conf-util.c) ---- */

/* mv_xml_check_children() with MV_XML_CHILDREN_ONLY_LISTED and MV_FROM_STORAGE. */
bool mv_storage_check_children(const xmlNode *node, const MvXmlChildRule *rules,
                               size_t nrules, GError **error);
/* The stripped text content of @node (never NULL). */
char *mv_storage_node_text(const xmlNode *node);
/* Absolute @path as libvirt keeps a pool's target: no "//", no "/./", no trailing
 * "/" ("/a//b/" -> "/a/b"); ".." and symlinks are left alone. */
char *mv_storage_clean_path(const char *path);
/* A size element (<capacity unit='G'>10</capacity>) in bytes. */
bool mv_storage_parse_size_node(const xmlNode *node, guint64 *ret_bytes, GError **error);
/* A <uuid> element or a uuid= attribute value @text of @node. */
bool mv_storage_parse_uuid_text(const xmlNode *node, const char *text, guint8 uuid[16],
                                GError **error);
/* <permissions> into @perms (which must be initialized). */
bool mv_storage_parse_perms(const xmlNode *node, MvStoragePerms *perms, GError **error);
/* An attribute that must be present (the schema says so; re-checked for safety). */
char *mv_storage_prop(const xmlNode *node, const char *name);

/* ---- writers (storage-conf-util.c) ---- */

void mv_storage_format_indent(GString *out, int indent);
/* " name='escaped value'" */
void mv_storage_format_attr(GString *out, const char *name, const char *value);
/* <name>escaped text</name> on its own line; nothing when @text is NULL. */
void mv_storage_format_text(GString *out, int indent, const char *name, const char *text);
/* <name unit='bytes'>N</name> */
void mv_storage_format_size(GString *out, int indent, const char *name, guint64 bytes);
/* <permissions>…</permissions>; nothing when no part is set. */
void mv_storage_format_perms(GString *out, int indent, const MvStoragePerms *perms);

/* ---- pool source (storage-pool-conf.c / storage-pool-format.c) ---- */

/* Parses a <source> element for a pool of @type; @for_search relaxes the
 * "required" checks (a find-sources spec names only what to search). */
bool mv_storage_pool_source_parse(const xmlNode *node, MvStoragePoolType type,
                                  bool for_search, MvStoragePoolSource *source,
                                  GError **error);
/* Checks the parts a pool of @type needs are there and no others (@node: for the
 * error path). */
bool mv_storage_pool_source_check(const xmlNode *node, MvStoragePoolType type,
                                  const MvStoragePoolSource *source, bool for_search,
                                  GError **error);
void mv_storage_pool_source_format(GString *out, int indent, const MvStoragePoolSource *src,
                                   unsigned int flags);

/* The libvirt pool type names modvirt does not support (NULL-terminated). */
extern const char *const mv_storage_pool_unsupported_types[];

G_END_DECLS
