/* virsh send-key (issue 13 item 5): key codes of the linux, xt, atset1 or qnum
 * sets turned into QEMU's "qnum" numbers (XT set 1; an 0xe0-prefixed code has
 * bit 7 set) and sent with QMP send-key. Linux key codes 1-83 and 86-88 are
 * their XT scan codes; the table below holds the extended keys. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-dispatch.h"

#include "qemu-handlers-info.h"
#include "qemu-process.h"

enum {
    CODESET_LINUX = 0,
    CODESET_XT = 1,
    CODESET_ATSET1 = 2,
    CODESET_QNUM = 9,
};

static const struct {
    unsigned int linux_code;
    unsigned int qnum;
} extended[] = {
    { 96, 0x9c },   /* KEY_KPENTER */
    { 97, 0x9d },   /* KEY_RIGHTCTRL */
    { 98, 0xb5 },   /* KEY_KPSLASH */
    { 99, 0x54 },   /* KEY_SYSRQ */
    { 100, 0xb8 },  /* KEY_RIGHTALT */
    { 102, 0xc7 },  /* KEY_HOME */
    { 103, 0xc8 },  /* KEY_UP */
    { 104, 0xc9 },  /* KEY_PAGEUP */
    { 105, 0xcb },  /* KEY_LEFT */
    { 106, 0xcd },  /* KEY_RIGHT */
    { 107, 0xcf },  /* KEY_END */
    { 108, 0xd0 },  /* KEY_DOWN */
    { 109, 0xd1 },  /* KEY_PAGEDOWN */
    { 110, 0xd2 },  /* KEY_INSERT */
    { 111, 0xd3 },  /* KEY_DELETE */
    { 113, 0xa0 },  /* KEY_MUTE */
    { 114, 0xae },  /* KEY_VOLUMEDOWN */
    { 115, 0xb0 },  /* KEY_VOLUMEUP */
    { 116, 0xde },  /* KEY_POWER */
    { 125, 0xdb },  /* KEY_LEFTMETA */
    { 126, 0xdc },  /* KEY_RIGHTMETA */
    { 127, 0xdd },  /* KEY_COMPOSE */
};

/* @code of @codeset as a qnum; false when it has none. */
bool
mv_qemu_keycode_to_qnum(unsigned int codeset, unsigned int code, unsigned int *ret_qnum)
{
    switch (codeset) {
    case CODESET_LINUX:
        if ((code >= 1 && code <= 83) || (code >= 86 && code <= 88)) {
            *ret_qnum = code;
            return true;
        }
        for (gsize i = 0; i < G_N_ELEMENTS(extended); i++) {
            if (extended[i].linux_code == code) {
                *ret_qnum = extended[i].qnum;
                return true;
            }
        }
        return false;
    case CODESET_XT:
        if (code < 1 || code > 0x7f)
            return false;
        *ret_qnum = code;
        return true;
    case CODESET_ATSET1:
        if (code >= 1 && code <= 0x7f) {
            *ret_qnum = code;
            return true;
        }
        if ((code & 0xff00) == 0xe000 && (code & 0xff) >= 1 && (code & 0xff) <= 0x7f) {
            *ret_qnum = 0x80 | (code & 0x7f);
            return true;
        }
        return false;
    case CODESET_QNUM:
        if (code < 1 || code > 0xff)
            return false;
        *ret_qnum = code;
        return true;
    default:
        return false;
    }
}

bool
mv_qemu_handle_domain_send_key(MvDriverCall *call, const MvObjectRef *dom_ref,
                               unsigned int codeset, unsigned int holdtime,
                               const unsigned int *keycodes, guint n_keycodes,
                               unsigned int flags, GError **error)
{
    g_autoptr(MvQemuDomain) dom = NULL;
    MvQemuMonitor *mon = NULL;
    JsonArray *keys;
    JsonObject *args;
    JsonNode *reply;
    bool active;

    if (!mv_qemu_dispatch_check_flags(flags, 0, "virDomainSendKey", error))
        return false;
    if (codeset != CODESET_LINUX && codeset != CODESET_XT && codeset != CODESET_ATSET1 &&
        codeset != CODESET_QNUM)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_UNSUPPORTED,
                            "key code set %u is not supported: use linux, xt, atset1 or "
                            "qnum", codeset);
    if (n_keycodes == 0)
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                            "invalid argument: send-key needs at least one key");
    keys = json_array_new();
    for (guint i = 0; i < n_keycodes; i++) {
        unsigned int qnum;
        JsonObject *k;

        if (!mv_qemu_keycode_to_qnum(codeset, keycodes[i], &qnum)) {
            json_array_unref(keys);
            return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INVALID_ARG,
                                "invalid argument: cannot translate key code %u of code "
                                "set %u", keycodes[i], codeset);
        }
        k = json_object_new();
        json_object_set_string_member(k, "type", "number");
        json_object_set_int_member(k, "data", qnum);
        json_array_add_object_element(keys, k);
    }
    if (!(dom = mv_qemu_dispatch_get_domain(call, dom_ref, error)) ||
        !mv_qemu_dispatch_begin_job(dom, "virDomainSendKey", error)) {
        json_array_unref(keys);
        return false;
    }
    g_mutex_lock(&dom->lock);
    active = mv_qemu_domain_is_active(dom) && dom->monitor;
    mon = dom->monitor;
    g_mutex_unlock(&dom->lock);
    if (!active) {
        json_array_unref(keys);
        mv_qemu_process_end_job(mv_qemu_driver_get(call), dom);
        return mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: domain is not running");
    }
    args = json_object_new();
    json_object_set_array_member(args, "keys", keys);
    if (holdtime > 0)
        json_object_set_int_member(args, "hold-time", holdtime);
    reply = mv_qemu_monitor_command(mon, "send-key", args, 10000, error);
    mv_qemu_process_end_job(mv_qemu_driver_get(call), dom);
    if (!reply)
        return false;
    json_node_free(reply);
    return true;
}
