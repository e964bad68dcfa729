/* MvDomainDef: a parsed domain definition (libvirt-compatible domain XML, the
 * subset schemas/domain.rng accepts). Drivers work on this struct, never on
 * XML or XDR. Sizes are in KiB, like libvirt's XML after unit conversion.
 *
 * Parsing and formatting: common/conf/domain-parse.c, domain-format.c
 * (mv_domain_def_parse_string(), mv_domain_def_format()). */
#pragma once

#include <glib.h>
#include <stdbool.h>

G_BEGIN_DECLS

typedef enum {
    MV_DOMAIN_VIRT_QEMU = 0,    /* <domain type='qemu'>: TCG */
    MV_DOMAIN_VIRT_KVM,         /* <domain type='kvm'> */
} MvDomainVirtType;

typedef enum {
    MV_DOMAIN_LIFECYCLE_DESTROY = 0,
    MV_DOMAIN_LIFECYCLE_RESTART,
    MV_DOMAIN_LIFECYCLE_PRESERVE,
    MV_DOMAIN_LIFECYCLE_RENAME_RESTART,
    MV_DOMAIN_LIFECYCLE_COREDUMP_DESTROY,   /* on_crash only */
    MV_DOMAIN_LIFECYCLE_COREDUMP_RESTART,   /* on_crash only */
} MvDomainLifecycleAction;

typedef enum {
    MV_DOMAIN_BOOT_HD = 0,
    MV_DOMAIN_BOOT_CDROM,
    MV_DOMAIN_BOOT_NETWORK,
    MV_DOMAIN_BOOT_FLOPPY,
} MvDomainBootDev;

/* <os><firmware><feature enabled='yes|no' name='secure-boot|enrolled-keys'/>. */
typedef struct {
    char *name;
    bool enabled;
} MvDomainFirmwareFeature;

typedef struct {
    char *type;                 /* "hvm" */
    char *arch;                 /* "x86_64"; NULL: host arch */
    char *machine;              /* "pc", "q35", "pc-i440fx-7.2"; NULL: default */
    MvDomainBootDev *boot;      /* <boot dev=…/> in order */
    size_t nboot;
    bool bootmenu;              /* <bootmenu enable='yes'/> */
    char *kernel;
    char *initrd;
    char *cmdline;
    char *loader;               /* <loader>path</loader> */
    bool loader_readonly;
    char *loader_type;          /* "rom" | "pflash" | NULL */
    int loader_secure;          /* <loader secure='yes|no'>: -1 absent, 0 no, 1 yes */
    char *nvram;
    char *nvram_template;       /* <nvram template='path'> */
    char *firmware;             /* <os firmware='efi|bios'>: NULL = none asked */
    MvDomainFirmwareFeature *firmware_features;   /* <firmware><feature …/> in order */
    size_t nfirmware_features;
} MvDomainOsDef;

typedef enum {
    MV_DOMAIN_FEATURE_ACPI = 1 << 0,
    MV_DOMAIN_FEATURE_APIC = 1 << 1,
    MV_DOMAIN_FEATURE_PAE = 1 << 2,
    MV_DOMAIN_FEATURE_VMPORT_ON = 1 << 3,   /* <vmport state='on'/> */
    MV_DOMAIN_FEATURE_VMPORT_OFF = 1 << 4,  /* <vmport state='off'/>; neither: QEMU's default */
} MvDomainFeatures;

/* <features><hyperv>: Hyper-V enlightenments (virt-install writes them for
 * Windows). Each state: 0 absent, 1 on, 2 off. */
typedef struct {
    bool present;               /* <hyperv> given */
    int relaxed;
    int vapic;
    int spinlocks;
    unsigned int spinlock_retries;  /* 0 = absent */
} MvDomainHypervDef;

typedef enum {
    MV_DOMAIN_CPU_MODE_DEFAULT = 0,     /* no <cpu> element */
    MV_DOMAIN_CPU_MODE_CUSTOM,
    MV_DOMAIN_CPU_MODE_HOST_MODEL,
    MV_DOMAIN_CPU_MODE_HOST_PASSTHROUGH,
} MvDomainCpuMode;

typedef struct {
    char *name;
    char *policy;               /* "require", "disable", "force", "optional", "forbid" */
} MvDomainCpuFeature;

typedef struct {
    MvDomainCpuMode mode;
    char *match;                /* custom: "exact" | "minimum" | "strict" | NULL */
    char *check;                /* "none" | "partial" | "full" | NULL */
    char *model;                /* custom: "Skylake-Client", "qemu64" */
    char *model_fallback;       /* "allow" | "forbid" | NULL */
    unsigned int sockets, dies, cores, threads;     /* <topology>; 0 = absent */
    MvDomainCpuFeature *features;
    size_t nfeatures;
} MvDomainCpuDef;

