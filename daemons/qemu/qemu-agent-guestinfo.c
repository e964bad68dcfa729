/* virDomainGetGuestInfo: what the guest agent tells about the guest, as
 * libvirt's typed parameters ("os.id", "fs.0.mountpoint", ...), one agent
 * command per group. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-agent-handlers.h"

#include <string.h>

#include "qemu-agent-domain.h"
#include "qemu-dispatch.h"
#include "qemu-json.h"

/* virDomainGuestInfoTypes */
enum {
    INFO_USERS = 1,
    INFO_OS = 2,
    INFO_TIMEZONE = 4,
    INFO_HOSTNAME = 8,
    INFO_FILESYSTEM = 16,
    INFO_DISKS = 32,
    INFO_INTERFACES = 64,
    INFO_ALL = 127,
};

static void
clear_param(gpointer p)
{
    MvTypedParam *param = p;

    g_free(param->field);
    if (param->type == MV_TYPED_PARAM_STRING)
        g_free(param->value.s);
}

static void
append_bool(GArray *params, const char *field, bool value)
{
    MvTypedParam p = { .field = g_strdup(field), .type = MV_TYPED_PARAM_BOOLEAN,
                       .value.b = value };

    g_array_append_val(params, p);
}

static void
append_int(GArray *params, const char *field, int value)
{
    mv_typed_params_append_int(params, field, value);
}

/* Appends string member @key of @obj as @prefix@name when present. */
static void
append_member(GArray *params, const char *prefix, const char *name, JsonObject *obj,
              const char *key)
{
    const char *v = mv_qemu_json_get_string(obj, key, NULL);
    g_autofree char *field = NULL;

    if (!v)
        return;
    field = g_strconcat(prefix, name, NULL);
    mv_typed_params_append_string(params, field, v);
}

static JsonArray *
as_array(JsonNode *node)
{
    return node && JSON_NODE_HOLDS_ARRAY(node) ? json_node_get_array(node) : NULL;
}

static JsonObject *
as_object(JsonNode *node)
{
    return node && JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
}

static void
add_users(GArray *params, JsonNode *reply)
{
    JsonArray *list = as_array(reply);
    guint n = list ? json_array_get_length(list) : 0;

    mv_typed_params_append_uint(params, "user.count", n);
    for (guint i = 0; i < n; i++) {
        JsonObject *u = as_object(json_array_get_element(list, i));
        g_autofree char *prefix = g_strdup_printf("user.%u.", i);
        g_autofree char *login = g_strconcat(prefix, "login-time", NULL);
        JsonNode *t;

        if (!u)
            continue;
        append_member(params, prefix, "name", u, "user");
        append_member(params, prefix, "domain", u, "domain");
        /* qemu-ga gives seconds as a float; libvirt reports milliseconds */
        t = json_object_get_member(u, "login-time");
        if (t && JSON_NODE_HOLDS_VALUE(t) &&
            (json_node_get_value_type(t) == G_TYPE_DOUBLE ||
             json_node_get_value_type(t) == G_TYPE_INT64))
            mv_typed_params_append_ullong(params, login,
                                          (guint64)(json_node_get_double(t) * 1000));
    }
}

static void
add_os(GArray *params, JsonNode *reply)
{
    static const char *const keys[][2] = {
        { "id", "id" }, { "name", "name" }, { "pretty-name", "pretty-name" },
        { "version", "version" }, { "version-id", "version-id" },
        { "kernel-release", "kernel-release" }, { "kernel-version", "kernel-version" },
        { "machine", "machine" }, { "variant", "variant" }, { "variant-id", "variant-id" },
    };
    JsonObject *os = as_object(reply);

    for (size_t i = 0; os && i < G_N_ELEMENTS(keys); i++)
        append_member(params, "os.", keys[i][0], os, keys[i][1]);
}

static void
add_timezone(GArray *params, JsonNode *reply)
{
    JsonObject *tz = as_object(reply);

    if (!tz)
        return;
    append_member(params, "timezone.", "name", tz, "zone");
    append_int(params, "timezone.offset", (int)mv_qemu_json_get_int(tz, "offset", 0));
}

