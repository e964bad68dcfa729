/* The secret driver of modvirt-storaged: libvirt's secret API (define,
 * undefine, lookup by UUID and usage, list, XML, set/get value, events).
 *
 * Definitions live in <etc>/secrets/<uuid>.xml (the driver frame's store);
 * values in <etc>/secrets/<uuid>.value, encrypted with AES-256-GCM under a
 * per-host key <etc>/secrets/host.key (0600, made on first use). Ephemeral
 * secrets and their values never touch the disk. Private secrets never leave
 * the daemon: their value is only handed out inside it, through
 * mv_secret_driver_get_value() (storaged's LUKS volume creation).
 *
 * One secret driver per process: mv_secret_driver_new() makes the instance
 * the handlers of mv_secret_driver_fill() serve. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "daemon/daemon.h"
#include "daemon/driver-call.h"
#include "remote-driver.h"
#include "util/paths.h"

G_BEGIN_DECLS

typedef struct _MvSecretDriver MvSecretDriver;

/**
 * mv_secret_driver_new:
 * Loads the secret definitions under @paths' etc directory (creating
 * <etc>/secrets when missing) and makes the new driver the one the handlers
 * serve. Definitions that do not parse are logged and left on disk.
 */
MvSecretDriver *mv_secret_driver_new(const MvPaths *paths, GError **error);

/** mv_secret_driver_free: frees @driver (NULL is fine); the handlers then serve none. */
void mv_secret_driver_free(MvSecretDriver *driver);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvSecretDriver, mv_secret_driver_free)

/**
 * mv_secret_driver_fill:
 * Sets every entry of @vtable (a daemon's MvRemoteSecretDriver, before
 * mv_remote_drivers_fill()) to the secret handlers.
 */
void mv_secret_driver_fill(MvRemoteSecretDriver *vtable);

/**
 * mv_secret_driver_set_daemon:
 * The daemon whose idle exit the driver holds off while an ephemeral secret
 * exists (its value lives only in memory: an idle exit would lose it).
 */
void mv_secret_driver_set_daemon(MvSecretDriver *driver, MvDaemon *daemon);

/** mv_secret_driver_conn_closed: drops @client's event registrations (conn_closed hook). */
void mv_secret_driver_conn_closed(MvSecretDriver *driver, MvServerClient *client);

/**
 * mv_secret_driver_get_value:
 * The value of the secret @uuid for use inside the daemon (a LUKS
 * passphrase), private secrets included. Free it with mv_secret_value_free().
 * Fails with MV_ERR_NO_SECRET when there is no such secret, and
 * MV_ERR_NO_SECRET "secret '…' does not have a value" when none was set.
 */
bool mv_secret_driver_get_value(MvSecretDriver *driver, const guint8 uuid[16],
                                guint8 **ret_value, gsize *ret_len, GError **error);

/** mv_secret_value_free: wipes and frees a value of @len bytes (NULL is fine). */
void mv_secret_value_free(guint8 *value, gsize len);

G_END_DECLS
