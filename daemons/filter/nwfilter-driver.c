/* modvirt-filterd's network filters and bindings (see nwfilter-driver.h). */
#define MV_LOG_CATEGORY "nwfilter"
#include "nwfilter-driver.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "driver/list.h"
#include "driver/store.h"
#include "filter-nft.h"
#include "nwfilter-compile.h"
#include "util/error.h"
#include "util/file.h"
#include "util/log.h"
#include "util/uuid.h"

typedef struct {
    MV_DRIVER_OBJECT_HEADER;
    MvNWFilterDef *def;         /* replaced under the state's lock */
} NWFilterObj;

typedef struct {
    MvNWFilterBindingDef *def;
    GStrv chains;               /* the port's chains in the kernel (for its removal) */
} Binding;

struct _MvNWFilterState {
    MvFilterDriver *driver;
    GMutex lock;                /* every change, and the compiler's reads */
    MvDriverList *filters;
    MvDriverStore *store;       /* <etc>/nwfilter + <run>/filter/nwfilter-bindings */
    GHashTable *bindings;       /* portdev → Binding */
    unsigned int flags;         /* MvNWFilterCompileFlags the kernel allows */
    JsonNode *expected;         /* the table's listing after our last transaction, or NULL
                                 * (no bindings: no table) */
    bool listing_due;           /* expected is out of date: list the table (soon) */
    guint listing_source;
};

/* The listing the doctor compares is taken this long after the last change
 * (changes in a burst share one listing), or at once when asked for. */
#define LISTING_DELAY_MS 200

static void
nwfilter_obj_finalize(MvDriverObject *obj)
{
    mv_nwfilter_def_free(((NWFilterObj *)obj)->def);
}

static const MvDriverObjectClass nwfilter_class = {
    .noun = "nwfilter",
    .error_from = MV_FROM_NWFILTER,
    .conf_from = MV_FROM_NWFILTER,
    .no_object = MV_ERR_NO_NWFILTER,
    .not_found = "Network filter not found",
    .not_active = "nwfilter is not active",
    .finalize = nwfilter_obj_finalize,
};

static void
binding_free(gpointer p)
{
    Binding *b = p;

    mv_nwfilter_binding_def_free(b->def);
    g_strfreev(b->chains);
    g_free(b);
}

/* ---- the compiler's view: defined filters, one replaced or removed ---- */

typedef struct {
    MvNWFilterState *state;
    const char *replaced;           /* a filter name ... */
    const MvNWFilterDef *with;      /* ... seen as this (NULL: as undefined) */
} View;

static const MvNWFilterDef *
view_lookup(const char *name, gpointer data)
{
    View *view = data;
    MvDriverObject *obj;
    const MvNWFilterDef *def;

    if (view->replaced && strcmp(name, view->replaced) == 0)
        return view->with;
    if (!(obj = mv_driver_list_find_by_name(view->state->filters, name)))
        return NULL;
    def = ((NWFilterObj *)obj)->def;   /* the list keeps the object alive */
    mv_driver_object_unref(obj);
    return def;
}

static int
str_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The bound ports (borrowed keys), sorted. */
static GPtrArray *
sorted_ports(MvNWFilterState *state)
{
    GPtrArray *ports = g_ptr_array_new();
    GHashTableIter it;
    gpointer key;

    g_hash_table_iter_init(&it, state->bindings);
    while (g_hash_table_iter_next(&it, &key, NULL))
        g_ptr_array_add(ports, key);
    g_ptr_array_sort(ports, str_cmp);
    return ports;
}

/* One port's rules as @view sees the filters; @ret_chains its chains. */
static char *
port_text(MvNWFilterState *state, View *view, const MvNWFilterBindingDef *def,
          GStrv *ret_chains, GError **error)
{
    g_autoptr(MvNWFilterVars) vars = mv_nwfilter_vars_for_binding(def);
    g_autoptr(GError) err = NULL;
    char *text = mv_nwfilter_compile(def->portdev, def->filterref->filter, vars, view_lookup,
                                     view, state->flags, ret_chains, &err);

    if (!text)
        mv_error_set(error, err->domain == MV_ERROR ? MV_FROM_NWFILTER : 0, err->code,
                     "the binding of port '%s': %s", def->portdev, err->message);
    return text;
}

