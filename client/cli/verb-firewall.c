/* modvirt firewall check [--repair]: the firewall doctor of modvirt-filterd. */
#include <string.h>

#include "verbs.h"

gboolean mv_cli_firewall_repair;

static JsonNode *
to_json(GPtrArray *diffs, bool repaired)
{
    g_autoptr(JsonBuilder) b = json_builder_new();

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "clean");
    json_builder_add_boolean_value(b, diffs->len == 0);
    json_builder_set_member_name(b, "repaired");
    json_builder_add_boolean_value(b, repaired);
    json_builder_set_member_name(b, "differences");
    json_builder_begin_array(b);
    for (guint i = 0; i < diffs->len; i++) {
        MvFirewallDifference *d = diffs->pdata[i];

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "kind");
        json_builder_add_string_value(b, d->kind);
        json_builder_set_member_name(b, "table");
        json_builder_add_string_value(b, d->table);
        json_builder_set_member_name(b, "chain");
        json_builder_add_string_value(b, d->chain);
        json_builder_set_member_name(b, "text");
        json_builder_add_string_value(b, d->text);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

int
mv_cli_run_firewall(MvCli *cli, int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) diffs = NULL;
    bool repair = mv_cli_firewall_repair;
    guint foreign = 0;

    if (!g_str_equal(argv[0], "check"))
        return mv_cli_usage(cli, "unknown firewall action '%s' (only 'check')", argv[0]);
    if (!mv_cli_connect(cli))
        return MV_CLI_FAILED;
    if (!(diffs = mv_connect_firewall_check(cli->conn, repair ? MV_FIREWALL_CHECK_REPAIR : 0,
                                            &error)))
        return mv_cli_fail(cli, error);
    for (guint i = 0; i < diffs->len; i++)
        foreign += g_str_equal(((MvFirewallDifference *)diffs->pdata[i])->kind, "foreign-drop");
    if (cli->json) {
        mv_cli_print_json(to_json(diffs, repair && diffs->len > foreign), false);
    } else if (diffs->len == 0) {
        printf("Firewall clean: the kernel holds exactly modvirt-filterd's rules.\n");
    } else {
        for (guint i = 0; i < diffs->len; i++)
            printf("%s: %s\n", ((MvFirewallDifference *)diffs->pdata[i])->kind,
                   ((MvFirewallDifference *)diffs->pdata[i])->text);
        if (repair && diffs->len > foreign)
            printf("Repaired: modvirt's tables re-applied (%u difference(s)).\n",
                   diffs->len - foreign);
        if (foreign)
            printf("Foreign tables are never changed: fix them in their own tool.\n");
        else if (!repair)
            printf("Run 'modvirt firewall check --repair' to re-apply modvirt's rules.\n");
    }
    /* a difference left in place is a failure: clean, or repaired ours with no foreign one */
    return diffs->len == 0 || (repair && foreign == 0) ? MV_CLI_OK : MV_CLI_FAILED;
}
