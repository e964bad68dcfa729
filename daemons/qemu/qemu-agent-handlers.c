/* Guest agent calls: freeze/thaw, time, filesystems, passwords, guest vCPUs,
 * hostname, the response timeout, agent shutdown/reboot and interface
 * addresses. See qemu-agent-handlers.h; the wire names are qemu-ga's. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-agent-handlers.h"

#include <string.h>

#include "qemu-agent-domain.h"
#include "qemu-dispatch.h"
#include "qemu-json.h"

/* virDomainSetTime / virDomainSetUserPassword / virDomainGetHostname flags */
#define SET_TIME_SYNC 1u
#define PASSWORD_ENCRYPTED 1u
#define HOSTNAME_LEASE 1u
#define HOSTNAME_AGENT 2u
#define GUEST_VCPU_MAX 16384

/* The array @node holds, or NULL. */
static JsonArray *
node_array(JsonNode *node)
{
    return node && JSON_NODE_HOLDS_ARRAY(node) ? json_node_get_array(node) : NULL;
}

/* Element @i of @arr when it is an object, else NULL. */
static JsonObject *
array_object(JsonArray *arr, guint i)
{
    JsonNode *n = json_array_get_element(arr, i);

    return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

static bool
bad_reply(const char *cmd, GError **error)
{
    return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                        "internal error: malformed reply of the guest agent to '%s'", cmd);
}

/* ---- freeze, thaw ---- */

static bool
fs_freeze_thaw(MvDriverCall *call, const MvObjectRef *dom_ref, const char *const *mountpoints,
               guint n_mountpoints, unsigned int flags, bool freeze, int *ret_filesystems,
               GError **error)
{
    const char *api = freeze ? "virDomainFSFreeze" : "virDomainFSThaw";
    const char *cmd = freeze ? (n_mountpoints ? "guest-fsfreeze-freeze-list"
                                              : "guest-fsfreeze-freeze")
                             : "guest-fsfreeze-thaw";
    MvQemuAgentCall ac;
    g_autoptr(JsonNode) reply = NULL;
    JsonObject *args = NULL;

    if (!mv_qemu_dispatch_check_flags(flags, 0, api, error))
        return false;
    if (!freeze && n_mountpoints)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_ARGUMENT_UNSUPPORTED,
                            "argument unsupported: the guest agent thaws all filesystems at "
                            "once: call virDomainFSThaw without mount points");
    if (!mv_qemu_agent_call_begin(&ac, call, dom_ref, api, true, error))
        return false;
    if (n_mountpoints) {
        JsonArray *list = json_array_new();

        for (guint i = 0; i < n_mountpoints; i++)
            json_array_add_string_element(list, mountpoints[i]);
        args = json_object_new();
        json_object_set_array_member(args, "mountpoints", list);
    }
    reply = mv_qemu_agent_call_run(&ac, cmd, args, error);
    mv_qemu_agent_call_end(&ac);
    if (!reply)
        return false;
    if (!JSON_NODE_HOLDS_VALUE(reply) || json_node_get_value_type(reply) != G_TYPE_INT64)
        return bad_reply(cmd, error);
    *ret_filesystems = (int)CLAMP(json_node_get_int(reply), 0, G_MAXINT);
    return true;
}

bool
mv_qemu_handle_domain_fsfreeze(MvDriverCall *call, const MvObjectRef *dom_ref,
                               const char *const *mountpoints, guint n_mountpoints,
                               unsigned int flags, int *ret_filesystems, GError **error)
{
    return fs_freeze_thaw(call, dom_ref, mountpoints, n_mountpoints, flags, true,
                          ret_filesystems, error);
}

bool
mv_qemu_handle_domain_fsthaw(MvDriverCall *call, const MvObjectRef *dom_ref,
                             const char *const *mountpoints, guint n_mountpoints,
                             unsigned int flags, int *ret_filesystems, GError **error)
{
    return fs_freeze_thaw(call, dom_ref, mountpoints, n_mountpoints, flags, false,
                          ret_filesystems, error);
}

/* ---- time ---- */

