/* For the tests in tests/network: they change links, addresses, routes and
 * sysctls and start dnsmasq, so they run only inside a private network
 * namespace. meson starts them through `unshare -n` (and, for the ones that
 * start processes, in a private PID namespace too: whatever a failed test
 * leaves running dies with it). This refuses to run anywhere else. */
#pragma once

#include <glib.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "network-bridge.h"
#include "util/netlink.h"
#include "util/error.h"
#include "util/file.h"
#include "util/spawn.h"

/* Exits the test program (TAP "Bail out!") unless the network namespace is a
 * fresh one (only `lo`, never the host's); brings `lo` up. */
static inline void
netns_guard(void)
{
    const char *const up[] = { "ip", "link", "set", "lo", "up", NULL };
    struct if_nameindex *links = if_nameindex();
    bool fresh = links != NULL;

    for (struct if_nameindex *l = links; l && l->if_index; l++)
        fresh = fresh && strcmp(l->if_name, "lo") == 0;
    if (links)
        if_freenameindex(links);
    if (!fresh) {
        printf("Bail out! not in a fresh private network namespace (it has links other than "
               "lo): run me with 'unshare -n'\n");
        exit(1);
    }
    if (!mv_spawn_sync(up, NULL, 5000, NULL, NULL, NULL, NULL)) {
        printf("Bail out! cannot bring up lo in the private namespace\n");
        exit(1);
    }
}

/* Runs a command given as a NULL-terminated argument list; asserts success. */
static inline char *
netns_run(const char *first, ...)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GError) error = NULL;
    char *out = NULL;
    const char *arg;
    va_list ap;

    g_ptr_array_add(argv, (gpointer)first);
    va_start(ap, first);
    while ((arg = va_arg(ap, const char *)))
        g_ptr_array_add(argv, (gpointer)arg);
    va_end(ap);
    g_ptr_array_add(argv, NULL);
    if (!mv_spawn_sync((const char *const *)argv->pdata, NULL, 10000, &out, NULL, NULL, &error))
        g_error("%s: %s", first, error->message);
    return out;
}

/* Runs the sh @script in a new network namespace whose only links are lo and
 * "mvg0" (MAC @mac), the peer of a veth whose end "mvh0" is an up port of
 * @bridge. Returns what the script wrote to stdout and stderr, its wait
 * status in *@ret_status. The veth goes away with the namespace. Not inlined:
 * GCC 12 then takes the returned text for a pointer to a local. */
static __attribute__((noinline, unused)) char *
netns_peer_run(const char *bridge, const char *mac, const char *script, int *ret_status)
{
    g_autofree char *full = g_strdup_printf(
        "i=0; while ! ip link show mvg0 >/dev/null 2>&1; do i=$((i+1)); "
        "[ $i -gt 1000 ] && exit 3; sleep 0.01; done; "
        "ip link set lo up && ip link set mvg0 up && %s", script);
    const char *argv[] = { "unshare", "-n", "sh", "-c", full, NULL };
    g_autoptr(GError) error = NULL;
    g_autofree char *out_path = NULL;
    g_autofree char *self_ns = g_file_read_link("/proc/self/ns/net", NULL);
    g_autofree char *ns_path = NULL;
    g_autofree char *pid_text = NULL;
    g_autoptr(MvChild) child = NULL;
    MvChildOptions opts = { .argv = argv };
    char *out = NULL;
    int fd;
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

    g_free(netns_run("ip", "link", "add", "mvh0", "type", "veth", "peer", "name", "mvg0",
                     "address", mac, NULL));
    g_assert_true(mv_netlink_link_set_master("mvh0", bridge, &error));
    g_assert_true(mv_netlink_link_set_up("mvh0", true, &error));
    fd = g_file_open_tmp("mvpeer-XXXXXX", &out_path, &error);
    g_assert_cmpint(fd, >=, 0);
    opts.out = (MvChildStdio){ .kind = MV_CHILD_STDIO_FD, .fd = fd };
    opts.err = opts.out;
    child = mv_child_spawn(&opts, &error);
    close(fd);
    g_assert_no_error(error);
    /* move the peer only once the child has its own namespace */
    ns_path = g_strdup_printf("/proc/%d/ns/net", (int)mv_child_get_pid(child));
    for (;;) {
        g_autofree char *ns = g_file_read_link(ns_path, NULL);

        if (ns && g_strcmp0(ns, self_ns) != 0)
            break;
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(1000);
    }
    pid_text = g_strdup_printf("%d", (int)mv_child_get_pid(child));
    g_free(netns_run("ip", "link", "set", "mvg0", "netns", pid_text, NULL));
    g_assert_true(mv_child_wait(child, 30000, ret_status, &error));
    g_assert_true(mv_file_read_all(out_path, 1 << 20, &out, NULL, &error));
    (void)unlink(out_path);
    /* the veth pair goes away with the namespace, which the kernel tears
     * down in the background: delete it ourselves if it is still there */
    for (bool exists = true; exists;) {
        g_assert_true(mv_netlink_link_exists("mvh0", &exists, &error));
        if (exists)
            (void)mv_netlink_link_delete("mvh0", NULL);
    }
    return out;
}
