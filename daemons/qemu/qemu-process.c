/* The life of a QEMU process, see qemu-process.h.
 *
 * A guest's exit is seen at once: a pidfd for the QEMU process is watched on
 * the driver's context (it becomes readable when the process terminates,
 * whether it is our child or was adopted after a daemon restart). QEMU runs
 * with -no-shutdown, so a guest power-off is reported as a QMP SHUTDOWN event
 * and the daemon decides what follows (quit, or reset for an ACPI reboot). */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-process.h"
#include "qemu-agent-domain.h"
#include "qemu-domain-firmware.h"
#include "qemu-graphics.h"
#include "qemu-tpm.h"
#include "qemu-tune.h"
#include "qemu-save.h"
#include "qemu-json.h"

#include <errno.h>
#include <glib-unix.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qemu-command.h"
#include "qemu-hotplug.h"
#include "qemu-net.h"
#include "qemu-storage.h"
#include "qemu-stray.h"
#include "qemu-unplug.h"
#include "util/file.h"
#include "util/log.h"
#include "util/pidfd.h"
#include "util/uuid.h"

/* QMP greeting + qmp_capabilities, at start and when reconnecting after a restart.
 * As long as any other QMP command may take: on a loaded host (bench/soak.py, 20 guests
 * starting at once on 2 CPUs) QEMU took over 10 s to greet, and the start failed. */
#define MONITOR_OPEN_TIMEOUT_MS MV_QEMU_MONITOR_TIMEOUT_MS
#define STOP_GRACE_MS 10000
#define KILL_WAIT_MS 5000

void
mv_qemu_process_emit(MvQemuDriver *driver, MvQemuDomain *dom, int event, int detail)
{
    MvEventDomain ev;
    int id;

    g_mutex_lock(&dom->lock);
    id = dom->id;
    g_mutex_unlock(&dom->lock);
    ev = (MvEventDomain){ .name = dom->name, .uuid = dom->uuid, .id = id };
    mv_domain_events_lifecycle(driver->events, &ev, event, detail);
}

/* Removes the QMP socket <state>/<uuid>.qmp and QEMU's pidfile <state>/<uuid>.pid
 * (QEMU removes the pidfile itself unless it was killed). */
static void
unlink_runtime_files(const char *monitor_path)
{
    g_autofree char *pidfile = NULL;

    if (!monitor_path)
        return;
    unlink(monitor_path);
    if (g_str_has_suffix(monitor_path, ".qmp")) {
        pidfile = g_strdup_printf("%.*s.pid", (int)(strlen(monitor_path) - 4), monitor_path);
        unlink(pidfile);
    }
}

static void release_nets(MvQemuDriver *driver, MvQemuDomain *dom, MvDomainDef *old_live);

/* swtpm exits by itself once QEMU closed its socket (--terminate); this reaps
 * it, and stops one whose QEMU never connected (a failed start). */
static void
tpm_child_stop(MvChild **child)
{
    g_autoptr(GError) err = NULL;

    if (!*child)
        return;
    if (!mv_child_terminate(*child, 2000, &err))
        mv_log_warning("cannot stop swtpm: %s", err->message);
    g_clear_pointer(child, mv_child_free);
}
#define MV_QEMU_TPM_AUTOKILL __attribute__((cleanup(tpm_child_stop)))

/* Records the stop of @dom (job held, lock not held): state, files, events. */
static void
process_cleanup(MvQemuDriver *driver, MvQemuDomain *dom)
{
    g_autoptr(MvQemuMonitor) monitor = NULL;
    g_autoptr(MvDomainDef) old_live = NULL;
    g_autofree char *monitor_path = NULL;
    MV_QEMU_TPM_AUTOKILL MvChild *tpm_child = NULL;
    g_autoptr(MvQemuCgroup) cgroup = NULL;
    GSource *exit_source;
    int reason, detail;
    bool transient;

    g_mutex_lock(&dom->lock);
    if (dom->id < 0) {
        g_mutex_unlock(&dom->lock);
        return;
    }
    if (dom->stopping) {
        reason = dom->stop_reason;
        detail = dom->stop_event_detail;
    } else if (dom->guest_shutdown) {
        reason = MV_DOMAIN_SHUTOFF_SHUTDOWN;
        detail = MV_EVENT_STOPPED_SHUTDOWN;
    } else {
        reason = MV_DOMAIN_SHUTOFF_CRASHED;
        detail = MV_EVENT_STOPPED_CRASHED;
    }
    monitor = g_steal_pointer(&dom->monitor);
    monitor_path = g_steal_pointer(&dom->monitor_path);
    exit_source = g_steal_pointer(&dom->exit_source);
    if (dom->pidfd >= 0)
        close(dom->pidfd);
    dom->pidfd = -1;
    g_clear_pointer(&dom->child, mv_child_free);
    tpm_child = g_steal_pointer(&dom->tpm_child);
    cgroup = g_steal_pointer(&dom->cgroup);
    old_live = g_steal_pointer(&dom->live);
    if (dom->newdef) {
        mv_domain_def_free(dom->def);
        dom->def = g_steal_pointer(&dom->newdef);
    }
    dom->id = -1;
    dom->pid = -1;
    dom->start_time = 0;
    dom->stopping = dom->exited = dom->guest_shutdown = dom->fake_reboot = false;
    dom->guest_shutdown_seen = false;
    dom->autodestroy_conn = NULL;
    mv_qemu_unplug_forget(dom);
    mv_qemu_agent_domain_stopped(dom);
    mv_qemu_domain_set_state(dom, MV_DOMAIN_SHUTOFF, reason);
    transient = !dom->persistent;
    g_cond_broadcast(&dom->cond);
    g_mutex_unlock(&dom->lock);

    if (exit_source) {
        g_source_destroy(exit_source);
        g_source_unref(exit_source);
    }
    if (monitor)
        mv_qemu_monitor_close(monitor);
    mv_qemu_persist_cancel_status_retry(dom);
    mv_qemu_tune_release_nets(old_live);
    release_nets(driver, dom, g_steal_pointer(&old_live));
    unlink_runtime_files(monitor_path);
    mv_qemu_cgroup_remove(cgroup);
    mv_qemu_persist_delete_status(driver, dom->name);
    mv_log_info("domain '%s' stopped (reason %d)", dom->name, reason);
    mv_qemu_process_emit(driver, dom, MV_EVENT_STOPPED, detail);
    if (transient)
        mv_driver_list_remove(driver->domains, MV_DRIVER_OBJECT(dom));
}

