/* DOMAIN_OPEN_CONSOLE: relays a guest's serial console (a pty of QEMU's)
 * over the stream protocol. Guest output is read on the driver context and
 * sent as STREAM CONTINUE packets; the client's keystrokes arrive on the RPC
 * I/O thread and are written to the pty. The client finishes with STREAM OK
 * (virsh's Ctrl-]) and the guest keeps running; when the guest goes away the
 * client gets an empty CONTINUE (end of stream). */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-dispatch.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "util/log.h"

#define CONSOLE_FORCE (1u << 0)
#define CONSOLE_SAFE  (1u << 1)
#define CONSOLE_READ_CHUNK 4096

typedef struct {
    gint ref;
    GMutex lock;
    MvQemuDriver *driver;
    MvQemuDomain *dom;
    char *device;               /* "console0", "serial0" */
    MvServerClient *client;
    MvMessageHeader hdr;        /* the opening call: prog, proc, serial */
    int fd;
    GSource *source;
    bool eof_sent;
    bool closed;
} Console;

static GMutex consoles_lock;
static GPtrArray *consoles;     /* Console* (holds a reference) */

static Console *
console_ref(Console *con)
{
    g_atomic_int_inc(&con->ref);
    return con;
}

static void
console_unref(Console *con)
{
    if (!con || !g_atomic_int_dec_and_test(&con->ref))
        return;
    if (con->fd >= 0)
        close(con->fd);
    mv_server_client_unref(con->client);
    mv_qemu_domain_unref(con->dom);
    g_free(con->device);
    g_mutex_clear(&con->lock);
    g_free(con);
}

static void
send_stream(Console *con, int status, const void *data, gsize len)
{
    MvMessageHeader hdr = con->hdr;

    hdr.type = MV_MESSAGE_STREAM;
    hdr.status = status;
    mv_server_client_send(con->client, mv_message_encode_raw(&hdr, data, len));
}

/* Ends the session: no more packets either way. Any thread. */
static void
console_close(Console *con)
{
    GSource *source;
    bool removed;

    g_mutex_lock(&con->lock);
    if (con->closed) {
        g_mutex_unlock(&con->lock);
        return;
    }
    con->closed = true;
    source = g_steal_pointer(&con->source);
    g_mutex_unlock(&con->lock);
    if (source) {
        g_source_destroy(source);
        g_source_unref(source);
    }
    mv_server_client_remove_stream(con->client, con->hdr.proc, con->hdr.serial);
    g_mutex_lock(&consoles_lock);
    removed = consoles && g_ptr_array_remove(consoles, con);
    g_mutex_unlock(&consoles_lock);
    mv_log_debug("console of domain '%s' closed", con->dom->name);
    if (removed)
        console_unref(con);     /* the list's reference */
}

static void resume_relay(gpointer data, gpointer client);

/* Guest output (driver context). */
static gboolean
on_pty_readable(gint fd, GIOCondition cond, gpointer data)
{
    Console *con = data;
    char buf[CONSOLE_READ_CHUNK];
    ssize_t n = read(fd, buf, sizeof(buf));

    if (n > 0) {
        send_stream(con, MV_STATUS_CONTINUE, buf, n);
        if (!mv_server_client_is_congested(con->client))
            return G_SOURCE_CONTINUE;
        /* The client does not keep up: leave the output in the pty (the guest
         * blocks on it) until the client has read most of what is queued. */
        g_mutex_lock(&con->lock);
        g_clear_pointer(&con->source, g_source_unref);
        g_mutex_unlock(&con->lock);
        mv_server_client_add_drain_watch(con->client, resume_relay, console_ref(con),
                                         (GDestroyNotify)console_unref);
        return G_SOURCE_REMOVE;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return G_SOURCE_CONTINUE;
    /* EIO/EOF: QEMU closed the pty (the guest is gone). Tell the client. */
    g_mutex_lock(&con->lock);
    if (!con->eof_sent && !con->closed) {
        con->eof_sent = true;
        send_stream(con, MV_STATUS_CONTINUE, NULL, 0);
    }
    g_clear_pointer(&con->source, g_source_unref);
    g_mutex_unlock(&con->lock);
    return G_SOURCE_REMOVE;
}

/* Client packets (RPC I/O thread). */
static void
on_client_stream(MvServerClient *client, const MvMessageHeader *hdr, const guint8 *data,
                 gsize len, gpointer stream_data)
{
    Console *con = stream_data;
    gsize done = 0;

    if (hdr->type != MV_MESSAGE_STREAM)
        return;
    if (hdr->status == MV_STATUS_CONTINUE) {
        while (done < len) {
            ssize_t n = write(con->fd, data + done, len - done);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                mv_log_debug("console of '%s': dropped %zu typed bytes: %s", con->dom->name,
                             len - done, n < 0 ? g_strerror(errno) : "pty full");
                break;
            }
            done += n;
        }
        return;
    }
    /* OK = the client finished (Ctrl-]); ERROR = it aborted. Both are acknowledged. */
    console_ref(con);
    send_stream(con, MV_STATUS_OK, NULL, 0);
    console_close(con);
    console_unref(con);
}

