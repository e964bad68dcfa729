/* Object lists (common/driver/list.c): indexes, removal, ids, list-all filters. */
#include "driver/list.h"
#include "driver-test.h"

/* libvirt's VIR_CONNECT_LIST_DOMAINS_* bits used here. */
enum {
    L_ACTIVE = 1 << 0,
    L_INACTIVE = 1 << 1,
    L_PERSISTENT = 1 << 2,
    L_TRANSIENT = 1 << 3,
    L_RUNNING = 1 << 4,
    L_PAUSED = 1 << 5,
    L_SHUTOFF = 1 << 6,
    L_OTHER = 1 << 7,
    L_AUTOSTART = 1 << 10,
    L_NO_AUTOSTART = 1 << 11,
    L_HAS_SNAPSHOT = 1 << 12,
    L_NO_SNAPSHOT = 1 << 13,
};

static const MvDriverFilter filters[] = {
    { L_ACTIVE, L_INACTIVE, mv_driver_filter_active },
    { L_PERSISTENT, L_TRANSIENT, mv_driver_filter_persistent },
    { L_AUTOSTART, L_NO_AUTOSTART, mv_driver_filter_autostart },
    { L_HAS_SNAPSHOT, L_NO_SNAPSHOT, mv_driver_filter_never },
    { 0 },
};

static bool
state_match(const MvDriverObject *obj, unsigned int flags)
{
    const TestObj *t = (const TestObj *)obj;
    unsigned int bit;

    if (!(flags & (L_RUNNING | L_PAUSED | L_SHUTOFF | L_OTHER)))
        return true;
    bit = t->state == 1 ? L_RUNNING : t->state == 3 ? L_PAUSED : t->state == 5 ? L_SHUTOFF
                                                                               : L_OTHER;
    return (flags & bit) != 0;
}

typedef struct {
    MvDriverList *list;
    TestObj *obj[4];
    gint finalized;
} Fixture;

/* a: running persistent autostart; b: shut off persistent; c: paused transient;
 * d: shut off persistent autostart. */
static void
fixture_set_up(Fixture *f, gconstpointer data)
{
    static const char *names[] = { "a", "b", "c", "d" };

    f->list = mv_driver_list_new(&test_class, f);
    for (guint i = 0; i < 4; i++) {
        g_autoptr(GError) error = NULL;
        f->obj[i] = test_obj_new(names[i], (guint8)(i + 1));
        f->obj[i]->finalized = &f->finalized;
        f->obj[i]->persistent = i != 2;
        g_assert_true(mv_driver_list_add(f->list, MV_DRIVER_OBJECT(f->obj[i]), &error));
        g_assert_no_error(error);
        g_assert_true(f->obj[i]->driver == f);
    }
    f->obj[0]->id = mv_driver_list_next_id(f->list);
    f->obj[0]->state = 1;
    f->obj[0]->autostart = true;
    f->obj[2]->id = mv_driver_list_next_id(f->list);
    f->obj[2]->state = 3;
    f->obj[3]->autostart = true;
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
    for (guint i = 0; i < 4; i++) {
        mv_driver_list_remove(f->list, MV_DRIVER_OBJECT(f->obj[i]));
        mv_driver_object_unref(MV_DRIVER_OBJECT(f->obj[i]));
    }
    g_assert_cmpint(f->finalized, ==, 4);
    mv_driver_list_free(f->list);
}

static void
test_indexes(Fixture *f, gconstpointer data)
{
    guint8 uuid[16];
    MvDriverObject *obj;

    memset(uuid, 2, sizeof(uuid));
    obj = mv_driver_list_find_by_uuid(f->list, uuid);
    g_assert_true(obj == MV_DRIVER_OBJECT(f->obj[1]));
    mv_driver_object_unref(obj);
    obj = mv_driver_list_find_by_name(f->list, "c");
    g_assert_true(obj == MV_DRIVER_OBJECT(f->obj[2]));
    mv_driver_object_unref(obj);
    g_assert_cmpint(f->obj[0]->id, ==, 1);
    g_assert_cmpint(f->obj[2]->id, ==, 2);
    obj = mv_driver_list_find_by_id(f->list, 2);
    g_assert_true(obj == MV_DRIVER_OBJECT(f->obj[2]));
    mv_driver_object_unref(obj);
    g_assert_null(mv_driver_list_find_by_id(f->list, -1));
    g_assert_null(mv_driver_list_find_by_id(f->list, 3));
    g_assert_null(mv_driver_list_find_by_name(f->list, "zz"));
    memset(uuid, 9, sizeof(uuid));
    g_assert_null(mv_driver_list_find_by_uuid(f->list, uuid));
    g_assert_cmpuint(mv_driver_list_count(f->list), ==, 4);

    mv_driver_list_reserve_id(f->list, 10);
    g_assert_cmpint(mv_driver_list_next_id(f->list), ==, 11);
    mv_driver_list_reserve_id(f->list, 5);      /* never goes back */
    g_assert_cmpint(mv_driver_list_next_id(f->list), ==, 12);
}

