/* MvServer lifecycle: configuration, programs, listeners, the I/O thread. */
#define MV_LOG_CATEGORY "rpc"
#include "rpc/server-priv.h"

#include <errno.h>
#include <glib-unix.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/log.h"
#include "util/mainloop.h"

void
mv_server_config_init_defaults(MvServerConfig *config)
{
    *config = (MvServerConfig){
        .max_clients = 5000,
        .max_readonly_clients = 4500,
        .max_workers = 20,
        .max_priority_workers = 5,
        .max_client_requests = 5,
        .max_client_queue = 4u * 1024u * 1024u,
        .first_call_timeout = 30,
        .keepalive_interval = 5,
        .keepalive_count = 5,
    };
}

MvServer *
mv_server_new(const MvServerConfig *config, guint32 owned_routes, const MvServerHooks *hooks,
              gpointer server_data)
{
    MvServer *server = g_new0(MvServer, 1);

    g_mutex_init(&server->lock);
    server->config = *config;
    server->routes = owned_routes | (1u << MV_ROUTE_ANY);
    if (hooks)
        server->hooks = *hooks;
    server->data = server_data;
    server->listeners = g_array_new(FALSE, TRUE, sizeof(MvServerListener));
    server->ctx = g_main_context_new();
    server->loop = g_main_loop_new(server->ctx, FALSE);
    server->clients = g_hash_table_new(NULL, NULL);
    return server;
}

void
mv_server_add_program(MvServer *server, const MvProgramInfo *program,
                      const MvDispatchFunc *handlers, int nhandlers)
{
    g_return_if_fail(!server->running);
    g_return_if_fail(server->nprograms < G_N_ELEMENTS(server->programs));
    server->programs[server->nprograms++] = (MvServerProgram){
        .info = program,
        .handlers = handlers,
        .nhandlers = nhandlers,
    };
}

void
mv_server_add_raw_program(MvServer *server, const MvProgramInfo *program,
                          const MvDispatchFunc *handlers, int nhandlers, MvServerRawFunc raw,
                          gpointer raw_data)
{
    mv_server_add_program(server, program, handlers, handlers ? nhandlers : 0);
    server->programs[server->nprograms - 1].raw = raw;
    server->programs[server->nprograms - 1].raw_data = raw_data;
}

GMainContext *
mv_server_get_context(MvServer *server)
{
    return server->ctx;
}

void
mv_server_set_raw_batch_handler(MvServer *server, guint32 program, MvServerRawBatchFunc func)
{
    for (guint i = 0; i < server->nprograms; i++) {
        if (server->programs[i].info->program == program)
            server->programs[i].raw_batch = func;
    }
}

/* Logs a refused connection, at most once a second with a count of the
 * quiet ones (a flood of connections must not flood the log); lock held. */
static void
refuse_log_locked(MvServer *server, bool readonly, guint nclients)
{
    gint64 now = g_get_monotonic_time();

    if (server->refuse_logged && now - server->refuse_logged < G_USEC_PER_SEC) {
        server->refused_quiet++;
        return;
    }
    server->refuse_logged = now;
    if (readonly && nclients < server->config.max_clients)
        mv_log_warning("too many read-only clients (%u, max_readonly_clients), refusing a "
                       "new connection (%u more refused quietly before)", server->nreadonly,
                       server->refused_quiet);
    else
        mv_log_warning("too many clients (%u, max_clients), refusing a new connection "
                       "(%u more refused quietly before)", nclients, server->refused_quiet);
    server->refused_quiet = 0;
}

