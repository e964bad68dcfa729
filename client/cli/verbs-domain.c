/* Domain verbs: list, info, define, undefine, dumpxml, autostart and the
 * lifecycle actions (start, shutdown, power-off, reboot, reset, suspend,
 * resume). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "verbs.h"

/* ---- list ------------------------------------------------------------------- */

gboolean mv_cli_list_active, mv_cli_list_inactive, mv_cli_list_names;

static char *
format_id(int id)
{
    return id >= 0 ? g_strdup_printf("%d", id) : g_strdup("-");
}

int
mv_cli_run_list(MvCli *cli, int argc, char **argv)
{
    unsigned int flags = 0;
    MvDomain **doms;
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonBuilder) b = json_builder_new();
    MvCliTable *table = NULL;

    if (mv_cli_list_active && mv_cli_list_inactive)
        return mv_cli_usage(cli, "--active and --inactive exclude each other");
    if (mv_cli_list_active)
        flags |= MV_LIST_DOMAINS_ACTIVE;
    if (mv_cli_list_inactive)
        flags |= MV_LIST_DOMAINS_INACTIVE;
    if (!mv_cli_connect(cli))
        return MV_CLI_FAILED;
    if (!(doms = mv_connect_list_domains(cli->conn, flags, NULL, &error)))
        return mv_cli_fail(cli, error);

    if (cli->json)
        json_builder_begin_array(b);
    else if (!mv_cli_list_names)
        table = mv_cli_table_new("ID", "NAME", "STATE", "AUTOSTART", NULL);
    for (MvDomain **d = doms; *d; d++) {
        MvDomainState state;
        bool autostart = false;
        g_autofree char *id = format_id(mv_domain_get_id(*d));

        if (mv_cli_list_names && !cli->json) {
            printf("%s\n", mv_domain_get_name(*d));
            continue;
        }
        if (!mv_domain_get_state(*d, 0, &state, NULL, &error) ||
            !mv_domain_get_autostart(*d, 0, &autostart, &error)) {
            /* The domain went away between the list and this call: skip it. */
            if (error->code == MV_ERROR_NO_DOMAIN) {
                g_clear_error(&error);
                continue;
            }
            mv_domain_list_free(doms);
            if (table)
                mv_cli_table_print(table);
            return mv_cli_fail(cli, error);
        }
        if (cli->json) {
            json_builder_begin_object(b);
            json_builder_set_member_name(b, "id");
            if (mv_domain_get_id(*d) >= 0)
                json_builder_add_int_value(b, mv_domain_get_id(*d));
            else
                json_builder_add_null_value(b);
            json_builder_set_member_name(b, "name");
            json_builder_add_string_value(b, mv_domain_get_name(*d));
            json_builder_set_member_name(b, "uuid");
            json_builder_add_string_value(b, mv_domain_get_uuid_string(*d));
            json_builder_set_member_name(b, "state");
            json_builder_add_string_value(b, mv_domain_state_name(state));
            json_builder_set_member_name(b, "autostart");
            json_builder_add_boolean_value(b, autostart);
            json_builder_end_object(b);
        } else if (table) {
            mv_cli_table_add(table, id, mv_domain_get_name(*d), mv_domain_state_name(state),
                             autostart ? "yes" : "no", NULL);
        }
    }
    mv_domain_list_free(doms);
    return mv_cli_print_list(cli, b, table);
}

/* ---- info ------------------------------------------------------------------------ */

