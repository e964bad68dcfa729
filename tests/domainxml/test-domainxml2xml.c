/* Domain XML golden tests: domainxml2xml/<case>.xml parses and formats to
 * <case>[.<variant>].expected.xml, and that output is a fixed point; each
 * invalid/<case>.xml fails with the message in <case>.err.
 * MV_TEST_REGENERATE=1 rewrites the expectations (review the diff). */
#include <string.h>

#include "conf/domain-conf.h"
#include "domainxml-test.h"
#include "util/error.h"
#include "util/xml.h"

#define STATUS MV_DOMAIN_DEF_PARSE_STATUS
#define SECURE MV_DOMAIN_DEF_FORMAT_SECURE
#define INACTIVE MV_DOMAIN_DEF_FORMAT_INACTIVE

typedef struct {
    const char *name;           /* domainxml2xml/<name>.xml */
    const char *variant;        /* expected file <name>.<variant>.expected.xml, or NULL */
    unsigned int parse_flags;
    unsigned int format_flags;
    int id;                     /* running id passed to the formatter */
} MvXml2XmlCase;

static const MvXml2XmlCase xml2xml_cases[] = {
    { "minimal", NULL, 0, 0, -1 },
    { "q35-full", NULL, 0, 0, -1 },
    { "kernel-boot", NULL, 0, 0, -1 },
    { "memory-units", NULL, 0, 0, -1 },
    { "memory-units-small", NULL, 0, 0, -1 },
    { "cpu-host-passthrough", NULL, 0, 0, -1 },
    { "cpu-host-model", NULL, 0, 0, -1 },
    { "cpu-custom", NULL, 0, 0, -1 },
    { "clock-timers", NULL, 0, 0, -1 },
    { "lifecycle-pm", NULL, 0, 0, -1 },
    { "metadata", NULL, 0, 0, -1 },
    { "title-description", NULL, 0, 0, -1 },
    { "uuid-hex32", NULL, 0, 0, -1 },
    { "live-status", NULL, STATUS, 0, 3 },
    { "live-status", "inactive", STATUS, INACTIVE, 3 },
    { "live-status", "config", 0, 0, -1 },
    { "boot-order", NULL, 0, 0, -1 },
    { "uefi-loader", NULL, 0, 0, -1 },
    { "chardevs", NULL, 0, 0, -1 },
    /* the agent channel's live state: kept from a status file, dropped from a config */
    { "agent-channel", NULL, STATUS, 0, 4 },
    { "agent-channel", "inactive", STATUS, INACTIVE, 4 },
    { "agent-channel", "config", 0, 0, -1 },
    { "graphics-spice", NULL, 0, 0, -1 },
    { "graphics-spice", "secure", 0, SECURE, -1 },
    { "vcpu-current", NULL, 0, 0, -1 },
    { "vcpus-list", NULL, 0, 0, -1 },
    { "memory-dimm", NULL, 0, 0, -1 },
    { "defaults", NULL, 0, 0, -1 },
    { "interfaces", "status", STATUS, 0, 7 },
    { "interfaces", "inactive", STATUS, INACTIVE, 7 },
    { "interfaces", NULL, 0, 0, -1 },
    { "disk-volume", NULL, 0, 0, -1 },
    { "disk-volume", "status", STATUS, 0, 2 },
    { "firmware-efi-features", NULL, 0, 0, -1 },
    { "tpm-default-model", NULL, 0, 0, -1 },
    { "usb-companions", NULL, 0, 0, -1 },
    { "vmport-off", NULL, 0, 0, -1 },
    { "virtinst-spice", NULL, 0, 0, -1 },
    { "hyperv-win", NULL, 0, 0, -1 },
    { "disk-usb-floppy", NULL, 0, 0, -1 },
    { "tune", NULL, 0, 0, -1 },
    { "iothreads", NULL, 0, 0, -1 },
    { "iothreads-plain", NULL, 0, 0, -1 },
    { "console-added", NULL, 0, 0, -1 },
};