static bool rebuild(MvNWFilterState *state, GError **error);

/* Records what the table holds now (lock held). A table that vanished while
 * there are bindings (before its listing was taken) is rebuilt first. */
static void
record_listing(MvNWFilterState *state)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        g_autoptr(GError) err = NULL;
        bool exists = false;

        state->listing_due = false;
        g_clear_pointer(&state->expected, json_node_unref);
        if (!mv_filter_nft_table_exists(state->driver->nft, "bridge", "modvirt", &exists,
                                        &err)) {
            mv_log_warning("cannot record table bridge modvirt: %s", err->message);
            return;
        }
        if (exists) {
            if (!(state->expected = mv_filter_nft_list_json(state->driver->nft,
                                                            "list table bridge modvirt",
                                                            &err)))
                mv_log_warning("cannot record table bridge modvirt: %s", err->message);
            return;
        }
        if (!g_hash_table_size(state->bindings) || attempt > 0)
            return;
        mv_log_warning("table bridge modvirt vanished from the kernel: re-applied");
        if (!rebuild(state, &err)) {
            mv_log_warning("cannot rebuild table bridge modvirt: %s", err->message);
            return;
        }
    }
}

static gboolean
listing_timer(gpointer data)
{
    MvNWFilterState *state = data;

    g_mutex_lock(&state->lock);
    /* a change made while this timer waited for the lock set a new one */
    if (state->listing_source != g_source_get_id(g_main_current_source())) {
        g_mutex_unlock(&state->lock);
        return G_SOURCE_REMOVE;
    }
    state->listing_source = 0;
    if (state->listing_due)
        record_listing(state);
    g_mutex_unlock(&state->lock);
    return G_SOURCE_REMOVE;
}

/* Runs one transaction (lock held); the expectation follows once changes
 * pause for LISTING_DELAY_MS: listing the table costs as much as its size,
 * so a burst of changes (100 guests starting) is listed once, not after each
 * change. The doctor lists a due expectation itself before comparing. */
static bool
run(MvNWFilterState *state, const char *text, GError **error)
{
    if (!mv_filter_nft_run(state->driver->nft, text, error))
        return false;
    state->listing_due = true;
    if (state->listing_source)
        g_source_remove(state->listing_source);
    state->listing_source = g_timeout_add(LISTING_DELAY_MS, listing_timer, state);
    return true;
}

#define TABLE_RESET "add table bridge modvirt\ndelete table bridge modvirt\n"

/* The test fault points: MV_TEST_CRASH_AT=<point> kills filterd there
 * (binding-create-applied: the kernel has a new binding's rules, its file is
 * not written; nwfilter-install-partial: one shipped filter is installed). */
static void
crash_point(const char *point)
{
    const char *at = g_getenv("MV_TEST_CRASH_AT");

    if (at && g_str_equal(at, point)) {
        mv_log_info("MV_TEST_CRASH_AT=%s: killing myself", point);
        raise(SIGKILL);
    }
}

/* The whole table rebuilt from the bindings in one transaction (start, repair). */
static bool
rebuild(MvNWFilterState *state, GError **error)
{
    View view = { .state = state };
    g_autoptr(GPtrArray) ports = sorted_ports(state);
    g_autoptr(GString) out = g_string_new(TABLE_RESET);
    g_autoptr(GPtrArray) chains = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);

    if (ports->len) {
        g_autofree char *base = mv_nwfilter_nft_base();

        g_string_append(out, base);
    }
    for (guint i = 0; i < ports->len; i++) {
        Binding *b = g_hash_table_lookup(state->bindings, g_ptr_array_index(ports, i));
        GStrv names = NULL;
        g_autofree char *text = port_text(state, &view, b->def, &names, error);

        if (!text)
            return false;
        g_ptr_array_add(chains, names);
        g_string_append(out, text);
    }
    if (!run(state, out->str, error))
        return false;
    for (guint i = 0; i < ports->len; i++) {
        Binding *b = g_hash_table_lookup(state->bindings, g_ptr_array_index(ports, i));

        g_strfreev(b->chains);
        b->chains = g_steal_pointer(&chains->pdata[i]);
    }
    return true;
}

