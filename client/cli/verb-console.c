/* modvirt console DOMAIN: the guest's text console on this terminal. Ctrl-]
 * detaches. A reader thread copies console output to stdout while the main
 * thread sends what is typed. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "verbs.h"

#define ESCAPE_CHAR 0x1d        /* Ctrl-] */

gboolean mv_cli_console_force;
char *mv_cli_console_device;

typedef struct {
    MvStream *stream;
    int wake[2];                /* the reader thread writes here when it stops */
    gint stop;                  /* atomic: the main thread is detaching */
    bool eof;                   /* the console closed (the guest stopped) */
    GError *error;
} MvConsole;

static bool
write_all(int fd, const char *buf, gsize len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        buf += n;
        len -= (gsize)n;
    }
    return true;
}

static gpointer
console_output_thread(gpointer data)
{
    MvConsole *con = data;
    char buf[4096];

    while (!g_atomic_int_get(&con->stop)) {
        g_autoptr(GError) error = NULL;
        gssize n = mv_stream_read(con->stream, buf, sizeof(buf), 200, &error);

        if (n > 0) {
            write_all(STDOUT_FILENO, buf, (gsize)n);
            continue;
        }
        if (n == 0) {
            /* after our own finish the daemon's confirmation ends the stream too */
            con->eof = !g_atomic_int_get(&con->stop);
            break;
        }
        if (error->code == MV_ERROR_TIMEOUT)
            continue;
        con->error = g_steal_pointer(&error);
        break;
    }
    write_all(con->wake[1], "x", 1);
    return NULL;
}

/* Sends what is typed until Ctrl-], stdin's end or the reader stopping. */
static void
console_input_loop(MvConsole *con)
{
    char buf[1024];

    for (;;) {
        struct pollfd fds[2] = {
            { .fd = STDIN_FILENO, .events = POLLIN },
            { .fd = con->wake[0], .events = POLLIN },
        };
        char *esc;
        ssize_t n;

        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        if (fds[1].revents)
            return;
        if (!fds[0].revents)
            continue;
        n = read(STDIN_FILENO, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        esc = memchr(buf, ESCAPE_CHAR, (size_t)n);
        if (esc)
            n = esc - buf;
        if (n > 0 && !mv_stream_write(con->stream, buf, (gsize)n, &con->error))
            return;
        if (esc)
            return;
    }
}

int
mv_cli_console_attach(MvCli *cli, MvDomain *dom)
{
    MvConsole con = { .wake = { -1, -1 } };
    g_autoptr(GError) error = NULL;
    struct termios saved, raw;
    bool tty = isatty(STDIN_FILENO);
    GThread *reader;
    int status = MV_CLI_OK;

    con.stream = mv_domain_open_console(dom, mv_cli_console_device,
                                        mv_cli_console_force ? MV_CONSOLE_FORCE : 0, &error);
    if (!con.stream)
        return mv_cli_fail(cli, error);
    if (pipe(con.wake) < 0) {
        mv_stream_unref(con.stream);
        return mv_cli_failf(cli, "cannot create a pipe: %s", g_strerror(errno));
    }
    if (tty && tcgetattr(STDIN_FILENO, &saved) == 0) {
        raw = saved;
        cfmakeraw(&raw);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
    } else {
        tty = false;
    }
    printf("Connected to domain '%s'.\r\nEscape character is ^] (Ctrl + ]).\r\n",
           mv_domain_get_name(dom));
    fflush(stdout);

    reader = g_thread_new("console-output", console_output_thread, &con);
    console_input_loop(&con);
    g_atomic_int_set(&con.stop, 1);
    if (!con.eof && !con.error && !mv_stream_finish(con.stream, 0, &error))
        mv_stream_abort(con.stream);
    g_thread_join(reader);
    if (tty)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    printf("\r\n");
    fflush(stdout);
    if (con.error) {
        status = mv_cli_fail(cli, con.error);
    } else if (con.eof) {
        fprintf(stderr, "modvirt %s: the console of '%s' closed (the domain stopped or the "
                "daemon ended the session).\n", cli->verb->name, mv_domain_get_name(dom));
    }
    if (cli->json)
        mv_cli_print_json(mv_cli_json_action(dom, con.error ? "failed"
                                                  : con.eof ? "closed" : "detached"), true);
    close(con.wake[0]);
    close(con.wake[1]);
    g_clear_error(&con.error);
    mv_stream_unref(con.stream);
    return status;
}

int
mv_cli_run_console(MvCli *cli, int argc, char **argv)
{
    g_autoptr(MvDomain) dom = mv_cli_domain(cli, argv[0]);

    if (!dom)
        return MV_CLI_FAILED;
    return mv_cli_console_attach(cli, dom);
}
