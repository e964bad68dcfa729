/* modvirt-qemud: virtual machines on QEMU/KVM.
 *
 * Privileges kept (as root): access to /dev/kvm and the guests' image files
 * (to start QEMU), CAP_NET_ADMIN only through tap fds handed over by
 * modvirt-networkd (later), writing under its own --root directories.
 *
 * This file is the wiring: the driver vtables (generated types, see
 * remote-driver.h) filled with the typed handlers, turned into the REMOTE
 * handler table by the generated glue, and the daemon descriptor. A NULL
 * vtable entry answers VIR_ERR_NO_SUPPORT naming the API. */
#include "daemon/qemu-program.h"
#include "qemu-agent-handlers.h"
#include "qemu-domain-check.h"
#include "qemu-driver.h"
#include "qemu-handlers.h"
#include "qemu-handlers-info.h"
#include "qemu-handlers-tune.h"
#include "qemu-iothread.h"
#include "qemu-nodedev.h"
#include "qemu-screenshot.h"
#include "qemu-snapshot.h"
#include "remote-dispatch.h"

static const MvRemoteHypervisorDriver mv_qemu_hypervisor_driver = {
    .connect_get_type = mv_qemu_handle_connect_get_type,
    .connect_get_version = mv_qemu_handle_connect_get_version,
    .connect_get_capabilities = mv_qemu_handle_connect_get_capabilities,
    .connect_get_max_vcpus = mv_qemu_handle_connect_get_max_vcpus,
    .node_get_info = mv_qemu_handle_node_get_info,
    .node_get_free_memory = mv_qemu_handle_node_get_free_memory,
    .node_get_cells_free_memory = mv_qemu_handle_node_get_cells_free_memory,
    .node_get_security_model = mv_qemu_handle_node_get_security_model,
    .node_get_cpu_stats = mv_qemu_handle_node_get_cpu_stats,
    .node_get_memory_stats = mv_qemu_handle_node_get_memory_stats,
    .node_get_cpu_map = mv_qemu_handle_node_get_cpu_map,
    .connect_get_sysinfo = mv_qemu_handle_connect_get_sysinfo,
    .connect_domain_event_callback_register_any =
        mv_qemu_handle_connect_domain_event_callback_register_any,
    .connect_domain_event_callback_deregister_any =
        mv_qemu_handle_connect_domain_event_callback_deregister_any,
    .connect_domain_event_register_any = mv_qemu_handle_connect_domain_event_register_any,
    .connect_domain_event_deregister_any = mv_qemu_handle_connect_domain_event_deregister_any,
    .connect_list_all_domains = mv_qemu_handle_connect_list_all_domains,
    .connect_num_of_domains = mv_qemu_handle_connect_num_of_domains,
    .connect_list_domains = mv_qemu_handle_connect_list_domains,
    .connect_num_of_defined_domains = mv_qemu_handle_connect_num_of_defined_domains,
    .connect_list_defined_domains = mv_qemu_handle_connect_list_defined_domains,
    .connect_get_all_domain_stats = mv_qemu_handle_connect_get_all_domain_stats,
    .connect_get_domain_capabilities = mv_qemu_handle_connect_get_domain_capabilities,
};