void
mv_qemu_process_end_job(MvQemuDriver *driver, MvQemuDomain *dom)
{
    bool exited;

    g_mutex_lock(&dom->lock);
    exited = dom->exited && dom->id >= 0;
    g_mutex_unlock(&dom->lock);
    if (exited)
        process_cleanup(driver, dom);
    mv_driver_object_end_job(MV_DRIVER_OBJECT(dom));
}

/* ---- reactions on the driver context ---- */

typedef struct {
    MvQemuDriver *driver;
    MvQemuDomain *dom;
} DomainRef;

static DomainRef *
domain_ref_new(MvQemuDriver *driver, MvQemuDomain *dom)
{
    DomainRef *ref = g_new0(DomainRef, 1);

    ref->driver = driver;
    ref->dom = mv_qemu_domain_ref(dom);
    return ref;
}

static void
domain_ref_free(DomainRef *ref)
{
    mv_qemu_domain_unref(ref->dom);
    g_free(ref);
}

/* The QEMU process terminated (driver context). */
static gboolean
on_process_exit(gint fd, GIOCondition cond, gpointer data)
{
    DomainRef *ref = data;
    MvQemuDomain *dom = ref->dom;
    bool cleanup_now = false;

    g_mutex_lock(&dom->lock);
    if (dom->pidfd != fd) {
        g_mutex_unlock(&dom->lock);
        return G_SOURCE_REMOVE;
    }
    if (dom->child) {
        int status;
        mv_child_wait(dom->child, 0, &status, NULL);   /* reap our own child at once */
    }
    dom->exited = true;
    if (!dom->job) {
        /* Nobody is working on the domain: record the stop ourselves. */
        dom->job = "process exit";
        dom->job_since = g_get_monotonic_time();
        cleanup_now = true;
    }
    g_cond_broadcast(&dom->cond);
    g_mutex_unlock(&dom->lock);
    mv_log_debug("QEMU of domain '%s' exited", dom->name);
    if (cleanup_now)
        mv_qemu_process_end_job(ref->driver, dom);
    return G_SOURCE_REMOVE;
}

static void
watch_exit(MvQemuDriver *driver, MvQemuDomain *dom)
{
    GSource *source = g_unix_fd_source_new(dom->pidfd, G_IO_IN);

    g_source_set_callback(source, (GSourceFunc)(void (*)(void))on_process_exit,
                          domain_ref_new(driver, dom), (GDestroyNotify)domain_ref_free);
    dom->exit_source = source;
    g_source_attach(source, driver->ctx);
}

/* Work queued from QMP events that needs a job (runs in the actions pool). */
typedef enum {
    ACTION_GUEST_SHUTDOWN,
    ACTION_AUTOSTART,
    ACTION_AUTODESTROY,
    ACTION_RELEASE_NETS,
    ACTION_FINISH_UNPLUG,
} ActionKind;

typedef struct {
    ActionKind kind;
    MvQemuDomain *dom;
    MvDomainDef *def;       /* ACTION_RELEASE_NETS: the stopped guest's live definition */
    char *alias;            /* ACTION_FINISH_UNPLUG: the device the guest let go of ... */
    pid_t pid;              /* ... in this QEMU */
} Action;

static void
queue_action(MvQemuDriver *driver, MvQemuDomain *dom, ActionKind kind)
{
    Action *action = g_new0(Action, 1);

    action->kind = kind;
    action->dom = mv_qemu_domain_ref(dom);
    g_thread_pool_push(driver->actions, action, NULL);
}

/* Gives back the network ports and filter bindings of a stopped guest (takes
 * @old_live). On the driver's context (a guest that stopped by itself) that
 * happens in the actions pool: a slow networkd or filterd must not hold up
 * the monitors of every other guest. */
static void
release_nets(MvQemuDriver *driver, MvQemuDomain *dom, MvDomainDef *old_live)
{
    Action *action;

    if (!old_live)
        return;
    if (!g_main_context_is_owner(driver->ctx)) {
        mv_qemu_net_disconnect_all(driver, old_live);
        mv_domain_def_free(old_live);
        return;
    }
    action = g_new0(Action, 1);
    action->kind = ACTION_RELEASE_NETS;
    action->dom = mv_qemu_domain_ref(dom);
    action->def = old_live;
    g_thread_pool_push(driver->actions, action, NULL);
}

/* The guest powered off (QEMU stays because of -no-shutdown): reset it for
 * an ACPI reboot, otherwise end QEMU so the exit is recorded as a shutdown. */
static void
handle_guest_shutdown(MvQemuDriver *driver, MvQemuDomain *dom)
{
    g_autoptr(GError) err = NULL;
    MvQemuMonitor *monitor;
    bool reboot;

    if (!mv_driver_object_begin_job(MV_DRIVER_OBJECT(dom), "guest shutdown", MV_QEMU_JOB_WAIT_MS,
                                    &err)) {
        mv_log_warning("domain '%s': %s", dom->name, err->message);
        return;
    }
    g_mutex_lock(&dom->lock);
    reboot = dom->fake_reboot;
    dom->fake_reboot = false;
    monitor = dom->monitor && !dom->exited ? dom->monitor : NULL;
    if (monitor && !reboot)
        dom->guest_shutdown = true;
    g_mutex_unlock(&dom->lock);
    if (monitor && reboot) {
        if (mv_qemu_monitor_system_reset(monitor, &err) && mv_qemu_monitor_cont(monitor, &err)) {
            MvEventDomain ev = { dom->name, dom->uuid, dom->id };
            g_mutex_lock(&dom->lock);
            dom->guest_shutdown = false;
            dom->guest_shutdown_seen = false;
            dom->fake_reboot_done = g_get_monotonic_time();
            mv_qemu_domain_set_state(dom, MV_DOMAIN_RUNNING, MV_DOMAIN_RUNNING_BOOTED);
            mv_qemu_persist_update_status(driver, dom);
            g_mutex_unlock(&dom->lock);
            mv_domain_events_reboot(driver->events, &ev);
            mv_qemu_process_emit(driver, dom, MV_EVENT_RESUMED, MV_EVENT_RESUMED_UNPAUSED);
        } else {
            mv_log_warning("domain '%s': reboot failed: %s", dom->name, err->message);
        }
    } else if (monitor) {
        if (!mv_qemu_monitor_quit(monitor, &err))
            mv_log_debug("domain '%s': quit after guest shutdown: %s", dom->name, err->message);
        /* Wait for the exit so the job records it as a shutdown. */
        g_mutex_lock(&dom->lock);
        gint64 deadline = g_get_monotonic_time() + KILL_WAIT_MS * 1000;
        while (!dom->exited && dom->id >= 0 &&
               g_cond_wait_until(&dom->cond, &dom->lock, deadline))
            ;
        g_mutex_unlock(&dom->lock);
    }
    mv_qemu_process_end_job(driver, dom);
}

