/* Domain XML → MvDomainDef. The schema (schemas/domain.rng) has already
 * rejected every element, attribute and value we do not support; this file
 * converts what is left and applies the semantic rules a schema cannot
 * express (units, defaults, cross-references, duplicates). */
#include <libxml/xmlsave.h>
#include <string.h>

#include "conf/domain-iothreads.h"
#include "conf/domain-conf.h"
#include "conf/domain-priv.h"
#include "conf/domain-tune.h"
#include "util/error.h"
#include "util/uuid.h"
#include "util/xml.h"

/* The largest memory size we accept, in KiB: its size in bytes fits a gint64. */
#define MV_DOMAIN_MEMORY_MAX_KIB ((guint64)G_MAXINT64 / 1024)

static const MvXmlChildRule mv_domain_rules[] = {
    { "name", 1, 1 },        { "uuid", 0, 1 },          { "title", 0, 1 },
    { "iothreads", 0, 1 },   { "iothreadids", 0, 1 },
    { "description", 0, 1 }, { "metadata", 0, 1 },      { "maxMemory", 0, 1 },
    { "memory", 1, 1 },      { "currentMemory", 0, 1 }, { "vcpu", 0, 1 },
    { "vcpus", 0, 1 },
    { "os", 1, 1 },          { "features", 0, 1 },      { "cpu", 0, 1 },
    { "clock", 0, 1 },       { "on_poweroff", 0, 1 },   { "on_reboot", 0, 1 },
    { "on_crash", 0, 1 },    { "pm", 0, 1 },            { "devices", 0, 1 },
    { "cputune", 0, 1 },     { "memtune", 0, 1 },       { "blkiotune", 0, 1 },
    { "numatune", 0, 1 },
};

/* ---- memory ---- */

/* Reads a memory size element (<memory unit='MiB'>256</memory>) in KiB,
 * rounding up to a whole KiB. */
static bool
mv_domain_parse_memory(const xmlNode *node, guint64 *ret_kib, GError **error)
{
    return mv_xml_content_scaled(node, "KiB", 1024, MV_DOMAIN_MEMORY_MAX_KIB, "memory", ret_kib,
                                 MV_FROM_DOMAIN, error);
}

/* ---- metadata ---- */

/* Serializes each element child of <metadata> on its own, with the namespace
 * declarations it uses, so the result stands alone (see domain-format.c). */
static char *
mv_domain_parse_metadata(const xmlNode *node)
{
    GString *out = NULL;

    for (const xmlNode *child = node->children; child; child = child->next) {
        g_autoptr(xmlDoc) doc = NULL;
        xmlBuffer *buf;
        xmlNode *copy;

        if (child->type != XML_ELEMENT_NODE)
            continue;
        doc = xmlNewDoc((const xmlChar *)"1.0");
        /* Copying into a new document declares the namespaces inherited from
         * ancestors on the copy itself. */
        copy = xmlDocCopyNode((xmlNode *)child, doc, 1);
        if (!doc || !copy || !(buf = xmlBufferCreate()))
            g_error("Cannot allocate XML nodes");
        xmlDocSetRootElement(doc, copy);
        xmlReconciliateNs(doc, copy);
        xmlNodeDump(buf, doc, copy, 0, 1);
        if (!out)
            out = g_string_new(NULL);
        g_string_append_len(out, (const char *)xmlBufferContent(buf), xmlBufferLength(buf));
        g_string_append_c(out, '\n');
        xmlBufferFree(buf);
    }
    return out ? g_string_free(out, FALSE) : NULL;
}

/* ---- vcpu, os, features, cpu, clock, pm ---- */

static bool
mv_domain_parse_vcpu(MvDomainDef *def, const xmlNode *node, GError **error)
{
    g_autofree char *path = mv_xml_node_path(node);
    g_autofree char *text = g_strstrip(mv_xml_get_content(node));
    guint64 value;

    if (!mv_xml_parse_uint(text, 16384, &value) || value == 0)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL,
                            "%s: invalid vCPU count '%s': expected 1 to 16384", path, text);
    def->vcpus = (unsigned int)value;
    def->vcpus_current = def->vcpus;
    if (!mv_domain_uint_prop(node, "current", 16384, &def->vcpus_current, error))
        return false;
    if (def->vcpus_current == 0 || def->vcpus_current > def->vcpus)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                            "%s: the current vCPU count %u must be between 1 and the maximum %u",
                            path, def->vcpus_current, def->vcpus);
    return true;
}

