/* MvDomainDef → canonical domain XML: one fixed element order, two-space
 * indentation, single-quoted attributes, and the defaults libvirt shows made
 * explicit, so that parse(format(def)) formats identically. */
#include <libxml/parser.h>
#include <string.h>

#include "conf/domain-iothreads.h"
#include "conf/domain-conf.h"
#include "conf/domain-priv.h"
#include "conf/domain-tune.h"
#include "util/uuid.h"
#include "util/xml.h"

static void
mv_fmt_indent(GString *out, int indent)
{
    g_string_append_printf(out, "%*s", indent, "");
}

/* Appends " name='value'" (escaped) when @value is non-NULL. */
static void
mv_fmt_attr(GString *out, const char *name, const char *value)
{
    g_autofree char *esc = NULL;

    if (!value)
        return;
    esc = g_markup_escape_text(value, -1);
    g_string_append_printf(out, " %s='%s'", name, esc);
}

static void
mv_fmt_attr_uint(GString *out, const char *name, unsigned int value)
{
    g_string_append_printf(out, " %s='%u'", name, value);
}

/* <name>escaped text</name> on its own line; nothing when @text is NULL. */
static void
mv_fmt_text_element(GString *out, int indent, const char *name, const char *text)
{
    g_autofree char *esc = NULL;

    if (!text)
        return;
    esc = g_markup_escape_text(text, -1);
    mv_fmt_indent(out, indent);
    g_string_append_printf(out, "<%s>%s</%s>\n", name, esc, name);
}

static void
mv_fmt_alias(GString *out, int indent, const char *alias, unsigned int flags)
{
    bool user = alias && g_str_has_prefix(alias, "ua-");

    if (!alias || ((flags & MV_DOMAIN_DEF_FORMAT_INACTIVE) && !user))
        return;
    mv_fmt_indent(out, indent);
    g_string_append(out, "<alias");
    mv_fmt_attr(out, "name", alias);
    g_string_append(out, "/>\n");
}

static void
mv_fmt_address(GString *out, int indent, const MvDomainDeviceAddress *addr)
{
    if (!addr->type)
        return;
    mv_fmt_indent(out, indent);
    if (strcmp(addr->type, "pci") == 0) {
        g_string_append_printf(out,
                               "<address type='pci' domain='0x%04x' bus='0x%02x' slot='0x%02x' "
                               "function='0x%x'%s/>\n",
                               addr->domain, addr->bus, addr->slot, addr->function,
                               addr->multifunction ? " multifunction='on'" : "");
    } else {
        g_string_append_printf(out,
                               "<address type='drive' controller='%u' bus='%u' target='%u' "
                               "unit='%u'/>\n",
                               addr->controller, addr->bus, addr->target, addr->unit);
    }
}

/* Opens "<name" at @indent; the caller appends attributes, then ends the tag
 * (often with mv_fmt_finish()). */
static void
mv_fmt_open(GString *out, int indent, const char *name)
{
    mv_fmt_indent(out, indent);
    g_string_append_printf(out, "<%s", name);
}

/* Ends a start tag opened with mv_fmt_open(): "/>" when @children is empty,
 * else ">", the children and the end tag. */
static void
mv_fmt_finish(GString *out, int indent, const char *name, GString *children)
{
    if (!children->len) {
        g_string_append(out, "/>\n");
        return;
    }
    g_string_append(out, ">\n");
    g_string_append_len(out, children->str, children->len);
    mv_fmt_indent(out, indent);
    g_string_append_printf(out, "</%s>\n", name);
}

/* ---- metadata ---- */

/* def->metadata holds standalone elements (see domain-parse.c, or set by the
 * metadata API); they are re-read so that they are indented like the rest. */