static void
start_relay(gpointer data, gpointer client)
{
    Console *con = data;
    GSource *source = g_unix_fd_source_new(con->fd, G_IO_IN | G_IO_HUP | G_IO_ERR);

    g_source_set_callback(source, (GSourceFunc)(void (*)(void))on_pty_readable, console_ref(con),
                          (GDestroyNotify)console_unref);
    g_mutex_lock(&con->lock);
    if (!con->closed) {
        con->source = g_source_ref(source);
        g_source_attach(source, con->driver->ctx);
    }
    g_mutex_unlock(&con->lock);
    g_source_unref(source);
    console_unref(con);     /* the after-reply reference */
}

/* The client drained its queue: read guest output again (RPC I/O thread). */
static void
resume_relay(gpointer data, gpointer client)
{
    start_relay(console_ref(data), client);
}

static void
drop_relay(gpointer data)
{
    Console *con = data;

    console_close(con);
    console_unref(con);
}

/* The pty of @dev_name (or the first console) of the running @dom (lock held). */
static char *
find_pty(MvQemuDomain *dom, const char *dev_name, char **ret_device, GError **error)
{
    const MvDomainDef *live = dom->live;
    const MvDomainChrDef *chr = NULL;
    g_autofree char *device = NULL;

    if (!dev_name) {
        if (live->nconsoles) {
            chr = live->consoles[0];
            device = g_strdup("console0");
        } else if (live->nserials) {
            chr = live->serials[0];
            device = g_strdup("serial0");
        }
    } else {
        for (size_t i = 0; !chr && i < live->nconsoles; i++) {
            g_autofree char *alias = g_strdup_printf("console%zu", i);
            if (g_str_equal(alias, dev_name) || g_strcmp0(live->consoles[i]->alias, dev_name) == 0)
                chr = live->consoles[i];
        }
        for (size_t i = 0; !chr && i < live->nserials; i++) {
            g_autofree char *alias = g_strdup_printf("serial%zu", i);
            if (g_str_equal(alias, dev_name) || g_strcmp0(live->serials[i]->alias, dev_name) == 0)
                chr = live->serials[i];
        }
        device = g_strdup(dev_name);
    }
    if (!chr) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "cannot find character device %s", dev_name ? dev_name : "<null>");
        return NULL;
    }
    if (chr->type != MV_DOMAIN_CHR_PTY || !chr->source_path) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_UNSUPPORTED,
                     "character device %s is not using a PTY", device);
        return NULL;
    }
    *ret_device = g_steal_pointer(&device);
    return g_strdup(chr->source_path);
}

static int
open_pty(const char *path, GError **error)
{
    struct termios tio;
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

    if (fd < 0) {
        mv_error_set_errno(error, MV_FROM_QEMU, errno, "cannot open console %s", path);
        return -1;
    }
    if (tcgetattr(fd, &tio) == 0) {
        cfmakeraw(&tio);
        tcsetattr(fd, TCSADRAIN, &tio);
    }
    return fd;
}

