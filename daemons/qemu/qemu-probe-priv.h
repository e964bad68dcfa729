/* Test seams of qemu-probe.c. */
#pragma once

#include "qemu-probe.h"

G_BEGIN_DECLS

/**
 * mv_qemu_probe_load:
 * Probes @binary without the in-memory cache: from the disk cache in @cache_dir
 * when it matches the binary, else by running QEMU (and rewriting the cache).
 * *@ret_spawned (may be NULL) tells whether QEMU was run. Returns a new probe.
 */
MvQemuProbe *mv_qemu_probe_load(const char *binary, const char *cache_dir,
                                bool *ret_spawned, GError **error);
void mv_qemu_probe_free(MvQemuProbe *probe);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvQemuProbe, mv_qemu_probe_free)

/**
 * mv_qemu_probe_parse_version:
 * Parses `qemu-system-* --version` output: "QEMU emulator version 7.2.22 (Debian
 * 1:7.2+dfsg-7)" gives 7002022 and "Debian 1:7.2+dfsg-7" (NULL without parens).
 */
bool mv_qemu_probe_parse_version(const char *text, unsigned int *ret_version,
                                 char **ret_package, GError **error);

/**
 * mv_qemu_probe_parse_machines:
 * Parses `-machine help` output into *@ret_machines (free each with
 * mv_qemu_machines_free()). max_cpus stays 0.
 */
bool mv_qemu_probe_parse_machines(const char *text, MvQemuMachine **ret_machines,
                                  size_t *ret_n, GError **error);
void mv_qemu_machines_free(MvQemuMachine *machines, size_t n);

/**
 * mv_qemu_probe_parse_accels:
 * Parses `-accel help` output into a NULL-terminated list of names.
 */
bool mv_qemu_probe_parse_accels(const char *text, char ***ret_accels, GError **error);

/**
 * mv_qemu_probe_parse_qmp_machines:
 * Reads the replies of a QMP session (one JSON object per line) and sets the
 * max_cpus of @machines from the query-machines reply with id @id.
 */
bool mv_qemu_probe_parse_qmp_machines(const char *text, const char *id,
                                      MvQemuMachine *machines, size_t n, GError **error);

G_END_DECLS
