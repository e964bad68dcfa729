/* The table of verbs: name, arguments, one-line summary, options, handler. */
#include <stdio.h>

#include "verbs.h"
#include "verbs-storage.h"

static const GOptionEntry list_options[] = {
    { "active", 0, 0, G_OPTION_ARG_NONE, &mv_cli_list_active, "Only running or paused domains",
      NULL },
    { "inactive", 0, 0, G_OPTION_ARG_NONE, &mv_cli_list_inactive, "Only shut off domains", NULL },
    { "name", 0, 0, G_OPTION_ARG_NONE, &mv_cli_list_names, "Print only the names, one per line",
      NULL },
    { NULL },
};

static const GOptionEntry dumpxml_options[] = {
    { "inactive", 0, 0, G_OPTION_ARG_NONE, &mv_cli_xml_inactive,
      "The persistent definition, not the running configuration", NULL },
    { "secure", 0, 0, G_OPTION_ARG_NONE, &mv_cli_xml_secure, "Include passwords", NULL },
    { NULL },
};

static const GOptionEntry autostart_options[] = {
    { "disable", 0, 0, G_OPTION_ARG_NONE, &mv_cli_autostart_disable,
      "Do not start the domain when the daemon starts", NULL },
    { NULL },
};

static const GOptionEntry start_options[] = {
    { "paused", 0, 0, G_OPTION_ARG_NONE, &mv_cli_start_paused, "Start with the CPUs paused", NULL },
    { "console", 0, 0, G_OPTION_ARG_NONE, &mv_cli_start_console,
      "Attach to the console after starting", NULL },
    { NULL },
};

static const GOptionEntry power_off_options[] = {
    { "graceful", 0, 0, G_OPTION_ARG_NONE, &mv_cli_power_off_graceful,
      "Ask the emulator to exit (SIGTERM) but never kill it", NULL },
    { NULL },
};

static const GOptionEntry console_options[] = {
    { "force", 0, 0, G_OPTION_ARG_NONE, &mv_cli_console_force,
      "Take the console over from another session", NULL },
    { "device", 0, 0, G_OPTION_ARG_STRING, &mv_cli_console_device,
      "The console or serial device alias (default: the first console)", "ALIAS" },
    { NULL },
};

static const GOptionEntry secret_list_options[] = {
    { "ephemeral", 0, 0, G_OPTION_ARG_NONE, &mv_cli_secret_ephemeral,
      "Only secrets kept in memory", NULL },
    { "no-ephemeral", 0, 0, G_OPTION_ARG_NONE, &mv_cli_secret_no_ephemeral,
      "Only secrets stored on disk", NULL },
    { "private", 0, 0, G_OPTION_ARG_NONE, &mv_cli_secret_private,
      "Only secrets whose value never leaves the daemon", NULL },
    { "no-private", 0, 0, G_OPTION_ARG_NONE, &mv_cli_secret_no_private,
      "Only secrets whose value root may read", NULL },
    { NULL },
};

static const GOptionEntry secret_value_options[] = {
    { "file", 0, 0, G_OPTION_ARG_FILENAME, &mv_cli_secret_file,
      "Read the value from FILE instead of standard input", "FILE" },
    { NULL },
};

static const GOptionEntry events_options[] = {
    { "timeout", 0, 0, G_OPTION_ARG_INT, &mv_cli_events_timeout,
      "Stop after SECONDS (default: run until interrupted)", "SECONDS" },
    { "count", 0, 0, G_OPTION_ARG_INT, &mv_cli_events_count, "Stop after N events", "N" },
    { NULL },
};

static const GOptionEntry net_list_options[] = {
    { "active", 0, 0, G_OPTION_ARG_NONE, &mv_cli_net_list_active, "Only active networks", NULL },
    { "inactive", 0, 0, G_OPTION_ARG_NONE, &mv_cli_net_list_inactive, "Only inactive networks",
      NULL },
    { "name", 0, 0, G_OPTION_ARG_NONE, &mv_cli_list_names, "Print only the names, one per line",
      NULL },
    { NULL },
};

static const GOptionEntry net_leases_options[] = {
    { "mac", 0, 0, G_OPTION_ARG_STRING, &mv_cli_net_leases_mac,
      "Only the leases of this MAC address", "MAC" },
    { NULL },
};

static const GOptionEntry pool_list_options[] = {
    { "active", 0, 0, G_OPTION_ARG_NONE, &mv_cli_pool_list_active, "Only active pools", NULL },
    { "inactive", 0, 0, G_OPTION_ARG_NONE, &mv_cli_pool_list_inactive, "Only inactive pools",
      NULL },
    { "name", 0, 0, G_OPTION_ARG_NONE, &mv_cli_list_names, "Print only the names, one per line",
      NULL },
    { NULL },
};

