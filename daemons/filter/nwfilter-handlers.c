/* The nwfilter family's typed handlers (remote-driver.h): filters and
 * bindings, on top of nwfilter-driver.c. */
#include "nwfilter-handlers.h"

#include <string.h>

#include "daemon/driver-call.h"
#include "filter-driver.h"
#include "nwfilter-driver.h"
#include "util/error.h"

#define DEFINE_VALIDATE 1           /* VIR_NWFILTER_DEFINE_VALIDATE: we always validate */
#define BINDING_CREATE_VALIDATE 1   /* VIR_NWFILTER_BINDING_CREATE_VALIDATE */

static MvNWFilterState *
state_of(MvDriverCall *call, GError **error)
{
    return mv_nwfilter_state_get(mv_driver_call_driver_data(call), error);
}

static bool
check_flags(unsigned int flags, unsigned int allowed, GError **error)
{
    if ((flags & ~allowed) == 0)
        return true;
    return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_INVALID_ARG,
                        "unsupported flags (0x%x) in the call", flags & ~allowed);
}

static bool
nwfilter_lookup_by_name(MvDriverCall *call, const char *name, MvObjectRef *ret, GError **error)
{
    MvNWFilterState *state = state_of(call, error);

    return state && mv_nwfilter_lookup(state, name, NULL, ret, error);
}

static bool
nwfilter_lookup_by_uuid(MvDriverCall *call, const guint8 *uuid, MvObjectRef *ret,
                        GError **error)
{
    MvNWFilterState *state = state_of(call, error);

    return state && mv_nwfilter_lookup(state, NULL, uuid, ret, error);
}

static bool
nwfilter_get_xml_desc(MvDriverCall *call, const MvObjectRef *ref, unsigned int flags,
                      char **ret_xml, GError **error)
{
    MvNWFilterState *state = state_of(call, error);

    if (!state || !check_flags(flags, 0, error))
        return false;
    return (*ret_xml = mv_nwfilter_get_xml(state, ref, error)) != NULL;
}

static bool
nwfilter_define_xml_flags(MvDriverCall *call, const char *xml, unsigned int flags,
                          MvObjectRef *ret, GError **error)
{
    MvNWFilterState *state = state_of(call, error);

    return state && check_flags(flags, DEFINE_VALIDATE, error) &&
           mv_nwfilter_define(state, xml, ret, error);
}

static bool
nwfilter_define_xml(MvDriverCall *call, const char *xml, MvObjectRef *ret, GError **error)
{
    return nwfilter_define_xml_flags(call, xml, 0, ret, error);
}

static bool
nwfilter_undefine(MvDriverCall *call, const MvObjectRef *ref, GError **error)
{
    MvNWFilterState *state = state_of(call, error);

    return state && mv_nwfilter_undefine(state, ref, error);
}

static void
refs_move(GArray *refs, int need_results, MvObjectRef **ret, guint *ret_n)
{
    if (need_results) {
        *ret_n = refs->len;
        *ret = (MvObjectRef *)(void *)g_array_free(refs, FALSE);
        return;
    }
    for (guint i = 0; i < refs->len; i++)
        mv_object_ref_clear(&g_array_index(refs, MvObjectRef, i));
    g_array_free(refs, TRUE);
}

static bool
connect_list_all_nwfilters(MvDriverCall *call, int need_results, unsigned int flags,
                           MvObjectRef **ret_filters, guint *ret_n, unsigned int *ret_ret,
                           GError **error)
{
    MvNWFilterState *state = state_of(call, error);
    GArray *refs;

    if (!state || !check_flags(flags, 0, error))
        return false;
    refs = mv_nwfilter_list(state);
    *ret_ret = refs->len;
    refs_move(refs, need_results, ret_filters, ret_n);
    return true;
}

static bool
connect_num_of_nwfilters(MvDriverCall *call, int *ret_num, GError **error)
{
    MvNWFilterState *state = state_of(call, error);
    GArray *refs;

    if (!state)
        return false;
    refs = mv_nwfilter_list(state);
    *ret_num = (int)refs->len;
    refs_move(refs, 0, NULL, NULL);
    return true;
}

