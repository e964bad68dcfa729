/* UEFI firmware autoselection from QEMU's firmware descriptors and the
 * per-guest NVRAM (see qemu-firmware.h). The descriptor format is QEMU's
 * docs/interop/firmware.json; only the fields modvirt needs are read. */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-firmware.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

#include "util/error.h"
#include "util/file.h"
#include "util/log.h"

/* Lowest priority first: a file in /etc/qemu/firmware replaces the one of the
 * same name shipped in /usr/share/qemu/firmware (QEMU's search rules). */
const char *const mv_qemu_firmware_default_dirs[] = {
    "/usr/share/qemu/firmware",
    "/etc/qemu/firmware",
    NULL,
};

#define MAX_DESCRIPTOR_SIZE (1024 * 1024)
#define MAX_NVRAM_SIZE (64 * 1024 * 1024)

void
mv_qemu_firmware_free(MvQemuFirmware *fw)
{
    if (!fw)
        return;
    g_free(fw->path);
    g_free(fw->executable);
    g_free(fw->nvram_template);
    g_strfreev(fw->machines);
    g_strfreev(fw->features);
    g_free(fw);
}

/* The strings of array member @name of @obj; NULL when absent. */
static char **
json_strings(JsonObject *obj, const char *name)
{
    JsonArray *array;
    GPtrArray *out;

    if (!json_object_has_member(obj, name) ||
        !JSON_NODE_HOLDS_ARRAY(json_object_get_member(obj, name)))
        return NULL;
    array = json_object_get_array_member(obj, name);
    out = g_ptr_array_new();
    for (guint i = 0; i < json_array_get_length(array); i++) {
        JsonNode *node = json_array_get_element(array, i);

        if (JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == G_TYPE_STRING)
            g_ptr_array_add(out, g_strdup(json_node_get_string(node)));
    }
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}

static const char *
json_string(JsonObject *obj, const char *name)
{
    JsonNode *node;

    if (!obj || !json_object_has_member(obj, name))
        return NULL;
    node = json_object_get_member(obj, name);
    if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING)
        return NULL;
    return json_node_get_string(node);
}

static JsonObject *
json_object(JsonObject *obj, const char *name)
{
    if (!obj || !json_object_has_member(obj, name) ||
        !JSON_NODE_HOLDS_OBJECT(json_object_get_member(obj, name)))
        return NULL;
    return json_object_get_object_member(obj, name);
}

/* mapping.{executable,nvram-template}: a filename in raw format. */
static char *
mapping_image(JsonObject *mapping, const char *name, bool *raw)
{
    JsonObject *image = json_object(mapping, name);
    const char *format = json_string(image, "format");

    if (!image)
        return NULL;
    if (format && !g_str_equal(format, "raw"))
        *raw = false;
    return g_strdup(json_string(image, "filename"));
}

MvQemuFirmware *
mv_qemu_firmware_parse(const char *path, const char *data, GError **error)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(MvQemuFirmware) fw = g_new0(MvQemuFirmware, 1);
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) interfaces = NULL;
    JsonObject *root, *mapping;
    JsonArray *targets;
    const char *device;
    bool raw = true;

    fw->path = g_strdup(path);
    if (!json_parser_load_from_data(parser, data, -1, &err) ||
        !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                     "firmware descriptor %s is not a JSON object: %s", path,
                     err ? err->message : "wrong type");
        return NULL;
    }
    root = json_node_get_object(json_parser_get_root(parser));
    interfaces = json_strings(root, "interface-types");
    fw->uefi = interfaces && g_strv_contains((const char *const *)interfaces, "uefi");
    if (!(mapping = json_object(root, "mapping"))) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                     "firmware descriptor %s has no 'mapping'", path);
        return NULL;
    }
    device = json_string(mapping, "device");
    fw->executable = mapping_image(mapping, "executable", &raw);
    fw->nvram_template = mapping_image(mapping, "nvram-template", &raw);
    fw->flash = g_strcmp0(device, "flash") == 0 && fw->executable && raw;
    fw->features = json_strings(root, "features");
    if (!fw->features)
        fw->features = g_new0(char *, 1);
    if (json_object_has_member(root, "targets") &&
        JSON_NODE_HOLDS_ARRAY(json_object_get_member(root, "targets"))) {
        targets = json_object_get_array_member(root, "targets");
        for (guint i = 0; i < json_array_get_length(targets); i++) {
            JsonNode *node = json_array_get_element(targets, i);
            JsonObject *target = JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node)
                                                              : NULL;

            if (g_strcmp0(json_string(target, "architecture"), "x86_64") == 0 &&
                !fw->machines)
                fw->machines = json_strings(target, "machines");
        }
    }
    return g_steal_pointer(&fw);
}