static const GOptionEntry pool_start_options[] = {
    { "build", 0, 0, G_OPTION_ARG_NONE, &mv_cli_pool_start_build,
      "Build the pool's storage first (e.g. create its directory)", NULL },
    { NULL },
};

static const GOptionEntry pool_autostart_options[] = {
    { "disable", 0, 0, G_OPTION_ARG_NONE, &mv_cli_autostart_disable,
      "Do not start the pool when the daemon starts", NULL },
    { NULL },
};

static const GOptionEntry pool_dumpxml_options[] = {
    { "inactive", 0, 0, G_OPTION_ARG_NONE, &mv_cli_xml_inactive,
      "The persistent definition, not the running one", NULL },
    { NULL },
};

static const GOptionEntry vol_list_options[] = {
    { "name", 0, 0, G_OPTION_ARG_NONE, &mv_cli_list_names, "Print only the names, one per line",
      NULL },
    { NULL },
};

static const GOptionEntry vol_create_as_options[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &mv_cli_vol_format,
      "The volume format (raw, qcow2...; default: the pool's)", "FORMAT" },
    { "allocation", 0, 0, G_OPTION_ARG_STRING, &mv_cli_vol_allocation,
      "Allocate this much now (default 0: sparse)", "SIZE" },
    { "backing", 0, 0, G_OPTION_ARG_STRING, &mv_cli_vol_backing,
      "A volume of the same pool the new one is an overlay of (qcow2)", "VOLUME" },
    { NULL },
};

static const GOptionEntry vol_resize_options[] = {
    { "shrink", 0, 0, G_OPTION_ARG_NONE, &mv_cli_vol_resize_shrink,
      "Allow making the volume smaller (the data past the new end is lost)", NULL },
    { "allocate", 0, 0, G_OPTION_ARG_NONE, &mv_cli_vol_resize_allocate,
      "Allocate the new space now", NULL },
    { "delta", 0, 0, G_OPTION_ARG_NONE, &mv_cli_vol_resize_delta,
      "SIZE is added to (with --shrink: taken from) the current capacity", NULL },
    { NULL },
};

static const GOptionEntry firewall_options[] = {
    { "repair", 0, 0, G_OPTION_ARG_NONE, &mv_cli_firewall_repair,
      "Re-apply modvirt's own tables when they differ (read-write connection)", NULL },
    { NULL },
};

