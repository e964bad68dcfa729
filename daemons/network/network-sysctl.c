/* /proc/sys/net settings: see network-sysctl.h. */
#include "network-sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/error.h"
#include "util/fd.h"
#include "util/file.h"

static bool
mv_network_sysctl_key_check(const char *key, GError **error)
{
    g_auto(GStrv) parts = g_strsplit(key, "/", -1);

    for (char **p = parts; *p; p++) {
        if (!**p || strcmp(*p, "..") == 0 || strcmp(*p, ".") == 0)
            return mv_error_set(error, MV_FROM_NET, MV_ERR_INVALID_ARG,
                                "'%s' is not a sysctl key path", key);
    }
    return true;
}

bool
mv_network_sysctl_write(const char *key, const char *value, GError **error)
{
    g_autofree char *path = NULL;
    MV_AUTOCLOSE int fd = -1;

    if (!mv_network_sysctl_key_check(key, error))
        return false;
    path = g_strconcat("/proc/sys/", key, NULL);
    if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
        return mv_error_set_errno(error, MV_FROM_NET, errno, "Cannot open '%s' to write '%s'",
                                  path, value);
    if (!mv_fd_write_all(fd, value, strlen(value)))
        return mv_error_set_errno(error, MV_FROM_NET, errno, "Cannot write '%s' to '%s'", value,
                                  path);
    return true;
}

bool
mv_network_sysctl_read(const char *key, char **ret_value, GError **error)
{
    g_autofree char *path = NULL;
    g_autofree char *data = NULL;

    if (!mv_network_sysctl_key_check(key, error))
        return false;
    path = g_strconcat("/proc/sys/", key, NULL);
    if (!mv_file_read_all(path, 4096, &data, NULL, error))
        return false;
    g_strchomp(data);
    *ret_value = g_steal_pointer(&data);
    return true;
}

/* Writes "1" to @key unless it already holds it. */
static bool
mv_network_sysctl_set_one(const char *key, GError **error)
{
    g_autofree char *now = NULL;

    if (mv_network_sysctl_read(key, &now, NULL) && strcmp(now, "1") == 0)
        return true;
    return mv_network_sysctl_write(key, "1", error);
}

bool
mv_network_sysctl_forwarding_enable(int family, GError **error)
{
    bool ok;

    if (family == AF_INET)
        ok = mv_network_sysctl_set_one("net/ipv4/ip_forward", error);
    else if (family == AF_INET6)
        ok = mv_network_sysctl_set_one("net/ipv6/conf/all/forwarding", error);
    else
        return mv_error_set(error, MV_FROM_NET, MV_ERR_INVALID_ARG,
                            "No IP forwarding setting for address family %d", family);
    if (!ok)
        g_prefix_error(error, "Cannot enable IP%s forwarding: ", family == AF_INET ? "v4" : "v6");
    return ok;
}

bool
mv_network_sysctl_bridge_ipv6(const char *bridge, bool enable, GError **error)
{
    static const char *const on[][2] = {
        { "disable_ipv6", "0" },
        { "accept_ra", "0" },
        { "autoconf", "0" },
        { "accept_dad", "0" },
    };
    g_autofree char *dir = g_strdup_printf("/proc/sys/net/ipv6/conf/%s", bridge);

    if (strchr(bridge, '/') || !g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        if (!enable)
            return true;   /* no IPv6 in this kernel: nothing to turn off */
        return mv_error_set(error, MV_FROM_NET, MV_ERR_OPERATION_FAILED,
                            "Cannot set up IPv6 on bridge '%s': '%s' is missing (is IPv6 "
                            "disabled in the kernel?)", bridge, dir);
    }
    if (!enable) {
        g_autofree char *key = g_strdup_printf("net/ipv6/conf/%s/disable_ipv6", bridge);

        return mv_network_sysctl_write(key, "1", error);
    }
    for (gsize i = 0; i < G_N_ELEMENTS(on); i++) {
        g_autofree char *key = g_strdup_printf("net/ipv6/conf/%s/%s", bridge, on[i][0]);

        if (!mv_network_sysctl_write(key, on[i][1], error))
            return false;
    }
    return true;
}
