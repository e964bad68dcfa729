/* Tests for util/xml-props.c: the readers every definition parser uses, with
 * the exact error texts (node path first) and the caller's error subsystem. */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/error.h"
#include "util/xml.h"

typedef struct {
    xmlDoc *doc;
    xmlNode *root;
} Doc;

static Doc
doc_new(const char *xml)
{
    Doc d = { mv_xml_parse_string(xml, NULL, NULL), NULL };

    g_assert_nonnull(d.doc);
    d.root = xmlDocGetRootElement(d.doc);
    return d;
}

/* The @n-th (0-based) element child of @node. */
static xmlNode *
nth_child(xmlNode *node, int n)
{
    for (xmlNode *c = node->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && n-- == 0)
            return c;
    }
    g_assert_not_reached();
}

/* Asserts @err is MV_ERROR @code from MV_FROM_NETWORK with message @msg, and clears it. */
static void
assert_error(GError **err, MvErrorCode code, const char *msg)
{
    g_assert_error(*err, MV_ERROR, (int)code);
    g_assert_cmpint(mv_error_get_subsystem(*err), ==, MV_FROM_NETWORK);
    g_assert_cmpstr((*err)->message, ==, msg);
    g_clear_error(err);
}

static void
test_node_path(void)
{
    Doc d = doc_new("<net><ip/><ip><dhcp/></ip></net>");
    g_autofree char *root = mv_xml_node_path(d.root);
    g_autofree char *dhcp = mv_xml_node_path(nth_child(nth_child(d.root, 1), 0));
    g_autofree char *none = mv_xml_node_path(NULL);
    g_autoptr(GError) err = NULL;

    g_assert_cmpstr(root, ==, "/net");
    g_assert_cmpstr(dhcp, ==, "/net/ip[2]/dhcp");
    g_assert_cmpstr(none, ==, "?");
    g_assert_true(mv_xml_node_is(d.root, "net"));
    g_assert_false(mv_xml_node_is(d.root, "ip"));
    g_assert_false(mv_xml_node_is(NULL, "net"));
    g_assert_false(mv_xml_error_at(&err, MV_FROM_NETWORK, MV_ERR_CONFIG_UNSUPPORTED,
                                   nth_child(d.root, 1), "bad %s %d", "thing", 7));
    assert_error(&err, MV_ERR_CONFIG_UNSUPPORTED, "/net/ip[2]: bad thing 7");
    xmlFreeDoc(d.doc);
}

static void
test_prop_uint(void)
{
    Doc d = doc_new("<a dec=' 42 ' hex='0x1F' big='0x20' neg='-1' junk='12x' empty='' "
                    "huge='99999999999'/>");
    g_autoptr(GError) err = NULL;
    unsigned int v = 777;
    guint64 u;

    g_assert_true(mv_xml_prop_uint(d.root, "absent", 10, &v, MV_FROM_NETWORK, &err));
    g_assert_cmpuint(v, ==, 777);
    g_assert_true(mv_xml_prop_uint(d.root, "dec", 100, &v, MV_FROM_NETWORK, &err));
    g_assert_cmpuint(v, ==, 42);
    g_assert_true(mv_xml_prop_uint(d.root, "hex", 0x1f, &v, MV_FROM_NETWORK, &err));
    g_assert_cmpuint(v, ==, 31);
    g_assert_no_error(err);
    g_assert_false(mv_xml_prop_uint(d.root, "big", 0x1f, &v, MV_FROM_NETWORK, &err));
    assert_error(&err, MV_ERR_XML_DETAIL,
                 "/a: invalid value '0x20' for attribute 'big': expected a number from 0 to 31");
    g_assert_false(mv_xml_prop_uint(d.root, "neg", 5, &v, MV_FROM_NETWORK, &err));
    assert_error(&err, MV_ERR_XML_DETAIL,
                 "/a: invalid value '-1' for attribute 'neg': expected a number from 0 to 5");
    g_assert_false(mv_xml_prop_uint(d.root, "junk", 100, &v, MV_FROM_NETWORK, &err));
    g_clear_error(&err);
    g_assert_false(mv_xml_prop_uint(d.root, "empty", 100, &v, MV_FROM_NETWORK, &err));
    g_clear_error(&err);
    /* The limit is capped to what an unsigned int holds. */
    g_assert_false(mv_xml_prop_uint(d.root, "huge", G_MAXUINT64, &v, MV_FROM_NETWORK, &err));
    assert_error(&err, MV_ERR_XML_DETAIL,
                 "/a: invalid value '99999999999' for attribute 'huge': expected a number "
                 "from 0 to 4294967295");
    g_assert_cmpuint(v, ==, 31);
    g_assert_true(mv_xml_parse_uint("0X10", 16, &u) && u == 16);
    g_assert_false(mv_xml_parse_uint("0x", 16, &u));
    g_assert_false(mv_xml_parse_uint(NULL, 16, &u));
    xmlFreeDoc(d.doc);
}

