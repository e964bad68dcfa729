/* Domain XML → MvDomainDef: the children of <devices>, and the <disk> and
 * <interface> parsers shared with hotplug (mv_domain_device_def_parse_string).
 * Nodes were validated against schemas/domain-common.rng: attribute values
 * are from the schema's lists, and only semantics are checked here. */
#include <string.h>

#include "conf/domain-conf.h"
#include "conf/domain-priv.h"
#include "conf/domain-tune.h"
#include "util/error.h"
#include "util/xml.h"

/* Sets @error to "<node path>: <message>". Returns false. */
#define mv_domain_error(error, code, node, ...)                                             \
    mv_xml_error_at((error), MV_FROM_DOMAIN, (code), (node), __VA_ARGS__)

/* <alias name='…'/>: live data, kept only for status XML, except user
 * aliases ("ua-" prefix), which are configuration. */
static char *
mv_domain_parse_alias(const xmlNode *node, unsigned int flags)
{
    const xmlNode *child = mv_xml_get_child(node, "alias");
    g_autofree char *name = child ? mv_xml_get_prop(child, "name") : NULL;

    if (!name || (!(flags & MV_DOMAIN_DEF_PARSE_STATUS) && !g_str_has_prefix(name, "ua-")))
        return NULL;
    return g_steal_pointer(&name);
}

static bool
mv_domain_parse_address(const xmlNode *node, MvDomainDeviceAddress *addr, GError **error)
{
    const xmlNode *child = mv_xml_get_child(node, "address");
    g_autofree char *type = child ? mv_xml_get_prop(child, "type") : NULL;

    if (!child)
        return true;
    if (g_strcmp0(type, "pci") == 0) {
        g_autofree char *multifunction = mv_xml_get_prop(child, "multifunction");

        if (!mv_domain_uint_prop(child, "domain", 0xffff, &addr->domain, error) ||
            !mv_domain_uint_prop(child, "bus", 0xff, &addr->bus, error) ||
            !mv_domain_uint_prop(child, "slot", 0x1f, &addr->slot, error) ||
            !mv_domain_uint_prop(child, "function", 7, &addr->function, error))
            return false;
        addr->multifunction = g_strcmp0(multifunction, "on") == 0;
    } else if (g_strcmp0(type, "drive") == 0) {
        if (!mv_domain_uint_prop(child, "controller", 0xffff, &addr->controller, error) ||
            !mv_domain_uint_prop(child, "bus", 0xffff, &addr->bus, error) ||
            !mv_domain_uint_prop(child, "target", 0xffff, &addr->target, error) ||
            !mv_domain_uint_prop(child, "unit", 0xffff, &addr->unit, error))
            return false;
    } else {
        return mv_domain_error(error, MV_ERR_XML_DETAIL, child, "unknown address type '%s'",
                               type ? type : "");
    }
    addr->type = g_steal_pointer(&type);
    return true;
}

static bool
mv_domain_parse_boot_order(const xmlNode *node, unsigned int *ret, GError **error)
{
    const xmlNode *boot = mv_xml_get_child(node, "boot");

    if (!boot)
        return true;
    if (!mv_domain_uint_prop(boot, "order", G_MAXINT, ret, error))
        return false;
    if (*ret == 0)
        return mv_domain_error(error, MV_ERR_XML_DETAIL, boot, "boot order must be at least 1");
    return true;
}

/* ---- <disk> ---- */

/* <source pool='…' volume='…' mode='…'/> of a disk of type 'volume' (only
 * there: a file or block disk names its path, a volume disk its volume). */
static bool
parse_disk_volume(MvDomainDiskDef *disk, const xmlNode *source, GError **error)
{
    bool volume = disk->type == MV_DOMAIN_DISK_SOURCE_VOLUME;

    disk->source_pool = mv_xml_get_prop(source, "pool");
    disk->source_volume = mv_xml_get_prop(source, "volume");
    disk->source_mode = mv_xml_get_prop(source, "mode");
    if (!volume && disk->source_pool)
        return mv_domain_error(error, MV_ERR_XML_DETAIL, source,
                               "a disk of type '%s' names a path, not pool='%s': use "
                               "<disk type='volume'> for a storage volume",
                               disk->type == MV_DOMAIN_DISK_SOURCE_BLOCK ? "block" : "file",
                               disk->source_pool);
    if (volume && disk->source)
        return mv_domain_error(error, MV_ERR_XML_DETAIL, source,
                               "a disk of type 'volume' takes <source pool='…' volume='…'/>, "
                               "not a path");
    return true;
}

