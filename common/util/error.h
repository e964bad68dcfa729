/* The MV_ERROR domain: error codes are libvirt's error numbers and every error
 * carries the subsystem ("error domain" on the wire) that raised it, so errors
 * cross the RPC wire unchanged in both directions. */
#pragma once

#include <glib.h>
#include <stdbool.h>

G_BEGIN_DECLS

/* Error numbers (virErrorNumber); only the ones we raise are named. */
typedef enum {
    MV_ERR_OK = 0,
    MV_ERR_INTERNAL_ERROR = 1,
    MV_ERR_NO_MEMORY = 2,
    MV_ERR_NO_SUPPORT = 3,
    MV_ERR_UNKNOWN_HOST = 4,
    MV_ERR_NO_CONNECT = 5,
    MV_ERR_INVALID_CONN = 6,
    MV_ERR_INVALID_DOMAIN = 7,
    MV_ERR_INVALID_ARG = 8,
    MV_ERR_OPERATION_FAILED = 9,
    MV_ERR_GET_FAILED = 10,
    MV_ERR_POST_FAILED = 11,
    MV_ERR_HTTP_ERROR = 12,
    MV_ERR_SEXPR_SERIAL = 13,
    MV_ERR_NO_XEN = 14,
    MV_ERR_XEN_CALL = 15,
    MV_ERR_OS_TYPE = 16,
    MV_ERR_NO_KERNEL = 17,
    MV_ERR_NO_ROOT = 18,
    MV_ERR_NO_SOURCE = 19,
    MV_ERR_NO_TARGET = 20,
    MV_ERR_NO_NAME = 21,
    MV_ERR_NO_OS = 22,
    MV_ERR_NO_DEVICE = 23,
    MV_ERR_NO_XENSTORE = 24,
    MV_ERR_DRIVER_FULL = 25,
    MV_ERR_CALL_FAILED = 26,
    MV_ERR_XML_ERROR = 27,
    MV_ERR_DOM_EXIST = 28,
    MV_ERR_OPERATION_DENIED = 29,
    MV_ERR_OPEN_FAILED = 30,
    MV_ERR_READ_FAILED = 31,
    MV_ERR_PARSE_FAILED = 32,
    MV_ERR_CONF_SYNTAX = 33,
    MV_ERR_WRITE_FAILED = 34,
    MV_ERR_XML_DETAIL = 35,
    MV_ERR_INVALID_NETWORK = 36,
    MV_ERR_NETWORK_EXIST = 37,
    MV_ERR_SYSTEM_ERROR = 38,
    MV_ERR_RPC = 39,
    MV_ERR_GNUTLS_ERROR = 40,
    MV_WAR_NO_NETWORK = 41,
    MV_ERR_NO_DOMAIN = 42,
    MV_ERR_NO_NETWORK = 43,
    MV_ERR_INVALID_MAC = 44,
    MV_ERR_AUTH_FAILED = 45,
    MV_ERR_INVALID_STORAGE_POOL = 46,
    MV_ERR_INVALID_STORAGE_VOL = 47,
    MV_WAR_NO_STORAGE = 48,
    MV_ERR_NO_STORAGE_POOL = 49,
    MV_ERR_NO_STORAGE_VOL = 50,
    MV_ERR_NO_NODE_DEVICE = 53,
    MV_ERR_OPERATION_INVALID = 55,
    MV_ERR_NO_NWFILTER = 62,
    MV_ERR_INVALID_SECRET = 65,
    MV_ERR_NO_SECRET = 66,
    MV_ERR_CONFIG_UNSUPPORTED = 67,
    MV_ERR_OPERATION_TIMEOUT = 68,
    MV_ERR_INVALID_DOMAIN_SNAPSHOT = 71,
    MV_ERR_NO_DOMAIN_SNAPSHOT = 72,
    MV_ERR_ARGUMENT_UNSUPPORTED = 74,
    MV_ERR_OPERATION_ABORTED = 78,
    MV_ERR_AUTH_CANCELLED = 79,
    MV_ERR_NO_DOMAIN_METADATA = 80,
    MV_ERR_OPERATION_UNSUPPORTED = 84,
    MV_ERR_AGENT_UNRESPONSIVE = 86,
    MV_ERR_RESOURCE_BUSY = 87,
    MV_ERR_ACCESS_DENIED = 88,
    MV_ERR_STORAGE_VOL_EXIST = 90,
    MV_ERR_XML_INVALID_SCHEMA = 92,
    MV_ERR_AUTH_UNAVAILABLE = 94,
    MV_ERR_NO_SERVER = 95,
    MV_ERR_AGENT_UNSYNCED = 97,
    MV_ERR_DEVICE_MISSING = 99,
    MV_ERR_NO_NWFILTER_BINDING = 101,
    MV_ERR_INVALID_NETWORK_PORT = 105,
    MV_ERR_NETWORK_PORT_EXIST = 106,
    MV_ERR_NO_NETWORK_PORT = 107,
} MvErrorCode;