int
mv_cli_run_info(MvCli *cli, int argc, char **argv)
{
    g_autoptr(MvDomain) dom = mv_cli_domain(cli, argv[0]);
    g_autoptr(GError) error = NULL;
    MvDomainInfo info;

    if (!dom)
        return MV_CLI_FAILED;
    if (!mv_domain_get_info(dom, 0, &info, &error))
        return mv_cli_fail(cli, error);
    if (cli->json) {
        g_autoptr(JsonBuilder) b = json_builder_new();

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, mv_domain_get_name(dom));
        json_builder_set_member_name(b, "uuid");
        json_builder_add_string_value(b, mv_domain_get_uuid_string(dom));
        json_builder_set_member_name(b, "id");
        if (mv_domain_get_id(dom) >= 0)
            json_builder_add_int_value(b, mv_domain_get_id(dom));
        else
            json_builder_add_null_value(b);
        json_builder_set_member_name(b, "state");
        json_builder_add_string_value(b, mv_domain_state_name(info.state));
        json_builder_set_member_name(b, "vcpus");
        json_builder_add_int_value(b, info.vcpus);
        json_builder_set_member_name(b, "memory_kib");
        json_builder_add_int_value(b, (gint64)info.memory_kib);
        json_builder_set_member_name(b, "max_memory_kib");
        json_builder_add_int_value(b, (gint64)info.max_memory_kib);
        json_builder_set_member_name(b, "cpu_time_ns");
        json_builder_add_int_value(b, (gint64)info.cpu_time_ns);
        json_builder_set_member_name(b, "persistent");
        json_builder_add_boolean_value(b, info.persistent);
        json_builder_set_member_name(b, "autostart");
        json_builder_add_boolean_value(b, info.autostart);
        json_builder_end_object(b);
        mv_cli_print_json(json_builder_get_root(b), false);
    } else {
        g_autofree char *id = format_id(mv_domain_get_id(dom));
        g_autofree char *vcpus = g_strdup_printf("%u", info.vcpus);
        g_autofree char *mem = g_strdup_printf("%" G_GUINT64_FORMAT " MiB",
                                               info.memory_kib / 1024);
        g_autofree char *maxmem = g_strdup_printf("%" G_GUINT64_FORMAT " MiB",
                                                  info.max_memory_kib / 1024);
        g_autofree char *cpu = g_strdup_printf("%.1f s", info.cpu_time_ns / 1e9);
        const char *pairs[] = {
            "Name", mv_domain_get_name(dom),
            "UUID", mv_domain_get_uuid_string(dom),
            "ID", id,
            "State", mv_domain_state_name(info.state),
            "CPUs", vcpus,
            "Memory", mem,
            "Max memory", maxmem,
            "CPU time", cpu,
            "Persistent", info.persistent ? "yes" : "no",
            "Autostart", info.autostart ? "yes" : "no",
            NULL,
        };

        mv_cli_print_pairs(pairs);
    }
    return MV_CLI_OK;
}

/* ---- define, dumpxml, autostart ------------------------------------------------------ */

int
mv_cli_run_define(MvCli *cli, int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = NULL;
    g_autoptr(MvDomain) dom = NULL;

    if (!(xml = mv_cli_read_xml(cli, argv[0])) || !mv_cli_connect(cli))
        return MV_CLI_FAILED;
    if (!(dom = mv_domain_define(cli->conn, xml, MV_DOMAIN_DEFINE_VALIDATE, &error)))
        return mv_cli_fail(cli, error);
    if (cli->json)
        mv_cli_print_json(mv_cli_json_action(dom, "defined"), false);
    else
        printf("Domain '%s' defined (UUID %s).\n", mv_domain_get_name(dom),
               mv_domain_get_uuid_string(dom));
    return MV_CLI_OK;
}

gboolean mv_cli_xml_inactive, mv_cli_xml_secure;

int
mv_cli_run_dumpxml(MvCli *cli, int argc, char **argv)
{
    g_autoptr(MvDomain) dom = mv_cli_domain(cli, argv[0]);
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = NULL;
    unsigned int flags = (mv_cli_xml_inactive ? MV_DOMAIN_XML_INACTIVE : 0) |
                         (mv_cli_xml_secure ? MV_DOMAIN_XML_SECURE : 0);

    if (!dom)
        return MV_CLI_FAILED;
    if (!(xml = mv_domain_get_xml(dom, flags, &error)))
        return mv_cli_fail(cli, error);
    if (cli->json) {
        g_autoptr(JsonBuilder) b = json_builder_new();

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "domain");
        json_builder_add_string_value(b, mv_domain_get_name(dom));
        json_builder_set_member_name(b, "xml");
        json_builder_add_string_value(b, xml);
        json_builder_end_object(b);
        mv_cli_print_json(json_builder_get_root(b), false);
    } else {
        fputs(xml, stdout);
        if (*xml && xml[strlen(xml) - 1] != '\n')
            fputc('\n', stdout);
    }
    return MV_CLI_OK;
}

