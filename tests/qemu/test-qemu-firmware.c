/* qemu-firmware.c: descriptor parsing, search-path rules, the choice of a
 * firmware for <os firmware='efi'> and the per-guest NVRAM. The descriptors
 * are written to a temporary directory: the same shapes as QEMU's and the
 * 'ovmf' package's, so the result never depends on what the host has. */
#include <glib/gstdio.h>
#include <string.h>

#include "qemu-firmware.h"
#include "util/error.h"

#define DESCRIPTOR(code, vars, machines, features)                                  \
    "{ \"interface-types\": [\"uefi\"], \"mapping\": { \"device\": \"flash\","       \
    " \"executable\": { \"filename\": \"" code "\", \"format\": \"raw\" },"          \
    " \"nvram-template\": { \"filename\": \"" vars "\", \"format\": \"raw\" } },"    \
    " \"targets\": [ { \"architecture\": \"x86_64\", \"machines\": [" machines "] } ]," \
    " \"features\": [" features "], \"tags\": [] }"

typedef struct {
    char *dir;
    char *usr;
    char *etc;
    GPtrArray *fws;
} Fixture;

static void
write_descriptor(const char *dir, const char *name, const char *text)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);

    g_assert_true(g_file_set_contents(path, text, -1, NULL));
}

static void
fixture_setup(Fixture *f, gconstpointer data)
{
    const char *dirs[3];

    f->dir = g_dir_make_tmp("mv-firmware-XXXXXX", NULL);
    f->usr = g_build_filename(f->dir, "usr", NULL);
    f->etc = g_build_filename(f->dir, "etc", NULL);
    g_mkdir(f->usr, 0755);
    g_mkdir(f->etc, 0755);
    write_descriptor(f->usr, "40-secure-enrolled.json",
          DESCRIPTOR("/fw/CODE.ms.fd", "/fw/VARS.ms.fd", "\"pc-q35-*\"",
                     "\"enrolled-keys\", \"requires-smm\", \"secure-boot\""));
    write_descriptor(f->usr, "50-secure.json",
          DESCRIPTOR("/fw/CODE.secboot.fd", "/fw/VARS.fd", "\"pc-q35-*\"",
                     "\"requires-smm\", \"secure-boot\""));
    write_descriptor(f->usr, "60-plain.json",
          DESCRIPTOR("/fw/CODE.fd", "/fw/VARS.fd", "\"pc-i440fx-*\", \"pc-q35-*\"",
                     "\"acpi-s3\""));
    write_descriptor(f->usr, "70-bios.json",
          "{ \"interface-types\": [\"bios\"], \"mapping\": { \"device\": \"memory\","
          " \"filename\": \"/fw/bios.bin\" }, \"targets\": [ { \"architecture\": \"x86_64\","
          " \"machines\": [\"pc-*\"] } ], \"features\": [] }");
    write_descriptor(f->usr, "80-broken.json", "{ not json");
    write_descriptor(f->usr, "README", "not a descriptor");
    dirs[0] = f->usr;
    dirs[1] = f->etc;
    dirs[2] = NULL;
    if (data)   /* the administrator hides the enrolled-keys firmware */
        write_descriptor(f->etc, "40-secure-enrolled.json", "");
    f->fws = mv_qemu_firmware_load(dirs);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
    g_autoptr(GDir) d = NULL;
    const char *name;

    for (int i = 0; i < 2; i++) {
        const char *sub = i ? f->etc : f->usr;

        d = g_dir_open(sub, 0, NULL);
        while ((name = g_dir_read_name(d))) {
            g_autofree char *p = g_build_filename(sub, name, NULL);
            g_unlink(p);
        }
        g_clear_pointer(&d, g_dir_close);
        g_rmdir(sub);
    }
    g_rmdir(f->dir);
    g_free(f->dir);
    g_free(f->usr);
    g_free(f->etc);
    g_ptr_array_unref(f->fws);
}

