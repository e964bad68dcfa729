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

/* verb-events.c: the watch loop shared by events and net-events. */
typedef struct {
    MvCli *cli;
    GMainLoop *loop;
    int seen;
    bool lost;
    guint timer;
    guint dead_checks;      /* seconds the connection has been down (libmodvirt reconnects) */
} MvCliEventsRun;

/** mv_cli_events_seen: counts one printed event; ends the loop at --count. */
void mv_cli_events_seen(MvCliEventsRun *run);
/** mv_cli_events_loop: runs until Ctrl-C, --timeout, --count or a lost connection,
 * then unwatches @watch; @what names the events in the banner. */
int mv_cli_events_loop(MvCliEventsRun *run, guint watch, const char *what);
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

/* verbs-secret.c */
extern gboolean mv_cli_secret_ephemeral, mv_cli_secret_no_ephemeral;
extern gboolean mv_cli_secret_private, mv_cli_secret_no_private;
extern char *mv_cli_secret_file;
int mv_cli_run_secret_list(MvCli *cli, int argc, char **argv);
int mv_cli_run_secret_define(MvCli *cli, int argc, char **argv);
int mv_cli_run_secret_dumpxml(MvCli *cli, int argc, char **argv);
int mv_cli_run_secret_undefine(MvCli *cli, int argc, char **argv);
int mv_cli_run_secret_set_value(MvCli *cli, int argc, char **argv);
int mv_cli_run_secret_get_value(MvCli *cli, int argc, char **argv);
int mv_cli_run_secret_events(MvCli *cli, int argc, char **argv);

/* verb-edit.c: XML input shared by the define and edit verbs. */
/** mv_cli_read_xml: the text of @path ("-": standard input); NULL after printing the error. */
char *mv_cli_read_xml(MvCli *cli, const char *path);
/** mv_cli_edit_text: @xml in a temporary file named after @tmpl, through $VISUAL / $EDITOR;
 * returns the edited text and the file, still on disk, in @ret_path (the caller unlinks it
 * once the edit is taken); NULL after printing the error, the file removed. */
char *mv_cli_edit_text(MvCli *cli, const char *tmpl, const char *xml, char **ret_path);

/** mv_cli_console_attach: the interactive console of @dom until Ctrl-] or its end. */
int mv_cli_console_attach(MvCli *cli, MvDomain *dom);

/* verb-volume-transfer.c: vol-upload / vol-download */
extern const GOptionEntry mv_cli_vol_transfer_options[];
int mv_cli_run_vol_upload(MvCli *cli, int argc, char **argv);
int mv_cli_run_vol_download(MvCli *cli, int argc, char **argv);
