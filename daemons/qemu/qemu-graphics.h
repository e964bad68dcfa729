/* The live side of <graphics>: the ports QEMU actually listens on. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "conf/domain-def.h"
#include "qemu-monitor.h"

G_BEGIN_DECLS

/**
 * mv_qemu_graphics_fill_ports:
 * Puts the port each VNC and SPICE display of the running guest listens on into
 * @live (QMP query-vnc, query-spice), so the live XML says port='5900' rather
 * than the definition's -1 for autoport='yes', and `virsh domdisplay` /
 * `vncdisplay` name the real display. A SPICE display loses its tlsPort='-1':
 * no TLS port is open. Returns false with @error when QEMU does
 * not report a display the definition has.
 */
bool mv_qemu_graphics_fill_ports(MvQemuMonitor *mon, MvDomainDef *live, GError **error);

G_END_DECLS
