/* virsh screenshot (virDomainScreenshot, 211): QMP screendump into a file under
 * the daemon's run directory (PNG when QEMU offers format=png, else PPM), read
 * back and removed, then sent on the stream the REPLY opened, as a volume
 * download is: data, an empty CONTINUE packet (end of data), and OK once the
 * client finished (or acknowledging its abort). */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-dispatch.h"
#include "qemu-monitor.h"
#include "qemu-process.h"
#include "qemu-screenshot.h"

#include <glib/gstdio.h>
#include <string.h>

#include "util/log.h"
#include "util/uuid.h"

#define SCREENDUMP_TIMEOUT_MS 30000

/* Held by the client's stream table and, until it ran, by the after-reply
 * function. No reference to the client: it owns the stream table, and a
 * reference back would keep both alive forever (each client that took a
 * screenshot leaked, with its buffers and the image). The functions that need
 * the client are given it. */
typedef struct {
    gint ref;
    MvMessageHeader hdr;     /* the call's, as STREAM */
    GBytes *image;
    gint done;               /* the closing OK was sent */
} Shot;

static gpointer
shot_ref(gpointer data)
{
    Shot *s = data;

    g_atomic_int_inc(&s->ref);
    return s;
}

static void
shot_unref(gpointer data)
{
    Shot *s = data;

    if (!s || !g_atomic_int_dec_and_test(&s->ref))
        return;
    g_bytes_unref(s->image);
    g_free(s);
}

static void
send_status(MvServerClient *client, Shot *s, int status)
{
    MvMessageHeader hdr = s->hdr;

    hdr.status = status;
    mv_server_client_send(client, mv_message_encode_raw(&hdr, NULL, 0));
}

/* The client's finish (OK) or abort (ERROR): either ends the stream with OK. */
static void
on_packet(MvServerClient *client, const MvMessageHeader *hdr, const guint8 *data, gsize len,
          gpointer stream_data)
{
    Shot *s = stream_data;

    if (hdr->type != MV_MESSAGE_STREAM || hdr->status == MV_STATUS_CONTINUE)
        return;
    if (!g_atomic_int_compare_and_exchange(&s->done, 0, 1))
        return;
    mv_server_client_remove_stream(client, s->hdr.proc, s->hdr.serial);
    send_status(client, s, MV_STATUS_OK);
}

/* After the REPLY (on the thread that sent it, @client alive): the image in
 * chunks, then the end of data; drops the after-reply reference. */
static void
send_image(gpointer data, gpointer client)
{
    Shot *s = data;
    gsize size;
    const guint8 *bytes = g_bytes_get_data(s->image, &size);
    gsize off = 0;

    while (off < size) {
        gsize n = MIN(size - off, (gsize)MV_MESSAGE_STREAM_CHUNK);

        if (!mv_server_client_send(client, mv_message_encode_raw(&s->hdr, bytes + off, n)))
            break;
        off += n;
    }
    if (off == size)
        send_status(client, s, MV_STATUS_CONTINUE);
    shot_unref(s);
}

/* screendump into @path, PNG first; false when QEMU refused both formats. */
static bool
screendump(MvQemuMonitor *mon, const char *path, unsigned int screen, bool *ret_png,
           GError **error)
{
    for (int png = 1; png >= 0; png--) {
        g_autoptr(GError) local = NULL;
        JsonObject *args = json_object_new();
        JsonNode *reply;

        json_object_set_string_member(args, "filename", path);
        if (screen > 0)
            json_object_set_int_member(args, "head", screen);
        if (png)
            json_object_set_string_member(args, "format", "png");
        reply = mv_qemu_monitor_command(mon, "screendump", args, SCREENDUMP_TIMEOUT_MS, &local);
        if (reply) {
            json_node_free(reply);
            *ret_png = png;
            return true;
        }
        mv_log_debug("screendump (%s): %s", png ? "png" : "ppm", local->message);
        if (!png) {
            g_propagate_error(error, g_steal_pointer(&local));
            return false;
        }
    }
    return false;
}

static bool
take(MvQemuDriver *driver, MvQemuDomain *dom, unsigned int screen, bool *ret_png,
     GBytes **ret_image, GError **error)
{
    char uuid[MV_UUID_STRING_LEN];
    g_autofree char *path = NULL;
    g_autoptr(GError) local = NULL;
    MvQemuMonitor *mon;
    char *contents = NULL;
    gsize len = 0;
    bool ok;

    g_mutex_lock(&dom->lock);
    if (!mv_qemu_dispatch_require_active(dom, error)) {
        g_mutex_unlock(&dom->lock);
        return false;
    }
    if (dom->live->nvideos == 0) {
        g_mutex_unlock(&dom->lock);
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: no screens to take "
                            "screenshot from (the domain has no <video> device)");
    }
    mon = dom->monitor;
    mv_uuid_format(dom->uuid, uuid);
    g_mutex_unlock(&dom->lock);
    path = g_strdup_printf("%s/%s.screen", driver->state_dir, uuid);
    ok = screendump(mon, path, screen, ret_png, error) &&
         g_file_get_contents(path, &contents, &len, &local);
    g_unlink(path);
    if (!ok) {
        if (local)
            mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                         "cannot read the screenshot QEMU wrote: %s", local->message);
        return false;
    }
    *ret_image = g_bytes_new_take(contents, len);
    return true;
}

bool
mv_qemu_handle_domain_screenshot(MvDriverCall *call, const MvObjectRef *dom_ref,
                                 unsigned int screen, unsigned int flags, char **ret_mime,
                                 GError **error)
{
    MvQemuDriver *driver = mv_qemu_driver_get(call);
    MvServerCall *scall = mv_driver_call_server_call(call);
    g_autoptr(MvQemuDomain) dom = NULL;
    GBytes *image = NULL;
    bool png = false, ok;
    Shot *s;

    if (!mv_qemu_dispatch_check_flags(flags, 0, "virDomainScreenshot", error) ||
        !(dom = mv_qemu_dispatch_get_domain(call, dom_ref, error)) ||
        !mv_qemu_dispatch_begin_job(dom, "virDomainScreenshot", error))
        return false;
    ok = take(driver, dom, screen, &png, &image, error);
    mv_qemu_process_end_job(driver, dom);
    if (!ok)
        return false;
    s = g_new0(Shot, 1);
    s->ref = 1;
    s->hdr = *mv_server_call_get_header(scall);
    s->hdr.type = MV_MESSAGE_STREAM;
    s->hdr.status = MV_STATUS_CONTINUE;
    s->image = image;
    mv_server_client_add_stream_full(mv_driver_call_client(call), s->hdr.proc, s->hdr.serial,
                                     on_packet, s, shot_ref, shot_unref);
    /* the data may only flow once the REPLY that opens the stream is out; should the
     * call fail after all, the stream's entry goes with the client */
    mv_server_call_after_reply(scall, send_image, s, shot_unref);
    *ret_mime = g_strdup(png ? "image/png" : "image/x-portable-pixmap");
    return true;
}
