/* watch-events [URI [SECONDS]]: print domain lifecycle events for SECONDS
 * (default 10) using a GMainLoop.
 *
 *   cc watch-events.c $(pkg-config --cflags --libs modvirt) -o watch-events
 */
#include <stdio.h>
#include <stdlib.h>

#include <modvirt/modvirt.h>

static void
on_event(MvConnect *conn, MvDomain *dom, MvDomainEventType event, int detail, gpointer data)
{
    printf("%s: %s (%s)\n", mv_domain_get_name(dom), mv_domain_event_type_name(event),
           mv_domain_event_detail_name(event, detail));
    fflush(stdout);
}

static gboolean
on_timeout(gpointer loop)
{
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

int
main(int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MvConnect) conn = NULL;
    g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
    int seconds = argc > 2 ? atoi(argv[2]) : 10;
    guint watch;

    if (!(conn = mv_connect_open(argc > 1 ? argv[1] : NULL, 0, &error))) {
        fprintf(stderr, "watch-events: %s\n", error->message);
        return 1;
    }
    watch = mv_connect_watch_domain_events(conn, NULL, NULL, on_event, NULL, NULL, 0, &error);
    if (!watch) {
        fprintf(stderr, "watch-events: %s\n", error->message);
        return 1;
    }
    printf("watching for %d s\n", seconds);
    fflush(stdout);
    g_timeout_add_seconds((guint)seconds, on_timeout, loop);
    g_main_loop_run(loop);
    mv_connect_unwatch_events(conn, watch, 0, NULL);
    return 0;
}
