/* Routing (client/route.c): every procedure of the generated table goes to
 * the daemon its @route annotation names; daemon facts are consistent. */
#include <glib/gstdio.h>

#include "client-priv.h"

static void
test_every_procedure(void)
{
    int routed = 0;

    for (int p = 1; p < mv_remote_program.nprocs; p++) {
        const MvProcInfo *info = mv_program_lookup_proc(&mv_remote_program, p);
        g_autoptr(GError) error = NULL;
        MvDaemonKind got;
        bool ok;

        if (!info)
            continue;
        ok = mv_route_daemon_for_proc(MV_DAEMON_QEMU, p, &got, &error);
        if (info->kind == MV_PROC_KIND_EVENT) {
            g_assert_false(ok);
            g_assert_error(error, MV_ERROR, MV_ERR_RPC);
            continue;
        }
        switch (info->route) {
        case MV_ROUTE_ANY:
        case MV_ROUTE_HYPERVISOR:
        case MV_ROUTE_DOMAIN:
            g_assert_true(ok);
            g_assert_cmpint(got, ==, MV_DAEMON_QEMU);
            break;
        case MV_ROUTE_NETWORK:
            g_assert_cmpint(got, ==, MV_DAEMON_NETWORK);
            break;
        case MV_ROUTE_STORAGE:
            g_assert_cmpint(got, ==, MV_DAEMON_STORAGE);
            break;
        case MV_ROUTE_NWFILTER:
            g_assert_cmpint(got, ==, MV_DAEMON_FILTER);
            break;
        case MV_ROUTE_SECRET:
            g_assert_cmpint(got, ==, MV_DAEMON_STORAGE);
            break;
        case MV_ROUTE_NODEDEV:      /* qemud, until a host daemon exists */
            g_assert_true(ok);
            g_assert_cmpint(got, ==, MV_DAEMON_QEMU);
            break;
        default:
            g_assert_false(ok);
            g_assert_error(error, MV_ERROR, MV_ERR_NO_SUPPORT);
            continue;
        }
        routed++;
    }
    g_assert_cmpint(routed, >, 50);
}

