/* Recognizing a process by pid and start time through /proc. */
#include "util/spawn.h"

#include "util/proc.h"

bool
mv_pid_get_start_time(pid_t pid, guint64 *ret, GError **error)
{
    MvProcStat st;

    if (!mv_proc_stat_read(pid, &st, error))
        return false;
    *ret = st.start_time;
    return true;
}

bool
mv_pid_is_alive(pid_t pid, guint64 start_time)
{
    MvProcStat st;

    if (pid <= 0 || !mv_proc_stat_read(pid, &st, NULL))
        return false;
    if (st.state == 'Z' || st.state == 'X' || st.state == 'x')
        return false;
    return start_time == 0 || st.start_time == start_time;
}