/* An element's text with blanks stripped; NULL when there is none. */
static char *
mv_domain_parse_path_content(const xmlNode *node)
{
    g_autofree char *text = mv_xml_get_content(node);

    if (!text || !*g_strstrip(text))
        return NULL;
    return g_steal_pointer(&text);
}

/* <os><firmware><feature enabled='yes|no' name='…'/>…: the features asked of
 * an autoselected firmware (daemons/qemu/qemu-firmware.c). */
static bool
mv_domain_parse_firmware(MvDomainOsDef *os, const xmlNode *node, GError **error)
{
    for (const xmlNode *child = node->children; child; child = child->next) {
        g_autofree char *enabled = NULL;
        MvDomainFirmwareFeature *f;

        if (!mv_xml_node_is(child, "feature"))
            continue;
        enabled = mv_xml_get_prop(child, "enabled");
        for (size_t i = 0; i < os->nfirmware_features; i++) {
            g_autofree char *name = mv_xml_get_prop(child, "name");

            if (g_strcmp0(name, os->firmware_features[i].name) == 0)
                return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL, child,
                                       "firmware feature '%s' is given twice", name);
        }
        os->firmware_features = g_renew(MvDomainFirmwareFeature, os->firmware_features,
                                        os->nfirmware_features + 1);
        f = &os->firmware_features[os->nfirmware_features++];
        f->name = mv_xml_get_prop(child, "name");
        f->enabled = g_strcmp0(enabled, "yes") == 0;
    }
    return true;
}

static bool
mv_domain_parse_os(MvDomainOsDef *os, const xmlNode *node, GError **error)
{
    for (const xmlNode *child = node->children; child; child = child->next) {
        if (mv_xml_node_is(child, "type")) {
            os->type = g_strstrip(mv_xml_get_content(child));
            os->arch = mv_xml_get_prop(child, "arch");
            os->machine = mv_xml_get_prop(child, "machine");
        } else if (mv_xml_node_is(child, "boot")) {
            int value = -1;

            if (!mv_xml_prop_enum(child, "dev", mv_domain_boot_dev_from_string, "boot device",
                                  &value, MV_FROM_DOMAIN, error))
                return false;
            if (value < 0)
                return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL, child,
                                       "the boot device is missing");
            os->boot = g_renew(MvDomainBootDev, os->boot, os->nboot + 1);
            os->boot[os->nboot++] = value;
        } else if (mv_xml_node_is(child, "bootmenu")) {
            g_autofree char *enable = mv_xml_get_prop(child, "enable");

            os->bootmenu = g_strcmp0(enable, "yes") == 0;
        } else if (mv_xml_node_is(child, "kernel")) {
            os->kernel = mv_xml_get_content(child);
        } else if (mv_xml_node_is(child, "initrd")) {
            os->initrd = mv_xml_get_content(child);
        } else if (mv_xml_node_is(child, "cmdline")) {
            os->cmdline = mv_xml_get_content(child);
        } else if (mv_xml_node_is(child, "loader")) {
            g_autofree char *readonly = mv_xml_get_prop(child, "readonly");
            g_autofree char *secure = mv_xml_get_prop(child, "secure");

            os->loader = mv_domain_parse_path_content(child);
            os->loader_readonly = g_strcmp0(readonly, "yes") == 0;
            os->loader_type = mv_xml_get_prop(child, "type");
            if (secure)
                os->loader_secure = g_str_equal(secure, "yes");
        } else if (mv_xml_node_is(child, "nvram")) {
            os->nvram = mv_domain_parse_path_content(child);
            os->nvram_template = mv_xml_get_prop(child, "template");
        } else if (mv_xml_node_is(child, "firmware")) {
            if (!mv_domain_parse_firmware(os, child, error))
                return false;
        }
    }
    os->firmware = mv_xml_get_prop(node, "firmware");
    if ((os->initrd || os->cmdline) && !os->kernel) {
        g_autofree char *path = mv_xml_node_path(node);

        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                            "%s: <initrd> and <cmdline> need a <kernel>", path);
    }
    return true;
}

/* the schema allows only state='on' | 'off' */
static bool
mv_domain_vmport_off(const xmlNode *node)
{
    g_autofree char *state = mv_xml_get_prop(node, "state");

    return g_strcmp0(state, "off") == 0;
}

