/* The generated REMOTE procedure table is consistent, and the annotations that
 * the daemons rely on (read-only, route, priority) say what they should. */
#include <glib.h>
#include <string.h>

#include "remote-dispatch.h"
#include "remote-protocol.h"
#include "rpc/proc.h"

#define VOID_FILTER ((xdrproc_t)(void (*)(void))xdr_void)

static const MvProcInfo *
proc(int number)
{
    const MvProcInfo *p = mv_program_lookup_proc(&mv_remote_program, number);

    g_assert_nonnull(p);
    return p;
}

static void
test_program(void)
{
    g_assert_cmphex(mv_remote_program.program, ==, 0x20008086u);
    g_assert_cmpuint(mv_remote_program.version, ==, 1);
    g_assert_cmpstr(mv_remote_program.name, ==, "REMOTE");
    g_assert_cmpint(mv_remote_program.nprocs, ==, MV_REMOTE_PROC_LAST);
    g_assert_cmpint(mv_remote_program.procs[mv_remote_program.nprocs - 1].number, ==,
                    mv_remote_program.nprocs - 1);

    g_assert_null(mv_program_lookup_proc(&mv_remote_program, 0));
    g_assert_null(mv_program_lookup_proc(&mv_remote_program, -1));
    g_assert_null(mv_program_lookup_proc(&mv_remote_program, 61));   /* unused: migration v1 */
    g_assert_null(mv_program_lookup_proc(&mv_remote_program, mv_remote_program.nprocs));
    g_assert_null(mv_program_lookup_proc(&mv_remote_program, 9999));
}

/* Procedures libvirt 9.0 knows but remote.x does not define carry their API
 * name (protocol/libvirt-procedures.txt); events and unknown numbers do not. */
static void
test_unsupported(void)
{
    int n = 0;

    g_assert_cmpint(mv_remote_program.nunsupported, <=, 444);     /* libvirt 9.0: 1-443 */
    g_assert_cmpstr(mv_program_unsupported_api(&mv_remote_program, 305), ==,
                    "virDomainMigratePerform3Params");
    g_assert_cmpstr(mv_program_unsupported_api(&mv_remote_program, 297), ==,
                    "virNodeDeviceLookupSCSIHostByWWN");
    g_assert_null(mv_program_unsupported_api(&mv_remote_program, 169));  /* an event */
    g_assert_null(mv_program_unsupported_api(&mv_remote_program, 0));
    g_assert_null(mv_program_unsupported_api(&mv_remote_program, -1));
    g_assert_null(mv_program_unsupported_api(&mv_remote_program, 9999));
    for (int i = 1; i < mv_remote_program.nunsupported; i++) {
        const char *api = mv_remote_program.unsupported_apis[i];

        if (!api)
            continue;
        n++;
        g_assert_true(g_str_has_prefix(api, "vir"));
        if (mv_program_lookup_proc(&mv_remote_program, i))
            g_error("procedure %d is both defined and unsupported (%s)", i, api);
    }
    g_assert_cmpint(n, >, 100);
}

static void
test_slots(void)
{
    g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);
    int used = 0;

    for (int i = 0; i < mv_remote_program.nprocs; i++) {
        const MvProcInfo *p = &mv_remote_program.procs[i];

        if (p->number == 0) {
            g_assert_null(p->name);
            g_assert_cmpint(p->route, ==, MV_ROUTE_NONE);
            continue;
        }
        used++;
        g_assert_cmpint(p->number, ==, i);
        g_assert_nonnull(p->name);
        if (!g_hash_table_add(names, (gpointer)p->name))
            g_error("procedure name %s is used twice", p->name);
        g_assert_true(g_str_has_prefix(p->api, "vir"));
        g_assert_cmpint(p->route, >, MV_ROUTE_NONE);
        g_assert_cmpint(p->route, <, MV_ROUTE_LAST);
        g_assert_nonnull(mv_route_name(p->route));
        g_assert_true(p->priority == MV_PRIORITY_LOW || p->priority == MV_PRIORITY_HIGH ||
                      p->priority == MV_PRIORITY_INLINE);
        g_assert_true(p->kind == MV_PROC_KIND_CALL || p->kind == MV_PROC_KIND_EVENT ||
                      p->kind == MV_PROC_KIND_STREAM);
        g_assert_nonnull(p->args_filter);
        g_assert_nonnull(p->ret_filter);
        g_assert_true((p->args_size == 0) == (p->args_filter == VOID_FILTER));
        g_assert_true((p->ret_size == 0) == (p->ret_filter == VOID_FILTER));
        if (p->kind == MV_PROC_KIND_EVENT) {
            g_assert_cmpuint(p->args_size, >, 0);      /* the message body */
            g_assert_cmpuint(p->ret_size, ==, 0);
        }
    }
    /* Tier 0 + Tier 1 + events, console, stats, identity; networks, storage
     * pools and volumes, network filters, their events, node statistics */
    g_assert_cmpint(used, >=, 164);
}