static void
add_hostname(GArray *params, JsonNode *reply)
{
    JsonObject *h = as_object(reply);

    if (h)
        append_member(params, "", "hostname", h, "host-name");
}

static void
add_filesystems(GArray *params, JsonNode *reply)
{
    JsonArray *list = as_array(reply);
    guint n = list ? json_array_get_length(list) : 0;

    mv_typed_params_append_uint(params, "fs.count", n);
    for (guint i = 0; i < n; i++) {
        JsonObject *fs = as_object(json_array_get_element(list, i));
        g_autofree char *prefix = g_strdup_printf("fs.%u.", i);
        JsonArray *disks;
        guint nd;

        if (!fs)
            continue;
        append_member(params, prefix, "name", fs, "name");
        append_member(params, prefix, "mountpoint", fs, "mountpoint");
        append_member(params, prefix, "fstype", fs, "type");
        if (json_object_has_member(fs, "total-bytes")) {
            g_autofree char *f = g_strconcat(prefix, "total-bytes", NULL);
            mv_typed_params_append_ullong(params, f, mv_qemu_json_get_int(fs, "total-bytes", 0));
        }
        if (json_object_has_member(fs, "used-bytes")) {
            g_autofree char *f = g_strconcat(prefix, "used-bytes", NULL);
            mv_typed_params_append_ullong(params, f, mv_qemu_json_get_int(fs, "used-bytes", 0));
        }
        disks = as_array(json_object_get_member(fs, "disk"));
        nd = disks ? json_array_get_length(disks) : 0;
        {
            g_autofree char *f = g_strconcat(prefix, "disk.count", NULL);
            mv_typed_params_append_uint(params, f, nd);
        }
        for (guint d = 0; d < nd; d++) {
            JsonObject *disk = as_object(json_array_get_element(disks, d));
            g_autofree char *dp = g_strdup_printf("%sdisk.%u.", prefix, d);

            if (!disk)
                continue;
            append_member(params, dp, "serial", disk, "serial");
            append_member(params, dp, "device", disk, "dev");
        }
    }
}

static void
add_disks(GArray *params, JsonNode *reply)
{
    JsonArray *list = as_array(reply);
    guint n = list ? json_array_get_length(list) : 0;

    mv_typed_params_append_uint(params, "disk.count", n);
    for (guint i = 0; i < n; i++) {
        JsonObject *disk = as_object(json_array_get_element(list, i));
        g_autofree char *prefix = g_strdup_printf("disk.%u.", i);
        g_autofree char *part = g_strconcat(prefix, "partition", NULL);
        g_autofree char *depc = g_strconcat(prefix, "dependency.count", NULL);
        JsonObject *addr;
        JsonArray *deps;
        guint ndeps;

        if (!disk)
            continue;
        append_member(params, prefix, "name", disk, "name");
        append_bool(params, part, mv_qemu_json_get_bool(disk, "partition", false));
        deps = as_array(json_object_get_member(disk, "dependencies"));
        ndeps = deps ? json_array_get_length(deps) : 0;
        mv_typed_params_append_uint(params, depc, ndeps);
        for (guint d = 0; d < ndeps; d++) {
            JsonNode *dn = json_array_get_element(deps, d);
            g_autofree char *f = g_strdup_printf("%sdependency.%u.name", prefix, d);

            if (dn && JSON_NODE_HOLDS_VALUE(dn) && json_node_get_value_type(dn) == G_TYPE_STRING)
                mv_typed_params_append_string(params, f, json_node_get_string(dn));
        }
        if ((addr = mv_qemu_json_get_object(disk, "address"))) {
            append_member(params, prefix, "serial", addr, "serial");
            append_member(params, prefix, "guest_bus", addr, "bus-type");
        }
        append_member(params, prefix, "guest_alias", disk, "alias");
    }
}

