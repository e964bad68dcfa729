/* Network verbs: net-list, net-info, net-define, net-start, net-destroy,
 * net-undefine, net-edit, net-leases, net-events (modvirt-networkd through
 * libmodvirt). */
#include <glib/gstdio.h>
#include <stdio.h>

#include "verbs.h"

gboolean mv_cli_net_list_active, mv_cli_net_list_inactive;
char *mv_cli_net_leases_mac;

/* Looks up @what (a name or a UUID); NULL after printing the error. */
static MvNetwork *
cli_network(MvCli *cli, const char *what)
{
    g_autoptr(GError) error = NULL;
    MvNetwork *net;

    if (!mv_cli_lookup_begin(cli, what))
        return NULL;
    net = mv_network_lookup_by_name(cli->conn, what, 0, &error);
    if (!net && mv_cli_lookup_try_uuid(&error, MV_ERROR_NO_NETWORK, what))
        net = mv_network_lookup_by_uuid(cli->conn, what, 0, &error);
    if (!net)
        return mv_cli_lookup_failed(cli, error, MV_ERROR_NO_NETWORK, "network", what,
                                    "net-list", "networks");
    return net;
}

static JsonNode *
json_action(MvNetwork *net, const char *action)
{
    return mv_cli_json_subject("network", mv_network_get_name(net),
                               mv_network_get_uuid_string(net), action);
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
    return mv_cli_print_list(cli, b, table);
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

int
mv_cli_run_net_define(MvCli *cli, int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = mv_cli_read_xml(cli, argv[0]);
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
    bool active = false;

    if (!net)
        return MV_CLI_FAILED;
    if (!(xml = mv_network_get_xml(net, MV_NETWORK_XML_INACTIVE, &error)))
        return mv_cli_fail(cli, error);
    tmpl = g_strdup_printf("modvirt-net-%s-XXXXXX.xml", mv_network_get_name(net));
    if (!(edited = mv_cli_edit_text(cli, tmpl, xml, &path)))
        return MV_CLI_FAILED;
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
    return mv_cli_print_list(cli, b, table);
}

/* ---- net-events --------------------------------------------------------------------- */

static void
on_net_event(MvConnect *conn, MvNetwork *net, MvNetworkEventType event, int detail,
             gpointer data)
{
    MvCliEventsRun *run = data;

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
    mv_cli_events_seen(run);
}

int
mv_cli_run_net_events(MvCli *cli, int argc, char **argv)
{
    g_autoptr(MvNetwork) net = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
    MvCliEventsRun run = { .cli = cli, .loop = loop };
    guint watch;

    if (mv_cli_events_timeout < 0 || mv_cli_events_count < 0)
        return mv_cli_usage(cli, "--timeout and --count take a positive number");
    if (!mv_cli_connect(cli))
        return MV_CLI_FAILED;
    if (argc > 0 && !(net = cli_network(cli, argv[0])))
        return MV_CLI_FAILED;
    if (!(watch = mv_connect_watch_network_events(cli->conn, net, NULL, on_net_event, &run,
                                                  NULL, 0, &error)))
        return mv_cli_fail(cli, error);
    return mv_cli_events_loop(&run, watch, "network");
}
