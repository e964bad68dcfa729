/* What a definition may ask of the host. QEMU still runs as the daemon's user
 * (root on a real host) until the security work lands, so a definition is
 * refused when it names an emulator the daemon did not probe or list, or a
 * disk, kernel, initrd, firmware, NVRAM or character device file inside the
 * daemon's own directories, the PKI directories or the host's password
 * files; and when its XML would be too large to be read back over the wire.
 * docs/qemud.md lists exactly what is refused. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "conf/domain-def.h"
#include "daemon/daemon.h"
#include "util/paths.h"

G_BEGIN_DECLS

/* What the daemon adds to a running domain's XML (id, aliases, pty paths)
 * is kept below this many bytes: a definition may use the rest of the
 * protocol's 4 MiB string limit. */
#define MV_QEMU_DOMAIN_XML_LIVE_RESERVE (64u * 1024u)

/* The [qemu] keys checked when the config file is read. */
typedef struct {
    char **emulators;       /* [qemu] emulators: more binaries a definition may name */
    char **deny_paths;      /* [qemu] deny_paths: more host paths no definition may use */
    char *emulator;         /* [qemu] emulator: the QEMU to probe; NULL: search PATH */
    int job_wait_ms;        /* [qemu] job_wait_ms: how long a call waits for a domain's job
                               (0: not set, the driver's default) */
} MvQemuConfig;

/** mv_qemu_config_read: the descriptor's config_read: validates [qemu]. */
gpointer mv_qemu_config_read(MvDaemon *daemon, GKeyFile *conf, GError **error);
/** mv_qemu_config_free: NULL is fine. */
void mv_qemu_config_free(gpointer config);

/**
 * mv_qemu_domain_check_denied_paths:
 * The host paths no definition may use (resolved, caller frees with
 * g_strfreev()): the daemon's run, etc, lib and log directories, the PKI
 * directories, the password files, plus @extra ([qemu] deny_paths).
 */
char **mv_qemu_domain_check_denied_paths(const MvPaths *paths, const char *const *extra);

/**
 * mv_qemu_domain_check_path:
 * False with MV_ERR_OPERATION_DENIED naming @what and @path when @path is
 * relative or, once symlinks and ".." are resolved (for a path that does not
 * exist yet: its nearest existing parent), is one of @denied or inside one.
 */
bool mv_qemu_domain_check_path(const char *const *denied, const char *what, const char *path,
                               GError **error);

/** mv_qemu_domain_check_disk: mv_qemu_domain_check_path() on a disk's source. */
bool mv_qemu_domain_check_disk(const char *const *denied, const MvDomainDiskDef *disk,
                               GError **error);

/**
 * mv_qemu_domain_check_emulator:
 * True when @def names no emulator, or one that resolves to @probed or to one
 * of @allowed; else false with MV_ERR_CONFIG_UNSUPPORTED naming it.
 */
bool mv_qemu_domain_check_emulator(const MvDomainDef *def, const char *probed,
                                   const char *const *allowed, GError **error);

/**
 * mv_qemu_domain_check_size:
 * False with MV_ERR_CONFIG_UNSUPPORTED when the canonical XML of @def (with
 * passwords) plus MV_QEMU_DOMAIN_XML_LIVE_RESERVE exceeds the protocol's
 * string limit: such a definition could be stored but never read back.
 */
bool mv_qemu_domain_check_size(const MvDomainDef *def, GError **error);

/**
 * mv_qemu_domain_check_host_access:
 * The emulator and every path of @def (disks, kernel, initrd, loader, NVRAM,
 * file and unix character devices), checked as above.
 */
bool mv_qemu_domain_check_host_access(const MvDomainDef *def, const char *probed,
                                      const char *const *emulators,
                                      const char *const *denied, GError **error);

G_END_DECLS
