/* MvDaemonLink (common/link/) against real daemons on a private root:
 * a modvirt-qemud, and a modvirt-proxyd with a TLS listener using
 * certificates made by modvirt-pki. Covers open + a typed call, identity
 * forwarding (seen in qemud's debug log), the wording of a missing daemon,
 * TLS (good and wrong pkipath) and the close callback when the daemon dies. */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <unistd.h>

#include "link/daemon-link.h"

#define READY_TIMEOUT_US (30 * G_USEC_PER_SEC)   /* a daemon that never comes up fails */
#define FAKE_PID 424242                          /* not us: proves the identity is ours */

static char *root;
static char *build_root;
static GPid qemud = -1, proxyd = -1;
static int tls_port;

static char *
root_path(const char *rel)
{
    return g_build_filename(root, rel, NULL);
}

static char *
binary(const char *rel)
{
    return g_build_filename(build_root, rel, NULL);
}

static char *
qemud_log(void)
{
    g_autofree char *path = root_path("qemud.log");
    char *text = NULL;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    return text;
}

/* A failing test aborts: its daemons must not outlive it. */
static void
die_with_parent(gpointer unused)
{
    prctl(PR_SET_PDEATHSIG, SIGTERM);
}

static GPid
spawn(const char *const *argv, const char *log_name)
{
    g_autofree char *log = root_path(log_name);
    g_auto(GStrv) env = g_get_environ();
    g_autoptr(GError) error = NULL;
    int fd = g_open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    GPid pid = -1;

    g_assert_cmpint(fd, >=, 0);
    env = g_environ_setenv(env, "MODVIRT_LOG", "debug", TRUE);
    env = g_environ_unsetenv(env, "NOTIFY_SOCKET");
    env = g_environ_unsetenv(env, "LISTEN_FDS");
    env = g_environ_unsetenv(env, "LISTEN_PID");
    g_assert_true(g_spawn_async_with_fds(NULL, (char **)argv, env, G_SPAWN_DO_NOT_REAP_CHILD,
                                         die_with_parent, NULL, &pid, -1, fd, fd, &error));
    g_assert_no_error(error);
    close(fd);
    return pid;
}

static void
run_sync(const char *const *argv)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *out = NULL, *err = NULL;
    int status = 0;

    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                               &err, &status, &error));
    g_assert_no_error(error);
    if (!g_spawn_check_wait_status(status, NULL))
        g_error("%s failed: %s%s", argv[0], out, err);
}

/* Waits until something accepts on @addr (the daemon is up), or fails. */
static void
wait_listening(const struct sockaddr *addr, socklen_t len, int family, const char *what)
{
    gint64 deadline = g_get_monotonic_time() + READY_TIMEOUT_US;

    while (g_get_monotonic_time() < deadline) {
        int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int rc = connect(fd, addr, len);

        close(fd);
        if (rc == 0)
            return;
        g_usleep(20000);
    }
    g_error("%s does not accept connections", what);
}

static void
wait_unix(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };

    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    wait_listening((struct sockaddr *)&addr, sizeof(addr), AF_UNIX, path);
}

static int
free_port(void)
{
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(addr);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&addr, &len), ==, 0);
    close(fd);
    return ntohs(addr.sin_port);
}

/* SIGTERM and reap; anything but exit 0 fails (in the sanitized build a report at
 * exit, a leak included, aborts the daemon). */
static void
stop(GPid *pid, const char *log_name)
{
    int status = 0;

    if (*pid <= 0)
        return;
    kill(*pid, SIGTERM);
    while (waitpid(*pid, &status, 0) < 0 && errno == EINTR)
        ;
    *pid = -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        g_error("daemon did not exit 0 on SIGTERM (wait status %#x); see %s/%s",
                status, root, log_name);
}

