/* What survives a daemon, per object: its definition in
 * <config_dir>/<name>.xml (e.g. <etc>/qemu), an autostart link in
 * <config_dir>/autostart/<name>.xml, and the live status of an active object
 * in <status_dir>/<name>.xml (e.g. <run>/qemu). Every file is written
 * atomically (temp file + rename), so a SIGKILL at any moment leaves the old
 * or the new version, never half of one; definitions are also fsynced.
 *
 * What goes into the files is the family's business: the store moves text. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "util/error.h"

G_BEGIN_DECLS

typedef struct _MvDriverStore MvDriverStore;

/**
 * mv_driver_store_new:
 * A store over @config_dir and @status_dir (not created yet; see
 * mv_driver_store_create_dirs). @error_from (MV_FROM_*) is used for the
 * errors of its own (the autostart link).
 */
MvDriverStore *mv_driver_store_new(const char *config_dir, const char *status_dir,
                                   int error_from);
void mv_driver_store_free(MvDriverStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvDriverStore, mv_driver_store_free)

/** mv_driver_store_create_dirs: the config (0755) and status (0700) directories. */
bool mv_driver_store_create_dirs(MvDriverStore *store, GError **error);

const char *mv_driver_store_config_dir(const MvDriverStore *store);
const char *mv_driver_store_autostart_dir(const MvDriverStore *store);
const char *mv_driver_store_status_dir(const MvDriverStore *store);

/** The files of object @name (caller frees). */
char *mv_driver_store_config_path(const MvDriverStore *store, const char *name);
char *mv_driver_store_status_path(const MvDriverStore *store, const char *name);

/** mv_driver_store_save_config: writes @xml as the definition of @name (durable, 0600). */
bool mv_driver_store_save_config(MvDriverStore *store, const char *name, const char *xml,
                                 GError **error);

/** mv_driver_store_delete_config: removes the definition and its autostart link. */
bool mv_driver_store_delete_config(MvDriverStore *store, const char *name, GError **error);

/** mv_driver_store_set_autostart: creates or removes the autostart link of @name. */
bool mv_driver_store_set_autostart(MvDriverStore *store, const char *name, bool autostart,
                                   GError **error);

/** mv_driver_store_get_autostart: whether @name has an autostart link. */
bool mv_driver_store_get_autostart(const MvDriverStore *store, const char *name);

/**
 * mv_driver_store_save_status:
 * Writes @text as the live status of @name: atomic against a killed daemon,
 * but not fsynced (live status dies with the host).
 */
bool mv_driver_store_save_status(MvDriverStore *store, const char *name, const char *text,
                                 GError **error);

/** mv_driver_store_delete_status: removes the status file (no error when missing). */
bool mv_driver_store_delete_status(MvDriverStore *store, const char *name, GError **error);

/* Called back by mv_driver_store_reconcile(). */
typedef struct {
    /* A definition (@xml, the whole file): add the object. False with @error
     * rejects the file (it is kept on disk). */
    bool (*config)(const char *path, const char *xml, bool autostart, gpointer data,
                   GError **error);
    /* A status file: reconnect to (or clean up after) the live object.
     * @has_config: a definition of the same name was accepted above; without
     * one the object was transient. False with @error rejects the file: it is
     * then removed. May be NULL (status files are left alone). */
    bool (*status)(const char *path, const char *text, bool has_config, gpointer data,
                   GError **error);
    /* A file was rejected (unreadable or refused by the callback): report it. */
    void (*rejected)(const char *path, bool is_status, const GError *error, gpointer data);
} MvDriverReconcile;

/**
 * mv_driver_store_check_file_name:
 * For a config callback: the definition file @path of the @noun @name must be
 * called <name>.xml; otherwise false with "the file holds NOUN 'NAME': it
 * should be called NAME.xml" (MV_ERR_INTERNAL_ERROR from @from).
 */
bool mv_driver_store_check_file_name(const char *path, const char *noun, const char *name,
                                     MvErrorSubsystem from, GError **error);

/**
 * mv_driver_store_reconcile:
 * The start-up pass: every definition (sorted by name), then every status
 * file (sorted), each handed to @cb. Temp files of writes that a killed
 * daemon never finished are removed on the way. Missing directories are
 * empty ones.
 */
void mv_driver_store_reconcile(MvDriverStore *store, const MvDriverReconcile *cb,
                               gpointer data);

G_END_DECLS
