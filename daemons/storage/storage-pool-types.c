/* The name tables of pool types, volume types and formats, and what each pool
 * type uses (MvStoragePoolTypeInfo). Facts from libvirt's documented pool and
 * volume XML formats. */
#include <string.h>

#include "storage-conf-priv.h"

static int
mv_storage_lookup(const char *const *names, size_t n, const char *str)
{
    if (!str)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (names[i] && strcmp(names[i], str) == 0)
            return (int)i;
    return -1;
}

/* ---- pool types ---- */

static const char *const pool_type_names[MV_STORAGE_POOL_TYPE_LAST] = {
    [MV_STORAGE_POOL_DIR] = "dir",         [MV_STORAGE_POOL_FS] = "fs",
    [MV_STORAGE_POOL_NETFS] = "netfs",     [MV_STORAGE_POOL_LOGICAL] = "logical",
    [MV_STORAGE_POOL_DISK] = "disk",       [MV_STORAGE_POOL_ISCSI] = "iscsi",
};

const char *const mv_storage_pool_unsupported_types[] = {
    "iscsi-direct", "scsi", "mpath", "rbd", "sheepdog", "gluster", "zfs", "vstorage", NULL,
};

const char *
mv_storage_pool_type_to_string(MvStoragePoolType type)
{
    return (unsigned int)type < MV_STORAGE_POOL_TYPE_LAST ? pool_type_names[type] : NULL;
}

int
mv_storage_pool_type_from_string(const char *str)
{
    return mv_storage_lookup(pool_type_names, G_N_ELEMENTS(pool_type_names), str);
}

/* libvirt's list filter bits follow its pool type order, which modvirt's enum
 * keeps for the six types it has: DIR is 1 << 6. */
unsigned int
mv_storage_pool_type_list_flag(MvStoragePoolType type)
{
    return (unsigned int)type < MV_STORAGE_POOL_TYPE_LAST ? 1u << (6 + type) : 0;
}

/* ---- volume types ---- */

static const char *const vol_type_names[MV_STORAGE_VOL_TYPE_LAST] = {
    [MV_STORAGE_VOL_FILE] = "file",       [MV_STORAGE_VOL_BLOCK] = "block",
    [MV_STORAGE_VOL_DIR] = "dir",         [MV_STORAGE_VOL_NETWORK] = "network",
    [MV_STORAGE_VOL_NETDIR] = "netdir",   [MV_STORAGE_VOL_PLOOP] = "ploop",
};

const char *
mv_storage_vol_type_to_string(MvStorageVolType type)
{
    return (unsigned int)type < MV_STORAGE_VOL_TYPE_LAST ? vol_type_names[type] : NULL;
}

int
mv_storage_vol_type_from_string(const char *str)
{
    return mv_storage_lookup(vol_type_names, G_N_ELEMENTS(vol_type_names), str);
}

/* ---- volume formats ---- */

static const char *const vol_format_names[MV_STORAGE_VOL_FORMAT_LAST] = {
    [MV_STORAGE_VOL_FORMAT_NONE] = "none",
    [MV_STORAGE_VOL_FORMAT_RAW] = "raw",
    [MV_STORAGE_VOL_FORMAT_DIR] = "dir",
    [MV_STORAGE_VOL_FORMAT_BOCHS] = "bochs",
    [MV_STORAGE_VOL_FORMAT_CLOOP] = "cloop",
    [MV_STORAGE_VOL_FORMAT_DMG] = "dmg",
    [MV_STORAGE_VOL_FORMAT_ISO] = "iso",
    [MV_STORAGE_VOL_FORMAT_VPC] = "vpc",
    [MV_STORAGE_VOL_FORMAT_VDI] = "vdi",
    [MV_STORAGE_VOL_FORMAT_FAT] = "fat",
    [MV_STORAGE_VOL_FORMAT_VHD] = "vhd",
    [MV_STORAGE_VOL_FORMAT_PLOOP] = "ploop",
    [MV_STORAGE_VOL_FORMAT_COW] = "cow",
    [MV_STORAGE_VOL_FORMAT_QCOW] = "qcow",
    [MV_STORAGE_VOL_FORMAT_QCOW2] = "qcow2",
    [MV_STORAGE_VOL_FORMAT_QED] = "qed",
    [MV_STORAGE_VOL_FORMAT_VMDK] = "vmdk",
    [MV_STORAGE_VOL_FORMAT_LUKS] = "luks",
    [MV_STORAGE_VOL_FORMAT_PART_LINUX] = "linux",
    [MV_STORAGE_VOL_FORMAT_PART_FAT16] = "fat16",
    [MV_STORAGE_VOL_FORMAT_PART_FAT32] = "fat32",
    [MV_STORAGE_VOL_FORMAT_PART_LINUX_SWAP] = "linux-swap",
    [MV_STORAGE_VOL_FORMAT_PART_LINUX_LVM] = "linux-lvm",
    [MV_STORAGE_VOL_FORMAT_PART_LINUX_RAID] = "linux-raid",
    [MV_STORAGE_VOL_FORMAT_PART_EXTENDED] = "extended",
};

const char *
mv_storage_vol_format_to_string(MvStorageVolFormat format)
{
    return (unsigned int)format < MV_STORAGE_VOL_FORMAT_LAST ? vol_format_names[format] : NULL;
}

int
mv_storage_vol_format_from_string(const char *str)
{
    return mv_storage_lookup(vol_format_names, G_N_ELEMENTS(vol_format_names), str);
}

bool
mv_storage_vol_format_has_backing(MvStorageVolFormat format)
{
    return format == MV_STORAGE_VOL_FORMAT_COW || format == MV_STORAGE_VOL_FORMAT_QCOW ||
           format == MV_STORAGE_VOL_FORMAT_QCOW2 || format == MV_STORAGE_VOL_FORMAT_QED ||
           format == MV_STORAGE_VOL_FORMAT_VMDK;
}