MvDomainDiskDef *
mv_domain_disk_def_parse_node(const xmlNode *node, unsigned int flags, GError **error)
{
    g_autoptr(MvDomainDiskDef) disk = g_new0(MvDomainDiskDef, 1);
    g_autofree char *type = mv_xml_get_prop(node, "type");
    g_autofree char *device = mv_xml_get_prop(node, "device");
    const xmlNode *child;
    int value;

    disk->type = g_strcmp0(type, "block") == 0    ? MV_DOMAIN_DISK_SOURCE_BLOCK
                 : g_strcmp0(type, "volume") == 0 ? MV_DOMAIN_DISK_SOURCE_VOLUME
                                                  : MV_DOMAIN_DISK_SOURCE_FILE;
    disk->device = g_strcmp0(device, "cdrom") == 0    ? MV_DOMAIN_DISK_DEVICE_CDROM
                   : g_strcmp0(device, "floppy") == 0 ? MV_DOMAIN_DISK_DEVICE_FLOPPY
                                                      : MV_DOMAIN_DISK_DEVICE_DISK;
    if ((child = mv_xml_get_child(node, "driver"))) {
        disk->driver_name = mv_xml_get_prop(child, "name");
        disk->driver_type = mv_xml_get_prop(child, "type");
        disk->driver_cache = mv_xml_get_prop(child, "cache");
        disk->driver_discard = mv_xml_get_prop(child, "discard");
        if (!mv_domain_uint_prop(child, "iothread", G_MAXINT, &disk->iothread, error))
            return NULL;
    }
    if ((child = mv_xml_get_child(node, "source"))) {
        g_autofree char *file = mv_xml_get_prop(child, "file");
        g_autofree char *dev = mv_xml_get_prop(child, "dev");

        if (dev && disk->type == MV_DOMAIN_DISK_SOURCE_FILE)
            return mv_domain_error(error, MV_ERR_XML_DETAIL, child,
                                   "a disk of type 'file' takes <source file='…'/>, not dev"),
                   NULL;
        if (file && disk->type == MV_DOMAIN_DISK_SOURCE_BLOCK)
            return mv_domain_error(error, MV_ERR_XML_DETAIL, child,
                                   "a disk of type 'block' takes <source dev='…'/>, not file"),
                   NULL;
        disk->source = file ? g_steal_pointer(&file) : g_steal_pointer(&dev);
        if (!parse_disk_volume(disk, child, error))
            return NULL;
    }

    child = mv_xml_get_child(node, "target");
    disk->target_dev = mv_xml_get_prop(child, "dev");
    value = -1;
    if (!mv_xml_prop_enum(child, "bus", mv_domain_disk_bus_from_string, "disk bus", &value,
                          MV_FROM_DOMAIN, error))
        return NULL;
    if (value < 0 && g_str_has_prefix(disk->target_dev, "vd"))
        value = MV_DOMAIN_DISK_BUS_VIRTIO;
    else if (value < 0 && g_str_has_prefix(disk->target_dev, "sd"))
        value = MV_DOMAIN_DISK_BUS_SCSI;
    else if (value < 0 && g_str_has_prefix(disk->target_dev, "fd"))
        value = MV_DOMAIN_DISK_BUS_FDC;
    else if (value < 0)
        value = MV_DOMAIN_DISK_BUS_IDE;
    disk->bus = value;

    if (!mv_domain_parse_boot_order(node, &disk->boot_order, error))
        return NULL;
    disk->readonly = mv_xml_get_child(node, "readonly") != NULL;
    disk->shareable = mv_xml_get_child(node, "shareable") != NULL;
    disk->serial = mv_xml_get_content(mv_xml_get_child(node, "serial"));
    if ((child = mv_xml_get_child(node, "iotune")) &&
        !mv_domain_iotune_parse(child, disk->target_dev, &disk->iotune, error))
        return NULL;
    disk->alias = mv_domain_parse_alias(node, flags);
    if (!mv_domain_parse_address(node, &disk->address, error))
        return NULL;

    if (disk->device == MV_DOMAIN_DISK_DEVICE_DISK && !disk->source && !disk->source_volume)
        return mv_domain_error(error, MV_ERR_CONFIG_UNSUPPORTED, node,
                               "disk '%s' has no <source>: only a cdrom can be empty",
                               disk->target_dev),
               NULL;
    if ((disk->device == MV_DOMAIN_DISK_DEVICE_FLOPPY) != (disk->bus == MV_DOMAIN_DISK_BUS_FDC))
        return mv_domain_error(error, MV_ERR_CONFIG_UNSUPPORTED, node,
                               "disk '%s': a floppy needs bus 'fdc' and bus 'fdc' a floppy",
                               disk->target_dev),
               NULL;
    if ((disk->bus == MV_DOMAIN_DISK_BUS_FDC) != g_str_has_prefix(disk->target_dev, "fd"))
        return mv_domain_error(error, MV_ERR_CONFIG_UNSUPPORTED, node,
                               "disk '%s': floppies (and only they) are named fda, fdb",
                               disk->target_dev),
               NULL;
    if (disk->device == MV_DOMAIN_DISK_DEVICE_CDROM && disk->bus == MV_DOMAIN_DISK_BUS_VIRTIO)
        return mv_domain_error(error, MV_ERR_CONFIG_UNSUPPORTED, node,
                               "cdrom '%s' cannot use bus 'virtio': use 'sata', 'scsi' or 'ide'",
                               disk->target_dev),
               NULL;
    if (disk->address.type &&
        (strcmp(disk->address.type, "pci") == 0) != (disk->bus == MV_DOMAIN_DISK_BUS_VIRTIO))
        return mv_domain_error(error, MV_ERR_CONFIG_UNSUPPORTED, node,
                               "disk '%s' on bus '%s' cannot have a '%s' address", disk->target_dev,
                               mv_domain_disk_bus_to_string(disk->bus), disk->address.type),
               NULL;
    return g_steal_pointer(&disk);
}

/* ---- <interface> ---- */

static bool
mv_domain_parse_mac(const char *str, guint8 ret_mac[6])
{
    g_auto(GStrv) parts = g_strsplit(str, ":", -1);
    guint8 mac[6];
    guint64 byte;

    if (g_strv_length(parts) != 6)
        return false;
    for (size_t i = 0; i < 6; i++) {
        if (!*parts[i] || strlen(parts[i]) > 2 ||
            !g_ascii_string_to_unsigned(parts[i], 16, 0, 0xff, &byte, NULL))
            return false;
        mac[i] = (guint8)byte;
    }
    memcpy(ret_mac, mac, 6);
    return true;
}

