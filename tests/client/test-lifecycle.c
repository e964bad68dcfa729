/* The whole domain lifecycle through libmodvirt against a real modvirt-qemud
 * under a private --root: connect, define, list, lookups, start, suspend,
 * resume, reset, shutdown request, power-off, autostart, undefine; lifecycle
 * events received in our GMainContext; two threads sharing one connection;
 * errors with their wire numbers; lazy routing to a secondary daemon;
 * network, storage and filter calls naming their missing daemons.
 * Skipped (TAP "1..0 # SKIP") when QEMU is not installed. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "client-priv.h"

static char *root;
static char *uri;
static GPid daemon_pid;
static GMainContext *context;
static GQueue events = G_QUEUE_INIT;      /* "name:event:detail" strings */

static const char *
build_root(void)
{
    const char *b = g_getenv("MV_BUILD_ROOT");
    return b ? b : "build";
}

/* The daemon's status when it has exited (reaped now), else -1. */
static int
daemon_exited(void)
{
    int status;

    if (daemon_pid > 0 && waitpid(daemon_pid, &status, WNOHANG) == daemon_pid) {
        daemon_pid = 0;
        return status;
    }
    return -1;
}

/* The daemon dies with us even when a failed assertion aborts the test. */
static void
child_setup(gpointer data)
{
    prctl(PR_SET_PDEATHSIG, SIGTERM);
}

static void
daemon_start(void)
{
    g_autofree char *binary = g_build_filename(build_root(), "daemons", "qemu", "modvirt-qemud",
                                               NULL);
    g_autofree char *log = g_build_filename(root, "daemon.log", NULL);
    g_autofree char *cmd = NULL;
    g_autoptr(GError) error = NULL;
    gint64 deadline = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
    int fd;

    if (!g_file_test(binary, G_FILE_TEST_IS_EXECUTABLE))
        g_error("the daemon %s is missing: build it first", binary);
    fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    g_assert_cmpint(fd, >=, 0);
    {
        const char *argv[] = { binary, "--root", root, NULL };
        g_auto(GStrv) env = g_get_environ();

        env = g_environ_setenv(env, "MODVIRT_LOG", "debug", TRUE);
        env = g_environ_unsetenv(env, "NOTIFY_SOCKET");
        env = g_environ_unsetenv(env, "LISTEN_FDS");
        g_spawn_async_with_fds(NULL, (char **)argv, env, G_SPAWN_DO_NOT_REAP_CHILD,
                               child_setup, NULL, &daemon_pid, -1, fd, fd, &error);
    }
    close(fd);
    g_assert_no_error(error);
    while (g_get_monotonic_time() < deadline) {
        g_autoptr(MvConnect) probe = mv_connect_open(uri, 0, NULL);

        if (probe)
            return;
        if (daemon_exited() >= 0)
            g_error("modvirt-qemud exited at start; see %s", log);
        g_usleep(20000);
    }
    g_error("modvirt-qemud did not start within 20 s; see %s", log);
}

/* SIGTERM (SIGKILL after 10 s) and reap; true when the daemon exited 0 (in the
 * sanitized build a report at exit, a leak included, aborts it). */
