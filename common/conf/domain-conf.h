/* Domain XML: parse (schema-validated), format (canonical, round-trip
 * stable), copy and free MvDomainDef, and single devices for hotplug. */
#pragma once

#include "conf/domain-def.h"

G_BEGIN_DECLS

/* Parse flags. */
typedef enum {
    /* The XML is live status (keeps <alias>, pty paths, the id attribute). */
    MV_DOMAIN_DEF_PARSE_STATUS = 1 << 0,
} MvDomainDefParseFlags;

/* Format flags; the first two have libvirt's VIR_DOMAIN_XML_* values. */
typedef enum {
    MV_DOMAIN_DEF_FORMAT_SECURE = 1 << 0,     /* include passwords */
    MV_DOMAIN_DEF_FORMAT_INACTIVE = 1 << 1,   /* drop live-only data (aliases, ptys, id) */
} MvDomainDefFormatFlags;

/**
 * mv_domain_def_parse_string:
 * Parses and validates @xml against schemas/domain.rng. Anything the schema
 * does not accept is rejected with MV_ERR_XML_ERROR naming the element or
 * attribute path; semantic errors (a duplicate disk target, memory below
 * currentMemory, …) fail with MV_ERR_CONFIG_UNSUPPORTED or MV_ERR_XML_DETAIL.
 * Generates a UUID and MAC addresses when absent. Returns a new def
 * (mv_domain_def_free()) or NULL with @error set.
 */
MvDomainDef *mv_domain_def_parse_string(const char *xml, unsigned int flags, GError **error);

/**
 * mv_domain_def_format:
 * The canonical XML of @def. @id is the running id (formatted as
 * <domain id='N'> unless INACTIVE is set or @id < 0). Never fails.
 */
char *mv_domain_def_format(const MvDomainDef *def, int id, unsigned int flags);

/** mv_domain_def_copy: a deep copy. */
MvDomainDef *mv_domain_def_copy(const MvDomainDef *def);

/** mv_domain_def_free: NULL is fine. */
void mv_domain_def_free(MvDomainDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvDomainDef, mv_domain_def_free)

/**
 * mv_domain_device_def_parse_string:
 * Parses one <disk> or <interface> element (schemas/domain.rng's device
 * grammar) for attach/detach/update. Returns NULL with @error set for other
 * device types (MV_ERR_OPERATION_UNSUPPORTED naming the element).
 */
MvDomainDeviceDef *mv_domain_device_def_parse_string(const char *xml, unsigned int flags,
                                                     GError **error);
void mv_domain_device_def_free(MvDomainDeviceDef *dev);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvDomainDeviceDef, mv_domain_device_def_free)

/** Free functions for device defs (NULL is fine). */
void mv_domain_disk_def_free(MvDomainDiskDef *disk);
void mv_domain_net_def_free(MvDomainNetDef *net);
MvDomainDiskDef *mv_domain_disk_def_copy(const MvDomainDiskDef *disk);
MvDomainNetDef *mv_domain_net_def_copy(const MvDomainNetDef *net);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvDomainDiskDef, mv_domain_disk_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvDomainNetDef, mv_domain_net_def_free)

/**
 * mv_domain_vcpus_boot_count: the vCPUs QEMU boots with (-smp N): the leading
 * enabled ones of <vcpus>, else <vcpu current>.
 * mv_domain_vcpus_ensure: gives @def a <vcpus> list when it has none (0..current-1
 * enabled and not hotpluggable, the others disabled and hotpluggable).
 */
unsigned int mv_domain_vcpus_boot_count(const MvDomainDef *def);
void mv_domain_vcpus_ensure(MvDomainDef *def);

/* <memory model='dimm'> devices (domain-memdev.c) */
void mv_domain_memdev_def_free(MvDomainMemdevDef *mem);
MvDomainMemdevDef *mv_domain_memdev_def_copy(const MvDomainMemdevDef *mem);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvDomainMemdevDef, mv_domain_memdev_def_free)
/** mv_domain_memdev_def_format: the device's XML at @indent spaces, appended to @out. */
void mv_domain_memdev_def_format(GString *out, const MvDomainMemdevDef *mem, int indent,
                                 unsigned int flags);
/** mv_domain_def_memdev_total: the KiB of every memory device of @def. */
guint64 mv_domain_def_memdev_total(const MvDomainDef *def);
/**
 * mv_domain_def_check_memdevs:
 * Memory devices need <maxMemory slots>, fit its slots (distinct slot numbers
 * below it) and leave boot memory: <memory> counts them and must be larger.
 */
bool mv_domain_def_check_memdevs(const MvDomainDef *def, GError **error);

/** mv_domain_def_find_disk: index of the disk with target @dev, or -1. */
int mv_domain_def_find_disk(const MvDomainDef *def, const char *target_dev);
/** mv_domain_def_find_net: index of the interface with @mac, or -1. */
int mv_domain_def_find_net(const MvDomainDef *def, const guint8 mac[6]);

/** mv_domain_lifecycle_action_to_string / from_string: "destroy", "restart", … */
const char *mv_domain_lifecycle_action_to_string(MvDomainLifecycleAction action);
/* -1 for an unknown string. */
int mv_domain_lifecycle_action_from_string(const char *str);

G_END_DECLS
