/* MvStorageVolDef: a parsed storage volume definition (libvirt-compatible volume XML,
 * the subset schemas/storagevol.rng accepts). Which <target><format> a volume may
 * have depends on the type of its pool, so parsing takes the pool type.
 *
 * Parse and format: storage-vol-conf.c. Fields are only ever added here, never
 * renamed (other branches use them). */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "storage-pool-def.h"

G_BEGIN_DECLS

/* Volume types; the values are libvirt's virStorageVolType (they go on the wire in
 * virStorageVolGetInfo). modvirt's XML accepts file, block and dir. */
typedef enum {
    MV_STORAGE_VOL_FILE = 0,
    MV_STORAGE_VOL_BLOCK = 1,
    MV_STORAGE_VOL_DIR = 2,
    MV_STORAGE_VOL_NETWORK = 3,
    MV_STORAGE_VOL_NETDIR = 4,
    MV_STORAGE_VOL_PLOOP = 5,
    MV_STORAGE_VOL_TYPE_LAST
} MvStorageVolType;

/* <target><format type=''/> of a volume. One namespace for every pool type: file
 * formats (dir, fs, netfs pools), partition types (disk pools); logical pools take
 * none. mv_storage_vol_format_allowed() says which a pool type takes. */
typedef enum {
    MV_STORAGE_VOL_FORMAT_NONE = 0,
    /* file formats */
    MV_STORAGE_VOL_FORMAT_RAW,
    MV_STORAGE_VOL_FORMAT_DIR,
    MV_STORAGE_VOL_FORMAT_BOCHS,
    MV_STORAGE_VOL_FORMAT_CLOOP,
    MV_STORAGE_VOL_FORMAT_DMG,
    MV_STORAGE_VOL_FORMAT_ISO,
    MV_STORAGE_VOL_FORMAT_VPC,
    MV_STORAGE_VOL_FORMAT_VDI,
    MV_STORAGE_VOL_FORMAT_FAT,
    MV_STORAGE_VOL_FORMAT_VHD,
    MV_STORAGE_VOL_FORMAT_PLOOP,
    MV_STORAGE_VOL_FORMAT_COW,
    MV_STORAGE_VOL_FORMAT_QCOW,
    MV_STORAGE_VOL_FORMAT_QCOW2,
    MV_STORAGE_VOL_FORMAT_QED,
    MV_STORAGE_VOL_FORMAT_VMDK,
    MV_STORAGE_VOL_FORMAT_LUKS,     /* a probe result (a bare LUKS header) */
    /* partition types (disk pools) */
    MV_STORAGE_VOL_FORMAT_PART_LINUX,
    MV_STORAGE_VOL_FORMAT_PART_FAT16,
    MV_STORAGE_VOL_FORMAT_PART_FAT32,
    MV_STORAGE_VOL_FORMAT_PART_LINUX_SWAP,
    MV_STORAGE_VOL_FORMAT_PART_LINUX_LVM,
    MV_STORAGE_VOL_FORMAT_PART_LINUX_RAID,
    MV_STORAGE_VOL_FORMAT_PART_EXTENDED,
    MV_STORAGE_VOL_FORMAT_LAST
} MvStorageVolFormat;

typedef enum {
    MV_STORAGE_ENCRYPTION_NONE = 0,     /* no <encryption> */
    MV_STORAGE_ENCRYPTION_DEFAULT,      /* format='default' */
    MV_STORAGE_ENCRYPTION_QCOW,         /* format='qcow': legacy, refused for new volumes */
    MV_STORAGE_ENCRYPTION_LUKS,
} MvStorageEncryptionFormat;

/* <encryption format='luks'><secret type='passphrase' uuid=''/>…</encryption> */
typedef struct {
    MvStorageEncryptionFormat format;
    bool has_secret_uuid;
    guint8 secret_uuid[16];
    char *secret_usage;         /* <secret usage=''>, or NULL */
    char *cipher_name;          /* <cipher name='aes' size='256' mode='' hash=''/>, or NULL */
    unsigned int cipher_size;   /* 0 = unset */
    char *cipher_mode;
    char *cipher_hash;
    char *ivgen_name;           /* <ivgen name='' hash=''/>, or NULL */
    char *ivgen_hash;
} MvStorageEncryption;

/* <timestamps>: "seconds[.nanoseconds]" strings, live output only. */
typedef struct {
    char *atime;
    char *mtime;
    char *ctime;
    char *btime;
} MvStorageTimestamps;

/* <source><device path=''><extent start='' end=''/></device></source> (logical and
 * disk volumes, live output only). */
typedef struct {
    char *path;
    MvStorageExtent *extents;
    size_t nextents;
} MvStorageVolSourceDevice;

typedef struct {
    char *path;                 /* filled by the daemon; may be given on input */
    MvStorageVolFormat format;
    MvStoragePerms perms;
    MvStorageTimestamps timestamps;
    char *compat;               /* qcow2 "0.10" / "1.1", or NULL */
    bool lazy_refcounts;        /* <features><lazy_refcounts/></features> */
    bool extended_l2;           /* <features><extended_l2/></features> */
    bool nocow;                 /* <nocow/> */
    guint64 cluster_size;       /* <clusterSize> in bytes; 0 = unset */
    MvStorageEncryption encryption;     /* format NONE when absent */
} MvStorageVolTarget;

