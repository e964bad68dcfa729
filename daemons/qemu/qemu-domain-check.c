/* What a definition may ask of the host: the emulator, the host paths, the
 * size of its XML. See qemu-domain-check.h and docs/qemud.md. */
#include "qemu-domain-check.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/domain-conf.h"
#include "remote-driver.h"
#include "util/conf.h"
#include "util/error.h"

/* Host paths outside the daemon's --root that no guest may use: the PKI
 * directories (libvirt's, the proxy's system default) and the password files. */
static const char *const mv_qemu_denied_host_paths[] = {
    "/etc/pki/CA",
    "/etc/pki/libvirt",
    "/etc/pki/modvirt",
    "/etc/modvirt/pki",
    "/etc/shadow",
    "/etc/shadow-",
    "/etc/gshadow",
    "/etc/gshadow-",
};

/* ---- config ---- */

void
mv_qemu_config_free(gpointer data)
{
    MvQemuConfig *config = data;

    if (!config)
        return;
    g_strfreev(config->emulators);
    g_strfreev(config->deny_paths);
    g_free(config->emulator);
    g_free(config);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvQemuConfig, mv_qemu_config_free)

gpointer
mv_qemu_config_read(MvDaemon *daemon, GKeyFile *conf, GError **error)
{
    g_autoptr(MvQemuConfig) config = g_new0(MvQemuConfig, 1);

    if (!(config->emulators = mv_conf_get_string_list(conf, "qemu", "emulators", NULL, error)) &&
        g_key_file_has_key(conf, "qemu", "emulators", NULL))
        return NULL;
    for (char **e = config->emulators; e && *e; e++) {
        if (!g_path_is_absolute(*e) || !g_file_test(*e, G_FILE_TEST_IS_REGULAR) ||
            access(*e, X_OK) != 0) {
            mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX,
                         "[qemu] emulators: '%s' is not an absolute path to an executable "
                         "file: list the QEMU binaries guests may use", *e);
            return NULL;
        }
    }
    if (!(config->deny_paths = mv_conf_get_string_list(conf, "qemu", "deny_paths", NULL,
                                                        error)) &&
        g_key_file_has_key(conf, "qemu", "deny_paths", NULL))
        return NULL;
    for (char **p = config->deny_paths; p && *p; p++) {
        if (!g_path_is_absolute(*p)) {
            mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX,
                         "[qemu] deny_paths: '%s' is not an absolute path", *p);
            return NULL;
        }
    }
    /* Every [qemu] key is read here, so a malformed value stops the start (or
     * the reload) with an error naming the file, the group and the key. */
    if (!(config->emulator = mv_conf_get_string(conf, "qemu", "emulator", NULL, error)) &&
        g_key_file_has_key(conf, "qemu", "emulator", NULL))
        return NULL;
    if (g_key_file_has_key(conf, "qemu", "job_wait_ms", NULL)) {
        g_autoptr(GError) err = NULL;

        config->job_wait_ms = mv_conf_get_int(conf, "qemu", "job_wait_ms", 0, &err);
        if (err) {
            g_propagate_error(error, g_steal_pointer(&err));
            return NULL;
        }
        if (config->job_wait_ms < 1) {
            mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX,
                         "[qemu] job_wait_ms must be at least 1, not %d", config->job_wait_ms);
            return NULL;
        }
    }
    return g_steal_pointer(&config);
}

/* ---- paths ---- */

/* @path with symlinks and ".." resolved; for a path that does not exist
 * (yet), its nearest existing ancestor resolved and the rest appended. */
static char *
resolve_path(const char *path)
{
    g_autofree char *cur = g_strdup(path);
    g_autofree char *rest = g_strdup("");

    for (;;) {
        char *real = realpath(cur, NULL);
        char *slash;
        char *longer;

        if (real) {
            g_autofree char *joined = g_strconcat(real, rest, NULL);

            free(real);
            return g_canonicalize_filename(joined, "/");
        }
        if (!(slash = strrchr(cur, '/')) || slash == cur)
            return g_canonicalize_filename(path, "/");
        longer = g_strconcat(slash, rest, NULL);
        g_free(rest);
        rest = longer;
        *slash = '\0';
    }
}

char **
mv_qemu_domain_check_denied_paths(const MvPaths *paths, const char *const *extra)
{
    GPtrArray *out = g_ptr_array_new();
    /* Only qemud's own part of lib/: the rest of it holds storage pools and images. */
    g_autofree char *lib_qemu = mv_paths_data_dir(paths, "qemu");
    const char *const own[] = { paths->run_dir, paths->etc_dir, lib_qemu, paths->log_dir };

    for (size_t i = 0; i < G_N_ELEMENTS(own); i++)
        g_ptr_array_add(out, resolve_path(own[i]));
    for (size_t i = 0; i < G_N_ELEMENTS(mv_qemu_denied_host_paths); i++)
        g_ptr_array_add(out, resolve_path(mv_qemu_denied_host_paths[i]));
    for (size_t i = 0; extra && extra[i]; i++)
        g_ptr_array_add(out, resolve_path(extra[i]));
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}

