/* Memory devices: <memory model='dimm'> (hot-pluggable guest memory).
 *
 *   <memory model='dimm'>
 *     <target><size unit='MiB'>128</size><node>0</node></target>
 *     <alias name='dimm0'/>                      (live)
 *     <address type='dimm' slot='0'/>
 *   </memory>
 *
 * <memory> of the domain counts every DIMM: the memory the guest boots with is
 * <memory> minus the DIMMs, and DIMMs need <maxMemory slots='N'>. */
#include "conf/domain-priv.h"

#include <string.h>

#include "util/error.h"
#include "util/xml.h"

#define MEMDEV_MAX_KIB (G_MAXINT64 / 1024)

MvDomainMemdevDef *
mv_domain_memdev_def_parse_node(const xmlNode *node, unsigned int flags, GError **error)
{
    g_autoptr(MvDomainMemdevDef) mem = g_new0(MvDomainMemdevDef, 1);
    const xmlNode *target = mv_xml_get_child(node, "target");
    const xmlNode *size = target ? mv_xml_get_child(target, "size") : NULL;
    const xmlNode *nodeid = target ? mv_xml_get_child(target, "node") : NULL;
    const xmlNode *address = mv_xml_get_child(node, "address");
    const xmlNode *alias = mv_xml_get_child(node, "alias");
    unsigned int value;

    mem->model = mv_xml_get_prop(node, "model");
    mem->node = mem->slot = -1;
    if (!size)
        return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL, node,
                               "a memory device needs <target><size>"), NULL;
    if (!mv_xml_content_scaled(size, "KiB", 1024, MEMDEV_MAX_KIB, "memory", &mem->size,
                               MV_FROM_DOMAIN, error))
        return NULL;
    if (mem->size == 0)
        return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL, size,
                               "the size of a memory device must be greater than zero"), NULL;
    if (nodeid) {
        g_autofree char *text = g_strstrip(mv_xml_get_content(nodeid));
        guint64 n;

        if (!g_ascii_string_to_unsigned(text, 10, 0, 255, &n, NULL))
            return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL, nodeid,
                                   "invalid NUMA node '%s'", text), NULL;
        mem->node = (int)n;
    }
    if (address) {
        if (!mv_domain_uint_prop(address, "slot", 255, &value, error))
            return NULL;
        g_autofree char *slot = mv_xml_get_prop(address, "slot");
        if (slot)
            mem->slot = (int)value;
    }
    if (alias) {
        g_autofree char *name = mv_xml_get_prop(alias, "name");

        if (name && ((flags & MV_DOMAIN_DEF_PARSE_STATUS) || g_str_has_prefix(name, "ua-")))
            mem->alias = g_steal_pointer(&name);
    }
    return g_steal_pointer(&mem);
}

void
mv_domain_memdev_def_format(GString *out, const MvDomainMemdevDef *mem, int indent,
                            unsigned int flags)
{
    bool user = mem->alias && g_str_has_prefix(mem->alias, "ua-");

    g_string_append_printf(out, "%*s<memory model='%s'>\n", indent, "", mem->model);
    g_string_append_printf(out, "%*s<target>\n", indent + 2, "");
    g_string_append_printf(out, "%*s<size unit='KiB'>%" G_GUINT64_FORMAT "</size>\n",
                           indent + 4, "", mem->size);
    if (mem->node >= 0)
        g_string_append_printf(out, "%*s<node>%d</node>\n", indent + 4, "", mem->node);
    g_string_append_printf(out, "%*s</target>\n", indent + 2, "");
    if (mem->alias && (user || !(flags & MV_DOMAIN_DEF_FORMAT_INACTIVE))) {
        g_autofree char *esc = g_markup_escape_text(mem->alias, -1);
        g_string_append_printf(out, "%*s<alias name='%s'/>\n", indent + 2, "", esc);
    }
    if (mem->slot >= 0)
        g_string_append_printf(out, "%*s<address type='dimm' slot='%d'/>\n", indent + 2, "",
                               mem->slot);
    g_string_append_printf(out, "%*s</memory>\n", indent, "");
}

void
mv_domain_memdev_def_free(MvDomainMemdevDef *mem)
{
    if (!mem)
        return;
    g_free(mem->model);
    g_free(mem->alias);
    g_free(mem);
}

MvDomainMemdevDef *
mv_domain_memdev_def_copy(const MvDomainMemdevDef *mem)
{
    MvDomainMemdevDef *ret = g_memdup2(mem, sizeof(*mem));

    ret->model = g_strdup(mem->model);
    ret->alias = g_strdup(mem->alias);
    return ret;
}

guint64
mv_domain_def_memdev_total(const MvDomainDef *def)
{
    guint64 total = 0;

    for (size_t i = 0; i < def->nmemdevs; i++)
        total += def->memdevs[i]->size;
    return total;
}

bool
mv_domain_def_check_memdevs(const MvDomainDef *def, GError **error)
{
    guint64 total = mv_domain_def_memdev_total(def);

    if (!def->nmemdevs)
        return true;
    if (!def->max_memory || !def->max_memory_slots)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL,
                            "/domain/devices/memory: memory devices need "
                            "<maxMemory slots='N'> (the guest's hot-plug slots and limit)");
    if (def->nmemdevs > def->max_memory_slots)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL,
                            "/domain/devices/memory: %zu memory devices but <maxMemory> has "
                            "%u slots", def->nmemdevs, def->max_memory_slots);
    if (total >= def->memory)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL,
                            "/domain/memory: the memory devices (%" G_GUINT64_FORMAT " KiB) "
                            "leave no boot memory: <memory> (%" G_GUINT64_FORMAT " KiB) counts "
                            "them and must be larger", total, def->memory);
    for (size_t i = 0; i < def->nmemdevs; i++) {
        const MvDomainMemdevDef *mem = def->memdevs[i];

        if (mem->slot >= 0 && (unsigned int)mem->slot >= def->max_memory_slots)
            return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL,
                                "/domain/devices/memory[%zu]/address: slot %d is not below "
                                "the %u slots of <maxMemory>", i + 1, mem->slot,
                                def->max_memory_slots);
        for (size_t j = 0; j < i; j++)
            if (mem->slot >= 0 && def->memdevs[j]->slot == mem->slot)
                return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL,
                                    "/domain/devices/memory[%zu]/address: slot %d is used by "
                                    "another memory device", i + 1, mem->slot);
    }
    return true;
}
