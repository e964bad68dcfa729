/* Connection URIs: driver[+transport]://[host[:port]]/path[?param=value&...].
 * The parameters libmodvirt consumes (socket, root, pkipath, no_verify, name)
 * never reach the daemon; any other parameter is passed on in the name sent
 * with CONNECT_OPEN. */
#include <string.h>

#include "client-priv.h"

#define URI_FAIL(error, ...) mv_error_set(error, MV_FROM_REMOTE, MV_ERR_INVALID_ARG, __VA_ARGS__)

void
mv_uri_free(MvUri *uri)
{
    if (!uri)
        return;
    g_free(uri->driver);
    g_free(uri->host);
    g_free(uri->path);
    g_free(uri->socket);
    g_free(uri->root);
    g_free(uri->pkipath);
    g_free(uri->open_name);
    g_free(uri);
}

const char *
mv_uri_transport_name(MvTransport transport)
{
    switch (transport) {
    case MV_TRANSPORT_UNIX:
        return "unix";
    case MV_TRANSPORT_TCP:
        return "tcp";
    case MV_TRANSPORT_TLS:
        return "tls";
    }
    return "unknown";
}

/* Splits "driver+transport" and checks both parts. */
static bool
uri_parse_scheme(MvUri *uri, const char *text, const char *scheme, GError **error)
{
    g_autofree char *driver = g_strdup(scheme);
    char *plus = strchr(driver, '+');
    const char *transport = NULL;
    MvDaemonKind daemon;

    if (plus) {
        *plus = '\0';
        transport = plus + 1;
    }
    if (!mv_route_daemon_for_driver(driver, &daemon, NULL))
        return URI_FAIL(error, "unknown driver '%s' in URI '%s': use qemu, lxc, xen, network, "
                        "storage or nwfilter", driver, text);
    if (!transport)
        uri->transport = uri->host ? MV_TRANSPORT_TLS : MV_TRANSPORT_UNIX;
    else if (g_str_equal(transport, "unix"))
        uri->transport = MV_TRANSPORT_UNIX;
    else if (g_str_equal(transport, "tcp"))
        uri->transport = MV_TRANSPORT_TCP;
    else if (g_str_equal(transport, "tls"))
        uri->transport = MV_TRANSPORT_TLS;
    else
        return URI_FAIL(error, "transport '%s' in URI '%s' is not supported: use unix, tls or tcp",
                        transport, text);
    uri->driver = g_steal_pointer(&driver);
    return true;
}

/* Consumes our parameters; appends the others to @passthrough. */
static bool
uri_parse_query(MvUri *uri, const char *text, const char *query, GString *passthrough,
                char **ret_name, GError **error)
{
    GUriParamsIter iter;
    g_autoptr(GError) local = NULL;
    char *key = NULL, *value = NULL;

    g_uri_params_iter_init(&iter, query, -1, "&", G_URI_PARAMS_NONE);
    while (g_uri_params_iter_next(&iter, &key, &value, &local)) {
        g_autofree char *k = key;
        g_autofree char *v = value;
        char **slot = NULL;

        if (g_str_equal(k, "socket"))
            slot = &uri->socket;
        else if (g_str_equal(k, "root"))
            slot = &uri->root;
        else if (g_str_equal(k, "pkipath"))
            slot = &uri->pkipath;
        else if (g_str_equal(k, "name"))
            slot = ret_name;
        if (slot) {
            if (!*v)
                return URI_FAIL(error, "parameter '%s' in URI '%s' needs a value", k, text);
            g_free(*slot);
            *slot = g_steal_pointer(&v);
        } else if (g_str_equal(k, "no_verify")) {
            uri->no_verify = g_str_equal(v, "1");
        } else {
            g_autofree char *ek = g_uri_escape_string(k, NULL, FALSE);
            g_autofree char *ev = g_uri_escape_string(v, "/", FALSE);

            g_string_append_printf(passthrough, "%s%s=%s", passthrough->len ? "&" : "?", ek, ev);
        }
    }
    if (local)
        return URI_FAIL(error, "cannot parse the parameters of URI '%s': %s", text, local->message);
    return true;
}

MvUri *
mv_uri_parse(const char *text, GError **error)
{
    g_autoptr(MvUri) uri = g_new0(MvUri, 1);
    g_autoptr(GUri) parsed = NULL;
    g_autoptr(GError) local = NULL;
    g_autoptr(GString) passthrough = g_string_new(NULL);
    g_autofree char *name = NULL;
    const char *host, *path, *query;

    if (!text || !*text) {
        URI_FAIL(error, "the connection URI is empty: use for example qemu:///system");
        return NULL;
    }
    if (!(parsed = g_uri_parse(text, G_URI_FLAGS_ENCODED_QUERY | G_URI_FLAGS_NON_DNS, &local))) {
        URI_FAIL(error, "'%s' is not a valid URI (%s): use for example qemu:///system",
                 text, local->message);
        return NULL;
    }
    host = g_uri_get_host(parsed);
    if (host && *host)
        uri->host = g_strdup(host);
    if (!uri_parse_scheme(uri, text, g_uri_get_scheme(parsed), error))
        return NULL;
    if (g_uri_get_userinfo(parsed)) {
        URI_FAIL(error, "user names in URIs are not supported ('%s')", text);
        return NULL;
    }
    if (uri->transport == MV_TRANSPORT_UNIX) {
        if (uri->host) {
            URI_FAIL(error, "URI '%s' names host '%s' but the unix transport is local: "
                     "use %s+tls://%s/... for a remote host", text, uri->host, uri->driver,
                     uri->host);
            return NULL;
        }
        if (g_uri_get_port(parsed) >= 0) {
            URI_FAIL(error, "URI '%s' has a port but the unix transport is local", text);
            return NULL;
        }
    } else {
        if (!uri->host)
            uri->host = g_strdup("localhost");
        uri->port = g_uri_get_port(parsed);
        if (uri->port <= 0)
            uri->port = uri->transport == MV_TRANSPORT_TLS ? MV_TLS_PORT : MV_TCP_PORT;
    }
    path = g_uri_get_path(parsed);
    if (!path || !*path || g_str_equal(path, "/")) {
        URI_FAIL(error, "URI '%s' has no path: use for example %s:///system", text, uri->driver);
        return NULL;
    }
    if (g_uri_get_fragment(parsed)) {
        URI_FAIL(error, "URI '%s' has a fragment (#...), which means nothing here", text);
        return NULL;
    }
    uri->path = g_strdup(path);
    query = g_uri_get_query(parsed);
    if (query && !uri_parse_query(uri, text, query, passthrough, &name, error))
        return NULL;
    if (uri->transport != MV_TRANSPORT_UNIX && (uri->socket || uri->root)) {
        URI_FAIL(error, "socket= and root= are for local connections, not with the %s transport "
                 "of '%s'", mv_uri_transport_name(uri->transport), text);
        return NULL;
    }
    if (uri->transport == MV_TRANSPORT_UNIX && uri->pkipath) {
        URI_FAIL(error, "pkipath= is for the tls transport, not for the local URI '%s'", text);
        return NULL;
    }
    if (name)
        uri->open_name = g_steal_pointer(&name);
    else
        uri->open_name = g_strdup_printf("%s://%s%s", uri->driver, uri->path, passthrough->str);
    return g_steal_pointer(&uri);
}
