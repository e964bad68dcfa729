/* Network verbs: net-list, net-info, net-define, net-start, net-destroy,
 * net-undefine, net-edit, net-leases, net-events (modvirt-networkd through
 * libmodvirt). */
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "verbs.h"

gboolean mv_cli_net_list_active, mv_cli_net_list_inactive;
char *mv_cli_net_leases_mac;

/* Looks up @what (a name or a UUID); NULL after printing the error. */
static MvNetwork *
cli_network(MvCli *cli, const char *what)
{
    g_autoptr(GError) error = NULL;
    MvNetwork *net;

    g_free(cli->subject);
    cli->subject = g_strdup(what);
    if (!mv_cli_connect(cli))
        return NULL;
    net = mv_network_lookup_by_name(cli->conn, what, 0, &error);
    if (!net && g_error_matches(error, MV_ERROR, MV_ERROR_NO_NETWORK) &&
        g_uuid_string_is_valid(what)) {
        g_clear_error(&error);
        net = mv_network_lookup_by_uuid(cli->conn, what, 0, &error);
    }
    if (!net) {
        if (g_error_matches(error, MV_ERROR, MV_ERROR_NO_NETWORK))
            return (mv_cli_failf(cli, "there is no network '%s'; run 'modvirt net-list' to "
                                 "see the defined networks", what), NULL);
        mv_cli_fail(cli, error);
    }
    return net;
}

static JsonNode *
json_action(MvNetwork *net, const char *action)
{
    g_autoptr(JsonBuilder) b = json_builder_new();

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "network");
    json_builder_add_string_value(b, mv_network_get_name(net));
    json_builder_set_member_name(b, "uuid");
    json_builder_add_string_value(b, mv_network_get_uuid_string(net));
    json_builder_set_member_name(b, "action");
    json_builder_add_string_value(b, action);
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

/* What net-list and net-info show of one network. */
typedef struct {
    bool active, persistent, autostart;
    char *bridge;
} NetFacts;

static bool
net_facts(MvNetwork *net, NetFacts *f, GError **error)
{
    if (!mv_network_is_active(net, 0, &f->active, error) ||
        !mv_network_is_persistent(net, 0, &f->persistent, error) ||
        !mv_network_get_autostart(net, 0, &f->autostart, error))
        return false;
    /* A network without a bridge (yet) is not an error here. */
    f->bridge = mv_network_get_bridge_name(net, 0, NULL);
    return true;
}

static void
json_facts(JsonBuilder *b, MvNetwork *net, const NetFacts *f)
{
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "name");
    json_builder_add_string_value(b, mv_network_get_name(net));
    json_builder_set_member_name(b, "uuid");
    json_builder_add_string_value(b, mv_network_get_uuid_string(net));
    json_builder_set_member_name(b, "active");
    json_builder_add_boolean_value(b, f->active);
    json_builder_set_member_name(b, "persistent");
    json_builder_add_boolean_value(b, f->persistent);
    json_builder_set_member_name(b, "autostart");
    json_builder_add_boolean_value(b, f->autostart);
    json_builder_set_member_name(b, "bridge");
    if (f->bridge)
        json_builder_add_string_value(b, f->bridge);
    else
        json_builder_add_null_value(b);
    json_builder_end_object(b);
}

/* ---- net-list, net-info --------------------------------------------------- */

int
mv_cli_run_net_list(MvCli *cli, int argc, char **argv)
{
    unsigned int flags = 0;
    MvNetwork **nets;
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonBuilder) b = json_builder_new();
    MvCliTable *table = NULL;

    if (mv_cli_net_list_active && mv_cli_net_list_inactive)
        return mv_cli_usage(cli, "--active and --inactive exclude each other");
    if (mv_cli_net_list_active)
        flags |= MV_LIST_NETWORKS_ACTIVE;
    if (mv_cli_net_list_inactive)
        flags |= MV_LIST_NETWORKS_INACTIVE;
    if (!mv_cli_connect(cli))
        return MV_CLI_FAILED;
    if (!(nets = mv_connect_list_networks(cli->conn, flags, NULL, &error)))
        return mv_cli_fail(cli, error);
    if (cli->json)
        json_builder_begin_array(b);
    else if (!mv_cli_list_names)
        table = mv_cli_table_new("NAME", "STATE", "AUTOSTART", "PERSISTENT", "BRIDGE", NULL);
    for (MvNetwork **n = nets; *n; n++) {
        NetFacts f = { 0 };

        if (mv_cli_list_names && !cli->json) {
            printf("%s\n", mv_network_get_name(*n));
            continue;
        }
        if (!net_facts(*n, &f, &error)) {
            /* The network went away between the list and this call: skip it. */
            if (error->code == MV_ERROR_NO_NETWORK) {
                g_clear_error(&error);
                continue;
            }
            mv_network_list_free(nets);
            if (table)
                mv_cli_table_print(table);
            return mv_cli_fail(cli, error);
        }
        if (cli->json)
            json_facts(b, *n, &f);
        else
            mv_cli_table_add(table, mv_network_get_name(*n), f.active ? "active" : "inactive",
                             f.autostart ? "yes" : "no", f.persistent ? "yes" : "no",
                             f.bridge ? f.bridge : "-", NULL);
        g_free(f.bridge);
    }
    mv_network_list_free(nets);
    if (cli->json) {
        json_builder_end_array(b);
        mv_cli_print_json(json_builder_get_root(b), false);
    } else if (table) {
        mv_cli_table_print(table);
    }
    return MV_CLI_OK;
}