static bool
daemon_stop(void)
{
    int status = -1;

    if (daemon_pid <= 0)
        return true;
    kill(daemon_pid, SIGTERM);
    for (int i = 0; i < 1000 && (status = daemon_exited()) < 0; i++)
        g_usleep(10000);
    if (daemon_pid > 0) {
        kill(daemon_pid, SIGKILL);
        waitpid(daemon_pid, NULL, 0);
        daemon_pid = 0;
        return false;
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void
remove_root(void)
{
    const char *argv[] = { "rm", "-rf", root, NULL };

    if (g_getenv("MV_TEST_KEEP"))
        return;
    g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                 NULL);
}

static char *
firmware_xml(const char *name)
{
    const char *type = access("/dev/kvm", R_OK | W_OK) == 0 ? "kvm" : "qemu";

    return g_strdup_printf("<domain type='%s'>\n  <name>%s</name>\n"
                           "  <memory unit='MiB'>32</memory>\n  <vcpu>1</vcpu>\n"
                           "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
                           "  <features><acpi/></features>\n"
                           "  <devices></devices>\n</domain>\n", type, name);
}

/* ---- events ------------------------------------------------------------------------ */

static GThread *main_thread;

static void
on_event(MvConnect *conn, MvDomain *dom, MvDomainEventType event, int detail, gpointer data)
{
    /* delivered in our context, on our thread */
    g_assert_true(g_thread_self() == main_thread);
    g_queue_push_tail(&events, g_strdup_printf("%s:%s:%s", mv_domain_get_name(dom),
                                               mv_domain_event_type_name(event),
                                               mv_domain_event_detail_name(event, detail)));
}

/* Iterates our context until @expect ("name:event:detail") arrives; earlier
 * other events are dropped. */
static void
wait_event(const char *expect)
{
    gint64 deadline = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;

    while (g_get_monotonic_time() < deadline) {
        char *e;

        while ((e = g_queue_pop_head(&events))) {
            bool match = g_str_equal(e, expect);

            g_free(e);
            if (match)
                return;
        }
        if (!g_main_context_iteration(context, FALSE))
            g_usleep(10000);
    }
    g_error("event %s not received within 20 s", expect);
}

/* ---- threads ------------------------------------------------------------------------- */

typedef struct {
    MvConnect *conn;
    MvDomain *dom;
    int calls;
    int failures;
} Hammer;

static gpointer
hammer(gpointer data)
{
    Hammer *h = data;

    for (int i = 0; i < 150; i++) {
        g_autoptr(GError) error = NULL;
        MvDomainState state;
        MvDomainInfo info;
        MvDomain **list;
        g_autofree char *xml = NULL;

        switch (i % 4) {
        case 0:
            if (!mv_domain_get_state(h->dom, 0, &state, NULL, &error) ||
                state != MV_DOMAIN_STATE_RUNNING)
                h->failures++;
            break;
        case 1:
            if (!mv_domain_get_info(h->dom, 0, &info, &error) || info.vcpus != 1)
                h->failures++;
            break;
        case 2:
            if (!(list = mv_connect_list_domains(h->conn, 0, NULL, &error)) || !list[0])
                h->failures++;
            mv_domain_list_free(list);
            break;
        default:
            if (!(xml = mv_domain_get_xml(h->dom, 0, &error)) || !strstr(xml, "<name>"))
                h->failures++;
            break;
        }
        h->calls++;
    }
    return NULL;
}

/* ---- the tests -------------------------------------------------------------------------- */

static MvConnect *conn;

static void
test_connect(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *host = mv_connect_get_hostname(conn, 0, &error);
    g_autofree char *caps = NULL;
    guint64 version = 0;

    g_assert_no_error(error);
    g_assert_cmpstr(host, ==, g_get_host_name());
    g_assert_true(mv_connect_get_hypervisor_version(conn, 0, &version, &error));
    g_assert_cmpuint(version, >, 1000000);
    caps = mv_connect_get_capabilities(conn, 0, &error);
    g_assert_nonnull(strstr(caps, "<capabilities>"));
    g_assert_true(mv_connect_is_alive(conn));
    g_assert_false(mv_connect_is_read_only(conn));
    g_assert_cmpstr(mv_connect_get_uri(conn), ==, uri);
}

static void
test_lifecycle(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = firmware_xml("life1");
    g_autoptr(MvDomain) dom = NULL;
    g_autoptr(MvDomain) by_uuid = NULL;
    g_autoptr(MvDomain) by_id = NULL;
    g_autoptr(MvDomain) by_any = NULL;
    MvDomain **list;
    MvDomainState state;
    MvDomainInfo info;
    gsize count = 0;
    bool autostart = true;
    int reason = -1;
    guint watch;

    watch = mv_connect_watch_domain_events(conn, NULL, NULL, on_event, NULL, NULL, 0, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(watch, >, 0);

    dom = mv_domain_define(conn, xml, MV_DOMAIN_DEFINE_VALIDATE, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(mv_domain_get_name(dom), ==, "life1");
    g_assert_cmpint(mv_domain_get_id(dom), ==, -1);
    wait_event("life1:defined:added");

    list = mv_connect_list_domains(conn, MV_LIST_DOMAINS_INACTIVE, &count, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(count, ==, 1);
    g_assert_cmpstr(mv_domain_get_uuid_string(list[0]), ==, mv_domain_get_uuid_string(dom));
    mv_domain_list_free(list);
    list = mv_connect_list_domains(conn, MV_LIST_DOMAINS_ACTIVE, &count, &error);
    g_assert_cmpuint(count, ==, 0);
    g_assert_null(list[0]);
    mv_domain_list_free(list);

    g_assert_true(mv_domain_get_state(dom, 0, &state, &reason, &error));
    g_assert_cmpint(state, ==, MV_DOMAIN_STATE_SHUTOFF);

    g_assert_true(mv_domain_start(dom, 0, &error));
    g_assert_no_error(error);
    g_assert_cmpint(mv_domain_get_id(dom), >, 0);
    wait_event("life1:started:booted");

    by_uuid = mv_domain_lookup_by_uuid(conn, mv_domain_get_uuid_string(dom), 0, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(mv_domain_get_name(by_uuid), ==, "life1");
    by_id = mv_domain_lookup_by_id(conn, mv_domain_get_id(dom), 0, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(mv_domain_get_name(by_id), ==, "life1");
    by_any = mv_domain_lookup(conn, mv_domain_get_uuid_string(dom), 0, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(mv_domain_get_name(by_any), ==, "life1");

    g_assert_true(mv_domain_get_info(dom, 0, &info, &error));
    g_assert_cmpint(info.state, ==, MV_DOMAIN_STATE_RUNNING);
    g_assert_cmpuint(info.memory_kib, ==, 32 * 1024);
    g_assert_cmpuint(info.vcpus, ==, 1);
    g_assert_true(info.persistent);
    g_assert_false(info.autostart);

    /* already running: the daemon's error number comes through unchanged */
    g_assert_false(mv_domain_start(dom, 0, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_OPERATION_INVALID);
    g_clear_error(&error);

    g_assert_true(mv_domain_suspend(dom, 0, &error));
    wait_event("life1:suspended:paused");
    g_assert_true(mv_domain_get_state(dom, 0, &state, NULL, &error));
    g_assert_cmpint(state, ==, MV_DOMAIN_STATE_PAUSED);
    g_assert_true(mv_domain_resume(dom, 0, &error));
    wait_event("life1:resumed:unpaused");

    g_assert_true(mv_domain_reset(dom, 0, &error));
    g_assert_no_error(error);
    g_assert_true(mv_domain_shutdown(dom, 0, &error));    /* a request: firmware ignores it */
    g_assert_no_error(error);

    g_assert_true(mv_domain_set_autostart(dom, true, 0, &error));
    g_assert_true(mv_domain_get_autostart(dom, 0, &autostart, &error));
    g_assert_true(autostart);
    g_assert_true(mv_domain_set_autostart(dom, false, 0, &error));

    g_assert_true(mv_domain_power_off(dom, 0, &error));
    g_assert_no_error(error);
    g_assert_cmpint(mv_domain_get_id(dom), ==, -1);
    wait_event("life1:stopped:destroyed");
    g_assert_true(mv_domain_get_state(dom, 0, &state, &reason, &error));
    g_assert_cmpint(state, ==, MV_DOMAIN_STATE_SHUTOFF);

    g_assert_true(mv_domain_undefine(dom, 0, &error));
    wait_event("life1:undefined:removed");
    g_assert_null(mv_domain_lookup_by_name(conn, "life1", 0, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_NO_DOMAIN);
    g_clear_error(&error);

    g_assert_true(mv_connect_unwatch_events(conn, watch, 0, &error));
    g_assert_false(mv_connect_unwatch_events(conn, watch, 0, NULL));
}

static void
test_domain_filter(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *xa = firmware_xml("filt-a");
    g_autofree char *xb = firmware_xml("filt-b");
    g_autoptr(MvDomain) a = mv_domain_define(conn, xa, 0, &error);
    g_autoptr(MvDomain) b = mv_domain_define(conn, xb, 0, &error);
    guint watch;

    g_assert_no_error(error);
    watch = mv_connect_watch_domain_events(conn, a, context, on_event, NULL, NULL, 0, &error);
    g_assert_no_error(error);
    g_assert_true(mv_domain_undefine(b, 0, &error));
    g_assert_true(mv_domain_undefine(a, 0, &error));
    wait_event("filt-a:undefined:removed");
    /* b's event was never delivered: only a's arrived before it */
    for (GList *l = events.head; l; l = l->next)
        g_assert_null(strstr(l->data, "filt-b"));
    mv_connect_unwatch_events(conn, watch, 0, NULL);
}

static void
test_threads(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = firmware_xml("threads1");
    g_autoptr(MvDomain) dom = mv_domain_define(conn, xml, 0, &error);
    Hammer h[2] = { { conn, dom, 0, 0 }, { conn, dom, 0, 0 } };
    GThread *t[2];

    g_assert_no_error(error);
    g_assert_true(mv_domain_start(dom, 0, &error));
    for (int i = 0; i < 2; i++)
        t[i] = g_thread_new("hammer", hammer, &h[i]);
    for (int i = 0; i < 2; i++)
        g_thread_join(t[i]);
    for (int i = 0; i < 2; i++) {
        g_assert_cmpint(h[i].calls, ==, 150);
        g_assert_cmpint(h[i].failures, ==, 0);
    }
    g_assert_true(mv_domain_power_off(dom, 0, &error));
    g_assert_true(mv_domain_undefine(dom, 0, &error));
}

static void
test_read_only(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MvConnect) ro = mv_connect_open(uri, MV_CONNECT_READ_ONLY, &error);
    g_autofree char *xml = firmware_xml("ro1");
    MvDomain **list;

    g_assert_no_error(error);
    g_assert_true(mv_connect_is_read_only(ro));
    list = mv_connect_list_domains(ro, 0, NULL, &error);
    g_assert_no_error(error);
    mv_domain_list_free(list);
    g_assert_null(mv_domain_define(ro, xml, 0, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_OPERATION_DENIED);
}

/* Network calls open a second link lazily, to ROOT/run/network.sock, with
 * CONNECT_OPEN("network:///system"). No network daemon exists yet, so point
 * that socket at qemud: it must be asked for network:///system (and refuse). */
static void
test_lazy_secondary(void)
{
    g_autofree char *target = g_build_filename(root, "run", "qemu.sock", NULL);
    g_autofree char *link = g_build_filename(root, "run", "network.sock", NULL);
    g_autoptr(MvConnect) c = mv_connect_open(uri, 0, NULL);
    g_autoptr(GError) error = NULL;

    g_assert_nonnull(c);
    g_assert_null(mv_connect_link_daemon(c, MV_DAEMON_STORAGE, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_NO_CONNECT);
    g_assert_nonnull(strstr(error->message, "modvirt-storaged"));
    g_clear_error(&error);

    g_assert_cmpint(symlink(target, link), ==, 0);
    g_assert_null(mv_connect_link_daemon(c, MV_DAEMON_NETWORK, &error));
    g_assert_nonnull(error);
    g_assert_nonnull(strstr(error->message, "network:///system"));
    g_assert_nonnull(strstr(error->message, link));
    g_unlink(link);
    /* the primary link is untouched */
    g_assert_true(mv_connect_is_alive(c));
}

/* Asserts @error is the NO_CONNECT of a secondary daemon that is not
 * running: it names the program and its socket under the test root. */
static void
assert_missing_daemon(GError *error, const char *program, const char *socket)
{
    g_autofree char *path = g_build_filename(root, "run", socket, NULL);

    g_assert_error(error, MV_ERROR, MV_ERROR_NO_CONNECT);
    if (!strstr(error->message, program) || !strstr(error->message, path) ||
        !strstr(error->message, "start "))
        g_error("the error does not name %s at %s: %s", program, path, error->message);
}

static void
on_net_event(MvConnect *c, MvNetwork *net, MvNetworkEventType event, int detail,
             gpointer data)
{
    g_assert_not_reached();
}

static void
on_pool_event(MvConnect *c, MvStoragePool *pool, MvStoragePoolEventType event, int detail,
              gpointer data)
{
    g_assert_not_reached();
}

/* No network, storage or filter daemon runs under this root: the calls of
 * those families fail with an error naming the daemon and its socket, and
 * the connection's domain calls go on working in between. */
static void
test_missing_object_daemons(void)
{
    g_autofree char *xml = firmware_xml("objects1");
    g_autoptr(GError) error = NULL;
    g_autoptr(MvDomain) dom = NULL;
    g_autoptr(MvConnect) ro = NULL;
    MvDomain **doms;
    guint watch;

    /* networks */
    g_assert_null(mv_connect_list_networks(conn, MV_LIST_NETWORKS_ACTIVE, NULL, &error));
    assert_missing_daemon(error, "modvirt-networkd", "network.sock");
    g_assert_nonnull(strstr(error->message, "virtual networks"));
    g_test_message("%s", error->message);
    g_clear_error(&error);
    g_assert_null(mv_network_lookup_by_name(conn, "default", 0, &error));
    assert_missing_daemon(error, "modvirt-networkd", "network.sock");
    g_clear_error(&error);
    watch = mv_connect_watch_network_events(conn, NULL, NULL, on_net_event, NULL, NULL, 0,
                                            &error);
    g_assert_cmpuint(watch, ==, 0);
    assert_missing_daemon(error, "modvirt-networkd", "network.sock");
    g_clear_error(&error);

    /* the domain calls are undisturbed */
    dom = mv_domain_define(conn, xml, 0, &error);
    g_assert_no_error(error);
    g_assert_nonnull(dom);

    /* storage pools and volumes */
    g_assert_null(mv_connect_list_storage_pools(conn, 0, NULL, &error));
    assert_missing_daemon(error, "modvirt-storaged", "storage.sock");
    g_assert_nonnull(strstr(error->message, "storage pools and volumes"));
    g_clear_error(&error);
    g_assert_null(mv_storage_volume_lookup_by_path(conn, "/var/lib/x.qcow2", 0, &error));
    assert_missing_daemon(error, "modvirt-storaged", "storage.sock");
    g_clear_error(&error);
    watch = mv_connect_watch_storage_pool_events(conn, NULL, NULL, on_pool_event, NULL, NULL,
                                                 0, &error);
    g_assert_cmpuint(watch, ==, 0);
    assert_missing_daemon(error, "modvirt-storaged", "storage.sock");
    g_clear_error(&error);

    g_assert_true(mv_domain_set_autostart(dom, true, 0, &error));
    g_assert_no_error(error);

    /* network filters, also on a read-only connection (its -ro socket) */
    g_assert_null(mv_connect_list_network_filters(conn, 0, NULL, &error));
    assert_missing_daemon(error, "modvirt-filterd", "filter.sock");
    g_clear_error(&error);
    ro = mv_connect_open(uri, MV_CONNECT_READ_ONLY, &error);
    g_assert_no_error(error);
    g_assert_null(mv_network_filter_lookup_by_name(ro, "clean-traffic", 0, &error));
    assert_missing_daemon(error, "modvirt-filterd", "filter-ro.sock");
    g_clear_error(&error);

    /* a second try fails the same way (no half-open link is kept) */
    g_assert_null(mv_connect_list_networks(conn, 0, NULL, &error));
    assert_missing_daemon(error, "modvirt-networkd", "network.sock");
    g_clear_error(&error);

    /* and the hypervisor daemon still answers on both connections */
    doms = mv_connect_list_domains(conn, 0, NULL, &error);
    g_assert_no_error(error);
    g_assert_nonnull(doms);
    mv_domain_list_free(doms);
    doms = mv_connect_list_domains(ro, 0, NULL, &error);
    g_assert_no_error(error);
    mv_domain_list_free(doms);
    g_assert_true(mv_domain_undefine(dom, 0, &error));
    g_assert_no_error(error);
    g_assert_true(mv_connect_is_alive(conn));
    g_assert_true(mv_connect_is_alive(ro));
    g_assert_cmpint(daemon_exited(), <, 0);
}

int
main(int argc, char **argv)
{
    g_autofree char *qemu = g_find_program_in_path("qemu-system-x86_64");
    int status;

    g_test_init(&argc, &argv, NULL);
    if (!qemu) {
        /* TAP (meson protocol 'tap'): a plan of zero with the reason, exit 0 */
        printf("1..0 # SKIP qemu-system-x86_64 is not installed\n");
        return 0;
    }
    main_thread = g_thread_self();
    root = g_dir_make_tmp("mvc-life-XXXXXX", NULL);
    uri = g_strdup_printf("qemu:///system?root=%s", root);
    context = g_main_context_new();
    g_main_context_push_thread_default(context);
    daemon_start();
    conn = mv_connect_open(uri, 0, NULL);
    g_assert_nonnull(conn);

    g_test_add_func("/client/lifecycle/connect", test_connect);
    g_test_add_func("/client/lifecycle/lifecycle", test_lifecycle);
    g_test_add_func("/client/lifecycle/domain-filter", test_domain_filter);
    g_test_add_func("/client/lifecycle/threads", test_threads);
    g_test_add_func("/client/lifecycle/read-only", test_read_only);
    g_test_add_func("/client/lifecycle/lazy-secondary", test_lazy_secondary);
    g_test_add_func("/client/lifecycle/missing-object-daemons", test_missing_object_daemons);
    status = g_test_run();

    mv_connect_unref(conn);
    if (!daemon_stop()) {
        fprintf(stderr, "modvirt-qemud did not exit 0 on SIGTERM\n");
        status = 1;
    }
    if (status != 0) {
        g_autofree char *log = g_build_filename(root, "daemon.log", NULL);
        g_autofree char *text = NULL;

        if (g_file_get_contents(log, &text, NULL, NULL))
            fprintf(stderr, "---- daemon log (last 3000 bytes) ----\n%s\n",
                    strlen(text) > 3000 ? text + strlen(text) - 3000 : text);
    }
    remove_root();
    g_queue_clear_full(&events, g_free);
    g_main_context_pop_thread_default(context);
    g_main_context_unref(context);
    return status;
}