static void
test_xml2xml(gconstpointer data)
{
    const MvXml2XmlCase *tc = data;
    g_autofree char *file = g_strdup_printf("domainxml2xml/%s.xml", tc->name);
    g_autofree char *in_path = mv_test_data_path(file);
    g_autofree char *out_file = mv_test_golden_name("domainxml2xml/", tc->name, tc->variant);
    g_autofree char *out_path = mv_test_data_path(out_file);
    g_autofree char *xml = mv_test_read(in_path);
    g_autoptr(GError) error = NULL;
    g_autoptr(MvDomainDef) def = NULL;
    g_autoptr(MvDomainDef) again = NULL;
    g_autoptr(MvDomainDef) copy = NULL;
    g_autofree char *out = NULL;
    g_autofree char *out2 = NULL;
    g_autofree char *out_copy = NULL;
    unsigned int reparse_flags = tc->parse_flags;

    def = mv_domain_def_parse_string(xml, tc->parse_flags, &error);
    g_assert_no_error(error);
    g_assert_nonnull(def);
    out = mv_domain_def_format(def, tc->id, tc->format_flags);
    mv_test_compare_golden(out_path, out);

    /* Fixed point: what we format parses back to the same document. */
    if (tc->format_flags & INACTIVE)
        reparse_flags &= ~STATUS;
    again = mv_domain_def_parse_string(out, reparse_flags, &error);
    g_assert_no_error(error);
    out2 = mv_domain_def_format(again, tc->id, tc->format_flags);
    g_assert_cmpstr(out2, ==, out);

    /* A deep copy formats identically. */
    copy = mv_domain_def_copy(def);
    g_clear_pointer(&def, mv_domain_def_free);
    out_copy = mv_domain_def_format(copy, tc->id, tc->format_flags);
    g_assert_cmpstr(out_copy, ==, out);
}

/* The case whose expected file is @file, or NULL. */
static const MvXml2XmlCase *
mv_test_case_for_golden(const char *file)
{
    for (size_t i = 0; i < G_N_ELEMENTS(xml2xml_cases); i++) {
        const MvXml2XmlCase *tc = &xml2xml_cases[i];
        g_autofree char *name = mv_test_golden_name("", tc->name, tc->variant);

        if (strcmp(name, file) == 0)
            return tc;
    }
    return NULL;
}

/* Every file in domainxml2xml/ belongs to a case; every golden output is
 * valid by schemas/domain.rng and parses back to exactly its own text. */
static void
test_goldens(void)
{
    g_autofree char *dir_path = mv_test_data_path("domainxml2xml");
    g_autofree char *schema = mv_xml_schema_path("domain.rng");
    g_autoptr(GError) error = NULL;
    g_autoptr(GDir) dir = g_dir_open(dir_path, 0, &error);
    unsigned int goldens = 0;
    const char *file;

    g_assert_no_error(error);
    while ((file = g_dir_read_name(dir))) {
        g_autofree char *path = g_build_filename(dir_path, file, NULL);
        g_autofree char *text = NULL;
        g_autoptr(xmlDoc) doc = NULL;
        g_autoptr(MvDomainDef) def = NULL;
        g_autofree char *out = NULL;
        const MvXml2XmlCase *tc;
        unsigned int parse_flags;

        if (!g_str_has_suffix(file, ".expected.xml")) {
            bool listed = false;

            for (size_t i = 0; i < G_N_ELEMENTS(xml2xml_cases); i++) {
                g_autofree char *name = g_strdup_printf("%s.xml", xml2xml_cases[i].name);

                listed |= strcmp(name, file) == 0;
            }
            if (!listed)
                g_error("%s is not listed in xml2xml_cases", path);
            continue;
        }
        if (!(tc = mv_test_case_for_golden(file)))
            g_error("%s is not the expected output of any case in xml2xml_cases", path);
        text = mv_test_read(path);
        doc = mv_xml_parse_string(text, NULL, &error);
        g_assert_no_error(error);
        if (!mv_xml_validate(doc, schema, &error))
            g_error("%s is not valid by %s: %s", path, schema, error->message);
        parse_flags = tc->parse_flags;
        if (tc->format_flags & INACTIVE)
            parse_flags &= ~STATUS;
        def = mv_domain_def_parse_string(text, parse_flags, &error);
        if (!def)
            g_error("%s does not parse back: %s", path, error->message);
        out = mv_domain_def_format(def, tc->id, tc->format_flags);
        if (strcmp(out, text) != 0)
            g_error("%s does not parse back to the same text; got:\n%s", path, out);
        goldens++;
    }
    g_assert_cmpuint(goldens, ==, G_N_ELEMENTS(xml2xml_cases));
}

