/* <vcpus>: the state of each vCPU, next to <vcpu current='N'>MAX</vcpu>.
 *
 *   <vcpus>
 *     <vcpu id='0' enabled='yes' hotpluggable='no' order='1'/>
 *     <vcpu id='1' enabled='no' hotpluggable='yes'/>
 *   </vcpus>
 *
 * It lists every vCPU once; the enabled ones are <vcpu current>; a disabled one
 * must be hotpluggable, and the ones that are not hotpluggable come first. QEMU
 * boots the leading enabled vCPUs (-smp k); enabled ones after a disabled one are
 * plugged by the daemon before the guest runs (KVM only: under TCG such a guest
 * stalls at boot, so qemu-command.c refuses it). */
#include "conf/domain-priv.h"

#include <string.h>

#include "util/error.h"
#include "util/xml.h"

bool
mv_domain_vcpus_parse(MvDomainDef *def, const xmlNode *node, GError **error)
{
    g_autofree MvDomainVcpuDef *list = g_new0(MvDomainVcpuDef, def->vcpus);
    g_autofree bool *seen = g_new0(bool, def->vcpus);
    unsigned int enabled = 0, count = 0;

    for (const xmlNode *child = node->children; child; child = child->next) {
        unsigned int id, order = 0;
        int on = -1, hot = -1;

        if (child->type != XML_ELEMENT_NODE)
            continue;
        if (!mv_domain_uint_prop(child, "id", 16383, &id, error) ||
            !mv_domain_uint_prop(child, "order", 16384, &order, error) ||
            !mv_xml_prop_bool(child, "enabled", &on, MV_FROM_DOMAIN, error) ||
            !mv_xml_prop_bool(child, "hotpluggable", &hot, MV_FROM_DOMAIN, error))
            return false;
        if (id >= def->vcpus)
            return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL, child,
                                   "vCPU %u does not exist: <vcpu> is %u", id, def->vcpus);
        if (seen[id])
            return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL, child,
                                   "vCPU %u is listed twice", id);
        if (!on && hot == 0)
            return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL, child,
                                   "vCPU %u is disabled, so it must be hotpluggable", id);
        seen[id] = true;
        list[id].enabled = on != 0;
        list[id].hotpluggable = on == 0 || hot == 1;
        list[id].order = order;
        enabled += list[id].enabled;
        count++;
    }
    if (count != def->vcpus)
        return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL, node,
                               "%u vCPUs listed but <vcpu> is %u: list every vCPU",
                               count, def->vcpus);
    if (enabled != def->vcpus_current)
        return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL, node,
                               "%u vCPUs enabled but <vcpu current> is %u: they must match",
                               enabled, def->vcpus_current);
    for (unsigned int i = 1; i < def->vcpus; i++)
        if (!list[i].hotpluggable && list[i - 1].hotpluggable)
            return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL, node,
                                   "vCPU %u is not hotpluggable but vCPU %u is: the vCPUs "
                                   "that are not hotpluggable must come first", i, i - 1);
    if (list[0].hotpluggable)
        return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL, node,
                               "vCPU 0 must not be hotpluggable");
    def->vcpu_list = g_steal_pointer(&list);
    return true;
}

void
mv_domain_vcpus_format(GString *out, const MvDomainDef *def)
{
    if (!def->vcpu_list)
        return;
    g_string_append(out, "  <vcpus>\n");
    for (unsigned int i = 0; i < def->vcpus; i++) {
        const MvDomainVcpuDef *v = &def->vcpu_list[i];

        g_string_append_printf(out, "    <vcpu id='%u' enabled='%s' hotpluggable='%s'", i,
                               v->enabled ? "yes" : "no", v->hotpluggable ? "yes" : "no");
        if (v->order)
            g_string_append_printf(out, " order='%u'", v->order);
        g_string_append(out, "/>\n");
    }
    g_string_append(out, "  </vcpus>\n");
}

MvDomainVcpuDef *
mv_domain_vcpus_copy(const MvDomainDef *def)
{
    return def->vcpu_list ? g_memdup2(def->vcpu_list, sizeof(MvDomainVcpuDef) * def->vcpus)
                          : NULL;
}

unsigned int
mv_domain_vcpus_boot_count(const MvDomainDef *def)
{
    unsigned int n = 0;

    if (!def->vcpu_list)
        return def->vcpus_current ? def->vcpus_current : def->vcpus;
    while (n < def->vcpus && def->vcpu_list[n].enabled)
        n++;
    return n;
}

void
mv_domain_vcpus_ensure(MvDomainDef *def)
{
    if (def->vcpu_list)
        return;
    def->vcpu_list = g_new0(MvDomainVcpuDef, def->vcpus);
    for (unsigned int i = 0; i < def->vcpus; i++) {
        def->vcpu_list[i].enabled = i < def->vcpus_current;
        def->vcpu_list[i].hotpluggable = i >= def->vcpus_current;
    }
}