/* Every binding whose filter tree uses @name (before or after a redefinition). */
static GPtrArray *bindings_using(MvNWFilterState *state, View *view, const char *name);

/* Redefinition of filter @view->replaced: its users' chains replaced in one transaction. */
static bool
reapply_users(MvNWFilterState *state, View *view, GError **error)
{
    g_autoptr(GPtrArray) users = bindings_using(state, view, view->replaced);
    g_autoptr(GString) out = g_string_new(NULL);
    g_autoptr(GPtrArray) chains = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);

    if (!users->len)
        return true;
    for (guint i = 0; i < users->len; i++) {
        Binding *b = g_ptr_array_index(users, i);
        g_autofree char *remove = mv_nwfilter_nft_remove(b->def->portdev,
                                                         (const char *const *)b->chains);
        GStrv names = NULL;
        g_autofree char *text = port_text(state, view, b->def, &names, error);

        if (!text)
            return false;
        g_ptr_array_add(chains, names);
        g_string_append(out, remove);
        g_string_append(out, text);
    }
    if (!run(state, out->str, error))
        return false;
    for (guint i = 0; i < users->len; i++) {
        Binding *b = g_ptr_array_index(users, i);

        g_strfreev(b->chains);
        b->chains = g_steal_pointer(&chains->pdata[i]);
    }
    return true;
}

/* ---- start ---- */

static unsigned int
probe_kernel(MvFilterNft *nft)
{
    unsigned int flags = 0;

    if (mv_filter_nft_run(nft, "add table bridge modvirt-probe\n"
                               "add chain bridge modvirt-probe c\n"
                               "add rule bridge modvirt-probe c ct state established accept\n"
                               "delete table bridge modvirt-probe\n", NULL))
        flags |= MV_NWFILTER_COMPILE_CONNTRACK;
    if (mv_filter_nft_run(nft, "add table bridge modvirt-probe\n"
                               "add chain bridge modvirt-probe c "
                               "{ type filter hook prerouting priority 0; }\n"
                               "add rule bridge modvirt-probe c reject\n"
                               "delete table bridge modvirt-probe\n", NULL))
        flags |= MV_NWFILTER_COMPILE_REJECT;
    return flags;
}

static bool
add_filter(MvNWFilterState *state, MvNWFilterDef *def, GError **error)
{
    NWFilterObj *obj = g_new0(NWFilterObj, 1);

    if (!def->has_uuid) {
        mv_uuid_generate(def->uuid);
        def->has_uuid = true;
    }
    mv_driver_object_init(MV_DRIVER_OBJECT(obj), &nwfilter_class, def->name, def->uuid);
    obj->persistent = true;
    obj->def = def;
    if (!mv_driver_list_add(state->filters, MV_DRIVER_OBJECT(obj), error)) {
        obj->def = NULL;
        mv_driver_object_unref(MV_DRIVER_OBJECT(obj));
        return false;
    }
    mv_driver_object_unref(MV_DRIVER_OBJECT(obj));
    return true;
}

static bool
reconcile_config(const char *path, const char *xml, bool autostart, gpointer data,
                 GError **error)
{
    MvNWFilterDef *def = mv_nwfilter_def_parse(xml, error);

    (void)path;
    (void)autostart;
    if (!def)
        return false;
    if (!add_filter(data, def, error)) {
        mv_nwfilter_def_free(def);
        return false;
    }
    return true;
}

static bool
reconcile_status(const char *path, const char *text, bool has_config, gpointer data,
                 GError **error)
{
    MvNWFilterState *state = data;
    Binding *b;
    MvNWFilterBindingDef *def = mv_nwfilter_binding_def_parse(text, error);

    (void)path;
    (void)has_config;
    if (!def)
        return false;
    b = g_new0(Binding, 1);
    b->def = def;
    g_hash_table_replace(state->bindings, g_strdup(def->portdev), b);
    return true;
}

static void
reconcile_rejected(const char *path, bool is_status, const GError *error, gpointer data)
{
    (void)data;
    mv_log_warning("ignoring %s %s: %s", is_status ? "binding" : "filter", path,
                   error->message);
}

