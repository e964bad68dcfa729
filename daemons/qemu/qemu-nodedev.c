/* Read-only node devices (issue 13 item 5), answered by qemud until a host
 * daemon exists: the registry gives qemu the `nodedev` route. Every call
 * scans sysfs afresh (common/conf/nodedev-scan.c): a device that appeared or
 * vanished since the last call is seen at once, nothing is cached. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-dispatch.h"

#include <string.h>

#include "conf/nodedev.h"
#include "qemu-nodedev.h"

#define NODEDEV_SYSFS "/sys"
#define NODEDEV_IDS_DIR "/usr/share/misc"     /* pci.ids, usb.ids (package pci.ids, usb.ids) */
#define NODEDEV_NAMES_MAX 65536              /* MV_REMOTE_NODE_DEVICE_LIST_MAX */
#define NODEDEV_CAP_BITS ((1u << MV_NODEDEV_CAP_LAST) - 1)

static GPtrArray *
scan(GError **error)
{
    return mv_nodedev_scan(NODEDEV_SYSFS, NODEDEV_IDS_DIR, error);
}

static const MvNodeDevice *
find(GPtrArray *devs, const char *name, GError **error)
{
    const MvNodeDevice *dev = mv_nodedev_find(devs, name);

    if (!dev)
        mv_error_set(error, MV_FROM_NODEDEV, MV_ERR_NO_NODE_DEVICE,
                     "Node device not found: no node device with matching name '%s'", name);
    return dev;
}

/* A device has the capability the legacy calls name: its own one. */
static bool
cap_from_text(const char *cap, const char *api, int *ret_cap, GError **error)
{
    MvNodeDevCap c;

    if (!cap) {
        *ret_cap = -1;
        return true;
    }
    if (!mv_nodedev_cap_from_name(cap, &c))
        return mv_error_set(error, MV_FROM_NODEDEV, MV_ERR_INVALID_ARG,
                            "%s: unknown node device capability '%s'", api, cap);
    *ret_cap = (int)c;
    return true;
}

static GPtrArray *
scan_matching(const char *cap, unsigned int flags, const char *api, GError **error)
{
    g_autoptr(GPtrArray) devs = NULL;
    g_autoptr(GPtrArray) out = NULL;
    int want = -1;

    if (!mv_qemu_dispatch_check_flags(flags, 0, api, error) ||
        !cap_from_text(cap, api, &want, error) || !(devs = scan(error)))
        return NULL;
    out = g_ptr_array_new();
    for (guint i = 0; i < devs->len; i++) {
        MvNodeDevice *dev = devs->pdata[i];

        if (want < 0 || (int)dev->cap == want)
            g_ptr_array_add(out, g_strdup(dev->name));
    }
    return g_steal_pointer(&out);
}

bool
mv_qemu_handle_node_num_of_devices(MvDriverCall *call, const char *cap, unsigned int flags,
                                   int *ret_num, GError **error)
{
    g_autoptr(GPtrArray) names = scan_matching(cap, flags, "virNodeNumOfDevices", error);

    (void)call;
    if (!names)
        return false;
    g_ptr_array_set_free_func(names, g_free);
    *ret_num = (int)names->len;
    return true;
}

bool
mv_qemu_handle_node_list_devices(MvDriverCall *call, const char *cap, int maxnames,
                                 unsigned int flags, char ***ret_names, guint *ret_n_names,
                                 GError **error)
{
    g_autoptr(GPtrArray) names = NULL;

    (void)call;
    if (!mv_driver_list_check_max(maxnames, NODEDEV_NAMES_MAX, error) ||
        !(names = scan_matching(cap, flags, "virNodeListDevices", error)))
        return false;
    g_ptr_array_set_free_func(names, g_free);
    while (names->len > (guint)maxnames)
        g_ptr_array_remove_index(names, names->len - 1);
    *ret_n_names = names->len;
    g_ptr_array_set_free_func(names, NULL);
    *ret_names = (char **)g_ptr_array_free(g_steal_pointer(&names), FALSE);
    return true;
}