int
mv_cli_run_net_info(MvCli *cli, int argc, char **argv)
{
    g_autoptr(MvNetwork) net = cli_network(cli, argv[0]);
    g_autoptr(GError) error = NULL;
    NetFacts f = { 0 };

    if (!net)
        return MV_CLI_FAILED;
    if (!net_facts(net, &f, &error))
        return mv_cli_fail(cli, error);
    if (cli->json) {
        g_autoptr(JsonBuilder) b = json_builder_new();

        json_facts(b, net, &f);
        mv_cli_print_json(json_builder_get_root(b), false);
    } else {
        const char *pairs[] = {
            "Name", mv_network_get_name(net),
            "UUID", mv_network_get_uuid_string(net),
            "Active", f.active ? "yes" : "no",
            "Persistent", f.persistent ? "yes" : "no",
            "Autostart", f.autostart ? "yes" : "no",
            "Bridge", f.bridge ? f.bridge : "-",
            NULL,
        };

        mv_cli_print_pairs(pairs);
    }
    g_free(f.bridge);
    return MV_CLI_OK;
}

/* ---- net-define, net-start, net-destroy, net-undefine ------------------------ */

static char *
read_xml(MvCli *cli, const char *path)
{
    g_autoptr(GError) error = NULL;
    char *xml = NULL;

    if (g_str_equal(path, "-")) {
        g_autoptr(GIOChannel) in = g_io_channel_unix_new(0);

        if (g_io_channel_read_to_end(in, &xml, NULL, &error) != G_IO_STATUS_NORMAL) {
            mv_cli_failf(cli, "cannot read the XML from standard input: %s", error->message);
            return NULL;
        }
    } else if (!g_file_get_contents(path, &xml, NULL, &error)) {
        mv_cli_failf(cli, "cannot read %s: %s", path, error->message);
        return NULL;
    }
    return xml;
}

int
mv_cli_run_net_define(MvCli *cli, int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = read_xml(cli, argv[0]);
    g_autoptr(MvNetwork) net = NULL;

    if (!xml || !mv_cli_connect(cli))
        return MV_CLI_FAILED;
    if (!(net = mv_network_define(cli->conn, xml, MV_NETWORK_DEFINE_VALIDATE, &error)))
        return mv_cli_fail(cli, error);
    if (cli->json)
        mv_cli_print_json(json_action(net, "defined"), false);
    else
        printf("Network '%s' defined (UUID %s).\n", mv_network_get_name(net),
               mv_network_get_uuid_string(net));
    return MV_CLI_OK;
}

int
mv_cli_run_net_action(MvCli *cli, int argc, char **argv)
{
    const char *verb = cli->verb->name;
    g_autoptr(MvNetwork) net = cli_network(cli, argv[0]);
    g_autoptr(GError) error = NULL;
    const char *action, *done;
    bool ok;

    if (!net)
        return MV_CLI_FAILED;
    if (g_str_equal(verb, "net-start")) {
        ok = mv_network_start(net, 0, &error);
        action = "started";
        done = "started";
    } else if (g_str_equal(verb, "net-destroy")) {
        ok = mv_network_stop(net, 0, &error);
        action = "destroyed";
        done = "stopped (its bridge and DHCP/DNS are gone)";
    } else {
        ok = mv_network_undefine(net, 0, &error);
        action = "undefined";
        done = "undefined (if it was running, it keeps running until stopped)";
    }
    if (!ok)
        return mv_cli_fail(cli, error);
    if (cli->json)
        mv_cli_print_json(json_action(net, action), false);
    else
        printf("Network '%s' %s.\n", mv_network_get_name(net), done);
    return MV_CLI_OK;
}

/* ---- net-edit ------------------------------------------------------------------ */

static const char *
editor_command(void)
{
    const char *e = g_getenv("VISUAL");

    if (!e || !*e)
        e = g_getenv("EDITOR");
    return e && *e ? e : "vi";
}