static void
test_duplicates(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    TestObj *same_name = test_obj_new("b", 7);
    TestObj *same_uuid = test_obj_new("new", 3);

    g_assert_false(mv_driver_list_add(f->list, MV_DRIVER_OBJECT(same_name), &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_FAILED);
    g_assert_cmpstr(error->message, ==, "domain 'b' already exists with uuid "
                    "02020202-0202-0202-0202-020202020202");
    g_clear_error(&error);
    g_assert_false(mv_driver_list_add(f->list, MV_DRIVER_OBJECT(same_uuid), &error));
    g_assert_cmpstr(error->message, ==, "domain 'c' already exists with uuid "
                    "03030303-0303-0303-0303-030303030303");
    g_assert_cmpuint(mv_driver_list_count(f->list), ==, 4);
    mv_driver_object_unref(MV_DRIVER_OBJECT(same_name));
    mv_driver_object_unref(MV_DRIVER_OBJECT(same_uuid));
}

/* A rename moves the name index; a taken name is refused; the old name string
 * stays readable (lock-free readers) until the list is freed. */
static void
test_rename(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    const char *old_name = f->obj[1]->name;
    MvDriverObject *obj;

    g_assert_true(mv_driver_list_rename(f->list, MV_DRIVER_OBJECT(f->obj[1]), "b2", &error));
    g_assert_no_error(error);
    g_assert_cmpstr(f->obj[1]->name, ==, "b2");
    g_assert_cmpstr(old_name, ==, "b");
    g_assert_null(mv_driver_list_find_by_name(f->list, "b"));
    obj = mv_driver_list_find_by_name(f->list, "b2");
    g_assert_true(obj == MV_DRIVER_OBJECT(f->obj[1]));
    mv_driver_object_unref(obj);

    g_assert_false(mv_driver_list_rename(f->list, MV_DRIVER_OBJECT(f->obj[1]), "c", &error));
    g_assert_error(error, MV_ERROR, MV_ERR_OPERATION_INVALID);
    g_assert_cmpstr(error->message, ==, "Requested operation is not valid: domain with name "
                    "'c' already exists");
    g_assert_cmpstr(f->obj[1]->name, ==, "b2");
    obj = mv_driver_list_find_by_name(f->list, "c");
    g_assert_true(obj == MV_DRIVER_OBJECT(f->obj[2]));
    mv_driver_object_unref(obj);
    /* the name is free again for a new object */
    {
        TestObj *again = test_obj_new("b", 9);

        again->finalized = &f->finalized;
        g_assert_true(mv_driver_list_add(f->list, MV_DRIVER_OBJECT(again), NULL));
        mv_driver_list_remove(f->list, MV_DRIVER_OBJECT(again));
        mv_driver_object_unref(MV_DRIVER_OBJECT(again));
        f->finalized--;
    }
    g_assert_cmpuint(mv_driver_list_count(f->list), ==, 4);
}

/* Removal moves the last object into the hole; indexes follow; twice is harmless. */
static void
test_remove(Fixture *f, gconstpointer data)
{
    g_autoptr(GPtrArray) all = NULL;
    MvDriverObject *obj;

    mv_driver_list_remove(f->list, MV_DRIVER_OBJECT(f->obj[1]));
    mv_driver_list_remove(f->list, MV_DRIVER_OBJECT(f->obj[1]));
    g_assert_true(f->obj[1]->removed);
    g_assert_cmpuint(mv_driver_list_count(f->list), ==, 3);
    g_assert_null(mv_driver_list_find_by_name(f->list, "b"));
    g_assert_cmpuint(f->obj[3]->list_index, ==, 1);
    all = mv_driver_list_snapshot(f->list);
    g_assert_cmpuint(all->len, ==, 3);
    g_assert_true(all->pdata[0] == f->obj[0] && all->pdata[1] == f->obj[3] &&
                  all->pdata[2] == f->obj[2]);
    obj = mv_driver_list_find_by_name(f->list, "d");
    g_assert_true(obj == MV_DRIVER_OBJECT(f->obj[3]));
    mv_driver_object_unref(obj);
    /* the snapshot and the test hold b: not freed yet */
    g_assert_cmpint(f->finalized, ==, 0);
}

typedef struct {
    guint alloc_count;
    GString *names;
    guint last_index;
} Collected;

static void
collect_alloc(guint count, gpointer data)
{
    ((Collected *)data)->alloc_count = count;
}

static void
collect_emit(MvDriverObject *obj, guint index, gpointer data)
{
    Collected *c = data;

    g_string_append(c->names, obj->name);
    c->last_index = index;
}

/* The names list-all returns for @flags, in list order. */
static char *
select_names(Fixture *f, unsigned int flags)
{
    MvDriverQuery query = { flags, filters, state_match };
    Collected c = { 0, g_string_new(""), 0 };
    g_autoptr(GError) error = NULL;
    guint n = 99;

    g_assert_true(mv_driver_list_select(f->list, &query, 100, collect_alloc, collect_emit, &c,
                                        &n, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(c.alloc_count, ==, 4);
    g_assert_cmpuint(n, ==, c.names->len);
    if (n)
        g_assert_cmpuint(c.last_index, ==, n - 1);
    return g_string_free(c.names, FALSE);
}

static void
test_filters(Fixture *f, gconstpointer data)
{
    static const struct {
        unsigned int flags;
        const char *names;
    } cases[] = {
        { 0, "abcd" },
        { L_ACTIVE, "ac" },
        { L_INACTIVE, "bd" },
        { L_ACTIVE | L_INACTIVE, "abcd" },
        { L_PERSISTENT, "abd" },
        { L_TRANSIENT, "c" },
        { L_AUTOSTART, "ad" },
        { L_NO_AUTOSTART, "bc" },
        { L_INACTIVE | L_AUTOSTART, "d" },
        { L_ACTIVE | L_PERSISTENT | L_NO_AUTOSTART, "" },
        { L_RUNNING, "a" },
        { L_PAUSED | L_SHUTOFF, "bcd" },
        { L_OTHER, "" },
        { L_HAS_SNAPSHOT, "" },
        { L_NO_SNAPSHOT, "abcd" },
        { L_NO_SNAPSHOT | L_TRANSIENT | L_PAUSED, "c" },
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *names = select_names(f, cases[i].flags);
        if (g_strcmp0(names, cases[i].names) != 0)
            g_error("flags 0x%x: listed '%s', expected '%s'", cases[i].flags, names,
                    cases[i].names);
    }
    /* a removed object still in a pass is not listed */
    f->obj[1]->removed = true;
    g_autofree char *names = select_names(f, 0);
    g_assert_cmpstr(names, ==, "acd");
    f->obj[1]->removed = false;
}

static void
emit_nothing(MvDriverObject *obj, guint index, gpointer data)
{
}

static void
test_select_too_many(Fixture *f, gconstpointer data)
{
    MvDriverQuery query = { 0, filters, NULL };
    g_autoptr(GError) error = NULL;
    guint n = 77;

    g_assert_false(mv_driver_list_select(f->list, &query, 3, NULL, emit_nothing, NULL, &n,
                                         &error));
    g_assert_error(error, MV_ERROR, MV_ERR_RPC);
    g_assert_cmpstr(error->message, ==, "too many domains (4) for one reply (max 3)");
    g_assert_cmpuint(n, ==, 77);    /* untouched */
}

/* The legacy count and list calls: active a, c; inactive b, d; @max limits. */
static void
test_names(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    char *names[4] = { NULL };

    g_assert_cmpuint(mv_driver_list_names(f->list, true, -1, NULL), ==, 2);
    g_assert_cmpuint(mv_driver_list_names(f->list, false, -1, NULL), ==, 2);
    g_assert_cmpuint(mv_driver_list_names(f->list, false, 1, names), ==, 1);
    g_assert_cmpstr(names[0], ==, "b");
    g_assert_null(names[1]);
    g_free(names[0]);
    g_assert_cmpuint(mv_driver_list_names(f->list, true, 4, names), ==, 2);
    g_assert_cmpstr(names[0], ==, "a");
    g_assert_cmpstr(names[1], ==, "c");
    g_free(names[0]);
    g_free(names[1]);

    g_assert_true(mv_driver_list_check_max(0, 5, &error));
    g_assert_true(mv_driver_list_check_max(5, 5, &error));
    g_assert_no_error(error);
    g_assert_false(mv_driver_list_check_max(6, 5, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_RPC);
    g_assert_cmpstr(error->message, ==, "maximum 6 out of range (0..5)");
    g_clear_error(&error);
    g_assert_false(mv_driver_list_check_max(-1, 5, &error));
    g_assert_error(error, MV_ERROR, MV_ERR_RPC);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/driver/list/indexes", Fixture, NULL, fixture_set_up, test_indexes,
               fixture_tear_down);
    g_test_add("/driver/list/duplicates", Fixture, NULL, fixture_set_up, test_duplicates,
               fixture_tear_down);
    g_test_add("/driver/list/rename", Fixture, NULL, fixture_set_up, test_rename,
               fixture_tear_down);
    g_test_add("/driver/list/remove", Fixture, NULL, fixture_set_up, test_remove,
               fixture_tear_down);
    g_test_add("/driver/list/filters", Fixture, NULL, fixture_set_up, test_filters,
               fixture_tear_down);
    g_test_add("/driver/list/select-too-many", Fixture, NULL, fixture_set_up,
               test_select_too_many, fixture_tear_down);
    g_test_add("/driver/list/names", Fixture, NULL, fixture_set_up, test_names,
               fixture_tear_down);
    return g_test_run();
}
