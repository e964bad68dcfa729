/* Serving one CALL: find the program and procedure, apply the route,
 * open-state and read-only rules, then run the handler inline or in a pool
 * and send the reply. */
#define MV_LOG_CATEGORY "rpc"
#include "rpc/server-priv.h"

#include <string.h>

#include "util/log.h"

/* Small argument/result structs live on the stack; bigger ones are allocated. */
#define CALL_STACK_BYTES 256

/* Client-supplied text (URIs, names, XML) ends up in error messages: the log
 * gets at most this many bytes of one. */
#define LOG_TEXT_MAX 256

/* @text cut to LOG_TEXT_MAX bytes (at a UTF-8 boundary) with a marker saying
 * how long it was; @text itself when short enough. Free *@ret_buf. */
static const char *
log_text(const char *text, char **ret_buf)
{
    gsize len = strlen(text);
    const char *end;

    *ret_buf = NULL;
    if (len <= LOG_TEXT_MAX)
        return text;
    end = text + LOG_TEXT_MAX;
    while (end > text && ((guchar)*end & 0xC0) == 0x80)
        end--;
    *ret_buf = g_strdup_printf("%.*s... [truncated, %zu bytes]", (int)(end - text), text, len);
    return *ret_buf;
}

/* The one log line of a failed call, truncated and rate-limited per client. */
static void
log_call_failure(MvServerClient *client, const char *name, const GError *err, bool debug)
{
    g_autofree char *buf = NULL;
    guint suppressed = 0;

    if (!mv_log_enabled(debug ? MV_LOG_DEBUG : MV_LOG_INFO) ||
        !mv_server_client_log_allowed(client, &suppressed))
        return;
    if (debug)
        mv_log_debug("%s failed for client %" G_GUINT64_FORMAT ": %s (%u failures of this "
                     "client not logged before)", name, client->id,
                     log_text(err->message, &buf), suppressed);
    else
        mv_log_info("%s failed for client %" G_GUINT64_FORMAT ": %s (%u failures of this "
                    "client not logged before)", name, client->id,
                    log_text(err->message, &buf), suppressed);
}

static void
send_error(MvServerClient *client, const MvMessageHeader *hdr, const GError *err)
{
    MvMessage *reply = mv_message_encode_error(hdr, err);

    if (reply)
        mv_server_client_send(client, reply);
}

static const MvServerProgram *
find_program(MvServer *server, guint32 prog, guint32 vers)
{
    for (guint i = 0; i < server->nprograms; i++) {
        if (server->programs[i].info->program == prog &&
            server->programs[i].info->version == vers)
            return &server->programs[i];
    }
    return NULL;
}

/* Decides whether the call may run; on refusal sets @error. */
static bool
check_call(MvServerClient *client, const MvServerProgram *program, const MvMessageHeader *hdr,
           const MvProcInfo **ret_proc, MvDispatchFunc *ret_handler, GError **error)
{
    MvServer *server = client->server;
    const MvProcInfo *proc = mv_program_lookup_proc(program->info, hdr->proc);

    const char *unsupported = proc ? NULL : mv_program_unsupported_api(program->info, hdr->proc);

    if (unsupported)
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_NO_SUPPORT,
                            "this function is not supported by the connection driver: %s",
                            unsupported);
    if (!proc || proc->kind == MV_PROC_KIND_EVENT || !(server->routes & (1u << proc->route)))
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC, "unknown procedure: %d", hdr->proc);
    if (hdr->type == MV_MESSAGE_CALL_WITH_FDS)
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC,
                            "passing file descriptors is not supported for %s", proc->api);
    if (server->hooks.call_check && !server->hooks.call_check(client, proc, error))
        return false;
    if (!proc->readonly && mv_server_client_is_readonly(client))
        return mv_error_set(error, mv_route_subsystem(proc->route), MV_ERR_OPERATION_DENIED,
                            "operation forbidden: read only access prevents %s", proc->api);
    *ret_proc = proc;
    if (hdr->proc < program->nhandlers && program->handlers[hdr->proc]) {
        *ret_handler = program->handlers[hdr->proc];
        return true;
    }
    if (program->raw) {
        *ret_handler = NULL;
        return true;
    }
    return mv_error_set(error, MV_FROM_NONE, MV_ERR_NO_SUPPORT,
                        "this function is not supported by the connection driver: %s",
                        proc->api);
}

static void
call_free(MvServerCall *call)
{
    if (call->owns_payload)
        g_free(call->payload);
    mv_server_client_unref(call->client);
    g_free(call);
}

/* Decodes, runs the handler and sends the reply. Any thread. */
static void
execute(MvServerCall *call)
{
    const MvProcInfo *proc = call->proc;
    guint64 args_stack[CALL_STACK_BYTES / 8];
    guint64 ret_stack[CALL_STACK_BYTES / 8];
    g_autofree void *args_heap = NULL;
    g_autofree void *ret_heap = NULL;
    void *args = NULL;
    void *ret = NULL;
    g_autoptr(GError) err = NULL;
    MvMessageHeader rhdr = call->hdr;
    MvMessage *reply = NULL;

    if (proc->args_size) {
        args = proc->args_size <= sizeof(args_stack) ? (void *)args_stack
                                                     : (args_heap = g_malloc(proc->args_size));
        memset(args, 0, proc->args_size);
        if (!mv_message_decode_payload(call->payload, call->len, proc->args_filter, args, &err)) {
            send_error(call->client, &call->hdr, err);
            return;
        }
    }
    if (proc->ret_size) {
        ret = proc->ret_size <= sizeof(ret_stack) ? (void *)ret_stack
                                                  : (ret_heap = g_malloc(proc->ret_size));
        memset(ret, 0, proc->ret_size);
    }

    rhdr.type = MV_MESSAGE_REPLY;
    rhdr.status = MV_STATUS_OK;
    if (call->handler(call, args, ret, &err))
        reply = mv_message_encode(&rhdr, ret ? proc->ret_filter : NULL, ret, &err);
    if (!reply) {
        log_call_failure(call->client, proc->name, err, false);
        reply = mv_message_encode_error(&call->hdr, err);
    }
    if (args)
        xdr_free(proc->args_filter, args);
    if (ret)
        xdr_free(proc->ret_filter, ret);
    if (reply)
        mv_server_client_send(call->client, reply);
    if (call->after_reply) {
        if (!err)
            call->after_reply(call->after_reply_data, call->client);
        else if (call->after_reply_destroy)
            call->after_reply_destroy(call->after_reply_data);
    }
    if (call->close_after_reply)
        mv_server_client_close(call->client, true);
}

