/* Storage pool verbs: pool-list, pool-info, pool-define, pool-build,
 * pool-start, pool-destroy, pool-delete, pool-undefine, pool-refresh,
 * pool-autostart, pool-dumpxml (modvirt-storaged through libmodvirt). */
#include <stdio.h>

#include "verbs-storage.h"

gboolean mv_cli_pool_list_active, mv_cli_pool_list_inactive, mv_cli_pool_start_build;

char *
mv_cli_format_size(guint64 bytes)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    double v = (double)bytes;
    guint u = 0;

    while (v >= 1024 && u + 1 < G_N_ELEMENTS(units)) {
        v /= 1024;
        u++;
    }
    return u == 0 ? g_strdup_printf("%" G_GUINT64_FORMAT " B", bytes)
                  : g_strdup_printf("%.2f %s", v, units[u]);
}

MvStoragePool *
mv_cli_pool(MvCli *cli, const char *what)
{
    g_autoptr(GError) error = NULL;
    MvStoragePool *pool;

    if (!mv_cli_lookup_begin(cli, what))
        return NULL;
    pool = mv_storage_pool_lookup_by_name(cli->conn, what, 0, &error);
    if (!pool && mv_cli_lookup_try_uuid(&error, MV_ERROR_NO_STORAGE_POOL, what))
        pool = mv_storage_pool_lookup_by_uuid(cli->conn, what, 0, &error);
    if (!pool)
        return mv_cli_lookup_failed(cli, error, MV_ERROR_NO_STORAGE_POOL, "storage pool", what,
                                    "pool-list", "pools");
    return pool;
}

static JsonNode *
json_action(MvStoragePool *pool, const char *action)
{
    return mv_cli_json_subject("pool", mv_storage_pool_get_name(pool),
                               mv_storage_pool_get_uuid_string(pool), action);
}

/* What pool-list and pool-info show of one pool. */
typedef struct {
    bool active, persistent, autostart;
    MvStoragePoolInfo info;
} PoolFacts;

static bool
pool_facts(MvStoragePool *pool, PoolFacts *f, GError **error)
{
    return mv_storage_pool_is_active(pool, 0, &f->active, error) &&
           mv_storage_pool_is_persistent(pool, 0, &f->persistent, error) &&
           mv_storage_pool_get_autostart(pool, 0, &f->autostart, error) &&
           mv_storage_pool_get_info(pool, 0, &f->info, error);
}

static void
json_facts(JsonBuilder *b, MvStoragePool *pool, const PoolFacts *f, gint64 volumes)
{
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "name");
    json_builder_add_string_value(b, mv_storage_pool_get_name(pool));
    json_builder_set_member_name(b, "uuid");
    json_builder_add_string_value(b, mv_storage_pool_get_uuid_string(pool));
    json_builder_set_member_name(b, "state");
    json_builder_add_string_value(b, mv_storage_pool_state_name(f->info.state));
    json_builder_set_member_name(b, "active");
    json_builder_add_boolean_value(b, f->active);
    json_builder_set_member_name(b, "persistent");
    json_builder_add_boolean_value(b, f->persistent);
    json_builder_set_member_name(b, "autostart");
    json_builder_add_boolean_value(b, f->autostart);
    json_builder_set_member_name(b, "capacity");
    json_builder_add_int_value(b, (gint64)f->info.capacity);
    json_builder_set_member_name(b, "allocation");
    json_builder_add_int_value(b, (gint64)f->info.allocation);
    json_builder_set_member_name(b, "available");
    json_builder_add_int_value(b, (gint64)f->info.available);
    if (volumes >= 0) {
        json_builder_set_member_name(b, "volumes");
        json_builder_add_int_value(b, volumes);
    }
    json_builder_end_object(b);
}

/* ---- pool-list, pool-info --------------------------------------------------- */