/* Subsystems (virErrorDomain). */
typedef enum {
    MV_FROM_NONE = 0,
    MV_FROM_XML = 5,
    MV_FROM_RPC = 7,
    MV_FROM_CONF = 9,
    MV_FROM_QEMU = 10,
    MV_FROM_NET = 11,
    MV_FROM_REMOTE = 13,
    MV_FROM_LXC = 17,
    MV_FROM_STORAGE = 18,
    MV_FROM_NETWORK = 19,
    MV_FROM_DOMAIN = 20,
    MV_FROM_NODEDEV = 22,
    MV_FROM_SECURITY = 24,
    MV_FROM_INTERFACE = 26,
    MV_FROM_SECRET = 30,
    MV_FROM_STREAMS = 38,
    MV_FROM_NWFILTER = 33,
    MV_FROM_DOMAIN_SNAPSHOT = 35,
    MV_FROM_ACCESS = 55,
    MV_FROM_FIREWALL = 59,
    MV_FROM_ADMIN = 62,
} MvErrorSubsystem;

/* Error levels as sent on the wire. */
enum { MV_ERR_LEVEL_NONE = 0, MV_ERR_LEVEL_WARNING = 1, MV_ERR_LEVEL_ERROR = 2 };

#define MV_ERROR (mv_error_quark())
GQuark mv_error_quark(void);

/**
 * mv_error_set:
 * Sets @error (if non-NULL and still unset) to an MV_ERROR with @code and
 * subsystem @from; the message is the printf-style @fmt.
 * Always returns false so callers can write `return mv_error_set(...)`.
 */
bool mv_error_set(GError **error, MvErrorSubsystem from, MvErrorCode code,
                  const char *fmt, ...) G_GNUC_PRINTF(4, 5);

/**
 * mv_error_set_errno:
 * Like mv_error_set() with code MV_ERR_SYSTEM_ERROR, appending ": <strerror(errnum)>".
 * Returns false.
 */
bool mv_error_set_errno(GError **error, MvErrorSubsystem from, int errnum,
                        const char *fmt, ...) G_GNUC_PRINTF(4, 5);

/**
 * mv_error_get_subsystem:
 * The subsystem of @error when it is an MV_ERROR, else MV_FROM_NONE.
 */
MvErrorSubsystem mv_error_get_subsystem(const GError *error);

/**
 * mv_error_get_code:
 * The wire error number of any GError: its code for MV_ERROR, and
 * MV_ERR_INTERNAL_ERROR for every other domain (MV_ERR_SYSTEM_ERROR for G_IO_ERROR
 * and G_FILE_ERROR).
 */
MvErrorCode mv_error_get_code(const GError *error);

/**
 * mv_error_set_subsystem:
 * Changes the subsystem recorded in an MV_ERROR (no-op for other domains).
 */
void mv_error_set_subsystem(GError *error, MvErrorSubsystem from);

/**
 * mv_error_matches:
 * True when @error is an MV_ERROR with @code.
 */
bool mv_error_matches(const GError *error, MvErrorCode code);

G_END_DECLS