void
mv_server_run_call(gpointer data, gpointer server)
{
    MvServerCall *call = data;
    MvServerClient *client = call->client;

    execute(call);
    mv_server_client_call_done(client);
    call_free(call);
}

void
mv_server_dispatch_frame(MvServerClient *client, const guint8 *frame, gsize len)
{
    MvServer *server = client->server;
    const gsize hdr_end = MV_MESSAGE_LEN_WORD + MV_MESSAGE_HEADER_SIZE;
    g_autoptr(GError) err = NULL;
    const MvServerProgram *program;
    const MvProcInfo *proc = NULL;
    MvDispatchFunc handler = NULL;
    MvServerCall *call;
    MvMessageHeader hdr;

    mv_message_decode_header(frame + MV_MESSAGE_LEN_WORD, &hdr);
    if (hdr.status != MV_STATUS_OK) {
        mv_error_set(&err, MV_FROM_RPC, MV_ERR_RPC, "a CALL must carry status OK, not %d",
                     hdr.status);
        send_error(client, &hdr, err);
        return;
    }
    if (!(program = find_program(server, hdr.prog, hdr.vers))) {
        mv_error_set(&err, MV_FROM_RPC, MV_ERR_RPC, "Cannot find program %d version %d",
                     (int)hdr.prog, (int)hdr.vers);
        send_error(client, &hdr, err);
        return;
    }
    if (!check_call(client, program, &hdr, &proc, &handler, &err)) {
        const char *what;

        proc = mv_program_lookup_proc(program->info, hdr.proc);
        what = proc ? proc->name : mv_program_unsupported_api(program->info, hdr.proc);
        log_call_failure(client, what ? what : "an unknown procedure", err, true);
        send_error(client, &hdr, err);
        return;
    }

    call = g_new0(MvServerCall, 1);
    call->client = mv_server_client_ref(client);
    call->hdr = hdr;
    call->proc = proc;
    call->handler = handler;
    g_mutex_lock(&client->lock);
    client->inflight++;
    g_mutex_unlock(&client->lock);

    if (!handler) {
        /* Raw: the program's handler answers later, from any thread. */
        if (program->raw_batch)
            client->raw_batch_progs |= 1u << (program - server->programs);
        program->raw(call, frame + hdr_end, len - hdr_end, program->raw_data);
        return;
    }
    if (proc->priority == MV_PRIORITY_INLINE) {
        call->payload = (guint8 *)frame + hdr_end;
        call->len = len - hdr_end;
        mv_server_run_call(call, server);
        return;
    }
    call->payload = g_memdup2(frame + hdr_end, len - hdr_end);
    call->len = len - hdr_end;
    call->owns_payload = true;
    g_thread_pool_push(proc->priority == MV_PRIORITY_HIGH ? server->priority_workers
                                                          : server->workers,
                       call, NULL);
}

MvServerClient *
mv_server_call_get_client(MvServerCall *call)
{
    return call->client;
}

const MvMessageHeader *
mv_server_call_get_header(MvServerCall *call)
{
    return &call->hdr;
}

const MvProcInfo *
mv_server_call_get_proc(MvServerCall *call)
{
    return call->proc;
}

gpointer
mv_server_call_get_client_data(MvServerCall *call)
{
    return call->client->data;
}

void
mv_server_call_close_after_reply(MvServerCall *call)
{
    call->close_after_reply = true;
}

static void
raw_call_finish(MvServerCall *call, MvMessage *reply)
{
    MvServerClient *client = call->client;

    if (reply)
        mv_server_client_send(client, reply);
    mv_server_client_call_done(client);
    call_free(call);
}

void
mv_server_raw_batch_end(MvServerClient *client)
{
    MvServer *server = client->server;
    guint32 progs = client->raw_batch_progs;

    client->raw_batch_progs = 0;
    for (guint i = 0; progs && i < server->nprograms; i++) {
        if (progs & (1u << i))
            server->programs[i].raw_batch(client, server->programs[i].raw_data);
    }
}

void
mv_server_call_reply_raw(MvServerCall *call, int status, const void *payload, gsize len)
{
    MvMessageHeader hdr = call->hdr;

    hdr.type = MV_MESSAGE_REPLY;
    hdr.status = status;
    mv_server_client_send_frame(call->client, &hdr, payload, len);
    raw_call_finish(call, NULL);
}

void
mv_server_call_reply_error(MvServerCall *call, const GError *err)
{
    log_call_failure(call->client, call->proc->name, err, true);
    raw_call_finish(call, mv_message_encode_error(&call->hdr, err));
}

void
mv_server_call_after_reply(MvServerCall *call, GFunc func, gpointer data, GDestroyNotify destroy)
{
    call->after_reply = func;
    call->after_reply_data = data;
    call->after_reply_destroy = destroy;
}
