/* <tpm><backend type='emulator' version='2.0'/>: a software TPM 2.0 run by
 * swtpm (package 'swtpm'; swtpm_setup from 'swtpm-tools' manufactures it).
 * qemud starts one swtpm per guest before QEMU, hands QEMU its control socket,
 * and reaps it when the guest stops. The TPM's state lives with the guest in
 * <lib>/qemu/swtpm/<uuid>/ until `undefine --tpm`. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "conf/domain-def.h"
#include "util/spawn.h"

G_BEGIN_DECLS

/** mv_qemu_tpm_state_dir: <lib_dir>/swtpm/<uuid> (new string). */
char *mv_qemu_tpm_state_dir(const char *lib_dir, const guint8 uuid[16]);

/** mv_qemu_tpm_socket_path: <state_dir>/<uuid>.swtpm (new string): swtpm's control socket. */
char *mv_qemu_tpm_socket_path(const char *state_dir, const guint8 uuid[16]);

/**
 * mv_qemu_tpm_start:
 * Starts swtpm for @def's <tpm> (if any; else sets *@ret_child to NULL and
 * returns true): manufactures the TPM with swtpm_setup the first time (state in
 * mv_qemu_tpm_state_dir()), then runs `swtpm socket --terminate` with its
 * control socket at @socket_path and its log in <log_dir>/<name>-swtpm.log, and
 * waits until the socket is there. The caller owns *@ret_child and must
 * terminate it (mv_child_terminate()) when QEMU is gone. On failure nothing is
 * left running; the error names the swtpm log.
 */
bool mv_qemu_tpm_start(const MvDomainDef *def, const char *lib_dir, const char *log_dir,
                       const char *socket_path, MvChild **ret_child, GError **error);

/**
 * mv_qemu_tpm_remove_state:
 * Removes the TPM state of the guest @uuid (undefine --tpm); none is fine.
 */
bool mv_qemu_tpm_remove_state(const char *lib_dir, const guint8 uuid[16], GError **error);

G_END_DECLS
