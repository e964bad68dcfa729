/* The capabilities document: a golden file from a fixture host, and the live host.
 * MV_TEST_REGENERATE=1 rewrites the golden file (review the diff). */
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <string.h>
#include <sys/utsname.h>

#include "conf/capabilities.h"
#include "conf/capabilities-priv.h"
#include "conf/node.h"

#define DATA MV_TEST_DATA_DIR

static MvCapsGuest *
fixture_guest(void)
{
    MvCapsGuest *guest = mv_caps_guest_new("hvm", "x86_64", 64, "/usr/bin/qemu-system-x86_64");

    mv_caps_guest_add_machine(guest, "pc-i440fx-7.2", NULL, 255, false);
    mv_caps_guest_add_machine(guest, "pc", "pc-i440fx-7.2", 255, false);
    mv_caps_guest_add_machine(guest, "pc-q35-7.2", NULL, 288, false);
    mv_caps_guest_add_machine(guest, "q35", "pc-q35-7.2", 288, false);
    mv_caps_guest_add_machine(guest, "pc-i440fx-1.4", NULL, 255, true);
    mv_caps_guest_add_machine(guest, "odd<&'>name", NULL, 0, false);
    mv_caps_guest_add_domain_type(guest, "qemu");
    mv_caps_guest_add_domain_type(guest, "kvm");
    mv_caps_guest_add_feature(guest, "acpi", true, true, true);
    mv_caps_guest_add_feature(guest, "apic", true, true, false);
    mv_caps_guest_add_feature(guest, "cpuselection", false, false, false);
    mv_caps_guest_add_feature(guest, "deviceboot", false, false, false);
    mv_caps_guest_add_feature(guest, "disksnapshot", true, true, false);
    return guest;
}

static void
test_golden(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MvCapabilities) caps = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *again = NULL;
    g_autofree char *expect = NULL;
    const char *golden = DATA "/caps-fixture.xml";

    caps = mv_capabilities_new_host_at(DATA "/host-numa", "x86_64", 4, &error);
    g_assert_no_error(error);
    mv_capabilities_add_guest(caps, fixture_guest());
    xml = mv_capabilities_format(caps);
    again = mv_capabilities_format(caps);
    g_assert_cmpstr(xml, ==, again);

    if (g_getenv("MV_TEST_REGENERATE") && g_strcmp0(g_getenv("CI"), "true") == 0)
        g_error("MV_TEST_REGENERATE is set under CI=true: goldens are never rewritten on CI");
    if (g_getenv("MV_TEST_REGENERATE")) {
        g_assert_true(g_file_set_contents(golden, xml, -1, NULL));
        g_test_message("rewrote %s", golden);
    }
    g_assert_true(g_file_get_contents(golden, &expect, NULL, NULL));
    g_assert_cmpstr(xml, ==, expect);
}

static void
test_feature_names(void)
{
    g_autofree char *a = mv_capabilities_cpu_feature_name("tsc_deadline_timer");
    g_autofree char *b = mv_capabilities_cpu_feature_name("lahf_lm");
    g_autofree char *c = mv_capabilities_cpu_feature_name("constant_tsc");
    g_autofree char *d = mv_capabilities_cpu_feature_name("sse4_2");
    g_autofree char *e = mv_capabilities_cpu_feature_name("odd.flag");

    g_assert_cmpstr(a, ==, "tsc-deadline");
    g_assert_cmpstr(b, ==, "lahf_lm");
    g_assert_null(c);
    g_assert_cmpstr(d, ==, "sse4_2");
    g_assert_null(e);
}

static void
test_empty(void)
{
    g_autoptr(MvCapabilities) caps = mv_capabilities_new();
    g_autofree char *xml = mv_capabilities_format(caps);
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "caps.xml", NULL, XML_PARSE_NONET);

    g_assert_nonnull(doc);
    xmlFreeDoc(doc);
    mv_capabilities_free(NULL);
    mv_caps_guest_free(NULL);
}

static char *
xpath_string(xmlXPathContextPtr ctx, const char *expr)
{
    xmlXPathObjectPtr obj = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    xmlChar *s;
    char *ret;

    g_assert_nonnull(obj);
    s = xmlXPathCastToString(obj);
    ret = g_strdup((const char *)s);
    xmlFree(s);
    xmlXPathFreeObject(obj);
    return ret;
}

static long
xpath_number(xmlXPathContextPtr ctx, const char *expr)
{
    g_autofree char *s = xpath_string(ctx, expr);
    return strtol(s, NULL, 10);
}

static void
test_live(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MvCapabilities) caps = mv_capabilities_new_host(&error);
    g_autofree char *xml = NULL;
    g_autofree char *arch = NULL;
    xmlDocPtr doc;
    xmlXPathContextPtr ctx;
    struct utsname uts;
    MvNodeInfo info;

    g_assert_no_error(error);
    g_assert_true(mv_node_get_info(&info, &error));
    xml = mv_capabilities_format(caps);
    doc = xmlReadMemory(xml, (int)strlen(xml), "caps.xml", NULL, XML_PARSE_NONET);
    g_assert_nonnull(doc);
    ctx = xmlXPathNewContext(doc);

    g_assert_cmpint(uname(&uts), ==, 0);
    arch = xpath_string(ctx, "string(/capabilities/host/cpu/arch)");
    g_assert_cmpstr(arch, ==, uts.machine);
    g_assert_cmpint(xpath_number(ctx, "string(string-length(/capabilities/host/uuid))"), ==, 36);
    g_assert_cmpint(
        xpath_number(ctx, "string(count(/capabilities/host/topology/cells/cell/cpus/cpu))"), ==,
        info.cpus);
    g_assert_cmpint(xpath_number(ctx, "string(/capabilities/host/topology/cells/@num)"), >=, 1);
    g_assert_cmpint(xpath_number(ctx, "string(/capabilities/host/cpu/topology/@sockets)"), ==,
                    info.sockets);
    g_assert_cmpint(xpath_number(ctx, "string(/capabilities/host/cpu/topology/@cores)"), ==,
                    info.cores);
    g_assert_cmpint(xpath_number(ctx, "string(/capabilities/host/cpu/topology/@threads)"), ==,
                    info.threads);
    g_assert_cmpint(xpath_number(ctx, "string(count(/capabilities/host/cpu/pages))"), >=, 1);
    g_assert_cmpint(xpath_number(ctx, "string(count(/capabilities/guest))"), ==, 0);

    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/capabilities/golden", test_golden);
    g_test_add_func("/capabilities/feature-names", test_feature_names);
    g_test_add_func("/capabilities/empty", test_empty);
    g_test_add_func("/capabilities/live", test_live);
    return g_test_run();
}
