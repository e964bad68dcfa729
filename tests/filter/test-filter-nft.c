/* filterd's nftables layer, network rule sets and doctor against the real
 * kernel: run by meson inside `unshare -n` (a private network namespace), so
 * the host's ruleset is never touched. */
#include <glib/gstdio.h>
#include <string.h>

#include "filter-doctor.h"
#include "filter-netrules.h"
#include "filter-nft.h"
#include "util/error.h"

static MvFilterNft *nft;

static char *
list(const char *what)
{
    g_autoptr(GError) err = NULL;
    char *text = mv_filter_nft_list_text(nft, what, &err);

    g_assert_no_error(err);
    return text;
}

static void
run_ok(const char *commands)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(mv_filter_nft_run(nft, commands, &err));
    g_assert_no_error(err);
}

static MvFilterNetwork *
network(const char *name, const char *bridge, MvFilterForward fwd, const char *addr, guint prefix)
{
    MvFilterNetwork *net = g_new0(MvFilterNetwork, 1);

    net->name = g_strdup(name);
    net->bridge = g_strdup(bridge);
    net->forward = fwd;
    net->n_ips = 1;
    net->ips = g_new0(MvFilterNetIp, 1);
    net->ips[0].address = g_strdup(addr);
    net->ips[0].prefix = prefix;
    net->services = MV_FILTER_SERVICE_DHCP | MV_FILTER_SERVICE_DNS;
    return net;
}

static void
remove_state_dir(const char *dir)
{
    g_autofree char *networks = g_build_filename(dir, "networks", NULL);

    g_assert_cmpint(g_rmdir(networks), ==, 0);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
}

static void
foreign_setup(void)
{
    run_ok("add table inet foreign\n"
           "add chain inet foreign input { type filter hook input priority 10; policy accept; }\n"
           "add rule inet foreign input tcp dport 22 counter accept comment \"ssh\"\n"
           "add chain inet foreign other\n"
           "add rule inet foreign other ip saddr 10.9.9.9 drop\n");
}

/* A batch with a failing command leaves the old rules, whether nft refuses
 * it (parse/evaluation) or the kernel does (the whole batch is aborted). */
static void
test_atomic(void)
{
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_autoptr(GError) err = NULL;

    run_ok("add table inet modvirt\ndelete table inet modvirt\nadd table inet modvirt\n"
           "add chain inet modvirt c\nadd rule inet modvirt c tcp dport 1 accept\n");
    before = list("list table inet modvirt");
    /* refused by nft: an unknown keyword in the middle */
    g_assert_false(mv_filter_nft_run(nft, "flush chain inet modvirt c\n"
                                          "add rule inet modvirt c tcp dport 2 accept\n"
                                          "add rule inet modvirt c frobnicate 3\n"
                                          "add rule inet modvirt c tcp dport 4 accept\n", &err));
    g_assert_true(mv_error_matches(err, MV_ERR_OPERATION_FAILED));
    g_assert_nonnull(strstr(err->message, "nftables refused the change"));
    g_clear_error(&err);
    after = list("list table inet modvirt");
    g_assert_cmpstr(before, ==, after);
    g_clear_pointer(&after, g_free);
    /* refused by the kernel, after earlier commands of the batch were sent */
    g_assert_false(mv_filter_nft_run(nft, "flush chain inet modvirt c\n"
                                          "add rule inet modvirt c tcp dport 2 accept\n"
                                          "delete chain inet modvirt no-such-chain\n", &err));
    g_assert_nonnull(err);
    g_clear_error(&err);
    after = list("list table inet modvirt");
    g_assert_cmpstr(before, ==, after);
    run_ok("delete table inet modvirt\n");
}