static const char *
shipped_dir(void)
{
    const char *dir = g_getenv("MV_NWFILTER_DIR");

    if (dir && *dir)
        return dir;
    return g_file_test(MV_NWFILTER_SOURCE_DIR, G_FILE_TEST_IS_DIR) ? MV_NWFILTER_SOURCE_DIR
                                                                  : MV_NWFILTER_INSTALL_DIR;
}

/* Empties and removes the directory @dir (files only); a missing one is fine. */
static bool
remove_staging(const char *dir, GError **error)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, name, NULL);

        if (!mv_file_remove(path, error))
            return false;
    }
    if (rmdir(dir) < 0 && errno != ENOENT)
        return mv_error_set_errno(error, MV_FROM_NWFILTER, errno, "Cannot remove '%s'", dir);
    return true;
}

/* The very first start: the shipped filters become definitions. They are
 * written into <etc>/nwfilter.new, which is then renamed into place: a first
 * start killed (or out of space) half-way leaves no partial set that the next
 * start would take for the user's filters; that start installs them again. */
static bool
install_shipped(MvNWFilterState *state, GError **error)
{
    const char *dir = shipped_dir();
    const char *etc = mv_driver_store_config_dir(state->store);
    g_autofree char *staging = g_strconcat(etc, ".new", NULL);
    g_autofree char *parent = g_path_get_dirname(etc);
    g_autoptr(MvDriverStore) store =
        mv_driver_store_new(staging, mv_driver_store_status_dir(state->store), MV_FROM_NWFILTER);
    g_autoptr(GDir) d = g_dir_open(dir, 0, error);
    const char *name;
    int fd;

    if (!d || !remove_staging(staging, error) || !mv_driver_store_create_dirs(store, error))
        return false;
    while ((name = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        g_autofree char *xml = NULL;
        g_autoptr(MvNWFilterDef) def = NULL;
        g_autofree char *canonical = NULL;

        if (!g_str_has_suffix(name, ".xml"))
            continue;
        if (!g_file_get_contents(path, &xml, NULL, error) ||
            !(def = mv_nwfilter_def_parse(xml, error)))
            return false;
        mv_uuid_generate(def->uuid);
        def->has_uuid = true;
        canonical = mv_nwfilter_def_format(def);
        if (!mv_driver_store_save_config(store, def->name, canonical, error))
            return false;
        crash_point("nwfilter-install-partial");
    }
    if (rename(staging, etc) < 0)
        return mv_error_set_errno(error, MV_FROM_NWFILTER, errno,
                                  "Cannot install the shipped filters into '%s'", etc);
    /* the rename is durable once the parent directory is */
    if ((fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    return true;
}

static MvNWFilterState *
state_new(MvFilterDriver *driver, GError **error)
{
    g_autoptr(GError) err = NULL;
    const MvPaths *paths = mv_daemon_get_paths(driver->daemon);
    g_autofree char *etc = mv_paths_definitions_dir(paths, "nwfilter");
    g_autofree char *run = g_build_filename(driver->state_dir, "nwfilter-bindings", NULL);
    MvNWFilterState *state = g_new0(MvNWFilterState, 1);
    MvDriverReconcile cb = { .config = reconcile_config, .status = reconcile_status,
                             .rejected = reconcile_rejected };
    bool first = !g_file_test(etc, G_FILE_TEST_IS_DIR);

    g_mutex_init(&state->lock);
    state->driver = driver;
    state->filters = mv_driver_list_new(&nwfilter_class, state);
    state->store = mv_driver_store_new(etc, run, MV_FROM_NWFILTER);
    state->bindings = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, binding_free);
    state->flags = probe_kernel(driver->nft);
    mv_log_debug("bridge conntrack %s, bridge reject %s",
                 state->flags & MV_NWFILTER_COMPILE_CONNTRACK ? "yes" : "no",
                 state->flags & MV_NWFILTER_COMPILE_REJECT ? "yes" : "no");
    if ((first && !install_shipped(state, error)) ||
        !mv_driver_store_create_dirs(state->store, error)) {
        mv_nwfilter_state_free(state);
        return NULL;
    }
    mv_driver_store_reconcile(state->store, &cb, state);
    /* The kernel may still hold the rules (filterd stops without removing
     * them) or have lost them: either way, rebuild from the bindings. Without
     * bindings no table may stay: a filterd killed between applying a first
     * binding's rules and writing its file left one for no binding. */
    g_mutex_lock(&state->lock);
    if (g_hash_table_size(state->bindings) && !rebuild(state, &err))
        mv_log_warning("cannot apply the filter bindings again: %s", err->message);
    else if (!g_hash_table_size(state->bindings) &&
             !mv_filter_nft_run(driver->nft, TABLE_RESET, &err))
        mv_log_warning("cannot remove table bridge modvirt: %s", err->message);
    g_mutex_unlock(&state->lock);
    return state;
}

MvNWFilterState *
mv_nwfilter_state_get(MvFilterDriver *driver, GError **error)
{
    static GMutex init_lock;
    MvNWFilterState *state;

    g_mutex_lock(&init_lock);
    if (!driver->nwfilter)
        driver->nwfilter = state_new(driver, error);
    state = driver->nwfilter;
    g_mutex_unlock(&init_lock);
    return state;
}

static JsonNode *
owned_expected(gpointer data)
{
    MvNWFilterState *state = data;
    JsonNode *node;

    g_mutex_lock(&state->lock);
    if (state->listing_due)
        record_listing(state);
    node = state->expected ? json_node_ref(state->expected) : NULL;
    g_mutex_unlock(&state->lock);
    return node;
}

static bool
owned_present(gpointer data)
{
    MvNWFilterState *state = data;
    bool present;

    g_mutex_lock(&state->lock);
    present = g_hash_table_size(state->bindings) > 0;
    g_mutex_unlock(&state->lock);
    return present;
}

static bool
owned_reapply(gpointer data, GError **error)
{
    return mv_nwfilter_reapply(data, error);
}

bool
mv_nwfilter_start(MvFilterDriver *driver, GError **error)
{
    MvNWFilterState *state = mv_nwfilter_state_get(driver, error);
    MvFilterOwnedTable table = { .family = "bridge", .name = "modvirt",
                                 .expected = owned_expected, .present = owned_present,
                                 .reapply = owned_reapply,
                                 .data = state };

    if (!state)
        return false;
    mv_filter_driver_add_table(driver, &table);
    return true;
}

void
mv_nwfilter_stop(MvFilterDriver *driver)
{
    g_clear_pointer(&driver->nwfilter, mv_nwfilter_state_free);
}

void
mv_nwfilter_state_free(MvNWFilterState *state)
{
    if (!state)
        return;
    if (state->listing_source)
        g_source_remove(state->listing_source);
    g_clear_pointer(&state->expected, json_node_unref);
    mv_driver_list_free(state->filters);
    mv_driver_store_free(state->store);
    g_hash_table_unref(state->bindings);
    g_mutex_clear(&state->lock);
    g_free(state);
}

/* ---- filters ---- */

static void
ref_set(MvObjectRef *ret, const char *name, const guint8 uuid[16])
{
    ret->name = g_strdup(name);
    memcpy(ret->uuid, uuid, 16);
}

static MvDriverObject *
find(MvNWFilterState *state, const char *name, const guint8 *uuid, GError **error)
{
    MvDriverObject *obj;
    char text[MV_UUID_STRING_LEN];

    if (uuid && (obj = mv_driver_list_find_by_uuid(state->filters, uuid)))
        return obj;
    if (!uuid && (obj = mv_driver_list_find_by_name(state->filters, name)))
        return obj;
    if (uuid) {
        mv_uuid_format(uuid, text);
        mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_NO_NWFILTER,
                     "Network filter not found: no nwfilter with matching uuid '%s'%s%s%s",
                     text, name ? " (" : "", name ? name : "", name ? ")" : "");
    } else {
        mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_NO_NWFILTER,
                     "Network filter not found: no nwfilter with matching name '%s'", name);
    }
    return NULL;
}