static int
color_from_string(const char *str)
{
    static const char *const names[] = { "red", "green", "blue" };

    for (size_t i = 0; str && i < G_N_ELEMENTS(names); i++) {
        if (strcmp(names[i], str) == 0)
            return (int)i;
    }
    return -1;
}

static void
test_prop_enum_bool(void)
{
    Doc d = doc_new("<a><b color='blue' on='yes' off='no' sw='on' bad='maybe' hue='mauve'/></a>");
    xmlNode *b = nth_child(d.root, 0);
    g_autoptr(GError) err = NULL;
    int v = -1;

    g_assert_true(mv_xml_prop_enum(b, "absent", color_from_string, "color", &v,
                                   MV_FROM_NETWORK, &err));
    g_assert_cmpint(v, ==, -1);
    g_assert_true(mv_xml_prop_enum(b, "color", color_from_string, "color", &v,
                                   MV_FROM_NETWORK, &err));
    g_assert_cmpint(v, ==, 2);
    g_assert_false(mv_xml_prop_enum(b, "hue", color_from_string, "color", &v,
                                    MV_FROM_NETWORK, &err));
    assert_error(&err, MV_ERR_XML_DETAIL, "/a/b: unknown color 'mauve'");
    g_assert_cmpint(v, ==, 2);

    v = -1;
    g_assert_true(mv_xml_prop_bool(b, "absent", &v, MV_FROM_NETWORK, &err));
    g_assert_cmpint(v, ==, -1);
    g_assert_true(mv_xml_prop_bool(b, "on", &v, MV_FROM_NETWORK, &err));
    g_assert_cmpint(v, ==, 1);
    g_assert_true(mv_xml_prop_bool(b, "off", &v, MV_FROM_NETWORK, &err));
    g_assert_cmpint(v, ==, 0);
    g_assert_true(mv_xml_prop_bool(b, "sw", &v, MV_FROM_NETWORK, &err));
    g_assert_cmpint(v, ==, 1);
    g_assert_false(mv_xml_prop_bool(b, "bad", &v, MV_FROM_NETWORK, &err));
    assert_error(&err, MV_ERR_XML_DETAIL,
                 "/a/b: invalid value 'maybe' for attribute 'bad': expected 'yes' or 'no'");
    xmlFreeDoc(d.doc);
}

