/* An asynchronous QMP client for one QEMU process.
 *
 * Opening is synchronous (connect, greeting, qmp_capabilities, all before a
 * deadline); afterwards the socket is read on the thread that runs the given
 * GMainContext, which delivers QMP events and the end of the connection to
 * callbacks. Commands can be sent from any thread and block that thread until
 * their reply, an error, EOF or their timeout. If nobody runs the context while
 * a command waits, the waiting thread acquires the context and reads the reply
 * itself (events read meanwhile are still delivered on the context later). */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

G_BEGIN_DECLS

typedef struct _MvQemuMonitor MvQemuMonitor;

typedef struct {
    /* A QMP event: @name ("SHUTDOWN", "STOP", ...), its "data" object (borrowed,
     * an empty object when the event has none) and QEMU's timestamp in
     * microseconds since the epoch (0 if missing). May be NULL. */
    void (*event)(MvQemuMonitor *mon, const char *name, JsonObject *data,
                  gint64 timestamp_us, gpointer opaque);
    /* The socket closed (QEMU exited or crashed) or the stream became unusable;
     * called once, after every event read before it, unless the monitor was
     * closed first. May be NULL. */
    void (*eof)(MvQemuMonitor *mon, const char *reason, gpointer opaque);
} MvQemuMonitorCallbacks;

/**
 * mv_qemu_monitor_open:
 * Connects to the QMP UNIX socket at @socket_path, retrying until it exists and
 * listens, reads the greeting and negotiates capabilities, all within
 * @timeout_ms (< 0: forever), on the calling thread. Then attaches to @ctx
 * (NULL: the global default context), where @cb (copied; may be NULL) is called
 * with @opaque. Returns the monitor (mv_qemu_monitor_free()) or NULL with
 * @error set (MV_ERR_OPERATION_TIMEOUT when the deadline passed,
 * MV_ERR_OPERATION_FAILED otherwise).
 */
MvQemuMonitor *mv_qemu_monitor_open(const char *socket_path, GMainContext *ctx,
                                    const MvQemuMonitorCallbacks *cb, gpointer opaque,
                                    int timeout_ms, GError **error);

/**
 * mv_qemu_monitor_reopen:
 * Like mv_qemu_monitor_open() for a QEMU that already runs (a daemon restart):
 * one connection attempt, no waiting for the socket to appear (a running
 * QEMU's socket that is missing or refuses will not come back); the greeting
 * and capabilities within @timeout_ms.
 */
MvQemuMonitor *mv_qemu_monitor_reopen(const char *socket_path, GMainContext *ctx,
                                      const MvQemuMonitorCallbacks *cb, gpointer opaque,
                                      int timeout_ms, GError **error);

/**
 * mv_qemu_monitor_open_child:
 * Like mv_qemu_monitor_open() for the QEMU process behind @pidfd (from
 * mv_child_get_pidfd(); -1: unknown): when that process exits before its
 * socket accepts, fails at once (MV_ERR_OPERATION_FAILED) instead of retrying
 * until @timeout_ms. @pidfd stays the caller's.
 */
MvQemuMonitor *mv_qemu_monitor_open_child(const char *socket_path, int pidfd, GMainContext *ctx,
                                          const MvQemuMonitorCallbacks *cb, gpointer opaque,
                                          int timeout_ms, GError **error);

/**
 * mv_qemu_monitor_open_fd:
 * Like mv_qemu_monitor_open() on @fd, a stream socket already connected to
 * QEMU's QMP monitor: one end of a socketpair, or a connection to a listening
 * socket the caller created and handed to QEMU (-chardev socket,fd=N,server=on),
 * which connects at once and needs no retries. Takes ownership of @fd, also on
 * failure.
 */
MvQemuMonitor *mv_qemu_monitor_open_fd(int fd, GMainContext *ctx,
                                       const MvQemuMonitorCallbacks *cb, gpointer opaque,
                                       int timeout_ms, GError **error);

/**
 * mv_qemu_monitor_command:
 * Executes QMP command @cmd with @args (may be NULL; ownership is taken, also
 * on failure) and waits up to @timeout_ms (< 0: forever) for its reply.
 * Callable from any thread, by any number of threads at once.
 * Returns QEMU's "return" value (caller frees with json_node_free()) or NULL
 * with @error: MV_ERR_OPERATION_FAILED with QEMU's description for an error
 * reply or when the monitor closed, MV_ERR_OPERATION_TIMEOUT on timeout.
 */
JsonNode *mv_qemu_monitor_command(MvQemuMonitor *mon, const char *cmd, JsonObject *args,
                                  int timeout_ms, GError **error);

/* The default timeout of the convenience wrappers below. */
#define MV_QEMU_MONITOR_TIMEOUT_MS 30000

/* Commands without a useful reply: true on success, false with @error. */
bool mv_qemu_monitor_cont(MvQemuMonitor *mon, GError **error);
bool mv_qemu_monitor_stop(MvQemuMonitor *mon, GError **error);
bool mv_qemu_monitor_system_powerdown(MvQemuMonitor *mon, GError **error);
bool mv_qemu_monitor_system_reset(MvQemuMonitor *mon, GError **error);
/* QEMU exits after replying; the eof callback follows. */
bool mv_qemu_monitor_quit(MvQemuMonitor *mon, GError **error);