/* Whether the tree of @top (as @view sees it) includes filter @name. */
static bool
tree_uses(View *view, const char *top, const char *name, GHashTable *seen)
{
    const MvNWFilterDef *def;

    if (strcmp(top, name) == 0)
        return true;
    if (g_hash_table_contains(seen, top) || !(def = view_lookup(top, view)))
        return false;
    g_hash_table_add(seen, (gpointer)top);
    for (guint i = 0; i < def->entries->len; i++) {
        const MvNWFilterEntry *e = g_ptr_array_index(def->entries, i);

        if (e->ref && tree_uses(view, e->ref->filter, name, seen))
            return true;
    }
    return false;
}

static GPtrArray *
bindings_using(MvNWFilterState *state, View *view, const char *name)
{
    g_autoptr(GPtrArray) ports = sorted_ports(state);
    View old = { .state = state };
    GPtrArray *out = g_ptr_array_new();

    for (guint i = 0; i < ports->len; i++) {
        Binding *b = g_hash_table_lookup(state->bindings, g_ptr_array_index(ports, i));
        g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
        g_autoptr(GHashTable) seen2 = g_hash_table_new(g_str_hash, g_str_equal);

        if (tree_uses(&old, b->def->filterref->filter, name, seen) ||
            tree_uses(view, b->def->filterref->filter, name, seen2))
            g_ptr_array_add(out, b);
    }
    return out;
}

