/* Node devices from sysfs: one pass over bus/pci, bus/usb, class/net and
 * class/block, then each device's parent found by walking up its real
 * /sys/devices path to the nearest directory another device owns. */
#include "conf/nodedev.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "util/error.h"

typedef struct {
    const char *sysfs;
    const char *pci_ids; /* the whole pci.ids, or NULL */
    const char *usb_ids;
    GPtrArray *devs;
} Scan;

char *
mv_nodedev_name_part(const char *text)
{
    char *out = g_strdup(text);

    for (char *p = out; *p; p++) {
        if (!g_ascii_isalnum(*p))
            *p = '_';
    }
    return out;
}

/* The first line of DIR/FILE without trailing white space, or NULL. */
static char *
read_attr(const char *dir, const char *file)
{
    g_autofree char *path = g_build_filename(dir, file, NULL);
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return NULL;
    g_strchomp(text);
    if (strchr(text, '\n'))
        *strchr(text, '\n') = '\0';
    return text;
}

static bool
read_uint(const char *dir, const char *file, int base, guint64 *ret)
{
    g_autofree char *text = read_attr(dir, file);
    char *end = NULL;
    guint64 v;

    if (!text || !*text)
        return false;
    errno = 0;
    v = g_ascii_strtoull(text, &end, base);
    if (errno || *end)
        return false;
    *ret = v;
    return true;
}

static guint
read_hex(const char *dir, const char *file)
{
    guint64 v = 0;

    return read_uint(dir, file, 16, &v) ? (guint)v : 0;
}

static guint
read_dec(const char *dir, const char *file)
{
    guint64 v = 0;

    return read_uint(dir, file, 10, &v) ? (guint)v : 0;
}

/* The last component of the symlink DIR/LINK's target, or NULL. */
static char *
link_base(const char *dir, const char *link)
{
    g_autofree char *path = g_build_filename(dir, link, NULL);
    g_autofree char *target = g_file_read_link(path, NULL);

    return target ? g_path_get_basename(target) : NULL;
}

static bool
exists(const char *dir, const char *file)
{
    g_autofree char *path = g_build_filename(dir, file, NULL);

    return g_file_test(path, G_FILE_TEST_EXISTS);
}

/* Names from a pci.ids / usb.ids text: the vendor line "vvvv  Name" at the
 * start of a line, then its device lines "\tdddd  Name" up to the next
 * vendor. */
static void
ids_lookup(const char *ids, guint vendor, guint product, char **ret_vendor,
           char **ret_product)
{
    char key[16];
    const char *v, *p;

    if (!ids)
        return;
    g_snprintf(key, sizeof(key), "\n%04x  ", vendor);
    if (g_str_has_prefix(ids, key + 1))
        v = ids + strlen(key + 1);
    else if ((v = strstr(ids, key)))
        v += strlen(key);
    else
        return;
    *ret_vendor = g_strndup(v, strcspn(v, "\n"));
    g_snprintf(key, sizeof(key), "\n\t%04x  ", product);
    for (p = strchr(v, '\n'); p && (p[1] == '\t' || p[1] == '#'); p = strchr(p + 1, '\n')) {
        if (g_str_has_prefix(p, key)) {
            p += strlen(key);
            *ret_product = g_strndup(p, strcspn(p, "\n"));
            return;
        }
    }
}

static MvNodeDevice *
device_new(Scan *scan, const char *dir, MvNodeDevCap cap, char *name)
{
    MvNodeDevice *dev = g_new0(MvNodeDevice, 1);
    char real[PATH_MAX];

    dev->name = name;
    dev->cap = cap;
    dev->path = realpath(dir, real) ? g_strdup(real) : g_strdup(dir);
    dev->driver = link_base(dir, "driver");
    g_ptr_array_add(scan->devs, dev);
    return dev;
}

static void
scan_system(Scan *scan)
{
    MvNodeDevice *dev = g_new0(MvNodeDevice, 1);
    g_autofree char *dmi = g_build_filename(scan->sysfs, "class", "dmi", "id", NULL);

    dev->name = g_strdup("computer");
    dev->cap = MV_NODEDEV_CAP_SYSTEM;
    dev->sys.product = read_attr(dmi, "product_name");
    dev->sys.vendor = read_attr(dmi, "sys_vendor");
    dev->sys.version = read_attr(dmi, "product_version");
    dev->sys.serial = read_attr(dmi, "product_serial");
    dev->sys.uuid = read_attr(dmi, "product_uuid");
    dev->sys.fw_vendor = read_attr(dmi, "bios_vendor");
    dev->sys.fw_version = read_attr(dmi, "bios_version");
    dev->sys.fw_date = read_attr(dmi, "bios_date");
    g_ptr_array_add(scan->devs, dev);
}

