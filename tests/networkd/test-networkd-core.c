/* Unit tests of modvirt-networkd's core (no daemon, no namespace): subnet
 * overlap, the status file round trip, the [network] config keys. */
#include <glib/gstdio.h>
#include <string.h>

#include "network-driver.h"
#include "network-status.h"
#include "network-subnet.h"
#include "util/error.h"

static MvNetworkIpDef
ip(const char *address, unsigned int prefix)
{
    MvNetworkIpDef def = { .address = (char *)address, .prefix = prefix };

    def.family = strchr(address, ':') ? MV_NETWORK_IP_V6 : MV_NETWORK_IP_V4;
    return def;
}

static void
test_subnet_overlap(void)
{
    static const struct {
        const char *a;
        unsigned int pa;
        const char *b;
        unsigned int pb;
        bool overlap;
    } cases[] = {
        { "10.0.0.1", 24, "10.0.0.200", 24, true },
        { "10.0.0.1", 24, "10.0.1.1", 24, false },
        { "10.0.0.1", 16, "10.0.5.1", 24, true },      /* a /24 inside a /16 */
        { "10.0.5.1", 24, "10.0.0.1", 16, true },
        { "10.0.0.1", 25, "10.0.0.129", 25, false },   /* the two halves of a /24 */
        { "192.168.1.1", 0, "10.0.0.1", 8, true },      /* /0 is everything */
        { "10.0.0.1", 24, "fd00::1", 64, false },       /* another family */
        { "fd00::1", 64, "fd00::2", 64, true },
        { "fd00::1", 64, "fd00:0:0:1::1", 64, false },
        { "fd00::1", 48, "fd00:0:0:1::1", 64, true },
        { "not-an-address", 24, "10.0.0.1", 24, false },
        { "10.0.0.1", 33, "10.0.0.1", 33, false },      /* prefix too long */
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        MvNetworkIpDef a = ip(cases[i].a, cases[i].pa), b = ip(cases[i].b, cases[i].pb);

        g_test_message("%s/%u vs %s/%u", cases[i].a, cases[i].pa, cases[i].b, cases[i].pb);
        g_assert_cmpint(mv_network_subnet_overlap(&a, &b), ==, cases[i].overlap);
    }
}

static void
test_subnet_text(void)
{
    MvNetworkIpDef v4 = ip("10.1.2.3", 20), v6 = ip("fd00:1:2:3::9", 48);
    g_autofree char *t4 = mv_network_subnet_text(&v4);
    g_autofree char *t6 = mv_network_subnet_text(&v6);
    g_autofree char *none = mv_network_subnet_network("10.0.0.1", 33);

    g_assert_cmpstr(t4, ==, "10.1.0.0/20");
    g_assert_cmpstr(t6, ==, "fd00:1:2::/48");
    g_assert_null(none);
}

static const char *NET_XML =
    "<network>\n  <name>st1</name>\n  <uuid>3f2a1b0c-4d5e-4f60-8a7b-9c0d1e2f3a4b</uuid>\n"
    "  <bridge name='mvst1'/>\n  <ip address='10.9.0.1' prefix='24'>\n    <dhcp>\n"
    "      <range start='10.9.0.10' end='10.9.0.20'/>\n    </dhcp>\n  </ip>\n</network>\n";