/* Names that always change state: such procedures must be refused on a
 * read-only connection. */
static const char *const write_words[] = {
    "_DEFINE_", "_UNDEFINE_", "_CREATE_", "_DESTROY_", "_SHUTDOWN_", "_REBOOT_",
    "_RESET_", "_SUSPEND_", "_RESUME_", "_SET_", "_ATTACH_", "_DETACH_", "_UPDATE_",
    "_OPEN_CONSOLE_", "_BUILD_", "_DELETE_", "_REFRESH_", "_WIPE_", "_RESIZE_", "_UPLOAD_",
    "_DOWNLOAD_",
};
/* Names that only read: allowed on a read-only connection. */
static const char *const read_words[] = {
    "_GET_", "_LOOKUP_", "_LIST_", "_IS_", "_NUM_OF_", "REGISTER_", "_HAS_",
    "_SNAPSHOT_NUM_", "_SUPPORTS_FEATURE_", "_AUTH_",
};
/* Named like reads but refused on read-only connections, as libvirt does:
 * the hostname asks the guest, domain capabilities probe a named emulator. */
static const int read_named_writes[] = {
    MV_REMOTE_PROC_DOMAIN_GET_HOSTNAME, MV_REMOTE_PROC_CONNECT_GET_DOMAIN_CAPABILITIES,
    MV_REMOTE_PROC_SECRET_GET_VALUE,    /* the secret's value itself */
    MV_REMOTE_PROC_DOMAIN_SAVE_IMAGE_GET_XML_DESC,  /* opens a host file the caller names */
    /* these ask the guest agent (libvirt: domain:write) */
    MV_REMOTE_PROC_DOMAIN_GET_TIME, MV_REMOTE_PROC_DOMAIN_GET_FSINFO,
    MV_REMOTE_PROC_DOMAIN_GET_GUEST_VCPUS, MV_REMOTE_PROC_DOMAIN_GET_GUEST_INFO,
};

static bool
name_has(const char *name, const char *const *words, gsize n)
{
    g_autofree char *padded = g_strdup_printf("_%s_", name);

    for (gsize i = 0; i < n; i++)
        if (strstr(padded, words[i]))
            return true;
    return false;
}

static void
test_readonly(void)
{
    for (int i = 0; i < mv_remote_program.nprocs; i++) {
        const MvProcInfo *p = &mv_remote_program.procs[i];

        if (p->number == 0 || p->kind == MV_PROC_KIND_EVENT)
            continue;
        if (name_has(p->name, write_words, G_N_ELEMENTS(write_words)) &&
            p->number != MV_REMOTE_PROC_CONNECT_SET_IDENTITY) {   /* see remote.x */
            if (p->readonly)
                g_error("%s changes state but is allowed on read-only connections", p->name);
        } else if (name_has(p->name, read_words, G_N_ELEMENTS(read_words))) {
            bool refused = false;

            for (gsize j = 0; j < G_N_ELEMENTS(read_named_writes); j++)
                refused |= p->number == read_named_writes[j];
            if (p->readonly == refused)
                g_error("%s only reads but is refused on read-only connections", p->name);
        }
    }

    g_assert_false(proc(MV_REMOTE_PROC_DOMAIN_DEFINE_XML)->readonly);
    g_assert_false(proc(MV_REMOTE_PROC_DOMAIN_DEFINE_XML_FLAGS)->readonly);
    g_assert_false(proc(MV_REMOTE_PROC_DOMAIN_CREATE)->readonly);
    g_assert_false(proc(MV_REMOTE_PROC_DOMAIN_DESTROY)->readonly);
    g_assert_false(proc(MV_REMOTE_PROC_DOMAIN_OPEN_CONSOLE)->readonly);
    /* a proxy forwards identities on read-only connections too (root peers only) */
    g_assert_true(proc(MV_REMOTE_PROC_CONNECT_SET_IDENTITY)->readonly);
    g_assert_true(proc(MV_REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS)->readonly);
    g_assert_true(proc(MV_REMOTE_PROC_CONNECT_OPEN)->readonly);
    g_assert_true(proc(MV_REMOTE_PROC_AUTH_LIST)->readonly);
    g_assert_true(proc(MV_REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY)->readonly);

    /* Networks, storage, filters. */
    g_assert_false(proc(MV_REMOTE_PROC_NETWORK_DEFINE_XML)->readonly);
    g_assert_false(proc(MV_REMOTE_PROC_NETWORK_UPDATE)->readonly);
    g_assert_false(proc(MV_REMOTE_PROC_STORAGE_POOL_BUILD)->readonly);
    g_assert_false(proc(MV_REMOTE_PROC_STORAGE_POOL_REFRESH)->readonly);
    g_assert_false(proc(MV_REMOTE_PROC_STORAGE_VOL_WIPE)->readonly);
    g_assert_false(proc(MV_REMOTE_PROC_STORAGE_VOL_UPLOAD)->readonly);
    g_assert_false(proc(MV_REMOTE_PROC_CONNECT_FIND_STORAGE_POOL_SOURCES)->readonly);
    g_assert_false(proc(MV_REMOTE_PROC_NWFILTER_UNDEFINE)->readonly);
    g_assert_false(proc(MV_REMOTE_PROC_STORAGE_VOL_DOWNLOAD)->readonly);
    g_assert_true(proc(MV_REMOTE_PROC_STORAGE_POOL_GET_INFO)->readonly);
    g_assert_true(proc(MV_REMOTE_PROC_CONNECT_LIST_ALL_NWFILTERS)->readonly);
    g_assert_true(proc(MV_REMOTE_PROC_CONNECT_NETWORK_EVENT_REGISTER_ANY)->readonly);
    g_assert_true(proc(MV_REMOTE_PROC_CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY)->readonly);
}

