/* Domain metadata: title, description and namespaced <metadata> elements,
 * live and in the persistent config (virsh desc, virsh metadata). */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-dispatch.h"
#include "qemu-domain-check.h"
#include "qemu-persist.h"
#include "qemu-process.h"

#include <string.h>

#include "driver/affect.h"
#include "util/xml.h"

#define AFFECT_LIVE   MV_DRIVER_AFFECT_LIVE      /* the rules: driver/affect.h */
#define AFFECT_CONFIG MV_DRIVER_AFFECT_CONFIG

enum { METADATA_DESCRIPTION = 0, METADATA_TITLE = 1, METADATA_ELEMENT = 2 };

/* @def's <metadata> children as a document rooted at <metadata>. */
static xmlDoc *
metadata_doc(const MvDomainDef *def, GError **error)
{
    g_autofree char *text = g_strdup_printf("<metadata>%s</metadata>",
                                            def->metadata ? def->metadata : "");

    return mv_xml_parse_string(text, NULL, error);
}

static xmlNode *
find_element(xmlDoc *doc, const char *uri)
{
    for (xmlNode *n = xmlDocGetRootElement(doc)->children; n; n = n->next) {
        if (n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
            g_str_equal((const char *)n->ns->href, uri))
            return n;
    }
    return NULL;
}

static char *
node_to_string(xmlDoc *doc, xmlNode *node)
{
    xmlBuffer *buf = xmlBufferCreate();
    char *text;

    xmlNodeDump(buf, doc, node, 0, 0);
    text = g_strdup((const char *)xmlBufferContent(buf));
    xmlBufferFree(buf);
    return text;
}

/* Replaces (or removes, @xml NULL) the element in namespace @uri. */
static bool
set_element(MvDomainDef *def, const char *xml, const char *key, const char *uri,
            GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlDoc) newdoc = NULL;
    g_autoptr(GString) out = g_string_new(NULL);
    xmlNode *old;

    if (!uri)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "metadata elements need a namespace URI");
    if (xml && !key)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "metadata elements need a namespace key (prefix)");
    if (!(doc = metadata_doc(def, error)))
        return false;
    if ((old = find_element(doc, uri))) {
        xmlUnlinkNode(old);
        xmlFreeNode(old);
    }
    if (xml) {
        xmlNode *root;
        xmlNs *ns;
        if (!(newdoc = mv_xml_parse_string(xml, NULL, error))) {
            g_prefix_error(error, "invalid metadata element: ");
            return false;
        }
        root = xmlDocGetRootElement(newdoc);
        ns = xmlNewNs(root, (const xmlChar *)uri, (const xmlChar *)key);
        xmlSetNs(root, ns);
        xmlAddChild(xmlDocGetRootElement(doc), xmlDocCopyNode(root, doc, 1));
    }
    for (xmlNode *n = xmlDocGetRootElement(doc)->children; n; n = n->next) {
        g_autofree char *text = NULL;
        if (n->type != XML_ELEMENT_NODE)
            continue;
        text = node_to_string(doc, n);
        g_string_append(out, text);
    }
    g_free(def->metadata);
    def->metadata = out->len ? g_strdup(out->str) : NULL;
    return true;
}

static bool
apply(MvDomainDef *def, int type, const char *metadata, const char *key, const char *uri,
      GError **error)
{
    switch (type) {
    case METADATA_DESCRIPTION:
        g_free(def->description);
        def->description = metadata && *metadata ? g_strdup(metadata) : NULL;
        return true;
    case METADATA_TITLE:
        if (metadata && strchr(metadata, '\n'))
            return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                                "a title can't contain newlines");
        g_free(def->title);
        def->title = metadata && *metadata ? g_strdup(metadata) : NULL;
        return true;
    case METADATA_ELEMENT:
        return set_element(def, metadata, key, uri, error);
    default:
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "unknown metadata type %d", type);
    }
}

bool
mv_qemu_handle_domain_set_metadata(MvDriverCall *call,
                                   const MvObjectRef *dom_ref,
                                   int type,
                                   const char *metadata,
                                   const char *key,
                                   const char *uri,
                                   unsigned int flags,
                                   GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvQemuDomain) dom = NULL;
    bool ok = true;
    bool active;

    if (!mv_qemu_dispatch_check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG,
                                      "virDomainSetMetadata", error) ||
        !(dom = mv_qemu_dispatch_get_domain(call, dom_ref, error)) ||
        !mv_qemu_dispatch_begin_job(dom, "virDomainSetMetadata", error))
        return false;
    g_mutex_lock(&dom->lock);
    active = mv_qemu_domain_is_active(dom);
    ok = mv_driver_affect_resolve(&mv_qemu_domain_class, &flags, active, dom->persistent,
                                  MV_DRIVER_AFFECT_NEED_PERSISTENT, error);
    if (ok && (flags & AFFECT_LIVE)) {
        g_autoptr(MvDomainDef) live = mv_domain_def_copy(dom->live);
        if ((ok = apply(live, type, metadata, key, uri, error) &&
                  mv_qemu_domain_check_size(live, error))) {
            /* Only the daemon holds metadata: all or nothing, undone if not recorded. */
            MvDomainDef *old = dom->live;
            dom->live = live;
            if ((ok = mv_qemu_persist_save_status(driver, dom, error)))
                live = old;
            else
                dom->live = old;
        }
    }
    if (ok && (flags & AFFECT_CONFIG)) {
        g_autoptr(MvDomainDef) def = mv_domain_def_copy(dom->newdef ? dom->newdef : dom->def);
        if ((ok = apply(def, type, metadata, key, uri, error)) &&
            (ok = mv_qemu_domain_check_size(def, error)))
            ok = mv_qemu_persist_replace_def(driver, dom, &def, error);
    }
    g_mutex_unlock(&dom->lock);
    mv_qemu_process_end_job(driver, dom);
    return ok;
}

bool
mv_qemu_handle_domain_get_metadata(MvDriverCall *call,
                                   const MvObjectRef *dom_ref,
                                   int type,
                                   const char *uri,
                                   unsigned int flags,
                                   char **ret_metadata,
                                   GError **error)
{
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    const MvDomainDef *def;
    bool ok = true;

    if (!mv_qemu_dispatch_check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG,
                                      "virDomainGetMetadata", error) ||
        !(dom = mv_qemu_dispatch_get_domain(call, dom_ref, error)))
        return false;
    g_mutex_lock(&dom->lock);
    if (!mv_driver_affect_resolve(&mv_qemu_domain_class, &flags, dom->live != NULL, true, 0,
                                  error)) {
        g_mutex_unlock(&dom->lock);
        return false;
    }
    def = (flags & AFFECT_CONFIG) ? (dom->newdef ? dom->newdef : dom->def) : dom->live;
    switch (type) {
    case METADATA_DESCRIPTION:
        (*ret_metadata) = g_strdup(def->description);
        break;
    case METADATA_TITLE:
        (*ret_metadata) = g_strdup(def->title);
        break;
    case METADATA_ELEMENT:
        if (!uri) {
            ok = mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                              "metadata elements need a namespace URI");
        } else if ((doc = metadata_doc(def, error))) {
            xmlNode *node = find_element(doc, uri);
            if (node)
                (*ret_metadata) = node_to_string(doc, node);
        } else {
            ok = false;
        }
        break;
    default:
        ok = mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                          "unknown metadata type %d", type);
    }
    g_mutex_unlock(&dom->lock);
    if (ok && !(*ret_metadata))
        ok = mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_NO_DOMAIN_METADATA,
                          "metadata not found: Requested metadata element is not present");
    return ok;
}

