/* modvirt edit DOMAIN: the persistent XML in $VISUAL / $EDITOR, validated by
 * the daemon before it replaces the definition. A rejected edit changes
 * nothing on the daemon and stays in a file for another try. Also the XML
 * input that the define and edit verbs of every object share. */
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "verbs.h"

static const char *
editor_command(void)
{
    const char *e = g_getenv("VISUAL");

    if (!e || !*e)
        e = g_getenv("EDITOR");
    return e && *e ? e : "vi";
}

/* Runs the editor on @path through the shell, so EDITOR may carry arguments. */
static bool
run_editor(const char *path, int *ret_status, GError **error)
{
    g_autofree char *script = g_strdup_printf("%s \"$1\"", editor_command());
    const char *argv[] = { "/bin/sh", "-c", script, "sh", path, NULL };

    return g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL,
                        NULL, NULL, ret_status, error);
}

char *
mv_cli_read_xml(MvCli *cli, const char *path)
{
    g_autoptr(GError) error = NULL;
    char *xml = NULL;

    if (g_str_equal(path, "-")) {
        g_autoptr(GIOChannel) in = g_io_channel_unix_new(0);

        if (g_io_channel_read_to_end(in, &xml, NULL, &error) != G_IO_STATUS_NORMAL) {
            mv_cli_failf(cli, "cannot read the XML from standard input: %s", error->message);
            return NULL;
        }
    } else if (!g_file_get_contents(path, &xml, NULL, &error)) {
        mv_cli_failf(cli, "cannot read %s: %s", path, error->message);
        return NULL;
    }
    return xml;
}

char *
mv_cli_edit_text(MvCli *cli, const char *tmpl, const char *xml, char **ret_path)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *path = NULL;
    char *edited = NULL;
    int fd, status = 0;

    if ((fd = g_file_open_tmp(tmpl, &path, &error)) < 0)
        return (mv_cli_failf(cli, "cannot create a temporary file: %s", error->message), NULL);
    close(fd);
    if (!g_file_set_contents(path, xml, -1, &error)) {
        g_unlink(path);
        return (mv_cli_failf(cli, "cannot write %s: %s", path, error->message), NULL);
    }
    if (!run_editor(path, &status, &error)) {
        g_unlink(path);
        return (mv_cli_failf(cli, "cannot run the editor '%s': %s; set $EDITOR",
                             editor_command(), error->message), NULL);
    }
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_unlink(path);
        return (mv_cli_failf(cli, "the editor '%s' failed (status %d), so nothing was changed",
                             editor_command(),
                             WIFEXITED(status) ? WEXITSTATUS(status) : status), NULL);
    }
    if (!g_file_get_contents(path, &edited, NULL, &error)) {
        g_unlink(path);
        return (mv_cli_failf(cli, "cannot read back %s: %s", path, error->message), NULL);
    }
    *ret_path = g_steal_pointer(&path);
    return edited;
}

static char *
strip_period(const char *message)
{
    char *s = g_strstrip(g_strdup(message));
    gsize len = strlen(s);

    if (len > 0 && s[len - 1] == '.')
        s[len - 1] = '\0';
    return s;
}

int
mv_cli_run_edit(MvCli *cli, int argc, char **argv)
{
    g_autoptr(MvDomain) dom = mv_cli_domain(cli, argv[0]);
    g_autoptr(MvDomain) updated = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *edited = NULL;
    g_autofree char *path = NULL;
    g_autofree char *tmpl = NULL;

    if (!dom)
        return MV_CLI_FAILED;
    if (!(xml = mv_domain_get_xml(dom, MV_DOMAIN_XML_INACTIVE | MV_DOMAIN_XML_SECURE, &error)))
        return mv_cli_fail(cli, error);
    tmpl = g_strdup_printf("modvirt-%s-XXXXXX.xml", mv_domain_get_name(dom));
    if (!(edited = mv_cli_edit_text(cli, tmpl, xml, &path)))
        return MV_CLI_FAILED;
    if (g_str_equal(edited, xml)) {
        g_unlink(path);
        if (cli->json)
            mv_cli_print_json(mv_cli_json_action(dom, "unchanged"), false);
        else
            printf("Domain '%s' is unchanged.\n", mv_domain_get_name(dom));
        return MV_CLI_OK;
    }
    if (!(updated = mv_domain_define(cli->conn, edited, MV_DOMAIN_DEFINE_VALIDATE, &error))) {
        g_autofree char *msg = strip_period(error->message);

        return mv_cli_failf(cli, "%s; the old definition is kept and your edit is in %s: fix it "
                            "and run 'modvirt define %s'", msg, path, path);
    }
    g_unlink(path);
    if (cli->json)
        mv_cli_print_json(mv_cli_json_action(updated, "updated"), false);
    else
        printf("Domain '%s' updated%s.\n", mv_domain_get_name(updated),
               mv_domain_get_id(updated) >= 0 ? " (the running guest gets it at its next start)"
                                              : "");
    return MV_CLI_OK;
}