static const MvInvalidCase invalid_cases[] = {
    { "unknown-element", MV_ERR_XML_ERROR },
    { "unknown-attribute", MV_ERR_XML_ERROR },
    { "bad-memory-unit", MV_ERR_XML_ERROR },
    { "bad-memory-value", MV_ERR_XML_ERROR },
    { "memory-overflow", MV_ERR_XML_DETAIL },
    { "bad-uuid", MV_ERR_XML_DETAIL },
    { "missing-name", MV_ERR_XML_ERROR },
    { "duplicate-name", MV_ERR_XML_ERROR },
    { "name-slash", MV_ERR_XML_DETAIL },
    { "name-empty", MV_ERR_XML_DETAIL },
    { "domain-type-xen", MV_ERR_XML_ERROR },
    { "current-memory-exceeds", MV_ERR_CONFIG_UNSUPPORTED },
    { "vcpu-current-exceeds", MV_ERR_CONFIG_UNSUPPORTED },
    { "cpu-topology-mismatch", MV_ERR_CONFIG_UNSUPPORTED },
    { "feature-vmport", MV_ERR_XML_ERROR },
    { "duplicate-disk-target", MV_ERR_CONFIG_UNSUPPORTED },
    { "disk-no-source", MV_ERR_CONFIG_UNSUPPORTED },
    { "cdrom-virtio", MV_ERR_CONFIG_UNSUPPORTED },
    { "interface-vhostuser", MV_ERR_XML_ERROR },
    { "interface-multicast-mac", MV_ERR_INVALID_MAC },
    { "interface-network-no-source", MV_ERR_XML_DETAIL },
    { "hostdev", MV_ERR_XML_ERROR },
    { "memory-backing-virtiofs", MV_ERR_XML_ERROR },
    { "duplicate-controller-index", MV_ERR_CONFIG_UNSUPPORTED },
    { "two-memballoons", MV_ERR_XML_ERROR },
    { "boot-dev-and-order", MV_ERR_CONFIG_UNSUPPORTED },
    { "pci-slot-range", MV_ERR_XML_DETAIL },
    { "graphics-listen-mismatch", MV_ERR_XML_DETAIL },
    { "malformed", MV_ERR_XML_ERROR },
    { "name-newline", MV_ERR_XML_DETAIL },
    { "tune-vcpupin-range", MV_ERR_XML_DETAIL },
    { "tune-vcpupin-twice", MV_ERR_XML_DETAIL },
    { "tune-cpuset-empty", MV_ERR_XML_DETAIL },
    { "tune-shares-range", MV_ERR_XML_DETAIL },
    { "tune-quota-small", MV_ERR_XML_DETAIL },
    { "tune-period-range", MV_ERR_XML_DETAIL },
    { "tune-swap-below-hard", MV_ERR_XML_DETAIL },
    { "tune-blkio-weight", MV_ERR_XML_DETAIL },
    { "tune-blkio-device-twice", MV_ERR_XML_DETAIL },
    { "tune-numatune-memnode", MV_ERR_XML_ERROR },
    { "iotune-total-and-read", MV_ERR_CONFIG_UNSUPPORTED },
    { "iotune-max-without-base", MV_ERR_CONFIG_UNSUPPORTED },
    { "interface-bandwidth-floor", MV_ERR_CONFIG_UNSUPPORTED },
    { "name-control", MV_ERR_XML_DETAIL },
    { "boot-order-duplicate", MV_ERR_CONFIG_UNSUPPORTED },
    { "boot-order-duplicate-net", MV_ERR_CONFIG_UNSUPPORTED },
    { "boot-order-zero", MV_ERR_XML_DETAIL },
    { "vcpu-zero", MV_ERR_XML_DETAIL },
    { "vcpu-too-many", MV_ERR_XML_DETAIL },
    { "initrd-no-kernel", MV_ERR_CONFIG_UNSUPPORTED },
    { "cpu-match-not-custom", MV_ERR_CONFIG_UNSUPPORTED },
    { "cpu-feature-duplicate", MV_ERR_CONFIG_UNSUPPORTED },
    { "cpu-model-not-custom", MV_ERR_CONFIG_UNSUPPORTED },
    { "cpu-topology-zero", MV_ERR_XML_DETAIL },
    { "clock-timer-duplicate", MV_ERR_CONFIG_UNSUPPORTED },
    { "memory-zero", MV_ERR_CONFIG_UNSUPPORTED },
    { "max-memory-below", MV_ERR_CONFIG_UNSUPPORTED },
    { "title-multiline", MV_ERR_XML_DETAIL },
    { "disk-file-with-dev", MV_ERR_XML_DETAIL },
    { "disk-block-with-file", MV_ERR_XML_DETAIL },
    { "disk-address-mismatch", MV_ERR_CONFIG_UNSUPPORTED },
    { "interface-bridge-no-source", MV_ERR_XML_DETAIL },
    { "interface-user-source", MV_ERR_XML_DETAIL },
    { "interface-bad-mac", MV_ERR_XML_ERROR },
    { "controller-root-index", MV_ERR_CONFIG_UNSUPPORTED },
    { "controller-root-address", MV_ERR_CONFIG_UNSUPPORTED },
    { "serial-unix-no-path", MV_ERR_XML_DETAIL },
    { "serial-file-no-path", MV_ERR_XML_DETAIL },
    { "serial-null-source", MV_ERR_XML_DETAIL },
    { "serial-mode-not-unix", MV_ERR_XML_DETAIL },
    { "input-tablet-ps2", MV_ERR_CONFIG_UNSUPPORTED },
    { "graphics-bad-port", MV_ERR_XML_DETAIL },
    { "graphics-duplicate-type", MV_ERR_CONFIG_UNSUPPORTED },
    { "video-two-primary", MV_ERR_CONFIG_UNSUPPORTED },
    { "memballoon-none-stats", MV_ERR_CONFIG_UNSUPPORTED },
    { "watchdog-address-not-pci", MV_ERR_CONFIG_UNSUPPORTED },
    { "alias-duplicate", MV_ERR_CONFIG_UNSUPPORTED },
    { "memory-dimm-no-maxmemory", MV_ERR_XML_DETAIL },
    { "memory-dimm-too-many", MV_ERR_XML_DETAIL },
    { "memory-dimm-no-boot-memory", MV_ERR_XML_DETAIL },
    { "memory-dimm-slot-twice", MV_ERR_XML_DETAIL },
    { "memory-dimm-model", MV_ERR_XML_ERROR },
    { "vcpus-missing", MV_ERR_XML_DETAIL },
    { "vcpus-count-mismatch", MV_ERR_XML_DETAIL },
    { "vcpus-disabled-not-hotpluggable", MV_ERR_XML_DETAIL },
    { "vcpus-zero-hotpluggable", MV_ERR_XML_DETAIL },
    { "interface-mtu-small", MV_ERR_CONFIG_UNSUPPORTED },
    { "interface-link-state", MV_ERR_XML_ERROR },
    { "disk-volume-with-file", MV_ERR_XML_DETAIL },
    { "disk-file-with-pool", MV_ERR_XML_DETAIL },
    { "disk-volume-no-pool", MV_ERR_XML_ERROR },
    { "disk-volume-slash", MV_ERR_XML_ERROR },
    { "disk-volume-no-source", MV_ERR_CONFIG_UNSUPPORTED },
    { "tpm-two", MV_ERR_XML_ERROR },
    { "tpm-passthrough", MV_ERR_XML_ERROR },
    { "iothreadids-duplicate", MV_ERR_XML_DETAIL },
    { "iothreadids-exceed", MV_ERR_XML_DETAIL },
    { "iothreadids-zero", MV_ERR_XML_DETAIL },
    { "iothreads-not-a-number", MV_ERR_XML_ERROR },
    { "disk-iothread-missing", MV_ERR_XML_DETAIL },
    { "console-second-serial", MV_ERR_CONFIG_UNSUPPORTED },
    { "seclabel", MV_ERR_XML_ERROR },
    { "sysinfo", MV_ERR_XML_ERROR },
    { "smbios-host", MV_ERR_XML_ERROR },
    { "qemu-commandline", MV_ERR_XML_ERROR },
};

