/* Storage volume verbs: vol-list, vol-info, vol-create, vol-create-as,
 * vol-clone, vol-delete, vol-wipe, vol-resize, vol-dumpxml, vol-path
 * (modvirt-storaged through libmodvirt). */
#include <stdio.h>
#include <string.h>

#include "verbs-storage.h"

char *mv_cli_vol_format, *mv_cli_vol_allocation, *mv_cli_vol_backing;
gboolean mv_cli_vol_resize_shrink, mv_cli_vol_resize_allocate, mv_cli_vol_resize_delta;

bool
mv_cli_parse_size(const char *text, guint64 *ret_bytes)
{
    static const struct {
        const char *suffix;
        guint64 scale;
    } units[] = {
        { "", 1 }, { "b", 1 }, { "k", 1ull << 10 }, { "kib", 1ull << 10 }, { "kb", 1000 },
        { "m", 1ull << 20 }, { "mib", 1ull << 20 }, { "mb", 1000000 },
        { "g", 1ull << 30 }, { "gib", 1ull << 30 }, { "gb", 1000000000 },
        { "t", 1ull << 40 }, { "tib", 1ull << 40 }, { "tb", 1000000000000ull },
    };
    char *end = NULL;
    guint64 n;

    if (!text || !g_ascii_isdigit(*text))
        return false;
    n = g_ascii_strtoull(text, &end, 10);
    for (guint i = 0; i < G_N_ELEMENTS(units); i++) {
        if (g_ascii_strcasecmp(end, units[i].suffix) == 0) {
            if (n > G_MAXUINT64 / units[i].scale)
                return false;
            *ret_bytes = n * units[i].scale;
            return true;
        }
    }
    return false;
}

/* The volume @name of the pool @pool_name; NULL after printing the error. */
static MvStorageVolume *
cli_volume(MvCli *cli, const char *pool_name, const char *name, MvStoragePool **ret_pool)
{
    g_autoptr(MvStoragePool) pool = mv_cli_pool(cli, pool_name);
    g_autoptr(GError) error = NULL;
    MvStorageVolume *vol;

    if (!pool)
        return NULL;
    if (!(vol = mv_storage_volume_lookup_by_name(pool, name, 0, &error))) {
        if (g_error_matches(error, MV_ERROR, MV_ERROR_NO_STORAGE_VOLUME))
            return (mv_cli_failf(cli, "there is no volume '%s' in pool '%s'; run 'modvirt "
                                 "vol-list %s' to see its volumes", name, pool_name,
                                 pool_name), NULL);
        return (mv_cli_fail(cli, error), NULL);
    }
    if (ret_pool)
        *ret_pool = g_steal_pointer(&pool);
    return vol;
}

/* The target format named in a volume's XML ("raw", "qcow2"...), or NULL. */
static char *
xml_format(const char *xml)
{
    g_autoptr(GRegex) re = g_regex_new("<target>.*?<format type=['\"]([^'\"]+)['\"]",
                                       G_REGEX_DOTALL, 0, NULL);
    g_autoptr(GMatchInfo) m = NULL;

    if (re && g_regex_match(re, xml, 0, &m))
        return g_match_info_fetch(m, 1);
    return NULL;
}

/* What vol-list and vol-info show of one volume. */
typedef struct {
    MvStorageVolumeInfo info;
    char *path;
    char *format;
} VolFacts;

static void
vol_facts_clear(VolFacts *f)
{
    g_free(f->path);
    g_free(f->format);
}

static bool
vol_facts(MvStorageVolume *vol, VolFacts *f, GError **error)
{
    g_autofree char *xml = NULL;

    if (!mv_storage_volume_get_info(vol, 0, &f->info, error) ||
        !(f->path = mv_storage_volume_get_path(vol, 0, error)) ||
        !(xml = mv_storage_volume_get_xml(vol, 0, error)))
        return false;
    f->format = xml_format(xml);
    return true;
}