static const MvRemoteDomainDriver mv_qemu_domain_driver = {
    .domain_open_console = mv_qemu_handle_domain_open_console,
    .domain_attach_device = mv_qemu_handle_domain_attach_device,
    .domain_attach_device_flags = mv_qemu_handle_domain_attach_device_flags,
    .domain_detach_device = mv_qemu_handle_domain_detach_device,
    .domain_detach_device_flags = mv_qemu_handle_domain_detach_device_flags,
    .domain_update_device_flags = mv_qemu_handle_domain_update_device_flags,
    .domain_interface_addresses = mv_qemu_handle_domain_interface_addresses,
    .domain_get_info = mv_qemu_handle_domain_get_info,
    .domain_get_state = mv_qemu_handle_domain_get_state,
    .domain_get_xml_desc = mv_qemu_handle_domain_get_xml_desc,
    .domain_get_autostart = mv_qemu_handle_domain_get_autostart,
    .domain_is_active = mv_qemu_handle_domain_is_active,
    .domain_is_persistent = mv_qemu_handle_domain_is_persistent,
    .domain_is_updated = mv_qemu_handle_domain_is_updated,
    .domain_get_os_type = mv_qemu_handle_domain_get_os_type,
    .domain_get_max_memory = mv_qemu_handle_domain_get_max_memory,
    .domain_get_max_vcpus = mv_qemu_handle_domain_get_max_vcpus,
    .domain_get_vcpus_flags = mv_qemu_handle_domain_get_vcpus_flags,
    .domain_has_managed_save_image = mv_qemu_handle_domain_has_managed_save_image,
    .domain_save = mv_qemu_handle_domain_save,
    .domain_save_flags = mv_qemu_handle_domain_save_flags,
    .domain_restore = mv_qemu_handle_domain_restore,
    .domain_restore_flags = mv_qemu_handle_domain_restore_flags,
    .domain_managed_save = mv_qemu_handle_domain_managed_save,
    .domain_managed_save_remove = mv_qemu_handle_domain_managed_save_remove,
    .domain_save_image_get_xml_desc = mv_qemu_handle_domain_save_image_get_xml_desc,
    .domain_save_image_define_xml = mv_qemu_handle_domain_save_image_define_xml,
    .domain_managed_save_get_xml_desc = mv_qemu_handle_domain_managed_save_get_xml_desc,
    .domain_managed_save_define_xml = mv_qemu_handle_domain_managed_save_define_xml,
    .domain_snapshot_num = mv_qemu_handle_domain_snapshot_num,
    /* snapshots: qemu-snapshot.c, qemu-snapshot-query.c */
    .domain_snapshot_create_xml = mv_qemu_handle_domain_snapshot_create_xml,
    .domain_snapshot_get_xml_desc = mv_qemu_handle_domain_snapshot_get_xml_desc,
    .domain_snapshot_list_names = mv_qemu_handle_domain_snapshot_list_names,
    .domain_snapshot_lookup_by_name = mv_qemu_handle_domain_snapshot_lookup_by_name,
    .domain_has_current_snapshot = mv_qemu_handle_domain_has_current_snapshot,
    .domain_snapshot_current = mv_qemu_handle_domain_snapshot_current,
    .domain_revert_to_snapshot = mv_qemu_handle_domain_revert_to_snapshot,
    .domain_snapshot_delete = mv_qemu_handle_domain_snapshot_delete,
    .domain_snapshot_get_parent = mv_qemu_handle_domain_snapshot_get_parent,
    .domain_snapshot_num_children = mv_qemu_handle_domain_snapshot_num_children,
    .domain_snapshot_list_children_names = mv_qemu_handle_domain_snapshot_list_children_names,
    .domain_snapshot_is_current = mv_qemu_handle_domain_snapshot_is_current,
    .domain_snapshot_has_metadata = mv_qemu_handle_domain_snapshot_has_metadata,
    .domain_list_all_snapshots = mv_qemu_handle_domain_list_all_snapshots,
    .domain_snapshot_list_all_children = mv_qemu_handle_domain_snapshot_list_all_children,
    .domain_get_security_label = mv_qemu_handle_domain_get_security_label,
    .domain_get_messages = mv_qemu_handle_domain_get_messages,
    .domain_set_memory = mv_qemu_handle_domain_set_memory,
    .domain_set_memory_flags = mv_qemu_handle_domain_set_memory_flags,
    .domain_set_max_memory = mv_qemu_handle_domain_set_max_memory,
    .domain_set_vcpus = mv_qemu_handle_domain_set_vcpus,
    .domain_set_vcpus_flags = mv_qemu_handle_domain_set_vcpus_flags,
    .domain_set_vcpu = mv_qemu_handle_domain_set_vcpu,
    .domain_block_resize = mv_qemu_handle_domain_block_resize,
    .domain_define_xml = mv_qemu_handle_domain_define_xml,
    .domain_define_xml_flags = mv_qemu_handle_domain_define_xml_flags,
    .domain_undefine = mv_qemu_handle_domain_undefine,
    .domain_undefine_flags = mv_qemu_handle_domain_undefine_flags,
    .domain_rename = mv_qemu_handle_domain_rename,
    .domain_create = mv_qemu_handle_domain_create,
    .domain_create_with_flags = mv_qemu_handle_domain_create_with_flags,
    .domain_create_xml = mv_qemu_handle_domain_create_xml,
    .domain_destroy = mv_qemu_handle_domain_destroy,
    .domain_destroy_flags = mv_qemu_handle_domain_destroy_flags,
    .domain_shutdown = mv_qemu_handle_domain_shutdown,
    .domain_shutdown_flags = mv_qemu_handle_domain_shutdown_flags,
    .domain_reboot = mv_qemu_handle_domain_reboot,
    .domain_reset = mv_qemu_handle_domain_reset,
    .domain_suspend = mv_qemu_handle_domain_suspend,
    .domain_resume = mv_qemu_handle_domain_resume,
    .domain_set_autostart = mv_qemu_handle_domain_set_autostart,
    .domain_lookup_by_name = mv_qemu_handle_domain_lookup_by_name,
    .domain_lookup_by_uuid = mv_qemu_handle_domain_lookup_by_uuid,
    .domain_lookup_by_id = mv_qemu_handle_domain_lookup_by_id,
    .domain_set_metadata = mv_qemu_handle_domain_set_metadata,
    .domain_get_metadata = mv_qemu_handle_domain_get_metadata,
    .domain_get_vcpus = mv_qemu_handle_domain_get_vcpus,
    .domain_memory_stats = mv_qemu_handle_domain_memory_stats,
    .domain_set_memory_stats_period = mv_qemu_handle_domain_set_memory_stats_period,
    .domain_block_stats = mv_qemu_handle_domain_block_stats,
    .domain_block_stats_flags = mv_qemu_handle_domain_block_stats_flags,
    .domain_interface_stats = mv_qemu_handle_domain_interface_stats,
    .domain_get_vcpu_pin_info = mv_qemu_handle_domain_get_vcpu_pin_info,
    /* tuning (qemu-domain-tune.c, qemu-domain-pin.c) */
    .domain_get_scheduler_type = mv_qemu_handle_domain_get_scheduler_type,
    .domain_get_scheduler_parameters = mv_qemu_handle_domain_get_scheduler_parameters,
    .domain_get_scheduler_parameters_flags =
        mv_qemu_handle_domain_get_scheduler_parameters_flags,
    .domain_set_scheduler_parameters = mv_qemu_handle_domain_set_scheduler_parameters,
    .domain_set_scheduler_parameters_flags =
        mv_qemu_handle_domain_set_scheduler_parameters_flags,
    .domain_get_memory_parameters = mv_qemu_handle_domain_get_memory_parameters,
    .domain_set_memory_parameters = mv_qemu_handle_domain_set_memory_parameters,
    .domain_get_blkio_parameters = mv_qemu_handle_domain_get_blkio_parameters,
    .domain_set_blkio_parameters = mv_qemu_handle_domain_set_blkio_parameters,
    .domain_get_numa_parameters = mv_qemu_handle_domain_get_numa_parameters,
    .domain_set_numa_parameters = mv_qemu_handle_domain_set_numa_parameters,
    .domain_pin_vcpu = mv_qemu_handle_domain_pin_vcpu,
    .domain_pin_vcpu_flags = mv_qemu_handle_domain_pin_vcpu_flags,
    .domain_pin_emulator = mv_qemu_handle_domain_pin_emulator,
    .domain_get_block_io_tune = mv_qemu_handle_domain_get_block_io_tune,
    .domain_set_block_io_tune = mv_qemu_handle_domain_set_block_io_tune,
    .domain_get_interface_parameters = mv_qemu_handle_domain_get_interface_parameters,
    .domain_set_interface_parameters = mv_qemu_handle_domain_set_interface_parameters,
    .domain_get_emulator_pin_info = mv_qemu_handle_domain_get_emulator_pin_info,
    .domain_get_block_info = mv_qemu_handle_domain_get_block_info,
    .domain_get_job_info = mv_qemu_handle_domain_get_job_info,
    .domain_get_job_stats = mv_qemu_handle_domain_get_job_stats,
    .domain_send_key = mv_qemu_handle_domain_send_key,
    .domain_screenshot = mv_qemu_handle_domain_screenshot,
    .domain_get_iothread_info = mv_qemu_handle_domain_get_iothread_info,
    .domain_pin_iothread = mv_qemu_handle_domain_pin_iothread,
    .domain_add_iothread = mv_qemu_handle_domain_add_iothread,
    .domain_del_iothread = mv_qemu_handle_domain_del_iothread,
    .domain_set_iothread_params = mv_qemu_handle_domain_set_iothread_params,
    /* the guest agent (qemu-agent-handlers.c, qemu-agent-guestinfo.c) */
    .domain_fsfreeze = mv_qemu_handle_domain_fsfreeze,
    .domain_fsthaw = mv_qemu_handle_domain_fsthaw,
    .domain_get_time = mv_qemu_handle_domain_get_time,
    .domain_set_time = mv_qemu_handle_domain_set_time,
    .domain_get_fsinfo = mv_qemu_handle_domain_get_fsinfo,
    .domain_set_user_password = mv_qemu_handle_domain_set_user_password,
    .domain_get_guest_vcpus = mv_qemu_handle_domain_get_guest_vcpus,
    .domain_set_guest_vcpus = mv_qemu_handle_domain_set_guest_vcpus,
    .domain_get_hostname = mv_qemu_handle_domain_get_hostname,
    .domain_agent_set_response_timeout = mv_qemu_handle_domain_agent_set_response_timeout,
    .domain_get_guest_info = mv_qemu_handle_domain_get_guest_info,
};