static void
run_action(gpointer data, gpointer user_data)
{
    Action *action = data;
    MvQemuDriver *driver = user_data;
    g_autoptr(GError) err = NULL;

    switch (action->kind) {
    case ACTION_GUEST_SHUTDOWN:
        handle_guest_shutdown(driver, action->dom);
        break;
    case ACTION_AUTOSTART:
        if (mv_driver_object_begin_job(MV_DRIVER_OBJECT(action->dom), "autostart",
                                       MV_QEMU_JOB_WAIT_MS, &err)) {
            g_mutex_lock(&action->dom->lock);
            bool active = mv_qemu_domain_is_active(action->dom);
            bool restored = false;
            g_mutex_unlock(&action->dom->lock);
            /* Like a start: a managed save image resumes the saved guest. */
            if (!active &&
                (!mv_qemu_save_start_managed(driver, action->dom, 0, &restored, &err) ||
                 (!restored && !mv_qemu_process_start(driver, action->dom, 0, &err))))
                mv_log_error("cannot autostart domain '%s': %s", action->dom->name,
                             err->message);
            mv_qemu_process_end_job(driver, action->dom);
        }
        break;
    case ACTION_RELEASE_NETS:
        mv_qemu_net_disconnect_all(driver, action->def);
        mv_domain_def_free(action->def);
        break;
    case ACTION_FINISH_UNPLUG:
        mv_qemu_devices_finish_unplug(driver, action->dom, action->pid, action->alias);
        g_free(action->alias);
        break;
    case ACTION_AUTODESTROY:
        if (mv_driver_object_begin_job(MV_DRIVER_OBJECT(action->dom), "autodestroy",
                                       MV_QEMU_JOB_WAIT_MS, &err)) {
            g_mutex_lock(&action->dom->lock);
            bool active = mv_qemu_domain_is_active(action->dom);
            g_mutex_unlock(&action->dom->lock);
            if (active)
                mv_qemu_process_stop(driver, action->dom, false, MV_DOMAIN_SHUTOFF_DESTROYED,
                                     MV_EVENT_STOPPED_DESTROYED, NULL);
            mv_qemu_process_end_job(driver, action->dom);
        }
        break;
    }
    mv_qemu_domain_unref(action->dom);
    g_free(action);
}

GThreadPool *
mv_qemu_process_actions_new(MvQemuDriver *driver)
{
    return g_thread_pool_new(run_action, driver, 4, FALSE, NULL);
}

void
mv_qemu_process_autostart(MvQemuDriver *driver, MvQemuDomain *dom)
{
    queue_action(driver, dom, ACTION_AUTOSTART);
}

void
mv_qemu_process_autodestroy(MvQemuDriver *driver, gconstpointer conn)
{
    g_autoptr(GPtrArray) all = mv_driver_list_snapshot(driver->domains);

    for (guint i = 0; i < all->len; i++) {
        MvQemuDomain *dom = all->pdata[i];
        bool mine;
        g_mutex_lock(&dom->lock);
        mine = dom->autodestroy_conn == conn && mv_qemu_domain_is_active(dom);
        if (mine)
            dom->autodestroy_conn = NULL;
        g_mutex_unlock(&dom->lock);
        if (mine)
            queue_action(driver, dom, ACTION_AUTODESTROY);
    }
}

/* A QMP event (driver context): must not wait for QEMU. */
static void
on_monitor_event(MvQemuMonitor *mon, const char *name, JsonObject *data, gint64 timestamp_us,
                 gpointer opaque)
{
    g_autoptr(MvQemuDomain) dom = mv_qemu_domain_ref(opaque);
    MvQemuDriver *driver = dom->driver;

    if (g_str_equal(name, "SHUTDOWN")) {
        bool guest = mv_qemu_json_get_bool(data, "guest", false);
        const char *why = mv_qemu_json_get_string(data, "reason", "");
        mv_log_debug("domain '%s': QEMU SHUTDOWN guest=%d reason=%s", dom->name, guest, why);
        if (!guest)
            return;     /* we asked QEMU to stop: the stop job reports it */
        /* QEMU pauses the powered-off guest (-no-shutdown): that STOP is not a suspend. */
        g_mutex_lock(&dom->lock);
        dom->guest_shutdown_seen = true;
        g_mutex_unlock(&dom->lock);
        mv_qemu_process_emit(driver, dom, MV_EVENT_SHUTDOWN, MV_EVENT_SHUTDOWN_GUEST);
        queue_action(driver, dom, ACTION_GUEST_SHUTDOWN);
    } else if (g_str_equal(name, "RESET")) {
        bool guest = mv_qemu_json_get_bool(data, "guest", false);
        bool ours;

        /* The firmware resets once more right after our own reboot reset: one event. */
        g_mutex_lock(&dom->lock);
        ours = g_get_monotonic_time() - dom->fake_reboot_done < G_USEC_PER_SEC;
        g_mutex_unlock(&dom->lock);
        if (guest && !ours) {
            MvEventDomain ev = { dom->name, dom->uuid, dom->id };
            mv_domain_events_reboot(driver->events, &ev);
        }
    } else if (g_str_equal(name, "VSERPORT_CHANGE")) {
        mv_qemu_agent_vserport_change(driver, dom, data);
    } else if (g_str_equal(name, "DEVICE_DELETED")) {
        const char *device = mv_qemu_json_get_string(data, "device", NULL);
        if (device) {
            Action *action = NULL;

            g_mutex_lock(&dom->lock);
            if (mv_qemu_unplug_take_pending(dom, device)) {
                /* a detach that already returned: finish it (qemu-unplug.h) */
                action = g_new0(Action, 1);
                action->kind = ACTION_FINISH_UNPLUG;
                action->dom = mv_qemu_domain_ref(dom);
                action->alias = g_strdup(device);
                action->pid = dom->pid;
            } else {
                if (!dom->unplugged)
                    dom->unplugged = g_ptr_array_new_with_free_func(g_free);
                g_ptr_array_add(dom->unplugged, g_strdup(device));
                g_cond_broadcast(&dom->cond);
            }
            g_mutex_unlock(&dom->lock);
            if (action)
                g_thread_pool_push(driver->actions, action, NULL);
        }
    } else if (g_str_equal(name, "STOP") || g_str_equal(name, "RESUME")) {
        bool stop = g_str_equal(name, "STOP");
        bool report;

        /* Pauses we did not ask for (I/O errors, watchdog): publish them. A STOP
         * or RESUME we caused may be read after our job ended: the state then
         * already says so. */
        g_mutex_lock(&dom->lock);
        report = !dom->job && dom->id >= 0 && !dom->exited && !dom->guest_shutdown_seen &&
                 dom->state != (stop ? MV_DOMAIN_PAUSED : MV_DOMAIN_RUNNING);
        if (report) {
            mv_qemu_domain_set_state(dom, stop ? MV_DOMAIN_PAUSED : MV_DOMAIN_RUNNING,
                                     stop ? MV_DOMAIN_PAUSED_UNKNOWN : MV_DOMAIN_RUNNING_UNPAUSED);
            mv_qemu_persist_update_status(driver, dom);
        }
        g_mutex_unlock(&dom->lock);
        if (report)
            mv_qemu_process_emit(driver, dom, stop ? MV_EVENT_SUSPENDED : MV_EVENT_RESUMED, 0);
    }
}

