/* modvirt-filterd's network filters: the defined filters (objects on the
 * driver frame, <etc>/nwfilter/<name>.xml), the bindings (one per filtered
 * port, <run>/filter/nwfilter-bindings/<portdev>.xml) and the kernel's
 * `bridge modvirt` table, which always holds the compiled rules of every
 * binding. Every change (a binding created or deleted, a filter redefined)
 * rebuilds that table in ONE nftables transaction from the definitions and
 * bindings it would leave: the kernel has the old or the new rules, never a
 * mix, and a refused change leaves everything as it was. docs/filter.md. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "daemon/driver-call.h"
#include "filter-driver.h"
#include "nwfilter-conf.h"

G_BEGIN_DECLS

typedef struct _MvNWFilterState MvNWFilterState;

/**
 * mv_nwfilter_state_get:
 * The nwfilter state of @driver, set up at the first call: loads the filters
 * (installing the shipped ones at the very first start, when <etc>/nwfilter
 * does not exist yet), the bindings, probes the kernel and applies the
 * bindings' rules. NULL with @error when that fails.
 */
MvNWFilterState *mv_nwfilter_state_get(MvFilterDriver *driver, GError **error);

/**
 * mv_nwfilter_start:
 * filterd's start: sets up the state (mv_nwfilter_state_get()) and registers
 * table `bridge modvirt` with the doctor and the vanished-table watch.
 */
bool mv_nwfilter_start(MvFilterDriver *driver, GError **error);

/** mv_nwfilter_stop: filterd's stop: frees the state (the kernel's rules stay). */
void mv_nwfilter_stop(MvFilterDriver *driver);

/** mv_nwfilter_state_free: NULL is fine (the kernel's rules stay). */
void mv_nwfilter_state_free(MvNWFilterState *state);

/** mv_nwfilter_define: defines or redefines (re-applying its users) a filter. */
bool mv_nwfilter_define(MvNWFilterState *state, const char *xml, MvObjectRef *ret,
                        GError **error);

/** mv_nwfilter_undefine: refused while a binding uses the filter (directly or included). */
bool mv_nwfilter_undefine(MvNWFilterState *state, const MvObjectRef *ref, GError **error);

/** mv_nwfilter_lookup: by name (@name) or by UUID (@uuid). */
bool mv_nwfilter_lookup(MvNWFilterState *state, const char *name, const guint8 *uuid,
                        MvObjectRef *ret, GError **error);

/** mv_nwfilter_get_xml: the filter's canonical XML (with its UUID). */
char *mv_nwfilter_get_xml(MvNWFilterState *state, const MvObjectRef *ref, GError **error);

/** mv_nwfilter_list: every filter, sorted by name (MvObjectRef, name + uuid). */
GArray *mv_nwfilter_list(MvNWFilterState *state);

/** mv_nwfilter_binding_create: compiles and applies; refused when @portdev has one. */
bool mv_nwfilter_binding_create(MvNWFilterState *state, const char *xml, MvObjectRef *ret,
                                GError **error);

/** mv_nwfilter_binding_delete: removes the port's rules. */
bool mv_nwfilter_binding_delete(MvNWFilterState *state, const char *portdev, GError **error);

/** mv_nwfilter_binding_lookup: the binding of @portdev (name = port, key = filter). */
bool mv_nwfilter_binding_lookup(MvNWFilterState *state, const char *portdev, MvObjectRef *ret,
                                GError **error);

/** mv_nwfilter_binding_get_xml: the binding's XML. */
char *mv_nwfilter_binding_get_xml(MvNWFilterState *state, const char *portdev, GError **error);

/** mv_nwfilter_binding_list: every binding, sorted by port (MvObjectRef). */
GArray *mv_nwfilter_binding_list(MvNWFilterState *state);

/**
 * mv_nwfilter_reapply:
 * Rebuilds the `bridge modvirt` table from the bindings (after the table
 * vanished, or for a repair).
 */
bool mv_nwfilter_reapply(MvNWFilterState *state, GError **error);

G_END_DECLS