/* <filterref filter='clean-traffic'><parameter name='IP' value='…'/></filterref> */
static void
mv_domain_net_filter_param_clear(gpointer data)
{
    MvDomainNetFilterParam *param = data;

    g_free(param->name);
    g_free(param->value);
}

static bool
mv_domain_net_parse_filterref(const xmlNode *node, MvDomainNetDef *net, GError **error)
{
    g_autoptr(GArray) params = g_array_new(FALSE, TRUE, sizeof(MvDomainNetFilterParam));

    g_array_set_clear_func(params, mv_domain_net_filter_param_clear);
    net->filter = mv_xml_get_prop(node, "filter");
    if (!net->filter || !*net->filter)
        return mv_domain_error(error, MV_ERR_XML_DETAIL, node,
                               "<filterref> needs a filter name (filter='…')");
    for (const xmlNode *child = node->children; child; child = child->next) {
        MvDomainNetFilterParam param;

        if (!mv_xml_node_is(child, "parameter"))
            continue;
        param.name = mv_xml_get_prop(child, "name");
        param.value = mv_xml_get_prop(child, "value");
        g_array_append_val(params, param);
        if (!param.name || !param.value)
            return mv_domain_error(error, MV_ERR_XML_DETAIL, child,
                                   "a filter <parameter> needs both name='…' and value='…'");
    }
    net->nfilter_params = params->len;
    g_array_set_clear_func(params, NULL);
    net->filter_params = (MvDomainNetFilterParam *)g_array_free(g_steal_pointer(&params), FALSE);
    return true;
}

MvDomainNetDef *
mv_domain_net_def_parse_node(const xmlNode *node, unsigned int flags, GError **error)
{
    g_autoptr(MvDomainNetDef) net = g_new0(MvDomainNetDef, 1);
    g_autofree char *type = mv_xml_get_prop(node, "type");
    g_autofree char *network = NULL;
    g_autofree char *bridge = NULL;
    const xmlNode *child;
    int value;

    if ((value = mv_domain_net_type_from_string(type)) < 0)
        return mv_domain_error(error, MV_ERR_CONFIG_UNSUPPORTED, node,
                               "unsupported interface type '%s'", type ? type : ""),
               NULL;
    net->type = value;

    if ((child = mv_xml_get_child(node, "source"))) {
        network = mv_xml_get_prop(child, "network");
        bridge = mv_xml_get_prop(child, "bridge");
    }
    switch (net->type) {
    case MV_DOMAIN_NET_NETWORK:
        if (!network)
            return mv_domain_error(error, MV_ERR_XML_DETAIL, node,
                                   "an interface of type 'network' needs <source network='…'/>"),
                   NULL;
        net->source = g_steal_pointer(&network);
        net->portgroup = mv_xml_get_prop(child, "portgroup");
        /* The port networkd made and the bridge it named are live data. */
        if (flags & MV_DOMAIN_DEF_PARSE_STATUS) {
            net->port_id = mv_xml_get_prop(child, "portid");
            net->bridge = g_steal_pointer(&bridge);
        }
        break;
    case MV_DOMAIN_NET_BRIDGE:
        if (!bridge)
            return mv_domain_error(error, MV_ERR_XML_DETAIL, node,
                                   "an interface of type 'bridge' needs <source bridge='…'/>"),
                   NULL;
        net->source = g_steal_pointer(&bridge);
        break;
    case MV_DOMAIN_NET_USER:
    case MV_DOMAIN_NET_ETHERNET:
        if (child)
            return mv_domain_error(error, MV_ERR_XML_DETAIL, child,
                                   "an interface of type '%s' takes no <source>", type),
                   NULL;
        break;
    }

    if ((child = mv_xml_get_child(node, "mac"))) {
        g_autofree char *address = mv_xml_get_prop(child, "address");

        if (!address || !mv_domain_parse_mac(address, net->mac))
            return mv_domain_error(error, MV_ERR_INVALID_MAC, child, "malformed MAC address '%s'",
                                   address ? address : ""),
                   NULL;
        if (net->mac[0] & 1)
            return mv_domain_error(error, MV_ERR_INVALID_MAC, child,
                                   "MAC address '%s' is a multicast address: a unicast address "
                                   "is required", address),
                   NULL;
    } else {
        guint32 random = g_random_int();

        /* QEMU's locally administered prefix, as libvirt generates. */
        net->mac[0] = 0x52;
        net->mac[1] = 0x54;
        net->mac[2] = 0x00;
        net->mac[3] = (random >> 16) & 0xff;
        net->mac[4] = (random >> 8) & 0xff;
        net->mac[5] = random & 0xff;
    }

    if ((child = mv_xml_get_child(node, "target"))) {
        g_autofree char *dev = mv_xml_get_prop(child, "dev");

        /* Taps named vnetN are made by the daemon when the domain starts:
         * live data, like an alias. Other names are the user's choice. */
        if (net->type == MV_DOMAIN_NET_ETHERNET || (flags & MV_DOMAIN_DEF_PARSE_STATUS) ||
            !g_str_has_prefix(dev, "vnet"))
            net->target_dev = g_steal_pointer(&dev);
    }
    if ((child = mv_xml_get_child(node, "model")))
        net->model = mv_xml_get_prop(child, "type");
    if ((child = mv_xml_get_child(node, "link"))) {
        g_autofree char *state = mv_xml_get_prop(child, "state");

        if (g_strcmp0(state, "up") == 0)
            net->link_state = MV_DOMAIN_NET_LINK_UP;
        else if (g_strcmp0(state, "down") == 0)
            net->link_state = MV_DOMAIN_NET_LINK_DOWN;
        else
            return mv_domain_error(error, MV_ERR_XML_DETAIL, child,
                                   "link state '%s' is neither 'up' nor 'down'",
                                   state ? state : ""),
                   NULL;
    }
    if ((child = mv_xml_get_child(node, "bandwidth")) &&
        !mv_domain_net_bandwidth_parse(child, &net->bandwidth, error))
        return NULL;
    if ((child = mv_xml_get_child(node, "mtu")) &&
        !mv_domain_uint_prop(child, "size", 65535, &net->mtu, error))
        return NULL;
    if (child && net->mtu < 68)
        return mv_domain_error(error, MV_ERR_CONFIG_UNSUPPORTED, child,
                               "MTU %u is too small: IPv4 needs at least 68", net->mtu),
               NULL;
    if ((child = mv_xml_get_child(node, "filterref")) &&
        !mv_domain_net_parse_filterref(child, net, error))
        return NULL;
    if (!mv_domain_parse_boot_order(node, &net->boot_order, error))
        return NULL;
    net->alias = mv_domain_parse_alias(node, flags);
    if (!mv_domain_parse_address(node, &net->address, error))
        return NULL;
    return g_steal_pointer(&net);
}

