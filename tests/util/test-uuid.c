/* Tests for util/uuid.c. */
#include <string.h>

#include "util/error.h"
#include "util/uuid.h"

static const guint8 known[16] = { 0x4d, 0xea, 0x22, 0xb3, 0x1d, 0x52, 0xd8, 0xf3,
                                  0x26, 0x16, 0x78, 0x2a, 0x3f, 0x2c, 0x1d, 0x9e };

static void
test_generate(void)
{
    guint8 a[16], b[16];
    char str[MV_UUID_STRING_LEN];

    mv_uuid_generate(a);
    mv_uuid_generate(b);
    g_assert_true(memcmp(a, b, 16) != 0);
    g_assert_false(mv_uuid_is_null(a));
    g_assert_cmphex(a[6] >> 4, ==, 4);           /* version 4 */
    g_assert_cmphex(a[8] & 0xc0, ==, 0x80);      /* RFC 4122 variant */
    mv_uuid_format(a, str);
    g_assert_cmpuint(strlen(str), ==, 36);
    g_assert_cmpint(str[14], ==, '4');
}

static void
test_format_parse(void)
{
    char str[MV_UUID_STRING_LEN];
    guint8 out[16];
    g_autoptr(GError) err = NULL;

    mv_uuid_format(known, str);
    g_assert_cmpstr(str, ==, "4dea22b3-1d52-d8f3-2616-782a3f2c1d9e");
    g_assert_true(mv_uuid_parse(str, out, &err));
    g_assert_no_error(err);
    g_assert_cmpmem(out, 16, known, 16);

    memset(out, 0, 16);
    g_assert_true(mv_uuid_parse("4DEA22B3-1D52-D8F3-2616-782A3F2C1D9E", out, NULL));
    g_assert_cmpmem(out, 16, known, 16);
    memset(out, 0, 16);
    g_assert_true(mv_uuid_parse("4dea22b31d52d8f32616782a3f2c1d9e", out, NULL));
    g_assert_cmpmem(out, 16, known, 16);
}

static void
test_parse_reject(void)
{
    const char *bad[] = {
        "",
        "4dea22b3-1d52-d8f3-2616-782a3f2c1d9",      /* 35 chars */
        "4dea22b3-1d52-d8f3-2616-782a3f2c1d9e0",    /* 37 chars */
        "4dea22b3-1d52-d8f3-2616-782a3f2c1d9g",     /* not hex */
        "4dea22b31-d52-d8f3-2616-782a3f2c1d9e",     /* dash misplaced */
        "4dea22b3-1d52-d8f3-2616x782a3f2c1d9e",     /* not a dash */
        " 4dea22b3-1d52-d8f3-2616-782a3f2c1d9",     /* leading space */
        "4dea22b31d52d8f32616782a3f2c1d9",          /* 31 hex */
        "4dea22b3-1d52d8f3-2616-782a3f2c1d9e0",     /* 36 chars, 3 dashes */
        "-4dea22b-1d52-d8f3-2616-782a3f2c1d9e",
    };

    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) err = NULL;
        guint8 out[16];

        memset(out, 0xaa, 16);
        g_test_message("parsing '%s'", bad[i]);
        g_assert_false(mv_uuid_parse(bad[i], out, &err));
        g_assert_error(err, MV_ERROR, MV_ERR_INVALID_ARG);
        for (int j = 0; j < 16; j++)
            g_assert_cmphex(out[j], ==, 0xaa);      /* untouched on failure */
    }
}

static void
test_is_null(void)
{
    guint8 zero[16] = { 0 };
    guint8 one[16] = { 0 };

    one[15] = 1;
    g_assert_true(mv_uuid_is_null(zero));
    g_assert_false(mv_uuid_is_null(one));
    g_assert_false(mv_uuid_is_null(known));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/uuid/generate", test_generate);
    g_test_add_func("/uuid/format-parse", test_format_parse);
    g_test_add_func("/uuid/parse-reject", test_parse_reject);
    g_test_add_func("/uuid/is-null", test_is_null);
    return g_test_run();
}
