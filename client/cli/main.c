/* modvirt [-c URI] VERB [OPTIONS] [ARGS]: global options, verb dispatch, the
 * connection and the one-sentence error messages. */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define PROGRAM "modvirt"

void
mv_cli_print_help(FILE *out)
{
    fprintf(out,
            "Usage: " PROGRAM " [-c URI] VERB [OPTIONS] [ARGS]\n"
            "\n"
            "Manage virtual machines through the modvirt daemons.\n"
            "\n"
            "Options:\n"
            "  -c, --connect URI   connect to URI (default: $MODVIRT_DEFAULT_URI, then\n"
            "                      qemu:///system)\n"
            "  -h, --help          show this help; '" PROGRAM " VERB --help' for a verb\n"
            "      --version       show the version\n"
            "\n"
            "Verbs:\n");
    for (const MvCliVerb *v = mv_cli_verbs; v->name; v++)
        fprintf(out, "  %-12s %s\n", v->name, v->summary);
    fprintf(out, "\nEvery verb takes --json for machine-readable output.\n"
                 "Exit status: 0 success, 1 failure, 2 usage error.\n");
}

MvConnect *
mv_cli_connect(MvCli *cli)
{
    g_autoptr(GError) error = NULL;

    if (cli->conn)
        return cli->conn;
    if (!(cli->conn = mv_connect_open(cli->uri, 0, &error)))
        mv_cli_fail(cli, error);
    return cli->conn;
}

bool
mv_cli_lookup_begin(MvCli *cli, const char *what)
{
    g_free(cli->subject);
    cli->subject = g_strdup(what);
    return mv_cli_connect(cli) != NULL;
}

bool
mv_cli_lookup_try_uuid(GError **error, int not_found, const char *what)
{
    if (!g_error_matches(*error, MV_ERROR, not_found) || !g_uuid_string_is_valid(what))
        return false;
    g_clear_error(error);
    return true;
}

gpointer
mv_cli_lookup_failed(MvCli *cli, const GError *error, int not_found, const char *kind,
                     const char *what, const char *list_verb, const char *plural)
{
    if (g_error_matches(error, MV_ERROR, not_found))
        mv_cli_failf(cli, "there is no %s '%s'; run 'modvirt %s' to see the defined %s", kind,
                     what, list_verb, plural);
    else
        mv_cli_fail(cli, error);
    return NULL;
}

MvDomain *
mv_cli_domain(MvCli *cli, const char *what)
{
    g_autoptr(GError) error = NULL;
    MvDomain *dom;

    if (!mv_cli_lookup_begin(cli, what))
        return NULL;
    if (!(dom = mv_domain_lookup(cli->conn, what, 0, &error)))
        mv_cli_fail(cli, error);
    return dom;
}

/* What to do next, by error number; NULL when the message says it already. */
static char *
error_hint(MvCli *cli, const GError *error)
{
    if (error->domain != MV_ERROR)
        return NULL;
    switch (error->code) {
    case MV_ERROR_NO_DOMAIN:
        return g_strdup("run '" PROGRAM " list' to see the defined domains");
    case MV_ERROR_OPERATION_INVALID:
        if (cli && cli->subject)
            return g_strdup_printf("check its state with '" PROGRAM " info %s'", cli->subject);
        return g_strdup("check the domain's state with '" PROGRAM " info'");
    case MV_ERROR_OPERATION_DENIED:
        return g_strdup("use a read-write connection and check your permissions");
    case MV_ERROR_XML:
    case MV_ERROR_XML_INVALID_SCHEMA:
    case MV_ERROR_CONFIG_UNSUPPORTED:
        return g_strdup("fix the XML and try again");
    case MV_ERROR_RESOURCE_BUSY:
        return g_strdup("close the other session or pass --force");
    case MV_ERROR_RPC:
        if (strstr(error->message, "closed") || strstr(error->message, "broke"))
            return g_strdup("the daemon went away; check that it is running and retry");
        return NULL;
    default:
        return NULL;
    }
}

static void
print_sentence(MvCli *cli, const char *message, const char *hint)
{
    g_autofree char *text = g_strstrip(g_strdup(message));
    gsize len = strlen(text);

    while (len > 0 && (text[len - 1] == '.' || text[len - 1] == '\n'))
        text[--len] = '\0';
    if (cli && cli->verb)
        fprintf(stderr, PROGRAM " %s: ", cli->verb->name);
    else
        fprintf(stderr, PROGRAM ": ");
    if (hint && !strstr(text, ": start ") && !strstr(text, "check the URI"))
        fprintf(stderr, "%s; %s.\n", text, hint);
    else
        fprintf(stderr, "%s.\n", text);
}