/* The audited list of calls a read-only connection may make: libvirt's rule is
 * plain reads (ACL read/getattr/search) without secret data. Anything that
 * writes, streams volume data out, opens a console, asks the guest or probes
 * a named binary is refused. Flag-dependent refusals (secure/migratable XML,
 * guest vCPUs) are the handlers'. Changing an annotation means changing this
 * list, on purpose. */
static const int readonly_allowed[] = {
    MV_REMOTE_PROC_CONNECT_OPEN,
    MV_REMOTE_PROC_CONNECT_CLOSE,
    MV_REMOTE_PROC_CONNECT_GET_TYPE,
    MV_REMOTE_PROC_CONNECT_GET_VERSION,
    MV_REMOTE_PROC_CONNECT_GET_MAX_VCPUS,
    MV_REMOTE_PROC_NODE_GET_INFO,
    MV_REMOTE_PROC_CONNECT_GET_CAPABILITIES,
    MV_REMOTE_PROC_DOMAIN_GET_XML_DESC,
    /* leases and ARP only: libvirt refuses the agent source on read-only
     * connections, and qemud does not offer that source at all */
    MV_REMOTE_PROC_DOMAIN_INTERFACE_ADDRESSES,
    MV_REMOTE_PROC_DOMAIN_GET_AUTOSTART,
    MV_REMOTE_PROC_DOMAIN_GET_INFO,
    MV_REMOTE_PROC_DOMAIN_GET_MAX_MEMORY,
    MV_REMOTE_PROC_DOMAIN_GET_MAX_VCPUS,
    MV_REMOTE_PROC_DOMAIN_GET_OS_TYPE,
    MV_REMOTE_PROC_CONNECT_LIST_DEFINED_DOMAINS,
    MV_REMOTE_PROC_DOMAIN_LOOKUP_BY_ID,
    MV_REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME,
    MV_REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID,
    MV_REMOTE_PROC_CONNECT_NUM_OF_DEFINED_DOMAINS,
    MV_REMOTE_PROC_CONNECT_LIST_DEFINED_NETWORKS,
    MV_REMOTE_PROC_CONNECT_LIST_DOMAINS,
    MV_REMOTE_PROC_CONNECT_LIST_NETWORKS,
    MV_REMOTE_PROC_NETWORK_GET_XML_DESC,
    MV_REMOTE_PROC_NETWORK_GET_AUTOSTART,
    MV_REMOTE_PROC_NETWORK_GET_BRIDGE_NAME,
    MV_REMOTE_PROC_NETWORK_LOOKUP_BY_NAME,
    MV_REMOTE_PROC_NETWORK_LOOKUP_BY_UUID,
    MV_REMOTE_PROC_CONNECT_NUM_OF_DEFINED_NETWORKS,
    MV_REMOTE_PROC_CONNECT_NUM_OF_DOMAINS,
    MV_REMOTE_PROC_CONNECT_NUM_OF_NETWORKS,
    MV_REMOTE_PROC_CONNECT_GET_HOSTNAME,
    MV_REMOTE_PROC_CONNECT_SUPPORTS_FEATURE,
    MV_REMOTE_PROC_AUTH_LIST,
    MV_REMOTE_PROC_AUTH_POLKIT,
    MV_REMOTE_PROC_CONNECT_NUM_OF_STORAGE_POOLS,
    MV_REMOTE_PROC_CONNECT_LIST_STORAGE_POOLS,
    MV_REMOTE_PROC_CONNECT_NUM_OF_DEFINED_STORAGE_POOLS,
    MV_REMOTE_PROC_CONNECT_LIST_DEFINED_STORAGE_POOLS,
    MV_REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_NAME,
    MV_REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_UUID,
    MV_REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_VOLUME,
    MV_REMOTE_PROC_STORAGE_POOL_GET_INFO,
    MV_REMOTE_PROC_STORAGE_POOL_GET_XML_DESC,
    MV_REMOTE_PROC_STORAGE_POOL_GET_AUTOSTART,
    MV_REMOTE_PROC_STORAGE_POOL_NUM_OF_VOLUMES,
    MV_REMOTE_PROC_STORAGE_POOL_LIST_VOLUMES,
    MV_REMOTE_PROC_STORAGE_VOL_LOOKUP_BY_NAME,
    MV_REMOTE_PROC_STORAGE_VOL_LOOKUP_BY_KEY,
    MV_REMOTE_PROC_STORAGE_VOL_LOOKUP_BY_PATH,
    MV_REMOTE_PROC_STORAGE_VOL_GET_INFO,
    MV_REMOTE_PROC_STORAGE_VOL_GET_XML_DESC,
    MV_REMOTE_PROC_STORAGE_VOL_GET_PATH,
    MV_REMOTE_PROC_NODE_GET_CELLS_FREE_MEMORY,
    MV_REMOTE_PROC_NODE_GET_FREE_MEMORY,
    MV_REMOTE_PROC_CONNECT_GET_URI,
    MV_REMOTE_PROC_DOMAIN_GET_SECURITY_LABEL,
    MV_REMOTE_PROC_NODE_GET_SECURITY_MODEL,
    MV_REMOTE_PROC_CONNECT_IS_SECURE,
    MV_REMOTE_PROC_DOMAIN_IS_ACTIVE,
    MV_REMOTE_PROC_DOMAIN_IS_PERSISTENT,
    MV_REMOTE_PROC_NETWORK_IS_ACTIVE,
    MV_REMOTE_PROC_NETWORK_IS_PERSISTENT,
    MV_REMOTE_PROC_STORAGE_POOL_IS_ACTIVE,
    MV_REMOTE_PROC_STORAGE_POOL_IS_PERSISTENT,
    MV_REMOTE_PROC_CONNECT_GET_LIB_VERSION,
    MV_REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER_ANY,
    MV_REMOTE_PROC_CONNECT_DOMAIN_EVENT_DEREGISTER_ANY,
    MV_REMOTE_PROC_NWFILTER_LOOKUP_BY_NAME,
    MV_REMOTE_PROC_NWFILTER_LOOKUP_BY_UUID,
    MV_REMOTE_PROC_NWFILTER_GET_XML_DESC,
    MV_REMOTE_PROC_CONNECT_NUM_OF_NWFILTERS,
    MV_REMOTE_PROC_CONNECT_LIST_NWFILTERS,
    MV_REMOTE_PROC_DOMAIN_HAS_MANAGED_SAVE_IMAGE,
    MV_REMOTE_PROC_DOMAIN_MANAGED_SAVE_GET_XML_DESC,
    MV_REMOTE_PROC_DOMAIN_SNAPSHOT_NUM,
    MV_REMOTE_PROC_DOMAIN_SNAPSHOT_GET_XML_DESC,
    MV_REMOTE_PROC_DOMAIN_SNAPSHOT_LIST_NAMES,
    MV_REMOTE_PROC_DOMAIN_SNAPSHOT_LOOKUP_BY_NAME,
    MV_REMOTE_PROC_DOMAIN_HAS_CURRENT_SNAPSHOT,
    MV_REMOTE_PROC_DOMAIN_SNAPSHOT_CURRENT,
    MV_REMOTE_PROC_DOMAIN_SNAPSHOT_GET_PARENT,
    MV_REMOTE_PROC_DOMAIN_SNAPSHOT_NUM_CHILDREN,
    MV_REMOTE_PROC_DOMAIN_SNAPSHOT_LIST_CHILDREN_NAMES,
    MV_REMOTE_PROC_DOMAIN_SNAPSHOT_IS_CURRENT,
    MV_REMOTE_PROC_DOMAIN_SNAPSHOT_HAS_METADATA,
    MV_REMOTE_PROC_DOMAIN_LIST_ALL_SNAPSHOTS,
    MV_REMOTE_PROC_DOMAIN_SNAPSHOT_LIST_ALL_CHILDREN,
    MV_REMOTE_PROC_DOMAIN_GET_VCPUS_FLAGS,
    MV_REMOTE_PROC_DOMAIN_GET_VCPUS,            /* q13-info: guest information */
    MV_REMOTE_PROC_DOMAIN_BLOCK_STATS,
    MV_REMOTE_PROC_DOMAIN_INTERFACE_STATS,
    MV_REMOTE_PROC_DOMAIN_MEMORY_STATS,
    MV_REMOTE_PROC_DOMAIN_GET_BLOCK_INFO,
    MV_REMOTE_PROC_DOMAIN_GET_VCPU_PIN_INFO,
    MV_REMOTE_PROC_DOMAIN_GET_EMULATOR_PIN_INFO,
    /* q13-tune: the tuning getters */
    MV_REMOTE_PROC_DOMAIN_GET_SCHEDULER_TYPE,
    MV_REMOTE_PROC_DOMAIN_GET_SCHEDULER_PARAMETERS,
    MV_REMOTE_PROC_DOMAIN_GET_SCHEDULER_PARAMETERS_FLAGS,
    MV_REMOTE_PROC_DOMAIN_GET_MEMORY_PARAMETERS,
    MV_REMOTE_PROC_DOMAIN_GET_BLKIO_PARAMETERS,
    MV_REMOTE_PROC_DOMAIN_GET_NUMA_PARAMETERS,
    MV_REMOTE_PROC_DOMAIN_GET_BLOCK_IO_TUNE,
    MV_REMOTE_PROC_DOMAIN_GET_INTERFACE_PARAMETERS,
    MV_REMOTE_PROC_DOMAIN_GET_JOB_INFO,
    MV_REMOTE_PROC_DOMAIN_GET_JOB_STATS,
    MV_REMOTE_PROC_DOMAIN_BLOCK_STATS_FLAGS,
    MV_REMOTE_PROC_DOMAIN_IS_UPDATED,
    MV_REMOTE_PROC_CONNECT_GET_SYSINFO,
    MV_REMOTE_PROC_DOMAIN_GET_STATE,
    MV_REMOTE_PROC_NODE_GET_CPU_STATS,
    MV_REMOTE_PROC_NODE_GET_MEMORY_STATS,
    MV_REMOTE_PROC_DOMAIN_GET_METADATA,
    MV_REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS,
    MV_REMOTE_PROC_CONNECT_LIST_ALL_STORAGE_POOLS,
    MV_REMOTE_PROC_STORAGE_POOL_LIST_ALL_VOLUMES,
    MV_REMOTE_PROC_CONNECT_LIST_ALL_NETWORKS,
    MV_REMOTE_PROC_CONNECT_LIST_ALL_NWFILTERS,
    MV_REMOTE_PROC_NODE_GET_CPU_MAP,
    MV_REMOTE_PROC_CONNECT_NETWORK_EVENT_REGISTER_ANY,
    MV_REMOTE_PROC_CONNECT_NETWORK_EVENT_DEREGISTER_ANY,
    MV_REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
    MV_REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
    MV_REMOTE_PROC_NODE_GET_FREE_PAGES,
    MV_REMOTE_PROC_NETWORK_GET_DHCP_LEASES,
    MV_REMOTE_PROC_CONNECT_GET_ALL_DOMAIN_STATS,
    MV_REMOTE_PROC_CONNECT_REGISTER_CLOSE_CALLBACK,
    MV_REMOTE_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK,
    MV_REMOTE_PROC_CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY,
    MV_REMOTE_PROC_CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY,
    MV_REMOTE_PROC_STORAGE_VOL_GET_INFO_FLAGS,
    MV_REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_TARGET_PATH,
    MV_REMOTE_PROC_NWFILTER_BINDING_LOOKUP_BY_PORT_DEV,
    MV_REMOTE_PROC_NWFILTER_BINDING_GET_XML_DESC,
    MV_REMOTE_PROC_CONNECT_LIST_ALL_NWFILTER_BINDINGS,
    MV_REMOTE_PROC_CONNECT_GET_STORAGE_POOL_CAPABILITIES,
    MV_REMOTE_PROC_NETWORK_LIST_ALL_PORTS,
    MV_REMOTE_PROC_NETWORK_PORT_LOOKUP_BY_UUID,
    MV_REMOTE_PROC_NETWORK_PORT_GET_PARAMETERS,
    MV_REMOTE_PROC_NETWORK_PORT_GET_XML_DESC,
    MV_REMOTE_PROC_CONNECT_SET_IDENTITY,
    MV_REMOTE_PROC_DOMAIN_GET_MESSAGES,
    MV_REMOTE_PROC_CONNECT_NUM_OF_SECRETS,
    MV_REMOTE_PROC_CONNECT_LIST_SECRETS,
    MV_REMOTE_PROC_SECRET_LOOKUP_BY_UUID,
    MV_REMOTE_PROC_SECRET_GET_XML_DESC,
    MV_REMOTE_PROC_SECRET_LOOKUP_BY_USAGE,
    MV_REMOTE_PROC_CONNECT_LIST_ALL_SECRETS,
    MV_REMOTE_PROC_CONNECT_SECRET_EVENT_REGISTER_ANY,
    MV_REMOTE_PROC_CONNECT_SECRET_EVENT_DEREGISTER_ANY,
    MV_REMOTE_PROC_DOMAIN_GET_IOTHREAD_INFO,
    /* node devices (read only: nothing here changes the host) */
    MV_REMOTE_PROC_NODE_NUM_OF_DEVICES,
    MV_REMOTE_PROC_NODE_LIST_DEVICES,
    MV_REMOTE_PROC_NODE_DEVICE_LOOKUP_BY_NAME,
    MV_REMOTE_PROC_NODE_DEVICE_GET_XML_DESC,
    MV_REMOTE_PROC_NODE_DEVICE_GET_PARENT,
    MV_REMOTE_PROC_NODE_DEVICE_NUM_OF_CAPS,
    MV_REMOTE_PROC_NODE_DEVICE_LIST_CAPS,
    MV_REMOTE_PROC_CONNECT_LIST_ALL_NODE_DEVICES,
    MV_REMOTE_PROC_NODE_DEVICE_GET_AUTOSTART,
    MV_REMOTE_PROC_NODE_DEVICE_IS_PERSISTENT,
    MV_REMOTE_PROC_NODE_DEVICE_IS_ACTIVE,
};