/* The first binding (by port) whose filter tree includes @name, or NULL. */
static const char *
binding_using(MvNWFilterState *state, const char *name)
{
    g_autoptr(GPtrArray) ports = sorted_ports(state);
    View view = { .state = state };

    for (guint i = 0; i < ports->len; i++) {
        Binding *b = g_hash_table_lookup(state->bindings, g_ptr_array_index(ports, i));
        g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

        if (tree_uses(&view, b->def->filterref->filter, name, seen))
            return b->def->portdev;
    }
    return NULL;
}

/* A redefinition whose file could not be written (disk full, read-only): its
 * users get the rules of the definition that stays in force again. */
static void
restore_users(MvNWFilterState *state, NWFilterObj *obj)
{
    View back = { .state = state, .replaced = obj->def->name, .with = obj->def };
    g_autoptr(GError) err = NULL;

    if (!reapply_users(state, &back, &err))
        mv_log_warning("nwfilter '%s': cannot restore the rules of its users: %s (run "
                       "'modvirt firewall check --repair')", obj->def->name, err->message);
}

bool
mv_nwfilter_define(MvNWFilterState *state, const char *xml, MvObjectRef *ret, GError **error)
{
    g_autoptr(MvNWFilterDef) def = mv_nwfilter_def_parse(xml, error);
    g_autofree char *canonical = NULL;
    MvDriverObject *by_name, *by_uuid = NULL;
    View view = { .state = state };
    char text[MV_UUID_STRING_LEN];
    bool ok = false;

    if (!def)
        return false;
    g_mutex_lock(&state->lock);
    by_name = mv_driver_list_find_by_name(state->filters, def->name);
    if (def->has_uuid)
        by_uuid = mv_driver_list_find_by_uuid(state->filters, def->uuid);
    if (by_name && def->has_uuid && memcmp(by_name->uuid, def->uuid, 16) != 0) {
        mv_uuid_format(by_name->uuid, text);
        mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_OPERATION_FAILED,
                     "nwfilter '%s' already exists with uuid %s", def->name, text);
        goto out;
    }
    if (by_uuid && by_uuid != by_name) {
        mv_uuid_format(def->uuid, text);
        mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_OPERATION_FAILED,
                     "nwfilter with uuid %s already exists under the name '%s'", text,
                     by_uuid->name);
        goto out;
    }
    if (by_name)
        memcpy(def->uuid, by_name->uuid, 16);
    else if (!def->has_uuid)
        mv_uuid_generate(def->uuid);
    def->has_uuid = true;
    view.replaced = def->name;
    view.with = def;
    if (!mv_nwfilter_check_loops(def, view_lookup, &view, error))
        goto out;
    /* Redefining re-applies every binding at once (one transaction). */
    if (by_name && !reapply_users(state, &view, error))
        goto out;
    canonical = mv_nwfilter_def_format(def);
    if (!mv_driver_store_save_config(state->store, def->name, canonical, error)) {
        if (by_name)
            restore_users(state, (NWFilterObj *)by_name);
        goto out;
    }
    ref_set(ret, def->name, def->uuid);
    if (by_name) {
        NWFilterObj *obj = (NWFilterObj *)by_name;

        mv_nwfilter_def_free(obj->def);
        obj->def = g_steal_pointer(&def);
    } else {
        MvNWFilterDef *owned = g_steal_pointer(&def);

        if (!add_filter(state, owned, error)) {
            mv_nwfilter_def_free(owned);
            mv_object_ref_clear(ret);
            goto out;
        }
    }
    ok = true;
