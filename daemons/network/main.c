/* modvirt-networkd: virtual networks (bridges, DHCP/DNS through dnsmasq) and
 * the ports guests plug into.
 *
 * Privileges kept (as root): CAP_NET_ADMIN to create bridges, set their
 * addresses and link state and IP forwarding (rtnetlink, /proc/sys/net);
 * the dnsmasq it starts binds the DHCP and DNS ports on the bridges. Firewall
 * rules are modvirt-filterd's, never ours.
 *
 * This file is the wiring: the network driver vtable (generated type, see
 * remote-driver.h) filled with the typed handlers, turned into the REMOTE
 * handler table by the generated glue, and the daemon descriptor. A NULL
 * vtable entry answers VIR_ERR_NO_SUPPORT naming the API. */
#include "network-driver.h"
#include "network-handlers.h"
#include "remote-dispatch.h"

static const MvRemoteNetworkDriver mv_network_driver = {
    .connect_list_all_networks = mv_network_handle_connect_list_all_networks,
    .connect_num_of_networks = mv_network_handle_connect_num_of_networks,
    .connect_list_networks = mv_network_handle_connect_list_networks,
    .connect_num_of_defined_networks = mv_network_handle_connect_num_of_defined_networks,
    .connect_list_defined_networks = mv_network_handle_connect_list_defined_networks,
    .network_lookup_by_name = mv_network_handle_network_lookup_by_name,
    .network_lookup_by_uuid = mv_network_handle_network_lookup_by_uuid,
    .network_define_xml = mv_network_handle_network_define_xml,
    .network_define_xml_flags = mv_network_handle_network_define_xml_flags,
    .network_undefine = mv_network_handle_network_undefine,
    .network_create = mv_network_handle_network_create,
    .network_create_xml = mv_network_handle_network_create_xml,
    .network_create_xml_flags = mv_network_handle_network_create_xml_flags,
    .network_destroy = mv_network_handle_network_destroy,
    .network_get_xml_desc = mv_network_handle_network_get_xml_desc,
    .network_get_autostart = mv_network_handle_network_get_autostart,
    .network_set_autostart = mv_network_handle_network_set_autostart,
    .network_get_bridge_name = mv_network_handle_network_get_bridge_name,
    .network_is_active = mv_network_handle_network_is_active,
    .network_is_persistent = mv_network_handle_network_is_persistent,
    .network_update = mv_network_handle_network_update,
    .network_get_dhcp_leases = mv_network_handle_network_get_dhcp_leases,
    .connect_network_event_register_any = mv_network_handle_connect_network_event_register_any,
    .connect_network_event_deregister_any =
        mv_network_handle_connect_network_event_deregister_any,
    .network_list_all_ports = mv_network_handle_network_list_all_ports,
    .network_port_lookup_by_uuid = mv_network_handle_network_port_lookup_by_uuid,
    .network_port_create_xml = mv_network_handle_network_port_create_xml,
    .network_port_get_parameters = mv_network_handle_network_port_get_parameters,
    .network_port_set_parameters = mv_network_handle_network_port_set_parameters,
    .network_port_get_xml_desc = mv_network_handle_network_port_get_xml_desc,
    .network_port_delete = mv_network_handle_network_port_delete,
};

static const MvRemoteDrivers network_drivers = {
    .network = &mv_network_driver,
};

static MvDispatchFunc network_handlers[MV_REMOTE_PROC_LAST];

static const MvDaemonDescriptor network_daemon = {
    /* name, program, summary, routes, URI: the registry's row (daemons.ini) */
    MV_DAEMON_DESCRIPTOR_NETWORK,
    .handlers = network_handlers,
    .nhandlers = MV_REMOTE_PROC_LAST,
    .config_read = mv_network_config_read,
    .config_free = (GDestroyNotify)mv_network_config_free,
    .start = mv_network_driver_start,
    .stop = mv_network_driver_stop,
    .conn_closed = mv_network_driver_conn_closed,
};

int
main(int argc, char **argv)
{
    mv_remote_drivers_fill(&network_drivers, network_handlers);
    return mv_daemon_main(&network_daemon, argc, argv);
}
