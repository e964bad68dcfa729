/* virsh screenshot (qemu-screenshot.c). */
#pragma once

#include "qemu-dispatch.h"

G_BEGIN_DECLS

bool mv_qemu_handle_domain_screenshot(MvDriverCall *call, const MvObjectRef *dom_ref,
                                      unsigned int screen, unsigned int flags,
                                      char **ret_mime, GError **error);

G_END_DECLS