typedef struct {
    char *name;                 /* "rtc", "pit", "hpet", "kvmclock" */
    char *tickpolicy;           /* NULL when absent */
    int present;                /* -1 absent, 0 no, 1 yes */
} MvDomainTimerDef;

typedef struct {
    char *offset;               /* "utc" | "localtime" | NULL */
    MvDomainTimerDef *timers;
    size_t ntimers;
} MvDomainClockDef;

typedef enum {
    MV_DOMAIN_DISK_SOURCE_FILE = 0,
    MV_DOMAIN_DISK_SOURCE_BLOCK,
    MV_DOMAIN_DISK_SOURCE_VOLUME,   /* <source pool='…' volume='…'/>: modvirt-storaged's */
} MvDomainDiskSourceType;

typedef enum {
    MV_DOMAIN_DISK_DEVICE_DISK = 0,
    MV_DOMAIN_DISK_DEVICE_CDROM,
    MV_DOMAIN_DISK_DEVICE_FLOPPY,   /* on bus fdc */
} MvDomainDiskDevice;

typedef enum {
    MV_DOMAIN_DISK_BUS_VIRTIO = 0,
    MV_DOMAIN_DISK_BUS_SATA,
    MV_DOMAIN_DISK_BUS_SCSI,
    MV_DOMAIN_DISK_BUS_IDE,
    MV_DOMAIN_DISK_BUS_USB,     /* usb-storage */
    MV_DOMAIN_DISK_BUS_FDC,     /* the i440fx machine's floppy controller */
} MvDomainDiskBus;

/* <address type='pci' .../> or drive addresses, kept to round-trip. */
typedef struct {
    char *type;                 /* "pci" | "drive" | NULL (none) */
    unsigned int domain, bus, slot, function;       /* pci */
    unsigned int controller, unit, target;          /* drive (bus reused) */
    bool multifunction;
} MvDomainDeviceAddress;

typedef struct {
    MvDomainDiskSourceType type;
    MvDomainDiskDevice device;
    char *driver_name;          /* "qemu" */
    char *driver_type;          /* "raw" | "qcow2" | NULL (probe: raw) */
    char *driver_cache;         /* "none", "writeback", … or NULL */
    char *driver_discard;       /* "unmap" | "ignore" | NULL (QEMU's default: ignore) */
    char *source;               /* file or dev path; NULL for an empty cdrom. A volume
                                   disk: the volume's path once resolved (live only,
                                   never formatted) */
    char *source_pool;          /* volume: the storage pool's name */
    char *source_volume;        /* volume: the volume's name in that pool */
    char *source_mode;          /* volume: "host" | "direct" | NULL */
    bool source_block;          /* volume, resolved: a block device, not a file */
    char *source_format;        /* volume, resolved: the volume's format ("raw", "qcow2"…),
                                   used when <driver type> is absent */
    char *target_dev;           /* "vda", "sda", "hdc" */
    MvDomainDiskBus bus;
    bool readonly;
    bool shareable;
    unsigned int iothread;      /* <driver iothread='N'/>; 0 = the main loop */
    unsigned int boot_order;    /* <boot order='N'/>; 0 = none */
    char *serial;
    char *alias;                /* <alias name='…'/> (live only) */
    MvDomainDeviceAddress address;
    struct _MvDomainDiskIotune *iotune;     /* <iotune>: conf/domain-tune.h; NULL: none */
} MvDomainDiskDef;

typedef struct {
    char *type;                 /* "usb", "pci", "virtio-serial", "scsi", "sata", "ide" */
    int index;
    char *model;                /* "qemu-xhci", "pcie-root", "virtio-scsi", … or NULL */
    int ports;                  /* virtio-serial; -1 = absent */
    int vectors;                /* virtio-serial; -1 = absent */
    int master_startport;       /* USB companion: <master startport='N'/>; -1 = absent */
    char *alias;
    MvDomainDeviceAddress address;
} MvDomainControllerDef;

typedef enum {
    MV_DOMAIN_NET_NETWORK = 0,  /* <source network='default'/> */
    MV_DOMAIN_NET_BRIDGE,       /* <source bridge='br0'/> */
    MV_DOMAIN_NET_USER,
    MV_DOMAIN_NET_ETHERNET,     /* <target dev='tap0'/>, pre-made tap */
} MvDomainNetType;

