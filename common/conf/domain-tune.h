/* Resource tuning of a domain (issue 13 item 6): <cputune> (CPU bandwidth and
 * the vCPU / emulator pins), <memtune>, <blkiotune> and <numatune>.
 *
 * A value of 0 (or NULL) means "not given"; the driver then leaves the host's
 * default in place. Sizes are in KiB, times in microseconds, like libvirt's
 * XML. Parsing and formatting: common/conf/domain-tune.c. <cputune><iothreadpin>
 * belongs to the IOThreads (conf/domain-iothreads.h): parsed there, formatted
 * inside <cputune> by mv_domain_tune_format(). */
#pragma once

#include <glib.h>
#include <libxml/tree.h>
#include <stdbool.h>

G_BEGIN_DECLS

/* Limits the schema and the setters share (libvirt's ranges). */
#define MV_DOMAIN_TUNE_SHARES_MIN 2
#define MV_DOMAIN_TUNE_SHARES_MAX 262144
#define MV_DOMAIN_TUNE_PERIOD_MIN 1000
#define MV_DOMAIN_TUNE_PERIOD_MAX 1000000
#define MV_DOMAIN_TUNE_QUOTA_MIN 1000
#define MV_DOMAIN_TUNE_QUOTA_MAX 17592186044415LL
#define MV_DOMAIN_TUNE_BLKIO_WEIGHT_MIN 100
#define MV_DOMAIN_TUNE_BLKIO_WEIGHT_MAX 1000
/* "No limit" of memtune, in KiB (libvirt's VIR_DOMAIN_MEMORY_PARAM_UNLIMITED). */
#define MV_DOMAIN_TUNE_MEMORY_UNLIMITED 9007199254740991ULL
/* The largest CPU number a cpuset may name. */
#define MV_DOMAIN_CPUSET_MAX 4096

typedef struct {
    unsigned int vcpu;          /* <vcpupin vcpu='N'> */
    char *cpuset;               /* canonical ("0-2,5") */
} MvDomainVcpuPin;

/* <blkiotune><device>: 0 = not given. */
typedef struct {
    char *path;
    unsigned int weight;
    guint64 read_bytes_sec, write_bytes_sec;
    guint64 read_iops_sec, write_iops_sec;
} MvDomainBlkioDevice;

typedef enum {
    MV_DOMAIN_NUMATUNE_NONE = 0,        /* no <numatune><memory> */
    MV_DOMAIN_NUMATUNE_STRICT,
    MV_DOMAIN_NUMATUNE_PREFERRED,
    MV_DOMAIN_NUMATUNE_INTERLEAVE,
    MV_DOMAIN_NUMATUNE_RESTRICTIVE,
} MvDomainNumatuneMode;

typedef struct _MvDomainTuneDef {
    /* <cputune> */
    guint64 shares;
    guint64 period, emulator_period, global_period;
    gint64 quota, emulator_quota, global_quota;  /* -1: unlimited; 0: not given */
    MvDomainVcpuPin *vcpupins;                   /* sorted by vcpu */
    size_t nvcpupins;
    char *emulatorpin;                           /* canonical cpuset or NULL */
    /* <memtune>, KiB */
    guint64 hard_limit, soft_limit, swap_hard_limit;
    /* <blkiotune> */
    unsigned int blkio_weight;
    MvDomainBlkioDevice *blkio_devices;
    size_t nblkio_devices;
    /* <numatune><memory mode nodeset> */
    MvDomainNumatuneMode numa_mode;
    char *numa_nodeset;                          /* canonical */
} MvDomainTuneDef;

/* <disk><iotune>: QEMU's I/O throttling of one disk. The element and typed
 * parameter names are the same (libvirt's); 0 = not given. */
typedef enum {
    MV_DOMAIN_IOTUNE_TOTAL_BYTES_SEC = 0,
    MV_DOMAIN_IOTUNE_READ_BYTES_SEC,
    MV_DOMAIN_IOTUNE_WRITE_BYTES_SEC,
    MV_DOMAIN_IOTUNE_TOTAL_IOPS_SEC,
    MV_DOMAIN_IOTUNE_READ_IOPS_SEC,
    MV_DOMAIN_IOTUNE_WRITE_IOPS_SEC,
    MV_DOMAIN_IOTUNE_TOTAL_BYTES_SEC_MAX,
    MV_DOMAIN_IOTUNE_READ_BYTES_SEC_MAX,
    MV_DOMAIN_IOTUNE_WRITE_BYTES_SEC_MAX,
    MV_DOMAIN_IOTUNE_TOTAL_IOPS_SEC_MAX,
    MV_DOMAIN_IOTUNE_READ_IOPS_SEC_MAX,
    MV_DOMAIN_IOTUNE_WRITE_IOPS_SEC_MAX,
    MV_DOMAIN_IOTUNE_SIZE_IOPS_SEC,
    MV_DOMAIN_IOTUNE_LAST,
} MvDomainIotuneField;

typedef struct _MvDomainDiskIotune {
    guint64 v[MV_DOMAIN_IOTUNE_LAST];
} MvDomainDiskIotune;