gboolean mv_cli_autostart_disable;

int
mv_cli_run_autostart(MvCli *cli, int argc, char **argv)
{
    g_autoptr(MvDomain) dom = mv_cli_domain(cli, argv[0]);
    g_autoptr(GError) error = NULL;
    bool on = !mv_cli_autostart_disable;

    if (!dom)
        return MV_CLI_FAILED;
    if (!mv_domain_set_autostart(dom, on, 0, &error))
        return mv_cli_fail(cli, error);
    if (cli->json)
        mv_cli_print_json(mv_cli_json_action(dom, on ? "autostart-enabled"
                                                     : "autostart-disabled"), false);
    else
        printf("Domain '%s' %s.\n", mv_domain_get_name(dom),
               on ? "will start when the daemon starts" : "will no longer start automatically");
    return MV_CLI_OK;
}

/* ---- lifecycle actions ------------------------------------------------------------------ */

gboolean mv_cli_start_paused, mv_cli_start_console, mv_cli_power_off_graceful;

typedef struct {
    const char *verb;
    const char *action;         /* for --json */
    const char *done;           /* what happened, after "Domain 'NAME' " */
} MvCliAction;

static const MvCliAction actions[] = {
    { "start", "started", "started." },
    { "shutdown", "shutdown-requested", "is shutting down (the guest was asked to power off)." },
    { "power-off", "powered-off", "powered off." },
    { "reboot", "reboot-requested", "is rebooting (the guest was asked to reboot)." },
    { "reset", "reset", "was reset." },
    { "suspend", "suspended", "suspended." },
    { "resume", "resumed", "resumed." },
    { "undefine", "undefined", "undefined: its definition is removed." },
};

int
mv_cli_run_action(MvCli *cli, int argc, char **argv)
{
    g_autoptr(MvDomain) dom = mv_cli_domain(cli, argv[0]);
    g_autoptr(GError) error = NULL;
    const char *verb = cli->verb->name;
    const MvCliAction *act = NULL;
    bool ok;

    if (!dom)
        return MV_CLI_FAILED;
    for (gsize i = 0; i < G_N_ELEMENTS(actions); i++) {
        if (g_str_equal(actions[i].verb, verb))
            act = &actions[i];
    }
    g_assert(act);
    if (g_str_equal(verb, "start"))
        ok = mv_domain_start(dom, mv_cli_start_paused ? MV_DOMAIN_START_PAUSED : 0, &error);
    else if (g_str_equal(verb, "shutdown"))
        ok = mv_domain_shutdown(dom, 0, &error);
    else if (g_str_equal(verb, "power-off"))
        ok = mv_domain_power_off(dom, mv_cli_power_off_graceful ? MV_DOMAIN_POWER_OFF_GRACEFUL : 0,
                                 &error);
    else if (g_str_equal(verb, "reboot"))
        ok = mv_domain_reboot(dom, 0, &error);
    else if (g_str_equal(verb, "reset"))
        ok = mv_domain_reset(dom, 0, &error);
    else if (g_str_equal(verb, "suspend"))
        ok = mv_domain_suspend(dom, 0, &error);
    else if (g_str_equal(verb, "resume"))
        ok = mv_domain_resume(dom, 0, &error);
    else
        ok = mv_domain_undefine(dom, 0, &error);
    if (!ok)
        return mv_cli_fail(cli, error);
    if (cli->json)
        mv_cli_print_json(mv_cli_json_action(dom, act->action), false);
    else
        printf("Domain '%s' %s\n", mv_domain_get_name(dom), act->done);
    if (g_str_equal(verb, "start") && mv_cli_start_console) {
        fflush(stdout);
        return mv_cli_console_attach(cli, dom);
    }
    return MV_CLI_OK;
}