static MvDomainOsDef
efi_os(void)
{
    return (MvDomainOsDef){ .firmware = (char *)"efi", .loader_secure = -1 };
}

static void
test_load(Fixture *f, gconstpointer data)
{
    /* the broken and the README files are skipped; order is by file name */
    g_assert_cmpuint(f->fws->len, ==, 4);
    g_assert_cmpstr(((MvQemuFirmware *)f->fws->pdata[0])->executable, ==, "/fw/CODE.ms.fd");
    g_assert_true(((MvQemuFirmware *)f->fws->pdata[0])->flash);
    g_assert_false(((MvQemuFirmware *)f->fws->pdata[3])->uefi);
}

static void
test_select_first_match(Fixture *f, gconstpointer data)
{
    MvDomainOsDef os = efi_os();
    g_autoptr(GError) error = NULL;
    const MvQemuFirmware *fw;

    fw = mv_qemu_firmware_select(f->fws, &os, "pc-q35-7.2", &error);
    g_assert_no_error(error);
    g_assert_cmpstr(fw->executable, ==, "/fw/CODE.ms.fd");
    fw = mv_qemu_firmware_select(f->fws, &os, "pc-i440fx-7.2", &error);
    g_assert_no_error(error);
    g_assert_cmpstr(fw->executable, ==, "/fw/CODE.fd");
}

static void
test_select_features(Fixture *f, gconstpointer data)
{
    MvDomainFirmwareFeature no_keys[] = { { (char *)"enrolled-keys", false } };
    MvDomainFirmwareFeature no_sb[] = { { (char *)"secure-boot", false } };
    MvDomainFirmwareFeature sb[] = { { (char *)"secure-boot", true } };
    MvDomainOsDef os = efi_os();
    g_autoptr(GError) error = NULL;
    const MvQemuFirmware *fw;

    os.firmware_features = no_keys;
    os.nfirmware_features = 1;
    fw = mv_qemu_firmware_select(f->fws, &os, "pc-q35-7.2", &error);
    g_assert_cmpstr(fw->executable, ==, "/fw/CODE.secboot.fd");
    os.firmware_features = no_sb;
    fw = mv_qemu_firmware_select(f->fws, &os, "pc-q35-7.2", &error);
    g_assert_cmpstr(fw->executable, ==, "/fw/CODE.fd");
    os.firmware_features = NULL;
    os.nfirmware_features = 0;
    os.loader_secure = 0;   /* <loader secure='no'> */
    fw = mv_qemu_firmware_select(f->fws, &os, "pc-q35-7.2", &error);
    g_assert_cmpstr(fw->executable, ==, "/fw/CODE.fd");
    /* secure boot on i440fx: nothing fits, and the error says what was asked */
    os.loader_secure = -1;
    os.firmware_features = sb;
    os.nfirmware_features = 1;
    g_assert_null(mv_qemu_firmware_select(f->fws, &os, "pc-i440fx-7.2", &error));
    g_assert_error(error, MV_ERROR, MV_ERR_CONFIG_UNSUPPORTED);
    g_assert_nonnull(strstr(error->message, "'pc-i440fx-7.2', secure-boot enabled"));
    g_assert_nonnull(strstr(error->message, "install the 'ovmf' package"));
}

static void
test_etc_hides(Fixture *f, gconstpointer data)
{
    MvDomainOsDef os = efi_os();
    g_autoptr(GError) error = NULL;
    const MvQemuFirmware *fw;

    g_assert_cmpuint(f->fws->len, ==, 3);
    fw = mv_qemu_firmware_select(f->fws, &os, "pc-q35-7.2", &error);
    g_assert_cmpstr(fw->executable, ==, "/fw/CODE.secboot.fd");
}