/* state='on' -> 1, 'off' -> 2 (the schema allows only these) */
static int
mv_domain_hyperv_state(const xmlNode *node)
{
    g_autofree char *state = node ? mv_xml_get_prop(node, "state") : NULL;

    return !state ? 0 : strcmp(state, "on") == 0 ? 1 : 2;
}

static bool
mv_domain_parse_hyperv(MvDomainHypervDef *hv, const xmlNode *node, GError **error)
{
    const xmlNode *spinlocks = mv_xml_get_child(node, "spinlocks");

    hv->present = true;
    hv->relaxed = mv_domain_hyperv_state(mv_xml_get_child(node, "relaxed"));
    hv->vapic = mv_domain_hyperv_state(mv_xml_get_child(node, "vapic"));
    hv->spinlocks = mv_domain_hyperv_state(spinlocks);
    if (spinlocks && !mv_domain_uint_prop(spinlocks, "retries", G_MAXUINT,
                                          &hv->spinlock_retries, error))
        return false;
    if (hv->spinlocks == 1 && hv->spinlock_retries && hv->spinlock_retries < 4095)
        return mv_xml_error_at(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL, spinlocks,
                               "spinlocks retries must be at least 4095, not %u",
                               hv->spinlock_retries);
    return true;
}

static void
mv_domain_parse_features(MvDomainDef *def, const xmlNode *node)
{
    for (const xmlNode *child = node->children; child; child = child->next) {
        if (mv_xml_node_is(child, "acpi"))
            def->features |= MV_DOMAIN_FEATURE_ACPI;
        else if (mv_xml_node_is(child, "apic"))
            def->features |= MV_DOMAIN_FEATURE_APIC;
        else if (mv_xml_node_is(child, "pae"))
            def->features |= MV_DOMAIN_FEATURE_PAE;
        else if (mv_xml_node_is(child, "vmport"))
            def->features |= mv_domain_vmport_off(child) ? MV_DOMAIN_FEATURE_VMPORT_OFF
                                                         : MV_DOMAIN_FEATURE_VMPORT_ON;
    }
}

static bool
mv_domain_parse_cpu(MvDomainCpuDef *cpu, const xmlNode *node, GError **error)
{
    g_autofree char *path = mv_xml_node_path(node);
    const xmlNode *topology = mv_xml_get_child(node, "topology");
    int value = MV_DOMAIN_CPU_MODE_CUSTOM;

    if (!mv_xml_prop_enum(node, "mode", mv_domain_cpu_mode_from_string, "CPU mode", &value,
                          MV_FROM_DOMAIN, error))
        return false;
    cpu->mode = value;
    cpu->match = mv_xml_get_prop(node, "match");
    cpu->check = mv_xml_get_prop(node, "check");
    if (cpu->match && cpu->mode != MV_DOMAIN_CPU_MODE_CUSTOM)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                            "%s: match='%s' is only valid with mode='custom'", path, cpu->match);

    for (const xmlNode *child = node->children; child; child = child->next) {
        if (mv_xml_node_is(child, "model")) {
            cpu->model = g_strstrip(mv_xml_get_content(child));
            cpu->model_fallback = mv_xml_get_prop(child, "fallback");
        } else if (mv_xml_node_is(child, "feature")) {
            MvDomainCpuFeature *feature;

            cpu->features = g_renew(MvDomainCpuFeature, cpu->features, cpu->nfeatures + 1);
            feature = &cpu->features[cpu->nfeatures++];
            feature->name = mv_xml_get_prop(child, "name");
            feature->policy = mv_xml_get_prop(child, "policy");
            if (!feature->policy)
                feature->policy = g_strdup("require");
            for (size_t i = 0; i + 1 < cpu->nfeatures; i++) {
                if (strcmp(cpu->features[i].name, feature->name) == 0)
                    return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                                        "%s: CPU feature '%s' is listed more than once", path,
                                        feature->name);
            }
        }
    }
    if (cpu->model && cpu->mode != MV_DOMAIN_CPU_MODE_CUSTOM)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                            "%s: a CPU <model> is only valid with mode='custom'", path);
    if (cpu->model && !cpu->match)
        cpu->match = g_strdup("exact");

    if (topology) {
        g_autofree char *dies = mv_xml_get_prop(topology, "dies");

        if (!mv_domain_uint_prop(topology, "sockets", G_MAXUINT16, &cpu->sockets, error) ||
            !mv_domain_uint_prop(topology, "dies", G_MAXUINT16, &cpu->dies, error) ||
            !mv_domain_uint_prop(topology, "cores", G_MAXUINT16, &cpu->cores, error) ||
            !mv_domain_uint_prop(topology, "threads", G_MAXUINT16, &cpu->threads, error))
            return false;
        if (!cpu->sockets || !cpu->cores || !cpu->threads ||
            (dies && !cpu->dies)) {
            g_autofree char *tpath = mv_xml_node_path(topology);

            return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL,
                                "%s: sockets, dies, cores and threads must be at least 1", tpath);
        }
    }
    return true;
}