/* ---- <controller> ---- */

static MvDomainControllerDef *
mv_domain_controller_def_parse_node(const xmlNode *node, unsigned int flags, GError **error)
{
    g_autoptr(MvDomainControllerDef) ctrl = g_new0(MvDomainControllerDef, 1);
    const xmlNode *child;
    unsigned int value;

    ctrl->type = mv_xml_get_prop(node, "type");
    ctrl->model = mv_xml_get_prop(node, "model");
    ctrl->index = ctrl->ports = ctrl->vectors = -1;
    value = G_MAXUINT;
    if (!mv_domain_uint_prop(node, "index", 255, &value, error))
        return NULL;
    ctrl->index = value == G_MAXUINT ? -1 : (int)value;
    value = G_MAXUINT;
    if (!mv_domain_uint_prop(node, "ports", 255, &value, error))
        return NULL;
    ctrl->ports = value == G_MAXUINT ? -1 : (int)value;
    value = G_MAXUINT;
    if (!mv_domain_uint_prop(node, "vectors", 1024, &value, error))
        return NULL;
    ctrl->vectors = value == G_MAXUINT ? -1 : (int)value;
    ctrl->master_startport = -1;
    if ((child = mv_xml_get_child(node, "master"))) {
        value = 0;
        if (!mv_domain_uint_prop(child, "startport", 255, &value, error))
            return NULL;
        ctrl->master_startport = (int)value;
    }
    ctrl->alias = mv_domain_parse_alias(node, flags);
    if (!mv_domain_parse_address(node, &ctrl->address, error))
        return NULL;
    if (g_strcmp0(ctrl->model, "pcie-root") == 0 || g_strcmp0(ctrl->model, "pci-root") == 0) {
        /* The root bus is index 0, also when not written: a later free index would
         * be formatted and then refused (another controller with index 0 is then a
         * duplicate). */
        if (ctrl->index < 0)
            ctrl->index = 0;
        if (ctrl->index > 0)
            return mv_domain_error(error, MV_ERR_CONFIG_UNSUPPORTED, node,
                                   "the '%s' controller must have index 0", ctrl->model),
                   NULL;
        if (ctrl->address.type)
            return mv_domain_error(error, MV_ERR_CONFIG_UNSUPPORTED, node,
                                   "the '%s' controller cannot have an address", ctrl->model),
                   NULL;
    }
    return g_steal_pointer(&ctrl);
}

/* ---- character devices ---- */

static MvDomainChrDef *
mv_domain_chr_def_parse_node(const xmlNode *node, MvDomainChrDeviceType device,
                             unsigned int flags, GError **error)
{
    g_autoptr(MvDomainChrDef) chr = g_new0(MvDomainChrDef, 1);
    g_autofree char *type = mv_xml_get_prop(node, "type");
    const xmlNode *source = mv_xml_get_child(node, "source");
    const xmlNode *target = mv_xml_get_child(node, "target");
    unsigned int port = G_MAXUINT;
    int value;

    chr->device = device;
    if ((value = mv_domain_chr_type_from_string(type)) < 0)
        return mv_domain_error(error, MV_ERR_CONFIG_UNSUPPORTED, node,
                               "unsupported character device type '%s'", type ? type : ""),
               NULL;
    chr->type = value;
    if (source) {
        chr->source_path = mv_xml_get_prop(source, "path");
        chr->source_mode = mv_xml_get_prop(source, "mode");
    }
    switch (chr->type) {
    case MV_DOMAIN_CHR_PTY:
        /* The pty is allocated when the domain starts. */
        if (!(flags & MV_DOMAIN_DEF_PARSE_STATUS))
            g_clear_pointer(&chr->source_path, g_free);
        break;
    case MV_DOMAIN_CHR_UNIX:
        /* A channel's socket path may be left to the daemon. */
        if (!chr->source_path && device != MV_DOMAIN_CHR_CHANNEL)
            return mv_domain_error(error, MV_ERR_XML_DETAIL, node,
                                   "a 'unix' %s needs <source path='…'/>",
                                   mv_domain_chr_device_to_string(device)),
                   NULL;
        break;
    case MV_DOMAIN_CHR_FILE:
        if (!chr->source_path)
            return mv_domain_error(error, MV_ERR_XML_DETAIL, node,
                                   "a 'file' %s needs <source path='…'/>",
                                   mv_domain_chr_device_to_string(device)),
                   NULL;
        break;
    case MV_DOMAIN_CHR_NULL:
    case MV_DOMAIN_CHR_SPICEVMC:
        if (source)
            return mv_domain_error(error, MV_ERR_XML_DETAIL, source,
                                   "a '%s' %s takes no <source>", type,
                                   mv_domain_chr_device_to_string(device)),
                   NULL;
        break;
    }
    if (chr->source_mode && chr->type != MV_DOMAIN_CHR_UNIX)
        return mv_domain_error(error, MV_ERR_XML_DETAIL, source,
                               "mode='%s' is only valid for a 'unix' source", chr->source_mode),
               NULL;

    chr->target_port = -1;
    if (target) {
        chr->target_type = mv_xml_get_prop(target, "type");
        chr->target_name = mv_xml_get_prop(target, "name");
        /* Live state: kept from a status file, ignored in a definition. */
        if (flags & MV_DOMAIN_DEF_PARSE_STATUS)
            chr->target_state = mv_xml_get_prop(target, "state");
        if (!mv_domain_uint_prop(target, "port", 255, &port, error))
            return NULL;
        chr->target_port = port == G_MAXUINT ? -1 : (int)port;
    }
    chr->alias = mv_domain_parse_alias(node, flags);
    return g_steal_pointer(&chr);
}

