/* libmodvirt errors.
 *
 * Every libmodvirt call that can fail takes a `GError **error` as its last
 * parameter. Errors are in the MV_ERROR domain and their `code` is the wire
 * error number the daemons send (libvirt's error numbers), so an error raised
 * in a daemon arrives here unchanged. `message` is one sentence meant for
 * people; match on `code`, never on the text.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * MV_ERROR:
 * The error domain of every error libmodvirt reports.
 */
#define MV_ERROR (mv_error_quark())

/**
 * mv_error_quark:
 * Returns the GQuark of the MV_ERROR domain. Never fails.
 */
GQuark mv_error_quark(void);

/* The error numbers an application is most likely to test for. Any other
 * wire error number may appear as well; they never change meaning. */
typedef enum {
    MV_ERROR_INTERNAL = 1,              /* a bug: report it */
    MV_ERROR_NO_SUPPORT = 3,            /* the daemon does not implement this */
    MV_ERROR_NO_CONNECT = 5,            /* a daemon could not be reached */
    MV_ERROR_INVALID_CONN = 6,          /* the connection is closed or unusable */
    MV_ERROR_INVALID_ARG = 8,           /* bad argument, unknown flag bits */
    MV_ERROR_OPERATION_FAILED = 9,
    MV_ERROR_XML = 27,                  /* XML that does not parse or fit */
    MV_ERROR_OPERATION_DENIED = 29,     /* read-only connection, access control */
    MV_ERROR_SYSTEM = 38,               /* an OS call failed */
    MV_ERROR_RPC = 39,                  /* protocol trouble, unknown procedure */
    MV_ERROR_TLS = 40,                  /* TLS handshake or certificates */
    MV_ERROR_NO_DOMAIN = 42,            /* no such domain */
    MV_ERROR_NO_NETWORK = 43,           /* no such network */
    MV_ERROR_AUTH_FAILED = 45,
    MV_ERROR_NO_STORAGE_POOL = 49,      /* no such storage pool */
    MV_ERROR_NO_STORAGE_VOLUME = 50,    /* no such storage volume */
    MV_ERROR_OPERATION_INVALID = 55,    /* not valid in the object's current state */
    MV_ERROR_NO_NETWORK_FILTER = 62,    /* no such network filter */
    MV_ERROR_INVALID_SECRET = 65,       /* e.g. the value of a private secret */
    MV_ERROR_NO_SECRET = 66,            /* no such secret, or it has no value */
    MV_ERROR_CONFIG_UNSUPPORTED = 67,
    MV_ERROR_TIMEOUT = 68,              /* a timeout given to a call expired */
    MV_ERROR_OPERATION_UNSUPPORTED = 84,
    MV_ERROR_RESOURCE_BUSY = 87,        /* e.g. a console already open elsewhere */
    MV_ERROR_XML_INVALID_SCHEMA = 92,
    MV_ERROR_NO_NETWORK_FILTER_BINDING = 101,   /* no filter binding on that port */
} MvErrorNumber;

G_END_DECLS