static gint
compare_basename(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

GPtrArray *
mv_qemu_firmware_load(const char *const *dirs)
{
    g_autoptr(GHashTable) by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                          g_free);
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    GPtrArray *fws = g_ptr_array_new_with_free_func((GDestroyNotify)mv_qemu_firmware_free);
    GHashTableIter iter;
    gpointer key;

    for (; dirs && *dirs; dirs++) {
        g_autoptr(GDir) dir = g_dir_open(*dirs, 0, NULL);
        const char *name;

        while (dir && (name = g_dir_read_name(dir))) {
            if (g_str_has_suffix(name, ".json"))
                g_hash_table_insert(by_name, g_strdup(name), g_build_filename(*dirs, name, NULL));
        }
    }
    g_hash_table_iter_init(&iter, by_name);
    while (g_hash_table_iter_next(&iter, &key, NULL))
        g_ptr_array_add(names, key);
    g_ptr_array_sort(names, compare_basename);
    for (guint i = 0; i < names->len; i++) {
        const char *path = g_hash_table_lookup(by_name, names->pdata[i]);
        g_autofree char *data = NULL;
        g_autoptr(GError) err = NULL;
        MvQemuFirmware *fw;
        gsize len = 0;

        if (!mv_file_read_all(path, MAX_DESCRIPTOR_SIZE, &data, &len, &err)) {
            mv_log_debug("skipping firmware descriptor %s: %s", path, err->message);
            continue;
        }
        if (len == 0)
            continue;   /* an empty file hides a lower-priority one of that name */
        if (!(fw = mv_qemu_firmware_parse(path, data, &err))) {
            mv_log_debug("skipping firmware descriptor: %s", err->message);
            continue;
        }
        g_ptr_array_add(fws, fw);
    }
    return fws;
}

bool
mv_qemu_firmware_has_feature(const MvQemuFirmware *fw, const char *feature)
{
    return fw->features && g_strv_contains((const char *const *)fw->features, feature);
}

static bool
firmware_matches_machine(const MvQemuFirmware *fw, const char *machine)
{
    for (char **m = fw->machines; m && *m; m++) {
        if (g_pattern_match_simple(*m, machine))
            return true;
    }
    return false;
}

static bool
firmware_matches(const MvQemuFirmware *fw, const MvDomainOsDef *os, const char *machine)
{
    if (!fw->uefi || !fw->flash || !firmware_matches_machine(fw, machine))
        return false;
    if (os->loader && g_strcmp0(os->loader, fw->executable) != 0)
        return false;
    if (os->loader_secure >= 0 &&
        mv_qemu_firmware_has_feature(fw, "secure-boot") != (os->loader_secure == 1))
        return false;
    for (size_t i = 0; i < os->nfirmware_features; i++) {
        const MvDomainFirmwareFeature *f = &os->firmware_features[i];

        if (mv_qemu_firmware_has_feature(fw, f->name) != f->enabled)
            return false;
    }
    return true;
}

const MvQemuFirmware *
mv_qemu_firmware_select(GPtrArray *fws, const MvDomainOsDef *os, const char *machine,
                        GError **error)
{
    g_autoptr(GString) asked = g_string_new(NULL);

    for (guint i = 0; fws && i < fws->len; i++) {
        const MvQemuFirmware *fw = fws->pdata[i];

        if (firmware_matches(fw, os, machine)) {
            mv_log_debug("firmware for machine '%s': %s", machine, fw->path);
            return fw;
        }
    }
    for (size_t i = 0; i < os->nfirmware_features; i++)
        g_string_append_printf(asked, ", %s %s", os->firmware_features[i].name,
                               os->firmware_features[i].enabled ? "enabled" : "disabled");
    if (os->loader_secure >= 0)
        g_string_append_printf(asked, ", loader secure='%s'", os->loader_secure ? "yes" : "no");
    if (os->loader)
        g_string_append_printf(asked, ", loader %s", os->loader);
    mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                 "no UEFI firmware for machine '%s'%s among the %u descriptors in "
                 "/usr/share/qemu/firmware and /etc/qemu/firmware: install the 'ovmf' "
                 "package, or change the machine type or the <firmware> features",
                 machine, asked->str, fws ? fws->len : 0);
    return NULL;
}

