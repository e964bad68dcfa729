/* The storage verbs (verbs-storage.c: pools, verbs-storage-vol.c: volumes)
 * and what they share. */
#pragma once

#include "verbs.h"

G_BEGIN_DECLS

extern gboolean mv_cli_pool_list_active, mv_cli_pool_list_inactive, mv_cli_pool_start_build;
extern char *mv_cli_vol_format, *mv_cli_vol_allocation, *mv_cli_vol_backing;
extern gboolean mv_cli_vol_resize_shrink, mv_cli_vol_resize_allocate, mv_cli_vol_resize_delta;

/** mv_cli_format_size: "3.00 MiB" (binary units, like virsh). */
char *mv_cli_format_size(guint64 bytes);

/** mv_cli_parse_size: "10G", "512M", "4096", "1GiB", "2GB" into bytes; false when invalid. */
bool mv_cli_parse_size(const char *text, guint64 *ret_bytes);

/** mv_cli_pool: looks up @what (a name or a UUID); NULL after printing the error. */
MvStoragePool *mv_cli_pool(MvCli *cli, const char *what);

int mv_cli_run_pool_list(MvCli *cli, int argc, char **argv);
int mv_cli_run_pool_info(MvCli *cli, int argc, char **argv);
int mv_cli_run_pool_define(MvCli *cli, int argc, char **argv);
int mv_cli_run_pool_action(MvCli *cli, int argc, char **argv);
int mv_cli_run_pool_autostart(MvCli *cli, int argc, char **argv);
int mv_cli_run_pool_dumpxml(MvCli *cli, int argc, char **argv);

int mv_cli_run_vol_list(MvCli *cli, int argc, char **argv);
int mv_cli_run_vol_info(MvCli *cli, int argc, char **argv);
int mv_cli_run_vol_create(MvCli *cli, int argc, char **argv);
int mv_cli_run_vol_create_as(MvCli *cli, int argc, char **argv);
int mv_cli_run_vol_clone(MvCli *cli, int argc, char **argv);
int mv_cli_run_vol_action(MvCli *cli, int argc, char **argv);
int mv_cli_run_vol_resize(MvCli *cli, int argc, char **argv);
int mv_cli_run_vol_dumpxml(MvCli *cli, int argc, char **argv);

G_END_DECLS