int
mv_cli_run_pool_list(MvCli *cli, int argc, char **argv)
{
    unsigned int flags = 0;
    MvStoragePool **pools;
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonBuilder) b = json_builder_new();
    MvCliTable *table = NULL;

    if (mv_cli_pool_list_active && mv_cli_pool_list_inactive)
        return mv_cli_usage(cli, "--active and --inactive exclude each other");
    if (mv_cli_pool_list_active)
        flags |= MV_LIST_STORAGE_POOLS_ACTIVE;
    if (mv_cli_pool_list_inactive)
        flags |= MV_LIST_STORAGE_POOLS_INACTIVE;
    if (!mv_cli_connect(cli))
        return MV_CLI_FAILED;
    if (!(pools = mv_connect_list_storage_pools(cli->conn, flags, NULL, &error)))
        return mv_cli_fail(cli, error);
    if (cli->json)
        json_builder_begin_array(b);
    else if (!mv_cli_list_names)
        table = mv_cli_table_new("NAME", "STATE", "AUTOSTART", "PERSISTENT", "CAPACITY",
                                 "ALLOCATION", "AVAILABLE", NULL);
    for (MvStoragePool **p = pools; *p; p++) {
        PoolFacts f = { 0 };
        g_autofree char *cap = NULL, *alloc = NULL, *avail = NULL;

        if (mv_cli_list_names && !cli->json) {
            printf("%s\n", mv_storage_pool_get_name(*p));
            continue;
        }
        if (!pool_facts(*p, &f, &error)) {
            /* The pool went away between the list and this call: skip it. */
            if (error->code == MV_ERROR_NO_STORAGE_POOL) {
                g_clear_error(&error);
                continue;
            }
            mv_storage_pool_list_free(pools);
            if (table)
                mv_cli_table_print(table);
            return mv_cli_fail(cli, error);
        }
        if (cli->json) {
            json_facts(b, *p, &f, -1);
            continue;
        }
        cap = f.active ? mv_cli_format_size(f.info.capacity) : g_strdup("-");
        alloc = f.active ? mv_cli_format_size(f.info.allocation) : g_strdup("-");
        avail = f.active ? mv_cli_format_size(f.info.available) : g_strdup("-");
        mv_cli_table_add(table, mv_storage_pool_get_name(*p),
                         mv_storage_pool_state_name(f.info.state), f.autostart ? "yes" : "no",
                         f.persistent ? "yes" : "no", cap, alloc, avail, NULL);
    }
    mv_storage_pool_list_free(pools);
    return mv_cli_print_list(cli, b, table);
}

int
mv_cli_run_pool_info(MvCli *cli, int argc, char **argv)
{
    g_autoptr(MvStoragePool) pool = mv_cli_pool(cli, argv[0]);
    g_autoptr(GError) error = NULL;
    PoolFacts f = { 0 };
    gint64 nvols = -1;

    if (!pool)
        return MV_CLI_FAILED;
    if (!pool_facts(pool, &f, &error))
        return mv_cli_fail(cli, error);
    if (f.active) {
        gsize n = 0;
        MvStorageVolume **vols = mv_storage_pool_list_volumes(pool, 0, &n, &error);

        if (!vols)
            return mv_cli_fail(cli, error);
        mv_storage_volume_list_free(vols);
        nvols = (gint64)n;
    }
    if (cli->json) {
        g_autoptr(JsonBuilder) b = json_builder_new();

        json_facts(b, pool, &f, nvols);
        mv_cli_print_json(json_builder_get_root(b), false);
    } else {
        g_autofree char *cap = mv_cli_format_size(f.info.capacity);
        g_autofree char *alloc = mv_cli_format_size(f.info.allocation);
        g_autofree char *avail = mv_cli_format_size(f.info.available);
        g_autofree char *vols = nvols >= 0 ? g_strdup_printf("%" G_GINT64_FORMAT, nvols)
                                           : g_strdup("-");
        const char *pairs[] = {
            "Name", mv_storage_pool_get_name(pool),
            "UUID", mv_storage_pool_get_uuid_string(pool),
            "State", mv_storage_pool_state_name(f.info.state),
            "Persistent", f.persistent ? "yes" : "no",
            "Autostart", f.autostart ? "yes" : "no",
            "Capacity", f.active ? cap : "-",
            "Allocation", f.active ? alloc : "-",
            "Available", f.active ? avail : "-",
            "Volumes", vols,
            NULL,
        };

        mv_cli_print_pairs(pairs);
    }
    return MV_CLI_OK;
}

