/* Fuzz target "rpc-client": what a daemon (or the proxy) sends to a client,
 * read by the real MvRpcClient reader thread (common/rpc/client.c) on a
 * socketpair: framing with partial reads, replies matched by serial, keepalive
 * PINGs, event MESSAGEs and STREAM packets handed to the handlers libmodvirt
 * installs, here handlers that decode them as libmodvirt does (events with
 * mv_remote_decode_event(), stream errors with mv_message_decode_error()).
 *
 * The input's first two bytes (big-endian) name a REMOTE procedure: the
 * harness sends one asynchronous CALL of it (serial 0, the first serial of a
 * new client) and decodes its REPLY with the procedure's result filter. The
 * rest is the daemon's byte stream; then the daemon's side closes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"
#include "remote-client.h"
#include "rpc/client.h"
#include "rpc/message.h"

#define FUZZ_MAX_INPUT (96 * 1024)

typedef struct {
    GMutex lock;
    GCond cond;
    bool closed;
    bool replied;
    const MvProcInfo *proc;
} FuzzState;

static G_NORETURN void
finding(const char *what)
{
    fprintf(stderr, "fuzz-rpc-client: %s\n", what);
    abort();
}

static void
decode_error(const guint8 *payload, gsize len)
{
    GError *err = mv_message_decode_error(payload, len);

    if (!err)
        finding("mv_message_decode_error returned no error");
    g_error_free(err);
}

static void
on_reply(MvRpcClient *client, const MvMessageHeader *hdr, const guint8 *payload, gsize len,
         const GError *error, gpointer user_data)
{
    FuzzState *st = user_data;

    if (!error && hdr->status == MV_STATUS_ERROR) {
        decode_error(payload, len);
    } else if (!error && st->proc && st->proc->ret_size) {
        g_autofree void *ret = g_malloc0(st->proc->ret_size);

        if (mv_message_decode_payload(payload, len, st->proc->ret_filter, ret, NULL))
            xdr_free(st->proc->ret_filter, (char *)ret);
    }
    g_mutex_lock(&st->lock);
    if (st->replied)
        finding("a reply function called twice");
    st->replied = true;
    g_mutex_unlock(&st->lock);
}

static void
on_event(MvRpcClient *client, const MvMessageHeader *hdr, const guint8 *payload, gsize len,
         gpointer user_data)
{
    const MvProcInfo *info = mv_program_lookup_proc(&mv_remote_program, hdr->proc);
    g_autofree void *msg = NULL;

    if (hdr->prog != MV_PROGRAM_REMOTE || !info || info->kind != MV_PROC_KIND_EVENT)
        return;
    msg = g_malloc0(info->args_size);
    if (mv_remote_decode_event(hdr->proc, payload, len, msg, NULL))
        xdr_free(info->args_filter, (char *)msg);
}

static void
on_stream(MvRpcClient *client, const MvMessageHeader *hdr, const guint8 *payload, gsize len,
          gpointer user_data)
{
    if (hdr->status == MV_STATUS_ERROR && len)
        decode_error(payload, len);
}

static void
on_close(MvRpcClient *client, const char *reason, gpointer user_data)
{
    FuzzState *st = user_data;

    g_mutex_lock(&st->lock);
    st->closed = true;
    g_cond_broadcast(&st->cond);
    g_mutex_unlock(&st->lock);
}

/* Writes all of @data unless the other side closed (it may drop a bad stream). */
static void
write_all(int fd, const void *data, size_t len)
{
    const char *p = data;

    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

        if (n < 0)
            return;
        p += n;
        len -= (size_t)n;
    }
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    mv_fuzz_abort_on_criticals();
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzState st = { 0 };
    MvRpcClient *client;
    int proc;
    int sv[2];

    if (size < 2 || size > FUZZ_MAX_INPUT)
        return 0;
    proc = data[0] << 8 | data[1];
    st.proc = mv_program_lookup_proc(&mv_remote_program, proc);
    g_mutex_init(&st.lock);
    g_cond_init(&st.cond);
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        finding("socketpair failed");
    if (!(client = mv_rpc_client_new_fd(sv[0], NULL)))
        finding("mv_rpc_client_new_fd failed");
    mv_rpc_client_set_close_handler(client, on_close, &st);
    mv_rpc_client_set_event_handler(client, on_event, &st);
    mv_rpc_client_set_stream_handler(client, on_stream, &st);
    if (!mv_rpc_client_call_raw_async(client, MV_PROGRAM_REMOTE, MV_PROGRAM_VERSION, proc,
                                      NULL, 0, on_reply, &st, NULL, NULL))
        finding("the asynchronous call was not sent");
    write_all(sv[1], data + 2, size - 2);
    shutdown(sv[1], SHUT_WR);
    /* The reader sees the end of the stream (or a bad frame) and closes. */
    g_mutex_lock(&st.lock);
    while (!st.closed)
        g_cond_wait(&st.cond, &st.lock);
    g_mutex_unlock(&st.lock);
    mv_rpc_client_free(client);
    close(sv[1]);
    if (!st.replied)
        finding("the call got neither a reply nor a failure");
    g_mutex_clear(&st.lock);
    g_cond_clear(&st.cond);
    return 0;
}