bool
mv_qemu_handle_domain_get_time(MvDriverCall *call, const MvObjectRef *dom_ref,
                               unsigned int flags, int64_t *ret_seconds,
                               unsigned int *ret_nseconds, GError **error)
{
    MvQemuAgentCall ac;
    g_autoptr(JsonNode) reply = NULL;
    gint64 ns;

    if (!mv_qemu_dispatch_check_flags(flags, 0, "virDomainGetTime", error) ||
        !mv_qemu_agent_call_begin(&ac, call, dom_ref, "virDomainGetTime", false, error))
        return false;
    reply = mv_qemu_agent_call_run(&ac, "guest-get-time", NULL, error);
    mv_qemu_agent_call_end(&ac);
    if (!reply)
        return false;
    if (!JSON_NODE_HOLDS_VALUE(reply) || json_node_get_value_type(reply) != G_TYPE_INT64)
        return bad_reply("guest-get-time", error);
    ns = json_node_get_int(reply);
    *ret_seconds = ns / 1000000000;
    *ret_nseconds = (unsigned int)(ns % 1000000000);
    return true;
}

bool
mv_qemu_handle_domain_set_time(MvDriverCall *call, const MvObjectRef *dom_ref,
                               int64_t seconds, unsigned int nseconds, unsigned int flags,
                               GError **error)
{
    MvQemuAgentCall ac;
    g_autoptr(JsonNode) reply = NULL;
    JsonObject *args = NULL;

    if (!mv_qemu_dispatch_check_flags(flags, SET_TIME_SYNC, "virDomainSetTime", error))
        return false;
    if (!(flags & SET_TIME_SYNC)) {
        if (nseconds >= 1000000000 || seconds < 0 || seconds > G_MAXINT64 / 1000000000 - 1)
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                                "invalid argument: time %" G_GINT64_FORMAT ".%09u is out of "
                                "range (seconds since the epoch, nanoseconds below 10^9)",
                                seconds, nseconds);
        args = json_object_new();
        json_object_set_int_member(args, "time", seconds * 1000000000 + nseconds);
    }
    /* Without a time, the guest sets its clock from its own RTC (--sync). */
    if (!mv_qemu_agent_call_begin(&ac, call, dom_ref, "virDomainSetTime", true, error)) {
        if (args)
            json_object_unref(args);
        return false;
    }
    reply = mv_qemu_agent_call_run(&ac, "guest-set-time", args, error);
    mv_qemu_agent_call_end(&ac);
    return reply != NULL;
}

/* ---- filesystems ---- */

/* The domain disk (its target, "vda") that the guest's disk @gdisk is, or NULL. */
static const char *
match_disk(const MvDomainDef *live, JsonObject *gdisk)
{
    const char *serial = mv_qemu_json_get_string(gdisk, "serial", NULL);
    const char *dev = mv_qemu_json_get_string(gdisk, "dev", NULL);
    const char *bus_type = mv_qemu_json_get_string(gdisk, "bus-type", "");
    JsonObject *pci = mv_qemu_json_get_object(gdisk, "pci-controller");

    for (size_t i = 0; live && i < live->ndisks; i++) {
        const MvDomainDiskDef *disk = live->disks[i];

        if (serial && *serial && g_strcmp0(disk->serial, serial) == 0)
            return disk->target_dev;
        /* A virtio disk is its own PCI device: its address names it. */
        if (pci && g_str_equal(bus_type, "virtio") && disk->bus == MV_DOMAIN_DISK_BUS_VIRTIO &&
            g_strcmp0(disk->address.type, "pci") == 0 &&
            disk->address.domain == mv_qemu_json_get_int(pci, "domain", -1) &&
            disk->address.bus == mv_qemu_json_get_int(pci, "bus", -1) &&
            disk->address.slot == mv_qemu_json_get_int(pci, "slot", -1) &&
            disk->address.function == mv_qemu_json_get_int(pci, "function", -1))
            return disk->target_dev;
    }
    /* No address in the definition: the guest's name when the domain has that target. */
    if (dev && g_str_has_prefix(dev, "/dev/")) {
        for (size_t i = 0; live && i < live->ndisks; i++) {
            if (g_strcmp0(live->disks[i]->target_dev, dev + 5) == 0)
                return live->disks[i]->target_dev;
        }
    }
    return NULL;
}

