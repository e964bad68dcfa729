/* Helpers shared by the domain handlers: resolving the domain a call names
 * and describing a domain on the wire. */
#pragma once

#include "qemu-driver.h"
#include "qemu-handlers.h"

G_BEGIN_DECLS

/**
 * mv_qemu_dispatch_get_domain:
 * The domain @ref names, looked up by UUID like libvirt does. Returns a new
 * reference or NULL with MV_ERR_NO_DOMAIN naming the uuid and the name.
 */
MvQemuDomain *mv_qemu_dispatch_get_domain(MvDriverCall *call, const MvObjectRef *ref,
                                          GError **error);

/** mv_qemu_dispatch_fill_dom: @ret = name, uuid and current id of @dom (lock not held). */
void mv_qemu_dispatch_fill_dom(MvObjectRef *ret, MvQemuDomain *dom);

/** mv_qemu_dispatch_check_flags: MV_ERR_INVALID_ARG for bits outside @allowed. */
bool mv_qemu_dispatch_check_flags(unsigned int flags, unsigned int allowed, const char *api,
                                  GError **error);

/** mv_qemu_dispatch_begin_job: takes @dom's job for @api with the default deadline. */
bool mv_qemu_dispatch_begin_job(MvQemuDomain *dom, const char *api, GError **error);

/** mv_qemu_dispatch_require_active / inactive (lock held): OPERATION_INVALID otherwise. */
bool mv_qemu_dispatch_require_active(MvQemuDomain *dom, GError **error);

G_END_DECLS
