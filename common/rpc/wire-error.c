/* XDR of the remote error struct, see wire-error.h. */
#include "rpc/wire-error.h"

#include <stdlib.h>

#define MV_WIRE_STRING_MAX 4194304u

/* A `str?`: a 0/1 presence word, then the string when present. */
static bool_t
xdr_optional_string(XDR *xdr, char **str)
{
    u_int present = *str != NULL;

    if (xdr->x_op == XDR_FREE) {
        free(*str);
        *str = NULL;
        return TRUE;
    }
    if (xdr->x_op == XDR_DECODE)
        *str = NULL;
    if (!xdr_u_int(xdr, &present))
        return FALSE;
    if (!present)
        return TRUE;
    if (present != 1)
        return FALSE;
    return xdr_string(xdr, str, MV_WIRE_STRING_MAX);
}

static bool_t
xdr_wrapped_nonnull_string(XDR *xdr, char **str)
{
    return xdr_string(xdr, str, MV_WIRE_STRING_MAX);
}

/* Skips an optional object reference: dom = name, uuid[16], id; net = name, uuid. */
static bool_t
xdr_skip_optional_object(XDR *xdr, bool with_id)
{
    u_int present = 0;
    char *name = NULL;
    char uuid[16];
    int id;
    bool_t ok;

    if (xdr->x_op == XDR_ENCODE || xdr->x_op == XDR_FREE) {
        present = 0;
        return xdr->x_op == XDR_FREE ? TRUE : xdr_u_int(xdr, &present);
    }
    if (!xdr_u_int(xdr, &present))
        return FALSE;
    if (!present)
        return TRUE;
    ok = xdr_wrapped_nonnull_string(xdr, &name) && xdr_opaque(xdr, uuid, sizeof(uuid)) &&
         (!with_id || xdr_int(xdr, &id));
    free(name);
    return ok;
}

bool_t
mv_wire_error_xdr(XDR *xdr, MvWireError *err, ...)
{
    return xdr_int(xdr, &err->code) &&
           xdr_int(xdr, &err->domain) &&
           xdr_optional_string(xdr, &err->message) &&
           xdr_int(xdr, &err->level) &&
           xdr_skip_optional_object(xdr, true) &&
           xdr_optional_string(xdr, &err->str1) &&
           xdr_optional_string(xdr, &err->str2) &&
           xdr_optional_string(xdr, &err->str3) &&
           xdr_int(xdr, &err->int1) &&
           xdr_int(xdr, &err->int2) &&
           xdr_skip_optional_object(xdr, false);
}