static void
mv_fmt_metadata(GString *out, const char *metadata)
{
    g_autofree char *wrapped = g_strdup_printf("<metadata>%s</metadata>", metadata);
    g_autoptr(xmlDoc) doc = xmlReadMemory(wrapped, (int)strlen(wrapped), NULL, NULL,
                                          XML_PARSE_NONET | XML_PARSE_NOBLANKS |
                                              XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;

    if (!root || !root->children) {
        g_string_append(out, "  <metadata/>\n");
        return;
    }
    g_string_append(out, "  <metadata>\n");
    for (xmlNode *child = root->children; child; child = child->next) {
        xmlBuffer *buf;

        if (child->type != XML_ELEMENT_NODE)
            continue;
        if (!(buf = xmlBufferCreate()))
            g_error("Cannot allocate an XML buffer");
        xmlNodeDump(buf, doc, child, 2, 1);
        g_string_append(out, "    ");
        g_string_append_len(out, (const char *)xmlBufferContent(buf), xmlBufferLength(buf));
        g_string_append_c(out, '\n');
        xmlBufferFree(buf);
    }
    g_string_append(out, "  </metadata>\n");
}

/* ---- general sections ---- */

static void
mv_fmt_memory(GString *out, const MvDomainDef *def)
{
    if (def->max_memory)
        g_string_append_printf(out,
                               "  <maxMemory slots='%u' unit='KiB'>%" G_GUINT64_FORMAT
                               "</maxMemory>\n",
                               def->max_memory_slots, def->max_memory);
    g_string_append_printf(out, "  <memory unit='KiB'>%" G_GUINT64_FORMAT "</memory>\n",
                           def->memory);
    g_string_append_printf(out, "  <currentMemory unit='KiB'>%" G_GUINT64_FORMAT
                           "</currentMemory>\n",
                           def->current_memory ? def->current_memory : def->memory);
    g_string_append(out, "  <vcpu placement='static'");
    if (def->vcpus_current && def->vcpus_current != def->vcpus)
        mv_fmt_attr_uint(out, "current", def->vcpus_current);
    g_string_append_printf(out, ">%u</vcpu>\n", def->vcpus ? def->vcpus : 1);
    mv_domain_vcpus_format(out, def);
    mv_domain_iothreads_format(out, def->iothreads);
}

static void
mv_fmt_os(GString *out, const MvDomainOsDef *os)
{
    g_autofree char *type = g_markup_escape_text(os->type ? os->type : "hvm", -1);

    if (os->firmware)
        g_string_append_printf(out, "  <os firmware='%s'>\n", os->firmware);
    else
        g_string_append(out, "  <os>\n");
    mv_fmt_open(out, 4, "type");
    mv_fmt_attr(out, "arch", os->arch);
    mv_fmt_attr(out, "machine", os->machine);
    g_string_append_printf(out, ">%s</type>\n", type);
    if (os->nfirmware_features) {
        g_string_append(out, "    <firmware>\n");
        for (size_t i = 0; i < os->nfirmware_features; i++) {
            const MvDomainFirmwareFeature *f = &os->firmware_features[i];

            mv_fmt_open(out, 6, "feature");
            mv_fmt_attr(out, "enabled", f->enabled ? "yes" : "no");
            mv_fmt_attr(out, "name", f->name);
            g_string_append(out, "/>\n");
        }
        g_string_append(out, "    </firmware>\n");
    }
    if (os->loader || os->loader_readonly || os->loader_type || os->loader_secure >= 0) {
        mv_fmt_open(out, 4, "loader");
        if (os->loader_readonly)
            g_string_append(out, " readonly='yes'");
        if (os->loader_secure >= 0)
            mv_fmt_attr(out, "secure", os->loader_secure ? "yes" : "no");
        mv_fmt_attr(out, "type", os->loader_type);
        if (os->loader) {
            g_autofree char *loader = g_markup_escape_text(os->loader, -1);

            g_string_append_printf(out, ">%s</loader>\n", loader);
        } else {
            g_string_append(out, "/>\n");
        }
    }
    if (os->nvram || os->nvram_template) {
        mv_fmt_open(out, 4, "nvram");
        mv_fmt_attr(out, "template", os->nvram_template);
        if (os->nvram) {
            g_autofree char *nvram = g_markup_escape_text(os->nvram, -1);

            g_string_append_printf(out, ">%s</nvram>\n", nvram);
        } else {
            g_string_append(out, "/>\n");
        }
    }
    mv_fmt_text_element(out, 4, "kernel", os->kernel);
    mv_fmt_text_element(out, 4, "initrd", os->initrd);
    mv_fmt_text_element(out, 4, "cmdline", os->cmdline);
    for (size_t i = 0; i < os->nboot; i++) {
        mv_fmt_open(out, 4, "boot");
        mv_fmt_attr(out, "dev", mv_domain_boot_dev_to_string(os->boot[i]));
        g_string_append(out, "/>\n");
    }
    if (os->bootmenu)
        g_string_append(out, "    <bootmenu enable='yes'/>\n");
    g_string_append(out, "  </os>\n");
}

static void
mv_fmt_hyperv_state(GString *out, const char *name, int state, unsigned int retries)
{
    if (!state)
        return;
    g_string_append_printf(out, "      <%s state='%s'", name, state == 1 ? "on" : "off");
    if (retries)
        g_string_append_printf(out, " retries='%u'", retries);
    g_string_append(out, "/>\n");
}

static void
mv_fmt_hyperv(GString *out, const MvDomainHypervDef *hv)
{
    if (!hv->present)
        return;
    if (!hv->relaxed && !hv->vapic && !hv->spinlocks) {
        g_string_append(out, "    <hyperv/>\n");
        return;
    }
    g_string_append(out, "    <hyperv>\n");
    mv_fmt_hyperv_state(out, "relaxed", hv->relaxed, 0);
    mv_fmt_hyperv_state(out, "vapic", hv->vapic, 0);
    mv_fmt_hyperv_state(out, "spinlocks", hv->spinlocks, hv->spinlock_retries);
    g_string_append(out, "    </hyperv>\n");
}

static void
mv_fmt_features(GString *out, unsigned int features, const MvDomainHypervDef *hv)
{
    if (!features && !hv->present)
        return;
    g_string_append(out, "  <features>\n");
    if (features & MV_DOMAIN_FEATURE_ACPI)
        g_string_append(out, "    <acpi/>\n");
    if (features & MV_DOMAIN_FEATURE_APIC)
        g_string_append(out, "    <apic/>\n");
    if (features & MV_DOMAIN_FEATURE_PAE)
        g_string_append(out, "    <pae/>\n");
    mv_fmt_hyperv(out, hv);
    if (features & MV_DOMAIN_FEATURE_VMPORT_ON)
        g_string_append(out, "    <vmport state='on'/>\n");
    if (features & MV_DOMAIN_FEATURE_VMPORT_OFF)
        g_string_append(out, "    <vmport state='off'/>\n");
    g_string_append(out, "  </features>\n");
}

static void
mv_fmt_cpu(GString *out, const MvDomainCpuDef *cpu)
{
    g_autoptr(GString) children = g_string_new(NULL);

    if (cpu->mode == MV_DOMAIN_CPU_MODE_DEFAULT)
        return;
    mv_fmt_open(out, 2, "cpu");
    mv_fmt_attr(out, "mode", mv_domain_cpu_mode_to_string(cpu->mode));
    mv_fmt_attr(out, "match", cpu->match);
    mv_fmt_attr(out, "check", cpu->check);
    if (cpu->model) {
        g_autofree char *model = g_markup_escape_text(cpu->model, -1);

        mv_fmt_open(children, 4, "model");
        mv_fmt_attr(children, "fallback", cpu->model_fallback);
        g_string_append_printf(children, ">%s</model>\n", model);
    }
    if (cpu->sockets) {
        mv_fmt_open(children, 4, "topology");
        mv_fmt_attr_uint(children, "sockets", cpu->sockets);
        if (cpu->dies)
            mv_fmt_attr_uint(children, "dies", cpu->dies);
        mv_fmt_attr_uint(children, "cores", cpu->cores);
        mv_fmt_attr_uint(children, "threads", cpu->threads);
        g_string_append(children, "/>\n");
    }
    for (size_t i = 0; i < cpu->nfeatures; i++) {
        mv_fmt_open(children, 4, "feature");
        mv_fmt_attr(children, "policy", cpu->features[i].policy ? cpu->features[i].policy
                                                                 : "require");
        mv_fmt_attr(children, "name", cpu->features[i].name);
        g_string_append(children, "/>\n");
    }
    mv_fmt_finish(out, 2, "cpu", children);
}

static void
mv_fmt_clock(GString *out, const MvDomainClockDef *clock)
{
    g_autoptr(GString) children = g_string_new(NULL);

    mv_fmt_open(out, 2, "clock");
    mv_fmt_attr(out, "offset", clock->offset ? clock->offset : "utc");
    for (size_t i = 0; i < clock->ntimers; i++) {
        const MvDomainTimerDef *timer = &clock->timers[i];

        mv_fmt_open(children, 4, "timer");
        mv_fmt_attr(children, "name", timer->name);
        mv_fmt_attr(children, "tickpolicy", timer->tickpolicy);
        if (timer->present >= 0)
            mv_fmt_attr(children, "present", timer->present ? "yes" : "no");
        g_string_append(children, "/>\n");
    }
    mv_fmt_finish(out, 2, "clock", children);
}

static void
mv_fmt_lifecycle(GString *out, const MvDomainDef *def)
{
    mv_fmt_text_element(out, 2, "on_poweroff",
                        mv_domain_lifecycle_action_to_string(def->on_poweroff));
    mv_fmt_text_element(out, 2, "on_reboot", mv_domain_lifecycle_action_to_string(def->on_reboot));
    mv_fmt_text_element(out, 2, "on_crash", mv_domain_lifecycle_action_to_string(def->on_crash));
    if (def->pm_suspend_to_mem < 0 && def->pm_suspend_to_disk < 0)
        return;
    g_string_append(out, "  <pm>\n");
    if (def->pm_suspend_to_mem >= 0)
        g_string_append_printf(out, "    <suspend-to-mem enabled='%s'/>\n",
                               def->pm_suspend_to_mem ? "yes" : "no");
    if (def->pm_suspend_to_disk >= 0)
        g_string_append_printf(out, "    <suspend-to-disk enabled='%s'/>\n",
                               def->pm_suspend_to_disk ? "yes" : "no");
    g_string_append(out, "  </pm>\n");
}

/* ---- devices ---- */

void
mv_domain_disk_def_format(GString *out, const MvDomainDiskDef *disk, int indent,
                          unsigned int flags)
{
    int in = indent + 2;

    mv_fmt_open(out, indent, "disk");
    mv_fmt_attr(out, "type", disk->type == MV_DOMAIN_DISK_SOURCE_BLOCK    ? "block"
                             : disk->type == MV_DOMAIN_DISK_SOURCE_VOLUME ? "volume"
                                                                          : "file");
    mv_fmt_attr(out, "device", disk->device == MV_DOMAIN_DISK_DEVICE_CDROM    ? "cdrom"
                               : disk->device == MV_DOMAIN_DISK_DEVICE_FLOPPY ? "floppy"
                                                                              : "disk");
    g_string_append(out, ">\n");
    if (disk->driver_name || disk->driver_type || disk->driver_cache || disk->driver_discard ||
        disk->iothread) {
        mv_fmt_open(out, in, "driver");
        mv_fmt_attr(out, "name", disk->driver_name);
        mv_fmt_attr(out, "type", disk->driver_type);
        mv_fmt_attr(out, "cache", disk->driver_cache);
        mv_fmt_attr(out, "discard", disk->driver_discard);
        if (disk->iothread)
            mv_fmt_attr_uint(out, "iothread", disk->iothread);
        g_string_append(out, "/>\n");
    }
    if (disk->type == MV_DOMAIN_DISK_SOURCE_VOLUME && disk->source_volume) {
        /* the resolved path stays internal, as the volume may move */
        mv_fmt_open(out, in, "source");
        mv_fmt_attr(out, "pool", disk->source_pool);
        mv_fmt_attr(out, "volume", disk->source_volume);
        mv_fmt_attr(out, "mode", disk->source_mode);
        g_string_append(out, "/>\n");
    } else if (disk->source && disk->type != MV_DOMAIN_DISK_SOURCE_VOLUME) {
        mv_fmt_open(out, in, "source");
        mv_fmt_attr(out, disk->type == MV_DOMAIN_DISK_SOURCE_BLOCK ? "dev" : "file", disk->source);
        g_string_append(out, "/>\n");
    }
    mv_fmt_open(out, in, "target");
    mv_fmt_attr(out, "dev", disk->target_dev);
    mv_fmt_attr(out, "bus", mv_domain_disk_bus_to_string(disk->bus));
    g_string_append(out, "/>\n");
    mv_domain_iotune_format(out, in, disk->iotune);
    if (disk->boot_order) {
        mv_fmt_open(out, in, "boot");
        mv_fmt_attr_uint(out, "order", disk->boot_order);
        g_string_append(out, "/>\n");
    }
    if (disk->readonly) {
        mv_fmt_indent(out, in);
        g_string_append(out, "<readonly/>\n");
    }
    if (disk->shareable) {
        mv_fmt_indent(out, in);
        g_string_append(out, "<shareable/>\n");
    }
    mv_fmt_text_element(out, in, "serial", disk->serial);
    mv_fmt_alias(out, in, disk->alias, flags);
    mv_fmt_address(out, in, &disk->address);
    mv_fmt_indent(out, indent);
    g_string_append(out, "</disk>\n");
}

static void
mv_fmt_controller(GString *out, const MvDomainControllerDef *ctrl, unsigned int flags)
{
    g_autoptr(GString) children = g_string_new(NULL);

    mv_fmt_open(out, 4, "controller");
    mv_fmt_attr(out, "type", ctrl->type);
    g_string_append_printf(out, " index='%d'", ctrl->index < 0 ? 0 : ctrl->index);
    mv_fmt_attr(out, "model", ctrl->model);
    if (ctrl->ports >= 0)
        g_string_append_printf(out, " ports='%d'", ctrl->ports);
    if (ctrl->vectors >= 0)
        g_string_append_printf(out, " vectors='%d'", ctrl->vectors);
    if (ctrl->master_startport >= 0)
        g_string_append_printf(children, "      <master startport='%d'/>\n",
                               ctrl->master_startport);
    mv_fmt_alias(children, 6, ctrl->alias, flags);
    mv_fmt_address(children, 6, &ctrl->address);
    mv_fmt_finish(out, 4, "controller", children);
}

void
mv_domain_net_def_format(GString *out, const MvDomainNetDef *net, int indent,
                         unsigned int flags)
{
    int in = indent + 2;
    bool live_tap = net->type != MV_DOMAIN_NET_ETHERNET && net->target_dev &&
                    g_str_has_prefix(net->target_dev, "vnet");

    mv_fmt_open(out, indent, "interface");
    mv_fmt_attr(out, "type", mv_domain_net_type_to_string(net->type));
    g_string_append(out, ">\n");
    mv_fmt_indent(out, in);
    g_string_append_printf(out, "<mac address='%02x:%02x:%02x:%02x:%02x:%02x'/>\n", net->mac[0],
                           net->mac[1], net->mac[2], net->mac[3], net->mac[4], net->mac[5]);
    if (net->source && (net->type == MV_DOMAIN_NET_NETWORK || net->type == MV_DOMAIN_NET_BRIDGE)) {
        mv_fmt_open(out, in, "source");
        mv_fmt_attr(out, net->type == MV_DOMAIN_NET_NETWORK ? "network" : "bridge", net->source);
        if (net->type == MV_DOMAIN_NET_NETWORK) {
            mv_fmt_attr(out, "portgroup", net->portgroup);
            if (!(flags & MV_DOMAIN_DEF_FORMAT_INACTIVE)) {
                mv_fmt_attr(out, "portid", net->port_id);
                mv_fmt_attr(out, "bridge", net->bridge);
            }
        }
        g_string_append(out, "/>\n");
    }
    if (net->target_dev && !(live_tap && (flags & MV_DOMAIN_DEF_FORMAT_INACTIVE))) {
        mv_fmt_open(out, in, "target");
        mv_fmt_attr(out, "dev", net->target_dev);
        g_string_append(out, "/>\n");
    }
    if (net->model) {
        mv_fmt_open(out, in, "model");
        mv_fmt_attr(out, "type", net->model);
        g_string_append(out, "/>\n");
    }
    if (net->filter) {
        mv_fmt_open(out, in, "filterref");
        mv_fmt_attr(out, "filter", net->filter);
        if (!net->nfilter_params) {
            g_string_append(out, "/>\n");
        } else {
            g_string_append(out, ">\n");
            for (size_t i = 0; i < net->nfilter_params; i++) {
                mv_fmt_open(out, in + 2, "parameter");
                mv_fmt_attr(out, "name", net->filter_params[i].name);
                mv_fmt_attr(out, "value", net->filter_params[i].value);
                g_string_append(out, "/>\n");
            }
            mv_fmt_indent(out, in);
            g_string_append(out, "</filterref>\n");
        }
    }
    if (net->link_state != MV_DOMAIN_NET_LINK_DEFAULT) {
        mv_fmt_open(out, in, "link");
        mv_fmt_attr(out, "state", net->link_state == MV_DOMAIN_NET_LINK_DOWN ? "down" : "up");
        g_string_append(out, "/>\n");
    }
    mv_domain_net_bandwidth_format(out, in, net->bandwidth);
    if (net->mtu) {
        mv_fmt_open(out, in, "mtu");
        mv_fmt_attr_uint(out, "size", net->mtu);
        g_string_append(out, "/>\n");
    }
    if (net->boot_order) {
        mv_fmt_open(out, in, "boot");
        mv_fmt_attr_uint(out, "order", net->boot_order);
        g_string_append(out, "/>\n");
    }
    mv_fmt_alias(out, in, net->alias, flags);
    mv_fmt_address(out, in, &net->address);
    mv_fmt_indent(out, indent);
    g_string_append(out, "</interface>\n");
}

static void
mv_fmt_chr(GString *out, const MvDomainChrDef *chr, unsigned int flags)
{
    const char *name = mv_domain_chr_device_to_string(chr->device);
    bool live = !(flags & MV_DOMAIN_DEF_FORMAT_INACTIVE);
    const char *path = chr->source_path;
    g_autoptr(GString) children = g_string_new(NULL);

    if (chr->type == MV_DOMAIN_CHR_PTY && !live)
        path = NULL;
    mv_fmt_open(out, 4, name);
    mv_fmt_attr(out, "type", mv_domain_chr_type_to_string(chr->type));
    if (chr->device == MV_DOMAIN_CHR_CONSOLE && chr->type == MV_DOMAIN_CHR_PTY)
        mv_fmt_attr(out, "tty", path);
    if (path || chr->source_mode) {
        mv_fmt_open(children, 6, "source");
        mv_fmt_attr(children, "mode", chr->source_mode);
        mv_fmt_attr(children, "path", path);
        g_string_append(children, "/>\n");
    }
    if (chr->target_type || chr->target_name || chr->target_port >= 0) {
        mv_fmt_open(children, 6, "target");
        mv_fmt_attr(children, "type", chr->target_type);
        mv_fmt_attr(children, "name", chr->target_name);
        if (live)
            mv_fmt_attr(children, "state", chr->target_state);
        if (chr->target_port >= 0)
            g_string_append_printf(children, " port='%d'", chr->target_port);
        g_string_append(children, "/>\n");
    }
    mv_fmt_alias(children, 6, chr->alias, flags);
    mv_fmt_finish(out, 4, name, children);
}

static void
mv_fmt_input(GString *out, const MvDomainInputDef *input, unsigned int flags)
{
    g_autoptr(GString) children = g_string_new(NULL);

    mv_fmt_open(out, 4, "input");
    mv_fmt_attr(out, "type", input->type);
    mv_fmt_attr(out, "bus", input->bus);
    mv_fmt_alias(children, 6, input->alias, flags);
    mv_fmt_finish(out, 4, "input", children);
}

static void
mv_fmt_graphics(GString *out, const MvDomainGraphicsDef *graphics, unsigned int flags)
{
    bool live = !(flags & MV_DOMAIN_DEF_FORMAT_INACTIVE);
    g_autoptr(GString) children = g_string_new(NULL);

    mv_fmt_open(out, 4, "graphics");
    mv_fmt_attr(out, "type", graphics->type);
    g_string_append_printf(out, " port='%d'", graphics->autoport && !live ? -1 : graphics->port);
    mv_fmt_attr(out, "autoport", graphics->autoport ? "yes" : "no");
    mv_fmt_attr(out, "listen", graphics->listen);
    if (flags & MV_DOMAIN_DEF_FORMAT_SECURE)
        mv_fmt_attr(out, "passwd", graphics->passwd);
    if (graphics->has_tls_port)
        g_string_append_printf(out, " tlsPort='%d'",
                               graphics->autoport && !live ? -1 : graphics->tls_port);
    if (graphics->listen) {
        mv_fmt_open(children, 6, "listen");
        mv_fmt_attr(children, "type", "address");
        mv_fmt_attr(children, "address", graphics->listen);
        g_string_append(children, "/>\n");
    }
    if (graphics->image_compression) {
        mv_fmt_open(children, 6, "image");
        mv_fmt_attr(children, "compression", graphics->image_compression);
        g_string_append(children, "/>\n");
    }
    mv_fmt_finish(out, 4, "graphics", children);
}

static void
mv_fmt_sound(GString *out, const MvDomainSoundDef *sound, unsigned int flags)
{
    g_autoptr(GString) children = g_string_new(NULL);

    mv_fmt_open(out, 4, "sound");
    mv_fmt_attr(out, "model", sound->model);
    mv_fmt_alias(children, 6, sound->alias, flags);
    mv_fmt_address(children, 6, &sound->address);
    mv_fmt_finish(out, 4, "sound", children);
}

static void
mv_fmt_redirdev(GString *out, const MvDomainRedirdevDef *redirdev, unsigned int flags)
{
    g_autoptr(GString) children = g_string_new(NULL);

    mv_fmt_open(out, 4, "redirdev");
    mv_fmt_attr(out, "bus", redirdev->bus);
    mv_fmt_attr(out, "type", redirdev->type);
    mv_fmt_alias(children, 6, redirdev->alias, flags);
    mv_fmt_finish(out, 4, "redirdev", children);
}

static void
mv_fmt_video(GString *out, const MvDomainVideoDef *video, unsigned int flags)
{
    g_string_append(out, "    <video>\n");
    mv_fmt_open(out, 6, "model");
    mv_fmt_attr(out, "type", video->model);
    if (video->vram)
        mv_fmt_attr_uint(out, "vram", video->vram);
    if (video->heads)
        mv_fmt_attr_uint(out, "heads", video->heads);
    if (video->primary)
        mv_fmt_attr(out, "primary", "yes");
    g_string_append(out, "/>\n");
    mv_fmt_alias(out, 6, video->alias, flags);
    mv_fmt_address(out, 6, &video->address);
    g_string_append(out, "    </video>\n");
}

static void
mv_fmt_tpm(GString *out, const MvDomainTpmDef *tpm, unsigned int flags)
{
    mv_fmt_open(out, 4, "tpm");
    mv_fmt_attr(out, "model", tpm->model);
    g_string_append(out, ">\n");
    mv_fmt_open(out, 6, "backend");
    mv_fmt_attr(out, "type", tpm->backend);
    mv_fmt_attr(out, "version", tpm->version);
    g_string_append(out, "/>\n");
    mv_fmt_alias(out, 6, tpm->alias, flags);
    g_string_append(out, "    </tpm>\n");
}

static void
mv_fmt_watchdog(GString *out, const MvDomainWatchdogDef *watchdog, unsigned int flags)
{
    g_autoptr(GString) children = g_string_new(NULL);

    mv_fmt_open(out, 4, "watchdog");
    mv_fmt_attr(out, "model", watchdog->model);
    mv_fmt_attr(out, "action", watchdog->action);
    mv_fmt_alias(children, 6, watchdog->alias, flags);
    mv_fmt_address(children, 6, &watchdog->address);
    mv_fmt_finish(out, 4, "watchdog", children);
}

static void
mv_fmt_memballoon(GString *out, const MvDomainMemballoonDef *balloon, unsigned int flags)
{
    g_autoptr(GString) children = g_string_new(NULL);

    mv_fmt_open(out, 4, "memballoon");
    mv_fmt_attr(out, "model", balloon->model);
    if (balloon->period)
        g_string_append_printf(children, "      <stats period='%u'/>\n", balloon->period);
    mv_fmt_alias(children, 6, balloon->alias, flags);
    mv_fmt_address(children, 6, &balloon->address);
    mv_fmt_finish(out, 4, "memballoon", children);
}

static void
mv_fmt_rng(GString *out, const MvDomainRngDef *rng, unsigned int flags)
{
    mv_fmt_open(out, 4, "rng");
    mv_fmt_attr(out, "model", rng->model);
    g_string_append(out, ">\n");
    mv_fmt_open(out, 6, "backend");
    mv_fmt_attr(out, "model", rng->backend_model);
    if (rng->backend) {
        g_autofree char *esc = g_markup_escape_text(rng->backend, -1);

        g_string_append_printf(out, ">%s</backend>\n", esc);
    } else {
        g_string_append(out, "/>\n");
    }
    mv_fmt_alias(out, 6, rng->alias, flags);
    mv_fmt_address(out, 6, &rng->address);
    g_string_append(out, "    </rng>\n");
}

static void
mv_fmt_devices(GString *out, const MvDomainDef *def, unsigned int flags)
{
    g_autoptr(GString) devs = g_string_new(NULL);

    mv_fmt_text_element(devs, 4, "emulator", def->emulator);
    for (size_t i = 0; i < def->ndisks; i++)
        mv_domain_disk_def_format(devs, def->disks[i], 4, flags);
    for (size_t i = 0; i < def->ncontrollers; i++)
        mv_fmt_controller(devs, def->controllers[i], flags);
    for (size_t i = 0; i < def->nnets; i++)
        mv_domain_net_def_format(devs, def->nets[i], 4, flags);
    for (size_t i = 0; i < def->nserials; i++)
        mv_fmt_chr(devs, def->serials[i], flags);
    for (size_t i = 0; i < def->nconsoles; i++)
        mv_fmt_chr(devs, def->consoles[i], flags);
    for (size_t i = 0; i < def->nchannels; i++)
        mv_fmt_chr(devs, def->channels[i], flags);
    for (size_t i = 0; i < def->ninputs; i++)
        mv_fmt_input(devs, def->inputs[i], flags);
    for (size_t i = 0; i < def->ngraphics; i++)
        mv_fmt_graphics(devs, def->graphics[i], flags);
    for (size_t i = 0; i < def->nsounds; i++)
        mv_fmt_sound(devs, def->sounds[i], flags);
    for (size_t i = 0; i < def->nvideos; i++)
        mv_fmt_video(devs, def->videos[i], flags);
    for (size_t i = 0; i < def->nredirdevs; i++)
        mv_fmt_redirdev(devs, def->redirdevs[i], flags);
    if (def->watchdog)
        mv_fmt_watchdog(devs, def->watchdog, flags);
    if (def->tpm)
        mv_fmt_tpm(devs, def->tpm, flags);
    if (def->memballoon)
        mv_fmt_memballoon(devs, def->memballoon, flags);
    for (size_t i = 0; i < def->nrngs; i++)
        mv_fmt_rng(devs, def->rngs[i], flags);
    for (size_t i = 0; i < def->nmemdevs; i++)
        mv_domain_memdev_def_format(devs, def->memdevs[i], 4, flags);
    mv_fmt_open(out, 2, "devices");
    mv_fmt_finish(out, 2, "devices", devs);
}

char *
mv_domain_def_format(const MvDomainDef *def, int id, unsigned int flags)
{
    GString *out = g_string_new(NULL);
    char uuid[MV_UUID_STRING_LEN];

    g_string_append(out, "<domain");
    mv_fmt_attr(out, "type", mv_domain_virt_type_to_string(def->virt_type));
    if (id >= 0 && !(flags & MV_DOMAIN_DEF_FORMAT_INACTIVE))
        g_string_append_printf(out, " id='%d'", id);
    g_string_append(out, ">\n");

    mv_fmt_text_element(out, 2, "name", def->name);
    mv_uuid_format(def->uuid, uuid);
    mv_fmt_text_element(out, 2, "uuid", uuid);
    mv_fmt_text_element(out, 2, "title", def->title);
    mv_fmt_text_element(out, 2, "description", def->description);
    if (def->metadata)
        mv_fmt_metadata(out, def->metadata);
    mv_fmt_memory(out, def);
    mv_domain_tune_format(out, def->tune, def->iothreads);
    mv_fmt_os(out, &def->os);
    mv_fmt_features(out, def->features, &def->hyperv);
    mv_fmt_cpu(out, &def->cpu);
    mv_fmt_clock(out, &def->clock);
    mv_fmt_lifecycle(out, def);
    mv_fmt_devices(out, def, flags);
    g_string_append(out, "</domain>\n");
    return g_string_free(out, FALSE);
}
