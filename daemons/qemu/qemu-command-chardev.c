/* The QEMU command line of a domain: serial ports, consoles and channels
 * (-chardev backends + their -device). */
#include "qemu-command.h"
#include "qemu-command-priv.h"

#include <stdarg.h>
#include <string.h>

#include "util/error.h"

#define SUN_PATH_MAX 107    /* sizeof(sockaddr_un.sun_path) - 1 */

/* -chardev for @chr with id "char<alias>". @path overrides the source path
 * (auto-created channel sockets); @log adds the console logfile. */
static bool
chardev_add(QemuCmd *cmd, const MvDomainChrDef *chr, const char *alias, const char *path,
            bool log, GError **error)
{
    const MvQemuCommandContext *ctx = cmd->ctx;
    GString *buf = g_string_new(NULL);

    if (!path)
        path = chr->source_path;
    switch (chr->type) {
    case MV_DOMAIN_CHR_PTY:
        g_string_append_printf(buf, "pty,id=char%s", alias);
        break;
    case MV_DOMAIN_CHR_UNIX:
        if (!path) {
            g_string_free(buf, TRUE);
            return qemu_command_unsupported(error, "%s: a unix socket needs <source path='…'/>",
                                            alias);
        }
        if (strlen(path) > SUN_PATH_MAX) {
            g_string_free(buf, TRUE);
            return qemu_command_unsupported(error,
                                            "%s: the socket path '%s' is longer than %d bytes",
                                            alias, path, SUN_PATH_MAX);
        }
        g_string_append_printf(buf, "socket,id=char%s,path=", alias);
        qemu_command_escape(buf, path);
        if (!chr->source_mode || !g_str_equal(chr->source_mode, "connect"))
            g_string_append(buf, ",server=on,wait=off");
        break;
    case MV_DOMAIN_CHR_FILE:
        if (!path) {
            g_string_free(buf, TRUE);
            return qemu_command_unsupported(error, "%s: a file needs <source path='…'/>", alias);
        }
        g_string_append_printf(buf, "file,id=char%s,path=", alias);
        qemu_command_escape(buf, path);
        log = false;
        break;
    case MV_DOMAIN_CHR_NULL:
        g_string_append_printf(buf, "null,id=char%s", alias);
        log = false;
        break;
    case MV_DOMAIN_CHR_SPICEVMC:
        if (!qemu_command_def_has_spice(cmd->def)) {
            g_string_free(buf, TRUE);
            return qemu_command_unsupported(error, "%s: a 'spicevmc' channel needs "
                                            "<graphics type='spice'>", alias);
        }
        /* the SPICE agent's channel (com.redhat.spice.0) */
        g_string_append_printf(buf, "spicevmc,id=char%s,name=vdagent", alias);
        log = false;
        break;
    }
    /* The log keeps what the guest wrote while nobody was connected. */
    if (log && ctx->log_dir) {
        g_autofree char *file = g_strdup_printf("%s/%s-%s.log", ctx->log_dir, cmd->def->name,
                                                alias);

        g_string_append(buf, ",logfile=");
        qemu_command_escape(buf, file);
        g_string_append(buf, ",logappend=on");
    }
    qemu_command_add_take(cmd, "-chardev", buf);
    return true;
}

