/* The daemon registry (common/registry/daemons.ini) is consistent, and the
 * two readers that route calls by it agree: the client library
 * (client/route.c) and modvirt-proxyd (proxy/proxy-route.c) send every
 * procedure of the REMOTE table to the same daemon, from every URI. */
#include "client-priv.h"
#include "proxy.h"

#include <string.h>

static bool
family_route(int r)
{
    return r != MV_ROUTE_NONE && r != MV_ROUTE_ANY && r != MV_ROUTE_HYPERVISOR &&
           r != MV_ROUTE_DOMAIN;
}

/* Route names are unique, round-trip with the generator's spelling, and the
 * error subsystem of domain calls is the domain's. */
static void
test_routes(void)
{
    g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);

    for (int r = 0; r < MV_ROUTE_LAST; r++) {
        const char *name = mv_route_name((MvRoute)r);

        g_assert_nonnull(name);
        g_assert_false(g_hash_table_contains(names, name));
        g_hash_table_add(names, (gpointer)name);
    }
    g_assert_null(mv_route_name(MV_ROUTE_LAST));
    g_assert_cmpstr(mv_route_name(MV_ROUTE_NONE), ==, "none");
    g_assert_cmpint(mv_route_subsystem(MV_ROUTE_ANY), ==, MV_FROM_NONE);
    g_assert_cmpint(mv_route_subsystem(MV_ROUTE_DOMAIN), ==, MV_FROM_DOMAIN);
    g_assert_cmpint(mv_route_subsystem(MV_ROUTE_HYPERVISOR), ==, MV_FROM_DOMAIN);
    g_assert_cmpint(mv_route_subsystem(MV_ROUTE_NETWORK), ==, MV_FROM_NETWORK);
    g_assert_cmpint(mv_route_subsystem(MV_ROUTE_NWFILTER), ==, MV_FROM_NWFILTER);
    g_assert_cmpint(mv_route_subsystem(MV_ROUTE_LAST), ==, MV_FROM_NONE);
}

/* Every family route has at most one owning daemon and mv_daemon_owner()
 * names it; hypervisor daemons own hypervisor + domain (and may own family
 * routes no objects daemon serves: qemu's nodedev), nobody else owns those two;
 * the proxy owns every route; every other daemon owns some route. */
static void
test_owners(void)
{
    const guint32 hv = (1u << MV_ROUTE_HYPERVISOR) | (1u << MV_ROUTE_DOMAIN);
    int nproxy = 0, nhypervisor = 0;

    for (int r = 0; r < MV_ROUTE_LAST; r++) {
        int owners = 0, owner = -1;
        MvDaemonKind got;

        for (int d = 0; d < MV_DAEMON_LAST; d++) {
            const MvDaemonInfo *info = mv_daemon_info((MvDaemonKind)d);

            if (!info->proxy && family_route(r) && (info->routes & (1u << r))) {
                owners++;
                owner = d;
            }
        }
        g_assert_cmpint(owners, <=, 1);
        if (owners == 1) {
            g_assert_true(mv_daemon_owner((MvRoute)r, &got));
            g_assert_cmpint(got, ==, owner);
        } else {
            g_assert_false(mv_daemon_owner((MvRoute)r, &got));
        }
    }
    for (int d = 0; d < MV_DAEMON_LAST; d++) {
        const MvDaemonInfo *info = mv_daemon_info((MvDaemonKind)d);

        g_assert_false(info->proxy && info->hypervisor);
        if (info->proxy) {
            nproxy++;
            g_assert_cmpuint(info->routes, ==, (1u << MV_ROUTE_LAST) - 1);
        } else if (info->hypervisor) {
            nhypervisor++;
            g_assert_cmpuint(info->routes & hv, ==, hv);
        } else {
            g_assert_cmpuint(info->routes, !=, 0);
            g_assert_cmpuint(info->routes & (hv | (1u << MV_ROUTE_ANY) | 1u), ==, 0);
        }
    }
    g_assert_cmpint(nproxy, ==, 1);
    g_assert_cmpint(nhypervisor, >=, 1);
    g_assert_null(mv_daemon_info(MV_DAEMON_LAST));
}

/* Socket names, programs, units, config files and schemes are unique and
 * follow the naming convention; every scheme maps back to its daemon in the
 * registry, the client and the proxy. */
static void
test_names(void)
{
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    for (int d = 0; d < MV_DAEMON_LAST; d++) {
        const MvDaemonInfo *info = mv_daemon_info((MvDaemonKind)d);
        g_autofree char *program = g_strdup_printf("modvirt-%sd", info->socket_name);
        g_autofree char *unit = g_strdup_printf("%s.service", program);
        g_autofree char *config = g_strdup_printf("%s.conf", info->socket_name);
        const char *keys[] = { info->socket_name, info->program, info->unit,
                               info->config_file, info->scheme };

        g_assert_cmpstr(info->program, ==, program);
        g_assert_cmpstr(info->unit, ==, unit);
        g_assert_cmpstr(info->config_file, ==, config);
        g_assert_nonnull(info->serves);
        g_assert_nonnull(info->summary);
        for (gsize k = 0; k < G_N_ELEMENTS(keys); k++) {
            g_autofree char *key = NULL;

            if (!keys[k])
                continue;
            /* one name space per column */
            key = g_strdup_printf("%zu:%s", k, keys[k]);
            g_assert_false(g_hash_table_contains(seen, key));
            g_hash_table_add(seen, g_steal_pointer(&key));
        }
        if (info->proxy) {
            g_assert_null(info->scheme);
            g_assert_null(info->default_uri);
            g_assert_null(info->uri_schemes);
            continue;
        }
        {
            g_autofree char *uri = g_strdup_printf("%s:///system", info->scheme);
            const char *proxy_daemon = NULL;
            MvDaemonKind got = MV_DAEMON_LAST;

            g_assert_cmpstr(info->default_uri, ==, uri);
            g_assert_cmpstr(info->uri_schemes[0], ==, info->scheme);
            g_assert_null(info->uri_schemes[1]);
            g_assert_true(mv_daemon_for_scheme(info->scheme, &got));
            g_assert_cmpint(got, ==, d);
            got = MV_DAEMON_LAST;
            g_assert_true(mv_route_daemon_for_driver(info->scheme, &got, NULL));
            g_assert_cmpint(got, ==, d);
            g_assert_true(mv_proxy_daemon_for_scheme(info->scheme, &proxy_daemon));
            g_assert_cmpstr(proxy_daemon, ==, info->socket_name);
        }
    }
    g_assert_false(mv_proxy_daemon_for_scheme("proxy", &(const char *){ NULL }));
    g_assert_false(mv_proxy_daemon_for_scheme(NULL, &(const char *){ NULL }));
}