static bool
pci_address(const char *text, guint *d, guint *b, guint *s, guint *f)
{
    char tail;

    return sscanf(text, "%x:%x:%x.%x%c", d, b, s, f, &tail) == 4;
}

static void
pci_iommu(Scan *scan, MvNodeDevice *dev, const char *dir)
{
    g_autofree char *group = link_base(dir, "iommu_group");
    g_autofree char *members = NULL;
    g_autoptr(GDir) d = NULL;
    const char *entry;
    guint64 number;

    dev->pci.iommu_group = -1;
    if (!group || !g_ascii_string_to_unsigned(group, 10, 0, G_MAXINT, &number, NULL))
        return;
    dev->pci.iommu_group = (int)number;
    dev->pci.iommu_members = g_array_new(FALSE, FALSE, sizeof(guint));
    members = g_build_filename(scan->sysfs, "kernel", "iommu_groups", group, "devices", NULL);
    d = g_dir_open(members, 0, NULL);
    while (d && (entry = g_dir_read_name(d))) {
        guint a, b, s, f, packed;

        if (!pci_address(entry, &a, &b, &s, &f))
            continue;
        packed = a << 16 | b << 8 | s << 3 | f;
        g_array_append_val(dev->pci.iommu_members, packed);
    }
}

static void
scan_pci_one(Scan *scan, const char *dir, const char *sysname)
{
    guint d, b, s, f;
    MvNodeDevice *dev;
    guint64 numa;
    g_autofree char *numa_text = NULL;

    if (!pci_address(sysname, &d, &b, &s, &f))
        return;
    dev = device_new(scan, dir, MV_NODEDEV_CAP_PCI,
                     g_strdup_printf("pci_%04x_%02x_%02x_%x", d, b, s, f));
    dev->pci.domain = d;
    dev->pci.bus = b;
    dev->pci.slot = s;
    dev->pci.function = f;
    dev->pci.klass = read_hex(dir, "class");
    dev->pci.vendor_id = read_hex(dir, "vendor");
    dev->pci.product_id = read_hex(dir, "device");
    ids_lookup(scan->pci_ids, dev->pci.vendor_id, dev->pci.product_id, &dev->pci.vendor,
               &dev->pci.product);
    pci_iommu(scan, dev, dir);
    dev->pci.numa_node = -1;
    numa_text = read_attr(dir, "numa_node");
    if (numa_text && g_ascii_string_to_unsigned(numa_text, 10, 0, G_MAXINT, &numa, NULL))
        dev->pci.numa_node = (int)numa;
}

static void
scan_usb_one(Scan *scan, const char *dir, const char *sysname)
{
    g_autofree char *part = mv_nodedev_name_part(sysname);
    MvNodeDevice *dev;

    if (exists(dir, "devnum")) {
        dev = device_new(scan, dir, MV_NODEDEV_CAP_USB_DEV, g_strdup_printf("usb_%s", part));
        dev->usb.bus = read_dec(dir, "busnum");
        dev->usb.device = read_dec(dir, "devnum");
        dev->usb.vendor_id = read_hex(dir, "idVendor");
        dev->usb.product_id = read_hex(dir, "idProduct");
        ids_lookup(scan->usb_ids, dev->usb.vendor_id, dev->usb.product_id, &dev->usb.vendor,
                   &dev->usb.product);
        if (!dev->usb.vendor)
            dev->usb.vendor = read_attr(dir, "manufacturer");
        if (!dev->usb.product)
            dev->usb.product = read_attr(dir, "product");
    } else if (exists(dir, "bInterfaceNumber")) {
        dev = device_new(scan, dir, MV_NODEDEV_CAP_USB_INTERFACE,
                         g_strdup_printf("usb_%s", part));
        dev->usbif.number = read_hex(dir, "bInterfaceNumber");
        dev->usbif.klass = read_hex(dir, "bInterfaceClass");
        dev->usbif.subclass = read_hex(dir, "bInterfaceSubClass");
        dev->usbif.protocol = read_hex(dir, "bInterfaceProtocol");
    }
}

