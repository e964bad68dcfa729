/* Output helpers: aligned tables, "Key: value" blocks and JSON. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

struct _MvCliTable {
    GPtrArray *rows;            /* GStrv, the first is the header */
    guint ncols;
};

static GStrv
collect(const char *first, va_list ap)
{
    g_autoptr(GStrvBuilder) b = g_strv_builder_new();

    for (const char *s = first; s; s = va_arg(ap, const char *))
        g_strv_builder_add(b, s);
    return g_strv_builder_end(b);
}

MvCliTable *
mv_cli_table_new(const char *first_column, ...)
{
    MvCliTable *table = g_new0(MvCliTable, 1);
    va_list ap;
    GStrv header;

    va_start(ap, first_column);
    header = collect(first_column, ap);
    va_end(ap);
    table->rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    table->ncols = g_strv_length(header);
    g_ptr_array_add(table->rows, header);
    return table;
}

void
mv_cli_table_add(MvCliTable *table, const char *first_cell, ...)
{
    va_list ap;
    GStrv row;

    va_start(ap, first_cell);
    row = collect(first_cell, ap);
    va_end(ap);
    g_assert(g_strv_length(row) == table->ncols);
    g_ptr_array_add(table->rows, row);
}

void
mv_cli_table_print(MvCliTable *table)
{
    g_autofree gsize *width = g_new0(gsize, table->ncols);

    for (guint r = 0; r < table->rows->len; r++) {
        GStrv row = g_ptr_array_index(table->rows, r);

        for (guint c = 0; c < table->ncols; c++)
            width[c] = MAX(width[c], (gsize)g_utf8_strlen(row[c], -1));
    }
    for (guint r = 0; r < table->rows->len; r++) {
        GStrv row = g_ptr_array_index(table->rows, r);
        g_autoptr(GString) line = g_string_new(NULL);

        for (guint c = 0; c < table->ncols; c++) {
            g_string_append(line, row[c]);
            if (c + 1 < table->ncols) {
                for (gsize pad = (gsize)g_utf8_strlen(row[c], -1); pad < width[c] + 2; pad++)
                    g_string_append_c(line, ' ');
            }
        }
        printf("%s\n", line->str);
    }
    g_ptr_array_unref(table->rows);
    g_free(table);
}

void
mv_cli_print_pairs(const char *const *pairs)
{
    gsize width = 0;

    for (gsize i = 0; pairs[i]; i += 2)
        width = MAX(width, strlen(pairs[i]) + 1);
    for (gsize i = 0; pairs[i]; i += 2)
        printf("%s:%*s%s\n", pairs[i], (int)(width - strlen(pairs[i]) + 1), "", pairs[i + 1]);
}

void
mv_cli_print_json(JsonNode *node, bool compact)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autofree char *text = NULL;

    json_generator_set_pretty(gen, !compact);
    json_generator_set_indent(gen, 2);
    json_generator_set_root(gen, node);
    text = json_generator_to_data(gen, NULL);
    printf("%s\n", text);
    fflush(stdout);
    json_node_unref(node);
}

JsonNode *
mv_cli_json_subject(const char *key, const char *name, const char *uuid, const char *action)
{
    g_autoptr(JsonBuilder) b = json_builder_new();

    json_builder_begin_object(b);
    json_builder_set_member_name(b, key);
    json_builder_add_string_value(b, name);
    json_builder_set_member_name(b, "uuid");
    json_builder_add_string_value(b, uuid);
    if (action) {
        json_builder_set_member_name(b, "action");
        json_builder_add_string_value(b, action);
    }
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

JsonNode *
mv_cli_json_action(MvDomain *dom, const char *action)
{
    return mv_cli_json_subject("domain", mv_domain_get_name(dom), mv_domain_get_uuid_string(dom),
                               action);
}

int
mv_cli_print_list(MvCli *cli, JsonBuilder *b, MvCliTable *table)
{
    if (cli->json) {
        json_builder_end_array(b);
        mv_cli_print_json(json_builder_get_root(b), false);
    } else if (table) {
        mv_cli_table_print(table);
    }
    return MV_CLI_OK;
}
