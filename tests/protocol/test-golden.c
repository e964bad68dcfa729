/* Golden byte vectors: every payload in golden/ (built from real captures and
 * the spec layouts) must decode with the procedure table's XDR filter,
 * consume exactly its bytes, and re-encode to the identical bytes. */
#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remote-protocol.h"
#include "rpc/proc.h"

typedef struct {
    char *file;         /* base name */
    char *path;
    int proc;
    char *proc_name;
    char *kind;         /* args, ret, msg, error */
} Vector;

static void
vector_free(Vector *v)
{
    if (!v)
        return;
    g_free(v->file);
    g_free(v->path);
    g_free(v->proc_name);
    g_free(v->kind);
    g_free(v);
}

static const char *
golden_dir(void)
{
    const char *dir = g_getenv("MV_GOLDEN_DIR");

    return dir ? dir : MV_GOLDEN_DIR;
}

/* The bytes of a .hex file: '#' starts a comment to the end of the line,
 * whitespace is ignored, everything else must be pairs of hex digits. */
static GByteArray *
hex_load(const char *path, GError **error)
{
    g_autofree char *text = NULL;
    g_autoptr(GByteArray) bytes = g_byte_array_new();
    int hi = -1;
    int line = 1;

    if (!g_file_get_contents(path, &text, NULL, error))
        return NULL;
    for (const char *p = text; *p; p++) {
        if (*p == '#') {
            while (p[1] && p[1] != '\n')
                p++;
            continue;
        }
        if (*p == '\n')
            line++;
        if (g_ascii_isspace(*p))
            continue;
        int v = g_ascii_xdigit_value(*p);
        if (v < 0) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "%s:%d: unexpected character '%c'", path, line, *p);
            return NULL;
        }
        if (hi < 0) {
            hi = v;
        } else {
            guint8 b = (guint8)(hi << 4 | v);
            g_byte_array_append(bytes, &b, 1);
            hi = -1;
        }
    }
    if (hi >= 0) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "%s: odd number of hex digits", path);
        return NULL;
    }
    return g_steal_pointer(&bytes);
}

/* "<NNN>-<PROC>-<kind>[-<variant>].hex" */
static Vector *
vector_parse_name(const char *dir, const char *file)
{
    g_auto(GStrv) parts = NULL;
    Vector *v;

    if (!g_str_has_suffix(file, ".hex"))
        return NULL;
    parts = g_strsplit(file, "-", 4);
    if (g_strv_length(parts) < 3)
        g_error("golden file %s: expected <NNN>-<PROC>-<kind>[-<variant>].hex", file);
    v = g_new0(Vector, 1);
    v->file = g_strdup(file);
    v->path = g_build_filename(dir, file, NULL);
    v->proc = atoi(parts[0]);
    v->proc_name = g_strdup(parts[1]);
    v->kind = g_strdup(parts[2]);
    if (g_str_has_suffix(v->kind, ".hex"))
        v->kind[strlen(v->kind) - 4] = '\0';
    return v;
}

static bool
xdr_run(xdrproc_t filter, enum xdr_op op, guint8 *buf, gsize len, void *obj, u_int *ret_pos)
{
    XDR xdr;
    bool ok;

    xdrmem_create(&xdr, (char *)buf, (u_int)len, op);
    ok = filter(&xdr, obj);
    *ret_pos = xdr_getpos(&xdr);
    xdr_destroy(&xdr);
    return ok;
}