static const char *const encryption_names[] = {
    [MV_STORAGE_ENCRYPTION_NONE] = NULL,
    [MV_STORAGE_ENCRYPTION_DEFAULT] = "default",
    [MV_STORAGE_ENCRYPTION_QCOW] = "qcow",
    [MV_STORAGE_ENCRYPTION_LUKS] = "luks",
};

const char *
mv_storage_encryption_format_to_string(MvStorageEncryptionFormat format)
{
    return (unsigned int)format < G_N_ELEMENTS(encryption_names) ? encryption_names[format]
                                                                 : NULL;
}

int
mv_storage_encryption_format_from_string(const char *str)
{
    return mv_storage_lookup(encryption_names, G_N_ELEMENTS(encryption_names), str);
}

/* ---- what each pool type uses ---- */

static const char *const file_vol_formats[] = {
    "none", "raw", "dir", "bochs", "cloop", "dmg", "iso", "vpc", "vdi", "fat", "vhd", "ploop",
    "cow", "qcow", "qcow2", "qed", "vmdk", NULL,
};
/* Logical volumes have no format of their own; "raw" is accepted as a synonym
 * (tools send it) and kept. */
static const char *const logical_vol_formats[] = { "none", "raw", NULL };
static const char *const disk_vol_formats[] = {
    "none", "linux", "fat16", "fat32", "linux-swap", "linux-lvm", "linux-raid", "extended", NULL,
};
static const char *const none_vol_formats[] = { "none", NULL };

static const char *const fs_formats[] = {
    "auto", "ext2", "ext3", "ext4", "ufs", "iso9660", "udf", "gfs", "gfs2", "vfat", "hfs+",
    "xfs", "ocfs2", "vmfs", NULL,
};
static const char *const netfs_formats[] = { "auto", "nfs", "glusterfs", "cifs", NULL };
static const char *const logical_formats[] = { "unknown", "lvm2", NULL };
static const char *const disk_formats[] = {
    "unknown", "dos", "dvh", "gpt", "mac", "bsd", "pc98", "sun", "lvm2", NULL,
};

static const MvStoragePoolTypeInfo pool_types[MV_STORAGE_POOL_TYPE_LAST] = {
    [MV_STORAGE_POOL_DIR] = {
        .type = MV_STORAGE_POOL_DIR,
        .target_path_required = true,
        .build_meaningful = true,
        .volumes_are_files = true,
        .vol_formats = file_vol_formats,
        .default_vol_format = "raw",
    },
    [MV_STORAGE_POOL_FS] = {
        .type = MV_STORAGE_POOL_FS,
        .source_device = true,
        .source_device_required = true,
        .target_path_required = true,
        .build_meaningful = true,
        .volumes_are_files = true,
        .source_formats = fs_formats,
        .default_source_format = "auto",
        .vol_formats = file_vol_formats,
        .default_vol_format = "raw",
    },
    [MV_STORAGE_POOL_NETFS] = {
        .type = MV_STORAGE_POOL_NETFS,
        .source_host = true,
        .source_dir = true,
        .target_path_required = true,
        .build_meaningful = true,
        .volumes_are_files = true,
        .source_formats = netfs_formats,
        .default_source_format = "auto",
        .vol_formats = file_vol_formats,
        .default_vol_format = "raw",
    },
    [MV_STORAGE_POOL_LOGICAL] = {
        .type = MV_STORAGE_POOL_LOGICAL,
        .source_device = true,
        .source_name = true,
        .build_meaningful = true,
        .source_formats = logical_formats,
        .default_source_format = "lvm2",
        .vol_formats = logical_vol_formats,
        .default_vol_format = "none",
    },
    [MV_STORAGE_POOL_DISK] = {
        .type = MV_STORAGE_POOL_DISK,
        .source_device = true,
        .source_device_required = true,
        .default_target_path = "/dev",
        .build_meaningful = true,
        .source_formats = disk_formats,
        .default_source_format = "unknown",
        .vol_formats = disk_vol_formats,
        .default_vol_format = "none",
    },
    [MV_STORAGE_POOL_ISCSI] = {
        .type = MV_STORAGE_POOL_ISCSI,
        .source_device = true,
        .source_device_required = true,
        .source_host = true,
        .source_initiator = true,
        .source_auth = true,
        .default_target_path = "/dev/disk/by-path",
        .vol_formats = none_vol_formats,
        .default_vol_format = "none",
    },
};

const MvStoragePoolTypeInfo *
mv_storage_pool_type_info(MvStoragePoolType type)
{
    return (unsigned int)type < MV_STORAGE_POOL_TYPE_LAST ? &pool_types[type] : NULL;
}

bool
mv_storage_vol_format_allowed(MvStoragePoolType pool_type, MvStorageVolFormat format)
{
    const MvStoragePoolTypeInfo *info = mv_storage_pool_type_info(pool_type);
    const char *name = mv_storage_vol_format_to_string(format);

    if (!info || !name)
        return false;
    return g_strv_contains((const char *const *)info->vol_formats, name);
}

MvStorageVolFormat
mv_storage_vol_default_format(MvStoragePoolType pool_type)
{
    const MvStoragePoolTypeInfo *info = mv_storage_pool_type_info(pool_type);

    if (!info || !info->default_vol_format)
        return MV_STORAGE_VOL_FORMAT_NONE;
    return (MvStorageVolFormat)mv_storage_vol_format_from_string(info->default_vol_format);
}

const char *
mv_storage_pool_def_vg_name(const MvStoragePoolDef *def)
{
    return def->source.name ? def->source.name : def->name;
}
