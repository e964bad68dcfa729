/* The remote error payload (status ERROR), encoded by hand so the RPC core does
 * not depend on the generated protocol code. Field order (wire facts §2.4):
 * code, domain, message?, level, dom?, str1?, str2?, str3?, int1, int2, net?. */
#pragma once

#include <rpc/rpc.h>
#include <stdbool.h>

typedef struct {
    int code;
    int domain;
    char *message;      /* optional */
    int level;
    char *str1;         /* optional */
    char *str2;         /* optional */
    char *str3;         /* optional */
    int int1;
    int int2;
} MvWireError;

/**
 * mv_wire_error_xdr:
 * XDR filter for MvWireError. On encode the unused object references (dom,
 * net) are sent as NULL and int1/int2 as given; on decode non-NULL object
 * references are parsed and dropped. Strings are allocated on decode; free
 * with xdr_free((xdrproc_t)mv_wire_error_xdr, err).
 */
bool_t mv_wire_error_xdr(XDR *xdr, MvWireError *err, ...);
