/* What the installed QEMU offers: version, machine types, accelerators, KVM.
 *
 * Probed once per daemon lifetime (the first caller probes, concurrent callers
 * wait, later callers get the cached object without a syscall) and cached on
 * disk, keyed by the binary's path, size, mtime, ctime and inode, so that a
 * restarted daemon does not start QEMU again. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "conf/capabilities.h"

G_BEGIN_DECLS

typedef struct {
    char *name;            /* "pc-i440fx-7.2", "pc" */
    char *canonical;       /* for an alias ("pc"), the machine it stands for; else NULL */
    int max_cpus;          /* from QMP query-machines; 0 when unknown */
    bool is_default;
    bool deprecated;
} MvQemuMachine;

typedef struct {
    char *binary;          /* absolute path of the emulator */
    unsigned int version;  /* major * 1000000 + minor * 1000 + micro: 7002022 */
    char *package;         /* distribution build string, "Debian 1:7.2+dfsg-7..."; or NULL */
    MvQemuMachine *machines;   /* in `-machine help` order */
    size_t nmachines;
    char **accels;         /* "tcg", "kvm" (from `-accel help`); never NULL */
    bool kvm_usable;       /* the binary has KVM and /dev/kvm opens read-write */
} MvQemuProbe;

/**
 * mv_qemu_probe_get:
 * The probe of @binary (NULL: MV_QEMU_BINARY; a bare name is looked up in $PATH),
 * using and refreshing the disk cache in @cache_dir (NULL: no disk cache; the
 * directory is created if missing). The result is borrowed and immutable and
 * lives as long as the process; one probe per distinct @binary string.
 * Returns NULL with @error set when the binary is missing or cannot be probed.
 */
const MvQemuProbe *mv_qemu_probe_get(const char *binary, const char *cache_dir,
                                     GError **error);

/**
 * mv_qemu_probe_find_machine:
 * The machine called @name (an alias or a canonical name), or NULL.
 */
const MvQemuMachine *mv_qemu_probe_find_machine(const MvQemuProbe *probe, const char *name);

/**
 * mv_qemu_probe_get_default_machine:
 * The machine QEMU uses without -machine (canonical name), or NULL.
 */
const MvQemuMachine *mv_qemu_probe_get_default_machine(const MvQemuProbe *probe);

/**
 * mv_qemu_probe_has_accel:
 * True when the binary lists accelerator @name ("kvm", "tcg").
 */
bool mv_qemu_probe_has_accel(const MvQemuProbe *probe, const char *name);

/**
 * mv_qemu_probe_to_caps_guest:
 * The <guest> of the capabilities document for this emulator: os_type hvm, its
 * architecture, the machines (default first, each alias after its machine, no
 * "none"), domain type 'qemu' and, when KVM is usable, 'kvm'.
 * Returns a new guest (mv_caps_guest_free()).
 */
MvCapsGuest *mv_qemu_probe_to_caps_guest(const MvQemuProbe *probe);

G_END_DECLS