static void
test_examples(void)
{
    g_autoptr(GError) error = NULL;
    MvDaemonKind got = MV_DAEMON_LAST;

    /* connection-level calls follow the URI's driver */
    g_assert_true(mv_route_daemon_for_proc(MV_DAEMON_LXC, MV_REMOTE_PROC_CONNECT_GET_HOSTNAME,
                                           &got, NULL));
    g_assert_cmpint(got, ==, MV_DAEMON_LXC);
    g_assert_true(mv_route_daemon_for_proc(MV_DAEMON_NETWORK, MV_REMOTE_PROC_CONNECT_OPEN,
                                           &got, NULL));
    g_assert_cmpint(got, ==, MV_DAEMON_NETWORK);
    g_assert_true(mv_route_daemon_for_proc(MV_DAEMON_QEMU, MV_REMOTE_PROC_DOMAIN_GET_STATE,
                                           &got, NULL));
    g_assert_cmpint(got, ==, MV_DAEMON_QEMU);

    /* a network:/// connection serves no domains, and says where to go */
    g_assert_false(mv_route_daemon_for_proc(MV_DAEMON_NETWORK, MV_REMOTE_PROC_DOMAIN_GET_STATE,
                                            &got, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_NO_SUPPORT);
    g_assert_nonnull(strstr(error->message, "qemu:///system"));
    g_clear_error(&error);

    /* events are messages, not calls; unknown numbers are refused */
    g_assert_false(mv_route_daemon_for_proc(MV_DAEMON_QEMU,
                                            MV_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE,
                                            &got, NULL));
    g_assert_false(mv_route_daemon_for_proc(MV_DAEMON_QEMU, 61, &got, NULL));
    g_assert_false(mv_route_daemon_for_proc(MV_DAEMON_QEMU, 99999, &got, NULL));
    g_assert_false(mv_route_daemon_for_proc(MV_DAEMON_QEMU, -1, &got, NULL));
}

static void
test_daemons(void)
{
    static const struct {
        const char *driver;
        MvDaemonKind daemon;
        const char *socket;
        const char *program;
    } expect[] = {
        { "qemu", MV_DAEMON_QEMU, "qemu", "modvirt-qemud" },
        { "lxc", MV_DAEMON_LXC, "lxc", "modvirt-lxcd" },
        { "xen", MV_DAEMON_XEN, "xen", "modvirt-xend" },
        { "network", MV_DAEMON_NETWORK, "network", "modvirt-networkd" },
        { "storage", MV_DAEMON_STORAGE, "storage", "modvirt-storaged" },
        { "nwfilter", MV_DAEMON_FILTER, "filter", "modvirt-filterd" },
    };
    MvDaemonKind got;

    for (gsize i = 0; i < G_N_ELEMENTS(expect); i++) {
        const MvDaemonInfo *info;

        g_assert_true(mv_route_daemon_for_driver(expect[i].driver, &got, NULL));
        g_assert_cmpint(got, ==, expect[i].daemon);
        info = mv_route_daemon_info(got);
        g_assert_cmpstr(info->socket_name, ==, expect[i].socket);
        g_assert_cmpstr(info->scheme, ==, expect[i].driver);
        g_assert_cmpstr(info->program, ==, expect[i].program);
    }
    g_assert_false(mv_route_daemon_for_driver("proxy", &got, NULL));
    g_assert_false(mv_route_daemon_for_driver(NULL, &got, NULL));
}

/* Every procedure the network, storage and filter API calls goes to its
 * own daemon, from any hypervisor connection; on a connection whose URI
 * names that daemon it goes to the primary link (the same daemon). */
static void
test_object_api_procedures(void)
{
    static const struct {
        int proc;
        MvDaemonKind daemon;
    } procs[] = {
        { MV_REMOTE_PROC_CONNECT_LIST_ALL_NETWORKS, MV_DAEMON_NETWORK },
        { MV_REMOTE_PROC_NETWORK_LOOKUP_BY_NAME, MV_DAEMON_NETWORK },
        { MV_REMOTE_PROC_NETWORK_LOOKUP_BY_UUID, MV_DAEMON_NETWORK },
        { MV_REMOTE_PROC_NETWORK_DEFINE_XML_FLAGS, MV_DAEMON_NETWORK },
        { MV_REMOTE_PROC_NETWORK_CREATE_XML_FLAGS, MV_DAEMON_NETWORK },
        { MV_REMOTE_PROC_NETWORK_CREATE, MV_DAEMON_NETWORK },
        { MV_REMOTE_PROC_NETWORK_DESTROY, MV_DAEMON_NETWORK },
        { MV_REMOTE_PROC_NETWORK_UNDEFINE, MV_DAEMON_NETWORK },
        { MV_REMOTE_PROC_NETWORK_GET_XML_DESC, MV_DAEMON_NETWORK },
        { MV_REMOTE_PROC_NETWORK_GET_AUTOSTART, MV_DAEMON_NETWORK },
        { MV_REMOTE_PROC_NETWORK_SET_AUTOSTART, MV_DAEMON_NETWORK },
        { MV_REMOTE_PROC_NETWORK_IS_ACTIVE, MV_DAEMON_NETWORK },
        { MV_REMOTE_PROC_NETWORK_IS_PERSISTENT, MV_DAEMON_NETWORK },
        { MV_REMOTE_PROC_NETWORK_GET_BRIDGE_NAME, MV_DAEMON_NETWORK },
        { MV_REMOTE_PROC_NETWORK_GET_DHCP_LEASES, MV_DAEMON_NETWORK },
        { MV_REMOTE_PROC_CONNECT_NETWORK_EVENT_REGISTER_ANY, MV_DAEMON_NETWORK },
        { MV_REMOTE_PROC_CONNECT_NETWORK_EVENT_DEREGISTER_ANY, MV_DAEMON_NETWORK },

        { MV_REMOTE_PROC_CONNECT_LIST_ALL_STORAGE_POOLS, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_NAME, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_UUID, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_VOLUME, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_STORAGE_POOL_DEFINE_XML, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_STORAGE_POOL_BUILD, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_STORAGE_POOL_CREATE, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_STORAGE_POOL_DESTROY, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_STORAGE_POOL_DELETE, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_STORAGE_POOL_UNDEFINE, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_STORAGE_POOL_REFRESH, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_STORAGE_POOL_GET_INFO, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_STORAGE_POOL_GET_XML_DESC, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_STORAGE_POOL_GET_AUTOSTART, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_STORAGE_POOL_SET_AUTOSTART, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_STORAGE_POOL_IS_ACTIVE, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_STORAGE_POOL_IS_PERSISTENT, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_STORAGE_POOL_LIST_ALL_VOLUMES, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_STORAGE_VOL_LOOKUP_BY_NAME, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_STORAGE_VOL_LOOKUP_BY_KEY, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_STORAGE_VOL_LOOKUP_BY_PATH, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_STORAGE_VOL_CREATE_XML, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_STORAGE_VOL_CREATE_XML_FROM, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_STORAGE_VOL_DELETE, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_STORAGE_VOL_WIPE, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_STORAGE_VOL_RESIZE, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_STORAGE_VOL_GET_INFO, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_STORAGE_VOL_GET_XML_DESC, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_STORAGE_VOL_GET_PATH, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_STORAGE_VOL_UPLOAD, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_STORAGE_VOL_DOWNLOAD, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY, MV_DAEMON_STORAGE },
        { MV_REMOTE_PROC_CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY, MV_DAEMON_STORAGE },

        { MV_REMOTE_PROC_CONNECT_LIST_ALL_NWFILTERS, MV_DAEMON_FILTER },
        { MV_REMOTE_PROC_NWFILTER_LOOKUP_BY_NAME, MV_DAEMON_FILTER },
        { MV_REMOTE_PROC_NWFILTER_LOOKUP_BY_UUID, MV_DAEMON_FILTER },
        { MV_REMOTE_PROC_NWFILTER_DEFINE_XML_FLAGS, MV_DAEMON_FILTER },
        { MV_REMOTE_PROC_NWFILTER_UNDEFINE, MV_DAEMON_FILTER },
        { MV_REMOTE_PROC_NWFILTER_GET_XML_DESC, MV_DAEMON_FILTER },
    };
    static const MvDaemonKind primaries[] = {
        MV_DAEMON_QEMU, MV_DAEMON_LXC, MV_DAEMON_XEN,
    };
    static const int events[] = {
        MV_REMOTE_PROC_NETWORK_EVENT_LIFECYCLE,
        MV_REMOTE_PROC_STORAGE_POOL_EVENT_LIFECYCLE,
        MV_REMOTE_PROC_STORAGE_POOL_EVENT_REFRESH,
    };

    for (gsize i = 0; i < G_N_ELEMENTS(procs); i++) {
        const MvProcInfo *info = mv_program_lookup_proc(&mv_remote_program, procs[i].proc);
        MvDaemonKind got = MV_DAEMON_LAST;

        g_assert_nonnull(info);
        g_assert_cmpint(info->kind, !=, MV_PROC_KIND_EVENT);
        for (gsize j = 0; j < G_N_ELEMENTS(primaries); j++) {
            g_autoptr(GError) error = NULL;

            if (!mv_route_daemon_for_proc(primaries[j], procs[i].proc, &got, &error))
                g_error("%s from %s: %s", info->api,
                        mv_route_daemon_info(primaries[j])->scheme, error->message);
            g_assert_cmpint(got, ==, procs[i].daemon);
        }
        /* a network:///, storage:/// or nwfilter:/// connection: its own daemon */
        g_assert_true(mv_route_daemon_for_proc(procs[i].daemon, procs[i].proc, &got, NULL));
        g_assert_cmpint(got, ==, procs[i].daemon);
    }
    /* the volume streams are stream procedures (the stream machinery keys on that) */
    g_assert_cmpint(mv_remote_program.procs[MV_REMOTE_PROC_STORAGE_VOL_UPLOAD].kind, ==,
                    MV_PROC_KIND_STREAM);
    g_assert_cmpint(mv_remote_program.procs[MV_REMOTE_PROC_STORAGE_VOL_DOWNLOAD].kind, ==,
                    MV_PROC_KIND_STREAM);
    /* the event messages are never sent as calls */
    for (gsize i = 0; i < G_N_ELEMENTS(events); i++) {
        MvDaemonKind got;

        g_assert_false(mv_route_daemon_for_proc(MV_DAEMON_QEMU, events[i], &got, NULL));
    }
}

/* A secondary daemon that is not running: the error names it and its socket. */
static void
test_missing_secondary(void)
{
    g_autofree char *dir = g_dir_make_tmp("mvc-route-XXXXXX", NULL);
    g_autofree char *uri = g_strdup_printf("qemu:///system?root=%s", dir);
    g_autofree char *sock = g_strdup_printf("%s/run/network.sock", dir);
    g_autofree char *ro_sock = g_strdup_printf("%s/run/filter-ro.sock", dir);
    g_autoptr(MvConnect) conn = mv_connect_new_unopened(uri, 0, NULL);
    g_autoptr(MvConnect) ro = mv_connect_new_unopened(uri, MV_CONNECT_READ_ONLY, NULL);
    g_autoptr(GError) error = NULL;

    g_assert_null(mv_connect_link_daemon(conn, MV_DAEMON_NETWORK, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_NO_CONNECT);
    g_assert_nonnull(strstr(error->message, "modvirt-networkd"));
    g_assert_nonnull(strstr(error->message, sock));
    g_clear_error(&error);

    g_assert_null(mv_connect_link_daemon(ro, MV_DAEMON_FILTER, &error));
    g_assert_nonnull(strstr(error->message, "modvirt-filterd"));
    g_assert_nonnull(strstr(error->message, ro_sock));
    g_clear_error(&error);

    /* the hypervisor daemon itself */
    g_assert_null(mv_connect_link_daemon(conn, MV_DAEMON_QEMU, &error));
    g_assert_nonnull(strstr(error->message, "modvirt-qemud"));
    g_rmdir(dir);
}

/* socket= without root=: the other daemons' sockets sit next to it. */
static void
test_socket_siblings(void)
{
    g_autoptr(MvConnect) conn = mv_connect_new_unopened(
        "qemu:///system?socket=/nonexistent-dir/q.sock", 0, NULL);
    g_autoptr(GError) error = NULL;

    g_assert_null(mv_connect_link_daemon(conn, MV_DAEMON_STORAGE, &error));
    g_assert_nonnull(strstr(error->message, "/nonexistent-dir/storage.sock"));
    g_clear_error(&error);
    g_assert_null(mv_connect_link_daemon(conn, MV_DAEMON_QEMU, &error));
    g_assert_nonnull(strstr(error->message, "/nonexistent-dir/q.sock"));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/client/route/every-procedure", test_every_procedure);
    g_test_add_func("/client/route/examples", test_examples);
    g_test_add_func("/client/route/daemons", test_daemons);
    g_test_add_func("/client/route/object-api", test_object_api_procedures);
    g_test_add_func("/client/route/missing-secondary", test_missing_secondary);
    g_test_add_func("/client/route/socket-siblings", test_socket_siblings);
    return g_test_run();
}