typedef enum {
    MV_DOMAIN_NET_LINK_DEFAULT = 0, /* no <link>: up */
    MV_DOMAIN_NET_LINK_UP,
    MV_DOMAIN_NET_LINK_DOWN,
} MvDomainNetLinkState;

/* <filterref> parameter: <parameter name='IP' value='10.0.0.2'/> */
typedef struct {
    char *name;
    char *value;
} MvDomainNetFilterParam;

typedef struct {
    MvDomainNetType type;
    char *source;               /* network or bridge name; NULL otherwise */
    char *portgroup;            /* network: <source portgroup='…'/>; NULL: none */
    char *port_id;              /* network, live: the networkd port's UUID (portid=) */
    char *bridge;               /* network, live: the bridge networkd plugged it into */
    guint8 mac[6];              /* generated (52:54:00:…) when absent in the XML */
    char *model;                /* "virtio" | "e1000" | … ; NULL: "virtio" is not assumed */
    char *target_dev;           /* tap name, given (ethernet) or live */
    MvDomainNetLinkState link_state;
    unsigned int mtu;           /* <mtu size='N'/>; 0: the bridge's */
    char *filter;               /* <filterref filter='…'>; NULL: none */
    MvDomainNetFilterParam *filter_params;
    size_t nfilter_params;
    unsigned int boot_order;
    char *alias;
    MvDomainDeviceAddress address;
    struct _MvDomainNetBandwidth *bandwidth;    /* conf/domain-tune.h; NULL: none */
} MvDomainNetDef;

typedef enum {
    MV_DOMAIN_CHR_SERIAL = 0,
    MV_DOMAIN_CHR_CONSOLE,
    MV_DOMAIN_CHR_CHANNEL,
} MvDomainChrDeviceType;

typedef enum {
    MV_DOMAIN_CHR_PTY = 0,
    MV_DOMAIN_CHR_UNIX,
    MV_DOMAIN_CHR_FILE,
    MV_DOMAIN_CHR_NULL,
    MV_DOMAIN_CHR_SPICEVMC,     /* a SPICE channel: needs <graphics type='spice'> */
} MvDomainChrSourceType;

typedef struct {
    MvDomainChrDeviceType device;
    MvDomainChrSourceType type;
    char *source_path;          /* unix socket or file path; pty path (live only) */
    char *source_mode;          /* unix: "bind" | "connect" | NULL */
    char *target_type;          /* serial: "isa-serial"; console: "serial" | "virtio";
                                   channel: "virtio" */
    char *target_name;          /* channel: "org.qemu.guest_agent.0" */
    char *target_state;         /* channel, live: "connected" | "disconnected" (the guest
                                   side of the port, from QEMU); NULL: unknown */
    int target_port;            /* -1 = absent */
    char *alias;
} MvDomainChrDef;

typedef struct {
    char *type;                 /* "tablet", "mouse", "keyboard" */
    char *bus;                  /* "usb", "ps2", "virtio" */
    char *alias;
} MvDomainInputDef;

typedef struct {
    char *type;                 /* "vnc" | "spice" */
    int port;                   /* -1 = autoport */
    bool autoport;
    char *listen;               /* listen address */
    char *passwd;               /* never formatted without SECURE */
    bool has_tls_port;          /* spice: tlsPort='N' given */
    int tls_port;               /* spice: -1 = automatic */
    char *image_compression;    /* spice: <image compression='…'/>; NULL: absent */
} MvDomainGraphicsDef;

typedef struct {
    char *model;                /* "ich9", "ich6", "ac97" */
    char *alias;
    MvDomainDeviceAddress address;
} MvDomainSoundDef;

typedef struct {
    char *bus;                  /* "usb" */
    char *type;                 /* "spicevmc" */
    char *alias;
} MvDomainRedirdevDef;

typedef struct {
    char *model;                /* "vga", "cirrus", "virtio", "qxl", "bochs", "none" */
    unsigned int vram;          /* KiB; 0 = absent */
    unsigned int heads;         /* 0 = absent */
    bool primary;
    char *alias;
    MvDomainDeviceAddress address;
} MvDomainVideoDef;

typedef struct {
    char *model;                /* "virtio" | "none" */
    unsigned int period;        /* <stats period='N'/>; 0 = absent */
    char *alias;
    MvDomainDeviceAddress address;
} MvDomainMemballoonDef;

typedef struct {
    char *model;                /* "virtio" */
    char *backend_model;        /* "random" */
    char *backend;              /* "/dev/urandom" */
    char *alias;
    MvDomainDeviceAddress address;
} MvDomainRngDef;

typedef struct {
    char *model;                /* "i6300esb", "ib700", "itco" */
    char *action;               /* "reset", "poweroff", "pause", "none", … */
    char *alias;
    MvDomainDeviceAddress address;  /* i6300esb is a PCI device */
} MvDomainWatchdogDef;

