/* libmodvirt network filter bindings: a filter applied to one port (a guest's
 * tap device), named by that port. The hypervisor daemon creates and deletes
 * them for guest interfaces with a <filterref>; these calls show and manage
 * them directly. Calls go to modvirt-filterd. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include <modvirt/connect.h>

G_BEGIN_DECLS

/**
 * mv_connect_list_network_filter_bindings:
 * @flags: none defined, pass 0.
 * @ret_filters: (out) (optional) (transfer full) the filter of each port, in the same
 *   order, NULL-terminated; g_strfreev() it.
 * Lists the bindings in one call.
 * Returns: (transfer full) the port devices sorted, NULL-terminated (empty when
 *   there are none); g_strfreev() it. NULL with @error set on failure.
 */
char **mv_connect_list_network_filter_bindings(MvConnect *conn, unsigned int flags,
                                               char ***ret_filters, GError **error);

/**
 * mv_network_filter_binding_create:
 * @xml: the binding XML (<filterbinding>: owner, portdev, mac, filterref).
 * @flags: none defined, pass 0 (the XML is always validated).
 * Compiles the filter for the port and applies its rules in one transaction.
 * Returns: true on success; false with @error set (the rules are then unchanged).
 */
bool mv_network_filter_binding_create(MvConnect *conn, const char *xml, unsigned int flags,
                                      GError **error);

/**
 * mv_network_filter_binding_delete:
 * @flags: none defined, pass 0.
 * Removes the binding of port @portdev and its rules.
 * Returns: true on success; false with @error set (MV_ERROR_NO_NETWORK_FILTER_BINDING
 *   when the port has none).
 */
bool mv_network_filter_binding_delete(MvConnect *conn, const char *portdev, unsigned int flags,
                                      GError **error);

/**
 * mv_network_filter_binding_get_xml:
 * @flags: none defined, pass 0.
 * Returns: (transfer full) the binding XML of port @portdev; g_free() it. NULL with
 *   @error set.
 */
char *mv_network_filter_binding_get_xml(MvConnect *conn, const char *portdev,
                                        unsigned int flags, GError **error);

G_END_DECLS
