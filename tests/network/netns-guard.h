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