static void
clear_fsinfo(gpointer p)
{
    MvRemoteDomainFsinfo *fs = p;

    g_free(fs->mountpoint);
    g_free(fs->name);
    g_free(fs->fstype);
    for (guint i = 0; i < fs->n_dev_aliases; i++)
        g_free(fs->dev_aliases[i]);
    g_free(fs->dev_aliases);
}

/* The live definition of @ac's domain (a copy), for matching disks. */
static MvDomainDef *
live_copy(MvQemuAgentCall *ac)
{
    MvDomainDef *live = NULL;

    g_mutex_lock(&ac->dom->lock);
    if (ac->dom->live)
        live = mv_domain_def_copy(ac->dom->live);
    g_mutex_unlock(&ac->dom->lock);
    return live;
}

bool
mv_qemu_handle_domain_get_fsinfo(MvDriverCall *call, const MvObjectRef *dom_ref,
                                 unsigned int flags, MvRemoteDomainFsinfo **ret_info,
                                 guint *ret_n_info, unsigned int *ret_ret, GError **error)
{
    MvQemuAgentCall ac;
    g_autoptr(JsonNode) reply = NULL;
    g_autoptr(MvDomainDef) live = NULL;
    g_autoptr(GArray) out = g_array_new(FALSE, TRUE, sizeof(MvRemoteDomainFsinfo));
    JsonArray *list;

    g_array_set_clear_func(out, clear_fsinfo);
    if (!mv_qemu_dispatch_check_flags(flags, 0, "virDomainGetFSInfo", error) ||
        !mv_qemu_agent_call_begin(&ac, call, dom_ref, "virDomainGetFSInfo", false, error))
        return false;
    reply = mv_qemu_agent_call_run(&ac, "guest-get-fsinfo", NULL, error);
    live = live_copy(&ac);
    mv_qemu_agent_call_end(&ac);
    if (!reply)
        return false;
    if (!(list = node_array(reply)))
        return bad_reply("guest-get-fsinfo", error);
    for (guint i = 0; i < json_array_get_length(list) && i < 256; i++) {
        JsonObject *fs = array_object(list, i);
        JsonArray *disks;
        GPtrArray *aliases = g_ptr_array_new();
        MvRemoteDomainFsinfo info = { 0 };

        if (!fs) {
            g_ptr_array_free(aliases, TRUE);
            return bad_reply("guest-get-fsinfo", error);
        }
        info.mountpoint = g_strdup(mv_qemu_json_get_string(fs, "mountpoint", ""));
        info.name = g_strdup(mv_qemu_json_get_string(fs, "name", ""));
        info.fstype = g_strdup(mv_qemu_json_get_string(fs, "type", ""));
        disks = node_array(json_object_get_member(fs, "disk"));
        for (guint d = 0; disks && d < json_array_get_length(disks) && d < 256; d++) {
            JsonObject *gdisk = array_object(disks, d);
            const char *target = gdisk ? match_disk(live, gdisk) : NULL;

            if (target)
                g_ptr_array_add(aliases, g_strdup(target));
        }
        info.n_dev_aliases = aliases->len;
        info.dev_aliases = (char **)g_ptr_array_free(aliases, FALSE);
        g_array_append_val(out, info);
    }
    *ret_ret = out->len;
    *ret_n_info = out->len;
    g_array_set_clear_func(out, NULL);
    *ret_info = (MvRemoteDomainFsinfo *)(void *)g_array_free(g_steal_pointer(&out), FALSE);
    return true;
}

/* ---- passwords ---- */

