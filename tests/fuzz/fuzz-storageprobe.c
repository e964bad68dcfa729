/* Fuzz target "storageprobe": the parsers of untrusted bytes in storaged's
 * backends. The first byte picks one: 0-127 the header probe of a volume file
 * (the rest of the input is the file's first bytes, the probe's requests for
 * more are answered from the input; the file size comes from the input
 * length), 128-191 the lvm2 `vgs`/`lvs`/`pvs` JSON reports, 192-255
 * /proc/self/mountinfo. A probe that succeeds must give a format, a qcow2
 * capacity never above the header's field width, and a backing name that is
 * a C string of at most 1023 bytes. */
#include <string.h>

#include "fuzz.h"
#include "storage-lvm.h"
#include "storage-mount.h"
#include "storage-probe.h"

static void
fuzz_probe(const guint8 *data, gsize size)
{
    MvStorageProbe probe = { 0 };
    g_autoptr(GError) error = NULL;
    gsize len = MIN(size, (gsize)4096), need = 0;

    for (int rounds = 0; rounds < 4; rounds++) {
        g_clear_error(&error);
        if (!mv_storage_probe_buffer(data, len, size, &probe, &need, &error))
            break;
        if (need == 0)
            break;
        if (need > size)
            break;                  /* the file is truncated: the caller reports it */
        if (need <= len)
            abort();                /* asked for what it already had */
        len = need;
    }
    if (!error && need == 0) {
        if (!probe.format)
            abort();
        if (probe.backing_path && strlen(probe.backing_path) > 1023)
            abort();
    }
    g_free(probe.backing_path);
    g_free(probe.backing_format);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    mv_fuzz_abort_on_criticals();
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *text = NULL;
    GPtrArray *out;

    if (size < 1)
        return 0;
    if (data[0] < 128) {
        fuzz_probe(data + 1, size - 1);
        return 0;
    }
    text = g_strndup((const char *)data + 1, size - 1);
    if (data[0] < 192) {
        switch (data[0] % 3) {
        case 0:
            out = mv_lvm_parse_vgs(text, NULL);
            break;
        case 1:
            out = mv_lvm_parse_lvs(text, NULL);
            break;
        default:
            out = mv_lvm_parse_pvs(text, NULL);
            break;
        }
    } else {
        out = mv_storage_mount_parse(text, NULL);
    }
    if (out)
        g_ptr_array_unref(out);
    return 0;
}
