/* The capabilities document (CONNECT_GET_CAPABILITIES, `virsh capabilities`):
 * the host part comes from node.c, each guest part from the hypervisor daemon
 * that can run it (qemud: mv_qemu_probe_to_caps_guest()). */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "conf/node.h"

G_BEGIN_DECLS

typedef struct {
    char *name;            /* "pc-i440fx-7.2", "pc" */
    char *canonical;       /* for an alias, the machine it stands for; else NULL */
    int max_cpus;          /* 0: not reported */
    bool deprecated;
} MvCapsMachine;

typedef struct {
    char *name;            /* "acpi", "cpuselection", ... */
    bool has_toggle;       /* formats default='on|off' toggle='yes|no' */
    bool default_on;
    bool toggle;
} MvCapsFeature;

typedef struct {
    char *os_type;         /* "hvm" */
    char *arch;            /* "x86_64" */
    int wordsize;          /* 64 */
    char *emulator;        /* absolute path */
    MvCapsMachine *machines;
    size_t nmachines;
    char **domain_types;   /* "qemu", "kvm"; NULL-terminated, never NULL */
    MvCapsFeature *features;
    size_t nfeatures;
} MvCapsGuest;

typedef struct {
    char *uuid;            /* "8-4-4-4-12" */
    char *arch;            /* "x86_64" */
    char *cpu_model;       /* a CPU model name guests can use; NULL: not formatted */
    char *cpu_vendor;      /* "Intel"; NULL: not formatted */
    gint64 cpu_microcode;  /* <= 0: not formatted */
    int cpu_family;        /* signature; <= 0: not formatted */
    int cpu_model_number;
    int cpu_stepping;
    int sockets;           /* the <cpu><topology>, as in MvNodeInfo */
    int dies;
    int cores;
    int threads;
    char **cpu_features;   /* NULL-terminated, never NULL */
    MvNodeTopology *topology;   /* owned; NULL: no <topology> */
    bool iommu;
    char **migration_transports; /* NULL-terminated, never NULL */
    char *secmodel;        /* "none" */
    char *secmodel_doi;    /* "0" */
} MvCapsHost;

typedef struct {
    MvCapsHost host;
    MvCapsGuest **guests;
    size_t nguests;
} MvCapabilities;

/**
 * mv_caps_guest_new:
 * A guest with no machines, domain types or features yet; the strings are copied.
 */
MvCapsGuest *mv_caps_guest_new(const char *os_type, const char *arch, int wordsize,
                               const char *emulator);
void mv_caps_guest_add_machine(MvCapsGuest *guest, const char *name,
                               const char *canonical, int max_cpus, bool deprecated);
void mv_caps_guest_add_domain_type(MvCapsGuest *guest, const char *type);
void mv_caps_guest_add_feature(MvCapsGuest *guest, const char *name, bool has_toggle,
                               bool default_on, bool toggle);
void mv_caps_guest_free(MvCapsGuest *guest);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvCapsGuest, mv_caps_guest_free)

/**
 * mv_capabilities_new:
 * An empty document: every string NULL, every list empty, secmodel "none"/"0",
 * migration transport "tcp".
 */
MvCapabilities *mv_capabilities_new(void);

/**
 * mv_capabilities_new_host:
 * A document whose host part describes this machine (node.c facts; the UUID from
 * product_uuid or machine-id) and which has no guests yet. NULL with @error set
 * when the host facts cannot be read.
 */
MvCapabilities *mv_capabilities_new_host(GError **error);

/**
 * mv_capabilities_add_guest:
 * Appends @guest; the document takes ownership of it.
 */
void mv_capabilities_add_guest(MvCapabilities *caps, MvCapsGuest *guest);

/**
 * mv_capabilities_format:
 * The XML document, indented by two spaces, deterministic for equal input.
 * Returns a new string (g_free()).
 */
char *mv_capabilities_format(const MvCapabilities *caps);

void mv_capabilities_free(MvCapabilities *caps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvCapabilities, mv_capabilities_free)

G_END_DECLS
