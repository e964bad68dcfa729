/* qemu-domain-check: which host paths and emulators a definition may use,
 * and the XML size limit, on a private directory tree. */
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "conf/domain-conf.h"
#include "qemu-domain-check.h"
#include "remote-protocol.h"
#include "util/error.h"

typedef struct {
    char *root;
    MvPaths *paths;
    char **denied;
} Tree;

static void
tree_init(Tree *t)
{
    g_autoptr(GError) error = NULL;

    t->root = g_dir_make_tmp("mvt-check-XXXXXX", &error);
    g_assert_no_error(error);
    t->paths = mv_paths_new(t->root);
    g_assert_true(mv_paths_ensure(t->paths, &error));
    g_assert_no_error(error);
    t->denied = mv_qemu_domain_check_denied_paths(t->paths, NULL);
}

static void
tree_clear(Tree *t)
{
    g_autofree char *argv0 = g_find_program_in_path("rm");
    const char *argv[] = { argv0, "-rf", t->root, NULL };

    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, 0, NULL, NULL, NULL, NULL, NULL,
                               NULL));
    g_strfreev(t->denied);
    mv_paths_free(t->paths);
    g_free(t->root);
}

static bool
allowed(Tree *t, const char *path, GError **error)
{
    return mv_qemu_domain_check_path((const char *const *)t->denied, "the disk", path, error);
}

static void
test_paths(void)
{
    static const struct {
        const char *rel;        /* under the root, or absolute when it starts with '/' */
        bool ok;
    } cases[] = {
        { "etc", false },
        { "etc/qemu.conf", false },
        { "etc/pki/serverkey.pem", false },
        { "run/qemu.sock", false },
        { "lib/qemu/x", false },
        { "lib/storage/pool/disk.qcow2", true },   /* pools live in the rest of lib/ */
        { "log/new/deeper/file.img", false },
        { "images/../etc/qemu.conf", false },
        { "nonexistent/../etc/x", false },
        { "etc2/disk.img", true },          /* a sibling with a common prefix */
        { "images/disk.img", true },
        { "images/new/disk.img", true },
        { "/etc/shadow", false },
        { "/etc/gshadow", false },
        { "/etc/pki/CA/cacert.pem", false },
        { "/etc/modvirt/pki/serverkey.pem", false },
        { "/etc/shadowy", true },
        { "/dev/null", true },
    };
    g_autofree char *images = NULL;
    Tree t;

    tree_init(&t);
    images = g_build_filename(t.root, "images", NULL);
    g_assert_cmpint(g_mkdir(images, 0755), ==, 0);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *path = cases[i].rel[0] == '/'
            ? g_strdup(cases[i].rel) : g_build_filename(t.root, cases[i].rel, NULL);
        g_autoptr(GError) error = NULL;
        bool ok = allowed(&t, path, &error);

        g_test_message("%s", path);
        g_assert_cmpint(ok, ==, cases[i].ok);
        if (!ok) {
            g_assert_true(mv_error_matches(error, MV_ERR_OPERATION_DENIED));
            g_assert_nonnull(strstr(error->message, path));
        }
    }
    tree_clear(&t);
}

/* A symlink (to a file or a directory) is judged by what it points to. */
static void
test_symlinks(void)
{
    g_autofree char *images = NULL;
    g_autofree char *file_link = NULL;
    g_autofree char *dir_link = NULL;
    g_autofree char *target = NULL;
    g_autofree char *via_dir = NULL;
    g_autofree char *run = NULL;
    g_autoptr(GError) error = NULL;
    Tree t;

    tree_init(&t);
    images = g_build_filename(t.root, "images", NULL);
    file_link = g_build_filename(images, "disk.img", NULL);
    dir_link = g_build_filename(images, "sub", NULL);
    target = g_build_filename(t.root, "etc", "qemu.conf", NULL);
    via_dir = g_build_filename(dir_link, "not-yet.img", NULL);
    g_assert_cmpint(g_mkdir(images, 0755), ==, 0);
    g_assert_true(g_file_set_contents(target, "", 0, NULL));

    g_assert_true(g_file_set_contents(file_link, "", 0, NULL));
    g_assert_true(allowed(&t, file_link, &error));
    g_assert_cmpint(unlink(file_link), ==, 0);
    g_assert_cmpint(symlink(target, file_link), ==, 0);
    g_assert_false(allowed(&t, file_link, &error));
    g_assert_nonnull(strstr(error->message, "resolves to"));
    g_clear_error(&error);

    run = g_build_filename(t.root, "run", NULL);
    g_assert_cmpint(symlink(run, dir_link), ==, 0);
    g_assert_false(allowed(&t, via_dir, &error));
    g_clear_error(&error);
    g_assert_false(allowed(&t, "relative/disk.img", &error));
    g_assert_nonnull(strstr(error->message, "absolute"));
    tree_clear(&t);
}

