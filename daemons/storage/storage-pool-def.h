/* MvStoragePoolDef: a parsed storage pool definition (libvirt-compatible pool XML,
 * the subset schemas/storagepool.rng accepts), plus the helpers pool and volume
 * XML share: sizes with units, permissions, what each pool type uses.
 *
 * Parse and format: storage-pool-conf.c; shared helpers: storage-conf-util.c.
 * Fields are only ever added here, never renamed (other branches use them). */
#pragma once

#include <glib.h>
#include <libxml/tree.h>
#include <stdbool.h>

G_BEGIN_DECLS

/* The pool types modvirt knows. Values are modvirt's own (libvirt's list-all filter
 * bits are mapped by the daemon); other libvirt types (rbd, scsi, mpath…) are
 * refused at parse time with MV_ERR_CONFIG_UNSUPPORTED. */
typedef enum {
    MV_STORAGE_POOL_DIR = 0,
    MV_STORAGE_POOL_FS,
    MV_STORAGE_POOL_NETFS,
    MV_STORAGE_POOL_LOGICAL,
    MV_STORAGE_POOL_DISK,
    MV_STORAGE_POOL_ISCSI,
    MV_STORAGE_POOL_TYPE_LAST
} MvStoragePoolType;

/* <permissions> of a pool target or volume target/backing store. */
typedef struct {
    int mode;                   /* -1 unset, else 0..07777 */
    gint64 owner;               /* uid; -1 unset */
    gint64 group;               /* gid; -1 unset */
    char *label;                /* security label, or NULL */
} MvStoragePerms;

/* <host name='' port=''/> of a pool source (netfs, iscsi). */
typedef struct {
    char *name;
    int port;                   /* 0 = unset */
} MvStoragePoolSourceHost;

/* <freeExtent start='' end=''/> of a disk pool device (live output only). */
typedef struct {
    guint64 start;
    guint64 end;
} MvStorageExtent;

/* <device path=''/> of a pool source (fs, logical, disk, iscsi). */
typedef struct {
    char *path;
    int part_separator;         /* disk pools: -1 absent, 1 yes, 0 no */
    MvStorageExtent *free_extents;
    size_t nfree_extents;
} MvStoragePoolSourceDevice;

typedef enum {
    MV_STORAGE_AUTH_NONE = 0,
    MV_STORAGE_AUTH_CHAP,       /* iscsi */
    MV_STORAGE_AUTH_CEPHX,      /* parsed only for the error message; never accepted */
} MvStorageAuthType;

/* <auth type='chap' username=''><secret uuid=''|usage=''/></auth> */
typedef struct {
    MvStorageAuthType type;
    char *username;
    bool has_secret_uuid;
    guint8 secret_uuid[16];
    char *secret_usage;         /* or NULL */
} MvStoragePoolAuth;

typedef struct {
    MvStoragePoolSourceHost *hosts;
    size_t nhosts;
    MvStoragePoolSourceDevice *devices;
    size_t ndevices;
    char *dir;                  /* <dir path=''/>: netfs export path; NULL when absent */
    char *name;                 /* <name>: logical VG name; NULL when absent */
    char *format;               /* <format type=''/>: fs type (fs, netfs), disk label
                                 * (disk), "lvm2" (logical); NULL when absent */
    char *initiator;            /* <initiator><iqn name=''/></initiator> (iscsi), or NULL */
    MvStoragePoolAuth auth;     /* type NONE when absent */
    char *protocol_ver;         /* netfs <protocol ver=''/>, or NULL */
    char *vendor;               /* <vendor name=''/>, or NULL */
    char *product;              /* <product name=''/>, or NULL */
} MvStoragePoolSource;

typedef struct {
    char *path;                 /* <target><path>; NULL when absent (allowed for disk
                                 * and iscsi, where it defaults to /dev) */
    MvStoragePerms perms;
} MvStoragePoolTarget;

