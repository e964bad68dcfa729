/* Recognizing a process by pid and start time through /proc. */
#include "util/spawn.h"

#include <errno.h>
#include <string.h>

#include "util/error.h"

/* Reads the state (field 3) and start time (field 22) of /proc/PID/stat. */
static bool
mv_pid_read_stat(pid_t pid, char *ret_state, guint64 *ret_start, GError **error)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *data = NULL;
    g_auto(GStrv) fields = NULL;
    const char *rest;

    if (!g_file_get_contents(path, &data, NULL, NULL))
        return mv_error_set_errno(error, MV_FROM_NONE, ESRCH, "Cannot read '%s'", path);
    /* The command name (field 2) may contain spaces and ')': skip to the last ')'. */
    if (!(rest = strrchr(data, ')')))
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_INTERNAL_ERROR, "Malformed '%s'", path);
    fields = g_strsplit_set(g_strstrip((char *)rest + 1), " ", -1);
    /* fields[0] is field 3 (state), so field 22 (starttime) is fields[19]. */
    if (g_strv_length(fields) < 20 ||
        !g_ascii_string_to_unsigned(fields[19], 10, 0, G_MAXUINT64, ret_start, NULL))
        return mv_error_set(error, MV_FROM_NONE, MV_ERR_INTERNAL_ERROR, "Malformed '%s'", path);
    *ret_state = fields[0][0];
    return true;
}

bool
mv_pid_get_start_time(pid_t pid, guint64 *ret, GError **error)
{
    guint64 start;
    char state;

    if (!mv_pid_read_stat(pid, &state, &start, error))
        return false;
    *ret = start;
    return true;
}

bool
mv_pid_is_alive(pid_t pid, guint64 start_time)
{
    guint64 start;
    char state;

    if (pid <= 0 || !mv_pid_read_stat(pid, &state, &start, NULL))
        return false;
    if (state == 'Z' || state == 'X' || state == 'x')
        return false;
    return start_time == 0 || start == start_time;
}
