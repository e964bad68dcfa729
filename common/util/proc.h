/* Facts about a process from /proc/PID/stat, parsed in one place. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

G_BEGIN_DECLS

typedef struct {
    char state;             /* field 3: 'R', 'S', 'Z'… */
    guint64 utime;          /* field 14, clock ticks */
    guint64 stime;          /* field 15, clock ticks */
    guint64 start_time;     /* field 22, clock ticks after boot */
} MvProcStat;

/**
 * mv_proc_stat_parse:
 * Parses the text of a /proc/PID/stat file into @ret. The command name (field
 * 2) may hold spaces and ')': fields are counted from its last ')'. False, with
 * @ret untouched, when the text is malformed.
 */
bool mv_proc_stat_parse(const char *text, MvProcStat *ret);

/**
 * mv_proc_stat_read:
 * Reads and parses /proc/@pid/stat. A process that does not exist is
 * MV_ERR_SYSTEM_ERROR naming the file; a malformed file MV_ERR_INTERNAL_ERROR.
 */
bool mv_proc_stat_read(pid_t pid, MvProcStat *ret, GError **error);

/**
 * mv_proc_ticks_to_ns:
 * Converts clock ticks (sysconf(_SC_CLK_TCK)) to nanoseconds.
 */
guint64 mv_proc_ticks_to_ns(guint64 ticks);

G_END_DECLS
