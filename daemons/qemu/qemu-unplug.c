/* Device unplugs that outlive their call: qemu-unplug.h. */
#include "qemu-unplug.h"

static bool
find(GPtrArray *aliases, const char *alias, guint *index)
{
    return aliases && g_ptr_array_find_with_equal_func(aliases, alias, g_str_equal, index);
}

/* With @dom->lock held: waits until @deadline for DEVICE_DELETED of @alias and
 * consumes it (true); false when it did not come or QEMU exited. */
static bool
wait_locked(MvQemuDomain *dom, const char *alias, gint64 deadline)
{
    guint i;

    while (!find(dom->unplugged, alias, &i)) {
        if (dom->exited || !g_cond_wait_until(&dom->cond, &dom->lock, deadline))
            return false;
    }
    g_ptr_array_remove_index(dom->unplugged, i);
    return true;
}

bool
mv_qemu_unplug_wait(MvQemuDomain *dom, const char *alias, int timeout_ms)
{
    bool gone;

    g_mutex_lock(&dom->lock);
    gone = wait_locked(dom, alias, g_get_monotonic_time() + (gint64)timeout_ms * 1000);
    g_mutex_unlock(&dom->lock);
    return gone;
}

bool
mv_qemu_unplug_wait_or_defer(MvQemuDomain *dom, const char *alias, int timeout_ms)
{
    bool gone;

    g_mutex_lock(&dom->lock);
    mv_qemu_unplug_take_pending(dom, alias);    /* detached again: this call waits for it */
    gone = wait_locked(dom, alias, g_get_monotonic_time() + (gint64)timeout_ms * 1000) ||
           dom->exited;
    if (!gone && !find(dom->unplug_pending, alias, NULL)) {
        if (!dom->unplug_pending)
            dom->unplug_pending = g_ptr_array_new_with_free_func(g_free);
        g_ptr_array_add(dom->unplug_pending, g_strdup(alias));
    }
    g_mutex_unlock(&dom->lock);
    return gone;
}

bool
mv_qemu_unplug_take_pending(MvQemuDomain *dom, const char *alias)
{
    guint i;

    if (!find(dom->unplug_pending, alias, &i))
        return false;
    g_ptr_array_remove_index(dom->unplug_pending, i);
    return true;
}

void
mv_qemu_unplug_forget(MvQemuDomain *dom)
{
    g_clear_pointer(&dom->unplugged, g_ptr_array_unref);
    g_clear_pointer(&dom->unplug_pending, g_ptr_array_unref);
}