static void
on_monitor_eof(MvQemuMonitor *mon, const char *reason, gpointer opaque)
{
    MvQemuDomain *dom = opaque;

    /* The pidfd reports the exit itself; the EOF alone proves nothing. */
    mv_log_debug("domain '%s': QMP closed: %s", dom->name, reason);
}

static const MvQemuMonitorCallbacks monitor_callbacks = {
    .event = on_monitor_event,
    .eof = on_monitor_eof,
};


/* ---- start ---- */

/* Closes the parent's copies of the tap fds (QEMU has its own, or failed). */
static void
close_tap_fds(int *fds, size_t n)
{
    for (size_t i = 0; fds && i < n; i++) {
        if (fds[i] >= 0)
            close(fds[i]);
        fds[i] = -1;
    }
}

/* The host side of every interface (qemu-net.h): taps plugged into their
 * bridges, network ports, filter bindings. *@ret_fds gets one tap fd per
 * interface (-1: none). On failure nothing is left behind. */
static bool
connect_nets(MvQemuDriver *driver, MvDomainDef *live, int **ret_fds, GError **error)
{
    g_autofree int *fds = g_new(int, live->nnets + 1);

    for (size_t i = 0; i < live->nnets; i++) {
        if (!mv_qemu_net_connect(driver, live, live->nets[i], &fds[i], error)) {
            g_prefix_error(error, "interface %zu: ", i);
            close_tap_fds(fds, i);
            for (size_t j = 0; j < i; j++)
                mv_qemu_net_disconnect(driver, live, live->nets[j]);
            return false;
        }
    }
    *ret_fds = g_steal_pointer(&fds);
    return true;
}

/* Undoes connect_nets() after a failed start. */
static void
disconnect_nets(MvQemuDriver *driver, MvDomainDef *live, int *fds)
{
    close_tap_fds(fds, live->nnets);
    mv_qemu_net_disconnect_all(driver, live);
}

/* Fills in the pty paths of serials and consoles from QMP. */
static bool
fill_ptys(MvQemuMonitor *mon, MvDomainDef *live, GError **error)
{
    for (size_t i = 0; i < live->nserials; i++) {
        g_autofree char *id = g_strdup_printf("charserial%zu", i);
        if (live->serials[i]->type != MV_DOMAIN_CHR_PTY)
            continue;
        g_free(live->serials[i]->source_path);
        live->serials[i]->source_path = NULL;
        if (!mv_qemu_monitor_query_chardev_pty(mon, id, &live->serials[i]->source_path, error))
            return false;
    }
    for (size_t i = 0; i < live->nconsoles; i++) {
        MvDomainChrDef *con = live->consoles[i];
        g_autofree char *id = NULL;
        if (con->type != MV_DOMAIN_CHR_PTY)
            continue;
        g_free(con->source_path);
        con->source_path = NULL;
        if (i == 0 && g_strcmp0(con->target_type, "virtio") != 0 && live->nserials > 0) {
            /* The first serial console is the first serial port. */
            con->source_path = g_strdup(live->serials[0]->source_path);
            continue;
        }
        /* A serial console without serial ports became serial port 0
         * (qemu-command-chardev.c), virt-install's <console type='pty'/>. */
        if (i == 0 && g_strcmp0(con->target_type, "virtio") != 0)
            id = g_strdup("charserial0");
        else
            id = g_strdup_printf("charconsole%zu", i);
        if (!mv_qemu_monitor_query_chardev_pty(mon, id, &con->source_path, error))
            return false;
    }
    return true;
}

/* What the command line cannot carry, set over QMP before the guest runs:
 * graphics passwords and the balloon target when currentMemory < memory. */
static bool
setup_guest(MvQemuMonitor *mon, MvDomainDef *live, GError **error)
{
    for (size_t i = 0; i < live->ngraphics; i++) {
        const MvDomainGraphicsDef *gfx = live->graphics[i];
        g_autoptr(JsonNode) reply = NULL;
        JsonObject *args;

        if (!gfx->passwd)
            continue;
        args = json_object_new();
        json_object_set_string_member(args, "protocol", gfx->type);
        json_object_set_string_member(args, "password", gfx->passwd);
        if (!(reply = mv_qemu_monitor_command(mon, "set_password", args,
                                              MV_QEMU_MONITOR_TIMEOUT_MS, error)))
            return false;
    }
    if (live->current_memory < live->memory && live->memballoon &&
        g_strcmp0(live->memballoon->model, "none") != 0 &&
        !mv_qemu_monitor_balloon(mon, live->current_memory, error))
        return false;
    /* <link state='down'/>: the command line has no way to say it. */
    for (size_t i = 0; i < live->nnets; i++) {
        if (live->nets[i]->link_state == MV_DOMAIN_NET_LINK_DOWN &&
            !mv_qemu_net_set_link(mon, live->nets[i], false, error))
            return false;
    }
    return mv_qemu_domain_check_tpm(mon, live, error);
}