static void
test_validate(void)
{
    static const struct {
        const char *field, *value, *message;
    } cases[] = {
        { "bridge", "this-name-is-too-long", "not a valid interface name" },
        { "bridge", "br\"0", "not a valid interface name" },
        { "address", "300.1.1.1", "is not an IP address" },
        { "prefix", "33", "out of range" },
        { "nat", "10.0.0.9", "start 10.0.0.9 is after its end" },
        { "ports", "2000", "port range 2000-1000 is invalid" },
        { "name", "a/b", "network name 'a/b' is not usable" },
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(MvFilterNetwork) net = network("n", "br0", MV_FILTER_FORWARD_NAT,
                                                 "10.0.0.1", 24);
        g_autoptr(GError) err = NULL;

        if (g_str_equal(cases[i].field, "bridge")) {
            g_free(net->bridge);
            net->bridge = g_strdup(cases[i].value);
        } else if (g_str_equal(cases[i].field, "address")) {
            g_free(net->ips[0].address);
            net->ips[0].address = g_strdup(cases[i].value);
        } else if (g_str_equal(cases[i].field, "prefix")) {
            net->ips[0].prefix = 33;
        } else if (g_str_equal(cases[i].field, "nat")) {
            net->nat_address_start = g_strdup(cases[i].value);
            net->nat_address_end = g_strdup("10.0.0.5");
        } else if (g_str_equal(cases[i].field, "ports")) {
            net->nat_port_start = 2000;
            net->nat_port_end = 1000;
        } else {
            g_free(net->name);
            net->name = g_strdup(cases[i].value);
        }
        g_assert_false(mv_filter_network_validate(net, &err));
        g_assert_nonnull(err);
        if (!strstr(err->message, cases[i].message))
            g_error("case %u: '%s' does not say '%s'", i, err->message, cases[i].message);
    }
}

static void
test_keys(void)
{
    g_autofree char *plain = mv_filter_network_key("default_2.x-y");
    g_autofree char *odd = mv_filter_network_key("my net");
    g_autofree char *odd2 = mv_filter_network_key("my:net");

    g_assert_cmpstr(plain, ==, "default_2.x-y");
    g_assert_true(g_str_has_prefix(odd, "h"));
    g_assert_cmpuint(strlen(odd), ==, 17);
    g_assert_cmpstr(odd, !=, odd2);
}

/* A foreign table survives every modvirt change untouched; removing one
 * network removes exactly its chains. */
static void
test_foreign_and_keyed(void)
{
    g_autofree char *dir = g_dir_make_tmp("mvt-filter-XXXXXX", NULL);
    g_autoptr(GError) err = NULL;
    g_autoptr(MvFilterNetRules) rules = NULL;
    g_autofree char *foreign = NULL;
    g_autofree char *text = NULL;
    g_auto(GStrv) names = NULL;

    foreign_setup();
    foreign = list("list table inet foreign");
    rules = mv_filter_netrules_new(nft, dir, &err);
    g_assert_no_error(err);
    g_assert_true(mv_filter_netrules_apply(rules, network("a", "br-a", MV_FILTER_FORWARD_NAT,
                                                          "10.1.0.1", 24), &err));
    g_assert_true(mv_filter_netrules_apply(rules, network("b", "br-b", MV_FILTER_FORWARD_ROUTE,
                                                          "10.2.0.1", 24), &err));
    g_assert_true(mv_filter_netrules_apply(rules, network("c", "br-c",
                                                          MV_FILTER_FORWARD_ISOLATED,
                                                          "10.3.0.1", 24), &err));
    g_assert_no_error(err);
    text = list("list table inet foreign");
    g_assert_cmpstr(text, ==, foreign);
    g_clear_pointer(&text, g_free);
    text = list("list table inet modvirt");
    g_assert_nonnull(strstr(text, "chain net-b-fwd"));
    g_assert_true(mv_filter_netrules_remove(rules, "b", &err));
    g_assert_no_error(err);
    g_clear_pointer(&text, g_free);
    text = list("list table inet modvirt");
    g_assert_null(strstr(text, "net-b-"));
    g_assert_null(strstr(text, "br-b"));
    g_assert_nonnull(strstr(text, "chain net-a-nat"));
    g_assert_nonnull(strstr(text, "chain net-c-fwd"));
    g_clear_pointer(&text, g_free);
    text = list("list table inet foreign");
    g_assert_cmpstr(text, ==, foreign);
    /* a refused change (unknown network) changes nothing either */
    g_assert_false(mv_filter_netrules_remove(rules, "b", &err));
    g_assert_true(mv_error_matches(err, MV_ERR_NO_NETWORK));
    g_clear_error(&err);
    names = mv_filter_netrules_names(rules);
    g_assert_cmpuint(g_strv_length(names), ==, 2);
    g_assert_cmpstr(names[0], ==, "a");
    g_assert_cmpstr(names[1], ==, "c");
    g_assert_true(mv_filter_netrules_remove(rules, "a", &err));
    g_assert_true(mv_filter_netrules_remove(rules, "c", &err));
    g_assert_no_error(err);
    /* no network: no table at all; the foreign one stays */
    g_clear_pointer(&text, g_free);
    text = list("list tables");
    g_assert_null(strstr(text, "modvirt"));
    g_clear_pointer(&text, g_free);
    text = list("list table inet foreign");
    g_assert_cmpstr(text, ==, foreign);
    run_ok("delete table inet foreign\n");
    remove_state_dir(dir);
}