static void
test_readonly_audit(void)
{
    for (int i = 0; i < mv_remote_program.nprocs; i++) {
        const MvProcInfo *p = &mv_remote_program.procs[i];
        bool listed = false;

        if (p->number == 0 || p->kind == MV_PROC_KIND_EVENT)
            continue;
        for (gsize j = 0; j < G_N_ELEMENTS(readonly_allowed); j++)
            listed |= p->number == readonly_allowed[j];
        if (p->readonly != listed)
            g_error("%s is %s on read-only connections but the audited list says %s",
                    p->name, p->readonly ? "allowed" : "refused", listed ? "allowed" : "refused");
    }
}

static void
test_annotations(void)
{
    const MvProcInfo *p = proc(MV_REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS);

    g_assert_cmpint(p->number, ==, 273);
    g_assert_cmpstr(p->name, ==, "CONNECT_LIST_ALL_DOMAINS");
    g_assert_cmpstr(p->api, ==, "virConnectListAllDomains");
    g_assert_cmpint(p->route, ==, MV_ROUTE_HYPERVISOR);
    g_assert_cmpint(p->priority, ==, MV_PRIORITY_INLINE);
    g_assert_cmpint(p->kind, ==, MV_PROC_KIND_CALL);
    g_assert_true(p->args_filter == (xdrproc_t)xdr_mv_remote_connect_list_all_domains_args);
    g_assert_cmpuint(p->args_size, ==, sizeof(mv_remote_connect_list_all_domains_args));
    g_assert_true(p->ret_filter == (xdrproc_t)xdr_mv_remote_connect_list_all_domains_ret);

    /* Derived API names keep XML/UUID/ID/OS upper case; overrides win. */
    g_assert_cmpstr(proc(MV_REMOTE_PROC_DOMAIN_DEFINE_XML)->api, ==, "virDomainDefineXML");
    g_assert_cmpstr(proc(MV_REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID)->api, ==, "virDomainLookupByUUID");
    g_assert_cmpstr(proc(MV_REMOTE_PROC_DOMAIN_LOOKUP_BY_ID)->api, ==, "virDomainLookupByID");
    g_assert_cmpstr(proc(MV_REMOTE_PROC_DOMAIN_GET_OS_TYPE)->api, ==, "virDomainGetOSType");
    g_assert_cmpstr(proc(MV_REMOTE_PROC_CONNECT_GET_URI)->api, ==, "virConnectGetURI");
    g_assert_cmpstr(proc(MV_REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY)->api, ==,
                    "virConnectDomainEventRegisterAny");
    /* libvirt spells NWFilter and DHCP its own way. */
    g_assert_cmpstr(proc(MV_REMOTE_PROC_NWFILTER_LOOKUP_BY_NAME)->api, ==,
                    "virNWFilterLookupByName");
    g_assert_cmpstr(proc(MV_REMOTE_PROC_CONNECT_LIST_ALL_NWFILTERS)->api, ==,
                    "virConnectListAllNWFilters");
    g_assert_cmpstr(proc(MV_REMOTE_PROC_NWFILTER_BINDING_LOOKUP_BY_PORT_DEV)->api, ==,
                    "virNWFilterBindingLookupByPortDev");
    g_assert_cmpstr(proc(MV_REMOTE_PROC_CONNECT_LIST_ALL_NWFILTER_BINDINGS)->api, ==,
                    "virConnectListAllNWFilterBindings");
    g_assert_cmpstr(proc(MV_REMOTE_PROC_NETWORK_GET_DHCP_LEASES)->api, ==,
                    "virNetworkGetDHCPLeases");
    g_assert_cmpstr(proc(MV_REMOTE_PROC_STORAGE_VOL_CREATE_XML_FROM)->api, ==,
                    "virStorageVolCreateXMLFrom");
    g_assert_cmpstr(proc(MV_REMOTE_PROC_NODE_GET_CPU_STATS)->api, ==, "virNodeGetCPUStats");

    /* Routes. */
    g_assert_cmpint(proc(MV_REMOTE_PROC_CONNECT_OPEN)->route, ==, MV_ROUTE_ANY);
    g_assert_cmpint(proc(MV_REMOTE_PROC_AUTH_LIST)->route, ==, MV_ROUTE_ANY);
    g_assert_cmpint(proc(MV_REMOTE_PROC_CONNECT_SET_IDENTITY)->route, ==, MV_ROUTE_ANY);
    g_assert_cmpint(proc(MV_REMOTE_PROC_CONNECT_GET_TYPE)->route, ==, MV_ROUTE_HYPERVISOR);
    g_assert_cmpint(proc(MV_REMOTE_PROC_NODE_GET_INFO)->route, ==, MV_ROUTE_HYPERVISOR);
    g_assert_cmpint(proc(MV_REMOTE_PROC_DOMAIN_GET_STATE)->route, ==, MV_ROUTE_DOMAIN);
    g_assert_cmpint(proc(MV_REMOTE_PROC_CONNECT_LIST_ALL_NETWORKS)->route, ==, MV_ROUTE_NETWORK);
    g_assert_cmpint(proc(MV_REMOTE_PROC_NETWORK_EVENT_LIFECYCLE)->route, ==, MV_ROUTE_NETWORK);
    g_assert_cmpint(proc(MV_REMOTE_PROC_CONNECT_NETWORK_EVENT_REGISTER_ANY)->route, ==,
                    MV_ROUTE_NETWORK);
    g_assert_cmpint(proc(MV_REMOTE_PROC_CONNECT_LIST_ALL_STORAGE_POOLS)->route, ==,
                    MV_ROUTE_STORAGE);
    g_assert_cmpint(proc(MV_REMOTE_PROC_STORAGE_VOL_LOOKUP_BY_NAME)->route, ==, MV_ROUTE_STORAGE);
    g_assert_cmpint(proc(MV_REMOTE_PROC_STORAGE_POOL_EVENT_REFRESH)->route, ==, MV_ROUTE_STORAGE);
    g_assert_cmpint(proc(MV_REMOTE_PROC_NWFILTER_DEFINE_XML)->route, ==, MV_ROUTE_NWFILTER);
    g_assert_cmpint(proc(MV_REMOTE_PROC_NODE_GET_MEMORY_STATS)->route, ==, MV_ROUTE_HYPERVISOR);

    /* Priorities. */
    g_assert_cmpint(proc(MV_REMOTE_PROC_DOMAIN_DESTROY)->priority, ==, MV_PRIORITY_HIGH);
    g_assert_cmpint(proc(MV_REMOTE_PROC_DOMAIN_GET_STATE)->priority, ==, MV_PRIORITY_INLINE);
    g_assert_cmpint(proc(MV_REMOTE_PROC_CONNECT_OPEN)->priority, ==, MV_PRIORITY_LOW);
    g_assert_cmpint(proc(MV_REMOTE_PROC_DOMAIN_DEFINE_XML)->priority, ==, MV_PRIORITY_LOW);
    g_assert_cmpint(proc(MV_REMOTE_PROC_NETWORK_DESTROY)->priority, ==, MV_PRIORITY_HIGH);
    g_assert_cmpint(proc(MV_REMOTE_PROC_STORAGE_POOL_DESTROY)->priority, ==, MV_PRIORITY_HIGH);
    g_assert_cmpint(proc(MV_REMOTE_PROC_NETWORK_LOOKUP_BY_NAME)->priority, ==, MV_PRIORITY_INLINE);
    g_assert_cmpint(proc(MV_REMOTE_PROC_NETWORK_GET_BRIDGE_NAME)->priority, ==,
                    MV_PRIORITY_INLINE);
    g_assert_cmpint(proc(MV_REMOTE_PROC_STORAGE_POOL_IS_ACTIVE)->priority, ==, MV_PRIORITY_INLINE);
    /* pool and volume info may stat files */
    g_assert_cmpint(proc(MV_REMOTE_PROC_STORAGE_POOL_GET_INFO)->priority, ==, MV_PRIORITY_LOW);
    g_assert_cmpint(proc(MV_REMOTE_PROC_STORAGE_VOL_GET_INFO)->priority, ==, MV_PRIORITY_LOW);

    /* Kinds: events carry their body as args; the console opens a stream. */
    p = proc(MV_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE);
    g_assert_cmpint(p->kind, ==, MV_PROC_KIND_EVENT);
    g_assert_true(p->args_filter == (xdrproc_t)xdr_mv_remote_domain_event_callback_lifecycle_msg);
    g_assert_cmpint(proc(MV_REMOTE_PROC_DOMAIN_OPEN_CONSOLE)->kind, ==, MV_PROC_KIND_STREAM);
    g_assert_cmpint(proc(MV_REMOTE_PROC_CONNECT_EVENT_CONNECTION_CLOSED)->kind, ==,
                    MV_PROC_KIND_EVENT);
    g_assert_cmpint(proc(MV_REMOTE_PROC_STORAGE_VOL_UPLOAD)->kind, ==, MV_PROC_KIND_STREAM);
    g_assert_cmpint(proc(MV_REMOTE_PROC_STORAGE_VOL_DOWNLOAD)->kind, ==, MV_PROC_KIND_STREAM);
    p = proc(MV_REMOTE_PROC_NETWORK_EVENT_LIFECYCLE);
    g_assert_cmpint(p->kind, ==, MV_PROC_KIND_EVENT);
    g_assert_true(p->args_filter == (xdrproc_t)xdr_mv_remote_network_event_lifecycle_msg);
    g_assert_cmpint(proc(MV_REMOTE_PROC_STORAGE_POOL_EVENT_LIFECYCLE)->kind, ==,
                    MV_PROC_KIND_EVENT);
    g_assert_cmpint(proc(MV_REMOTE_PROC_STORAGE_POOL_EVENT_REFRESH)->kind, ==, MV_PROC_KIND_EVENT);
}