/* ---- input, graphics, video, memballoon, rng, watchdog ---- */

static MvDomainInputDef *
mv_domain_input_def_parse_node(const xmlNode *node, unsigned int flags, GError **error)
{
    g_autoptr(MvDomainInputDef) input = g_new0(MvDomainInputDef, 1);

    input->type = mv_xml_get_prop(node, "type");
    input->bus = mv_xml_get_prop(node, "bus");
    if (!input->bus)
        input->bus = g_strdup(g_strcmp0(input->type, "tablet") == 0 ? "usb" : "ps2");
    if (g_strcmp0(input->type, "tablet") == 0 && strcmp(input->bus, "ps2") == 0)
        return mv_domain_error(error, MV_ERR_CONFIG_UNSUPPORTED, node,
                               "a tablet cannot use bus 'ps2': use 'usb' or 'virtio'"),
               NULL;
    input->alias = mv_domain_parse_alias(node, flags);
    return g_steal_pointer(&input);
}

static MvDomainGraphicsDef *
mv_domain_graphics_def_parse_node(const xmlNode *node, unsigned int flags, GError **error)
{
    g_autoptr(MvDomainGraphicsDef) graphics = g_new0(MvDomainGraphicsDef, 1);
    g_autofree char *port = mv_xml_get_prop(node, "port");
    g_autofree char *autoport = mv_xml_get_prop(node, "autoport");
    g_autofree char *tls_port = mv_xml_get_prop(node, "tlsPort");
    const xmlNode *listen = mv_xml_get_child(node, "listen");
    gint64 value = -1;

    graphics->type = mv_xml_get_prop(node, "type");
    if (port && !g_ascii_string_to_signed(port, 10, -1, 65535, &value, NULL))
        return mv_domain_error(error, MV_ERR_XML_DETAIL, node,
                               "invalid port '%s': expected -1 (automatic) or 0 to 65535", port),
               NULL;
    graphics->port = (int)value;
    graphics->autoport = autoport ? strcmp(autoport, "yes") == 0 : graphics->port == -1;
    if (graphics->port == -1)
        graphics->autoport = true;
    /* An automatic port is only known while the domain runs. */
    if (graphics->autoport && !(flags & MV_DOMAIN_DEF_PARSE_STATUS))
        graphics->port = -1;

    graphics->listen = mv_xml_get_prop(node, "listen");
    if (listen) {
        g_autofree char *address = mv_xml_get_prop(listen, "address");

        if (graphics->listen && address && strcmp(graphics->listen, address) != 0)
            return mv_domain_error(error, MV_ERR_XML_DETAIL, listen,
                                   "the listen address '%s' differs from the graphics listen "
                                   "attribute '%s'", address, graphics->listen),
                   NULL;
        if (!graphics->listen)
            graphics->listen = g_steal_pointer(&address);
    }
    graphics->passwd = mv_xml_get_prop(node, "passwd");
    if (tls_port) {
        if (!g_ascii_string_to_signed(tls_port, 10, -1, 65535, &value, NULL))
            return mv_domain_error(error, MV_ERR_XML_DETAIL, node,
                                   "invalid tlsPort '%s': expected -1 (automatic) or 0 to 65535",
                                   tls_port),
                   NULL;
        graphics->has_tls_port = true;
        graphics->tls_port = (int)value;
        if (graphics->autoport && !(flags & MV_DOMAIN_DEF_PARSE_STATUS))
            graphics->tls_port = -1;
    }
    graphics->image_compression = mv_xml_get_prop(mv_xml_get_child(node, "image"),
                                                  "compression");
    return g_steal_pointer(&graphics);
}

