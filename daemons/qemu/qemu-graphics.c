/* The live side of <graphics>: the ports QEMU actually listens on. */
#include "qemu-graphics.h"

#include <string.h>

#include "qemu-json.h"
#include "util/error.h"

/* The reply of query-vnc / query-spice as an object, or NULL with @error. */
static JsonNode *
query_display(MvQemuMonitor *mon, const char *cmd, GError **error)
{
    g_autoptr(JsonNode) reply = mv_qemu_monitor_command(mon, cmd, NULL,
                                                        MV_QEMU_MONITOR_TIMEOUT_MS, error);

    if (!reply)
        return NULL;
    if (!JSON_NODE_HOLDS_OBJECT(reply) ||
        !mv_qemu_json_get_bool(json_node_get_object(reply), "enabled", false)) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "internal error: %s: QEMU reports no display", cmd);
        return NULL;
    }
    return g_steal_pointer(&reply);
}

/* VNC gives its port as a service string ("5900"). */
static bool
vnc_port(MvQemuMonitor *mon, int *ret_port, GError **error)
{
    g_autoptr(JsonNode) reply = query_display(mon, "query-vnc", error);
    const char *service;
    gint64 port;

    if (!reply)
        return false;
    service = mv_qemu_json_get_string(json_node_get_object(reply), "service", NULL);
    if (!service || !g_ascii_string_to_signed(service, 10, 1, 65535, &port, NULL))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                            "internal error: query-vnc: no port in the reply (service '%s')",
                            service ? service : "");
    *ret_port = (int)port;
    return true;
}

static bool
spice_port(MvQemuMonitor *mon, int *ret_port, GError **error)
{
    g_autoptr(JsonNode) reply = query_display(mon, "query-spice", error);
    gint64 port;

    if (!reply)
        return false;
    port = mv_qemu_json_get_int(json_node_get_object(reply), "port", -1);
    if (port < 1 || port > 65535)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                            "internal error: query-spice: no port in the reply");
    *ret_port = (int)port;
    return true;
}

bool
mv_qemu_graphics_fill_ports(MvQemuMonitor *mon, MvDomainDef *live, GError **error)
{
    for (size_t i = 0; i < live->ngraphics; i++) {
        MvDomainGraphicsDef *g = live->graphics[i];
        int port = -1;

        if (g_str_equal(g->type, "vnc") && !vnc_port(mon, &port, error))
            return false;
        if (g_str_equal(g->type, "spice")) {
            if (!spice_port(mon, &port, error))
                return false;
            /* no TLS port is opened (a fixed one is refused at start): a running
             * guest has none, so `domdisplay` offers no tls-port */
            g->has_tls_port = false;
        }
        if (port > 0)
            g->port = port;
    }
    return true;
}