static void
scan_net_one(Scan *scan, const char *dir, const char *sysname)
{
    g_autofree char *mac = read_attr(dir, "address");
    g_autofree char *ifpart = mv_nodedev_name_part(sysname);
    g_autofree char *macpart = mv_nodedev_name_part(mac ? mac : "");
    g_autofree char *speed = NULL;
    MvNodeDevice *dev;
    gint64 mbps;

    dev = device_new(scan, dir, MV_NODEDEV_CAP_NET,
                     *macpart ? g_strdup_printf("net_%s_%s", ifpart, macpart)
                              : g_strdup_printf("net_%s", ifpart));
    dev->net.ifname = g_strdup(sysname);
    dev->net.mac = g_steal_pointer(&mac);
    dev->net.state = read_attr(dir, "operstate");
    dev->net.speed = -1;
    speed = read_attr(dir, "speed");       /* EINVAL while down or virtual */
    if (speed && g_ascii_string_to_signed(speed, 10, 1, G_MAXINT, &mbps, NULL))
        dev->net.speed = (int)mbps;
    dev->net.wireless = exists(dir, "wireless") || exists(dir, "phy80211");
    dev->net.ethernet = !dev->net.wireless && read_dec(dir, "type") == 1;   /* ARPHRD_ETHER */
}

static void
scan_block_one(Scan *scan, const char *dir, const char *sysname)
{
    g_autofree char *device = g_build_filename(dir, "device", NULL);
    g_autofree char *serial = NULL;
    MvNodeDevice *dev;
    guint64 sectors = 0, lbs = 512;

    /* Partitions, and loop/dm/zram devices (no "device" link) are no node
     * devices of their own. */
    if (exists(dir, "partition") || !g_file_test(device, G_FILE_TEST_IS_DIR))
        return;
    serial = read_attr(device, "serial");
    if (serial && !*serial)
        g_clear_pointer(&serial, g_free);
    if (serial) {
        g_autofree char *a = mv_nodedev_name_part(sysname);
        g_autofree char *b = mv_nodedev_name_part(serial);

        dev = device_new(scan, dir, MV_NODEDEV_CAP_STORAGE, g_strdup_printf("block_%s_%s", a, b));
    } else {
        g_autofree char *a = mv_nodedev_name_part(sysname);

        dev = device_new(scan, dir, MV_NODEDEV_CAP_STORAGE, g_strdup_printf("block_%s", a));
    }
    dev->devnode = g_strdup_printf("/dev/%s", sysname);
    dev->storage.serial = g_steal_pointer(&serial);
    dev->storage.model = read_attr(device, "model");
    dev->storage.vendor = read_attr(device, "vendor");
    if (g_str_has_prefix(sysname, "sr"))
        dev->storage.drive_type = g_strdup("cdrom");
    else if (g_str_has_prefix(sysname, "fd"))
        dev->storage.drive_type = g_strdup("floppy");
    else
        dev->storage.drive_type = g_strdup("disk");
    dev->storage.removable = read_dec(dir, "removable") == 1;
    read_uint(dir, "size", 10, &sectors);
    if (!read_uint(dir, "queue/logical_block_size", 10, &lbs) || lbs == 0)
        lbs = 512;
    dev->storage.size = sectors * 512;
    dev->storage.block_size = lbs;
}

/* pci.ids / usb.ids (1-2 MB each) are read once per file version: by path,
 * size and mtime; a changed file is read again. */
typedef struct {
    char *path;
    gint64 mtime;
    goffset size;
    GBytes *text;
} IdsCache;

static GMutex ids_lock;
static IdsCache ids_cache[2];

static GBytes *
ids_load(const char *dir, const char *name, guint slot)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    IdsCache *c = &ids_cache[slot];
    GBytes *out = NULL;
    char *text = NULL;
    gsize len = 0;
    GStatBuf st;

    if (g_stat(path, &st) != 0)
        return NULL;
    g_mutex_lock(&ids_lock);
    if (c->text && g_strcmp0(c->path, path) == 0 && c->size == (goffset)st.st_size &&
        c->mtime == (gint64)st.st_mtime) {
        out = g_bytes_ref(c->text);
    } else if (g_file_get_contents(path, &text, &len, NULL)) {
        g_clear_pointer(&c->text, g_bytes_unref);
        g_free(c->path);
        c->path = g_strdup(path);
        c->size = (goffset)st.st_size;
        c->mtime = (gint64)st.st_mtime;
        c->text = g_bytes_new_take(text, len + 1);      /* with its NUL */
        out = g_bytes_ref(c->text);
    }
    g_mutex_unlock(&ids_lock);
    return out;
}