/* <tpm model='tpm-crb|tpm-tis'><backend type='emulator' version='2.0'/></tpm>:
 * a software TPM run by swtpm next to QEMU (daemons/qemu/qemu-tpm.c). */
typedef struct {
    char *model;                /* "tpm-crb" | "tpm-tis"; the parser fills the default */
    char *backend;              /* "emulator" */
    char *version;              /* "2.0" */
    char *alias;
} MvDomainTpmDef;

/* One entry of <vcpus> (common/conf/domain-vcpus.c), indexed by vCPU id. */
typedef struct {
    bool enabled;
    bool hotpluggable;
    unsigned int order;         /* 0: absent */
} MvDomainVcpuDef;

/* <memory model='dimm'>: hot-pluggable guest memory (common/conf/domain-memdev.c).
 * <memory> counts it; the boot memory is <memory> minus every DIMM. */
typedef struct {
    char *model;                /* "dimm" */
    guint64 size;               /* <target><size>, KiB */
    int node;                   /* <target><node>; -1 absent */
    int slot;                   /* <address type='dimm' slot>; -1 absent */
    char *alias;
} MvDomainMemdevDef;

typedef struct {
    MvDomainVirtType virt_type;
    char *name;
    guint8 uuid[16];            /* generated when the XML has none */
    char *title;
    char *description;
    char *metadata;             /* the <metadata> element's children, serialized; NULL if none */

    guint64 memory;             /* <memory>, KiB */
    guint64 current_memory;     /* <currentMemory>, KiB (== memory when absent) */
    guint64 max_memory;         /* <maxMemory>, KiB; 0 = absent */
    unsigned int max_memory_slots;
    struct _MvDomainIOThreads *iothreads;   /* conf/domain-iothreads.h; NULL: none */

    unsigned int vcpus;         /* <vcpu>N</vcpu>: maximum */
    unsigned int vcpus_current; /* current='N' (== vcpus when absent) */
    struct _MvDomainTuneDef *tune;  /* <cputune>, <memtune>, …: conf/domain-tune.h; NULL: none */
    MvDomainVcpuDef *vcpu_list; /* <vcpus>: vcpus entries; NULL when absent */

    MvDomainOsDef os;
    unsigned int features;      /* MvDomainFeatures bits */
    MvDomainHypervDef hyperv;
    MvDomainCpuDef cpu;
    MvDomainClockDef clock;
    MvDomainLifecycleAction on_poweroff;  /* default destroy */
    MvDomainLifecycleAction on_reboot;    /* default restart */
    MvDomainLifecycleAction on_crash;     /* default destroy */
    int pm_suspend_to_mem;      /* -1 absent, 0 no, 1 yes */
    int pm_suspend_to_disk;

    char *emulator;             /* <devices><emulator>; NULL: the daemon's default */
    MvDomainDiskDef **disks;
    size_t ndisks;
    MvDomainControllerDef **controllers;
    size_t ncontrollers;
    MvDomainNetDef **nets;
    size_t nnets;
    MvDomainChrDef **serials;
    size_t nserials;
    MvDomainChrDef **consoles;
    size_t nconsoles;
    MvDomainChrDef **channels;
    size_t nchannels;
    MvDomainInputDef **inputs;
    size_t ninputs;
    MvDomainGraphicsDef **graphics;
    size_t ngraphics;
    MvDomainVideoDef **videos;
    size_t nvideos;
    MvDomainMemballoonDef *memballoon;  /* NULL: none given */
    MvDomainRngDef **rngs;
    size_t nrngs;
    MvDomainWatchdogDef *watchdog;
    MvDomainTpmDef *tpm;        /* NULL: none */
    MvDomainSoundDef **sounds;
    size_t nsounds;
    MvDomainRedirdevDef **redirdevs;
    size_t nredirdevs;
    MvDomainMemdevDef **memdevs;        /* <memory model='dimm'> devices */
    size_t nmemdevs;
} MvDomainDef;

/* One device, for attach/detach/update. */
typedef enum {
    MV_DOMAIN_DEVICE_DISK = 0,
    MV_DOMAIN_DEVICE_NET,
    MV_DOMAIN_DEVICE_MEMORY,    /* <memory model='dimm'> */
} MvDomainDeviceType;

typedef struct {
    MvDomainDeviceType type;
    union {
        MvDomainDiskDef *disk;
        MvDomainNetDef *net;
        MvDomainMemdevDef *memdev;
    } data;
} MvDomainDeviceDef;

G_END_DECLS
