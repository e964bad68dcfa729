/* The AFFECT rules (common/driver/affect.c), as a table. */
#include "driver/affect.h"
#include "driver-test.h"

#define CUR MV_DRIVER_AFFECT_CURRENT
#define LIVE MV_DRIVER_AFFECT_LIVE
#define CONF MV_DRIVER_AFFECT_CONFIG
#define EXCL MV_DRIVER_AFFECT_EXCLUSIVE
#define PERS MV_DRIVER_AFFECT_NEED_PERSISTENT
#define OTHER (1u << 4)     /* a call's own flag: kept as it is */

#define NOT_RUNNING "Requested operation is not valid: domain is not running"
#define TRANSIENT "Requested operation is not valid: transient domains have no persistent config"
#define EXCLUSIVE "flags 'live' and 'config' are mutually exclusive"

static const struct {
    unsigned int flags;
    bool active;
    bool persistent;
    unsigned int rules;
    unsigned int resolved;      /* when no error */
    int code;                   /* 0: no error */
    const char *message;
} cases[] = {
    /* CURRENT follows the state */
    { CUR, true, true, 0, LIVE },
    { CUR, false, true, 0, CONF },
    { CUR | OTHER, true, true, 0, LIVE | OTHER },
    /* explicit choices */
    { LIVE, true, true, 0, LIVE },
    { CONF, true, true, 0, CONF },
    { CONF, false, true, 0, CONF },
    { LIVE, false, true, 0, 0, MV_ERR_OPERATION_INVALID, NOT_RUNNING },
    /* both */
    { LIVE | CONF, true, true, 0, LIVE | CONF },
    { LIVE | CONF, false, true, 0, 0, MV_ERR_OPERATION_INVALID, NOT_RUNNING },
    { LIVE | CONF, true, true, EXCL, 0, MV_ERR_INVALID_ARG, EXCLUSIVE },
    { LIVE | CONF, false, true, EXCL, 0, MV_ERR_INVALID_ARG, EXCLUSIVE },
    { LIVE, true, true, EXCL, LIVE },
    { CUR, false, true, EXCL, CONF },
    /* transient objects and their config */
    { CONF, true, false, 0, CONF },
    { CONF, true, false, PERS, 0, MV_ERR_OPERATION_INVALID, TRANSIENT },
    { CUR, true, false, PERS, LIVE },
    { LIVE | CONF, true, false, PERS, 0, MV_ERR_OPERATION_INVALID, TRANSIENT },
    { LIVE, false, false, PERS, 0, MV_ERR_OPERATION_INVALID, NOT_RUNNING },
};

static void
test_table(void)
{
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        unsigned int flags = cases[i].flags;
        bool ok = mv_driver_affect_resolve(&test_class, &flags, cases[i].active,
                                           cases[i].persistent, cases[i].rules, &error);

        g_test_message("case %u: flags 0x%x active %d persistent %d rules 0x%x", i,
                       cases[i].flags, cases[i].active, cases[i].persistent, cases[i].rules);
        if (cases[i].code) {
            g_assert_false(ok);
            g_assert_error(error, MV_ERROR, cases[i].code);
            g_assert_cmpstr(error->message, ==, cases[i].message);
            g_assert_cmpuint(flags, ==, cases[i].flags);    /* untouched */
        } else {
            g_assert_no_error(error);
            g_assert_true(ok);
            g_assert_cmphex(flags, ==, cases[i].resolved);
        }
    }
}

static void
test_error_domains(void)
{
    g_autoptr(GError) error = NULL;
    unsigned int flags = LIVE;

    g_assert_false(mv_driver_affect_resolve(&test_class, &flags, false, true, 0, &error));
    g_assert_cmpint(mv_error_get_subsystem(error), ==, MV_FROM_QEMU);
    g_clear_error(&error);
    g_assert_false(mv_driver_affect_check_exclusive(&test_class, LIVE | CONF, &error));
    g_assert_cmpint(mv_error_get_subsystem(error), ==, MV_FROM_DOMAIN);
    g_assert_true(mv_driver_affect_check_exclusive(&test_class, CONF | OTHER, NULL));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/driver/affect/table", test_table);
    g_test_add_func("/driver/affect/error-domains", test_error_domains);
    return g_test_run();
}
