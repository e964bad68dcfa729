/* /proc/PID/stat, parsed once for every reader (spawn-pid.c, qemud's CPU times). */
#include "util/proc.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "util/error.h"

/* Fields counted from 3 (state), the first after the command name. */
enum {
    MV_PROC_FIELD_STATE = 3,
    MV_PROC_FIELD_UTIME = 14,
    MV_PROC_FIELD_STIME = 15,
    MV_PROC_FIELD_STARTTIME = 22,
};
#define MV_PROC_INDEX(field) ((field) - MV_PROC_FIELD_STATE)

static bool
mv_proc_field_u64(char **fields, int field, guint64 *ret)
{
    return g_ascii_string_to_unsigned(fields[MV_PROC_INDEX(field)], 10, 0, G_MAXUINT64, ret,
                                      NULL);
}

bool
mv_proc_stat_parse(const char *text, MvProcStat *ret)
{
    g_auto(GStrv) fields = NULL;
    g_autofree char *rest = NULL;
    const char *paren;
    MvProcStat st = { 0 };

    /* "PID (COMM) S …": COMM is whatever the process set, ')' and spaces included. */
    if (!text || !strchr(text, '(') || !(paren = strrchr(text, ')')))
        return false;
    rest = g_strstrip(g_strdup(paren + 1));
    fields = g_strsplit(rest, " ", -1);
    if (g_strv_length(fields) <= MV_PROC_INDEX(MV_PROC_FIELD_STARTTIME) ||
        strlen(fields[0]) != 1 ||
        !mv_proc_field_u64(fields, MV_PROC_FIELD_UTIME, &st.utime) ||
        !mv_proc_field_u64(fields, MV_PROC_FIELD_STIME, &st.stime) ||
        !mv_proc_field_u64(fields, MV_PROC_FIELD_STARTTIME, &st.start_time))
        return false;
    st.state = fields[0][0];
    *ret = st;
    return true;
}

bool
mv_proc_stat_read(pid_t pid, MvProcStat *ret, GError **error)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *data = NULL;

    if (pid <= 0)
        return mv_error_set_errno(error, MV_FROM_NONE, ESRCH, "Cannot read '%s'", path);
    if (!g_file_get_contents(path, &data, NULL, NULL))
        return mv_error_set_errno(error, MV_FROM_NONE, ESRCH, "Cannot read '%s'", path);
    if (!mv_proc_stat_parse(data, ret))
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_INTERNAL_ERROR, "Malformed '%s'", path);
    return true;
}

guint64
mv_proc_ticks_to_ns(guint64 ticks)
{
    static guint64 tick_ns;

    if (!tick_ns) {
        long hz = sysconf(_SC_CLK_TCK);

        tick_ns = G_GUINT64_CONSTANT(1000000000) / (guint64)(hz > 0 ? hz : 100);
    }
    return ticks * tick_ns;
}