/* An existing session on the same console: refused, or ended with FORCE. */
static bool
claim_device(MvQemuDomain *dom, const char *device, bool force, GError **error)
{
    Console *old = NULL;

    g_mutex_lock(&consoles_lock);
    for (guint i = 0; consoles && i < consoles->len; i++) {
        Console *con = consoles->pdata[i];
        if (con->dom == dom && g_str_equal(con->device, device))
            old = console_ref(con);
    }
    g_mutex_unlock(&consoles_lock);
    if (!old)
        return true;
    if (!force) {
        console_unref(old);
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                            "Active console session exists for this domain");
    }
    /* The old session ends with a stream error: its client stops at once and
     * sends nothing more (an EOF would make it wait for an acknowledgement). */
    g_mutex_lock(&old->lock);
    if (!old->closed) {
        g_autoptr(GError) err = NULL;
        MvMessageHeader hdr = old->hdr;
        hdr.type = MV_MESSAGE_STREAM;
        mv_error_set(&err, MV_FROM_STREAMS, MV_ERR_OPERATION_ABORTED,
                     "the console of domain '%s' was taken over by another client",
                     dom->name);
        mv_server_client_send(old->client, mv_message_encode_error(&hdr, err));
    }
    g_mutex_unlock(&old->lock);
    console_close(old);
    console_unref(old);
    return true;
}

bool
mv_qemu_handle_domain_open_console(MvDriverCall *call,
                                   const MvObjectRef *dom_ref,
                                   const char *dev_name,
                                   unsigned int flags,
                                   GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    g_autoptr(MvQemuDomain) dom = NULL;
    g_autofree char *path = NULL;
    g_autofree char *device = NULL;
    Console *con;
    int fd;

    if (!mv_qemu_dispatch_check_flags(flags, CONSOLE_FORCE | CONSOLE_SAFE,
                                      "virDomainOpenConsole", error) ||
        !(dom = mv_qemu_dispatch_get_domain(call, dom_ref, error)))
        return false;
    g_mutex_lock(&dom->lock);
    if (!mv_qemu_dispatch_require_active(dom, error)) {
        g_mutex_unlock(&dom->lock);
        return false;
    }
    path = find_pty(dom, dev_name, &device, error);
    g_mutex_unlock(&dom->lock);
    if (!path || !claim_device(dom, device, flags & CONSOLE_FORCE, error) ||
        (fd = open_pty(path, error)) < 0)
        return false;

    con = g_new0(Console, 1);
    con->ref = 2;       /* the list's and the after-reply callback's */
    g_mutex_init(&con->lock);
    con->driver = driver;
    con->dom = g_steal_pointer(&dom);
    con->device = g_steal_pointer(&device);
    con->client = mv_server_client_ref(mv_driver_call_client(call));
    con->hdr = *mv_server_call_get_header(mv_driver_call_server_call(call));
    con->fd = fd;
    g_mutex_lock(&consoles_lock);
    if (!consoles)
        consoles = g_ptr_array_new();
    g_ptr_array_add(consoles, con);
    g_mutex_unlock(&consoles_lock);
    mv_server_client_add_stream_full(con->client, con->hdr.proc, con->hdr.serial,
                                     on_client_stream, con, (MvRefFunc)console_ref,
                                     (GDestroyNotify)console_unref);
    /* Guest output may only flow once the REPLY that opens the stream is out. */
    mv_server_call_after_reply(mv_driver_call_server_call(call), start_relay, con, drop_relay);
    return true;
}

void
mv_qemu_console_client_closed(MvServerClient *client)
{
    g_autoptr(GPtrArray) mine = g_ptr_array_new();

    g_mutex_lock(&consoles_lock);
    for (guint i = 0; consoles && i < consoles->len; i++) {
        Console *con = consoles->pdata[i];
        if (con->client == client)
            g_ptr_array_add(mine, console_ref(con));
    }
    g_mutex_unlock(&consoles_lock);
    for (guint i = 0; i < mine->len; i++) {
        console_close(mine->pdata[i]);
        console_unref(mine->pdata[i]);
    }
}