/* The client's message for an unknown driver lists the registry's schemes,
 * worded as before the registry existed. */
static void
test_unknown_driver(void)
{
    g_autoptr(GError) error = NULL;
    MvDaemonKind got;

    g_assert_false(mv_route_daemon_for_driver("vbox", &got, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_INVALID_ARG);
    g_assert_cmpstr(error->message, ==,
                    "unknown driver 'vbox': use qemu, lxc, xen, network, storage or nwfilter");
}

/* For every call of the REMOTE table and every URI a client may open: the
 * client library and the proxy pick the same daemon. Where the client
 * refuses, the proxy refuses too, except domain calls on a non-hypervisor
 * URI: the proxy passes those to that daemon, which does not serve them. */
static void
test_client_proxy_agree(void)
{
    guint checked = 0;

    for (int d = 0; d < MV_DAEMON_LAST; d++) {
        const MvDaemonInfo *primary = mv_daemon_info((MvDaemonKind)d);

        if (primary->proxy)
            continue;
        for (int p = 0; p < mv_remote_program.nprocs; p++) {
            const MvProcInfo *proc = mv_program_lookup_proc(&mv_remote_program, p);
            g_autoptr(GError) cerr = NULL;
            g_autoptr(GError) perr = NULL;
            MvDaemonKind cdaemon = MV_DAEMON_LAST;
            MvProxyBackendSlot slot = MV_PROXY_BACKEND_LAST;
            bool cok, pok;

            if (!proc || proc->kind == MV_PROC_KIND_EVENT)
                continue;
            cok = mv_route_daemon_for_proc((MvDaemonKind)d, p, &cdaemon, &cerr);
            pok = mv_proxy_slot_for_route(primary->socket_name, proc, &slot, &perr);
            if (!cok && pok) {
                g_assert_cmpint(proc->route, ==, MV_ROUTE_DOMAIN);
                g_assert_false(primary->hypervisor);
                g_assert_cmpint(slot, ==, MV_PROXY_BACKEND_PRIMARY);
                g_assert_cmpuint(primary->routes & (1u << MV_ROUTE_DOMAIN), ==, 0);
                g_assert_error(cerr, MV_ERROR, MV_ERR_NO_SUPPORT);
                continue;
            }
            if (!cok) {
                g_assert_error(cerr, MV_ERROR, MV_ERR_NO_SUPPORT);
                g_assert_error(perr, MV_ERROR, MV_ERR_NO_SUPPORT);
                g_assert_nonnull(strstr(perr->message, proc->api));
                continue;
            }
            g_assert_true(pok);
            if (cdaemon == (MvDaemonKind)d) {
                g_assert_cmpint(slot, ==, MV_PROXY_BACKEND_PRIMARY);
            } else {
                g_assert_cmpint(slot, ==, MV_PROXY_BACKEND_OF(cdaemon));
                g_assert_true(mv_proxy_slot_daemon(slot) == mv_daemon_info(cdaemon));
            }
            /* connection-level calls go to the URI's daemon; others to one
             * that serves their route */
            if (proc->route == MV_ROUTE_ANY || proc->route == MV_ROUTE_HYPERVISOR)
                g_assert_cmpint(cdaemon, ==, d);
            else
                g_assert_cmpuint(mv_daemon_info(cdaemon)->routes & (1u << proc->route), !=, 0);
            checked++;
        }
    }
    g_assert_cmpuint(checked, >, 100);
    g_assert_null(mv_proxy_slot_daemon(MV_PROXY_BACKEND_PRIMARY));
    g_assert_null(mv_proxy_slot_daemon(MV_PROXY_BACKEND_LAST));
}

/* The proxy's descriptor is the registry's row. */
static void
test_proxy_descriptor(void)
{
    const MvDaemonInfo *info = mv_daemon_info(MV_DAEMON_PROXY);

    g_assert_cmpstr(mv_proxy_daemon.name, ==, info->socket_name);
    g_assert_cmpstr(mv_proxy_daemon.program_name, ==, info->program);
    g_assert_cmpstr(mv_proxy_daemon.summary, ==, info->summary);
    g_assert_cmpuint(mv_proxy_daemon.routes, ==, info->routes);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/registry/routes", test_routes);
    g_test_add_func("/registry/owners", test_owners);
    g_test_add_func("/registry/names", test_names);
    g_test_add_func("/registry/unknown-driver", test_unknown_driver);
    g_test_add_func("/registry/client-proxy-agree", test_client_proxy_agree);
    g_test_add_func("/registry/proxy-descriptor", test_proxy_descriptor);
    return g_test_run();
}