bool
mv_qemu_handle_connect_list_all_node_devices(MvDriverCall *call, int need_results,
                                             unsigned int flags, MvObjectRef **ret_devices,
                                             guint *ret_n_devices, guint *ret_ret,
                                             GError **error)
{
    unsigned int caps = flags & NODEDEV_CAP_BITS;
    g_autoptr(GPtrArray) devs = NULL;
    g_autoptr(GArray) refs = g_array_new(FALSE, TRUE, sizeof(MvObjectRef));

    (void)call;
    if (!mv_qemu_dispatch_check_flags(flags, NODEDEV_CAP_BITS | MV_NODEDEV_LIST_ACTIVE |
                                             MV_NODEDEV_LIST_INACTIVE,
                                      "virConnectListAllNodeDevices", error))
        return false;
    if (!(devs = scan(error)))
        return false;
    for (guint i = 0; i < devs->len; i++) {
        const MvNodeDevice *dev = devs->pdata[i];
        MvObjectRef ref = { 0 };

        /* Every device here exists, so is active: INACTIVE alone matches none. */
        if ((flags & MV_NODEDEV_LIST_INACTIVE) && !(flags & MV_NODEDEV_LIST_ACTIVE))
            continue;
        if (caps && !(caps & (1u << dev->cap)))
            continue;
        if (need_results) {
            ref.name = g_strdup(dev->name);
            g_array_append_val(refs, ref);
        }
        (*ret_ret)++;
    }
    if (need_results) {
        *ret_n_devices = refs->len;
        *ret_devices = (MvObjectRef *)g_array_free(g_steal_pointer(&refs), FALSE);
    }
    return true;
}

bool
mv_qemu_handle_node_device_lookup_by_name(MvDriverCall *call, const char *name,
                                          MvObjectRef *ret_dev, GError **error)
{
    g_autoptr(GPtrArray) devs = scan(error);
    const MvNodeDevice *dev;

    (void)call;
    if (!devs || !(dev = find(devs, name, error)))
        return false;
    ret_dev->name = g_strdup(dev->name);
    return true;
}

bool
mv_qemu_handle_node_device_get_xml_desc(MvDriverCall *call, const char *name,
                                        unsigned int flags, char **ret_xml, GError **error)
{
    g_autoptr(GPtrArray) devs = NULL;
    const MvNodeDevice *dev;

    (void)call;
    /* 1 = VIR_NODE_DEVICE_XML_INACTIVE: the same document, nothing is defined. */
    if (!mv_qemu_dispatch_check_flags(flags, 1, "virNodeDeviceGetXMLDesc", error) ||
        !(devs = scan(error)) || !(dev = find(devs, name, error)))
        return false;
    *ret_xml = mv_nodedev_format(dev);
    return true;
}

bool
mv_qemu_handle_node_device_get_parent(MvDriverCall *call, const char *name,
                                      char **ret_parent_name, GError **error)
{
    g_autoptr(GPtrArray) devs = scan(error);
    const MvNodeDevice *dev;

    (void)call;
    if (!devs || !(dev = find(devs, name, error)))
        return false;
    /* The computer has none: NULL on the wire, as libvirtd answers. */
    *ret_parent_name = g_strdup(dev->parent);
    return true;
}

bool
mv_qemu_handle_node_device_num_of_caps(MvDriverCall *call, const char *name, int *ret_num,
                                       GError **error)
{
    g_autoptr(GPtrArray) devs = scan(error);

    (void)call;
    if (!devs || !find(devs, name, error))
        return false;
    *ret_num = 1;
    return true;
}

bool
mv_qemu_handle_node_device_list_caps(MvDriverCall *call, const char *name, int maxnames,
                                     char ***ret_names, guint *ret_n_names, GError **error)
{
    g_autoptr(GPtrArray) devs = NULL;
    const MvNodeDevice *dev;

    (void)call;
    if (!mv_driver_list_check_max(maxnames, NODEDEV_NAMES_MAX, error) ||
        !(devs = scan(error)) || !(dev = find(devs, name, error)))
        return false;
    if (maxnames < 1) {
        *ret_n_names = 0;
        return true;
    }
    *ret_names = g_new0(char *, 1);
    (*ret_names)[0] = g_strdup(mv_nodedev_cap_name(dev->cap));
    *ret_n_names = 1;
    return true;
}

/* A host device is always there and never defined by the user: active, not
 * persistent, no autostart (what libvirt says of udev-found devices). */
static bool
exists_check(const char *name, GError **error)
{
    g_autoptr(GPtrArray) devs = scan(error);

    return devs && find(devs, name, error);
}

bool
mv_qemu_handle_node_device_get_autostart(MvDriverCall *call, const char *name,
                                         int *ret_autostart, GError **error)
{
    (void)call;
    *ret_autostart = 0;
    return exists_check(name, error);
}

bool
mv_qemu_handle_node_device_is_persistent(MvDriverCall *call, const char *name,
                                         int *ret_persistent, GError **error)
{
    (void)call;
    *ret_persistent = 0;
    return exists_check(name, error);
}

bool
mv_qemu_handle_node_device_is_active(MvDriverCall *call, const char *name, int *ret_active,
                                     GError **error)
{
    (void)call;
    *ret_active = 1;
    return exists_check(name, error);
}
