/* libmodvirt network filters (firewall rules applied to guest interfaces).
 *
 * An MvNetworkFilter is a handle: the filter's name and UUID plus a
 * reference to its connection. Calls go to modvirt-filterd, opened on the
 * first filter call of a connection. Filters have no running state: defining
 * one applies it wherever it is referenced, undefining removes it.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include <modvirt/connect.h>

G_BEGIN_DECLS

typedef struct _MvNetworkFilter MvNetworkFilter;

/* Flags of mv_network_filter_define(). */
typedef enum {
    MV_NETWORK_FILTER_DEFINE_VALIDATE = 1u << 0,    /* check the XML against the schema */
} MvNetworkFilterDefineFlags;

/**
 * mv_connect_list_network_filters:
 * @flags: none defined, pass 0.
 * @ret_count: (out) (optional) the number of filters returned.
 * Lists the filters in one call to the filter daemon.
 * Returns: (transfer full) a NULL-terminated array of new handles sorted by
 *   name, empty (just the NULL) when there are none; free it with
 *   mv_network_filter_list_free(). NULL with @error set on failure
 *   (MV_ERROR_NO_CONNECT when modvirt-filterd cannot be reached).
 */
MvNetworkFilter **mv_connect_list_network_filters(MvConnect *conn, unsigned int flags,
                                                  gsize *ret_count, GError **error);

/**
 * mv_network_filter_list_free:
 * Unrefs every handle of a NULL-terminated @list and frees the array. NULL is fine.
 */
void mv_network_filter_list_free(MvNetworkFilter **list);

/**
 * mv_network_filter_lookup_by_name:
 * @flags: none defined, pass 0.
 * Returns: (transfer full) a new handle, or NULL with @error set
 *   (MV_ERROR_NO_NETWORK_FILTER when there is no such filter).
 */
MvNetworkFilter *mv_network_filter_lookup_by_name(MvConnect *conn, const char *name,
                                                  unsigned int flags, GError **error);

/**
 * mv_network_filter_lookup_by_uuid:
 * @uuid: the UUID as a string; a malformed one fails with
 *   MV_ERROR_INVALID_ARG before anything is sent.
 * @flags: none defined, pass 0.
 * Returns: (transfer full) a new handle, or NULL with @error set
 *   (MV_ERROR_NO_NETWORK_FILTER when there is no such filter).
 */
MvNetworkFilter *mv_network_filter_lookup_by_uuid(MvConnect *conn, const char *uuid,
                                                  unsigned int flags, GError **error);

/**
 * mv_network_filter_define:
 * @xml: the filter XML.
 * @flags: MvNetworkFilterDefineFlags.
 * Creates or replaces a filter; interfaces that use it get the new rules.
 * Returns: (transfer full) a handle to the filter, or NULL with @error set.
 */
MvNetworkFilter *mv_network_filter_define(MvConnect *conn, const char *xml,
                                          unsigned int flags, GError **error);

/**
 * mv_network_filter_undefine:
 * @flags: none defined, pass 0.
 * Removes the filter. Fails (MV_ERROR_OPERATION_INVALID) while a guest
 * interface or another filter still uses it.
 * Returns: true on success; false with @error set.
 */
bool mv_network_filter_undefine(MvNetworkFilter *filter, unsigned int flags, GError **error);

/**
 * mv_network_filter_get_xml:
 * @flags: none defined, pass 0.
 * Returns: (transfer full) the filter XML; g_free() it. NULL with @error set.
 */
char *mv_network_filter_get_xml(MvNetworkFilter *filter, unsigned int flags, GError **error);

/** mv_network_filter_ref: adds a reference to @filter; returns it. NULL is returned unchanged. */
MvNetworkFilter *mv_network_filter_ref(MvNetworkFilter *filter);

/** mv_network_filter_unref: drops a reference; the last one frees the handle. NULL is fine. */
void mv_network_filter_unref(MvNetworkFilter *filter);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvNetworkFilter, mv_network_filter_unref)

/** mv_network_filter_get_name: (transfer none) the name; valid while @filter is. Makes no call. */
const char *mv_network_filter_get_name(MvNetworkFilter *filter);

/** mv_network_filter_get_uuid_string: (transfer none) the UUID as a string. Makes no call. */
const char *mv_network_filter_get_uuid_string(MvNetworkFilter *filter);

/** mv_network_filter_get_connect: (transfer none) the connection of @filter. */
MvConnect *mv_network_filter_get_connect(MvNetworkFilter *filter);

G_END_DECLS