static void *
parse_invalid(const char *xml, const char *name G_GNUC_UNUSED, GError **error)
{
    return mv_domain_def_parse_string(xml, MV_DOMAIN_DEF_PARSE_STATUS, error);
}

static void
test_invalid(gconstpointer data)
{
    static const MvXmlTestOps ops = { .parse = parse_invalid };

    g_error_free(mv_test_invalid_run(&ops, data));
}

/* What the parser generates: a UUID and MAC addresses; then it is stable. */
static void
test_generated(void)
{
    const char *xml =
        "<domain type='kvm'><name>gen</name><memory>65536</memory><os><type>hvm</type></os>"
        "<devices><interface type='user'/><interface type='network'>"
        "<source network='default'/></interface></devices></domain>";
    g_autoptr(GError) error = NULL;
    g_autoptr(MvDomainDef) def = mv_domain_def_parse_string(xml, 0, &error);
    g_autoptr(MvDomainDef) again = NULL;
    g_autofree char *out = NULL;
    g_autofree char *out2 = NULL;

    g_assert_no_error(error);
    g_assert_cmpuint(def->nnets, ==, 2);
    for (size_t i = 0; i < def->nnets; i++) {
        g_assert_cmpuint(def->nets[i]->mac[0], ==, 0x52);
        g_assert_cmpuint(def->nets[i]->mac[1], ==, 0x54);
        g_assert_cmpuint(def->nets[i]->mac[2], ==, 0x00);
        g_assert_cmpint(mv_domain_def_find_net(def, def->nets[i]->mac), ==, (int)i);
    }
    g_assert_cmpuint(def->uuid[6] >> 4, ==, 4);
    g_assert_cmpuint(def->current_memory, ==, 65536);
    g_assert_cmpuint(def->vcpus, ==, 1);
    out = mv_domain_def_format(def, -1, 0);
    again = mv_domain_def_parse_string(out, 0, &error);
    g_assert_no_error(error);
    out2 = mv_domain_def_format(again, -1, 0);
    g_assert_cmpstr(out, ==, out2);
    g_assert_cmpint(mv_domain_def_find_disk(def, "vda"), ==, -1);
}