static void
json_vol(JsonBuilder *b, MvStorageVolume *vol, const VolFacts *f)
{
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "name");
    json_builder_add_string_value(b, mv_storage_volume_get_name(vol));
    json_builder_set_member_name(b, "pool");
    json_builder_add_string_value(b, mv_storage_volume_get_pool_name(vol));
    json_builder_set_member_name(b, "key");
    json_builder_add_string_value(b, mv_storage_volume_get_key(vol));
    json_builder_set_member_name(b, "path");
    json_builder_add_string_value(b, f->path);
    json_builder_set_member_name(b, "type");
    json_builder_add_string_value(b, mv_storage_volume_type_name(f->info.type));
    json_builder_set_member_name(b, "format");
    if (f->format)
        json_builder_add_string_value(b, f->format);
    else
        json_builder_add_null_value(b);
    json_builder_set_member_name(b, "capacity");
    json_builder_add_int_value(b, (gint64)f->info.capacity);
    json_builder_set_member_name(b, "allocation");
    json_builder_add_int_value(b, (gint64)f->info.allocation);
    json_builder_end_object(b);
}

static JsonNode *
json_action(MvStorageVolume *vol, const char *action)
{
    g_autoptr(JsonBuilder) b = json_builder_new();

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "volume");
    json_builder_add_string_value(b, mv_storage_volume_get_name(vol));
    json_builder_set_member_name(b, "pool");
    json_builder_add_string_value(b, mv_storage_volume_get_pool_name(vol));
    json_builder_set_member_name(b, "key");
    json_builder_add_string_value(b, mv_storage_volume_get_key(vol));
    json_builder_set_member_name(b, "action");
    json_builder_add_string_value(b, action);
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

/* ---- vol-list, vol-info ---------------------------------------------------------- */

int
mv_cli_run_vol_list(MvCli *cli, int argc, char **argv)
{
    g_autoptr(MvStoragePool) pool = mv_cli_pool(cli, argv[0]);
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonBuilder) b = json_builder_new();
    MvCliTable *table = NULL;
    MvStorageVolume **vols;

    if (!pool)
        return MV_CLI_FAILED;
    if (!(vols = mv_storage_pool_list_volumes(pool, 0, NULL, &error)))
        return mv_cli_fail(cli, error);
    if (cli->json)
        json_builder_begin_array(b);
    else if (!mv_cli_list_names)
        table = mv_cli_table_new("NAME", "TYPE", "FORMAT", "CAPACITY", "ALLOCATION", "PATH",
                                 NULL);
    for (MvStorageVolume **v = vols; *v; v++) {
        VolFacts f = { 0 };
        g_autofree char *cap = NULL, *alloc = NULL;

        if (mv_cli_list_names && !cli->json) {
            printf("%s\n", mv_storage_volume_get_name(*v));
            continue;
        }
        if (!vol_facts(*v, &f, &error)) {
            vol_facts_clear(&f);
            /* Deleted between the list and this call: skip it. */
            if (error->code == MV_ERROR_NO_STORAGE_VOLUME) {
                g_clear_error(&error);
                continue;
            }
            mv_storage_volume_list_free(vols);
            if (table)
                mv_cli_table_print(table);
            return mv_cli_fail(cli, error);
        }
        if (cli->json) {
            json_vol(b, *v, &f);
        } else {
            cap = mv_cli_format_size(f.info.capacity);
            alloc = mv_cli_format_size(f.info.allocation);
            mv_cli_table_add(table, mv_storage_volume_get_name(*v),
                             mv_storage_volume_type_name(f.info.type),
                             f.format ? f.format : "-", cap, alloc, f.path, NULL);
        }
        vol_facts_clear(&f);
    }
    mv_storage_volume_list_free(vols);
    return mv_cli_print_list(cli, b, table);
}

int
mv_cli_run_vol_info(MvCli *cli, int argc, char **argv)
{
    g_autoptr(MvStorageVolume) vol = cli_volume(cli, argv[0], argv[1], NULL);
    g_autoptr(GError) error = NULL;
    VolFacts f = { 0 };

    if (!vol)
        return MV_CLI_FAILED;
    if (!vol_facts(vol, &f, &error)) {
        vol_facts_clear(&f);
        return mv_cli_fail(cli, error);
    }
    if (cli->json) {
        g_autoptr(JsonBuilder) b = json_builder_new();

        json_vol(b, vol, &f);
        mv_cli_print_json(json_builder_get_root(b), false);
    } else {
        g_autofree char *cap = mv_cli_format_size(f.info.capacity);
        g_autofree char *alloc = mv_cli_format_size(f.info.allocation);
        const char *pairs[] = {
            "Name", mv_storage_volume_get_name(vol),
            "Pool", mv_storage_volume_get_pool_name(vol),
            "Path", f.path,
            "Type", mv_storage_volume_type_name(f.info.type),
            "Format", f.format ? f.format : "-",
            "Capacity", cap,
            "Allocation", alloc,
            NULL,
        };

        mv_cli_print_pairs(pairs);
    }
    vol_facts_clear(&f);
    return MV_CLI_OK;
}

