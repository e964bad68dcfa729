/* An ordered list of QEMU properties: one builder output for both the command
 * line ("virtio-blk-pci,drive=…,bootindex=1") and QMP (device_add,
 * blockdev-add, netdev_add arguments), so hot-plugged devices get exactly the
 * properties a cold boot gives them. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

G_BEGIN_DECLS

typedef struct _MvQemuProps MvQemuProps;

/* A new empty list. */
MvQemuProps *mv_qemu_props_new(void);
void mv_qemu_props_free(MvQemuProps *props);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvQemuProps, mv_qemu_props_free)

/* Appends a property. Keys with dots ("cache.direct") are nested objects in
 * QMP. A bool is on/off on the command line and a JSON boolean in QMP; a uint
 * a JSON integer; a string a JSON string. */
void mv_qemu_props_add_str(MvQemuProps *props, const char *key, const char *value);
void mv_qemu_props_add_strf(MvQemuProps *props, const char *key, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
void mv_qemu_props_add_uint(MvQemuProps *props, const char *key, guint64 value);
void mv_qemu_props_add_bool(MvQemuProps *props, const char *key, bool value);

/**
 * mv_qemu_props_get_str:
 * The value of string property @key, or NULL. Borrowed.
 */
const char *mv_qemu_props_get_str(const MvQemuProps *props, const char *key);

/**
 * mv_qemu_props_format:
 * The command-line form: "k1=v1,k2=v2…", or with @bare_first "v1,k2=v2…" (the
 * -device driver, the -netdev type). String values are escaped (',' → ",,").
 * Appends to @buf.
 */
void mv_qemu_props_format(const MvQemuProps *props, bool bare_first, GString *buf);

/**
 * mv_qemu_props_to_json:
 * The QMP arguments object. Caller owns the new object.
 */
JsonObject *mv_qemu_props_to_json(const MvQemuProps *props);

G_END_DECLS