static void
test_vector(gconstpointer data)
{
    const Vector *v = data;
    g_autoptr(GError) error = NULL;
    g_autoptr(GByteArray) bytes = hex_load(v->path, &error);
    const MvProcInfo *info;
    xdrproc_t filter;
    gsize size;
    g_autofree void *obj = NULL;
    g_autofree guint8 *out = NULL;
    gsize out_len;
    u_int pos = 0;

    g_assert_no_error(error);
    info = mv_program_lookup_proc(&mv_remote_program, v->proc);
    if (!info)
        g_error("%s: procedure %d is not in the REMOTE table", v->file, v->proc);
    g_assert_cmpstr(info->name, ==, v->proc_name);

    if (g_str_equal(v->kind, "args")) {
        g_assert_cmpint(info->kind, !=, MV_PROC_KIND_EVENT);
        filter = info->args_filter;
        size = info->args_size;
    } else if (g_str_equal(v->kind, "ret")) {
        g_assert_cmpint(info->kind, !=, MV_PROC_KIND_EVENT);
        filter = info->ret_filter;
        size = info->ret_size;
    } else if (g_str_equal(v->kind, "msg")) {
        g_assert_cmpint(info->kind, ==, MV_PROC_KIND_EVENT);
        filter = info->args_filter;
        size = info->args_size;
    } else if (g_str_equal(v->kind, "error")) {
        filter = (xdrproc_t)xdr_mv_remote_error;
        size = sizeof(mv_remote_error);
    } else {
        g_error("%s: unknown kind '%s' (args, ret, msg or error)", v->file, v->kind);
    }
    if (size == 0)
        g_error("%s: %s of %s is void; a vector makes no sense", v->file, v->kind, info->name);

    /* Decode: must succeed and consume every byte. */
    obj = g_malloc0(size);
    if (!xdr_run(filter, XDR_DECODE, bytes->data, bytes->len, obj, &pos))
        g_error("%s: does not decode (failed at byte %u of %u)", v->file, pos, bytes->len);
    if (pos != bytes->len)
        g_error("%s: decoding consumed %u of %u bytes", v->file, pos, bytes->len);

    /* Re-encode: the same bytes, no more. */
    out_len = bytes->len + 64;
    out = g_malloc0(out_len);
    if (!xdr_run(filter, XDR_ENCODE, out, out_len, obj, &pos))
        g_error("%s: does not re-encode", v->file);
    g_assert_cmpuint(pos, ==, bytes->len);
    g_assert_cmpmem(out, pos, bytes->data, bytes->len);
    xdr_free(filter, obj);

    /* A payload cut short by one word must not decode. */
    if (bytes->len >= 4) {
        memset(obj, 0, size);
        if (xdr_run(filter, XDR_DECODE, bytes->data, bytes->len - 4, obj, &pos))
            g_error("%s: still decodes with its last 4 bytes missing", v->file);
        xdr_free(filter, obj);
    }
}

static bool
vectors_have(GPtrArray *vectors, int proc, const char *kind)
{
    for (guint i = 0; i < vectors->len; i++) {
        const Vector *v = vectors->pdata[i];
        if (v->proc == proc && g_str_equal(v->kind, kind))
            return true;
    }
    return false;
}

/* Every payload of every procedure in the table has at least one vector. */
static void
test_coverage(gconstpointer data)
{
    GPtrArray *vectors = (GPtrArray *)data;
    g_autoptr(GString) missing = g_string_new(NULL);

    for (int i = 0; i < mv_remote_program.nprocs; i++) {
        const MvProcInfo *p = &mv_remote_program.procs[i];
        if (p->number == 0)
            continue;
        if (p->kind == MV_PROC_KIND_EVENT) {
            if (!vectors_have(vectors, p->number, "msg"))
                g_string_append_printf(missing, " %03d-%s-msg", p->number, p->name);
            continue;
        }
        if (p->args_size && !vectors_have(vectors, p->number, "args"))
            g_string_append_printf(missing, " %03d-%s-args", p->number, p->name);
        if (p->ret_size && !vectors_have(vectors, p->number, "ret"))
            g_string_append_printf(missing, " %03d-%s-ret", p->number, p->name);
    }
    if (missing->len)
        g_error("procedures without a golden vector:%s", missing->str);

    bool have_error = false;
    for (guint i = 0; i < vectors->len; i++)
        have_error |= g_str_equal(((Vector *)vectors->pdata[i])->kind, "error");
    g_assert_true(have_error);
}

