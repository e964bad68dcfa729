/* libmodvirt: the modvirt client library. Include this header only.
 *
 *   #include <modvirt/modvirt.h>
 *   cc app.c $(pkg-config --cflags --libs modvirt)
 *
 * Conventions, true of every function:
 *   - the last parameter is `GError **error` (NULL to ignore errors); errors are
 *     MV_ERROR with the wire error number as code (modvirt/error.h);
 *   - calls that may gain options take `unsigned int flags`; bits this
 *     version does not know fail with MV_ERROR_INVALID_ARG and do nothing;
 *   - out-parameters are named ret_* and untouched on failure;
 *   - every ref/unref/free accepts NULL; each function says who owns what
 *     it returns;
 *   - an MvConnect and the objects made from it can be used from several
 *     threads at once.
 * See docs/api.md for a tour.
 */
#pragma once

#include <modvirt/error.h>
#include <modvirt/connect.h>
#include <modvirt/domain.h>
#include <modvirt/stream.h>
#include <modvirt/network.h>
#include <modvirt/storage.h>
#include <modvirt/secret.h>
#include <modvirt/nwfilter.h>
#include <modvirt/nwfilter-binding.h>
#include <modvirt/firewall.h>
#include <modvirt/events.h>

G_BEGIN_DECLS

/**
 * mv_library_version:
 * Returns: the version of libmodvirt in use, major * 1000000 + minor * 1000 + micro.
 */
unsigned long mv_library_version(void);

G_END_DECLS
