/* libxml2 helpers: safe parsing, RelaxNG validation with cached schemas, and
 * small accessors that return GLib-owned memory. */
#pragma once

#include <glib.h>
#include <libxml/tree.h>
#include <stdbool.h>

#include "util/error.h"

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
 * mv_xml_validate_kind:
 * Validates @doc against the schema of object kind @kind ("domain", "network",
 * "storagepool", "domain-device"…): the file "<kind>.rng" in the schema directory
 * (see mv_xml_parse_string()). Every definition parser finds its schema this way.
 * Returns false with MV_ERR_XML_ERROR naming the failing node on failure.
 */
bool mv_xml_validate_kind(xmlDoc *doc, const char *kind, GError **error);

/**
 * mv_xml_parse_validated:
 * Parses @text like mv_xml_parse_string() and validates it against the schema of
 * object kind @kind (schemas/<kind>.rng, see mv_xml_validate_kind()).
 */
xmlDoc *mv_xml_parse_validated(const char *text, const char *kind, GError **error);

/**
 * mv_xml_parse_file_validated:
 * Like mv_xml_parse_validated() for the file at @path; error messages name the file.
 */
xmlDoc *mv_xml_parse_file_validated(const char *path, const char *kind, GError **error);

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

/* ---- property readers for definition parsers (xml-props.c) ----
 * Each reports errors as "<node path>: <message>" with subsystem @from (the
 * parser's own, e.g. MV_FROM_DOMAIN, so wire errors keep their domain). */

/**
 * mv_xml_node_is:
 * True when @node is an element called @name.
 */
bool mv_xml_node_is(const xmlNode *node, const char *name);

/**
 * mv_xml_node_path:
 * The path of @node for error messages ("/domain/devices/disk[2]"), or "?".
 * Caller g_free()s.
 */
char *mv_xml_node_path(const xmlNode *node);

/**
 * mv_xml_error_at:
 * Sets @error to "<node path of @node>: <message>" with @from and @code.
 * Returns false.
 */
bool mv_xml_error_at(GError **error, MvErrorSubsystem from, MvErrorCode code,
                     const xmlNode *node, const char *fmt, ...) G_GNUC_PRINTF(5, 6);

/**
 * mv_xml_parse_uint:
 * Parses @str ("0x1f" hexadecimal or decimal, surrounding blanks allowed) into
 * @ret. False (and @ret untouched) when malformed or above @max.
 */
bool mv_xml_parse_uint(const char *str, guint64 max, guint64 *ret);

/**
 * mv_xml_prop_uint:
 * Reads unsigned attribute @name of @node (see mv_xml_parse_uint()) into @ret
 * when present and at most @max (capped to G_MAXUINT); leaves @ret untouched when
 * absent. Otherwise false with MV_ERR_XML_DETAIL: "<path>: invalid value 'V' for
 * attribute 'NAME': expected a number from 0 to MAX".
 */
bool mv_xml_prop_uint(const xmlNode *node, const char *name, guint64 max, unsigned int *ret,
                      MvErrorSubsystem from, GError **error);

/* A from_string function of an enum table: the value, or -1 if unknown or NULL. */
typedef int (*MvXmlEnumFromString)(const char *str);

/**
 * mv_xml_prop_enum:
 * Reads attribute @name of @node through @from_string into @ret when present;
 * leaves @ret untouched when absent. An unknown value is MV_ERR_XML_DETAIL:
 * "<path>: unknown WHAT 'VALUE'".
 */
bool mv_xml_prop_enum(const xmlNode *node, const char *name, MvXmlEnumFromString from_string,
                      const char *what, int *ret, MvErrorSubsystem from, GError **error);

/**
 * mv_xml_prop_bool:
 * Reads a yes/no (or on/off) attribute @name of @node into @ret (1 or 0) when
 * present; leaves @ret untouched when absent (callers preset -1 for a tristate).
 * Any other value is MV_ERR_XML_DETAIL: "<path>: invalid value 'V' for attribute
 * 'NAME': expected 'yes' or 'no'".
 */
bool mv_xml_prop_bool(const xmlNode *node, const char *name, int *ret, MvErrorSubsystem from,
                      GError **error);

/**
 * mv_xml_unit_scale:
 * The number of bytes in one @unit of a size ("b", "bytes", "KB", "k", "KiB",
 * "MB", "M", "MiB", "GB", "G", "GiB", "TB", "T", "TiB": decimal units are powers
 * of 1000, the others of 1024). False when @unit is unknown.
 */
bool mv_xml_unit_scale(const char *unit, guint64 *ret_bytes);

/**
 * mv_xml_content_scaled:
 * Reads a size element (<memory unit='MiB'>256</memory>): its decimal content
 * times its "unit" attribute (@default_unit when absent), in units of @scale bytes
 * rounded up, into @ret when at most @max. Errors (MV_ERR_XML_DETAIL), with @what
 * naming the quantity ("memory", "capacity"): "<path>: unknown WHAT unit 'U'",
 * "<path>: invalid WHAT size 'TEXT'", "<path>: WHAT size TEXT U is too large".
 */
bool mv_xml_content_scaled(const xmlNode *node, const char *default_unit, guint64 scale,
                           guint64 max, const char *what, guint64 *ret, MvErrorSubsystem from,
                           GError **error);

/* Cardinality of element children a schema cannot express precisely. */
typedef struct {
    const char *name;
    unsigned int min, max;
} MvXmlChildRule;

typedef enum {
    /* Children not named by any rule are an error ("unknown element"). */
    MV_XML_CHILDREN_ONLY_LISTED = 1 << 0,
} MvXmlChildFlags;

/**
 * mv_xml_check_children:
 * Checks the element children of @node against @rules: "<path of the extra
 * child>: element <X> may appear only once in <NODE>" (max 1) or "…may appear at
 * most N times…", "<path>: the required element <X> is missing" (MV_ERR_XML_ERROR);
 * with MV_XML_CHILDREN_ONLY_LISTED also "<path of child>: unknown element <X> in
 * <NODE>".
 */
bool mv_xml_check_children(const xmlNode *node, const MvXmlChildRule *rules, size_t nrules,
                           unsigned int flags, MvErrorSubsystem from, GError **error);

/**
 * mv_xml_check_attributes:
 * Checks that every attribute of @node is in the NULL-terminated @allowed list:
 * otherwise "<path>: unknown attribute 'A' of <NODE>" (MV_ERR_XML_ERROR).
 */
bool mv_xml_check_attributes(const xmlNode *node, const char *const *allowed,
                             MvErrorSubsystem from, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)
/* Only for nodes you own (created or unlinked, not part of a document). */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlNode, xmlFreeNode)

G_END_DECLS