static void
test_units(void)
{
    Doc d = doc_new("<s><m unit='MiB'>256</m><m>3</m><m unit='b'>1025</m><m unit='KB'>1</m>"
                    "<m unit='parsec'>1</m><m>lots</m><m unit='TiB'>18446744073709551615</m>"
                    "<m unit='GB'>  2 </m><m unit='bytes'>7</m></s>");
    g_autoptr(GError) err = NULL;
    guint64 v = 0;
    guint64 bytes;

    g_assert_true(mv_xml_unit_scale("k", &bytes) && bytes == 1024);
    g_assert_true(mv_xml_unit_scale("GB", &bytes) && bytes == 1000000000);
    g_assert_true(mv_xml_unit_scale("T", &bytes) && bytes == G_GUINT64_CONSTANT(1) << 40);
    g_assert_false(mv_xml_unit_scale("kib", &bytes));
    g_assert_false(mv_xml_unit_scale(NULL, &bytes));

#define SCALED(i, def, scale, max)                                                          \
    mv_xml_content_scaled(nth_child(d.root, i), def, scale, max, "memory", &v,             \
                          MV_FROM_NETWORK, &err)
    g_assert_true(SCALED(0, "KiB", 1024, G_MAXUINT64));
    g_assert_cmpuint(v, ==, 256 * 1024);
    g_assert_true(SCALED(1, "KiB", 1024, G_MAXUINT64));
    g_assert_cmpuint(v, ==, 3);
    g_assert_true(SCALED(1, "MiB", 1, G_MAXUINT64));          /* default unit, in bytes */
    g_assert_cmpuint(v, ==, 3 * 1024 * 1024);
    g_assert_true(SCALED(2, "KiB", 1024, G_MAXUINT64));       /* 1025 bytes: rounded up */
    g_assert_cmpuint(v, ==, 2);
    g_assert_true(SCALED(3, "KiB", 1024, G_MAXUINT64));       /* 1000 bytes: rounded up */
    g_assert_cmpuint(v, ==, 1);
    g_assert_true(SCALED(7, "KiB", 1, G_MAXUINT64));
    g_assert_cmpuint(v, ==, 2000000000);
    g_assert_true(SCALED(8, "KiB", 1, G_MAXUINT64));
    g_assert_cmpuint(v, ==, 7);
    g_assert_no_error(err);
    g_assert_false(SCALED(0, "KiB", 1024, 1024));
    assert_error(&err, MV_ERR_XML_DETAIL, "/s/m[1]: memory size 256 MiB is too large");
    g_assert_false(SCALED(4, "KiB", 1024, G_MAXUINT64));
    assert_error(&err, MV_ERR_XML_DETAIL, "/s/m[5]: unknown memory unit 'parsec'");
    g_assert_false(SCALED(5, "KiB", 1024, G_MAXUINT64));
    assert_error(&err, MV_ERR_XML_DETAIL, "/s/m[6]: invalid memory size 'lots'");
    g_assert_false(SCALED(6, "KiB", 1024, G_MAXINT64 / 1024));
    assert_error(&err, MV_ERR_XML_DETAIL,
                 "/s/m[7]: memory size 18446744073709551615 TiB is too large");
    g_assert_false(SCALED(3, "KiB", 1, 999));                 /* inexact path: 1000 > 999 */
    assert_error(&err, MV_ERR_XML_DETAIL, "/s/m[4]: memory size 1 KB is too large");
    g_assert_cmpuint(v, ==, 7);
#undef SCALED
    xmlFreeDoc(d.doc);
}

static void
test_children(void)
{
    static const MvXmlChildRule rules[] = {
        { "name", 1, 1 },
        { "ip", 0, 2 },
        { "bridge", 0, 1 },
    };
    static const char *const attrs[] = { "ipv6", "connections", NULL };
    Doc good = doc_new("<network ipv6='yes'><name>n</name><ip/><bridge/><ip/><extra/></network>");
    Doc twice = doc_new("<network><name>n</name><bridge/><name>m</name></network>");
    Doc three = doc_new("<network><name>n</name><ip/><ip/><ip/></network>");
    Doc missing = doc_new("<network><ip/></network>");
    Doc attr = doc_new("<network connections='1' trustGuestRxFilters='no'><name/></network>");
    g_autoptr(GError) err = NULL;

    g_assert_true(mv_xml_check_children(good.root, rules, G_N_ELEMENTS(rules), 0,
                                        MV_FROM_NETWORK, &err));
    g_assert_no_error(err);
    g_assert_false(mv_xml_check_children(good.root, rules, G_N_ELEMENTS(rules),
                                         MV_XML_CHILDREN_ONLY_LISTED, MV_FROM_NETWORK, &err));
    assert_error(&err, MV_ERR_XML_ERROR, "/network/extra: unknown element <extra> in <network>");
    g_assert_false(mv_xml_check_children(twice.root, rules, G_N_ELEMENTS(rules), 0,
                                         MV_FROM_NETWORK, &err));
    assert_error(&err, MV_ERR_XML_ERROR,
                 "/network/name[2]: element <name> may appear only once in <network>");
    g_assert_false(mv_xml_check_children(three.root, rules, G_N_ELEMENTS(rules), 0,
                                         MV_FROM_NETWORK, &err));
    assert_error(&err, MV_ERR_XML_ERROR,
                 "/network/ip[3]: element <ip> may appear at most 2 times in <network>");
    g_assert_false(mv_xml_check_children(missing.root, rules, G_N_ELEMENTS(rules), 0,
                                         MV_FROM_NETWORK, &err));
    assert_error(&err, MV_ERR_XML_ERROR, "/network: the required element <name> is missing");

    g_assert_true(mv_xml_check_attributes(good.root, attrs, MV_FROM_NETWORK, &err));
    g_assert_false(mv_xml_check_attributes(attr.root, attrs, MV_FROM_NETWORK, &err));
    assert_error(&err, MV_ERR_XML_ERROR,
                 "/network: unknown attribute 'trustGuestRxFilters' of <network>");
    xmlFreeDoc(good.doc);
    xmlFreeDoc(twice.doc);
    xmlFreeDoc(three.doc);
    xmlFreeDoc(missing.doc);
    xmlFreeDoc(attr.doc);
}