typedef struct {
    char *path;                 /* NULL: no backing store */
    MvStorageVolFormat format;  /* NONE when not given */
    MvStoragePerms perms;
} MvStorageVolBacking;

/* The sizes are formatted only when their has_* flag is set: the daemon sets all
 * three for the live XML of an existing volume. */
typedef struct {
    char *name;
    char *key;                  /* filled by the daemon (the path for file volumes) */
    MvStorageVolType type;
    bool type_set;              /* type= was written */
    guint64 capacity;           /* bytes */
    bool has_capacity;          /* <capacity> was given */
    guint64 allocation;         /* bytes */
    bool has_allocation;        /* <allocation> was given (else: the backend decides) */
    guint64 physical;           /* bytes; live output only */
    bool has_physical;
    MvStorageVolSourceDevice *source_devices;
    size_t nsource_devices;
    MvStorageVolTarget target;
    MvStorageVolBacking backing;
} MvStorageVolDef;

/* Parse flags (modvirt's own; every parse validates against the schema). Without
 * either CAPACITY flag <capacity> is required unless a <backingStore> is given
 * (the backing file's size is then used). */
typedef enum {
    MV_STORAGE_VOL_PARSE_NONE = 0,
    MV_STORAGE_VOL_PARSE_NO_CAPACITY = 1 << 0,  /* vol-create-from: capacity may be absent */
    MV_STORAGE_VOL_PARSE_OPT_CAPACITY = 1 << 1, /* capacity optional (same effect) */
    MV_STORAGE_VOL_PARSE_VALIDATE = 1 << 2,     /* accepted and ignored */
} MvStorageVolParseFlags;

/**
 * mv_storage_vol_def_parse:
 * Parses @xml for a volume of a pool of @pool_type, validates it against
 * schemas/storagevol.rng (unknown content is MV_ERR_XML_ERROR naming its path) and
 * checks the rest: capacity required unless NO_CAPACITY, sizes with units, the
 * target format allowed for @pool_type (MV_ERR_CONFIG_UNSUPPORTED naming the formats
 * the pool type takes), encryption only LUKS for new volumes, a backing store only
 * for formats that have one. When no format is given the pool type's default is set.
 * Errors have subsystem MV_FROM_STORAGE. Returns a new def or NULL with @error set.
 */
MvStorageVolDef *mv_storage_vol_def_parse(const char *xml, MvStoragePoolType pool_type,
                                          unsigned int flags, GError **error);

/**
 * mv_storage_vol_def_format:
 * The canonical XML of @def (what virStorageVolGetXMLDesc returns) for a volume of
 * a pool of @pool_type; format(parse(x)) is stable. Never fails.
 */
char *mv_storage_vol_def_format(const MvStorageVolDef *def, MvStoragePoolType pool_type,
                                unsigned int flags);

/** mv_storage_vol_def_new: an empty def (type file, formats NONE, perms unset). */
MvStorageVolDef *mv_storage_vol_def_new(void);

/** mv_storage_vol_def_copy: a deep copy. */
MvStorageVolDef *mv_storage_vol_def_copy(const MvStorageVolDef *def);

/** mv_storage_vol_def_free: NULL is fine. */
void mv_storage_vol_def_free(MvStorageVolDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvStorageVolDef, mv_storage_vol_def_free)

/** "file", "block", "dir", "network", "netdir", "ploop"; NULL when unknown. */
const char *mv_storage_vol_type_to_string(MvStorageVolType type);
int mv_storage_vol_type_from_string(const char *str);

/** "none", "raw", "qcow2", …, "linux-swap", "extended"; NULL when unknown. */
const char *mv_storage_vol_format_to_string(MvStorageVolFormat format);
/** The format called @str, or -1. */
int mv_storage_vol_format_from_string(const char *str);

/**
 * mv_storage_vol_format_allowed:
 * True when a volume of a pool of @pool_type may have target format @format.
 */
bool mv_storage_vol_format_allowed(MvStoragePoolType pool_type, MvStorageVolFormat format);

/**
 * mv_storage_vol_format_has_backing:
 * True for formats that can have a backing store (cow, qcow, qcow2, qed, vmdk).
 */
bool mv_storage_vol_format_has_backing(MvStorageVolFormat format);

/**
 * mv_storage_vol_default_format:
 * The format a volume of a pool of @pool_type gets when its XML names none: raw for
 * file pools, none for logical and disk pools (a disk pool's partitions are "none",
 * i.e. the pool decides), none for iscsi.
 */
MvStorageVolFormat mv_storage_vol_default_format(MvStoragePoolType pool_type);

/** "default", "qcow", "luks"; NULL for NONE or unknown. */
const char *mv_storage_encryption_format_to_string(MvStorageEncryptionFormat format);
int mv_storage_encryption_format_from_string(const char *str);

G_END_DECLS