static guint
count_kind(GPtrArray *diffs, const char *kind)
{
    guint n = 0;

    for (guint i = 0; i < diffs->len; i++) {
        MvFilterDifference *d = diffs->pdata[i];

        if (g_str_equal(d->kind, kind))
            n++;
    }
    return n;
}

static GPtrArray *
doctor(MvFilterDriver *driver)
{
    g_autoptr(GError) err = NULL;
    GPtrArray *diffs = mv_filter_doctor_check(driver, &err);

    g_assert_no_error(err);
    for (guint i = 0; i < diffs->len; i++)
        g_test_message("difference: %s", ((MvFilterDifference *)diffs->pdata[i])->text);
    return diffs;
}

/* The handle of the first rule of @chain whose text contains @needle. */
static int
rule_handle(const char *chain, const char *needle)
{
    g_autofree char *cmd = g_strdup_printf("list chain inet modvirt %s", chain);
    g_autoptr(JsonNode) node = NULL;
    g_autoptr(GError) err = NULL;
    JsonArray *arr;

    node = mv_filter_nft_list_json(nft, cmd, &err);
    g_assert_no_error(err);
    arr = json_node_get_array(node);
    for (guint i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *o = json_array_get_object_element(arr, i);
        g_autofree char *s = NULL;

        if (!json_object_has_member(o, "rule"))
            continue;
        s = json_to_string(json_array_get_element(arr, i), FALSE);
        if (strstr(s, needle))
            return (int)json_object_get_int_member(json_object_get_object_member(o, "rule"),
                                                   "handle");
    }
    g_error("no rule with %s in %s", needle, chain);
    return -1;
}