#define FIRST_PARSE_THREADS 4
#define FIRST_PARSE_PROCESSES 300

static gint first_parse_failed;
static gint first_parse_ready;
static gint first_parse_go;

static gpointer
first_parse(gpointer data)
{
    guint64 v = 1;

    (void)data;
    g_atomic_int_inc(&first_parse_ready);
    while (!g_atomic_int_get(&first_parse_go))
        g_thread_yield();
    if (!mv_xml_parse_uint("0", 100, &v) || v != 0)
        g_atomic_int_inc(&first_parse_failed);
    return NULL;
}

/* The child (a fresh process: nothing parsed yet): its threads parse their
 * first number at the same moment. Exit status 1 when one failed. */
static int
first_parse_child(void)
{
    GThread *threads[FIRST_PARSE_THREADS];

    for (int i = 0; i < FIRST_PARSE_THREADS; i++)
        threads[i] = g_thread_new("parse", first_parse, NULL);
    while (g_atomic_int_get(&first_parse_ready) < FIRST_PARSE_THREADS)
        g_thread_yield();
    g_atomic_int_set(&first_parse_go, 1);
    for (int i = 0; i < FIRST_PARSE_THREADS; i++)
        g_thread_join(threads[i]);
    return g_atomic_int_get(&first_parse_failed) ? 1 : 0;
}

/* Several threads parsing their process's first number at once: each parses it
 * (GLib's g_ascii_string_to_unsigned() failed now and then, about once in
 * 100 such processes, for "0" when its C locale was made by one thread while
 * another waited: a networkd restarted after a SIGKILL refused a valid
 * definition, "invalid value '0' for attribute 'delay'"). Each try in a fresh
 * process (this program run again). */
static void
test_first_parse_in_threads(void)
{
    int failed = 0;

    for (int n = 0; n < FIRST_PARSE_PROCESSES; n++) {
        pid_t pid = fork();
        int status = 0;

        g_assert_cmpint(pid, >=, 0);
        if (pid == 0) {
            execl("/proc/self/exe", "test-xml-props", "--first-parse-child", (char *)NULL);
            _exit(127);
        }
        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), !=, 127);
        failed += WEXITSTATUS(status) != 0;
    }
    g_assert_cmpint(failed, ==, 0);
}

int
main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--first-parse-child") == 0)
        return first_parse_child();
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xml-props/first-parse-in-threads", test_first_parse_in_threads);
    g_test_add_func("/xml-props/node-path", test_node_path);
    g_test_add_func("/xml-props/uint", test_prop_uint);
    g_test_add_func("/xml-props/enum-bool", test_prop_enum_bool);
    g_test_add_func("/xml-props/units", test_units);
    g_test_add_func("/xml-props/children", test_children);
    return g_test_run();
}
