/* Secret verbs: secret-list, secret-define, secret-dumpxml, secret-undefine,
 * secret-set-value and secret-get-value (served by modvirt-storaged). A
 * value is read from a file or standard input, never from the command line
 * (where other users would see it in ps). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "verbs.h"

gboolean mv_cli_secret_ephemeral, mv_cli_secret_no_ephemeral;
gboolean mv_cli_secret_private, mv_cli_secret_no_private;
char *mv_cli_secret_file;

#define SECRET_VALUE_MAX 65536

/* A secret by UUID, or by usage as USAGE:ID (volume:/path, ceph:name…);
 * NULL after printing the error. */
static MvSecret *
cli_secret(MvCli *cli, const char *what)
{
    g_autoptr(GError) error = NULL;
    const char *colon = strchr(what, ':');
    MvSecret *secret = NULL;

    if (!mv_cli_connect(cli))
        return NULL;
    if (colon) {
        g_autofree char *type_name = g_strndup(what, colon - what);
        int type = mv_secret_usage_type_from_name(type_name);

        if (type <= MV_SECRET_USAGE_NONE) {
            mv_cli_usage(cli, "'%s' is neither a UUID nor USAGE:ID (usage volume, ceph, iscsi, "
                         "tls or vtpm)", what);
            return NULL;
        }
        secret = mv_secret_lookup_by_usage(cli->conn, type, colon + 1, 0, &error);
    } else {
        secret = mv_secret_lookup_by_uuid(cli->conn, what, 0, &error);
    }
    if (!secret)
        mv_cli_fail(cli, error);
    return secret;
}

static JsonNode *
json_secret(MvSecret *secret, const char *action)
{
    g_autoptr(JsonBuilder) b = json_builder_new();

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "uuid");
    json_builder_add_string_value(b, mv_secret_get_uuid_string(secret));
    json_builder_set_member_name(b, "usage");
    json_builder_add_string_value(b, mv_secret_usage_type_name(
                                         mv_secret_get_usage_type(secret)));
    json_builder_set_member_name(b, "usage_id");
    json_builder_add_string_value(b, mv_secret_get_usage_id(secret));
    if (action) {
        json_builder_set_member_name(b, "action");
        json_builder_add_string_value(b, action);
    }
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

int
mv_cli_run_secret_list(MvCli *cli, int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonBuilder) b = json_builder_new();
    MvCliTable *table = NULL;
    unsigned int flags = 0;
    MvSecret **secrets;

    if (mv_cli_secret_ephemeral)
        flags |= MV_LIST_SECRETS_EPHEMERAL;
    if (mv_cli_secret_no_ephemeral)
        flags |= MV_LIST_SECRETS_NO_EPHEMERAL;
    if (mv_cli_secret_private)
        flags |= MV_LIST_SECRETS_PRIVATE;
    if (mv_cli_secret_no_private)
        flags |= MV_LIST_SECRETS_NO_PRIVATE;
    if (!mv_cli_connect(cli))
        return MV_CLI_FAILED;
    if (!(secrets = mv_connect_list_secrets(cli->conn, flags, NULL, &error)))
        return mv_cli_fail(cli, error);
    if (cli->json)
        json_builder_begin_array(b);
    else
        table = mv_cli_table_new("UUID", "USAGE", "USAGE ID", NULL);
    for (MvSecret **s = secrets; *s; s++) {
        if (cli->json)
            json_builder_add_value(b, json_secret(*s, NULL));
        else
            mv_cli_table_add(table, mv_secret_get_uuid_string(*s),
                             mv_secret_usage_type_name(mv_secret_get_usage_type(*s)),
                             mv_secret_get_usage_id(*s), NULL);
    }
    mv_secret_list_free(secrets);
    return mv_cli_print_list(cli, b, table);
}

int
mv_cli_run_secret_define(MvCli *cli, int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = NULL;
    g_autoptr(MvSecret) secret = NULL;

    if (!(xml = mv_cli_read_xml(cli, argv[0])) || !mv_cli_connect(cli))
        return MV_CLI_FAILED;
    if (!(secret = mv_secret_define(cli->conn, xml, 0, &error)))
        return mv_cli_fail(cli, error);
    if (cli->json)
        mv_cli_print_json(json_secret(secret, "defined"), false);
    else
        printf("Secret %s defined.\n", mv_secret_get_uuid_string(secret));
    return MV_CLI_OK;
}

int
mv_cli_run_secret_dumpxml(MvCli *cli, int argc, char **argv)
{
    g_autoptr(MvSecret) secret = cli_secret(cli, argv[0]);
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = NULL;

    if (!secret)
        return MV_CLI_FAILED;
    if (!(xml = mv_secret_get_xml(secret, 0, &error)))
        return mv_cli_fail(cli, error);
    fputs(xml, stdout);
    return MV_CLI_OK;
}

int
mv_cli_run_secret_undefine(MvCli *cli, int argc, char **argv)
{
    g_autoptr(MvSecret) secret = cli_secret(cli, argv[0]);
    g_autoptr(GError) error = NULL;

    if (!secret)
        return MV_CLI_FAILED;
    if (!mv_secret_undefine(secret, 0, &error))
        return mv_cli_fail(cli, error);
    if (cli->json)
        mv_cli_print_json(json_secret(secret, "undefined"), false);
    else
        printf("Secret %s undefined.\n", mv_secret_get_uuid_string(secret));
    return MV_CLI_OK;
}