static bool
mv_domain_parse_clock(MvDomainClockDef *clock, const xmlNode *node, GError **error)
{
    clock->offset = mv_xml_get_prop(node, "offset");
    for (const xmlNode *child = node->children; child; child = child->next) {
        MvDomainTimerDef *timer;

        if (!mv_xml_node_is(child, "timer"))
            continue;
        clock->timers = g_renew(MvDomainTimerDef, clock->timers, clock->ntimers + 1);
        timer = &clock->timers[clock->ntimers++];
        timer->name = mv_xml_get_prop(child, "name");
        timer->tickpolicy = mv_xml_get_prop(child, "tickpolicy");
        timer->present = -1;
        if (!mv_xml_prop_bool(child, "present", &timer->present, MV_FROM_DOMAIN, error))
            return false;
        for (size_t i = 0; i + 1 < clock->ntimers; i++) {
            if (strcmp(clock->timers[i].name, timer->name) == 0) {
                g_autofree char *path = mv_xml_node_path(child);

                return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                                    "%s: timer '%s' is configured more than once", path,
                                    timer->name);
            }
        }
    }
    return true;
}

/* <suspend-to-mem enabled='yes'/>: -1 when absent. */
static bool
mv_domain_parse_yes_no(const xmlNode *node, int *ret, GError **error)
{
    *ret = -1;
    return !node || mv_xml_prop_bool(node, "enabled", ret, MV_FROM_DOMAIN, error);
}

static bool
mv_domain_parse_lifecycle(const xmlNode *node, MvDomainLifecycleAction *ret, GError **error)
{
    g_autofree char *text = g_strstrip(mv_xml_get_content(node));
    int value = mv_domain_lifecycle_action_from_string(text);

    if (value < 0) {
        g_autofree char *path = mv_xml_node_path(node);

        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL,
                            "%s: unknown action '%s'", path, text);
    }
    *ret = value;
    return true;
}

/* ---- cross checks ---- */

static bool
mv_domain_def_check_memory(const MvDomainDef *def, GError **error)
{
    if (def->memory == 0)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                            "/domain/memory: the memory size must be greater than zero");
    if (def->current_memory > def->memory)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                            "/domain/currentMemory: the current memory (%" G_GUINT64_FORMAT
                            " KiB) must not exceed the memory size (%" G_GUINT64_FORMAT " KiB)",
                            def->current_memory, def->memory);
    if (def->max_memory && def->max_memory < def->memory)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                            "/domain/maxMemory: the maximum memory (%" G_GUINT64_FORMAT
                            " KiB) must be at least the memory size (%" G_GUINT64_FORMAT " KiB)",
                            def->max_memory, def->memory);
    return true;
}

static bool
mv_domain_def_check_cpu(const MvDomainDef *def, GError **error)
{
    const MvDomainCpuDef *cpu = &def->cpu;
    guint64 total;

    if (!cpu->sockets)
        return true;
    total = (guint64)cpu->sockets * (cpu->dies ? cpu->dies : 1) * cpu->cores * cpu->threads;
    if (total != def->vcpus)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                            "/domain/cpu/topology: the topology gives %" G_GUINT64_FORMAT
                            " vCPUs but <vcpu> is %u: they must match",
                            total, def->vcpus);
    return true;
}