/* The enabled firmware features the chosen descriptor provides, for the live XML. */
static void
fill_features(MvDomainOsDef *os, const MvQemuFirmware *fw)
{
    static const char *const names[] = { "enrolled-keys", "secure-boot" };

    for (size_t i = 0; i < os->nfirmware_features; i++)
        g_free(os->firmware_features[i].name);
    g_free(os->firmware_features);
    os->firmware_features = g_new0(MvDomainFirmwareFeature, G_N_ELEMENTS(names));
    os->nfirmware_features = G_N_ELEMENTS(names);
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        os->firmware_features[i].name = g_strdup(names[i]);
        os->firmware_features[i].enabled = mv_qemu_firmware_has_feature(fw, names[i]);
    }
}

bool
mv_qemu_firmware_fill(GPtrArray *fws, MvDomainOsDef *os, const char *machine,
                      const char *default_nvram, GError **error)
{
    bool efi = g_strcmp0(os->firmware, "efi") == 0;

    if (efi) {
        const MvQemuFirmware *fw;

        if (os->loader_type && !g_str_equal(os->loader_type, "pflash"))
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                                "firmware='efi' needs a pflash loader, not type '%s'",
                                os->loader_type);
        if (!(fw = mv_qemu_firmware_select(fws, os, machine, error)))
            return false;
        g_free(os->loader);
        os->loader = g_strdup(fw->executable);
        g_free(os->loader_type);
        os->loader_type = g_strdup("pflash");
        os->loader_readonly = true;
        os->loader_secure = mv_qemu_firmware_has_feature(fw, "requires-smm");
        if (!os->nvram_template)
            os->nvram_template = g_strdup(fw->nvram_template);
        fill_features(os, fw);
    } else if (os->loader && os->loader_readonly && g_strcmp0(os->loader_type, "pflash") == 0 &&
               !os->nvram_template) {
        /* a pflash loader named by path: its template from the descriptor that
         * ships that executable, as libvirt does */
        for (guint i = 0; fws && i < fws->len; i++) {
            const MvQemuFirmware *fw = fws->pdata[i];

            if (g_strcmp0(fw->executable, os->loader) == 0 && fw->nvram_template) {
                os->nvram_template = g_strdup(fw->nvram_template);
                break;
            }
        }
    }
    if (!os->nvram && mv_qemu_firmware_nvram_path(os, default_nvram))
        os->nvram = g_strdup(default_nvram);
    return true;
}

const char *
mv_qemu_firmware_nvram_path(const MvDomainOsDef *os, const char *default_nvram)
{
    if (os->nvram)
        return os->nvram;
    if (g_strcmp0(os->firmware, "efi") == 0 ||
        (os->loader && os->loader_readonly && g_strcmp0(os->loader_type, "pflash") == 0))
        return default_nvram;
    return NULL;
}

bool
mv_qemu_firmware_prepare_nvram(const MvDomainOsDef *os, bool reset, GError **error)
{
    g_autofree char *data = NULL;
    g_autofree char *dir = NULL;
    gsize len = 0;

    if (!os->nvram)
        return true;
    if (!reset && g_file_test(os->nvram, G_FILE_TEST_EXISTS))
        return true;
    if (!os->nvram_template) {
        if (reset)
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                                "cannot reset NVRAM %s: the domain has no NVRAM template "
                                "(give <nvram template='…'>)", os->nvram);
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                            "NVRAM file %s does not exist and there is no template to "
                            "create it from: give <nvram template='…'> or create the file",
                            os->nvram);
    }
    if (!mv_file_read_all(os->nvram_template, MAX_NVRAM_SIZE, &data, &len, error)) {
        g_prefix_error(error, "cannot read the NVRAM template: ");
        return false;
    }
    dir = g_path_get_dirname(os->nvram);
    if (!mv_file_mkdir_p(dir, 0700, error) ||
        !mv_file_write_atomic(os->nvram, data, len, 0600, error)) {
        g_prefix_error(error, "cannot create NVRAM %s from %s: ", os->nvram, os->nvram_template);
        return false;
    }
    mv_log_debug("NVRAM %s created from %s", os->nvram, os->nvram_template);
    return true;
}