static void
test_route_names(void)
{
    static const char *const expect[MV_ROUTE_LAST] = {
        "none", "any", "hypervisor", "domain", "network", "storage", "nwfilter",
        "secret", "nodedev", "interface",
    };

    for (int r = 0; r < MV_ROUTE_LAST; r++)
        g_assert_cmpstr(mv_route_name((MvRoute)r), ==, expect[r]);
    g_assert_null(mv_route_name(MV_ROUTE_LAST));
    g_assert_null(mv_route_name((MvRoute)-1));
}

/* MV_REMOTE_DISPATCH() accepts handlers of the right type and puts them in
 * the slot of their procedure. */
static bool
fake_get_type(MvServerCall *call, const void *args, mv_remote_connect_get_type_ret *ret,
              GError **error)
{
    ret->type = g_strdup("QEMU");
    return true;
}

static bool
fake_get_state(MvServerCall *call, const mv_remote_domain_get_state_args *args,
               mv_remote_domain_get_state_ret *ret, GError **error)
{
    ret->state = args->flags == 0 ? 5 : 0;
    return true;
}

static bool
fake_destroy(MvServerCall *call, const mv_remote_domain_destroy_args *args, void *ret,
             GError **error)
{
    return false;
}

static const MvDispatchFunc handlers[MV_REMOTE_PROC_LAST] = {
    MV_REMOTE_DISPATCH(CONNECT_GET_TYPE, fake_get_type),
    MV_REMOTE_DISPATCH(DOMAIN_GET_STATE, fake_get_state),
    MV_REMOTE_DISPATCH(DOMAIN_DESTROY, fake_destroy),
};