/* Per-device boot order: unique, and not together with <os><boot dev>. */
static bool
mv_domain_def_check_boot(const MvDomainDef *def, GError **error)
{
    g_autoptr(GHashTable) orders = g_hash_table_new(g_direct_hash, g_direct_equal);
    size_t n = def->ndisks + def->nnets;

    for (size_t i = 0; i < n; i++) {
        unsigned int order = i < def->ndisks ? def->disks[i]->boot_order
                                             : def->nets[i - def->ndisks]->boot_order;

        if (!order)
            continue;
        if (def->os.nboot)
            return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                                "/domain/devices: per-device <boot order> cannot be combined "
                                "with <os><boot dev>: use one or the other");
        if (!g_hash_table_add(orders, GUINT_TO_POINTER(order)))
            return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                                "/domain/devices: boot order %u is used by more than one device",
                                order);
    }
    return true;
}

/* ---- entry points ---- */

static bool
mv_domain_def_parse_node(MvDomainDef *def, const xmlNode *root, unsigned int flags,
                         GError **error)
{
    g_autofree char *virt_type = mv_xml_get_prop(root, "type");
    const xmlNode *uuid = mv_xml_get_child(root, "uuid");
    const xmlNode *node;
    int value;

    if (!mv_domain_check_children(root, mv_domain_rules, error))
        return false;

    if ((value = mv_domain_virt_type_from_string(virt_type)) < 0)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL,
                            "/domain: unknown domain type '%s'", virt_type);
    def->virt_type = value;

    def->name = mv_xml_get_content(mv_xml_get_child(root, "name"));
    if (!*def->name)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL,
                            "/domain/name: the domain name must not be empty");
    if (strchr(def->name, '/'))
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL,
                            "/domain/name: the domain name '%s' must not contain '/'", def->name);
    for (const char *c = def->name; *c; c++) {
        /* The name is part of file names and of log lines: no newline, no tab. */
        if (g_ascii_iscntrl(*c))
            return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL,
                                "/domain/name: the domain name must not contain control "
                                "characters (found 0x%02x at offset %zu)",
                                (unsigned int)(guchar)*c, (size_t)(c - def->name));
    }

    if (uuid) {
        g_autofree char *text = g_strstrip(mv_xml_get_content(uuid));

        if (!mv_uuid_parse(text, def->uuid, NULL))
            return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL,
                                "/domain/uuid: malformed UUID '%s': expected 32 hexadecimal "
                                "digits, optionally in 8-4-4-4-12 groups", text);
    } else {
        mv_uuid_generate(def->uuid);
    }

    def->title = mv_xml_get_content(mv_xml_get_child(root, "title"));
    if (def->title && strchr(def->title, '\n'))
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_DETAIL,
                            "/domain/title: the title must be a single line");
    def->description = mv_xml_get_content(mv_xml_get_child(root, "description"));
    if ((node = mv_xml_get_child(root, "metadata")))
        def->metadata = mv_domain_parse_metadata(node);

    if (!mv_domain_parse_memory(mv_xml_get_child(root, "memory"), &def->memory, error))
        return false;
    def->current_memory = def->memory;
    if ((node = mv_xml_get_child(root, "currentMemory")) &&
        !mv_domain_parse_memory(node, &def->current_memory, error))
        return false;
    if ((node = mv_xml_get_child(root, "maxMemory")) &&
        (!mv_domain_parse_memory(node, &def->max_memory, error) ||
         !mv_domain_uint_prop(node, "slots", 255, &def->max_memory_slots, error)))
        return false;
    if (!mv_domain_def_check_memory(def, error))
        return false;

    def->vcpus = def->vcpus_current = 1;
    if ((node = mv_xml_get_child(root, "vcpu")) && !mv_domain_parse_vcpu(def, node, error))
        return false;
    if ((node = mv_xml_get_child(root, "vcpus")) && !mv_domain_vcpus_parse(def, node, error))
        return false;
    if (!mv_domain_tune_parse(root, def->vcpus, &def->tune, error))
        return false;

    if (!mv_domain_parse_os(&def->os, mv_xml_get_child(root, "os"), error))
        return false;
    if ((node = mv_xml_get_child(root, "features"))) {
        const xmlNode *hyperv = mv_xml_get_child(node, "hyperv");

        mv_domain_parse_features(def, node);
        if (hyperv && !mv_domain_parse_hyperv(&def->hyperv, hyperv, error))
            return false;
    }
    if ((node = mv_xml_get_child(root, "cpu")) && !mv_domain_parse_cpu(&def->cpu, node, error))
        return false;
    if ((node = mv_xml_get_child(root, "clock")) &&
        !mv_domain_parse_clock(&def->clock, node, error))
        return false;

    def->on_poweroff = MV_DOMAIN_LIFECYCLE_DESTROY;
    def->on_reboot = MV_DOMAIN_LIFECYCLE_RESTART;
    def->on_crash = MV_DOMAIN_LIFECYCLE_DESTROY;
    if (((node = mv_xml_get_child(root, "on_poweroff")) &&
         !mv_domain_parse_lifecycle(node, &def->on_poweroff, error)) ||
        ((node = mv_xml_get_child(root, "on_reboot")) &&
         !mv_domain_parse_lifecycle(node, &def->on_reboot, error)) ||
        ((node = mv_xml_get_child(root, "on_crash")) &&
         !mv_domain_parse_lifecycle(node, &def->on_crash, error)))
        return false;

    node = mv_xml_get_child(root, "pm");
    if (!mv_domain_parse_yes_no(mv_xml_get_child(node, "suspend-to-mem"),
                                &def->pm_suspend_to_mem, error) ||
        !mv_domain_parse_yes_no(mv_xml_get_child(node, "suspend-to-disk"),
                                &def->pm_suspend_to_disk, error))
        return false;

    if ((node = mv_xml_get_child(root, "devices")) &&
        !mv_domain_def_parse_devices(def, node, flags, error))
        return false;

    if (!mv_domain_iothreads_parse(root, &def->iothreads, error))
        return false;
    for (size_t i = 0; i < def->ndisks; i++) {
        if (!mv_domain_iothreads_check_disk(def->iothreads, def->disks[i]->iothread,
                                            def->disks[i]->target_dev, error))
            return false;
    }

    return mv_domain_def_check_cpu(def, error) && mv_domain_def_check_boot(def, error);
}