out:
    mv_driver_object_unref(by_name);
    mv_driver_object_unref(by_uuid);
    g_mutex_unlock(&state->lock);
    return ok;
}

bool
mv_nwfilter_undefine(MvNWFilterState *state, const MvObjectRef *ref, GError **error)
{
    MvDriverObject *obj;
    const char *port;
    bool ok = false;

    g_mutex_lock(&state->lock);
    if (!(obj = find(state, ref->name, ref->uuid, error)))
        goto out;
    if ((port = binding_using(state, obj->name))) {
        mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_OPERATION_INVALID,
                     "nwfilter '%s' is in use by the filter binding of port '%s': delete "
                     "that binding first", obj->name, port);
        goto out;
    }
    if (!mv_driver_store_delete_config(state->store, obj->name, error))
        goto out;
    mv_driver_list_remove(state->filters, obj);
    ok = true;
out:
    mv_driver_object_unref(obj);
    g_mutex_unlock(&state->lock);
    return ok;
}

bool
mv_nwfilter_lookup(MvNWFilterState *state, const char *name, const guint8 *uuid,
                   MvObjectRef *ret, GError **error)
{
    MvDriverObject *obj = find(state, name, uuid, error);

    if (!obj)
        return false;
    ref_set(ret, obj->name, obj->uuid);
    mv_driver_object_unref(obj);
    return true;
}

char *
mv_nwfilter_get_xml(MvNWFilterState *state, const MvObjectRef *ref, GError **error)
{
    MvDriverObject *obj;
    char *xml = NULL;

    g_mutex_lock(&state->lock);
    if ((obj = find(state, ref->name, ref->uuid, error)))
        xml = mv_nwfilter_def_format(((NWFilterObj *)obj)->def);
    mv_driver_object_unref(obj);
    g_mutex_unlock(&state->lock);
    return xml;
}

static int
ref_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(((const MvObjectRef *)a)->name, ((const MvObjectRef *)b)->name);
}

GArray *
mv_nwfilter_list(MvNWFilterState *state)
{
    g_autoptr(GPtrArray) objs = mv_driver_list_snapshot(state->filters);
    GArray *out = g_array_new(FALSE, TRUE, sizeof(MvObjectRef));

    for (guint i = 0; i < objs->len; i++) {
        MvDriverObject *obj = g_ptr_array_index(objs, i);
        MvObjectRef ref = { 0 };

        ref_set(&ref, obj->name, obj->uuid);
        g_array_append_val(out, ref);
    }
    g_array_sort(out, ref_cmp);
    return out;
}

/* ---- bindings ---- */

static bool
binding_find(MvNWFilterState *state, const char *portdev, Binding **ret, GError **error)
{
    if ((*ret = g_hash_table_lookup(state->bindings, portdev)))
        return true;
    return mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_NO_NWFILTER_BINDING,
                        "Network filter binding not found: no nwfilter binding for port "
                        "device '%s'", portdev);
}

