/* Node device XML (libvirt's format; schemas/nodedev.rng), capability names,
 * and freeing a device. */
#include "conf/nodedev.h"

#include <stdarg.h>
#include <string.h>

/* libvirt's capability names by list-flag bit (virNodeDevCapType order). */
static const char *const cap_names[MV_NODEDEV_CAP_LAST] = {
    "system", "pci", "usb_device", "usb", "net", "scsi_host", "scsi_target", "scsi",
    "storage", "fc_host", "vports", "scsi_generic", "drm", "mdev_types", "mdev", "ccw",
    "css", "vdpa", "ap_card", "ap_queue", "ap_matrix", "vpd",
};

const char *
mv_nodedev_cap_name(MvNodeDevCap cap)
{
    return (int)cap >= 0 && cap < MV_NODEDEV_CAP_LAST ? cap_names[cap] : NULL;
}

bool
mv_nodedev_cap_from_name(const char *name, MvNodeDevCap *ret_cap)
{
    for (int i = 0; name && i < MV_NODEDEV_CAP_LAST; i++) {
        if (strcmp(cap_names[i], name) == 0) {
            *ret_cap = (MvNodeDevCap)i;
            return true;
        }
    }
    return false;
}

void
mv_nodedev_free(MvNodeDevice *dev)
{
    if (!dev)
        return;
    switch (dev->cap) {
    case MV_NODEDEV_CAP_SYSTEM:
        g_free(dev->sys.product);
        g_free(dev->sys.vendor);
        g_free(dev->sys.version);
        g_free(dev->sys.serial);
        g_free(dev->sys.uuid);
        g_free(dev->sys.fw_vendor);
        g_free(dev->sys.fw_version);
        g_free(dev->sys.fw_date);
        break;
    case MV_NODEDEV_CAP_PCI:
        g_free(dev->pci.vendor);
        g_free(dev->pci.product);
        if (dev->pci.iommu_members)
            g_array_unref(dev->pci.iommu_members);
        break;
    case MV_NODEDEV_CAP_USB_DEV:
        g_free(dev->usb.vendor);
        g_free(dev->usb.product);
        break;
    case MV_NODEDEV_CAP_NET:
        g_free(dev->net.ifname);
        g_free(dev->net.mac);
        g_free(dev->net.state);
        break;
    case MV_NODEDEV_CAP_STORAGE:
        g_free(dev->storage.drive_type);
        g_free(dev->storage.model);
        g_free(dev->storage.vendor);
        g_free(dev->storage.serial);
        break;
    default:
        break;
    }
    g_free(dev->name);
    g_free(dev->path);
    g_free(dev->parent);
    g_free(dev->driver);
    g_free(dev->devnode);
    g_free(dev);
}

G_GNUC_PRINTF(3, 4) static void
line(GString *out, int indent, const char *fmt, ...)
{
    va_list ap;

    for (int i = 0; i < indent; i++)
        g_string_append(out, "  ");
    va_start(ap, fmt);
    g_string_append_vprintf(out, fmt, ap);
    va_end(ap);
    g_string_append_c(out, '\n');
}

/* <tag>escaped text</tag>, nothing when @text is NULL. */
static void
text_element(GString *out, int indent, const char *tag, const char *text)
{
    g_autofree char *esc = NULL;

    if (!text)
        return;
    esc = g_markup_escape_text(text, -1);
    line(out, indent, "<%s>%s</%s>", tag, esc, tag);
}

/* <tag id='0xNNNN'>name</tag>, or an empty element without a name. */
static void
id_element(GString *out, const char *tag, guint id, const char *name)
{
    g_autofree char *esc = name ? g_markup_escape_text(name, -1) : NULL;

    if (esc)
        line(out, 2, "<%s id='0x%04x'>%s</%s>", tag, id, esc, tag);
    else
        line(out, 2, "<%s id='0x%04x'/>", tag, id);
}

static void
format_system(GString *out, const MvNodeDevice *dev)
{
    text_element(out, 2, "product", dev->sys.product);
    if (dev->sys.vendor || dev->sys.version || dev->sys.serial || dev->sys.uuid) {
        line(out, 2, "<hardware>");
        text_element(out, 3, "vendor", dev->sys.vendor);
        text_element(out, 3, "version", dev->sys.version);
        text_element(out, 3, "serial", dev->sys.serial);
        text_element(out, 3, "uuid", dev->sys.uuid);
        line(out, 2, "</hardware>");
    }
    if (dev->sys.fw_vendor || dev->sys.fw_version || dev->sys.fw_date) {
        line(out, 2, "<firmware>");
        text_element(out, 3, "vendor", dev->sys.fw_vendor);
        text_element(out, 3, "version", dev->sys.fw_version);
        text_element(out, 3, "release_date", dev->sys.fw_date);
        line(out, 2, "</firmware>");
    }
}