static void
stack_start(void)
{
    g_autofree char *pki = binary("tools/pki/modvirt-pki");
    g_autofree char *qemud_bin = binary("daemons/qemu/modvirt-qemud");
    g_autofree char *proxyd_bin = binary("proxy/modvirt-proxyd");
    g_autofree char *client_dir = root_path("client");
    g_autofree char *wrong_dir = root_path("wrong");
    g_autofree char *etc = root_path("etc");
    g_autofree char *conf_path = root_path("etc/proxy.conf");
    g_autofree char *conf = NULL;
    g_autofree char *qemu_sock = root_path("run/qemu.sock");
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

    run_sync((const char *const[]){ pki, "--root", root, "--bits", "2048", "init", "--cn",
                                    "linktest", "--client-dir", client_dir, NULL });
    g_assert_cmpint(g_mkdir_with_parents(etc, 0755), ==, 0);
    tls_port = free_port();
    conf = g_strdup_printf("[tls]\nlisten = 127.0.0.1:%d\n", tls_port);
    g_assert_true(g_file_set_contents(conf_path, conf, -1, NULL));
    g_assert_cmpint(g_mkdir_with_parents(wrong_dir, 0755), ==, 0);

    qemud = spawn((const char *const[]){ qemud_bin, "--root", root, NULL }, "qemud.log");
    wait_unix(qemu_sock);
    proxyd = spawn((const char *const[]){ proxyd_bin, "--root", root, NULL }, "proxyd.log");
    addr.sin_port = htons(tls_port);
    wait_listening((struct sockaddr *)&addr, sizeof(addr), AF_INET, "the proxy's TLS port");
}

/* ---- the cases ------------------------------------------------------------------ */

static void
test_unix_open_identity(void)
{
    g_autofree char *sock = root_path("run/qemu.sock");
    MvDaemonLinkIdentity identity = { .has_unix = true, .pid = FAKE_PID, .uid = 0, .gid = 0 };
    MvDaemonLinkConfig config = {
        .program = "modvirt-qemud",
        .socket = sock,
        .uri = "qemu:///system",
        .identity = &identity,
    };
    mv_remote_connect_get_uri_ret ret = { 0 };
    g_autoptr(GError) error = NULL;
    g_autoptr(MvDaemonLink) link = mv_daemon_link_open(&config, &error);
    g_autofree char *log = NULL;
    g_autofree char *expect = NULL;

    g_assert_no_error(error);
    g_assert_nonnull(link);
    g_assert_cmpstr(mv_daemon_link_address(link), ==, sock);
    g_assert_cmpstr(mv_daemon_link_program(link), ==, "modvirt-qemud");
    /* a typed stub on the link: the daemon was opened with our URI */
    g_assert_true(mv_remote_connect_get_uri(mv_daemon_link_rpc(link), &ret, &error));
    g_assert_no_error(error);
    g_assert_cmpstr(ret.uri, ==, "qemu:///system");
    xdr_free((xdrproc_t)xdr_mv_remote_connect_get_uri_ret, (char *)&ret);

    /* the identity arrived: qemud logged it before answering SET_IDENTITY */
    log = qemud_log();
    expect = g_strdup_printf("process-id=%d unix-group-id=0 unix-user-id=0", FAKE_PID);
    if (!strstr(log, expect))
        g_error("qemud's log does not show the forwarded identity '%s':\n%s", expect, log);
    g_assert_nonnull(strstr(log, "user-name=root"));
}

static void
record_error(const char *address, int errnum, gpointer data, GError **error)
{
    *(int *)data = errnum;
    g_set_error(error, MV_ERROR, MV_ERR_NO_CONNECT, "nobody at %s", address);
}

