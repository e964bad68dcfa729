/* Fuzz target "config": a daemon's config file as start-up and SIGHUP read it
 * (common/daemon/daemon-config.c: [server] limits, keepalive, [log] filters),
 * with the driver groups of modvirt-qemud ([qemu], mv_qemu_config_read) and of
 * modvirt-proxyd ([tls], [tcp], mv_proxy_conf_read).
 *
 * The input is the file's contents (a memfd, read through /proc/self/fd/N).
 * A file that loads must give limits inside their documented ranges; the log
 * filters it sets are put back after each input. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "daemon/daemon-priv.h"
#include "fuzz.h"
#include "proxy.h"
#include "qemu-domain-check.h"
#include "util/log.h"
#include "util/paths.h"

static int memfd = -1;
static char *config_path;
static char *default_filters;
static MvPaths *paths;

static G_NORETURN void
finding(const char *what)
{
    fprintf(stderr, "fuzz-config: %s\n", what);
    abort();
}

static void
read_with(const MvDaemonDescriptor *desc)
{
    MvDaemon daemon = { .desc = desc, .paths = paths, .config_path = config_path };
    MvDaemonConfig config = { 0 };
    g_autoptr(GError) err = NULL;

    if (mv_daemon_config_read(&daemon, &config, &err)) {
        const MvServerConfig *sc = &config.server;

        if (!config.keyfile || !config.driver)
            finding("a config that loads has no keyfile or driver config");
        if (sc->max_clients < 1 || sc->max_workers < 1 || sc->max_client_requests < 1 ||
            sc->max_readonly_clients < 1 || sc->keepalive_interval < -1 ||
            (sc->max_clients > 1 && sc->max_readonly_clients >= sc->max_clients))
            finding("a config that loads has limits outside their ranges");
        mv_daemon_config_clear(&daemon, &config);
    } else if (!err || !err->message || !*err->message) {
        finding("a config refused without an error message");
    }
    if (!mv_log_set_filters(default_filters, NULL))
        finding("cannot put the default log filters back");
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    mv_fuzz_abort_on_criticals();
    if ((memfd = memfd_create("fuzz-config", MFD_CLOEXEC)) < 0)
        finding("memfd_create failed");
    config_path = g_strdup_printf("/proc/self/fd/%d", memfd);
    paths = mv_paths_new("/nonexistent/fuzz-root");
    default_filters = mv_log_get_filters();
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const MvDaemonDescriptor qemu = {
        .name = "qemu",
        .config_read = mv_qemu_config_read,
        .config_free = mv_qemu_config_free,
    };
    static const MvDaemonDescriptor proxy = {
        .name = "proxy",
        .config_read = mv_proxy_conf_read,
        .config_free = mv_proxy_conf_free,
    };

    if (ftruncate(memfd, 0) < 0 || (size && pwrite(memfd, data, size, 0) != (ssize_t)size))
        finding("cannot write the memfd");
    read_with(&qemu);
    read_with(&proxy);
    return 0;
}