static void
format_pci(GString *out, const MvNodeDevice *dev)
{
    line(out, 2, "<class>0x%06x</class>", dev->pci.klass);
    line(out, 2, "<domain>%u</domain>", dev->pci.domain);
    line(out, 2, "<bus>%u</bus>", dev->pci.bus);
    line(out, 2, "<slot>%u</slot>", dev->pci.slot);
    line(out, 2, "<function>%u</function>", dev->pci.function);
    id_element(out, "product", dev->pci.product_id, dev->pci.product);
    id_element(out, "vendor", dev->pci.vendor_id, dev->pci.vendor);
    if (dev->pci.iommu_group >= 0) {
        line(out, 2, "<iommuGroup number='%d'>", dev->pci.iommu_group);
        for (guint i = 0; dev->pci.iommu_members && i < dev->pci.iommu_members->len; i++) {
            guint a = g_array_index(dev->pci.iommu_members, guint, i);

            line(out, 3, "<address domain='0x%04x' bus='0x%02x' slot='0x%02x' function='0x%x'/>",
                 a >> 16, (a >> 8) & 0xff, (a >> 3) & 0x1f, a & 7);
        }
        line(out, 2, "</iommuGroup>");
    }
    if (dev->pci.numa_node >= 0)
        line(out, 2, "<numa node='%d'/>", dev->pci.numa_node);
}

static void
format_net(GString *out, const MvNodeDevice *dev)
{
    text_element(out, 2, "interface", dev->net.ifname);
    text_element(out, 2, "address", dev->net.mac);
    if (dev->net.speed > 0)
        line(out, 2, "<link speed='%d' state='%s'/>", dev->net.speed,
             dev->net.state ? dev->net.state : "unknown");
    else
        line(out, 2, "<link state='%s'/>", dev->net.state ? dev->net.state : "unknown");
    if (dev->net.ethernet)
        line(out, 2, "<capability type='80203'/>");
    else if (dev->net.wireless)
        line(out, 2, "<capability type='80211'/>");
}

static void
format_storage(GString *out, const MvNodeDevice *dev)
{
    text_element(out, 2, "block", dev->devnode);
    text_element(out, 2, "drive_type", dev->storage.drive_type);
    text_element(out, 2, "model", dev->storage.model);
    text_element(out, 2, "vendor", dev->storage.vendor);
    text_element(out, 2, "serial", dev->storage.serial);
    if (dev->storage.removable) {
        line(out, 2, "<capability type='removable'>");
        line(out, 3, "<media_available>%d</media_available>", dev->storage.size > 0);
        line(out, 3, "<media_size>%" G_GUINT64_FORMAT "</media_size>", dev->storage.size);
        line(out, 2, "</capability>");
    } else {
        line(out, 2, "<size>%" G_GUINT64_FORMAT "</size>", dev->storage.size);
    }
    line(out, 2, "<logical_block_size>%" G_GUINT64_FORMAT "</logical_block_size>",
         dev->storage.block_size);
    line(out, 2, "<num_blocks>%" G_GUINT64_FORMAT "</num_blocks>",
         dev->storage.size / dev->storage.block_size);
}

char *
mv_nodedev_format(const MvNodeDevice *dev)
{
    GString *out = g_string_new("<device>\n");

    text_element(out, 1, "name", dev->name);
    text_element(out, 1, "path", dev->path);
    if (dev->devnode)
        line(out, 1, "<devnode type='dev'>%s</devnode>", dev->devnode);
    text_element(out, 1, "parent", dev->parent);
    if (dev->driver) {
        line(out, 1, "<driver>");
        text_element(out, 2, "name", dev->driver);
        line(out, 1, "</driver>");
    }
    line(out, 1, "<capability type='%s'>", mv_nodedev_cap_name(dev->cap));
    switch (dev->cap) {
    case MV_NODEDEV_CAP_SYSTEM:
        format_system(out, dev);
        break;
    case MV_NODEDEV_CAP_PCI:
        format_pci(out, dev);
        break;
    case MV_NODEDEV_CAP_USB_DEV:
        line(out, 2, "<bus>%u</bus>", dev->usb.bus);
        line(out, 2, "<device>%u</device>", dev->usb.device);
        id_element(out, "product", dev->usb.product_id, dev->usb.product);
        id_element(out, "vendor", dev->usb.vendor_id, dev->usb.vendor);
        break;
    case MV_NODEDEV_CAP_USB_INTERFACE:
        line(out, 2, "<number>%u</number>", dev->usbif.number);
        line(out, 2, "<class>%u</class>", dev->usbif.klass);
        line(out, 2, "<subclass>%u</subclass>", dev->usbif.subclass);
        line(out, 2, "<protocol>%u</protocol>", dev->usbif.protocol);
        break;
    case MV_NODEDEV_CAP_NET:
        format_net(out, dev);
        break;
    case MV_NODEDEV_CAP_STORAGE:
        format_storage(out, dev);
        break;
    default:
        break;
    }
    line(out, 1, "</capability>");
    g_string_append(out, "</device>\n");
    return g_string_free(out, FALSE);
}
