/* Reading the daemon registry (the generated mv_daemon_registry[]). */
#include "registry/registry.h"

const char *
mv_route_name(MvRoute route)
{
    if ((int)route < 0 || route >= MV_ROUTE_LAST)
        return NULL;
    return mv_route_names[route];
}

MvErrorSubsystem
mv_route_subsystem(MvRoute route)
{
    if ((int)route < 0 || route >= MV_ROUTE_LAST)
        return MV_FROM_NONE;
    return mv_route_subsystems[route];
}

const MvDaemonInfo *
mv_daemon_info(MvDaemonKind daemon)
{
    if ((int)daemon < 0 || daemon >= MV_DAEMON_LAST)
        return NULL;
    return &mv_daemon_registry[daemon];
}

bool
mv_daemon_for_scheme(const char *scheme, MvDaemonKind *ret_daemon)
{
    for (int i = 0; scheme && i < MV_DAEMON_LAST; i++) {
        if (g_strcmp0(mv_daemon_registry[i].scheme, scheme) == 0) {
            *ret_daemon = (MvDaemonKind)i;
            return true;
        }
    }
    return false;
}

bool
mv_daemon_owner(MvRoute route, MvDaemonKind *ret_daemon)
{
    if (route == MV_ROUTE_ANY || route == MV_ROUTE_HYPERVISOR || route == MV_ROUTE_DOMAIN ||
        (int)route <= 0 || route >= MV_ROUTE_LAST)
        return false;
    for (int i = 0; i < MV_DAEMON_LAST; i++) {
        const MvDaemonInfo *info = &mv_daemon_registry[i];

        if (!info->proxy && (info->routes & (1u << route))) {
            *ret_daemon = (MvDaemonKind)i;
            return true;
        }
    }
    return false;
}

char *
mv_daemon_schemes_text(void)
{
    GString *text = g_string_new(NULL);
    int last = -1;

    for (int i = 0; i < MV_DAEMON_LAST; i++) {
        if (mv_daemon_registry[i].scheme)
            last = i;
    }
    for (int i = 0; i < MV_DAEMON_LAST; i++) {
        if (!mv_daemon_registry[i].scheme)
            continue;
        if (text->len)
            g_string_append(text, i == last ? " or " : ", ");
        g_string_append(text, mv_daemon_registry[i].scheme);
    }
    return g_string_free(text, FALSE);
}
