/* modvirt events [DOMAIN]: one line per domain lifecycle event (one JSON
 * object per line with --json) until Ctrl-C, --timeout or --count; and the
 * watch loop that net-events shares. When the connection breaks, libmodvirt
 * opens it again and the watch resumes (missed events are printed); a line on
 * stderr says how the resume went. */
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>

#include "verbs.h"

int mv_cli_events_timeout, mv_cli_events_count;

static void
on_event(MvConnect *conn, MvDomain *dom, MvDomainEventType event, int detail, gpointer data)
{
    MvCliEventsRun *run = data;

    if (run->cli->json) {
        g_autoptr(JsonBuilder) b = json_builder_new();

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "event");
        json_builder_add_string_value(b, mv_domain_event_type_name(event));
        json_builder_set_member_name(b, "detail");
        json_builder_add_string_value(b, mv_domain_event_detail_name(event, detail));
        json_builder_set_member_name(b, "domain");
        json_builder_add_string_value(b, mv_domain_get_name(dom));
        json_builder_set_member_name(b, "uuid");
        json_builder_add_string_value(b, mv_domain_get_uuid_string(dom));
        json_builder_set_member_name(b, "id");
        if (mv_domain_get_id(dom) >= 0)
            json_builder_add_int_value(b, mv_domain_get_id(dom));
        else
            json_builder_add_null_value(b);
        json_builder_end_object(b);
        mv_cli_print_json(json_builder_get_root(b), true);
    } else {
        printf("domain '%s' %s (%s)\n", mv_domain_get_name(dom),
               mv_domain_event_type_name(event), mv_domain_event_detail_name(event, detail));
        fflush(stdout);
    }
    mv_cli_events_seen(run);
}

void
mv_cli_events_seen(MvCliEventsRun *run)
{
    if (mv_cli_events_count > 0 && ++run->seen >= mv_cli_events_count)
        g_main_loop_quit(run->loop);
}

static gboolean
on_stop(gpointer data)
{
    g_main_loop_quit(((MvCliEventsRun *)data)->loop);
    return G_SOURCE_REMOVE;
}

static gboolean
on_timeout(gpointer data)
{
    MvCliEventsRun *run = data;

    run->timer = 0;
    g_main_loop_quit(run->loop);
    return G_SOURCE_REMOVE;
}

/* libmodvirt tries for 30 s to reconnect a broken connection with watches. */
#define RECONNECT_WAIT_SECONDS 32

static gboolean
on_check_alive(gpointer data)
{
    MvCliEventsRun *run = data;

    if (mv_connect_is_alive(run->cli->conn)) {
        run->dead_checks = 0;
        return G_SOURCE_CONTINUE;
    }
    if (++run->dead_checks < RECONNECT_WAIT_SECONDS)
        return G_SOURCE_CONTINUE;
    run->lost = true;
    g_main_loop_quit(run->loop);
    return G_SOURCE_REMOVE;
}

/* The connection came back: say whether events were missed. */
static void
on_resume(MvConnect *conn, const char *daemon, MvEventsResumeStatus status, guint64 lost,
          gpointer data)
{
    MvCliEventsRun *run = data;

    switch (status) {
    case MV_EVENTS_RESUME_COMPLETE:
        fprintf(stderr, "Reconnected to %s: no event was missed.\n", daemon);
        break;
    case MV_EVENTS_RESUME_GAP:
        fprintf(stderr, "Reconnected to %s: %" G_GUINT64_FORMAT " events may have been "
                "missed (more than its [events] ring_size).\n", daemon, lost);
        break;
    case MV_EVENTS_RESUME_RESTARTED:
        fprintf(stderr, "Reconnected to %s: it restarted; events before its restart may "
                "have been missed.\n", daemon);
        break;
    case MV_EVENTS_RESUME_UNNUMBERED:
        fprintf(stderr, "Reconnected to %s: it does not number events; some may have "
                "been missed.\n", daemon);
        break;
    default:
        run->lost = true;
        g_main_loop_quit(run->loop);
        break;
    }
    fflush(stderr);
}

int
mv_cli_events_loop(MvCliEventsRun *run, guint watch, const char *what)
{
    MvCli *cli = run->cli;
    guint sigint, sigterm, alive;

    mv_connect_set_events_resume_func(cli->conn, NULL, on_resume, run, NULL, 0, NULL);

    fprintf(stderr, "Watching %s events on %s; Ctrl-C stops.\n", what,
            mv_connect_get_uri(cli->conn));
    sigint = g_unix_signal_add(SIGINT, on_stop, run);
    sigterm = g_unix_signal_add(SIGTERM, on_stop, run);
    alive = g_timeout_add_seconds(1, on_check_alive, run);
    if (mv_cli_events_timeout > 0)
        run->timer = g_timeout_add_seconds((guint)mv_cli_events_timeout, on_timeout, run);
    g_main_loop_run(run->loop);
    g_source_remove(sigint);
    g_source_remove(sigterm);
    if (!run->lost || run->dead_checks < RECONNECT_WAIT_SECONDS)
        g_source_remove(alive);
    if (run->timer)
        g_source_remove(run->timer);
    mv_connect_unwatch_events(cli->conn, watch, 0, NULL);
    mv_connect_set_events_resume_func(cli->conn, NULL, NULL, NULL, NULL, 0, NULL);
    if (run->lost)
        return mv_cli_failf(cli, "the connection to %s was lost; check that the daemon is "
                            "running", mv_connect_get_uri(cli->conn));
    return MV_CLI_OK;
}

int
mv_cli_run_events(MvCli *cli, int argc, char **argv)
{
    g_autoptr(MvDomain) dom = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
    MvCliEventsRun run = { .cli = cli, .loop = loop };
    guint watch;

    if (mv_cli_events_timeout < 0 || mv_cli_events_count < 0)
        return mv_cli_usage(cli, "--timeout and --count take a positive number");
    if (!mv_cli_connect(cli))
        return MV_CLI_FAILED;
    if (argc > 0 && !(dom = mv_cli_domain(cli, argv[0])))
        return MV_CLI_FAILED;
    if (!(watch = mv_connect_watch_domain_events(cli->conn, dom, NULL, on_event, &run, NULL, 0,
                                                 &error)))
        return mv_cli_fail(cli, error);
    return mv_cli_events_loop(&run, watch, "domain");
}