static void
test_missing_daemon(void)
{
    g_autofree char *sock = root_path("run/network.sock");
    MvDaemonLinkConfig config = {
        .program = "modvirt-networkd",
        .socket = sock,
        .uri = "network:///system",
    };
    g_autoptr(GError) error = NULL;
    g_autofree char *expect = NULL;
    int errnum = 0;

    g_assert_null(mv_daemon_link_open(&config, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_NO_CONNECT);
    expect = g_strdup_printf("cannot connect to modvirt-networkd at %s: %s — is the daemon "
                             "running?", sock, g_strerror(ENOENT));
    g_assert_cmpstr(error->message, ==, expect);
    g_clear_error(&error);

    /* the caller words it: libmodvirt says which daemon to start */
    config.connect_error = record_error;
    config.user_data = &errnum;
    g_assert_null(mv_daemon_link_open(&config, &error));
    g_assert_cmpint(errnum, ==, ENOENT);
    g_assert_nonnull(strstr(error->message, "nobody at "));
}

static void
test_tls(void)
{
    g_autofree char *pkidir = root_path("client");
    g_autofree char *wrong = root_path("wrong");
    g_autoptr(MvTlsContext) tls = NULL;
    MvDaemonLinkConfig config = {
        .program = "modvirt-proxyd",
        .host = "127.0.0.1",
        .port = tls_port,
        .authenticate = true,
        .keepalive = true,
        .uri = "qemu:///system",
    };
    mv_remote_connect_get_uri_ret ret = { 0 };
    g_autoptr(GError) error = NULL;
    g_autoptr(MvDaemonLink) link = NULL;
    g_autofree char *log = NULL;

    g_assert_null(mv_tls_context_new_client(wrong, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_GNUTLS_ERROR);
    g_assert_nonnull(strstr(error->message, "put cacert.pem in the pkipath directory"));
    g_clear_error(&error);

    config.tls = tls = mv_tls_context_new_client(pkidir, &error);
    g_assert_no_error(error);
    link = mv_daemon_link_open(&config, &error);
    g_assert_no_error(error);
    g_assert_nonnull(link);
    g_assert_true(mv_remote_connect_get_uri(mv_daemon_link_rpc(link), &ret, &error));
    g_assert_no_error(error);
    g_assert_cmpstr(ret.uri, ==, "qemu:///system");
    xdr_free((xdrproc_t)xdr_mv_remote_connect_get_uri_ret, (char *)&ret);

    /* a large reply crosses the TLS session whole (many records) */
    {
        mv_remote_connect_get_capabilities_ret caps = { 0 };

        g_assert_true(mv_remote_connect_get_capabilities(mv_daemon_link_rpc(link), &caps,
                                                         &error));
        g_assert_no_error(error);
        g_assert_nonnull(strstr(caps.capabilities, "</capabilities>"));
        xdr_free((xdrproc_t)xdr_mv_remote_connect_get_capabilities_ret, (char *)&caps);
    }

    /* the proxy's own backend is an MvDaemonLink too: it forwarded our DN to qemud */
    log = qemud_log();
    if (!strstr(log, "x509-distinguished-name=") || !strstr(log, "CN=linktest"))
        g_error("qemud's log does not show the DN the proxy forwarded:\n%s", log);
    mv_daemon_link_close(g_steal_pointer(&link));
}

typedef struct {
    GMutex lock;
    GCond cond;
    char *reason;
} CloseSeen;

static void
on_close(MvRpcClient *rpc, const char *reason, gpointer data)
{
    CloseSeen *seen = data;

    g_mutex_lock(&seen->lock);
    seen->reason = g_strdup(reason);
    g_cond_signal(&seen->cond);
    g_mutex_unlock(&seen->lock);
}

static void
test_close_callback(void)
{
    g_autofree char *sock = root_path("run/qemu.sock");
    CloseSeen seen = { 0 };
    MvDaemonLinkConfig config = {
        .program = "modvirt-qemud",
        .socket = sock,
        .uri = "qemu:///system",
        .on_close = on_close,
        .user_data = &seen,
    };
    g_autoptr(GError) error = NULL;
    g_autoptr(MvDaemonLink) link = mv_daemon_link_open(&config, &error);
    gint64 deadline = g_get_monotonic_time() + READY_TIMEOUT_US;

    g_assert_no_error(error);
    g_assert_nonnull(link);
    g_mutex_init(&seen.lock);
    g_cond_init(&seen.cond);
    stop(&proxyd, "proxyd.log");
    stop(&qemud, "qemud.log");       /* the daemon dies under the link */
    g_mutex_lock(&seen.lock);
    while (!seen.reason && g_cond_wait_until(&seen.cond, &seen.lock, deadline))
        ;
    g_mutex_unlock(&seen.lock);
    if (!seen.reason)
        g_error("the close callback was not called after qemud exited");
    g_assert_false(mv_rpc_client_is_open(mv_daemon_link_rpc(link)));
    g_free(seen.reason);
    g_clear_pointer(&link, mv_daemon_link_free);
    g_cond_clear(&seen.cond);
    g_mutex_clear(&seen.lock);
}

int
main(int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    int rc;

    g_test_init(&argc, &argv, NULL);
    build_root = g_strdup(g_getenv("MV_BUILD_ROOT"));
    if (!build_root) {
        g_test_skip("MV_BUILD_ROOT is not set (run through meson test)");
        return 77;
    }
    root = g_dir_make_tmp("mv-link-XXXXXX", &error);
    g_assert_no_error(error);
    stack_start();
    g_test_add_func("/link/unix-open-identity", test_unix_open_identity);
    g_test_add_func("/link/missing-daemon", test_missing_daemon);
    g_test_add_func("/link/tls", test_tls);
    g_test_add_func("/link/close-callback", test_close_callback);   /* last: kills qemud */
    rc = g_test_run();
    stop(&proxyd, "proxyd.log");
    stop(&qemud, "qemud.log");
    if (!g_getenv("MV_TEST_KEEP")) {
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", root);

        if (system(cmd) != 0)
            g_printerr("could not remove %s\n", root);
    }
    g_free(root);
    g_free(build_root);
    return rc;
}
