/* The --root convention: where sockets, config, state and logs live.
 *
 *   what                    system              --root DIR
 *   sockets, pids, status   /run/modvirt        DIR/run
 *   config, definitions     /etc/modvirt        DIR/etc
 *   images, leases          /var/lib/modvirt    DIR/lib
 *   logs                    /var/log/modvirt    DIR/log
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

G_BEGIN_DECLS

typedef enum {
    MV_SOCKET_RW,      /* <run>/<name>.sock */
    MV_SOCKET_RO,      /* <run>/<name>-ro.sock */
    MV_SOCKET_ADMIN,   /* <run>/<name>-admin.sock */
    MV_SOCKET_LAST
} MvSocketKind;

/* All fields are absolute paths owned by the struct; read them, never change them. */
typedef struct {
    char *root;       /* the absolute --root DIR, or NULL for the system layout */
    char *run_dir;
    char *etc_dir;
    char *lib_dir;
    char *log_dir;
} MvPaths;

/**
 * mv_paths_new:
 * The layout for @root (NULL: the system directories; otherwise DIR/run,
 * DIR/etc, DIR/lib, DIR/log with DIR made absolute against the current
 * directory). Creates nothing on disk. Caller frees with mv_paths_free().
 */
MvPaths *mv_paths_new(const char *root);

/**
 * mv_paths_free:
 * Frees @paths; NULL is a no-op.
 */
void mv_paths_free(MvPaths *paths);

/**
 * mv_paths_ensure:
 * Creates the run, etc, lib and log directories (mode 0755) if missing.
 */
bool mv_paths_ensure(const MvPaths *paths, GError **error);

/**
 * mv_paths_socket:
 * The socket path of daemon @name ("qemu", "proxy", ...) of @kind. Caller frees.
 */
char *mv_paths_socket(const MvPaths *paths, const char *name, MvSocketKind kind);

/**
 * mv_paths_pidfile:
 * <run>/<name>.pid. Caller frees.
 */
char *mv_paths_pidfile(const MvPaths *paths, const char *name);

/**
 * mv_paths_config:
 * <etc>/<name>.conf. Caller frees.
 */
char *mv_paths_config(const MvPaths *paths, const char *name);

/**
 * mv_paths_state_dir:
 * <run>/<subsystem>: live status files. Caller frees.
 */
char *mv_paths_state_dir(const MvPaths *paths, const char *subsystem);

/**
 * mv_paths_definitions_dir:
 * <etc>/<subsystem>: persistent XML definitions. Caller frees.
 */
char *mv_paths_definitions_dir(const MvPaths *paths, const char *subsystem);

/**
 * mv_paths_data_dir:
 * <lib>/<subsystem>: images, leases, helper state. Caller frees.
 */
char *mv_paths_data_dir(const MvPaths *paths, const char *subsystem);

/**
 * mv_paths_log_file:
 * <log>/<name>.log. Caller frees.
 */
char *mv_paths_log_file(const MvPaths *paths, const char *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvPaths, mv_paths_free)

G_END_DECLS