/**
 * mv_qemu_monitor_query_status:
 * QEMU's run state ("running", "paused", "prelaunch", "shutdown", ...) in
 * *@ret_status (caller frees; may be NULL) and whether vCPUs run in *@ret_running
 * (may be NULL).
 */
bool mv_qemu_monitor_query_status(MvQemuMonitor *mon, char **ret_status, bool *ret_running,
                                  GError **error);

/**
 * mv_qemu_monitor_query_chardev_pty:
 * The pty path ("/dev/pts/N") of chardev @chardev_id from query-chardev
 * (caller frees). MV_ERR_OPERATION_FAILED if there is no such chardev or it is
 * not a pty.
 */
bool mv_qemu_monitor_query_chardev_pty(MvQemuMonitor *mon, const char *chardev_id,
                                       char **ret_path, GError **error);

/* Sets the balloon target to @kib KiB of guest memory (QMP "balloon" takes
 * bytes: the one place that converts). */
bool mv_qemu_monitor_balloon(MvQemuMonitor *mon, guint64 kib, GError **error);

/* device_add with @props ("driver", "id", ...; ownership taken) / device_del of @id.
 * device_del only asks the guest: DEVICE_DELETED is the event that it is gone. */
bool mv_qemu_monitor_device_add(MvQemuMonitor *mon, JsonObject *props, GError **error);
bool mv_qemu_monitor_device_del(MvQemuMonitor *mon, const char *id, GError **error);

/* blockdev-add with @props (ownership taken) / blockdev-del of @node_name. */
bool mv_qemu_monitor_blockdev_add(MvQemuMonitor *mon, JsonObject *props, GError **error);
bool mv_qemu_monitor_blockdev_del(MvQemuMonitor *mon, const char *node_name, GError **error);
/* The medium of removable device @qdev_id (a cdrom): blockdev-change-medium
 * opens @path with @format read-only (the tray forced open); eject removes it. */
bool mv_qemu_monitor_change_medium(MvQemuMonitor *mon, const char *qdev_id, const char *path,
                                   const char *format, GError **error);
bool mv_qemu_monitor_eject(MvQemuMonitor *mon, const char *qdev_id, GError **error);

/**
 * mv_qemu_monitor_blockdev_add_file:
 * Adds the image @path ("raw" or "qcow2" @format) as two nodes: a file node
 * "<node_name>-file" and the format node @node_name that a disk device uses as
 * its drive= (device_add driver=virtio-blk-pci drive=@node_name). On failure
 * nothing is left behind. @read_only opens the image read-only.
 */
bool mv_qemu_monitor_blockdev_add_file(MvQemuMonitor *mon, const char *node_name,
                                       const char *path, const char *format, bool read_only,
                                       GError **error);

/**
 * mv_qemu_monitor_blockdev_del_file:
 * Removes the two nodes mv_qemu_monitor_blockdev_add_file() added (after the
 * device using them is gone).
 */
bool mv_qemu_monitor_blockdev_del_file(MvQemuMonitor *mon, const char *node_name,
                                       GError **error);

/* netdev_add with @props ("type", "id", ...; ownership taken) / netdev_del of @id. */
bool mv_qemu_monitor_netdev_add(MvQemuMonitor *mon, JsonObject *props, GError **error);
bool mv_qemu_monitor_netdev_del(MvQemuMonitor *mon, const char *id, GError **error);

/**
 * mv_qemu_monitor_getfd:
 * Passes @fd (SCM_RIGHTS, the caller keeps its own copy) to QEMU under the
 * name @fdname, for a later netdev_add fd=@fdname (which takes it over).
 */
bool mv_qemu_monitor_getfd(MvQemuMonitor *mon, const char *fdname, int fd, GError **error);

/** mv_qemu_monitor_closefd: drops an fd passed with getfd and not used. */
bool mv_qemu_monitor_closefd(MvQemuMonitor *mon, const char *fdname, GError **error);

/** mv_qemu_monitor_set_link: the link of device or netdev @name up or down. */
bool mv_qemu_monitor_set_link(MvQemuMonitor *mon, const char *name, bool up, GError **error);

/**
 * mv_qemu_monitor_human_command:
 * Runs HMP command line @hmp through human-monitor-command; its output in
 * *@ret_text (caller frees; may be NULL).
 */
bool mv_qemu_monitor_human_command(MvQemuMonitor *mon, const char *hmp, char **ret_text,
                                   GError **error);

/**
 * mv_qemu_monitor_close:
 * Disconnects: commands waiting now or later fail with MV_ERR_OPERATION_FAILED
 * and no callback is started afterwards (one already running on the context may
 * finish). Thread-safe, idempotent.
 */
void mv_qemu_monitor_close(MvQemuMonitor *mon);

/**
 * mv_qemu_monitor_free:
 * Closes @mon and drops the caller's reference; memory goes once no thread
 * and no dispatch uses it any more. NULL is a no-op.
 */
void mv_qemu_monitor_free(MvQemuMonitor *mon);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvQemuMonitor, mv_qemu_monitor_free)

G_END_DECLS
