/* Network filter verbs: nwfilter-list, nwfilter-define, nwfilter-dumpxml,
 * nwfilter-undefine and nwfilter-bindings (served by modvirt-filterd). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "verbs.h"

/* A filter by name, or by UUID when @what is one; NULL after printing the error. */
static MvNetworkFilter *
cli_filter(MvCli *cli, const char *what)
{
    g_autoptr(GError) error = NULL;
    MvNetworkFilter *filter;

    if (!mv_cli_connect(cli))
        return NULL;
    filter = mv_network_filter_lookup_by_name(cli->conn, what, 0, &error);
    if (!filter && error->code == MV_ERROR_NO_NETWORK_FILTER && strlen(what) >= 32) {
        g_clear_error(&error);
        filter = mv_network_filter_lookup_by_uuid(cli->conn, what, 0, &error);
    }
    if (!filter)
        mv_cli_fail(cli, error);
    return filter;
}

static JsonNode *
json_filter(MvNetworkFilter *filter, const char *action)
{
    g_autoptr(JsonBuilder) b = json_builder_new();

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "name");
    json_builder_add_string_value(b, mv_network_filter_get_name(filter));
    json_builder_set_member_name(b, "uuid");
    json_builder_add_string_value(b, mv_network_filter_get_uuid_string(filter));
    if (action) {
        json_builder_set_member_name(b, "action");
        json_builder_add_string_value(b, action);
    }
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

int
mv_cli_run_nwfilter_list(MvCli *cli, int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    MvNetworkFilter **filters;
    g_autoptr(JsonBuilder) b = json_builder_new();
    MvCliTable *table = NULL;

    if (!mv_cli_connect(cli))
        return MV_CLI_FAILED;
    if (!(filters = mv_connect_list_network_filters(cli->conn, 0, NULL, &error)))
        return mv_cli_fail(cli, error);
    if (cli->json)
        json_builder_begin_array(b);
    else
        table = mv_cli_table_new("UUID", "NAME", NULL);
    for (MvNetworkFilter **f = filters; *f; f++) {
        if (cli->json)
            json_builder_add_value(b, json_filter(*f, NULL));
        else
            mv_cli_table_add(table, mv_network_filter_get_uuid_string(*f),
                             mv_network_filter_get_name(*f), NULL);
    }
    mv_network_filter_list_free(filters);
    if (cli->json) {
        json_builder_end_array(b);
        mv_cli_print_json(json_builder_get_root(b), false);
    } else {
        mv_cli_table_print(table);
    }
    return MV_CLI_OK;
}

int
mv_cli_run_nwfilter_define(MvCli *cli, int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = NULL;
    g_autoptr(MvNetworkFilter) filter = NULL;

    if (g_str_equal(argv[0], "-")) {
        g_autoptr(GIOChannel) in = g_io_channel_unix_new(0);

        if (g_io_channel_read_to_end(in, &xml, NULL, &error) != G_IO_STATUS_NORMAL)
            return mv_cli_failf(cli, "cannot read the XML from standard input: %s",
                                error->message);
    } else if (!g_file_get_contents(argv[0], &xml, NULL, &error)) {
        return mv_cli_failf(cli, "cannot read %s: %s", argv[0], error->message);
    }
    if (!mv_cli_connect(cli))
        return MV_CLI_FAILED;
    if (!(filter = mv_network_filter_define(cli->conn, xml, MV_NETWORK_FILTER_DEFINE_VALIDATE,
                                            &error)))
        return mv_cli_fail(cli, error);
    if (cli->json)
        mv_cli_print_json(json_filter(filter, "defined"), false);
    else
        printf("Network filter '%s' defined (UUID %s).\n", mv_network_filter_get_name(filter),
               mv_network_filter_get_uuid_string(filter));
    return MV_CLI_OK;
}

int
mv_cli_run_nwfilter_dumpxml(MvCli *cli, int argc, char **argv)
{
    g_autoptr(MvNetworkFilter) filter = cli_filter(cli, argv[0]);
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = NULL;

    if (!filter)
        return MV_CLI_FAILED;
    if (!(xml = mv_network_filter_get_xml(filter, 0, &error)))
        return mv_cli_fail(cli, error);
    fputs(xml, stdout);
    return MV_CLI_OK;
}

int
mv_cli_run_nwfilter_undefine(MvCli *cli, int argc, char **argv)
{
    g_autoptr(MvNetworkFilter) filter = cli_filter(cli, argv[0]);
    g_autoptr(GError) error = NULL;

    if (!filter)
        return MV_CLI_FAILED;
    if (!mv_network_filter_undefine(filter, 0, &error))
        return mv_cli_fail(cli, error);
    if (cli->json)
        mv_cli_print_json(json_filter(filter, "undefined"), false);
    else
        printf("Network filter '%s' undefined.\n", mv_network_filter_get_name(filter));
    return MV_CLI_OK;
}

int
mv_cli_run_nwfilter_bindings(MvCli *cli, int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) ports = NULL;
    g_auto(GStrv) filters = NULL;
    g_autoptr(JsonBuilder) b = json_builder_new();
    MvCliTable *table = NULL;

    if (!mv_cli_connect(cli))
        return MV_CLI_FAILED;
    if (!(ports = mv_connect_list_network_filter_bindings(cli->conn, 0, &filters, &error)))
        return mv_cli_fail(cli, error);
    if (cli->json)
        json_builder_begin_array(b);
    else
        table = mv_cli_table_new("PORT", "FILTER", NULL);
    for (guint i = 0; ports[i]; i++) {
        if (cli->json) {
            json_builder_begin_object(b);
            json_builder_set_member_name(b, "port");
            json_builder_add_string_value(b, ports[i]);
            json_builder_set_member_name(b, "filter");
            json_builder_add_string_value(b, filters[i]);
            json_builder_end_object(b);
        } else {
            mv_cli_table_add(table, ports[i], filters[i], NULL);
        }
    }
    if (cli->json) {
        json_builder_end_array(b);
        mv_cli_print_json(json_builder_get_root(b), false);
    } else {
        mv_cli_table_print(table);
    }
    return MV_CLI_OK;
}
