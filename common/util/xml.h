/* libxml2 helpers: safe parsing, RelaxNG validation with cached schemas, and
 * small accessors that return GLib-owned memory. */
#pragma once

#include <glib.h>
#include <libxml/tree.h>
#include <stdbool.h>

G_BEGIN_DECLS

/**
 * mv_xml_parse_string:
 * Parses the document @xml safely: no network, no DTD loading, no entity
 * expansion; documents with a <!DOCTYPE> are rejected. When @schema (a file name
 * such as "domain.rng", or an absolute path) is non-NULL the document must
 * validate against it. The schema directory is $MV_SCHEMA_DIR, else the source
 * tree's schemas/ if present, else the installed schema directory.
 * Returns a new document (free with xmlFreeDoc() or g_autoptr(xmlDoc)), or NULL
 * with @error set (MV_ERR_XML_ERROR, subsystem MV_FROM_XML) naming the line of
 * a syntax error or the node path of a validation error.
 */
xmlDoc *mv_xml_parse_string(const char *xml, const char *schema, GError **error);

/**
 * mv_xml_parse_string_with_schema_path:
 * Like mv_xml_parse_string() but validates against the schema file at
 * @schema_path (NULL: no validation).
 */
xmlDoc *mv_xml_parse_string_with_schema_path(const char *xml, const char *schema_path,
                                             GError **error);

/**
 * mv_xml_parse_file:
 * Reads @path (at most 10 MiB) and parses it like mv_xml_parse_string(); error
 * messages name the file.
 */
xmlDoc *mv_xml_parse_file(const char *path, const char *schema, GError **error);

/**
 * mv_xml_validate:
 * Validates the already-parsed @doc against the schema file at @schema_path.
 * Returns false with MV_ERR_XML_ERROR naming the failing node on failure.
 */
bool mv_xml_validate(xmlDoc *doc, const char *schema_path, GError **error);

/**
 * mv_xml_schema_path:
 * The full path of schema file @name in the schema directory (see
 * mv_xml_parse_string()). Caller frees.
 */
char *mv_xml_schema_path(const char *name);

/**
 * mv_xml_get_prop:
 * The value of attribute @name of @node, or NULL if absent. Caller g_free()s.
 */
char *mv_xml_get_prop(const xmlNode *node, const char *name);

/**
 * mv_xml_get_child:
 * The first element child of @node called @name, or NULL. Borrowed from @node.
 */
xmlNode *mv_xml_get_child(const xmlNode *node, const char *name);

/**
 * mv_xml_get_content:
 * The text content of @node and its descendants, or NULL if @node is NULL.
 * Caller g_free()s.
 */
char *mv_xml_get_content(const xmlNode *node);

/**
 * mv_xml_format:
 * Serializes @doc indented by 2 spaces, without an XML declaration, ending in a
 * newline. Caller g_free()s.
 */
char *mv_xml_format(xmlDoc *doc);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)
/* Only for nodes you own (created or unlinked, not part of a document). */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlNode, xmlFreeNode)

G_END_DECLS
