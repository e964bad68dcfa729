/* The command line of <tpm>: swtpm's control socket as a chardev, the
 * emulator tpmdev on it, and the TPM interface device (qemu-tpm.c runs swtpm). */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-command-priv.h"

#include "util/error.h"

bool
qemu_command_tpm_add(QemuCmd *cmd, GError **error)
{
    const MvDomainTpmDef *tpm = cmd->def->tpm;
    GString *buf;

    if (!tpm)
        return true;
    if (g_strcmp0(tpm->backend, "emulator") != 0 || g_strcmp0(tpm->version, "2.0") != 0)
        return qemu_command_unsupported(error, "tpm0: only <backend type='emulator' "
                                        "version='2.0'/> is supported");
    if (!g_str_equal(tpm->model, "tpm-crb") && !g_str_equal(tpm->model, "tpm-tis"))
        return qemu_command_unsupported(error, "tpm0: model '%s' is not supported "
                                        "(tpm-crb, tpm-tis are)", tpm->model);
    if (!cmd->ctx->tpm_socket)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                            "tpm0: no swtpm socket was given");
    buf = g_string_new("socket,id=chrtpm,path=");
    qemu_command_escape(buf, cmd->ctx->tpm_socket);
    qemu_command_add_take(cmd, "-chardev", buf);
    qemu_command_add(cmd, "-tpmdev", "emulator,id=tpm-tpm0,chardev=chrtpm");
    qemu_command_addf(cmd, "-device", "%s,tpmdev=tpm-tpm0,id=tpm0", tpm->model);
    return true;
}
