/* Flag and argument checks: every public call that takes flags rejects
 * unknown bits with MV_ERROR_INVALID_ARG before it contacts any daemon, and
 * every ref/unref/free accepts NULL. The connection points at a root with
 * no daemon, so a call that got past its checks fails with NO_CONNECT. */
#include "client-priv.h"

#define BAD (1u << 31)

static MvConnect *conn;
static MvDomain *dom;

/* @call runs with @flags; returns its success and sets @error. */
typedef bool (*FlagCall)(unsigned int flags, GError **error);

static bool
c_open(unsigned int flags, GError **error)
{
    g_autoptr(MvConnect) c = mv_connect_open("qemu:///system?root=/nonexistent", flags, error);
    return c != NULL;
}
static bool
c_hostname(unsigned int flags, GError **error)
{
    g_autofree char *h = mv_connect_get_hostname(conn, flags, error);
    return h != NULL;
}
static bool
c_version(unsigned int flags, GError **error)
{
    guint64 v;
    return mv_connect_get_hypervisor_version(conn, flags, &v, error);
}
static bool
c_caps(unsigned int flags, GError **error)
{
    g_autofree char *x = mv_connect_get_capabilities(conn, flags, error);
    return x != NULL;
}
static bool
c_list(unsigned int flags, GError **error)
{
    MvDomain **l = mv_connect_list_domains(conn, flags, NULL, error);
    mv_domain_list_free(l);
    return l != NULL;
}
static bool
c_lookup_name(unsigned int flags, GError **error)
{
    g_autoptr(MvDomain) d = mv_domain_lookup_by_name(conn, "x", flags, error);
    return d != NULL;
}
static bool
c_lookup_uuid(unsigned int flags, GError **error)
{
    g_autoptr(MvDomain) d = mv_domain_lookup_by_uuid(conn, "00000000-0000-0000-0000-000000000001",
                                                     flags, error);
    return d != NULL;
}
static bool
c_lookup_id(unsigned int flags, GError **error)
{
    g_autoptr(MvDomain) d = mv_domain_lookup_by_id(conn, 1, flags, error);
    return d != NULL;
}
static bool
c_lookup(unsigned int flags, GError **error)
{
    g_autoptr(MvDomain) d = mv_domain_lookup(conn, "x", flags, error);
    return d != NULL;
}
static bool
c_define(unsigned int flags, GError **error)
{
    g_autoptr(MvDomain) d = mv_domain_define(conn, "<domain/>", flags, error);
    return d != NULL;
}
static bool
c_transient(unsigned int flags, GError **error)
{
    g_autoptr(MvDomain) d = mv_domain_start_transient(conn, "<domain/>", flags, error);
    return d != NULL;
}
#define DOMCALL(fn) \
    static bool c_##fn(unsigned int flags, GError **error) { return mv_domain_##fn(dom, flags, error); }
DOMCALL(start)
DOMCALL(shutdown)
DOMCALL(power_off)
DOMCALL(reboot)
DOMCALL(reset)
DOMCALL(suspend)
DOMCALL(resume)
DOMCALL(undefine)
static bool
c_state(unsigned int flags, GError **error)
{
    MvDomainState s;
    return mv_domain_get_state(dom, flags, &s, NULL, error);
}
static bool
c_info(unsigned int flags, GError **error)
{
    MvDomainInfo i;
    return mv_domain_get_info(dom, flags, &i, error);
}
static bool
c_xml(unsigned int flags, GError **error)
{
    g_autofree char *x = mv_domain_get_xml(dom, flags, error);
    return x != NULL;
}
static bool
c_get_autostart(unsigned int flags, GError **error)
{
    bool a;
    return mv_domain_get_autostart(dom, flags, &a, error);
}
static bool
c_set_autostart(unsigned int flags, GError **error)
{
    return mv_domain_set_autostart(dom, true, flags, error);
}
static bool
c_console(unsigned int flags, GError **error)
{
    g_autoptr(MvStream) s = mv_domain_open_console(dom, NULL, flags, error);
    return s != NULL;
}
static void
on_event(MvConnect *c, MvDomain *d, MvDomainEventType e, int detail, gpointer data)
{
}
static bool
c_watch(unsigned int flags, GError **error)
{
    return mv_connect_watch_domain_events(conn, NULL, NULL, on_event, NULL, NULL, flags,
                                          error) != 0;
}

typedef struct {
    const char *name;
    FlagCall call;
    unsigned int valid;         /* a known flag combination */
} FlagCase;

