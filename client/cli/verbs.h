/* The verb handlers and their option variables (one process runs one verb,
 * so options live in plain globals next to their verb). */
#pragma once

#include "cli.h"

extern gboolean mv_cli_list_active, mv_cli_list_inactive, mv_cli_list_names;
extern gboolean mv_cli_xml_inactive, mv_cli_xml_secure;
extern gboolean mv_cli_autostart_disable;
extern gboolean mv_cli_start_paused, mv_cli_start_console, mv_cli_power_off_graceful;
extern gboolean mv_cli_console_force;
extern char *mv_cli_console_device;
extern int mv_cli_events_timeout, mv_cli_events_count;
extern gboolean mv_cli_firewall_repair;

int mv_cli_run_list(MvCli *cli, int argc, char **argv);
int mv_cli_run_info(MvCli *cli, int argc, char **argv);
int mv_cli_run_define(MvCli *cli, int argc, char **argv);
int mv_cli_run_dumpxml(MvCli *cli, int argc, char **argv);
int mv_cli_run_autostart(MvCli *cli, int argc, char **argv);
int mv_cli_run_action(MvCli *cli, int argc, char **argv);
int mv_cli_run_edit(MvCli *cli, int argc, char **argv);
int mv_cli_run_console(MvCli *cli, int argc, char **argv);
int mv_cli_run_events(MvCli *cli, int argc, char **argv);
int mv_cli_run_help(MvCli *cli, int argc, char **argv);
int mv_cli_run_nwfilter_list(MvCli *cli, int argc, char **argv);
int mv_cli_run_nwfilter_define(MvCli *cli, int argc, char **argv);
int mv_cli_run_nwfilter_dumpxml(MvCli *cli, int argc, char **argv);
int mv_cli_run_nwfilter_undefine(MvCli *cli, int argc, char **argv);
int mv_cli_run_nwfilter_bindings(MvCli *cli, int argc, char **argv);
int mv_cli_run_firewall(MvCli *cli, int argc, char **argv);

/* verbs-network.c */
extern gboolean mv_cli_net_list_active, mv_cli_net_list_inactive;
extern char *mv_cli_net_leases_mac;
int mv_cli_run_net_list(MvCli *cli, int argc, char **argv);
int mv_cli_run_net_info(MvCli *cli, int argc, char **argv);
int mv_cli_run_net_define(MvCli *cli, int argc, char **argv);
int mv_cli_run_net_action(MvCli *cli, int argc, char **argv);
int mv_cli_run_net_edit(MvCli *cli, int argc, char **argv);
int mv_cli_run_net_leases(MvCli *cli, int argc, char **argv);
int mv_cli_run_net_events(MvCli *cli, int argc, char **argv);

/** mv_cli_console_attach: the interactive console of @dom until Ctrl-] or its end. */
int mv_cli_console_attach(MvCli *cli, MvDomain *dom);
