/* The QEMU command line of <sound> and <redirdev> devices.
 *
 * Sound cards play into a silent audio backend ("-audiodev none"): the daemon
 * has no audio server to give guests.  USB redirection goes over SPICE
 * (spicevmc), so a <redirdev> needs <graphics type='spice'>.  And the port of a
 * SPICE display with autoport. */
#include "qemu-command-priv.h"

#include <gio/gio.h>

#include "util/error.h"

bool
qemu_command_def_has_spice(const MvDomainDef *def)
{
    for (size_t i = 0; i < def->ngraphics; i++) {
        if (g_str_equal(def->graphics[i]->type, "spice"))
            return true;
    }
    return false;
}

static bool
sound_add(QemuCmd *cmd, const MvDomainSoundDef *sound, size_t i, GError **error)
{
    g_autofree char *alias = g_strdup_printf("sound%zu", i);
    const char *model = sound->model ? sound->model : "ich9";
    const char *device;
    GString *buf;

    if (g_str_equal(model, "ich9"))
        device = "ich9-intel-hda";
    else if (g_str_equal(model, "ich6"))
        device = "intel-hda";
    else if (g_str_equal(model, "ac97"))
        device = "AC97";
    else
        return qemu_command_unsupported(error, "%s: sound model '%s' is not supported "
                                        "(ich9, ich6, ac97 are)", alias, model);
    buf = g_string_new(device);
    g_string_append_printf(buf, ",id=%s", alias);
    if (g_str_equal(model, "ac97"))
        g_string_append(buf, ",audiodev=audio1");
    if (!qemu_command_add_pci_address(cmd, buf, &sound->address, alias, error)) {
        g_string_free(buf, TRUE);
        return false;
    }
    qemu_command_add_take(cmd, "-device", buf);
    /* the HDA controllers need a codec on their bus */
    if (!g_str_equal(model, "ac97"))
        qemu_command_addf(cmd, "-device", "hda-duplex,id=%s-codec0,bus=%s.0,cad=0,"
                          "audiodev=audio1", alias, alias);
    return true;
}

static bool
redirdev_add(QemuCmd *cmd, const MvDomainRedirdevDef *redir, size_t i, GError **error)
{
    if (g_strcmp0(redir->bus, "usb") != 0 || g_strcmp0(redir->type, "spicevmc") != 0)
        return qemu_command_unsupported(error, "redir%zu: only <redirdev bus='usb' "
                                        "type='spicevmc'> is supported", i);
    if (!qemu_command_def_has_spice(cmd->def))
        return qemu_command_unsupported(error, "redir%zu: USB redirection needs "
                                        "<graphics type='spice'>", i);
    if (cmd->usb_none)
        return qemu_command_unsupported(error, "redir%zu: USB redirection needs a USB "
                                        "controller (not model 'none')", i);
    qemu_command_addf(cmd, "-chardev", "spicevmc,id=charredir%zu,name=usbredir", i);
    qemu_command_addf(cmd, "-device", "usb-redir,chardev=charredir%zu,id=redir%zu,bus=usb.0",
                      i, i);
    return true;
}

bool
qemu_command_devices_add_sound_redir(QemuCmd *cmd, GError **error)
{
    const MvDomainDef *def = cmd->def;

    if (def->nsounds)
        qemu_command_add(cmd, "-audiodev", "none,id=audio1");
    for (size_t i = 0; i < def->nsounds; i++) {
        if (!sound_add(cmd, def->sounds[i], i, error))
            return false;
    }
    for (size_t i = 0; i < def->nredirdevs; i++) {
        if (!redirdev_add(cmd, def->redirdevs[i], i, error))
            return false;
    }
    return true;
}

bool
qemu_command_spice_free_port(const char *listen, int *port, GError **error)
{
    g_autoptr(GInetAddress) addr = g_inet_address_new_from_string(listen);

    if (!addr)
        return qemu_command_unsupported(error, "SPICE autoport needs an IP address to listen "
                                        "on, not '%s'", listen);
    for (int p = 5900; p <= 65535; p++) {
        g_autoptr(GSocket) sock = g_socket_new(g_inet_address_get_family(addr),
                                               G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                               NULL);
        g_autoptr(GSocketAddress) sa = g_inet_socket_address_new(addr, (guint16)p);

        if (sock && g_socket_bind(sock, sa, TRUE, NULL)) {
            *port = p;
            return true;
        }
    }
    return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                        "no free TCP port from 5900 up for the SPICE display on %s", listen);
}