typedef struct {
    char *name;
    guint8 uuid[16];            /* generated when the XML has none */
    MvStoragePoolType type;
    MvStoragePoolSource source;
    MvStoragePoolTarget target;
    /* Live sizes in bytes, filled by the daemon after a refresh; formatted always
     * (libvirt does the same), parsed and kept when given. */
    guint64 capacity;
    guint64 allocation;
    guint64 available;
    /* <features><cow state='yes|no'/></features> (dir and fs pools on btrfs: whether
     * new volumes get copy-on-write): -1 absent, 1 yes, 0 no. */
    int cow;
    /* <refresh><volume allocation='default|capacity'/></refresh>: report a volume's
     * allocation as its capacity (true) rather than what it occupies. */
    bool refresh_alloc_capacity;
} MvStoragePoolDef;

/* Parse flags. */
typedef enum {
    MV_STORAGE_POOL_PARSE_NONE = 0,
} MvStoragePoolParseFlags;

/* Format flags; INACTIVE has libvirt's VIR_STORAGE_XML_INACTIVE value. */
typedef enum {
    MV_STORAGE_POOL_FORMAT_INACTIVE = 1 << 0,   /* drop live-only data (free extents) */
} MvStoragePoolFormatFlags;

/**
 * mv_storage_pool_def_parse:
 * Parses @xml, validates it against schemas/storagepool.rng (unknown content is
 * MV_ERR_XML_ERROR naming its path) and checks what the schema cannot say (the
 * source parts the pool type needs, the source format for the type, sizes with
 * units…: MV_ERR_XML_DETAIL or MV_ERR_CONFIG_UNSUPPORTED, subsystem
 * MV_FROM_STORAGE, with the node path). Generates the UUID when absent.
 * Returns a new def or NULL with @error set.
 */
MvStoragePoolDef *mv_storage_pool_def_parse(const char *xml, unsigned int flags,
                                            GError **error);

/**
 * mv_storage_pool_def_parse_node:
 * Like mv_storage_pool_def_parse() for the already validated <pool> element @root.
 */
MvStoragePoolDef *mv_storage_pool_def_parse_node(const xmlNode *root, unsigned int flags,
                                                 GError **error);

/**
 * mv_storage_pool_def_format:
 * The canonical XML of @def; format(parse(x)) is stable. Never fails.
 */
char *mv_storage_pool_def_format(const MvStoragePoolDef *def, unsigned int flags);

/** mv_storage_pool_def_copy: a deep copy. */
MvStoragePoolDef *mv_storage_pool_def_copy(const MvStoragePoolDef *def);

/** mv_storage_pool_def_free: NULL is fine. */
void mv_storage_pool_def_free(MvStoragePoolDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvStoragePoolDef, mv_storage_pool_def_free)

/** mv_storage_pool_source_clear: frees the members of @source and zeroes it. */
void mv_storage_pool_source_clear(MvStoragePoolSource *source);

/** mv_storage_pool_source_copy: deep-copies @src into the zeroed @dst. */
void mv_storage_pool_source_copy(MvStoragePoolSource *dst, const MvStoragePoolSource *src);

/** "dir", "fs", "netfs", "logical", "disk", "iscsi"; NULL when unknown. */
const char *mv_storage_pool_type_to_string(MvStoragePoolType type);
/** The type called @str, or -1 (also for libvirt types modvirt does not have). */
int mv_storage_pool_type_from_string(const char *str);

/**
 * mv_storage_pool_type_list_flag:
 * The VIR_CONNECT_LIST_STORAGE_POOLS_<TYPE> bit of virConnectListAllStoragePools that
 * selects pools of @type (DIR 1 << 6 … ISCSI 1 << 11); 0 for an invalid type.
 */
unsigned int mv_storage_pool_type_list_flag(MvStoragePoolType type);

/* Every VIR_CONNECT_LIST_STORAGE_POOLS_<TYPE> bit libvirt defines (DIR 1 << 6 up to
 * ISCSI_DIRECT 1 << 19), modvirt's types or not. */
