/* The proxy's own groups of ROOT/etc/proxy.conf (GKeyFile ini); [server] and
 * [log] are read by the shared daemon main (common/daemon/daemon-config.c):
 *
 *   [tls]   listen = 0.0.0.0:16514       # off when absent
 *           cert = ...  key = ...  ca = ...
 *                   # default ROOT/etc/pki/{servercert,serverkey,cacert}.pem
 *           crl = ...                    # optional
 *           allowed_dn = C=GB,O=modvirt,CN=*;C=GB,O=ops,CN=admin   # absent: any; empty: nobody
 *           priority = NORMAL
 *           handshake_timeout = 10       # seconds
 *   [tcp]   listen = 127.0.0.1:16509     # plain TCP, off unless set
 */
#include "proxy.h"

#include "util/conf.h"

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
read_tls(const MvPaths *paths, GKeyFile *kf, MvProxyTlsConf *tls, GError **error)
{
    g_autofree char *pki = g_build_filename(paths->etc_dir, "pki", NULL);
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
        !read_string(kf, "tls", "priority", NULL, &tls->priority, error))
        return false;
    timeout = mv_conf_get_int(kf, "tls", "handshake_timeout", 10, &err);
    if (err) {
        g_propagate_error(error, g_steal_pointer(&err));
        return false;
    }
    if (timeout < 1)
        return mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX,
                            "[tls] handshake_timeout must be at least 1, not %d", timeout);
    tls->handshake_ms = (guint)timeout * 1000;
    tls->allowed_dn_set = g_key_file_has_key(kf, "tls", "allowed_dn", NULL);
    if (tls->allowed_dn_set &&
        !(tls->allowed_dn = mv_conf_get_string_list(kf, "tls", "allowed_dn", NULL, error)))
        return false;
    return true;
}

gpointer
mv_proxy_conf_read(MvDaemon *daemon, GKeyFile *kf, GError **error)
{
    MvProxyConf *conf = g_new0(MvProxyConf, 1);

    if (!read_tls(mv_daemon_get_paths(daemon), kf, &conf->tls, error) ||
        !read_string(kf, "tcp", "listen", NULL, &conf->tcp_listen, error)) {
        mv_proxy_conf_free(conf);
        return NULL;
    }
    return conf;
}

void
mv_proxy_conf_free(gpointer data)
{
    MvProxyConf *conf = data;
    MvProxyTlsConf *tls;

    if (!conf)
        return;
    tls = &conf->tls;
    g_free(tls->listen);
    g_free(tls->cert);
    g_free(tls->key);
    g_free(tls->ca);
    g_free(tls->crl);
    g_free(tls->priority);
    g_strfreev(tls->allowed_dn);
    g_free(conf->tcp_listen);
    g_free(conf);
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