/* ---- creating ------------------------------------------------------------------------ */

static int
created(MvCli *cli, MvStorageVolume *vol, const char *how)
{
    if (cli->json)
        mv_cli_print_json(json_action(vol, how), false);
    else
        printf("Volume '%s' %s in pool '%s'.\n", mv_storage_volume_get_name(vol), how,
               mv_storage_volume_get_pool_name(vol));
    return MV_CLI_OK;
}

int
mv_cli_run_vol_create(MvCli *cli, int argc, char **argv)
{
    g_autoptr(MvStoragePool) pool = mv_cli_pool(cli, argv[0]);
    g_autofree char *xml = pool ? mv_cli_read_xml(cli, argv[1]) : NULL;
    g_autoptr(MvStorageVolume) vol = NULL;
    g_autoptr(GError) error = NULL;

    if (!xml)
        return MV_CLI_FAILED;
    if (!(vol = mv_storage_volume_create(pool, xml, MV_STORAGE_VOLUME_CREATE_VALIDATE, &error)))
        return mv_cli_fail(cli, error);
    return created(cli, vol, "created");
}

int
mv_cli_run_vol_create_as(MvCli *cli, int argc, char **argv)
{
    g_autoptr(MvStoragePool) pool = NULL;
    g_autoptr(MvStorageVolume) vol = NULL;
    g_autoptr(MvStorageVolume) backing = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GString) xml = g_string_new(NULL);
    g_autofree char *name = NULL;
    guint64 capacity, allocation = 0;

    if (!mv_cli_parse_size(argv[2], &capacity))
        return mv_cli_usage(cli, "'%s' is not a size (a number with an optional unit: K, M, "
                            "G, T, KiB, MB...)", argv[2]);
    if (mv_cli_vol_allocation && !mv_cli_parse_size(mv_cli_vol_allocation, &allocation))
        return mv_cli_usage(cli, "--allocation '%s' is not a size", mv_cli_vol_allocation);
    if (!(pool = mv_cli_pool(cli, argv[0])))
        return MV_CLI_FAILED;
    if (mv_cli_vol_backing && !(backing = cli_volume(cli, argv[0], mv_cli_vol_backing, NULL)))
        return MV_CLI_FAILED;
    name = g_markup_escape_text(argv[1], -1);
    g_string_append_printf(xml, "<volume>\n  <name>%s</name>\n"
                           "  <capacity unit='bytes'>%" G_GUINT64_FORMAT "</capacity>\n"
                           "  <allocation unit='bytes'>%" G_GUINT64_FORMAT "</allocation>\n",
                           name, capacity, allocation);
    if (mv_cli_vol_format) {
        g_autofree char *fmt = g_markup_escape_text(mv_cli_vol_format, -1);
        g_string_append_printf(xml, "  <target>\n    <format type='%s'/>\n  </target>\n", fmt);
    }
    if (backing) {
        g_autofree char *path = mv_storage_volume_get_path(backing, 0, &error);
        g_autofree char *bxml = path ? mv_storage_volume_get_xml(backing, 0, &error) : NULL;
        g_autofree char *bfmt = bxml ? xml_format(bxml) : NULL;
        g_autofree char *epath = path ? g_markup_escape_text(path, -1) : NULL;

        if (!bxml)
            return mv_cli_fail(cli, error);
        g_string_append_printf(xml, "  <backingStore>\n    <path>%s</path>\n", epath);
        if (bfmt)
            g_string_append_printf(xml, "    <format type='%s'/>\n", bfmt);
        g_string_append(xml, "  </backingStore>\n");
    }
    g_string_append(xml, "</volume>\n");
    if (!(vol = mv_storage_volume_create(pool, xml->str, 0, &error)))
        return mv_cli_fail(cli, error);
    return created(cli, vol, "created");
}

