/* UEFI firmware for <os firmware='efi'>: QEMU's firmware descriptor files
 * (docs/interop/firmware.json in QEMU: the *.json files of /usr/share/qemu/firmware, shipped
 * by the 'ovmf' package), the choice of one for a domain, and the per-guest
 * NVRAM (variable store) copied from the descriptor's template. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "conf/domain-def.h"

G_BEGIN_DECLS

/* One descriptor, as far as modvirt uses it: UEFI on flash, raw images. */
typedef struct {
    char *path;             /* the descriptor file */
    char *executable;       /* mapping.executable.filename */
    char *nvram_template;   /* mapping.nvram-template.filename; NULL: none */
    bool uefi;              /* "uefi" among interface-types */
    bool flash;             /* mapping.device "flash", both images raw */
    char **machines;        /* glob patterns of the x86_64 target; NULL: no such target */
    char **features;        /* "secure-boot", "enrolled-keys", "requires-smm", … */
} MvQemuFirmware;

void mv_qemu_firmware_free(MvQemuFirmware *fw);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvQemuFirmware, mv_qemu_firmware_free)

/* The directories searched by default, lowest priority first. */
extern const char *const mv_qemu_firmware_default_dirs[];

/**
 * mv_qemu_firmware_parse:
 * Parses one descriptor (JSON text @data read from @path). Returns a new
 * descriptor, or NULL with MV_ERR_CONFIG_UNSUPPORTED naming @path and the field.
 */
MvQemuFirmware *mv_qemu_firmware_parse(const char *path, const char *data, GError **error);

/**
 * mv_qemu_firmware_load:
 * The descriptors of @dirs (NULL-terminated, lowest priority first), ordered by
 * file name as QEMU's spec says; a file in a later directory replaces the one of
 * the same name in an earlier directory, and an empty one hides it. Unreadable or
 * malformed files are skipped (logged at debug). Returns a GPtrArray of
 * MvQemuFirmware (possibly empty; never NULL).
 */
GPtrArray *mv_qemu_firmware_load(const char *const *dirs);

/**
 * mv_qemu_firmware_select:
 * The first descriptor of @fws usable for @os on the canonical machine @machine
 * (x86_64): UEFI on raw flash, a target matching @machine, every
 * <firmware><feature> honoured (enabled='yes' present, 'no' absent), the
 * <loader secure=> and <loader> path (when given) matching. Returns a borrowed
 * pointer, or NULL with MV_ERR_CONFIG_UNSUPPORTED saying what was asked.
 */
const MvQemuFirmware *mv_qemu_firmware_select(GPtrArray *fws, const MvDomainOsDef *os,
                                              const char *machine, GError **error);

/**
 * mv_qemu_firmware_has_feature:
 * Whether @fw lists @feature.
 */
bool mv_qemu_firmware_has_feature(const MvQemuFirmware *fw, const char *feature);

/**
 * mv_qemu_firmware_fill:
 * Resolves the firmware of a domain about to start (@os is the live copy):
 * firmware='efi' picks a descriptor (mv_qemu_firmware_select()) and fills
 * <loader readonly type='pflash' secure>, <nvram template> and the enabled
 * firmware features; a read-only pflash loader without <nvram> gets
 * @default_nvram. Does nothing for other domains.
 */
bool mv_qemu_firmware_fill(GPtrArray *fws, MvDomainOsDef *os, const char *machine,
                           const char *default_nvram, GError **error);

/**
 * mv_qemu_firmware_prepare_nvram:
 * Creates @os->nvram from @os->nvram_template when it does not exist, or
 * always when @reset (the RESET_NVRAM start flag): copied to a temporary file
 * next to it, fsynced and renamed, mode 0600, so a crash leaves the old store
 * or the new one. Without a template a missing store is an error.
 */
bool mv_qemu_firmware_prepare_nvram(const MvDomainOsDef *os, bool reset, GError **error);

/**
 * mv_qemu_firmware_nvram_path:
 * The variable store @os uses: its <nvram>, else @default_nvram when the
 * domain has UEFI (firmware='efi' or a read-only pflash loader), else NULL.
 */
const char *mv_qemu_firmware_nvram_path(const MvDomainOsDef *os, const char *default_nvram);

G_END_DECLS