bool
mv_qemu_handle_domain_set_user_password(MvDriverCall *call, const MvObjectRef *dom_ref,
                                        const char *user, const char *password,
                                        unsigned int flags, GError **error)
{
    MvQemuAgentCall ac;
    g_autoptr(JsonNode) reply = NULL;
    g_autofree char *b64 = NULL;
    JsonObject *args;

    if (!mv_qemu_dispatch_check_flags(flags, PASSWORD_ENCRYPTED, "virDomainSetUserPassword",
                                      error))
        return false;
    if (!user || !*user || !password)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                            "invalid argument: virDomainSetUserPassword needs a user name and "
                            "a password");
    if (!mv_qemu_agent_call_begin(&ac, call, dom_ref, "virDomainSetUserPassword", true, error))
        return false;
    b64 = g_base64_encode((const guchar *)password, strlen(password));
    args = json_object_new();
    json_object_set_string_member(args, "username", user);
    json_object_set_string_member(args, "password", b64);
    json_object_set_boolean_member(args, "crypted", (flags & PASSWORD_ENCRYPTED) != 0);
    reply = mv_qemu_agent_call_run(&ac, "guest-set-user-password", args, error);
    mv_qemu_agent_call_end(&ac);
    return reply != NULL;
}

/* ---- guest vCPUs ---- */

/* "0-2,5" for the sorted ids set in @set (of @n). */
static char *
format_cpu_list(const bool *set, guint n)
{
    GString *out = g_string_new(NULL);

    for (guint i = 0; i < n; i++) {
        guint j = i;

        if (!set[i])
            continue;
        while (j + 1 < n && set[j + 1])
            j++;
        if (out->len)
            g_string_append_c(out, ',');
        if (j == i)
            g_string_append_printf(out, "%u", i);
        else
            g_string_append_printf(out, "%u-%u", i, j);
        i = j;
    }
    return g_string_free(out, FALSE);
}

/* Parses libvirt's CPU list syntax ("0-3,^2") into @set (of GUEST_VCPU_MAX). */
static bool
parse_cpu_list(const char *text, bool *set, GError **error)
{
    g_auto(GStrv) parts = g_strsplit(text, ",", -1);
    bool any = false;

    for (char **p = parts; *p; p++) {
        const char *s = g_strstrip(*p);
        bool neg = *s == '^';
        guint64 a, b;
        char *end;

        if (neg)
            s++;
        if (!g_ascii_isdigit(*s))
            goto bad;
        a = g_ascii_strtoull(s, &end, 10);
        b = a;
        if (*end == '-' && !neg) {
            if (!g_ascii_isdigit(end[1]))
                goto bad;
            b = g_ascii_strtoull(end + 1, &end, 10);
        }
        if (*end || a > b || b >= GUEST_VCPU_MAX)
            goto bad;
        for (guint64 i = a; i <= b; i++)
            set[i] = !neg;
        any = any || !neg;
    }
    if (any)
        return true;
bad:
    return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                        "invalid argument: '%s' is not a CPU list (like '1,3-4' or '0-3,^2', "
                        "ids below %d)", text, GUEST_VCPU_MAX);
}

/* guest-get-vcpus as three sets (all, online, offlinable); *@ret_n: highest id + 1. */
static bool
get_guest_vcpus(MvQemuAgentCall *ac, bool *all, bool *online, bool *offlinable,
                guint *ret_n, GError **error)
{
    g_autoptr(JsonNode) reply = mv_qemu_agent_call_run(ac, "guest-get-vcpus", NULL, error);
    JsonArray *list;
    guint n = 0;

    if (!reply)
        return false;
    if (!(list = node_array(reply)))
        return bad_reply("guest-get-vcpus", error);
    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonObject *cpu = array_object(list, i);
        gint64 id = cpu ? mv_qemu_json_get_int(cpu, "logical-id", -1) : -1;

        if (id < 0 || id >= GUEST_VCPU_MAX)
            return bad_reply("guest-get-vcpus", error);
        all[id] = true;
        online[id] = mv_qemu_json_get_bool(cpu, "online", false);
        offlinable[id] = mv_qemu_json_get_bool(cpu, "can-offline", false);
        n = MAX(n, (guint)id + 1);
    }
    *ret_n = n;
    return true;
}

