/* Log filters in libvirt's syntax ("1:rpc 3:qemu": level number, colon,
 * category; 1 debug, 2 info, 3 warning, 4 error), translated to and from
 * ours ("info,rpc=debug,qemu=warning"), so virt-admin and libvirt-style
 * config lines work. */
#pragma once

#include <glib.h>
#include <stdbool.h>

G_BEGIN_DECLS

/** mv_log_filters_is_libvirt: true when @filters uses the "N:name" form. */
bool mv_log_filters_is_libvirt(const char *filters);

/**
 * mv_log_filters_from_libvirt:
 * Our filter string for libvirt-style @filters, keeping @default_level
 * ("info") for every other category. NULL with MV_ERR_CONF_SYNTAX when a
 * token is malformed. Caller frees.
 */
char *mv_log_filters_from_libvirt(const char *filters, const char *default_level,
                                  GError **error);

/**
 * mv_log_filters_to_libvirt:
 * The per-category part of our @filters in libvirt's form ("1:rpc 3:qemu")
 * and, in *@ret_count, how many filters that is. Caller frees.
 */
char *mv_log_filters_to_libvirt(const char *filters, guint *ret_count);

G_END_DECLS