#define MV_STORAGE_POOL_LIST_TYPE_MASK (((1u << 20) - 1) & ~((1u << 6) - 1))

/* What the XML of a pool type uses and what its operations mean. */
typedef struct {
    MvStoragePoolType type;
    bool source_device;         /* <source><device path/> is used… */
    bool source_device_required; /* …and required */
    bool source_host;           /* <source><host> used and required */
    bool source_dir;            /* <source><dir> used and required */
    bool source_name;           /* <source><name> used (VG name; defaults to the pool name) */
    bool source_initiator;      /* <source><initiator> used */
    bool source_auth;           /* <source><auth type='chap'> used */
    bool target_path_required;  /* else it defaults to default_target_path */
    const char *default_target_path;  /* or NULL */
    bool build_meaningful;      /* pool-build does something (mkdir, mkfs, vgcreate, label) */
    bool volumes_are_files;     /* volumes are files in the target dir (dir, fs, netfs) */
    const char *const *source_formats;  /* NULL-terminated, or NULL: no <format> */
    const char *default_source_format;  /* or NULL */
    const char *const *vol_formats;     /* NULL-terminated target formats of volumes */
    const char *default_vol_format;     /* or NULL */
} MvStoragePoolTypeInfo;

/** mv_storage_pool_type_info: the table row of @type (never NULL for a valid type). */
const MvStoragePoolTypeInfo *mv_storage_pool_type_info(MvStoragePoolType type);

/**
 * mv_storage_pool_def_vg_name:
 * The volume group of a logical pool: <source><name>, else the pool name.
 */
const char *mv_storage_pool_def_vg_name(const MvStoragePoolDef *def);

/* ---- sizes and permissions (storage-conf-util.c), shared with volume XML ---- */

/**
 * mv_storage_unit_scale:
 * The bytes in one @unit, as libvirt's unit= attribute of sizes: "b"/"bytes" (and NULL
 * or ""), "k"/"KiB", "KB", "M"/"MiB", "MB", "G"/"GiB", "GB", "T"/"TiB", "TB",
 * "P"/"PiB", "PB", "E"/"EiB", "EB" (binary ones are powers of 1024, xB of 1000; the
 * single letters case-insensitive). False when unknown.
 */
bool mv_storage_unit_scale(const char *unit, guint64 *ret_bytes);

/**
 * mv_storage_parse_size:
 * @num (decimal digits, surrounding blanks allowed) times @unit (see
 * mv_storage_unit_scale(); NULL means bytes) into @ret_bytes. Errors are
 * MV_ERR_INVALID_ARG, subsystem MV_FROM_STORAGE: "invalid size 'X'", "unknown size
 * unit 'U'", "size X U is too large". @ret_bytes is untouched on failure.
 */
bool mv_storage_parse_size(const char *num, const char *unit, guint64 *ret_bytes,
                           GError **error);

/**
 * mv_storage_parse_size_string:
 * A size written as one string ("10G", "512MiB", "4096", "1.5G" is refused): the
 * digits, then an optional unit as mv_storage_unit_scale() knows it.
 */
bool mv_storage_parse_size_string(const char *str, guint64 *ret_bytes, GError **error);

/** mv_storage_perms_init: @perms unset (mode/owner/group -1, no label). */
void mv_storage_perms_init(MvStoragePerms *perms);
/** mv_storage_perms_clear: frees the label; the rest is reset to unset. */
void mv_storage_perms_clear(MvStoragePerms *perms);
/** mv_storage_perms_copy: @dst (cleared or fresh) becomes a copy of @src. */
void mv_storage_perms_copy(MvStoragePerms *dst, const MvStoragePerms *src);
/** mv_storage_perms_is_set: any of mode/owner/group/label set. */
bool mv_storage_perms_is_set(const MvStoragePerms *perms);

G_END_DECLS
