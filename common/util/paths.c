/* The --root directory layout. */
#include "util/paths.h"

#include "util/file.h"

MvPaths *
mv_paths_new(const char *root)
{
    MvPaths *paths = g_new0(MvPaths, 1);

    if (!root) {
        paths->run_dir = g_strdup("/run/modvirt");
        paths->etc_dir = g_strdup("/etc/modvirt");
        paths->lib_dir = g_strdup("/var/lib/modvirt");
        paths->log_dir = g_strdup("/var/log/modvirt");
        return paths;
    }
    paths->root = g_canonicalize_filename(root, NULL);
    paths->run_dir = g_build_filename(paths->root, "run", NULL);
    paths->etc_dir = g_build_filename(paths->root, "etc", NULL);
    paths->lib_dir = g_build_filename(paths->root, "lib", NULL);
    paths->log_dir = g_build_filename(paths->root, "log", NULL);
    return paths;
}

void
mv_paths_free(MvPaths *paths)
{
    if (!paths)
        return;
    g_free(paths->root);
    g_free(paths->run_dir);
    g_free(paths->etc_dir);
    g_free(paths->lib_dir);
    g_free(paths->log_dir);
    g_free(paths);
}

bool
mv_paths_ensure(const MvPaths *paths, GError **error)
{
    const char *dirs[] = { paths->run_dir, paths->etc_dir, paths->lib_dir, paths->log_dir };

    for (gsize i = 0; i < G_N_ELEMENTS(dirs); i++) {
        if (!mv_file_mkdir_p(dirs[i], 0755, error))
            return false;
    }
    return true;
}

char *
mv_paths_socket(const MvPaths *paths, const char *name, MvSocketKind kind)
{
    static const char *const suffixes[MV_SOCKET_LAST] = {
        [MV_SOCKET_RW] = ".sock",
        [MV_SOCKET_RO] = "-ro.sock",
        [MV_SOCKET_ADMIN] = "-admin.sock",
    };

    g_return_val_if_fail(kind < MV_SOCKET_LAST, NULL);
    return g_strdup_printf("%s/%s%s", paths->run_dir, name, suffixes[kind]);
}

char *
mv_paths_pidfile(const MvPaths *paths, const char *name)
{
    return g_strdup_printf("%s/%s.pid", paths->run_dir, name);
}

char *
mv_paths_config(const MvPaths *paths, const char *name)
{
    return g_strdup_printf("%s/%s.conf", paths->etc_dir, name);
}

char *
mv_paths_state_dir(const MvPaths *paths, const char *subsystem)
{
    return g_build_filename(paths->run_dir, subsystem, NULL);
}

char *
mv_paths_definitions_dir(const MvPaths *paths, const char *subsystem)
{
    return g_build_filename(paths->etc_dir, subsystem, NULL);
}

char *
mv_paths_data_dir(const MvPaths *paths, const char *subsystem)
{
    return g_build_filename(paths->lib_dir, subsystem, NULL);
}

char *
mv_paths_log_file(const MvPaths *paths, const char *name)
{
    return g_strdup_printf("%s/%s.log", paths->log_dir, name);
}