static void
test_fill(Fixture *f, gconstpointer data)
{
    MvDomainOsDef os = { .loader_secure = -1 };
    g_autoptr(GError) error = NULL;

    os.firmware = g_strdup("efi");
    g_assert_true(mv_qemu_firmware_fill(f->fws, &os, "pc-q35-7.2", "/nv/g_VARS.fd", &error));
    g_assert_cmpstr(os.loader, ==, "/fw/CODE.ms.fd");
    g_assert_cmpstr(os.loader_type, ==, "pflash");
    g_assert_true(os.loader_readonly);
    g_assert_cmpint(os.loader_secure, ==, 1);   /* requires-smm */
    g_assert_cmpstr(os.nvram, ==, "/nv/g_VARS.fd");
    g_assert_cmpstr(os.nvram_template, ==, "/fw/VARS.ms.fd");
    g_assert_cmpuint(os.nfirmware_features, ==, 2);
    g_assert_true(os.firmware_features[0].enabled && os.firmware_features[1].enabled);
    g_free(os.firmware);
    g_free(os.loader);
    g_free(os.loader_type);
    g_free(os.nvram);
    g_free(os.nvram_template);
    for (size_t i = 0; i < os.nfirmware_features; i++)
        g_free(os.firmware_features[i].name);
    g_free(os.firmware_features);

    /* a pflash loader by path: the template comes from its descriptor */
    os = (MvDomainOsDef){ .loader_secure = -1, .loader_readonly = true };
    os.loader = g_strdup("/fw/CODE.fd");
    os.loader_type = g_strdup("pflash");
    g_assert_true(mv_qemu_firmware_fill(f->fws, &os, "pc-i440fx-7.2", "/nv/p_VARS.fd", &error));
    g_assert_cmpstr(os.nvram_template, ==, "/fw/VARS.fd");
    g_assert_cmpstr(os.nvram, ==, "/nv/p_VARS.fd");
    g_free(os.loader);
    g_free(os.loader_type);
    g_free(os.nvram);
    g_free(os.nvram_template);
}

static void
test_nvram(Fixture *f, gconstpointer data)
{
    g_autofree char *tmpl = g_build_filename(f->usr, "VARS.tmpl", NULL);
    g_autofree char *nvram = g_build_filename(f->etc, "VARS.fd", NULL);
    MvDomainOsDef os = { .nvram = nvram, .nvram_template = tmpl };
    g_autoptr(GError) error = NULL;
    g_autofree char *text = NULL;
    GStatBuf st;

    g_assert_true(g_file_set_contents(tmpl, "template", -1, NULL));
    g_assert_true(mv_qemu_firmware_prepare_nvram(&os, false, &error));
    g_assert_true(g_file_get_contents(nvram, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "template");
    g_assert_cmpint(g_stat(nvram, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0600);
    /* an existing store is the guest's: kept, unless reset */
    g_assert_true(g_file_set_contents(nvram, "guest", -1, NULL));
    g_assert_true(mv_qemu_firmware_prepare_nvram(&os, false, &error));
    g_clear_pointer(&text, g_free);
    g_assert_true(g_file_get_contents(nvram, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "guest");
    g_assert_true(mv_qemu_firmware_prepare_nvram(&os, true, &error));
    g_clear_pointer(&text, g_free);
    g_assert_true(g_file_get_contents(nvram, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "template");
    /* no template: a missing store is an error naming it */
    g_unlink(nvram);
    os.nvram_template = NULL;
    g_assert_false(mv_qemu_firmware_prepare_nvram(&os, false, &error));
    g_assert_nonnull(strstr(error->message, nvram));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn, data) \
    g_test_add(path, Fixture, data, fixture_setup, fn, fixture_teardown)
    ADD("/qemu-firmware/load", test_load, NULL);
    ADD("/qemu-firmware/select-first-match", test_select_first_match, NULL);
    ADD("/qemu-firmware/select-features", test_select_features, NULL);
    ADD("/qemu-firmware/etc-hides", test_etc_hides, "hide");
    ADD("/qemu-firmware/fill", test_fill, NULL);
    ADD("/qemu-firmware/nvram", test_nvram, NULL);
    return g_test_run();
}