static void
test_doctor(void)
{
    g_autofree char *dir = g_dir_make_tmp("mvt-filter-XXXXXX", NULL);
    g_autoptr(GError) err = NULL;
    MvFilterDriver driver = { .nft = nft };
    g_autoptr(GPtrArray) diffs = NULL;
    g_autofree char *cmd = NULL;

    MvFilterOwnedTable table;

    driver.netrules = mv_filter_netrules_new(nft, dir, &err);
    g_assert_no_error(err);
    mv_filter_netrules_owned_table(driver.netrules, &table);
    mv_filter_driver_add_table(&driver, &table);
    g_assert_true(mv_filter_netrules_apply(driver.netrules,
                                           network("d", "br-d", MV_FILTER_FORWARD_NAT,
                                                   "10.4.0.1", 24), &err));
    g_assert_no_error(err);
    diffs = doctor(&driver);
    g_assert_cmpuint(diffs->len, ==, 0);

    /* a rule deleted, one added, one edited in place (same handle) */
    cmd = g_strdup_printf("delete rule inet modvirt net-d-in handle %d\n"
                          "add rule inet modvirt net-d-fwd tcp dport 25 accept\n"
                          "replace rule inet modvirt net-d-nat handle %d ip saddr 10.4.0.0/24 "
                          "ip daddr 224.0.0.0/24 accept\n",
                          rule_handle("net-d-in", "\"dport\""),
                          rule_handle("net-d-nat", "224.0.0.0"));
    run_ok(cmd);
    g_clear_pointer(&diffs, g_ptr_array_unref);
    diffs = doctor(&driver);
    g_assert_cmpuint(count_kind(diffs, "rule-missing"), ==, 1);
    g_assert_cmpuint(count_kind(diffs, "rule-extra"), ==, 1);
    g_assert_cmpuint(count_kind(diffs, "rule-changed"), ==, 1);
    g_assert_cmpuint(diffs->len, ==, 3);
    /* repair: clean again */
    g_clear_pointer(&diffs, g_ptr_array_unref);
    diffs = mv_filter_doctor_repair(&driver, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(diffs->len, ==, 3);
    g_clear_pointer(&diffs, g_ptr_array_unref);
    diffs = doctor(&driver);
    g_assert_cmpuint(diffs->len, ==, 0);

    /* a chain added by hand, a base chain's policy changed */
    run_ok("add chain inet modvirt mine\n"
           "add chain inet modvirt forward { type filter hook forward priority filter; "
           "policy drop; }\n");
    g_clear_pointer(&diffs, g_ptr_array_unref);
    diffs = doctor(&driver);
    g_assert_cmpuint(count_kind(diffs, "chain-extra"), ==, 1);
    g_assert_cmpuint(count_kind(diffs, "chain-changed"), ==, 1);

    /* the table gone */
    run_ok("delete table inet modvirt\n");
    g_clear_pointer(&diffs, g_ptr_array_unref);
    diffs = doctor(&driver);
    g_assert_cmpuint(count_kind(diffs, "table-missing"), ==, 1);
    g_assert_cmpuint(diffs->len, ==, 1);
    g_clear_pointer(&diffs, g_ptr_array_unref);
    diffs = mv_filter_doctor_repair(&driver, &err);
    g_assert_no_error(err);
    g_clear_pointer(&diffs, g_ptr_array_unref);
    diffs = doctor(&driver);
    g_assert_cmpuint(diffs->len, ==, 0);

    /* a foreign table dropping earlier on our hook; one dropping later is not reported,
     * nor one that only accepts */
    run_ok("add table ip early\n"
           "add chain ip early fw { type filter hook forward priority -10; policy accept; }\n"
           "add rule ip early fw tcp dport 80 drop\n"
           "add table ip late\n"
           "add chain ip late fw { type filter hook forward priority 10; policy drop; }\n"
           "add table ip6 harmless\n"
           "add chain ip6 harmless in { type filter hook input priority -100; "
           "policy accept; }\n");
    g_clear_pointer(&diffs, g_ptr_array_unref);
    diffs = doctor(&driver);
    g_assert_cmpuint(count_kind(diffs, "foreign-drop"), ==, 1);
    g_assert_cmpuint(diffs->len, ==, 1);
    g_assert_cmpstr(((MvFilterDifference *)diffs->pdata[0])->table, ==, "ip early");
    run_ok("delete table ip early\ndelete table ip late\ndelete table ip6 harmless\n");

    g_assert_true(mv_filter_netrules_remove(driver.netrules, "d", &err));
    g_assert_no_error(err);
    mv_filter_netrules_free(driver.netrules);
    g_array_unref(driver.tables);
    remove_state_dir(dir);
}

int
main(int argc, char **argv)
{
    g_autoptr(GError) err = NULL;
    int rc;

    g_test_init(&argc, &argv, NULL);
    if (!(nft = mv_filter_nft_new(&err)) || !mv_filter_nft_run(nft, "list ruleset", &err)) {
        g_test_skip_printf("nftables not usable here: %s", err->message);
        return g_test_run();
    }
    g_test_add_func("/filter/nft/atomic", test_atomic);
    g_test_add_func("/filter/netrules/validate", test_validate);
    g_test_add_func("/filter/netrules/keys", test_keys);
    g_test_add_func("/filter/netrules/foreign-and-keyed", test_foreign_and_keyed);
    g_test_add_func("/filter/doctor/differences", test_doctor);
    rc = g_test_run();
    mv_filter_nft_free(nft);
    return rc;
}