static bool
path_is_within(const char *path, const char *dir)
{
    size_t len = strlen(dir);

    if (strcmp(dir, "/") == 0)
        return true;
    return strncmp(path, dir, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

bool
mv_qemu_domain_check_path(const char *const *denied, const char *what, const char *path,
                          GError **error)
{
    g_autofree char *real = NULL;

    if (!path)
        return true;
    if (!g_path_is_absolute(path))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_DENIED,
                            "%s '%s' is not an absolute path: give the full path", what, path);
    real = resolve_path(path);
    for (size_t i = 0; denied && denied[i]; i++) {
        if (!path_is_within(real, denied[i]))
            continue;
        if (strcmp(real, path) != 0)
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_DENIED,
                                "%s '%s' resolves to '%s', inside '%s', which guests may not "
                                "use (the daemon's own files, PKI keys or host passwords)",
                                what, path, real, denied[i]);
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_DENIED,
                            "%s '%s' is inside '%s', which guests may not use (the daemon's "
                            "own files, PKI keys or host passwords)", what, path, denied[i]);
    }
    return true;
}

bool
mv_qemu_domain_check_disk(const char *const *denied, const MvDomainDiskDef *disk,
                          GError **error)
{
    g_autofree char *what = g_strdup_printf("the source of disk '%s'", disk->target_dev);

    return mv_qemu_domain_check_path(denied, what, disk->source, error);
}

static bool
check_chrs(const char *const *denied, MvDomainChrDef *const *chrs, size_t n, GError **error)
{
    for (size_t i = 0; i < n; i++) {
        const MvDomainChrDef *chr = chrs[i];
        g_autofree char *what = NULL;

        if (chr->type != MV_DOMAIN_CHR_FILE && chr->type != MV_DOMAIN_CHR_UNIX)
            continue;
        what = g_strdup_printf("the source of %s %zu",
                               chr->device == MV_DOMAIN_CHR_SERIAL    ? "serial"
                               : chr->device == MV_DOMAIN_CHR_CONSOLE ? "console"
                                                                      : "channel", i);
        if (!mv_qemu_domain_check_path(denied, what, chr->source_path, error))
            return false;
    }
    return true;
}

/* ---- emulator ---- */

static bool
same_file(const char *resolved, const char *candidate)
{
    g_autofree char *real = NULL;

    if (!candidate)
        return false;
    real = resolve_path(candidate);
    return strcmp(resolved, real) == 0;
}

bool
mv_qemu_domain_check_emulator(const MvDomainDef *def, const char *probed,
                              const char *const *allowed, GError **error)
{
    g_autofree char *real = NULL;
    g_autofree char *list = NULL;

    if (!def->emulator)
        return true;
    if (g_path_is_absolute(def->emulator)) {
        real = resolve_path(def->emulator);
        if (same_file(real, probed))
            return true;
        for (size_t i = 0; allowed && allowed[i]; i++) {
            if (same_file(real, allowed[i]))
                return true;
        }
    }
    list = allowed && allowed[0] ? g_strjoinv(", ", (char **)allowed) : NULL;
    return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                        "emulator '%s' is not a QEMU binary this daemon may run: use %s%s%s, "
                        "or list it in [qemu] emulators of qemu.conf", def->emulator,
                        probed ? probed : "the probed QEMU", list ? ", " : "", list ? list : "");
}

/* ---- size ---- */

bool
mv_qemu_domain_check_size(const MvDomainDef *def, GError **error)
{
    const size_t limit = MV_REMOTE_STRING_MAX - MV_QEMU_DOMAIN_XML_LIVE_RESERVE;
    g_autofree char *xml = mv_domain_def_format(def, -1, MV_DOMAIN_DEF_FORMAT_SECURE);
    size_t len = strlen(xml);

    if (len > limit)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "the domain XML would be %zu bytes, more than the %zu bytes a "
                            "definition may have (the protocol returns at most %u bytes, and "
                            "a running domain's XML grows): make the description or metadata "
                            "smaller", len, limit, (unsigned int)MV_REMOTE_STRING_MAX);
    return true;
}

/* ---- all of it ---- */

bool
mv_qemu_domain_check_host_access(const MvDomainDef *def, const char *probed,
                                 const char *const *emulators, const char *const *denied,
                                 GError **error)
{
    const struct {
        const char *what;
        const char *path;
    } os_paths[] = {
        { "the kernel", def->os.kernel },
        { "the initrd", def->os.initrd },
        { "the loader", def->os.loader },
        { "the NVRAM file", def->os.nvram },
        { "the NVRAM template", def->os.nvram_template },
    };

    if (!mv_qemu_domain_check_emulator(def, probed, emulators, error))
        return false;
    for (size_t i = 0; i < G_N_ELEMENTS(os_paths); i++) {
        if (!mv_qemu_domain_check_path(denied, os_paths[i].what, os_paths[i].path, error))
            return false;
    }
    for (size_t i = 0; i < def->ndisks; i++) {
        if (!mv_qemu_domain_check_disk(denied, def->disks[i], error))
            return false;
    }
    return check_chrs(denied, def->serials, def->nserials, error) &&
           check_chrs(denied, def->consoles, def->nconsoles, error) &&
           check_chrs(denied, def->channels, def->nchannels, error);
}