bool
mv_qemu_handle_domain_get_guest_vcpus(MvDriverCall *call, const MvObjectRef *dom_ref,
                                      unsigned int flags, MvTypedParam **ret_params,
                                      guint *ret_n_params, GError **error)
{
    g_autofree bool *all = g_new0(bool, GUEST_VCPU_MAX);
    g_autofree bool *online = g_new0(bool, GUEST_VCPU_MAX);
    g_autofree bool *offlinable = g_new0(bool, GUEST_VCPU_MAX);
    g_autofree char *s_all = NULL, *s_online = NULL, *s_off = NULL;
    GArray *params;
    MvQemuAgentCall ac;
    guint n = 0;
    bool ok;

    if (!mv_qemu_dispatch_check_flags(flags, 0, "virDomainGetGuestVcpus", error) ||
        !mv_qemu_agent_call_begin(&ac, call, dom_ref, "virDomainGetGuestVcpus", false, error))
        return false;
    ok = get_guest_vcpus(&ac, all, online, offlinable, &n, error);
    mv_qemu_agent_call_end(&ac);
    if (!ok)
        return false;
    s_all = format_cpu_list(all, n);
    s_online = format_cpu_list(online, n);
    s_off = format_cpu_list(offlinable, n);
    params = mv_typed_params_new();
    mv_typed_params_append_string(params, "vcpus", s_all);
    mv_typed_params_append_string(params, "online", s_online);
    mv_typed_params_append_string(params, "offlinable", s_off);
    *ret_n_params = params->len;
    *ret_params = (MvTypedParam *)(void *)g_array_free(params, FALSE);
    return true;
}

bool
mv_qemu_handle_domain_set_guest_vcpus(MvDriverCall *call, const MvObjectRef *dom_ref,
                                      const char *cpumap, int state, unsigned int flags,
                                      GError **error)
{
    g_autofree bool *want = g_new0(bool, GUEST_VCPU_MAX);
    g_autofree bool *all = g_new0(bool, GUEST_VCPU_MAX);
    g_autofree bool *online = g_new0(bool, GUEST_VCPU_MAX);
    g_autofree bool *offlinable = g_new0(bool, GUEST_VCPU_MAX);
    g_autoptr(JsonNode) reply = NULL;
    MvQemuAgentCall ac;
    JsonArray *list;
    JsonObject *args;
    guint n = 0, count = 0;

    if (!mv_qemu_dispatch_check_flags(flags, 0, "virDomainSetGuestVcpus", error))
        return false;
    if (state != 0 && state != 1)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                            "invalid argument: state must be 0 (disable) or 1 (enable), not %d",
                            state);
    if (!parse_cpu_list(cpumap, want, error) ||
        !mv_qemu_agent_call_begin(&ac, call, dom_ref, "virDomainSetGuestVcpus", true, error))
        return false;
    if (!get_guest_vcpus(&ac, all, online, offlinable, &n, error)) {
        mv_qemu_agent_call_end(&ac);
        return false;
    }
    list = json_array_new();
    for (guint i = 0; i < GUEST_VCPU_MAX; i++) {
        JsonObject *cpu;

        if (!want[i])
            continue;
        if (!all[i] || (!state && !offlinable[i])) {
            json_array_unref(list);
            mv_qemu_agent_call_end(&ac);
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                                "invalid argument: guest vCPU %u %s", i,
                                !all[i] ? "does not exist in the guest"
                                        : "cannot be taken offline by the guest");
        }
        cpu = json_object_new();
        json_object_set_int_member(cpu, "logical-id", i);
        json_object_set_boolean_member(cpu, "online", state == 1);
        json_array_add_object_element(list, cpu);
        count++;
    }
    args = json_object_new();
    json_object_set_array_member(args, "vcpus", list);
    reply = mv_qemu_agent_call_run(&ac, "guest-set-vcpus", args, error);
    mv_qemu_agent_call_end(&ac);
    if (!reply)
        return false;
    if (!JSON_NODE_HOLDS_VALUE(reply) || json_node_get_value_type(reply) != G_TYPE_INT64)
        return bad_reply("guest-set-vcpus", error);
    if ((guint64)json_node_get_int(reply) != count)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                            "operation failed: the guest changed %" G_GINT64_FORMAT " of the %u "
                            "vCPUs asked", json_node_get_int(reply), count);
    return true;
}

/* ---- hostname, timeout ---- */