const MvCliVerb mv_cli_verbs[] = {
    { "list", NULL, "List domains with their state", NULL, list_options, 0, 0, mv_cli_run_list },
    { "info", "DOMAIN", "Show a domain's state, CPUs, memory and settings", NULL, NULL, 1, 1,
      mv_cli_run_info },
    { "define", "FILE", "Define (or update) a domain from an XML file ('-' for stdin)",
      "The domain is not started; a running domain gets the new definition at its next start.",
      NULL, 1, 1, mv_cli_run_define },
    { "undefine", "DOMAIN", "Remove a domain's definition (a running guest keeps running)",
      NULL, NULL, 1, 1, mv_cli_run_action },
    { "start", "DOMAIN", "Start a defined domain", NULL, start_options, 1, 1, mv_cli_run_action },
    { "shutdown", "DOMAIN", "Ask the guest to power off (ACPI power button)",
      "Returns at once; the guest may take a while or ignore it. 'power-off' stops it for sure.",
      NULL, 1, 1, mv_cli_run_action },
    { "power-off", "DOMAIN", "Stop a domain at once, like pulling the plug", NULL,
      power_off_options, 1, 1, mv_cli_run_action },
    { "reboot", "DOMAIN", "Ask the guest to reboot", NULL, NULL, 1, 1, mv_cli_run_action },
    { "reset", "DOMAIN", "Reset a domain at once, like the reset button", NULL, NULL, 1, 1,
      mv_cli_run_action },
    { "suspend", "DOMAIN", "Pause a domain's CPUs", NULL, NULL, 1, 1, mv_cli_run_action },
    { "resume", "DOMAIN", "Resume a paused domain", NULL, NULL, 1, 1, mv_cli_run_action },
    { "dumpxml", "DOMAIN", "Print a domain's XML", NULL, dumpxml_options, 1, 1,
      mv_cli_run_dumpxml },
    { "edit", "DOMAIN", "Edit a domain's definition in $EDITOR",
      "The edited XML is validated by the daemon before it is saved; when it is rejected "
      "the old definition stays and the edited copy is kept for another try.",
      NULL, 1, 1, mv_cli_run_edit },
    { "autostart", "DOMAIN", "Start a domain whenever the daemon starts (--disable to stop)",
      NULL, autostart_options, 1, 1, mv_cli_run_autostart },
    { "console", "DOMAIN", "Attach to a domain's text console (Ctrl-] detaches)", NULL,
      console_options, 1, 1, mv_cli_run_console },
    { "events", "[DOMAIN]", "Print domain lifecycle events as they happen", NULL,
      events_options, 0, 1, mv_cli_run_events },
    { "net-list", NULL, "List virtual networks with their state and bridge", NULL,
      net_list_options, 0, 0, mv_cli_run_net_list },
    { "net-info", "NETWORK", "Show a network's state, bridge and settings", NULL, NULL, 1, 1,
      mv_cli_run_net_info },
    { "net-define", "FILE", "Define (or update) a network from an XML file ('-' for stdin)",
      "The network is not started; a running network gets the new definition at its next "
      "start.", NULL, 1, 1, mv_cli_run_net_define },
    { "net-start", "NETWORK", "Start a defined network (bridge, addresses, DHCP/DNS)", NULL,
      NULL, 1, 1, mv_cli_run_net_action },
    { "net-destroy", "NETWORK", "Stop a network: its bridge and DHCP/DNS go away", NULL, NULL, 1,
      1, mv_cli_run_net_action },
    { "net-undefine", "NETWORK", "Remove a network's definition (a running one keeps running)",
      NULL, NULL, 1, 1, mv_cli_run_net_action },
    { "net-edit", "NETWORK", "Edit a network's definition in $EDITOR",
      "The edited XML is validated by the daemon before it is saved; when it is rejected "
      "the old definition stays and the edited copy is kept for another try.",
      NULL, 1, 1, mv_cli_run_net_edit },
    { "net-leases", "NETWORK", "List the DHCP leases of a network", NULL, net_leases_options, 1,
      1, mv_cli_run_net_leases },
    { "net-events", "[NETWORK]", "Print network lifecycle events as they happen", NULL,
      events_options, 0, 1, mv_cli_run_net_events },
    /* storage pools and volumes (modvirt-storaged) */
    { "pool-list", NULL, "List storage pools with their state and sizes", NULL,
      pool_list_options, 0, 0, mv_cli_run_pool_list },
    { "pool-info", "POOL", "Show a storage pool's state, sizes and volume count", NULL, NULL, 1,
      1, mv_cli_run_pool_info },
    { "pool-define", "FILE", "Define (or update) a storage pool from an XML file ('-' for stdin)",
      "The pool is not started; an active pool gets the new definition at its next start.",
      NULL, 1, 1, mv_cli_run_pool_define },
    { "pool-build", "POOL", "Create a pool's storage (its directory, filesystem...)", NULL, NULL,
      1, 1, mv_cli_run_pool_action },
    { "pool-start", "POOL", "Start a storage pool (mount it, list its volumes)", NULL,
      pool_start_options, 1, 1, mv_cli_run_pool_action },
    { "pool-destroy", "POOL", "Stop a storage pool (its volumes stay on disk)", NULL, NULL, 1, 1,
      mv_cli_run_pool_action },
    { "pool-delete", "POOL", "Remove an inactive pool's storage (what pool-build made)", NULL,
      NULL, 1, 1, mv_cli_run_pool_action },
    { "pool-undefine", "POOL", "Remove an inactive pool's definition", NULL, NULL, 1, 1,
      mv_cli_run_pool_action },
    { "pool-refresh", "POOL", "Re-read a pool's volumes from its storage", NULL, NULL, 1, 1,
      mv_cli_run_pool_action },
    { "pool-autostart", "POOL", "Start a pool whenever the daemon starts (--disable to stop)",
      NULL, pool_autostart_options, 1, 1, mv_cli_run_pool_autostart },
    { "pool-dumpxml", "POOL", "Print a storage pool's XML", NULL, pool_dumpxml_options, 1, 1,
      mv_cli_run_pool_dumpxml },
    { "vol-list", "POOL", "List the volumes of a pool with format and sizes", NULL,
      vol_list_options, 1, 1, mv_cli_run_vol_list },
    { "vol-info", "POOL VOLUME", "Show a volume's path, format and sizes", NULL, NULL, 2, 2,
      mv_cli_run_vol_info },
    { "vol-create", "POOL FILE", "Create a volume from an XML file ('-' for stdin)", NULL, NULL,
      2, 2, mv_cli_run_vol_create },
    { "vol-create-as", "POOL NAME SIZE", "Create a volume of SIZE (10G, 512M...)", NULL,
      vol_create_as_options, 3, 3, mv_cli_run_vol_create_as },
    { "vol-clone", "POOL VOLUME NEW", "Copy a volume into a new one of the same pool", NULL, NULL,
      3, 3, mv_cli_run_vol_clone },
    { "vol-delete", "POOL VOLUME", "Delete a volume and its data", NULL, NULL, 2, 2,
      mv_cli_run_vol_action },
    { "vol-wipe", "POOL VOLUME", "Overwrite a volume's data with zeros", NULL, NULL, 2, 2,
      mv_cli_run_vol_action },
    { "vol-resize", "POOL VOLUME SIZE", "Change a volume's capacity", NULL, vol_resize_options,
      3, 3, mv_cli_run_vol_resize },
    { "vol-dumpxml", "POOL VOLUME", "Print a volume's XML", NULL, NULL, 2, 2,
      mv_cli_run_vol_dumpxml },
    { "vol-path", "POOL VOLUME", "Print a volume's path", NULL, NULL, 2, 2,
      mv_cli_run_vol_dumpxml },
    { "nwfilter-list", NULL, "List network filters", NULL, NULL, 0, 0,
      mv_cli_run_nwfilter_list },
    { "nwfilter-define", "FILE", "Define (or update) a network filter from an XML file ('-' for "
      "stdin)", NULL, NULL, 1, 1, mv_cli_run_nwfilter_define },
    { "nwfilter-dumpxml", "FILTER", "Print a network filter's XML", NULL, NULL, 1, 1,
      mv_cli_run_nwfilter_dumpxml },
    { "nwfilter-undefine", "FILTER", "Remove a network filter (refused while a binding uses it)",
      NULL, NULL, 1, 1, mv_cli_run_nwfilter_undefine },
    { "nwfilter-bindings", NULL, "List the ports with a network filter and their filters", NULL,
      NULL, 0, 0, mv_cli_run_nwfilter_bindings },
    { "secret-list", NULL, "List secrets (UUID, usage, usage id)", NULL, secret_list_options,
      0, 0, mv_cli_run_secret_list },
    { "secret-define", "FILE", "Define (or update) a secret from an XML file ('-' for stdin)",
      "Only the definition: set the value with secret-set-value.", NULL, 1, 1,
      mv_cli_run_secret_define },
    { "secret-dumpxml", "SECRET", "Print a secret's XML (SECRET: UUID or USAGE:ID)", NULL, NULL,
      1, 1, mv_cli_run_secret_dumpxml },
    { "secret-undefine", "SECRET", "Remove a secret and its value", NULL, NULL, 1, 1,
      mv_cli_run_secret_undefine },
    { "secret-set-value", "SECRET", "Set a secret's value from standard input or --file",
      "The value is the bytes read, exactly (a trailing newline is part of it: use printf, "
      "not echo). It is never taken from the command line, where ps would show it.",
      secret_value_options, 1, 1, mv_cli_run_secret_set_value },
    { "secret-get-value", "SECRET", "Print a secret's value (root only; --json: base64)",
      "Refused on read-only connections, to other users and for private secrets.", NULL, 1, 1,
      mv_cli_run_secret_get_value },
    { "secret-events", "[SECRET]", "Print secret events (defined, undefined, value-changed)",
      NULL, events_options, 0, 1, mv_cli_run_secret_events },
    { "firewall", "check", "Compare the kernel's firewall with modvirt-filterd's rules",
      "Names every difference: a table missing (nft flush ruleset), a rule or chain added, "
      "removed or edited by hand, a foreign table that drops packets before modvirt's chains. "
      "Exit status 1 while a difference is left.",
      firewall_options, 1, 1, mv_cli_run_firewall },
    { "vol-upload", "VOLUME FILE", "Write a local file into a volume, with progress",
      "VOLUME is a name in --pool POOL, or a volume's path or key. With --sparse the file's "
      "holes are sent as holes and stay holes in the volume.",
      mv_cli_vol_transfer_options, 2, 2, mv_cli_run_vol_upload },
    { "vol-download", "VOLUME FILE", "Copy a volume into a local file ('-': stdout), with "
      "progress",
      "VOLUME is a name in --pool POOL, or a volume's path or key. With --sparse the volume's "
      "holes arrive as holes and stay unallocated in FILE.",
      mv_cli_vol_transfer_options, 2, 2, mv_cli_run_vol_download },
    { "help", "[VERB]", "Show help for modvirt or a verb", NULL, NULL, 0, 1, mv_cli_run_help },
    { NULL },
};

const MvCliVerb *
mv_cli_verb_find(const char *name)
{
    for (const MvCliVerb *v = mv_cli_verbs; v->name; v++) {
        if (g_str_equal(v->name, name))
            return v;
    }
    return NULL;
}

int
mv_cli_run_help(MvCli *cli, int argc, char **argv)
{
    const MvCliVerb *verb;
    g_autoptr(GOptionContext) ctx = NULL;
    g_autofree char *text = NULL;

    if (argc == 0) {
        mv_cli_print_help(stdout);
        return MV_CLI_OK;
    }
    if (!(verb = mv_cli_verb_find(argv[0])))
        return mv_cli_usage(cli, "unknown verb '%s'", argv[0]);
    ctx = mv_cli_verb_context(cli, verb);
    text = g_option_context_get_help(ctx, TRUE, NULL);
    fputs(text, stdout);
    return MV_CLI_OK;
}