/* Names the live devices the way the command line did, like libvirt's <alias>. */
static void
fill_aliases(MvDomainDef *live)
{
    for (size_t i = 0; i < live->ndisks; i++) {
        if (!live->disks[i]->alias)
            live->disks[i]->alias = mv_qemu_command_disk_alias(live->disks[i], NULL);
    }
    for (size_t i = 0; i < live->nnets; i++) {
        if (!live->nets[i]->alias)
            live->nets[i]->alias = g_strdup_printf("net%zu", i);
    }
    for (size_t i = 0; i < live->nserials; i++) {
        if (!live->serials[i]->alias)
            live->serials[i]->alias = g_strdup_printf("serial%zu", i);
    }
    for (size_t i = 0; i < live->nmemdevs; i++) {
        if (!live->memdevs[i]->alias)
            live->memdevs[i]->alias = mv_qemu_command_memdev_alias(live, i);
    }
    for (size_t i = 0; i < live->nconsoles; i++) {
        if (!live->consoles[i]->alias)
            live->consoles[i]->alias = g_strdup_printf(i == 0 && live->nserials ? "serial%zu"
                                                                                : "console%zu", i);
    }
}

/* The QMP socket QEMU will serve, bound and listening before QEMU starts, so
 * the daemon can connect at once instead of retrying until QEMU binds it. */
static int
listen_monitor(const char *path, GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                     "monitor socket path %s is too long: use a shorter --root", path);
        return -1;
    }
    strcpy(addr.sun_path, path);
    unlink(path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 4) < 0) {
        mv_error_set_errno(error, MV_FROM_QEMU, errno, "cannot listen on %s", path);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

#define MONITOR_CHILD_FD 3

static char **
build_argv(MvQemuDriver *driver, const MvDomainDef *def, const char *monitor_path,
           const int *tap_fds, const char *tpm_socket, bool incoming,
           GError **error)
{
    g_autofree char *channel_dir = g_build_filename(driver->lib_dir, "channel", NULL);
    /* QEMU's own pidfile also names the daemon's root on its command line, so an
     * administrator (or a test's clean-up) can tell which daemon a QEMU belongs to. */
    g_autofree char *pidfile = g_strdup_printf("%.*s.pid", (int)(strlen(monitor_path) - 4),
                                               monitor_path);
    MvQemuCommandContext cctx = {
        .monitor_path = monitor_path,
        .monitor_fd = MONITOR_CHILD_FD,
        .pidfile = pidfile,
        .log_dir = driver->log_dir,
        .channel_dir = channel_dir,
        .tap_fds = tap_fds,
        .ntap_fds = def->nnets,
        .kvm_available = driver->kvm_available,
        .tpm_socket = tpm_socket,
    };
    g_auto(GStrv) argv = NULL;
    GPtrArray *full;

    if (!mv_file_mkdir_p(channel_dir, 0750, error) ||
        !(argv = mv_qemu_command_build(def, driver->probe, &cctx, error)))
        return NULL;
    /* The daemon decides what a guest power-off means (quit, or reset for a reboot). */
    if (g_strv_contains((const char *const *)argv, "-no-shutdown") && !incoming)
        return g_steal_pointer(&argv);
    full = g_ptr_array_new();
    for (char **a = argv; *a; a++)
        g_ptr_array_add(full, g_strdup(*a));
    if (!g_strv_contains((const char *const *)argv, "-no-shutdown"))
        g_ptr_array_add(full, g_strdup("-no-shutdown"));
    if (incoming) {
        /* A restore: the guest's state comes over QMP (migrate-incoming). */
        g_ptr_array_add(full, g_strdup("-incoming"));
        g_ptr_array_add(full, g_strdup("defer"));
    }
    g_ptr_array_add(full, NULL);
    return (char **)g_ptr_array_free(full, FALSE);
}

/* What QEMU wrote to its log since @offset: the reason a start failed. */
static char *
qemu_log_tail(const char *path, off_t offset)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GString) out = g_string_new(NULL);
    gsize len = 0;

    if (!g_file_get_contents(path, &text, &len, NULL) || (gsize)offset >= len)
        return NULL;
    lines = g_strsplit(text + offset, "\n", -1);
    for (char **l = lines; *l; l++) {
        g_strstrip(*l);
        if (!**l || g_str_has_prefix(*l, "char device redirected"))
            continue;   /* QEMU's notes about ptys are not errors */
        if (out->len)
            g_string_append(out, "; ");
        g_string_append(out, *l);
    }
    return out->len ? g_string_free(g_steal_pointer(&out), FALSE) : NULL;
}

/* Test-only fault points: MV_TEST_CRASH_AT=<point> makes the daemon die by
 * SIGKILL at that point of a start, so the tests can prove that a restarted
 * daemon recovers from each of them. Never set outside the tests. */
static void
crash_point(const char *point)
{
    const char *at = g_getenv("MV_TEST_CRASH_AT");

    if (G_UNLIKELY(at) && g_str_equal(at, point)) {
        mv_log_warning("MV_TEST_CRASH_AT=%s: killing the daemon", point);
        raise(SIGKILL);
    }
}

/* Undoes a half-done start (job held, the domain not yet published as running). */
static void
abort_start(MvQemuDriver *driver, MvQemuDomain *dom, MvChild *child, MvQemuMonitor *mon,
            const char *monitor_path, MvDomainDef *live)
{
    if (mon)
        mv_qemu_monitor_close(mon);
    if (child) {
        g_autoptr(GError) err = NULL;
        if (!mv_child_terminate(child, 0, &err))
            mv_log_warning("domain '%s': cannot stop the failed QEMU: %s", dom->name,
                           err->message);
    }
    mv_qemu_net_disconnect_all(driver, live);
    unlink_runtime_files(monitor_path);
    mv_qemu_persist_delete_status(driver, dom->name);
}