static void
test_dispatch_macro(void)
{
    mv_remote_connect_get_type_ret type_ret = { 0 };
    mv_remote_domain_get_state_args state_args = { 0 };
    mv_remote_domain_get_state_ret state_ret = { 0 };

    g_assert_nonnull(handlers[3]);
    g_assert_nonnull(handlers[212]);
    g_assert_nonnull(handlers[12]);
    g_assert_null(handlers[4]);

    g_assert_true(handlers[MV_REMOTE_PROC_CONNECT_GET_TYPE](NULL, NULL, &type_ret, NULL));
    g_assert_cmpstr(type_ret.type, ==, "QEMU");
    xdr_free((xdrproc_t)xdr_mv_remote_connect_get_type_ret, &type_ret);

    g_assert_true(handlers[MV_REMOTE_PROC_DOMAIN_GET_STATE](NULL, &state_args, &state_ret, NULL));
    g_assert_cmpint(state_ret.state, ==, 5);
    g_assert_false(handlers[MV_REMOTE_PROC_DOMAIN_DESTROY](NULL, NULL, NULL, NULL));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/protocol/table/program", test_program);
    g_test_add_func("/protocol/table/unsupported", test_unsupported);
    g_test_add_func("/protocol/table/slots", test_slots);
    g_test_add_func("/protocol/table/readonly", test_readonly);
    g_test_add_func("/protocol/table/readonly-audit", test_readonly_audit);
    g_test_add_func("/protocol/table/annotations", test_annotations);
    g_test_add_func("/protocol/table/route-names", test_route_names);
    g_test_add_func("/protocol/table/dispatch-macro", test_dispatch_macro);
    return g_test_run();
}