/* Memory units convert to exact KiB (decimal units round up to a whole KiB). */
typedef struct {
    const char *unit;           /* NULL: no unit attribute (KiB) */
    const char *value;
    guint64 kib;
} MvMemoryUnitCase;

static const MvMemoryUnitCase memory_unit_cases[] = {
    { NULL, "65536", 65536 },
    { "b", "1024", 1 },
    { "bytes", "1025", 2 },
    { "KB", "1", 1 },
    { "KB", "1024", 1000 },
    { "k", "3", 3 },
    { "KiB", "524288", 524288 },
    { "MB", "512", 500000 },
    { "M", "1", 1024 },
    { "MiB", "512", 524288 },
    { "GB", "1", 976563 },
    { "G", "1", 1048576 },
    { "GiB", "2", 2097152 },
    { "TB", "1", G_GUINT64_CONSTANT(976562500) },
    { "T", "1", G_GUINT64_CONSTANT(1073741824) },
    { "TiB", "4", G_GUINT64_CONSTANT(4294967296) },
};

static void
test_memory_units(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(memory_unit_cases); i++) {
        const MvMemoryUnitCase *tc = &memory_unit_cases[i];
        g_autofree char *unit = tc->unit ? g_strdup_printf(" unit='%s'", tc->unit) : g_strdup("");
        /* memory is one TiB above, so currentMemory is never clamped */
        g_autofree char *xml = g_strdup_printf(
            "<domain type='kvm'><name>units</name><memory unit='TiB'>5</memory>"
            "<currentMemory%s>%s</currentMemory><os><type>hvm</type></os></domain>",
            unit, tc->value);
        g_autofree char *mem_xml = g_strdup_printf(
            "<domain type='kvm'><name>units</name><memory%s>%s</memory>"
            "<os><type>hvm</type></os></domain>", unit, tc->value);
        g_autoptr(GError) error = NULL;
        g_autoptr(MvDomainDef) def = mv_domain_def_parse_string(xml, 0, &error);
        g_autoptr(MvDomainDef) mem = NULL;

        g_test_message("%s %s", tc->value, tc->unit ? tc->unit : "(none)");
        g_assert_no_error(error);
        g_assert_cmpuint(def->current_memory, ==, tc->kib);
        g_assert_cmpuint(def->memory, ==, G_GUINT64_CONSTANT(5) * 1024 * 1024 * 1024);
        mem = mv_domain_def_parse_string(mem_xml, 0, &error);
        g_assert_no_error(error);
        g_assert_cmpuint(mem->memory, ==, tc->kib);
        g_assert_cmpuint(mem->current_memory, ==, tc->kib);
    }
}