static bool
start_process(MvQemuDriver *driver, MvQemuDomain *dom, unsigned int flags,
              const MvQemuIncoming *incoming, GError **error)
{
    g_autoptr(MvDomainDef) live = NULL;
    g_autoptr(MvChild) child = NULL;
    g_autoptr(MvQemuMonitor) mon = NULL;
    g_auto(GStrv) argv = NULL;
    g_autofree char *monitor_path = NULL;
    g_autofree char *tpm_socket = NULL;
    MV_QEMU_TPM_AUTOKILL MvChild *tpm_child = NULL;
    g_autoptr(MvQemuCgroup) cgroup = NULL;
    g_autofree char *log_path = NULL;
    char uuid[MV_UUID_STRING_LEN];
    bool paused = flags & MV_QEMU_START_PAUSED;
    MvChildOptions opts = { 0 };
    guint64 start_time = 0;
    off_t log_offset = 0;
    g_autofree MvChildFd *child_fds = NULL;
    g_autofree int *tap_fds = NULL;
    g_autofree int *child_tap_fds = NULL;
    size_t n_child_fds = 0;
    int monitor_fd;
    struct stat st;
    pid_t pid;
    bool persistent;
    int pidfd;
    int id;

    if (!mv_qemu_driver_need_probe(driver, error))
        return false;
    g_mutex_lock(&dom->lock);
    if (mv_qemu_domain_is_active(dom)) {
        g_mutex_unlock(&dom->lock);
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: domain '%s' is already running",
                            dom->name);
    }
    live = mv_domain_def_copy(incoming ? incoming->def : dom->def);
    persistent = dom->persistent;
    g_mutex_unlock(&dom->lock);

    /* Volume disks get their paths first, so the paths are checked too; again
     * at start: a path may have become a symlink since the definition. */
    /* The firmware after the check: what it fills in (a descriptor's files, the
     * NVRAM in the daemon's own directory) is the daemon's choice, not the user's. */
    if (!mv_qemu_storage_resolve(driver, live, error) ||
        !mv_qemu_driver_check_host_access(driver, live, error) ||
        !mv_qemu_tune_check(live, error) ||
        !mv_qemu_domain_prepare_firmware(driver, live, flags & MV_QEMU_START_RESET_NVRAM,
                                         error) ||
        !connect_nets(driver, live, &tap_fds, error))
        return false;
    /* QEMU sees the monitor as fd 3 and the taps from 4 on. */
    child_fds = g_new0(MvChildFd, live->nnets + 1);
    child_tap_fds = g_new(int, live->nnets + 1);
    for (size_t i = 0; i < live->nnets; i++) {
        child_tap_fds[i] = -1;
        if (tap_fds[i] < 0)
            continue;
        child_tap_fds[i] = MONITOR_CHILD_FD + 1 + (int)n_child_fds;
        child_fds[++n_child_fds] = (MvChildFd){ .parent_fd = tap_fds[i],
                                                .child_fd = child_tap_fds[i] };
    }
    mv_uuid_format(dom->uuid, uuid);
    monitor_path = g_strdup_printf("%s/%s.qmp", driver->state_dir, uuid);
    unlink_runtime_files(monitor_path);
    if (live->tpm)
        tpm_socket = mv_qemu_tpm_socket_path(driver->state_dir, dom->uuid);
    {
        g_autofree char *channel_dir = g_build_filename(driver->lib_dir, "channel", NULL);

        mv_qemu_agent_prepare_live(channel_dir, live);    /* channel paths, agent state */
    }
    if (!(argv = build_argv(driver, live, monitor_path, child_tap_fds, tpm_socket,
                             incoming != NULL, error)) ||
        !mv_qemu_tpm_start(live, driver->lib_dir, driver->log_dir, tpm_socket, &tpm_child,
                           error)) {
        disconnect_nets(driver, live, tap_fds);
        return false;
    }

    log_path = g_strdup_printf("%s/%s.log", driver->log_dir, dom->name);
    if (stat(log_path, &st) == 0)
        log_offset = st.st_size;
    if ((monitor_fd = listen_monitor(monitor_path, error)) < 0) {
        disconnect_nets(driver, live, tap_fds);
        return false;
    }
    /* Crash safety (docs/qemud.md): the pending start is on disk before any
     * process exists, and the pid is on disk before that process may run QEMU. */
    if (!mv_qemu_persist_save_starting(driver, live, persistent, monitor_path, 0, 0, error)) {
        close(monitor_fd);
        disconnect_nets(driver, live, tap_fds);
        unlink_runtime_files(monitor_path);
        mv_qemu_persist_delete_status(driver, dom->name);
        return false;
    }
    crash_point("before-spawn");
    child_fds[0] = (MvChildFd){ .parent_fd = monitor_fd, .child_fd = MONITOR_CHILD_FD };
    opts.fds = child_fds;
    opts.n_fds = n_child_fds + 1;
    opts.argv = (const char *const *)argv;
    opts.out = (MvChildStdio){ .kind = MV_CHILD_STDIO_FILE, .path = log_path };
    opts.err = opts.out;
    opts.setsid = true;     /* guests outlive the daemon and its signals */
    opts.gated = true;      /* no exec before its pid is recorded */
    child = mv_child_spawn(&opts, error);
    close(monitor_fd);      /* QEMU has its own copy */
    close_tap_fds(tap_fds, live->nnets);    /* likewise: the taps now live as long as QEMU */
    if (!child) {
        mv_qemu_net_disconnect_all(driver, live);
        unlink_runtime_files(monitor_path);
        mv_qemu_persist_delete_status(driver, dom->name);
        return false;
    }
    pid = mv_child_get_pid(child);
    crash_point("after-fork");
    if (!mv_pid_get_start_time(pid, &start_time, error) ||
        !mv_qemu_persist_save_starting(driver, live, persistent, monitor_path, pid, start_time,
                                       error)) {
        abort_start(driver, dom, child, NULL, monitor_path, live);
        return false;
    }
    /* Its own cgroups before QEMU runs: every thread starts inside, limited. */
    if (!(cgroup = mv_qemu_cgroup_create(driver->state_dir, dom->uuid, pid, error)) ||
        !mv_qemu_tune_apply_process(cgroup, live->tune, error)) {
        g_prefix_error(error, "cannot start domain '%s': ", dom->name);
        abort_start(driver, dom, child, NULL, monitor_path, live);
        mv_qemu_cgroup_remove(cgroup);
        return false;
    }
    crash_point("before-exec");
    if (!mv_child_release(child, error)) {
        abort_start(driver, dom, child, NULL, monitor_path, live);
        mv_qemu_cgroup_remove(cgroup);
        return false;
    }
    crash_point("after-exec");

    /* With the pidfd, a QEMU that dies before listening fails the start at once. */
    mon = mv_qemu_monitor_open_child(monitor_path, mv_child_get_pidfd(child), driver->ctx,
                                     &monitor_callbacks, dom, MONITOR_OPEN_TIMEOUT_MS, error);
    if (mon)
        crash_point("after-qmp");
    fill_aliases(live);
    if (!mon || !fill_ptys(mon, live, error) || !mv_qemu_graphics_fill_ports(mon, live, error) ||
        !mv_qemu_hotplug_vcpus_boot(mon, live, error) ||
        (incoming && !mv_qemu_save_load_stream(mon, incoming->fd, error)) ||
        !setup_guest(mon, live, error) ||
        !mv_qemu_tune_apply_threads(cgroup, mon, pid, live->tune, error) ||
        !mv_qemu_tune_apply_disks(mon, live, error) ||
        !mv_qemu_tune_apply_nets(live, error)) {
        g_autofree char *why = qemu_log_tail(log_path, log_offset);
        if (why)
            g_prefix_error(error, "cannot start domain '%s': %s (", dom->name, why);
        else
            g_prefix_error(error, "cannot start domain '%s': ", dom->name);
        if (why && error && *error) {
            char *msg = g_strconcat((*error)->message, ")", NULL);
            g_free((*error)->message);
            (*error)->message = msg;
        }
        abort_start(driver, dom, child, mon, monitor_path, live);
        mv_qemu_cgroup_remove(cgroup);
        return false;
    }
    crash_point("after-setup");
    pidfd = mv_pidfd_open(pid);
    if (pidfd < 0) {
        mv_error_set_errno(error, MV_FROM_QEMU, errno, "cannot watch QEMU process %d", (int)pid);
        abort_start(driver, dom, child, mon, monitor_path, live);
        mv_qemu_cgroup_remove(cgroup);
        return false;
    }

    id = mv_driver_list_next_id(driver->domains);
    g_mutex_lock(&dom->lock);
    dom->live = g_steal_pointer(&live);
    dom->id = id;
    dom->pid = pid;
    dom->start_time = start_time;
    dom->child = g_steal_pointer(&child);
    dom->tpm_child = g_steal_pointer(&tpm_child);
    dom->cgroup = g_steal_pointer(&cgroup);
    dom->pidfd = pidfd;
    dom->monitor = g_steal_pointer(&mon);
    dom->monitor_path = g_steal_pointer(&monitor_path);
    dom->exited = dom->stopping = dom->guest_shutdown = dom->fake_reboot = false;
    dom->guest_shutdown_seen = false;
    mv_qemu_domain_set_state(dom, MV_DOMAIN_PAUSED,
                             paused ? MV_DOMAIN_PAUSED_USER : MV_DOMAIN_PAUSED_STARTING_UP);
    watch_exit(driver, dom);
    g_mutex_unlock(&dom->lock);

    if (!paused) {
        if (!mv_qemu_monitor_cont(dom->monitor, error)) {
            g_prefix_error(error, "cannot resume domain '%s': ", dom->name);
            mv_qemu_process_stop(driver, dom, false, MV_DOMAIN_SHUTOFF_FAILED,
                                 MV_EVENT_STOPPED_FAILED, NULL);
            return false;
        }
        g_mutex_lock(&dom->lock);
        mv_qemu_domain_set_state(dom, MV_DOMAIN_RUNNING, incoming ? MV_DOMAIN_RUNNING_RESTORED
                                                                  : MV_DOMAIN_RUNNING_BOOTED);
        g_mutex_unlock(&dom->lock);
        crash_point("after-cont");
    }
    /* The start is complete once this replaces the "starting" status. */
    g_mutex_lock(&dom->lock);
    if (!mv_qemu_persist_save_status(driver, dom, error)) {
        g_mutex_unlock(&dom->lock);
        g_prefix_error(error, "cannot record the start of domain '%s': ", dom->name);
        mv_qemu_process_stop(driver, dom, false, MV_DOMAIN_SHUTOFF_FAILED,
                             MV_EVENT_STOPPED_FAILED, NULL);
        return false;
    }
    g_mutex_unlock(&dom->lock);
    crash_point("after-status");
    mv_log_info("domain '%s' started (id %d, pid %d)", dom->name, id, (int)pid);
    if (!paused)
        mv_qemu_process_emit(driver, dom, MV_EVENT_RESUMED, MV_EVENT_RESUMED_UNPAUSED);
    mv_qemu_process_emit(driver, dom, MV_EVENT_STARTED,
                         incoming ? MV_EVENT_STARTED_RESTORED : MV_EVENT_STARTED_BOOTED);
    if (paused)
        mv_qemu_process_emit(driver, dom, MV_EVENT_SUSPENDED, MV_EVENT_SUSPENDED_PAUSED);
    return true;
}