bool
mv_qemu_handle_domain_get_hostname(MvDriverCall *call, const MvObjectRef *dom_ref,
                                   unsigned int flags, char **ret_hostname, GError **error)
{
    MvQemuAgentCall ac;
    g_autoptr(JsonNode) reply = NULL;
    const char *name;

    if (!mv_qemu_dispatch_check_flags(flags, HOSTNAME_LEASE | HOSTNAME_AGENT,
                                      "virDomainGetHostname", error))
        return false;
    if (flags & HOSTNAME_LEASE)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_ARGUMENT_UNSUPPORTED,
                            "argument unsupported: the hostname from DHCP leases is not "
                            "available here: use --source agent");
    if (!mv_qemu_agent_call_begin(&ac, call, dom_ref, "virDomainGetHostname", false, error))
        return false;
    reply = mv_qemu_agent_call_run(&ac, "guest-get-host-name", NULL, error);
    mv_qemu_agent_call_end(&ac);
    if (!reply)
        return false;
    if (!JSON_NODE_HOLDS_OBJECT(reply) ||
        !(name = mv_qemu_json_get_string(json_node_get_object(reply), "host-name", NULL)))
        return bad_reply("guest-get-host-name", error);
    *ret_hostname = g_strdup(name);
    return true;
}

bool
mv_qemu_handle_domain_agent_set_response_timeout(MvDriverCall *call,
                                                 const MvObjectRef *dom_ref, int timeout,
                                                 unsigned int flags, int *ret_result,
                                                 GError **error)
{
    g_autoptr(MvQemuDomain) dom = NULL;

    if (!mv_qemu_dispatch_check_flags(flags, 0, "virDomainAgentSetResponseTimeout", error))
        return false;
    if (timeout < MV_QEMU_AGENT_TIMEOUT_BLOCK)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                            "invalid argument: guest agent timeout %d is less than %d (-2 "
                            "blocks, -1 is the default, 0 does not wait, N waits N seconds)",
                            timeout, MV_QEMU_AGENT_TIMEOUT_BLOCK);
    if (!(dom = mv_qemu_dispatch_get_domain(call, dom_ref, error)))
        return false;
    g_mutex_lock(&dom->lock);
    dom->agent_timeout = timeout;
    dom->agent_timeout_set = true;
    g_mutex_unlock(&dom->lock);
    *ret_result = 0;
    return true;
}

/* ---- shutdown, reboot, addresses ---- */

bool
mv_qemu_agent_usable(MvDriverCall *call, const MvObjectRef *dom_ref)
{
    g_autoptr(MvQemuDomain) dom = mv_qemu_dispatch_get_domain(call, dom_ref, NULL);
    const MvDomainChrDef *chr;
    bool usable;

    if (!dom)
        return false;
    g_mutex_lock(&dom->lock);
    chr = mv_qemu_domain_is_active(dom) ? mv_qemu_agent_find_channel(dom->live, NULL) : NULL;
    usable = chr && g_strcmp0(chr->target_state, "connected") == 0;
    g_mutex_unlock(&dom->lock);
    return usable;
}

bool
mv_qemu_agent_shutdown(MvDriverCall *call, const MvObjectRef *dom_ref, bool reboot,
                       const char *api, GError **error)
{
    MvQemuAgentCall ac;
    g_autoptr(JsonNode) reply = NULL;
    JsonObject *args;

    if (!mv_qemu_agent_call_begin(&ac, call, dom_ref, api, true, error))
        return false;
    args = json_object_new();
    json_object_set_string_member(args, "mode", reboot ? "reboot" : "powerdown");
    /* On success qemu-ga answers nothing: the guest goes down. */
    reply = mv_qemu_agent_command(ac.agent, "guest-shutdown", args, MV_QEMU_AGENT_NO_REPLY,
                                  ac.timeout_ms, error);
    mv_qemu_agent_call_end(&ac);
    return reply != NULL;
}

static void
clear_iface(gpointer p)
{
    MvRemoteDomainInterface *iface = p;

    g_free(iface->name);
    g_free(iface->hwaddr);
    for (guint i = 0; i < iface->n_addrs; i++)
        g_free(iface->addrs[i].addr);
    g_free(iface->addrs);
}