static MvDomainVideoDef *
mv_domain_video_def_parse_node(const xmlNode *node, unsigned int flags, GError **error)
{
    g_autoptr(MvDomainVideoDef) video = g_new0(MvDomainVideoDef, 1);
    const xmlNode *model = mv_xml_get_child(node, "model");
    g_autofree char *primary = mv_xml_get_prop(model, "primary");

    video->model = mv_xml_get_prop(model, "type");
    if (!mv_domain_uint_prop(model, "vram", G_MAXUINT, &video->vram, error) ||
        !mv_domain_uint_prop(model, "heads", 16, &video->heads, error))
        return NULL;
    video->primary = g_strcmp0(primary, "yes") == 0;
    video->alias = mv_domain_parse_alias(node, flags);
    if (!mv_domain_parse_address(node, &video->address, error))
        return NULL;
    return g_steal_pointer(&video);
}

static MvDomainSoundDef *
mv_domain_sound_def_parse_node(const xmlNode *node, unsigned int flags, GError **error)
{
    g_autoptr(MvDomainSoundDef) sound = g_new0(MvDomainSoundDef, 1);

    sound->model = mv_xml_get_prop(node, "model");
    sound->alias = mv_domain_parse_alias(node, flags);
    if (!mv_domain_parse_address(node, &sound->address, error))
        return NULL;
    return g_steal_pointer(&sound);
}

static MvDomainRedirdevDef *
mv_domain_redirdev_def_parse_node(const xmlNode *node, unsigned int flags)
{
    MvDomainRedirdevDef *redirdev = g_new0(MvDomainRedirdevDef, 1);

    redirdev->bus = mv_xml_get_prop(node, "bus");
    redirdev->type = mv_xml_get_prop(node, "type");
    redirdev->alias = mv_domain_parse_alias(node, flags);
    return redirdev;
}

static MvDomainMemballoonDef *
mv_domain_memballoon_def_parse_node(const xmlNode *node, unsigned int flags, GError **error)
{
    g_autoptr(MvDomainMemballoonDef) balloon = g_new0(MvDomainMemballoonDef, 1);
    const xmlNode *stats = mv_xml_get_child(node, "stats");

    balloon->model = mv_xml_get_prop(node, "model");
    if (stats && !mv_domain_uint_prop(stats, "period", G_MAXINT, &balloon->period, error))
        return NULL;
    balloon->alias = mv_domain_parse_alias(node, flags);
    if (!mv_domain_parse_address(node, &balloon->address, error))
        return NULL;
    if (g_strcmp0(balloon->model, "none") == 0 && (stats || balloon->address.type))
        return mv_domain_error(error, MV_ERR_CONFIG_UNSUPPORTED, node,
                               "a memballoon of model 'none' takes no <stats> or <address>"),
               NULL;
    return g_steal_pointer(&balloon);
}

static MvDomainRngDef *
mv_domain_rng_def_parse_node(const xmlNode *node, unsigned int flags, GError **error)
{
    g_autoptr(MvDomainRngDef) rng = g_new0(MvDomainRngDef, 1);
    const xmlNode *backend = mv_xml_get_child(node, "backend");

    rng->model = mv_xml_get_prop(node, "model");
    rng->backend_model = mv_xml_get_prop(backend, "model");
    rng->backend = g_strstrip(mv_xml_get_content(backend));
    if (!*rng->backend)
        g_clear_pointer(&rng->backend, g_free);
    if (!rng->backend && g_strcmp0(rng->backend_model, "random") == 0)
        rng->backend = g_strdup("/dev/urandom");
    rng->alias = mv_domain_parse_alias(node, flags);
    if (!mv_domain_parse_address(node, &rng->address, error))
        return NULL;
    return g_steal_pointer(&rng);
}

static MvDomainWatchdogDef *
mv_domain_watchdog_def_parse_node(const xmlNode *node, unsigned int flags, GError **error)
{
    g_autoptr(MvDomainWatchdogDef) watchdog = g_new0(MvDomainWatchdogDef, 1);

    watchdog->model = mv_xml_get_prop(node, "model");
    watchdog->action = mv_xml_get_prop(node, "action");
    if (!watchdog->action)
        watchdog->action = g_strdup("reset");
    watchdog->alias = mv_domain_parse_alias(node, flags);
    if (!mv_domain_parse_address(node, &watchdog->address, error))
        return NULL;
    if (watchdog->address.type && g_strcmp0(watchdog->model, "i6300esb") != 0)
        return mv_domain_error(error, MV_ERR_CONFIG_UNSUPPORTED, node,
                               "watchdog model '%s' is not a PCI device and takes no <address>",
                               watchdog->model),
               NULL;
    return g_steal_pointer(&watchdog);
}

/* <tpm>: the model defaults to tpm-crb, libvirt's default for x86 TPM 2.0. */
static MvDomainTpmDef *
mv_domain_tpm_def_parse_node(const xmlNode *node, unsigned int flags, GError **error)
{
    g_autoptr(MvDomainTpmDef) tpm = g_new0(MvDomainTpmDef, 1);

    tpm->model = mv_xml_get_prop(node, "model");
    if (!tpm->model)
        tpm->model = g_strdup("tpm-crb");
    for (const xmlNode *child = node->children; child; child = child->next) {
        if (mv_xml_node_is(child, "backend")) {
            tpm->backend = mv_xml_get_prop(child, "type");
            tpm->version = mv_xml_get_prop(child, "version");
        }
    }
    if (!tpm->backend)
        return mv_domain_error(error, MV_ERR_XML_DETAIL, node,
                               "<tpm> needs a <backend type='emulator'/>"), NULL;
    if (!tpm->version)
        tpm->version = g_strdup("2.0");
    tpm->alias = mv_domain_parse_alias(node, flags);
    return g_steal_pointer(&tpm);
}

/* ---- <devices> ---- */