bool
mv_qemu_process_start(MvQemuDriver *driver, MvQemuDomain *dom, unsigned int flags,
                      GError **error)
{
    return start_process(driver, dom, flags, NULL, error);
}

bool
mv_qemu_process_start_incoming(MvQemuDriver *driver, MvQemuDomain *dom, unsigned int flags,
                               const MvQemuIncoming *incoming, GError **error)
{
    return start_process(driver, dom, flags, incoming, error);
}

/* ---- stop ---- */

/* Waits until the exit watch saw the process go (lock held). */
static bool
wait_exit_locked(MvQemuDomain *dom, int timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

    while (!dom->exited && dom->id >= 0) {
        if (!g_cond_wait_until(&dom->cond, &dom->lock, deadline))
            return dom->exited || dom->id < 0;
    }
    return true;
}

bool
mv_qemu_process_stop(MvQemuDriver *driver, MvQemuDomain *dom, bool graceful, int reason,
                     int event_detail, GError **error)
{
    int pidfd;

    g_mutex_lock(&dom->lock);
    if (!mv_qemu_domain_is_active(dom)) {
        g_mutex_unlock(&dom->lock);
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: domain '%s' is not running",
                            dom->name);
    }
    dom->stopping = true;
    dom->stop_reason = reason;
    dom->stop_event_detail = event_detail;
    pidfd = dom->pidfd;
    if (!dom->exited && mv_pidfd_send_signal(pidfd, SIGTERM) < 0 && errno != ESRCH)
        mv_log_warning("domain '%s': SIGTERM failed: %s", dom->name, g_strerror(errno));
    if (!wait_exit_locked(dom, graceful ? STOP_GRACE_MS : 2000)) {
        if (graceful) {
            dom->stopping = false;
            g_mutex_unlock(&dom->lock);
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                                "Failed to terminate process %d with SIGTERM: the guest is "
                                "still running", (int)dom->pid);
        }
        mv_pidfd_send_signal(pidfd, SIGKILL);
        if (!wait_exit_locked(dom, KILL_WAIT_MS)) {
            dom->stopping = false;
            g_mutex_unlock(&dom->lock);
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                                "process %d did not exit after SIGKILL", (int)dom->pid);
        }
    }
    g_mutex_unlock(&dom->lock);
    if (event_detail == MV_EVENT_STOPPED_DESTROYED)
        mv_qemu_process_emit(driver, dom, MV_EVENT_SHUTDOWN, MV_EVENT_SHUTDOWN_HOST);
    process_cleanup(driver, dom);
    return true;
}