static const FlagCase cases[] = {
    { "connect_open", c_open, MV_CONNECT_READ_ONLY },
    { "connect_get_hostname", c_hostname, 0 },
    { "connect_get_hypervisor_version", c_version, 0 },
    { "connect_get_capabilities", c_caps, 0 },
    { "connect_list_domains", c_list, MV_LIST_DOMAINS_ACTIVE | MV_LIST_DOMAINS_NO_AUTOSTART },
    { "domain_lookup_by_name", c_lookup_name, 0 },
    { "domain_lookup_by_uuid", c_lookup_uuid, 0 },
    { "domain_lookup_by_id", c_lookup_id, 0 },
    { "domain_lookup", c_lookup, 0 },
    { "domain_define", c_define, MV_DOMAIN_DEFINE_VALIDATE },
    { "domain_start_transient", c_transient, MV_DOMAIN_START_PAUSED },
    { "domain_start", c_start, MV_DOMAIN_START_PAUSED },
    { "domain_shutdown", c_shutdown, 0 },
    { "domain_power_off", c_power_off, MV_DOMAIN_POWER_OFF_GRACEFUL },
    { "domain_reboot", c_reboot, 0 },
    { "domain_reset", c_reset, 0 },
    { "domain_suspend", c_suspend, 0 },
    { "domain_resume", c_resume, 0 },
    { "domain_undefine", c_undefine, 0 },
    { "domain_get_state", c_state, 0 },
    { "domain_get_info", c_info, 0 },
    { "domain_get_xml", c_xml, MV_DOMAIN_XML_INACTIVE | MV_DOMAIN_XML_SECURE },
    { "domain_get_autostart", c_get_autostart, 0 },
    { "domain_set_autostart", c_set_autostart, 0 },
    { "domain_open_console", c_console, MV_CONSOLE_FORCE },
    { "connect_watch_domain_events", c_watch, 0 },
};

static void
test_flags(gconstpointer data)
{
    const FlagCase *t = data;
    g_autoptr(GError) error = NULL;

    g_assert_false(t->call(BAD | t->valid, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_INVALID_ARG);
    g_assert_nonnull(strstr(error->message, "unsupported flags 0x80000000"));
    g_clear_error(&error);

    /* known flags pass the check and reach the (absent) daemon */
    g_assert_false(t->call(t->valid, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_NO_CONNECT);
}

static void
test_null(void)
{
    g_autoptr(GError) error = NULL;

    mv_connect_unref(NULL);
    mv_domain_unref(NULL);
    mv_domain_list_free(NULL);
    mv_stream_unref(NULL);
    mv_stream_abort(NULL);
    g_assert_null(mv_connect_ref(NULL));
    g_assert_null(mv_domain_ref(NULL));
    g_assert_null(mv_stream_ref(NULL));

    g_assert_false(mv_domain_start(NULL, 0, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_null(mv_domain_lookup_by_name(conn, NULL, 0, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_null(mv_domain_lookup_by_uuid(conn, "not-a-uuid", 0, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_false(mv_connect_unwatch_events(conn, 12345, 0, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_false(mv_connect_unwatch_events(conn, 1, BAD, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_INVALID_ARG);
}

static void
test_names(void)
{
    g_assert_cmpstr(mv_domain_state_name(MV_DOMAIN_STATE_SHUTOFF), ==, "shut off");
    g_assert_cmpstr(mv_domain_state_name(42), ==, "unknown");
    g_assert_cmpstr(mv_domain_event_type_name(MV_DOMAIN_EVENT_STOPPED), ==, "stopped");
    g_assert_cmpstr(mv_domain_event_detail_name(MV_DOMAIN_EVENT_STOPPED, 1), ==, "destroyed");
    g_assert_cmpstr(mv_domain_event_detail_name(MV_DOMAIN_EVENT_STARTED, 0), ==, "booted");
    g_assert_cmpstr(mv_domain_event_detail_name(MV_DOMAIN_EVENT_STARTED, 99), ==, "unknown");
    g_assert_cmpstr(mv_domain_event_detail_name(-1, 0), ==, "unknown");
    g_assert_cmpuint(mv_library_version(), >=, 1000);
}

int
main(int argc, char **argv)
{
    mv_remote_nonnull_domain ref = { .name = "ghost", .id = -1 };
    int status;

    g_test_init(&argc, &argv, NULL);
    conn = mv_connect_new_unopened("qemu:///system?root=/nonexistent", 0, NULL);
    dom = mv_domain_new_from_wire(conn, &ref);
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *name = g_strdup_printf("/client/flags/%s", cases[i].name);

        g_test_add_data_func(name, &cases[i], test_flags);
    }
    g_test_add_func("/client/flags/null", test_null);
    g_test_add_func("/client/flags/names", test_names);
    status = g_test_run();
    mv_domain_unref(dom);
    mv_connect_unref(conn);
    return status;
}
