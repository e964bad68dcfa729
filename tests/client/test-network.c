/* libmodvirt's network calls (client/include/modvirt/network.h) end to end
 * against a real modvirt-networkd under a private --root, in the private
 * network namespace meson runs this test in (unshare -n): define, list with
 * every filter, lookups by name and UUID, start, XML (INACTIVE), autostart,
 * is-active/-persistent, bridge name, leases, a transient network, stop,
 * undefine, lifecycle events in our GMainContext, errors with their numbers. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <modvirt/modvirt.h>

static char *root;
static char *uri;
static GPid daemon_pid;

static void
child_setup(gpointer data)
{
    prctl(PR_SET_PDEATHSIG, SIGTERM);
}

static void
daemon_start(void)
{
    const char *b = g_getenv("MV_BUILD_ROOT");
    g_autofree char *binary = g_build_filename(b ? b : "build", "daemons", "network",
                                               "modvirt-networkd", NULL);
    g_autofree char *log = g_build_filename(root, "daemon.log", NULL);
    const char *argv[] = { binary, "--root", root, NULL };
    g_auto(GStrv) env = g_get_environ();
    g_autoptr(GError) error = NULL;
    gint64 deadline = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

    g_assert_cmpint(fd, >=, 0);
    env = g_environ_setenv(env, "MODVIRT_LOG", "debug", TRUE);
    env = g_environ_unsetenv(env, "NOTIFY_SOCKET");
    env = g_environ_unsetenv(env, "LISTEN_FDS");
    g_spawn_async_with_fds(NULL, (char **)argv, env, G_SPAWN_DO_NOT_REAP_CHILD, child_setup,
                           NULL, &daemon_pid, -1, fd, fd, &error);
    close(fd);
    g_assert_no_error(error);
    while (g_get_monotonic_time() < deadline) {
        g_autofree char *sock = g_build_filename(root, "run", "network.sock", NULL);

        if (g_file_test(sock, G_FILE_TEST_EXISTS))
            return;
        g_usleep(20000);
    }
    g_error("modvirt-networkd did not start within 20 s; see %s", log);
}

static void
daemon_stop(void)
{
    int status;

    if (daemon_pid <= 0)
        return;
    kill(daemon_pid, SIGTERM);
    waitpid(daemon_pid, &status, 0);
    daemon_pid = 0;
}

static char *
net_xml(const char *name, int n)
{
    return g_strdup_printf("<network>\n  <name>%s</name>\n  <bridge name='mvlib%d'/>\n"
                           "  <ip address='10.140.%d.1' prefix='24'/>\n</network>\n",
                           name, n, n);
}

static char **
names(MvNetwork **list)
{
    GPtrArray *out = g_ptr_array_new();

    for (MvNetwork **n = list; *n; n++)
        g_ptr_array_add(out, g_strdup(mv_network_get_name(*n)));
    g_ptr_array_add(out, NULL);
    mv_network_list_free(list);
    return (char **)g_ptr_array_free(out, FALSE);
}

static char *
listed(MvConnect *conn, unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    MvNetwork **list = mv_connect_list_networks(conn, flags, NULL, &error);
    g_auto(GStrv) n = NULL;

    g_assert_no_error(error);
    n = names(list);
    return g_strjoinv(",", n);
}

typedef struct {
    GString *seen;
} Events;

static void
on_event(MvConnect *conn, MvNetwork *net, MvNetworkEventType event, int detail, gpointer data)
{
    Events *ev = data;

    g_string_append_printf(ev->seen, "%s:%s;", mv_network_get_name(net),
                           mv_network_event_type_name(event));
}

static void
test_lifecycle(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MvConnect) conn = mv_connect_open(uri, 0, &error);
    g_autoptr(MvNetwork) a = NULL;
    g_autoptr(MvNetwork) b = NULL;
    g_autoptr(MvNetwork) t = NULL;
    g_autoptr(MvNetwork) found = NULL;
    g_autofree char *xml_a = net_xml("liba", 1);
    g_autofree char *xml_b = net_xml("libb", 2);
    g_autofree char *xml_t = net_xml("libt", 3);
    g_autofree char *xml = NULL;
    g_autofree char *bridge = NULL;
    g_autofree char *s = NULL;
    MvNetworkDhcpLease **leases;
    Events ev = { g_string_new(NULL) };
    guint watch;
    bool flag;

    g_assert_no_error(error);
    watch = mv_connect_watch_network_events(conn, NULL, NULL, on_event, &ev, NULL, 0, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(watch, >, 0);

    a = mv_network_define(conn, xml_a, MV_NETWORK_DEFINE_VALIDATE, &error);
    g_assert_no_error(error);
    b = mv_network_define(conn, xml_b, 0, &error);
    g_assert_no_error(error);
    g_assert_true(mv_network_start(a, 0, &error));
    t = mv_network_start_transient(conn, xml_t, 0, &error);
    g_assert_no_error(error);
    g_assert_true(mv_network_set_autostart(a, true, 0, &error));

    s = listed(conn, 0);
    g_assert_cmpstr(s, ==, "liba,libb,libt");
    g_free(s);
    s = listed(conn, MV_LIST_NETWORKS_ACTIVE);
    g_assert_cmpstr(s, ==, "liba,libt");
    g_free(s);
    s = listed(conn, MV_LIST_NETWORKS_INACTIVE);
    g_assert_cmpstr(s, ==, "libb");
    g_free(s);
    s = listed(conn, MV_LIST_NETWORKS_TRANSIENT);
    g_assert_cmpstr(s, ==, "libt");
    g_free(s);
    s = listed(conn, MV_LIST_NETWORKS_PERSISTENT | MV_LIST_NETWORKS_AUTOSTART);
    g_assert_cmpstr(s, ==, "liba");
    g_free(s);
    s = listed(conn, MV_LIST_NETWORKS_NO_AUTOSTART);
    g_assert_cmpstr(s, ==, "libb,libt");

    found = mv_network_lookup_by_uuid(conn, mv_network_get_uuid_string(a), 0, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(mv_network_get_name(found), ==, "liba");
    g_assert_true(mv_network_is_active(found, 0, &flag, &error) && flag);
    g_assert_true(mv_network_is_persistent(t, 0, &flag, &error) && !flag);
    g_assert_true(mv_network_get_autostart(a, 0, &flag, &error) && flag);
    bridge = mv_network_get_bridge_name(a, 0, &error);
    g_assert_cmpstr(bridge, ==, "mvlib1");
    xml = mv_network_get_xml(a, MV_NETWORK_XML_INACTIVE, &error);
    g_assert_no_error(error);
    g_assert_nonnull(strstr(xml, "<name>liba</name>"));
    leases = mv_network_get_dhcp_leases(a, NULL, 0, NULL, &error);
    g_assert_no_error(error);
    g_assert_null(leases[0]);
    mv_network_dhcp_lease_list_free(leases);

    /* errors keep libvirt's numbers */
    g_assert_false(mv_network_start(a, 0, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_OPERATION_INVALID);
    g_clear_error(&error);
    g_assert_null(mv_network_lookup_by_name(conn, "nosuch", 0, &error));
    g_assert_error(error, MV_ERROR, MV_ERROR_NO_NETWORK);
    g_clear_error(&error);

    g_assert_true(mv_network_stop(t, 0, &error));
    g_assert_true(mv_network_stop(a, 0, &error));
    g_assert_true(mv_network_set_autostart(a, false, 0, &error));
    g_assert_true(mv_network_undefine(a, 0, &error));
    g_assert_true(mv_network_undefine(b, 0, &error));
    g_assert_no_error(error);
    g_free(s);
    s = listed(conn, 0);
    g_assert_cmpstr(s, ==, "");

    /* the events arrive in our (default) context, in order */
    for (int i = 0; i < 500 && !strstr(ev.seen->str, "libb:undefined"); i++) {
        while (g_main_context_iteration(NULL, FALSE))
            ;
        g_usleep(10000);
    }
    g_assert_cmpstr(ev.seen->str, ==, "liba:defined;libb:defined;liba:started;libt:started;"
                                      "libt:stopped;liba:stopped;liba:undefined;"
                                      "libb:undefined;");
    g_assert_true(mv_connect_unwatch_events(conn, watch, 0, &error));
    g_string_free(ev.seen, TRUE);
}

int
main(int argc, char **argv)
{
    g_autofree char *ns = g_file_read_link("/proc/self/ns/net", NULL);
    g_autofree char *init_ns = g_file_read_link("/proc/1/ns/net", NULL);
    int ret;

    g_test_init(&argc, &argv, NULL);
    if (!ns || (init_ns && g_str_equal(ns, init_ns))) {
        printf("1..0 # SKIP not in a private network namespace (meson runs it with unshare -n)\n");
        return 0;
    }
    root = g_dir_make_tmp("mvnet-XXXXXX", NULL);
    uri = g_strdup_printf("network:///system?root=%s", root);
    daemon_start();
    g_test_add_func("/client/network/lifecycle", test_lifecycle);
    ret = g_test_run();
    daemon_stop();
    if (!g_getenv("MV_TEST_KEEP")) {
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", root);
        if (system(cmd) != 0)
            ret = 1;
    }
    return ret;
}