int
mv_cli_fail(MvCli *cli, const GError *error)
{
    g_autofree char *hint = error ? error_hint(cli, error) : NULL;

    print_sentence(cli, error ? error->message : "unknown error", hint);
    return MV_CLI_FAILED;
}

int
mv_cli_failf(MvCli *cli, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    print_sentence(cli, msg, NULL);
    return MV_CLI_FAILED;
}

int
mv_cli_usage(MvCli *cli, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    g_autofree char *hint = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    hint = cli && cli->verb ? g_strdup_printf("see '" PROGRAM " %s --help'", cli->verb->name)
                            : g_strdup("see '" PROGRAM " --help'");
    print_sentence(cli, msg, hint);
    return MV_CLI_USAGE;
}

static const GOptionEntry *
common_options(MvCli *cli)
{
    static GOptionEntry common[3];

    common[0] = (GOptionEntry){ "json", 0, 0, G_OPTION_ARG_NONE, &cli->json,
                                "Print JSON for scripts", NULL };
    common[1] = (GOptionEntry){ "connect", 'c', 0, G_OPTION_ARG_STRING, &cli->uri,
                                "Connect to URI", "URI" };
    common[2] = (GOptionEntry){ NULL };
    return common;
}

GOptionContext *
mv_cli_verb_context(MvCli *cli, const MvCliVerb *verb)
{
    GOptionContext *ctx = g_option_context_new(verb->args);
    g_autofree char *prgname = g_strdup_printf(PROGRAM " %s", verb->name);

    g_set_prgname(prgname);
    g_option_context_set_summary(ctx, verb->summary);
    if (verb->description)
        g_option_context_set_description(ctx, verb->description);
    g_option_context_add_main_entries(ctx, common_options(cli), NULL);
    if (verb->options)
        g_option_context_add_main_entries(ctx, verb->options, NULL);
    return ctx;
}

/* Parses the verb's options and runs it. */
static int
run_verb(MvCli *cli, int argc, char **argv)
{
    const MvCliVerb *verb = cli->verb;
    g_autoptr(GOptionContext) ctx = mv_cli_verb_context(cli, verb);
    g_autoptr(GError) error = NULL;
    int nargs;

    if (!g_option_context_parse(ctx, &argc, &argv, &error))
        return mv_cli_usage(cli, "%s", error->message);
    nargs = argc - 1;
    if (nargs > 0 && g_str_equal(argv[1], "--")) {
        argv++;
        nargs--;
    }
    if (nargs < verb->min_args)
        return mv_cli_usage(cli, "'%s' needs %s", verb->name, verb->args);
    if (verb->max_args >= 0 && nargs > verb->max_args)
        return mv_cli_usage(cli, "too many arguments (usage: " PROGRAM " %s%s%s)", verb->name,
                            verb->args ? " " : "", verb->args ? verb->args : "");
    return verb->run(cli, nargs, argv + 1);
}

/* The global options, then the verb; main() frees what this leaves in @cli. */
static int
cli_run(MvCli *cli, int argc, char **argv)
{
    int i;

    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];

        if (g_str_equal(a, "-h") || g_str_equal(a, "--help")) {
            mv_cli_print_help(stdout);
            return MV_CLI_OK;
        } else if (g_str_equal(a, "--version")) {
            unsigned long v = mv_library_version();

            printf(PROGRAM " %lu.%lu.%lu\n", v / 1000000, v / 1000 % 1000, v % 1000);
            return MV_CLI_OK;
        } else if ((g_str_equal(a, "-c") || g_str_equal(a, "--connect")) && i + 1 < argc) {
            g_free(cli->uri);
            cli->uri = g_strdup(argv[++i]);
        } else if (g_str_has_prefix(a, "--connect=")) {
            g_free(cli->uri);
            cli->uri = g_strdup(a + strlen("--connect="));
        } else {
            return mv_cli_usage(NULL, "unknown option '%s'", a);
        }
    }
    if (i >= argc) {
        mv_cli_print_help(stderr);
        return MV_CLI_USAGE;
    }
    if (!(cli->verb = mv_cli_verb_find(argv[i])))
        return mv_cli_usage(NULL, "unknown verb '%s'", argv[i]);
    return run_verb(cli, argc - i, argv + i);
}

int
main(int argc, char **argv)
{
    MvCli cli = { 0 };
    int status;

    setlocale(LC_ALL, "");
    /* every return of cli_run (usage errors too) ends here: nothing is left allocated */
    status = cli_run(&cli, argc, argv);
    mv_connect_unref(cli.conn);
    g_free(cli.uri);
    g_free(cli.subject);
    return status;
}