/* The formatter never emits a password unless asked to. */
static void
test_no_password(void)
{
    g_autofree char *path = mv_test_data_path("domainxml2xml/graphics-spice.xml");
    g_autofree char *xml = mv_test_read(path);
    g_autoptr(GError) error = NULL;
    g_autoptr(MvDomainDef) def = mv_domain_def_parse_string(xml, 0, &error);
    g_autofree char *plain = NULL;
    g_autofree char *inactive = NULL;
    g_autofree char *secure = NULL;

    g_assert_no_error(error);
    g_assert_cmpstr(def->graphics[0]->passwd, ==, "s3cr&t");
    plain = mv_domain_def_format(def, -1, 0);
    inactive = mv_domain_def_format(def, -1, MV_DOMAIN_DEF_FORMAT_INACTIVE);
    secure = mv_domain_def_format(def, -1, MV_DOMAIN_DEF_FORMAT_SECURE);
    g_assert_null(strstr(plain, "passwd"));
    g_assert_null(strstr(inactive, "passwd"));
    g_assert_nonnull(strstr(secure, "passwd='s3cr&amp;t'"));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    mv_test_schema_dir_init();

    for (size_t i = 0; i < G_N_ELEMENTS(xml2xml_cases); i++) {
        const MvXml2XmlCase *tc = &xml2xml_cases[i];
        g_autofree char *name = tc->variant
            ? g_strdup_printf("/domainxml/xml2xml/%s.%s", tc->name, tc->variant)
            : g_strdup_printf("/domainxml/xml2xml/%s", tc->name);

        g_test_add_data_func(name, tc, test_xml2xml);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(invalid_cases); i++) {
        g_autofree char *name = g_strdup_printf("/domainxml/invalid/%s", invalid_cases[i].name);

        g_test_add_data_func(name, &invalid_cases[i], test_invalid);
    }
    g_test_add_func("/domainxml/goldens", test_goldens);
    g_test_add_func("/domainxml/generated", test_generated);
    g_test_add_func("/domainxml/no-password", test_no_password);
    g_test_add_func("/domainxml/memory-units", test_memory_units);
    return g_test_run();
}
