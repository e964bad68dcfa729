/* libxml2 helpers. libxml2 errors never reach stderr: every parser and
 * validation context gets a structured error handler that keeps the first
 * error, and the thread defaults for anything else are silenced. */
#include "util/xml.h"

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>
#include <limits.h>
#include <string.h>

#include "mv-config.h"
#include "util/error.h"
#include "util/file.h"

#define MV_XML_MAX_FILE (10 * 1024 * 1024)
#define MV_XML_PARSE_FLAGS \
    (XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

/* The first error reported by libxml2 during one operation. */
typedef struct {
    char *message;
    char *node_path;
    int line;
} MvXmlError;

static void
mv_xml_error_clear(MvXmlError *err)
{
    g_clear_pointer(&err->message, g_free);
    g_clear_pointer(&err->node_path, g_free);
}

static void
mv_xml_error_record(MvXmlError *err, xmlErrorPtr xerr)
{
    if (err->message || !xerr || xerr->level < XML_ERR_ERROR)
        return;
    err->message = g_strchomp(g_strdup(xerr->message ? xerr->message : "unknown error"));
    err->line = xerr->line;
    if (xerr->node) {
        xmlChar *path = xmlGetNodePath((xmlNode *)xerr->node);

        err->node_path = g_strdup((const char *)path);
        xmlFree(path);
    }
}

/* Parser contexts pass themselves as user data; our record hangs off _private. */
static void
mv_xml_parser_error(void *data, xmlErrorPtr xerr)
{
    xmlParserCtxt *ctxt = data;

    mv_xml_error_record(ctxt->_private, xerr);
}

static void
mv_xml_structured_error(void *data, xmlErrorPtr xerr)
{
    mv_xml_error_record(data, xerr);
}

static void
mv_xml_ignore_structured(void *data, xmlErrorPtr xerr)
{
}

static void mv_xml_ignore_generic(void *ctx, const char *msg, ...) G_GNUC_PRINTF(2, 3);

static void
mv_xml_ignore_generic(void *ctx, const char *msg, ...)
{
}

static void
mv_xml_init(void)
{
    static gsize initialized;

    if (g_once_init_enter(&initialized)) {
        xmlInitParser();
        /* Defaults for threads that start using libxml2 later, and this one. */
        xmlThrDefSetStructuredErrorFunc(NULL, mv_xml_ignore_structured);
        xmlSetStructuredErrorFunc(NULL, mv_xml_ignore_structured);
        xmlThrDefSetGenericErrorFunc(NULL, mv_xml_ignore_generic);
        xmlSetGenericErrorFunc(NULL, mv_xml_ignore_generic);
        g_once_init_leave(&initialized, 1);
    }
}

char *
mv_xml_schema_path(const char *name)
{
    const char *dir = g_getenv("MV_SCHEMA_DIR");

    if (g_path_is_absolute(name))
        return g_strdup(name);
    if (!dir || !*dir)
        dir = g_file_test(MV_SOURCE_SCHEMA_DIR, G_FILE_TEST_IS_DIR) ? MV_SOURCE_SCHEMA_DIR
                                                                   : MV_SCHEMA_DIR;
    return g_build_filename(dir, name, NULL);
}

/* Compiled schemas by path, for the life of the process. Compiled schemas are
 * read-only during validation, so threads share them; the lock guards the table. */
static GMutex mv_xml_schema_lock;
static GHashTable *mv_xml_schemas;

static xmlRelaxNG *
mv_xml_schema_get(const char *path, GError **error)
{
    xmlRelaxNGParserCtxt *pctxt;
    MvXmlError err = { 0 };
    xmlRelaxNG *schema;

    g_mutex_lock(&mv_xml_schema_lock);
    if (!mv_xml_schemas)
        mv_xml_schemas = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if ((schema = g_hash_table_lookup(mv_xml_schemas, path))) {
        g_mutex_unlock(&mv_xml_schema_lock);
        return schema;
    }
    if ((pctxt = xmlRelaxNGNewParserCtxt(path))) {
        xmlRelaxNGSetParserStructuredErrors(pctxt, mv_xml_structured_error, &err);
        schema = xmlRelaxNGParse(pctxt);
        xmlRelaxNGFreeParserCtxt(pctxt);
    }
    if (schema)
        g_hash_table_insert(mv_xml_schemas, g_strdup(path), schema);
    g_mutex_unlock(&mv_xml_schema_lock);

    if (!schema)
        mv_error_set(error, MV_FROM_XML, MV_ERR_XML_ERROR,
                     "Cannot load the RelaxNG schema '%s': %s", path,
                     err.message ? err.message : "unreadable or invalid schema");
    mv_xml_error_clear(&err);
    return schema;
}

bool
mv_xml_validate(xmlDoc *doc, const char *schema_path, GError **error)
{
    xmlRelaxNGValidCtxt *vctxt;
    MvXmlError err = { 0 };
    xmlRelaxNG *schema;
    int rc;

    mv_xml_init();
    if (!(schema = mv_xml_schema_get(schema_path, error)))
        return false;
    /* Validation contexts hold per-run state: one per call. */
    if (!(vctxt = xmlRelaxNGNewValidCtxt(schema)))
        g_error("Cannot allocate a RelaxNG validation context");
    xmlRelaxNGSetValidStructuredErrors(vctxt, mv_xml_structured_error, &err);
    rc = xmlRelaxNGValidateDoc(vctxt, doc);
    xmlRelaxNGFreeValidCtxt(vctxt);
    if (rc != 0) {
        const char *msg = err.message ? err.message : "the document is not valid";

        if (err.node_path)
            mv_error_set(error, MV_FROM_XML, MV_ERR_XML_ERROR,
                         "XML document failed to validate against schema: %s: %s",
                         err.node_path, msg);
        else
            mv_error_set(error, MV_FROM_XML, MV_ERR_XML_ERROR,
                         "XML document failed to validate against schema: %s", msg);
    }
    mv_xml_error_clear(&err);
    return rc == 0;
}

/* Parses without validation; @what names the input in error messages. */
static xmlDoc *
mv_xml_parse_memory(const char *xml, gsize len, const char *what, GError **error)
{
    xmlParserCtxt *ctxt;
    MvXmlError err = { 0 };
    xmlDoc *doc;

    mv_xml_init();
    if (len > INT_MAX) {
        mv_error_set(error, MV_FROM_XML, MV_ERR_XML_ERROR, "%s: the document is too large", what);
        return NULL;
    }
    if (!(ctxt = xmlNewParserCtxt()))
        g_error("Cannot allocate an XML parser context");
    ctxt->_private = &err;
    ctxt->sax->serror = mv_xml_parser_error;
    doc = xmlCtxtReadMemory(ctxt, xml, (int)len, NULL, NULL, MV_XML_PARSE_FLAGS);
    if (doc && !ctxt->wellFormed)
        g_clear_pointer(&doc, xmlFreeDoc);
    xmlFreeParserCtxt(ctxt);

    if (!doc) {
        mv_error_set(error, MV_FROM_XML, MV_ERR_XML_ERROR, "%s: line %d: %s", what, err.line,
                     err.message ? err.message : "malformed document");
    } else if (doc->intSubset || doc->extSubset) {
        /* Nothing we parse needs a DTD; refusing them rules out entity tricks. */
        mv_error_set(error, MV_FROM_XML, MV_ERR_XML_ERROR,
                     "%s: documents with a <!DOCTYPE> declaration are not accepted", what);
        g_clear_pointer(&doc, xmlFreeDoc);
    } else if (!xmlDocGetRootElement(doc)) {
        mv_error_set(error, MV_FROM_XML, MV_ERR_XML_ERROR, "%s: the document is empty", what);
        g_clear_pointer(&doc, xmlFreeDoc);
    }
    mv_xml_error_clear(&err);
    return doc;
}

xmlDoc *
mv_xml_parse_string_with_schema_path(const char *xml, const char *schema_path, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;

    if (!(doc = mv_xml_parse_memory(xml, strlen(xml), "Malformed XML", error)))
        return NULL;
    if (schema_path && !mv_xml_validate(doc, schema_path, error))
        return NULL;
    return g_steal_pointer(&doc);
}

xmlDoc *
mv_xml_parse_string(const char *xml, const char *schema, GError **error)
{
    g_autofree char *path = schema ? mv_xml_schema_path(schema) : NULL;

    return mv_xml_parse_string_with_schema_path(xml, path, error);
}

xmlDoc *
mv_xml_parse_file(const char *path, const char *schema, GError **error)
{
    g_autofree char *schema_path = schema ? mv_xml_schema_path(schema) : NULL;
    g_autofree char *what = g_strdup_printf("Malformed XML in '%s'", path);
    g_autoptr(xmlDoc) doc = NULL;
    g_autofree char *data = NULL;
    gsize len;

    if (!mv_file_read_all(path, MV_XML_MAX_FILE, &data, &len, error))
        return NULL;
    if (!(doc = mv_xml_parse_memory(data, len, what, error)))
        return NULL;
    if (schema_path && !mv_xml_validate(doc, schema_path, error)) {
        g_prefix_error(error, "%s: ", path);
        return NULL;
    }
    return g_steal_pointer(&doc);
}

/* A kind is a schema file's base name: lowercase letters, digits and '-'. */
static char *
mv_xml_kind_schema_path(const char *kind, GError **error)
{
    g_autofree char *file = NULL;

    for (const char *c = kind; *c; c++) {
        if (!g_ascii_islower(*c) && !g_ascii_isdigit(*c) && *c != '-')
            goto bad;
    }
    if (!*kind)
        goto bad;
    file = g_strconcat(kind, ".rng", NULL);
    return mv_xml_schema_path(file);

bad:
    mv_error_set(error, MV_FROM_XML, MV_ERR_INTERNAL_ERROR, "invalid object kind '%s'", kind);
    return NULL;
}

bool
mv_xml_validate_kind(xmlDoc *doc, const char *kind, GError **error)
{
    g_autofree char *path = mv_xml_kind_schema_path(kind, error);

    return path && mv_xml_validate(doc, path, error);
}

xmlDoc *
mv_xml_parse_validated(const char *text, const char *kind, GError **error)
{
    g_autofree char *path = mv_xml_kind_schema_path(kind, error);

    if (!path)
        return NULL;
    return mv_xml_parse_string_with_schema_path(text, path, error);
}

xmlDoc *
mv_xml_parse_file_validated(const char *path, const char *kind, GError **error)
{
    g_autofree char *schema_path = mv_xml_kind_schema_path(kind, error);

    if (!schema_path)
        return NULL;
    return mv_xml_parse_file(path, schema_path, error);
}

char *
mv_xml_get_prop(const xmlNode *node, const char *name)
{
    xmlChar *value = xmlGetProp(node, (const xmlChar *)name);
    char *ret = g_strdup((const char *)value);

    xmlFree(value);
    return ret;
}

xmlNode *
mv_xml_get_child(const xmlNode *node, const char *name)
{
    for (xmlNode *child = node ? node->children : NULL; child; child = child->next) {
        if (child->type == XML_ELEMENT_NODE && xmlStrEqual(child->name, (const xmlChar *)name))
            return child;
    }
    return NULL;
}

char *
mv_xml_get_content(const xmlNode *node)
{
    xmlChar *value;
    char *ret;

    if (!node)
        return NULL;
    value = xmlNodeGetContent(node);
    ret = g_strdup(value ? (const char *)value : "");
    xmlFree(value);
    return ret;
}

char *
mv_xml_format(xmlDoc *doc)
{
    xmlBuffer *buf = xmlBufferCreate();
    xmlSaveCtxt *save;
    char *ret;

    if (!buf || !(save = xmlSaveToBuffer(buf, "UTF-8", XML_SAVE_FORMAT | XML_SAVE_NO_DECL)))
        g_error("Cannot allocate an XML output buffer");
    xmlSaveDoc(save, doc);
    xmlSaveClose(save);
    ret = g_strndup((const char *)xmlBufferContent(buf), (gsize)xmlBufferLength(buf));
    xmlBufferFree(buf);
    return ret;
}