/* The XDR filter and struct size of a vector's payload. */
static xdrproc_t
vector_filter(const Vector *v, gsize *ret_size)
{
    const MvProcInfo *info = mv_program_lookup_proc(&mv_remote_program, v->proc);

    if (g_str_equal(v->kind, "error")) {
        *ret_size = sizeof(mv_remote_error);
        return (xdrproc_t)xdr_mv_remote_error;
    }
    if (g_str_equal(v->kind, "ret")) {
        *ret_size = info->ret_size;
        return info->ret_filter;
    }
    *ret_size = info->args_size;
    return info->args_filter;
}

/* Hostile input: every vector, mutated (bit flips, big length words,
 * truncations, trailing garbage), must decode or fail cleanly and free cleanly —
 * never crash, hang or leak (run under valgrind to see the last). */
static void
test_mutations(gconstpointer data)
{
    GPtrArray *vectors = (GPtrArray *)data;
    GRand *rand = g_rand_new_with_seed(0x6d76);     /* reproducible */
    guint decoded = 0, refused = 0;

    for (guint i = 0; i < vectors->len; i++) {
        const Vector *v = vectors->pdata[i];
        g_autoptr(GByteArray) bytes = hex_load(v->path, NULL);
        gsize size;
        xdrproc_t filter = vector_filter(v, &size);
        g_autofree void *obj = g_malloc0(size);

        for (int round = 0; round < 64; round++) {
            g_autofree guint8 *buf = g_malloc0(bytes->len + 8);
            gsize len = bytes->len;
            u_int pos;

            memcpy(buf, bytes->data, len);
            switch (round % 4) {
            case 0:     /* flip a few bits */
                for (int k = 0; k < 3 && len; k++)
                    buf[g_rand_int_range(rand, 0, len)] ^= 1u << g_rand_int_range(rand, 0, 8);
                break;
            case 1:     /* a huge count or string length where a word was */
                if (len >= 4) {
                    gsize at = (gsize)g_rand_int_range(rand, 0, len / 4) * 4;
                    buf[at] = 0x7f;
                    buf[at + 1] = 0xff;
                }
                break;
            case 2:     /* cut short anywhere */
                len = len ? (gsize)g_rand_int_range(rand, 0, len) : 0;
                break;
            default:    /* trailing garbage */
                for (int k = 0; k < 8; k++)
                    buf[len + k] = (guint8)g_rand_int(rand);
                len += 8;
                break;
            }
            memset(obj, 0, size);
            if (xdr_run(filter, XDR_DECODE, buf, len, obj, &pos))
                decoded++;
            else
                refused++;
            xdr_free(filter, obj);
        }
    }
    g_rand_free(rand);
    /* Both outcomes happened: the mutations really reached the decoders. */
    g_assert_cmpuint(decoded, >, 0);
    g_assert_cmpuint(refused, >, 0);
}

static int
compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GDir) dir = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) vectors = g_ptr_array_new_with_free_func((GDestroyNotify)vector_free);
    const char *name;

    g_test_init(&argc, &argv, NULL);

    dir = g_dir_open(golden_dir(), 0, &error);
    g_assert_no_error(error);
    while ((name = g_dir_read_name(dir)))
        g_ptr_array_add(names, g_strdup(name));
    g_ptr_array_sort(names, compare_names);

    for (guint i = 0; i < names->len; i++) {
        Vector *v = vector_parse_name(golden_dir(), names->pdata[i]);
        g_autofree char *test_path = NULL;

        if (!v)
            continue;
        g_ptr_array_add(vectors, v);
        test_path = g_strdup_printf("/protocol/golden/%s", v->file);
        g_test_add_data_func(test_path, v, test_vector);
    }
    g_assert_cmpuint(vectors->len, >, 0);
    g_test_add_data_func("/protocol/golden-coverage", vectors, test_coverage);
    g_test_add_data_func("/protocol/golden-mutations", vectors, test_mutations);

    return g_test_run();
}
