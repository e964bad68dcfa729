/* qemu-img command lines for non-raw volumes (create, convert, resize) and a
 * runner that reports progress, can be cancelled, and hands a LUKS
 * passphrase to qemu-img through a memfd (never on the command line). */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "storage-backend.h"

G_BEGIN_DECLS

/* The fd number the passphrase memfd has in qemu-img, and the secret id. */
#define MV_QEMU_IMG_SECRET_FD 3
#define MV_QEMU_IMG_SECRET_ID "mvsec0"

/* Options of an output image. Strings are borrowed. */
typedef struct {
    const char *format;         /* "qcow2", "raw", "luks", "qed", "vmdk", … */
    const char *preallocation;  /* NULL, "off", "metadata", "falloc", "full" */
    const char *compat;         /* qcow2 "0.10"/"1.1" or NULL */
    bool lazy_refcounts;
    bool extended_l2;
    guint64 cluster_size;       /* 0: qemu-img's default */
    bool nocow;
    /* LUKS: a bare luks image or a qcow2 with LUKS encryption; the passphrase
     * is read from MV_QEMU_IMG_SECRET_FD. */
    bool encrypt;
    const char *cipher_alg;     /* "aes-256", … or NULL */
    const char *cipher_mode;
    const char *ivgen_alg;
    const char *ivgen_hash;
    const char *hash;
    unsigned int iter_time_ms;  /* LUKS key derivation time; 0: qemu's default (2 s) */
} MvQemuImgOutput;

/**
 * mv_qemu_img_create_argv:
 * `qemu-img create -f FMT [--object secret…] [-o …] [-b BACKING -F BFMT] PATH SIZE`.
 * @backing_path/@backing_format may be NULL. Caller frees (g_strfreev).
 */
char **mv_qemu_img_create_argv(const char *qemu_img, const MvQemuImgOutput *out,
                               const char *path, guint64 capacity,
                               const char *backing_path, const char *backing_format);

/**
 * mv_qemu_img_convert_argv:
 * `qemu-img convert -p -f SFMT -O FMT [--object secret…] [-o …] SRC DST`; a
 * @capacity larger than the source's is applied afterwards by the caller
 * (a resize). @src_encrypted sources are refused by the caller. Caller frees.
 */
char **mv_qemu_img_convert_argv(const char *qemu_img, const char *src,
                                const char *src_format, const MvQemuImgOutput *out,
                                const char *dst);

/**
 * mv_qemu_img_resize_argv:
 * `qemu-img resize [--shrink] [--preallocation=falloc] -f FMT PATH SIZE`.
 */
char **mv_qemu_img_resize_argv(const char *qemu_img, const char *path, const char *format,
                               guint64 capacity, bool shrink, bool allocate);

/**
 * mv_qemu_img_find:
 * The qemu-img program ($MV_QEMU_IMG, else qemu-img in $PATH); NULL with
 * MV_ERR_NO_SUPPORT telling to install qemu-utils. Caller frees.
 */
char *mv_qemu_img_find(GError **error);

/**
 * mv_qemu_img_run:
 * Runs @argv (built above). @passphrase, when non-NULL, is given to the
 * child as fd MV_QEMU_IMG_SECRET_FD (a sealed memfd). Progress lines of
 * `convert -p` go to @ctl's progress (out of 100); cancelling @ctl kills and
 * reaps qemu-img and fails with MV_ERR_OPERATION_ABORTED. A failure is
 * MV_ERR_OPERATION_FAILED with qemu-img's own message (ENOSPC included).
 */
bool mv_qemu_img_run(char **argv, const MvStoragePassphrase *passphrase,
                     const MvStorageJobCtl *ctl, GError **error);

/**
 * mv_qemu_img_parse_progress:
 * The last "(P/100%)" percentage in @text, or -1. For the tests.
 */
double mv_qemu_img_parse_progress(const char *text);

G_END_DECLS