static void
test_status_round_trip(void)
{
    g_autofree char *dir = g_dir_make_tmp("mvnd-XXXXXX", NULL);
    g_autofree char *etc = g_build_filename(dir, "etc", NULL);
    g_autofree char *run = g_build_filename(dir, "run", NULL);
    g_autofree char *path = g_build_filename(run, "st1.xml", NULL);
    g_autofree char *text = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(MvNetworkDef) def = mv_network_def_parse(NET_XML, 0, &error);
    g_autoptr(MvNetworkStatus) st = NULL;
    MvNetworkDriver driver = { 0 };
    MvNetworkRuntime rt = {
        .bridge_ifindex = 42,
        .dnsmasq_pid = 4242,
        .dnsmasq_start_time = G_GUINT64_CONSTANT(123456789012),
        .forwarding = true,
        .firewall = false,
    };

    g_assert_no_error(error);
    driver.store = mv_driver_store_new(etc, run, MV_FROM_NETWORK);
    g_assert_true(mv_driver_store_create_dirs(driver.store, &error));

    for (int starting = 0; starting <= 1; starting++) {
        g_clear_pointer(&text, g_free);
        g_clear_pointer(&st, mv_network_status_free);
        g_assert_true(mv_network_status_write(&driver, def, true, &rt, starting, &error));
        g_assert_no_error(error);
        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        st = mv_network_status_parse(path, text, &error);
        g_assert_no_error(error);
        g_assert_nonnull(st);
        g_assert_cmpint(st->starting, ==, starting);
        g_assert_true(st->persistent);
        g_assert_cmpint(st->rt.bridge_ifindex, ==, 42);
        g_assert_cmpint(st->rt.dnsmasq_pid, ==, 4242);
        g_assert_cmpuint(st->rt.dnsmasq_start_time, ==, G_GUINT64_CONSTANT(123456789012));
        g_assert_true(st->rt.forwarding);
        g_assert_false(st->rt.firewall);
        g_assert_cmpstr(st->live->name, ==, "st1");
        g_assert_cmpstr(st->live->bridge, ==, "mvst1");
        g_assert_cmpmem(st->live->uuid, 16, def->uuid, 16);
        g_assert_cmpuint(st->live->nips, ==, 1);
        g_assert_cmpstr(st->path, ==, path);
    }

    /* Not a status file: refused (the store then removes it). */
    g_clear_pointer(&st, mv_network_status_free);
    st = mv_network_status_parse(path, "<domstatus/>", &error);
    g_assert_null(st);
    g_assert_error(error, MV_ERROR, MV_ERR_INTERNAL_ERROR);
    g_clear_error(&error);
    st = mv_network_status_parse(path, "<networkstatus phase='active' bridge-ifindex='x' "
                                       "dnsmasq-pid='1' dnsmasq-start='1'><network><name>a"
                                       "</name></network></networkstatus>", &error);
    g_assert_null(st);
    g_assert_nonnull(strstr(error->message, "bridge-ifindex"));
    g_clear_error(&error);

    mv_network_status_delete(&driver, "st1");
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    mv_driver_store_free(driver.store);
    g_rmdir(run);
    g_rmdir(etc);
    g_rmdir(dir);
}

static void
test_config_keys(void)
{
    static const struct {
        const char *text;
        const char *error;      /* NULL: accepted */
    } cases[] = {
        { "", NULL },
        { "[network]\njob_wait_ms=5000\nbridge_prefix=mvbr\n", NULL },
        { "[network]\njob_wait_ms=0\n", "job_wait_ms" },
        { "[network]\njob_wait_ms=soon\n", "job_wait_ms" },
        { "[network]\ndnsmasq=dnsmasq\n", "[network] dnsmasq" },
        { "[network]\ndnsmasq=/nonexistent/dnsmasq\n", "[network] dnsmasq" },
        { "[network]\nbridge_prefix=a/b\n", "bridge_prefix" },
        { "[network]\nbridge_prefix=waytoolongprefix\n", "bridge_prefix" },
        { "[network]\nlease_helper=relative\n", "lease_helper" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GKeyFile) kf = g_key_file_new();
        g_autoptr(GError) error = NULL;
        MvNetworkConfig *config;

        g_test_message("%s", cases[i].text);
        g_assert_true(g_key_file_load_from_data(kf, cases[i].text, -1, 0, NULL));
        config = mv_network_config_read(NULL, kf, &error);
        if (!cases[i].error) {
            g_assert_no_error(error);
            g_assert_nonnull(config);
        } else {
            g_assert_null(config);
            g_assert_nonnull(error);
            g_assert_nonnull(strstr(error->message, cases[i].error));
        }
        mv_network_config_free(config);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/networkd/subnet/overlap", test_subnet_overlap);
    g_test_add_func("/networkd/subnet/text", test_subnet_text);
    g_test_add_func("/networkd/status/round-trip", test_status_round_trip);
    g_test_add_func("/networkd/config/keys", test_config_keys);
    return g_test_run();
}
