/* ROOT/etc/proxy.conf (GKeyFile ini):
 *
 *   [server]            limits and keepalive, as every daemon (max_clients, ...)
 *   [log]   filters = info,proxy=debug
 *   [tls]   listen = 0.0.0.0:16514       # off when absent
 *           cert = ...  key = ...  ca = ...   # default ROOT/etc/pki/{servercert,serverkey,cacert}.pem
 *           crl = ...                    # optional
 *           allowed_dn = C=GB,O=modvirt,CN=*;C=GB,O=ops,CN=admin   # absent: any; empty: nobody
 *           priority = NORMAL
 *           handshake_timeout = 10       # seconds
 *   [tcp]   listen = 127.0.0.1:16509     # plain TCP, off unless set
 */
#define MV_LOG_CATEGORY "proxy"
#include "proxy.h"

#include <string.h>

#include "util/conf.h"
#include "util/log.h"

static bool
read_int(GKeyFile *kf, const char *group, const char *key, int dflt, int min, int *ret,
         GError **error)
{
    g_autoptr(GError) err = NULL;
    int v = mv_conf_get_int(kf, group, key, dflt, &err);

    if (err) {
        g_propagate_error(error, g_steal_pointer(&err));
        return false;
    }
    if (v < min)
        return mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX,
                            "[%s] %s must be at least %d, not %d", group, key, min, v);
    *ret = v;
    return true;
}

static bool
read_server(GKeyFile *kf, MvServerConfig *sc, GError **error)
{
    int v[6];

    mv_server_config_init_defaults(sc);
    if (!read_int(kf, "server", "max_clients", (int)sc->max_clients, 1, &v[0], error) ||
        !read_int(kf, "server", "max_workers", (int)sc->max_workers, 1, &v[1], error) ||
        !read_int(kf, "server", "max_priority_workers", (int)sc->max_priority_workers, 1, &v[2],
                  error) ||
        !read_int(kf, "server", "max_client_requests", (int)sc->max_client_requests, 1, &v[3],
                  error) ||
        !read_int(kf, "server", "keepalive_interval", sc->keepalive_interval, -1, &v[4], error) ||
        !read_int(kf, "server", "keepalive_count", (int)sc->keepalive_count, 0, &v[5], error))
        return false;
    sc->max_clients = v[0];
    sc->max_workers = v[1];
    sc->max_priority_workers = v[2];
    sc->max_client_requests = v[3];
    sc->keepalive_interval = v[4];
    sc->keepalive_count = v[5];
    return true;
}

static bool
read_string(GKeyFile *kf, const char *group, const char *key, const char *dflt, char **ret,
            GError **error)
{
    g_autoptr(GError) err = NULL;
    char *v = mv_conf_get_string(kf, group, key, dflt, &err);

    if (err) {
        g_propagate_error(error, g_steal_pointer(&err));
        return false;
    }
    g_free(*ret);
    *ret = v;
    return true;
}

static bool
read_tls(MvProxy *proxy, GKeyFile *kf, MvProxyTlsConf *tls, GError **error)
{
    g_autofree char *pki = g_build_filename(proxy->paths->etc_dir, "pki", NULL);
    g_autofree char *dcert = g_build_filename(pki, "servercert.pem", NULL);
    g_autofree char *dkey = g_build_filename(pki, "serverkey.pem", NULL);
    g_autofree char *dca = g_build_filename(pki, "cacert.pem", NULL);
    g_autoptr(GError) err = NULL;
    int timeout;

    if (!read_string(kf, "tls", "listen", NULL, &tls->listen, error) ||
        !read_string(kf, "tls", "cert", dcert, &tls->cert, error) ||
        !read_string(kf, "tls", "key", dkey, &tls->key, error) ||
        !read_string(kf, "tls", "ca", dca, &tls->ca, error) ||
        !read_string(kf, "tls", "crl", NULL, &tls->crl, error) ||
        !read_string(kf, "tls", "priority", NULL, &tls->priority, error) ||
        !read_int(kf, "tls", "handshake_timeout", 10, 1, &timeout, error))
        return false;
    tls->handshake_ms = (guint)timeout * 1000;
    tls->allowed_dn_set = g_key_file_has_key(kf, "tls", "allowed_dn", NULL);
    if (tls->allowed_dn_set &&
        !(tls->allowed_dn = mv_conf_get_string_list(kf, "tls", "allowed_dn", NULL, error)))
        return false;
    return true;
}

bool
mv_proxy_conf_load(MvProxy *proxy, MvProxyConf *ret_conf, GError **error)
{
    g_autoptr(GKeyFile) kf = NULL;
    g_autofree char *filters = NULL;
    MvProxyConf conf = { 0 };

    if (!(kf = mv_conf_load(proxy->config_path, error)))
        return false;
    if (!read_server(kf, &conf.server, error) || !read_tls(proxy, kf, &conf.tls, error) ||
        !read_string(kf, "tcp", "listen", NULL, &conf.tcp_listen, error) ||
        !read_string(kf, "log", "filters", NULL, &filters, error) ||
        (filters && !mv_log_set_filters(filters, error))) {
        mv_proxy_conf_clear(&conf);
        g_prefix_error(error, "%s: ", proxy->config_path);
        return false;
    }
    *ret_conf = conf;
    return true;
}

void
mv_proxy_conf_clear(MvProxyConf *conf)
{
    MvProxyTlsConf *tls = &conf->tls;

    g_free(tls->listen);
    g_free(tls->cert);
    g_free(tls->key);
    g_free(tls->ca);
    g_free(tls->crl);
    g_free(tls->priority);
    g_strfreev(tls->allowed_dn);
    g_free(conf->tcp_listen);
    memset(conf, 0, sizeof(*conf));
}

MvTlsContext *
mv_proxy_tls_context_new(const MvProxyTlsConf *tls, GError **error)
{
    MvTlsConfig config = {
        .cert = tls->cert,
        .key = tls->key,
        .ca = tls->ca,
        .crl = tls->crl,
        .allowed_dn = tls->allowed_dn_set ? (const char *const *)tls->allowed_dn : NULL,
        .priority = tls->priority,
    };

    return mv_tls_context_new(&config, error);
}