static MvDomainDef *
parse(const char *devices)
{
    g_autofree char *xml = g_strdup_printf(
        "<domain type='kvm'><name>c</name><memory>65536</memory><os><type>hvm</type></os>"
        "<devices>%s</devices></domain>", devices);
    g_autoptr(GError) error = NULL;
    MvDomainDef *def = mv_domain_def_parse_string(xml, 0, &error);

    g_assert_no_error(error);
    return def;
}

static void
test_emulator(void)
{
    g_autofree char *sh = g_find_program_in_path("sh");
    g_autofree char *true_bin = g_find_program_in_path("true");
    g_autofree char *dir = g_dir_make_tmp("mvt-emu-XXXXXX", NULL);
    g_autofree char *link = g_build_filename(dir, "qemu", NULL);
    g_autofree char *dev = NULL;
    const char *const listed[] = { "/nonexistent/other", NULL };
    g_autoptr(MvDomainDef) none = parse("");
    g_autoptr(MvDomainDef) def = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_nonnull(sh);
    g_assert_nonnull(true_bin);
    g_assert_true(mv_qemu_domain_check_emulator(none, true_bin, NULL, &error));

    dev = g_strdup_printf("<emulator>%s</emulator>", true_bin);
    def = parse(dev);
    g_assert_true(mv_qemu_domain_check_emulator(def, true_bin, NULL, &error));
    g_assert_false(mv_qemu_domain_check_emulator(def, sh, listed, &error));
    g_assert_true(mv_error_matches(error, MV_ERR_CONFIG_UNSUPPORTED));
    g_assert_nonnull(strstr(error->message, true_bin));
    g_clear_error(&error);

    /* through a symlink to the probed binary: the same file */
    g_assert_cmpint(symlink(true_bin, link), ==, 0);
    g_clear_pointer(&def, mv_domain_def_free);
    g_free(dev);
    dev = g_strdup_printf("<emulator>%s</emulator>", link);
    def = parse(dev);
    g_assert_true(mv_qemu_domain_check_emulator(def, true_bin, NULL, &error));
    g_assert_false(mv_qemu_domain_check_emulator(def, sh, NULL, &error));
    g_clear_error(&error);
    g_assert_cmpint(unlink(link), ==, 0);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
}

static void
test_config(void)
{
    static const struct {
        const char *text;
        bool ok;
    } cases[] = {
        { "", true },
        { "[qemu]\nemulators=/bin/sh\n", true },
        { "[qemu]\nemulators=sh\n", false },
        { "[qemu]\nemulators=/nonexistent/qemu\n", false },
        { "[qemu]\ndeny_paths=/srv/pki;/srv/other\n", true },
        { "[qemu]\ndeny_paths=srv/pki\n", false },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GKeyFile) kf = g_key_file_new();
        g_autoptr(GError) error = NULL;
        gpointer conf;

        g_assert_true(g_key_file_load_from_data(kf, cases[i].text, -1, 0, NULL));
        conf = mv_qemu_config_read(NULL, kf, &error);
        g_test_message("%s", cases[i].text);
        g_assert_cmpint(conf != NULL, ==, cases[i].ok);
        g_assert_cmpint(error == NULL, ==, cases[i].ok);
        mv_qemu_config_free(conf);
    }
}

static void
test_size(void)
{
    const size_t limit = MV_REMOTE_STRING_MAX - MV_QEMU_DOMAIN_XML_LIVE_RESERVE;
    g_autoptr(MvDomainDef) def = parse("");
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = NULL;
    size_t base;

    def->description = g_strdup("");
    xml = mv_domain_def_format(def, -1, MV_DOMAIN_DEF_FORMAT_SECURE);
    base = strlen(xml);     /* with an empty <description> */
    g_free(def->description);
    def->description = g_strnfill(limit - base, 'x');
    g_clear_pointer(&xml, g_free);
    xml = mv_domain_def_format(def, -1, MV_DOMAIN_DEF_FORMAT_SECURE);
    g_assert_cmpuint(strlen(xml), ==, limit);
    g_assert_true(mv_qemu_domain_check_size(def, &error));
    g_free(def->description);
    def->description = g_strnfill(limit - base + 1, 'x');
    g_assert_false(mv_qemu_domain_check_size(def, &error));
    g_assert_true(mv_error_matches(error, MV_ERR_CONFIG_UNSUPPORTED));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qemu-domain-check/paths", test_paths);
    g_test_add_func("/qemu-domain-check/symlinks", test_symlinks);
    g_test_add_func("/qemu-domain-check/emulator", test_emulator);
    g_test_add_func("/qemu-domain-check/config", test_config);
    g_test_add_func("/qemu-domain-check/size", test_size);
    return g_test_run();
}