/* Node devices: qemu owns the nodedev route until a host daemon exists. */
static const MvRemoteNodeDeviceDriver mv_qemu_nodedev_driver = {
    .node_num_of_devices = mv_qemu_handle_node_num_of_devices,
    .node_list_devices = mv_qemu_handle_node_list_devices,
    .connect_list_all_node_devices = mv_qemu_handle_connect_list_all_node_devices,
    .node_device_lookup_by_name = mv_qemu_handle_node_device_lookup_by_name,
    .node_device_get_xml_desc = mv_qemu_handle_node_device_get_xml_desc,
    .node_device_get_parent = mv_qemu_handle_node_device_get_parent,
    .node_device_num_of_caps = mv_qemu_handle_node_device_num_of_caps,
    .node_device_list_caps = mv_qemu_handle_node_device_list_caps,
    .node_device_get_autostart = mv_qemu_handle_node_device_get_autostart,
    .node_device_is_persistent = mv_qemu_handle_node_device_is_persistent,
    .node_device_is_active = mv_qemu_handle_node_device_is_active,
};

static const MvRemoteDrivers qemu_drivers = {
    .hypervisor = &mv_qemu_hypervisor_driver,
    .domain = &mv_qemu_domain_driver,
    .nodedev = &mv_qemu_nodedev_driver,
};

static MvDispatchFunc qemu_handlers[MV_REMOTE_PROC_LAST];

/* The QEMU program beside REMOTE: qemu-agent-command. */
static bool
qemu_prepare_server(MvDaemon *daemon, MvServer *server, GError **error)
{
    mv_daemon_qemu_program_add(server, mv_qemu_handle_domain_qemu_agent_command);
    return true;
}

static const MvDaemonDescriptor qemu_daemon = {
    /* name, program, summary, routes, URI: the registry's row (daemons.ini) */
    MV_DAEMON_DESCRIPTOR_QEMU,
    .handlers = qemu_handlers,
    .nhandlers = MV_REMOTE_PROC_LAST,
    .config_read = mv_qemu_config_read,
    .config_free = mv_qemu_config_free,
    .start = mv_qemu_driver_start,
    .stop = mv_qemu_driver_stop,
    .conn_closed = mv_qemu_driver_conn_closed,
    .prepare_server = qemu_prepare_server,
};

int
main(int argc, char **argv)
{
    mv_remote_drivers_fill(&qemu_drivers, qemu_handlers);
    return mv_daemon_main(&qemu_daemon, argc, argv);
}