static const MvXmlChildRule mv_domain_devices_rules[] = {
    { "emulator", 0, 1 },
    { "watchdog", 0, 1 },
    { "memballoon", 0, 1 },
    { "tpm", 0, 1 },
};

/* Gives controllers without an index the lowest free index of their type. */
static void
mv_domain_def_assign_controller_indexes(MvDomainDef *def)
{
    for (size_t i = 0; i < def->ncontrollers; i++) {
        MvDomainControllerDef *ctrl = def->controllers[i];
        bool used = true;

        if (ctrl->index >= 0)
            continue;
        if (ctrl->master_startport >= 0) {
            /* a USB companion belongs to the master controller before it */
            ctrl->index = 0;
            for (size_t j = i; j-- > 0;) {
                if (def->controllers[j]->master_startport < 0 &&
                    strcmp(def->controllers[j]->type, ctrl->type) == 0) {
                    ctrl->index = def->controllers[j]->index;
                    break;
                }
            }
            continue;
        }
        for (ctrl->index = 0; used; ctrl->index += used) {
            used = false;
            for (size_t j = 0; j < def->ncontrollers && !used; j++) {
                used = j != i && def->controllers[j]->index == ctrl->index &&
                       def->controllers[j]->master_startport < 0 &&
                       strcmp(def->controllers[j]->type, ctrl->type) == 0;
            }
        }
    }
}

/* Checks a new device against the ones parsed before it. */
static bool
mv_domain_def_check_new_device(const MvDomainDef *def, const xmlNode *node, GError **error)
{
    if (mv_xml_node_is(node, "disk")) {
        const MvDomainDiskDef *disk = def->disks[def->ndisks - 1];

        for (size_t i = 0; i + 1 < def->ndisks; i++) {
            if (strcmp(def->disks[i]->target_dev, disk->target_dev) == 0)
                return mv_domain_error(error, MV_ERR_CONFIG_UNSUPPORTED, node,
                                       "target '%s' is used by more than one disk",
                                       disk->target_dev);
        }
    } else if (mv_xml_node_is(node, "controller")) {
        const MvDomainControllerDef *ctrl = def->controllers[def->ncontrollers - 1];

        for (size_t i = 0; ctrl->index >= 0 && i + 1 < def->ncontrollers; i++) {
            if (def->controllers[i]->index == ctrl->index &&
                def->controllers[i]->master_startport < 0 && ctrl->master_startport < 0 &&
                strcmp(def->controllers[i]->type, ctrl->type) == 0)
                return mv_domain_error(error, MV_ERR_CONFIG_UNSUPPORTED, node,
                                       "there is more than one '%s' controller with index %d",
                                       ctrl->type, ctrl->index);
        }
    } else if (mv_xml_node_is(node, "graphics")) {
        const MvDomainGraphicsDef *graphics = def->graphics[def->ngraphics - 1];

        for (size_t i = 0; i + 1 < def->ngraphics; i++) {
            if (strcmp(def->graphics[i]->type, graphics->type) == 0)
                return mv_domain_error(error, MV_ERR_CONFIG_UNSUPPORTED, node,
                                       "only one '%s' graphics device is supported",
                                       graphics->type);
        }
    } else if (mv_xml_node_is(node, "video")) {
        const MvDomainVideoDef *video = def->videos[def->nvideos - 1];

        for (size_t i = 0; video->primary && i + 1 < def->nvideos; i++) {
            if (def->videos[i]->primary)
                return mv_domain_error(error, MV_ERR_CONFIG_UNSUPPORTED, node,
                                       "only one video device can be primary");
        }
    }
    return true;
}

/* Every alias must be unique: the daemon addresses devices by alias. */
static bool
mv_domain_def_check_aliases(const MvDomainDef *def, const xmlNode *devices, GError **error)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GPtrArray) aliases = g_ptr_array_new();

#define MV_ADD_ALIASES(array, n)                                                        \
    for (size_t i = 0; i < (n); i++)                                                    \
        g_ptr_array_add(aliases, (array)[i]->alias);
    MV_ADD_ALIASES(def->disks, def->ndisks);
    MV_ADD_ALIASES(def->controllers, def->ncontrollers);
    MV_ADD_ALIASES(def->nets, def->nnets);
    MV_ADD_ALIASES(def->serials, def->nserials);
    MV_ADD_ALIASES(def->channels, def->nchannels);
    MV_ADD_ALIASES(def->inputs, def->ninputs);
    MV_ADD_ALIASES(def->videos, def->nvideos);
    MV_ADD_ALIASES(def->rngs, def->nrngs);
    MV_ADD_ALIASES(def->sounds, def->nsounds);
    MV_ADD_ALIASES(def->redirdevs, def->nredirdevs);
    MV_ADD_ALIASES(def->memdevs, def->nmemdevs);
#undef MV_ADD_ALIASES
    if (def->memballoon)
        g_ptr_array_add(aliases, def->memballoon->alias);
    if (def->watchdog)
        g_ptr_array_add(aliases, def->watchdog->alias);
    if (def->tpm)
        g_ptr_array_add(aliases, def->tpm->alias);

    /* Consoles are excluded: a serial console shares its serial's alias. */
    for (guint i = 0; i < aliases->len; i++) {
        const char *alias = aliases->pdata[i];

        if (alias && !g_hash_table_add(seen, (gpointer)alias))
            return mv_domain_error(error, MV_ERR_CONFIG_UNSUPPORTED, devices,
                                   "alias '%s' is used by more than one device", alias);
    }
    return true;
}

#define MV_DOMAIN_APPEND(array, n, item)                                                \
    mv_domain_ptr_array_append((gpointer **)&(array), &(n), (item))

