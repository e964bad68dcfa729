/* Tests for util/log.c: filter parsing, the per-file cache, output format,
 * GLib message routing. */
#define MV_LOG_CATEGORY "testcat"

#include <string.h>
#include <unistd.h>

#include "util/error.h"
#include "util/log.h"

/* Runs @fn with stderr redirected to a temp file and returns what it wrote. */
static char *
capture_stderr(void (*fn)(void))
{
    g_autofree char *path = NULL;
    char *out = NULL;
    int fd = g_file_open_tmp("mvlog-XXXXXX", &path, NULL);
    int saved = dup(STDERR_FILENO);

    g_assert_cmpint(fd, >=, 0);
    dup2(fd, STDERR_FILENO);
    fn();
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(fd);
    g_assert_true(g_file_get_contents(path, &out, NULL, NULL));
    unlink(path);
    return out;
}

static void
set_filters(const char *filters)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(mv_log_set_filters(filters, &err));
    g_assert_no_error(err);
}

static void
test_filters_parse(void)
{
    g_autofree char *canon = NULL;
    g_autofree char *dflt = NULL;
    g_autofree char *spaced = NULL;

    set_filters("warning,rpc=debug,qemu=info");
    canon = mv_log_get_filters();
    g_assert_cmpstr(canon, ==, "warning,qemu=info,rpc=debug");

    set_filters(" debug , GLib-GIO = error ,rpc=info,rpc=warning ");
    spaced = mv_log_get_filters();
    g_assert_cmpstr(spaced, ==, "debug,GLib-GIO=error,rpc=warning");

    set_filters("");
    dflt = mv_log_get_filters();
    g_assert_cmpstr(dflt, ==, MV_LOG_DEFAULT_FILTERS);
}

static void
test_filters_reject(void)
{
    const char *bad[] = { "verbose", "rpc=loud", "=debug", "rp c=debug", "info,,rpc=debug",
                          "rpc=", "4" };

    set_filters("warning,rpc=debug");
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) err = NULL;
        g_autofree char *after = NULL;

        g_assert_false(mv_log_set_filters(bad[i], &err));
        g_assert_error(err, MV_ERROR, MV_ERR_CONF_SYNTAX);
        after = mv_log_get_filters();
        g_assert_cmpstr(after, ==, "warning,rpc=debug");   /* unchanged */
    }
}

static void
test_enabled_cache(void)
{
    set_filters("info");
    g_assert_true(mv_log_enabled(MV_LOG_INFO));
    g_assert_false(mv_log_enabled(MV_LOG_DEBUG));
    set_filters("info,testcat=debug");
    g_assert_true(mv_log_enabled(MV_LOG_DEBUG));
    set_filters("debug,testcat=error");
    g_assert_false(mv_log_enabled(MV_LOG_WARNING));
    g_assert_true(mv_log_enabled(MV_LOG_ERROR));
    set_filters("testcat=warning,debug");
    g_assert_true(mv_log_enabled(MV_LOG_WARNING));
    g_assert_false(mv_log_enabled(MV_LOG_INFO));
}

static void
log_some(void)
{
    mv_log_debug("hello %d", 42);
    mv_log_info("plain info");
    mv_log_message("rpc", MV_LOG_INFO, "from rpc");
    mv_log_message("qemu", MV_LOG_INFO, "hidden qemu");
    mv_log_error("two\nlines");
}

static void
test_output(void)
{
    g_autofree char *out = NULL;
    g_auto(GStrv) lines = NULL;

    set_filters("warning,testcat=debug,rpc=info");
    out = capture_stderr(log_some);
    lines = g_strsplit(out, "\n", -1);
    g_assert_cmpuint(g_strv_length(lines), ==, 5);   /* 4 lines + the empty tail */
    g_assert_true(g_regex_match_simple("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\d+ "
                                       "debug testcat: hello 42$", lines[0], 0, 0));
    g_assert_true(g_str_has_suffix(lines[1], " info testcat: plain info"));
    g_assert_true(g_str_has_suffix(lines[2], " info rpc: from rpc"));
    g_assert_true(g_str_has_suffix(lines[3], " error testcat: two lines"));
    g_assert_cmpstr(lines[4], ==, "");
    g_assert_null(strstr(out, "hidden"));
}

static void
test_glib_routing(void)
{
    if (g_test_subprocess()) {
        g_autoptr(GError) err = NULL;

        g_assert_true(mv_log_init("test-log", false, "info,quiet=error", &err));
        g_log_set_always_fatal(G_LOG_FATAL_MASK);   /* g_test_init made warnings fatal */
        g_warning("routed %s", "warning");
        g_log("quiet", G_LOG_LEVEL_WARNING, "must not appear");
        g_message("routed message");
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr("*warning modvirt: routed warning\n*info modvirt: routed message\n");
    g_test_trap_assert_stderr_unmatched("*must not appear*");
}

static void
test_init_verbose(void)
{
    if (g_test_subprocess()) {
        g_autoptr(GError) err = NULL;
        g_autofree char *filters = NULL;

        g_assert_false(mv_log_init("test-log", true, "bogus", &err));
        g_assert_error(err, MV_ERROR, MV_ERR_CONF_SYNTAX);
        g_clear_error(&err);
        g_assert_true(mv_log_init("test-log", true, "rpc=error", &err));
        filters = mv_log_get_filters();
        g_assert_cmpstr(filters, ==, "debug");
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
}

static gpointer
hammer(gpointer data)
{
    int enabled = 0;

    for (int i = 0; i < 200000; i++)
        enabled += mv_log_enabled(MV_LOG_DEBUG);
    return GINT_TO_POINTER(enabled);
}

static void
test_threads(void)
{
    GThread *threads[4];

    for (gsize i = 0; i < G_N_ELEMENTS(threads); i++)
        threads[i] = g_thread_new("hammer", hammer, NULL);
    for (int i = 0; i < 200; i++)
        set_filters(i % 2 ? "info" : "info,testcat=debug");
    for (gsize i = 0; i < G_N_ELEMENTS(threads); i++)
        g_thread_join(threads[i]);
    set_filters("info,testcat=debug");
    g_assert_true(mv_log_enabled(MV_LOG_DEBUG));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/log/filters/parse", test_filters_parse);
    g_test_add_func("/log/filters/reject", test_filters_reject);
    g_test_add_func("/log/enabled-cache", test_enabled_cache);
    g_test_add_func("/log/output", test_output);
    g_test_add_func("/log/glib-routing", test_glib_routing);
    g_test_add_func("/log/init-verbose", test_init_verbose);
    g_test_add_func("/log/threads", test_threads);
    return g_test_run();
}