static gboolean
listener_accept(gint fd, GIOCondition cond, gpointer user_data)
{
    MvServer *server = user_data;
    g_autoptr(MvTlsContext) tls_ctx = NULL;
    MvTlsSession *session = NULL;
    bool readonly = false;
    bool tls = false;
    guint tls_ms = 0;
    MvServerClient *client;
    guint nclients;
    int cfd;

    for (guint i = 0; i < server->listeners->len; i++) {
        MvServerListener *l = &g_array_index(server->listeners, MvServerListener, i);
        if (l->fd == fd) {
            readonly = l->readonly;
            tls = l->tls;
        }
    }
    cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (cfd < 0) {
        if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
            mv_log_warning("accept failed: %s", g_strerror(errno));
        return G_SOURCE_CONTINUE;
    }

    g_mutex_lock(&server->lock);
    nclients = g_hash_table_size(server->clients);
    if (nclients >= server->config.max_clients ||
        (readonly && server->nreadonly >= server->config.max_readonly_clients)) {
        refuse_log_locked(server, readonly, nclients);
        g_mutex_unlock(&server->lock);
        close(cfd);
        return G_SOURCE_CONTINUE;
    }
    if (tls) {
        g_autoptr(GError) err = NULL;

        if (server->tls_ctx) {
            tls_ctx = mv_tls_context_ref(server->tls_ctx);
            tls_ms = server->tls_handshake_ms;
        }
        if (!tls_ctx || !(session = mv_tls_session_new(tls_ctx, cfd, &err))) {
            g_mutex_unlock(&server->lock);
            mv_log_warning("refusing a TLS connection: %s",
                           err ? err->message : "no TLS certificates are configured");
            close(cfd);
            return G_SOURCE_CONTINUE;
        }
    }
    client = mv_server_client_new(server, ++server->next_client_id, cfd, readonly);
    client->from_readonly = readonly;
    if (readonly)
        server->nreadonly++;
    g_hash_table_add(server->clients, client);
    nclients++;
    g_mutex_unlock(&server->lock);

    if (session)
        mv_server_client_start_tls(client, session, tls_ms);
    if (server->hooks.client_new)
        client->data = server->hooks.client_new(client, server->data);
    mv_server_client_attach(client);
    mv_log_debug("client %" G_GUINT64_FORMAT " connected (pid %d uid %u)%s", client->id,
                 (int)client->pid, (unsigned)client->uid, readonly ? " read-only" : "");
    if (server->hooks.clients_changed)
        server->hooks.clients_changed(server, nclients, server->data);
    return G_SOURCE_CONTINUE;
}

static void
add_listener(MvServer *server, int fd, bool readonly, bool tls)
{
    MvServerListener l = { .fd = fd, .readonly = readonly, .tls = tls };

    g_return_if_fail(!server->running);
    g_unix_set_fd_nonblocking(fd, TRUE, NULL);
    l.source = g_unix_fd_source_new(fd, G_IO_IN);
    g_source_set_can_recurse(l.source, TRUE);   /* no wake-ups per accept, see server-client.c */
    g_source_set_callback(l.source, (GSourceFunc)(void (*)(void))listener_accept, server, NULL);
    g_array_append_val(server->listeners, l);
}

void
mv_server_add_listener(MvServer *server, int fd, bool readonly)
{
    add_listener(server, fd, readonly, false);
}

void
mv_server_add_tls_listener(MvServer *server, int fd, bool readonly)
{
    add_listener(server, fd, readonly, true);
}

void
mv_server_set_tls_context(MvServer *server, MvTlsContext *ctx, guint handshake_timeout_ms)
{
    MvTlsContext *old;

    g_mutex_lock(&server->lock);
    old = server->tls_ctx;
    server->tls_ctx = ctx ? mv_tls_context_ref(ctx) : NULL;
    server->tls_handshake_ms = handshake_timeout_ms;
    g_mutex_unlock(&server->lock);
    mv_tls_context_unref(old);
}

static gpointer
io_thread(gpointer data)
{
    MvServer *server = data;

    mv_main_loop_run_owned(server->loop);
    return NULL;
}

