/* Host devices as libvirt's node devices, read only: the computer, PCI
 * devices, USB devices and interfaces, network interfaces and block storage,
 * read from sysfs on every scan (no udev database, no cache).
 *
 * Names follow libvirt's: "computer", "pci_DDDD_BB_SS_F", "usb_" + the sysfs
 * name ("usb_usb1", "usb_1_1", "usb_1_1_1_0"), "net_IFNAME_MAC", "block_NAME"
 * (+ "_SERIAL" when the disk has one), every character that is not a letter
 * or digit written as '_'. The XML is validated by schemas/nodedev.rng. */
#pragma once

#include <glib.h>
#include <stdbool.h>

G_BEGIN_DECLS

/* Capabilities; the value is the bit of virConnectListAllNodeDevices' flags. */
typedef enum {
    MV_NODEDEV_CAP_SYSTEM = 0,
    MV_NODEDEV_CAP_PCI = 1,
    MV_NODEDEV_CAP_USB_DEV = 2,
    MV_NODEDEV_CAP_USB_INTERFACE = 3,
    MV_NODEDEV_CAP_NET = 4,
    MV_NODEDEV_CAP_STORAGE = 8,
    MV_NODEDEV_CAP_LAST = 22,   /* the bits libvirt 9.0 defines: 0..21 */
} MvNodeDevCap;

/* The list flags besides the capability bits. */
#define MV_NODEDEV_LIST_INACTIVE (1u << 30)
#define MV_NODEDEV_LIST_ACTIVE (1u << 31)

typedef struct {
    char *name;
    char *path;          /* the sysfs directory; NULL for the computer */
    char *parent;        /* NULL for the computer */
    char *driver;        /* bound kernel driver, or NULL */
    char *devnode;       /* /dev node (storage), or NULL */
    MvNodeDevCap cap;
    union {
        struct {
            char *product, *vendor, *version, *serial, *uuid;
            char *fw_vendor, *fw_version, *fw_date;
        } sys;
        struct {
            guint domain, bus, slot, function, klass;
            guint vendor_id, product_id;
            char *vendor, *product;     /* from pci.ids, or NULL */
            int iommu_group;            /* -1: none */
            GArray *iommu_members;      /* guint addresses: domain<<16|bus<<8|slot<<3|fn */
            int numa_node;              /* -1: none */
        } pci;
        struct {
            guint bus, device, vendor_id, product_id;
            char *vendor, *product;
        } usb;
        struct {
            guint number, klass, subclass, protocol;
        } usbif;
        struct {
            char *ifname, *mac, *state;
            int speed;                  /* Mb/s; -1 unknown */
            bool ethernet, wireless;
        } net;
        struct {
            char *drive_type, *model, *vendor, *serial;
            guint64 size, block_size;
            bool removable;
        } storage;
    };
} MvNodeDevice;

void mv_nodedev_free(MvNodeDevice *dev);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvNodeDevice, mv_nodedev_free)

/**
 * mv_nodedev_cap_name:
 * libvirt's name of @cap ("system", "pci", "usb_device", "usb", "net",
 * "storage", and the names of the capabilities never found here, e.g.
 * "scsi_host"), or NULL when @cap is not one.
 */
const char *mv_nodedev_cap_name(MvNodeDevCap cap);

/**
 * mv_nodedev_cap_from_name:
 * The capability called @name; false when there is none.
 */
bool mv_nodedev_cap_from_name(const char *name, MvNodeDevCap *ret_cap);

/**
 * mv_nodedev_scan:
 * Every device under @sysfs ("/sys"; tests pass a fixture tree), the
 * computer first, then sorted by name. Product and vendor names come from
 * @ids_dir/pci.ids and usb.ids when given and present. A GPtrArray of
 * MvNodeDevice (freed with the array).
 */
GPtrArray *mv_nodedev_scan(const char *sysfs, const char *ids_dir, GError **error);

/**
 * mv_nodedev_find:
 * The device called @name in @devs, or NULL.
 */
const MvNodeDevice *mv_nodedev_find(GPtrArray *devs, const char *name);

/**
 * mv_nodedev_format:
 * The device's XML (libvirt's node device format). Caller g_free()s.
 */
char *mv_nodedev_format(const MvNodeDevice *dev);

/* Names a sysfs-derived string the way node device names are made: every
 * character other than [A-Za-z0-9] becomes '_' (nodedev-scan.c). */
char *mv_nodedev_name_part(const char *text);

G_END_DECLS