int
mv_cli_run_vol_clone(MvCli *cli, int argc, char **argv)
{
    g_autoptr(MvStoragePool) pool = NULL;
    g_autoptr(MvStorageVolume) src = cli_volume(cli, argv[0], argv[1], &pool);
    g_autoptr(MvStorageVolume) vol = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *srcxml = NULL;
    g_autofree char *fmt = NULL;
    g_autofree char *name = g_markup_escape_text(argv[2], -1);
    g_autofree char *xml = NULL;

    if (!src)
        return MV_CLI_FAILED;
    if (!(srcxml = mv_storage_volume_get_xml(src, 0, &error)))
        return mv_cli_fail(cli, error);
    fmt = xml_format(srcxml);
    /* No capacity: the clone gets the source's. */
    xml = g_strdup_printf("<volume>\n  <name>%s</name>\n  <target>\n    <format type='%s'/>\n"
                          "  </target>\n</volume>\n", name, fmt ? fmt : "raw");
    if (!(vol = mv_storage_volume_create_from(pool, xml, src, 0, &error)))
        return mv_cli_fail(cli, error);
    return created(cli, vol, "cloned");
}

/* ---- vol-delete, vol-wipe, vol-resize, vol-dumpxml, vol-path --------------------------- */

int
mv_cli_run_vol_action(MvCli *cli, int argc, char **argv)
{
    const char *verb = cli->verb->name;
    g_autoptr(MvStorageVolume) vol = cli_volume(cli, argv[0], argv[1], NULL);
    g_autoptr(GError) error = NULL;
    const char *action;
    bool ok;

    if (!vol)
        return MV_CLI_FAILED;
    if (g_str_equal(verb, "vol-delete")) {
        ok = mv_storage_volume_delete(vol, 0, &error);
        action = "deleted";
    } else {
        ok = mv_storage_volume_wipe(vol, 0, &error);
        action = "wiped";
    }
    if (!ok)
        return mv_cli_fail(cli, error);
    if (cli->json)
        mv_cli_print_json(json_action(vol, action), false);
    else
        printf("Volume '%s' of pool '%s' %s.\n", mv_storage_volume_get_name(vol),
               mv_storage_volume_get_pool_name(vol), action);
    return MV_CLI_OK;
}

int
mv_cli_run_vol_resize(MvCli *cli, int argc, char **argv)
{
    g_autoptr(MvStorageVolume) vol = NULL;
    g_autoptr(GError) error = NULL;
    unsigned int flags = (mv_cli_vol_resize_shrink ? MV_STORAGE_VOLUME_RESIZE_SHRINK : 0) |
                         (mv_cli_vol_resize_allocate ? MV_STORAGE_VOLUME_RESIZE_ALLOCATE : 0) |
                         (mv_cli_vol_resize_delta ? MV_STORAGE_VOLUME_RESIZE_DELTA : 0);
    guint64 capacity;

    if (!mv_cli_parse_size(argv[2], &capacity))
        return mv_cli_usage(cli, "'%s' is not a size (a number with an optional unit: K, M, "
                            "G, T, KiB, MB...)", argv[2]);
    if (!(vol = cli_volume(cli, argv[0], argv[1], NULL)))
        return MV_CLI_FAILED;
    if (!mv_storage_volume_resize(vol, capacity, flags, &error))
        return mv_cli_fail(cli, error);
    if (cli->json) {
        mv_cli_print_json(json_action(vol, "resized"), false);
    } else {
        MvStorageVolumeInfo info;
        g_autofree char *size = mv_storage_volume_get_info(vol, 0, &info, NULL)
                                    ? mv_cli_format_size(info.capacity) : g_strdup("?");

        printf("Volume '%s' of pool '%s' resized to %s.\n", mv_storage_volume_get_name(vol),
               mv_storage_volume_get_pool_name(vol), size);
    }
    return MV_CLI_OK;
}

int
mv_cli_run_vol_dumpxml(MvCli *cli, int argc, char **argv)
{
    g_autoptr(MvStorageVolume) vol = cli_volume(cli, argv[0], argv[1], NULL);
    g_autoptr(GError) error = NULL;
    g_autofree char *text = NULL;
    bool path = g_str_equal(cli->verb->name, "vol-path");

    if (!vol)
        return MV_CLI_FAILED;
    text = path ? mv_storage_volume_get_path(vol, 0, &error)
                : mv_storage_volume_get_xml(vol, 0, &error);
    if (!text)
        return mv_cli_fail(cli, error);
    if (path && cli->json) {
        g_autoptr(JsonBuilder) b = json_builder_new();

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "path");
        json_builder_add_string_value(b, text);
        json_builder_end_object(b);
        mv_cli_print_json(json_builder_get_root(b), false);
    } else {
        printf(path ? "%s\n" : "%s", text);
    }
    return MV_CLI_OK;
}
