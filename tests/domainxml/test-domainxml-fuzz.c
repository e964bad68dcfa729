/* Robustness: truncated and byte-mutated versions of every fixture go
 * through the parser. Errors are expected; crashes, leaks under ASan and
 * unstable output are not: whatever parses must format to a fixed point. */
#include <string.h>

#include "conf/domain-conf.h"
#include "domainxml-test.h"

/* Mutations per fixture; MV_TEST_FUZZ_ITERATIONS raises it for long runs. */
#define MV_FUZZ_DEFAULT_ITERATIONS 300

static unsigned int fuzz_parsed, fuzz_rejected;

static void
mv_fuzz_one(const char *xml, unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MvDomainDef) def = mv_domain_def_parse_string(xml, flags, &error);
    g_autoptr(MvDomainDef) again = NULL;
    g_autofree char *out = NULL;
    g_autofree char *out2 = NULL;

    if (!def) {
        g_assert_nonnull(error);
        fuzz_rejected++;
        return;
    }
    fuzz_parsed++;
    out = mv_domain_def_format(def, 1, 0);
    again = mv_domain_def_parse_string(out, flags, &error);
    if (!again)
        g_error("formatted XML does not parse back (%s):\n%s\n--- from:\n%s", error->message, out,
                xml);
    out2 = mv_domain_def_format(again, 1, 0);
    g_assert_cmpstr(out, ==, out2);
}

static void
mv_fuzz_file(const char *path, GRand *rand, unsigned int iterations)
{
    g_autofree char *xml = mv_test_read(path);
    size_t len = strlen(xml);
    static const char *const tokens[] = { "<", ">", "'", "&", "/", "0", "-1", "x", "\n", "=",
                                          "<disk/>", "99999999999999999999", "</devices>" };

    /* Every truncation point (in steps for long files). */
    for (size_t cut = 0; cut < len; cut += MAX(1, len / 200)) {
        g_autofree char *part = g_strndup(xml, cut);

        mv_fuzz_one(part, 0);
    }
    for (unsigned int i = 0; i < iterations; i++) {
        GString *mutated = g_string_new(xml);
        unsigned int edits = g_rand_int_range(rand, 1, 4);

        for (unsigned int e = 0; e < edits && mutated->len; e++) {
            gsize pos = g_rand_int_range(rand, 0, (gint32)mutated->len);
            gsize run = g_rand_int_range(rand, 1, 64);  /* MIN() evaluates twice */

            switch (g_rand_int_range(rand, 0, 4)) {
            case 0:     /* flip a byte to printable ASCII */
                mutated->str[pos] = (char)g_rand_int_range(rand, 0x20, 0x7f);
                break;
            case 1:     /* delete a run */
                g_string_erase(mutated, pos, MIN(mutated->len - pos, run / 4 + 1));
                break;
            case 2:     /* insert a token */
                g_string_insert(mutated, pos, tokens[g_rand_int_range(rand, 0,
                                                                      G_N_ELEMENTS(tokens))]);
                break;
            default:    /* duplicate a run */
            {
                g_autofree char *copy = g_strndup(mutated->str + pos, MIN(mutated->len - pos, run));

                g_string_insert(mutated, pos, copy);
                break;
            }
            }
        }
        mv_fuzz_one(mutated->str, (i & 1) ? MV_DOMAIN_DEF_PARSE_STATUS : 0);
        g_string_free(mutated, TRUE);
    }
}

static void
test_fuzz(void)
{
    const char *dirs[] = { "domainxml2xml", "invalid" };
    const char *env = g_getenv("MV_TEST_FUZZ_ITERATIONS");
    unsigned int iterations = env ? (unsigned int)g_ascii_strtoull(env, NULL, 10)
                                  : MV_FUZZ_DEFAULT_ITERATIONS;
    g_autoptr(GRand) rand = g_rand_new_with_seed(20240517);

    for (size_t d = 0; d < G_N_ELEMENTS(dirs); d++) {
        g_autofree char *dir = mv_test_data_path(dirs[d]);
        g_autoptr(GDir) handle = g_dir_open(dir, 0, NULL);
        const char *name;

        g_assert_nonnull(handle);
        while ((name = g_dir_read_name(handle))) {
            g_autofree char *path = g_build_filename(dir, name, NULL);

            if (g_str_has_suffix(name, ".xml") && !g_str_has_suffix(name, ".expected.xml"))
                mv_fuzz_file(path, rand, iterations);
        }
    }
    g_test_message("parsed %u, rejected %u", fuzz_parsed, fuzz_rejected);
    g_assert_cmpuint(fuzz_parsed, >, 0);
    g_assert_cmpuint(fuzz_rejected, >, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    mv_test_schema_dir_init();
    g_test_add_func("/domainxml/fuzz", test_fuzz);
    return g_test_run();
}
