/* UEFI firmware and TPM at start and undefine (see qemu-domain-firmware.h). */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-domain-firmware.h"

#include "qemu-firmware.h"
#include "qemu-tpm.h"

#include <json-glib/json-glib.h>
#include "util/error.h"
#include "util/file.h"
#include "util/log.h"

char *
mv_qemu_domain_default_nvram(MvQemuDriver *driver, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s_VARS.fd", name);

    return g_build_filename(driver->lib_dir, "nvram", file, NULL);
}

/* The canonical name of @def's machine ("q35" -> "pc-q35-7.2"). */
static const char *
canonical_machine(MvQemuDriver *driver, const MvDomainDef *def)
{
    const MvQemuMachine *m = def->os.machine
                                 ? mv_qemu_probe_find_machine(driver->probe, def->os.machine)
                                 : mv_qemu_probe_get_default_machine(driver->probe);

    if (!m)
        return def->os.machine ? def->os.machine : "";
    if (m->canonical)
        return m->canonical;
    return m->name;
}

bool
mv_qemu_domain_prepare_firmware(MvQemuDriver *driver, MvDomainDef *live, bool reset_nvram,
                                GError **error)
{
    g_autofree char *nvram = mv_qemu_domain_default_nvram(driver, live->name);
    g_autoptr(GPtrArray) fws = NULL;

    if (g_strcmp0(live->os.firmware, "efi") == 0 || live->os.loader)
        fws = mv_qemu_firmware_load(mv_qemu_firmware_default_dirs);
    if (!mv_qemu_firmware_fill(fws, &live->os, canonical_machine(driver, live), nvram, error))
        return false;
    if (reset_nvram && !live->os.nvram)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                            "cannot reset the NVRAM of domain '%s': it has no UEFI firmware",
                            live->name);
    return mv_qemu_firmware_prepare_nvram(&live->os, reset_nvram, error);
}

bool
mv_qemu_domain_check_undefine_firmware(MvQemuDriver *driver, const MvDomainDef *def,
                                       unsigned int flags, GError **error)
{
    g_autofree char *nvram_default = mv_qemu_domain_default_nvram(driver, def->name);
    const char *nvram = mv_qemu_firmware_nvram_path(&def->os, nvram_default);

    if ((flags & MV_QEMU_UNDEFINE_NVRAM) && (flags & MV_QEMU_UNDEFINE_KEEP_NVRAM))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                            "cannot both keep and remove the NVRAM: give --nvram or "
                            "--keep-nvram, not both");
    if ((flags & MV_QEMU_UNDEFINE_TPM) && (flags & MV_QEMU_UNDEFINE_KEEP_TPM))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                            "cannot both keep and remove the TPM state: give --tpm or "
                            "--keep-tpm, not both");
    if (nvram && g_file_test(nvram, G_FILE_TEST_EXISTS) &&
        !(flags & (MV_QEMU_UNDEFINE_NVRAM | MV_QEMU_UNDEFINE_KEEP_NVRAM)))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: cannot undefine domain '%s' "
                            "with nvram %s: give --nvram to remove it or --keep-nvram to "
                            "keep it", def->name, nvram);
    return true;
}

bool
mv_qemu_domain_undefine_firmware(MvQemuDriver *driver, const MvDomainDef *def,
                                 unsigned int flags, GError **error)
{
    g_autofree char *nvram_default = mv_qemu_domain_default_nvram(driver, def->name);
    const char *nvram = mv_qemu_firmware_nvram_path(&def->os, nvram_default);

    if (nvram && (flags & MV_QEMU_UNDEFINE_NVRAM) && !mv_file_remove(nvram, error)) {
        g_prefix_error(error, "domain '%s' was undefined but its NVRAM stays: ", def->name);
        return false;
    }
    if (!(flags & MV_QEMU_UNDEFINE_KEEP_TPM) &&
        !mv_qemu_tpm_remove_state(driver->lib_dir, def->uuid, error)) {
        g_prefix_error(error, "domain '%s' was undefined but: ", def->name);
        return false;
    }
    return true;
}

bool
mv_qemu_domain_check_tpm(MvQemuMonitor *mon, MvDomainDef *live, GError **error)
{
    g_autoptr(JsonNode) reply = NULL;
    JsonArray *tpms;

    if (!live->tpm)
        return true;
    if (!(reply = mv_qemu_monitor_command(mon, "query-tpm", NULL, MV_QEMU_MONITOR_TIMEOUT_MS,
                                          error)))
        return false;
    tpms = JSON_NODE_HOLDS_ARRAY(reply) ? json_node_get_array(reply) : NULL;
    for (guint i = 0; tpms && i < json_array_get_length(tpms); i++) {
        JsonNode *node = json_array_get_element(tpms, i);
        JsonObject *tpm = JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
        JsonObject *options;

        /* query-tpm names the backend (-tpmdev id), the device is tpm0 */
        if (!tpm || g_strcmp0(json_object_get_string_member_with_default(tpm, "id", ""),
                              "tpm-tpm0") != 0)
            continue;
        options = json_object_has_member(tpm, "options") &&
                          JSON_NODE_HOLDS_OBJECT(json_object_get_member(tpm, "options"))
                      ? json_object_get_object_member(tpm, "options")
                      : NULL;
        if (g_strcmp0(json_object_get_string_member_with_default(tpm, "model", ""),
                      live->tpm->model) != 0 || !options ||
            g_strcmp0(json_object_get_string_member_with_default(options, "type", ""),
                      "emulator") != 0)
            break;
        g_free(live->tpm->alias);
        live->tpm->alias = g_strdup("tpm0");
        return true;
    }
    return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                        "QEMU does not report the emulated %s TPM 'tpm-tpm0' (query-tpm)",
                        live->tpm->model);
}
