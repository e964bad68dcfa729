/* conf/domain-tune.c: cpusets, vCPU pin editing, the iotune and bandwidth rules
 * (the XML round trips are goldens in tests/domainxml). */
#include <string.h>

#include "conf/domain-tune.h"
#include "util/error.h"

/* @text canonicalized, or NULL when refused. */
static char *
canon(const char *text)
{
    g_autofree guint8 *map = NULL;

    if (!mv_domain_cpuset_parse(text, "cpuset", &map, NULL))
        return NULL;
    return mv_domain_cpuset_format(map, MV_DOMAIN_CPUSET_MAX);
}

static void
test_cpuset(void)
{
    static const struct {
        const char *in;
        const char *out;        /* NULL: refused */
    } cases[] = {
        { "0", "0" },           { "0-3,^2", "0-1,3" },  { "3,1,2", "1-3" },
        { " 1 , 5-6 ", "1,5-6" }, { "0-0", "0" },       { "4095", "4095" },
        { "1,^1,2", "2" },      { "", NULL },           { "3-1", NULL },
        { "4096", NULL },       { "a", NULL },          { "1,", NULL },
        { "^1", NULL },         { "1-", NULL },         { "-1", NULL },
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *got = canon(cases[i].in);

        g_assert_cmpstr(got, ==, cases[i].out);
    }
}

static void
test_cpuset_error(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree guint8 *map = NULL;

    g_assert_false(mv_domain_cpuset_parse("0,^0", "emulatorpin", &map, &error));
    g_assert_null(map);
    g_assert_nonnull(strstr(error->message, "invalid emulatorpin '0,^0': it selects no CPU"));
}

static void
test_vcpupin_edit(void)
{
    g_autoptr(MvDomainTuneDef) t = g_new0(MvDomainTuneDef, 1);
    g_autoptr(MvDomainTuneDef) copy = NULL;

    mv_domain_tune_set_vcpupin(t, 3, "1");
    mv_domain_tune_set_vcpupin(t, 0, "0-1");
    mv_domain_tune_set_vcpupin(t, 2, "2");
    g_assert_cmpuint(t->nvcpupins, ==, 3);
    g_assert_cmpuint(t->vcpupins[0].vcpu, ==, 0);       /* kept in vCPU order */
    g_assert_cmpuint(t->vcpupins[1].vcpu, ==, 2);
    g_assert_cmpuint(t->vcpupins[2].vcpu, ==, 3);
    mv_domain_tune_set_vcpupin(t, 2, "5");
    g_assert_cmpstr(mv_domain_tune_vcpupin(t, 2), ==, "5");
    copy = mv_domain_tune_def_copy(t);
    mv_domain_tune_set_vcpupin(t, 0, NULL);
    mv_domain_tune_set_vcpupin(t, 7, NULL);             /* not there: nothing */
    g_assert_cmpuint(t->nvcpupins, ==, 2);
    g_assert_null(mv_domain_tune_vcpupin(t, 0));
    g_assert_cmpstr(mv_domain_tune_vcpupin(copy, 0), ==, "0-1");   /* a deep copy */
    g_assert_false(mv_domain_tune_def_is_empty(t));
    mv_domain_tune_set_vcpupin(t, 2, NULL);
    mv_domain_tune_set_vcpupin(t, 3, NULL);
    g_assert_true(mv_domain_tune_def_is_empty(t));
}

static void
test_iotune_rules(void)
{
    MvDomainDiskIotune t = { { 0 } };
    g_autoptr(GError) error = NULL;

    t.v[MV_DOMAIN_IOTUNE_READ_BYTES_SEC] = 10;
    t.v[MV_DOMAIN_IOTUNE_READ_BYTES_SEC_MAX] = 20;
    g_assert_true(mv_domain_iotune_check(&t, "vda", NULL));
    t.v[MV_DOMAIN_IOTUNE_TOTAL_BYTES_SEC] = 5;
    g_assert_false(mv_domain_iotune_check(&t, "vda", &error));
    g_assert_nonnull(strstr(error->message, "total_bytes_sec cannot be combined"));
    g_clear_error(&error);
    t.v[MV_DOMAIN_IOTUNE_TOTAL_BYTES_SEC] = 0;
    t.v[MV_DOMAIN_IOTUNE_READ_BYTES_SEC_MAX] = 5;        /* below its base */
    g_assert_false(mv_domain_iotune_check(&t, "vda", &error));
    g_assert_nonnull(strstr(error->message, "read_bytes_sec_max (5) needs read_bytes_sec"));
    g_assert_cmpstr(mv_domain_iotune_qmp_name(MV_DOMAIN_IOTUNE_WRITE_IOPS_SEC_MAX), ==,
                    "iops_wr_max");
    g_assert_cmpstr(mv_domain_iotune_name(MV_DOMAIN_IOTUNE_SIZE_IOPS_SEC), ==,
                    "size_iops_sec");
}

static void
test_bandwidth_rules(void)
{
    MvDomainNetBandwidth bw = { 0 };
    g_autoptr(GError) error = NULL;

    g_assert_true(mv_domain_net_bandwidth_is_empty(&bw));
    g_assert_true(mv_domain_net_bandwidth_check(&bw, NULL));
    bw.out.burst = 10;                                  /* a burst without an average */
    g_assert_false(mv_domain_net_bandwidth_check(&bw, &error));
    g_assert_nonnull(strstr(error->message, "outbound needs an average"));
    g_clear_error(&error);
    bw.out.average = 100;
    bw.out.peak = 50;
    g_assert_false(mv_domain_net_bandwidth_check(&bw, &error));
    g_assert_nonnull(strstr(error->message, "outbound peak (50) must not be below"));
    g_clear_error(&error);
    bw.out.peak = 0;
    bw.in.average = 10;
    bw.in.floor = 5;
    g_assert_false(mv_domain_net_bandwidth_check(&bw, &error));
    g_assert_nonnull(strstr(error->message, "inbound floor is not supported"));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/conf/domain-tune/cpuset", test_cpuset);
    g_test_add_func("/conf/domain-tune/cpuset-error", test_cpuset_error);
    g_test_add_func("/conf/domain-tune/vcpupin-edit", test_vcpupin_edit);
    g_test_add_func("/conf/domain-tune/iotune-rules", test_iotune_rules);
    g_test_add_func("/conf/domain-tune/bandwidth-rules", test_bandwidth_rules);
    return g_test_run();
}
