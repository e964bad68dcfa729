/* Internals shared by domain-parse.c, domain-parse-devices.c, domain-format.c
 * and domain-util.c. Not for use outside common/conf. */
#pragma once

#include <libxml/tree.h>

#include "conf/domain-conf.h"
#include "util/xml.h"

G_BEGIN_DECLS

/* Value <-> string tables for the enums in domain-def.h. The from_string
 * functions return -1 for an unknown (or NULL) string. */
const char *mv_domain_virt_type_to_string(MvDomainVirtType type);
int mv_domain_virt_type_from_string(const char *str);
const char *mv_domain_boot_dev_to_string(MvDomainBootDev dev);
int mv_domain_boot_dev_from_string(const char *str);
const char *mv_domain_cpu_mode_to_string(MvDomainCpuMode mode);
int mv_domain_cpu_mode_from_string(const char *str);
const char *mv_domain_disk_bus_to_string(MvDomainDiskBus bus);
int mv_domain_disk_bus_from_string(const char *str);
const char *mv_domain_net_type_to_string(MvDomainNetType type);
int mv_domain_net_type_from_string(const char *str);
const char *mv_domain_chr_type_to_string(MvDomainChrSourceType type);
int mv_domain_chr_type_from_string(const char *str);
const char *mv_domain_chr_device_to_string(MvDomainChrDeviceType device);

/* Device parsers (domain-parse-devices.c). Each fills a new device from
 * @node, which has already been validated against domain-common.rng, and
 * returns NULL with @error set on a semantic error. @flags are
 * MvDomainDefParseFlags. */
MvDomainDiskDef *mv_domain_disk_def_parse_node(const xmlNode *node, unsigned int flags,
                                               GError **error);
MvDomainNetDef *mv_domain_net_def_parse_node(const xmlNode *node, unsigned int flags,
                                             GError **error);
/* After a failed schema validation of @root (a <domain>): when it has an
 * element modvirt knows but does not honour (domain-unsupported.c), replaces
 * @error with the reason, naming the element's path; returns true then. */
bool mv_domain_explain_refusal(const xmlNode *root, GError **error);

/* Parses every child of <devices> into @def. */
bool mv_domain_def_parse_devices(MvDomainDef *def, const xmlNode *devices, unsigned int flags,
                                 GError **error);

/* Formatting of the two hot-pluggable devices, also used by tests and the
 * device XML of events: appends at @indent spaces to @out. */
void mv_domain_disk_def_format(GString *out, const MvDomainDiskDef *disk, int indent,
                               unsigned int flags);
void mv_domain_net_def_format(GString *out, const MvDomainNetDef *net, int indent,
                              unsigned int flags);

/* <vcpus> (domain-vcpus.c): parsed after <vcpu>; formatted after it. */
bool mv_domain_vcpus_parse(MvDomainDef *def, const xmlNode *node, GError **error);
void mv_domain_vcpus_format(GString *out, const MvDomainDef *def);
MvDomainVcpuDef *mv_domain_vcpus_copy(const MvDomainDef *def);

/* <memory model='dimm'> devices (domain-memdev.c). */
MvDomainMemdevDef *mv_domain_memdev_def_parse_node(const xmlNode *node, unsigned int flags,
                                                   GError **error);

/* Frees for the device types that have no public free function. */
void mv_domain_controller_def_free(MvDomainControllerDef *ctrl);
void mv_domain_chr_def_free(MvDomainChrDef *chr);
void mv_domain_input_def_free(MvDomainInputDef *input);
void mv_domain_graphics_def_free(MvDomainGraphicsDef *graphics);
void mv_domain_video_def_free(MvDomainVideoDef *video);
void mv_domain_memballoon_def_free(MvDomainMemballoonDef *balloon);
void mv_domain_rng_def_free(MvDomainRngDef *rng);
void mv_domain_watchdog_def_free(MvDomainWatchdogDef *watchdog);
void mv_domain_tpm_def_free(MvDomainTpmDef *tpm);
void mv_domain_sound_def_free(MvDomainSoundDef *sound);
void mv_domain_redirdev_def_free(MvDomainRedirdevDef *redirdev);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvDomainControllerDef, mv_domain_controller_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvDomainChrDef, mv_domain_chr_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvDomainInputDef, mv_domain_input_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvDomainGraphicsDef, mv_domain_graphics_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvDomainVideoDef, mv_domain_video_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvDomainMemballoonDef, mv_domain_memballoon_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvDomainRngDef, mv_domain_rng_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvDomainWatchdogDef, mv_domain_watchdog_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvDomainTpmDef, mv_domain_tpm_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvDomainSoundDef, mv_domain_sound_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvDomainRedirdevDef, mv_domain_redirdev_def_free)

/* Parsing helpers: util/xml's generic readers (xml-props.c), reporting errors
 * as subsystem MV_FROM_DOMAIN. */
#define mv_domain_uint_prop(node, name, max, ret, error)                                    \
    mv_xml_prop_uint((node), (name), (max), (ret), MV_FROM_DOMAIN, (error))
#define mv_domain_check_children(node, rules, error)                                        \
    mv_xml_check_children((node), (rules), G_N_ELEMENTS(rules), 0, MV_FROM_DOMAIN, (error))

/* Appends n pointers: (*array)[*n] = item, growing the array. */
void mv_domain_ptr_array_append(gpointer **array, size_t *n, gpointer item);

G_END_DECLS
