/* What a domain's UEFI firmware and TPM mean for its start and undefine:
 * the driver-aware side of qemu-firmware.c and qemu-tpm.c. */
#pragma once

#include "qemu-driver.h"
#include "qemu-domain.h"
#include "qemu-monitor.h"

G_BEGIN_DECLS

/** mv_qemu_domain_default_nvram: <lib>/qemu/nvram/<name>_VARS.fd (new string). */
char *mv_qemu_domain_default_nvram(MvQemuDriver *driver, const char *name);

/**
 * mv_qemu_domain_prepare_firmware:
 * Before QEMU starts (@live is the running copy): firmware='efi' autoselection
 * from the firmware descriptors, <loader>/<nvram> filled in, the NVRAM created
 * from its template when missing or when @reset_nvram.
 */
bool mv_qemu_domain_prepare_firmware(MvQemuDriver *driver, MvDomainDef *live, bool reset_nvram,
                                     GError **error);

/* undefine flags (libvirt's VIR_DOMAIN_UNDEFINE_* values) */
#define MV_QEMU_UNDEFINE_NVRAM      (1u << 2)
#define MV_QEMU_UNDEFINE_KEEP_NVRAM (1u << 3)
#define MV_QEMU_UNDEFINE_TPM        (1u << 5)
#define MV_QEMU_UNDEFINE_KEEP_TPM   (1u << 6)

/**
 * mv_qemu_domain_check_undefine_firmware:
 * Refuses, as libvirt does, to undefine @def while its NVRAM file exists
 * unless @flags has NVRAM or KEEP_NVRAM, and NVRAM with KEEP_NVRAM or TPM with
 * KEEP_TPM. Touches nothing.
 */
bool mv_qemu_domain_check_undefine_firmware(MvQemuDriver *driver, const MvDomainDef *def,
                                            unsigned int flags, GError **error);

/**
 * mv_qemu_domain_undefine_firmware:
 * After the definition is gone: removes the NVRAM with the NVRAM flag, and the
 * TPM state unless KEEP_TPM (libvirt's default removes it too). Failures are
 * reported but the undefine stands.
 */
bool mv_qemu_domain_undefine_firmware(MvQemuDriver *driver, const MvDomainDef *def,
                                      unsigned int flags, GError **error);

/**
 * mv_qemu_domain_check_tpm:
 * Asks QEMU (query-tpm) for the TPM of @live, which must be there with the
 * model and emulator backend the definition gave; records its id as the
 * device alias of the live XML. A no-op without <tpm>.
 */
bool mv_qemu_domain_check_tpm(MvQemuMonitor *mon, MvDomainDef *live, GError **error);

G_END_DECLS