static void
add_interfaces(GArray *params, JsonNode *reply)
{
    JsonArray *list = as_array(reply);
    guint n = list ? json_array_get_length(list) : 0;

    mv_typed_params_append_uint(params, "if.count", n);
    for (guint i = 0; i < n; i++) {
        JsonObject *gif = as_object(json_array_get_element(list, i));
        g_autofree char *prefix = g_strdup_printf("if.%u.", i);
        g_autofree char *countf = g_strconcat(prefix, "addr.count", NULL);
        JsonArray *addrs;
        guint na;

        if (!gif)
            continue;
        append_member(params, prefix, "name", gif, "name");
        append_member(params, prefix, "hwaddr", gif, "hardware-address");
        addrs = as_array(json_object_get_member(gif, "ip-addresses"));
        na = addrs ? json_array_get_length(addrs) : 0;
        mv_typed_params_append_uint(params, countf, na);
        for (guint a = 0; a < na; a++) {
            JsonObject *ip = as_object(json_array_get_element(addrs, a));
            g_autofree char *ap = g_strdup_printf("%saddr.%u.", prefix, a);
            g_autofree char *pf = g_strconcat(ap, "prefix", NULL);

            if (!ip)
                continue;
            append_member(params, ap, "type", ip, "ip-address-type");
            append_member(params, ap, "addr", ip, "ip-address");
            mv_typed_params_append_uint(params, pf,
                                        (unsigned int)mv_qemu_json_get_int(ip, "prefix", 0));
        }
    }
}

static const struct {
    unsigned int type;
    const char *cmd;
    void (*add)(GArray *params, JsonNode *reply);
} groups[] = {
    { INFO_USERS, "guest-get-users", add_users },
    { INFO_OS, "guest-get-osinfo", add_os },
    { INFO_TIMEZONE, "guest-get-timezone", add_timezone },
    { INFO_HOSTNAME, "guest-get-host-name", add_hostname },
    { INFO_FILESYSTEM, "guest-get-fsinfo", add_filesystems },
    { INFO_DISKS, "guest-get-disks", add_disks },
    { INFO_INTERFACES, "guest-network-get-interfaces", add_interfaces },
};

bool
mv_qemu_handle_domain_get_guest_info(MvDriverCall *call, const MvObjectRef *dom_ref,
                                     unsigned int types, unsigned int flags,
                                     MvTypedParam **ret_params, guint *ret_n_params,
                                     GError **error)
{
    g_autoptr(GArray) params = mv_typed_params_new();
    unsigned int asked = types ? types : INFO_ALL;
    MvQemuAgentCall ac;

    g_array_set_clear_func(params, clear_param);   /* on failure; removed on success */
    if (!mv_qemu_dispatch_check_flags(flags, 0, "virDomainGetGuestInfo", error))
        return false;
    if (types & ~INFO_ALL)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                            "invalid argument: unknown guest info types 0x%x",
                            types & ~INFO_ALL);
    if (!mv_qemu_agent_call_begin(&ac, call, dom_ref, "virDomainGetGuestInfo", false, error))
        return false;
    for (size_t i = 0; i < G_N_ELEMENTS(groups); i++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(JsonNode) reply = NULL;

        if (!(asked & groups[i].type))
            continue;
        reply = mv_qemu_agent_call_run(&ac, groups[i].cmd, NULL, &err);
        if (!reply) {
            /* All groups (types 0): a group this agent lacks is left out, as libvirt
             * does; a group asked for by name, or an agent that stopped answering,
             * fails the call. */
            if (types || err->code == MV_ERR_AGENT_UNRESPONSIVE) {
                mv_qemu_agent_call_end(&ac);
                g_propagate_error(error, g_steal_pointer(&err));
                return false;
            }
            continue;
        }
        groups[i].add(params, reply);
    }
    mv_qemu_agent_call_end(&ac);
    g_array_set_clear_func(params, NULL);
    *ret_n_params = params->len;
    *ret_params = (MvTypedParam *)(void *)g_array_free(g_steal_pointer(&params), FALSE);
    return true;
}
