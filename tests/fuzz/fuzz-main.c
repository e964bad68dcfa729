/* The corpus as a regression test without libFuzzer: feeds every file of the
 * corpus directories (or files) named on the command line to the target's
 * LLVMFuzzerTestOneInput, one TAP line each. An input that once crashed a
 * target stays in its corpus, so the normal build replays it on every run. */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

static gint
compare_paths(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

static void
collect(GPtrArray *files, const char *path)
{
    g_autoptr(GDir) dir = NULL;
    g_autoptr(GError) err = NULL;
    const char *name;

    if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
        g_ptr_array_add(files, g_strdup(path));
        return;
    }
    if (!(dir = g_dir_open(path, 0, &err))) {
        printf("Bail out! cannot read corpus directory %s: %s\n", path, err->message);
        exit(1);
    }
    while ((name = g_dir_read_name(dir)))
        if (name[0] != '.')
            g_ptr_array_add(files, g_build_filename(path, name, NULL));
}

int
main(int argc, char **argv)
{
    g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);

    for (int i = 1; i < argc; i++)
        collect(files, argv[i]);
    if (files->len == 0) {
        printf("Bail out! no corpus files given (usage: %s DIR|FILE...)\n", argv[0]);
        return 1;
    }
    g_ptr_array_sort(files, compare_paths);
    LLVMFuzzerInitialize(&argc, &argv);
    printf("1..%u\n", files->len);
    fflush(stdout);
    for (guint i = 0; i < files->len; i++) {
        const char *path = files->pdata[i];
        g_autoptr(GError) err = NULL;
        g_autofree char *data = NULL;
        g_autofree char *base = g_path_get_basename(path);
        gsize len = 0;

        if (!g_file_get_contents(path, &data, &len, &err)) {
            printf("not ok %u %s # cannot read: %s\n", i + 1, path, err->message);
            return 1;
        }
        /* Names the input on stderr first: a crash shows which one it was. */
        fprintf(stderr, "# running %s (%zu bytes)\n", path, len);
        LLVMFuzzerTestOneInput((const uint8_t *)data, len);
        printf("ok %u %s\n", i + 1, base);
        fflush(stdout);
    }
    return 0;
}
