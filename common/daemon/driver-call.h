/* What a driver's typed handlers see of the call they serve, with no RPC or
 * XDR type in sight: the caller's context behind an opaque MvDriverCall, and
 * the neutral value types the generated driver vtables (remote-driver.h) use
 * for object references and typed parameters. See docs/protocol.md. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "driver/list.h"

G_BEGIN_DECLS

/* The call being served (an opaque handle; valid during the handler only). */
typedef struct _MvDriverCall MvDriverCall;

typedef struct _MvDaemon MvDaemon;
typedef struct _MvDaemonConn MvDaemonConn;
typedef struct _MvServerClient MvServerClient;
typedef struct _MvServerCall MvServerCall;

/*
 * A reference to an object on the wire: a domain, network, nwfilter, storage
 * pool, volume, interface, node device or secret. Which fields a family uses
 * (the rest stay zero / NULL):
 *   domain                  name, uuid, id (-1 when inactive)
 *   network, nwfilter, pool name, uuid
 *   volume                  pool (the pool's name), name, key
 *   interface               name, key (the MAC address)
 *   node device             name
 *   secret                  uuid, id (the usage type), name (the usage id)
 *   network port            uuid (the port's), name + parent_uuid (its network's)
 *   nwfilter binding        name (the port device), key (the filter's name)
 * In arguments the strings are borrowed from the decoded call; in results
 * the handler fills them with newly allocated strings that the glue takes.
 */
typedef struct {
    char *name;
    guint8 uuid[16];
    int id;
    char *pool;
    char *key;
    guint8 parent_uuid[16];         /* network port: the network's UUID */
} MvObjectRef;

/* libvirt's typed parameter types (the numbers are the wire's). */
typedef enum {
    MV_TYPED_PARAM_INT = 1,
    MV_TYPED_PARAM_UINT = 2,
    MV_TYPED_PARAM_LLONG = 3,
    MV_TYPED_PARAM_ULLONG = 4,
    MV_TYPED_PARAM_DOUBLE = 5,
    MV_TYPED_PARAM_BOOLEAN = 6,
    MV_TYPED_PARAM_STRING = 7,
} MvTypedParamType;

/* One typed parameter: a field name and a value of @type. */
typedef struct {
    char *field;
    int type;                       /* MvTypedParamType */
    union {
        int i;
        unsigned int ui;
        int64_t l;
        uint64_t ul;
        double d;
        int b;
        char *s;
    } value;
} MvTypedParam;

/** mv_object_ref_clear: frees the strings of @ref (one the handler filled). */
void mv_object_ref_clear(MvObjectRef *ref);

/**
 * mv_driver_list_all_refs:
 * The reply of a list-all call over @list: the objects that pass @query (more
 * than @max fail, see mv_driver_list_select()), each made a wire reference by
 * @fill (called with the object locked) when @need_results; counted only
 * otherwise (*@ret_refs NULL, *@ret_n_refs 0). *@ret_ret gets the count.
 */
typedef void (*MvObjectRefFill)(MvObjectRef *ret, MvDriverObject *obj);
bool mv_driver_list_all_refs(MvDriverList *list, const MvDriverQuery *query, guint max,
                             int need_results, MvObjectRefFill fill, MvObjectRef **ret_refs,
                             guint *ret_n_refs, unsigned int *ret_ret, GError **error);

/** mv_typed_params_append_*: add a parameter (a copy of @field and @s) to @params. */
void mv_typed_params_append_int(GArray *params, const char *field, int value);
void mv_typed_params_append_uint(GArray *params, const char *field, unsigned int value);
void mv_typed_params_append_ullong(GArray *params, const char *field, uint64_t value);
void mv_typed_params_append_string(GArray *params, const char *field, const char *s);

/** mv_typed_params_new: an empty GArray of MvTypedParam for the appenders above. */
GArray *mv_typed_params_new(void);

/** mv_driver_call_daemon: the daemon serving @call. */
MvDaemon *mv_driver_call_daemon(MvDriverCall *call);

/** mv_driver_call_driver_data: the driver's process-wide state (mv_daemon_set_driver_data). */
gpointer mv_driver_call_driver_data(MvDriverCall *call);

/** mv_driver_call_conn: the per-connection state of the caller. */
MvDaemonConn *mv_driver_call_conn(MvDriverCall *call);

/** mv_driver_call_is_readonly: the caller came in on a read-only socket. */
bool mv_driver_call_is_readonly(MvDriverCall *call);

/**
 * mv_driver_call_client:
 * The caller's connection, for registrations that outlive the call (event
 * callbacks); take a reference with mv_server_client_ref() to keep it.
 */
MvServerClient *mv_driver_call_client(MvDriverCall *call);

/**
 * mv_driver_call_caller_uid:
 * The uid of the user behind @call: the one a root peer (the proxy, another
 * daemon) named with CONNECT_SET_IDENTITY ("unix-user-id"), else the peer's
 * own (SO_PEERCRED). False when unknown: a forwarded identity without a UNIX
 * uid (a TLS client of the proxy), a TCP peer.
 */
bool mv_driver_call_caller_uid(MvDriverCall *call, uid_t *ret_uid);

/**
 * mv_driver_call_server_call:
 * The underlying server call, for the few handlers that open a stream
 * (console, upload): they register it with the server's stream API.
 */
MvServerCall *mv_driver_call_server_call(MvDriverCall *call);

G_END_DECLS