typedef void (*ScanOne)(Scan *scan, const char *dir, const char *sysname);

static bool
scan_dir(Scan *scan, const char *sub, ScanOne one, GError **error)
{
    g_autofree char *top = g_build_filename(scan->sysfs, sub, NULL);
    g_autoptr(GError) local = NULL;
    g_autoptr(GDir) d = g_dir_open(top, 0, &local);
    const char *entry;

    if (!d) {
        if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return true;    /* no USB bus on this host, say */
        return mv_error_set(error, MV_FROM_NODEDEV, MV_ERR_INTERNAL_ERROR,
                            "cannot read the host's devices in %s: %s", top, local->message);
    }
    while ((entry = g_dir_read_name(d))) {
        g_autofree char *dir = g_build_filename(top, entry, NULL);

        one(scan, dir, entry);
    }
    return true;
}

/* Each device's parent: the nearest ancestor directory of its real path that
 * is another device's, else the computer. */
static void
link_parents(Scan *scan)
{
    g_autoptr(GHashTable) by_path = g_hash_table_new(g_str_hash, g_str_equal);

    for (guint i = 0; i < scan->devs->len; i++) {
        MvNodeDevice *dev = scan->devs->pdata[i];

        if (dev->path)
            g_hash_table_insert(by_path, dev->path, dev);
    }
    for (guint i = 0; i < scan->devs->len; i++) {
        MvNodeDevice *dev = scan->devs->pdata[i];
        g_autofree char *up = NULL;

        if (dev->cap == MV_NODEDEV_CAP_SYSTEM)
            continue;
        up = g_path_get_dirname(dev->path);
        while (strlen(up) > 1) {
            MvNodeDevice *owner = g_hash_table_lookup(by_path, up);
            char *next;

            if (owner && owner != dev) {
                dev->parent = g_strdup(owner->name);
                break;
            }
            next = g_path_get_dirname(up);
            g_free(up);
            up = next;
        }
        if (!dev->parent)
            dev->parent = g_strdup("computer");
    }
}

static int
by_name(gconstpointer a, gconstpointer b)
{
    const MvNodeDevice *x = *(MvNodeDevice *const *)a, *y = *(MvNodeDevice *const *)b;

    if (x->cap == MV_NODEDEV_CAP_SYSTEM || y->cap == MV_NODEDEV_CAP_SYSTEM)
        return (y->cap == MV_NODEDEV_CAP_SYSTEM) - (x->cap == MV_NODEDEV_CAP_SYSTEM);
    return strcmp(x->name, y->name);
}

GPtrArray *
mv_nodedev_scan(const char *sysfs, const char *ids_dir, GError **error)
{
    Scan scan = { .sysfs = sysfs ? sysfs : "/sys" };
    g_autoptr(GPtrArray) devs = g_ptr_array_new_with_free_func((GDestroyNotify)mv_nodedev_free);
    g_autoptr(GBytes) pci_ids = ids_dir ? ids_load(ids_dir, "pci.ids", 0) : NULL;
    g_autoptr(GBytes) usb_ids = ids_dir ? ids_load(ids_dir, "usb.ids", 1) : NULL;

    scan.devs = devs;
    scan.pci_ids = pci_ids ? g_bytes_get_data(pci_ids, NULL) : NULL;
    scan.usb_ids = usb_ids ? g_bytes_get_data(usb_ids, NULL) : NULL;
    scan_system(&scan);
    if (!scan_dir(&scan, "bus/pci/devices", scan_pci_one, error) ||
        !scan_dir(&scan, "bus/usb/devices", scan_usb_one, error) ||
        !scan_dir(&scan, "class/net", scan_net_one, error) ||
        !scan_dir(&scan, "class/block", scan_block_one, error))
        return NULL;
    link_parents(&scan);
    g_ptr_array_sort(devs, by_name);
    return g_steal_pointer(&devs);
}

const MvNodeDevice *
mv_nodedev_find(GPtrArray *devs, const char *name)
{
    for (guint i = 0; name && i < devs->len; i++) {
        const MvNodeDevice *dev = devs->pdata[i];

        if (strcmp(dev->name, name) == 0)
            return dev;
    }
    return NULL;
}
