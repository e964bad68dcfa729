/* qemud's domains on the driver frame (qemu-domain.c): the domain class
 * gives jobs, the list and AFFECT the texts and codes qemud always had. The
 * job machinery itself (waking, chains, deadlines, queries during a job) is
 * tested in tests/driver/test-jobs.c. */
#include <string.h>

#include "driver/affect.h"
#include "qemu-domain.h"
#include "util/error.h"

#define DOMAIN_XML "<domain type='qemu'><name>job1</name><memory unit='MiB'>32</memory>" \
                   "<uuid>6f1c5a3e-1d2b-4c3d-8e4f-5a6b7c8d9e0f</uuid>" \
                   "<os><type arch='x86_64' machine='pc'>hvm</type></os></domain>"

typedef struct {
    MvDriverList *list;
    MvQemuDomain *dom;
} Fixture;

static MvDomainDef *
parse(void)
{
    g_autoptr(GError) error = NULL;
    MvDomainDef *def = mv_domain_def_parse_string(DOMAIN_XML, 0, &error);

    g_assert_no_error(error);
    return def;
}

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;

    f->list = mv_driver_list_new(&mv_qemu_domain_class, NULL);
    f->dom = mv_qemu_domains_add(f->list, parse(), true, &error);
    g_assert_no_error(error);
    g_assert_nonnull(f->dom);
    g_assert_cmpint(f->dom->id, ==, -1);
    g_assert_cmpint(f->dom->pid, ==, -1);
    g_assert_cmpint(f->dom->state, ==, MV_DOMAIN_SHUTOFF);
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
    mv_driver_list_remove(f->list, MV_DRIVER_OBJECT(f->dom));
    mv_qemu_domain_unref(f->dom);
    mv_driver_list_free(f->list);
}

static void
test_timeout_names_holder(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    MvDriverObject *obj = MV_DRIVER_OBJECT(f->dom);

    g_assert_true(mv_driver_object_begin_job(obj, "virDomainDetachDevice", 1000, &error));
    g_assert_false(mv_driver_object_begin_job(obj, "virDomainSuspend", 50, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_TIMEOUT);
    g_assert_cmpint(mv_error_get_subsystem(error), ==, MV_FROM_QEMU);
    g_assert_true(g_str_has_prefix(error->message, "Timed out during operation: cannot acquire "
                                   "state change lock of domain 'job1' (held by "
                                   "virDomainDetachDevice for "));
    mv_driver_object_end_job(obj);
}

static void
test_texts(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    unsigned int flags = MV_DRIVER_AFFECT_LIVE;

    g_assert_null(mv_qemu_domains_add(f->list, parse(), false, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_FAILED);
    g_assert_cmpint(mv_error_get_subsystem(error), ==, MV_FROM_DOMAIN);
    g_assert_cmpstr(error->message, ==, "domain 'job1' already exists with uuid "
                    "6f1c5a3e-1d2b-4c3d-8e4f-5a6b7c8d9e0f");
    g_clear_error(&error);

    g_assert_false(mv_driver_affect_resolve(&mv_qemu_domain_class, &flags, false, true, 0,
                                            &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_INVALID);
    g_assert_cmpstr(error->message, ==,
                    "Requested operation is not valid: domain is not running");
    g_clear_error(&error);

    mv_driver_list_remove(f->list, MV_DRIVER_OBJECT(f->dom));
    g_assert_false(mv_driver_object_begin_job(MV_DRIVER_OBJECT(f->dom), "x", 10, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_NO_DOMAIN);
    g_assert_cmpstr(error->message, ==, "Domain not found: domain 'job1' was removed");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/qemu/jobs/timeout-names-holder", Fixture, NULL, fixture_set_up,
               test_timeout_names_holder, fixture_tear_down);
    g_test_add("/qemu/jobs/texts", Fixture, NULL, fixture_set_up, test_texts,
               fixture_tear_down);
    return g_test_run();
}
