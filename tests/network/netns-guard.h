/* For the tests in tests/network: they change links, addresses, routes and
 * sysctls, so they run only inside a private network namespace (meson starts
 * them through `unshare -n`). This refuses to run in the host's own one. */
#pragma once

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/spawn.h"

/* Exits the test program (TAP "Bail out!") when the process shares PID 1's
 * network namespace; brings `lo` up otherwise. */
static inline void
netns_guard(void)
{
    const char *const up[] = { "ip", "link", "set", "lo", "up", NULL };
    g_autofree char *self = g_file_read_link("/proc/self/ns/net", NULL);
    g_autofree char *ppath = g_strdup_printf("/proc/%d/ns/net", (int)getppid());
    g_autofree char *parent = g_file_read_link(ppath, NULL);

    /* The parent (meson, a shell) is in the namespace we must not touch;
     * PID 1's namespace link cannot be read here. */
    if (!self || !parent || g_str_equal(self, parent)) {
        printf("Bail out! not in a private network namespace: run me with 'unshare -n'\n");
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
