/* URI parsing (client/uri.c): a table of good URIs with what they mean, and
 * of bad ones with a word the error must contain. */
#include "client-priv.h"

typedef struct {
    const char *uri;
    const char *driver;
    MvTransport transport;
    const char *host;
    int port;
    const char *socket;
    const char *root;
    const char *pkipath;
    const char *open_name;
} GoodUri;

static const GoodUri good[] = {
    { "qemu:///system", "qemu", MV_TRANSPORT_UNIX, NULL, 0, NULL, NULL, NULL, "qemu:///system" },
    { "qemu+unix:///system", "qemu", MV_TRANSPORT_UNIX, NULL, 0, NULL, NULL, NULL,
      "qemu:///system" },
    { "qemu:///system?socket=/tmp/x/qemu.sock", "qemu", MV_TRANSPORT_UNIX, NULL, 0,
      "/tmp/x/qemu.sock", NULL, NULL, "qemu:///system" },
    { "qemu:///system?root=/tmp/r", "qemu", MV_TRANSPORT_UNIX, NULL, 0, NULL, "/tmp/r", NULL,
      "qemu:///system" },
    { "qemu:///system?root=/tmp/with%20space", "qemu", MV_TRANSPORT_UNIX, NULL, 0, NULL,
      "/tmp/with space", NULL, "qemu:///system" },
    { "lxc:///system", "lxc", MV_TRANSPORT_UNIX, NULL, 0, NULL, NULL, NULL, "lxc:///system" },
    { "network:///system", "network", MV_TRANSPORT_UNIX, NULL, 0, NULL, NULL, NULL,
      "network:///system" },
    { "nwfilter:///system", "nwfilter", MV_TRANSPORT_UNIX, NULL, 0, NULL, NULL, NULL,
      "nwfilter:///system" },
    { "qemu://host.example/system", "qemu", MV_TRANSPORT_TLS, "host.example", 16514, NULL, NULL,
      NULL, "qemu:///system" },
    { "qemu+tls://host.example:1234/system?pkipath=/etc/pki/x", "qemu", MV_TRANSPORT_TLS,
      "host.example", 1234, NULL, NULL, "/etc/pki/x", "qemu:///system" },
    { "qemu+tcp://10.0.0.1/system", "qemu", MV_TRANSPORT_TCP, "10.0.0.1", 16509, NULL, NULL,
      NULL, "qemu:///system" },
    { "qemu+tcp://[::1]:5000/system", "qemu", MV_TRANSPORT_TCP, "::1", 5000, NULL, NULL, NULL,
      "qemu:///system" },
    { "qemu+tls:///system", "qemu", MV_TRANSPORT_TLS, "localhost", 16514, NULL, NULL, NULL,
      "qemu:///system" },
    /* parameters we do not consume go to the daemon, ours never do */
    { "qemu:///system?root=/r&foo=bar&socket=/s.sock", "qemu", MV_TRANSPORT_UNIX, NULL, 0,
      "/s.sock", "/r", NULL, "qemu:///system?foo=bar" },
    { "qemu:///system?name=test:///default", "qemu", MV_TRANSPORT_UNIX, NULL, 0, NULL, NULL,
      NULL, "test:///default" },
    { "qemu:///session", "qemu", MV_TRANSPORT_UNIX, NULL, 0, NULL, NULL, NULL,
      "qemu:///session" },
};

typedef struct {
    const char *uri;
    const char *needle;
} BadUri;

static const BadUri bad[] = {
    { "", "empty" },
    { "qemu", "not a valid URI" },
    { "vbox:///system", "unknown driver 'vbox'" },
    { "qemu+ssh://h/system", "transport 'ssh'" },
    { "qemu+unix://host/system", "unix transport is local" },
    { "qemu://", "no path" },
    { "qemu:///", "no path" },
    { "qemu+tls://h/system?socket=/x", "for local connections" },
    { "qemu+tcp://h/system?root=/x", "for local connections" },
    { "qemu:///system?pkipath=/x", "for the tls transport" },
    { "qemu:///system?socket=", "needs a value" },
    { "qemu://user@h/system", "user names" },
    { "qemu:///system#frag", "fragment" },
};

static void
test_good(gconstpointer data)
{
    const GoodUri *t = data;
    g_autoptr(GError) error = NULL;
    g_autoptr(MvUri) uri = mv_uri_parse(t->uri, &error);

    g_assert_no_error(error);
    g_assert_nonnull(uri);
    g_assert_cmpstr(uri->driver, ==, t->driver);
    g_assert_cmpint(uri->transport, ==, t->transport);
    g_assert_cmpstr(uri->host, ==, t->host);
    g_assert_cmpint(uri->port, ==, t->port);
    g_assert_cmpstr(uri->socket, ==, t->socket);
    g_assert_cmpstr(uri->root, ==, t->root);
    g_assert_cmpstr(uri->pkipath, ==, t->pkipath);
    g_assert_cmpstr(uri->open_name, ==, t->open_name);
}

static void
test_bad(gconstpointer data)
{
    const BadUri *t = data;
    g_autoptr(GError) error = NULL;
    g_autoptr(MvUri) uri = mv_uri_parse(t->uri, &error);

    g_assert_null(uri);
    g_assert_error(error, MV_ERROR, MV_ERR_INVALID_ARG);
    if (!strstr(error->message, t->needle))
        g_error("'%s': message '%s' lacks '%s'", t->uri, error->message, t->needle);
}

static void
test_default_uri(void)
{
    g_autoptr(MvConnect) conn = NULL;
    g_autoptr(GError) error = NULL;

    g_unsetenv("MODVIRT_DEFAULT_URI");
    conn = mv_connect_new_unopened(NULL, 0, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(mv_connect_get_uri(conn), ==, "qemu:///system");
    g_clear_pointer(&conn, mv_connect_unref);

    g_setenv("MODVIRT_DEFAULT_URI", "lxc:///system?root=/nowhere", TRUE);
    conn = mv_connect_new_unopened("", 0, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(mv_connect_get_uri(conn), ==, "lxc:///system?root=/nowhere");
    g_clear_pointer(&conn, mv_connect_unref);

    conn = mv_connect_new_unopened("qemu:///session", 0, &error);
    g_assert_cmpstr(mv_connect_get_uri(conn), ==, "qemu:///session");
    g_unsetenv("MODVIRT_DEFAULT_URI");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (gsize i = 0; i < G_N_ELEMENTS(good); i++) {
        g_autofree char *name = g_strdup_printf("/client/uri/good/%zu", i);

        g_test_add_data_func(name, &good[i], test_good);
    }
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *name = g_strdup_printf("/client/uri/bad/%zu", i);

        g_test_add_data_func(name, &bad[i], test_bad);
    }
    g_test_add_func("/client/uri/default", test_default_uri);
    return g_test_run();
}