/* The bytes of --file, or of standard input; NULL after printing the error. */
static GBytes *
read_value(MvCli *cli)
{
    g_autoptr(GByteArray) data = g_byte_array_new();
    FILE *in = stdin;
    guint8 buf[4096];
    size_t n;

    if (mv_cli_secret_file && strcmp(mv_cli_secret_file, "-") != 0 &&
        !(in = fopen(mv_cli_secret_file, "rb"))) {
        mv_cli_failf(cli, "cannot read %s: %s", mv_cli_secret_file, g_strerror(errno));
        return NULL;
    }
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0 && data->len <= SECRET_VALUE_MAX)
        g_byte_array_append(data, buf, n);
    explicit_bzero(buf, sizeof(buf));
    if (ferror(in) || data->len > SECRET_VALUE_MAX) {
        mv_cli_failf(cli, ferror(in) ? "cannot read the value" :
                     "the value is longer than %d bytes", SECRET_VALUE_MAX);
        if (in != stdin)
            fclose(in);
        return NULL;
    }
    if (in != stdin)
        fclose(in);
    return g_byte_array_free_to_bytes(g_steal_pointer(&data));
}

int
mv_cli_run_secret_set_value(MvCli *cli, int argc, char **argv)
{
    g_autoptr(MvSecret) secret = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) value = NULL;
    gsize len;
    const guint8 *data;
    bool ok;

    if (!(mv_cli_secret_file && strcmp(mv_cli_secret_file, "-") != 0) && isatty(0))
        fputs("Enter the value, then Ctrl-D (the bytes are taken as typed):\n", stderr);
    if (!(value = read_value(cli)) || !(secret = cli_secret(cli, argv[0])))
        return MV_CLI_FAILED;
    data = g_bytes_get_data(value, &len);
    ok = mv_secret_set_value(secret, data, len, 0, &error);
    explicit_bzero((void *)data, len);
    if (!ok)
        return mv_cli_fail(cli, error);
    if (cli->json)
        mv_cli_print_json(json_secret(secret, "value-set"), false);
    else
        printf("Value of secret %s set (%zu bytes).\n", mv_secret_get_uuid_string(secret), len);
    return MV_CLI_OK;
}

int
mv_cli_run_secret_get_value(MvCli *cli, int argc, char **argv)
{
    g_autoptr(MvSecret) secret = cli_secret(cli, argv[0]);
    g_autoptr(GError) error = NULL;
    guint8 *value;
    gsize len = 0;

    if (!secret)
        return MV_CLI_FAILED;
    if (!(value = mv_secret_get_value(secret, &len, 0, &error)))
        return mv_cli_fail(cli, error);
    if (cli->json) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autofree char *b64 = g_base64_encode(value, len);

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "uuid");
        json_builder_add_string_value(b, mv_secret_get_uuid_string(secret));
        json_builder_set_member_name(b, "value_base64");
        json_builder_add_string_value(b, b64);
        json_builder_end_object(b);
        mv_cli_print_json(json_builder_get_root(b), false);
        explicit_bzero(b64, strlen(b64));
    } else {
        fwrite(value, 1, len, stdout);
        fflush(stdout);
    }
    explicit_bzero(value, len);
    g_free(value);
    return MV_CLI_OK;
}

static void
on_secret_event(MvConnect *conn, MvSecret *secret, MvSecretEventType event, int detail,
                gpointer data)
{
    MvCliEventsRun *run = data;

    if (run->cli->json) {
        g_autoptr(JsonBuilder) b = json_builder_new();

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "event");
        json_builder_add_string_value(b, mv_secret_event_type_name(event));
        json_builder_set_member_name(b, "uuid");
        json_builder_add_string_value(b, mv_secret_get_uuid_string(secret));
        json_builder_set_member_name(b, "usage");
        json_builder_add_string_value(b, mv_secret_usage_type_name(
                                             mv_secret_get_usage_type(secret)));
        json_builder_set_member_name(b, "usage_id");
        json_builder_add_string_value(b, mv_secret_get_usage_id(secret));
        json_builder_end_object(b);
        mv_cli_print_json(json_builder_get_root(b), true);
    } else {
        printf("secret %s %s\n", mv_secret_get_uuid_string(secret),
               mv_secret_event_type_name(event));
        fflush(stdout);
    }
    mv_cli_events_seen(run);
}

int
mv_cli_run_secret_events(MvCli *cli, int argc, char **argv)
{
    g_autoptr(MvSecret) secret = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
    MvCliEventsRun run = { .cli = cli, .loop = loop };
    guint watch;

    if (mv_cli_events_timeout < 0 || mv_cli_events_count < 0)
        return mv_cli_usage(cli, "--timeout and --count take a positive number");
    if (!mv_cli_connect(cli))
        return MV_CLI_FAILED;
    if (argc > 0 && !(secret = cli_secret(cli, argv[0])))
        return MV_CLI_FAILED;
    if (!(watch = mv_connect_watch_secret_events(cli->conn, secret, NULL, on_secret_event, &run,
                                                 NULL, 0, &error)))
        return mv_cli_fail(cli, error);
    return mv_cli_events_loop(&run, watch, "secret");
}