MvDomainDef *
mv_domain_def_parse_string(const char *xml, unsigned int flags, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(MvDomainDef) def = NULL;
    g_autofree char *type = NULL;
    xmlNode *root;

    if (!(doc = mv_xml_parse_string(xml, NULL, error)))
        return NULL;
    /* libxml2 blames the first child for a bad attribute of the root: say it first. */
    root = xmlDocGetRootElement(doc);
    type = mv_xml_node_is(root, "domain") ? mv_xml_get_prop(root, "type") : NULL;
    if (type && !g_str_equal(type, "kvm") && !g_str_equal(type, "qemu")) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                     "XML document failed to validate against schema: /domain/@type: "
                     "unsupported domain type '%s' (use 'kvm' or 'qemu')", type);
        return NULL;
    }
    if (!mv_xml_validate_kind(doc, "domain", error)) {
        mv_domain_explain_refusal(root, error);
        return NULL;
    }
    def = g_new0(MvDomainDef, 1);
    def->os.loader_secure = -1;
    if (!mv_domain_def_parse_node(def, xmlDocGetRootElement(doc), flags, error))
        return NULL;
    return g_steal_pointer(&def);
}

MvDomainDeviceDef *
mv_domain_device_def_parse_string(const char *xml, unsigned int flags, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(MvDomainDeviceDef) dev = NULL;
    xmlNode *root;

    if (!(doc = mv_xml_parse_string(xml, NULL, error)))
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (!mv_xml_node_is(root, "disk") && !mv_xml_node_is(root, "interface") &&
        !mv_xml_node_is(root, "memory")) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_OPERATION_UNSUPPORTED,
                     "/%s: device <%s> cannot be attached, detached or updated: only <disk>, "
                     "<interface> and <memory> are supported",
                     (const char *)root->name, (const char *)root->name);
        return NULL;
    }
    if (!mv_xml_validate_kind(doc, "domain-device", error))
        return NULL;

    dev = g_new0(MvDomainDeviceDef, 1);
    if (mv_xml_node_is(root, "disk")) {
        dev->type = MV_DOMAIN_DEVICE_DISK;
        dev->data.disk = mv_domain_disk_def_parse_node(root, flags, error);
        if (!dev->data.disk)
            return NULL;
    } else if (mv_xml_node_is(root, "memory")) {
        dev->type = MV_DOMAIN_DEVICE_MEMORY;
        dev->data.memdev = mv_domain_memdev_def_parse_node(root, flags, error);
        if (!dev->data.memdev)
            return NULL;
    } else {
        dev->type = MV_DOMAIN_DEVICE_NET;
        dev->data.net = mv_domain_net_def_parse_node(root, flags, error);
        if (!dev->data.net)
            return NULL;
    }
    return g_steal_pointer(&dev);
}