/* ---- recovery after a daemon restart ---- */

/* The domain a live QEMU runs for; one without a definition is kept as a
 * transient domain. A status that says persistent without a definition
 * belongs to a domain undefined while it ran (the status is not rewritten
 * then) or whose definition was refused: either way its QEMU is managed, never
 * left running for no domain. */
static MvQemuDomain *
recover_find_or_add(MvQemuDriver *driver, MvQemuStatus *st)
{
    MvQemuDomain *dom =
        MV_QEMU_DOMAIN(mv_driver_list_find_by_uuid(driver->domains, st->live->uuid));
    g_autoptr(GError) err = NULL;

    if (dom)
        return dom;
    if (st->persistent)
        mv_log_warning("domain '%s' runs without a definition (undefined while it ran?): "
                       "it is transient now", st->live->name);
    if (!(dom = mv_qemu_domains_add(driver->domains, mv_domain_def_copy(st->live), false, &err)))
        mv_log_error("cannot recover transient domain '%s': %s", st->live->name, err->message);
    return dom;
}

void
mv_qemu_process_recover(MvQemuDriver *driver, MvQemuStatus *st)
{
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autoptr(MvQemuMonitor) mon = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *status = NULL;
    bool running = false;
    int pidfd = -1;

    if (st->starting) {
        /* The start never completed (its caller got no answer): undo it. A
         * child that never got to exec QEMU exits by itself. */
        mv_log_info("domain '%s': the daemon stopped while starting it; undoing the start",
                    st->live->name);
        if (!mv_qemu_stray_kill(st->pid, st->start_time, NULL))
            return;     /* the pidfile stays: the sweep tries again */
        mv_qemu_cgroup_remove_for(driver->state_dir, st->live->uuid);
        mv_qemu_net_disconnect_all(driver, st->live);
        unlink(st->path);
        unlink_runtime_files(st->monitor_path);
        return;
    }
    if (!mv_pid_is_alive(st->pid, st->start_time)) {
        mv_log_info("domain '%s' stopped while the daemon was away", st->live->name);
        mv_qemu_cgroup_remove_for(driver->state_dir, st->live->uuid);
        mv_qemu_net_disconnect_all(driver, st->live);
        unlink(st->path);
        unlink_runtime_files(st->monitor_path);
        return;
    }
    if (!(dom = recover_find_or_add(driver, st))) {
        mv_log_error("QEMU %d runs for unknown domain '%s': leaving it alone", (int)st->pid,
                     st->live->name);
        return;
    }
    if ((pidfd = mv_pidfd_open(st->pid)) < 0 ||
        !(mon = mv_qemu_monitor_reopen(st->monitor_path, driver->ctx, &monitor_callbacks, dom,
                                       MONITOR_OPEN_TIMEOUT_MS, &err)) ||
        !mv_qemu_monitor_query_status(mon, &status, &running, &err)) {
        mv_log_error("cannot reconnect to domain '%s' (pid %d): %s; killing it", dom->name,
                     (int)st->pid, err ? err->message : g_strerror(errno));
        if (pidfd >= 0)
            close(pidfd);
        if (!mv_qemu_stray_kill(st->pid, st->start_time, NULL))
            return;     /* the sweep tries again through its pidfile */
        mv_qemu_cgroup_remove_for(driver->state_dir, st->live->uuid);
        mv_qemu_net_disconnect_all(driver, st->live);
        unlink(st->path);
        unlink_runtime_files(st->monitor_path);
        /* a transient guest is gone with its QEMU, never listed shut off */
        if (!dom->persistent)
            mv_driver_list_remove(driver->domains, MV_DRIVER_OBJECT(dom));
        return;
    }
    mv_qemu_agent_recover_state(mon, st->live);
    mv_driver_list_reserve_id(driver->domains, st->id);
    g_mutex_lock(&dom->lock);
    mv_domain_def_free(dom->live);
    dom->live = g_steal_pointer(&st->live);
    dom->id = st->id;
    dom->pid = st->pid;
    dom->start_time = st->start_time;
    dom->pidfd = pidfd;
    dom->cgroup = mv_qemu_cgroup_adopt(driver->state_dir, dom->uuid, st->pid);
    mv_qemu_tune_recover_nets(dom->live);
    dom->monitor = g_steal_pointer(&mon);
    dom->monitor_path = g_strdup(st->monitor_path);
    if (running)
        mv_qemu_domain_set_state(dom, MV_DOMAIN_RUNNING,
                                 st->state == MV_DOMAIN_RUNNING ? st->reason
                                                                : MV_DOMAIN_RUNNING_UNPAUSED);
    else
        mv_qemu_domain_set_state(dom, MV_DOMAIN_PAUSED,
                                 st->state == MV_DOMAIN_PAUSED ? st->reason
                                                               : MV_DOMAIN_PAUSED_UNKNOWN);
    watch_exit(driver, dom);
    if (!mv_qemu_persist_save_status(driver, dom, &err))
        mv_log_warning("domain '%s': %s", dom->name, err->message);
    g_mutex_unlock(&dom->lock);
    mv_log_info("reconnected to domain '%s' (id %d, pid %d, %s)", dom->name, dom->id,
                (int)dom->pid, status);
    /* A guest that powered off while we were away is still waiting in QEMU. */
    if (g_strcmp0(status, "shutdown") == 0)
        queue_action(driver, dom, ACTION_GUEST_SHUTDOWN);
}