/** mv_domain_iotune_name: "total_bytes_sec", … (element and parameter name). */
const char *mv_domain_iotune_name(MvDomainIotuneField f);
/** mv_domain_iotune_qmp_name: QMP block_set_io_throttle's name: "bps", "iops_rd_max", … */
const char *mv_domain_iotune_qmp_name(MvDomainIotuneField f);

/**
 * mv_domain_iotune_check:
 * The rules QEMU applies: a total limit excludes its read/write limits, a
 * maximum needs its base limit and is not below it. Errors name @disk.
 */
bool mv_domain_iotune_check(const MvDomainDiskIotune *iotune, const char *disk,
                            GError **error);

/** mv_domain_iotune_parse: <iotune> @node into *@ret (NULL when all values are 0). */
bool mv_domain_iotune_parse(const xmlNode *node, const char *disk, MvDomainDiskIotune **ret,
                            GError **error);

/** mv_domain_iotune_format: appends <iotune> at @indent spaces; nothing for NULL. */
void mv_domain_iotune_format(GString *out, int indent, const MvDomainDiskIotune *iotune);

/* <interface><bandwidth>: rates in KiB/s, bursts in KiB; 0 = not given. Seen
 * from the guest: inbound is what it receives. */
typedef struct {
    guint64 average, peak, burst, floor;    /* floor: inbound only */
} MvDomainNetRate;

typedef struct _MvDomainNetBandwidth {
    MvDomainNetRate in, out;
    char *ifb;                  /* live only, never formatted: the ifb device of outbound */
} MvDomainNetBandwidth;

/** mv_domain_net_bandwidth_is_empty: no rate given in either direction. */
bool mv_domain_net_bandwidth_is_empty(const MvDomainNetBandwidth *bw);
void mv_domain_net_bandwidth_free(MvDomainNetBandwidth *bw);
MvDomainNetBandwidth *mv_domain_net_bandwidth_copy(const MvDomainNetBandwidth *bw);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvDomainNetBandwidth, mv_domain_net_bandwidth_free)

/**
 * mv_domain_net_bandwidth_check:
 * A direction with any value needs average > 0 and peak >= average when
 * given; floor is refused (it needs networkd's per-port classes).
 */
bool mv_domain_net_bandwidth_check(const MvDomainNetBandwidth *bw, GError **error);

/** mv_domain_net_bandwidth_parse: <bandwidth> @node into *@ret (NULL when empty). */
bool mv_domain_net_bandwidth_parse(const xmlNode *node, MvDomainNetBandwidth **ret,
                                   GError **error);

/** mv_domain_net_bandwidth_format: appends <bandwidth> at @indent; nothing for NULL. */
void mv_domain_net_bandwidth_format(GString *out, int indent, const MvDomainNetBandwidth *bw);

/** mv_domain_tune_def_free: NULL is fine. */
void mv_domain_tune_def_free(MvDomainTuneDef *tune);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvDomainTuneDef, mv_domain_tune_def_free)

/** mv_domain_tune_def_copy: a deep copy; NULL for NULL. */
MvDomainTuneDef *mv_domain_tune_def_copy(const MvDomainTuneDef *tune);

/** mv_domain_tune_def_is_empty: nothing is given (the definition needs no struct). */
bool mv_domain_tune_def_is_empty(const MvDomainTuneDef *tune);

/**
 * mv_domain_tune_parse:
 * Reads <cputune>, <memtune>, <blkiotune> and <numatune> children of the
 * validated <domain> @root into *@ret_tune (NULL when none is there).
 * @vcpus is the domain's maximum vCPU count (pins name existing vCPUs).
 */
bool mv_domain_tune_parse(const xmlNode *root, unsigned int vcpus, MvDomainTuneDef **ret_tune,
                          GError **error);

/**
 * mv_domain_tune_format:
 * Appends the tuning elements of @tune (may be NULL) to @out, with the
 * <iothreadpin> lines of @iothreads (may be NULL) inside <cputune>.
 */
struct _MvDomainIOThreads;
void mv_domain_tune_format(GString *out, const MvDomainTuneDef *tune,
                           const struct _MvDomainIOThreads *iothreads);

/**
 * mv_domain_cpuset_parse:
 * Parses a libvirt cpuset ("0-3,^2,6") into a new bitmap of
 * MV_DOMAIN_CPUSET_MAX bits (*@ret_map, g_free). Errors name @what.
 */
bool mv_domain_cpuset_parse(const char *text, const char *what, guint8 **ret_map,
                            GError **error);

/** mv_domain_cpuset_format: canonical text of @map (@nbits bits): "0-2,5"; "" if empty. */
char *mv_domain_cpuset_format(const guint8 *map, guint nbits);

/** mv_domain_numatune_mode_to_string / from_string: "strict", …; -1 if unknown. */
const char *mv_domain_numatune_mode_to_string(MvDomainNumatuneMode mode);
int mv_domain_numatune_mode_from_string(const char *str);

/** mv_domain_tune_vcpupin: the pin of vCPU @vcpu, or NULL. */
const char *mv_domain_tune_vcpupin(const MvDomainTuneDef *tune, unsigned int vcpu);

/**
 * mv_domain_tune_set_vcpupin:
 * Sets (or with @cpuset NULL removes) the pin of @vcpu, keeping the order.
 */
void mv_domain_tune_set_vcpupin(MvDomainTuneDef *tune, unsigned int vcpu, const char *cpuset);

G_END_DECLS