bool
mv_nwfilter_binding_create(MvNWFilterState *state, const char *xml, MvObjectRef *ret,
                           GError **error)
{
    g_autoptr(MvNWFilterBindingDef) def = mv_nwfilter_binding_def_parse(xml, error);
    g_autofree char *canonical = NULL;
    g_autofree char *text = NULL;
    g_autoptr(GString) out_text = NULL;
    g_auto(GStrv) chains = NULL;
    View view = { .state = state };
    Binding *b;
    bool ok = false;

    if (!def)
        return false;
    g_mutex_lock(&state->lock);
    if (g_hash_table_contains(state->bindings, def->portdev)) {
        mv_error_set(error, MV_FROM_NWFILTER, MV_ERR_OPERATION_FAILED,
                     "a filter binding for port device '%s' already exists", def->portdev);
        goto out;
    }
    /* Only this port's chains (and the table with the first binding). */
    if (!(text = port_text(state, &view, def, &chains, error)))
        goto out;
    out_text = g_string_new(NULL);
    if (g_hash_table_size(state->bindings) == 0) {
        g_autofree char *base = mv_nwfilter_nft_base();

        g_string_append(out_text, TABLE_RESET);
        g_string_append(out_text, base);
    }
    g_string_append(out_text, text);
    if (!run(state, out_text->str, error))
        goto out;
    crash_point("binding-create-applied");
    canonical = mv_nwfilter_binding_def_format(def);
    if (!mv_driver_store_save_status(state->store, def->portdev, canonical, error)) {
        g_autoptr(GError) err = NULL;
        g_autofree char *undo = g_hash_table_size(state->bindings) == 0
                                    ? g_strdup(TABLE_RESET)
                                    : mv_nwfilter_nft_remove(def->portdev,
                                                             (const char *const *)chains);

        if (!run(state, undo, &err))
            mv_log_warning("cannot take back the rules of port '%s': %s", def->portdev,
                           err->message);
        goto out;
    }
    ret->name = g_strdup(def->portdev);
    ret->key = g_strdup(def->filterref->filter);
    b = g_new0(Binding, 1);
    b->chains = g_steal_pointer(&chains);
    b->def = g_steal_pointer(&def);
    g_hash_table_insert(state->bindings, g_strdup(b->def->portdev), b);
    ok = true;
out:
    g_mutex_unlock(&state->lock);
    if (ok)     /* filterd keeps itself alive while it owns rules (lock released) */
        mv_filter_driver_owned_changed(state->driver);
    return ok;
}

bool
mv_nwfilter_binding_delete(MvNWFilterState *state, const char *portdev, GError **error)
{
    g_autofree char *text = NULL;
    Binding *b;
    bool ok = false;
    g_autoptr(GError) err = NULL;

    g_mutex_lock(&state->lock);
    if (!binding_find(state, portdev, &b, error))
        goto out;
    /* The last binding takes the table with it. */
    text = g_hash_table_size(state->bindings) == 1
               ? g_strdup(TABLE_RESET)
               : mv_nwfilter_nft_remove(portdev, (const char *const *)b->chains);
    if (!run(state, text, error))
        goto out;
    if (!mv_driver_store_delete_status(state->store, portdev, &err))
        mv_log_warning("the rules of port '%s' are gone, but its file stays: %s", portdev,
                       err->message);
    g_hash_table_remove(state->bindings, portdev);
    ok = true;
out:
    g_mutex_unlock(&state->lock);
    if (ok)
        mv_filter_driver_owned_changed(state->driver);
    return ok;
}

bool
mv_nwfilter_binding_lookup(MvNWFilterState *state, const char *portdev, MvObjectRef *ret,
                           GError **error)
{
    Binding *b;
    bool ok;

    g_mutex_lock(&state->lock);
    if ((ok = binding_find(state, portdev, &b, error))) {
        ret->name = g_strdup(b->def->portdev);
        ret->key = g_strdup(b->def->filterref->filter);
    }
    g_mutex_unlock(&state->lock);
    return ok;
}

char *
mv_nwfilter_binding_get_xml(MvNWFilterState *state, const char *portdev, GError **error)
{
    Binding *b;
    char *xml = NULL;

    g_mutex_lock(&state->lock);
    if (binding_find(state, portdev, &b, error))
        xml = mv_nwfilter_binding_def_format(b->def);
    g_mutex_unlock(&state->lock);
    return xml;
}

GArray *
mv_nwfilter_binding_list(MvNWFilterState *state)
{
    GArray *out = g_array_new(FALSE, TRUE, sizeof(MvObjectRef));
    GHashTableIter it;
    gpointer value;

    g_mutex_lock(&state->lock);
    g_hash_table_iter_init(&it, state->bindings);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        Binding *b = value;
        MvObjectRef ref = { .name = g_strdup(b->def->portdev),
                            .key = g_strdup(b->def->filterref->filter) };

        g_array_append_val(out, ref);
    }
    g_mutex_unlock(&state->lock);
    g_array_sort(out, ref_cmp);
    return out;
}

bool
mv_nwfilter_reapply(MvNWFilterState *state, GError **error)
{
    bool ok;

    g_mutex_lock(&state->lock);
    ok = g_hash_table_size(state->bindings) == 0 || rebuild(state, error);
    g_mutex_unlock(&state->lock);
    return ok;
}