static bool
connect_list_nwfilters(MvDriverCall *call, int maxnames, char ***ret_names, guint *ret_n,
                       GError **error)
{
    MvNWFilterState *state = state_of(call, error);
    GArray *refs;
    guint n;

    if (!state)
        return false;
    if (maxnames < 0)
        return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_INVALID_ARG,
                            "maxnames must not be negative");
    refs = mv_nwfilter_list(state);
    n = MIN(refs->len, (guint)maxnames);
    *ret_names = g_new0(char *, n + 1);
    for (guint i = 0; i < n; i++)
        (*ret_names)[i] = g_steal_pointer(&g_array_index(refs, MvObjectRef, i).name);
    *ret_n = n;
    refs_move(refs, 0, NULL, NULL);
    return true;
}

static bool
nwfilter_binding_lookup_by_port_dev(MvDriverCall *call, const char *name, MvObjectRef *ret,
                                    GError **error)
{
    MvNWFilterState *state = state_of(call, error);

    return state && mv_nwfilter_binding_lookup(state, name, ret, error);
}

static bool
nwfilter_binding_get_xml_desc(MvDriverCall *call, const MvObjectRef *ref, unsigned int flags,
                              char **ret_xml, GError **error)
{
    MvNWFilterState *state = state_of(call, error);

    if (!state || !check_flags(flags, 0, error))
        return false;
    return (*ret_xml = mv_nwfilter_binding_get_xml(state, ref->name, error)) != NULL;
}

static bool
nwfilter_binding_create_xml(MvDriverCall *call, const char *xml, unsigned int flags,
                            MvObjectRef *ret, GError **error)
{
    MvNWFilterState *state = state_of(call, error);

    return state && check_flags(flags, BINDING_CREATE_VALIDATE, error) &&
           mv_nwfilter_binding_create(state, xml, ret, error);
}

static bool
nwfilter_binding_delete(MvDriverCall *call, const MvObjectRef *ref, GError **error)
{
    MvNWFilterState *state = state_of(call, error);

    return state && mv_nwfilter_binding_delete(state, ref->name, error);
}

static bool
connect_list_all_nwfilter_bindings(MvDriverCall *call, int need_results, unsigned int flags,
                                   MvObjectRef **ret_bindings, guint *ret_n,
                                   unsigned int *ret_ret, GError **error)
{
    MvNWFilterState *state = state_of(call, error);
    GArray *refs;

    if (!state || !check_flags(flags, 0, error))
        return false;
    refs = mv_nwfilter_binding_list(state);
    *ret_ret = refs->len;
    refs_move(refs, need_results, ret_bindings, ret_n);
    return true;
}

void
mv_filter_nwfilter_handlers_fill(MvRemoteNWFilterDriver *driver)
{
    driver->nwfilter_lookup_by_name = nwfilter_lookup_by_name;
    driver->nwfilter_lookup_by_uuid = nwfilter_lookup_by_uuid;
    driver->nwfilter_get_xml_desc = nwfilter_get_xml_desc;
    driver->connect_num_of_nwfilters = connect_num_of_nwfilters;
    driver->connect_list_nwfilters = connect_list_nwfilters;
    driver->nwfilter_define_xml = nwfilter_define_xml;
    driver->nwfilter_define_xml_flags = nwfilter_define_xml_flags;
    driver->nwfilter_undefine = nwfilter_undefine;
    driver->connect_list_all_nwfilters = connect_list_all_nwfilters;
    driver->nwfilter_binding_lookup_by_port_dev = nwfilter_binding_lookup_by_port_dev;
    driver->nwfilter_binding_get_xml_desc = nwfilter_binding_get_xml_desc;
    driver->nwfilter_binding_create_xml = nwfilter_binding_create_xml;
    driver->nwfilter_binding_delete = nwfilter_binding_delete;
    driver->connect_list_all_nwfilter_bindings = connect_list_all_nwfilter_bindings;
}