/* ---- pool-define and the actions --------------------------------------------- */

int
mv_cli_run_pool_define(MvCli *cli, int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = mv_cli_read_xml(cli, argv[0]);
    g_autoptr(MvStoragePool) pool = NULL;

    if (!xml || !mv_cli_connect(cli))
        return MV_CLI_FAILED;
    if (!(pool = mv_storage_pool_define(cli->conn, xml, MV_STORAGE_POOL_DEFINE_VALIDATE,
                                        &error)))
        return mv_cli_fail(cli, error);
    if (cli->json)
        mv_cli_print_json(json_action(pool, "defined"), false);
    else
        printf("Storage pool '%s' defined (UUID %s).\n", mv_storage_pool_get_name(pool),
               mv_storage_pool_get_uuid_string(pool));
    return MV_CLI_OK;
}

int
mv_cli_run_pool_action(MvCli *cli, int argc, char **argv)
{
    const char *verb = cli->verb->name;
    g_autoptr(MvStoragePool) pool = mv_cli_pool(cli, argv[0]);
    g_autoptr(GError) error = NULL;
    const char *action, *done;
    bool ok;

    if (!pool)
        return MV_CLI_FAILED;
    if (g_str_equal(verb, "pool-build")) {
        ok = mv_storage_pool_build(pool, 0, &error);
        action = "built";
        done = "built (its storage exists now)";
    } else if (g_str_equal(verb, "pool-start")) {
        ok = mv_storage_pool_start(pool, mv_cli_pool_start_build ? MV_STORAGE_POOL_START_BUILD
                                                                 : 0, &error);
        action = "started";
        done = "started";
    } else if (g_str_equal(verb, "pool-destroy")) {
        ok = mv_storage_pool_stop(pool, 0, &error);
        action = "destroyed";
        done = "stopped (its volumes are kept)";
    } else if (g_str_equal(verb, "pool-delete")) {
        ok = mv_storage_pool_delete_storage(pool, 0, &error);
        action = "deleted";
        done = "deleted (its storage is gone; the definition stays)";
    } else if (g_str_equal(verb, "pool-refresh")) {
        ok = mv_storage_pool_refresh(pool, 0, &error);
        action = "refreshed";
        done = "refreshed";
    } else {
        ok = mv_storage_pool_undefine(pool, 0, &error);
        action = "undefined";
        done = "undefined";
    }
    if (!ok)
        return mv_cli_fail(cli, error);
    if (cli->json)
        mv_cli_print_json(json_action(pool, action), false);
    else
        printf("Storage pool '%s' %s.\n", mv_storage_pool_get_name(pool), done);
    return MV_CLI_OK;
}

int
mv_cli_run_pool_autostart(MvCli *cli, int argc, char **argv)
{
    g_autoptr(MvStoragePool) pool = mv_cli_pool(cli, argv[0]);
    g_autoptr(GError) error = NULL;
    bool on = !mv_cli_autostart_disable;

    if (!pool)
        return MV_CLI_FAILED;
    if (!mv_storage_pool_set_autostart(pool, on, 0, &error))
        return mv_cli_fail(cli, error);
    if (cli->json)
        mv_cli_print_json(json_action(pool, on ? "autostart" : "no-autostart"), false);
    else
        printf("Storage pool '%s' %s.\n", mv_storage_pool_get_name(pool),
               on ? "starts whenever the daemon starts" : "no longer starts with the daemon");
    return MV_CLI_OK;
}

int
mv_cli_run_pool_dumpxml(MvCli *cli, int argc, char **argv)
{
    g_autoptr(MvStoragePool) pool = mv_cli_pool(cli, argv[0]);
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = NULL;

    if (!pool)
        return MV_CLI_FAILED;
    if (!(xml = mv_storage_pool_get_xml(pool, mv_cli_xml_inactive ? MV_STORAGE_POOL_XML_INACTIVE
                                                                  : 0, &error)))
        return mv_cli_fail(cli, error);
    fputs(xml, stdout);
    return MV_CLI_OK;
}