static bool
serial_add(QemuCmd *cmd, const MvDomainChrDef *chr, size_t i, GError **error)
{
    g_autofree char *alias = g_strdup_printf("serial%zu", i);
    const char *target = chr->target_type ? chr->target_type : "isa-serial";
    GString *buf;

    if (!chardev_add(cmd, chr, alias, NULL, true, error))
        return false;
    buf = g_string_new(NULL);
    if (g_str_equal(target, "isa-serial")) {
        int port = chr->target_port >= 0 ? chr->target_port : (int)i;

        if (port > 3) {
            g_string_free(buf, TRUE);
            return qemu_command_unsupported(error, "%s: an ISA serial port is 0-3, not %d", alias,
                                            port);
        }
        g_string_append_printf(buf, "isa-serial,chardev=char%s,id=%s,index=%d", alias, alias,
                               port);
    } else if (g_str_equal(target, "pci-serial")) {
        g_string_append_printf(buf, "pci-serial,chardev=char%s,id=%s", alias, alias);
        if (!qemu_command_add_pci_address(cmd, buf, NULL, alias, error)) {
            g_string_free(buf, TRUE);
            return false;
        }
    } else if (g_str_equal(target, "usb-serial")) {
        if (cmd->usb_none) {
            g_string_free(buf, TRUE);
            return qemu_command_unsupported(error, "%s: a USB serial port needs a USB controller",
                                            alias);
        }
        g_string_append_printf(buf, "usb-serial,bus=usb.0,chardev=char%s,id=%s", alias, alias);
    } else {
        g_string_free(buf, TRUE);
        return qemu_command_unsupported(error, "%s: target type '%s' is not supported "
                           "(isa-serial, pci-serial, usb-serial are)", alias, target);
    }
    qemu_command_add_take(cmd, "-device", buf);
    return true;
}

bool
qemu_command_chardev_add_all(QemuCmd *cmd, GError **error)
{
    const MvDomainDef *def = cmd->def;
    int vser = qemu_command_virtio_serial_index(def);

    for (size_t i = 0; i < def->nserials; i++) {
        if (!serial_add(cmd, def->serials[i], i, error))
            return false;
    }

    for (size_t i = 0; i < def->nconsoles; i++) {
        const MvDomainChrDef *chr = def->consoles[i];
        const char *target = chr->target_type ? chr->target_type : "serial";
        g_autofree char *alias = g_strdup_printf("console%zu", i);

        if (g_str_equal(target, "serial")) {
            /* libvirt semantics: the first console of type serial is another
             * view of serial0; without serials it becomes serial0. */
            if (i != 0)
                return qemu_command_unsupported(
                    error, "%s: only the first console can be a serial console", alias);
            if (def->nserials)
                continue;
            if (!serial_add(cmd, chr, 0, error))
                return false;
        } else if (g_str_equal(target, "virtio")) {
            if (!chardev_add(cmd, chr, alias, NULL, true, error))
                return false;
            qemu_command_addf(cmd, "-device",
                              "virtconsole,bus=virtio-serial%d.0,chardev=char%s,id=%s",
                              vser, alias, alias);
        } else {
            return qemu_command_unsupported(
                error, "%s: target type '%s' is not supported (serial, virtio are)", alias, target);
        }
    }

    for (size_t i = 0; i < def->nchannels; i++) {
        const MvDomainChrDef *chr = def->channels[i];
        g_autofree char *alias = g_strdup_printf("channel%zu", i);
        g_autofree char *path = NULL;
        GString *buf;

        if (chr->target_type && !g_str_equal(chr->target_type, "virtio"))
            return qemu_command_unsupported(error,
                                            "%s: target type '%s' is not supported (virtio is)",
                                            alias, chr->target_type);
        if (chr->type == MV_DOMAIN_CHR_UNIX && !chr->source_path) {
            if (!cmd->ctx->channel_dir)
                return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                                    "%s: no directory for its unix socket was given", alias);
            path = g_strdup_printf("%s/%s.%s", cmd->ctx->channel_dir, def->name,
                                   chr->target_name ? chr->target_name : alias);
        }
        if (!chardev_add(cmd, chr, alias, path, false, error))
            return false;
        buf = g_string_new(NULL);
        g_string_append_printf(buf, "virtserialport,bus=virtio-serial%d.0,chardev=char%s,id=%s",
                               vser, alias, alias);
        if (chr->target_name) {
            g_string_append(buf, ",name=");
            qemu_command_escape(buf, chr->target_name);
        }
        qemu_command_add_take(cmd, "-device", buf);
    }
    return true;
}
