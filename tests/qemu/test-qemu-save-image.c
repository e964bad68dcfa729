/* modvirt's save image format (daemons/qemu/qemu-save-image.c): a save
 * written and read back, and every kind of broken file refused with an error
 * that says what is wrong. No QEMU: the "stream" is bytes of our own. */
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "qemu-save-image.h"
#include "util/error.h"

#define XML "<domain type='qemu'><name>img</name></domain>"

static char *
tmp_path(void)
{
    g_autofree char *dir = g_dir_make_tmp("mvsaveimg-XXXXXX", NULL);
    g_assert_nonnull(dir);
    return g_build_filename(dir, "guest.save", NULL);
}

static void
remove_path(const char *path)
{
    g_autofree char *dir = g_path_get_dirname(path);
    g_unlink(path);
    g_rmdir(dir);
}

/* A complete image with @stream_len bytes of stream. */
static char *
make_image(gsize stream_len, bool running)
{
    char *path = tmp_path();
    g_autofree char *stream = g_malloc(stream_len);
    g_autoptr(GError) err = NULL;
    guint64 offset = 0;
    int fd;

    memset(stream, 0x5a, stream_len);
    fd = mv_save_image_create(path, XML, &offset, &err);
    g_assert_no_error(err);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpuint(offset % 4096, ==, 0);
    g_assert_cmpint(write(fd, stream, stream_len), ==, (gssize)stream_len);
    g_assert_true(mv_save_image_finish(fd, path, offset, running, &err));
    g_assert_no_error(err);
    close(fd);
    return path;
}

static void
test_round_trip(void)
{
    g_autofree char *path = make_image(10000, true);
    g_autoptr(MvSaveImage) img = NULL;
    g_autoptr(GError) err = NULL;
    char buf[4];
    int fd = mv_save_image_open(path, &img, &err);

    g_assert_no_error(err);
    g_assert_cmpstr(img->xml, ==, XML);
    g_assert_cmpuint(img->data_len, ==, 10000);
    g_assert_true(img->flags & MV_SAVE_IMAGE_RUNNING);
    /* positioned at the stream */
    g_assert_cmpint(read(fd, buf, 4), ==, 4);
    g_assert_cmpint(buf[0], ==, 0x5a);
    close(fd);
    remove_path(path);
}

static void
test_set_xml(void)
{
    g_autofree char *path = make_image(100, true);
    g_autofree char *bigger = g_strdup_printf("<domain type='qemu'><name>img</name>"
                                              "<description>%0*d</description></domain>",
                                              8000, 0);
    g_autofree char *huge = g_strnfill(64 * 1024, 'x');
    g_autoptr(MvSaveImage) img = NULL;
    g_autoptr(GError) err = NULL;
    int fd;

    g_assert_true(mv_save_image_set_xml(path, bigger, 0, &err));
    g_assert_no_error(err);
    fd = mv_save_image_open(path, &img, &err);
    g_assert_no_error(err);
    close(fd);
    g_assert_cmpstr(img->xml, ==, bigger);
    g_assert_false(img->flags & MV_SAVE_IMAGE_RUNNING);
    g_assert_cmpuint(img->data_len, ==, 100);
    g_assert_false(mv_save_image_set_xml(path, huge, -1, &err));
    g_assert_nonnull(strstr(err->message, "does not fit"));
    remove_path(path);
}

/* Rewrites @path with @mutate applied to its bytes; the open must fail with
 * @expect in the message and the path named. */
static void
expect_refused(void (*mutate)(GByteArray *data), const char *expect)
{
    g_autofree char *path = make_image(5000, false);
    g_autoptr(GByteArray) data = g_byte_array_new();
    g_autoptr(MvSaveImage) img = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *text = NULL;
    gsize len = 0;

    g_assert_true(g_file_get_contents(path, &text, &len, NULL));
    g_byte_array_append(data, (const guint8 *)text, (guint)len);
    mutate(data);
    g_assert_true(g_file_set_contents(path, (const char *)data->data, data->len, NULL));
    g_assert_cmpint(mv_save_image_open(path, &img, &err), ==, -1);
    g_assert_nonnull(err);
    g_assert_null(img);
    if (!strstr(err->message, expect) || !strstr(err->message, path))
        g_error("expected '%s' and the path in: %s", expect, err->message);
    g_assert_cmpint(err->code, ==, MV_ERR_OPERATION_INVALID);
    remove_path(path);
}

static void cut_stream(GByteArray *d) { g_byte_array_set_size(d, d->len - 1); }
static void cut_header(GByteArray *d) { g_byte_array_set_size(d, 30); }
static void empty(GByteArray *d) { g_byte_array_set_size(d, 0); }
static void bad_magic(GByteArray *d) { d->data[8] = 'X'; }   /* mid-magic */
static void bad_version(GByteArray *d) { d->data[16] = 9; }
static void unfinished(GByteArray *d) { d->data[20] &= (guint8)~MV_SAVE_IMAGE_COMPLETE; }
static void bad_offset(GByteArray *d) { d->data[33] ^= 0x01; }
static void xml_too_long(GByteArray *d) { d->data[27] = 0x7f; }
static void nul_in_xml(GByteArray *d) { d->data[64 + 3] = 0; }

static void test_truncated_stream(void) { expect_refused(cut_stream, "truncated"); }
static void test_truncated_header(void) { expect_refused(cut_header, "truncated"); }
static void test_empty(void) { expect_refused(empty, "truncated"); }
static void test_magic(void) { expect_refused(bad_magic, "not a modvirt save image"); }
static void test_version(void) { expect_refused(bad_version, "version 9"); }
static void test_unfinished(void) { expect_refused(unfinished, "incomplete"); }
static void test_offset(void) { expect_refused(bad_offset, "corrupt"); }
static void test_xml_len(void) { expect_refused(xml_too_long, "corrupt"); }
static void test_nul(void) { expect_refused(nul_in_xml, "corrupt"); }

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qemu/save-image/round-trip", test_round_trip);
    g_test_add_func("/qemu/save-image/set-xml", test_set_xml);
    g_test_add_func("/qemu/save-image/truncated-stream", test_truncated_stream);
    g_test_add_func("/qemu/save-image/truncated-header", test_truncated_header);
    g_test_add_func("/qemu/save-image/empty", test_empty);
    g_test_add_func("/qemu/save-image/magic", test_magic);
    g_test_add_func("/qemu/save-image/version", test_version);
    g_test_add_func("/qemu/save-image/unfinished", test_unfinished);
    g_test_add_func("/qemu/save-image/offset", test_offset);
    g_test_add_func("/qemu/save-image/xml-length", test_xml_len);
    g_test_add_func("/qemu/save-image/nul-in-xml", test_nul);
    return g_test_run();
}
