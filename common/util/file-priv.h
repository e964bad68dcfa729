/* Test-only seams of file.c. */
#pragma once

#include <glib.h>

/**
 * mv_file_set_write_failure_:
 * Makes the next mv_file_write_atomic() calls fail with EIO after writing
 * @after bytes of the temp file (G_MAXSIZE disables the simulated failure).
 */
void mv_file_set_write_failure_(gsize after);