int
mv_cli_run_net_edit(MvCli *cli, int argc, char **argv)
{
    g_autoptr(MvNetwork) net = cli_network(cli, argv[0]);
    g_autoptr(MvNetwork) updated = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *edited = NULL;
    g_autofree char *path = NULL;
    g_autofree char *tmpl = NULL;
    g_autofree char *script = NULL;
    const char *sh[] = { "/bin/sh", "-c", NULL, "sh", NULL, NULL };
    bool active = false;
    int fd, status = 0;

    if (!net)
        return MV_CLI_FAILED;
    if (!(xml = mv_network_get_xml(net, MV_NETWORK_XML_INACTIVE, &error)))
        return mv_cli_fail(cli, error);
    tmpl = g_strdup_printf("modvirt-net-%s-XXXXXX.xml", mv_network_get_name(net));
    if ((fd = g_file_open_tmp(tmpl, &path, &error)) < 0)
        return mv_cli_failf(cli, "cannot create a temporary file: %s", error->message);
    close(fd);
    if (!g_file_set_contents(path, xml, -1, &error)) {
        g_unlink(path);
        return mv_cli_failf(cli, "cannot write %s: %s", path, error->message);
    }
    /* Through the shell, so EDITOR may carry arguments. */
    script = g_strdup_printf("%s \"$1\"", editor_command());
    sh[2] = script;
    sh[4] = path;
    if (!g_spawn_sync(NULL, (char **)sh, NULL, G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL, NULL,
                      NULL, &status, &error)) {
        g_unlink(path);
        return mv_cli_failf(cli, "cannot run the editor '%s': %s; set $EDITOR",
                            editor_command(), error->message);
    }
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_unlink(path);
        return mv_cli_failf(cli, "the editor '%s' failed, so nothing was changed",
                            editor_command());
    }
    if (!g_file_get_contents(path, &edited, NULL, &error)) {
        g_unlink(path);
        return mv_cli_failf(cli, "cannot read back %s: %s", path, error->message);
    }
    if (g_str_equal(edited, xml)) {
        g_unlink(path);
        if (cli->json)
            mv_cli_print_json(json_action(net, "unchanged"), false);
        else
            printf("Network '%s' is unchanged.\n", mv_network_get_name(net));
        return MV_CLI_OK;
    }
    if (!(updated = mv_network_define(cli->conn, edited, MV_NETWORK_DEFINE_VALIDATE, &error))) {
        g_autofree char *msg = g_strstrip(g_strdup(error->message));

        return mv_cli_failf(cli, "%s; the old definition is kept and your edit is in %s: fix "
                            "it and run 'modvirt net-define %s'", msg, path, path);
    }
    g_unlink(path);
    (void)mv_network_is_active(updated, 0, &active, NULL);
    if (cli->json)
        mv_cli_print_json(json_action(updated, "updated"), false);
    else
        printf("Network '%s' updated%s.\n", mv_network_get_name(updated),
               active ? " (the running network gets it at its next start)" : "");
    return MV_CLI_OK;
}

/* ---- net-leases ------------------------------------------------------------------ */

static char *
format_expiry(gint64 t)
{
    g_autoptr(GDateTime) dt = NULL;

    if (t <= 0)
        return g_strdup("never");
    dt = g_date_time_new_from_unix_local(t);
    return dt ? g_date_time_format(dt, "%Y-%m-%d %H:%M:%S") : g_strdup("?");
}

int
mv_cli_run_net_leases(MvCli *cli, int argc, char **argv)
{
    g_autoptr(MvNetwork) net = cli_network(cli, argv[0]);
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonBuilder) b = json_builder_new();
    MvNetworkDhcpLease **leases;
    MvCliTable *table = NULL;

    if (!net)
        return MV_CLI_FAILED;
    if (!(leases = mv_network_get_dhcp_leases(net, mv_cli_net_leases_mac, 0, NULL, &error)))
        return mv_cli_fail(cli, error);
    if (cli->json)
        json_builder_begin_array(b);
    else
        table = mv_cli_table_new("EXPIRES", "MAC", "FAMILY", "ADDRESS", "HOSTNAME", "CLIENT ID",
                                 NULL);
    for (MvNetworkDhcpLease **l = leases; *l; l++) {
        const MvNetworkDhcpLease *lease = *l;
        const char *family = lease->type == MV_IP_ADDRESS_IPV6 ? "ipv6" : "ipv4";

        if (cli->json) {
            json_builder_begin_object(b);
            json_builder_set_member_name(b, "interface");
            json_builder_add_string_value(b, lease->interface);
            json_builder_set_member_name(b, "expiry_time");
            json_builder_add_int_value(b, lease->expiry_time);
            json_builder_set_member_name(b, "family");
            json_builder_add_string_value(b, family);
            json_builder_set_member_name(b, "mac");
            json_builder_add_string_value(b, lease->mac);
            json_builder_set_member_name(b, "address");
            json_builder_add_string_value(b, lease->ip_address);
            json_builder_set_member_name(b, "prefix");
            json_builder_add_int_value(b, lease->prefix);
            json_builder_set_member_name(b, "hostname");
            json_builder_add_string_value(b, lease->hostname);
            json_builder_set_member_name(b, "client_id");
            json_builder_add_string_value(b, lease->client_id);
            json_builder_end_object(b);
        } else {
            g_autofree char *expiry = format_expiry(lease->expiry_time);
            g_autofree char *addr = g_strdup_printf("%s/%u", lease->ip_address, lease->prefix);

            mv_cli_table_add(table, expiry, lease->mac ? lease->mac : "-", family, addr,
                             lease->hostname ? lease->hostname : "-",
                             lease->client_id ? lease->client_id : "-", NULL);
        }
    }
    mv_network_dhcp_lease_list_free(leases);
    if (cli->json) {
        json_builder_end_array(b);
        mv_cli_print_json(json_builder_get_root(b), false);
    } else {
        mv_cli_table_print(table);
    }
    return MV_CLI_OK;
}

