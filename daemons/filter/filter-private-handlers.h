/* The private FILTER program's handlers (protocol/filter-private.x) in
 * modvirt-filterd: decode-side conversions to the plain structs of
 * filter-netrules.h and filter-doctor.h, and who may call. */
#pragma once

#include <glib.h>

#include "daemon/daemon.h"

G_BEGIN_DECLS

/**
 * mv_filter_private_serve:
 * Adds the FILTER_PRIVATE program to filterd's REMOTE @server (the
 * descriptor's prepare_server hook): read-write procedures on filter.sock,
 * the doctor's check also on filter-ro.sock.
 */
bool mv_filter_private_serve(MvDaemon *daemon, MvServer *server, GError **error);

G_END_DECLS
