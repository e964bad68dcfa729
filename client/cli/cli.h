/* The modvirt CLI: shared types of the verb files. Each verb is a row in the
 * table of verbs.c; main.c parses the global options, finds the verb, parses
 * its options and runs it. Exit codes: 0 ok, 1 failed, 2 usage. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stdio.h>

#include <modvirt/modvirt.h>

G_BEGIN_DECLS

enum { MV_CLI_OK = 0, MV_CLI_FAILED = 1, MV_CLI_USAGE = 2 };

typedef struct _MvCli MvCli;
typedef int (*MvCliRunFunc)(MvCli *cli, int argc, char **argv);

typedef struct {
    const char *name;           /* "power-off" */
    const char *args;           /* "DOMAIN", shown in usage */
    const char *summary;        /* one line */
    const char *description;    /* (nullable) more, shown by --help */
    const GOptionEntry *options;  /* (nullable) verb-specific, NULL-terminated */
    int min_args, max_args;     /* positional arguments; max -1 = any */
    MvCliRunFunc run;
} MvCliVerb;

struct _MvCli {
    const MvCliVerb *verb;
    char *uri;                  /* -c URI, or NULL for the default */
    gboolean json;              /* --json */
    MvConnect *conn;            /* opened by mv_cli_connect() */
    char *subject;              /* the domain the verb works on, for hints */
};

/* verbs.c */
extern const MvCliVerb mv_cli_verbs[];
const MvCliVerb *mv_cli_verb_find(const char *name);

/* main.c */
/** mv_cli_print_help: the overview of modvirt and its verbs. */
void mv_cli_print_help(FILE *out);
/** mv_cli_verb_context: the option context of @verb (common options included). */
GOptionContext *mv_cli_verb_context(MvCli *cli, const MvCliVerb *verb);
/** mv_cli_connect: the connection (opened on first use); NULL after printing the error. */
MvConnect *mv_cli_connect(MvCli *cli);
/** mv_cli_lookup_begin: makes @what the subject of errors and connects; false after printing. */
bool mv_cli_lookup_begin(MvCli *cli, const char *what);
/** mv_cli_lookup_try_uuid: after a lookup of @what by name failed with @error, whether to try
 * it as a UUID: true (error cleared) when the object was not found (@not_found) and @what is
 * a UUID. */
bool mv_cli_lookup_try_uuid(GError **error, int not_found, const char *what);
/** mv_cli_lookup_failed: prints "there is no KIND 'WHAT'; run 'modvirt LIST_VERB' to see the
 * defined PLURAL" when @error is @not_found, else @error; returns NULL. */
gpointer mv_cli_lookup_failed(MvCli *cli, const GError *error, int not_found, const char *kind,
                              const char *what, const char *list_verb, const char *plural);
/** mv_cli_domain: looks up @what (name, UUID or id); NULL after printing the error. */
MvDomain *mv_cli_domain(MvCli *cli, const char *what);
/** mv_cli_fail: prints @error as one sentence with a hint on stderr; returns MV_CLI_FAILED. */
int mv_cli_fail(MvCli *cli, const GError *error);
/** mv_cli_failf: prints a sentence of our own; returns MV_CLI_FAILED. */
int mv_cli_failf(MvCli *cli, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/** mv_cli_usage: prints a usage error and how to get help; returns MV_CLI_USAGE. */
int mv_cli_usage(MvCli *cli, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* output.c: tables and JSON */
typedef struct _MvCliTable MvCliTable;
MvCliTable *mv_cli_table_new(const char *first_column, ...) G_GNUC_NULL_TERMINATED;
void mv_cli_table_add(MvCliTable *table, const char *first_cell, ...) G_GNUC_NULL_TERMINATED;
/** mv_cli_table_print: prints with aligned columns and frees @table. */
void mv_cli_table_print(MvCliTable *table);
/** mv_cli_print_pairs: "Key:   value" lines, aligned; @pairs is key, value, ..., NULL. */
void mv_cli_print_pairs(const char *const *pairs);
/** mv_cli_print_json: prints @node (pretty unless @compact) and a newline, then frees it. */
void mv_cli_print_json(JsonNode *node, bool compact);
/** mv_cli_json_subject: {KEY: NAME, "uuid": UUID, "action": ACTION}; no "action" when NULL. */
JsonNode *mv_cli_json_subject(const char *key, const char *name, const char *uuid,
                              const char *action);
/** mv_cli_json_action: {"domain": NAME, "uuid": UUID, "action": ACTION} for simple verbs. */
JsonNode *mv_cli_json_action(MvDomain *dom, const char *action);
/** mv_cli_print_list: ends and prints the JSON array @b with --json, else prints and frees
 * @table (NULL: nothing, --name printed already); returns MV_CLI_OK. */
int mv_cli_print_list(MvCli *cli, JsonBuilder *b, MvCliTable *table);

G_END_DECLS
