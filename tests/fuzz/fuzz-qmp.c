/* Fuzz target "qmp": what QEMU sends on its monitor as modvirt-qemud reads it
 * (daemons/qemu/qemu-monitor.c), and the QEMU probe's parsers of QEMU output.
 *
 * The input's first byte picks a mode (its value modulo 8; the seeds use the
 * digits '0'..'7'), the rest is what QEMU says. Modes 0-5: a real monitor
 * opened on one end of a socketpair (greeting and qmp_capabilities answered
 * by a harness thread); then the rest of the input arrives, the write side closes,
 * and qemud sends one command (0 query-status, 1 query-chardev, 2 an HMP
 * command, 3 cont, 4 balloon, 5 query-machines): replies with id 2 answer it,
 * everything else is events, junk or unknown replies. The events are delivered
 * to a callback that reads them the way qemud's domain code does. Mode 6: the
 * probe's parsers (QMP query-machines replies, `-machine help`, `-accel help`,
 * `--version`). Mode 7: only events, no command. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"
#include "qemu-json.h"
#include "qemu-monitor.h"
#include "qemu-probe-priv.h"

/* More than a socket buffer would need a writer thread; libFuzzer's inputs
 * stay far below this anyway. */
#define FUZZ_MAX_INPUT (64 * 1024)

static const char greeting[] =
    "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}}, "
    "\"capabilities\": [\"oob\"]}}\r\n";
static const char capabilities_reply[] = "{\"return\": {}, \"id\": 1}\r\n";

static G_NORETURN void
finding(const char *what, const GError *err)
{
    fprintf(stderr, "fuzz-qmp: %s%s%s\n", what, err ? ": " : "", err ? err->message : "");
    abort();
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

/* QEMU's side of the handshake: the greeting, then the reply to
 * qmp_capabilities once that command has arrived. */
static gpointer
fake_qemu_handshake(gpointer data)
{
    int fd = GPOINTER_TO_INT(data);
    char c;

    write_all(fd, greeting, strlen(greeting));
    while (read(fd, &c, 1) == 1 && c != '\n')
        ;
    write_all(fd, capabilities_reply, strlen(capabilities_reply));
    return NULL;
}

/* Reads an event as qemud's on_monitor_event() does. */
static void
on_event(MvQemuMonitor *mon, const char *name, JsonObject *data, gint64 timestamp_us,
         gpointer opaque)
{
    guint *count = opaque;

    if (!name || !data)
        finding("an event without a name or data", NULL);
    (*count)++;
    (void)mv_qemu_json_get_bool(data, "guest", false);
    (void)mv_qemu_json_get_string(data, "reason", "");
    (void)mv_qemu_json_get_string(data, "device", NULL);
}

static void
on_eof(MvQemuMonitor *mon, const char *reason, gpointer opaque)
{
    if (!reason)
        finding("end of the monitor without a reason", NULL);
}

static void
run_command(MvQemuMonitor *mon, unsigned int mode)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *text = NULL;
    bool running = false;

    switch (mode) {
    case 0:
        mv_qemu_monitor_query_status(mon, &text, &running, &err);
        break;
    case 1:
        mv_qemu_monitor_query_chardev_pty(mon, "charserial0", &text, &err);
        break;
    case 2:
        mv_qemu_monitor_human_command(mon, "info status", &text, &err);
        break;
    case 3:
        mv_qemu_monitor_cont(mon, &err);
        break;
    case 4:
        mv_qemu_monitor_balloon(mon, 262144, &err);
        break;
    case 5: {
        JsonNode *node = mv_qemu_monitor_command(mon, "query-machines", NULL, 5000, &err);

        if (node)
            json_node_free(node);
        break;
    }
    default:
        break;
    }
}

static void
fuzz_monitor(unsigned int mode, const uint8_t *data, size_t size)
{
    const MvQemuMonitorCallbacks cb = { .event = on_event, .eof = on_eof };
    g_autoptr(GMainContext) ctx = g_main_context_new();
    g_autoptr(GError) err = NULL;
    MvQemuMonitor *mon;
    GThread *qemu;
    guint events = 0;
    int sv[2];

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        finding("socketpair failed", NULL);
    qemu = g_thread_new("fake-qemu", fake_qemu_handshake, GINT_TO_POINTER(sv[1]));
    mon = mv_qemu_monitor_open_fd(sv[0], ctx, &cb, &events, 5000, &err);
    g_thread_join(qemu);
    if (!mon)
        finding("the monitor does not open on a good handshake", err);
    write_all(sv[1], data, size);
    shutdown(sv[1], SHUT_WR);
    run_command(mon, mode);
    /* Delivers the events read so far and the end of the connection. */
    for (int i = 0; i < 1000 && g_main_context_iteration(ctx, FALSE); i++)
        ;
    mv_qemu_monitor_free(mon);
    while (g_main_context_iteration(ctx, FALSE))
        ;
    close(sv[1]);
}

static void
fuzz_probe(const uint8_t *data, size_t size)
{
    g_autofree char *text = g_strndup((const char *)data, size);
    MvQemuMachine fake[] = {
        { .name = (char *)"pc-q35-7.2" },
        { .name = (char *)"pc", .canonical = (char *)"pc-i440fx-7.2" },
    };
    MvQemuMachine *machines = NULL;
    size_t n = 0;
    char **accels = NULL;
    char *package = NULL;
    unsigned int version = 0;

    mv_qemu_probe_parse_qmp_machines(text, "mv-machines", fake, G_N_ELEMENTS(fake), NULL);
    if (mv_qemu_probe_parse_machines(text, &machines, &n, NULL))
        mv_qemu_machines_free(machines, n);
    if (mv_qemu_probe_parse_accels(text, &accels, NULL))
        g_strfreev(accels);
    if (mv_qemu_probe_parse_version(text, &version, &package, NULL))
        g_free(package);
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
    unsigned int mode;

    if (size < 1 || size > FUZZ_MAX_INPUT)
        return 0;
    mode = data[0] % 8;
    if (mode == 6)
        fuzz_probe(data + 1, size - 1);
    else
        fuzz_monitor(mode, data + 1, size - 1);
    return 0;
}