bool
mv_server_start(MvServer *server, GError **error)
{
    g_autoptr(GError) err = NULL;

    g_return_val_if_fail(!server->running, false);
    server->workers = g_thread_pool_new(mv_server_run_call, server,
                                        MAX(server->config.max_workers, 1), FALSE, &err);
    if (!server->workers)
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_INTERNAL_ERROR,
                            "cannot create the worker pool: %s", err->message);
    server->priority_workers = g_thread_pool_new(mv_server_run_call, server,
                                                 MAX(server->config.max_priority_workers, 1),
                                                 FALSE, &err);
    if (!server->priority_workers)
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_INTERNAL_ERROR,
                            "cannot create the priority pool: %s", err->message);
    for (guint i = 0; i < server->listeners->len; i++)
        g_source_attach(g_array_index(server->listeners, MvServerListener, i).source,
                        server->ctx);
    server->running = true;
    server->thread = g_thread_new("rpc-io", io_thread, server);
    return true;
}

static gboolean
stop_in_io_thread(gpointer data)
{
    MvServer *server = data;
    g_autoptr(GPtrArray) clients = g_ptr_array_new();
    GHashTableIter iter;
    gpointer key;

    for (guint i = 0; i < server->listeners->len; i++) {
        MvServerListener *l = &g_array_index(server->listeners, MvServerListener, i);
        g_source_destroy(l->source);
    }
    g_mutex_lock(&server->lock);
    g_hash_table_iter_init(&iter, server->clients);
    while (g_hash_table_iter_next(&iter, &key, NULL))
        g_ptr_array_add(clients, mv_server_client_ref(key));
    g_mutex_unlock(&server->lock);
    for (guint i = 0; i < clients->len; i++) {
        mv_server_client_shutdown(clients->pdata[i]);
        mv_server_client_unref(clients->pdata[i]);
    }
    g_main_loop_quit(server->loop);
    return G_SOURCE_REMOVE;
}

void
mv_server_stop(MvServer *server)
{
    if (!server->running)
        return;
    g_main_context_invoke(server->ctx, stop_in_io_thread, server);
    g_thread_join(server->thread);
    server->thread = NULL;
    /* Wait for calls still running; their replies find the connections closed. */
    g_thread_pool_free(server->workers, FALSE, TRUE);
    g_thread_pool_free(server->priority_workers, FALSE, TRUE);
    server->workers = server->priority_workers = NULL;
    server->running = false;
}

void
mv_server_free(MvServer *server)
{
    if (!server)
        return;
    mv_server_stop(server);
    for (guint i = 0; i < server->listeners->len; i++) {
        MvServerListener *l = &g_array_index(server->listeners, MvServerListener, i);
        g_source_destroy(l->source);
        g_source_unref(l->source);
        close(l->fd);
    }
    g_array_unref(server->listeners);
    mv_tls_context_unref(server->tls_ctx);
    g_hash_table_unref(server->clients);
    g_main_loop_unref(server->loop);
    g_main_context_unref(server->ctx);
    g_mutex_clear(&server->lock);
    g_free(server);
}

guint
mv_server_get_nclients(MvServer *server)
{
    guint n;

    g_mutex_lock(&server->lock);
    n = g_hash_table_size(server->clients);
    g_mutex_unlock(&server->lock);
    return n;
}

void
mv_server_update_config(MvServer *server, const MvServerConfig *config)
{
    g_mutex_lock(&server->lock);
    server->config = *config;
    g_mutex_unlock(&server->lock);
    if (server->workers)
        g_thread_pool_set_max_threads(server->workers, MAX(config->max_workers, 1), NULL);
    if (server->priority_workers)
        g_thread_pool_set_max_threads(server->priority_workers,
                                      MAX(config->max_priority_workers, 1), NULL);
}

void
mv_server_foreach_client(MvServer *server, void (*func)(MvServerClient *, gpointer),
                         gpointer data)
{
    GHashTableIter iter;
    gpointer key;

    g_mutex_lock(&server->lock);
    g_hash_table_iter_init(&iter, server->clients);
    while (g_hash_table_iter_next(&iter, &key, NULL))
        func(key, data);
    g_mutex_unlock(&server->lock);
}