/* The target of the console just appended. Only the first console of a guest can be
 * a serial console (another view of serial0); a later one without <target type>
 * (what `virt-xml --add-device --console pty` writes) is a virtio console, the only
 * kind it can be, and says so in the canonical XML. */
static bool
mv_domain_def_console_target(MvDomainDef *def, const xmlNode *node, GError **error)
{
    MvDomainChrDef *chr = def->consoles[def->nconsoles - 1];

    if (def->nconsoles == 1)
        return true;
    if (!chr->target_type)
        chr->target_type = g_strdup("virtio");
    else if (g_str_equal(chr->target_type, "serial"))
        return mv_domain_error(error, MV_ERR_CONFIG_UNSUPPORTED, node,
                               "only the first console can be a serial console: use "
                               "<target type='virtio'/> or a <serial> device");
    return true;
}

bool
mv_domain_def_parse_devices(MvDomainDef *def, const xmlNode *devices, unsigned int flags,
                            GError **error)
{
    if (!mv_domain_check_children(devices, mv_domain_devices_rules, error))
        return false;

    for (const xmlNode *node = devices->children; node; node = node->next) {
        gpointer dev = NULL;

        if (node->type != XML_ELEMENT_NODE)
            continue;
        if (mv_xml_node_is(node, "emulator")) {
            def->emulator = mv_xml_get_content(node);
            continue;
        } else if (mv_xml_node_is(node, "disk")) {
            if ((dev = mv_domain_disk_def_parse_node(node, flags, error)))
                MV_DOMAIN_APPEND(def->disks, def->ndisks, dev);
        } else if (mv_xml_node_is(node, "controller")) {
            if ((dev = mv_domain_controller_def_parse_node(node, flags, error)))
                MV_DOMAIN_APPEND(def->controllers, def->ncontrollers, dev);
        } else if (mv_xml_node_is(node, "interface")) {
            if ((dev = mv_domain_net_def_parse_node(node, flags, error)))
                MV_DOMAIN_APPEND(def->nets, def->nnets, dev);
        } else if (mv_xml_node_is(node, "serial")) {
            if ((dev = mv_domain_chr_def_parse_node(node, MV_DOMAIN_CHR_SERIAL, flags, error)))
                MV_DOMAIN_APPEND(def->serials, def->nserials, dev);
        } else if (mv_xml_node_is(node, "console")) {
            if ((dev = mv_domain_chr_def_parse_node(node, MV_DOMAIN_CHR_CONSOLE, flags, error))) {
                MV_DOMAIN_APPEND(def->consoles, def->nconsoles, dev);
                if (!mv_domain_def_console_target(def, node, error))
                    return false;
            }
        } else if (mv_xml_node_is(node, "channel")) {
            if ((dev = mv_domain_chr_def_parse_node(node, MV_DOMAIN_CHR_CHANNEL, flags, error)))
                MV_DOMAIN_APPEND(def->channels, def->nchannels, dev);
        } else if (mv_xml_node_is(node, "input")) {
            if ((dev = mv_domain_input_def_parse_node(node, flags, error)))
                MV_DOMAIN_APPEND(def->inputs, def->ninputs, dev);
        } else if (mv_xml_node_is(node, "graphics")) {
            if ((dev = mv_domain_graphics_def_parse_node(node, flags, error)))
                MV_DOMAIN_APPEND(def->graphics, def->ngraphics, dev);
        } else if (mv_xml_node_is(node, "video")) {
            if ((dev = mv_domain_video_def_parse_node(node, flags, error)))
                MV_DOMAIN_APPEND(def->videos, def->nvideos, dev);
        } else if (mv_xml_node_is(node, "rng")) {
            if ((dev = mv_domain_rng_def_parse_node(node, flags, error)))
                MV_DOMAIN_APPEND(def->rngs, def->nrngs, dev);
        } else if (mv_xml_node_is(node, "sound")) {
            if ((dev = mv_domain_sound_def_parse_node(node, flags, error)))
                MV_DOMAIN_APPEND(def->sounds, def->nsounds, dev);
        } else if (mv_xml_node_is(node, "redirdev")) {
            dev = mv_domain_redirdev_def_parse_node(node, flags);
            MV_DOMAIN_APPEND(def->redirdevs, def->nredirdevs, dev);
        } else if (mv_xml_node_is(node, "memory")) {
            if ((dev = mv_domain_memdev_def_parse_node(node, flags, error)))
                MV_DOMAIN_APPEND(def->memdevs, def->nmemdevs, dev);
        } else if (mv_xml_node_is(node, "memballoon")) {
            dev = def->memballoon = mv_domain_memballoon_def_parse_node(node, flags, error);
        } else if (mv_xml_node_is(node, "watchdog")) {
            dev = def->watchdog = mv_domain_watchdog_def_parse_node(node, flags, error);
        } else if (mv_xml_node_is(node, "tpm")) {
            dev = def->tpm = mv_domain_tpm_def_parse_node(node, flags, error);
        } else {
            /* The schema rejects these; never drop a device silently. */
            return mv_domain_error(error, MV_ERR_CONFIG_UNSUPPORTED, node,
                                   "unsupported device <%s>", (const char *)node->name);
        }
        if (!dev || !mv_domain_def_check_new_device(def, node, error))
            return false;
    }
    mv_domain_def_assign_controller_indexes(def);
    return mv_domain_def_check_aliases(def, devices, error) &&
           mv_domain_def_check_memdevs(def, error);      /* <maxMemory> is parsed first */
}