/* ---- net-events --------------------------------------------------------------------- */

typedef struct {
    MvCli *cli;
    GMainLoop *loop;
    int seen;
    bool lost;
    guint timer;
} NetEventsRun;

static void
on_net_event(MvConnect *conn, MvNetwork *net, MvNetworkEventType event, int detail,
             gpointer data)
{
    NetEventsRun *run = data;

    if (run->cli->json) {
        g_autoptr(JsonBuilder) b = json_builder_new();

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "event");
        json_builder_add_string_value(b, mv_network_event_type_name(event));
        json_builder_set_member_name(b, "network");
        json_builder_add_string_value(b, mv_network_get_name(net));
        json_builder_set_member_name(b, "uuid");
        json_builder_add_string_value(b, mv_network_get_uuid_string(net));
        json_builder_end_object(b);
        mv_cli_print_json(json_builder_get_root(b), true);
    } else {
        printf("network '%s' %s\n", mv_network_get_name(net), mv_network_event_type_name(event));
        fflush(stdout);
    }
    if (mv_cli_events_count > 0 && ++run->seen >= mv_cli_events_count)
        g_main_loop_quit(run->loop);
}

static gboolean
on_net_stop(gpointer data)
{
    g_main_loop_quit(((NetEventsRun *)data)->loop);
    return G_SOURCE_REMOVE;
}

static gboolean
on_net_timeout(gpointer data)
{
    NetEventsRun *run = data;

    run->timer = 0;
    g_main_loop_quit(run->loop);
    return G_SOURCE_REMOVE;
}

static gboolean
on_net_check_alive(gpointer data)
{
    NetEventsRun *run = data;

    if (mv_connect_is_alive(run->cli->conn))
        return G_SOURCE_CONTINUE;
    run->lost = true;
    g_main_loop_quit(run->loop);
    return G_SOURCE_REMOVE;
}

int
mv_cli_run_net_events(MvCli *cli, int argc, char **argv)
{
    g_autoptr(MvNetwork) net = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
    NetEventsRun run = { .cli = cli, .loop = loop };
    guint watch, sigint, sigterm, alive;

    if (mv_cli_events_timeout < 0 || mv_cli_events_count < 0)
        return mv_cli_usage(cli, "--timeout and --count take a positive number");
    if (!mv_cli_connect(cli))
        return MV_CLI_FAILED;
    if (argc > 0 && !(net = cli_network(cli, argv[0])))
        return MV_CLI_FAILED;
    if (!(watch = mv_connect_watch_network_events(cli->conn, net, NULL, on_net_event, &run,
                                                  NULL, 0, &error)))
        return mv_cli_fail(cli, error);
    fprintf(stderr, "Watching network events on %s; Ctrl-C stops.\n",
            mv_connect_get_uri(cli->conn));
    sigint = g_unix_signal_add(SIGINT, on_net_stop, &run);
    sigterm = g_unix_signal_add(SIGTERM, on_net_stop, &run);
    alive = g_timeout_add_seconds(1, on_net_check_alive, &run);
    if (mv_cli_events_timeout > 0)
        run.timer = g_timeout_add_seconds((guint)mv_cli_events_timeout, on_net_timeout, &run);
    g_main_loop_run(loop);
    g_source_remove(sigint);
    g_source_remove(sigterm);
    if (!run.lost)
        g_source_remove(alive);
    if (run.timer)
        g_source_remove(run.timer);
    mv_connect_unwatch_events(cli->conn, watch, 0, NULL);
    if (run.lost)
        return mv_cli_failf(cli, "the connection to %s was lost; check that the daemon is "
                            "running", mv_connect_get_uri(cli->conn));
    return MV_CLI_OK;
}