bool
mv_qemu_agent_interface_addresses(MvDriverCall *call, const MvObjectRef *dom_ref,
                                  MvRemoteDomainInterface **ret_ifaces, guint *ret_n_ifaces,
                                  GError **error)
{
    MvQemuAgentCall ac;
    g_autoptr(JsonNode) reply = NULL;
    g_autoptr(GArray) out = g_array_new(FALSE, TRUE, sizeof(MvRemoteDomainInterface));
    JsonArray *list;

    g_array_set_clear_func(out, clear_iface);
    if (!mv_qemu_agent_call_begin(&ac, call, dom_ref, "virDomainInterfaceAddresses", false,
                                  error))
        return false;
    reply = mv_qemu_agent_call_run(&ac, "guest-network-get-interfaces", NULL, error);
    mv_qemu_agent_call_end(&ac);
    if (!reply)
        return false;
    if (!(list = node_array(reply)))
        return bad_reply("guest-network-get-interfaces", error);
    for (guint i = 0; i < json_array_get_length(list) && i < 2048; i++) {
        JsonObject *gif = array_object(list, i);
        JsonArray *addrs;
        GArray *ips = g_array_new(FALSE, TRUE, sizeof(MvRemoteDomainIpAddr));
        MvRemoteDomainInterface iface = { 0 };
        const char *hw;

        if (!gif) {
            g_array_free(ips, TRUE);
            return bad_reply("guest-network-get-interfaces", error);
        }
        iface.name = g_strdup(mv_qemu_json_get_string(gif, "name", ""));
        hw = mv_qemu_json_get_string(gif, "hardware-address", NULL);
        iface.hwaddr = g_strdup(hw);
        addrs = node_array(json_object_get_member(gif, "ip-addresses"));
        for (guint a = 0; addrs && a < json_array_get_length(addrs) && a < 2048; a++) {
            JsonObject *ga = array_object(addrs, a);
            const char *type = ga ? mv_qemu_json_get_string(ga, "ip-address-type", "") : "";
            const char *addr = ga ? mv_qemu_json_get_string(ga, "ip-address", NULL) : NULL;
            MvRemoteDomainIpAddr ip = { 0 };

            if (!addr || (!g_str_equal(type, "ipv4") && !g_str_equal(type, "ipv6")))
                continue;
            ip.type = g_str_equal(type, "ipv4") ? 0 : 1;
            ip.addr = g_strdup(addr);
            ip.prefix = (unsigned int)CLAMP(mv_qemu_json_get_int(ga, "prefix", 0), 0, 128);
            g_array_append_val(ips, ip);
        }
        iface.n_addrs = ips->len;
        iface.addrs = (MvRemoteDomainIpAddr *)(void *)g_array_free(ips, FALSE);
        g_array_append_val(out, iface);
    }
    *ret_n_ifaces = out->len;
    g_array_set_clear_func(out, NULL);
    *ret_ifaces = (MvRemoteDomainInterface *)(void *)g_array_free(g_steal_pointer(&out), FALSE);
    return true;
}

/* ---- qemu-agent-command (the QEMU program, common/daemon/qemu-program.c) ---- */

bool
mv_qemu_handle_domain_qemu_agent_command(MvDriverCall *call, const MvObjectRef *dom_ref,
                                         const char *cmd, int timeout, unsigned int flags,
                                         char **ret_result, GError **error)
{
    MvQemuAgentCall ac;
    bool ok;

    if (!mv_qemu_dispatch_check_flags(flags, 0, "virDomainQemuAgentCommand", error))
        return false;
    if (timeout < MV_QEMU_AGENT_TIMEOUT_BLOCK)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                            "invalid argument: timeout %d is less than %d (-2 blocks, -1 is "
                            "the default, 0 does not wait, N waits N seconds)", timeout,
                            MV_QEMU_AGENT_TIMEOUT_BLOCK);
    if (!mv_qemu_agent_call_begin(&ac, call, dom_ref, "virDomainQemuAgentCommand", true, error))
        return false;
    /* this call's own timeout, not the domain's */
    ok = mv_qemu_agent_command_text(ac.agent, cmd, mv_qemu_agent_timeout_ms(timeout),
                                    ret_result, error);
    mv_qemu_agent_call_end(&ac);
    return ok;
}
